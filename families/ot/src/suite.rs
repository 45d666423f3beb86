//! The `[ot]` section of the benchmark suites: the four solvers on point clouds, a grid
//! density pair, a pair of `digits.csv` images and any instance a user names (`.npz` or a
//! directory of `.npy` files with `a`, `b`, `C`/`M`), at each ε; and the random-assignment
//! instance (C iid U[0,1]) at η = 1200 for SNS against log-domain Sinkhorn.
//!
//! Every field has a documented default, so a TOML table overrides any of them:
//!
//! ```toml
//! [ot]
//! data = ["inst.npz"]        # e.g. written by `ratebench export ot`
//! data_epsilons = [0.01]
//! clouds = [500]
//! epsilons = [0.05, 0.01]
//! algorithms = ["sinkhorn-log", "sns"]
//! ```

use crate::case::{boxed, CaseSpec, Instance, Method};
use ratebench_core::error::check;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result, Sampling, StopRule};
use ratebench_harness::family::{SuiteEnv, SuitePart, SUITES};
use ratebench_ot::{CloudLayout, InstanceSpec, OtMetric, OtSpec, ZeroMass};
use ratebench_sinkhorn::names;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The `[ot]` section. Defaults are the `quick` suite's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OtSection {
    /// Run this section at all (default true).
    pub enabled: bool,
    /// Repetitions (data seeds) per generated case (default 1; `--seeds` overrides).
    pub seeds: u64,
    /// Solvers run on every instance (default all four: sinkhorn, sinkhorn-log, greenkhorn, sns).
    pub algorithms: Vec<String>,
    /// Point-cloud sizes n (n × n problems, squared Euclidean cost normalized by its max;
    /// default [200]; `default`: [500, 1000]; `full`: [500, 1000, 2000]).
    pub clouds: Vec<usize>,
    /// Point-cloud layout: "uniform" or "gaussian_mixture" (default uniform).
    pub cloud_layout: CloudLayout,
    /// Grid sides of the Gaussian-mixture grid densities (default []; `default`/`full`: [32]).
    pub grid: Vec<usize>,
    /// Pairs of `digits.csv` rows (0-based) as 8×8 histograms (default []; `default`/`full`: [[0, 1]]).
    pub digits: Vec<(usize, usize)>,
    /// The digits file, looked up in the data directories (default "digits.csv").
    pub digits_file: String,
    /// Regularizations ε = 1/η of the cloud, grid and digits cases (default [0.05, 0.01];
    /// `default`/`full`: [0.05, 0.01, 0.001]).
    pub epsilons: Vec<f64>,
    /// Users' instances: `.npz` files or directories of `.npy` files with `a`, `b`, `C` (or `M`)
    /// (default []).
    pub data: Vec<String>,
    /// ε values of the users' instances (default [0.01]).
    pub data_epsilons: Vec<f64>,
    /// Users' instances: renormalize marginals that do not sum to 1 (default false).
    pub normalize: bool,
    /// Zero marginal entries (digits, users' data): "reject", "drop" or { floor = v } (default "drop").
    pub zero_mass: ZeroMass,
    /// Iteration cap of Sinkhorn-type runs; Greenkhorn gets this many × (n + m)/2 updates
    /// (default 2000; `default`: 20000; `full`: 100000).
    pub max_iter: u64,
    /// SNS: at most this many Newton steps after its N1 = 20 Sinkhorn steps (default 100).
    pub sns_newton: u64,
    /// Stop a run once the marginal error is below this (default 1e-12).
    pub target: f64,
    /// Per-run budget of cumulative step time in seconds (default 2; `default`: 5; `full`: 120).
    pub time_budget_s: f64,
    /// The random-assignment instance (C iid U[0,1], n × n) for SNS vs Sinkhorn: its n, 0
    /// for none (default 200; `default`/`full`: 500).
    pub assignment: Option<usize>,
    /// η of the random-assignment instance (default 1200, Tang et al.'s).
    pub assignment_eta: f64,
    /// Solvers on the random-assignment instance (default ["sns", "sinkhorn-log"]).
    pub assignment_algorithms: Vec<String>,
    /// Metrics are sampled at iterations growing geometrically by this ratio (default 1.02).
    pub sampling_ratio: f64,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Default for OtSection {
    fn default() -> Self {
        Self {
            enabled: true,
            seeds: 1,
            algorithms: strings(&[
                names::SINKHORN,
                names::SINKHORN_LOG,
                names::GREENKHORN,
                names::SNS,
            ]),
            clouds: vec![200],
            cloud_layout: CloudLayout::Uniform,
            grid: Vec::new(),
            digits: Vec::new(),
            digits_file: "digits.csv".into(),
            epsilons: vec![0.05, 0.01],
            data: Vec::new(),
            data_epsilons: vec![0.01],
            normalize: false,
            zero_mass: ZeroMass::Drop,
            max_iter: 2000,
            sns_newton: 100,
            target: 1e-12,
            time_budget_s: 2.0,
            assignment: Some(200),
            assignment_eta: 1200.0,
            assignment_algorithms: strings(&[names::SNS, names::SINKHORN_LOG]),
            sampling_ratio: 1.02,
        }
    }
}

