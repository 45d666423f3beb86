//! Greenkhorn (Altschuler, Weed, Rigollet 2017): greedy row/column Sinkhorn updates.

use crate::kernels::dot;
use crate::scaling::{gibbs_kernel, underflow};
use crate::{names, not_initialized};
use faer::Mat;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_ot::{check_matrix_memory, OtIterate, OtProblem};

/// `ρ(a, b) = b − a + a ln(a/b)`, the greedy score of a marginal entry `b` against its target
/// `a`, computed without cancellation as `a (u − ln(1 + u))` with `u = b/a − 1` (CLAIMS.md §4:
/// evaluated as written it cancels when `b ≈ a` and Greenkhorn appears to stall). For
/// `|u| < 0.01`, `u − ln(1 + u)` itself would still lose `log₁₀(1/u)` digits, so it is summed
/// as its series `u²/2 − u³/3 + … + u¹⁰/10` (truncation < 1e-17 relative): ρ is accurate to a
/// few ulps for every `b`. `ρ ≥ 0`, `ρ(a, a) = 0`, `ρ(a, 0) = +∞`.
pub fn greedy_rho(a: f64, b: f64) -> f64 {
    let u = b / a - 1.0;
    a * u_minus_log1p(u)
}

/// `u − ln(1 + u)` for `u ≥ −1`, accurate near 0.
fn u_minus_log1p(u: f64) -> f64 {
    if u.abs() < 0.01 {
        // Σ_{k=2}^{10} (−1)^k u^k / k in Horner form: u² (1/2 − u (1/3 − u (1/4 − …))).
        let mut s = 1.0 / 10.0;
        for k in (2..10).rev() {
            s = 1.0 / k as f64 - u * s;
        }
        u * u * s
    } else {
        u - u.ln_1p()
    }
}

/// Greenkhorn (`greenkhorn`) on `A = diag(u) K diag(v)`, `K = exp(−ηC)`, starting from the
/// normalized kernel `A = K / ΣK` (`u = 1/ΣK`, `v = 1`). One step = **one** row or column
/// update: the row `i` maximizing `ρ(a_i, r_i(A))` or the column `j` maximizing
/// `ρ(b_j, c_j(A))`, whichever is larger (ties: the row, then the lowest index), is rescaled
/// to its marginal. Each update reads one row or column of `K` (O(n + m) with the ρ refresh
/// and the argmax scans); `work()` counts updates, so `n + m` updates match one Sinkhorn
/// iteration on the work axis.
///
/// The row and column sums of `A` are maintained incrementally and recomputed from scratch
/// every `recompute_every` updates (default `n + m`; CLAIMS.md §4: incremental sums alone
/// stall near 1e-9). A recomputation costs two passes over `K` and is not counted as work.
///
/// Extras: `rho` (the score of the update just made) and `recomputed` (1 if the sums were
/// recomputed after it).
pub struct Greenkhorn {
    recompute_every: Option<u64>,
    state: Option<State>,
    it: OtIterate,
    updates: u64,
    last_rho: f64,
    recomputed: bool,
}

struct State {
    /// `K`, column-major (column `j` contiguous).
    k: Mat<f64>,
    /// `K` row-major (row `i` contiguous).
    kt: Vec<f64>,
    rows: Vec<f64>,
    cols: Vec<f64>,
    rho_rows: Vec<f64>,
    rho_cols: Vec<f64>,
    period: u64,
}

impl Greenkhorn {
    /// Recomputes the sums every `n + m` updates.
    pub fn new() -> Self {
        Self {
            recompute_every: None,
            state: None,
            it: OtIterate::Scaling {
                u: Vec::new(),
                v: Vec::new(),
            },
            updates: 0,
            last_rho: 0.0,
            recomputed: false,
        }
    }

    /// Recomputes the sums every `period` updates (≥ 1).
    pub fn recompute_every(mut self, period: u64) -> Self {
        self.recompute_every = Some(period);
        self
    }
}

impl Default for Greenkhorn {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    /// Row and column sums of `diag(u) K diag(v)` from scratch, and every ρ.
    fn recompute(&mut self, problem: &OtProblem, u: &[f64], v: &[f64]) {
        let (n, m) = problem.shape();
        for (i, (r, ui)) in self.rows.iter_mut().zip(u).enumerate() {
            *r = ui * dot(&self.kt[i * m..(i + 1) * m], v);
        }
        for (j, (c, vj)) in self.cols.iter_mut().zip(v).enumerate() {
            *c = vj * dot(self.k.col_as_slice(j), u);
        }
        for i in 0..n {
            self.rho_rows[i] = greedy_rho(problem.a()[i], self.rows[i]);
        }
        for j in 0..m {
            self.rho_cols[j] = greedy_rho(problem.b()[j], self.cols[j]);
        }
    }
}

/// Index and value of the largest entry (lowest index on ties; NaN never wins).
fn argmax(v: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &x) in v.iter().enumerate() {
        if x > best.1 {
            best = (i, x);
        }
    }
    best
}

