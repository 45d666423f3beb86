//! The solver state machine.

use crate::rng::Rng;
use crate::Result;

/// One optimization algorithm on one problem type, as a state machine.
///
/// The executor (in `ratebench-harness`) owns the loop, timing, metric evaluation and
/// stopping; a solver only knows how to start and how to take one step.
pub trait Solver {
    /// The problem the solver runs on.
    type Problem;
    /// What metrics are evaluated on (e.g. a factor `X`, or a pair `(F, G)`).
    type Iterate;

    /// A short, stable name such as `"scaledgd-lambda"`; used in result files.
    fn name(&self) -> &'static str;

    /// Allocates every buffer and draws the starting point. Not timed.
    fn init(&mut self, problem: &Self::Problem, rng: &mut Rng) -> Result<()>;

    /// Performs one iteration. Timed; must not allocate once `init` has run.
    fn step(&mut self, problem: &Self::Problem) -> Result<()>;

    /// The current iterate, for metric evaluation.
    fn iterate(&self) -> &Self::Iterate;

    /// Called after metrics were evaluated (outside the timed region), with their names and
    /// values. Solvers whose schedule depends on a measured quantity (e.g. a one-off
    /// rebalancing step triggered by the true error) react here; most ignore it.
    fn observe(&mut self, _names: &[&'static str], _values: &[f64]) {}
}
