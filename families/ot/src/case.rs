//! OT runs as harness [`Case`]s: an [`Instance`] (generated or loaded through
//! [`ratebench_ot::OtSpec`]), a [`Method`] (one of the four solvers) and what to record.

use crate::metrics::hit_specs;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Result, Sampling, StopRule};
use ratebench_harness::case::{Case, CaseMeta, RunPlan, SolverCase};
use ratebench_ot::{metric_set, OtMetric, OtProblem, OtSpec};
use ratebench_sinkhorn::{names, Greenkhorn, Sinkhorn, SinkhornLog, Sns, SnsConfig, Sparsity};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The family name in result files.
pub const FAMILY: &str = "ot";

/// An OT method with its configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Scaling-domain Sinkhorn (`sinkhorn`).
    Sinkhorn,
    /// Log-domain Sinkhorn (`sinkhorn-log`).
    SinkhornLog,
    /// Greenkhorn (`greenkhorn`); one step is one row/column update.
    Greenkhorn,
    /// Sinkhorn-Newton-Sparse (`sns`).
    Sns(SnsParams),
}

/// The SNS configuration as written to result files (λ as `lambda_n = λ·n`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SnsParams {
    pub sinkhorn_steps: usize,
    pub lambda_n: f64,
    pub cg_rtol: f64,
    pub cg_max_iters: usize,
    pub ls_tolerance: f64,
    pub min_step: f64,
}

impl Default for SnsParams {
    fn default() -> Self {
        Self::from_config(&SnsConfig::default())
    }
}

impl SnsParams {
    fn from_config(c: &SnsConfig) -> Self {
        let lambda_n = match c.sparsity {
            Sparsity::PerN(v) => v,
            Sparsity::Density(_) => 2.0,
        };
        Self {
            sinkhorn_steps: c.sinkhorn_steps,
            lambda_n,
            cg_rtol: c.cg_rtol,
            cg_max_iters: c.cg_max_iters,
            ls_tolerance: c.ls_tolerance,
            min_step: c.min_step,
        }
    }

    /// The solver configuration.
    pub fn config(&self) -> SnsConfig {
        SnsConfig {
            sinkhorn_steps: self.sinkhorn_steps,
            sparsity: Sparsity::PerN(self.lambda_n),
            cg_rtol: self.cg_rtol,
            cg_max_iters: self.cg_max_iters,
            ls_tolerance: self.ls_tolerance,
            min_step: self.min_step,
        }
    }
}

impl Method {
    /// The solver name, as the solver reports it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Sinkhorn => names::SINKHORN,
            Method::SinkhornLog => names::SINKHORN_LOG,
            Method::Greenkhorn => names::GREENKHORN,
            Method::Sns(_) => names::SNS,
        }
    }

    /// The method of a solver name (SNS with the catalogue's defaults).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            names::SINKHORN => Method::Sinkhorn,
            names::SINKHORN_LOG => Method::SinkhornLog,
            names::GREENKHORN => Method::Greenkhorn,
            names::SNS => Method::Sns(SnsParams::default()),
            other => {
                let all: Vec<&str> = names::ALL.iter().map(|a| a.0).collect();
                return Err(ratebench_core::Error::invalid(
                    "algorithms",
                    format!(
                        "unknown OT algorithm '{other}'; use one of {}",
                        all.join(", ")
                    ),
                ));
            }
        })
    }

    /// Checks the configuration (before anything runs).
    pub fn validate(&self) -> Result<()> {
        match self {
            Method::Sns(p) => p.config().validate(),
            _ => Ok(()),
        }
    }
}

/// A generated or loaded OT instance, with the description used in result files.
#[derive(Clone, Debug)]
pub struct Instance {
    pub problem: Arc<OtProblem>,
    /// The canonical spec (η, not ε) and the seed labels, or the file.
    pub spec: serde_json::Value,
}

impl Instance {
    /// Builds `spec`, drawing from the `"data"` stream of `path` (e.g. `SeedPath(base)
    /// .with(claim).with("seed=3")`); `labels` are recorded; `resolve` finds data files.
    pub fn build(
        spec: &OtSpec,
        path: &SeedPath,
        labels: &[&str],
        resolve: &dyn Fn(&str) -> Result<PathBuf>,
    ) -> Result<Self> {
        let problem = spec.build(&mut path.stream("data"), resolve)?;
        let canonical = spec.canonical()?;
        Ok(Self {
            problem: Arc::new(problem),
            spec: serde_json::json!({ "instance": canonical, "seed_path": labels }),
        })
    }

    /// A generated instance without data files.
    pub fn generate(spec: &OtSpec, path: &SeedPath, labels: &[&str]) -> Result<Self> {
        Self::build(spec, path, labels, &|s: &str| Ok(PathBuf::from(s)))
    }

    /// `(n, m)`.
    pub fn shape(&self) -> (usize, usize) {
        self.problem.shape()
    }
}

/// What an OT case is built from.
#[derive(Clone, Debug)]
pub struct CaseSpec {
    /// Comparable runs share a case label.
    pub label: String,
    pub instance: Instance,
    pub method: Method,
    /// Recorded metrics; the first is the primary (stop target, divergence, figures).
    pub metrics: Vec<OtMetric>,
    pub stop: StopRule,
    pub sampling: Sampling,
    pub rep: u64,
    /// Labels of the initialization stream after the group.
    pub init_labels: Vec<String>,
}

/// One run of one method on one instance, boxed for [`ratebench_harness::claims::ClaimCtx::run`]
/// and suites. Bad configurations are errors before any run.
pub fn boxed(spec: CaseSpec) -> Result<Box<dyn Case>> {
    spec.method.validate()?;
    let mut metrics = spec.metrics.clone();
    if metrics.is_empty() {
        metrics.push(OtMetric::MarginalErr);
    }
    let names_: Vec<&str> = metrics.iter().map(|m| m.name()).collect();
    let json = serde_json::json!({
        "instance": spec.instance.spec,
        "solver": spec.method,
        "stop": spec.stop,
    });
    let meta = CaseMeta {
        family: FAMILY,
        case: spec.label,
        algorithm: spec.method.name().to_string(),
        rep: spec.rep,
        spec: json.to_string(),
        primary: metrics[0].name().to_string(),
        hits: hit_specs(&names_),
    };
    let plan = RunPlan {
        stop: spec.stop,
        sampling: spec.sampling,
        init_labels: spec.init_labels,
    };
    let problem = spec.instance.problem.clone();
    let mk = move |p: &Arc<OtProblem>| metric_set(p.clone(), &metrics);
    Ok(match spec.method {
        Method::Sinkhorn => Box::new(SolverCase::new(
            meta,
            plan,
            problem,
            |t: usize| Sinkhorn::with_threads(t.max(1)),
            mk,
        )),
        Method::SinkhornLog => Box::new(SolverCase::new(
            meta,
            plan,
            problem,
            |t: usize| SinkhornLog::with_threads(t.max(1)),
            mk,
        )),
        Method::Greenkhorn => Box::new(SolverCase::new(
            meta,
            plan,
            problem,
            |_| Greenkhorn::new(),
            mk,
        )),
        Method::Sns(p) => {
            let cfg = p.config();
            Box::new(SolverCase::new(
                meta,
                plan,
                problem,
                move |_| Sns::new(cfg),
                mk,
            ))
        }
    })
}
