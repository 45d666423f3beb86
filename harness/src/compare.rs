//! Regression detection between two result directories.
//!
//! Iteration counts to tolerance and verdicts are deterministic, so they gate: a run needing
//! more than `iter_ratio` × the baseline's iterations to reach a tolerance (or no longer
//! reaching it), a run missing from the new results, or a claim going pass → fail is a
//! regression. Wall times are noisy on shared machines: they are normalized by each
//! process's calibration kernel and only gate when a `time_ratio` is given.

use crate::results::{read_claims, read_runs, RunRecord};
use ratebench_core::{Error, Result};
use std::path::Path;

/// One row of the comparison table.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub key: String,
    pub what: String,
    pub base: String,
    pub new: String,
    pub ratio: Option<f64>,
    pub regression: bool,
}

/// The comparison of two directories.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    pub changes: Vec<Change>,
    pub matched_runs: usize,
    pub matched_claims: usize,
}

impl Comparison {
    /// True if any change is a regression.
    pub fn has_regression(&self) -> bool {
        self.changes.iter().any(|c| c.regression)
    }
}

/// Thresholds.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// Iterations-to-tolerance ratio above which a run regressed (1.05 = 5 %).
    pub iter_ratio: f64,
    /// Normalized-time ratio above which a run regressed; `None` = report only.
    pub time_ratio: Option<f64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            iter_ratio: 1.05,
            time_ratio: None,
        }
    }
}

fn iters_at(r: &RunRecord) -> [(&'static str, Option<u64>, Option<f64>); 3] {
    [
        ("1e-3", r.iters_to_1e3, r.time_to_1e3),
        ("1e-6", r.iters_to_1e6, r.time_to_1e6),
        ("1e-10", r.iters_to_1e10, r.time_to_1e10),
    ]
}

fn show<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_string(), |x| x.to_string())
}

