//! Benchmark suites: named grids of (instance × method × seed) run for convergence curves
//! and time-to-tolerance.
//!
//! A suite is plain data ([`SuiteSpec`], serde), so a TOML file can override any field:
//!
//! ```toml
//! [suite]
//! n = 300
//! kappa = [10.0, 100.0]
//! seeds = 2
//! methods = ["gd", "scaledgd-lambda"]
//! ```

use crate::lowrank::{run_case, Instance, LowRankCase, Method};
use crate::results::{RunRecord, RunResult};
use ratebench_core::{Error, Result, Sampling, StopRule};
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric, LowRankSpec};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The methods a suite may run, by solver name.
pub const METHODS: [&str; 4] = ["gd", "scaledgd", "scaledgd-lambda", "precgd"];

/// The parameters of a low-rank benchmark grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SuiteSpec {
    pub name: String,
    pub description: String,
    /// Dimension of the synthetic `M⋆`.
    pub n: usize,
    /// Rank `r⋆`.
    pub r: usize,
    pub kappa: Vec<f64>,
    /// Factor ranks (`r` = exact, `> r` = over-parameterized).
    pub k: Vec<usize>,
    pub seeds: u64,
    pub methods: Vec<String>,
    /// Step size (GD uses `eta/σ₁`; σ₁ = 1 for synthetic instances).
    pub eta: f64,
    /// Small-init scale, `X₀ = αG/√n`.
    pub alpha: f64,
    /// Iteration cap per run.
    pub max_iter: u64,
    /// Stop at this relative error.
    pub target: f64,
    /// Cumulative step-time budget per run (seconds).
    pub time_budget_s: f64,
    /// Optional real matrix (`.npy`) factored asymmetrically with rank `real_k`.
    pub real_data: Option<PathBuf>,
    pub real_k: usize,
    pub real_max_iter: u64,
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
    /// A sensing instance from `.npz` (A, y, M), run with every suite method.
    pub sensing_npz: Option<PathBuf>,
    /// Refuse sensing instances whose stored operator exceeds this many GiB.
    pub memory_limit_gib: f64,
}

impl Default for SuiteSpec {
    fn default() -> Self {
        Self {
            name: "custom".into(),
            description: String::new(),
            n: 100,
            r: 5,
            kappa: vec![10.0, 100.0],
            k: vec![5, 10],
            seeds: 2,
            methods: METHODS.iter().map(|s| s.to_string()).collect(),
            eta: 0.5,
            alpha: 1e-7,
            max_iter: 5000,
            target: 1e-10,
            time_budget_s: 60.0,
            real_data: None,
            real_k: 8,
            real_max_iter: 300,
            sensing_m: 2000,
            sensing_n: 10,
            sensing_r: 2,
            sensing_kappa: vec![10.0, 100.0],
            sensing_k: vec![2, 4],
            sensing_max_iter: 3000,
            outliers_p: 0.2,
            outliers_m: 2000,
            sensing_npz: None,
            memory_limit_gib: 4.0,
        }
    }
}

/// Suites sample metrics on a 1 % geometric grid: hitting times are resolved to 1 %
/// (finer than `compare`'s 5 % gate) and traces stay small on 40 000-iteration runs.
const SUITE_SAMPLING: Sampling = Sampling::Geometric(1.01);

/// Names of the built-in suites.
pub const SUITES: [&str; 3] = ["quick", "default", "full"];

/// The data directory shipped beside the repository (`../shared/data`), if present.
fn shared_data(file: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(file);
    p.exists().then_some(p)
}

