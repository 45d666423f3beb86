//! Regression detection between two result directories.
//!
//! Iterations and work to a tolerance (`hits.csv`) and verdicts (`claims.json`) are
//! deterministic, so they gate: a run needing more than `iter_ratio` × the baseline's
//! iterations or work to reach a tolerance (or no longer reaching it), a run missing from the
//! new results, a run that stopped converging, a claim going pass → not pass, or a negative
//! control that stopped failing is a regression. Wall times are noisy on shared machines:
//! they are normalized by each process's calibration kernel and gate only when a
//! `time_ratio` is given. Nothing here names a metric: every metric in `hits.csv` is compared.

use crate::results::{read_claims, read_hits, read_runs, HitRecord, Outcome, RunRecord, Verdict};
use ratebench_core::{Error, Result};
use std::collections::HashMap;
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
    /// Normalized-time rows are informational unless a time ratio gates them.
    pub is_time: bool,
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
    /// Iterations- (and work-) to-tolerance ratio above which a run regressed (1.05 = 5 %).
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

fn show<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_string(), |x| x.to_string())
}

fn change(key: &str, what: String, base: String, new: String) -> Change {
    Change {
        key: key.to_string(),
        what,
        base,
        new,
        ratio: None,
        regression: false,
        is_time: false,
    }
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
    let new_hits = index_hits(read_hits(new)?);
    let mut base_hits = index_hits(read_hits(base)?);
    let new_by_id: HashMap<&str, &RunRecord> =
        new_runs.iter().map(|r| (r.run_id.as_str(), r)).collect();
    let mut out = Comparison::default();
    for b in &base_runs {
        let Some(n) = new_by_id.get(b.run_id.as_str()) else {
            let mut c = change(&b.run_id, "run".into(), "present".into(), "missing".into());
            c.regression = true;
            out.changes.push(c);
            continue;
        };
        out.matched_runs += 1;
        let hits = base_hits.remove(b.run_id.as_str()).unwrap_or_default();
        for bh in hits {
            let nh = new_hits
                .get(b.run_id.as_str())
                .and_then(|v| v.iter().find(|h| h.metric == bh.metric && h.tol == bh.tol));
            compare_hit(&mut out, b, n, &bh, nh, th);
        }
        if b.status != n.status {
            let mut c = change(
                &b.run_id,
                "status".into(),
                b.status.clone(),
                n.status.clone(),
            );
            c.regression = b.status == "converged";
            out.changes.push(c);
        }
    }
    for b in &base_claims {
        compare_verdict(&mut out, b, &new_claims);
    }
    Ok(out)
}

fn index_hits(hits: Vec<HitRecord>) -> HashMap<String, Vec<HitRecord>> {
    let mut out: HashMap<String, Vec<HitRecord>> = HashMap::new();
    for h in hits {
        out.entry(h.run_id.clone()).or_default().push(h);
    }
    out
}

/// Iterations, work and normalized time to one tolerance.
fn compare_hit(
    out: &mut Comparison,
    b: &RunRecord,
    n: &RunRecord,
    bh: &HitRecord,
    nh: Option<&HitRecord>,
    th: Thresholds,
) {
    let Some(bi) = bh.iters else { return };
    let tol = format!("{} < {:e}", bh.metric, bh.tol);
    let ni = nh.and_then(|h| h.iters);
    let mut c = change(
        &b.run_id,
        format!("iters to {tol}"),
        bi.to_string(),
        show(ni),
    );
    match ni {
        Some(ni) => {
            let r = ni.max(1) as f64 / bi.max(1) as f64;
            c.ratio = Some(r);
            c.regression = r > th.iter_ratio;
        }
        None => c.regression = true,
    }
    out.changes.push(c);
    if let (Some(bw), Some(nw)) = (bh.work, nh.and_then(|h| h.work)) {
        if bw != bi || nw != ni.unwrap_or(nw) {
            let mut c = change(
                &b.run_id,
                format!("work to {tol}"),
                bw.to_string(),
                nw.to_string(),
            );
            let r = nw.max(1) as f64 / bw.max(1) as f64;
            c.ratio = Some(r);
            c.regression = r > th.iter_ratio;
            out.changes.push(c);
        }
    }
    if let (Some(bt), Some(nt)) = (bh.time_s, nh.and_then(|h| h.time_s)) {
        let r = (nt / n.calib_s) / (bt / b.calib_s);
        let mut c = change(
            &b.run_id,
            format!("normalized time to {tol}"),
            format!("{bt:.3e} s"),
            format!("{nt:.3e} s"),
        );
        c.ratio = Some(r);
        c.is_time = true;
        c.regression = th.time_ratio.is_some_and(|l| r.is_finite() && r > l);
        out.changes.push(c);
    }
}

