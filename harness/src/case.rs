//! A [`Case`] is one run: instance, solver configuration, metrics, stop rule, sampling and
//! repetition, with a label and a JSON spec. Families build cases; claims and suites run
//! them through [`run_case`] without knowing which family made them.
//!
//! Most cases are a problem, a solver factory and a metric factory: [`SolverCase`] is that
//! adapter. A family whose solver type depends on configuration implements [`Case`]
//! directly and calls [`run_solver`].

use crate::executor::{execute, Plan};
use crate::results::{Artifact, HitRecord, RunRecord, RunResult};
use ratebench_core::rng::SeedPath;
use ratebench_core::{MetricSet, Result, Sampling, Solver, StopRule, Trace};
use std::sync::Arc;

/// Tolerances whose hitting iteration, work and time are recorded for one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct HitSpec {
    pub metric: String,
    pub tolerances: Vec<f64>,
}

/// What the harness knows about a run before it happens.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseMeta {
    /// The family that built the case.
    pub family: &'static str,
    /// Comparable runs share a case label (e.g. `kappa=100,k=6`).
    pub case: String,
    /// The solver's name (as `Solver::name` will report it).
    pub algorithm: String,
    /// Repetition index (seeds the initialization).
    pub rep: u64,
    /// JSON description of the instance and solver configuration.
    pub spec: String,
    /// The metric that decides divergence and that figures plot.
    pub primary: String,
    /// Hitting tolerances recorded in `hits.csv`.
    pub hits: Vec<HitSpec>,
}

impl CaseMeta {
    /// `group/case/algorithm/s<rep>`: unique within an output directory.
    pub fn run_id(&self, group: &str) -> String {
        format!("{group}/{}/{}/s{}", self.case, self.algorithm, self.rep)
    }
}

/// Where and how a case runs.
#[derive(Clone, Copy, Debug)]
pub struct RunEnv<'a> {
    /// The claim id or `suite:<name>`.
    pub group: &'a str,
    pub base_seed: u64,
    /// Threads inside the run (`--threads-per-run`); 1 = sequential.
    pub threads: usize,
}

/// What a run produced.
pub struct RunOutput {
    pub trace: Trace,
    pub artifacts: Vec<Artifact>,
}

impl From<Trace> for RunOutput {
    fn from(trace: Trace) -> Self {
        Self {
            trace,
            artifacts: Vec::new(),
        }
    }
}

/// One run of any family.
pub trait Case: Send + Sync {
    fn meta(&self) -> &CaseMeta;

    /// Runs the case. Errors are bad input (exit code 2); a solver that fails records
    /// `error` in its trace instead.
    fn run(&self, env: &RunEnv<'_>) -> Result<RunOutput>;
}

/// How one solver run is observed and stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPlan {
    pub stop: StopRule,
    pub sampling: Sampling,
    /// Labels of the initialization stream after `(base seed, group)`: the stream is
    /// `SeedPath(base).with(group).with(label)….stream("init")`. Cases that must start
    /// from the same point share their labels.
    pub init_labels: Vec<String>,
}

/// Runs `solver` on `problem` under `plan`, recording `metrics`.
pub fn run_solver<S: Solver>(
    solver: &mut S,
    problem: &S::Problem,
    metrics: &mut MetricSet<'_, S::Iterate>,
    plan: &RunPlan,
    primary: &str,
    env: &RunEnv<'_>,
) -> Trace {
    let mut path = SeedPath::new(env.base_seed).with(env.group);
    for label in &plan.init_labels {
        path = path.with(label);
    }
    let mut rng = path.stream("init");
    let exec = Plan {
        stop: &plan.stop,
        sampling: plan.sampling,
        primary,
    };
    execute(solver, problem, &mut rng, metrics, &exec)
}

