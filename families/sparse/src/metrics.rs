//! The sparse family's metric catalogue (written into `manifest.json`; reports and
//! `compare` read it instead of naming metrics), the solvers' per-step extras, and the
//! evaluators that compute the metrics of an iterate outside the timed region.

use ratebench_core::MetricSet;
use ratebench_harness::case::HitSpec;
use ratebench_harness::results::MetricInfo;
use ratebench_sparse::{
    sq_error, support_recovery, Lasso, NesterovQuadratic, PenalizedLs, RegressionData,
};

/// Duality-gap tolerances whose hitting iterations, work and times every Lasso run records
/// (the issue's time-to-gap table: 1e-6 and 1e-10, in the instance's convention).
pub const GAP_TOLERANCES: [f64; 2] = [1e-6, 1e-10];

/// Relative objective-gap tolerances recorded where a reference optimum is known.
pub const REL_TOLERANCES: [f64; 3] = [1e-4, 1e-6, 1e-10];

/// A coordinate counts as selected when `|w_j| > SUPPORT_THRESHOLD · max|w⋆|` (the Lasso's
/// and ISTA's exact zeros, and implicit GD's off-support entries of size ≈ α², are below it).
pub const SUPPORT_THRESHOLD: f64 = 1e-6;

/// Most signal coordinates SR-1 follows one by one (`rel_dev_0` …).
pub const MAX_COORDS: usize = 8;
const DEV_NAMES: [&str; MAX_COORDS] = [
    "rel_dev_0",
    "rel_dev_1",
    "rel_dev_2",
    "rel_dev_3",
    "rel_dev_4",
    "rel_dev_5",
    "rel_dev_6",
    "rel_dev_7",
];

/// A metric a sparse run may record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Lasso duality gap, the catalogued (scikit-learn) formula, instance convention.
    Gap,
    /// Lasso primal objective `P(w)`, instance convention.
    Primal,
    /// `P(w) − D(ν)` from separately evaluated `P` and `D`.
    PrimalMinusDual,
    /// `(F(w) − F⋆)/|F⋆|` against a reference optimum (Lasso: CD to a tight gap).
    RelObjGap,
    /// SCAD/MCP objective `(1/2N)‖y − Xβ‖² + Σp_λ(β_j)`.
    Objective,
    /// Nesterov quadratic `f(x) − f⋆`, formed from `x − x⋆`.
    Excess,
    /// `‖w − w⋆‖²`.
    EstErr,
    /// `‖w − w⋆‖² / ‖ŵ_oracle − w⋆‖²` (least squares on the true support).
    OracleRatio,
    /// `max_{j ∉ S}|w_j|`.
    MaxOffSupport,
    /// `#{j : w_j ≠ 0}`.
    Nnz,
    /// Selected true coordinates / selected coordinates.
    Precision,
    /// Selected true coordinates / true coordinates.
    Recall,
    /// Signal coordinates that have not yet been within half of their value (stateful;
    /// needs sampling every iteration).
    Unfit,
    /// `|w_i − w⋆_i| / |w⋆_i|` for the `i`-th signal coordinate.
    CoordDev(usize),
}

impl Metric {
    /// The name in traces.
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Gap => "gap",
            Metric::Primal => "primal",
            Metric::PrimalMinusDual => "primal_minus_dual",
            Metric::RelObjGap => "rel_obj_gap",
            Metric::Objective => "objective",
            Metric::Excess => "excess",
            Metric::EstErr => "est_err",
            Metric::OracleRatio => "oracle_ratio",
            Metric::MaxOffSupport => "max_off_support",
            Metric::Nnz => "nnz",
            Metric::Precision => "support_precision",
            Metric::Recall => "support_recall",
            Metric::Unfit => "unfit",
            Metric::CoordDev(i) => DEV_NAMES[(*i).min(MAX_COORDS - 1)],
        }
    }

    /// Needs a known `w⋆`.
    pub fn needs_truth(&self) -> bool {
        matches!(
            self,
            Metric::EstErr
                | Metric::OracleRatio
                | Metric::MaxOffSupport
                | Metric::Precision
                | Metric::Recall
                | Metric::Unfit
                | Metric::CoordDev(_)
        )
    }
}

