//! The Lasso in its two conventions, `λ_max`, the dual point and the duality gap.
//!
//! * [`Convention::Plain`]: `P(w) = ½‖y − Xw‖² + λ‖w‖₁` (CLAIMS.md §5).
//! * [`Convention::Sklearn`]: `P(w) = (1/2n)‖y − Xw‖² + α‖w‖₁` (scikit-learn's `Lasso`).
//!
//! Both have the same minimizers when `λ = n·α`, and every value of one is `n` times the
//! value of the other. Internally everything is computed in the plain convention with
//! `λ = n·α`; values are reported in the convention the instance names. A scikit-learn user
//! reproduces an instance with `Lasso(alpha = λ / n, fit_intercept = False)`, i.e. passes
//! [`Lasso::alpha`]; scikit-learn's stopping rule `gap < tol·‖y‖²` is on the plain-convention
//! gap (its Cython code works with `α·n`).
//!
//! `λ ≥ λ_max = ‖Xᵀy‖∞` is accepted: `w = 0` is then the exact solution (gap 0 at `w = 0`),
//! which is not an error for the Lasso; [`Lasso::note`] says so and results should carry it.

use crate::data::RegressionData;
use crate::kernels::{l1_norm, max_abs, sq_norm};
use faer::Par;
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which scaling of the Lasso objective an instance (and every value it reports) uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// `½‖y − Xw‖² + λ‖w‖₁`.
    Plain,
    /// `(1/2n)‖y − Xw‖² + α‖w‖₁`, `α = λ/n`.
    Sklearn,
}

impl Convention {
    /// `"plain"` or `"sklearn"` (the name written into result files).
    pub fn as_str(&self) -> &'static str {
        match self {
            Convention::Plain => "plain",
            Convention::Sklearn => "sklearn",
        }
    }
}

/// How the regularization is given.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Regularization {
    /// `λ` of the plain convention.
    Lambda { lambda: f64 },
    /// `α` of scikit-learn's convention (`λ = n·α`).
    Alpha { alpha: f64 },
    /// A fraction of `λ_max` (the same in both conventions).
    Fraction { fraction: f64 },
}

/// The duality certificate at a point `w` (values in the instance's convention).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GapReport {
    /// `P(w)`.
    pub primal: f64,
    /// `D(ν)` at the rescaled residual `ν = sR`.
    pub dual: f64,
    /// The catalogued formula `½‖R‖²(1 + s²) + λ‖w‖₁ − s⟨R, y⟩` (scikit-learn's).
    pub gap: f64,
    /// `P(w) − D(ν)`, from independently computed `P` and `D`.
    pub primal_minus_dual: f64,
    /// The dual scaling `s = min(1, λ/‖XᵀR‖∞)`.
    pub s: f64,
}

/// A Lasso instance: data, `λ` (plain convention) and the reporting convention.
#[derive(Clone, Debug)]
pub struct Lasso {
    data: RegressionData,
    lambda: f64,
    lambda_max: f64,
    convention: Convention,
}

/// `‖Xᵀy‖∞`, the smallest `λ` (plain convention) at which `w = 0` is optimal.
pub fn lambda_max(data: &RegressionData) -> f64 {
    let mut xty = vec![0.0; data.p()];
    data.x().rmatvec(data.y(), &mut xty, Par::Seq);
    max_abs(&xty)
}

impl Lasso {
    /// Builds an instance. `λ ≤ 0` (or α, fraction ≤ 0) is an error; `λ ≥ λ_max` is
    /// accepted with a [`Lasso::note`].
    pub fn new(data: RegressionData, reg: Regularization, convention: Convention) -> Result<Self> {
        let n = data.n() as f64;
        let lambda_max = lambda_max(&data);
        let (param, value, lambda) = match reg {
            Regularization::Lambda { lambda } => ("lambda", lambda, lambda),
            Regularization::Alpha { alpha } => ("alpha", alpha, alpha * n),
            Regularization::Fraction { fraction } => ("fraction", fraction, fraction * lambda_max),
        };
        if !(value.is_finite() && value > 0.0) {
            return Err(Error::invalid(
                param,
                format!("must be a finite number > 0, got {value} (0 is least squares, not a Lasso); e.g. choose fraction = 0.05 of λ_max = {lambda_max:.6e} (α_max = {:.6e})", lambda_max / n),
            ));
        }
        if lambda <= 0.0 {
            return Err(Error::invalid(
                param,
                format!("gives λ = {lambda} because λ_max = ‖Xᵀy‖∞ = {lambda_max}; X or y is zero, so every w minimizes nothing but λ‖w‖₁ — use a nonzero y"),
            ));
        }
        Ok(Self {
            data,
            lambda,
            lambda_max,
            convention,
        })
    }