/// A claim going pass → not pass, or a negative control no longer failing.
fn compare_verdict(out: &mut Comparison, b: &Verdict, new_claims: &[Verdict]) {
    let key = if b.negative_control {
        format!("{} (negative control)", b.id)
    } else {
        b.id.clone()
    };
    let Some(n) = new_claims
        .iter()
        .find(|n| n.id == b.id && n.negative_control == b.negative_control)
    else {
        let mut c = change(
            &key,
            "claim".into(),
            b.outcome.as_str().into(),
            "missing".into(),
        );
        c.regression = true;
        out.changes.push(c);
        return;
    };
    out.matched_claims += 1;
    let mut c = change(
        &key,
        "verdict".into(),
        b.outcome.as_str().into(),
        n.outcome.as_str().into(),
    );
    c.regression = if b.negative_control {
        b.outcome == Outcome::Fail && n.outcome != Outcome::Fail
    } else {
        b.outcome == Outcome::Pass && n.outcome != Outcome::Pass
    };
    out.changes.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{csv_bytes, write_atomic, HITS_HEADER, RUNS_HEADER};

    fn record(id: &str, converged: bool) -> RunRecord {
        RunRecord {
            run_id: id.into(),
            group: "g".into(),
            case: "c".into(),
            family: "f".into(),
            spec: "{}".into(),
            algorithm: "gd".into(),
            seed: 0,
            status: if converged { "converged" } else { "max_iter" }.into(),
            iters: 100,
            work: 100,
            init_s: 0.0,
            time_s: 1.0,
            calib_s: 1e-3,
            primary_metric: "err".into(),
            final_value: 1e-7,
            parallel: false,
            threads: 1,
            message: String::new(),
        }
    }

    fn hit(id: &str, iters: Option<u64>) -> HitRecord {
        HitRecord {
            run_id: id.into(),
            metric: "err".into(),
            tol: 1e-6,
            iters,
            work: iters,
            time_s: iters.map(|i| i as f64 * 1e-2),
        }
    }

    fn write(dir: &Path, rows: &[(&str, Option<u64>)]) {
        let runs: Vec<RunRecord> = rows.iter().map(|(id, i)| record(id, i.is_some())).collect();
        let hits: Vec<HitRecord> = rows.iter().map(|(id, i)| hit(id, *i)).collect();
        write_atomic(
            &dir.join("runs.csv"),
            &csv_bytes(&runs, &RUNS_HEADER).unwrap(),
        )
        .unwrap();
        write_atomic(
            &dir.join("hits.csv"),
            &csv_bytes(&hits, &HITS_HEADER).unwrap(),
        )
        .unwrap();
    }

    fn regressions(c: &Comparison) -> Vec<(String, String)> {
        c.changes
            .iter()
            .filter(|c| c.regression)
            .map(|c| (c.key.clone(), c.what.clone()))
            .collect()
    }

    #[test]
    fn flags_iteration_increases_and_missing_runs() {
        let t = std::env::temp_dir().join(format!("ratebench-compare-{}", std::process::id()));
        let (b, n) = (t.join("base"), t.join("new"));
        write(&b, &[("a", Some(50)), ("b", Some(50)), ("c", Some(50))]);
        write(&n, &[("a", Some(52)), ("b", Some(53))]);
        let c = compare(&b, &n, Thresholds::default()).unwrap();
        assert_eq!(
            regressions(&c),
            vec![
                ("b".to_string(), "iters to err < 1e-6".to_string()),
                ("c".to_string(), "run".to_string())
            ]
        );
        write(&n, &[("a", Some(50)), ("b", None), ("c", Some(40))]);
        let c = compare(&b, &n, Thresholds::default()).unwrap();
        let r = regressions(&c);
        assert!(r.contains(&("b".into(), "iters to err < 1e-6".into())));
        assert!(r.contains(&("b".into(), "status".into())));
        assert!(!r.iter().any(|(k, _)| k == "c"));
        // Times gate only when asked: c's time halves (base) vs doubles (reverse).
        write(&n, &[("a", Some(50)), ("b", Some(50)), ("c", Some(25))]);
        let gate = Thresholds {
            time_ratio: Some(1.5),
            ..Default::default()
        };
        assert!(!compare(&b, &n, gate).unwrap().has_regression());
        let c = compare(&n, &b, gate).unwrap();
        assert!(c
            .changes
            .iter()
            .any(|x| x.key == "c" && x.is_time && x.regression));
        std::fs::remove_dir_all(&t).ok();
    }
}
