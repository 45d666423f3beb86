//! Binding of the factored-method problem families (factorization and sensing) to the
//! executor: a [`LowRankCase`] names an instance, a method and what to record;
//! [`run_case`] runs it deterministically. Metrics are always computed against the ground
//! truth `M⋆`, whichever loss the solver follows.

use crate::executor::execute;
use crate::results::{RunRecord, RunResult};
use ratebench_core::rng::SeedPath;
use ratebench_core::{error::check, Result, Sampling, StopRule};
use ratebench_core::{Error, MetricSet, Solver, Trace};
use ratebench_factored::{Gd, L2Gd, PrecGd, ScaledGd, SubGm};
use ratebench_lowrank::{FactoredLoss, Factors};
use ratebench_lowrank::{InitSpec, LowRankMetric, LowRankProblem, MetricEvaluator};
use ratebench_sensing::{SensingProblem, SensingSpec};
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
    /// SubGM with steps `eta0·rhoᵗ` (sensing only).
    SubGm { eta0: f64, rho: f64 },
    /// SubGM's ℓ₂-GD comparator (sensing only).
    L2Gd { eta: f64 },
}

impl Method {
    /// The step size.
    pub fn eta(&self) -> f64 {
        match *self {
            Method::Gd { eta }
            | Method::GdRebalanced { eta, .. }
            | Method::ScaledGd { eta, .. }
            | Method::PrecGd { eta, .. }
            | Method::L2Gd { eta } => eta,
            Method::SubGm { eta0, .. } => eta0,
        }
    }
}

/// The problem a solver runs on.
#[derive(Clone, Debug)]
pub enum Problem {
    /// Factorization (`A = I`).
    LowRank(Arc<LowRankProblem>),
    /// Matrix sensing.
    Sensing(Arc<SensingProblem>),
}

/// A generated or loaded instance, with the description used in result files.
#[derive(Clone, Debug)]
pub struct Instance {
    pub problem: Problem,
    /// JSON description of how it was made (spec or file path, plus diagnostics).
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
            problem: Problem::LowRank(Arc::new(problem)),
            spec: serde_json::to_string(spec).unwrap_or_default(),
        })
    }

    /// Generates a sensing instance; `data_rep` seeds `M⋆` and the operator, so several
    /// initialization seeds can share one instance.
    pub fn generate_sensing(
        spec: &SensingSpec,
        base_seed: u64,
        group: &str,
        data_rep: u64,
    ) -> Result<Self> {
        let path = SeedPath::new(base_seed)
            .with(group)
            .with(spec.label())
            .with(data_rep.to_string());
        let problem = SensingProblem::generate(spec, &path)?;
        Ok(Self::from_sensing(
            problem,
            serde_json::to_value(spec).unwrap_or_default(),
        ))
    }

    /// Wraps a sensing problem, recording the RIP diagnostic in the spec.
    pub fn from_sensing(problem: SensingProblem, mut spec: serde_json::Value) -> Self {
        if let Some(obj) = spec.as_object_mut() {
            obj.insert(
                "rip_diagnostic".into(),
                serde_json::json!(problem.rip_diagnostic()),
            );
        }
        Self {
            problem: Problem::Sensing(Arc::new(problem)),
            spec: spec.to_string(),
        }
    }

    /// Loads a `.npy` matrix.
    pub fn load_npy(path: &std::path::Path) -> Result<Self> {
        let problem = LowRankProblem::load_npy(path)?;
        Ok(Self {
            problem: Problem::LowRank(Arc::new(problem)),
            spec: serde_json::json!({ "npy": path.display().to_string() }).to_string(),
        })
    }

    /// The ground truth `M⋆`.
    pub fn truth(&self) -> &LowRankProblem {
        match &self.problem {
            Problem::LowRank(p) => p,
            Problem::Sensing(p) => p.truth(),
        }
    }

    /// The problem family name used in result files.
    pub fn family(&self) -> &'static str {
        match self.problem {
            Problem::LowRank(_) => "lowrank",
            Problem::Sensing(_) => "sensing",
        }
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
    let truth = case.instance.truth();
    let mut metrics = case.metrics.clone();
    if !metrics.contains(&case.primary) {
        metrics.insert(0, case.primary);
    }
    let mut set = MetricEvaluator::new(truth, &metrics)?.into_metric_set();
    // The start depends on the instance, k and repetition only, so every method (and every
    // α, which only rescales it) starts from the same G.
    let mut init_rng = SeedPath::new(base_seed)
        .with(group)
        .with(truth.label())
        .with(format!("k={}", case.k))
        .with(case.rep.to_string())
        .stream("init");
    let mut run = Runner {
        case,
        rng: &mut init_rng,
        metrics: &mut set,
    };
    let trace = match &case.instance.problem {
        Problem::LowRank(p) => run.factored(p.as_ref())?,
        Problem::Sensing(p) => match case.method {
            Method::SubGm { eta0, rho } => run.go(
                &mut SubGm::new(eta0, rho, case.k, case.init.clone()),
                p.as_ref(),
            ),
            Method::L2Gd { eta } => {
                run.go(&mut L2Gd::new(eta, case.k, case.init.clone()), p.as_ref())
            }
            _ => run.factored(p.as_ref())?,
        },
    };
    let algorithm = trace.solver.clone();
    let run_id = format!("{group}/{}/{algorithm}/s{}", case.case, case.rep);
    let record = RunRecord::from_trace(
        run_id,
        group,
        &case.case,
        case.instance.family(),
        case.instance.spec.clone(),
        case.rep,
        case.primary.name(),
        calib_s,
        &trace,
    );
    Ok(RunResult { record, trace })
}

/// What every method's run shares.
struct Runner<'a, 'm> {
    case: &'a LowRankCase,
    rng: &'a mut ratebench_core::rng::Rng,
    metrics: &'a mut MetricSet<'m, Factors>,
}

impl Runner<'_, '_> {
    fn go<S: Solver<Iterate = Factors>>(&mut self, solver: &mut S, problem: &S::Problem) -> Trace {
        execute(
            solver,
            problem,
            self.rng,
            self.metrics,
            &self.case.stop,
            self.case.sampling,
        )
    }

    /// The methods that need only a gradient.
    fn factored<P: FactoredLoss>(&mut self, p: &P) -> Result<Trace> {
        let (k, init) = (self.case.k, self.case.init.clone());
        Ok(match self.case.method {
            Method::Gd { eta } => self.go(&mut Gd::new(eta, k, init), p),
            Method::GdRebalanced { eta, below } => {
                self.go(&mut Gd::new(eta, k, init).rebalance_below(below), p)
            }
            Method::ScaledGd { eta, lambda } => {
                self.go(&mut ScaledGd::new(eta, lambda, k, init), p)
            }
            Method::PrecGd { eta, damping } => self.go(&mut PrecGd::new(eta, damping, k, init), p),
            Method::SubGm { .. } | Method::L2Gd { .. } => {
                return Err(Error::invalid(
                    "method",
                    "subgm and l2-gd need a sensing instance (a measurement loss)",
                ));
            }
        })
    }
}
