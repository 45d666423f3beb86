//! Factored-method runs (factorization and sensing) as harness [`Case`]s: a
//! [`FactoredCase`] names an instance, a method and what to record. Metrics are always
//! computed against the ground truth `M⋆`, whichever loss the solver follows.

use crate::metrics::hit_specs;
use ratebench_core::rng::SeedPath;
use ratebench_core::{error::check, Error, MetricSet, Result, Sampling, Solver, StopRule, Trace};
use ratebench_factored::{Gd, L2Gd, PrecGd, ScaledGd, SubGm};
use ratebench_harness::case::{run_solver, Case, CaseMeta, RunEnv, RunOutput, RunPlan};
use ratebench_lowrank::{FactoredLoss, Factors};
use ratebench_lowrank::{InitSpec, LowRankMetric, LowRankProblem, MetricEvaluator};
use ratebench_sensing::{SensingProblem, SensingSpec};
use serde::Serialize;
use std::sync::Arc;

/// The family name in result files.
pub const FAMILY: &str = "factored";

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

    /// The solver name (as the solver reports it) for a start of this shape.
    pub fn solver_name(&self, init: &InitSpec) -> &'static str {
        match (self, init.asymmetric) {
            (Method::Gd { .. }, false) | (Method::GdRebalanced { .. }, false) => "gd",
            (Method::Gd { .. }, true) => "gd-asym",
            (Method::GdRebalanced { .. }, true) => "gd-asym-rebalanced",
            (Method::ScaledGd { lambda, .. }, _) if *lambda > 0.0 => "scaledgd-lambda",
            (Method::ScaledGd { .. }, _) => "scaledgd",
            (Method::PrecGd { .. }, _) => "precgd",
            (Method::SubGm { .. }, _) => "subgm",
            (Method::L2Gd { .. }, _) => "l2-gd",
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
}

/// One run of one method on one instance.
#[derive(Clone, Debug)]
pub struct FactoredCase {
    meta: CaseMeta,
    pub instance: Instance,
    pub method: Method,
    pub k: usize,
    pub init: InitSpec,
    /// Recorded metrics (the primary first).
    pub metrics: Vec<LowRankMetric>,
    pub plan: RunPlan,
}

/// What a [`FactoredCase`] is built from.
#[derive(Clone, Debug)]
pub struct CaseSpec {
    /// Comparable runs share a case label (e.g. `kappa=100,k=6`).
    pub label: String,
    pub instance: Instance,
    pub method: Method,
    pub k: usize,
    pub init: InitSpec,
    pub metrics: Vec<LowRankMetric>,
    /// The metric the stop target and divergence refer to.
    pub primary: LowRankMetric,
    pub stop: StopRule,
    pub sampling: Sampling,
    /// Repetition: seeds the initialization.
    pub rep: u64,
}

impl FactoredCase {
    /// Validates the parts no constructor checked (domain errors become exit code 2).
    pub fn new(spec: CaseSpec) -> Result<Self> {
        check::positive("eta", spec.method.eta())?;
        check::positive("alpha", spec.init.alpha)?;
        check::in_range("k", spec.k, 1, usize::MAX)?;
        if let Method::ScaledGd { lambda, .. } = spec.method {
            check::at_least("lambda", lambda, 0.0)?;
        }
        let mut metrics = spec.metrics.clone();
        if !metrics.contains(&spec.primary) {
            metrics.insert(0, spec.primary);
        }
        let truth = spec.instance.truth();
        // The start depends on the instance, k and repetition only, so every method (and
        // every α, which only rescales it) starts from the same G.
        let plan = RunPlan {
            stop: spec.stop,
            sampling: spec.sampling,
            init_labels: vec![
                truth.label().to_string(),
                format!("k={}", spec.k),
                spec.rep.to_string(),
            ],
        };
        let names: Vec<&str> = metrics.iter().map(|m| m.name()).collect();
        let meta = CaseMeta {
            family: FAMILY,
            case: spec.label,
            algorithm: spec.method.solver_name(&spec.init).to_string(),
            rep: spec.rep,
            spec: spec.instance.spec.clone(),
            primary: spec.primary.name().to_string(),
            hits: hit_specs(&names),
        };
        Ok(Self {
            meta,
            instance: spec.instance,
            method: spec.method,
            k: spec.k,
            init: spec.init,
            metrics,
            plan,
        })
    }

    /// Boxed for [`ratebench_harness::claims::ClaimCtx::run`].
    pub fn boxed(spec: CaseSpec) -> Result<Box<dyn Case>> {
        Ok(Box::new(Self::new(spec)?))
    }

    fn go<S: Solver<Iterate = Factors>>(
        &self,
        solver: &mut S,
        problem: &S::Problem,
        metrics: &mut MetricSet<'_, Factors>,
        env: &RunEnv<'_>,
    ) -> Trace {
        run_solver(
            solver,
            problem,
            metrics,
            &self.plan,
            &self.meta.primary,
            env,
        )
    }

    /// The methods that need only a gradient.
    fn factored<P: FactoredLoss>(
        &self,
        p: &P,
        metrics: &mut MetricSet<'_, Factors>,
        env: &RunEnv<'_>,
    ) -> Result<Trace> {
        let (k, init, t) = (self.k, self.init.clone(), env.threads);
        Ok(match self.method {
            Method::Gd { eta } => self.go(&mut Gd::new(eta, k, init).threads(t), p, metrics, env),
            Method::GdRebalanced { eta, below } => self.go(
                &mut Gd::new(eta, k, init).rebalance_below(below).threads(t),
                p,
                metrics,
                env,
            ),
            Method::ScaledGd { eta, lambda } => self.go(
                &mut ScaledGd::new(eta, lambda, k, init).threads(t),
                p,
                metrics,
                env,
            ),
            Method::PrecGd { eta, damping } => self.go(
                &mut PrecGd::new(eta, damping, k, init).threads(t),
                p,
                metrics,
                env,
            ),
            Method::SubGm { .. } | Method::L2Gd { .. } => {
                return Err(Error::invalid(
                    "method",
                    "subgm and l2-gd need a sensing instance (a measurement loss)",
                ));
            }
        })
    }
}

impl Case for FactoredCase {
    fn meta(&self) -> &CaseMeta {
        &self.meta
    }

    fn run(&self, env: &RunEnv<'_>) -> Result<RunOutput> {
        let truth = self.instance.truth();
        let mut metrics = MetricEvaluator::new(truth, &self.metrics)?.into_metric_set();
        let (k, init, t) = (self.k, self.init.clone(), env.threads);
        let trace = match &self.instance.problem {
            Problem::LowRank(p) => self.factored(p.as_ref(), &mut metrics, env)?,
            Problem::Sensing(p) => match self.method {
                Method::SubGm { eta0, rho } => self.go(
                    &mut SubGm::new(eta0, rho, k, init).threads(t),
                    p.as_ref(),
                    &mut metrics,
                    env,
                ),
                Method::L2Gd { eta } => self.go(
                    &mut L2Gd::new(eta, k, init).threads(t),
                    p.as_ref(),
                    &mut metrics,
                    env,
                ),
                _ => self.factored(p.as_ref(), &mut metrics, env)?,
            },
        };
        Ok(trace.into())
    }
}
