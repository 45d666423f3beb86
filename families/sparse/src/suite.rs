//! The `[sparse]` section of the benchmark suites:
//!
//! * **Lasso** on Toeplitz(τ) designs (τ^|i−j| correlation, 10 random-sign coefficients
//!   spread evenly, σ = 0.5) and on `diabetes.csv` (columns centered and scaled, `y`
//!   centered), λ = `fraction`·λ_max, values in the named `convention` (default scikit-learn's
//!   `(1/2n)‖y − Xw‖² + α‖w‖₁`): ISTA, FISTA, FISTA + adaptive restart and CD (gap-safe
//!   screening + working sets; `cd-screen` and `cd-plain` on request) — duality gap vs
//!   iteration, work (coordinate-update equivalents: one ISTA/FISTA iteration = p, one CD
//!   coordinate update = 1) and time, and the time-to-gap table (1e-6, 1e-10, the gap
//!   tolerances of the metric catalogue).
//! * **SCAD/MCP** least squares on Yang et al.'s block generator (Toeplitz(τ), standardized,
//!   SNR 5): relative objective gap (to the best objective of a long AG run; the objective is recorded too) vs iteration of AG with the proposed and the original settings and of
//!   proximal gradient.
//! * **User data** (`data`): a LIBSVM/svmlight file (sparse rows, read into a sparse X when
//!   large and sparse), an `.npz` with `X`, `y` (and optionally `w_star`), a `.csv` with a
//!   header (target column `data_target`, default the last), or an `.npy` X with
//!   `data_y = "y.npy"`; the Lasso methods run on it.
//!
//! Every hyper-parameter is a field with a documented default, so a TOML table overrides
//! any of them:
//!
//! ```toml
//! [sparse]
//! taus = [0.5]
//! fraction = 0.05            # λ = λ_max/20
//! convention = "sklearn"     # or "plain" (½‖y − Xw‖² + λ‖w‖₁)
//! lasso_methods = ["fista", "cd", "cd-plain"]
//! data = "rcv1_train.binary" # LIBSVM; or x.npz written by `ratebench export sparse`
//! penalties = ["scad"]
//! ```
//!
//! `λ ≥ λ_max` is not an error: `w = 0` is then the exact solution (gap 0 at the start),
//! every run reports `converged` at iteration 0, and the case spec carries the note.

use crate::case::{build, CaseSpec, Method, Problem};
use crate::metrics::Metric;
use crate::relabel;
use ratebench_core::error::check;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result, Sampling, Solver, StopRule};
use ratebench_harness::case::Case;
use ratebench_harness::family::{SuiteEnv, SuitePart, SUITES};
use ratebench_sparse::{
    read_csv, read_libsvm, read_npy_pair, read_npz, Convention, Lasso, PenalizedLs, Penalty,
    RegressionData, RegressionSpec, Regularization, Standardize, Storage,
};
use ratebench_sparse_solvers::{AgSettings, CoordinateDescent, NonconvexAg};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// The Lasso methods a suite may run, by solver name.
pub const LASSO_METHODS: [&str; 6] = [
    "ista",
    "fista",
    "fista-restart",
    "cd",
    "cd-screen",
    "cd-plain",
];
/// The SCAD/MCP methods, by solver name.
pub const PENALIZED_METHODS: [&str; 3] = ["ag-proposed", "ag-original", "pg"];
/// The penalties.
pub const PENALTIES: [&str; 2] = ["scad", "mcp"];

/// The reference optimum of each Lasso case: CD run to a gap of this × P(0).
const REFERENCE_GAP: f64 = 1e-14;