/// Compares `new` against `base`.
pub fn compare(base: &Path, new: &Path, th: Thresholds) -> Result<Comparison> {
    for dir in [base, new] {
        if !dir.is_dir() {
            return Err(Error::file(
                dir,
                "is not a results directory; pass the --out of an earlier run",
            ));
        }
    }
    let (base_runs, new_runs) = (read_runs(base)?, read_runs(new)?);
    let (base_claims, new_claims) = (read_claims(base)?, read_claims(new)?);
    if base_runs.is_empty() && base_claims.is_empty() {
        return Err(Error::file(base, "holds no runs.csv or claims.json"));
    }
    let mut out = Comparison::default();
    for b in &base_runs {
        let Some(n) = new_runs.iter().find(|n| n.run_id == b.run_id) else {
            out.changes.push(Change {
                key: b.run_id.clone(),
                what: "run".into(),
                base: "present".into(),
                new: "missing".into(),
                ratio: None,
                regression: true,
            });
            continue;
        };
        out.matched_runs += 1;
        for ((tol, bi, bt), (_, ni, nt)) in iters_at(b).into_iter().zip(iters_at(n)) {
            let Some(bi) = bi else { continue };
            let (ratio, regression) = match ni {
                Some(ni) => {
                    let r = ni.max(1) as f64 / bi.max(1) as f64;
                    (Some(r), r > th.iter_ratio)
                }
                None => (None, true),
            };
            out.changes.push(Change {
                key: b.run_id.clone(),
                what: format!("iters to {tol}"),
                base: bi.to_string(),
                new: show(ni),
                ratio,
                regression,
            });
            if let (Some(bt), Some(nt)) = (bt, nt) {
                let r = (nt / n.calib_s) / (bt / b.calib_s);
                let regression = th
                    .time_ratio
                    .is_some_and(|limit| r.is_finite() && r > limit);
                out.changes.push(Change {
                    key: b.run_id.clone(),
                    what: format!("normalized time to {tol}"),
                    base: format!("{:.3e} s", bt),
                    new: format!("{:.3e} s", nt),
                    ratio: Some(r),
                    regression,
                });
            }
        }
        if b.status != n.status {
            let regression = b.status == "converged";
            out.changes.push(Change {
                key: b.run_id.clone(),
                what: "status".into(),
                base: b.status.clone(),
                new: n.status.clone(),
                ratio: None,
                regression,
            });
        }
    }
    for b in &base_claims {
        let Some(n) = new_claims.iter().find(|n| n.id == b.id) else {
            out.changes.push(Change {
                key: b.id.clone(),
                what: "claim".into(),
                base: b.outcome.as_str().into(),
                new: "missing".into(),
                ratio: None,
                regression: true,
            });
            continue;
        };
        out.matched_claims += 1;
        let regression = b.outcome == crate::results::Outcome::Pass
            && n.outcome != crate::results::Outcome::Pass;
        out.changes.push(Change {
            key: b.id.clone(),
            what: "verdict".into(),
            base: b.outcome.as_str().into(),
            new: n.outcome.as_str().into(),
            ratio: None,
            regression,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{write_atomic, RunRecord};

    fn record(id: &str, iters6: Option<u64>) -> RunRecord {
        RunRecord {
            run_id: id.into(),
            group: "g".into(),
            case: "c".into(),
            problem: "lowrank".into(),
            spec: "{}".into(),
            algorithm: "gd".into(),
            seed: 0,
            status: if iters6.is_some() {
                "converged".into()
            } else {
                "max_iter".into()
            },
            iters: 100,
            time_s: 1.0,
            calib_s: 1e-3,
            primary_metric: "rel_err".into(),
            final_value: 1e-7,
            iters_to_1e3: Some(10),
            time_to_1e3: Some(0.1),
            iters_to_1e6: iters6,
            time_to_1e6: iters6.map(|i| i as f64 * 1e-2),
            iters_to_1e10: None,
            time_to_1e10: None,
            message: String::new(),
        }
    }

    fn write(dir: &Path, rows: &[RunRecord]) {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            w.serialize(r).unwrap();
        }
        write_atomic(&dir.join("runs.csv"), &w.into_inner().unwrap()).unwrap();
    }

    #[test]
    fn flags_iteration_increases_and_missing_runs() {
        let t = std::env::temp_dir().join(format!("ratebench-compare-{}", std::process::id()));
        let (b, n) = (t.join("base"), t.join("new"));
        write(
            &b,
            &[
                record("a", Some(50)),
                record("b", Some(50)),
                record("c", Some(50)),
            ],
        );
        write(&n, &[record("a", Some(52)), record("b", Some(53))]);
        let c = compare(&b, &n, Thresholds::default()).unwrap();
        let reg: Vec<_> = c
            .changes
            .iter()
            .filter(|c| c.regression)
            .map(|c| (c.key.as_str(), c.what.as_str()))
            .collect();
        assert_eq!(reg, vec![("b", "iters to 1e-6"), ("c", "run")]);
        write(
            &n,
            &[
                record("a", Some(50)),
                record("b", None),
                record("c", Some(40)),
            ],
        );
        let c = compare(&b, &n, Thresholds::default()).unwrap();
        assert!(c
            .changes
            .iter()
            .any(|c| c.key == "b" && c.what == "iters to 1e-6" && c.regression));
        assert!(c
            .changes
            .iter()
            .any(|c| c.key == "b" && c.what == "status" && c.regression));
        assert!(!c.changes.iter().any(|c| c.key == "c" && c.regression));
        // Times gate only when asked: a's time is 1.0 vs 0.5 at equal calibration.
        write(
            &n,
            &[
                record("a", Some(50)),
                record("b", Some(50)),
                record("c", Some(25)),
            ],
        );
        let c = compare(
            &b,
            &n,
            Thresholds {
                time_ratio: Some(1.5),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(!c.has_regression());
        let c = compare(
            &n,
            &b,
            Thresholds {
                time_ratio: Some(1.5),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(c
            .changes
            .iter()
            .any(|x| x.key == "c" && x.what.starts_with("normalized time") && x.regression));
        std::fs::remove_dir_all(&t).ok();
    }
}
