//! `ratebench export lowrank|sensing`: an instance as `.npz` for NumPy.
//!
//! ```python
//! d = np.load("inst.npz"); M = d["M"]; X = d["X_star"]   # M == X @ X.T
//! A, y = d["A"], d["y"]       # sensing: y == A @ M.reshape(-1) (+ noise), no 1/√m
//! ```
//! The sensing convention is the one a NumPy user writes, `y_i = ⟨A_i, M⟩`; ratebench
//! minimizes `1/(4m)·Σ(⟨A_i, XXᵀ⟩ − y_i)²` on a loaded (normalized) instance.

use crate::case::{Instance, Problem};
use faer::Mat;
use ratebench_core::npy::{write_npz, Entry};
use ratebench_core::{Error, Result};
use ratebench_harness::family::Exporter;
use ratebench_harness::params::{Domain, Params};
use ratebench_lowrank::LowRankSpec;
use ratebench_sensing::{Noise, SensingSpec};
use std::path::Path;

/// The family's exporters.
pub fn exporters() -> Vec<Exporter> {
    vec![
        Exporter {
            name: "lowrank",
            description: "M⋆ = U⋆ diag(σ) U⋆ᵀ with σ = linspace(1, 1/κ, r): arrays M, X_star, sigma",
            params: lowrank_params,
            write: write_lowrank,
        },
        Exporter {
            name: "sensing",
            description: "GOE sensing y_i = ⟨A_i, M⋆⟩ (+ noise): arrays A (m × n², raw A_i), y, M, X_star, sigma",
            params: sensing_params,
            write: write_sensing,
        },
    ]
}

fn lowrank_params() -> Params {
    Params::new()
        .int("n", 20, Domain::AtLeast(1.0), "dimension")
        .int("r", 3, Domain::AtLeast(1.0), "rank")
        .float(
            "kappa",
            10.0,
            Domain::AtLeast(1.0),
            "condition number, σ = linspace(1, 1/κ, r)",
        )
}

fn sensing_params() -> Params {
    lowrank_params()
        .int("m", 1000, Domain::AtLeast(1.0), "number of measurements")
        .float(
            "sigma",
            0.0,
            Domain::AtLeast(0.0),
            "Gaussian noise standard deviation (of the normalized measurements)",
        )
        .float(
            "p",
            0.0,
            Domain::AtLeast(0.0),
            "fraction of gross outliers, in [0, 1)",
        )
        .int(
            "normalized",
            1,
            Domain::AtLeast(0.0),
            "1: step sizes as for factorization (loss 1/(4m)Σ…), 0: Ma & Fattahi's unnormalized setup",
        )
}

fn lowrank_spec(p: &Params) -> LowRankSpec {
    LowRankSpec {
        n: p.usize("n"),
        r: p.usize("r"),
        kappa: p.f64("kappa"),
        ..Default::default()
    }
}

fn write_lowrank(p: &Params, seed: u64, out: &Path) -> Result<String> {
    let spec = lowrank_spec(p);
    let inst = Instance::generate(&spec, seed, "export", 0)?;
    let json = serde_json::json!({ "problem": "lowrank", "spec": spec, "seed": seed });
    write(out, &inst, &json.to_string(), seed)
}

fn write_sensing(p: &Params, seed: u64, out: &Path) -> Result<String> {
    let lr = lowrank_spec(p);
    let (sigma, frac) = (p.f64("sigma"), p.f64("p"));
    let noise = if frac > 0.0 {
        Noise::Outliers {
            p: frac,
            scale: 10.0,
        }
    } else if sigma > 0.0 {
        Noise::Gaussian { sigma }
    } else {
        Noise::None
    };
    let spec = SensingSpec {
        n: lr.n,
        r: lr.r,
        kappa: lr.kappa,
        m: p.usize("m"),
        normalized: p.usize("normalized") != 0,
        noise,
        ..Default::default()
    };
    let inst = Instance::generate_sensing(&spec, seed, "export", 0)?;
    let json = serde_json::json!({ "problem": "sensing", "spec": spec, "seed": seed,
        "convention": "y_i = <A_i, M> (+ noise); loss 1/(4m) sum_i (<A_i, X X^T> - y_i)^2" });
    write(out, &inst, &json.to_string(), seed)
}

fn write(out: &Path, inst: &Instance, json: &str, seed: u64) -> Result<String> {
    if out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", out.display()),
        ));
    }
    let truth = inst.truth();
    let sigma = truth.spectrum();
    let x_star = factor(truth, sigma.len());
    // Sensing: the raw operator and measurements (stored = c·raw).
    let raw = match &inst.problem {
        Problem::Sensing(s) => {
            let c = s.raw_scale();
            let a = s.operator().to_full() * faer::Scale(1.0 / c);
            Some((a, s.y().iter().map(|v| v / c).collect::<Vec<f64>>()))
        }
        Problem::LowRank(_) => None,
    };
    let mut entries = vec![
        ("M", Entry::Matrix(truth.target())),
        ("X_star", Entry::Matrix(x_star.as_ref())),
        ("sigma", Entry::Vector(&sigma)),
        ("seed", Entry::U64(seed)),
        ("spec_json", Entry::Text(json)),
    ];
    if let Some((a, y)) = &raw {
        entries.push(("A", Entry::Matrix(a.as_ref())));
        entries.push(("y", Entry::Vector(y)));
    }
    write_npz(out, &entries)?;
    let names: Vec<&str> = entries.iter().map(|e| e.0).collect();
    Ok(format!("wrote {} ({})", out.display(), names.join(", ")))
}

/// `X⋆ = U⋆ diag(√σ)`, from `M⋆`'s top `r` eigenpairs.
fn factor(prob: &ratebench_lowrank::LowRankProblem, r: usize) -> Mat<f64> {
    let m = prob.target();
    let Ok(evd) = m.self_adjoint_eigen(faer::Side::Lower) else {
        return Mat::zeros(m.nrows(), r);
    };
    let (u, s) = (evd.U(), evd.S().column_vector());
    let n = m.nrows();
    // Eigenvalues ascend: the r largest are the last r.
    Mat::from_fn(n, r, |i, j| {
        u[(i, n - 1 - j)] * s[n - 1 - j].max(0.0).sqrt()
    })
}
