//! Preconditioned factored gradient methods: ScaledGD, ScaledGD(λ) and PrecGD.

use crate::{not_initialized, validate, Buffers};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_lowrank::{FactoredLoss, Factors, InitSpec, ResidualScratch};

/// `x ← x − η · d · (AᵀA + λI)⁻¹` for a factor `a` (`x` and `a` may be the same matrix),
/// through a `k × k` Cholesky factorization in preallocated memory.
struct Preconditioner {
    gram: Mat<f64>,
    stack: MemBuffer,
}

impl Preconditioner {
    fn new(k: usize) -> Self {
        let req = llt::factor::cholesky_in_place_scratch::<f64>(k, Par::Seq, Default::default());
        Self {
            gram: Mat::zeros(k, k),
            stack: MemBuffer::new(req),
        }
    }

    /// Overwrites `d` with `d (AᵀA + λI)⁻¹`.
    fn apply(&mut self, a: MatRef<'_, f64>, lambda: f64, d: MatMut<'_, f64>) -> Result<()> {
        matmul(
            self.gram.as_mut(),
            Accum::Replace,
            a.transpose(),
            a,
            1.0,
            Par::Seq,
        );
        for i in 0..self.gram.nrows() {
            self.gram[(i, i)] += lambda;
        }
        let stack = MemStack::new(&mut self.stack);
        llt::factor::cholesky_in_place(
            self.gram.as_mut(),
            Default::default(),
            Par::Seq,
            stack,
            Default::default(),
        )
        .map_err(|_| {
            Error::numerical(
                "preconditioner",
                "XᵀX + λI is not positive definite (λ too small?)",
            )
        })?;
        // d (H)⁻¹ = ((H)⁻¹ dᵀ)ᵀ, H symmetric.
        llt::solve::solve_in_place(
            self.gram.as_ref(),
            d.transpose_mut(),
            Par::Seq,
            MemStack::new(&mut self.stack),
        );
        Ok(())
    }
}

fn sub_scaled(mut x: MatMut<'_, f64>, eta: f64, d: MatRef<'_, f64>) {
    crate::axpy(x.as_mut(), eta, d);
}

/// State shared by the two preconditioned methods.
struct PrecState<W> {
    it: Factors,
    buf: Buffers<W>,
    pre: Preconditioner,
    /// Where the exact residual is formed (PrecGD on problems whose gradient's residual
    /// norm is an estimate).
    scratch: ResidualScratch,
}

impl<W> PrecState<W> {
    fn init<P: FactoredLoss<Workspace = W>>(
        problem: &P,
        k: usize,
        init: &InitSpec,
        rng: &mut Rng,
        threads: usize,
    ) -> Result<Self> {
        let it = init.start(problem, k, rng)?;
        Ok(Self {
            buf: Buffers::new(problem, &it, threads),
            it,
            pre: Preconditioner::new(k),
            scratch: ResidualScratch::none(),
        })
    }

    /// Allocates the scratch the exact residual needs.
    fn with_exact_residual<P: FactoredLoss>(mut self, problem: &P) -> Self {
        self.scratch = problem.residual_scratch(self.it.rank());
        self
    }

    /// One step with damping `lambda(residual_norm)`.
    fn step<P: FactoredLoss<Workspace = W>>(
        &mut self,
        problem: &P,
        eta: f64,
        lambda: impl Fn(f64) -> f64,
    ) -> Result<()> {
        let b = &mut self.buf;
        let estimate = match &self.it {
            Factors::Sym(x) => problem.sym_gradient(x.as_ref(), b.grad_a.as_mut(), &mut b.ws),
            Factors::Asym { f, g } => problem.asym_gradient(
                f.as_ref(),
                g.as_ref(),
                b.grad_a.as_mut(),
                b.grad_b.as_mut(),
                &mut b.ws,
            ),
        };
        let res = if !self.scratch.is_none() {
            problem.exact_residual(&self.it, estimate, &mut self.scratch)
        } else {
            estimate
        };
        let lam = lambda(res);
        match &mut self.it {
            Factors::Sym(x) => {
                self.pre.apply(x.as_ref(), lam, b.grad_a.as_mut())?;
                sub_scaled(x.as_mut(), eta, b.grad_a.as_ref());
            }
            Factors::Asym { f, g } => {
                // Both preconditioners use the pre-step factors (simultaneous update).
                self.pre.apply(g.as_ref(), lam, b.grad_a.as_mut())?;
                self.pre.apply(f.as_ref(), lam, b.grad_b.as_mut())?;
                sub_scaled(f.as_mut(), eta, b.grad_a.as_ref());
                sub_scaled(g.as_mut(), eta, b.grad_b.as_ref());
            }
        }
        Ok(())
    }
}