type Runner<P> = dyn Fn(&Arc<P>, &RunPlan, &CaseMeta, &RunEnv<'_>) -> Result<Trace> + Send + Sync;

/// The generic case: a shared problem, a solver factory (given the thread count) and a
/// metric factory.
pub struct SolverCase<P> {
    meta: CaseMeta,
    plan: RunPlan,
    problem: Arc<P>,
    runner: Box<Runner<P>>,
}

impl<P: Send + Sync + 'static> SolverCase<P> {
    /// A case running `make_solver(threads)` on `problem`, observed by `make_metrics`.
    pub fn new<S, FS, FM>(
        meta: CaseMeta,
        plan: RunPlan,
        problem: Arc<P>,
        make_solver: FS,
        make_metrics: FM,
    ) -> Self
    where
        S: Solver<Problem = P> + 'static,
        FS: Fn(usize) -> S + Send + Sync + 'static,
        FM: Fn(&Arc<P>) -> Result<MetricSet<'static, S::Iterate>> + Send + Sync + 'static,
    {
        let runner = move |p: &Arc<P>, plan: &RunPlan, meta: &CaseMeta, env: &RunEnv<'_>| {
            let mut metrics = make_metrics(p)?;
            let mut solver = make_solver(env.threads);
            Ok(run_solver(
                &mut solver,
                p.as_ref(),
                &mut metrics,
                plan,
                &meta.primary,
                env,
            ))
        };
        Self {
            meta,
            plan,
            problem,
            runner: Box::new(runner),
        }
    }
}

impl<P: Send + Sync + 'static> Case for SolverCase<P> {
    fn meta(&self) -> &CaseMeta {
        &self.meta
    }

    fn run(&self, env: &RunEnv<'_>) -> Result<RunOutput> {
        (self.runner)(&self.problem, &self.plan, &self.meta, env).map(RunOutput::from)
    }
}

/// Everything the harness adds to a run besides running it.
#[derive(Clone, Copy, Debug)]
pub struct RunContext<'a> {
    pub env: RunEnv<'a>,
    /// Seconds of the calibration kernel in this process.
    pub calib_s: f64,
    /// True when other runs share the machine (`--jobs` > 1).
    pub parallel: bool,
}

/// Runs a case and builds its `runs.csv` and `hits.csv` rows. With `threads > 1` the case
/// runs inside a pool of its own with that many threads (built before the run, so not
/// timed), where the solver's parallel kernels split their work.
pub fn run_case(case: &dyn Case, ctx: &RunContext<'_>) -> Result<RunResult> {
    let meta = case.meta();
    let out = if ctx.env.threads > 1 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(ctx.env.threads)
            .build()
            .map_err(|e| ratebench_core::Error::numerical("thread pool", e))?
            .install(|| case.run(&ctx.env))?
    } else {
        case.run(&ctx.env)?
    };
    let run_id = meta.run_id(ctx.env.group);
    let trace = out.trace;
    if trace.solver != meta.algorithm {
        return Err(ratebench_core::Error::numerical(
            "case",
            format!(
                "{run_id}: the case names algorithm '{}' but its solver reports '{}'",
                meta.algorithm, trace.solver
            ),
        ));
    }
    let hits = hit_records(&run_id, meta, &trace);
    let record = RunRecord {
        run_id,
        group: ctx.env.group.to_string(),
        case: meta.case.clone(),
        family: meta.family.to_string(),
        spec: meta.spec.clone(),
        algorithm: trace.solver.clone(),
        seed: meta.rep,
        status: trace.stop.as_str().to_string(),
        iters: trace.iters,
        work: trace.work,
        init_s: trace.init_s,
        time_s: trace.time_s,
        calib_s: ctx.calib_s,
        primary_metric: meta.primary.clone(),
        final_value: trace.last(&meta.primary).unwrap_or(f64::NAN),
        parallel: ctx.parallel,
        threads: ctx.env.threads,
        message: trace.message.clone().unwrap_or_default(),
    };
    Ok(RunResult {
        record,
        trace,
        hits,
        artifacts: out.artifacts,
    })
}

/// First sample below each tolerance of each hit spec (empty fields when never reached).
fn hit_records(run_id: &str, meta: &CaseMeta, trace: &Trace) -> Vec<HitRecord> {
    let mut out = Vec::new();
    for spec in &meta.hits {
        if trace.metric_index(&spec.metric).is_none() {
            continue;
        }
        for &tol in &spec.tolerances {
            let row = trace.hitting(&spec.metric, tol);
            out.push(HitRecord {
                run_id: run_id.to_string(),
                metric: spec.metric.clone(),
                tol,
                iters: row.map(|r| r.iter),
                work: row.map(|r| r.work),
                time_s: row.map(|r| r.time_s),
            });
        }
    }
    out
}
