//! The loss interface factored methods run on.
//!
//! A factored method only needs `∇f` and the residual norm; the problem supplies both.
//! Factorization (`A = I`) is one implementation; sensing supplies another, so the
//! algorithms are written once.

use crate::{LowRankProblem, ResidualScratch};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// A loss on factors whose gradient a factored method follows.
///
/// Conventions (CLAIMS.md conventions 1): symmetric `f(X) = ¼‖A(XXᵀ) − y‖²` with
/// `∇f = A*(A(XXᵀ) − y)X`; asymmetric `½‖A(FGᵀ) − y‖²`.
pub trait FactoredLoss: Sync {
    /// Preallocated buffers for gradient evaluation at factor rank `k`.
    type Workspace: Send;

    /// `(rows, cols)` of the matrix being factored.
    fn shape(&self) -> (usize, usize);

    /// Allocates the workspace for rank `k` (called from `init`, never from `step`), for a
    /// gradient computed with `threads` threads (1 = sequential; results are deterministic
    /// for a given count).
    fn workspace(&self, k: usize, threads: usize) -> Self::Workspace;

    /// Writes `∇f(X)` into `grad` and returns the residual norm `‖A(XXᵀ) − y‖`.
    fn sym_gradient(
        &self,
        x: MatRef<'_, f64>,
        grad: MatMut<'_, f64>,
        ws: &mut Self::Workspace,
    ) -> f64;

    /// The matrix whose top-`k` eigenpairs (symmetric) or singular pairs (asymmetric) give
    /// the spectral initialization: `M` for factorization, `A*(y)` for sensing.
    fn spectral_matrix(&self) -> Mat<f64>;

    /// The scratch [`FactoredLoss::exact_residual`] needs for a rank-`k` iterate (called from
    /// `init`); [`ResidualScratch::none`] when the gradients' residual norm is already exact.
    fn residual_scratch(&self, _k: usize) -> ResidualScratch {
        ResidualScratch::none()
    }

    /// The residual norm of the iterate's product, exact, given the gradient's `estimate`
    /// (which may lose accuracy near the optimum). Only methods whose step depends on the
    /// residual (PrecGD's damping) call it.
    fn exact_residual(
        &self,
        _it: &crate::Factors,
        estimate: f64,
        _scratch: &mut ResidualScratch,
    ) -> f64 {
        estimate
    }

    /// Writes `∇_F` and `∇_G` and returns the residual norm `‖A(FGᵀ) − y‖`.
    fn asym_gradient(
        &self,
        f: MatRef<'_, f64>,
        g: MatRef<'_, f64>,
        grad_f: MatMut<'_, f64>,
        grad_g: MatMut<'_, f64>,
        ws: &mut Self::Workspace,
    ) -> f64;
}

/// How a residual-weighted step weighs each residual `r_i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResidualWeight {
    /// `sign(r_i)`: the subgradient of the ℓ₁ loss.
    Sign,
    /// `r_i`: the ℓ₂ loss.
    Identity,
}

/// A loss built from `m` linear measurements, exposing the residual-weighted step
/// `(1/m) Σ_i φ(r_i)(A_i + A_iᵀ)X` that SubGM and the ℓ₂-GD comparator follow.
pub trait MeasurementLoss: FactoredLoss {
    /// Writes the step into `out` and returns `(1/m)‖A(XXᵀ) − y‖₁`.
    fn residual_step(
        &self,
        x: MatRef<'_, f64>,
        weight: ResidualWeight,
        out: MatMut<'_, f64>,
        ws: &mut Self::Workspace,
    ) -> f64;

    /// Number of measurements `m`.
    fn measurements(&self) -> usize;
}

/// Buffers for the factorization gradient: two `k × k` Gram matrices, and the parallelism
/// of its products.
pub struct FactorizationWorkspace {
    gram_a: Mat<f64>,
    gram_b: Mat<f64>,
    par: Par,
}

/// `⟨A, B⟩` in a fixed (column-major) order.
pub(crate) fn inner(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut s = 0.0;
    for j in 0..a.ncols() {
        let (ca, cb) = (a.col(j), b.col(j));
        for i in 0..a.nrows() {
            s += ca[i] * cb[i];
        }
    }
    s
}

impl FactoredLoss for LowRankProblem {
    type Workspace = FactorizationWorkspace;

    fn shape(&self) -> (usize, usize) {
        LowRankProblem::shape(self)
    }

    fn workspace(&self, k: usize, threads: usize) -> FactorizationWorkspace {
        FactorizationWorkspace {
            gram_a: Mat::zeros(k, k),
            gram_b: Mat::zeros(k, k),
            par: ratebench_core::par(threads),
        }
    }