/// The sums and scores of the side whose sums change when a line of the other side is
/// rescaled.
struct Other<'a> {
    scale: &'a [f64],
    sums: &'a mut [f64],
    rho: &'a mut [f64],
    targets: &'a [f64],
}

/// Rescales one line (a row of `K` with `other` = columns, or a column with `other` = rows)
/// so that its sum becomes `target`; the other side's sums and scores move by the change.
/// Returns the line's sum `Σ_k K_k s_k` if it is not a positive normal number.
fn update_line(
    kline: &[f64],
    scale: &mut f64,
    target: f64,
    own_sum: &mut f64,
    other: Other<'_>,
) -> Option<f64> {
    let s = dot(kline, other.scale);
    if !(s.is_finite() && s >= f64::MIN_POSITIVE) {
        return Some(s);
    }
    let new = target / s;
    let delta = new - *scale;
    *scale = new;
    *own_sum = target;
    for (k, &kk) in kline.iter().enumerate() {
        other.sums[k] = (delta * kk).mul_add(other.scale[k], other.sums[k]);
        other.rho[k] = greedy_rho(other.targets[k], other.sums[k]);
    }
    None
}

impl Solver for Greenkhorn {
    type Problem = OtProblem;
    type Iterate = OtIterate;

    fn name(&self) -> &'static str {
        names::GREENKHORN
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &["rho", "recomputed"]
    }

    fn extras(&self, out: &mut [f64]) {
        out[0] = self.last_rho;
        out[1] = f64::from(u8::from(self.recomputed));
    }

    fn init(&mut self, problem: &OtProblem, _rng: &mut Rng) -> Result<()> {
        let (n, m) = problem.shape();
        if self.recompute_every == Some(0) {
            return Err(Error::invalid(
                "recompute_every",
                "must be >= 1 update, got 0",
            ));
        }
        check_matrix_memory(
            "n",
            "Greenkhorn's K and its row-major copy (2 matrices)",
            2 * n,
            m,
        )?;
        let k = gibbs_kernel(problem, self.name(), false)?;
        let mut kt = vec![0.0; n * m];
        let mut total = 0.0;
        for j in 0..m {
            for (i, &v) in k.col_as_slice(j).iter().enumerate() {
                kt[i * m + j] = v;
            }
            total += k.col_as_slice(j).iter().sum::<f64>();
        }
        let (u, v) = (vec![1.0 / total; n], vec![1.0; m]);
        let mut st = State {
            k,
            kt,
            rows: vec![0.0; n],
            cols: vec![0.0; m],
            rho_rows: vec![0.0; n],
            rho_cols: vec![0.0; m],
            period: self.recompute_every.unwrap_or((n + m) as u64),
        };
        st.recompute(problem, &u, &v);
        self.state = Some(st);
        self.it = OtIterate::Scaling { u, v };
        self.updates = 0;
        self.last_rho = 0.0;
        self.recomputed = false;
        Ok(())
    }

    fn step(&mut self, problem: &OtProblem) -> Result<()> {
        let (Some(s), OtIterate::Scaling { u, v }) = (self.state.as_mut(), &mut self.it) else {
            return Err(not_initialized(names::GREENKHORN));
        };
        let m = problem.m();
        let (i, rho_i) = argmax(&s.rho_rows);
        let (j, rho_j) = argmax(&s.rho_cols);
        let failure = if rho_i >= rho_j {
            self.last_rho = rho_i;
            let other = Other {
                scale: v,
                sums: &mut s.cols,
                rho: &mut s.rho_cols,
                targets: problem.b(),
            };
            s.rho_rows[i] = 0.0;
            update_line(
                &s.kt[i * m..(i + 1) * m],
                &mut u[i],
                problem.a()[i],
                &mut s.rows[i],
                other,
            )
            .map(|sum| format!("(K v)_{i} = {sum:e}"))
        } else {
            self.last_rho = rho_j;
            let other = Other {
                scale: u,
                sums: &mut s.rows,
                rho: &mut s.rho_rows,
                targets: problem.a(),
            };
            s.rho_cols[j] = 0.0;
            update_line(
                s.k.col_as_slice(j),
                &mut v[j],
                problem.b()[j],
                &mut s.cols[j],
                other,
            )
            .map(|sum| format!("(Kᵀ u)_{j} = {sum:e}"))
        };
        if let Some(what) = failure {
            return Err(underflow(
                names::GREENKHORN,
                problem,
                format!("{what} at update {}", self.updates + 1),
            ));
        }
        self.updates += 1;
        self.recomputed = self.updates.is_multiple_of(s.period);
        if self.recomputed {
            s.recompute(problem, u, v);
        }
        Ok(())
    }

    fn iterate(&self) -> &OtIterate {
        &self.it
    }

    fn work(&self) -> Option<u64> {
        Some(self.updates)
    }

    fn is_finite(&self) -> bool {
        self.it.is_finite()
    }
}
