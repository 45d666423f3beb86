//! Binding of the low-rank factorization family to the executor: a [`LowRankCase`] names
//! an instance, a method and what to record; [`run_case`] runs it deterministically.

use crate::executor::execute;
use crate::results::{RunRecord, RunResult};
use ratebench_core::rng::SeedPath;
use ratebench_core::{error::check, Result, Sampling, StopRule};
use ratebench_factored::{Gd, PrecGd, ScaledGd};
use ratebench_lowrank::{InitSpec, LowRankMetric, LowRankProblem, MetricEvaluator};
use serde::Serialize;
use std::sync::Arc;

/// A factored method with its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Method {
    /// Gradient descent (asymmetric when the init is).
    Gd { eta: f64 },
    /// Asymmetric GD with one rebalancing step once `abs_err < below`.
    GdRebalanced { eta: f64, below: f64 },
    /// ScaledGD (`lambda = 0`) or ScaledGD(λ).
    ScaledGd { eta: f64, lambda: f64 },
    /// PrecGD with damping `c·‖residual‖`.
    PrecGd { eta: f64, damping: f64 },
}

impl Method {
    /// The step size.
    pub fn eta(&self) -> f64 {
        match *self {
            Method::Gd { eta }
            | Method::GdRebalanced { eta, .. }
            | Method::ScaledGd { eta, .. }
            | Method::PrecGd { eta, .. } => eta,
        }
    }
}

/// A generated or loaded instance, with the label used in result files.
#[derive(Clone, Debug)]
pub struct Instance {
    pub problem: Arc<LowRankProblem>,
    /// JSON description of how it was made (spec or file path).
    pub spec: String,
}

impl Instance {
    /// Generates `M⋆` from the "data" stream of `(base, group, spec, rep)`.
    pub fn generate(
        spec: &ratebench_lowrank::LowRankSpec,
        base_seed: u64,
        group: &str,
        rep: u64,
    ) -> Result<Self> {
        let mut rng = SeedPath::new(base_seed)
            .with(group)
            .with(spec.label())
            .with(rep.to_string())
            .stream("data");
        let problem = LowRankProblem::generate(spec, &mut rng)?;
        Ok(Self {
            problem: Arc::new(problem),
            spec: serde_json::to_string(spec).unwrap_or_default(),
        })
    }

    /// Loads a `.npy` matrix.
    pub fn load_npy(path: &std::path::Path) -> Result<Self> {
        let problem = LowRankProblem::load_npy(path)?;
        Ok(Self {
            problem: Arc::new(problem),
            spec: serde_json::json!({ "npy": path.display().to_string() }).to_string(),
        })
    }
}

/// One run of one method on one instance.
#[derive(Clone, Debug)]
pub struct LowRankCase {
    /// Comparable runs share a case label (e.g. `kappa=100,k=6`).
    pub case: String,
    pub instance: Instance,
    pub method: Method,
    pub k: usize,
    pub init: InitSpec,
    pub metrics: Vec<LowRankMetric>,
    /// The metric the standard tolerances and stop target refer to.
    pub primary: LowRankMetric,
    pub stop: StopRule,
    pub sampling: Sampling,
    pub rep: u64,
}

impl LowRankCase {
    /// Validates the parts no constructor checked (domain errors become exit code 2).
    pub fn validate(&self) -> Result<()> {
        check::positive("eta", self.method.eta())?;
        check::positive("alpha", self.init.alpha)?;
        check::in_range("k", self.k, 1, usize::MAX)?;
        if let Method::ScaledGd { lambda, .. } = self.method {
            check::at_least("lambda", lambda, 0.0)?;
        }
        Ok(())
    }
}

/// Runs a case; `group` is the claim id or `suite:<name>`.
pub fn run_case(
    case: &LowRankCase,
    group: &str,
    base_seed: u64,
    calib_s: f64,
) -> Result<RunResult> {
    case.validate()?;
    let problem = case.instance.problem.as_ref();
    let mut metrics = case.metrics.clone();
    if !metrics.contains(&case.primary) {
        metrics.insert(0, case.primary);
    }
    let mut set = MetricEvaluator::new(problem, &metrics)?.into_metric_set();
    // The start depends on the instance, k and repetition only, so every method (and every
    // α, which only rescales it) starts from the same G.
    let mut init_rng = SeedPath::new(base_seed)
        .with(group)
        .with(problem.label())
        .with(format!("k={}", case.k))
        .with(case.rep.to_string())
        .stream("init");
    let (eta, init, k) = (case.method.eta(), case.init.clone(), case.k);
    let trace = match case.method {
        Method::Gd { .. } => {
            let mut s = Gd::new(eta, k, init);
            execute(
                &mut s,
                problem,
                &mut init_rng,
                &mut set,
                &case.stop,
                case.sampling,
            )
        }
        Method::GdRebalanced { below, .. } => {
            let mut s = Gd::new(eta, k, init).rebalance_below(below);
            execute(
                &mut s,
                problem,
                &mut init_rng,
                &mut set,
                &case.stop,
                case.sampling,
            )
        }
        Method::ScaledGd { lambda, .. } => {
            let mut s = ScaledGd::new(eta, lambda, k, init);
            execute(
                &mut s,
                problem,
                &mut init_rng,
                &mut set,
                &case.stop,
                case.sampling,
            )
        }
        Method::PrecGd { damping, .. } => {
            let mut s = PrecGd::new(eta, damping, k, init);
            execute(
                &mut s,
                problem,
                &mut init_rng,
                &mut set,
                &case.stop,
                case.sampling,
            )
        }
    };
    let algorithm = trace.solver.clone();
    let run_id = format!("{group}/{}/{algorithm}/s{}", case.case, case.rep);
    let record = RunRecord::from_trace(
        run_id,
        group,
        &case.case,
        "lowrank",
        case.instance.spec.clone(),
        case.rep,
        case.primary.name(),
        calib_s,
        &trace,
    );
    Ok(RunResult { record, trace })
}