fn info(name: &str, formula: &str, unit: &str, lower: bool, tolerances: &[f64]) -> MetricInfo {
    MetricInfo {
        name: name.to_string(),
        formula: formula.to_string(),
        unit: unit.to_string(),
        lower_is_better: lower,
        tolerances: tolerances.to_vec(),
    }
}

/// Every metric and extra a sparse run may record.
pub fn catalogue() -> Vec<MetricInfo> {
    let mut v = vec![
        info(
            "gap",
            "Lasso duality gap (scikit-learn formula), instance convention",
            "objective units",
            true,
            &GAP_TOLERANCES,
        ),
        info(
            "primal",
            "Lasso primal P(w), ½‖y − Xw‖² + λ‖w‖₁ (plain) or /n (sklearn)",
            "objective units",
            true,
            &[],
        ),
        info(
            "primal_minus_dual",
            "P(w) − D(ν), ν = sR, D(ν) = ⟨ν, y⟩ − ½‖ν‖², from separately evaluated P and D",
            "objective units",
            true,
            &[],
        ),
        info(
            "rel_obj_gap",
            "relative objective gap (F − F⋆)/|F⋆| to a tight reference F⋆",
            "1",
            true,
            &REL_TOLERANCES,
        ),
        info(
            "objective",
            "SCAD/MCP objective (1/2N)‖y − Xβ‖² + Σp_λ(β_j)",
            "objective units",
            true,
            &[],
        ),
        info(
            "excess",
            "f(x) − f⋆ of Nesterov's worst-case quadratic, ½(x − x⋆)ᵀH(x − x⋆)",
            "objective units",
            true,
            &[],
        ),
        info(
            "est_err",
            "estimation error ‖w − w⋆‖² (squared Euclidean)",
            "coefficient units²",
            true,
            &[],
        ),
        info(
            "oracle_ratio",
            "‖w − w⋆‖² divided by the error of least squares on the true support (the oracle)",
            "1",
            true,
            &[],
        ),
        info(
            "max_off_support",
            "largest off-support entry max_{j ∉ supp(w⋆)} |w_j|",
            "coefficient units",
            true,
            &[],
        ),
        info(
            "nnz",
            "nonzero coefficients #{j : w_j ≠ 0}",
            "1",
            false,
            &[],
        ),
        info(
            "support_precision",
            "support recovery precision TP/(TP + FP), selected = |w_j| > 1e-6·max|w⋆|",
            "1",
            false,
            &[],
        ),
        info(
            "support_recall",
            "support recovery recall TP/(TP + FN), selected = |w_j| > 1e-6·max|w⋆|",
            "1",
            false,
            &[],
        ),
        info(
            "unfit",
            "signal coordinates i not yet fitted: never |w_i − w⋆_i| < |w⋆_i|/2 so far (SR-1)",
            "1",
            true,
            &[],
        ),
    ];
    for (i, name) in DEV_NAMES.iter().enumerate() {
        v.push(info(
            name,
            &format!("|w_i − w⋆_i|/|w⋆_i| for the signal coordinate number {i} (SR-1)"),
            "1",
            true,
            &[],
        ));
    }
    let extras: [(&str, &str); 10] = [
        ("step", "ISTA/FISTA step 1/L"),
        (
            "momentum",
            "FISTA momentum (t_k − 1)/t_{k+1} of the last step",
        ),
        (
            "restart",
            "1 when FISTA's adaptive restart reset the momentum in the last step",
        ),
        ("active", "CD: unscreened coordinates (gap-safe screening)"),
        ("working_set", "CD: columns the next epoch sweeps"),
        (
            "gap_internal",
            "CD: its last gap of the restricted problem (instance convention)",
        ),
        ("alpha_k", "Ghadimi–Lan α_k of the last iteration"),
        ("beta_k", "Ghadimi–Lan β_k of the last iteration"),
        ("lambda_k", "Ghadimi–Lan λ_k of the last iteration"),
        ("eta_max", "implicit GD: largest per-coordinate step"),
    ];
    for (name, formula) in extras {
        v.push(info(name, formula, "1", false, &[]));
    }
    v
}

