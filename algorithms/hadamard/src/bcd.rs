//! Block-coordinate descent with exact block solves (`Hadamard_BCD`, `BCD_multiple`).

use crate::lsq::BlockLsq;
use crate::momentum::{Momentum, MomentumState};
use crate::simd::{combine, multiversion, outer_col, RLANES};
use crate::{col, flops, Init};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use ratebench_core::rng::Rng;
use ratebench_core::{memory, Error, Result, Solver};
use ratebench_hadamard::{HadamardFactors, HadamardProblem, MAX_FACTORS};
use serde::{Deserialize, Serialize};

/// In which order the factors are visited within an outer iteration (each factor: its `H`
/// block, then its `W` block).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorOrder {
    /// `H_K, W_K, …, H_1, W_1`: for `K = 2` the block order H2, W2, H1, W1 of
    /// `Hadamard_BCD` (the catalogue's).
    #[default]
    Descending,
    /// `H_1, W_1, …, H_K, W_K`: the loop `for k in range(n_factors)` of `BCD_multiple`.
    Ascending,
}

/// Configuration of [`Bcd`]; every field is public so a family can build it from a spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BcdConfig {
    /// Number of factors `K` (2 ≤ K ≤ 8).
    pub factors: usize,
    /// Rank `r` of every factor.
    pub rank: usize,
    /// Starting point (computed in `Solver::init`, timed as `init_s`).
    pub init: Init,
    /// Ang–Gillis extrapolation; `None` = plain BCD.
    pub momentum: Option<Momentum>,
    /// Factor visiting order.
    pub order: FactorOrder,
    /// Threads inside one step (1 = sequential, the default). Results are deterministic
    /// for a given count.
    pub threads: usize,
}

impl BcdConfig {
    /// Two factors of rank `r`, scaled SVD init, no momentum, order H2, W2, H1, W1, one
    /// thread: the catalogue's plain BCD.
    pub fn new(rank: usize) -> Self {
        Self {
            factors: 2,
            rank,
            init: Init::Svd,
            momentum: None,
            order: FactorOrder::Descending,
            threads: 1,
        }
    }

    /// The authors' `BCD_multiple` with `k` factors: unscaled recursive SVD init
    /// (`initialization_multiple`), ascending factor order, momentum with the default
    /// constants.
    pub fn multiple(k: usize, rank: usize) -> Self {
        Self {
            factors: k,
            init: Init::SvdUnscaled,
            momentum: Some(Momentum::default()),
            order: FactorOrder::Ascending,
            ..Self::new(rank)
        }
    }

    /// With the catalogue's momentum constants.
    pub fn with_momentum(mut self) -> Self {
        self.momentum = Some(Momentum::default());
        self
    }

    /// With another initialization.
    pub fn with_init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// With `threads` threads per step.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The solver name (see [`Bcd`]).
    pub fn name(&self) -> &'static str {
        const PLAIN: [&str; MAX_FACTORS + 1] = [
            "bcd", "bcd", "bcd", "bcd-k3", "bcd-k4", "bcd-k5", "bcd-k6", "bcd-k7", "bcd-k8",
        ];
        const MOMENTUM: [&str; MAX_FACTORS + 1] = [
            "bcd-momentum",
            "bcd-momentum",
            "bcd-momentum",
            "bcd-momentum-k3",
            "bcd-momentum-k4",
            "bcd-momentum-k5",
            "bcd-momentum-k6",
            "bcd-momentum-k7",
            "bcd-momentum-k8",
        ];
        let k = self.factors.min(MAX_FACTORS);
        if self.momentum.is_some() {
            MOMENTUM[k]
        } else {
            PLAIN[k]
        }
    }

    /// Checks the configuration against an `m × n` problem.
    pub fn validate(&self, m: usize, n: usize) -> Result<()> {
        ratebench_hadamard::check_fit(m, n, self.factors, self.rank)?;
        if self.threads == 0 {
            return Err(Error::invalid(
                "threads",
                "must be at least 1 (1 = sequential)",
            ));
        }
        if let Some(mo) = &self.momentum {
            mo.validate()?;
        }
        Ok(())
    }

    /// Analytic floating-point operations of one outer iteration (see [`flops`]).
    pub fn flops_per_iter(&self, m: usize, n: usize) -> u64 {
        flops::bcd_per_iter(m, n, self.factors, self.rank, self.momentum.is_some())
    }
}

