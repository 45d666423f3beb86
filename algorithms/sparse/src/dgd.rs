//! Decentralized gradient descent on `w = u∘u − v∘v` (Wu & Sun), m agents in one process.
//!
//! Agent `i` holds a consecutive block `(X_i, y_i)` of `n_i` samples and its own `(u_i, v_i)`;
//! with `f_i = (1/n_i)‖X_iw − y_i‖²` and `g_i = (1/n_i)X_iᵀ(X_iw_i − y_i)`, one round is
//!
//! `u_i ← Σ_j W_ij u_j − 4η g_i∘u_i`, `v_i ← Σ_j W_ij v_j + 4η g_i∘v_i`
//!
//! (gradient at the agent's own iterate, Metropolis `W`). The iterate is the agent mean
//! `w̄ = (1/m)Σ_i (u_i∘u_i − v_i∘v_i)`. Work: communication rounds (one per step). With
//! `m = 1` this is [`crate::ImplicitGd`] bit for bit.

use crate::implicit::ls_gradient;
use crate::not_initialized;
use faer::Par;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_sparse::{Design, LsWorkspace, Network, RegressionData};

struct Agent {
    x: Design,
    y: Vec<f64>,
    /// `(j, W_ij)` for `j ∈ {i} ∪ N(i)`, in increasing `j`.
    mix: Vec<(usize, f64)>,
    ws: LsWorkspace,
    g: Vec<f64>,
}

struct State {
    agents: Vec<Agent>,
    u: Vec<Vec<f64>>,
    v: Vec<Vec<f64>>,
    u_next: Vec<Vec<f64>>,
    v_next: Vec<Vec<f64>>,
    w: Vec<Vec<f64>>,
    w_bar: Vec<f64>,
    rounds: u64,
}

/// DGD over a [`Network`] (built by the caller: it fixes the graph, the weights and the
/// split of the samples).
pub struct Dgd {
    network: Network,
    alpha: f64,
    eta: f64,
    par: Par,
    state: Option<State>,
}

impl Dgd {
    /// DGD with initialization scale `alpha` and step `eta` over `network`.
    pub fn new(network: Network, alpha: f64, eta: f64) -> Self {
        Self {
            network,
            alpha,
            eta,
            par: Par::Seq,
            state: None,
        }
    }

    pub fn threads(mut self, threads: usize) -> Self {
        self.par = ratebench_core::par(threads);
        self
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Agent `i`'s `w_i` (after `init`).
    pub fn agent_iterate(&self, i: usize) -> &[f64] {
        &self
            .state
            .as_ref()
            .expect("agent_iterate() before init()")
            .w[i]
    }

    /// `(1/m)Σ_i ‖w_i − w̄‖²`, the consensus error.
    pub fn consensus_error(&self) -> f64 {
        let Some(s) = &self.state else {
            return f64::NAN;
        };
        let m = s.w.len() as f64;
        s.w.iter()
            .map(|wi| {
                wi.iter()
                    .zip(&s.w_bar)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / m
    }

    fn mean_into(w: &[Vec<f64>], out: &mut [f64]) {
        let inv_m = 1.0 / w.len() as f64;
        for (k, o) in out.iter_mut().enumerate() {
            let mut acc = 0.0;
            for wi in w {
                acc += wi[k];
            }
            *o = acc * inv_m;
        }
    }
}

impl Solver for Dgd {
    type Problem = RegressionData;
    type Iterate = Vec<f64>;

    fn name(&self) -> &'static str {
        "dgd"
    }

    fn init(&mut self, data: &RegressionData, _rng: &mut Rng) -> Result<()> {
        check::positive("alpha", self.alpha)?;
        check::positive("eta", self.eta)?;
        let m = self.network.m();
        let (first, last) = (self.network.block(0), self.network.block(m - 1));
        if first.0 != 0 || last.0 + last.1 != data.n() {
            return Err(Error::invalid(
                "network",
                format!(
                    "splits {} samples but the data have n = {}; build the network with n = {}",
                    last.0 + last.1,
                    data.n(),
                    data.n()
                ),
            ));
        }
        let p = data.p();
        let wts = self.network.weights();
        let agents = (0..m)
            .map(|i| {
                let (start, len) = self.network.block(i);
                let mut mix: Vec<(usize, f64)> = std::iter::once(i)
                    .chain(self.network.graph().neighbors(i).iter().copied())
                    .map(|j| (j, wts[(i, j)]))
                    .collect();
                mix.sort_by_key(|e| e.0);
                let x = data.x().row_block(start, len);
                Agent {
                    ws: LsWorkspace::new(&x, true),
                    x,
                    y: data.y()[start..start + len].to_vec(),
                    mix,
                    g: vec![0.0; p],
                }
            })
            .collect();
        let start = vec![vec![self.alpha; p]; m];
        self.state = Some(State {
            agents,
            u_next: start.clone(),
            v_next: start.clone(),
            u: start.clone(),
            v: start,
            w: vec![vec![0.0; p]; m],
            w_bar: vec![0.0; p],
            rounds: 0,
        });
        Ok(())
    }

    fn step(&mut self, _data: &RegressionData) -> Result<()> {
        let (par, eta) = (self.par, self.eta);
        let s = self.state.as_mut().ok_or_else(|| not_initialized("dgd"))?;
        for (a, w) in s.agents.iter_mut().zip(&s.w) {
            ls_gradient(&a.x, &a.y, w, &mut a.ws, &mut a.g, par);
        }
        let p = s.w_bar.len();
        for (i, a) in s.agents.iter().enumerate() {
            let (un, vn) = (&mut s.u_next[i], &mut s.v_next[i]);
            un.fill(0.0);
            vn.fill(0.0);
            for &(j, wij) in &a.mix {
                let (uj, vj) = (&s.u[j], &s.v[j]);
                for k in 0..p {
                    un[k] += wij * uj[k];
                    vn[k] += wij * vj[k];
                }
            }
        }
        std::mem::swap(&mut s.u, &mut s.u_next);
        std::mem::swap(&mut s.v, &mut s.v_next);
        // s.u now holds the mixed values; the gradient term uses the agent's own previous
        // iterate, which is in s.u_next.
        for (i, a) in s.agents.iter().enumerate() {
            let (mixed_u, own_u) = (&mut s.u[i], &s.u_next[i]);
            let (mixed_v, own_v) = (&mut s.v[i], &s.v_next[i]);
            for k in 0..p {
                let c = 4.0 * eta * a.g[k];
                mixed_u[k] -= c * own_u[k];
                mixed_v[k] += c * own_v[k];
                s.w[i][k] = mixed_u[k] * mixed_u[k] - mixed_v[k] * mixed_v[k];
            }
        }
        Self::mean_into(&s.w, &mut s.w_bar);
        s.rounds += 1;
        Ok(())
    }

    fn iterate(&self) -> &Vec<f64> {
        &self.state.as_ref().expect("iterate() before init()").w_bar
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.rounds)
    }

    fn is_finite(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.w_bar.iter().all(|v| v.is_finite()))
    }
}