/// ScaledGD (λ = 0, Tong et al.) and ScaledGD(λ) (λ > 0, Xu et al.):
/// `X ← X − η∇f(X)(XᵀX + λI)⁻¹`; asymmetric `F ← F − η∇_F(GᵀG + λI)⁻¹` and vice versa.
pub struct ScaledGd<P: FactoredLoss> {
    eta: f64,
    lambda: f64,
    k: usize,
    init: InitSpec,
    threads: usize,
    state: Option<PrecState<P::Workspace>>,
}

impl<P: FactoredLoss> ScaledGd<P> {
    /// `lambda = 0` gives ScaledGD, which needs full-rank factors (exact parameterization).
    pub fn new(eta: f64, lambda: f64, k: usize, init: InitSpec) -> Self {
        Self {
            eta,
            lambda,
            k,
            init,
            threads: 1,
            state: None,
        }
    }

    /// Computes gradients with `n` threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
}

impl<P: FactoredLoss> Solver for ScaledGd<P> {
    type Problem = P;
    type Iterate = Factors;

    fn name(&self) -> &'static str {
        if self.lambda > 0.0 {
            "scaledgd-lambda"
        } else {
            "scaledgd"
        }
    }

    fn init(&mut self, problem: &P, rng: &mut Rng) -> Result<()> {
        validate(self.eta, self.k)?;
        check::at_least("lambda", self.lambda, 0.0)?;
        self.state = Some(PrecState::init(
            problem,
            self.k,
            &self.init,
            rng,
            self.threads,
        )?);
        Ok(())
    }

    fn step(&mut self, problem: &P) -> Result<()> {
        let lambda = self.lambda;
        let s = self
            .state
            .as_mut()
            .ok_or_else(|| not_initialized("scaledgd"))?;
        s.step(problem, self.eta, |_| lambda)
    }

    fn iterate(&self) -> &Factors {
        &self.state.as_ref().expect("iterate() before init()").it
    }

    fn is_finite(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.it.is_finite())
    }
}

/// PrecGD (Zhang, Fattahi, Zhang): ScaledGD with damping `λ_t = c·‖A(XXᵀ) − y‖`,
/// proportional to `√f(X)`, so it behaves like ScaledGD far away and stays well
/// conditioned when over-parameterized.
pub struct PrecGd<P: FactoredLoss> {
    eta: f64,
    damping: f64,
    k: usize,
    init: InitSpec,
    threads: usize,
    state: Option<PrecState<P::Workspace>>,
}

impl<P: FactoredLoss> PrecGd<P> {
    /// `damping` is the constant `c` in `λ_t = c‖residual‖`.
    pub fn new(eta: f64, damping: f64, k: usize, init: InitSpec) -> Self {
        Self {
            eta,
            damping,
            k,
            init,
            threads: 1,
            state: None,
        }
    }

    /// Computes gradients with `n` threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
}

impl<P: FactoredLoss> Solver for PrecGd<P> {
    type Problem = P;
    type Iterate = Factors;

