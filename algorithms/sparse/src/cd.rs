//! Cyclic coordinate descent for the Lasso, keeping the residual `R = y − Xw`, with
//! duality-gap stopping, dynamic gap-safe screening (Ndiaye, Fercoq, Gramfort, Salmon) and
//! working sets (in the spirit of celer / skglm).
//!
//! The coordinate update is `w_j ← S_{λ/‖x_j‖²}(w_j + x_jᵀR/‖x_j‖²)`, `R ← R − Δw_j x_j`,
//! swept cyclically in increasing `j`. Three variants:
//!
//! * `"cd-plain"` ([`CoordinateDescent::plain`]): one `step` = one epoch over all columns.
//!   With a tolerance, the full gap is computed every `gap_every` epochs.
//! * `"cd-screen"` ([`CoordinateDescent::screening_only`]): one `step` = one epoch over the
//!   unscreened columns, then (every `gap_every` epochs) the gap and a screening pass.
//! * `"cd"` ([`CoordinateDescent::new`]): gap-safe screening plus a working set. An *outer*
//!   pass computes `c_j = x_jᵀR` over the unscreened columns, the gap, screens, and picks the
//!   working set: every `j` with `w_j ≠ 0` plus the columns whose constraint the dual point
//!   is closest to violating (`(λ − s|c_j|)/‖x_j‖` smallest), `max(10, 2·nnz(w))` in all.
//!   Each `step` is then one epoch over the working set, followed by the working set's own
//!   gap; once that is below 0.01 × the outer gap, the next step starts with an outer pass.
//!
//! **Gap and screening.** `s = min(1, λ/max|c_j|)`, `gap = ½‖R‖²(1 + s²) + λ‖w‖₁ − s⟨R, y⟩`
//! (the catalogued formula) over the columns considered; screening removes `j` with
//! `s|c_j| + ‖x_j‖√(2·gap) < λ` (then `w⋆_j = 0`; a nonzero `w_j` is zeroed and `R`
//! updated), with rounding margins (see `screen`). Restricting to the unscreened columns is
//! safe: screened coordinates are zero at the optimum, whose residual is unique, so the
//! restricted and full problems share `R⋆`. With a tolerance, once the restricted gap is
//! below it the full gap (all p columns) is computed and, if below too, the solver is
//! `converged` and later steps do nothing.
//!
//! **Work**: one unit per coordinate update (a dot and at most one axpy over a column,
//! ≈ 4·nnz(x_j) flops, the unit in which an ISTA/FISTA iteration costs `p`); each column
//! dot of a gap evaluation counts half a unit.

use crate::not_initialized;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_sparse::kernels::{dot, l1_norm, sq_norm};
use ratebench_sparse::{soft_threshold, Lasso};

/// Working-set size floor (skglm's `p0`).
const WS_MIN: usize = 10;
/// An outer pass happens once the working-set gap is below this fraction of the outer gap.
const INNER_RATIO: f64 = 0.01;
/// Cap on inner epochs per outer pass.
const MAX_INNER: u64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Plain,
    Screen,
    WorkingSet,
}

struct State {
    w: Vec<f64>,
    r: Vec<f64>,
    norms2: Vec<f64>,
    norms: Vec<f64>,
    /// Unscreened columns (sorted).
    active: Vec<usize>,
    /// Columns swept by an epoch (sorted; = `active` except in working-set mode).
    ws: Vec<usize>,
    /// Scratch for choosing the working set.
    order: Vec<usize>,
    corr: Vec<f64>,
    prio: Vec<f64>,
    epochs: u64,
    inner: u64,
    half_units: u64,
    gap: f64,
    outer_gap: f64,
    full_gap: f64,
    need_outer: bool,
    /// `corr[j] = x_jᵀR` holds for every active `j` (computed in `init`, fused with the
    /// column norms, so the first outer pass needs no pass over X).
    corr_fresh: bool,
    converged: bool,
}

/// Lasso coordinate descent (see the module documentation for the three variants).
pub struct CoordinateDescent {
    mode: Mode,
    gap_every: u64,
    tol: Option<f64>,
    start: Option<Vec<f64>>,
    state: Option<State>,
}

impl Default for CoordinateDescent {
    fn default() -> Self {
        Self::new()
    }
}

