//! The Ciaperoni–Gionis–Mannila gradient baseline
//! (`scaled_alternating_gradient_descent_hadDec` of `maciap/HadamardDecomposition`).

use crate::init::random_product_start;
use crate::simd::{combine, multiversion, outer_col, sum_sq, RLANES};
use crate::{col, flops};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{memory, Error, Result, Solver};
use ratebench_hadamard::{HadamardFactors, HadamardProblem};
use serde::{Deserialize, Serialize};

/// Configuration of [`GdCiaperoni`] (defaults: the authors' `eta = 0.01`,
/// `monitoring_interval = 1000`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GdConfig {
    /// Rank `r` of both factors.
    pub rank: usize,
    /// Initial step η.
    pub eta: f64,
    /// The loss is checked every this many iterations (at `t = 0, c, 2c, …`); η is halved
    /// when it rose since the previous check.
    pub check_every: u64,
}

impl Default for GdConfig {
    fn default() -> Self {
        Self {
            rank: 5,
            eta: 0.01,
            check_every: 1000,
        }
    }
}

impl GdConfig {
    /// Rank `r`, the authors' constants.
    pub fn new(rank: usize) -> Self {
        Self {
            rank,
            ..Self::default()
        }
    }

    /// Checks the configuration against an `m × n` problem.
    pub fn validate(&self, m: usize, n: usize) -> Result<()> {
        ratebench_hadamard::check_fit(m, n, 2, self.rank)?;
        check::positive("eta", self.eta)?;
        if self.check_every == 0 {
            return Err(Error::invalid(
                "check_every",
                "must be at least 1 (the loss is checked every this many iterations)",
            ));
        }
        Ok(())
    }
}

/// Alternating normalized gradient steps on `(A₁, B₁, A₂, B₂)` with `X ≈ (A₁B₁)∘(A₂B₂)`,
/// exactly as catalogued:
///
/// * **init** (data not used): the SVDs of two random U\[0,1) rank-`r` products with `√σ`
///   split into both factors ([`crate::init::random_product_start`]);
/// * **iteration**: `diff = D₁∘D₂ − X` once (`D₁ = A₁B₁`, `D₂ = A₂B₂` from the previous
///   iteration); `A₁ ← A₁ − ηG/‖G‖_F` with `G = (diff∘D₂)B₁ᵀ`; then `B₁` with
///   `G = A₁ᵀ(diff∘D₂)` (the new `A₁`); refresh `D₁`; then `A₂`, `B₂` with `(diff∘D₁)B₂ᵀ`
///   and `A₂ᵀ(diff∘D₁)`; refresh `D₂`. `diff` is not refreshed within the iteration. A zero
///   gradient skips its update (the authors' code would divide by zero);
/// * **step**: `η = 0.01`, halved when the loss `Σ diff²`, checked every 1000 iterations
///   (at the start of iterations 0, 1000, …), rose since the previous check.
///
/// Name `gd-ciaperoni`. **Work**: cumulative flops ([`flops::gd_per_iter`] per iteration,
/// `2mn` per loss check). **Extras**: `eta` (after the last step), `halvings`.
///
/// **Implementation** (sequential): of the six `2mnr` products of an iteration, four are
/// fused into two passes over the columns: the refresh of `D₁` also forms `diff∘D₁` and
/// accumulates `(diff∘D₁)B₂ᵀ`; the refresh of `D₂` also forms the next iteration's `diff`,
/// `diff∘D₂`, `(diff∘D₂)B₁ᵀ` and loss. The two `A_kᵀ(…)` are GEMMs. Every sum has a fixed
/// order, so runs are deterministic; `step` does not allocate.
pub struct GdCiaperoni {
    cfg: GdConfig,
    state: Option<GdState>,
}

struct GdState {
    it: HadamardFactors,
    d1: Mat<f64>,
    diff: Mat<f64>,
    e: Mat<f64>,
    ga: Mat<f64>,
    gb: Mat<f64>,
    eta: f64,
    prev_loss: f64,
    loss: f64,
    t: u64,
    halvings: u32,
    flops: u64,
    flops_per_iter: u64,
}

impl GdCiaperoni {
    /// A solver for `cfg` (validated in `init`).
    pub fn new(cfg: GdConfig) -> Self {
        Self { cfg, state: None }
    }

    /// The current step size η.
    pub fn eta(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.eta)
    }
}

impl Solver for GdCiaperoni {
    type Problem = HadamardProblem;
    type Iterate = HadamardFactors;

