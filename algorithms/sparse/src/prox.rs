//! ISTA and FISTA (Beck & Teboulle) with step `1/L` on any [`Composite`] problem, FISTA
//! optionally with O'Donoghue–Candès gradient-based adaptive restart.

use crate::{not_initialized, LipschitzRule};
use faer::Par;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_sparse::{soft_threshold, Composite};

struct State<W> {
    w: Vec<f64>,
    w_prev: Vec<f64>,
    z: Vec<f64>,
    grad: Vec<f64>,
    ws: W,
    l: f64,
    t: f64,
    momentum: f64,
    restarted: bool,
    iters: u64,
}

/// Which proximal-gradient scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Ista,
    Fista,
    FistaRestart,
}

/// Proximal gradient `w ← S_{c/L}(w − ∇f(w)/L)` (`"ista"`), FISTA (`"fista"`) and FISTA with
/// adaptive restart (`"fista-restart"`: momentum reset when `⟨z − w⁺, w⁺ − w⟩ > 0`).
///
/// The iterate is `w` (FISTA's `x_k`, not the extrapolated point). `L` is computed in
/// `init` ([`LipschitzRule`]); the start is `w = 0` unless [`ProxGradient::with_start`].
/// Work: `p` coordinate-update equivalents per iteration (`Xz` and `Xᵀr`, 4np flops; on a
/// dense X and one thread both come from one pass over a row-major copy, see
/// [`ratebench_sparse::LsWorkspace`]).
pub struct ProxGradient<P: Composite> {
    scheme: Scheme,
    lipschitz: LipschitzRule,
    par: Par,
    start: Option<Vec<f64>>,
    state: Option<State<P::Workspace>>,
}

impl<P: Composite> ProxGradient<P> {
    fn with_scheme(scheme: Scheme) -> Self {
        Self {
            scheme,
            lipschitz: LipschitzRule::default(),
            par: Par::Seq,
            start: None,
            state: None,
        }
    }

    /// ISTA.
    pub fn ista() -> Self {
        Self::with_scheme(Scheme::Ista)
    }

    /// FISTA.
    pub fn fista() -> Self {
        Self::with_scheme(Scheme::Fista)
    }

    /// FISTA with gradient-based adaptive restart.
    pub fn fista_restart() -> Self {
        Self::with_scheme(Scheme::FistaRestart)
    }

    /// How `L` is obtained.
    pub fn lipschitz(mut self, rule: LipschitzRule) -> Self {
        self.lipschitz = rule;
        self
    }

    /// Threads for the matrix–vector products (deterministic for a given count).
    pub fn threads(mut self, threads: usize) -> Self {
        self.par = ratebench_core::par(threads);
        self
    }

    /// Starts from `w0` instead of 0.
    pub fn with_start(mut self, w0: Vec<f64>) -> Self {
        self.start = Some(w0);
        self
    }

    /// The `L` used (after `init`).
    pub fn l(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.l)
    }
}

impl<P: Composite> Solver for ProxGradient<P> {
    type Problem = P;
    type Iterate = Vec<f64>;

    fn name(&self) -> &'static str {
        match self.scheme {
            Scheme::Ista => "ista",
            Scheme::Fista => "fista",
            Scheme::FistaRestart => "fista-restart",
        }
    }

    fn init(&mut self, problem: &P, rng: &mut Rng) -> Result<()> {
        let p = problem.dim();
        let w = match &self.start {
            Some(w0) if w0.len() != p => {
                return Err(Error::invalid(
                    "start",
                    format!("has {} entries, the problem has {p}", w0.len()),
                ))
            }
            Some(w0) => w0.clone(),
            None => vec![0.0; p],
        };
        let l = self
            .lipschitz
            .resolve(|opts| problem.lipschitz(opts, rng, self.par))?;
        self.state = Some(State {
            w_prev: w.clone(),
            z: w.clone(),
            w,
            grad: vec![0.0; p],
            ws: problem.workspace(),
            l,
            t: 1.0,
            momentum: 0.0,
            restarted: false,
            iters: 0,
        });
        Ok(())
    }

    fn step(&mut self, problem: &P) -> Result<()> {
        let scheme = self.scheme;
        let s = self
            .state
            .as_mut()
            .ok_or_else(|| not_initialized("prox-gradient"))?;
        let (inv_l, thr) = (1.0 / s.l, problem.l1_weight() / s.l);
        // The gradient is taken at z (= w for ISTA, where z is kept equal to w).
        problem.gradient(&s.z, &mut s.grad, &mut s.ws, self.par);
        std::mem::swap(&mut s.w, &mut s.w_prev);
        for ((wi, &zi), &gi) in s.w.iter_mut().zip(&s.z).zip(&s.grad) {
            *wi = soft_threshold(zi - inv_l * gi, thr);
        }
        s.restarted = false;
        match scheme {
            Scheme::Ista => s.z.copy_from_slice(&s.w),
            Scheme::Fista | Scheme::FistaRestart => {
                let restart = scheme == Scheme::FistaRestart && {
                    let mut d = 0.0;
                    for ((&zi, &wi), &pi) in s.z.iter().zip(&s.w).zip(&s.w_prev) {
                        d += (zi - wi) * (wi - pi);
                    }
                    d > 0.0
                };
                if restart {
                    s.t = 1.0;
                    s.momentum = 0.0;
                    s.restarted = true;
                    s.z.copy_from_slice(&s.w);
                } else {
                    let t_next = 0.5 * (1.0 + (1.0 + 4.0 * s.t * s.t).sqrt());
                    s.momentum = (s.t - 1.0) / t_next;
                    s.t = t_next;
                    for ((zi, &wi), &pi) in s.z.iter_mut().zip(&s.w).zip(&s.w_prev) {
                        *zi = wi + s.momentum * (wi - pi);
                    }
                }
            }
        }
        s.iters += 1;
        Ok(())
    }

    fn iterate(&self) -> &Vec<f64> {
        &self.state.as_ref().expect("iterate() before init()").w
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.iters * s.w.len() as u64)
    }

    fn extra_names(&self) -> &'static [&'static str] {
        match self.scheme {
            Scheme::Ista => &["step"],
            _ => &["step", "momentum", "restart"],
        }
    }

    fn extras(&self, out: &mut [f64]) {
        if let Some(s) = &self.state {
            out[0] = 1.0 / s.l;
            if out.len() == 3 {
                out[1] = s.momentum;
                out[2] = f64::from(u8::from(s.restarted));
            }
        }
    }

    fn is_finite(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.w.iter().all(|v| v.is_finite()))
    }
}