    /// The data.
    pub fn data(&self) -> &RegressionData {
        &self.data
    }

    /// `λ` of the plain convention (`n·α`).
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// `α = λ/n`: what a scikit-learn user passes to `Lasso(alpha=…, fit_intercept=False)`.
    pub fn alpha(&self) -> f64 {
        self.lambda / self.data.n() as f64
    }

    /// `λ_max = ‖Xᵀy‖∞` (plain convention; `α_max = λ_max/n`).
    pub fn lambda_max(&self) -> f64 {
        self.lambda_max
    }

    /// The regularization in the instance's convention (`λ` or `α`).
    pub fn reg_in_convention(&self) -> f64 {
        self.lambda * self.scale()
    }

    /// The reporting convention.
    pub fn convention(&self) -> Convention {
        self.convention
    }

    /// Factor from plain-convention values to the instance's convention (1 or 1/n).
    pub fn scale(&self) -> f64 {
        match self.convention {
            Convention::Plain => 1.0,
            Convention::Sklearn => 1.0 / self.data.n() as f64,
        }
    }

    /// True when `λ ≥ λ_max`, where `w = 0` is the exact solution.
    pub fn is_trivial(&self) -> bool {
        self.lambda >= self.lambda_max
    }

    /// A one-line note for results when the instance is trivial.
    pub fn note(&self) -> Option<String> {
        self.is_trivial().then(|| {
            format!(
                "λ = {:.6e} ≥ λ_max = {:.6e}: w = 0 is the exact solution (duality gap 0), not an error",
                self.lambda, self.lambda_max
            )
        })
    }

    /// `R = y − Xw`.
    pub fn residual(&self, w: &[f64]) -> Vec<f64> {
        let mut r = vec![0.0; self.data.n()];
        self.data.x().matvec(w, &mut r, Par::Seq);
        r.iter_mut()
            .zip(self.data.y())
            .for_each(|(ri, yi)| *ri = yi - *ri);
        r
    }

    /// `P(w)` in the instance's convention.
    pub fn primal(&self, w: &[f64]) -> f64 {
        let r = self.residual(w);
        (0.5 * sq_norm(&r) + self.lambda * l1_norm(w)) * self.scale()
    }

    /// The dual point `ν = sR`, `s = min(1, λ/‖XᵀR‖∞)` (feasible: `‖Xᵀν‖∞ ≤ λ`).
    pub fn dual_point(&self, w: &[f64]) -> Vec<f64> {
        let r = self.residual(w);
        let s = self.dual_scaling(&r);
        r.iter().map(|v| s * v).collect()
    }

    /// `D(ν) = ⟨ν, y⟩ − ½‖ν‖²` in the instance's convention.
    pub fn dual(&self, nu: &[f64]) -> f64 {
        let inner: f64 = nu.iter().zip(self.data.y()).map(|(a, b)| a * b).sum();
        (inner - 0.5 * sq_norm(nu)) * self.scale()
    }

    fn dual_scaling(&self, r: &[f64]) -> f64 {
        let mut xtr = vec![0.0; self.data.p()];
        self.data.x().rmatvec(r, &mut xtr, Par::Seq);
        let m = max_abs(&xtr);
        if m > self.lambda {
            self.lambda / m
        } else {
            1.0
        }
    }

