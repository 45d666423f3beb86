//! # ratebench-sparse-solvers
//!
//! Sparse-regression solvers as [`ratebench_core::Solver`] state machines, on the problems
//! of `ratebench-sparse` (CLAIMS.md §5). `init` allocates every buffer and computes `L`
//! where needed (power iteration); `step` allocates nothing.
//!
//! | name | type | problem | step | iterate | work unit |
//! |---|---|---|---|---|---|
//! | `ista` | [`ProxGradient::ista`] | any [`Composite`] | `w ← S_{c/L}(w − ∇f(w)/L)` | `w` | `p` per iteration |
//! | `fista` | [`ProxGradient::fista`] | any [`Composite`] | Beck–Teboulle | `x_k` | `p` per iteration |
//! | `fista-restart` | [`ProxGradient::fista_restart`] | any [`Composite`] | FISTA + gradient restart | `x_k` | `p` per iteration |
//! | `cd` | [`CoordinateDescent::new`] | [`Lasso`] | one epoch over the working set (+ its gap; outer pass: full gap, gap-safe screening, new working set) | `w` | coordinate updates (+½ per gap column) |
//! | `cd-screen` | [`CoordinateDescent::screening_only`] | [`Lasso`] | one epoch over the unscreened columns + gap + gap-safe screening | `w` | coordinate updates (+½ per gap column) |
//! | `cd-plain` | [`CoordinateDescent::plain`] | [`Lasso`] | one cyclic epoch | `w` | coordinate updates |
//! | `ag-proposed` | [`NonconvexAg`] ([`AgSettings::Proposed`]) | [`PenalizedLs`] | Ghadimi–Lan, Yang et al.'s damping | `β_ag` | gradients |
//! | `ag-original` | [`NonconvexAg`] ([`AgSettings::Original`]) | [`PenalizedLs`] | Ghadimi–Lan, original | `β_ag` | gradients |
//! | `pg` | [`PenalizedProxGradient`] | [`PenalizedLs`] | `β ← S_{λ/L}(β − ∇f(β)/L)` | `β` | gradients |
//! | `implicit-gd` | [`ImplicitGd::new`] | [`RegressionData`] | GD on `u∘u − v∘v`, constant η | `w` | iterations |
//! | `implicit-gd-increasing` | [`ImplicitGd::increasing`] | [`RegressionData`] | doubling steps per phase | `w` | iterations |
//! | `dgd` | [`Dgd`] | [`RegressionData`] + [`Network`] | decentralized GD on `u∘u − v∘v` | agent mean `w̄` | communication rounds |
//!
//! **Common work unit for the Lasso** (`ista`, `fista`, `fista-restart`, `cd`, `cd-screen`,
//! `cd-plain`):
//! one *coordinate-update equivalent* = one dot product and one axpy over a column of X
//! (≈ 4·nnz(x_j) flops). An ISTA/FISTA iteration (`Xz`, then `Xᵀr`) costs `p` of them, a CD
//! coordinate update one, a column of a CD gap evaluation half of one. So `work()` puts CD
//! epochs and ISTA/FISTA iterations on one axis.
//!
//! **Extras** (per step): ISTA `step` (1/L); FISTA also `momentum` ((t_k − 1)/t_{k+1}) and
//! `restart` (1 when the momentum was reset); CD `active` (unscreened coordinates),
//! `working_set` (columns the next epoch sweeps) and `gap_internal` (its last gap of the
//! restricted problem, in the instance's convention);
//! AG `alpha_k`, `beta_k`, `lambda_k`; implicit GD `eta_max`.
//!
//! **Gradients** `Xᵀ(Xw − y)` (ISTA/FISTA on the Lasso, AG, PG, implicit GD, DGD) come from
//! [`ratebench_sparse::LsWorkspace`]: on a dense X and one thread, one pass over a row-major
//! copy made in `init` (half the memory traffic of two matrix–vector products); otherwise
//! two products. CD reads X column by column and keeps `R`.
//!
//! Parallelism: `.threads(n)` on the solvers that use matrix–vector products (default 1,
//! the fused one-pass kernel; n > 1 uses faer's parallel products, whose static splits keep
//! results deterministic for a given `n`).
//!
//! ```
//! use ratebench_core::{rng::SeedPath, Solver};
//! use ratebench_sparse::{Convention, Lasso, RegressionSpec, Regularization};
//! use ratebench_sparse_solvers::CoordinateDescent;
//! let data = RegressionSpec::lasso_sr7().generate(&SeedPath::new(0).with("SR-7")).unwrap();
//! let lasso = Lasso::new(data, Regularization::Fraction { fraction: 0.1 }, Convention::Sklearn).unwrap();
//! let mut cd = CoordinateDescent::new().tol(1e-12);
//! cd.init(&lasso, &mut SeedPath::new(0).stream("init")).unwrap();
//! cd.solve(&lasso, 1000).unwrap();
//! // The catalogued gap at the returned point certifies it.
//! assert!(cd.converged() && lasso.gap(cd.iterate()).gap <= 1e-12);
//! ```

mod ag;
mod cd;
mod dgd;
mod implicit;
mod prox;

pub use ag::{AgSettings, NonconvexAg, PenalizedProxGradient};
pub use cd::CoordinateDescent;
pub use dgd::Dgd;
pub use implicit::{probe_w_max, ImplicitGd};
pub use prox::ProxGradient;

pub use ratebench_sparse::{
    Composite, Lasso, Network, PenalizedLs, PowerIteration, RegressionData,
};

use ratebench_core::{error::check, Error, Result};

/// How a solver obtains its Lipschitz constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LipschitzRule {
    /// Power iteration in `init` (exact constants where the problem knows them).
    Power(PowerIteration),
    /// A given value.
    Given(f64),
}

impl Default for LipschitzRule {
    fn default() -> Self {
        LipschitzRule::Power(PowerIteration::default())
    }
}

impl LipschitzRule {
    fn resolve(&self, estimate: impl FnOnce(PowerIteration) -> f64) -> Result<f64> {
        let l = match *self {
            LipschitzRule::Given(l) => l,
            LipschitzRule::Power(opts) => estimate(opts),
        };
        check::positive("L", l).map_err(|_| {
            Error::invalid(
                "L",
                format!("the Lipschitz constant is {l}; X is zero or the given L is not > 0"),
            )
        })?;
        Ok(l)
    }
}

/// Error for a solver stepped before `init`.
fn not_initialized(name: &str) -> Error {
    Error::numerical(name, "step() called before init()")
}
