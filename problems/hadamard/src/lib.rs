//! # ratebench-hadamard
//!
//! Hadamard decomposition instances (CLAIMS.md §3): approximate a matrix `X ∈ ℝ^{m×n}` by
//! `X̃ = (W₁H₁)∘(W₂H₂)∘…∘(W_KH_K)` with `K ≥ 2` factors of rank `r`.
//!
//! * [`HadamardProblem`]: the matrix `X`, `‖X‖_F`, a label, the ground-truth factors of a
//!   generated instance, and (computed once, on first use) its thin SVD for the equal-budget
//!   TSVD baseline ([`HadamardProblem::tsvd_error`], [`HadamardProblem::tsvd_reconstruction`]).
//! * Generators ([`HadamardSpec`], [`Generator`]): products of U\[0,1\] factors (HD-1), iid
//!   U\[0,1\] matrices (HD-2(b)), products of Gaussian factors (the signed caveat). See
//!   [`HadamardProblem::generate`] for the draw order.
//! * Loaders (the caller resolves data directories): any 2-D float64 `.npy`, an `.npz`
//!   (array `X`, or its only 2-D array; factors `W1, H1, …` become the ground truth), a CSV
//!   with a header such as `digits.csv` (a `label` column is dropped). [`HadamardProblem::load`]
//!   dispatches on the extension; [`HadamardProblem::export_npz`] writes the NumPy layout back.
//! * [`HadamardFactors`]: the iterate shared by every solver (`W_k` is `m × r`, `H_k` is kept
//!   transposed as `H_kᵀ`, `n × r`, so both blocks are column-major "tall" matrices), with
//!   [`HadamardFactors::product_into`] writing `X̃` into a preallocated matrix.
//! * Metrics ([`MetricEvaluator`], [`HadamardMetric`]): `rel_err = ‖X − X̃‖_F/‖X‖_F` and
//!   `abs_err = ‖X − X̃‖_F`, both formed from the explicit difference; [`param_count`]
//!   `= K·r(m+n)`, [`rank_bound`] `= r^K`; the equal-budget TSVD of rank `q = K·r`.
//!
//! Every user-controlled input is validated with a one-line error naming the parameter and
//! the fix ([`check_fit`], [`HadamardSpec::validate`], the loaders).
//!
//! ```
//! use ratebench_core::rng::SeedPath;
//! use ratebench_hadamard::{HadamardProblem, HadamardSpec, MetricEvaluator, HadamardMetric};
//! // HD-1's instance: X = (A1B1)∘(A2B2), m = n = 100, r = 5, U[0,1] factors.
//! let spec = HadamardSpec::default();
//! let p = HadamardProblem::generate(&spec, &mut SeedPath::new(0).stream("data")).unwrap();
//! assert_eq!(p.shape(), (100, 100));
//! // The ground truth reproduces X (up to rounding) …
//! let truth = p.truth().unwrap();
//! let mut eval = MetricEvaluator::new(&p, &[HadamardMetric::RelErr]);
//! let mut out = [0.0];
//! eval.eval(truth, &mut out);
//! assert!(out[0] < 1e-15);
//! // … while the TSVD of the same budget (rank 2r = 10) cannot: X has rank up to r² = 25.
//! assert!(p.tsvd_error(10).unwrap() > 1e-3);
//! ```

mod factors;
mod generate;
mod load;
mod metrics;
mod spectral;

pub use factors::HadamardFactors;
pub use generate::{Generator, HadamardSpec};
pub use metrics::{param_count, rank_bound, HadamardMetric, MetricEvaluator};
pub use spectral::{thin_svd, ThinSvd};

use faer::{Mat, MatRef};
use ratebench_core::{Error, Result};
use std::sync::OnceLock;

/// The largest number of factors `K` accepted (solver names are static strings up to it, and
/// `r^K` stays far inside `u64` for any `r ≤ min(m, n)` that fits in memory).
pub const MAX_FACTORS: usize = 8;

/// An instance of the Hadamard decomposition problem.
#[derive(Clone, Debug)]
pub struct HadamardProblem {
    x: Mat<f64>,
    x_norm: f64,
    label: String,
    truth: Option<HadamardFactors>,
    /// The thin SVD of `X`, computed on first use (TSVD baseline), or the failure message.
    svd: OnceLock<std::result::Result<ThinSvd, String>>,
}

impl HadamardProblem {
    /// Wraps a matrix, checking that it is non-empty, finite and not all zeros (the relative
    /// error divides by `‖X‖_F`). Errors name the parameter `X`.
    pub fn from_matrix(x: Mat<f64>, label: impl Into<String>) -> Result<Self> {
        Self::with_truth(x, label.into(), None)
    }

    pub(crate) fn with_truth(
        x: Mat<f64>,
        label: String,
        truth: Option<HadamardFactors>,
    ) -> Result<Self> {
        check_data(x.as_ref())?;
        let x_norm = x.norm_l2();
        Ok(Self {
            x,
            x_norm,
            label,
            truth,
            svd: OnceLock::new(),
        })
    }

