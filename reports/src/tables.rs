//! Table contents shared by the HTML and Markdown pages, and small text helpers.

use crate::data::{median_of, CaseRuns};
use ratebench_harness::results::{HitRecord, Manifest, Measurement, Outcome, RunRecord};
use std::collections::HashMap;

/// Human description of a metric for axis labels: its catalogue entry in the manifest (the
/// families declare their metrics there; the report names none), else the raw name.
pub(crate) fn metric_description(family: &str, name: &str, manifest: Option<&Manifest>) -> String {
    match manifest.and_then(|m| m.metric(family, name)) {
        Some(info) if info.unit.is_empty() || info.unit == "1" => info.formula.clone(),
        Some(info) => format!("{} [{}]", info.formula, info.unit),
        None => name.to_string(),
    }
}

/// A number with about four significant digits, scientific outside [1e-3, 1e5).
pub(crate) fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A tolerance as written in result files (`1e-3`).
pub(crate) fn fmt_tol(t: f64) -> String {
    format!("{t:.0e}")
}

/// How an outcome reads in tables.
pub(crate) fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Error => "ERROR",
        Outcome::Exploratory => "exploratory (no pass/fail)",
    }
}

/// The outcome as it appears in a figure title.
pub(crate) fn outcome_title(o: Outcome) -> String {
    o.as_str().to_uppercase()
}

/// File-name-safe version of `s`: ASCII alphanumerics, `.`, `_` and `-`, others collapsed to `-`.
pub(crate) fn slug(s: &str, lowercase: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(if lowercase { c.to_ascii_lowercase() } else { c });
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if out.is_empty() {
        "x".into()
    } else {
        out
    }
}

/// One cell row of a measurement table.
pub(crate) struct MeasurementRow {
    pub name: String,
    pub value: String,
    pub ci: String,
    pub criterion: String,
    pub ok: &'static str,
    pub reference: String,
}

pub(crate) fn measurement_row(m: &Measurement) -> MeasurementRow {
    MeasurementRow {
        name: m.name.clone(),
        value: fmt_num(m.value),
        ci: m
            .ci
            .map(|(a, b)| format!("[{}, {}]", fmt_num(a), fmt_num(b)))
            .unwrap_or_else(|| "—".into()),
        criterion: if m.criterion.is_empty() {
            "—".into()
        } else {
            m.criterion.clone()
        },
        ok: match m.ok {
            Some(true) => "✓ yes",
            Some(false) => "✗ no",
            None => "reported",
        },
        reference: m.reference.map(fmt_num).unwrap_or_else(|| "—".into()),
    }
}

/// `ok/total` over the measurements that have a criterion.
pub(crate) fn measurements_ok(ms: &[Measurement]) -> String {
    let judged: Vec<bool> = ms.iter().filter_map(|m| m.ok).collect();
    if judged.is_empty() {
        return "—".into();
    }
    format!("{}/{}", judged.iter().filter(|&&b| b).count(), judged.len())
}

/// A time-to-tolerance table: one primary metric, its tolerances, one row per (case,
/// algorithm).
pub(crate) struct TolTable {
    pub metric: String,
    pub tolerances: Vec<f64>,
    /// Whether a work column is shown (some run counts work in other units than iterations).
    pub with_work: bool,
    pub rows: Vec<TolRow>,
}

impl TolTable {
    /// Header cells (shared so both pages agree).
    pub fn header(&self) -> Vec<String> {
        let mut h = vec!["case".to_string(), "algorithm".into(), "seeds".into()];
        for &t in &self.tolerances {
            let t = fmt_tol(t);
            h.push(format!("reached {t}"));
            h.push(format!("iters to {t}"));
            if self.with_work {
                h.push(format!("work to {t}"));
            }
            h.push(format!("ms to {t}"));
        }
        h.push("status".into());
        h
    }

    /// Which columns are numeric.
    pub fn numeric(&self) -> Vec<bool> {
        let n = self.header().len();
        (0..n).map(|i| i >= 2 && i < n - 1).collect()
    }
}

