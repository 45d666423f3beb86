//! Result files: the stable, pandas-readable record of a command (DESIGN.md "Files a run
//! writes").
//!
//! ```text
//! <out>/manifest.json   provenance + the metric catalogue of every family used
//! <out>/runs.csv        one row per run (RunRecord)
//! <out>/hits.csv        long format: run_id, metric, tol, iters, work, time_s
//! <out>/traces.csv      long format: run_id, iter, work, time_s, metric, value
//! <out>/claims.json     verdicts (Vec<Verdict>) with measurements, CIs, criteria and figures
//! <out>/artifacts.json  matrices runs produced for the report, in artifacts/*.npy
//! ```
//! Rows are appended as runs finish and the files are rewritten atomically at the end of a
//! command ([`Session`]), so an interrupted command keeps every finished run and `--resume`
//! skips them. Commands writing to the same directory keep each other's results.

mod io;
mod store;
mod types;

pub use io::*;
pub use store::{same_verdict, trace_points, Session};
pub use types::*;
