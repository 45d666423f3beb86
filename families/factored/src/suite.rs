//! The `[factored]` section of the benchmark suites: factorization across κ and k, a real
//! matrix, normalized GOE sensing, robust sensing (SubGM vs ℓ₂-GD under outliers) and a
//! user's sensing `.npz`.
//!
//! Every hyper-parameter is a field with a documented default, so a TOML table overrides
//! any of them:
//!
//! ```toml
//! [factored]
//! n = 300
//! kappa = [10.0, 100.0]
//! methods = ["gd", "scaledgd-lambda"]
//! subgm_rho = 0.98
//! ```

use crate::case::{CaseSpec, FactoredCase, Instance, Method};
use ratebench_core::{error::check, Error, Result, Sampling, StopRule};
use ratebench_harness::case::Case;
use ratebench_harness::family::{SuiteEnv, SuitePart};
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric, LowRankSpec};
use ratebench_sensing::{Noise, SensingProblem, SensingSpec};
use serde::{Deserialize, Serialize};

/// The methods a suite may run, by solver name.
pub const METHODS: [&str; 4] = ["gd", "scaledgd", "scaledgd-lambda", "precgd"];

/// The parameters of the factored family's part of a suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FactoredSection {
    /// Run this section at all.
    pub enabled: bool,
    /// Dimension of the synthetic `M⋆` (factorization cases).
    pub n: usize,
    /// Rank `r⋆`.
    pub r: usize,
    /// Condition numbers, `σ = linspace(1, 1/κ, r)`.
    pub kappa: Vec<f64>,
    /// Factor ranks (`r` = exact, `> r` = over-parameterized).
    pub k: Vec<usize>,
    /// Repetitions (data and initialization seeds) per case.
    pub seeds: u64,
    /// Methods (see [`METHODS`]).
    pub methods: Vec<String>,
    /// Step size (GD uses `eta/σ₁`).
    pub eta: f64,
    /// Small-init scale, `X₀ = αG/√n`.
    pub alpha: f64,
    /// PrecGD's damping constant `c` in `λ_t = c·‖A(XXᵀ) − y‖`.
    pub precgd_damping: f64,
    /// Iteration cap per factorization run.
    pub max_iter: u64,
    /// Stop at this relative error.
    pub target: f64,
    /// Budget per run, seconds (initialization included).
    pub time_budget_s: f64,
    /// Optional real matrix (`.npy`) factored asymmetrically at rank `real_k`; a bare file
    /// name is searched in the data directories.
    pub real_data: Option<String>,
    pub real_k: usize,
    pub real_max_iter: u64,
    /// Initialization scale of the real-data runs in units of `√σ₁`.
    pub real_init_scale: f64,
    /// Seeds of the real-data runs (at most `seeds`).
    pub real_seeds: u64,
    /// Measurements of the sensing cases (0 = none): GOE, normalized, `n = sensing_n`.
    pub sensing_m: usize,
    pub sensing_n: usize,
    pub sensing_r: usize,
    pub sensing_kappa: Vec<f64>,
    pub sensing_k: Vec<usize>,
    pub sensing_max_iter: u64,
    /// Outlier fraction of the robust cases (SubGM vs ℓ₂-GD, unnormalized; 0 = none).
    pub outliers_p: f64,
    pub outliers_m: usize,
    /// Outlier magnitude in units of `max|y|`.
    pub outlier_scale: f64,
    /// Spectrum of the robust cases' `X⋆`.
    pub robust_spectrum: Vec<f64>,
    /// SubGM's initial step `η₀` and decay `ρ` (steps `η₀ρᵗ`), and its init scale.
    pub subgm_eta0: f64,
    pub subgm_rho: f64,
    pub subgm_alpha: f64,
    /// The ℓ₂-GD comparator's step.
    pub l2_eta: f64,
    /// Iterations of the robust cases.
    pub robust_iters: u64,
    /// A sensing instance from `.npz` (`A` m × n², `y`, `M`), run with every method.
    pub sensing_npz: Option<String>,
}

