//! # ratebench-sparse
//!
//! Sparse regression `y = Xw⋆ + ξ` (CLAIMS.md §5): instances, objectives, certificates and
//! metrics that the solvers in `ratebench-sparse-solvers` and the `sparse` family build on.
//!
//! * **Data** ([`RegressionData`]): a [`Design`] (dense `faer::Mat` or sparse
//!   `faer::sparse::SparseColMat`, behind one set of operations: `Xv`, `Xᵀr`, column norms,
//!   column·residual, column axpy — a sparse X is never densified), `y`, an optional `w⋆`
//!   and its provenance ([`DataInfo`], including the explicit [`Standardize`] option).
//! * **Generators** ([`RegressionSpec`], streams `design`/`truth`/`noise` under a
//!   [`SeedPath`](ratebench_core::rng::SeedPath)): Gaussian, Toeplitz `τ^|i−j|` by the AR(1)
//!   recursion, Rademacher; truths `(1, 2, 4, …)`, Yang et al.'s five blocks, random signs
//!   `1 + U[0,1]`; noise by σ or by SNR (`σ² = w⋆ᵀΣw⋆/snr`). Presets for SR-1…3
//!   ([`RegressionSpec::implicit_regularization`]), SR-4 ([`RegressionSpec::nonconvex_speed`]),
//!   SR-7/8 ([`RegressionSpec::lasso_sr7`]) and the Lasso timing suite
//!   ([`RegressionSpec::lasso_toeplitz`]).
//! * **Loaders**: [`read_libsvm`] (sparse rows, 1-based increasing indices; dense when small),
//!   [`read_csv`] (e.g. `diabetes.csv`), [`read_npz`] (`X`, `y`, optional `w_star`),
//!   [`read_npy_pair`].
//! * **Objectives**: the [`Lasso`] in both [`Convention`]s (`½‖·‖² + λ‖w‖₁` and scikit-learn's
//!   `(1/2n)‖·‖² + α‖w‖₁`, `λ = n·α`; a scikit-learn user passes `alpha = λ/n` =
//!   [`Lasso::alpha`] to `Lasso(alpha=…, fit_intercept=False)`), `λ_max = ‖Xᵀy‖∞`, the dual
//!   point `ν = sR` and the duality gap exactly as scikit-learn computes it, beside an
//!   independent `P(w) − D(ν)` ([`GapReport`]); SCAD/MCP in the split `p_λ = λ|·| + q_λ`
//!   ([`Penalty`], [`PenalizedLs`]); Nesterov's worst-case quadratic
//!   ([`NesterovQuadratic`]). ISTA/FISTA run on anything implementing [`Composite`].
//! * **Least-squares gradients** ([`LsWorkspace`]): `r = Xw − y`, `g = Xᵀr` in one pass over
//!   a row-major copy of a dense X (two passes otherwise); used by every gradient method.
//! * **Kernels** ([`kernels`]): dot/axpy with run-time AVX2 dispatch and a fixed order of
//!   summation (bit-identical on either path), soft-thresholding.
//! * **Metrics**: [`sq_error`], [`support_recovery`], [`oracle_least_squares`].
//! * **Networks**: [`Graph`] (complete, ring, Erdős–Rényi resampled until connected, …),
//!   Metropolis weights and `ρ = ‖W − 11ᵀ/m‖₂` ([`Network`]).
//!
//! `λ ≥ λ_max` is not an error: `w = 0` is then the exact Lasso solution ([`Lasso::note`]).
//!
//! ```
//! use ratebench_core::rng::SeedPath;
//! use ratebench_sparse::{Convention, Lasso, RegressionSpec, Regularization};
//! let data = RegressionSpec::lasso_sr7().generate(&SeedPath::new(0).with("SR-7")).unwrap();
//! let lasso = Lasso::new(data, Regularization::Fraction { fraction: 0.1 }, Convention::Plain).unwrap();
//! let w = vec![0.0; lasso.data().p()];
//! let g = lasso.gap(&w);
//! // The catalogued gap formula and P(w) − D(ν) agree, and the gap is nonnegative.
//! assert!(g.gap >= 0.0 && (g.gap - g.primal_minus_dual).abs() <= 1e-10 * g.primal);
//! // scikit-learn's α is λ/n.
//! assert!((lasso.alpha() * 200.0 - lasso.lambda()).abs() < 1e-12 * lasso.lambda());
//! ```

mod composite;
mod data;
mod design;
mod generate;
mod graph;
pub mod kernels;
mod lasso;
mod load;
mod ls;
mod metrics;
mod penalty;

pub use composite::{Composite, NesterovQuadratic};
pub use data::{DataInfo, RegressionData, Standardize};
pub use design::{Design, PowerIteration};
pub use generate::{DesignKind, NoiseKind, RegressionSpec, TruthKind, BLOCKS};
pub use graph::{mixing_rate, Graph, GraphKind, Network, MAX_ER_ATTEMPTS};
pub use kernels::soft_threshold;
pub use lasso::{lambda_max, Convention, GapReport, Lasso, Regularization};
pub use load::{read_csv, read_libsvm, read_npy_pair, read_npz, Storage, DENSE_AUTO_ENTRIES};
pub use ls::LsWorkspace;
pub use metrics::{
    oracle_error, oracle_least_squares, sq_error, support_recovery, SupportRecovery,
};
pub use penalty::{PenalizedLs, Penalty};
