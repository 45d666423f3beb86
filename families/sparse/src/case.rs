//! Sparse-regression runs as harness [`Case`]s: a problem (a [`Lasso`], a SCAD/MCP
//! [`PenalizedLs`], Nesterov's quadratic or plain [`RegressionData`] for the
//! implicit-regularization and decentralized runs), a [`Method`], what to record, and the
//! stop rule and sampling.
//!
//! Every case's JSON spec names the instance (generator and seed labels, or the file), the
//! solver configuration and, for the Lasso, the **convention** (`plain`: ½‖y − Xw‖² + λ‖w‖₁,
//! or `sklearn`: (1/2n)‖y − Xw‖² + α‖w‖₁), `λ`, `α = λ/n` and `λ_max`, so every result file
//! says which objective its values are in.

use crate::metrics::{
    hit_specs, lasso_set, penalized_set, quadratic_set, regression_set, Metric, TruthRef,
};
use ratebench_core::{Error, Result, Sampling, StopRule};
use ratebench_harness::case::{Case, CaseMeta, RunPlan, SolverCase};
use ratebench_sparse::{Lasso, NesterovQuadratic, Network, PenalizedLs, RegressionData};
use ratebench_sparse_solvers::{
    AgSettings, CoordinateDescent, Dgd, ImplicitGd, LipschitzRule, NonconvexAg,
    PenalizedProxGradient, ProxGradient,
};
use serde::Serialize;
use std::sync::Arc;

/// The family name in result files.
pub const FAMILY: &str = "sparse";

/// A sparse-regression method with its configuration.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// `ista` (Lasso or quadratic); `step_mult` scales the step `1/L` (1 = the catalogue's).
    Ista {
        step_mult: f64,
    },
    /// `fista`.
    Fista {
        step_mult: f64,
    },
    /// `fista-restart` (gradient-based adaptive restart).
    FistaRestart,
    /// `cd` (gap-safe screening + working sets), `cd-screen`, `cd-plain`; `tol`: stop (the
    /// solver idles) once the full duality gap, instance convention, is at most `tol`.
    Cd {
        tol: Option<f64>,
    },
    CdScreen {
        tol: Option<f64>,
    },
    CdPlain {
        tol: Option<f64>,
    },
    /// `ag-proposed` / `ag-original` (SCAD/MCP).
    AgProposed,
    AgOriginal,
    /// `pg`: proximal gradient on the same split.
    Pg,
    /// `implicit-gd` (constant step) or, with `rate`, `implicit-gd-increasing`.
    ImplicitGd {
        alpha: f64,
        eta: f64,
        rate: Option<u64>,
    },
    /// `dgd` over `graph` (its label) with mixing rate `rho`.
    Dgd {
        alpha: f64,
        eta: f64,
        graph: String,
        rho: f64,
        #[serde(skip)]
        network: Network,
    },
}

impl Method {
    /// The solver name, as the solver reports it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Ista { .. } => "ista",
            Method::Fista { .. } => "fista",
            Method::FistaRestart => "fista-restart",
            Method::Cd { .. } => "cd",
            Method::CdScreen { .. } => "cd-screen",
            Method::CdPlain { .. } => "cd-plain",
            Method::AgProposed => "ag-proposed",
            Method::AgOriginal => "ag-original",
            Method::Pg => "pg",
            Method::ImplicitGd { rate: None, .. } => "implicit-gd",
            Method::ImplicitGd { rate: Some(_), .. } => "implicit-gd-increasing",
            Method::Dgd { .. } => "dgd",
        }
    }

    /// A DGD method over `network` (a connected graph; the caller checked).
    pub fn dgd(network: Network, graph: &str, alpha: f64, eta: f64) -> Self {
        Method::Dgd {
            alpha,
            eta,
            graph: graph.to_string(),
            rho: network.rho(),
            network,
        }
    }
}

/// Which problem a case runs on.
#[derive(Clone, Debug)]
pub enum Problem {
    Lasso(Arc<Lasso>),
    Penalized(Arc<PenalizedLs>),
    Quadratic(Arc<NesterovQuadratic>),
    Regression(Arc<RegressionData>),
}

