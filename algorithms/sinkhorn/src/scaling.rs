//! Sinkhorn in the scaling domain: `u ← a ⊘ Kv`, `v ← b ⊘ Kᵀu` with `K = exp(−ηC)`.

use crate::exp::exp_in_place;
use crate::workers::Workers;
use crate::{not_initialized, validate_threads};
use faer::linalg::matmul::matmul;
use faer::{Accum, ColMut, ColRef, Mat};
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_ot::{check_matrix_memory, OtIterate, OtProblem};

/// `K = exp(−ηC)` (n × m, column-major). Every entry must be a normal double: an entry that
/// underflowed (`ηC_ij > 708`) silently removes the pair `(i, j)` from the problem (the
/// scaling-domain iteration may then stall or converge to another plan without any NaN), so
/// it is reported as the stop reason instead — unless `allow_underflow`, which accepts zero
/// entries as long as no row or column of `K` is entirely zero. Overflow is always refused.
pub(crate) fn gibbs_kernel(
    problem: &OtProblem,
    solver: &str,
    allow_underflow: bool,
) -> Result<Mat<f64>> {
    let (n, m) = problem.shape();
    check_matrix_memory("n", "the Gibbs kernel K = exp(−C/ε)", n, m)?;
    let eta = problem.eta();
    let mut k = Mat::from_fn(n, m, |i, j| -eta * problem.cost()[(i, j)]);
    for j in 0..m {
        exp_in_place(k.col_as_slice_mut(j));
    }
    let normal = |v: f64| v.is_finite() && v >= f64::MIN_POSITIVE;
    let mut bad = 0usize;
    let mut first = None;
    let mut row_ok = vec![false; n];
    for j in 0..m {
        let mut col_ok = false;
        for (i, &kij) in k.col_as_slice(j).iter().enumerate() {
            if normal(kij) {
                row_ok[i] = true;
                col_ok = true;
            } else if allow_underflow && kij.is_finite() {
                continue;
            } else {
                bad += 1;
                first.get_or_insert((i, j, kij));
            }
        }
        if !col_ok && first.is_none() {
            first = Some((0, j, k[(0, j)]));
            bad = 1;
        }
    }
    if first.is_none() {
        if let Some(i) = row_ok.iter().position(|ok| !ok) {
            first = Some((i, 0, k[(i, 0)]));
            bad = 1;
        }
    }
    if let Some((i, j, kij)) = first {
        let what = if allow_underflow {
            format!(
                "a whole row or column of K underflows (K[{i}, {j}] = exp({:.1}) = {kij:e})",
                -eta * problem.cost()[(i, j)]
            )
        } else {
            format!(
                "{bad} of {} entries of K are outside the double range (first: K[{i}, {j}] = exp({:.1}) = {kij:e})",
                n * m,
                -eta * problem.cost()[(i, j)]
            )
        };
        return Err(underflow(solver, problem, what));
    }
    Ok(k)
}

/// The stop reason of a scaling-domain solver whose numbers left the double range.
pub(crate) fn underflow(solver: &str, problem: &OtProblem, what: String) -> Error {
    let (lo, hi) = problem.cost_range();
    Error::numerical(
        solver,
        format!(
            "underflow: {what}; at ε = {:.3e} (η = {:.4}) exp(−ηC) spans exp({:.1}) .. exp({:.1}) and a double holds exp(−708) .. exp(709); use the log-domain solver (sinkhorn-log)",
            problem.epsilon(),
            problem.eta(),
            -problem.eta() * hi,
            -problem.eta() * lo,
        ),
    )
}

/// The first entry of `s` outside the normal positive range, if any.
pub(crate) fn first_abnormal(s: &[f64]) -> Option<(usize, f64)> {
    s.iter()
        .position(|v| !(v.is_finite() && *v >= f64::MIN_POSITIVE))
        .map(|i| (i, s[i]))
}

