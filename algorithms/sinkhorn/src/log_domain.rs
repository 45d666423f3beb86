//! Log-domain Sinkhorn: coordinate ascent on the dual potential with stable log-sum-exps.

use crate::kernels::{lse_line, rescale_rows, row_accumulate, row_max_update};
use crate::workers::Workers;
use crate::{not_initialized, validate_threads};
use ratebench_core::rng::Rng;
use ratebench_core::{Result, Solver};
use ratebench_ot::{OtIterate, OtProblem};

/// Columns per block of the row accumulation: a block of `C` (`BLOCK · n` doubles, 1 MB at
/// n = 4000) stays in L2 between its passes.
const BLOCK: usize = 32;
/// Rows per tile of the row accumulation, so that the tile's shifts, sums and block maxima
/// (3 · 8 KB) stay in L1 while the block's columns stream from L2.
const TILE: usize = 1024;

/// One thread's share of the row update: running shifts `max` and sums `sum` over its
/// columns, the maxima of the current block, and a column of scratch.
struct RowAcc {
    max: Vec<f64>,
    sum: Vec<f64>,
    block_max: Vec<f64>,
    column: Vec<f64>,
    w_block: [f64; BLOCK],
}

impl RowAcc {
    fn new(n: usize) -> Self {
        Self {
            max: vec![0.0; n],
            sum: vec![0.0; n],
            block_max: vec![0.0; n],
            column: vec![0.0; n],
            w_block: [0.0; BLOCK],
        }
    }
}

/// Log-domain Sinkhorn iterations on preallocated buffers (shared with SNS's first stage):
/// `x_i ← (1/η)[ln a_i − LSE_j(η y_j − 1 − η C_ij)]`, then
/// `y_j ← (1/η)[ln b_j − LSE_i(η x_i − 1 − η C_ij)]`.
///
/// Both updates read the column-major `C` in **one sweep** per iteration: column `j`'s
/// log-sum-exp gives `y_j` (two passes over the column, exact maximum as shift), and the
/// same columns, while in cache, feed the *next* row update through a blocked online
/// log-sum-exp — per block of [`BLOCK`] columns the exact row maxima, a rescaling of the
/// running row sums to the new maxima, then the terms `exp(η y_j − 1 − η C_ij − max_i)`.
/// Every exponential is of a value ≤ 0 shifted by an exact maximum, the largest term of each
/// sum is 1: no overflow and no zero mass at any ε. Threads take contiguous column ranges; the
/// row sums of the ranges are merged in thread order (deterministic for a thread count).
pub(crate) struct LogPasses {
    workers: Workers,
    acc: Vec<RowAcc>,
    /// `η x − 1` for the column log-sum-exps.
    w_rows: Vec<f64>,
    /// The row update from the current `y` (computed during the previous sweep).
    x_next: Vec<f64>,
    primed: bool,
}

impl LogPasses {
    /// The per-thread buffers (`O((n + m)·threads)`; no copy of `C`) and the pool.
    pub(crate) fn new(problem: &OtProblem, threads: usize, solver: &str) -> Result<Self> {
        let n = problem.n();
        let workers = Workers::new(threads, solver)?;
        let acc = (0..workers.threads()).map(|_| RowAcc::new(n)).collect();
        Ok(Self {
            workers,
            acc,
            w_rows: vec![0.0; n],
            x_next: vec![0.0; n],
            primed: false,
        })
    }

    /// One full iteration: `x` from `y` (the update computed by the previous sweep), then the
    /// sweep giving the new `y` and the next `x`. The first call also computes the row update
    /// from the starting `y` (one extra pass over `C`). `x`, `y` must not be changed between
    /// calls.
    pub(crate) fn iterate(&mut self, problem: &OtProblem, x: &mut [f64], y: &mut [f64]) {
        if !self.primed {
            self.sweep(problem, y, false);
            self.primed = true;
        }
        x.copy_from_slice(&self.x_next);
        let eta = problem.eta();
        self.w_rows
            .iter_mut()
            .zip(x.iter())
            .for_each(|(w, x)| *w = eta.mul_add(*x, -1.0));
        self.sweep(problem, y, true);
    }