impl Problem {
    fn kind(&self) -> &'static str {
        match self {
            Problem::Lasso(_) => "lasso",
            Problem::Penalized(_) => "penalized",
            Problem::Quadratic(_) => "quadratic",
            Problem::Regression(_) => "regression",
        }
    }

    fn data(&self) -> Option<&RegressionData> {
        match self {
            Problem::Lasso(l) => Some(l.data()),
            Problem::Penalized(p) => Some(p.data()),
            Problem::Quadratic(_) => None,
            Problem::Regression(d) => Some(d),
        }
    }

    /// The problem's part of the JSON spec: for the Lasso its convention and λ, α, λ_max.
    fn describe(&self) -> serde_json::Value {
        match self {
            Problem::Lasso(l) => serde_json::json!({
                "objective": "lasso",
                "convention": l.convention().as_str(),
                "objective_formula": match l.convention() {
                    ratebench_sparse::Convention::Plain => "0.5*||y - Xw||^2 + lambda*||w||_1",
                    ratebench_sparse::Convention::Sklearn => "(1/(2n))*||y - Xw||^2 + alpha*||w||_1, alpha = lambda/n",
                },
                "lambda": l.lambda(),
                "alpha_sklearn": l.alpha(),
                "lambda_max": l.lambda_max(),
                "lambda_over_lambda_max": l.lambda() / l.lambda_max(),
                "note": l.note(),
            }),
            Problem::Penalized(p) => serde_json::json!({
                "objective": "penalized_least_squares",
                "objective_formula": "(1/(2N))*||y - X beta||^2 + sum_j p_lambda(beta_j)",
                "penalty": p.penalty(),
                "lambda": p.lambda(),
            }),
            Problem::Quadratic(q) => serde_json::json!({
                "objective": "nesterov_worst_case_quadratic",
                "d": q.d(),
                "smoothness": q.smoothness(),
                "f_star": q.f_star(),
            }),
            Problem::Regression(_) => serde_json::json!({
                "objective": "least_squares_hadamard",
                "loss": "(1/n)*||Xw - y||^2, w = u*u - v*v",
            }),
        }
    }
}

/// What a sparse case is built from.
#[derive(Clone, Debug)]
pub struct CaseSpec {
    /// Comparable runs share a case label.
    pub label: String,
    pub problem: Problem,
    /// How the instance was made (generator spec and seed labels, or the file).
    pub instance: serde_json::Value,
    pub method: Method,
    /// Recorded metrics; the first is the primary (stop target, divergence, figures).
    pub metrics: Vec<Metric>,
    pub stop: StopRule,
    pub sampling: Sampling,
    /// Repetition index.
    pub rep: u64,
    /// Labels of the initialization stream after the group.
    pub init_labels: Vec<String>,
    /// Reference optimum (Lasso: `P⋆` in the instance's convention; SCAD/MCP: a reference
    /// objective) for `rel_obj_gap`.
    pub f_star: Option<f64>,
    /// Compute the oracle least-squares error on the true support (for `oracle_ratio`).
    pub oracle: bool,
}

fn wrong(method: &Method, problem: &Problem) -> Error {
    Error::invalid(
        "methods",
        format!(
            "method '{}' does not run on a {} problem",
            method.name(),
            problem.kind()
        ),
    )
}

fn step_rule(step_mult: f64, l: Option<f64>) -> Result<LipschitzRule> {
    ratebench_core::error::check::positive("step_mult", step_mult)?;
    Ok(match l {
        Some(l) => LipschitzRule::Given(l / step_mult),
        None => LipschitzRule::default(),
    })
}