/// The built-in section of `suite`.
pub fn builtin(suite: &str) -> Result<OtSection> {
    let base = OtSection::default();
    Ok(match suite {
        "quick" => base,
        "default" => OtSection {
            clouds: vec![500, 1000],
            grid: vec![32],
            digits: vec![(0, 1)],
            epsilons: vec![0.05, 0.01, 0.001],
            max_iter: 20_000,
            time_budget_s: 5.0,
            assignment: Some(500),
            ..base
        },
        "full" => OtSection {
            clouds: vec![500, 1000, 2000],
            grid: vec![32],
            digits: vec![(0, 1)],
            epsilons: vec![0.05, 0.01, 0.001],
            max_iter: 100_000,
            time_budget_s: 120.0,
            assignment: Some(500),
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

/// One line describing the built-in section of `suite`.
pub fn describe(suite: &str) -> String {
    match suite {
        "quick" => "point clouds n = 200 at ε ∈ {0.05, 0.01}, all four solvers, 2 s per run; random assignment n = 200, η = 1200 (SNS vs sinkhorn-log)",
        "default" => "point clouds n ∈ {500, 1000}, the 32×32 grid and a digits pair at ε ∈ {0.05, 0.01, 0.001}, all four solvers, 5 s per run; random assignment n = 500, η = 1200",
        "full" => "point clouds n ∈ {500, 1000, 2000}, the 32×32 grid and a digits pair at ε ∈ {0.05, 0.01, 0.001}, all four solvers, 120 s per run; random assignment n = 500, η = 1200",
        _ => "",
    }
    .to_string()
}

fn check_algorithms(field: &str, list: &[String]) -> Result<Vec<Method>> {
    list.iter()
        .map(|a| Method::from_name(a).map_err(|e| crate::relabel(e, field)))
        .collect()
}

impl OtSection {
    /// Checks every field that does not need the data.
    pub fn validate(&self) -> Result<()> {
        check_algorithms("algorithms", &self.algorithms)?;
        check_algorithms("assignment_algorithms", &self.assignment_algorithms)?;
        for (field, list) in [
            ("epsilons", &self.epsilons),
            ("data_epsilons", &self.data_epsilons),
        ] {
            for &e in list.iter() {
                if !(e > 0.0 && e.is_finite()) {
                    return Err(Error::invalid(
                        field,
                        format!("ε = {e}: the regularization must be a finite ε > 0 (ε = 1/η; e.g. 0.01)"),
                    ));
                }
            }
        }
        check::positive("assignment_eta", self.assignment_eta)?;
        check::positive("target", self.target)?;
        check::positive("time_budget_s", self.time_budget_s)?;
        check::in_range("seeds", self.seeds as usize, 1, usize::MAX)?;
        check::in_range("max_iter", self.max_iter as usize, 1, usize::MAX)?;
        check::in_range("sns_newton", self.sns_newton as usize, 1, usize::MAX)?;
        if !(self.sampling_ratio > 1.0 && self.sampling_ratio.is_finite()) {
            return Err(Error::invalid(
                "sampling_ratio",
                format!(
                    "must be a finite ratio > 1 (e.g. 1.02), got {}",
                    self.sampling_ratio
                ),
            ));
        }
        for &n in self
            .clouds
            .iter()
            .chain(&self.grid)
            .chain(self.assignment.iter().filter(|&&n| n > 0))
        {
            check::in_range("clouds/grid/assignment (size)", n, 2, 1 << 16)?;
        }
        Ok(())
    }

    fn stop(&self, method: &Method, n: usize, m: usize) -> StopRule {
        let cap = match method {
            Method::Greenkhorn => self.max_iter.saturating_mul(((n + m) / 2).max(1) as u64),
            Method::Sns(p) => p.sinkhorn_steps as u64 + self.sns_newton,
            _ => self.max_iter,
        };
        StopRule::max_iter(cap)
            .with_target(OtMetric::MarginalErr.name(), self.target)
            .with_time_budget(self.time_budget_s)
    }

    fn push_cases(
        &self,
        part: &mut SuitePart,
        group: &str,
        label: &str,
        inst: &Instance,
        methods: &[Method],
        rep: u64,
    ) -> Result<()> {
        let (n, m) = inst.shape();
        for method in methods {
            let method = match method {
                Method::Sns(p) => Method::Sns(crate::case::SnsParams { ..*p }),
                other => other.clone(),
            };
            part.cases.push(boxed(CaseSpec {
                label: label.to_string(),
                instance: inst.clone(),
                stop: self.stop(&method, n, m),
                method,
                metrics: OtMetric::ALL.to_vec(),
                sampling: Sampling::Geometric(self.sampling_ratio),
                rep,
                init_labels: vec![group.to_string(), label.to_string()],
            })?);
        }
        Ok(())
    }

    /// Expands the section into cases. `user_named` lists the data fields the user's table
    /// set: a missing file there is an error, a missing built-in file is skipped.
    pub fn part(&self, env: &SuiteEnv<'_>, group: &str, user_named: &[&str]) -> Result<SuitePart> {
        self.validate()?;
        let methods = check_algorithms("algorithms", &self.algorithms)?;
        let assignment_methods =
            check_algorithms("assignment_algorithms", &self.assignment_algorithms)?;
        let mut part = SuitePart {
            cases: Vec::new(),
            skipped: Vec::new(),
        };
        if !self.enabled {
            return Ok(part);
        }
        let resolve = |s: &str| -> Result<PathBuf> { env.data.resolve(s) };
        let spec = |instance: InstanceSpec, eps: f64| OtSpec {
            instance,
            eta: None,
            epsilon: Some(eps),
            normalize: self.normalize,
            zero_mass: self.zero_mass,
        };
        let base = SeedPath::new(env.base_seed).with("ot-suite");
        for rep in 0..self.seeds {
            let seed = format!("seed={rep}");
            for &n in &self.clouds {
                for &eps in &self.epsilons {
                    let inst_spec = InstanceSpec::PointClouds {
                        n,
                        m: None,
                        dim: 2,
                        layout: self.cloud_layout,
                        components: 3,
                        spread: 0.05,
                    };
                    let what = format!("clouds,n={n}");
                    let path = base.clone().with(&what).with(&seed);
                    let inst =
                        Instance::build(&spec(inst_spec, eps), &path, &[&what, &seed], &resolve)?;
                    self.push_cases(
                        &mut part,
                        group,
                        &format!("{what},eps={eps}"),
                        &inst,
                        &methods,
                        rep,
                    )?;
                }
            }
            for &side in &self.grid {
                for &eps in &self.epsilons {
                    let what = format!("grid,side={side}");
                    let path = base.clone().with(&what).with(&seed);
                    let inst_spec = InstanceSpec::Grid {
                        side,
                        components: 3,
                    };
                    let inst =
                        Instance::build(&spec(inst_spec, eps), &path, &[&what, &seed], &resolve)?;
                    self.push_cases(
                        &mut part,
                        group,
                        &format!("{what},eps={eps}"),
                        &inst,
                        &methods,
                        rep,
                    )?;
                }
            }
            if let Some(n) = self.assignment.filter(|&n| n > 0) {
                let what = format!("assignment,n={n}");
                let path = base.clone().with(&what).with(&seed);
                let s = OtSpec::new(
                    InstanceSpec::RandomCost {
                        n,
                        m: None,
                        hi: 1.0,
                    },
                    self.assignment_eta,
                );
                let inst = Instance::build(&s, &path, &[&what, &seed], &resolve)?;
                let label = format!("{what},eta={}", self.assignment_eta);
                self.push_cases(&mut part, group, &label, &inst, &assignment_methods, rep)?;
            }
        }
        // Data files: one repetition each (nothing is drawn).
        if !self.digits.is_empty() {
            let user = user_named.contains(&"digits") || user_named.contains(&"digits_file");
            match env.data.resolve(&self.digits_file) {
                Err(e) if !user => part.skipped.push(format!("ot {}: {e}", self.digits_file)),
                Err(e) => return Err(crate::relabel(e, "digits_file")),
                Ok(_) => {
                    for &(first, second) in &self.digits {
                        for &eps in &self.epsilons {
                            let inst_spec = InstanceSpec::Digits {
                                file: self.digits_file.clone(),
                                first,
                                second,
                            };
                            let what = format!("digits,{first}-{second}");
                            let inst =
                                Instance::build(&spec(inst_spec, eps), &base, &[&what], &resolve)?;
                            self.push_cases(
                                &mut part,
                                group,
                                &format!("{what},eps={eps}"),
                                &inst,
                                &methods,
                                0,
                            )?;
                        }
                    }
                }
            }
        }
        for file in &self.data {
            for &eps in &self.data_epsilons {
                let inst_spec = InstanceSpec::File { path: file.clone() };
                let inst = Instance::build(&spec(inst_spec, eps), &base, &[file], &resolve)
                    .map_err(|e| match e {
                        Error::InvalidInput { param, reason } if param == "path" => {
                            Error::invalid("data", reason)
                        }
                        other => other,
                    })?;
                let name = std::path::Path::new(file)
                    .file_name()
                    .map_or_else(|| file.clone(), |f| f.to_string_lossy().into_owned());
                self.push_cases(
                    &mut part,
                    group,
                    &format!("{name},eps={eps}"),
                    &inst,
                    &methods,
                    0,
                )?;
            }
        }
        Ok(part)
    }
}