/// One (case, algorithm) row of a time-to-tolerance table, already formatted.
pub(crate) struct TolRow {
    pub cells: Vec<String>,
}

/// Stop reasons in the order a reader scans for them, then any unknown ones alphabetically.
const STATUS_ORDER: [&str; 7] = [
    "converged",
    "max_iter",
    "time_budget",
    "stalled",
    "diverged",
    "breakdown",
    "error",
];

fn status_counts(runs: &[&RunRecord]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in runs {
        match counts.iter_mut().find(|c| c.0 == r.status) {
            Some(c) => c.1 += 1,
            None => counts.push((r.status.clone(), 1)),
        }
    }
    let rank = |s: &str| {
        STATUS_ORDER
            .iter()
            .position(|o| *o == s)
            .unwrap_or(STATUS_ORDER.len())
    };
    counts.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The time-to-tolerance tables of a suite's cases, one per primary metric. Medians are over
/// the seeds that reached the tolerance (the "reached" column says how many); a median over
/// all seeds would be undefined as soon as one seed misses.
pub(crate) fn tol_tables(
    cases: &[CaseRuns<'_>],
    hits: &HashMap<String, Vec<HitRecord>>,
    with_work: bool,
) -> Vec<TolTable> {
    let mut tables: Vec<TolTable> = Vec::new();
    for c in cases {
        for (alg, runs) in &c.algorithms {
            let metric = runs[0].primary_metric.clone();
            let of_run = |r: &RunRecord| -> Vec<&HitRecord> {
                hits.get(&r.run_id)
                    .map(|v| v.iter().filter(|h| h.metric == r.primary_metric).collect())
                    .unwrap_or_default()
            };
            let mut tols: Vec<f64> = runs.iter().flat_map(|r| of_run(r)).map(|h| h.tol).collect();
            tols.sort_by(|a, b| b.total_cmp(a));
            tols.dedup();
            let table = match tables
                .iter_mut()
                .position(|t| t.metric == metric && t.tolerances == tols)
            {
                Some(i) => &mut tables[i],
                None => {
                    tables.push(TolTable {
                        metric: metric.clone(),
                        tolerances: tols.clone(),
                        with_work,
                        rows: Vec::new(),
                    });
                    tables.last_mut().expect("just pushed")
                }
            };
            let mut cells = vec![c.case.clone(), alg.clone(), runs.len().to_string()];
            for &tol in &tols {
                let at: Vec<&HitRecord> = runs
                    .iter()
                    .flat_map(|r| of_run(r))
                    .filter(|h| h.tol == tol && h.iters.is_some())
                    .collect();
                let med = |v: Vec<f64>| median_of(&v).map(fmt_num).unwrap_or_else(|| "—".into());
                cells.push(format!("{}/{}", at.len(), runs.len()));
                cells.push(med(at
                    .iter()
                    .filter_map(|h| h.iters)
                    .map(|i| i as f64)
                    .collect()));
                if with_work {
                    cells.push(med(at
                        .iter()
                        .filter_map(|h| h.work)
                        .map(|w| w as f64)
                        .collect()));
                }
                cells.push(med(at
                    .iter()
                    .filter_map(|h| h.time_s)
                    .filter(|t| t.is_finite())
                    .map(|t| t * 1e3)
                    .collect()));
            }
            cells.push(status_counts(runs));
            table.rows.push(TolRow { cells });
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(0.123456), "0.1235");
        assert_eq!(fmt_num(120.0), "120");
        assert_eq!(fmt_num(1234.6), "1235");
        assert_eq!(fmt_num(1e-7), "1.000e-7");
        assert_eq!(fmt_num(f64::INFINITY), "∞");
    }

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(slug("k=6, kappa=10", true), "k-6-kappa-10");
        assert_eq!(slug("LR-1", false), "LR-1");
        assert_eq!(slug("///", true), "x");
    }

    #[test]
    fn metric_lookup_falls_back_to_the_name() {
        assert_eq!(metric_description("f", "foo", None), "foo");
    }
}