/// Builds a boxed case (validating that the method runs on the problem and the metrics
/// are available).
pub fn build(spec: CaseSpec) -> Result<Box<dyn Case>> {
    let truth = spec
        .problem
        .data()
        .and_then(|d| TruthRef::of(d, spec.oracle));
    if truth.is_none() {
        if let Some(m) = spec.metrics.iter().find(|m| m.needs_truth()) {
            return Err(Error::invalid(
                "metrics",
                format!(
                    "'{}' needs a known w⋆, and this instance has none (loaded data without w_star)",
                    m.name()
                ),
            ));
        }
    }
    let metrics = if spec.metrics.is_empty() {
        vec![Metric::EstErr]
    } else {
        spec.metrics.clone()
    };
    let names: Vec<&str> = metrics.iter().map(|m| m.name()).collect();
    let json = serde_json::json!({
        "instance": spec.instance,
        "problem": spec.problem.describe(),
        "solver": spec.method,
        "stop": spec.stop,
    });
    let meta = CaseMeta {
        family: FAMILY,
        case: spec.label.clone(),
        algorithm: spec.method.name().to_string(),
        rep: spec.rep,
        spec: json.to_string(),
        primary: metrics[0].name().to_string(),
        hits: hit_specs(&names),
    };
    let plan = RunPlan {
        stop: spec.stop.clone(),
        sampling: spec.sampling,
        init_labels: spec.init_labels.clone(),
    };
    let f_star = spec.f_star;
    let m = metrics;
    let method = spec.method.clone();
    Ok(match (&spec.problem, method) {
        (Problem::Lasso(l), method) => {
            let mk = move |p: &Arc<Lasso>| Ok(lasso_set(p.clone(), &m, f_star, truth.clone()));
            let l = l.clone();
            match method {
                Method::Ista { step_mult } => {
                    let rule = step_rule(step_mult, None)?;
                    Box::new(SolverCase::new(
                        meta,
                        plan,
                        l,
                        move |t| ProxGradient::ista().lipschitz(rule).threads(t),
                        mk,
                    ))
                }
                Method::Fista { step_mult } => {
                    let rule = step_rule(step_mult, None)?;
                    Box::new(SolverCase::new(
                        meta,
                        plan,
                        l,
                        move |t| ProxGradient::fista().lipschitz(rule).threads(t),
                        mk,
                    ))
                }
                Method::FistaRestart => Box::new(SolverCase::new(
                    meta,
                    plan,
                    l,
                    |t| ProxGradient::fista_restart().threads(t),
                    mk,
                )),
                Method::Cd { tol } => Box::new(SolverCase::new(
                    meta,
                    plan,
                    l,
                    move |_| with_tol(CoordinateDescent::new(), tol),
                    mk,
                )),
                Method::CdScreen { tol } => Box::new(SolverCase::new(
                    meta,
                    plan,
                    l,
                    move |_| with_tol(CoordinateDescent::screening_only(), tol),
                    mk,
                )),
                Method::CdPlain { tol } => Box::new(SolverCase::new(
                    meta,
                    plan,
                    l,
                    move |_| with_tol(CoordinateDescent::plain(), tol),
                    mk,
                )),
                other => return Err(wrong(&other, &spec.problem)),
            }
        }
        (Problem::Penalized(pl), method) => {
            let mk =
                move |p: &Arc<PenalizedLs>| Ok(penalized_set(p.clone(), &m, f_star, truth.clone()));
            let pl = pl.clone();
            match method {
                Method::AgProposed => Box::new(SolverCase::new(
                    meta,
                    plan,
                    pl,
                    |t| NonconvexAg::new(AgSettings::Proposed).threads(t),
                    mk,
                )),
                Method::AgOriginal => Box::new(SolverCase::new(
                    meta,
                    plan,
                    pl,
                    |t| NonconvexAg::new(AgSettings::Original).threads(t),
                    mk,
                )),
                Method::Pg => Box::new(SolverCase::new(
                    meta,
                    plan,
                    pl,
                    |t| PenalizedProxGradient::new().threads(t),
                    mk,
                )),
                other => return Err(wrong(&other, &spec.problem)),
            }
        }
        (Problem::Quadratic(q), method) => {
            let l = q.smoothness();
            let mk = move |p: &Arc<NesterovQuadratic>| Ok(quadratic_set(p.clone(), &m));
            let q = q.clone();
            match method {
                Method::Ista { step_mult } => {
                    let rule = step_rule(step_mult, Some(l))?;
                    Box::new(SolverCase::new(
                        meta,
                        plan,
                        q,
                        move |t| ProxGradient::ista().lipschitz(rule).threads(t),
                        mk,
                    ))
                }
                Method::Fista { step_mult } => {
                    let rule = step_rule(step_mult, Some(l))?;
                    Box::new(SolverCase::new(
                        meta,
                        plan,
                        q,
                        move |t| ProxGradient::fista().lipschitz(rule).threads(t),
                        mk,
                    ))
                }
                Method::FistaRestart => Box::new(SolverCase::new(
                    meta,
                    plan,
                    q,
                    |t| ProxGradient::fista_restart().threads(t),
                    mk,
                )),
                other => return Err(wrong(&other, &spec.problem)),
            }
        }
        (Problem::Regression(d), method) => {
            let mk = move |_: &Arc<RegressionData>| Ok(regression_set(&m, truth.clone()));
            let d = d.clone();
            match method {
                Method::ImplicitGd { alpha, eta, rate } => Box::new(SolverCase::new(
                    meta,
                    plan,
                    d,
                    move |t| {
                        let gd = ImplicitGd::new(alpha, eta).threads(t);
                        match rate {
                            Some(r) => gd.increasing(r),
                            None => gd,
                        }
                    },
                    mk,
                )),
                Method::Dgd {
                    alpha,
                    eta,
                    network,
                    ..
                } => Box::new(SolverCase::new(
                    meta,
                    plan,
                    d,
                    move |t| Dgd::new(network.clone(), alpha, eta).threads(t),
                    mk,
                )),
                other => return Err(wrong(&other, &spec.problem)),
            }
        }
    })
}

fn with_tol(cd: CoordinateDescent, tol: Option<f64>) -> CoordinateDescent {
    match tol {
        Some(t) => cd.tol(t),
        None => cd,
    }
}