    /// `∇ = X(XᵀX) − MX`: one `n × n × k` product instead of forming `XXᵀ` (`n²k` vs `n²k + n²k`).
    /// The returned residual norm uses `‖XᵀX‖² − 2⟨X, MX⟩ + ‖M‖²`, which cancels near the
    /// optimum; [`FactoredLoss::exact_residual`] gives the exact value where it matters.
    fn sym_gradient(
        &self,
        x: MatRef<'_, f64>,
        mut grad: MatMut<'_, f64>,
        ws: &mut FactorizationWorkspace,
    ) -> f64 {
        matmul(
            ws.gram_a.as_mut(),
            Accum::Replace,
            x.transpose(),
            x,
            1.0,
            ws.par,
        );
        matmul(
            grad.as_mut(),
            Accum::Replace,
            self.target(),
            x,
            -1.0,
            ws.par,
        );
        let x_mx = -inner(x, grad.as_ref());
        matmul(
            grad.as_mut(),
            Accum::Add,
            x,
            ws.gram_a.as_ref(),
            1.0,
            ws.par,
        );
        residual_norm(ws.gram_a.squared_norm_l2() - 2.0 * x_mx + self.target_sq_norm())
    }

    fn spectral_matrix(&self) -> Mat<f64> {
        self.target().to_owned()
    }

    fn residual_scratch(&self, k: usize) -> ResidualScratch {
        let (n1, n2) = self.shape();
        let rank = self.values.iter().filter(|v| **v != 0.0).count();
        ResidualScratch::factored(n1, n2, k, rank).unwrap_or_else(|| ResidualScratch::dense(n1, n2))
    }

    /// The expansion `‖P‖² − 2⟨P, M⟩ + ‖M‖²` loses `ε‖M‖²` in absolute terms: relative to a
    /// residual with `res² ≥ 1e-4‖M‖²` that is ≤ 1e-12, so the estimate is kept there; below,
    /// the residual is computed without cancellation (see [`ResidualScratch`]).
    fn exact_residual(
        &self,
        it: &crate::Factors,
        estimate: f64,
        scratch: &mut ResidualScratch,
    ) -> f64 {
        if estimate * estimate >= 1e-4 * self.target_sq_norm() {
            return estimate;
        }
        let (f, g) = match it {
            crate::Factors::Sym(x) => (x.as_ref(), x.as_ref()),
            crate::Factors::Asym { f, g } => (f.as_ref(), g.as_ref()),
        };
        let target = (
            self.left.as_ref(),
            self.values.as_slice(),
            self.right.as_ref(),
        );
        scratch
            .norm((f, g), target, self.target())
            .unwrap_or(estimate)
    }

    /// `∇_F = F(GᵀG) − MG`, `∇_G = G(FᵀF) − MᵀF`.
    fn asym_gradient(
        &self,
        f: MatRef<'_, f64>,
        g: MatRef<'_, f64>,
        mut grad_f: MatMut<'_, f64>,
        mut grad_g: MatMut<'_, f64>,
        ws: &mut FactorizationWorkspace,
    ) -> f64 {
        matmul(
            ws.gram_a.as_mut(),
            Accum::Replace,
            f.transpose(),
            f,
            1.0,
            ws.par,
        );
        matmul(
            ws.gram_b.as_mut(),
            Accum::Replace,
            g.transpose(),
            g,
            1.0,
            ws.par,
        );
        matmul(
            grad_f.as_mut(),
            Accum::Replace,
            self.target(),
            g,
            -1.0,
            ws.par,
        );
        let f_mg = -inner(f, grad_f.as_ref());
        matmul(
            grad_f.as_mut(),
            Accum::Add,
            f,
            ws.gram_b.as_ref(),
            1.0,
            ws.par,
        );
        matmul(
            grad_g.as_mut(),
            Accum::Replace,
            self.target().transpose(),
            f,
            -1.0,
            ws.par,
        );
        matmul(
            grad_g.as_mut(),
            Accum::Add,
            g,
            ws.gram_a.as_ref(),
            1.0,
            ws.par,
        );
        let cross = inner(ws.gram_a.as_ref(), ws.gram_b.as_ref());
        residual_norm(cross - 2.0 * f_mg + self.target_sq_norm())
    }
}

