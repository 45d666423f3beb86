//! Stopping rules, stop reasons and the metric sampling schedule.

use serde::{Deserialize, Serialize};

/// Why a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The target metric went below its threshold.
    Converged,
    /// The iteration cap was reached.
    MaxIter,
    /// The cumulative step time exceeded the budget.
    TimeBudget,
    /// The target metric stopped improving.
    Stalled,
    /// The primary metric or the iterate became non-finite, or exceeded the divergence
    /// threshold.
    Diverged,
    /// The method reached its own numerical limits and cannot continue (an underflowed
    /// kernel, a singular system): an outcome of the method, recorded with its message,
    /// not a failure of the run. The solver reports it as `Error::Numerical`.
    Breakdown,
    /// The solver failed otherwise (invalid configuration reaching `init`; message kept in
    /// the trace).
    Error,
}

impl StopReason {
    /// The snake_case label used in result files.
    pub fn as_str(&self) -> &'static str {
        match self {
            StopReason::Converged => "converged",
            StopReason::MaxIter => "max_iter",
            StopReason::TimeBudget => "time_budget",
            StopReason::Stalled => "stalled",
            StopReason::Diverged => "diverged",
            StopReason::Breakdown => "breakdown",
            StopReason::Error => "error",
        }
    }
}

impl StopReason {
    /// How a solver's error ends a run: numerical failures are the method's breakdown,
    /// anything else an error.
    pub fn of_error(e: &crate::Error) -> Self {
        match e {
            crate::Error::Numerical { .. } => StopReason::Breakdown,
            _ => StopReason::Error,
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When metrics are evaluated (stop rules are checked at the same points).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Sampling {
    /// Every `n`-th iteration (and the first and last).
    Every(u64),
    /// Iterations 0, 1, 2, … growing geometrically by `ratio` (> 1): cheap long runs.
    Geometric(f64),
}

impl Sampling {
    /// The next sampled iteration after `iter`.
    pub fn next_after(&self, iter: u64) -> u64 {
        match *self {
            Sampling::Every(n) => iter + n.max(1),
            Sampling::Geometric(ratio) => ((iter as f64 * ratio).ceil() as u64).max(iter + 1),
        }
    }
}

/// When to stop a run. A run always stops at `max_iter`; the other rules are optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopRule {
    /// Iteration cap.
    pub max_iter: u64,
    /// Stop as `converged` once metric `.0` is below `.1`.
    pub target: Option<(String, f64)>,
    /// Stop as `diverged` once metric `.0` exceeds `.1` (non-finite metrics always diverge).
    pub diverge_above: Option<(String, f64)>,
    /// Stop as `time_budget` once the cumulative step time exceeds this many seconds.
    pub time_budget_s: Option<f64>,
    /// Stop as `stalled` when the target metric has not decreased by a factor
    /// `(1 - .1)` over the last `.0` samples.
    pub stall: Option<(usize, f64)>,
}

impl StopRule {
    /// Only an iteration cap.
    pub fn max_iter(max_iter: u64) -> Self {
        Self {
            max_iter,
            target: None,
            diverge_above: None,
            time_budget_s: None,
            stall: None,
        }
    }

    /// Adds a convergence target.
    pub fn with_target(mut self, metric: &str, threshold: f64) -> Self {
        self.target = Some((metric.to_string(), threshold));
        self
    }

    /// Adds a divergence threshold.
    pub fn with_divergence(mut self, metric: &str, threshold: f64) -> Self {
        self.diverge_above = Some((metric.to_string(), threshold));
        self
    }

    /// Adds a time budget on the cumulative step time.
    pub fn with_time_budget(mut self, seconds: f64) -> Self {
        self.time_budget_s = Some(seconds);
        self
    }

    /// Adds a stagnation rule on the target metric.
    pub fn with_stall(mut self, window: usize, min_rel_decrease: f64) -> Self {
        self.stall = Some((window, min_rel_decrease));
        self
    }
}
