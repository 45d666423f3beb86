//! The composite problems `F(w) = f(w) + c‖w‖₁` that ISTA and FISTA run on: the Lasso
//! (plain scaling) and Nesterov's worst-case quadratic (`c = 0`, SR-5/6).

use crate::design::PowerIteration;
use crate::kernels::{l1_norm, sq_norm};
use crate::lasso::Lasso;
use crate::ls::LsWorkspace;
use faer::Par;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::Result;

/// A smooth `f` with an `L`-Lipschitz gradient plus `c‖w‖₁`.
pub trait Composite {
    /// Scratch space for [`Composite::gradient`] (allocated once, in a solver's `init`).
    type Workspace;

    /// Dimension of `w`.
    fn dim(&self) -> usize;

    /// The ℓ₁ weight `c` (0 for a smooth problem).
    fn l1_weight(&self) -> f64;

    /// Allocates the workspace.
    fn workspace(&self) -> Self::Workspace;

    /// `grad ← ∇f(w)`; no allocation.
    fn gradient(&self, w: &[f64], grad: &mut [f64], ws: &mut Self::Workspace, par: Par);

    /// `L`: exact where known, else by power iteration (a Rayleigh quotient, ≤ the true L).
    fn lipschitz(&self, opts: PowerIteration, rng: &mut Rng, par: Par) -> f64;

    /// `F(w)` in the scaling the gradient uses (not timed).
    fn objective(&self, w: &[f64]) -> f64;
}

/// The Lasso runs in the plain scaling `½‖y − Xw‖² + λ‖w‖₁` (same iterates as scikit-learn's
/// scaling); report values through [`Lasso`]'s methods, which apply the convention.
impl Composite for Lasso {
    type Workspace = LsWorkspace;

    fn dim(&self) -> usize {
        self.data().p()
    }

    fn l1_weight(&self) -> f64 {
        self.lambda()
    }

    fn workspace(&self) -> LsWorkspace {
        LsWorkspace::new(self.data().x(), true)
    }

    fn gradient(&self, w: &[f64], grad: &mut [f64], ws: &mut LsWorkspace, par: Par) {
        ws.gradient(self.data().x(), self.data().y(), w, grad, par);
    }

    fn lipschitz(&self, opts: PowerIteration, rng: &mut Rng, par: Par) -> f64 {
        self.data().x().spectral_norm_sq(opts, rng, par).0
    }

    fn objective(&self, w: &[f64]) -> f64 {
        let r = self.residual(w);
        0.5 * sq_norm(&r) + self.lambda() * l1_norm(w)
    }
}

/// Nesterov's worst-case quadratic (Introductory Lectures §2.1.2), optionally with a ridge
/// `(μ/2)‖x‖²` (μ = 0 in SR-5/6; μ > 0 makes it strongly convex, SR-6's negative control):
///
/// `f(x) = (L/8)(x₁² + Σ_{i<d}(x_i − x_{i+1})² + x_d²) − (L/4)x₁ + (μ/2)‖x‖²`.
#[derive(Clone, Debug, PartialEq)]
pub struct NesterovQuadratic {
    d: usize,
    l: f64,
    mu: f64,
    x_star: Vec<f64>,
    f_star: f64,
}

impl NesterovQuadratic {
    /// The catalogue's instance has `L = 4`, `d = 2·10⁴`, `μ = 0`.
    pub fn new(d: usize, l: f64, mu: f64) -> Result<Self> {
        check::in_range("d", d, 1, usize::MAX)?;
        check::positive("L", l)?;
        check::at_least("mu", mu, 0.0)?;
        ratebench_core::memory::check(
            "d",
            "the quadratic's vectors",
            ratebench_core::memory::f64s(4 * d as u64),
        )?;
        let x_star = if mu == 0.0 {
            (1..=d).map(|i| 1.0 - i as f64 / (d as f64 + 1.0)).collect()
        } else {
            solve_tridiagonal(d, l / 4.0 * 2.0 + mu, -l / 4.0, l / 4.0)
        };
        // At the minimizer ∇f = 0, so f⋆ = −(L/8)x⋆₁ (for μ = 0: (L/8)(−1 + 1/(d+1))).
        let f_star = -(l / 8.0) * x_star[0];
        Ok(Self {
            d,
            l,
            mu,
            x_star,
            f_star,
        })
    }

    /// SR-5/6: `L = 4`, `d = 2·10⁴`.
    pub fn catalogue() -> Self {
        Self::new(20_000, 4.0, 0.0).expect("valid constants")
    }

    pub fn d(&self) -> usize {
        self.d
    }

    /// The smoothness constant `L + μ` (exact upper bound on the Hessian's norm).
    pub fn smoothness(&self) -> f64 {
        self.l + self.mu
    }

    pub fn x_star(&self) -> &[f64] {
        &self.x_star
    }

    pub fn f_star(&self) -> f64 {
        self.f_star
    }