    /// Over column ranges in parallel: (if `columns`) `y_j` from `w_rows`; then the blocked
    /// online row log-sum-exp with the (new) `y`; finally `x_next` from the merged row sums.
    fn sweep(&mut self, problem: &OtProblem, y: &mut [f64], columns: bool) {
        let (eta, c, log_b) = (problem.eta(), problem.cost(), problem.log_b());
        let w_rows = &self.w_rows;
        // Reset every thread's sums here: with fewer column ranges than threads (m small),
        // some accumulators get no columns and must merge as neutral elements.
        for acc in &mut self.acc {
            acc.max.fill(f64::NEG_INFINITY);
            acc.sum.fill(0.0);
        }
        self.workers.for_blocks(y, &mut self.acc, |first, ys, acc| {
            for (b, yb) in ys.chunks_mut(BLOCK).enumerate() {
                let j0 = first + b * BLOCK;
                for (k, yj) in yb.iter_mut().enumerate() {
                    if columns {
                        let lse = lse_line(c.col_as_slice(j0 + k), w_rows, eta, &mut acc.column);
                        *yj = (log_b[j0 + k] - lse) / eta;
                    }
                    acc.w_block[k] = eta.mul_add(*yj, -1.0);
                }
                let n = acc.max.len();
                for i0 in (0..n).step_by(TILE) {
                    let i1 = (i0 + TILE).min(n);
                    let (m, s, bm) = (
                        &mut acc.max[i0..i1],
                        &mut acc.sum[i0..i1],
                        &mut acc.block_max[i0..i1],
                    );
                    bm.fill(f64::NEG_INFINITY);
                    for k in 0..yb.len() {
                        row_max_update(&c.col_as_slice(j0 + k)[i0..i1], acc.w_block[k], eta, bm);
                    }
                    rescale_rows(m, bm, s);
                    for k in 0..yb.len() {
                        row_accumulate(&c.col_as_slice(j0 + k)[i0..i1], acc.w_block[k], eta, m, s);
                    }
                }
            }
        });
        self.merge(problem);
    }

    /// `x_next_i = (ln a_i − M_i − ln S_i)/η` with `M_i = max_k max_k,i` and
    /// `S_i = Σ_k sum_k,i · exp(max_k,i − M_i)` over the threads in order.
    fn merge(&mut self, problem: &OtProblem) {
        let eta = problem.eta();
        let (first, others) = self.acc.split_first().expect("at least one thread");
        for (i, xn) in self.x_next.iter_mut().enumerate() {
            let shift = others.iter().fold(first.max[i], |m, a| m.max(a.max[i]));
            let mut total = if others.is_empty() {
                first.sum[i]
            } else {
                first.sum[i] * crate::exp::exp(first.max[i] - shift)
            };
            for a in others {
                total += a.sum[i] * crate::exp::exp(a.max[i] - shift);
            }
            *xn = (problem.log_a()[i] - shift - total.ln()) / eta;
        }
    }
}

/// Log-domain Sinkhorn (`sinkhorn-log`) from `x = y = 0`, CLAIMS.md §4. One step = one full
/// iteration (row update, then column update: `(2 + 1/32)nm` exponentials, one sweep over
/// `C`; the first step makes one extra pass); work = `n + m` row/column updates per step.
/// After a step the column marginal is exact, so the marginal error is the row term. Never
/// overflows or underflows (see the shifts above).
pub struct SinkhornLog {
    threads: usize,
    passes: Option<LogPasses>,
    it: OtIterate,
    iters: u64,
    size: u64,
}

impl SinkhornLog {
    /// Sequential.
    pub fn new() -> Self {
        Self::with_threads(1)
    }

    /// With `threads` threads inside each sweep (fixed column ranges, row sums merged in
    /// thread order: bit-identical results for a given thread count).
    pub fn with_threads(threads: usize) -> Self {
        Self {
            threads,
            passes: None,
            it: OtIterate::zero_dual(0, 0),
            iters: 0,
            size: 0,
        }
    }
}

impl Default for SinkhornLog {
    fn default() -> Self {
        Self::new()
    }
}

impl Solver for SinkhornLog {
    type Problem = OtProblem;
    type Iterate = OtIterate;

    fn name(&self) -> &'static str {
        crate::names::SINKHORN_LOG
    }

    fn init(&mut self, problem: &OtProblem, _rng: &mut Rng) -> Result<()> {
        validate_threads(self.threads)?;
        let (n, m) = problem.shape();
        self.passes = Some(LogPasses::new(problem, self.threads, self.name())?);
        self.it = OtIterate::zero_dual(n, m);
        self.iters = 0;
        self.size = (n + m) as u64;
        Ok(())
    }

    fn step(&mut self, problem: &OtProblem) -> Result<()> {
        let (Some(passes), OtIterate::Dual { x, y }) = (self.passes.as_mut(), &mut self.it) else {
            return Err(not_initialized(crate::names::SINKHORN_LOG));
        };
        passes.iterate(problem, x, y);
        self.iters += 1;
        Ok(())
    }

    fn iterate(&self) -> &OtIterate {
        &self.it
    }

    fn work(&self) -> Option<u64> {
        Some(self.iters * self.size)
    }

    fn is_finite(&self) -> bool {
        self.it.is_finite()
    }
}
