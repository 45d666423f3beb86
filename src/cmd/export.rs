//! `ratebench export PROBLEM`: an instance as `.npz` for NumPy.
//!
//! ```python
//! d = np.load("inst.npz"); M = d["M"]; X = d["X_star"]   # M == X @ X.T
//! ```

use super::parse_set;
use crate::Outcome;
use faer::Mat;
use ratebench_core::{Error, Result};
use ratebench_harness::lowrank::Instance;
use ratebench_harness::params::{Domain, Params};
use ratebench_lowrank::LowRankSpec;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Problem family (see `ratebench list problems`).
    pub problem: String,
    /// Instance parameters: n, r, kappa (e.g. --set n=50 --set kappa=100).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Base seed of the data stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file (.npz).
    #[arg(long, value_name = "FILE.npz")]
    pub out: PathBuf,
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

pub fn run(args: Args) -> Result<Outcome> {
    if args.problem != "lowrank" {
        return Err(Error::invalid(
            format!("problem '{}'", args.problem),
            "unknown; known problems: lowrank",
        ));
    }
    if args.out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", args.out.display()),
        ));
    }
    let mut p = lowrank_params();
    for (k, v) in &args.set {
        p.set(k, v)?;
    }
    let spec = LowRankSpec {
        n: p.usize("n"),
        r: p.usize("r"),
        kappa: p.f64("kappa"),
        ..Default::default()
    };
    let inst = Instance::generate(&spec, args.seed, "export", 0)?;
    let prob = &inst.problem;
    let sigma = prob.spectrum();
    let x_star = factor(prob, &sigma);
    let meta = serde_json::json!({ "problem": "lowrank", "spec": spec, "seed": args.seed, "seed_path": ["export", spec.label(), "0", "data"] });
    write_npz(
        &args.out,
        prob.target(),
        &x_star,
        &sigma,
        args.seed,
        &meta.to_string(),
    )?;
    println!(
        "wrote {} (M {}×{}, X_star {}×{}, sigma, seed, spec_json)",
        args.out.display(),
        spec.n,
        spec.n,
        spec.n,
        sigma.len()
    );
    Ok(Outcome::Success)
}

/// `X⋆ = U⋆ diag(√σ)`, recovered from `M⋆`'s top eigenvectors.
fn factor(prob: &ratebench_lowrank::LowRankProblem, sigma: &[f64]) -> Mat<f64> {
    let m = prob.target();
    let evd = m
        .self_adjoint_eigen(faer::Side::Lower)
        .expect("symmetric generated target");
    let (u, s) = (evd.U(), evd.S().column_vector());
    let n = m.nrows();
    // Eigenvalues ascend: the r largest are the last r.
    Mat::from_fn(n, sigma.len(), |i, j| {
        let col = n - 1 - j;
        u[(i, col)] * s[col].max(0.0).sqrt()
    })
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| {
        Error::file(
            path,
            format!("cannot write .npz ({e}); choose a writable --out"),
        )
    }
}

fn write_npz(
    path: &Path,
    m: faer::MatRef<'_, f64>,
    x: &Mat<f64>,
    sigma: &[f64],
    seed: u64,
    spec_json: &str,
) -> Result<()> {
    use npyz::WriterBuilder;
    let tmp = path.with_extension("npz.tmp");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(path))?;
    }
    let mut npz = npyz::npz::NpzWriter::create(&tmp).map_err(io_err(path))?;
    let mut put_mat = |name: &str, a: faer::MatRef<'_, f64>| -> std::io::Result<()> {
        let mut w = npz
            .array::<f64>(name, Default::default())?
            .default_dtype()
            .shape(&[a.nrows() as u64, a.ncols() as u64])
            .begin_nd()?;
        for i in 0..a.nrows() {
            for j in 0..a.ncols() {
                w.push(&a[(i, j)])?;
            }
        }
        w.finish()
    };
    put_mat("M", m).map_err(io_err(path))?;
    put_mat("X_star", x.as_ref()).map_err(io_err(path))?;
    let mut put_vec = |name: &str, v: &[f64]| -> std::io::Result<()> {
        let mut w = npz
            .array::<f64>(name, Default::default())?
            .default_dtype()
            .shape(&[v.len() as u64])
            .begin_nd()?;
        w.extend(v.iter().copied())?;
        w.finish()
    };
    put_vec("sigma", sigma).map_err(io_err(path))?;
    let mut w = npz
        .array::<u64>("seed", Default::default())
        .map_err(io_err(path))?
        .default_dtype()
        .shape(&[1])
        .begin_nd()
        .map_err(io_err(path))?;
    w.push(&seed).map_err(io_err(path))?;
    w.finish().map_err(io_err(path))?;
    let bytes = spec_json.as_bytes();
    let mut w = npz
        .array::<u8>("spec_json", Default::default())
        .map_err(io_err(path))?
        .default_dtype()
        .shape(&[bytes.len() as u64])
        .begin_nd()
        .map_err(io_err(path))?;
    w.extend(bytes.iter().copied()).map_err(io_err(path))?;
    w.finish().map_err(io_err(path))?;
    drop(npz);
    std::fs::rename(&tmp, path).map_err(io_err(path))
}
