//! Methods on measurement losses: SubGM (ℓ₁, geometric steps) and its ℓ₂-GD comparator
//! (Ma & Fattahi).

use crate::{axpy, not_initialized, validate};
use faer::Mat;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Result, Solver};
use ratebench_lowrank::{Factors, InitSpec, MeasurementLoss, ResidualWeight};

/// State shared by both methods: the symmetric factor, a step buffer and the workspace.
struct State<W> {
    it: Factors,
    step: Mat<f64>,
    ws: W,
}

fn start<P: MeasurementLoss>(
    problem: &P,
    k: usize,
    init: &InitSpec,
    rng: &mut Rng,
    threads: usize,
) -> Result<State<P::Workspace>> {
    let it = init.start(problem, k, rng)?;
    if !matches!(it, Factors::Sym(_)) {
        return Err(ratebench_core::Error::invalid(
            "init",
            "SubGM and ℓ₂-GD use a symmetric factor UUᵀ",
        ));
    }
    Ok(State {
        step: Mat::zeros(problem.shape().0, k),
        ws: problem.workspace(k, threads),
        it,
    })
}

impl<W> State<W> {
    fn advance<P: MeasurementLoss<Workspace = W>>(
        &mut self,
        problem: &P,
        weight: ResidualWeight,
        eta: f64,
    ) {
        let Factors::Sym(u) = &mut self.it else {
            unreachable!("checked in start")
        };
        problem.residual_step(u.as_ref(), weight, self.step.as_mut(), &mut self.ws);
        axpy(u.as_mut(), eta, self.step.as_ref());
    }
}

/// SubGM: `U ← U − η₀ρᵗ D_t`, `D_t = (1/m)Σ sign(⟨A_i, UUᵀ⟩ − y_i)(A_i + A_iᵀ)U`.
///
/// Geometric steps are essential: the subgradient does not shrink with the error, so the
/// error tracks `η_t`.
pub struct SubGm<P: MeasurementLoss> {
    eta0: f64,
    rho: f64,
    k: usize,
    init: InitSpec,
    t: u64,
    threads: usize,
    state: Option<State<P::Workspace>>,
}

impl<P: MeasurementLoss> SubGm<P> {
    /// Step `η₀ρᵗ` with `0 < ρ ≤ 1`.
    pub fn new(eta0: f64, rho: f64, k: usize, init: InitSpec) -> Self {
        Self {
            eta0,
            rho,
            k,
            init,
            t: 0,
            threads: 1,
            state: None,
        }
    }

    /// Computes steps with `n` threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
}

impl<P: MeasurementLoss> Solver for SubGm<P> {
    type Problem = P;
    type Iterate = Factors;

    fn name(&self) -> &'static str {
        "subgm"
    }

    fn init(&mut self, problem: &P, rng: &mut Rng) -> Result<()> {
        validate(self.eta0, self.k)?;
        check::positive("rho", self.rho)?;
        if self.rho > 1.0 {
            return Err(ratebench_core::Error::invalid(
                "rho",
                format!("must be in (0, 1], got {}", self.rho),
            ));
        }
        self.state = Some(start(problem, self.k, &self.init, rng, self.threads)?);
        self.t = 0;
        Ok(())
    }

    fn step(&mut self, problem: &P) -> Result<()> {
        let eta = self.eta0 * self.rho.powf(self.t as f64);
        self.state
            .as_mut()
            .ok_or_else(|| not_initialized("subgm"))?
            .advance(problem, ResidualWeight::Sign, eta);
        self.t += 1;
        Ok(())
    }

    fn iterate(&self) -> &Factors {
        &self.state.as_ref().expect("iterate() before init()").it
    }

    fn is_finite(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.it.is_finite())
    }
}

/// The ℓ₂-GD comparator: `U ← U − η(1/m)Σ_i(⟨A_i, UUᵀ⟩ − y_i)A_iU`, constant `η`.
pub struct L2Gd<P: MeasurementLoss> {
    eta: f64,
    k: usize,
    init: InitSpec,
    threads: usize,
    state: Option<State<P::Workspace>>,
}

impl<P: MeasurementLoss> L2Gd<P> {
    /// Constant step `eta`.
    pub fn new(eta: f64, k: usize, init: InitSpec) -> Self {
        Self {
            eta,
            k,
            init,
            threads: 1,
            state: None,
        }
    }

    /// Computes steps with `n` threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
}

impl<P: MeasurementLoss> Solver for L2Gd<P> {
    type Problem = P;
    type Iterate = Factors;

    fn name(&self) -> &'static str {
        "l2-gd"
    }

    fn init(&mut self, problem: &P, rng: &mut Rng) -> Result<()> {
        validate(self.eta, self.k)?;
        self.state = Some(start(problem, self.k, &self.init, rng, self.threads)?);
        Ok(())
    }

    fn step(&mut self, problem: &P) -> Result<()> {
        // residual_step gives (1/m)Σ r_i (A_i + A_iᵀ)U = 2·(1/m)Σ r_i A_iU for symmetric A_i.
        let eta = 0.5 * self.eta;
        self.state
            .as_mut()
            .ok_or_else(|| not_initialized("l2-gd"))?
            .advance(problem, ResidualWeight::Identity, eta);
        Ok(())
    }

    fn iterate(&self) -> &Factors {
        &self.state.as_ref().expect("iterate() before init()").it
    }

    fn is_finite(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.it.is_finite())
    }
}