/// A built-in suite by name.
pub fn builtin(name: &str) -> Result<SuiteSpec> {
    let spec = match name {
        "quick" => SuiteSpec {
            name: "quick".into(),
            description: "CI smoke grid: factorization n = 100, κ ∈ {10, 100}, k ∈ {r, 2r}; sensing n = 10, m = 2000; SubGM vs ℓ₂-GD with 20% outliers; 2 seeds".into(),
            ..Default::default()
        },
        "default" => SuiteSpec {
            name: "default".into(),
            description: "bench-all grid: factorization n = 200, κ ∈ {10, 100, 1000}, k ∈ {r, 2r}, plus china_gray.npy; sensing n = 10, m = 5000; robust sensing; 3 seeds".into(),
            n: 200,
            kappa: vec![10.0, 100.0, 1000.0],
            seeds: 3,
            max_iter: 40_000,
            real_data: shared_data("china_gray.npy"),
            sensing_m: 5000,
            ..Default::default()
        },
        "full" => SuiteSpec {
            name: "full".into(),
            description: "paper scale: factorization n = 1000, r = 10, κ ∈ {10, 100, 1000}; sensing m = 20000; 5 seeds".into(),
            n: 1000,
            r: 10,
            kappa: vec![10.0, 100.0, 1000.0],
            k: vec![10, 20],
            seeds: 5,
            max_iter: 40_000,
            time_budget_s: 600.0,
            real_data: shared_data("china_gray.npy"),
            sensing_m: 20000,
            real_k: 8,
            ..Default::default()
        },
        other => {
            return Err(Error::invalid(format!("suite '{other}'"), format!("unknown; known suites: {}", SUITES.join(", "))))
        }
    };
    Ok(spec)
}

