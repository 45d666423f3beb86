//! Hadamard runs as harness [`Case`]s: an [`Instance`] (generated or loaded), a [`Method`]
//! (BCD, BCD with momentum, K-factor BCD, the GD baseline or the TSVD reference line),
//! what to record, and optionally the images of the fit ([`Images`]).

use crate::metrics::hit_specs;
use crate::tsvd::TsvdBaseline;
use ratebench_core::rng::SeedPath;
use ratebench_core::{MetricSet, Result, Sampling, Solver, StopReason, StopRule, Trace};
use ratebench_hadamard::MetricEvaluator;
use ratebench_hadamard::{HadamardFactors, HadamardMetric, HadamardProblem, HadamardSpec};
use ratebench_hadamard_solvers::{Bcd, BcdConfig, GdCiaperoni, GdConfig};
use ratebench_harness::case::{run_solver, Case, CaseMeta, RunEnv, RunOutput, RunPlan};
use ratebench_harness::results::Artifact;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// The family name in result files.
pub const FAMILY: &str = "hadamard";

/// A Hadamard method with its configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// BCD (`bcd`, `bcd-momentum`, `bcd-k{K}`, `bcd-momentum-k{K}`); its thread count is
    /// replaced by the run's (`--threads-per-run`).
    Bcd(BcdConfig),
    /// The Ciaperoni et al. GD baseline (`gd-ciaperoni`).
    Gd(GdConfig),
    /// The equal-budget TSVD reference line of rank `rank` (`tsvd`).
    Tsvd { rank: usize },
}

impl Method {
    /// The solver name, as the solver reports it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Bcd(c) => c.name(),
            Method::Gd(_) => "gd-ciaperoni",
            Method::Tsvd { .. } => crate::tsvd::NAME,
        }
    }

    /// Checks the configuration against an `m × n` instance (before anything runs).
    pub fn validate(&self, m: usize, n: usize) -> Result<()> {
        match self {
            Method::Bcd(c) => c.validate(m, n),
            Method::Gd(c) => c.validate(m, n),
            Method::Tsvd { rank } => {
                ratebench_core::error::check::in_range("r", *rank, 1, usize::MAX)
            }
        }
    }
}

/// A generated or loaded matrix, with the description used in result files.
#[derive(Clone, Debug)]
pub struct Instance {
    pub problem: Arc<HadamardProblem>,
    /// How it was made: the generator spec and seed labels, or the file.
    pub spec: serde_json::Value,
    /// The attribution the data's licence requires (bundled photos and tables).
    pub attribution: Option<&'static str>,
}

impl Instance {
    /// Draws `X` from the `"data"` stream of `path` (e.g. `SeedPath(base).with(claim)
    /// .with("seed=3")`); `labels` are recorded in the spec.
    pub fn generate(spec: &HadamardSpec, path: &SeedPath, labels: &[&str]) -> Result<Self> {
        let problem = HadamardProblem::generate(spec, &mut path.stream("data"))?;
        Ok(Self {
            problem: Arc::new(problem),
            spec: serde_json::json!({ "generator": spec, "seed_path": labels }),
            attribution: None,
        })
    }

    /// Loads `X` from a `.npy`, `.npz` or `.csv` file (see [`HadamardProblem::load`]).
    pub fn load(path: &Path) -> Result<Self> {
        let problem = HadamardProblem::load(path)?;
        let shown = path.display().to_string();
        let attribution = ratebench_harness::data::attribution(&shown);
        let (m, n) = problem.shape();
        Ok(Self {
            problem: Arc::new(problem),
            spec: serde_json::json!({ "file": shown, "m": m, "n": n }),
            attribution,
        })
    }

    /// `(m, n)`.
    pub fn shape(&self) -> (usize, usize) {
        self.problem.shape()
    }

    /// The label of the problem (`uniform_product,m=100,…` or `npy:china_gray.npy`).
    pub fn label(&self) -> &str {
        self.problem.label()
    }
}

/// Images a run returns for the report: the data, the fit and the TSVD of the same
/// parameter budget (rank `K·r`), side by side under `panel`.
#[derive(Clone, Debug, PartialEq)]
pub struct Images {
    pub panel: String,
    /// What the data are called in captions (e.g. `china_gray.npy`).
    pub data_name: String,
}

/// What a [`HadamardCase`] is built from.
#[derive(Clone, Debug)]
pub struct CaseSpec {
    /// Comparable runs share a case label.
    pub label: String,
    pub instance: Instance,
    pub method: Method,
    /// Recorded metrics; the first is the primary (stop target, divergence, figures).
    pub metrics: Vec<HadamardMetric>,
    pub stop: StopRule,
    pub sampling: Sampling,
    /// Repetition index.
    pub rep: u64,
    /// Labels of the initialization stream after the group (runs that must start from the
    /// same point share them).
    pub init_labels: Vec<String>,
    pub images: Option<Images>,
}