impl CoordinateDescent {
    fn with_mode(mode: Mode) -> Self {
        Self {
            mode,
            gap_every: 1,
            tol: None,
            start: None,
            state: None,
        }
    }

    /// `"cd"`: gap-safe screening and working sets.
    pub fn new() -> Self {
        Self::with_mode(Mode::WorkingSet)
    }

    /// `"cd-screen"`: dynamic gap-safe screening only, the gap after every epoch.
    pub fn screening_only() -> Self {
        Self::with_mode(Mode::Screen)
    }

    /// `"cd-plain"`: plain cyclic CD (the comparator of the speed-up).
    pub fn plain() -> Self {
        Self::with_mode(Mode::Plain)
    }

    /// Stop (become a no-op) once the full duality gap, in the instance's convention, is
    /// at most `tol`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = Some(tol);
        self
    }

    /// Evaluate gaps every `k` epochs instead of every epoch.
    pub fn gap_every(mut self, k: u64) -> Self {
        self.gap_every = k.max(1);
        self
    }

    /// Starts from `w0` instead of 0.
    pub fn with_start(mut self, w0: Vec<f64>) -> Self {
        self.start = Some(w0);
        self
    }

    /// True once the full gap reached the tolerance.
    pub fn converged(&self) -> bool {
        self.state.as_ref().is_some_and(|s| s.converged)
    }

    /// The kept residual `R = y − Xw`.
    pub fn residual(&self) -> &[f64] {
        &self.state.as_ref().expect("residual() before init()").r
    }

    /// Unscreened coordinates.
    pub fn active(&self) -> &[usize] {
        &self.state.as_ref().expect("active() before init()").active
    }

    /// The columns the next epoch sweeps.
    pub fn working_set(&self) -> &[usize] {
        &self.state.as_ref().expect("working_set() before init()").ws
    }

    /// Epochs done (over the working set in `"cd"`).
    pub fn epochs(&self) -> u64 {
        self.state.as_ref().map_or(0, |s| s.epochs)
    }

    /// The last full (all-columns) gap of the stopping test, in the instance's convention
    /// (NaN before the first).
    pub fn last_full_gap(&self) -> f64 {
        self.state.as_ref().map_or(f64::NAN, |s| s.full_gap)
    }

    /// Runs steps until converged (needs [`Self::tol`]) or `max_epochs`; returns the epochs.
    pub fn solve(&mut self, problem: &Lasso, max_epochs: u64) -> Result<u64> {
        if self.tol.is_none() {
            return Err(Error::invalid(
                "tol",
                "solve() needs a gap tolerance; set .tol(…)",
            ));
        }
        while !self.converged() && self.epochs() < max_epochs {
            self.step(problem)?;
        }
        Ok(self.epochs())
    }
}

/// One epoch over `s.ws` (the hot loop).
fn epoch(problem: &Lasso, s: &mut State) {
    let x = problem.data().x();
    let lambda = problem.lambda();
    let ws = &s.ws;
    for (k, &j) in ws.iter().enumerate() {
        let nj = s.norms2[j];
        let old = s.w[j];
        let c = x.col_dot_ahead(j, ws.get(k + 1).copied().unwrap_or(j), &s.r);
        let new = soft_threshold(old + c / nj, lambda / nj);
        if new != old {
            x.col_axpy(j, old - new, &mut s.r);
            s.w[j] = new;
        }
    }
    s.epochs += 1;
    s.half_units += 2 * s.ws.len() as u64;
}

/// A gap evaluation (plain convention) with what the rounding margins of screening need.
struct GapEval {
    gap: f64,
    /// The dual scaling `s`.
    s: f64,
    /// `‖R‖`.
    r_norm: f64,
    /// A bound on the rounding error of `gap` (the formula's terms times `(n + 10)ε`).
    rounding: f64,
}

/// Which columns a gap is taken over.
#[derive(Clone, Copy)]
enum Cols {
    All,
    Active,
    WorkingSet,
}

