//! The Ghadimi–Lan accelerated gradient for SCAD/MCP-penalized least squares with Yang et
//! al.'s proposed or the original hyper-parameters, and the proximal-gradient comparator.
//!
//! With `f` the smooth part (loss plus the concave `q_λ`, see [`PenalizedLs`]) and `S` the
//! soft-threshold (only `λ|·|` goes into the prox), iteration `k = 1, 2, …` is
//!
//! * `β_md = (1 − α_k)β_ag + α_kβ`,
//! * `β ← S_{λ_kλ}(β − λ_k∇f(β_md))`,
//! * `β_ag ← S_{β_kλ}(β_md − β_k∇f(β_md))`,
//!
//! with `L = max(λ_max(XᵀX)/N, 1/(a−1))` (SCAD; `1/γ` for MCP) and
//!
//! * proposed (`"ag-proposed"`): `β_k = 0.99/L`, `α₁ = 1`,
//!   `α_k = 2/(1 + √(1 + 4/α_{k−1}²))`, `λ_k = β_k/α_k`;
//! * original (`"ag-original"`): `α_k = 2/(k+1)`, `β_k = 0.5/L`, `λ_k = kβ_k/2`.
//!
//! The package's restart and strong rules are off. The iterate is `β_ag`. One iteration is
//! one gradient: two matrix–vector products and O(p) work (work unit: gradient evaluations).

use crate::{not_initialized, LipschitzRule};
use faer::Par;
use ratebench_core::rng::Rng;
use ratebench_core::{Result, Solver};
use ratebench_sparse::{soft_threshold, LsWorkspace, PenalizedLs};

/// Which Ghadimi–Lan parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgSettings {
    /// Yang et al.'s proposed damping.
    Proposed,
    /// Ghadimi & Lan's exemplified settings.
    Original,
}

struct State {
    beta: Vec<f64>,
    beta_ag: Vec<f64>,
    beta_md: Vec<f64>,
    grad: Vec<f64>,
    ws: LsWorkspace,
    l: f64,
    l_convex: f64,
    alpha: f64,
    k: u64,
    last: (f64, f64, f64),
}

/// Ghadimi–Lan AG on a [`PenalizedLs`] problem, from `β = β_ag = 0`.
pub struct NonconvexAg {
    settings: AgSettings,
    lipschitz: LipschitzRule,
    par: Par,
    state: Option<State>,
}

impl NonconvexAg {
    pub fn new(settings: AgSettings) -> Self {
        Self {
            settings,
            lipschitz: LipschitzRule::default(),
            par: Par::Seq,
            state: None,
        }
    }

    /// How `λ_max(XᵀX)/N` is obtained ([`LipschitzRule::Given`] takes that value, before the
    /// `max` with the penalty's concavity).
    pub fn lipschitz(mut self, rule: LipschitzRule) -> Self {
        self.lipschitz = rule;
        self
    }

    pub fn threads(mut self, threads: usize) -> Self {
        self.par = ratebench_core::par(threads);
        self
    }

    /// The `β` sequence (the iterate is `β_ag`).
    pub fn beta(&self) -> &[f64] {
        &self.state.as_ref().expect("beta() before init()").beta
    }

    /// `L` after `init`.
    pub fn l(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.l)
    }

    /// `(α_k, β_k, λ_k)` of iteration `k` (1-based), given `α_{k−1}` for the proposed rule.
    fn parameters(&self, k: u64, alpha_prev: f64, l: f64) -> (f64, f64, f64) {
        match self.settings {
            AgSettings::Proposed => {
                let alpha = if k == 1 {
                    1.0
                } else {
                    2.0 / (1.0 + (1.0 + 4.0 / (alpha_prev * alpha_prev)).sqrt())
                };
                let b = 0.99 / l;
                (alpha, b, b / alpha)
            }
            AgSettings::Original => {
                let b = 0.5 / l;
                (2.0 / (k as f64 + 1.0), b, k as f64 * b / 2.0)
            }
        }
    }
}

impl Solver for NonconvexAg {
    type Problem = PenalizedLs;
    type Iterate = Vec<f64>;

