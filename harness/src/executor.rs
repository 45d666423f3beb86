//! The executor: the only optimization loop in ratebench.
//!
//! It times `Solver::init` (as `init_s`) and `Solver::step` alone (one `Instant` pair per
//! step), evaluates metrics and the solver's extras outside the timed region on a sampling
//! schedule, checks the stop rule at every sample, and turns solver errors and a non-finite
//! primary metric or iterate into stop reasons instead of panics, so a sweep always
//! continues. A secondary metric that is undefined for an iterate (NaN) is recorded as such
//! and does not stop the run.

use ratebench_core::rng::Rng;
use ratebench_core::{MetricSet, Sampling, Solver, StopReason, StopRule, Trace, TraceRow};
use std::time::Instant;

/// What the executor observes and when it stops.
pub struct Plan<'p> {
    pub stop: &'p StopRule,
    pub sampling: Sampling,
    /// The metric that decides `diverged` (non-finite or above the divergence threshold).
    pub primary: &'p str,
}

/// Runs `solver` on `problem` until the stop rule fires.
pub fn execute<S: Solver>(
    solver: &mut S,
    problem: &S::Problem,
    rng: &mut Rng,
    metrics: &mut MetricSet<'_, S::Iterate>,
    plan: &Plan<'_>,
) -> Trace {
    let names: Vec<&'static str> = metrics.names().to_vec();
    let extra_names = solver.extra_names();
    let mut trace = Trace {
        solver: solver.name().to_string(),
        metric_names: names
            .iter()
            .chain(extra_names)
            .map(|s| s.to_string())
            .collect(),
        rows: Vec::new(),
        stop: StopReason::MaxIter,
        iters: 0,
        work: 0,
        init_s: 0.0,
        time_s: 0.0,
        message: None,
    };
    let t0 = Instant::now();
    let init = solver.init(problem, rng);
    trace.init_s = t0.elapsed().as_secs_f64();
    if let Err(e) = init {
        trace.stop = StopReason::of_error(&e);
        trace.message = Some(e.to_string());
        return trace;
    }
    let checks = Checks::new(plan, metrics);
    let stop = plan.stop;
    let mut values = vec![0.0; names.len()];
    let mut extras = vec![0.0; extra_names.len()];
    let mut history: Vec<f64> = Vec::new();
    let mut elapsed = 0.0f64;
    let mut iter = 0u64;
    let mut next_sample = 0u64;
    loop {
        if iter == next_sample || iter == stop.max_iter {
            metrics.eval(solver.iterate(), &mut values);
            solver.extras(&mut extras);
            let mut row = values.clone();
            row.extend_from_slice(&extras);
            trace.rows.push(TraceRow {
                iter,
                work: solver.work().unwrap_or(iter),
                time_s: trace.init_s + elapsed,
                values: row,
            });
            solver.observe(&names, &values);
            if let Some(reason) = checks.sample(&values, solver.is_finite(), &mut history) {
                trace.stop = reason;
                break;
            }
            next_sample = plan.sampling.next_after(iter);
        }
        if iter >= stop.max_iter {
            trace.stop = StopReason::MaxIter;
            break;
        }
        if stop
            .time_budget_s
            .is_some_and(|b| trace.init_s + elapsed > b)
        {
            trace.stop = StopReason::TimeBudget;
            break;
        }
        let t0 = Instant::now();
        let result = solver.step(problem);
        elapsed += t0.elapsed().as_secs_f64();
        iter += 1;
        if let Err(e) = result {
            trace.stop = StopReason::of_error(&e);
            trace.message = Some(e.to_string());
            break;
        }
    }
    trace.iters = iter;
    trace.work = solver.work().unwrap_or(iter);
    trace.time_s = elapsed;
    trace
}

/// The stop rule resolved to metric positions.
struct Checks {
    primary: Option<usize>,
    target: Option<(usize, f64)>,
    diverge: Option<(usize, f64)>,
    stall: Option<(usize, f64)>,
}

impl Checks {
    fn new<I>(plan: &Plan<'_>, metrics: &MetricSet<'_, I>) -> Self {
        let stop = plan.stop;
        let at = |spec: &Option<(String, f64)>| {
            spec.as_ref()
                .and_then(|(m, v)| metrics.index(m).map(|j| (j, *v)))
        };
        Self {
            primary: metrics.index(plan.primary),
            target: at(&stop.target),
            diverge: at(&stop.diverge_above),
            stall: stop.stall,
        }
    }

