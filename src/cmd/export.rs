//! `ratebench export PROBLEM`: an instance as `.npz` for NumPy.
//!
//! ```python
//! d = np.load("inst.npz"); M = d["M"]; X = d["X_star"]   # M == X @ X.T
//! A, y = d["A"], d["y"]       # sensing: y == A @ M.reshape(-1) (+ noise)
//! ```

use super::parse_set;
use crate::Outcome;
use faer::Mat;
use ratebench_core::{Error, Result};
use ratebench_harness::lowrank::{Instance, Problem};
use ratebench_harness::params::{Domain, Params};
use ratebench_lowrank::LowRankSpec;
use ratebench_sensing::{Noise, SensingSpec};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Problem family: lowrank or sensing.
    pub problem: String,
    /// Instance parameters: n, r, kappa; sensing also m, sigma, p, normalized (e.g. --set m=2000).
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

fn sensing_params() -> Params {
    lowrank_params()
        .int("m", 1000, Domain::AtLeast(1.0), "number of measurements")
        .float(
            "sigma",
            0.0,
            Domain::AtLeast(0.0),
            "Gaussian noise standard deviation",
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
            "1: A(Z)_i = ⟨A_i,Z⟩/√m, 0: unnormalized",
        )
}

/// One array of an `.npz` archive.
enum Array<'a> {
    F64 { shape: Vec<u64>, data: Vec<f64> },
    U8(&'a [u8]),
    U64(u64),
}

fn mat_array(a: faer::MatRef<'_, f64>) -> Array<'static> {
    // NumPy's default C order: row by row.
    let data = (0..a.nrows())
        .flat_map(|i| (0..a.ncols()).map(move |j| a[(i, j)]))
        .collect();
    Array::F64 {
        shape: vec![a.nrows() as u64, a.ncols() as u64],
        data,
    }
}

pub fn run(args: Args) -> Result<Outcome> {
    if args.out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", args.out.display()),
        ));
    }
    let mut p = match args.problem.as_str() {
        "lowrank" => lowrank_params(),
        "sensing" => sensing_params(),
        other => {
            return Err(Error::invalid(
                format!("problem '{other}'"),
                "unknown; known problems: lowrank, sensing",
            ))
        }
    };
    for (k, v) in &args.set {
        p.set(k, v)?;
    }
    let lr = LowRankSpec {
        n: p.usize("n"),
        r: p.usize("r"),
        kappa: p.f64("kappa"),
        ..Default::default()
    };
    let (inst, spec_json) = if args.problem == "lowrank" {
        (
            Instance::generate(&lr, args.seed, "export", 0)?,
            serde_json::to_value(&lr).unwrap_or_default(),
        )
    } else {
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
        (
            Instance::generate_sensing(&spec, args.seed, "export", 0)?,
            serde_json::to_value(&spec).unwrap_or_default(),
        )
    };
    let truth = inst.truth();
    let sigma = truth.spectrum();
    let meta = serde_json::json!({ "problem": args.problem, "spec": spec_json, "seed": args.seed, "instance": inst.spec });
    let meta = meta.to_string();
    let mut arrays = vec![
        ("M", mat_array(truth.target())),
        ("X_star", mat_array(factor(truth, sigma.len()).as_ref())),
        (
            "sigma",
            Array::F64 {
                shape: vec![sigma.len() as u64],
                data: sigma.clone(),
            },
        ),
        ("seed", Array::U64(args.seed)),
        ("spec_json", Array::U8(meta.as_bytes())),
    ];
    if let Problem::Sensing(s) = &inst.problem {
        arrays.push(("A", mat_array(s.operator().to_full().as_ref())));
        arrays.push((
            "y",
            Array::F64 {
                shape: vec![s.m() as u64],
                data: s.y().to_vec(),
            },
        ));
    }
    write_npz(&args.out, &arrays)?;
    let names: Vec<&str> = arrays.iter().map(|a| a.0).collect();
    println!("wrote {} ({})", args.out.display(), names.join(", "));
    Ok(Outcome::Success)
}

/// `X⋆ = U⋆ diag(√σ)`, from `M⋆`'s top `r` eigenpairs.
fn factor(prob: &ratebench_lowrank::LowRankProblem, r: usize) -> Mat<f64> {
    let m = prob.target();
    let evd = m
        .self_adjoint_eigen(faer::Side::Lower)
        .expect("symmetric generated target");
    let (u, s) = (evd.U(), evd.S().column_vector());
    let n = m.nrows();
    // Eigenvalues ascend: the r largest are the last r.
    Mat::from_fn(n, r, |i, j| {
        u[(i, n - 1 - j)] * s[n - 1 - j].max(0.0).sqrt()
    })
}

fn write_npz(path: &Path, arrays: &[(&str, Array<'_>)]) -> Result<()> {
    use npyz::WriterBuilder;
    let err = |e: std::io::Error| {
        Error::file(
            path,
            format!("cannot write .npz ({e}); choose a writable --out"),
        )
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let tmp = path.with_extension("npz.tmp");
    let mut npz = npyz::npz::NpzWriter::create(&tmp).map_err(err)?;
    for (name, array) in arrays {
        match array {
            Array::F64 { shape, data } => {
                let mut w = npz
                    .array::<f64>(name, Default::default())
                    .map_err(err)?
                    .default_dtype()
                    .shape(shape)
                    .begin_nd()
                    .map_err(err)?;
                w.extend(data.iter().copied()).map_err(err)?;
                w.finish().map_err(err)?;
            }
            Array::U8(bytes) => {
                let mut w = npz
                    .array::<u8>(name, Default::default())
                    .map_err(err)?
                    .default_dtype()
                    .shape(&[bytes.len() as u64])
                    .begin_nd()
                    .map_err(err)?;
                w.extend(bytes.iter().copied()).map_err(err)?;
                w.finish().map_err(err)?;
            }
            Array::U64(v) => {
                let mut w = npz
                    .array::<u64>(name, Default::default())
                    .map_err(err)?
                    .default_dtype()
                    .shape(&[1])
                    .begin_nd()
                    .map_err(err)?;
                w.push(v).map_err(err)?;
                w.finish().map_err(err)?;
            }
        }
    }
    drop(npz);
    std::fs::rename(&tmp, path).map_err(err)
}
