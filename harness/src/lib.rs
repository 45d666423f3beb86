//! # ratebench-harness
//!
//! The family-agnostic engine of ratebench. It depends on `ratebench-core` only; problem
//! families plug in through [`family::Family`] and [`case::Case`].
//!
//! * [`executor`]: the only loop — times `init` and `step`, evaluates metrics outside the
//!   timed region, applies the stop rule, records a [`ratebench_core::Trace`].
//! * [`case`]: one run of any family ([`case::Case`], the generic [`case::SolverCase`]).
//! * [`family`]: what a family offers the CLI (claims, suite sections, algorithms, metric
//!   catalogue, exporters).
//! * [`fit`]: rate estimators (linear rate with a Student-t CI, log–log exponent, 1/e slope,
//!   hitting times, spreads), one implementation used by every claim.
//! * [`params`] and [`claims`]: typed claim parameters with `--set` overrides; the claim
//!   registry, checks and negative controls.
//! * [`suite`]: running a sweep of cases into a results session (parallel, resumable).
//! * [`results`]: the result files (`runs.csv`, `hits.csv`, `traces.csv`, `claims.json`,
//!   `manifest.json`, `artifacts.json`), appended as runs finish.
//! * [`compare`]: regression detection between two result directories.
//! * [`data`]: finding data files at run time; [`calibrate`], [`environment`]: provenance.
//!
//! ```
//! use ratebench_harness::fit::linear_rate;
//! let e: Vec<f64> = (0..30).map(|t| 0.5f64.powi(t)).collect();
//! let fit = linear_rate(&(0..30).map(|t| t as f64).collect::<Vec<_>>(), &e).unwrap();
//! assert!((fit.rate - 0.5).abs() < 1e-12);
//! ```

pub mod calibrate;
pub mod case;
pub mod claims;
pub mod compare;
pub mod data;
pub mod environment;
pub mod executor;
pub mod family;
pub mod fit;
pub mod params;
pub mod results;
pub mod suite;