impl Default for FactoredSection {
    fn default() -> Self {
        Self {
            enabled: true,
            n: 100,
            r: 5,
            kappa: vec![10.0, 100.0],
            k: vec![5, 10],
            seeds: 2,
            methods: METHODS.iter().map(|s| s.to_string()).collect(),
            eta: 0.5,
            alpha: 1e-7,
            precgd_damping: 1.0,
            max_iter: 5000,
            target: 1e-10,
            time_budget_s: 60.0,
            real_data: None,
            real_k: 8,
            real_max_iter: 300,
            real_init_scale: 1e-3,
            real_seeds: 2,
            sensing_m: 2000,
            sensing_n: 10,
            sensing_r: 2,
            sensing_kappa: vec![10.0, 100.0],
            sensing_k: vec![2, 4],
            sensing_max_iter: 3000,
            outliers_p: 0.2,
            outliers_m: 2000,
            outlier_scale: 10.0,
            robust_spectrum: vec![1.0, 0.5],
            subgm_eta0: 0.3,
            subgm_rho: 0.985,
            subgm_alpha: 1e-4,
            l2_eta: 0.05,
            robust_iters: 1500,
            sensing_npz: None,
        }
    }
}

/// The built-in section of a suite.
pub fn builtin(suite: &str) -> Result<FactoredSection> {
    Ok(match suite {
        "quick" => FactoredSection::default(),
        "default" => FactoredSection {
            n: 200,
            kappa: vec![10.0, 100.0, 1000.0],
            seeds: 3,
            max_iter: 40_000,
            real_data: Some("china_gray.npy".into()),
            sensing_m: 5000,
            ..Default::default()
        },
        "full" => FactoredSection {
            n: 1000,
            r: 10,
            kappa: vec![10.0, 100.0, 1000.0],
            k: vec![10, 20],
            seeds: 5,
            max_iter: 40_000,
            time_budget_s: 600.0,
            real_data: Some("china_gray.npy".into()),
            sensing_m: 20000,
            ..Default::default()
        },
        other => {
            return Err(Error::invalid(
                format!("suite '{other}'"),
                format!(
                    "unknown; known suites: {}",
                    ratebench_harness::family::SUITES.join(", ")
                ),
            ))
        }
    })
}

/// One line per built-in suite.
pub fn describe(suite: &str) -> String {
    match suite {
        "quick" => "factorization n = 100, κ ∈ {10, 100}, k ∈ {r, 2r}; sensing n = 10, m = 2000; SubGM vs ℓ₂-GD with 20% outliers; 2 seeds",
        "default" => "factorization n = 200, κ ∈ {10, 100, 1000}, k ∈ {r, 2r}, plus china_gray.npy; sensing n = 10, m = 5000; robust sensing; 3 seeds",
        "full" => "factorization n = 1000, r = 10, κ ∈ {10, 100, 1000}; sensing m = 20000; 5 seeds",
        _ => "",
    }
    .to_string()
}

/// Suites sample metrics on a 1 % geometric grid: hitting times are resolved to 1 %
/// (finer than `compare`'s 5 % gate) and traces stay small on 40 000-iteration runs.
const SUITE_SAMPLING: Sampling = Sampling::Geometric(1.01);