/// Scaling-domain Sinkhorn (`sinkhorn`): one step = `Kv` and `Kᵀu` (two GEMVs over `K`, faer
/// `matmul`, no allocation) and two divisions; work = `n + m` per step. Starts from `v = 1`
/// (i.e. `y = 0`), so its iterates equal log-domain Sinkhorn's in exact arithmetic.
///
/// When `K` or a scaling leaves the normal double range (e.g. ε = 1e-3 on point clouds), `init`
/// or `step` returns `Error::numerical` "underflow … use the log-domain solver
/// (sinkhorn-log)", which the executor records as the stop reason.
pub struct Sinkhorn {
    threads: usize,
    allow_underflow: bool,
    state: Option<State>,
    it: OtIterate,
    iters: u64,
    size: u64,
}

struct State {
    k: Mat<f64>,
    kv: Vec<f64>,
    ktu: Vec<f64>,
    workers: Workers,
}

impl Sinkhorn {
    /// Sequential.
    pub fn new() -> Self {
        Self::with_threads(1)
    }

    /// With `threads` threads in the two GEMVs (faer's static split: deterministic for a
    /// given thread count).
    pub fn with_threads(threads: usize) -> Self {
        Self {
            threads,
            allow_underflow: false,
            state: None,
            it: OtIterate::Scaling {
                u: Vec::new(),
                v: Vec::new(),
            },
            iters: 0,
            size: 0,
        }
    }

    /// Accepts a kernel with underflowed (zero) entries, as POT and most codes do: those pairs
    /// drop out of the problem. `step` still stops when a scaling leaves the double range.
    pub fn allow_underflow(mut self) -> Self {
        self.allow_underflow = true;
        self
    }

    /// The Gibbs kernel in use (after `init`).
    pub fn kernel(&self) -> Option<&Mat<f64>> {
        self.state.as_ref().map(|s| &s.k)
    }
}

impl Default for Sinkhorn {
    fn default() -> Self {
        Self::new()
    }
}

impl Solver for Sinkhorn {
    type Problem = OtProblem;
    type Iterate = OtIterate;

    fn name(&self) -> &'static str {
        crate::names::SINKHORN
    }

    fn init(&mut self, problem: &OtProblem, _rng: &mut Rng) -> Result<()> {
        validate_threads(self.threads)?;
        let (n, m) = problem.shape();
        let k = gibbs_kernel(problem, self.name(), self.allow_underflow)?;
        self.state = Some(State {
            k,
            kv: vec![0.0; n],
            ktu: vec![0.0; m],
            workers: Workers::new(self.threads, self.name())?,
        });
        self.it = OtIterate::Scaling {
            u: vec![1.0; n],
            v: vec![1.0; m],
        };
        self.iters = 0;
        self.size = (n + m) as u64;
        Ok(())
    }

    fn step(&mut self, problem: &OtProblem) -> Result<()> {
        let (Some(s), OtIterate::Scaling { u, v }) = (self.state.as_mut(), &mut self.it) else {
            return Err(not_initialized(crate::names::SINKHORN));
        };
        let par = s.workers.par();
        let (k, kv, ktu) = (&s.k, &mut s.kv, &mut s.ktu);
        s.workers.install(|| {
            matmul(
                ColMut::from_slice_mut(kv).as_mat_mut(),
                Accum::Replace,
                k.as_ref(),
                ColRef::from_slice(v).as_mat(),
                1.0,
                par,
            )
        });
        if let Some((i, val)) = first_abnormal(kv) {
            return Err(underflow(
                crate::names::SINKHORN,
                problem,
                format!("(K v)_{i} = {val:e} at iteration {}", self.iters + 1),
            ));
        }
        u.iter_mut()
            .zip(kv.iter())
            .zip(problem.a())
            .for_each(|((u, kv), a)| *u = a / kv);
        s.workers.install(|| {
            matmul(
                ColMut::from_slice_mut(ktu).as_mat_mut(),
                Accum::Replace,
                k.transpose(),
                ColRef::from_slice(u).as_mat(),
                1.0,
                par,
            )
        });
        if let Some((j, val)) = first_abnormal(ktu) {
            return Err(underflow(
                crate::names::SINKHORN,
                problem,
                format!("(Kᵀ u)_{j} = {val:e} at iteration {}", self.iters + 1),
            ));
        }
        v.iter_mut()
            .zip(ktu.iter())
            .zip(problem.b())
            .for_each(|((v, ktu), b)| *v = b / ktu);
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
