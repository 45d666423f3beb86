//! # ratebench-factored
//!
//! Factored gradient methods for `M ≈ XXᵀ` or `M ≈ FGᵀ`, written once against the
//! [`FactoredLoss`] interface so that they run on factorization and on sensing alike:
//!
//! | solver | update (symmetric form) |
//! |---|---|
//! | [`Gd`] | `X ← X − η∇f(X)` (asymmetric: simultaneous `F`, `G`; optional one-step rebalancing) |
//! | [`ScaledGd`] | `X ← X − η∇f(X)(XᵀX + λI)⁻¹` (λ = 0: ScaledGD; λ > 0: ScaledGD(λ)) |
//! | [`PrecGd`] | `X ← X − η∇f(X)(XᵀX + λ_t I)⁻¹`, `λ_t = c·‖A(XXᵀ) − y‖` (damping ∝ √f) |
//! | [`SubGm`] | `U ← U − η₀ρᵗ(1/m)Σ sign(r_i)(A_i + A_iᵀ)U` (ℓ₁ loss, [`MeasurementLoss`]) |
//! | [`L2Gd`] | `U ← U − η(1/m)Σ r_i A_i U` (SubGM's ℓ₂ comparator) |
//!
//! Every `step` works in buffers allocated by `init`. `.threads(n)` on any solver computes
//! its gradients with `n` threads (deterministic for a given `n`; default 1).
//!
//! ```
//! use ratebench_core::{rng::SeedPath, Solver};
//! use ratebench_lowrank::{InitScaling, InitSpec, LowRankProblem, LowRankSpec};
//! use ratebench_factored::ScaledGd;
//! let p = LowRankProblem::generate(&LowRankSpec { n: 20, r: 3, kappa: 100.0, ..Default::default() },
//!                                  &mut SeedPath::new(0).stream("data")).unwrap();
//! let mut s = ScaledGd::new(0.5, 1e-2, 6, InitSpec::symmetric(1e-7, InitScaling::SqrtN));
//! s.init(&p, &mut SeedPath::new(0).stream("init")).unwrap();
//! for _ in 0..200 { s.step(&p).unwrap(); }
//! let ratebench_lowrank::Factors::Sym(x) = s.iterate() else { unreachable!() };
//! assert!((x * x.transpose() - p.target()).norm_l2() < 1e-8);
//! ```

mod gd;
mod precond;
mod rebalance;
mod subgm;

pub use gd::Gd;
pub use precond::{PrecGd, ScaledGd};
pub use rebalance::rebalance;
pub use subgm::{L2Gd, SubGm};

use faer::{Mat, MatMut, MatRef};
use ratebench_core::{error::check, Result};
use ratebench_lowrank::FactoredLoss;

pub use ratebench_lowrank::{Factors, InitSpec};

/// Shared configuration check: η > 0, k ≥ 1.
fn validate(eta: f64, k: usize) -> Result<()> {
    check::positive("eta", eta)?;
    check::in_range("k", k, 1, usize::MAX)
}

/// `x ← x − eta · d`, column by column (no allocation).
fn axpy(mut x: MatMut<'_, f64>, eta: f64, d: MatRef<'_, f64>) {
    for j in 0..x.ncols() {
        let dj = d.col(j);
        let mut xj = x.as_mut().col_mut(j);
        for i in 0..xj.nrows() {
            xj[i] -= eta * dj[i];
        }
    }
}

/// Gradient buffers shaped like the iterate.
struct Buffers<W> {
    grad_a: Mat<f64>,
    grad_b: Mat<f64>,
    ws: W,
}

impl<W> Buffers<W> {
    fn new<P: FactoredLoss<Workspace = W>>(problem: &P, it: &Factors, threads: usize) -> Self {
        let (n1, n2) = problem.shape();
        let k = it.rank();
        let second = if matches!(it, Factors::Asym { .. }) {
            n2
        } else {
            0
        };
        Buffers {
            grad_a: Mat::zeros(n1, k),
            grad_b: Mat::zeros(second, k),
            ws: problem.workspace(k, threads),
        }
    }
}

/// Error for a solver used before `init`.
fn not_initialized(name: &str) -> ratebench_core::Error {
    ratebench_core::Error::numerical(name, "step() called before init()")
}