/// One run of one method on one instance.
pub struct HadamardCase {
    meta: CaseMeta,
    problem: Arc<HadamardProblem>,
    method: Method,
    metrics: Vec<HadamardMetric>,
    plan: RunPlan,
    images: Option<Images>,
    attribution: Option<&'static str>,
}

impl HadamardCase {
    /// Validates the method against the instance (bad input is an error before any run).
    pub fn new(spec: CaseSpec) -> Result<Self> {
        let (m, n) = spec.instance.shape();
        spec.method.validate(m, n)?;
        let primary = spec
            .metrics
            .first()
            .copied()
            .unwrap_or(HadamardMetric::RelErr);
        let mut metrics = spec.metrics.clone();
        if metrics.is_empty() {
            metrics.push(primary);
        }
        let names: Vec<&str> = metrics.iter().map(|m| m.name()).collect();
        let mut solver = serde_json::to_value(&spec.method).unwrap_or_default();
        // The run's thread count replaces the configuration's; runs.csv records it.
        if let Some(obj) = solver.as_object_mut() {
            obj.remove("threads");
        }
        let mut json = serde_json::json!({
            "instance": spec.instance.spec,
            "solver": solver,
            "stop": spec.stop,
        });
        if let (Some(a), Some(obj)) = (spec.instance.attribution, json.as_object_mut()) {
            obj.insert("attribution".into(), a.into());
        }
        let meta = CaseMeta {
            family: FAMILY,
            case: spec.label,
            algorithm: spec.method.name().to_string(),
            rep: spec.rep,
            spec: json.to_string(),
            primary: primary.name().to_string(),
            hits: hit_specs(&names),
        };
        Ok(Self {
            meta,
            problem: spec.instance.problem.clone(),
            method: spec.method,
            metrics,
            plan: RunPlan {
                stop: spec.stop,
                sampling: spec.sampling,
                init_labels: spec.init_labels,
            },
            images: spec.images,
            attribution: spec.instance.attribution,
        })
    }

    /// Boxed for [`ratebench_harness::claims::ClaimCtx::run`] and suites.
    pub fn boxed(spec: CaseSpec) -> Result<Box<dyn Case>> {
        Ok(Box::new(Self::new(spec)?))
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    fn go<S: Solver<Problem = HadamardProblem, Iterate = HadamardFactors>>(
        &self,
        solver: &mut S,
        metrics: &mut MetricSet<'_, HadamardFactors>,
        env: &RunEnv<'_>,
    ) -> Result<RunOutput> {
        let trace = run_solver(
            solver,
            self.problem.as_ref(),
            metrics,
            &self.plan,
            &self.meta.primary,
            env,
        );
        let artifacts = match &self.images {
            // An init error leaves no iterate to draw.
            Some(img) if trace.stop != StopReason::Error => self.artifacts(img, solver, &trace)?,
            _ => Vec::new(),
        };
        Ok(RunOutput { trace, artifacts })
    }

    /// The data, the fit and the equal-budget TSVD, each captioned with its error.
    fn artifacts<S: Solver<Iterate = HadamardFactors>>(
        &self,
        img: &Images,
        solver: &S,
        trace: &Trace,
    ) -> Result<Vec<Artifact>> {
        let fit = solver.iterate();
        let (k, r) = (fit.k(), fit.rank());
        let p = &self.problem;
        let q = (k * r).min(p.shape().0.min(p.shape().1));
        let e_fit = p.relative_error(fit);
        let e_tsvd = p.tsvd_error(q)?;
        let (m, n) = p.shape();
        let art = |label: String, matrix| Artifact {
            panel: img.panel.clone(),
            label,
            attribution: self.attribution.map(str::to_string),
            matrix,
        };
        Ok(vec![
            art(format!("{} ({m} × {n})", img.data_name), p.x().to_owned()),
            art(
                format!(
                    "{} K={k}, r={r}, {} iterations (rel. err {e_fit:.4})",
                    self.meta.algorithm, trace.iters
                ),
                fit.product(),
            ),
            art(
                format!("TSVD rank {q}, same {k}r(m+n) parameters (rel. err {e_tsvd:.4})"),
                p.tsvd_reconstruction(q)?,
            ),
        ])
    }
}

impl Case for HadamardCase {
    fn meta(&self) -> &CaseMeta {
        &self.meta
    }

    fn run(&self, env: &RunEnv<'_>) -> Result<RunOutput> {
        let mut metrics =
            MetricEvaluator::new(self.problem.as_ref(), &self.metrics).into_metric_set();
        match &self.method {
            Method::Bcd(cfg) => {
                let mut s = Bcd::new(cfg.clone().with_threads(env.threads.max(1)));
                self.go(&mut s, &mut metrics, env)
            }
            Method::Gd(cfg) => self.go(&mut GdCiaperoni::new(cfg.clone()), &mut metrics, env),
            Method::Tsvd { rank } => self.go(&mut TsvdBaseline::new(*rank), &mut metrics, env),
        }
    }
}
