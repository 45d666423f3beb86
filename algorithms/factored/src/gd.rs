//! Plain gradient descent on the factors.

use crate::{axpy, not_initialized, rebalance, validate, Buffers};
use ratebench_core::rng::Rng;
use ratebench_core::{Result, Solver};
use ratebench_lowrank::{FactoredLoss, Factors, InitSpec};

/// `X ← X − η∇f(X)`; asymmetric: `F ← F − η∇_F`, `G ← G − η∇_G` simultaneously.
///
/// With [`Gd::rebalance_below`], the first step after the absolute error (metric
/// `abs_err`, i.e. the *true* error — a diagnostic device, not a practical method) drops
/// below the threshold is replaced by one rebalancing `F ← F(FᵀF)^{-1/2}`, `G ← G(FᵀF)^{1/2}`
/// (Xiong et al., eq. 5.1).
pub struct Gd<P: FactoredLoss> {
    eta: f64,
    k: usize,
    init: InitSpec,
    rebalance_below: Option<f64>,
    rebalance_pending: bool,
    rebalanced_at: Option<u64>,
    steps: u64,
    threads: usize,
    it: Option<Factors>,
    buf: Option<Buffers<P::Workspace>>,
}

impl<P: FactoredLoss> Gd<P> {
    /// GD with step `eta`, `k` columns and the given start.
    pub fn new(eta: f64, k: usize, init: InitSpec) -> Self {
        Self {
            eta,
            k,
            init,
            rebalance_below: None,
            rebalance_pending: false,
            rebalanced_at: None,
            steps: 0,
            threads: 1,
            it: None,
            buf: None,
        }
    }

    /// Computes gradients with `n` threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }

    /// Rebalance once, at the first step after `abs_err < threshold` (asymmetric only).
    pub fn rebalance_below(mut self, threshold: f64) -> Self {
        self.rebalance_below = Some(threshold);
        self
    }

    /// The step index at which the rebalancing replaced the GD step, if it happened.
    pub fn rebalanced_at(&self) -> Option<u64> {
        self.rebalanced_at
    }
}

impl<P: FactoredLoss> Solver for Gd<P> {
    type Problem = P;
    type Iterate = Factors;

    fn name(&self) -> &'static str {
        match (self.init.asymmetric, self.rebalance_below.is_some()) {
            (false, _) => "gd",
            (true, false) => "gd-asym",
            (true, true) => "gd-asym-rebalanced",
        }
    }

    fn init(&mut self, problem: &P, rng: &mut Rng) -> Result<()> {
        validate(self.eta, self.k)?;
        let it = self.init.start(problem, self.k, rng)?;
        self.buf = Some(Buffers::new(problem, &it, self.threads));
        self.it = Some(it);
        self.steps = 0;
        self.rebalanced_at = None;
        self.rebalance_pending = false;
        Ok(())
    }

    fn step(&mut self, problem: &P) -> Result<()> {
        let (Some(it), Some(b)) = (self.it.as_mut(), self.buf.as_mut()) else {
            return Err(not_initialized("gd"));
        };
        if self.rebalance_pending {
            self.rebalance_pending = false;
            self.rebalanced_at = Some(self.steps);
            self.steps += 1;
            if let Factors::Asym { f, g } = it {
                return rebalance(f, g);
            }
        }
        match it {
            Factors::Sym(x) => {
                problem.sym_gradient(x.as_ref(), b.grad_a.as_mut(), &mut b.ws);
                axpy(x.as_mut(), self.eta, b.grad_a.as_ref());
            }
            Factors::Asym { f, g } => {
                problem.asym_gradient(
                    f.as_ref(),
                    g.as_ref(),
                    b.grad_a.as_mut(),
                    b.grad_b.as_mut(),
                    &mut b.ws,
                );
                axpy(f.as_mut(), self.eta, b.grad_a.as_ref());
                axpy(g.as_mut(), self.eta, b.grad_b.as_ref());
            }
        }
        self.steps += 1;
        Ok(())
    }

    fn iterate(&self) -> &Factors {
        self.it.as_ref().expect("iterate() before init()")
    }

    fn is_finite(&self) -> bool {
        self.it.as_ref().is_none_or(Factors::is_finite)
    }

    fn observe(&mut self, names: &[&'static str], values: &[f64]) {
        let Some(threshold) = self.rebalance_below else {
            return;
        };
        if self.rebalanced_at.is_some() || self.rebalance_pending {
            return;
        }
        if let Some(j) = names.iter().position(|n| *n == "abs_err") {
            if values[j] < threshold {
                self.rebalance_pending = true;
            }
        }
    }
}