    fn name(&self) -> &'static str {
        "precgd"
    }

    fn init(&mut self, problem: &P, rng: &mut Rng) -> Result<()> {
        validate(self.eta, self.k)?;
        check::positive("damping", self.damping)?;
        self.state = Some(
            PrecState::init(problem, self.k, &self.init, rng, self.threads)?
                .with_exact_residual(problem),
        );
        Ok(())
    }

    fn step(&mut self, problem: &P) -> Result<()> {
        let c = self.damping;
        let s = self
            .state
            .as_mut()
            .ok_or_else(|| not_initialized("precgd"))?;
        // A tiny floor keeps the k×k system positive definite at an exact fit.
        s.step(problem, self.eta, |res| {
            (c * res).max(f64::MIN_POSITIVE.sqrt())
        })
    }

    fn iterate(&self) -> &Factors {
        &self.state.as_ref().expect("iterate() before init()").it
    }

    fn is_finite(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.it.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_lowrank::{InitScaling, LowRankProblem, LowRankSpec};

    fn problem() -> LowRankProblem {
        let spec = LowRankSpec {
            n: 15,
            r: 3,
            kappa: 10.0,
            ..Default::default()
        };
        LowRankProblem::generate(&spec, &mut SeedPath::new(2).stream("data")).unwrap()
    }

    fn run<S: Solver<Problem = LowRankProblem, Iterate = Factors>>(
        s: &mut S,
        p: &LowRankProblem,
        steps: usize,
    ) -> f64 {
        s.init(p, &mut SeedPath::new(2).stream("init")).unwrap();
        for _ in 0..steps {
            s.step(p).unwrap();
        }
        let mut prod = Mat::zeros(15, 15);
        s.iterate().product_into(prod.as_mut());
        (&prod - p.target()).norm_l2() / p.target_norm()
    }

    #[test]
    fn preconditioned_step_matches_dense_formula() {
        let p = problem();
        let init = InitSpec::symmetric(0.5, InitScaling::Plain);
        let mut s = ScaledGd::new(0.3, 0.1, 4, init.clone());
        s.init(&p, &mut SeedPath::new(9).stream("init")).unwrap();
        let Factors::Sym(x0) = s.iterate().clone() else {
            panic!()
        };
        s.step(&p).unwrap();
        let Factors::Sym(x1) = s.iterate() else {
            panic!()
        };
        let grad = (&x0 * x0.transpose() - p.target()) * &x0;
        let h = x0.transpose() * &x0 + faer::Scale(0.1) * Mat::<f64>::identity(4, 4);
        let hinv = faer::linalg::solvers::DenseSolveCore::inverse(&h.partial_piv_lu());
        let want = &x0 - faer::Scale(0.3) * (&grad * &hinv);
        assert!((x1 - &want).norm_max() < 1e-13);
    }

    #[test]
    fn all_methods_converge_on_a_well_conditioned_instance() {
        let p = problem();
        // Over-parameterized runs stall near Cα² (CLAIMS.md conventions 5): start tiny.
        let small = InitSpec::symmetric(1e-7, InitScaling::SqrtN);
        let e = run(&mut ScaledGd::new(0.5, 0.1, 6, small.clone()), &p, 300);
        eprintln!("sgdl {e}");
        assert!(e < 1e-10);
        let e = run(&mut PrecGd::new(0.5, 1.0, 6, small.clone()), &p, 300);
        eprintln!("prec {e}");
        assert!(e < 1e-6);
        assert!(run(&mut crate::Gd::new(0.5, 3, small.clone()), &p, 2000) < 1e-8);
        let asym = InitSpec::asymmetric(0.3, 1.0 / 3.0);
        assert!(run(&mut ScaledGd::new(0.5, 0.0, 3, asym.clone()), &p, 200) < 1e-10);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let p = problem();
        let init = InitSpec::symmetric(1e-3, InitScaling::SqrtN);
        let mut rng = SeedPath::new(0).stream("init");
        let e = ScaledGd::new(-0.5, 0.1, 3, init.clone())
            .init(&p, &mut rng)
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid eta"), "{e}");
        let e = ScaledGd::new(0.5, 0.1, 0, init.clone())
            .init(&p, &mut rng)
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid k"), "{e}");
        let e = crate::Gd::new(0.5, 3, InitSpec::symmetric(0.0, InitScaling::Plain))
            .init(&p, &mut rng)
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid alpha"), "{e}");
    }
}