/// The parameters of the sparse family's part of a suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SparseSection {
    /// Run this section at all.
    pub enabled: bool,
    /// Repetitions of the generated cases (each draws a new instance); `--seeds` overrides
    /// it. Real data run once.
    pub seeds: u64,
    /// Lasso methods (see [`LASSO_METHODS`]).
    pub lasso_methods: Vec<String>,
    /// Samples of the Toeplitz Lasso designs.
    pub n: usize,
    /// Features of the Toeplitz Lasso designs.
    pub p: usize,
    /// Toeplitz correlations τ (empty: no generated Lasso case).
    pub taus: Vec<f64>,
    /// λ = fraction · λ_max (λ_max = ‖Xᵀy‖∞; the same fraction in both conventions).
    pub fraction: f64,
    /// Give α (scikit-learn's convention) instead of `fraction` (overrides it).
    pub alpha: Option<f64>,
    /// Give λ (plain convention) instead of `fraction` (overrides it and `alpha`).
    pub lambda: Option<f64>,
    /// `sklearn`: (1/2n)‖y − Xw‖² + α‖w‖₁ (values and the gap divided by n), or `plain`:
    /// ½‖y − Xw‖² + λ‖w‖₁. Named in every run's spec.
    pub convention: String,
    /// Stop a Lasso run once its duality gap (instance convention) is below this.
    pub gap_target: f64,
    /// Iteration cap of ISTA/FISTA runs.
    pub prox_iters: u64,
    /// Epoch cap of CD runs.
    pub cd_epochs: u64,
    /// Budget per run, seconds of steps (initialization included).
    pub time_budget_s: f64,
    /// The diabetes table (CSV, target column `target`); `""`: no diabetes case. Columns
    /// are centered and scaled and `y` is centered, so the no-intercept Lasso equals
    /// scikit-learn's with an intercept on standardized features.
    pub diabetes: Option<String>,
    /// SCAD/MCP methods (see [`PENALIZED_METHODS`]).
    pub penalized_methods: Vec<String>,
    /// Penalties (`scad`, `mcp`; empty: no SCAD/MCP case).
    pub penalties: Vec<String>,
    /// SCAD a (> 2).
    pub scad_a: f64,
    /// MCP γ (> 0; the catalogue's 3, the package default 2).
    pub mcp_gamma: f64,
    /// SCAD/MCP sample sizes N.
    pub penalized_n: Vec<usize>,
    /// SCAD/MCP Toeplitz correlations τ.
    pub penalized_taus: Vec<f64>,
    /// Zeros between the five blocks of 10 (p = 50 + 4·gap; SR-4: 200, task1speed: 500).
    pub penalized_gap: usize,
    /// The penalty level λ.
    pub penalized_lambda: f64,
    /// Iterations of the SCAD/MCP runs (from 0).
    pub penalized_iters: u64,
    /// Cap on the iterations of the AG run that gives the SCAD/MCP reference objective
    /// F⋆ of `rel_obj_gap` (it stops earlier once converged).
    pub penalized_reference_iters: u64,
    /// A user's data set: LIBSVM/svmlight text, `.npz` (X, y, optional w_star), `.csv`
    /// (header row), or `.npy` (X) with `data_y`.
    pub data: Option<String>,
    /// The `.npy` response of an `.npy` design.
    pub data_y: Option<String>,
    /// CSV target column (default: the last).
    pub data_target: Option<String>,
    /// LIBSVM: the number of features (default: the largest index).
    pub data_features: Option<usize>,
    /// LIBSVM storage: `auto` (dense when small or dense), `dense`, `sparse`.
    pub data_storage: String,
    /// Column standardization of the user's data: `none`, `scale` (keeps sparsity),
    /// `center_scale` (dense only).
    pub data_standardize: String,
    /// Center the user's `y`.
    pub data_center_y: bool,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Default for SparseSection {
    /// The `quick` section: a small Toeplitz Lasso, diabetes, SCAD and MCP at N = 200.
    fn default() -> Self {
        Self {
            enabled: true,
            seeds: 1,
            lasso_methods: strings(&["ista", "fista", "fista-restart", "cd"]),
            n: 100,
            p: 400,
            taus: vec![0.5],
            fraction: 0.05,
            alpha: None,
            lambda: None,
            convention: "sklearn".into(),
            gap_target: 1e-10,
            prox_iters: 20_000,
            cd_epochs: 10_000,
            time_budget_s: 60.0,
            diabetes: Some("diabetes.csv".into()),
            penalized_methods: strings(&PENALIZED_METHODS),
            penalties: strings(&PENALTIES),
            scad_a: 3.7,
            mcp_gamma: 3.0,
            penalized_n: vec![200],
            penalized_taus: vec![0.5],
            penalized_gap: 200,
            penalized_lambda: 0.2,
            penalized_iters: 300,
            penalized_reference_iters: 5000,
            data: None,
            data_y: None,
            data_target: None,
            data_features: None,
            data_storage: "auto".into(),
            data_standardize: "none".into(),
            data_center_y: false,
        }
    }
}

