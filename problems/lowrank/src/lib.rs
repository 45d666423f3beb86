//! # ratebench-lowrank
//!
//! Low-rank matrix factorization (the sensing operator `A = I`): seeded generators of the
//! target `M⋆` exactly as in CLAIMS.md §1, loading a real matrix from `.npy`, the factor
//! parameterizations `XXᵀ` and `FGᵀ` with their α-scaled initializations, and exact metrics
//! (absolute/relative error, error to `M₊`, Schur complement norm, distance to `M_s`,
//! imbalance, eigenvalues of `XXᵀ`).
//!
//! ```
//! use ratebench_core::rng::SeedPath;
//! use ratebench_lowrank::{LowRankSpec, LowRankProblem};
//! let spec = LowRankSpec { n: 20, r: 3, kappa: 100.0, ..LowRankSpec::default() };
//! let problem = LowRankProblem::generate(&spec, &mut SeedPath::new(0).stream("data")).unwrap();
//! let s = problem.spectrum();
//! assert!((s[0] / s[2] - 100.0).abs() < 1e-12); // σ = linspace(1, 1/κ, r)
//! ```

mod factors;
mod generate;
mod load;
mod loss;
mod metrics;
mod residual;

pub use factors::{Factors, InitScaling, InitSpec};
pub use generate::{Basis, LowRankSpec};
pub use loss::{FactoredLoss, MeasurementLoss, ResidualWeight};
pub use metrics::{LowRankMetric, MetricEvaluator};
pub use residual::ResidualScratch;

use faer::Mat;

/// A factorization target `M⋆` with its known (or computed) decomposition
/// `M⋆ = L · diag(values) · Rᵀ`.
///
/// For generated instances `L = R = V` is a full `n × n` orthogonal matrix and `values` the
/// signed spectrum padded with zeros; for loaded data it is the thin SVD.
#[derive(Clone, Debug)]
pub struct LowRankProblem {
    target: Mat<f64>,
    left: Mat<f64>,
    right: Mat<f64>,
    values: Vec<f64>,
    symmetric: bool,
    target_norm: f64,
    target_sq_norm: f64,
    label: String,
}

impl LowRankProblem {
    /// `M⋆` itself.
    pub fn target(&self) -> faer::MatRef<'_, f64> {
        self.target.as_ref()
    }

    /// Number of rows and columns of `M⋆`.
    pub fn shape(&self) -> (usize, usize) {
        (self.target.nrows(), self.target.ncols())
    }

    /// True when `M⋆` is symmetric with a known eigendecomposition (generated instances).
    pub fn is_symmetric(&self) -> bool {
        self.symmetric
    }

    /// The nonzero signed spectrum (eigenvalues for generated instances, singular values for
    /// loaded data), in the order the generator placed them.
    pub fn spectrum(&self) -> Vec<f64> {
        self.values.iter().copied().filter(|v| *v != 0.0).collect()
    }

    /// Number of positive eigenvalues `r₊`.
    pub fn positive_rank(&self) -> usize {
        self.values.iter().filter(|v| **v > 0.0).count()
    }

    /// `‖M⋆‖_F`.
    pub fn target_norm(&self) -> f64 {
        self.target_norm
    }

    /// A short human-readable description (used in result files).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// `L · diag(w) · Rᵀ` for weights `w` derived from the stored values.
    fn reconstruct(&self, weights: impl Fn(usize, f64) -> f64) -> Mat<f64> {
        let (n1, n2) = self.shape();
        let mut out = Mat::<f64>::zeros(n1, n2);
        for (idx, &v) in self.values.iter().enumerate() {
            let w = weights(idx, v);
            if w == 0.0 {
                continue;
            }
            let l = self.left.col(idx);
            let r = self.right.col(idx);
            for j in 0..n2 {
                let rj = w * r[j];
                for i in 0..n1 {
                    out[(i, j)] += l[i] * rj;
                }
            }
        }
        out
    }

    /// Best rank-`s` approximation `M_s` (the `s` values of largest magnitude).
    pub fn best_rank(&self, s: usize) -> Mat<f64> {
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_by(|&a, &b| self.values[b].abs().total_cmp(&self.values[a].abs()));
        let keep: Vec<usize> = order.into_iter().take(s).collect();
        self.reconstruct(|idx, v| if keep.contains(&idx) { v } else { 0.0 })
    }

    /// The positive part `M₊ = V₁Λ₁V₁ᵀ`.
    pub fn positive_part(&self) -> Mat<f64> {
        self.reconstruct(|_, v| v.max(0.0))
    }

    /// Norm of the spectrum beyond the `s` largest magnitudes: `‖(σ_{s+1}, …)‖₂`.
    pub fn tail_norm(&self, s: usize) -> f64 {
        let mut mags: Vec<f64> = self.values.iter().map(|v| v.abs()).collect();
        mags.sort_by(|a, b| b.total_cmp(a));
        mags.iter().skip(s).map(|v| v * v).sum::<f64>().sqrt()
    }
}