/// Block-coordinate descent for `X ≈ (W₁H₁)∘…∘(W_KH_K)` with the exact column least squares
/// of `hadamardLS_exact` (see [`crate::lsq`]: one Gram GEMM and one right-hand-side GEMM per
/// block, then `r × r` Cholesky solves, pseudo-inverse for singular systems).
///
/// One outer iteration visits the factors in [`BcdConfig::order`]; for factor `k`,
/// `S = Π_{i≠k} W_iH_i` (for `K = 2`: the other factor's product), then the `H_k` block and
/// the `W_k` block, then `P_k = W_kH_k` is refreshed. The relative error of the new iterate
/// is computed inside `step` (the momentum rule needs it; it is also reported as the extra
/// `step_rel_err`).
///
/// **Momentum** (Ang–Gillis, [`Momentum`]): every block is extrapolated right after its
/// solve, `B ← B_new + β(B_new − B_prev)`, and the extrapolated value is used by the later
/// blocks. If the error of the outer iteration did not decrease, the **previous iterate is
/// restored** bit for bit (the undo of `Hadamard_BCD_multiple.py` and of the reference
/// prototype, chosen over the partial undo of `Hadamard_BCD.py`, which leaves
/// `B_new − β²(B_new − B_prev)`), `β̄ ← β`, `β ← β/ν`; the error kept for the next comparison is that of the
/// restored iterate, i.e. the previous error (`Hadamard_BCD_multiple.py` instead keeps the
/// rejected error in its history).
///
/// **Names**: `bcd` / `bcd-momentum` for `K = 2`, `bcd-k{K}` / `bcd-momentum-k{K}` for
/// `K ≥ 3` (initialization and order are part of the configuration, not the name).
///
/// **Work** ([`Solver::work`]): cumulative floating-point operations (unit: flop, one
/// multiply or add; analytic count of [`flops::bcd_per_iter`], plus `K` products of
/// `2mnr` when an iteration is undone). **Extras**: `beta` (β used by the last step, 0 for
/// plain BCD), `step_rel_err`, `undone` (1 if the last step was undone), `pinv_solves`
/// (systems of the last step solved by the pseudo-inverse).
///
/// **Kernels**: per block one Gram GEMM, one right-hand-side GEMM and the vectorized row
/// solves ([`crate::lsq`]); `P_k = W_kH_k` is a fused register-blocked kernel for `r < 8`
/// (which for `K = 2` also forms the next block's `S∘S`, `S∘X` and the error in the same
/// pass) and a GEMM from `r = 8` on. With `threads > 1` the GEMMs and the row solves run in
/// parallel; the result is bit-identical to one thread.
///
/// `step` does not allocate (all buffers come from `init`); with `threads > 1`, rayon's
/// task bookkeeping is the only other cost.
pub struct Bcd {
    cfg: BcdConfig,
    state: Option<State>,
}

struct State {
    it: HadamardFactors,
    /// Start-of-iteration copy: the extrapolation's `B_prev` and the undo's backup.
    prev: Option<HadamardFactors>,
    products: Vec<Mat<f64>>,
    s2: Mat<f64>,
    sx: Mat<f64>,
    lsq: BlockLsq,
    momentum: Option<(Momentum, MomentumState)>,
    order: Vec<usize>,
    /// The factor whose weights `s2`, `sx` currently hold (`None`: stale).
    weights_for: Option<usize>,
    err: f64,
    beta_used: f64,
    undone: bool,
    pinv: usize,
    flops: u64,
    flops_per_iter: u64,
    par: Par,
}

impl Bcd {
    /// A solver for `cfg` (validated in `init`, against the problem).
    pub fn new(cfg: BcdConfig) -> Self {
        Self { cfg, state: None }
    }

    /// The configuration.
    pub fn config(&self) -> &BcdConfig {
        &self.cfg
    }

    /// The relative error of the current iterate as computed by the last `init`/`step`.
    pub fn error(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.err)
    }

    fn bytes(&self, m: usize, n: usize) -> u64 {
        let (k, r) = (self.cfg.factors as u64, self.cfg.rank as u64);
        let mn = (m as u64) * (n as u64);
        let factors = k * r * (m + n) as u64 * if self.cfg.momentum.is_some() { 2 } else { 1 };
        memory::f64s((k + 2) * mn + factors)
            + BlockLsq::bytes(m.max(n), self.cfg.rank, self.cfg.threads)
    }
}