impl SuiteSpec {
    /// Applies a TOML `[suite]` table on top of this spec.
    pub fn apply_toml(&self, table: &toml::Table) -> Result<Self> {
        let mut base = toml::Table::try_from(self).map_err(|e| Error::numerical("suite", e))?;
        for (k, v) in table {
            base.insert(k.clone(), v.clone());
        }
        base.try_into()
            .map_err(|e: toml::de::Error| Error::invalid("config [suite]", e.message().to_string()))
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        use ratebench_core::error::check;
        LowRankSpec {
            n: self.n,
            r: self.r,
            kappa: 1.0,
            ..Default::default()
        }
        .validate()?;
        for &kappa in &self.kappa {
            check::at_least("kappa", kappa, 1.0)?;
        }
        for &k in &self.k {
            check::in_range("k", k, 1, self.n)?;
        }
        check::positive("eta", self.eta)?;
        check::positive("alpha", self.alpha)?;
        check::positive("target", self.target)?;
        check::positive("time_budget_s", self.time_budget_s)?;
        if self.sensing_m > 0 {
            for &k in &self.sensing_k {
                check::in_range("sensing_k", k, 1, self.sensing_n)?;
            }
            for &kappa in &self.sensing_kappa {
                check::at_least("sensing_kappa", kappa, 1.0)?;
            }
        }
        check::positive("memory_limit_gib", self.memory_limit_gib)?;
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
                "suite",
                "kappa, k and methods must not be empty",
            ));
        }
        for m in &self.methods {
            if !METHODS.contains(&m.as_str()) {
                return Err(Error::invalid(
                    format!("method '{m}'"),
                    format!("unknown; known methods: {}", METHODS.join(", ")),
                ));
            }
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
                damping: 1.0,
            },
        }
    }

    /// Expands the grid into cases (instances are generated here, once per κ and seed).
    pub fn cases(&self, base_seed: u64) -> Result<Vec<(String, LowRankCase)>> {
        self.validate()?;
        let group = format!("suite:{}", self.name);
        let rel = LowRankMetric::RelErr;
        let mut out = Vec::new();
        for &kappa in &self.kappa {
            for rep in 0..self.seeds {
                let spec = LowRankSpec {
                    n: self.n,
                    r: self.r,
                    kappa,
                    ..Default::default()
                };
                let inst = Instance::generate(&spec, base_seed, &group, rep)?;
                for &k in &self.k {
                    for name in &self.methods {
                        let stop = StopRule::max_iter(self.max_iter)
                            .with_target("rel_err", self.target)
                            .with_divergence("rel_err", 1e3)
                            .with_time_budget(self.time_budget_s);
                        let case = LowRankCase {
                            case: format!("n={},r={},kappa={kappa},k={k}", self.n, self.r),
                            instance: inst.clone(),
                            method: self.method(name, 1.0 / kappa, 1.0),
                            k,
                            init: self.init_for(name),
                            metrics: vec![rel],
                            primary: rel,
                            stop,
                            sampling: SUITE_SAMPLING,
                            rep,
                        };
                        out.push((group.clone(), case));
                    }
                }
            }
        }
        if let Some(path) = &self.real_data {
            out.extend(self.real_cases(&group, path)?);
        }
        out.extend(self.sensing_cases(&group, base_seed)?);
        Ok(out)
    }

    fn memory_limit_bytes(&self) -> u64 {
        (self.memory_limit_gib * (1u64 << 30) as f64) as u64
    }

    fn sensing_stop(&self) -> StopRule {
        StopRule::max_iter(self.sensing_max_iter)
            .with_target("rel_err", self.target)
            .with_divergence("rel_err", 1e3)
            .with_time_budget(self.time_budget_s)
    }

    /// One case per (instance, k, method, seed) with the suite's symmetric small init.
    fn sensing_case(
        &self,
        case: String,
        inst: &Instance,
        name: &str,
        method: Method,
        k: usize,
        rep: u64,
    ) -> LowRankCase {
        let rel = LowRankMetric::RelErr;
        LowRankCase {
            case,
            instance: inst.clone(),
            method,
            k,
            init: self.init_for(name),
            metrics: vec![rel],
            primary: rel,
            stop: self.sensing_stop(),
            sampling: SUITE_SAMPLING,
            rep,
        }
    }

    /// Sensing: the suite's methods across κ and k on normalized GOE sensing; SubGM vs
    /// ℓ₂-GD under outliers (unnormalized, Ma & Fattahi's setup); and an optional `.npz`.
    fn sensing_cases(&self, group: &str, base_seed: u64) -> Result<Vec<(String, LowRankCase)>> {
        use ratebench_sensing::{Noise, SensingProblem, SensingSpec};
        let mut out = Vec::new();
        if self.sensing_m > 0 {
            for &kappa in &self.sensing_kappa {
                for rep in 0..self.seeds {
                    let spec = SensingSpec {
                        n: self.sensing_n,
                        r: self.sensing_r,
                        kappa,
                        m: self.sensing_m,
                        memory_limit_bytes: self.memory_limit_bytes(),
                        ..Default::default()
                    };
                    let inst = Instance::generate_sensing(&spec, base_seed, group, rep)?;
                    for &k in &self.sensing_k {
                        for name in &self.methods {
                            let label = format!(
                                "sensing,n={},m={},kappa={kappa},k={k}",
                                self.sensing_n, self.sensing_m
                            );
                            out.push((
                                group.to_string(),
                                self.sensing_case(
                                    label,
                                    &inst,
                                    name,
                                    self.method(name, 1.0 / kappa, 1.0),
                                    k,
                                    rep,
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if self.outliers_p > 0.0 {
            let spec = SensingSpec {
                n: self.sensing_n,
                spectrum: Some(vec![1.0, 0.5]),
                m: self.outliers_m,
                normalized: false,
                noise: Noise::Outliers {
                    p: self.outliers_p,
                    scale: 10.0,
                },
                memory_limit_bytes: self.memory_limit_bytes(),
                ..Default::default()
            };
            let inst = Instance::generate_sensing(&spec, base_seed, group, 0)?;
            let label = format!(
                "robust,n={},m={},p={}",
                self.sensing_n, self.outliers_m, self.outliers_p
            );
            let k = self.sensing_n;
            for rep in 1..=self.seeds {
                for method in [
                    Method::SubGm {
                        eta0: 0.3,
                        rho: 0.985,
                    },
                    Method::L2Gd { eta: 0.05 },
                ] {
                    let mut c = self.sensing_case(label.clone(), &inst, "subgm", method, k, rep);
                    c.init = InitSpec::symmetric(1e-4, InitScaling::SqrtN);
                    c.stop = StopRule::max_iter(1500)
                        .with_divergence("rel_err", 1e3)
                        .with_time_budget(self.time_budget_s);
                    out.push((group.to_string(), c));
                }
            }
        }
        if let Some(path) = &self.sensing_npz {
            let problem = SensingProblem::load_npz(path)?;
            let inst = Instance::from_sensing(
                problem,
                serde_json::json!({ "npz": path.display().to_string() }),
            );
            let s = inst.truth().spectrum();
            let top = s.iter().fold(0.0f64, |a, b| a.max(b.abs()));
            let kept: Vec<f64> = s
                .iter()
                .copied()
                .filter(|v| v.abs() > 1e-12 * top)
                .collect();
            let (s1, smin) = (kept[0], *kept.last().unwrap_or(&kept[0]));
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            for &k in &self.sensing_k {
                for name in &self.methods {
                    let label = format!("{file},k={k}");
                    out.push((
                        group.to_string(),
                        self.sensing_case(label, &inst, name, self.method(name, smin, s1), k, 0),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Asymmetric factorization of a real matrix: GD and ScaledGD(λ) at rank `real_k`,
    /// measured by the distance to the best rank-`real_k` approximation.
    fn real_cases(
        &self,
        group: &str,
        path: &std::path::Path,
    ) -> Result<Vec<(String, LowRankCase)>> {
        let inst = Instance::load_npy(path)?;
        let s = inst.truth().spectrum();
        let k = self.real_k.clamp(1, 8);
        let (s1, sk) = (s[0], s[k - 1]);
        let dist = LowRankMetric::DistRank(k);
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut out = Vec::new();
        // Spectral-scale init α·√σ₁ keeps the start small relative to the data.
        let init = InitSpec::asymmetric(1e-3 * s1.sqrt(), 1.0);
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
            for rep in 0..self.seeds.min(2) {
                let stop = StopRule::max_iter(self.real_max_iter)
                    .with_target(dist.name(), 1e-10 * s1)
                    .with_time_budget(self.time_budget_s);
                out.push((
                    group.to_string(),
                    LowRankCase {
                        case: format!("{file},k={k}"),
                        instance: inst.clone(),
                        method: method.clone(),
                        k,
                        init: init.clone(),
                        metrics: vec![dist, LowRankMetric::RelErr],
                        primary: dist,
                        stop,
                        sampling: SUITE_SAMPLING,
                        rep,
                    },
                ));
            }
        }
        Ok(out)
    }
}

/// Runs cases on `jobs` threads (1 = sequential, which keeps wall times undistorted),
/// keeping input order; `on_done` sees each record as it completes.
pub fn run_cases(
    cases: &[(String, LowRankCase)],
    jobs: usize,
    base_seed: u64,
    calib_s: f64,
    on_done: &(dyn Fn(&RunRecord) + Sync),
) -> Result<Vec<RunResult>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| Error::numerical("thread pool", e))?;
    let results: Vec<Result<RunResult>> = pool.install(|| {
        cases
            .par_iter()
            .map(|(group, case)| {
                let r = run_case(case, group, base_seed, calib_s)?;
                on_done(&r.record);
                Ok(r)
            })
            .collect()
    });
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_and_validation() {
        let table: toml::Table = "n = 30\nkappa = [10.0]\nseeds = 1".parse().unwrap();
        let s = builtin("quick").unwrap().apply_toml(&table).unwrap();
        assert_eq!((s.n, s.kappa.clone(), s.seeds), (30, vec![10.0], 1));
        let bad: toml::Table = "nn = 3".parse().unwrap();
        let e = builtin("quick")
            .unwrap()
            .apply_toml(&bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field") && e.contains("nn"), "{e}");
        let bad: toml::Table = "methods = [\"newton\"]".parse().unwrap();
        let e = builtin("quick")
            .unwrap()
            .apply_toml(&bad)
            .unwrap()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("newton") && e.contains("scaledgd-lambda"), "{e}");
        assert!(builtin("nope")
            .unwrap_err()
            .to_string()
            .contains("known suites"));
    }

    fn bits(rows: &[(u64, Vec<f64>)]) -> Vec<(u64, Vec<u64>)> {
        rows.iter()
            .map(|(i, v)| (*i, v.iter().map(|x| x.to_bits()).collect()))
            .collect()
    }

    #[test]
    fn results_do_not_depend_on_jobs() {
        let table: toml::Table =
            "n = 20\nr = 2\nkappa = [10.0]\nk = [2, 4]\nseeds = 2\nmax_iter = 300\nsensing_m = 100\nsensing_kappa = [10.0]\nsensing_k = [2]\nsensing_max_iter = 50\noutliers_m = 100"
                .parse()
                .unwrap();
        let spec = builtin("quick").unwrap().apply_toml(&table).unwrap();
        let cases = spec.cases(0).unwrap();
        let a = run_cases(&cases, 1, 0, 1.0, &|_| {}).unwrap();
        let b = run_cases(&cases, 2, 0, 1.0, &|_| {}).unwrap();
        assert_eq!(a.len(), 16 + 2 * 4 + 2 * 2);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.record.run_id, y.record.run_id);
            let vx: Vec<_> = x
                .trace
                .rows
                .iter()
                .map(|r| (r.iter, r.values.clone()))
                .collect();
            let vy: Vec<_> = y
                .trace
                .rows
                .iter()
                .map(|r| (r.iter, r.values.clone()))
                .collect();
            assert!(
                bits(&vx) == bits(&vy),
                "trace of {} differs between --jobs 1 and 2",
                x.record.run_id
            );
        }
    }
}