    fn name(&self) -> &'static str {
        "gd-ciaperoni"
    }

    fn init(&mut self, problem: &HadamardProblem, rng: &mut Rng) -> Result<()> {
        let (m, n) = problem.shape();
        self.cfg.validate(m, n)?;
        let r = self.cfg.rank;
        let bytes = memory::f64s(3 * (m * n) as u64 + 6 * (r * (m + n)) as u64);
        memory::check("r", "the GD buffers (3 m × n matrices)", bytes)?;
        let it = random_product_start(m, n, r, rng, Par::Seq)?;
        let mut d1 = Mat::zeros(m, n);
        let mut diff = Mat::zeros(m, n);
        let mut e = Mat::zeros(m, n);
        let mut ga = Mat::zeros(m, r);
        for j in 0..n {
            outer_col(it.w(0), it.ht(0), j, d1.col_as_slice_mut(j));
        }
        let loss = refresh_residual(
            it.w(1),
            it.ht(1),
            it.ht(0),
            problem.x(),
            &d1,
            &mut diff,
            &mut e,
            &mut ga,
            true,
        );
        self.state = Some(GdState {
            it,
            d1,
            diff,
            e,
            ga,
            gb: Mat::zeros(n, r),
            eta: self.cfg.eta,
            prev_loss: 10e20,
            loss,
            t: 0,
            halvings: 0,
            flops: 0,
            flops_per_iter: flops::gd_per_iter(m, n, r),
        });
        Ok(())
    }

    fn step(&mut self, problem: &HadamardProblem) -> Result<()> {
        let check_every = self.cfg.check_every;
        let s = self
            .state
            .as_mut()
            .ok_or_else(|| Error::numerical("gd-ciaperoni", "step() called before init()"))?;
        s.step(problem, check_every);
        Ok(())
    }

    fn iterate(&self) -> &HadamardFactors {
        &self.state.as_ref().expect("iterate() before init()").it
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.flops)
    }

    fn extra_names(&self) -> &'static [&'static str] {
        &["eta", "halvings"]
    }

    fn extras(&self, out: &mut [f64]) {
        if let Some(s) = &self.state {
            out[0] = s.eta;
            out[1] = f64::from(s.halvings);
        }
    }

    fn is_finite(&self) -> bool {
        self.state.as_ref().is_none_or(|s| s.it.is_finite())
    }
}

impl GdState {
    /// Invariant at the start of iteration `t`: `d1 = A₁B₁`, `diff = D₁∘D₂ − X`,
    /// `e = diff∘D₂`, `ga = e B₁ᵀ` (the first gradient) and, if `t` is a check iteration,
    /// `loss = Σ diff²`. Every product is one of four passes over the columns of `e`.
    fn step(&mut self, problem: &HadamardProblem, check_every: u64) {
        let eta = self.eta;
        let (w, ht) = self.it.parts_mut();
        let (w1, w2) = w.split_at_mut(1);
        let (h1, h2) = ht.split_at_mut(1);
        let (a1, bt1, a2, bt2) = (&mut w1[0], &mut h1[0], &mut w2[0], &mut h2[0]);
        // First factor: A₁ with G = (diff∘D₂)B₁ᵀ, then B₁ with G = A₁ᵀ(diff∘D₂).
        normalized_step(a1, &self.ga, eta);
        left_gradient(&self.e, a1.as_ref(), &mut self.gb);
        normalized_step(bt1, &self.gb, eta);
        // Refresh D₁, form diff∘D₁ (the stale diff, the fresh D₁) and G = (diff∘D₁)B₂ᵀ.
        refresh_d1(
            a1.as_ref(),
            bt1.as_ref(),
            bt2.as_ref(),
            &mut self.d1,
            &self.diff,
            &mut self.e,
            &mut self.ga,
        );
        normalized_step(a2, &self.ga, eta);
        left_gradient(&self.e, a2.as_ref(), &mut self.gb);
        normalized_step(bt2, &self.gb, eta);
        let (m, n) = problem.shape();
        self.flops += self.flops_per_iter;
        if self.t.is_multiple_of(check_every) {
            self.flops += 2 * (m * n) as u64;
            if self.prev_loss < self.loss {
                self.eta *= 0.5;
                self.halvings += 1;
            }
            self.prev_loss = self.loss;
        }
        self.t += 1;
        // Refresh D₂ and the next iteration's diff, e, first gradient (and loss).
        let with_loss = self.t.is_multiple_of(check_every);
        self.loss = refresh_residual(
            a2.as_ref(),
            bt2.as_ref(),
            bt1.as_ref(),
            problem.x(),
            &self.d1,
            &mut self.diff,
            &mut self.e,
            &mut self.ga,
            with_loss,
        );
    }
}

