//! The executor: the only optimization loop in ratebench.
//!
//! It times `Solver::step` alone (one `Instant` pair per step), evaluates metrics outside
//! the timed region on a sampling schedule, checks the stop rule at every sample, and turns
//! solver errors and non-finite metrics into stop reasons instead of panics, so a sweep
//! always continues.

use ratebench_core::rng::Rng;
use ratebench_core::{MetricSet, Sampling, Solver, StopReason, StopRule, Trace, TraceRow};
use std::time::Instant;

/// Runs `solver` on `problem` until the stop rule fires.
pub fn execute<S: Solver>(
    solver: &mut S,
    problem: &S::Problem,
    rng: &mut Rng,
    metrics: &mut MetricSet<'_, S::Iterate>,
    stop: &StopRule,
    sampling: Sampling,
) -> Trace {
    let names: Vec<&'static str> = metrics.names().to_vec();
    let mut trace = Trace {
        solver: solver.name().to_string(),
        metric_names: names.iter().map(|s| s.to_string()).collect(),
        rows: Vec::new(),
        stop: StopReason::MaxIter,
        iters: 0,
        time_s: 0.0,
        message: None,
    };
    if let Err(e) = solver.init(problem, rng) {
        trace.stop = StopReason::Error;
        trace.message = Some(e.to_string());
        return trace;
    }
    let target = stop
        .target
        .as_ref()
        .and_then(|(m, v)| metrics.index(m).map(|j| (j, *v)));
    let diverge = stop
        .diverge_above
        .as_ref()
        .and_then(|(m, v)| metrics.index(m).map(|j| (j, *v)));
    let mut values = vec![0.0; names.len()];
    let mut history: Vec<f64> = Vec::new();
    let mut elapsed = 0.0f64;
    let mut iter = 0u64;
    let mut next_sample = 0u64;
    loop {
        if iter == next_sample || iter == stop.max_iter {
            metrics.eval(solver.iterate(), &mut values);
            trace.rows.push(TraceRow {
                iter,
                time_s: elapsed,
                values: values.clone(),
            });
            solver.observe(&names, &values);
            if let Some(reason) = check_sample(&values, target, diverge, stop.stall, &mut history) {
                trace.stop = reason;
                break;
            }
            next_sample = sampling.next_after(iter);
        }
        if iter >= stop.max_iter {
            trace.stop = StopReason::MaxIter;
            break;
        }
        if stop.time_budget_s.is_some_and(|b| elapsed > b) {
            trace.stop = StopReason::TimeBudget;
            break;
        }
        let t0 = Instant::now();
        let result = solver.step(problem);
        elapsed += t0.elapsed().as_secs_f64();
        iter += 1;
        if let Err(e) = result {
            trace.stop = StopReason::Error;
            trace.message = Some(e.to_string());
            break;
        }
    }
    trace.iters = iter;
    trace.time_s = elapsed;
    trace
}

fn check_sample(
    values: &[f64],
    target: Option<(usize, f64)>,
    diverge: Option<(usize, f64)>,
    stall: Option<(usize, f64)>,
    history: &mut Vec<f64>,
) -> Option<StopReason> {
    if values.iter().any(|v| !v.is_finite()) {
        return Some(StopReason::Diverged);
    }
    if let Some((j, limit)) = diverge {
        if values[j] > limit {
            return Some(StopReason::Diverged);
        }
    }
    let (j, eps) = target?;
    if values[j] < eps {
        return Some(StopReason::Converged);
    }
    if let Some((window, min_rel)) = stall {
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
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_core::{Error, Result};

    /// x ← factor·x; errors at a chosen step.
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
    }

    fn run(factor: f64, stop: StopRule, sampling: Sampling, fail_at: Option<u64>) -> Trace {
        let mut s = Scalar {
            x: 0.0,
            factor,
            fail_at,
            steps: 0,
        };
        let mut m = MetricSet::new(vec!["err"], |x: &f64, out: &mut [f64]| out[0] = *x);
        execute(
            &mut s,
            &(),
            &mut SeedPath::new(0).stream("x"),
            &mut m,
            &stop,
            sampling,
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
        assert_eq!(t.stop, StopReason::Error);
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