    /// The duality gap exactly as catalogued (scikit-learn's `enet_coordinate_descent`),
    /// beside `P(w) − D(ν)` computed from separately evaluated `P` and `D`.
    pub fn gap(&self, w: &[f64]) -> GapReport {
        let r = self.residual(w);
        let s = self.dual_scaling(&r);
        let (rr, l1) = (sq_norm(&r), l1_norm(w));
        let ry: f64 = r.iter().zip(self.data.y()).map(|(a, b)| a * b).sum();
        let gap = 0.5 * rr * (1.0 + s * s) + self.lambda * l1 - s * ry;
        let primal = 0.5 * rr + self.lambda * l1;
        let nu: Vec<f64> = r.iter().map(|v| s * v).collect();
        let dual = nu
            .iter()
            .zip(self.data.y())
            .map(|(a, b)| a * b)
            .sum::<f64>()
            - 0.5 * sq_norm(&nu);
        let c = self.scale();
        GapReport {
            primal: primal * c,
            dual: dual * c,
            gap: gap * c,
            primal_minus_dual: (primal - dual) * c,
            s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::RegressionSpec;
    use ratebench_core::rng::SeedPath;

    fn instance(conv: Convention, frac: f64) -> Lasso {
        let data = RegressionSpec::lasso_sr7()
            .generate(&SeedPath::new(1))
            .unwrap();
        Lasso::new(data, Regularization::Fraction { fraction: frac }, conv).unwrap()
    }

    #[test]
    fn gap_formula_equals_primal_minus_dual_and_is_nonnegative() {
        let l = instance(Convention::Plain, 0.1);
        let p = l.data().p();
        for t in 0..5 {
            let w: Vec<f64> = (0..p)
                .map(|j| {
                    if j % (7 + t) == 0 {
                        (j as f64).sin()
                    } else {
                        0.0
                    }
                })
                .collect();
            let g = l.gap(&w);
            assert!(g.gap >= 0.0);
            assert!(
                (g.gap - g.primal_minus_dual).abs() <= 1e-10 * g.primal,
                "{g:?}"
            );
            assert!((g.primal - l.primal(&w)).abs() <= 1e-12 * g.primal);
            assert!((g.dual - l.dual(&l.dual_point(&w))).abs() <= 1e-12 * g.primal.abs());
            // ν is dual feasible.
            let nu = l.dual_point(&w);
            let mut xtn = vec![0.0; p];
            l.data().x().rmatvec(&nu, &mut xtn, Par::Seq);
            assert!(max_abs(&xtn) <= l.lambda() * (1.0 + 1e-12));
        }
    }

    #[test]
    fn conventions_differ_by_n_and_alpha_is_lambda_over_n() {
        let a = instance(Convention::Plain, 0.05);
        let b = instance(Convention::Sklearn, 0.05);
        let n = a.data().n() as f64;
        assert_eq!(a.lambda(), b.lambda());
        assert!((b.alpha() * n - b.lambda()).abs() < 1e-12 * b.lambda());
        let w = vec![0.1; a.data().p()];
        assert!((a.primal(&w) - n * b.primal(&w)).abs() < 1e-12 * a.primal(&w));
        assert!((a.gap(&w).gap - n * b.gap(&w).gap).abs() < 1e-10 * a.primal(&w));
        let data = a.data().clone();
        let c = Lasso::new(
            data,
            Regularization::Alpha { alpha: b.alpha() },
            Convention::Sklearn,
        )
        .unwrap();
        assert!((c.lambda() - b.lambda()).abs() < 1e-12 * b.lambda());
    }

    #[test]
    fn lambda_at_or_above_max_has_zero_as_exact_solution() {
        let l = instance(Convention::Sklearn, 1.0);
        assert!(l.is_trivial() && l.note().unwrap().contains("w = 0 is the exact solution"));
        let g = l.gap(&vec![0.0; l.data().p()]);
        assert!(g.gap.abs() < 1e-12 * l.primal(&vec![0.0; l.data().p()]));
        assert!(instance(Convention::Plain, 0.5).note().is_none());
    }

    #[test]
    fn nonpositive_regularization_is_refused() {
        let data = RegressionSpec::lasso_sr7()
            .generate(&SeedPath::new(1))
            .unwrap();
        for reg in [
            Regularization::Lambda { lambda: 0.0 },
            Regularization::Alpha { alpha: -1.0 },
            Regularization::Fraction { fraction: f64::NAN },
        ] {
            let e = Lasso::new(data.clone(), reg, Convention::Plain)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("invalid ") && e.contains("> 0") && !e.contains('\n'),
                "{e}"
            );
        }
    }
}
