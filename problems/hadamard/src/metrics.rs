//! Exact metrics, evaluated outside the timed region.

use crate::{HadamardFactors, HadamardProblem};
use faer::reborrow::ReborrowMut;
use faer::{Mat, MatRef, Par};

/// A metric of a Hadamard iterate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HadamardMetric {
    /// `rel_err = ‖X − X̃‖_F / ‖X‖_F` (the catalogue's error).
    RelErr,
    /// `abs_err = ‖X − X̃‖_F`.
    AbsErr,
}

impl HadamardMetric {
    /// Every metric, in catalogue order.
    pub const ALL: [HadamardMetric; 2] = [HadamardMetric::RelErr, HadamardMetric::AbsErr];

    /// The trace column name.
    pub fn name(&self) -> &'static str {
        match self {
            HadamardMetric::RelErr => "rel_err",
            HadamardMetric::AbsErr => "abs_err",
        }
    }

    /// Formula, for the family's metric catalogue (both are dimensionless/in data units,
    /// lower is better).
    pub fn description(&self) -> &'static str {
        match self {
            HadamardMetric::RelErr => {
                "‖X − (W1H1)∘…∘(WKHK)‖_F / ‖X‖_F, from the explicit difference"
            }
            HadamardMetric::AbsErr => "‖X − (W1H1)∘…∘(WKHK)‖_F, from the explicit difference",
        }
    }
}

/// Evaluates [`HadamardMetric`]s with preallocated `m × n` buffers (the difference
/// `X − X̃` is formed explicitly, never through `‖X‖² − 2⟨X, X̃⟩ + ‖X̃‖²`).
pub struct MetricEvaluator<'a> {
    metrics: Vec<HadamardMetric>,
    x: MatRef<'a, f64>,
    x_norm: f64,
    product: Mat<f64>,
    scratch: Mat<f64>,
}

impl<'a> MetricEvaluator<'a> {
    /// Prepares buffers for `problem`.
    pub fn new(problem: &'a HadamardProblem, metrics: &[HadamardMetric]) -> Self {
        let (m, n) = problem.shape();
        Self {
            metrics: metrics.to_vec(),
            x: problem.x(),
            x_norm: problem.x_norm(),
            product: Mat::zeros(m, n),
            scratch: Mat::zeros(m, n),
        }
    }

    /// Metric names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.metrics.iter().map(|m| m.name()).collect()
    }

    /// `‖X − X̃‖_F` for `it`.
    pub fn abs_err(&mut self, it: &HadamardFactors) -> f64 {
        it.product_into(self.product.as_mut(), self.scratch.as_mut(), Par::Seq);
        let mut d = self.product.as_mut();
        for j in 0..d.ncols() {
            let x = self.x.col(j);
            let mut c = d.rb_mut().col_mut(j);
            for i in 0..c.nrows() {
                c[i] = x[i] - c[i];
            }
        }
        // faer's norm rescales, so the sum of squares neither overflows nor underflows.
        self.product.norm_l2()
    }

    /// Fills `out` with one value per metric.
    pub fn eval(&mut self, it: &HadamardFactors, out: &mut [f64]) {
        let abs = self.abs_err(it);
        for (slot, m) in out.iter_mut().zip(&self.metrics) {
            *slot = match m {
                HadamardMetric::RelErr => abs / self.x_norm,
                HadamardMetric::AbsErr => abs,
            };
        }
    }

    /// As a [`ratebench_core::MetricSet`] for the executor.
    pub fn into_metric_set(mut self) -> ratebench_core::MetricSet<'a, HadamardFactors> {
        let names = self.names();
        ratebench_core::MetricSet::new(names, move |it: &HadamardFactors, out: &mut [f64]| {
            self.eval(it, out)
        })
    }
}

impl HadamardProblem {
    /// `‖X − X̃‖_F / ‖X‖_F` for one iterate (allocates two `m × n` buffers).
    pub fn relative_error(&self, it: &HadamardFactors) -> f64 {
        MetricEvaluator::new(self, &[]).abs_err(it) / self.x_norm()
    }
}

/// Parameters of `K` factors of rank `r` for an `m × n` matrix: `K·r·(m + n)` (the budget of
/// a TSVD of rank `K·r`).
pub fn param_count(k: usize, r: usize, m: usize, n: usize) -> u64 {
    (k as u64) * (r as u64) * ((m + n) as u64)
}

/// The generic rank of a product of `K` rank-`r` factors, `r^K` (saturating; the rank of an
/// `m × n` matrix is of course also at most `min(m, n)`).
pub fn rank_bound(r: usize, k: usize) -> u64 {
    (r as u64).saturating_pow(k as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HadamardSpec;
    use ratebench_core::rng::SeedPath;

    #[test]
    fn errors_are_exact_at_the_truth_and_match_a_direct_computation() {
        let p = HadamardProblem::generate(
            &HadamardSpec::default(),
            &mut SeedPath::new(1).stream("data"),
        )
        .unwrap();
        let truth = p.truth().unwrap();
        let mut ev = MetricEvaluator::new(&p, &HadamardMetric::ALL);
        assert_eq!(ev.names(), vec!["rel_err", "abs_err"]);
        let mut out = [1.0; 2];
        ev.eval(truth, &mut out);
        assert_eq!(out, [0.0, 0.0]); // X was formed from the truth by the same products
                                     // Perturb one factor entry: compare with the naive double loop.
        let mut it = truth.clone();
        it.parts_mut().0[1][(3, 2)] += 0.25;
        ev.eval(&it, &mut out);
        let prod = it.product();
        let naive = (0..100)
            .flat_map(|j| (0..100).map(move |i| (i, j)))
            .map(|ij| (p.x()[ij] - prod[ij]).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!((out[1] - naive).abs() < 1e-12 * naive && naive > 0.0);
        assert!((out[0] - naive / p.x_norm()).abs() < 1e-15);
        assert!((p.relative_error(&it) - out[0]).abs() == 0.0);
    }

    #[test]
    fn tiny_errors_are_not_lost_to_cancellation() {
        // A 1e-12 relative change of one factor entry: the expanded square
        // ‖X‖² − 2⟨X, X̃⟩ + ‖X̃‖² would bury it under round-off of order √ε ≈ 1e-8.
        let p = HadamardProblem::generate(
            &HadamardSpec::default(),
            &mut SeedPath::new(2).stream("data"),
        )
        .unwrap();
        let mut it = p.truth().unwrap().clone();
        let w0 = it.w(0)[(0, 0)];
        it.parts_mut().0[0][(0, 0)] = w0 * (1.0 + 1e-12);
        let e = p.relative_error(&it);
        assert!(e > 0.0 && e < 1e-11, "{e}");
    }

    #[test]
    fn budget_formulas() {
        assert_eq!(param_count(2, 5, 100, 100), 2000);
        assert_eq!(rank_bound(5, 2), 25);
        assert_eq!(rank_bound(3, 4), 81);
        assert_eq!(rank_bound(1 << 20, 8), u64::MAX);
    }
}