/// `ga += e_j ⊗ b_j`: the rank-one contribution of column `j` of `e` to `E·Bᵀ` (`b_j` is
/// row `j` of `bt`), accumulated over `j` in ascending order.
#[inline(always)]
fn accumulate(ga: &mut Mat<f64>, ej: &[f64], bt: MatRef<'_, f64>, j: usize) {
    for k in 0..ga.ncols() {
        let b = bt[(j, k)];
        for (g, e) in ga.col_as_slice_mut(k).iter_mut().zip(ej) {
            *g = e.mul_add(b, *g);
        }
    }
}

/// `gb = eᵀ a` (`n × r`), a GEMM with a transposed left operand (faer's packed kernel is
/// the fastest option found for this shape).
fn left_gradient(e: &Mat<f64>, a: MatRef<'_, f64>, gb: &mut Mat<f64>) {
    matmul(gb.as_mut(), Accum::Replace, e.transpose(), a, 1.0, Par::Seq);
}

multiversion! {
    /// `d1 = A₁B₁` (from `a`, `bt`), `e = diff∘d1` and `ga = e B₂ᵀ` (from `bt_next`), in one
    /// pass over the columns.
    fn refresh_d1(a: MatRef<'_, f64>, bt: MatRef<'_, f64>, bt_next: MatRef<'_, f64>, d1: &mut Mat<f64>, diff: &Mat<f64>, e: &mut Mat<f64>, ga: &mut Mat<f64>) {
        ga.fill(0.0);
        for j in 0..d1.ncols() {
            let dj = d1.col_as_slice_mut(j);
            outer_col(a, bt, j, dj);
            let ej = e.col_as_slice_mut(j);
            for ((ei, fi), di) in ej.iter_mut().zip(diff.col_as_slice(j)).zip(dj.iter()) {
                *ei = fi * di;
            }
            accumulate(ga, ej, bt_next, j);
        }
    }
}

multiversion! {
    /// With `d2 = A₂B₂` (one column at a time, held in `e` until overwritten):
    /// `diff = d1∘d2 − x`, `e = diff∘d2`, `ga = e B₁ᵀ` (from `bt_next`); returns `Σ diff²`
    /// (fixed-order lanes) when `with_loss`, else 0.
    #[allow(clippy::too_many_arguments)]
    fn refresh_residual(a: MatRef<'_, f64>, bt: MatRef<'_, f64>, bt_next: MatRef<'_, f64>, x: MatRef<'_, f64>, d1: &Mat<f64>, diff: &mut Mat<f64>, e: &mut Mat<f64>, ga: &mut Mat<f64>, with_loss: bool) -> f64 {
        let mut acc = [0.0; RLANES];
        ga.fill(0.0);
        for j in 0..x.ncols() {
            let ej = e.col_as_slice_mut(j);
            outer_col(a, bt, j, ej);
            let fj = diff.col_as_slice_mut(j);
            for (((fi, ei), xi), d1i) in fj.iter_mut().zip(ej.iter_mut()).zip(col(x, j)).zip(d1.col_as_slice(j)) {
                let d2 = *ei;
                *fi = d1i * d2 - xi;
                *ei = *fi * d2;
            }
            if with_loss {
                sum_sq(&mut acc, fj);
            }
            accumulate(ga, ej, bt_next, j);
        }
        combine(&acc)
    }
}