/// The gap of the problem restricted to `cols`, filling `corr[j] = x_jᵀR` for them (or
/// reusing them when `s.corr_fresh`).
fn gap_over(problem: &Lasso, s: &mut State, cols: Cols) -> GapEval {
    let x = problem.data().x();
    let p = problem.data().p();
    let list: Option<&[usize]> = match cols {
        Cols::All => None,
        Cols::Active => Some(&s.active),
        Cols::WorkingSet => Some(&s.ws),
    };
    let count = list.map_or(p, <[usize]>::len);
    let mut m = 0.0f64;
    let fresh = std::mem::take(&mut s.corr_fresh) && matches!(cols, Cols::Active);
    for k in 0..count {
        let j = list.map_or(k, |l| l[k]);
        if !fresh {
            let next = list
                .map_or(k + 1, |l| l.get(k + 1).copied().unwrap_or(j))
                .min(p - 1);
            s.corr[j] = x.col_dot_ahead(j, next, &s.r);
        }
        m = m.max(s.corr[j].abs());
    }
    if !fresh {
        s.half_units += count as u64;
    }
    let lambda = problem.lambda();
    let sc = if m > lambda { lambda / m } else { 1.0 };
    let rr = sq_norm(&s.r);
    let ry = dot(&s.r, problem.data().y());
    let l1 = lambda * l1_norm(&s.w);
    let terms = 0.5 * rr * (1.0 + sc * sc) + l1 + sc * ry.abs();
    GapEval {
        gap: 0.5 * rr * (1.0 + sc * sc) + l1 - sc * ry,
        s: sc,
        r_norm: rr.sqrt(),
        rounding: (s.r.len() as f64 + 10.0) * f64::EPSILON * terms,
    }
}

/// Gap-safe screening of the active set with the correlations and gap just computed. Near
/// the optimum the computed gap reaches round-off (it can even be ≤ 0) while active
/// coordinates sit on the boundary `s|c_j| = λ`; so the sphere radius uses
/// `gap + rounding` and `|c_j|` gets its worst-case dot-product error `nε‖x_j‖‖R‖`, which
/// keeps the rule safe in floating point.
fn screen(problem: &Lasso, s: &mut State, g: &GapEval) {
    let x = problem.data().x();
    let lambda = problem.lambda();
    let radius = (2.0 * (g.gap.max(0.0) + g.rounding)).sqrt();
    let dot_err = s.r.len() as f64 * f64::EPSILON * g.r_norm;
    let State {
        w,
        r,
        norms,
        corr,
        active,
        ..
    } = s;
    active.retain(|&j| {
        let keep = g.s * (corr[j].abs() + dot_err * norms[j]) + radius * norms[j] >= lambda;
        if !keep && w[j] != 0.0 {
            x.col_axpy(j, w[j], r);
            w[j] = 0.0;
        }
        keep
    });
}

/// The working set after an outer pass: the nonzeros plus the columns whose dual
/// constraint is tightest, `max(WS_MIN, 2·nnz)` in all, sorted.
fn choose_working_set(problem: &Lasso, s: &mut State, g: &GapEval) {
    let lambda = problem.lambda();
    let State {
        w,
        norms,
        corr,
        prio,
        active,
        ws,
        order,
        ..
    } = s;
    let mut nnz = 0;
    for &j in active.iter() {
        prio[j] = if w[j] != 0.0 {
            nnz += 1;
            -1.0
        } else {
            (lambda - g.s * corr[j].abs()) / norms[j]
        };
    }
    let size = (2 * nnz).max(WS_MIN).min(active.len());
    order.clear();
    order.extend_from_slice(active);
    if size > 0 && size < order.len() {
        order.select_nth_unstable_by(size - 1, |&a, &b| prio[a].total_cmp(&prio[b]));
    }
    ws.clear();
    ws.extend_from_slice(&order[..size]);
    ws.sort_unstable();
}

/// If the restricted gap `g` is below `tol`, checks the full gap; returns convergence.
fn check_tol(
    problem: &Lasso,
    s: &mut State,
    g: &GapEval,
    restricted: bool,
    tol: Option<f64>,
) -> bool {
    let Some(tol) = tol else { return false };
    let scale = problem.scale();
    if g.gap * scale > tol {
        return false;
    }
    s.full_gap = if restricted {
        gap_over(problem, s, Cols::All).gap * scale
    } else {
        g.gap * scale
    };
    s.converged = s.full_gap <= tol;
    s.converged
}

