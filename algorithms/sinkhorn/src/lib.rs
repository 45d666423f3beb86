//! # ratebench-sinkhorn
//!
//! Solvers for entropic optimal transport (CLAIMS.md §4) on [`ratebench_ot::OtProblem`], all
//! exposing the same [`ratebench_ot::OtIterate`] so that one metric evaluator
//! ([`ratebench_ot::metric_set`]) serves them:
//!
//! | name ([`names`]) | solver | one `step` | work per step | extras |
//! |---|---|---|---|---|
//! | `sinkhorn` | [`Sinkhorn`] | `u ← a ⊘ Kv`, `v ← b ⊘ Kᵀu` (two GEMVs over `K = e^{−ηC}`) | `n + m` | — |
//! | `sinkhorn-log` | [`SinkhornLog`] | `x ← (ln a − LSE_j(ηy − 1 − ηC))/η`, then `y` alike | `n + m` | — |
//! | `greenkhorn` | [`Greenkhorn`] | one greedy row or column rescaling | `1` | `rho`, `recomputed` |
//! | `sns` | [`Sns`] | a Sinkhorn iteration (first N1 steps), then a sparse Newton step | see [`Sns`] | `newton`, `cg_iters`, `cg_rel_residual`, `ls_halvings`, `step_size`, `kept` |
//!
//! A *work unit* is one row or column update (one pass over a line of the `n × m` matrix),
//! so Greenkhorn's updates and Sinkhorn's iterations share an axis. All start from `x = y = 0`
//! (`v = 1`), except Greenkhorn, which starts from the normalized kernel `K/ΣK`.
//!
//! Also: [`round_to_marginals`] (Altschuler–Weed–Rigollet rounding), [`greedy_rho`] (the
//! stable Greenkhorn score), the vectorized [`exp`] (accuracy: relative error ≤ 4e-16 on
//! `[−708, 709]`, tested) and the line [`kernels`].
//!
//! **Allocation, threads, reproducibility.** Every solver allocates in `init` and not in
//! `step` (tested with a counting allocator). Thread counts are constructor parameters
//! (`with_threads`); a run is bit-identical for a given thread count (fixed column ranges,
//! merges in thread order) and, for the log domain, equal to round-off across thread counts.
//! The vectorized kernels give the same bits on AVX-512, AVX2+FMA and the portable build.
//!
//! **Range.** The scaling-domain solvers stop with `Error::numerical("… underflow … use the
//! log-domain solver (sinkhorn-log)")` when an entry of `e^{−ηC}` is not a normal double
//! (checked in `init`; [`Sinkhorn::allow_underflow`] accepts zero entries instead) or a
//! scaling leaves the double range (checked every step). The log-domain solvers shift every
//! exponential by an exact maximum: no overflow, no zero mass, at any ε.
//!
//! ```
//! use ratebench_core::{rng::SeedPath, Solver};
//! use ratebench_ot::{InstanceSpec, OtEvaluator, OtSpec};
//! use ratebench_sinkhorn::{Sinkhorn, SinkhornLog};
//! let spec = OtSpec::new(InstanceSpec::RandomCost { n: 40, m: Some(30), hi: 1.0 }, 20.0);
//! let files = |s: &str| -> ratebench_core::Result<std::path::PathBuf> { Ok(s.into()) };
//! let p = spec.build(&mut SeedPath::new(0).with("doc").stream("data"), &files).unwrap();
//! let mut rng = SeedPath::new(0).stream("init");
//! let (mut log, mut scaling) = (SinkhornLog::new(), Sinkhorn::new());
//! log.init(&p, &mut rng).unwrap();
//! scaling.init(&p, &mut rng).unwrap();
//! for _ in 0..200 {
//!     log.step(&p).unwrap();
//!     scaling.step(&p).unwrap();
//! }
//! let mut eval = OtEvaluator::new(&p, false).unwrap();
//! let (a, b) = (eval.evaluate(&p, log.iterate()), eval.evaluate(&p, scaling.iterate()));
//! assert!(a.marginal_err < 1e-12 && (a.dual_f - b.dual_f).abs() < 1e-12);
//! ```

pub mod exp;
mod greenkhorn;
pub mod kernels;
mod log_domain;
mod newton;
mod scaling;
pub mod simd;
mod sns;
mod workers;

pub use greenkhorn::{greedy_rho, Greenkhorn};
pub use log_domain::SinkhornLog;
pub use newton::Solve;
pub use ratebench_ot::round_to_marginals;
pub use scaling::Sinkhorn;
pub use sns::{Sns, SnsConfig, Sparsity, StepReport};

/// The stable solver names used in result files.
pub mod names {
    /// Scaling-domain Sinkhorn.
    pub const SINKHORN: &str = "sinkhorn";
    /// Log-domain Sinkhorn.
    pub const SINKHORN_LOG: &str = "sinkhorn-log";
    /// Greenkhorn.
    pub const GREENKHORN: &str = "greenkhorn";
    /// Sinkhorn-Newton-Sparse.
    pub const SNS: &str = "sns";
    /// All of them, with a one-line description each.
    pub const ALL: [(&str, &str); 4] = [
        (SINKHORN, "Sinkhorn in the scaling domain (two GEMVs with K = exp(−C/ε) per iteration)"),
        (SINKHORN_LOG, "Sinkhorn in the log domain (stable row/column log-sum-exp, vectorized exp)"),
        (GREENKHORN, "Greenkhorn: greedy single row/column updates (Altschuler et al. 2017)"),
        (SNS, "Sinkhorn-Newton-Sparse: N1 Sinkhorn steps, then Newton steps on a sparsified Hessian (Tang et al. 2024)"),
    ];
}

/// Error for a solver stepped before `init`.
fn not_initialized(name: &str) -> ratebench_core::Error {
    ratebench_core::Error::numerical(name, "step() called before init()")
}

/// Thread counts: 1 to 256.
fn validate_threads(threads: usize) -> ratebench_core::Result<()> {
    ratebench_core::error::check::in_range("threads", threads.max(1), 1, 256)
}

#[cfg(test)]
mod tests;
