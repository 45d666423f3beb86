//! Convergence traces.

use crate::StopReason;
use serde::{Deserialize, Serialize};

/// One sampled iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceRow {
    pub iter: u64,
    /// Cumulative work units (the solver's [`crate::Solver::work`], else `iter`).
    pub work: u64,
    /// `init_s` plus the cumulative time spent in `step`: what a user waits for this
    /// iterate. Metric evaluation is excluded.
    pub time_s: f64,
    /// Metric values, then the solver's extras, in `Trace::metric_names` order.
    pub values: Vec<f64>,
}

/// The record of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub solver: String,
    pub metric_names: Vec<String>,
    pub rows: Vec<TraceRow>,
    pub stop: StopReason,
    /// Iterations performed.
    pub iters: u64,
    /// Work units performed.
    pub work: u64,
    /// Seconds spent in `init` (a spectral or SVD initialization is a computation).
    pub init_s: f64,
    /// Cumulative time spent in `step` only (`init_s` excluded).
    pub time_s: f64,
    /// Error message when `stop == Error`.
    pub message: Option<String>,
}

impl Trace {
    /// Column index of a metric.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metric_names.iter().position(|n| n == name)
    }

    /// `(iter, value)` pairs of one metric. Empty if the metric is absent.
    pub fn series(&self, name: &str) -> Vec<(u64, f64)> {
        match self.metric_index(name) {
            Some(j) => self.rows.iter().map(|r| (r.iter, r.values[j])).collect(),
            None => Vec::new(),
        }
    }

    /// Values of one metric, indexed by row.
    pub fn values(&self, name: &str) -> Vec<f64> {
        self.series(name).into_iter().map(|(_, v)| v).collect()
    }

    /// The metric at the first row with `iter >= t`.
    pub fn value_at(&self, name: &str, t: u64) -> Option<f64> {
        let j = self.metric_index(name)?;
        self.rows.iter().find(|r| r.iter >= t).map(|r| r.values[j])
    }

    /// Last recorded value of a metric.
    pub fn last(&self, name: &str) -> Option<f64> {
        let j = self.metric_index(name)?;
        self.rows.last().map(|r| r.values[j])
    }

    /// The first sampled row at which `name < eps`.
    pub fn hitting(&self, name: &str, eps: f64) -> Option<&TraceRow> {
        let j = self.metric_index(name)?;
        self.rows.iter().find(|r| r.values[j] < eps)
    }
}