fn residual_norm(squared: f64) -> f64 {
    squared.max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InitSpec, LowRankSpec};
    use ratebench_core::rng::{gaussian_mat, SeedPath};

    fn loss_sym(p: &LowRankProblem, x: &Mat<f64>) -> f64 {
        let r = x * x.transpose() - p.target();
        0.25 * r.squared_norm_l2()
    }

    fn loss_asym(p: &LowRankProblem, f: &Mat<f64>, g: &Mat<f64>) -> f64 {
        let r = f * g.transpose() - p.target();
        0.5 * r.squared_norm_l2()
    }

    /// Central differences in a random direction: `(f(X+hD) − f(X−hD)) / 2h ≈ ⟨∇f, D⟩`.
    #[test]
    fn gradients_match_finite_differences() {
        let spec = LowRankSpec {
            n: 9,
            r: 2,
            kappa: 5.0,
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut SeedPath::new(1).stream("data")).unwrap();
        let mut rng = SeedPath::new(1).stream("init");
        let x = gaussian_mat(&mut rng, 9, 3);
        let d = gaussian_mat(&mut rng, 9, 3);
        let mut ws = p.workspace(3, 1);
        let mut grad = Mat::zeros(9, 3);
        let res = p.sym_gradient(x.as_ref(), grad.as_mut(), &mut ws);
        let h = 1e-5;
        let fd = (loss_sym(&p, &(&x + faer::Scale(h) * &d))
            - loss_sym(&p, &(&x - faer::Scale(h) * &d)))
            / (2.0 * h);
        let an = inner(grad.as_ref(), d.as_ref());
        assert!(
            (fd - an).abs() < 1e-7 * an.abs().max(1.0),
            "fd {fd} vs analytic {an}"
        );
        assert!((res - (4.0 * loss_sym(&p, &x)).sqrt()).abs() < 1e-10);

        let Ok(crate::Factors::Asym { f, g }) =
            InitSpec::asymmetric(1.0, 0.5).draw((9, 9), 3, &mut rng)
        else {
            panic!()
        };
        let (df, dg) = (gaussian_mat(&mut rng, 9, 3), gaussian_mat(&mut rng, 9, 3));
        let (mut gf, mut gg) = (Mat::zeros(9, 3), Mat::zeros(9, 3));
        let res = p.asym_gradient(f.as_ref(), g.as_ref(), gf.as_mut(), gg.as_mut(), &mut ws);
        let plus = loss_asym(
            &p,
            &(&f + faer::Scale(h) * &df),
            &(&g + faer::Scale(h) * &dg),
        );
        let minus = loss_asym(
            &p,
            &(&f - faer::Scale(h) * &df),
            &(&g - faer::Scale(h) * &dg),
        );
        let fd = (plus - minus) / (2.0 * h);
        let an = inner(gf.as_ref(), df.as_ref()) + inner(gg.as_ref(), dg.as_ref());
        assert!(
            (fd - an).abs() < 1e-7 * an.abs().max(1.0),
            "fd {fd} vs analytic {an}"
        );
        assert!((res - (2.0 * loss_asym(&p, &f, &g)).sqrt()).abs() < 1e-10);
    }

    /// Near the optimum the expansion cancels; the exact residual does not.
    #[test]
    fn exact_residual_near_the_optimum() {
        let spec = LowRankSpec {
            n: 30,
            spectrum: Some(vec![1.0, 0.5]),
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut SeedPath::new(1).stream("data")).unwrap();
        let evd = p.target().self_adjoint_eigen(faer::Side::Lower).unwrap();
        let (u, s) = (evd.U(), evd.S().column_vector());
        let delta = 1e-9;
        // X = U₂√Λ₂ plus a tiny perturbation: ‖XXᵀ − M‖ ≈ 2·1e-9·‖…‖.
        let x = Mat::<f64>::from_fn(30, 2, |i, j| {
            u[(i, 29 - j)] * s[29 - j].sqrt() + if i == j { delta } else { 0.0 }
        });
        let mut ws = p.workspace(2, 1);
        let mut grad = Mat::zeros(30, 2);
        let estimate = p.sym_gradient(x.as_ref(), grad.as_mut(), &mut ws);
        let it = crate::Factors::Sym(x.clone());
        let truth = (&x * x.transpose() - p.target()).norm_l2();
        // The factored (thin QR) and the dense variant agree with the explicit difference.
        for mut scratch in [p.residual_scratch(2), ResidualScratch::dense(30, 30)] {
            let exact = p.exact_residual(&it, estimate, &mut scratch);
            assert!((exact - truth).abs() < 1e-6 * truth, "{exact} vs {truth}");
        }
        assert!(
            (estimate - truth).abs() > 1e-2 * truth,
            "the expansion cancels: {estimate} vs {truth}"
        );
    }
}