impl Solver for Bcd {
    type Problem = HadamardProblem;
    type Iterate = HadamardFactors;

    fn name(&self) -> &'static str {
        self.cfg.name()
    }

    fn init(&mut self, problem: &HadamardProblem, rng: &mut Rng) -> Result<()> {
        let (m, n) = problem.shape();
        self.cfg.validate(m, n)?;
        memory::check(
            "r",
            "the BCD buffers (K + 2 m × n matrices)",
            self.bytes(m, n),
        )?;
        let (k, r) = (self.cfg.factors, self.cfg.rank);
        let par = ratebench_core::par(self.cfg.threads);
        // The SVDs of the initialization run sequentially: faer's parallel SVD rounds
        // differently, and with sequential SVDs the whole run is bit-identical for every
        // thread count (the GEMMs and the row solves are).
        let it = self.cfg.init.start(problem.x(), k, r, rng, Par::Seq)?;
        let mut products: Vec<Mat<f64>> = (0..k).map(|_| Mat::zeros(m, n)).collect();
        for (i, p) in products.iter_mut().enumerate() {
            refresh(it.w(i), it.ht(i), p, par);
        }
        let mut s2 = Mat::zeros(m, n);
        let err = rel_error(&products, problem.x(), problem.x_norm(), &mut s2);
        let order = match self.cfg.order {
            FactorOrder::Descending => (0..k).rev().collect(),
            FactorOrder::Ascending => (0..k).collect(),
        };
        self.state = Some(State {
            prev: self.cfg.momentum.map(|_| it.clone()),
            it,
            products,
            s2,
            sx: Mat::zeros(m, n),
            lsq: BlockLsq::new(m.max(n), r, self.cfg.threads),
            momentum: self.cfg.momentum.map(|mo| (mo, MomentumState::new(&mo))),
            order,
            weights_for: None,
            err,
            beta_used: 0.0,
            undone: false,
            pinv: 0,
            flops: 0,
            flops_per_iter: self.cfg.flops_per_iter(m, n),
            par,
        });
        Ok(())
    }

    fn step(&mut self, problem: &HadamardProblem) -> Result<()> {
        let s = self
            .state
            .as_mut()
            .ok_or_else(|| Error::numerical("bcd", "step() called before init()"))?;
        s.step(problem);
        Ok(())
    }

    fn iterate(&self) -> &HadamardFactors {
        &self.state.as_ref().expect("iterate() before init()").it
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.flops)
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &["beta", "step_rel_err", "undone", "pinv_solves"]
    }

    fn extras(&self, out: &mut [f64]) {
        if let Some(s) = &self.state {
            out[0] = s.beta_used;
            out[1] = s.err;
            out[2] = if s.undone { 1.0 } else { 0.0 };
            out[3] = s.pinv as f64;
        }
    }

    fn is_finite(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.it.is_finite())
    }
}

impl State {
    fn step(&mut self, problem: &HadamardProblem) {
        let beta = self.momentum.as_ref().map_or(0.0, |(_, st)| st.beta);
        self.beta_used = beta;
        self.pinv = 0;
        let mut sq_err = None;
        for idx in 0..self.order.len() {
            sq_err = self.update_factor(idx, problem.x(), beta);
        }
        self.flops += self.flops_per_iter;
        let err = match sq_err {
            Some(sq) => sq.sqrt() / problem.x_norm(),
            None => rel_error(&self.products, problem.x(), problem.x_norm(), &mut self.s2),
        };
        self.undone = false;
        let Some((mo, st)) = self.momentum.as_mut() else {
            self.err = err;
            return;
        };
        if err < self.err {
            st.accept(mo);
            self.err = err;
            return;
        }
        st.reject(mo);
        self.undone = true;
        let prev = self.prev.as_ref().expect("momentum keeps a backup");
        self.it.copy_from(prev);
        let (m, n) = problem.shape();
        for (i, p) in self.products.iter_mut().enumerate() {
            refresh(self.it.w(i), self.it.ht(i), p, self.par);
        }
        self.weights_for = None;
        self.flops += self.products.len() as u64 * 2 * (m * n * self.it.rank()) as u64;
    }

