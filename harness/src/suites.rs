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
            alpha: 1e-3,
            max_iter: 5000,
            target: 1e-10,
            time_budget_s: 60.0,
            real_data: None,
            real_k: 8,
            real_max_iter: 300,
        }
    }
}

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
            description: "CI smoke grid: n = 100, κ ∈ {10, 100}, exact and 2× over-parameterized, 2 seeds".into(),
            ..Default::default()
        },
        "default" => SuiteSpec {
            name: "default".into(),
            description: "bench-all grid: n = 200, κ ∈ {10, 100, 1000}, k ∈ {r, 2r}, 3 seeds, plus china_gray.npy".into(),
            n: 200,
            kappa: vec![10.0, 100.0, 1000.0],
            seeds: 3,
            max_iter: 40_000,
            real_data: shared_data("china_gray.npy"),
            ..Default::default()
        },
        "full" => SuiteSpec {
            name: "full".into(),
            description: "paper scale: n = 1000, r = 10, κ ∈ {10, 100, 1000}, 5 seeds".into(),
            n: 1000,
            r: 10,
            kappa: vec![10.0, 100.0, 1000.0],
            k: vec![10, 20],
            seeds: 5,
            max_iter: 40_000,
            time_budget_s: 600.0,
            real_data: shared_data("china_gray.npy"),
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
                            init: InitSpec::symmetric(self.alpha, InitScaling::SqrtN),
                            metrics: vec![rel],
                            primary: rel,
                            stop,
                            sampling: Sampling::Every(1),
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
                        sampling: Sampling::Every(1),
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
            "n = 20\nr = 2\nkappa = [10.0]\nk = [2, 4]\nseeds = 2\nmax_iter = 300"
                .parse()
                .unwrap();
        let spec = builtin("quick").unwrap().apply_toml(&table).unwrap();
        let cases = spec.cases(0).unwrap();
        let a = run_cases(&cases, 1, 0, 1.0, &|_| {}).unwrap();
        let b = run_cases(&cases, 2, 0, 1.0, &|_| {}).unwrap();
        assert_eq!(a.len(), 16);
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
