//! `ratebench kernels`: the per-step / GEMM ratio table from criterion's JSON estimates.

use crate::Outcome;
use ratebench_core::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Criterion's output directory (default: $CARGO_TARGET_DIR/criterion or target/criterion).
    #[arg(long, value_name = "DIR")]
    pub criterion_dir: Option<PathBuf>,
    /// Also write the table as CSV.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// Median time in ns of one benchmark (`<dir>/<group>/<function>/<value>/new/estimates.json`).
fn median_ns(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path.join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

pub fn run(args: Args) -> Result<Outcome> {
    let dir = args.criterion_dir.clone().unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| PathBuf::from("target"), PathBuf::from)
            .join("criterion")
    });
    let gemm_dir = dir.join("gemm");
    let entries = std::fs::read_dir(&gemm_dir).map_err(|_| {
        Error::file(
            &gemm_dir,
            "no criterion results; run `just bench` (cargo bench --bench factored_step) first",
        )
    })?;
    let mut shapes: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|s| s.starts_with("n="))
        .collect();
    shapes.sort_by_key(|s| {
        let nums: Vec<usize> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|x| x.parse().ok())
            .collect();
        (
            nums.first().copied().unwrap_or(0),
            nums.get(1).copied().unwrap_or(0),
        )
    });
    let methods = ["gd", "scaledgd-lambda", "precgd"];
    let mut rows = vec![format!(
        "shape,gemm_ms,{}",
        methods
            .iter()
            .map(|m| format!("{m}_ms,{m}_ratio"))
            .collect::<Vec<_>>()
            .join(",")
    )];
    println!(
        "{:<14} {:>10}  {}",
        "shape",
        "GEMM ms",
        methods
            .iter()
            .map(|m| format!("{m:>22}"))
            .collect::<String>()
    );
    for shape in &shapes {
        let Some(gemm) = median_ns(&gemm_dir.join(shape)) else {
            continue;
        };
        let mut line = format!("{shape:<14} {:>10.3}  ", gemm / 1e6);
        let mut csv = format!("{shape},{}", gemm / 1e6);
        for m in methods {
            match median_ns(&dir.join("step").join(m).join(shape)) {
                Some(t) => {
                    line.push_str(&format!("{:>12.3} ms ×{:<6.3}", t / 1e6, t / gemm));
                    csv.push_str(&format!(",{},{}", t / 1e6, t / gemm));
                }
                None => {
                    line.push_str(&format!("{:>22}", "—"));
                    csv.push_str(",,");
                }
            }
        }
        println!("{line}");
        rows.push(csv);
    }
    if let (Some(exec), Some(step)) = (
        median_ns(&dir.join("executor/gd/n=2000,k=20")),
        median_ns(&dir.join("step/gd/n=2000,k=20")),
    ) {
        println!("executor time_s per GD step (n=2000,k=20): {:.3} ms vs criterion step {:.3} ms: ratio {:.3}", exec / 1e6, step / 1e6, exec / step);
    }
    sensing_table(&dir, &mut rows);
    if let Some(path) = &args.csv {
        ratebench_harness::results::write_atomic(path, (rows.join("\n") + "\n").as_bytes())?;
    }
    Ok(Outcome::Success)
}

/// Sensing iterations vs the two operator mat-vecs, with achieved bandwidth.
fn sensing_table(dir: &Path, rows: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir.join("sensing-matvecs")) else {
        return;
    };
    let mut sizes: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|s| s.starts_with("n="))
        .collect();
    sizes.sort();
    println!("\nsensing: one iteration vs the two operator mat-vecs (bytes = 2 × operator size)");
    rows.push("sensing_shape,k,matvecs_ms,matvec_gbps,copy_gbps,gd_ms,gd_ratio,scaledgd_lambda_ms,scaledgd_lambda_ratio".into());
    for size in sizes {
        let Some(mv) = median_ns(&dir.join("sensing-matvecs").join(&size)) else {
            continue;
        };
        let bytes = throughput_bytes(&dir.join("sensing-matvecs").join(&size)).unwrap_or(f64::NAN);
        let copy = median_ns(&dir.join("copy").join(&size));
        let copy_gbps = copy.map_or(f64::NAN, |t| bytes / t);
        for k in [3, 10] {
            let id = format!("{size},k={k}");
            let gd = median_ns(&dir.join("sensing-step/gd").join(&id));
            let sg = median_ns(&dir.join("sensing-step/scaledgd-lambda").join(&id));
            let ms = |t: Option<f64>| t.map_or(f64::NAN, |t| t / 1e6);
            let ratio = |t: Option<f64>| t.map_or(f64::NAN, |t| t / mv);
            println!(
                "{id:<22} mat-vecs {:>8.3} ms ({:>5.1} GB/s; copy {:>5.1} GB/s)  gd {:>8.3} ms ×{:.3}  scaledgd-lambda {:>8.3} ms ×{:.3}",
                mv / 1e6, bytes / mv, copy_gbps, ms(gd), ratio(gd), ms(sg), ratio(sg)
            );
            rows.push(format!(
                "{size},{k},{},{},{},{},{},{},{}",
                mv / 1e6,
                bytes / mv,
                copy_gbps,
                ms(gd),
                ratio(gd),
                ms(sg),
                ratio(sg)
            ));
        }
    }
}

/// Bytes per iteration recorded by criterion (`benchmark.json` → `throughput.Bytes`).
fn throughput_bytes(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path.join("new/benchmark.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["throughput"]["Bytes"].as_f64()
}