multiversion! {
    /// `f ← f − η g/‖g‖_F` (skipped for a zero gradient). A fixed-order sum of squares:
    /// faer's overflow-safe `norm_l2` costs as much as a GEMM on these thin matrices; it is
    /// the fallback when the plain sum over- or underflows.
    fn normalized_step(f: &mut Mat<f64>, g: &Mat<f64>, eta: f64) {
        let mut acc = [0.0; RLANES];
        for j in 0..g.ncols() {
            sum_sq(&mut acc, g.col_as_slice(j));
        }
        let sq = combine(&acc);
        let norm = if sq.is_normal() { sq.sqrt() } else { g.norm_l2() };
        if norm == 0.0 || !norm.is_finite() {
            return;
        }
        let c = eta / norm;
        for j in 0..f.ncols() {
            for (fi, gi) in f.col_as_slice_mut(j).iter_mut().zip(g.col_as_slice(j)) {
                *fi -= c * gi;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_hadamard::HadamardSpec;

    fn problem(m: usize, n: usize) -> HadamardProblem {
        let spec = HadamardSpec {
            m,
            n,
            rank: 3,
            ..Default::default()
        };
        HadamardProblem::generate(&spec, &mut SeedPath::new(0).with("gd-test").stream("data"))
            .unwrap()
    }

    /// The authors' iteration written naively with fresh allocations, for comparison.
    fn reference_step(f: &mut [Mat<f64>; 4], x: &Mat<f64>, eta: f64) {
        let had = |a: &Mat<f64>, b: &Mat<f64>| {
            Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)] * b[(i, j)])
        };
        let norm_step = |a: &mut Mat<f64>, g: Mat<f64>| *a -= faer::Scale(eta / g.norm_l2()) * g;
        let d2 = &f[2] * &f[3];
        let diff = had(&(&f[0] * &f[1]), &d2) - x;
        let g = had(&diff, &d2) * f[1].transpose();
        norm_step(&mut f[0], g);
        let g = f[0].transpose() * had(&diff, &d2);
        norm_step(&mut f[1], g);
        let d1 = &f[0] * &f[1];
        let g = had(&diff, &d1) * f[3].transpose();
        norm_step(&mut f[2], g);
        let g = f[2].transpose() * had(&diff, &d1);
        norm_step(&mut f[3], g);
    }

    #[test]
    fn iterations_match_the_authors_update_order() {
        let p = problem(30, 25);
        let mut s = GdCiaperoni::new(GdConfig::new(3));
        s.init(&p, &mut SeedPath::new(1).stream("init")).unwrap();
        let it = s.iterate();
        let mut f = [
            it.w(0).to_owned(),
            it.h(0).to_owned(),
            it.w(1).to_owned(),
            it.h(1).to_owned(),
        ];
        let x = p.x().to_owned();
        for _ in 0..20 {
            s.step(&p).unwrap();
            reference_step(&mut f, &x, 0.01);
        }
        let it = s.iterate();
        for (k, (w, h)) in [(0, (&f[0], &f[1])), (1, (&f[2], &f[3]))] {
            assert!((it.w(k) - w).norm_max() < 1e-12, "W{k}");
            assert!((it.h(k) - h).norm_max() < 1e-12, "H{k}");
        }
        assert_eq!(s.work(), Some(20 * flops::gd_per_iter(30, 25, 3) + 2 * 750));
    }

    #[test]
    fn gd_decreases_the_error() {
        let p = problem(20, 20);
        let mut s = GdCiaperoni::new(GdConfig::new(3));
        s.init(&p, &mut SeedPath::new(2).stream("init")).unwrap();
        let e0 = p.relative_error(s.iterate());
        for _ in 0..2000 {
            s.step(&p).unwrap();
        }
        let e1 = p.relative_error(s.iterate());
        assert!(e1 < 0.1 * e0, "{e0} -> {e1}");
    }

    #[test]
    fn eta_is_halved_exactly_when_the_checked_loss_rose() {
        // Long normalized steps overshoot, so the loss rises at some checks.
        let p = problem(20, 20);
        let cfg = GdConfig {
            eta: 0.5,
            check_every: 7,
            ..GdConfig::new(3)
        };
        let mut s = GdCiaperoni::new(cfg);
        s.init(&p, &mut SeedPath::new(2).stream("init")).unwrap();
        let (mut prev, mut want) = (10e20, 0);
        for t in 0..400 {
            if t % 7 == 0 {
                let loss = (p.relative_error(s.iterate()) * p.x_norm()).powi(2);
                if prev < loss {
                    want += 1;
                }
                prev = loss;
            }
            s.step(&p).unwrap();
        }
        let mut ex = [0.0; 2];
        s.extras(&mut ex);
        assert!(want >= 1, "the test needs a rise of the loss");
        assert_eq!(ex[1], want as f64);
        assert_eq!(ex[0], 0.5 * 0.5f64.powi(want));
    }

    #[test]
    fn init_ignores_the_data_and_is_seeded() {
        let (p, q) = (problem(15, 12), {
            let x = Mat::from_fn(15, 12, |i, j| (i + j) as f64 + 1.0);
            HadamardProblem::from_matrix(x, "t").unwrap()
        });
        let start = |pr: &HadamardProblem| {
            let mut s = GdCiaperoni::new(GdConfig::new(2));
            s.init(pr, &mut SeedPath::new(3).stream("init")).unwrap();
            s.iterate().clone()
        };
        assert_eq!(start(&p), start(&q));
    }

    #[test]
    fn bad_configurations_are_named() {
        let p = problem(10, 10);
        for (cfg, param) in [
            (GdConfig::new(0), "r"),
            (GdConfig::new(11), "r"),
            (
                GdConfig {
                    eta: 0.0,
                    ..GdConfig::new(2)
                },
                "eta",
            ),
            (
                GdConfig {
                    check_every: 0,
                    ..GdConfig::new(2)
                },
                "check_every",
            ),
        ] {
            let e = GdCiaperoni::new(cfg)
                .init(&p, &mut SeedPath::new(0).stream("i"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(&format!("invalid {param}:")), "{e}");
        }
    }
}