    /// The data matrix `X`.
    pub fn x(&self) -> MatRef<'_, f64> {
        self.x.as_ref()
    }

    /// `(m, n)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.x.nrows(), self.x.ncols())
    }

    /// `‖X‖_F` (> 0).
    pub fn x_norm(&self) -> f64 {
        self.x_norm
    }

    /// A short description such as `uniform_product,m=100,n=100,rank=5,factors=2` or
    /// `npy:china_gray.npy`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The factors `X` was generated from (`None` for data and for iid U\[0,1\] matrices).
    pub fn truth(&self) -> Option<&HadamardFactors> {
        self.truth.as_ref()
    }

    /// Checks a fit of `k` factors of rank `r` against this instance (see [`check_fit`]).
    pub fn check_fit(&self, k: usize, r: usize) -> Result<()> {
        let (m, n) = self.shape();
        check_fit(m, n, k, r)
    }
}

/// Checks the model size of a fit: `2 ≤ k ≤ MAX_FACTORS` and `1 ≤ r ≤ min(m, n)`.
pub fn check_fit(m: usize, n: usize, k: usize, r: usize) -> Result<()> {
    if k < 2 {
        return Err(Error::invalid(
            "factors",
            format!("a Hadamard decomposition needs K >= 2 factors, got K = {k}; use K = 2 for (W1H1)∘(W2H2) (K = 1 is a plain low-rank fit)"),
        ));
    }
    if k > MAX_FACTORS {
        return Err(Error::invalid(
            "factors",
            format!("K = {k} exceeds the supported maximum {MAX_FACTORS}; use fewer factors"),
        ));
    }
    if r == 0 {
        return Err(Error::invalid(
            "r",
            "the factor rank must be at least 1, got r = 0; choose 1 <= r <= min(m, n)",
        ));
    }
    if r > m.min(n) {
        return Err(Error::invalid(
            "r",
            format!(
                "rank r = {r} exceeds min(m, n) = {} for a {m} × {n} matrix; choose r <= {}",
                m.min(n),
                m.min(n)
            ),
        ));
    }
    Ok(())
}

/// Non-empty, finite, not all zeros.
fn check_data(x: MatRef<'_, f64>) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::invalid(
            "X",
            format!(
                "the matrix is {} × {}; it needs at least one row and one column",
                x.nrows(),
                x.ncols()
            ),
        ));
    }
    for j in 0..x.ncols() {
        for i in 0..x.nrows() {
            let v = x[(i, j)];
            if !v.is_finite() {
                return Err(Error::invalid(
                    "X",
                    format!("entry ({i}, {j}) is {v}; the data must be finite (no NaN/Inf): clean or impute it first"),
                ));
            }
        }
    }
    if x.norm_max() == 0.0 {
        return Err(Error::invalid(
            "X",
            "the matrix is all zeros, so the relative error ‖X − X̃‖/‖X‖ is undefined; use a nonzero matrix",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(e: Error) -> String {
        let s = e.to_string();
        assert!(!s.contains('\n'), "multi-line message: {s}");
        s
    }

    #[test]
    fn fit_checks_name_the_parameter_and_the_fix() {
        let e = msg(check_fit(10, 8, 2, 0).unwrap_err());
        assert!(e.starts_with("invalid r:") && e.contains("r = 0"), "{e}");
        let e = msg(check_fit(10, 8, 2, 9).unwrap_err());
        assert!(
            e.starts_with("invalid r:") && e.contains("choose r <= 8"),
            "{e}"
        );
        let e = msg(check_fit(10, 8, 1, 3).unwrap_err());
        assert!(
            e.starts_with("invalid factors:") && e.contains("K >= 2"),
            "{e}"
        );
        let e = msg(check_fit(10, 8, 9, 1).unwrap_err());
        assert!(e.starts_with("invalid factors:"), "{e}");
        assert!(check_fit(10, 8, 2, 8).is_ok() && check_fit(10, 8, 8, 1).is_ok());
    }

    #[test]
    fn data_must_be_finite_nonzero_and_nonempty() {
        let mut x = Mat::<f64>::from_fn(4, 3, |i, j| (i + j) as f64);
        assert!(HadamardProblem::from_matrix(x.clone(), "ok").is_ok());
        x[(2, 1)] = f64::NAN;
        let e = msg(HadamardProblem::from_matrix(x.clone(), "t").unwrap_err());
        assert!(
            e.starts_with("invalid X:") && e.contains("(2, 1)") && e.contains("NaN"),
            "{e}"
        );
        x[(2, 1)] = f64::INFINITY;
        let e = msg(HadamardProblem::from_matrix(x, "t").unwrap_err());
        assert!(e.contains("inf"), "{e}");
        let e = msg(HadamardProblem::from_matrix(Mat::zeros(3, 3), "t").unwrap_err());
        assert!(
            e.starts_with("invalid X:") && e.contains("all zeros"),
            "{e}"
        );
        let e = msg(HadamardProblem::from_matrix(Mat::zeros(0, 3), "t").unwrap_err());
        assert!(e.contains("0 × 3"), "{e}");
    }

    #[test]
    fn problem_checks_fit_against_its_shape() {
        let p = HadamardProblem::from_matrix(Mat::from_fn(6, 4, |i, j| (i * j + 1) as f64), "t")
            .unwrap();
        assert!((p.x_norm() - p.x().norm_l2()).abs() == 0.0);
        assert!(p.check_fit(2, 4).is_ok());
        assert!(p.check_fit(2, 5).is_err());
    }
}
