//! `ratebench export hadamard`: a generated matrix (and its generating factors) as `.npz`,
//! so a NumPy user can run the authors' Python code on exactly the same data:
//!
//! ```python
//! d = np.load("x.npz"); X = d["X"]
//! W1, H1, W2, H2 = d["W1"], d["H1"], d["W2"], d["H2"]   # X == (W1 @ H1) * (W2 @ H2)
//! spec = json.loads(bytes(d["spec_json"]).decode())
//! W1, H1, W2, H2, err, times = Hadamard_BCD(X, r=5)     # WertzSamuel/HadamardDecompositions
//! ```
//!
//! The archive loads back into suites with `[hadamard] data = "x.npz"` (any `.npy`, or an
//! `.npz` whose matrix is `X` or its only 2-D array, works the same way).

use crate::case::Instance;
use ratebench_core::npy::Entry;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result};
use ratebench_hadamard::{Generator, HadamardSpec};
use ratebench_harness::family::Exporter;
use ratebench_harness::params::{Domain, Params};
use std::path::Path;

/// The family's exporters.
pub fn exporters() -> Vec<Exporter> {
    vec![Exporter {
        name: "hadamard",
        description: "X = (W1H1)∘(W2H2) with U[0,1] or Gaussian factors, or an iid U[0,1] matrix: arrays X, W1, H1, W2, H2 (H_k is r × n), spec_json, seed",
        params,
        write,
    }]
}

fn params() -> Params {
    Params::new()
        .int("m", 100, Domain::AtLeast(1.0), "rows of X")
        .int("n", 100, Domain::AtLeast(1.0), "columns of X")
        .int("rank", 5, Domain::AtLeast(1.0), "inner rank r of each generating factor W_kH_k")
        .int("factors", 2, Domain::AtLeast(1.0), "number of factors K (>= 2)")
        .int(
            "kind",
            0,
            Domain::AtLeast(0.0),
            "0: U[0,1] factors (HD-1), 1: iid U[0,1] matrix without factors (HD-2(b)), 2: Gaussian factors (signed)",
        )
        .int(
            "claim_seed",
            -1,
            Domain::AtLeast(-1.0),
            "s >= 0: the claims' instance s (HD-1's data for kinds 0 and 2, HD-2(b)'s for kind 1, at the same --seed); -1: the export's own stream",
        )
}

fn generator(kind: usize) -> Result<Generator> {
    match kind {
        0 => Ok(Generator::UniformProduct),
        1 => Ok(Generator::Uniform),
        2 => Ok(Generator::GaussianProduct),
        other => Err(Error::invalid(
            "kind",
            format!("must be 0 (U[0,1] factors), 1 (iid U[0,1] matrix) or 2 (Gaussian factors), got {other}"),
        )),
    }
}

/// The stream the matrix is drawn from: the claims' (`HD-1`/`HD-2b`, `seed=s`) or the
/// export's own (`export`, spec label).
fn seed_path(spec: &HadamardSpec, seed: u64, claim_seed: i64) -> (SeedPath, Vec<String>) {
    if claim_seed >= 0 {
        let claim = if spec.generator == Generator::Uniform {
            "HD-2b"
        } else {
            crate::claims::HD1_DATA
        };
        let label = format!("seed={claim_seed}");
        let path = SeedPath::new(seed).with(claim).with(&label);
        (path, vec![claim.to_string(), label])
    } else {
        let path = SeedPath::new(seed).with("export").with(spec.label());
        (path, vec!["export".to_string(), spec.label()])
    }
}

fn write(p: &Params, seed: u64, out: &Path) -> Result<String> {
    if out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", out.display()),
        ));
    }
    let spec = HadamardSpec {
        generator: generator(p.usize("kind"))?,
        m: p.usize("m"),
        n: p.usize("n"),
        rank: p.usize("rank"),
        factors: p.usize("factors"),
    };
    if spec.generator != Generator::Uniform && spec.factors < 2 {
        return Err(Error::invalid(
            "factors",
            format!(
                "a Hadamard product needs K >= 2 factors, got {}; use factors = 2 (or kind = 1 for an iid U[0,1] matrix)",
                spec.factors
            ),
        ));
    }
    spec.validate()?;
    let claim_seed = match p.f64("claim_seed") {
        v if v >= 0.0 => v as i64,
        _ => -1,
    };
    let (path, labels) = seed_path(&spec, seed, claim_seed);
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let inst = Instance::generate(&spec, &path, &labels)?;
    let json = serde_json::json!({
        "problem": "hadamard",
        "spec": spec,
        "seed": seed,
        "seed_path": labels,
        "convention": "X = (W1 @ H1) * (W2 @ H2) [* ...]; W_k is m x r, H_k is r x n",
    })
    .to_string();
    inst.problem.export_npz(
        out,
        &[
            ("spec_json", Entry::Text(&json)),
            ("seed", Entry::U64(seed)),
        ],
    )?;
    let k = inst.problem.truth().map_or(0, |t| t.k());
    let mut names = vec!["X".to_string()];
    names.extend((1..=k).flat_map(|i| [format!("W{i}"), format!("H{i}")]));
    names.extend(["spec_json".to_string(), "seed".to_string()]);
    Ok(format!(
        "wrote {} ({}); in NumPy: d = np.load(\"{}\"); X = d[\"X\"]",
        out.display(),
        names.join(", "),
        out.display()
    ))
}
