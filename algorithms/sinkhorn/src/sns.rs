//! Sinkhorn-Newton-Sparse (Tang et al. 2024), exactly as CLAIMS.md §4's "ratebench
//! implementation".

use crate::kernels::{dot, exp_affine_line, exp_affine_sum};
use crate::log_domain::LogPasses;
use crate::newton::{NewtonSystem, Solve};
use crate::{names, not_initialized};
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_ot::{check_matrix_memory, OtIterate, OtProblem};

/// How many plan entries the sparsified Hessian keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sparsity {
    /// Density `λ = c/n̄` with `n̄ = (n + m)/2` (the catalogue's `λ = 2/n` is `PerN(2.0)`; its
    /// control `λ = 0.75/n` is `PerN(0.75)`).
    PerN(f64),
    /// Density `λ` given directly.
    Density(f64),
}

impl Sparsity {
    /// `λ` for an `n × m` problem.
    pub fn density(self, n: usize, m: usize) -> f64 {
        match self {
            Sparsity::PerN(c) => 2.0 * c / (n + m) as f64,
            Sparsity::Density(l) => l,
        }
    }

    /// Plan entries kept: `⌈(λN² − N)/2⌉` with `N = n + m` (each kept entry appears in both
    /// off-diagonal blocks, the `N` diagonal entries are exact: density ≤ λ), clamped to
    /// `[0, nm]`. For `n = m`, `λ = 2/n` this is `3n`.
    pub fn kept(self, n: usize, m: usize) -> usize {
        let big_n = (n + m) as f64;
        let k = ((self.density(n, m) * big_n * big_n - big_n) / 2.0).ceil();
        if k.is_nan() || k <= 0.0 {
            0
        } else {
            (k as usize).min(n * m)
        }
    }
}

/// SNS parameters (defaults: the catalogue's OT-2 setup).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SnsConfig {
    /// Stage 1: this many log-domain Sinkhorn iterations (fixed; no adaptive switch).
    pub sinkhorn_steps: usize,
    pub sparsity: Sparsity,
    /// CG relative residual tolerance `‖M Δz − ∇f‖ ≤ rtol ‖∇f‖`.
    pub cg_rtol: f64,
    pub cg_max_iters: usize,
    /// The line search halves while `f(z + αΔz) < f(z) − tol·|f(z)|` …
    pub ls_tolerance: f64,
    /// … and `α/2 ≥ min_step`.
    pub min_step: f64,
}

impl Default for SnsConfig {
    fn default() -> Self {
        Self {
            sinkhorn_steps: 20,
            sparsity: Sparsity::PerN(2.0),
            cg_rtol: 1e-12,
            cg_max_iters: 2000,
            ls_tolerance: 1e-13,
            min_step: 1e-8,
        }
    }
}

impl SnsConfig {
    /// Checks every parameter.
    pub fn validate(&self) -> Result<()> {
        match self.sparsity {
            Sparsity::PerN(c) => check::positive("sparsity (λ·n)", c)?,
            Sparsity::Density(l) => check::positive("sparsity (λ)", l)?,
        }
        check::positive("cg_rtol", self.cg_rtol)?;
        check::in_range("cg_max_iters", self.cg_max_iters, 1, usize::MAX)?;
        check::at_least("ls_tolerance", self.ls_tolerance, 0.0)?;
        check::positive("min_step", self.min_step)?;
        if self.min_step > 1.0 {
            return Err(Error::invalid(
                "min_step",
                format!("must be <= 1 (the first trial step), got {}", self.min_step),
            ));
        }
        Ok(())
    }
}

/// Sinkhorn-Newton-Sparse (`sns`), from `x = y = 0`:
///
/// 1. `sinkhorn_steps` (N1) log-domain Sinkhorn iterations;
/// 2. then each step is one Newton step: form `P` and `∇f = (a − P1, b − Pᵀ1)`; keep the
///    [`Sparsity::kept`] largest entries `P_s` of `P` (a global top-k, ties broken by
///    column-major position); solve `η[[diag(P1), P_s], [P_sᵀ, diag(Pᵀ1)]] Δz = ∇f` by faer's
///    `conjugate_gradient` on a CSC operator (no preconditioner, from 0); line search from
///    `α = 1`, halving while `f(z + αΔz) < f(z) − 1e-13|f(z)|` and `α/2 ≥ 1e-8`;
///    `z ← z + αΔz`.
///
/// **The null direction `(1, −1)`.** `f(x + t, y − t) = f(x, y)` (Σa = Σb), and the exact
/// Hessian is singular along `(1, −1)`. With the diagonal blocks exact and the off-diagonal
/// blocks sparsified, the system matrix is diagonally dominant with the dropped mass as
/// margin: positive definite, but nearly singular along `(1, −1)`. `∇f ⟂ (1, −1)` in exact
/// arithmetic; we remove the round-off component of `∇f` along `(1, −1)` before CG and of
/// `Δz` after it, which changes no plan and keeps the potentials from drifting.
///
/// Work units: a Sinkhorn iteration counts `n + m`; a Newton step counts its dense passes
/// (plan, selection, one per line-search trial) and CG matrix entries touched, converted at
/// `(n + m)/(2nm)` units per entry (so one pass over `n × m` entries is half a Sinkhorn
/// iteration). Extras: `newton` (1 in stage 2), `cg_iters`, `cg_rel_residual`,
/// `ls_halvings`, `step_size`, `kept`.
pub struct Sns {
    config: SnsConfig,
    pub(crate) state: Option<State>,
    it: OtIterate,
    steps: u64,
    work: f64,
    last: StepReport,
}