impl FactoredSection {
    /// Checks every field (before any instance is generated).
    pub fn validate(&self) -> Result<()> {
        LowRankSpec {
            n: self.n,
            r: self.r,
            kappa: 1.0,
            ..Default::default()
        }
        .validate()?;
        for &kappa in self.kappa.iter().chain(&self.sensing_kappa) {
            check::at_least("kappa", kappa, 1.0)?;
        }
        for &k in &self.k {
            check::in_range("k", k, 1, self.n)?;
        }
        for (name, v) in [
            ("eta", self.eta),
            ("alpha", self.alpha),
            ("target", self.target),
            ("time_budget_s", self.time_budget_s),
            ("precgd_damping", self.precgd_damping),
            ("real_init_scale", self.real_init_scale),
            ("subgm_eta0", self.subgm_eta0),
            ("subgm_alpha", self.subgm_alpha),
            ("l2_eta", self.l2_eta),
        ] {
            check::positive(name, v)?;
        }
        if !(self.subgm_rho > 0.0 && self.subgm_rho <= 1.0) {
            return Err(Error::invalid(
                "subgm_rho",
                format!("the step decay must be in (0, 1], got {}", self.subgm_rho),
            ));
        }
        if self.sensing_m > 0 {
            for &k in &self.sensing_k {
                check::in_range("sensing_k", k, 1, self.sensing_n)?;
            }
        }
        if !(0.0..1.0).contains(&self.outliers_p) {
            return Err(Error::invalid(
                "outliers_p",
                format!("must be in [0, 1), got {}", self.outliers_p),
            ));
        }
        if self.seeds == 0 {
            return Err(Error::invalid("seeds", "must be at least 1"));
        }
        if self.kappa.is_empty() || self.k.is_empty() || self.methods.is_empty() {
            return Err(Error::invalid(
                "[factored]",
                "kappa, k and methods must not be empty",
            ));
        }
        if let Some(m) = self.methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
            return Err(Error::invalid(
                format!("method '{m}'"),
                format!("unknown; known methods: {}", METHODS.join(", ")),
            ));
        }
        Ok(())
    }

    /// ScaledGD (λ = 0) starts from the spectral initialization, as in its paper (a tiny
    /// random start makes `(XᵀX)⁻¹` explode); the other methods from `αG/√n`.
    fn init_for(&self, name: &str) -> InitSpec {
        if name == "scaledgd" {
            InitSpec::spectral(false)
        } else {
            InitSpec::symmetric(self.alpha, InitScaling::SqrtN)
        }
    }

    /// The method of a given name, with its hyper-parameters for target `σ_min`, `σ₁`.
    fn method(&self, name: &str, sigma_min: f64, sigma_max: f64) -> Method {
        match name {
            "gd" => Method::Gd {
                eta: self.eta / sigma_max,
            },
            "scaledgd" => Method::ScaledGd {
                eta: self.eta,
                lambda: 0.0,
            },
            "scaledgd-lambda" => Method::ScaledGd {
                eta: self.eta,
                lambda: sigma_min,
            },
            _ => Method::PrecGd {
                eta: self.eta,
                damping: self.precgd_damping,
            },
        }
    }

    fn stop(&self, max_iter: u64) -> StopRule {
        StopRule::max_iter(max_iter)
            .with_target("rel_err", self.target)
            .with_divergence("rel_err", 1e3)
            .with_time_budget(self.time_budget_s)
    }

    /// A case of the suite's methods recording the relative error.
    fn spec(&self, label: String, inst: &Instance, name: &str, k: usize, rep: u64) -> CaseSpec {
        let (smin, s1) = positive_extremes(inst);
        let rel = LowRankMetric::RelErr;
        CaseSpec {
            label,
            instance: inst.clone(),
            method: self.method(name, smin, s1),
            k,
            init: self.init_for(name),
            metrics: vec![rel],
            primary: rel,
            stop: self.stop(self.max_iter),
            sampling: SUITE_SAMPLING,
            rep,
        }
    }

    /// Expands the section into cases (instances are generated here, once per κ and seed).
    pub fn part(&self, env: &SuiteEnv<'_>, group: &str, user_real: bool) -> Result<SuitePart> {
        self.validate()?;
        let mut part = SuitePart {
            cases: Vec::new(),
            skipped: Vec::new(),
        };
        if !self.enabled {
            return Ok(part);
        }
        let mut specs = self.factorization(env.base_seed, group)?;
        if let Some(file) = &self.real_data {
            match env.data.resolve(file) {
                Ok(path) => specs.extend(self.real(&path)?),
                Err(e) if !user_real => part.skipped.push(format!("factored {file}: {e}")),
                Err(e) => return Err(e),
            }
        }
        specs.extend(self.sensing(env.base_seed, group)?);
        specs.extend(self.robust(env.base_seed, group)?);
        if let Some(file) = &self.sensing_npz {
            specs.extend(self.npz(&env.data.resolve(file)?)?);
        }
        part.cases = specs
            .into_iter()
            .map(FactoredCase::boxed)
            .collect::<Result<Vec<Box<dyn Case>>>>()?;
        Ok(part)
    }

    fn factorization(&self, base_seed: u64, group: &str) -> Result<Vec<CaseSpec>> {
        let mut out = Vec::new();
        for &kappa in &self.kappa {
            for rep in 0..self.seeds {
                let spec = LowRankSpec {
                    n: self.n,
                    r: self.r,
                    kappa,
                    ..Default::default()
                };
                let inst = Instance::generate(&spec, base_seed, group, rep)?;
                for &k in &self.k {
                    for name in &self.methods {
                        let label = format!("n={},r={},kappa={kappa},k={k}", self.n, self.r);
                        out.push(self.spec(label, &inst, name, k, rep));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Sensing: the suite's methods across κ and k on normalized GOE sensing.
    fn sensing(&self, base_seed: u64, group: &str) -> Result<Vec<CaseSpec>> {
        let mut out = Vec::new();
        if self.sensing_m == 0 {
            return Ok(out);
        }
        for &kappa in &self.sensing_kappa {
            for rep in 0..self.seeds {
                let spec = SensingSpec {
                    n: self.sensing_n,
                    r: self.sensing_r,
                    kappa,
                    m: self.sensing_m,
                    ..Default::default()
                };
                let inst = Instance::generate_sensing(&spec, base_seed, group, rep)?;
                for &k in &self.sensing_k {
                    for name in &self.methods {
                        let label = format!(
                            "sensing,n={},m={},kappa={kappa},k={k}",
                            self.sensing_n, self.sensing_m
                        );
                        let mut c = self.spec(label, &inst, name, k, rep);
                        c.stop = self.stop(self.sensing_max_iter);
                        out.push(c);
                    }
                }
            }
        }
        Ok(out)
    }

    /// SubGM vs ℓ₂-GD under outliers (unnormalized, Ma & Fattahi's setup).
    fn robust(&self, base_seed: u64, group: &str) -> Result<Vec<CaseSpec>> {
        let mut out = Vec::new();
        if self.outliers_p <= 0.0 {
            return Ok(out);
        }
        let spec = SensingSpec {
            n: self.sensing_n,
            r: self.robust_spectrum.len(),
            spectrum: Some(self.robust_spectrum.clone()),
            m: self.outliers_m,
            normalized: false,
            noise: Noise::Outliers {
                p: self.outliers_p,
                scale: self.outlier_scale,
            },
            ..Default::default()
        };
        let inst = Instance::generate_sensing(&spec, base_seed, group, 0)?;
        let label = format!(
            "robust,n={},m={},p={}",
            self.sensing_n, self.outliers_m, self.outliers_p
        );
        let rel = LowRankMetric::RelErr;
        for rep in 1..=self.seeds {
            for method in [
                Method::SubGm {
                    eta0: self.subgm_eta0,
                    rho: self.subgm_rho,
                },
                Method::L2Gd { eta: self.l2_eta },
            ] {
                out.push(CaseSpec {
                    label: label.clone(),
                    instance: inst.clone(),
                    method,
                    k: self.sensing_n,
                    init: InitSpec::symmetric(self.subgm_alpha, InitScaling::SqrtN),
                    metrics: vec![rel],
                    primary: rel,
                    stop: StopRule::max_iter(self.robust_iters)
                        .with_divergence("rel_err", 1e3)
                        .with_time_budget(self.time_budget_s),
                    sampling: SUITE_SAMPLING,
                    rep,
                });
            }
        }
        Ok(out)
    }

    /// A user's sensing instance run with every suite method.
    fn npz(&self, path: &std::path::Path) -> Result<Vec<CaseSpec>> {
        let problem = SensingProblem::load_npz(path)?;
        let inst = Instance::from_sensing(
            problem,
            serde_json::json!({ "npz": path.display().to_string() }),
        );
        let file = file_name(path);
        let mut out = Vec::new();
        for &k in &self.sensing_k {
            for name in &self.methods {
                let mut c = self.spec(format!("{file},k={k}"), &inst, name, k, 0);
                c.stop = self.stop(self.sensing_max_iter);
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Asymmetric factorization of a real matrix: GD and ScaledGD(λ) at rank `real_k`,
    /// measured by the distance to the best rank-`real_k` approximation.
    fn real(&self, path: &std::path::Path) -> Result<Vec<CaseSpec>> {
        let mut inst = Instance::load_npy(path)?;
        if let Some(obj) = serde_json::from_str::<serde_json::Value>(&inst.spec)
            .ok()
            .as_mut()
            .and_then(|v| v.as_object_mut().cloned())
        {
            let mut obj = obj;
            if let Some(a) = ratebench_harness::data::attribution(&path.display().to_string()) {
                obj.insert("attribution".into(), a.into());
            }
            inst.spec = serde_json::Value::Object(obj).to_string();
        }
        let s = inst.truth().spectrum();
        let file = file_name(path);
        let k = self.real_k;
        check::in_range("real_k", k, 1, 8)?;
        let top = s.first().copied().unwrap_or(0.0);
        let rank = s.iter().filter(|v| v.abs() > 1e-12 * top).count();
        if k > rank {
            return Err(Error::invalid(
                "real_k",
                format!("{file} has {rank} nonzero singular values, so rank real_k = {k} is not defined; choose real_k ≤ {rank}"),
            ));
        }
        let (s1, sk) = (s[0], s[k - 1]);
        let dist = LowRankMetric::DistRank(k);
        // Spectral-scale init α·√σ₁ keeps the start small relative to the data.
        let init = InitSpec::asymmetric(self.real_init_scale * s1.sqrt(), 1.0);
        let mut out = Vec::new();
        for (name, method) in [
            ("gd", Method::Gd { eta: self.eta / s1 }),
            (
                "scaledgd-lambda",
                Method::ScaledGd {
                    eta: self.eta,
                    lambda: sk,
                },
            ),
        ] {
            if !self.methods.iter().any(|m| m == name) {
                continue;
            }
            for rep in 0..self.seeds.min(self.real_seeds.max(1)) {
                out.push(CaseSpec {
                    label: format!("{file},k={k}"),
                    instance: inst.clone(),
                    method: method.clone(),
                    k,
                    init: init.clone(),
                    metrics: vec![dist, LowRankMetric::RelErr],
                    primary: dist,
                    stop: StopRule::max_iter(self.real_max_iter)
                        .with_target(dist.name(), 1e-10 * s1)
                        .with_time_budget(self.time_budget_s),
                    sampling: SUITE_SAMPLING,
                    rep,
                });
            }
        }
        Ok(out)
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// `(σ_min, σ₁)` of the truth's nonzero spectrum (loaded truths carry round-off values).
fn positive_extremes(inst: &Instance) -> (f64, f64) {
    let s = inst.truth().spectrum();
    let top = s.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    let kept: Vec<f64> = s
        .iter()
        .map(|v| v.abs())
        .filter(|v| *v > 1e-12 * top)
        .collect();
    let min = kept.iter().copied().fold(f64::INFINITY, f64::min);
    (
        if min.is_finite() { min } else { 1.0 },
        if top > 0.0 { top } else { 1.0 },
    )
}
