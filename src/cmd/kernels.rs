//! `ratebench kernels`: each benchmarked kernel against its machine reference (a GEMM, a
//! streaming read of the same bytes, …), from criterion's JSON estimates of the last
//! `cargo bench` run.

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

/// Median time in ns of one benchmark (`<dir>/<id>/new/estimates.json`).
fn median_ns(dir: &Path, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(id).join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// Every benchmark id (`group/function/value` paths holding `new/estimates.json`).
fn benchmark_ids(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.join("new/estimates.json").exists() {
            if let Ok(rel) = d.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
            continue;
        }
        if let Ok(entries) = std::fs::read_dir(&d) {
            for e in entries.flatten() {
                let p = e.path();
                let name = e.file_name();
                if p.is_dir() && name != "report" && name != "new" && name != "base" {
                    stack.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// A kernel family and how its reference is found: the kernel ids start with `prefix`;
/// `reference` maps a kernel id to its reference's id.
struct Rule {
    what: &'static str,
    prefix: &'static str,
    reference: fn(&str) -> Option<String>,
}

/// The id after `prefix` (`group/function/`), i.e. the parameter part.
fn param(id: &str, depth: usize) -> Option<&str> {
    id.splitn(depth + 1, '/').nth(depth)
}

/// `n=…,m=…,k=…[,threads=2]` → `n=…,m=…[,threads=2]`.
fn sensing_size(p: &str) -> String {
    p.split(',')
        .filter(|part| !part.starts_with("k="))
        .collect::<Vec<_>>()
        .join(",")
}

const RULES: &[Rule] = &[
    Rule {
        what: "factored step / GEMM M·X",
        prefix: "step/",
        reference: |id| Some(format!("gemm/{}", param(id, 2)?)),
    },
    Rule {
        what: "executor time_s per step / criterion step",
        prefix: "executor/",
        reference: |id| Some(id.replacen("executor/", "step/", 1)),
    },
    Rule {
        what: "sensing iteration / one streaming read of the operator",
        prefix: "sensing-step/",
        reference: |id| Some(format!("sensing-read/{}", sensing_size(param(id, 2)?))),
    },
    Rule {
        what: "sensing two-pass mat-vecs / one streaming read",
        prefix: "sensing-matvecs/",
        reference: |id| Some(format!("sensing-read/{}", param(id, 1)?)),
    },
    Rule {
        what: "Hadamard BCD iteration / its four Gram GEMMs",
        prefix: "hd-bcd/",
        reference: |id| Some(format!("hd-gram/{}", param(id, 2)?)),
    },
    Rule {
        what: "Hadamard GD iteration / its four gradient GEMMs",
        prefix: "hd-gd/",
        reference: |id| Some(format!("hd-gd-ref/gemm4/{}", param(id, 2)?)),
    },
    Rule {
        what: "OT scaling-domain Sinkhorn iteration / two GEMVs over K",
        prefix: "ot-sinkhorn/",
        reference: |id| Some(format!("ot-gemv/{}", param(id, 1)?)),
    },
    Rule {
        what: "OT log-domain Sinkhorn iteration (1 thread) / scaling-domain iteration",
        prefix: "ot-sinkhorn-log/threads=1/",
        reference: |id| Some(format!("ot-sinkhorn/{}", param(id, 2)?)),
    },
    Rule {
        what: "sparse FISTA iteration / two GEMVs with X",
        prefix: "sparse_",
        reference: |id| sibling(id, "fista_iter", "two_gemv"),
    },
    Rule {
        what: "sparse CD epoch / one pass over X's columns",
        prefix: "sparse_",
        reference: |id| sibling(id, "cd_epoch", "column_pass"),
    },
    Rule {
        what: "sparse nonconvex AG iteration / two GEMVs with X",
        prefix: "sparse_",
        reference: |id| sibling(id, "ag_iter", "two_gemv"),
    },
    Rule {
        what: "sparse implicit-regularization GD iteration / two GEMVs with X",
        prefix: "sparse_",
        reference: |id| sibling(id, "implicit_gd_iter", "two_gemv"),
    },
];

/// `<group>/<reference>` for a kernel id `<group>/<kernel>` (kernel and reference benched in
/// one group), or `None` for other ids of the group.
fn sibling(id: &str, kernel: &str, reference: &str) -> Option<String> {
    let group = id.strip_suffix(kernel)?.strip_suffix('/')?;
    Some(format!("{group}/{reference}"))
}

/// The one-thread twin of a two-thread benchmark id: `…,threads=2` → `…`, or a
/// `threads=2/` path segment → `threads=1/`.
fn one_thread_id(id: &str) -> Option<String> {
    if let Some(one) = id.strip_suffix(",threads=2") {
        Some(one.to_string())
    } else if id.contains("/threads=2/") {
        Some(id.replacen("/threads=2/", "/threads=1/", 1))
    } else {
        None
    }
}

/// A `threads=2` benchmark against the same benchmark with one thread.
fn speedups(dir: &Path, ids: &[String], rows: &mut Vec<String>) {
    let pairs: Vec<(String, &String)> = ids
        .iter()
        .filter_map(|id| Some((one_thread_id(id)?, id)))
        .collect();
    if pairs.is_empty() {
        return;
    }
    println!("\nspeed-up with 2 threads inside a run (time with 1 / time with 2)");
    for (one, id) in pairs {
        if let (Some(t1), Some(t2)) = (median_ns(dir, &one), median_ns(dir, id)) {
            println!(
                "  {one:<58} {:>10.3} ms → {:>10.3} ms  ×{:.2}",
                t1 / 1e6,
                t2 / 1e6,
                t1 / t2
            );
            rows.push(format!(
                "speedup,{one},{},{},{}",
                t1 / 1e6,
                t2 / 1e6,
                t1 / t2
            ));
        }
    }
}

pub fn run(args: Args) -> Result<Outcome> {
    let dir = args.criterion_dir.clone().unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| PathBuf::from("target"), PathBuf::from)
            .join("criterion")
    });
    let ids = benchmark_ids(&dir);
    if ids.is_empty() {
        return Err(Error::file(
            &dir,
            "no criterion results; run `just bench` (cargo bench --benches -- --noplot) first",
        ));
    }
    let mut rows = vec!["what,kernel,reference,kernel_ms,reference_ms,ratio".to_string()];
    for rule in RULES {
        let mine: Vec<&String> = ids
            .iter()
            .filter(|id| id.starts_with(rule.prefix))
            .collect();
        let mut header = Some(rule.what);
        for id in mine {
            let Some(r) = (rule.reference)(id) else {
                continue;
            };
            let (Some(t), Some(tr)) = (median_ns(&dir, id), median_ns(&dir, &r)) else {
                continue;
            };
            if let Some(what) = header.take() {
                println!("\n{what}");
            }
            println!(
                "  {id:<58} {:>10.3} ms  ref {:>10.3} ms  ×{:.3}",
                t / 1e6,
                tr / 1e6,
                t / tr
            );
            rows.push(format!(
                "{},{id},{r},{},{},{}",
                rule.what,
                t / 1e6,
                tr / 1e6,
                t / tr
            ));
        }
    }
    speedups(&dir, &ids, &mut rows);
    if let Some(path) = &args.csv {
        ratebench_harness::results::write_atomic(path, (rows.join("\n") + "\n").as_bytes())?;
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(id: &str) -> Option<String> {
        RULES
            .iter()
            .filter(|r| id.starts_with(r.prefix))
            .find_map(|r| (r.reference)(id))
    }

    #[test]
    fn every_kernel_finds_its_reference() {
        for (kernel, want) in [
            ("step/gd/n=2000,k=20", "gemm/n=2000,k=20"),
            (
                "sensing-step/gd/n=100,m=5000,k=5",
                "sensing-read/n=100,m=5000",
            ),
            ("hd-bcd/bcd/427x640,r=20", "hd-gram/427x640,r=20"),
            ("ot-sinkhorn/n=1000", "ot-gemv/n=1000"),
            ("ot-sinkhorn-log/threads=1/n=4000", "ot-sinkhorn/n=4000"),
            (
                "sparse_lasso_500x2000/fista_iter",
                "sparse_lasso_500x2000/two_gemv",
            ),
            ("sparse_ag_1000x850/ag_iter", "sparse_ag_1000x850/two_gemv"),
        ] {
            assert_eq!(reference(kernel).as_deref(), Some(want), "{kernel}");
        }
        // The two-thread log-domain run is a speed-up, not a rule of its own.
        assert_eq!(reference("ot-sinkhorn-log/threads=2/n=4000"), None);
        assert_eq!(
            sibling("sparse_lasso_500x2000/cd_epoch", "cd_epoch", "column_pass").as_deref(),
            Some("sparse_lasso_500x2000/column_pass")
        );
        assert_eq!(reference("sparse_lasso_500x2000/two_gemv"), None);
    }

    #[test]
    fn two_thread_ids_pair_with_their_one_thread_twin() {
        assert_eq!(
            one_thread_id("sensing-step/gd/n=100,m=5000,k=5,threads=2").as_deref(),
            Some("sensing-step/gd/n=100,m=5000,k=5")
        );
        assert_eq!(
            one_thread_id("ot-sinkhorn-log/threads=2/n=4000").as_deref(),
            Some("ot-sinkhorn-log/threads=1/n=4000")
        );
        assert_eq!(one_thread_id("ot-sinkhorn/n=4000"), None);
    }
}