/// Hit specs for the recorded metrics that have tolerances.
pub fn hit_specs(names: &[&str]) -> Vec<HitSpec> {
    let cat = catalogue();
    names
        .iter()
        .filter_map(|n| cat.iter().find(|m| m.name == *n))
        .filter(|m| !m.tolerances.is_empty())
        .map(|m| HitSpec {
            metric: m.name.clone(),
            tolerances: m.tolerances.clone(),
        })
        .collect()
}

/// What the truth-based metrics need: `w⋆`, its support, the oracle error.
#[derive(Clone, Debug)]
pub(crate) struct TruthRef {
    truth: Vec<f64>,
    support: Vec<usize>,
    oracle: f64,
    threshold: f64,
}

impl TruthRef {
    /// From data with a known truth (`None` otherwise). The oracle error is NaN when the
    /// support columns are dependent (the ratio is then undefined, not an error).
    pub(crate) fn of(data: &RegressionData, with_oracle: bool) -> Option<Self> {
        let truth = data.truth()?.to_vec();
        let support = data.support();
        let oracle = if with_oracle {
            ratebench_sparse::oracle_error(data).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        let scale = truth.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        Some(Self {
            truth,
            support,
            oracle,
            threshold: SUPPORT_THRESHOLD * scale,
        })
    }
}

/// The truth-based metric values of `w` (NaN without a truth).
struct TruthEval {
    truth: Option<TruthRef>,
    /// `unfit` state: which signal coordinates have been fitted.
    fitted: Vec<bool>,
}

impl TruthEval {
    fn new(truth: Option<TruthRef>) -> Self {
        let k = truth.as_ref().map_or(0, |t| t.support.len());
        Self {
            truth,
            fitted: vec![false; k],
        }
    }

    fn value(&mut self, m: Metric, w: &[f64]) -> f64 {
        if m == Metric::Nnz {
            return w.iter().filter(|v| **v != 0.0).count() as f64;
        }
        let Some(t) = &self.truth else {
            return f64::NAN;
        };
        match m {
            Metric::EstErr => sq_error(w, &t.truth),
            Metric::OracleRatio => sq_error(w, &t.truth) / t.oracle,
            Metric::MaxOffSupport => support_recovery(w, &t.truth, t.threshold).max_off_support,
            Metric::Precision => support_recovery(w, &t.truth, t.threshold).precision,
            Metric::Recall => support_recovery(w, &t.truth, t.threshold).recall,
            Metric::CoordDev(i) => match t.support.get(i) {
                Some(&j) => (w[j] - t.truth[j]).abs() / t.truth[j].abs(),
                None => f64::NAN,
            },
            Metric::Unfit => {
                for (k, &j) in t.support.iter().enumerate() {
                    if (w[j] - t.truth[j]).abs() < t.truth[j].abs() / 2.0 {
                        self.fitted[k] = true;
                    }
                }
                self.fitted.iter().filter(|f| !**f).count() as f64
            }
            _ => f64::NAN,
        }
    }
}

fn names(metrics: &[Metric]) -> Vec<&'static str> {
    metrics.iter().map(|m| m.name()).collect()
}

