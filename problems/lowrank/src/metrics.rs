//! Exact metrics on factor iterates, evaluated outside the timed region.

use crate::{Factors, LowRankProblem};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};
use ratebench_core::{Error, MetricSet, Result};

/// A metric of a factorization iterate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LowRankMetric {
    /// `abs_err = ‖P − M⋆‖_F` where `P = XXᵀ` or `FGᵀ`.
    AbsErr,
    /// `rel_err = ‖P − M⋆‖_F / ‖M⋆‖_F`.
    RelErr,
    /// `err_plus = ‖P − M₊‖_F` (indefinite targets).
    ErrPlus,
    /// `schur_norm = ‖S‖₂`, the Schur complement of `VᵀXXᵀV` to the principal eigenspace.
    SchurNorm,
    /// `imbalance = ‖FᵀF − GᵀG‖_F` (0 for symmetric factors).
    Imbalance,
    /// `dist_rank{s} = ‖P − M_s‖_F`, distance to the best rank-`s` matrix (1 ≤ s ≤ 8).
    DistRank(usize),
    /// `lambda{s}`: the `s`-th largest eigenvalue of `XXᵀ` (1 ≤ s ≤ 8).
    Lambda(usize),
}

const DIST_NAMES: [&str; 8] = [
    "dist_rank1",
    "dist_rank2",
    "dist_rank3",
    "dist_rank4",
    "dist_rank5",
    "dist_rank6",
    "dist_rank7",
    "dist_rank8",
];
const LAMBDA_NAMES: [&str; 8] = [
    "lambda1", "lambda2", "lambda3", "lambda4", "lambda5", "lambda6", "lambda7", "lambda8",
];

impl LowRankMetric {
    /// The metric's column name in traces.
    pub fn name(&self) -> &'static str {
        match *self {
            LowRankMetric::AbsErr => "abs_err",
            LowRankMetric::RelErr => "rel_err",
            LowRankMetric::ErrPlus => "err_plus",
            LowRankMetric::SchurNorm => "schur_norm",
            LowRankMetric::Imbalance => "imbalance",
            LowRankMetric::DistRank(s) => DIST_NAMES[s - 1],
            LowRankMetric::Lambda(s) => LAMBDA_NAMES[s - 1],
        }
    }
}

/// Evaluates a list of [`LowRankMetric`]s with preallocated buffers.
pub struct MetricEvaluator {
    metrics: Vec<LowRankMetric>,
    target: Mat<f64>,
    target_norm: f64,
    positive: Option<Mat<f64>>,
    rank_s: Vec<(usize, Mat<f64>)>,
    basis: Option<(Mat<f64>, usize)>,
    product: Mat<f64>,
}

impl MetricEvaluator {
    /// Prepares the references each metric needs (`M₊`, `M_s`, `V`) once.
    pub fn new(problem: &LowRankProblem, metrics: &[LowRankMetric]) -> Result<Self> {
        let (n1, n2) = problem.shape();
        let mut rank_s = Vec::new();
        for m in metrics {
            match *m {
                LowRankMetric::DistRank(s) | LowRankMetric::Lambda(s) if !(1..=8).contains(&s) => {
                    return Err(Error::invalid(
                        "metric",
                        format!("{m:?}: s must be between 1 and 8"),
                    ));
                }
                LowRankMetric::DistRank(s) => rank_s.push((s, problem.best_rank(s))),
                _ => {}
            }
        }
        let needs_eig = metrics
            .iter()
            .any(|m| matches!(m, LowRankMetric::SchurNorm | LowRankMetric::ErrPlus));
        if needs_eig && !problem.is_symmetric() {
            return Err(Error::invalid(
                "metric",
                "err_plus and schur_norm need a symmetric generated target",
            ));
        }
        let positive = metrics
            .contains(&LowRankMetric::ErrPlus)
            .then(|| problem.positive_part());
        let basis = metrics
            .contains(&LowRankMetric::SchurNorm)
            .then(|| (problem.left.clone(), problem.positive_rank()));
        Ok(Self {
            metrics: metrics.to_vec(),
            target: problem.target().to_owned(),
            target_norm: problem.target_norm(),
            positive,
            rank_s,
            basis,
            product: Mat::zeros(n1, n2),
        })
    }

    /// Metric names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.metrics.iter().map(|m| m.name()).collect()
    }

    /// Fills `out` with one value per metric.
    pub fn eval(&mut self, it: &Factors, out: &mut [f64]) {
        it.product_into(self.product.as_mut());
        for (slot, metric) in out.iter_mut().zip(&self.metrics) {
            *slot = match *metric {
                LowRankMetric::AbsErr => (&self.product - &self.target).norm_l2(),
                LowRankMetric::RelErr => {
                    (&self.product - &self.target).norm_l2() / self.target_norm
                }
                LowRankMetric::ErrPlus => {
                    (&self.product - self.positive.as_ref().expect("prepared")).norm_l2()
                }
                LowRankMetric::DistRank(s) => {
                    let ms = &self
                        .rank_s
                        .iter()
                        .find(|(t, _)| *t == s)
                        .expect("prepared")
                        .1;
                    (&self.product - ms).norm_l2()
                }
                LowRankMetric::Imbalance => match it {
                    Factors::Sym(_) => 0.0,
                    Factors::Asym { f, g } => (f.transpose() * f - g.transpose() * g).norm_l2(),
                },
                LowRankMetric::Lambda(s) => match it {
                    Factors::Sym(x) => top_eigenvalue(&(x.transpose() * x), s),
                    Factors::Asym { .. } => f64::NAN,
                },
                LowRankMetric::SchurNorm => match it {
                    Factors::Sym(x) => {
                        let (v, r_plus) = self.basis.as_ref().expect("prepared");
                        schur_norm(v, *r_plus, x)
                    }
                    Factors::Asym { .. } => f64::NAN,
                },
            };
        }
    }

    /// Wraps the evaluator as a [`MetricSet`] for the executor.
    pub fn into_metric_set<'a>(mut self) -> MetricSet<'a, Factors> {
        let names = self.names();
        MetricSet::new(names, move |it: &Factors, out: &mut [f64]| {
            self.eval(it, out)
        })
    }
}

