//! `ratebench export ot`: an instance as `.npz` with `a`, `b`, `C`, `eta` and the spec, so the
//! same instance runs in POT (`ot.sinkhorn(d["a"], d["b"], d["C"], reg=1/d["eta"])`) and loads
//! back with `[ot] data = ["inst.npz"]`.

use crate::case::Instance;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result};
use ratebench_harness::family::Exporter;
use ratebench_harness::params::{Domain, Params};
use ratebench_ot::{InstanceSpec, OtSpec};
use std::path::Path;

/// The family's exporters.
pub fn exporters() -> Vec<Exporter> {
    vec![Exporter {
        name: "ot",
        description: "random-assignment instance C iid U[0, hi] (the claims' when claim_seed ≥ 0): arrays a, b, C, eta, spec",
        params,
        write,
    }]
}

fn params() -> Params {
    Params::new()
        .int(
            "n",
            200,
            Domain::AtLeast(2.0),
            "histogram size (C is n × n)",
        )
        .float("hi", 1.0, Domain::Positive, "C_ij iid U[0, hi]")
        .float("eta", 1200.0, Domain::Positive, "η = 1/ε")
        .int(
            "claim_seed",
            -1,
            Domain::AtLeast(-1.0),
            "s ≥ 0: OT-2's instance s; -1: the export's own stream",
        )
}

fn write(p: &Params, seed: u64, out: &Path) -> Result<String> {
    if out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", out.display()),
        ));
    }
    let n = p.usize("n");
    let spec = OtSpec::new(
        InstanceSpec::RandomCost {
            n,
            m: None,
            hi: p.f64("hi"),
        },
        p.f64("eta"),
    );
    let cs = p.f64("claim_seed") as i64;
    let (path, labels) = if cs >= 0 {
        let l = format!("seed={cs}");
        (
            SeedPath::new(seed).with("OT-2").with(&l),
            vec!["OT-2".to_string(), l],
        )
    } else {
        (
            SeedPath::new(seed).with("export"),
            vec!["export".to_string()],
        )
    };
    let refs: Vec<&str> = labels.iter().map(|s| s.as_str()).collect();
    let inst = Instance::generate(&spec, &path, &refs)?;
    inst.problem.save_npz(out, Some(&inst.spec.to_string()))?;
    Ok(format!(
        "wrote {} (a, b: {n}; C: {n} × {n}; eta)",
        out.display()
    ))
}