    fn name(&self) -> &'static str {
        match self.settings {
            AgSettings::Proposed => "ag-proposed",
            AgSettings::Original => "ag-original",
        }
    }

    fn init(&mut self, problem: &PenalizedLs, rng: &mut Rng) -> Result<()> {
        let p = problem.data().p();
        let l_convex = self
            .lipschitz
            .resolve(|opts| problem.lipschitz(opts, rng, self.par).1)?;
        let l = l_convex.max(problem.penalty().concavity());
        self.state = Some(State {
            beta: vec![0.0; p],
            beta_ag: vec![0.0; p],
            beta_md: vec![0.0; p],
            grad: vec![0.0; p],
            ws: problem.workspace(),
            l,
            l_convex,
            alpha: 1.0,
            k: 0,
            last: (f64::NAN, f64::NAN, f64::NAN),
        });
        Ok(())
    }

    fn step(&mut self, problem: &PenalizedLs) -> Result<()> {
        let (k, alpha_prev, l) = {
            let s = self.state.as_ref().ok_or_else(|| not_initialized("ag"))?;
            (s.k + 1, s.alpha, s.l)
        };
        let (alpha, bk, lk) = self.parameters(k, alpha_prev, l);
        let par = self.par;
        let s = self.state.as_mut().expect("checked above");
        for ((md, &ag), &b) in s.beta_md.iter_mut().zip(&s.beta_ag).zip(&s.beta) {
            *md = (1.0 - alpha) * ag + alpha * b;
        }
        problem.smooth_gradient(&s.beta_md, &mut s.ws, &mut s.grad, par);
        let lambda = problem.lambda();
        for (((b, ag), &md), &g) in s
            .beta
            .iter_mut()
            .zip(s.beta_ag.iter_mut())
            .zip(&s.beta_md)
            .zip(&s.grad)
        {
            *b = soft_threshold(*b - lk * g, lk * lambda);
            *ag = soft_threshold(md - bk * g, bk * lambda);
        }
        s.alpha = alpha;
        s.k = k;
        s.last = (alpha, bk, lk);
        Ok(())
    }

    fn iterate(&self) -> &Vec<f64> {
        &self
            .state
            .as_ref()
            .expect("iterate() before init()")
            .beta_ag
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.k)
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &["alpha_k", "beta_k", "lambda_k"]
    }

    fn extras(&self, out: &mut [f64]) {
        if let Some(s) = &self.state {
            out[0] = s.last.0;
            out[1] = s.last.1;
            out[2] = s.last.2;
        }
    }

    fn is_finite(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.beta_ag.iter().chain(&s.beta).all(|v| v.is_finite()))
    }
}

impl NonconvexAg {
    /// `λ_max(XᵀX)/N` after `init`.
    pub fn l_convex(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.l_convex)
    }
}

/// Proximal gradient on the same split (`"pg"`): `β ← S_{λ/L}(β − ∇f(β)/L)` with the same
/// `L`, from `β = 0`. The iterate is `β`.
pub struct PenalizedProxGradient {
    lipschitz: LipschitzRule,
    par: Par,
    state: Option<State>,
}

impl Default for PenalizedProxGradient {
    fn default() -> Self {
        Self::new()
    }
}

impl PenalizedProxGradient {
    pub fn new() -> Self {
        Self {
            lipschitz: LipschitzRule::default(),
            par: Par::Seq,
            state: None,
        }
    }

    pub fn lipschitz(mut self, rule: LipschitzRule) -> Self {
        self.lipschitz = rule;
        self
    }

    pub fn threads(mut self, threads: usize) -> Self {
        self.par = ratebench_core::par(threads);
        self
    }

    pub fn l(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.l)
    }
}

impl Solver for PenalizedProxGradient {
    type Problem = PenalizedLs;
    type Iterate = Vec<f64>;

    fn name(&self) -> &'static str {
        "pg"
    }

    fn init(&mut self, problem: &PenalizedLs, rng: &mut Rng) -> Result<()> {
        let mut ag = NonconvexAg::new(AgSettings::Proposed).lipschitz(self.lipschitz);
        ag.par = self.par;
        ag.init(problem, rng)?;
        self.state = ag.state;
        Ok(())
    }

    fn step(&mut self, problem: &PenalizedLs) -> Result<()> {
        let par = self.par;
        let s = self.state.as_mut().ok_or_else(|| not_initialized("pg"))?;
        problem.smooth_gradient(&s.beta, &mut s.ws, &mut s.grad, par);
        let (step, thr) = (1.0 / s.l, problem.lambda() / s.l);
        for (b, &g) in s.beta.iter_mut().zip(&s.grad) {
            *b = soft_threshold(*b - step * g, thr);
        }
        s.k += 1;
        Ok(())
    }

    fn iterate(&self) -> &Vec<f64> {
        &self.state.as_ref().expect("iterate() before init()").beta
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.k)
    }

    fn is_finite(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.beta.iter().all(|v| v.is_finite()))
    }
}