    /// Factor `k = order[idx]`: the `H_k` block, then the `W_k` block, then `P_k = W_kH_k`.
    /// For `K = 2` the refresh of `P_k` also forms the next factor's weights (its `S` is
    /// `P_k`) and, after the last factor, the squared error, which it returns.
    fn update_factor(&mut self, idx: usize, x: MatRef<'_, f64>, beta: f64) -> Option<f64> {
        let k = self.order[idx];
        if self.weights_for != Some(k) {
            weights(&self.products, k, x, &mut self.s2, &mut self.sx);
        }
        let (w, ht) = self.it.parts_mut();
        let mut prev = self.prev.as_mut().map(|p| p.parts_mut());
        if let Some((_, pht)) = prev.as_mut() {
            pht[k].copy_from(&ht[k]);
        }
        self.pinv += self.lsq.solve(
            ht[k].as_mut(),
            w[k].as_ref(),
            self.s2.transpose(),
            self.sx.transpose(),
        );
        if let Some((pw, pht)) = prev.as_mut() {
            extrapolate(&mut ht[k], &pht[k], beta);
            pw[k].copy_from(&w[k]);
        }
        self.pinv += self.lsq.solve(
            w[k].as_mut(),
            ht[k].as_ref(),
            self.s2.as_ref(),
            self.sx.as_ref(),
        );
        if let Some((pw, _)) = prev.as_mut() {
            extrapolate(&mut w[k], &pw[k], beta);
        }
        let (wk, hk) = (w[k].as_ref(), ht[k].as_ref());
        if self.products.len() != 2 {
            refresh(wk, hk, &mut self.products[k], self.par);
            self.weights_for = None;
            return None;
        }
        let (p, other) = two(&mut self.products, k);
        let done = product(wk, hk, p, self.par);
        if idx == 0 {
            refresh_weights(wk, hk, x, p, &mut self.s2, &mut self.sx, done);
            self.weights_for = Some(self.order[1]);
            None
        } else {
            let sq = refresh_weights_error(wk, hk, x, other, p, &mut self.s2, &mut self.sx, done);
            self.weights_for = Some(self.order[0]);
            Some(sq)
        }
    }
}

/// `(&mut products[k], &products[1 − k])` of a pair.
fn two(products: &mut [Mat<f64>], k: usize) -> (&mut Mat<f64>, &Mat<f64>) {
    let (a, b) = products.split_at_mut(1);
    if k == 0 {
        (&mut a[0], &b[0])
    } else {
        (&mut b[0], &a[0])
    }
}

/// Below this rank the product `P = W H` is the fused register-blocked [`outer_col`]; from
/// it on, faer's GEMM is faster (longer dependency chains per row block).
const THIN_RANK: usize = 8;

/// `p = W H` (from `w` and `ht = Hᵀ`); returns whether it was computed (GEMM) or is left to
/// the fused kernels.
fn product(w: MatRef<'_, f64>, ht: MatRef<'_, f64>, p: &mut Mat<f64>, par: Par) -> bool {
    if w.ncols() < THIN_RANK {
        return false;
    }
    matmul(p.as_mut(), Accum::Replace, w, ht.transpose(), 1.0, par);
    true
}

/// `p = W H`.
fn refresh(w: MatRef<'_, f64>, ht: MatRef<'_, f64>, p: &mut Mat<f64>, par: Par) {
    if !product(w, ht, p, par) {
        refresh_thin(w, ht, p);
    }
}

multiversion! {
    /// `p = W H` (from `w` and `ht = Hᵀ`), column by column.
    fn refresh_thin(w: MatRef<'_, f64>, ht: MatRef<'_, f64>, p: &mut Mat<f64>) {
        for j in 0..p.ncols() {
            outer_col(w, ht, j, p.col_as_slice_mut(j));
        }
    }
}