/// The `s`-th largest eigenvalue of a symmetric matrix (0 beyond its size).
fn top_eigenvalue(sym: &Mat<f64>, s: usize) -> f64 {
    if s > sym.nrows() {
        return 0.0;
    }
    match sym.self_adjoint_eigenvalues(Side::Lower) {
        Ok(mut eig) => {
            eig.sort_by(|a, b| b.total_cmp(a));
            eig[s - 1]
        }
        Err(_) => f64::NAN,
    }
}

/// `‖S‖₂` with `Y = VᵀX = [X₁; X₂]` (`X₁` the first `r₊` rows) and
/// `S = X₂X₂ᵀ − X₂X₁ᵀ(X₁X₁ᵀ)⁻¹X₁X₂ᵀ` (Mohammadi et al.; valid while `X₁` has full row rank).
pub fn schur_norm(v: &Mat<f64>, r_plus: usize, x: &Mat<f64>) -> f64 {
    let n = v.nrows();
    let mut y = Mat::<f64>::zeros(n, x.ncols());
    matmul(y.as_mut(), Accum::Replace, v.transpose(), x, 1.0, Par::Seq);
    let x1 = y.as_ref().get(..r_plus, ..);
    let x2 = y.as_ref().get(r_plus.., ..);
    let p11 = x1 * x1.transpose();
    let cross = x1 * x2.transpose(); // X₁X₂ᵀ, r₊ × (n − r₊)
    let solved = match p11.llt(Side::Lower) {
        Ok(llt) => faer::linalg::solvers::Solve::solve(&llt, &cross),
        Err(_) => return f64::NAN,
    };
    let s = x2 * x2.transpose() - cross.transpose() * &solved;
    let s = faer::Scale(0.5) * (&s + s.transpose());
    match s.self_adjoint_eigenvalues(Side::Lower) {
        Ok(eig) => eig.iter().fold(0.0f64, |m, v| m.max(v.abs())),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InitScaling, InitSpec, LowRankSpec};
    use ratebench_core::rng::SeedPath;

    #[test]
    fn metrics_at_the_truth_and_at_a_known_point() {
        let spec = LowRankSpec {
            n: 10,
            spectrum: Some(vec![1.0, 0.5]),
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut SeedPath::new(0).stream("data")).unwrap();
        let v = &p.left;
        // X = V₁ diag(√λ): XXᵀ = M⋆ exactly (up to rounding).
        let x = Mat::<f64>::from_fn(10, 2, |i, j| v[(i, j)] * p.values[j].sqrt());
        let metrics = [
            LowRankMetric::AbsErr,
            LowRankMetric::RelErr,
            LowRankMetric::SchurNorm,
            LowRankMetric::DistRank(1),
            LowRankMetric::Lambda(2),
            LowRankMetric::Imbalance,
        ];
        let mut ev = MetricEvaluator::new(&p, &metrics).unwrap();
        let mut out = vec![0.0; metrics.len()];
        ev.eval(&Factors::Sym(x.clone()), &mut out);
        assert!(out[0] < 1e-14 && out[1] < 1e-14, "{out:?}");
        assert!(
            out[2] < 1e-14,
            "Schur complement of an exact factor: {}",
            out[2]
        );
        assert!((out[3] - 0.5).abs() < 1e-14);
        assert!((out[4] - 0.5).abs() < 1e-14);
        assert_eq!(out[5], 0.0);
        // Add a component along v₃ with weight c: S = c², error = c².
        let c = 0.1;
        let mut x3 = Mat::<f64>::zeros(10, 3);
        x3.as_mut().get_mut(.., ..2).copy_from(&x);
        for i in 0..10 {
            x3[(i, 2)] = c * v[(i, 2)];
        }
        ev.eval(&Factors::Sym(x3), &mut out);
        assert!(
            (out[0] - c * c).abs() < 1e-14 && (out[2] - c * c).abs() < 1e-14,
            "{out:?}"
        );
    }

    #[test]
    fn asymmetric_imbalance() {
        let spec = LowRankSpec {
            n: 6,
            r: 2,
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut SeedPath::new(0).stream("data")).unwrap();
        let it = InitSpec::asymmetric(1.0, 1.0 / 3.0)
            .draw((6, 6), 3, &mut SeedPath::new(0).stream("init"))
            .unwrap();
        let Factors::Asym { f, g } = &it else {
            panic!()
        };
        let want = (f.transpose() * f - g.transpose() * g).norm_l2();
        let mut ev = MetricEvaluator::new(&p, &[LowRankMetric::Imbalance]).unwrap();
        let mut out = [0.0];
        ev.eval(&it, &mut out);
        assert_eq!(out[0], want);
        let _ = InitScaling::SqrtN;
    }
}
