//! Implicit-regularization gradient descent on `w = u∘u − v∘v` (Vaškevičius, Kanade,
//! Rebeschini), with the loss `(1/n)‖Xw − y‖²`:
//!
//! `g = (1/n)Xᵀ(Xw − y)`, `u ← u − 4η∘g∘u`, `v ← v + 4η∘g∘v` (= `u∘(1 − 4ηg)`, …), from
//! `u₀ = v₀ = α1`. The step is per coordinate only for the increasing schedule.
//!
//! Constants (`observers/hyperparameters_tuning.py`), used where not given:
//! * `ŵ_max` from one probe step at `u = v = 1` (where `w = 0`): `ŵ = (4/3)·max_i|g₀_i|`,
//!   `g₀ = −(1/n)Xᵀy` (the repository's `(f_max − 1)/(3·lr)`, with both signs);
//! * `η = 1/(20ŵ)`; `α = min(2ε/(2d+1), ε/ŵ², 1/(2d))`.
//!
//! Increasing steps (`"implicit-gd-increasing"`): phases of `⌈ln(1/α)⌉·(640/rate)`
//! iterations; after phase `m` (from `m = 2` on, as in the repository) the step of every
//! coordinate with `u_i² ≤ c` and `v_i² ≤ c`, `c = 2^{−1−m}ŵ`, doubles.
//!
//! The iterate is `w`; one iteration = one gradient (two matrix–vector products).

use crate::not_initialized;
use faer::Par;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_sparse::kernels::max_abs;
use ratebench_sparse::{LsWorkspace, RegressionData};

struct State {
    u: Vec<f64>,
    v: Vec<f64>,
    w: Vec<f64>,
    ws: LsWorkspace,
    g: Vec<f64>,
    eta: Vec<f64>,
    w_max_hat: f64,
    alpha: f64,
    phase_len: u64,
    phases: u64,
    k: u64,
}

/// Gradient descent on the Hadamard parametrization.
pub struct ImplicitGd {
    alpha: Option<f64>,
    eta: Option<f64>,
    w_max_hat: Option<f64>,
    epsilon: f64,
    rate: Option<u64>,
    par: Par,
    state: Option<State>,
}

/// `ŵ = (4/3)·max|(1/n)Xᵀy|`: what one probe step of the repository estimates
/// (`w_max ≤ ŵ < 2w_max` under RIP).
pub fn probe_w_max(data: &RegressionData) -> f64 {
    let mut g = vec![0.0; data.p()];
    data.x().rmatvec(data.y(), &mut g, Par::Seq);
    4.0 / 3.0 * max_abs(&g) / data.n() as f64
}

impl ImplicitGd {
    /// Constant step `eta` from `u₀ = v₀ = α1` (SR-1…SR-3: η = 1/320).
    pub fn new(alpha: f64, eta: f64) -> Self {
        Self {
            alpha: Some(alpha),
            eta: Some(eta),
            w_max_hat: None,
            epsilon: 1e-3,
            rate: None,
            par: Par::Seq,
            state: None,
        }
    }

    /// The repository's tuning: α and η from the probe estimate `ŵ` and `ε`.
    pub fn tuned(epsilon: f64) -> Self {
        Self {
            alpha: None,
            eta: None,
            epsilon,
            ..Self::new(0.0, 0.0)
        }
    }

    /// The increasing-step schedule with the repository's `rate` (64 in its experiments).
    pub fn increasing(mut self, rate: u64) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Uses `w_max` as `ŵ` (an oracle) instead of the probe.
    pub fn w_max_hat(mut self, w: f64) -> Self {
        self.w_max_hat = Some(w);
        self
    }

    pub fn threads(mut self, threads: usize) -> Self {
        self.par = ratebench_core::par(threads);
        self
    }

    /// `(α, η, ŵ)` in use (after `init`).
    pub fn constants(&self) -> Option<(f64, f64, f64)> {
        self.state
            .as_ref()
            .map(|s| (s.alpha, s.eta.first().copied().unwrap_or(0.0), s.w_max_hat))
    }