multiversion! {
    /// `p = W H` (unless `done`: `p` already holds it) and the weights of the factor whose
    /// `S` is `p`: `s2 = p∘p`, `sx = p∘x`.
    fn refresh_weights(w: MatRef<'_, f64>, ht: MatRef<'_, f64>, x: MatRef<'_, f64>, p: &mut Mat<f64>, s2: &mut Mat<f64>, sx: &mut Mat<f64>, done: bool) {
        for j in 0..p.ncols() {
            let pj = p.col_as_slice_mut(j);
            if !done {
                outer_col(w, ht, j, pj);
            }
            let (aj, bj) = (s2.col_as_slice_mut(j), sx.col_as_slice_mut(j));
            for (((ai, bi), pi), xi) in aj.iter_mut().zip(bj.iter_mut()).zip(pj.iter()).zip(col(x, j)) {
                *ai = pi * pi;
                *bi = pi * xi;
            }
        }
    }
}

multiversion! {
    /// As `refresh_weights`, also returning `‖x − p∘other‖²` (fixed-order lanes).
    #[allow(clippy::too_many_arguments)]
    fn refresh_weights_error(w: MatRef<'_, f64>, ht: MatRef<'_, f64>, x: MatRef<'_, f64>, other: &Mat<f64>, p: &mut Mat<f64>, s2: &mut Mat<f64>, sx: &mut Mat<f64>, done: bool) -> f64 {
        let mut acc = [0.0; RLANES];
        for j in 0..p.ncols() {
            let pj = p.col_as_slice_mut(j);
            if !done {
                outer_col(w, ht, j, pj);
            }
            let xj = col(x, j);
            sum_sq_diff(&mut acc, xj, pj, other.col_as_slice(j));
            let (aj, bj) = (s2.col_as_slice_mut(j), sx.col_as_slice_mut(j));
            for (((ai, bi), pi), xi) in aj.iter_mut().zip(bj.iter_mut()).zip(pj.iter()).zip(xj) {
                *ai = pi * pi;
                *bi = pi * xi;
            }
        }
        combine(&acc)
    }
}

multiversion! {
    /// `s2 = S∘S`, `sx = S∘X` with `S = Π_{i≠k} P_i`.
    fn weights(products: &[Mat<f64>], k: usize, x: MatRef<'_, f64>, s2: &mut Mat<f64>, sx: &mut Mat<f64>) {
        let first = if k == 0 { 1 } else { 0 };
        for j in 0..x.ncols() {
            let (a, b) = (s2.col_as_slice_mut(j), sx.col_as_slice_mut(j));
            for (ai, pi) in a.iter_mut().zip(products[first].col_as_slice(j)) {
                *ai = *pi;
            }
            for (i, p) in products.iter().enumerate() {
                if i != k && i != first {
                    for (ai, pi) in a.iter_mut().zip(p.col_as_slice(j)) {
                        *ai *= pi;
                    }
                }
            }
            for ((ai, bi), xi) in a.iter_mut().zip(b.iter_mut()).zip(col(x, j)) {
                let s = *ai;
                *ai = s * s;
                *bi = s * xi;
            }
        }
    }
}

multiversion! {
    /// `b ← b + β(b − prev)`.
    fn extrapolate(b: &mut Mat<f64>, prev: &Mat<f64>, beta: f64) {
        for j in 0..b.ncols() {
            for (bi, pi) in b.col_as_slice_mut(j).iter_mut().zip(prev.col_as_slice(j)) {
                *bi += beta * (*bi - pi);
            }
        }
    }
}

multiversion! {
    /// `‖X − Π_k P_k‖_F / ‖X‖_F` from the explicit difference (fixed-order lane sums; `K > 2`
    /// forms the product in `scratch` first).
    pub(crate) fn rel_error(products: &[Mat<f64>], x: MatRef<'_, f64>, x_norm: f64, scratch: &mut Mat<f64>) -> f64 {
        let mut acc = [0.0; RLANES];
        for j in 0..x.ncols() {
            let xc = col(x, j);
            let (a, b) = if products.len() == 2 {
                (products[0].col_as_slice(j), products[1].col_as_slice(j))
            } else {
                let f = scratch.col_as_slice_mut(j);
                f.copy_from_slice(products[0].col_as_slice(j));
                for p in &products[1..products.len() - 1] {
                    for (fi, pi) in f.iter_mut().zip(p.col_as_slice(j)) {
                        *fi *= pi;
                    }
                }
                (scratch.col_as_slice(j), products[products.len() - 1].col_as_slice(j))
            };
            sum_sq_diff(&mut acc, xc, a, b);
        }
        combine(&acc).sqrt() / x_norm
    }
}

