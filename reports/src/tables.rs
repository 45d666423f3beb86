//! Table contents shared by the HTML and Markdown pages, and small text helpers.

use crate::data::{median_of, CaseRuns};
use ratebench_harness::results::{Measurement, Outcome, RunRecord, STANDARD_TOLERANCES};

/// Human description of a metric for axis labels; the raw name when unknown.
pub(crate) fn metric_description(name: &str) -> String {
    let known = match name {
        "rel_err" => "relative error ‖XXᵀ−M⋆‖_F / ‖M⋆‖_F",
        "abs_err" => "absolute error ‖XXᵀ−M⋆‖_F",
        "err_plus" => "error to the PSD part ‖XXᵀ−M₊‖_F",
        "schur_norm" => "Schur complement norm ‖S‖₂",
        "imbalance" => "imbalance ‖FᵀF−GᵀG‖_F",
        "objective" => "objective f(x)",
        "subopt" => "suboptimality f(x) − f⋆",
        "marginal_err" => "marginal error of the plan",
        "duality_gap" => "duality gap",
        "grad_norm" => "gradient norm ‖∇f(x)‖",
        _ => {
            if let Some(s) = name.strip_prefix("dist_rank") {
                return format!("distance to best rank-{s} ‖XXᵀ−M_{s}‖_F");
            }
            return name.to_string();
        }
    };
    known.to_string()
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

/// Header of a time-to-tolerance table (shared so both pages agree).
pub(crate) fn tol_header() -> Vec<String> {
    let mut h = vec!["case".to_string(), "algorithm".into(), "seeds".into()];
    for t in STANDARD_TOLERANCES {
        let t = fmt_tol(t);
        h.push(format!("reached {t}"));
        h.push(format!("iters to {t}"));
        h.push(format!("ms to {t}"));
    }
    h.push("status".into());
    h
}

/// One (case, algorithm) row of a time-to-tolerance table, already formatted.
pub(crate) struct TolRow {
    pub cells: Vec<String>,
}

fn hits(r: &RunRecord) -> [(Option<u64>, Option<f64>); 3] {
    [
        (r.iters_to_1e3, r.time_to_1e3),
        (r.iters_to_1e6, r.time_to_1e6),
        (r.iters_to_1e10, r.time_to_1e10),
    ]
}

/// Stop reasons in the order a reader scans for them, then any unknown ones alphabetically.
const STATUS_ORDER: [&str; 6] = [
    "converged",
    "max_iter",
    "time_budget",
    "stalled",
    "diverged",
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

/// Medians are over the seeds that reached the tolerance (the "reached" column says how
/// many); a median over all seeds would be undefined as soon as one seed misses.
pub(crate) fn tol_rows(cases: &[CaseRuns<'_>]) -> Vec<TolRow> {
    let mut out = Vec::new();
    for c in cases {
        for (alg, runs) in &c.algorithms {
            let mut cells = vec![c.case.clone(), alg.clone(), runs.len().to_string()];
            for k in 0..STANDARD_TOLERANCES.len() {
                let its: Vec<f64> = runs
                    .iter()
                    .filter_map(|r| hits(r)[k].0)
                    .map(|i| i as f64)
                    .collect();
                let ms: Vec<f64> = runs
                    .iter()
                    .filter_map(|r| hits(r)[k].1)
                    .filter(|t| t.is_finite())
                    .map(|t| t * 1e3)
                    .collect();
                cells.push(format!("{}/{}", its.len(), runs.len()));
                cells.push(median_of(&its).map(fmt_num).unwrap_or_else(|| "—".into()));
                cells.push(median_of(&ms).map(fmt_num).unwrap_or_else(|| "—".into()));
            }
            cells.push(status_counts(runs));
            out.push(TolRow { cells });
        }
    }
    out
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
        assert!(metric_description("rel_err").starts_with("relative error"));
        assert_eq!(
            metric_description("dist_rank2"),
            "distance to best rank-2 ‖XXᵀ−M_2‖_F"
        );
        assert_eq!(metric_description("foo"), "foo");
    }
}