    fn resolve(&self, data: &RegressionData) -> Result<(f64, f64, f64)> {
        let d = data.p() as f64;
        let w_hat = match self.w_max_hat {
            Some(w) => {
                check::positive("w_max_hat", w)?;
                w
            }
            None => probe_w_max(data),
        };
        if w_hat.is_nan() || w_hat <= 0.0 {
            return Err(Error::invalid(
                "y",
                "Xᵀy = 0, so the probe cannot estimate w_max; give w_max_hat",
            ));
        }
        let eps = self.epsilon;
        let alpha = match self.alpha {
            Some(a) => a,
            None => {
                check::positive("epsilon", eps)?;
                (2.0 * eps / (2.0 * d + 1.0))
                    .min(eps / (w_hat * w_hat))
                    .min(1.0 / (2.0 * d))
            }
        };
        check::positive("alpha", alpha)?;
        let eta = self.eta.unwrap_or(1.0 / (20.0 * w_hat));
        check::positive("eta", eta)?;
        Ok((alpha, eta, w_hat))
    }
}

/// `u ← u − a∘u`, `v ← v + a∘v`, `w = u² − v²` with `a = 4ηg` (shared with DGD's
/// single-agent case so that both round identically).
#[inline]
pub(crate) fn hadamard_update(u: &mut [f64], v: &mut [f64], w: &mut [f64], g: &[f64], eta: &[f64]) {
    for i in 0..u.len() {
        let a = 4.0 * eta[i] * g[i];
        u[i] -= a * u[i];
        v[i] += a * v[i];
        w[i] = u[i] * u[i] - v[i] * v[i];
    }
}

/// `g ← (1/n)Xᵀ(Xw − y)` (one pass over X with a fused workspace, see [`LsWorkspace`]).
#[inline]
pub(crate) fn ls_gradient(
    x: &ratebench_sparse::Design,
    y: &[f64],
    w: &[f64],
    ws: &mut LsWorkspace,
    g: &mut [f64],
    par: Par,
) {
    ws.gradient(x, y, w, g, par);
    let inv_n = 1.0 / y.len() as f64;
    g.iter_mut().for_each(|gi| *gi *= inv_n);
}

impl Solver for ImplicitGd {
    type Problem = RegressionData;
    type Iterate = Vec<f64>;

    fn name(&self) -> &'static str {
        if self.rate.is_some() {
            "implicit-gd-increasing"
        } else {
            "implicit-gd"
        }
    }

    fn init(&mut self, data: &RegressionData, _rng: &mut Rng) -> Result<()> {
        let (alpha, eta, w_max_hat) = self.resolve(data)?;
        let phase_len = match self.rate {
            Some(rate) => {
                check::in_range("rate", rate as usize, 1, 640)?;
                (640 / rate) * (1.0 / alpha).ln().ceil().max(1.0) as u64
            }
            None => 0,
        };
        let p = data.p();
        self.state = Some(State {
            u: vec![alpha; p],
            v: vec![alpha; p],
            w: vec![0.0; p],
            ws: LsWorkspace::new(data.x(), true),
            g: vec![0.0; p],
            eta: vec![eta; p],
            w_max_hat,
            alpha,
            phase_len,
            phases: 0,
            k: 0,
        });
        Ok(())
    }

    fn step(&mut self, data: &RegressionData) -> Result<()> {
        let par = self.par;
        let s = self
            .state
            .as_mut()
            .ok_or_else(|| not_initialized("implicit-gd"))?;
        ls_gradient(data.x(), data.y(), &s.w, &mut s.ws, &mut s.g, par);
        hadamard_update(&mut s.u, &mut s.v, &mut s.w, &s.g, &s.eta);
        s.k += 1;
        if s.phase_len > 0 && s.k.is_multiple_of(s.phase_len) {
            s.phases += 1;
            if s.phases >= 2 {
                let cutoff = 0.5f64.powi(1 + s.phases as i32) * s.w_max_hat;
                for i in 0..s.u.len() {
                    if s.u[i] * s.u[i] <= cutoff && s.v[i] * s.v[i] <= cutoff {
                        s.eta[i] *= 2.0;
                    }
                }
            }
        }
        Ok(())
    }

    fn iterate(&self) -> &Vec<f64> {
        &self.state.as_ref().expect("iterate() before init()").w
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &["eta_max"]
    }

    fn extras(&self, out: &mut [f64]) {
        if let Some(s) = &self.state {
            out[0] = s.eta.iter().fold(0.0f64, |a, &b| a.max(b));
        }
    }

    fn is_finite(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.w.iter().all(|v| v.is_finite()))
    }
}
