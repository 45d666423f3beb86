//! The `[hadamard]` section of the benchmark suites: BCD, BCD with momentum, the GD
//! baseline and the equal-budget TSVD line on the U\[0,1\] product, an iid U\[0,1\] matrix,
//! photos (`china_gray.npy` at r ∈ {5, 20}, with the reconstruction images), `digits.csv`,
//! the K-factor comparison at equal budget (2×r6, 3×r4, 4×r3 as in the authors' `main.py`)
//! and any matrix a user names (`.npy`, `.npz` with `X`, `.csv`).
//!
//! Every hyper-parameter is a field with a documented default, so a TOML table overrides
//! any of them:
//!
//! ```toml
//! [hadamard]
//! data = "x.npz"          # e.g. written by `ratebench export hadamard`
//! data_r = [5]
//! methods = ["bcd-momentum", "tsvd"]
//! momentum = { beta0 = 0.3 }
//! k_ranks = [[2, 6], [3, 4], [4, 3]]
//! ```

use crate::case::{CaseSpec, HadamardCase, Images, Instance, Method};
use crate::relabel;
use ratebench_core::error::check;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result, Sampling, StopRule};
use ratebench_hadamard::{Generator, HadamardMetric, HadamardSpec, MAX_FACTORS};
use ratebench_hadamard_solvers::{BcdConfig, GdConfig, Init, Momentum};
use ratebench_harness::case::Case;
use ratebench_harness::family::{SuiteEnv, SuitePart, SUITES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The methods a suite may run, by solver name (`tsvd` is the reference line).
pub const METHODS: [&str; 4] = ["bcd", "bcd-momentum", "gd-ciaperoni", "tsvd"];

/// What `k_data` may name.
pub const K_DATA: [&str; 4] = ["uniform", "product", "photo", "digits"];

/// The parameters of the Hadamard family's part of a suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HadamardSection {
    /// Run this section at all.
    pub enabled: bool,
    /// Repetitions of the generated cases (each draws a new matrix and a new GD start);
    /// `--seeds` overrides it. Real data run once (BCD's SVD start is deterministic).
    pub seeds: u64,
    /// Methods on the generated cases (see [`METHODS`]).
    pub methods: Vec<String>,
    /// Methods on real data (photos, digits, `data`).
    pub real_methods: Vec<String>,
    /// Rows of the generated matrices.
    pub m: usize,
    /// Columns of the generated matrices.
    pub n: usize,
    /// Inner rank of the generating U\[0,1\] factors of the product case (HD-1's: 5).
    pub product_rank: usize,
    /// Fit ranks on the U\[0,1\] product (empty: no product case).
    pub product_r: Vec<usize>,
    /// Fit ranks on the iid U\[0,1\] matrix (empty: no such case).
    pub uniform_r: Vec<usize>,
    /// BCD outer iterations on generated data (also the length of their TSVD line).
    pub iters: u64,
    /// GD iterations on generated data.
    pub gd_iters: u64,
    /// BCD outer iterations on real data.
    pub real_iters: u64,
    /// GD iterations on real data.
    pub real_gd_iters: u64,
    /// Initialization of the two-factor BCD runs: `svd` (scaled, the catalogue's),
    /// `svd-unscaled` or `gaussian`.
    pub init: String,
    /// Initialization of the K ≥ 3 runs (`BCD_multiple` uses `svd-unscaled`).
    pub k_init: String,
    /// Ang–Gillis constants of `bcd-momentum` and of the K-factor runs.
    pub momentum: Momentum,
    /// GD's initial normalized step η.
    pub gd_eta: f64,
    /// GD halves η when the loss, checked every this many iterations, rose.
    pub gd_check_every: u64,
    /// Stop a run at this relative error (the catalogue's 1e-10).
    pub target: f64,
    /// BCD stops when its error fell by less than `stall_rel` (relative) over this many
    /// iterations (the catalogue: more than 10 iterations with decrease ≤ 1e-8).
    pub stall_window: usize,
    /// See `stall_window`.
    pub stall_rel: f64,
    /// Budget per run, seconds, initialization included (the catalogue's 200 s).
    pub time_budget_s: f64,
    /// Matrices drawn as images (a bare name is searched in the data directories), fitted
    /// at every rank of `photo_r`.
    pub photos: Vec<String>,
    /// Fit ranks on the photos.
    pub photo_r: Vec<usize>,
    /// Ranks at which the `bcd-momentum` fit of each photo returns images: the photo, the
    /// fit and the TSVD of rank K·r, side by side.
    pub images_r: Vec<usize>,
    /// A table (CSV with a header; a `label` column is dropped), e.g. `digits.csv`.
    pub digits: Option<String>,
    /// Fit ranks on `digits`.
    pub digits_r: Vec<usize>,
    /// The equal-budget K-factor comparison: `(K, r)` pairs, one BCD run each with momentum
    /// (K = 2: `Hadamard_BCD`; K ≥ 3: `BCD_multiple`), plus the TSVD of rank K·r.
    pub k_ranks: Vec<(usize, usize)>,
    /// Data of the K-factor comparison: `uniform`, `product`, `photo` (the first of
    /// `photos`), `digits`.
    pub k_data: Vec<String>,
    /// A user's matrix: `.npy`, `.npz` (array `X`, or its only 2-D array) or `.csv`.
    pub data: Option<String>,
    /// Fit ranks on `data`.
    pub data_r: Vec<usize>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Default for HadamardSection {
    /// The `quick` section: one seed, short runs, one photo fit with its images.
    fn default() -> Self {
        Self {
            enabled: true,
            seeds: 1,
            methods: strings(&METHODS),
            real_methods: strings(&["bcd-momentum", "tsvd"]),
            m: 100,
            n: 100,
            product_rank: 5,
            product_r: vec![5],
            uniform_r: vec![6],
            iters: 100,
            gd_iters: 2000,
            real_iters: 20,
            real_gd_iters: 100,
            init: "svd".into(),
            k_init: "svd-unscaled".into(),
            momentum: Momentum::default(),
            gd_eta: 0.01,
            gd_check_every: 1000,
            target: 1e-10,
            stall_window: 11,
            stall_rel: 1e-8,
            time_budget_s: 200.0,
            photos: strings(&["china_gray.npy"]),
            photo_r: vec![20],
            images_r: vec![20],
            digits: None,
            digits_r: vec![5],
            k_ranks: vec![(2, 6), (3, 4), (4, 3)],
            k_data: strings(&["uniform"]),
            data: None,
            data_r: vec![5],
        }
    }
}

/// The built-in section of a suite.
pub fn builtin(suite: &str) -> Result<HadamardSection> {
    let base = HadamardSection::default();
    Ok(match suite {
        "quick" => base,
        "default" => HadamardSection {
            seeds: 3,
            real_methods: strings(&METHODS),
            iters: 300,
            gd_iters: 20_000,
            real_iters: 300,
            real_gd_iters: 3000,
            photo_r: vec![5, 20],
            digits: Some("digits.csv".into()),
            k_data: strings(&["uniform", "photo"]),
            ..base
        },
        "full" => HadamardSection {
            seeds: 20,
            real_methods: strings(&METHODS),
            uniform_r: vec![3, 6, 10],
            iters: 300,
            gd_iters: 20_000,
            real_iters: 1000,
            real_gd_iters: 20_000,
            photos: strings(&["china_gray.npy", "flower_gray.npy"]),
            photo_r: vec![5, 20],
            digits: Some("digits.csv".into()),
            k_data: strings(&["uniform", "product", "photo", "digits"]),
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
        "quick" => "BCD, BCD + momentum, GD and the TSVD line on a 100 × 100 U[0,1] product (r = 5) and U[0,1] matrix (r = 6), K ∈ {2, 3, 4} at equal budget, china_gray.npy at r = 20 (20 iterations, with images); 1 seed",
        "default" => "as quick with 300 BCD / 2·10⁴ GD iterations and 3 seeds, china_gray.npy at r ∈ {5, 20} (with images), digits.csv, K ∈ {2, 3, 4} on the U[0,1] matrix and the photo",
        "full" => "20 seeds, U[0,1] matrices at r ∈ {3, 6, 10}, both photos at r ∈ {5, 20} for 1000 iterations, digits.csv, K ∈ {2, 3, 4} on every dataset",
        _ => "",
    }
    .to_string()
}

/// Suites sample metrics on a 1 % geometric grid: hitting times are resolved to 1 % and
/// traces stay small on long GD runs.
const SUITE_SAMPLING: Sampling = Sampling::Geometric(1.01);

/// Where a case's data came from (for labels and repetitions).
struct Data {
    /// Short name in case labels: `uniform,m=100,n=100`, `china_gray.npy`, …
    name: String,
    instance: Instance,
    rep: u64,
    real: bool,
}

impl HadamardSection {
    /// Checks every field that does not need the data (before anything is generated or
    /// loaded); ranks on loaded files are checked once their shape is known.
    pub fn validate(&self) -> Result<()> {
        for (field, list) in [
            ("methods", &self.methods),
            ("real_methods", &self.real_methods),
        ] {
            if let Some(bad) = list.iter().find(|m| !METHODS.contains(&m.as_str())) {
                return Err(Error::invalid(
                    field,
                    format!(
                        "unknown method '{bad}'; known methods: {}",
                        METHODS.join(", ")
                    ),
                ));
            }
        }
        self.init.parse::<Init>().map_err(|e| relabel(e, "init"))?;
        self.k_init
            .parse::<Init>()
            .map_err(|e| relabel(e, "k_init"))?;
        self.momentum.validate()?;
        check::positive("gd_eta", self.gd_eta)?;
        check::positive("target", self.target)?;
        check::positive("stall_rel", self.stall_rel)?;
        check::positive("time_budget_s", self.time_budget_s)?;
        check::in_range(
            "gd_check_every",
            self.gd_check_every as usize,
            1,
            usize::MAX,
        )?;
        check::in_range("stall_window", self.stall_window, 1, usize::MAX)?;
        check::in_range("seeds", self.seeds as usize, 1, usize::MAX)?;
        check::in_range("m", self.m, 1, 1 << 24)?;
        check::in_range("n", self.n, 1, 1 << 24)?;
        if !self.product_r.is_empty() {
            self.product_spec()
                .validate()
                .map_err(|e| relabel(e, "product_rank"))?;
        }
        for (field, ranks) in [
            ("product_r", &self.product_r),
            ("uniform_r", &self.uniform_r),
        ] {
            for &r in ranks {
                fit(field, self.m, self.n, 2, r)?;
            }
        }
        self.validate_k()
    }

    fn validate_k(&self) -> Result<()> {
        let mut ks: Vec<usize> = self.k_ranks.iter().map(|p| p.0).collect();
        for &(k, r) in &self.k_ranks {
            if !(2..=MAX_FACTORS).contains(&k) {
                return Err(Error::invalid(
                    "k_ranks",
                    format!("K = {k} in ({k}, {r}): a Hadamard decomposition needs 2 <= K <= {MAX_FACTORS} factors; write pairs like [[2, 6], [3, 4]]"),
                ));
            }
            if r == 0 {
                return Err(Error::invalid(
                    "k_ranks",
                    format!("r = 0 in ({k}, 0): the factor rank must be at least 1"),
                ));
            }
        }
        ks.sort_unstable();
        if ks.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::invalid(
                "k_ranks",
                "each K may appear once (one run per number of factors)",
            ));
        }
        if let Some(bad) = self.k_data.iter().find(|d| !K_DATA.contains(&d.as_str())) {
            return Err(Error::invalid(
                "k_data",
                format!("unknown data '{bad}'; use any of: {}", K_DATA.join(", ")),
            ));
        }
        Ok(())
    }

    fn product_spec(&self) -> HadamardSpec {
        HadamardSpec {
            generator: Generator::UniformProduct,
            m: self.m,
            n: self.n,
            rank: self.product_rank,
            factors: 2,
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
        let mut specs = Vec::new();
        let product = self.generated(
            self.product_spec(),
            env.base_seed,
            group,
            !self.product_r.is_empty() || self.k_on("product"),
        )?;
        let uniform_spec = HadamardSpec {
            generator: Generator::Uniform,
            ..self.product_spec()
        };
        let uniform = self.generated(
            uniform_spec,
            env.base_seed,
            group,
            !self.uniform_r.is_empty() || self.k_on("uniform"),
        )?;
        for d in &product {
            specs.extend(self.fits(d, &self.product_r, "product_r", false)?);
        }
        for d in &uniform {
            specs.extend(self.fits(d, &self.uniform_r, "uniform_r", false)?);
        }
        let mut loaded = Loaded::default();
        for file in &self.photos {
            if let Some(d) = loaded.get(file, env, user_named.contains(&"photos"), &mut part)? {
                specs.extend(self.fits(&d, &self.photo_r, "photo_r", true)?);
            }
        }
        let digits = match &self.digits {
            Some(f) => loaded.get(f, env, user_named.contains(&"digits"), &mut part)?,
            None => None,
        };
        if let Some(d) = &digits {
            specs.extend(self.fits(d, &self.digits_r, "digits_r", false)?);
        }
        if let Some(f) = &self.data {
            if let Some(d) = loaded.get(f, env, true, &mut part)? {
                specs.extend(self.fits(&d, &self.data_r, "data_r", false)?);
            }
        }
        let photo = match self.photos.first() {
            Some(f) if self.k_on("photo") => {
                loaded.get(f, env, user_named.contains(&"photos"), &mut part)?
            }
            _ => None,
        };
        let k_sets: [(&str, Vec<&Data>); 4] = [
            ("uniform", uniform.iter().collect()),
            ("product", product.iter().collect()),
            ("photo", photo.iter().collect()),
            ("digits", digits.iter().collect()),
        ];
        for (kind, data) in k_sets {
            if self.k_on(kind) {
                for d in data {
                    specs.extend(self.k_factor(d)?);
                }
            }
        }
        part.cases = specs
            .into_iter()
            .map(HadamardCase::boxed)
            .collect::<Result<Vec<Box<dyn Case>>>>()?;
        Ok(part)
    }

    fn k_on(&self, kind: &str) -> bool {
        !self.k_ranks.is_empty() && self.k_data.iter().any(|d| d == kind)
    }

    /// `seeds` instances of a generator (none when `wanted` is false).
    fn generated(
        &self,
        spec: HadamardSpec,
        base: u64,
        group: &str,
        wanted: bool,
    ) -> Result<Vec<Data>> {
        if !wanted {
            return Ok(Vec::new());
        }
        let name = match spec.generator {
            Generator::Uniform => format!("uniform,m={},n={}", spec.m, spec.n),
            _ => format!(
                "uniform_product,m={},n={},rank={}",
                spec.m, spec.n, spec.rank
            ),
        };
        (0..self.seeds)
            .map(|rep| {
                let seed = format!("seed={rep}");
                let path = SeedPath::new(base)
                    .with(group)
                    .with(spec.label())
                    .with(&seed);
                let instance = Instance::generate(&spec, &path, &[group, &spec.label(), &seed])?;
                Ok(Data {
                    name: name.clone(),
                    instance,
                    rep,
                    real: false,
                })
            })
            .collect()
    }

    fn stop_bcd(&self, iters: u64) -> StopRule {
        StopRule::max_iter(iters)
            .with_target("rel_err", self.target)
            .with_stall(self.stall_window, self.stall_rel)
            .with_time_budget(self.time_budget_s)
    }

    fn method(&self, name: &str, r: usize) -> Result<Method> {
        let init: Init = self.init.parse().map_err(|e| relabel(e, "init"))?;
        Ok(match name {
            "bcd" => Method::Bcd(BcdConfig::new(r).with_init(init)),
            "bcd-momentum" => Method::Bcd(BcdConfig {
                momentum: Some(self.momentum),
                ..BcdConfig::new(r).with_init(init)
            }),
            "gd-ciaperoni" => Method::Gd(GdConfig {
                rank: r,
                eta: self.gd_eta,
                check_every: self.gd_check_every,
            }),
            _ => Method::Tsvd { rank: 2 * r },
        })
    }

    /// The section's methods on one matrix at each rank of `ranks` (`field` names them).
    fn fits(&self, d: &Data, ranks: &[usize], field: &str, images: bool) -> Result<Vec<CaseSpec>> {
        let (m, n) = d.instance.shape();
        let (methods, iters, gd_iters) = if d.real {
            (&self.real_methods, self.real_iters, self.real_gd_iters)
        } else {
            (&self.methods, self.iters, self.gd_iters)
        };
        // The TSVD line spans the longest run of its case.
        let longest = if methods.iter().any(|m| m == "gd-ciaperoni") {
            iters.max(gd_iters)
        } else {
            iters
        };
        let mut out = Vec::new();
        for &r in ranks {
            fit(field, m, n, 2, r)?;
            let label = format!("{},r={r}", d.name);
            for name in methods {
                let stop = match name.as_str() {
                    "gd-ciaperoni" => StopRule::max_iter(gd_iters)
                        .with_target("rel_err", self.target)
                        .with_time_budget(self.time_budget_s),
                    "tsvd" => StopRule::max_iter(longest),
                    _ => self.stop_bcd(iters),
                };
                let img =
                    (images && name == "bcd-momentum" && self.images_r.contains(&r)).then(|| {
                        Images {
                            panel: format!("{}, K=2, r={r}", d.name),
                            data_name: d.name.clone(),
                        }
                    });
                out.push(self.spec(label.clone(), d, self.method(name, r)?, stop, img));
            }
        }
        Ok(out)
    }

    /// The K-factor comparison on one matrix: one BCD run per `(K, r)`, plus the TSVD line
    /// of each distinct budget rank K·r.
    fn k_factor(&self, d: &Data) -> Result<Vec<CaseSpec>> {
        let (m, n) = d.instance.shape();
        let iters = if d.real { self.real_iters } else { self.iters };
        let k_init: Init = self.k_init.parse().map_err(|e| relabel(e, "k_init"))?;
        let init: Init = self.init.parse().map_err(|e| relabel(e, "init"))?;
        let mut budgets: BTreeMap<usize, Vec<CaseSpec>> = BTreeMap::new();
        for &(k, r) in &self.k_ranks {
            fit("k_ranks", m, n, k, r)?;
            let cfg = if k == 2 {
                BcdConfig::new(r).with_init(init)
            } else {
                BcdConfig::multiple(k, r).with_init(k_init)
            };
            let cfg = BcdConfig {
                momentum: Some(self.momentum),
                ..cfg
            };
            let q = k * r;
            let label = format!("{},K·r={q}", d.name);
            let spec = self.spec(label, d, Method::Bcd(cfg), self.stop_bcd(iters), None);
            budgets.entry(q).or_default().push(spec);
        }
        let mut out = Vec::new();
        for (q, mut specs) in budgets {
            let label = specs[0].label.clone();
            specs.push(self.spec(
                label,
                d,
                Method::Tsvd { rank: q },
                StopRule::max_iter(iters),
                None,
            ));
            out.extend(specs);
        }
        Ok(out)
    }

    fn spec(
        &self,
        label: String,
        d: &Data,
        method: Method,
        stop: StopRule,
        images: Option<Images>,
    ) -> CaseSpec {
        CaseSpec {
            init_labels: vec![label.clone(), d.rep.to_string()],
            label,
            instance: d.instance.clone(),
            method,
            metrics: vec![HadamardMetric::RelErr, HadamardMetric::AbsErr],
            stop,
            sampling: SUITE_SAMPLING,
            rep: d.rep,
            images,
        }
    }
}

/// [`ratebench_hadamard::check_fit`] with the error under the section's field name.
fn fit(field: &str, m: usize, n: usize, k: usize, r: usize) -> Result<()> {
    ratebench_hadamard::check_fit(m, n, k, r).map_err(|e| relabel(e, field))
}

/// Files loaded once per section expansion.
#[derive(Default)]
struct Loaded {
    files: BTreeMap<String, Instance>,
}

impl Loaded {
    /// The data of `file`: `None` (and a `skipped` entry) when a built-in file is missing;
    /// an error when the user named it or it cannot be read.
    fn get(
        &mut self,
        file: &str,
        env: &SuiteEnv<'_>,
        user: bool,
        part: &mut SuitePart,
    ) -> Result<Option<Data>> {
        if !self.files.contains_key(file) {
            let path = match env.data.resolve(file) {
                Ok(p) => p,
                Err(e) if !user => {
                    let note = format!("hadamard {file}: {e}");
                    if !part.skipped.contains(&note) {
                        part.skipped.push(note);
                    }
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            self.files.insert(file.to_string(), Instance::load(&path)?);
        }
        let name = std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.to_string(), |f| f.to_string_lossy().into_owned());
        Ok(self.files.get(file).map(|instance| Data {
            name,
            instance: instance.clone(),
            rep: 0,
            real: true,
        }))
    }
}