/// `acc[l] += Σ (x_i − a_ib_i)²` over the elements `i ≡ l (mod 8)`.
#[inline(always)]
fn sum_sq_diff(acc: &mut [f64; RLANES], x: &[f64], a: &[f64], b: &[f64]) {
    let n = x.len();
    let (a, b) = (&a[..n], &b[..n]);
    let (xs, as_, bs) = (
        x.chunks_exact(RLANES),
        a.chunks_exact(RLANES),
        b.chunks_exact(RLANES),
    );
    let (xr, ar, br) = (xs.remainder(), as_.remainder(), bs.remainder());
    for ((xc, ac), bc) in xs.zip(as_).zip(bs) {
        for l in 0..RLANES {
            let d = xc[l] - ac[l] * bc[l];
            acc[l] += d * d;
        }
    }
    for l in 0..xr.len() {
        let d = xr[l] - ar[l] * br[l];
        acc[l] += d * d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_hadamard::{Generator, HadamardSpec};

    fn problem(seed: u64, spec: HadamardSpec) -> HadamardProblem {
        HadamardProblem::generate(
            &spec,
            &mut SeedPath::new(seed).with("bcd-test").stream("data"),
        )
        .unwrap()
    }

    fn rng() -> Rng {
        SeedPath::new(0).stream("init")
    }

    fn run(cfg: BcdConfig, p: &HadamardProblem, iters: usize) -> (Bcd, Vec<f64>) {
        let mut s = Bcd::new(cfg);
        s.init(p, &mut rng()).unwrap();
        let mut errs = vec![s.error().unwrap()];
        for _ in 0..iters {
            s.step(p).unwrap();
            errs.push(s.error().unwrap());
        }
        (s, errs)
    }

    #[test]
    fn plain_bcd_decreases_the_error_monotonically() {
        for (seed, gen) in [
            (0, Generator::UniformProduct),
            (1, Generator::Uniform),
            (2, Generator::GaussianProduct),
        ] {
            let p = problem(
                seed,
                HadamardSpec {
                    generator: gen,
                    m: 40,
                    n: 30,
                    rank: 3,
                    factors: 2,
                },
            );
            let (s, errs) = run(BcdConfig::new(3), &p, 30);
            for w in errs.windows(2) {
                assert!(
                    w[1] <= w[0] * (1.0 + 1e-12),
                    "{gen:?}: {} -> {}",
                    w[0],
                    w[1]
                );
            }
            assert!(errs[30] < errs[0], "{gen:?}: no progress");
            // The error the step computes is the metric's.
            assert!((p.relative_error(s.iterate()) - errs[30]).abs() < 1e-12);
        }
    }

    #[test]
    fn k_factor_bcd_decreases_monotonically_and_fits_its_own_model() {
        let p = problem(
            3,
            HadamardSpec {
                m: 30,
                n: 30,
                rank: 2,
                factors: 3,
                ..Default::default()
            },
        );
        let mut cfg = BcdConfig::multiple(3, 2);
        cfg.momentum = None;
        let (s, errs) = run(cfg, &p, 60);
        assert_eq!(s.name(), "bcd-k3");
        assert!(errs.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-12)));
        assert!(errs[60] < 0.2 * errs[0], "{} -> {}", errs[0], errs[60]);
    }

    #[test]
    fn one_h_block_is_the_exact_column_least_squares() {
        // After init, the first block (H2) must minimize the error over H2 exactly: the
        // gradient of ‖X − S∘(W2H2)‖² with respect to H2 vanishes.
        let p = problem(
            4,
            HadamardSpec {
                m: 25,
                n: 20,
                rank: 3,
                ..Default::default()
            },
        );
        let mut s = Bcd::new(BcdConfig::new(3));
        s.init(&p, &mut rng()).unwrap();
        let st = s.state.as_mut().unwrap();
        let x = p.x();
        weights(&st.products, 1, x, &mut st.s2, &mut st.sx);
        let (w, ht) = st.it.parts_mut();
        st.lsq.solve(
            ht[1].as_mut(),
            w[1].as_ref(),
            st.s2.transpose(),
            st.sx.transpose(),
        );
        let s1 = &st.products[0];
        let fit = &w[1] * ht[1].transpose();
        let resid = Mat::from_fn(25, 20, |i, j| {
            (x[(i, j)] - s1[(i, j)] * fit[(i, j)]) * s1[(i, j)]
        });
        let grad = w[1].transpose() * &resid; // r × n
        assert!(grad.norm_max() < 1e-10 * x.norm_l2(), "{}", grad.norm_max());
    }

    #[test]
    fn momentum_undo_restores_the_previous_iterate_bit_for_bit() {
        let p = problem(5, HadamardSpec::default());
        let mut s = Bcd::new(BcdConfig::new(5).with_momentum());
        s.init(&p, &mut rng()).unwrap();
        let mut undos = 0;
        for _ in 0..300 {
            let before = s.iterate().clone();
            let err_before = s.error().unwrap();
            s.step(&p).unwrap();
            let mut ex = [0.0; 4];
            s.extras(&mut ex);
            if ex[2] == 1.0 {
                undos += 1;
                assert!(
                    s.iterate() == &before,
                    "undo must restore the factors exactly"
                );
                assert_eq!(s.error().unwrap(), err_before);
                assert_eq!(p.relative_error(s.iterate()), p.relative_error(&before));
            } else {
                assert!(s.error().unwrap() < err_before);
            }
        }
        assert!(
            undos > 0,
            "the test needs at least one rejected extrapolation"
        );
    }

    #[test]
    fn momentum_accelerates_on_the_hd1_instance() {
        let p = problem(6, HadamardSpec::default());
        let (_, plain) = run(BcdConfig::new(5), &p, 150);
        let (_, mom) = run(BcdConfig::new(5).with_momentum(), &p, 150);
        assert!(
            mom[150] < plain[150],
            "momentum {} vs plain {}",
            mom[150],
            plain[150]
        );
        assert!(mom.windows(2).all(|w| w[1] <= w[0]));
    }

    #[test]
    fn threads_give_identical_iterates() {
        let p = problem(
            7,
            HadamardSpec {
                m: 120,
                n: 90,
                rank: 4,
                ..Default::default()
            },
        );
        let go = |t: usize| {
            run(BcdConfig::new(4).with_momentum().with_threads(t), &p, 15)
                .0
                .iterate()
                .clone()
        };
        let one = go(1);
        let two = go(2);
        assert!(two == go(2), "2 threads must be deterministic");
        assert!(one == two, "the row split must not change the arithmetic");
        // Rank ≥ 8: the factor products are (parallel) GEMMs too.
        let go9 = |t: usize| {
            let cfg = BcdConfig::new(9).with_momentum().with_threads(t);
            run(cfg, &p, 8).0.iterate().clone()
        };
        assert!(go9(1) == go9(2));
    }

    #[test]
    fn work_counts_flops_per_iteration_and_extras_are_reported() {
        let p = problem(
            8,
            HadamardSpec {
                m: 20,
                n: 15,
                rank: 2,
                ..Default::default()
            },
        );
        let cfg = BcdConfig::new(2);
        let per = cfg.flops_per_iter(20, 15);
        let (s, _) = run(cfg, &p, 3);
        assert_eq!(s.work(), Some(3 * per));
        assert_eq!(s.extra_names().len(), 4);
        let mut ex = [f64::NAN; 4];
        s.extras(&mut ex);
        assert_eq!((ex[0], ex[2]), (0.0, 0.0));
        assert_eq!(ex[1], s.error().unwrap());
    }

    #[test]
    fn bad_configurations_are_named() {
        let p = problem(
            9,
            HadamardSpec {
                m: 10,
                n: 8,
                rank: 2,
                ..Default::default()
            },
        );
        for (cfg, param) in [
            (BcdConfig::new(0), "r"),
            (BcdConfig::new(9), "r"),
            (
                BcdConfig {
                    factors: 1,
                    ..BcdConfig::new(2)
                },
                "factors",
            ),
            (BcdConfig::new(2).with_threads(0), "threads"),
        ] {
            let e = Bcd::new(cfg).init(&p, &mut rng()).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("invalid {param}:")) && !e.contains('\n'),
                "{e}"
            );
        }
        let mut s = Bcd::new(BcdConfig::new(2));
        assert!(s.step(&p).is_err());
    }
}
