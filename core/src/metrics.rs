//! Named metrics evaluated on an iterate.

/// A set of named `f64` metrics and the function that evaluates them on an iterate.
///
/// The function writes one value per name, in order. It runs outside the timed region, so
/// it may be as expensive as exactness requires (e.g. form `XXᵀ − M` explicitly rather than
/// use a cancellation-prone trace identity).
pub struct MetricSet<'a, I> {
    names: Vec<&'static str>,
    eval: Evaluator<'a, I>,
}

type Evaluator<'a, I> = Box<dyn FnMut(&I, &mut [f64]) + Send + 'a>;

impl<'a, I> MetricSet<'a, I> {
    /// Creates a metric set from names and an evaluator that fills one value per name.
    pub fn new(names: Vec<&'static str>, eval: impl FnMut(&I, &mut [f64]) + Send + 'a) -> Self {
        Self {
            names,
            eval: Box::new(eval),
        }
    }

    /// The metric names, in evaluation order.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// Position of a metric, if present.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    /// Evaluates all metrics on `iterate` into `out` (`out.len() == names().len()`).
    pub fn eval(&mut self, iterate: &I, out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.names.len());
        (self.eval)(iterate, out)
    }
}