/// The built-in section of a suite.
pub fn builtin(suite: &str) -> Result<SparseSection> {
    let base = SparseSection::default();
    Ok(match suite {
        "quick" => base,
        "default" => SparseSection {
            n: 500,
            p: 2000,
            taus: vec![0.1, 0.5, 0.9],
            prox_iters: 20_000,
            time_budget_s: 20.0,
            penalized_n: vec![200, 1000],
            penalized_iters: 1000,
            ..base
        },
        "full" => SparseSection {
            seeds: 5,
            lasso_methods: strings(&LASSO_METHODS),
            n: 500,
            p: 2000,
            taus: vec![0.1, 0.5, 0.9],
            prox_iters: 20_000,
            time_budget_s: 60.0,
            penalized_n: vec![200, 500, 1000, 3000],
            penalized_taus: vec![0.1, 0.5, 0.9],
            penalized_gap: 500,
            penalized_iters: 3000,
            ..base
        },
        other => {
            return Err(Error::invalid(
                format!("suite '{other}'"),
                format!("unknown; known suites: {}", SUITES.join(", ")),
            ))
        }
    })
}

/// One line per built-in suite.
pub fn describe(suite: &str) -> String {
    match suite {
        "quick" => "Lasso (scikit-learn convention, λ = λ_max/20) on a 100 × 400 Toeplitz(0.5) design and diabetes.csv: ISTA, FISTA, FISTA + restart, CD to gap 1e-10; SCAD and MCP (N = 200, τ = 0.5, p = 850) with AG proposed/original and PG, 300 iterations; 1 seed",
        "default" => "Lasso on 500 × 2000 Toeplitz(τ) designs, τ ∈ {0.1, 0.5, 0.9}, and diabetes.csv (gap vs time and work, time to gap 1e-6/1e-10); SCAD/MCP at N ∈ {200, 1000}, τ = 0.5, 1000 iterations; 1 seed",
        "full" => "as default with every Lasso method (also cd-screen, cd-plain), 5 seeds, and SCAD/MCP on the task1speed grid (p = 2050, N ∈ {200, 500, 1000, 3000}, τ ∈ {0.1, 0.5, 0.9}, 3000 iterations)",
        _ => "",
    }
    .to_string()
}

/// Suites sample metrics on a 1 % geometric grid: hitting times are resolved to 1 %.
const SUITE_SAMPLING: Sampling = Sampling::Geometric(1.01);

fn convention(s: &str) -> Result<Convention> {
    match s {
        "sklearn" => Ok(Convention::Sklearn),
        "plain" => Ok(Convention::Plain),
        other => Err(Error::invalid(
            "convention",
            format!("unknown convention '{other}'; use \"sklearn\" ((1/2n)‖y − Xw‖² + α‖w‖₁) or \"plain\" (½‖y − Xw‖² + λ‖w‖₁)"),
        )),
    }
}

fn standardize(field: &str, s: &str) -> Result<Standardize> {
    match s {
        "none" => Ok(Standardize::None),
        "scale" => Ok(Standardize::Scale),
        "center_scale" => Ok(Standardize::CenterScale),
        other => Err(Error::invalid(
            field,
            format!(
                "unknown standardization '{other}'; use \"none\", \"scale\" or \"center_scale\""
            ),
        )),
    }
}

fn storage(s: &str) -> Result<Storage> {
    match s {
        "auto" => Ok(Storage::Auto),
        "dense" => Ok(Storage::Dense),
        "sparse" => Ok(Storage::Sparse),
        other => Err(Error::invalid(
            "data_storage",
            format!("unknown storage '{other}'; use \"auto\", \"dense\" or \"sparse\""),
        )),
    }
}

/// Loads a user's regression data by extension (see [`SparseSection::data`]).
pub fn load_data(
    path: &Path,
    y: Option<&Path>,
    target: Option<&str>,
    features: Option<usize>,
    store: Storage,
) -> Result<RegressionData> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "npz" => read_npz(path),
        "csv" => read_csv(path, target),
        "npy" => match y {
            Some(y) => read_npy_pair(path, y),
            None => Err(Error::invalid(
                "data_y",
                format!("'{}' is an .npy design; name its response with data_y = \"y.npy\" (or write X and y into one .npz)", path.display()),
            )),
        },
        _ => read_libsvm(path, features, store),
    }
}