/// What the last step did (the extras).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepReport {
    pub newton: bool,
    pub cg_iters: usize,
    pub cg_rel_residual: f64,
    pub ls_halvings: usize,
    pub step_size: f64,
    pub kept: usize,
}

pub(crate) struct State {
    passes: LogPasses,
    pub(crate) newton: NewtonSystem,
    xt: Vec<f64>,
    yt: Vec<f64>,
    /// `η x_t − 1` and the exponentials of one column, for the line search.
    pt: Vec<f64>,
    column: Vec<f64>,
}

impl Sns {
    /// SNS with `config`.
    pub fn new(config: SnsConfig) -> Self {
        Self {
            config,
            state: None,
            it: OtIterate::zero_dual(0, 0),
            steps: 0,
            work: 0.0,
            last: StepReport::default(),
        }
    }

    /// The last step's report.
    pub fn report(&self) -> StepReport {
        self.last
    }

    /// The Newton direction at the current iterate (forms the plan, the sparsified system and
    /// solves it; no line search, no move). For tests and diagnostics.
    pub fn newton_direction(&mut self, problem: &OtProblem) -> Result<(Vec<f64>, Solve)> {
        let (Some(s), OtIterate::Dual { x, y }) = (self.state.as_mut(), &self.it) else {
            return Err(not_initialized(names::SNS));
        };
        s.newton.form(problem, x, y);
        let solve = s.newton.solve(&self.config)?;
        Ok((s.newton.direction().to_vec(), solve))
    }

    fn newton_step(&mut self, problem: &OtProblem) -> Result<()> {
        let (Some(s), OtIterate::Dual { x, y }) = (self.state.as_mut(), &mut self.it) else {
            return Err(not_initialized(names::SNS));
        };
        let (n, m) = problem.shape();
        let f0 = s.newton.form(problem, x, y);
        let solve = s.newton.solve(&self.config)?;
        let dz = s.newton.direction();
        let (dx, dy) = dz.split_at(n);
        let threshold = f0 - self.config.ls_tolerance * f0.abs();
        let mut alpha = 1.0;
        let mut halvings = 0;
        loop {
            let ft = trial_value(
                problem,
                (x, y),
                (dx, dy),
                alpha,
                (&mut s.xt, &mut s.yt),
                (&mut s.pt, &mut s.column),
            );
            if ft >= threshold || alpha / 2.0 < self.config.min_step {
                break;
            }
            alpha /= 2.0;
            halvings += 1;
        }
        if !s.xt.iter().chain(&s.yt).all(|v| v.is_finite()) {
            return Err(Error::numerical(
                names::SNS,
                format!(
                    "the Newton step produced non-finite potentials (CG residual {:e})",
                    solve.rel_residual
                ),
            ));
        }
        x.copy_from_slice(&s.xt);
        y.copy_from_slice(&s.yt);
        let nm = (n * m) as f64;
        let entries = nm * (2 + halvings + 1) as f64 + (solve.iters * s.newton.nnz()) as f64;
        self.work += entries * (n + m) as f64 / (2.0 * nm);
        self.last = StepReport {
            newton: true,
            cg_iters: solve.iters,
            cg_rel_residual: solve.rel_residual,
            ls_halvings: halvings,
            step_size: alpha,
            kept: s.newton.kept(),
        };
        Ok(())
    }
}

/// `f(x + α dx, y + α dy)`, leaving the trial point in `xt`, `yt` (`scratch`: two buffers
/// of length n).
fn trial_value(
    problem: &OtProblem,
    (x, y): (&[f64], &[f64]),
    (dx, dy): (&[f64], &[f64]),
    alpha: f64,
    (xt, yt): (&mut [f64], &mut [f64]),
    (p, column): (&mut [f64], &mut [f64]),
) -> f64 {
    xt.iter_mut()
        .zip(x.iter().zip(dx))
        .for_each(|(t, (x, d))| *t = alpha.mul_add(*d, *x));
    yt.iter_mut()
        .zip(y.iter().zip(dy))
        .for_each(|(t, (y, d))| *t = alpha.mul_add(*d, *y));
    dual_value(problem, xt, yt, p, column)
}