/// Lasso metrics (`f_star`: the reference optimum in the instance's convention).
pub(crate) fn lasso_set(
    lasso: std::sync::Arc<Lasso>,
    metrics: &[Metric],
    f_star: Option<f64>,
    truth: Option<TruthRef>,
) -> MetricSet<'static, Vec<f64>> {
    let ms = metrics.to_vec();
    let mut te = TruthEval::new(truth);
    MetricSet::new(names(metrics), move |w: &Vec<f64>, out: &mut [f64]| {
        let g = lasso.gap(w);
        for (o, m) in out.iter_mut().zip(&ms) {
            *o = match m {
                Metric::Gap => g.gap,
                Metric::Primal => g.primal,
                Metric::PrimalMinusDual => g.primal_minus_dual,
                Metric::RelObjGap => f_star.map_or(f64::NAN, |f| (g.primal - f) / f.abs()),
                other => te.value(*other, w),
            };
        }
    })
}

/// SCAD/MCP metrics (`f_ref`: a reference objective value, for `rel_obj_gap`).
pub(crate) fn penalized_set(
    problem: std::sync::Arc<PenalizedLs>,
    metrics: &[Metric],
    f_ref: Option<f64>,
    truth: Option<TruthRef>,
) -> MetricSet<'static, Vec<f64>> {
    let ms = metrics.to_vec();
    let mut te = TruthEval::new(truth);
    MetricSet::new(names(metrics), move |w: &Vec<f64>, out: &mut [f64]| {
        let need_obj = ms
            .iter()
            .any(|m| matches!(m, Metric::Objective | Metric::RelObjGap));
        let obj = if need_obj {
            problem.objective(w)
        } else {
            f64::NAN
        };
        for (o, m) in out.iter_mut().zip(&ms) {
            *o = match m {
                Metric::Objective => obj,
                Metric::RelObjGap => f_ref.map_or(f64::NAN, |f| (obj - f) / f.abs()),
                other => te.value(*other, w),
            };
        }
    })
}

/// Nesterov-quadratic metrics.
pub(crate) fn quadratic_set(
    q: std::sync::Arc<NesterovQuadratic>,
    metrics: &[Metric],
) -> MetricSet<'static, Vec<f64>> {
    let ms = metrics.to_vec();
    MetricSet::new(names(metrics), move |x: &Vec<f64>, out: &mut [f64]| {
        for (o, m) in out.iter_mut().zip(&ms) {
            *o = match m {
                Metric::Excess => q.excess(x),
                Metric::Nnz => x.iter().filter(|v| **v != 0.0).count() as f64,
                _ => f64::NAN,
            };
        }
    })
}

/// Metrics of the implicit-regularization and DGD runs (truth-based).
pub(crate) fn regression_set(
    metrics: &[Metric],
    truth: Option<TruthRef>,
) -> MetricSet<'static, Vec<f64>> {
    let ms = metrics.to_vec();
    let mut te = TruthEval::new(truth);
    MetricSet::new(names(metrics), move |w: &Vec<f64>, out: &mut [f64]| {
        for (o, m) in out.iter_mut().zip(&ms) {
            *o = te.value(*m, w);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_has_the_issue_tolerances_and_every_name_is_catalogued() {
        let h = hit_specs(&["gap", "primal", "est_err"]);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].tolerances, vec![1e-6, 1e-10]);
        let cat: Vec<String> = catalogue().into_iter().map(|m| m.name).collect();
        let all = [
            Metric::Gap,
            Metric::Primal,
            Metric::PrimalMinusDual,
            Metric::RelObjGap,
            Metric::Objective,
            Metric::Excess,
            Metric::EstErr,
            Metric::OracleRatio,
            Metric::MaxOffSupport,
            Metric::Nnz,
            Metric::Precision,
            Metric::Recall,
            Metric::Unfit,
            Metric::CoordDev(3),
        ];
        for m in all {
            assert!(
                cat.iter().any(|n| n == m.name()),
                "{} not catalogued",
                m.name()
            );
        }
        let mut seen = cat.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), cat.len(), "duplicate catalogue names");
    }
}
