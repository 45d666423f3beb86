//! # ratebench-harness
//!
//! Runs (problem × algorithm × seed) grids and checks claims:
//!
//! * [`executor`]: the only loop — times `step` alone, evaluates metrics outside the timed
//!   region, applies the stop rule, records a [`ratebench_core::Trace`].
//! * [`fit`]: rate estimators (linear rate with a Student-t CI, log–log exponent, 1/e slope,
//!   hitting times, scaling exponents), one implementation used by every claim.
//! * [`claims`]: the registry of rate claims (`LR-…`), each with parameters and a verdict.
//! * [`suites`]: named benchmark grids (`quick`, `default`, `full`).
//! * [`results`]: the result files (`runs.csv`, `traces.csv`, `claims.json`, `manifest.json`).
//! * [`compare`]: regression detection between two result directories.
//!
//! ```
//! use ratebench_harness::fit::linear_rate;
//! let e: Vec<f64> = (0..30).map(|t| 0.5f64.powi(t)).collect();
//! let fit = linear_rate(&(0..30).map(|t| t as f64).collect::<Vec<_>>(), &e).unwrap();
//! assert!((fit.rate - 0.5).abs() < 1e-12);
//! ```

pub mod calibrate;
pub mod claims;
pub mod compare;
pub mod environment;
pub mod executor;
pub mod fit;
pub mod lowrank;
pub mod params;
pub mod results;
pub mod suites;