/// `f(x, y) = −(1/η) Σ exp(η(x_i + y_j − C_ij) − 1) + ⟨a, x⟩ + ⟨b, y⟩` with the vectorized
/// kernels (`p` and `scratch` of length n).
pub(crate) fn dual_value(
    problem: &OtProblem,
    x: &[f64],
    y: &[f64],
    p: &mut [f64],
    scratch: &mut [f64],
) -> f64 {
    let eta = problem.eta();
    p.iter_mut()
        .zip(x)
        .for_each(|(p, x)| *p = eta.mul_add(*x, -1.0));
    let c = problem.cost();
    let mut mass = 0.0;
    for (j, yj) in y.iter().enumerate() {
        mass += exp_affine_sum(c.col_as_slice(j), p, eta * yj, eta, scratch);
    }
    -mass / eta + dot(problem.a(), x) + dot(problem.b(), y)
}

/// The plan `P = exp(η(x_i + y_j − C_ij) − 1)` (column-major, `n·m`), its row sums and its
/// column sums; returns the total mass.
pub(crate) fn plan_and_sums(
    problem: &OtProblem,
    x: &[f64],
    y: &[f64],
    p: &mut [f64],
    plan: &mut [f64],
    rows: &mut [f64],
    cols: &mut [f64],
) -> f64 {
    let (eta, n) = (problem.eta(), problem.n());
    p.iter_mut()
        .zip(x)
        .for_each(|(p, x)| *p = eta.mul_add(*x, -1.0));
    rows.iter_mut().for_each(|r| *r = 0.0);
    let c = problem.cost();
    let mut mass = 0.0;
    for (j, yj) in y.iter().enumerate() {
        let col = &mut plan[j * n..(j + 1) * n];
        cols[j] = exp_affine_line(c.col_as_slice(j), p, eta * yj, eta, col);
        rows.iter_mut().zip(col.iter()).for_each(|(r, v)| *r += v);
        mass += cols[j];
    }
    mass
}

impl Solver for Sns {
    type Problem = OtProblem;
    type Iterate = OtIterate;

    fn name(&self) -> &'static str {
        names::SNS
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &[
            "newton",
            "cg_iters",
            "cg_rel_residual",
            "ls_halvings",
            "step_size",
            "kept",
        ]
    }

    fn extras(&self, out: &mut [f64]) {
        let r = &self.last;
        out.copy_from_slice(&[
            f64::from(u8::from(r.newton)),
            r.cg_iters as f64,
            r.cg_rel_residual,
            r.ls_halvings as f64,
            r.step_size,
            r.kept as f64,
        ]);
    }

    fn init(&mut self, problem: &OtProblem, _rng: &mut Rng) -> Result<()> {
        self.config.validate()?;
        let (n, m) = problem.shape();
        check_matrix_memory(
            "n",
            "SNS's plan and selection buffers (2 matrices)",
            2 * n,
            m,
        )?;
        let kept = self.config.sparsity.kept(n, m);
        self.state = Some(State {
            passes: LogPasses::new(problem, 1, names::SNS)?,
            newton: NewtonSystem::new(n, m, kept),
            xt: vec![0.0; n],
            yt: vec![0.0; m],
            pt: vec![0.0; n],
            column: vec![0.0; n],
        });
        self.it = OtIterate::zero_dual(n, m);
        self.steps = 0;
        self.work = 0.0;
        self.last = StepReport::default();
        Ok(())
    }

    fn step(&mut self, problem: &OtProblem) -> Result<()> {
        if self.steps < self.config.sinkhorn_steps as u64 {
            let (Some(s), OtIterate::Dual { x, y }) = (self.state.as_mut(), &mut self.it) else {
                return Err(not_initialized(names::SNS));
            };
            s.passes.iterate(problem, x, y);
            self.work += (problem.n() + problem.m()) as f64;
            self.last = StepReport {
                step_size: 1.0,
                ..StepReport::default()
            };
        } else {
            self.newton_step(problem)?;
        }
        self.steps += 1;
        Ok(())
    }

    fn iterate(&self) -> &OtIterate {
        &self.it
    }

    fn work(&self) -> Option<u64> {
        Some(self.work.round() as u64)
    }

    fn is_finite(&self) -> bool {
        self.it.is_finite()
    }
}
