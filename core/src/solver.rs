//! The solver state machine.

use crate::rng::Rng;
use crate::Result;

/// One optimization algorithm on one problem type, as a state machine.
///
/// The executor (in `ratebench-harness`) owns the loop, timing, metric evaluation and
/// stopping; a solver only knows how to start and how to take one step. Parallelism inside a
/// step is a constructor parameter of the solver (a `faer::Par`, see [`crate::par`]), never a
/// global setting, so that a run is deterministic for a given thread count.
pub trait Solver {
    /// The problem the solver runs on.
    type Problem;
    /// What metrics are evaluated on (e.g. a factor `X`, or a pair `(F, G)`).
    type Iterate;

    /// A short, stable name such as `"scaledgd-lambda"`; used in result files.
    fn name(&self) -> &'static str;

    /// Allocates every buffer and computes the starting point (a random draw, or a
    /// computation such as a spectral or SVD initialization). Timed separately as `init_s`.
    fn init(&mut self, problem: &Self::Problem, rng: &mut Rng) -> Result<()>;

    /// Performs one iteration. Timed; must not allocate once `init` has run.
    fn step(&mut self, problem: &Self::Problem) -> Result<()>;

    /// The current iterate, for metric evaluation.
    fn iterate(&self) -> &Self::Iterate;

    /// Cumulative work units since `init` (row/column updates, coordinate updates,
    /// communication rounds, …), so methods whose iterations cost differently share one axis.
    /// `None` means one unit per iteration.
    fn work(&self) -> Option<u64> {
        None
    }

    /// Names of the per-step values [`Solver::extras`] reports (CG iterations, line-search
    /// halvings, step size …). They are recorded in the trace like metrics.
    fn extra_names(&self) -> &'static [&'static str] {
        &[]
    }

    /// Writes one value per [`Solver::extra_names`] entry, describing the last step.
    fn extras(&self, _out: &mut [f64]) {}

    /// False once the iterate holds a non-finite entry (the executor then records
    /// `diverged`). Checked at sampling points only, outside the timed region.
    fn is_finite(&self) -> bool {
        true
    }

    /// Called after metrics were evaluated (outside the timed region), with their names and
    /// values. Solvers whose schedule depends on a measured quantity (e.g. a one-off
    /// rebalancing step triggered by the true error) react here; most ignore it.
    fn observe(&mut self, _names: &[&'static str], _values: &[f64]) {}
}