impl CoordinateDescent {
    fn step_plain_or_screen(&self, problem: &Lasso, s: &mut State) {
        epoch(problem, s);
        let screening = self.mode == Mode::Screen;
        if !(screening || self.tol.is_some()) || !s.epochs.is_multiple_of(self.gap_every) {
            return;
        }
        let g = gap_over(problem, s, if screening { Cols::Active } else { Cols::All });
        s.gap = g.gap * problem.scale();
        if screening {
            screen(problem, s, &g);
            let State { active, ws, .. } = s;
            ws.clear();
            ws.extend_from_slice(active);
        }
        check_tol(problem, s, &g, screening, self.tol);
    }

    fn step_working_set(&self, problem: &Lasso, s: &mut State) {
        if s.need_outer {
            let g = gap_over(problem, s, Cols::Active);
            s.outer_gap = g.gap;
            s.gap = g.gap * problem.scale();
            if check_tol(problem, s, &g, true, self.tol) {
                return;
            }
            screen(problem, s, &g);
            choose_working_set(problem, s, &g);
            s.need_outer = false;
            s.inner = 0;
        }
        epoch(problem, s);
        s.inner += 1;
        if s.inner.is_multiple_of(self.gap_every) {
            let g = gap_over(problem, s, Cols::WorkingSet);
            s.gap = g.gap * problem.scale();
            s.need_outer = g.gap <= INNER_RATIO * s.outer_gap || s.inner >= MAX_INNER;
        }
    }
}

impl Solver for CoordinateDescent {
    type Problem = Lasso;
    type Iterate = Vec<f64>;

    fn name(&self) -> &'static str {
        match self.mode {
            Mode::Plain => "cd-plain",
            Mode::Screen => "cd-screen",
            Mode::WorkingSet => "cd",
        }
    }

    fn init(&mut self, problem: &Lasso, _rng: &mut Rng) -> Result<()> {
        if let Some(t) = self.tol {
            ratebench_core::error::check::positive("tol", t)?;
        }
        let data = problem.data();
        let p = data.p();
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
        let r = if self.start.is_some() {
            problem.residual(&w)
        } else {
            data.y().to_vec()
        };
        // One pass over X: the column norms and, for the working-set variant, the first
        // correlations x_jᵀR (counted as work).
        let fuse = self.mode == Mode::WorkingSet;
        let mut corr = vec![0.0; p];
        let norms2: Vec<f64> = (0..p)
            .map(|j| {
                if fuse {
                    corr[j] = data.x().col_dot_ahead(j, (j + 1).min(p - 1), &r);
                }
                data.x().col_sq_norm(j)
            })
            .collect();
        // Zero columns never move: leave them out (their w_j must be 0).
        let active: Vec<usize> = (0..p).filter(|&j| norms2[j] > 0.0).collect();
        let mut ws = Vec::with_capacity(p);
        ws.extend_from_slice(&active);
        self.state = Some(State {
            half_units: if fuse { active.len() as u64 } else { 0 },
            corr_fresh: fuse,
            r,
            w,
            norms: norms2.iter().map(|v| v.sqrt()).collect(),
            norms2,
            active,
            ws,
            order: Vec::with_capacity(p),
            corr,
            prio: vec![0.0; p],
            epochs: 0,
            inner: 0,
            gap: f64::NAN,
            outer_gap: f64::INFINITY,
            full_gap: f64::NAN,
            need_outer: self.mode == Mode::WorkingSet,
            converged: false,
        });
        Ok(())
    }

    fn step(&mut self, problem: &Lasso) -> Result<()> {
        let mut s = self.state.take().ok_or_else(|| not_initialized("cd"))?;
        if !s.converged {
            match self.mode {
                Mode::WorkingSet => self.step_working_set(problem, &mut s),
                _ => self.step_plain_or_screen(problem, &mut s),
            }
        }
        self.state = Some(s);
        Ok(())
    }

    fn iterate(&self) -> &Vec<f64> {
        &self.state.as_ref().expect("iterate() before init()").w
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.half_units.div_ceil(2))
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &["active", "working_set", "gap_internal"]
    }

    fn extras(&self, out: &mut [f64]) {
        if let Some(s) = &self.state {
            out[0] = s.active.len() as f64;
            out[1] = s.ws.len() as f64;
            out[2] = s.gap;
        }
    }

    fn is_finite(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|s| s.w.iter().all(|v| v.is_finite()))
    }
}