    /// `H v` with `H = (L/4)·tridiag(−1, 2, −1) + μI`.
    fn hess_apply(&self, v: &[f64], out: &mut [f64]) {
        let c = self.l / 4.0;
        let d = self.d;
        for i in 0..d {
            let left = if i > 0 { v[i - 1] } else { 0.0 };
            let right = if i + 1 < d { v[i + 1] } else { 0.0 };
            out[i] = c * (2.0 * v[i] - left - right) + self.mu * v[i];
        }
    }

    /// `f(x)`.
    pub fn value(&self, x: &[f64]) -> f64 {
        let mut hx = vec![0.0; self.d];
        self.hess_apply(x, &mut hx);
        0.5 * x.iter().zip(&hx).map(|(a, b)| a * b).sum::<f64>() - self.l / 4.0 * x[0]
    }

    /// `f(x) − f⋆ = ½(x − x⋆)ᵀH(x − x⋆)`, formed from the difference (no cancellation
    /// between two values of f).
    pub fn excess(&self, x: &[f64]) -> f64 {
        let e: Vec<f64> = x.iter().zip(&self.x_star).map(|(a, b)| a - b).collect();
        let mut he = vec![0.0; self.d];
        self.hess_apply(&e, &mut he);
        0.5 * e.iter().zip(&he).map(|(a, b)| a * b).sum::<f64>()
    }
}

/// Solves `tridiag(off, diag, off) x = rhs0·e₁` by the Thomas algorithm.
fn solve_tridiagonal(d: usize, diag: f64, off: f64, rhs0: f64) -> Vec<f64> {
    let mut c = vec![0.0; d];
    let mut r = vec![0.0; d];
    c[0] = off / diag;
    r[0] = rhs0 / diag;
    for i in 1..d {
        let m = diag - off * c[i - 1];
        c[i] = off / m;
        r[i] = (0.0 - off * r[i - 1]) / m;
    }
    let mut x = vec![0.0; d];
    x[d - 1] = r[d - 1];
    for i in (0..d - 1).rev() {
        x[i] = r[i] - c[i] * x[i + 1];
    }
    x
}

impl Composite for NesterovQuadratic {
    type Workspace = ();

    fn dim(&self) -> usize {
        self.d
    }

    fn l1_weight(&self) -> f64 {
        0.0
    }

    fn workspace(&self) {}

    fn gradient(&self, w: &[f64], grad: &mut [f64], _: &mut (), _: Par) {
        self.hess_apply(w, grad);
        grad[0] -= self.l / 4.0;
    }

    fn lipschitz(&self, _: PowerIteration, _: &mut Rng, _: Par) -> f64 {
        self.smoothness()
    }

    fn objective(&self, w: &[f64]) -> f64 {
        self.value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::RegressionSpec;
    use crate::lasso::{Convention, Regularization};
    use ratebench_core::rng::SeedPath;

    #[test]
    fn nesterov_closed_form_minimizer_and_value() {
        for mu in [0.0, 0.01] {
            let q = NesterovQuadratic::new(50, 4.0, mu).unwrap();
            let mut g = vec![0.0; 50];
            q.gradient(q.x_star(), &mut g, &mut (), Par::Seq);
            assert!(g.iter().all(|v| v.abs() < 1e-13), "∇f(x⋆) = 0 (μ = {mu})");
            assert!((q.value(q.x_star()) - q.f_star()).abs() < 1e-14);
            let x: Vec<f64> = (0..50).map(|i| (i as f64 * 0.3).cos()).collect();
            assert!((q.value(&x) - q.f_star() - q.excess(&x)).abs() < 1e-12);
        }
        let q = NesterovQuadratic::catalogue();
        assert!((q.f_star() - 0.5 * (-1.0 + 1.0 / 20_001.0)).abs() < 1e-15);
        assert!((q.x_star()[19_999] - 1.0 / 20_001.0).abs() < 1e-15);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let q = NesterovQuadratic::new(30, 4.0, 0.1).unwrap();
        let data = RegressionSpec::lasso_sr7()
            .generate(&SeedPath::new(3))
            .unwrap();
        let lasso = Lasso::new(
            data,
            Regularization::Fraction { fraction: 0.1 },
            Convention::Plain,
        )
        .unwrap();
        fn check<P: Composite>(p: &P, w: &[f64]) {
            let mut ws = p.workspace();
            let mut g = vec![0.0; p.dim()];
            p.gradient(w, &mut g, &mut ws, Par::Seq);
            let c = p.l1_weight();
            let smooth = |v: &[f64]| p.objective(v) - c * l1_norm(v);
            for j in [0, 1, p.dim() / 2, p.dim() - 1] {
                let h = 1e-5;
                let (mut a, mut b) = (w.to_vec(), w.to_vec());
                a[j] += h;
                b[j] -= h;
                let fd = (smooth(&a) - smooth(&b)) / (2.0 * h);
                assert!(
                    (fd - g[j]).abs() < 1e-6 * (1.0 + g[j].abs()),
                    "j={j}: {fd} vs {}",
                    g[j]
                );
            }
        }
        check(&q, &(0..30).map(|i| i as f64 * 0.1).collect::<Vec<_>>());
        check(
            &lasso,
            &(0..1000)
                .map(|i| ((i % 13) as f64 - 6.0) * 0.01)
                .collect::<Vec<_>>(),
        );
    }
}