impl SparseSection {
    /// Checks every field that does not need the data.
    pub fn validate(&self) -> Result<()> {
        for (field, list, known) in [
            ("lasso_methods", &self.lasso_methods, &LASSO_METHODS[..]),
            (
                "penalized_methods",
                &self.penalized_methods,
                &PENALIZED_METHODS[..],
            ),
            ("penalties", &self.penalties, &PENALTIES[..]),
        ] {
            if let Some(bad) = list.iter().find(|m| !known.contains(&m.as_str())) {
                return Err(Error::invalid(
                    field,
                    format!("unknown '{bad}'; known: {}", known.join(", ")),
                ));
            }
        }
        convention(&self.convention)?;
        standardize("data_standardize", &self.data_standardize)?;
        storage(&self.data_storage)?;
        check::in_range("seeds", self.seeds as usize, 1, usize::MAX)?;
        check::in_range("n", self.n, 1, 1 << 24)?;
        check::in_range("p", self.p, 10, 1 << 24)?;
        if !(self.fraction.is_finite() && self.fraction > 0.0) {
            return Err(Error::invalid(
                "fraction",
                format!("λ/λ_max must be > 0, got {} (λ = 0 is least squares, not a Lasso); e.g. fraction = 0.05 (λ = λ_max/20)", self.fraction),
            ));
        }
        for (field, v) in [("alpha", self.alpha), ("lambda", self.lambda)] {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0) {
                    return Err(Error::invalid(
                        field,
                        format!("must be a finite number > 0, got {v} (0 is least squares, not a Lasso)"),
                    ));
                }
            }
        }
        for (field, taus) in [
            ("taus", &self.taus),
            ("penalized_taus", &self.penalized_taus),
        ] {
            if let Some(t) = taus.iter().find(|t| !(t.is_finite() && t.abs() < 1.0)) {
                return Err(Error::invalid(
                    field,
                    format!("the Toeplitz correlation must satisfy |τ| < 1, got {t}"),
                ));
            }
        }
        check::positive("gap_target", self.gap_target)?;
        check::positive("time_budget_s", self.time_budget_s)?;
        check::positive("penalized_lambda", self.penalized_lambda)?;
        Penalty::Scad { a: self.scad_a }
            .validate()
            .map_err(|e| relabel(e, "scad_a"))?;
        Penalty::Mcp {
            gamma: self.mcp_gamma,
        }
        .validate()
        .map_err(|e| relabel(e, "mcp_gamma"))?;
        if let Some(n) = self.penalized_n.iter().find(|n| **n < 2) {
            return Err(Error::invalid(
                "penalized_n",
                format!("standardizing needs N ≥ 2 samples, got {n}"),
            ));
        }
        Ok(())
    }

    fn regularization(&self) -> Regularization {
        match (self.lambda, self.alpha) {
            (Some(lambda), _) => Regularization::Lambda { lambda },
            (None, Some(alpha)) => Regularization::Alpha { alpha },
            _ => Regularization::Fraction {
                fraction: self.fraction,
            },
        }
    }

    fn reg_field(&self) -> &'static str {
        match (self.lambda, self.alpha) {
            (Some(_), _) => "lambda",
            (None, Some(_)) => "alpha",
            _ => "fraction",
        }
    }

    /// Expands the section into cases. `user_named` lists the data fields the user's table
    /// set: a missing file there is an error, a missing built-in file is skipped.
    pub fn part(&self, env: &SuiteEnv<'_>, group: &str, user_named: &[&str]) -> Result<SuitePart> {
        self.validate()?;
        let mut part = SuitePart {
            cases: Vec::new(),
            skipped: Vec::new(),
        };
        if !self.enabled {
            return Ok(part);
        }
        let conv = convention(&self.convention)?;
        let mut cases: Vec<Box<dyn Case>> = Vec::new();
        // Lasso on Toeplitz designs.
        if !self.lasso_methods.is_empty() {
            for &tau in &self.taus {
                for rep in 0..self.seeds {
                    let spec = RegressionSpec::lasso_toeplitz(self.n, self.p, tau);
                    let seed = format!("seed={rep}");
                    let path = SeedPath::new(env.base_seed)
                        .with(group)
                        .with(spec.label())
                        .with(&seed);
                    let data = spec.generate(&path)?;
                    let name = format!("lasso,toeplitz({tau}),n={},p={}", self.n, self.p);
                    let instance = serde_json::json!({
                        "generator": spec, "seed_path": [group, spec.label(), seed],
                    });
                    cases.extend(self.lasso_cases(&name, data, instance, conv, rep)?);
                }
            }
            if let Some(file) = self.diabetes.as_ref().filter(|f| !f.is_empty()) {
                match env.data.resolve(file) {
                    Ok(path) => {
                        let data = read_csv(&path, Some("target"))?
                            .standardized(Standardize::CenterScale)
                            .map_err(|e| Error::file(&path, e.to_string()))?
                            .center_y();
                        let shown = path.display().to_string();
                        let mut instance = serde_json::json!({
                            "file": shown, "standardize": "center_scale", "center_y": true,
                        });
                        if let (Some(a), Some(o)) = (
                            ratebench_harness::data::attribution(&shown),
                            instance.as_object_mut(),
                        ) {
                            o.insert("attribution".into(), a.into());
                        }
                        cases.extend(self.lasso_cases(
                            "lasso,diabetes",
                            data,
                            instance,
                            conv,
                            0,
                        )?);
                    }
                    Err(e) if !user_named.contains(&"diabetes") => {
                        part.skipped.push(format!("sparse {file}: {e}"));
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(file) = &self.data {
                let path = env.data.resolve(file)?;
                let y = match &self.data_y {
                    Some(f) => Some(env.data.resolve(f)?),
                    None => None,
                };
                let data = load_data(
                    &path,
                    y.as_deref(),
                    self.data_target.as_deref(),
                    self.data_features,
                    storage(&self.data_storage)?,
                )?;
                let how = standardize("data_standardize", &self.data_standardize)?;
                let mut data = data
                    .standardized(how)
                    .map_err(|e| relabel(e, "data_standardize"))?;
                if self.data_center_y {
                    data = data.center_y();
                }
                let name = Path::new(file)
                    .file_name()
                    .map_or_else(|| file.clone(), |f| f.to_string_lossy().into_owned());
                let instance = serde_json::json!({
                    "file": path.display().to_string(),
                    "standardize": self.data_standardize,
                    "center_y": self.data_center_y,
                    "storage": data.x().storage(),
                });
                cases.extend(self.lasso_cases(
                    &format!("lasso,{name}"),
                    data,
                    instance,
                    conv,
                    0,
                )?);
            }
        }
        // SCAD/MCP.
        if !self.penalized_methods.is_empty() {
            for pen in &self.penalties {
                let penalty = match pen.as_str() {
                    "scad" => Penalty::Scad { a: self.scad_a },
                    _ => Penalty::Mcp {
                        gamma: self.mcp_gamma,
                    },
                };
                for &n in &self.penalized_n {
                    for &tau in &self.penalized_taus {
                        for rep in 0..self.seeds {
                            cases.extend(
                                self.penalized_cases(penalty, pen, n, tau, rep, env, group)?,
                            );
                        }
                    }
                }
            }
        }
        part.cases = cases;
        Ok(part)
    }

    /// The Lasso methods on one instance (with the CD reference optimum for `rel_obj_gap`).
    fn lasso_cases(
        &self,
        name: &str,
        data: RegressionData,
        instance: serde_json::Value,
        conv: Convention,
        rep: u64,
    ) -> Result<Vec<Box<dyn Case>>> {
        let field = self.reg_field();
        let lasso =
            Arc::new(Lasso::new(data, self.regularization(), conv).map_err(|e| relabel(e, field))?);
        let f_star = reference_optimum(&lasso)?;
        let frac = lasso.lambda() / lasso.lambda_max();
        let label = format!("{name},λ={frac:.3}λmax,{}", conv.as_str());
        let mut metrics = vec![Metric::Gap, Metric::Primal, Metric::RelObjGap, Metric::Nnz];
        if lasso.data().truth().is_some() {
            metrics.extend([Metric::EstErr, Metric::Precision, Metric::Recall]);
        }
        let tol = Some(self.gap_target);
        self.lasso_methods
            .iter()
            .map(|m| {
                let (method, cap) = match m.as_str() {
                    "ista" => (Method::Ista { step_mult: 1.0 }, self.prox_iters),
                    "fista" => (Method::Fista { step_mult: 1.0 }, self.prox_iters),
                    "fista-restart" => (Method::FistaRestart, self.prox_iters),
                    "cd" => (Method::Cd { tol }, self.cd_epochs),
                    "cd-screen" => (Method::CdScreen { tol }, self.cd_epochs),
                    _ => (Method::CdPlain { tol }, self.cd_epochs),
                };
                build(CaseSpec {
                    label: label.clone(),
                    problem: Problem::Lasso(lasso.clone()),
                    instance: instance.clone(),
                    method,
                    metrics: metrics.clone(),
                    stop: StopRule::max_iter(cap)
                        .with_target("gap", self.gap_target)
                        .with_time_budget(self.time_budget_s),
                    sampling: SUITE_SAMPLING,
                    rep,
                    init_labels: vec![label.clone(), rep.to_string()],
                    f_star: Some(f_star),
                    oracle: false,
                })
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn penalized_cases(
        &self,
        penalty: Penalty,
        pen: &str,
        n: usize,
        tau: f64,
        rep: u64,
        env: &SuiteEnv<'_>,
        group: &str,
    ) -> Result<Vec<Box<dyn Case>>> {
        let spec = RegressionSpec::nonconvex_speed(n, tau, self.penalized_gap);
        let seed = format!("seed={rep}");
        let path = SeedPath::new(env.base_seed)
            .with(group)
            .with(spec.label())
            .with(&seed);
        let data = spec.generate(&path)?;
        let prob = Arc::new(
            PenalizedLs::new(data, penalty, self.penalized_lambda)
                .map_err(|e| relabel(e, "penalized_lambda"))?,
        );
        let instance = serde_json::json!({
            "generator": spec, "seed_path": [group, spec.label(), seed],
        });
        let f_ref = penalized_reference(&prob, self.penalized_reference_iters)?;
        let label = format!(
            "{pen},N={n},p={},tau={tau},λ={}",
            spec.p, self.penalized_lambda
        );
        self.penalized_methods
            .iter()
            .map(|m| {
                let method = match m.as_str() {
                    "ag-proposed" => Method::AgProposed,
                    "ag-original" => Method::AgOriginal,
                    _ => Method::Pg,
                };
                build(CaseSpec {
                    label: label.clone(),
                    problem: Problem::Penalized(prob.clone()),
                    instance: instance.clone(),
                    method,
                    metrics: vec![
                        Metric::RelObjGap,
                        Metric::Objective,
                        Metric::EstErr,
                        Metric::Nnz,
                    ],
                    stop: StopRule::max_iter(self.penalized_iters)
                        .with_time_budget(self.time_budget_s),
                    sampling: SUITE_SAMPLING,
                    rep,
                    init_labels: vec![label.clone(), rep.to_string()],
                    f_star: Some(f_ref),
                    oracle: false,
                })
            })
            .collect()
    }
}

/// The SCAD/MCP reference objective: the best objective of AG with the proposed damping
/// run for at most `iters` iterations from 0, stopped once its best value improved by less
/// than 1e-14 (relative) over 100 iterations. A method that finds a lower (local) minimum
/// has a negative `rel_obj_gap` there, which log axes leave out.
pub fn penalized_reference(prob: &PenalizedLs, iters: u64) -> Result<f64> {
    let mut ag = NonconvexAg::new(AgSettings::Proposed);
    ag.init(prob, &mut SeedPath::new(0).stream("reference"))?;
    let mut best = prob.objective(ag.iterate());
    let mut mark = best;
    for k in 1..=iters {
        ag.step(prob)?;
        best = best.min(prob.objective(ag.iterate()));
        if k % 100 == 0 {
            if best > mark - 1e-14 * mark.abs() {
                break;
            }
            mark = best;
        }
    }
    Ok(best)
}

/// `P⋆` in the instance's convention: CD run to a gap of 1e-14 × P(0) (exactly 0 when
/// λ ≥ λ_max, where w = 0 is the solution).
pub fn reference_optimum(lasso: &Lasso) -> Result<f64> {
    let zero = vec![0.0; lasso.data().p()];
    let p0 = lasso.primal(&zero);
    if lasso.is_trivial() {
        return Ok(p0);
    }
    let mut cd = CoordinateDescent::new().tol(REFERENCE_GAP * p0);
    cd.init(lasso, &mut SeedPath::new(0).stream("reference"))?;
    cd.solve(lasso, 1_000_000)?;
    Ok(lasso.primal(cd.iterate()))
}