    /// The stop reason at a sample, if any.
    fn sample(
        &self,
        values: &[f64],
        iterate_finite: bool,
        history: &mut Vec<f64>,
    ) -> Option<StopReason> {
        // Only the primary metric and the iterate decide divergence: a metric that is
        // undefined for this iterate (e.g. an eigen-metric of asymmetric factors) is NaN
        // in the trace, nothing more.
        if !iterate_finite || self.primary.is_some_and(|j| !values[j].is_finite()) {
            return Some(StopReason::Diverged);
        }
        if let Some((j, limit)) = self.diverge {
            if values[j] > limit || !values[j].is_finite() {
                return Some(StopReason::Diverged);
            }
        }
        let (j, eps) = self.target?;
        if values[j] < eps {
            return Some(StopReason::Converged);
        }
        let (window, min_rel) = self.stall?;
        history.push(values[j]);
        if history.len() > window {
            let old = history[history.len() - 1 - window];
            let best_recent = history[history.len() - window..]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            if best_recent > old * (1.0 - min_rel) {
                return Some(StopReason::Stalled);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_core::{Error, Result};

    /// x ← factor·x; errors at a chosen step; work = 3 units per step; one extra.
    struct Scalar {
        x: f64,
        factor: f64,
        fail_at: Option<u64>,
        steps: u64,
    }

    impl Solver for Scalar {
        type Problem = ();
        type Iterate = f64;
        fn name(&self) -> &'static str {
            "scalar"
        }
        fn init(&mut self, _: &(), _: &mut Rng) -> Result<()> {
            self.x = 1.0;
            Ok(())
        }
        fn step(&mut self, _: &()) -> Result<()> {
            self.steps += 1;
            if self.fail_at == Some(self.steps) {
                return Err(Error::numerical("scalar", "boom"));
            }
            self.x *= self.factor;
            Ok(())
        }
        fn iterate(&self) -> &f64 {
            &self.x
        }
        fn work(&self) -> Option<u64> {
            Some(3 * self.steps)
        }
        fn extra_names(&self) -> &'static [&'static str] {
            &["steps"]
        }
        fn extras(&self, out: &mut [f64]) {
            out[0] = self.steps as f64;
        }
        fn is_finite(&self) -> bool {
            self.x.is_finite()
        }
    }

    fn run(factor: f64, stop: StopRule, sampling: Sampling, fail_at: Option<u64>) -> Trace {
        let mut s = Scalar {
            x: 0.0,
            factor,
            fail_at,
            steps: 0,
        };
        // "undefined" is NaN for x < 0.5: a secondary metric, never a reason to stop.
        let mut m = MetricSet::new(vec!["err", "undefined"], |x: &f64, out: &mut [f64]| {
            out[0] = *x;
            out[1] = if *x < 0.5 { f64::NAN } else { 1.0 };
        });
        let plan = Plan {
            stop: &stop,
            sampling,
            primary: "err",
        };
        execute(
            &mut s,
            &(),
            &mut SeedPath::new(0).stream("x"),
            &mut m,
            &plan,
        )
    }

    #[test]
    fn stop_reasons() {
        let t = run(
            0.5,
            StopRule::max_iter(100).with_target("err", 1e-3),
            Sampling::Every(1),
            None,
        );
        assert_eq!(t.stop, StopReason::Converged);
        assert_eq!(t.iters, 10); // 2^-10 < 1e-3 ≤ 2^-9
        assert_eq!(t.rows.len(), 11);
        assert!(
            t.rows[5].values[1].is_nan(),
            "undefined metric recorded as NaN"
        );
        assert_eq!((t.work, t.rows[4].work), (30, 12));
        assert_eq!(t.metric_names, vec!["err", "undefined", "steps"]);
        assert_eq!(t.rows[4].values[2], 4.0);
        let t = run(0.5, StopRule::max_iter(5), Sampling::Every(2), None);
        assert_eq!((t.stop.clone(), t.iters), (StopReason::MaxIter, 5));
        assert_eq!(
            t.rows.iter().map(|r| r.iter).collect::<Vec<_>>(),
            vec![0, 2, 4, 5]
        );
        let t = run(1e10, StopRule::max_iter(100), Sampling::Every(1), None);
        assert_eq!(
            t.stop,
            StopReason::Diverged,
            "overflow to inf is divergence"
        );
        let t = run(
            3.0,
            StopRule::max_iter(100).with_divergence("err", 1e3),
            Sampling::Every(1),
            None,
        );
        assert_eq!((t.stop.clone(), t.iters), (StopReason::Diverged, 7));
        let t = run(0.5, StopRule::max_iter(100), Sampling::Every(1), Some(3));
        assert_eq!(
            t.stop,
            StopReason::Breakdown,
            "a numerical failure is a breakdown"
        );
        assert_eq!(
            t.message.as_deref(),
            Some("numerical failure in scalar: boom")
        );
        let t = run(
            1.0,
            StopRule::max_iter(100)
                .with_target("err", 1e-3)
                .with_stall(5, 1e-3),
            Sampling::Every(1),
            None,
        );
        assert_eq!(t.stop, StopReason::Stalled);
    }

    #[test]
    fn geometric_sampling() {
        let t = run(0.9, StopRule::max_iter(100), Sampling::Geometric(1.5), None);
        let iters: Vec<u64> = t.rows.iter().map(|r| r.iter).collect();
        assert_eq!(&iters[..6], &[0, 1, 2, 3, 5, 8]);
        assert_eq!(*iters.last().unwrap(), 100);
    }
}
