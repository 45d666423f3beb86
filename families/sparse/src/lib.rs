//! # ratebench-family-sparse
//!
//! The sparse-regression family (CLAIMS.md §5) bound to the harness: the Lasso (ISTA,
//! FISTA, FISTA + adaptive restart, coordinate descent with gap-safe screening and working
//! sets), SCAD/MCP least squares (Ghadimi–Lan AG with Yang et al.'s proposed or the
//! original settings, proximal gradient), implicit-regularization GD on `w = u∘u − v∘v` and
//! its decentralized version (DGD), and Nesterov's worst-case quadratic.
//!
//! * Claims (`claims/`): **SR-1** (timing law, judged on the median deviation), **SR-2**
//!   (oracle rate), **SR-3** (DGD ≈ centralized; stopping time = first hit of 2 × the
//!   centralized minimum), **SR-4** (proposed AG damping), **SR-5** (Beck–Teboulle bounds),
//!   **SR-6** (FISTA's exponent twice ISTA's), **SR-7** (CD's gap falls geometrically),
//!   **SR-8** (ISTA's linear phase). Each registers a negative control.
//! * [`case`]: one run of a [`case::Method`] on a [`case::Problem`]; every spec names the
//!   Lasso **convention** (`plain` ½‖y − Xw‖² + λ‖w‖₁ or `sklearn` (1/2n)‖y − Xw‖² + α‖w‖₁,
//!   α = λ/n) with λ, α and λ_max.
//! * The `[sparse]` suite section ([`suite::SparseSection`]), the metric catalogue
//!   ([`metrics`]: duality gap with hitting tolerances 1e-6 and 1e-10, primal objective,
//!   relative objective gap, estimation error ‖w − w⋆‖², oracle ratio, support recovery …)
//!   and the `sparse` exporter ([`export`]).
//!
//! **Conventions and decisions.**
//! * A scikit-learn user reproduces an instance with `Lasso(alpha=α, fit_intercept=False,
//!   tol=n·gap/‖y‖²)`, where `α = λ/n` is the exported `alpha` (not `lambda`); scikit-learn's
//!   `tol` is relative to ‖y‖² on the plain-convention gap.
//! * `λ ≤ 0` is bad input (exit 2). `λ ≥ λ_max = ‖Xᵀy‖∞` is **not** an error: `w = 0` is the
//!   exact solution (its gap is 0), runs report `converged` at iteration 0 and the case spec
//!   carries the note.
//! * DGD on a disconnected graph is bad input (SR-3's `graphs`); only its negative control
//!   sets `allow_disconnected = 1`.
//! * Standardizing data with a zero-variance column is bad input naming the column.
//!
//! ```
//! use ratebench_family_sparse::SparseFamily;
//! use ratebench_harness::data::DataDirs;
//! use ratebench_harness::family::{Family, SuiteEnv};
//! let family = SparseFamily;
//! let ids: Vec<&str> = family.claims().iter().map(|c| c.id).collect();
//! assert_eq!(ids, ["SR-1", "SR-2", "SR-3", "SR-4", "SR-5", "SR-6", "SR-7", "SR-8"]);
//! assert!(family.claims().iter().all(|c| c.control.is_some()));
//! // A small section of the quick suite: one Toeplitz Lasso, FISTA and CD.
//! let table: toml::Table = "n = 50\np = 100\npenalties = []\nlasso_methods = [\"fista\", \"cd\"]"
//!     .parse()
//!     .unwrap();
//! let data = DataDirs::default();
//! let env = SuiteEnv { base_seed: 0, data: &data, seeds: None };
//! let part = family.suite("quick", Some(&table), &env).unwrap();
//! let names: Vec<String> = part.cases.iter().map(|c| c.meta().algorithm.clone()).collect();
//! // The Toeplitz case, then diabetes (when ../shared/data is found; else it is skipped).
//! assert_eq!(&names[..2], ["fista", "cd"]);
//! assert!(part.cases[0].meta().spec.contains("\"convention\":\"sklearn\""));
//! // Bad input is a one-line error naming the field and the fix.
//! let bad: toml::Table = "fraction = 0".parse().unwrap();
//! let e = family.suite("quick", Some(&bad), &env).err().unwrap().to_string();
//! assert!(e.starts_with("invalid fraction:") && e.contains("λ_max/20"), "{e}");
//! ```

pub mod case;
mod claims;
pub mod export;
pub mod metrics;
pub mod suite;

use ratebench_core::{Error, Result};
use ratebench_harness::claims::Claim;
use ratebench_harness::family::{AlgorithmInfo, Exporter, Family, SuiteEnv, SuitePart};
use ratebench_harness::results::MetricInfo;

/// The sparse-regression family.
pub struct SparseFamily;

/// The Lasso methods' shared work unit.
const COORD: &str = "coordinate updates; ISTA/FISTA iteration = p";

/// Data fields of the section whose files, when the user's table names them, must exist.
const DATA_FIELDS: [&str; 3] = ["diabetes", "data", "data_y"];

impl Family for SparseFamily {
    fn name(&self) -> &'static str {
        case::FAMILY
    }

    fn description(&self) -> &'static str {
        "Sparse regression: Lasso (ISTA, FISTA, FISTA + restart, CD with gap-safe screening), SCAD/MCP (nonconvex AG proposed/original, PG), implicit-regularization GD and decentralized GD (SR-1 … SR-8)"
    }

    fn claims(&self) -> Vec<Claim> {
        claims::claims()
    }

    fn algorithms(&self) -> Vec<AlgorithmInfo> {
        let a = |name, description, work_unit| AlgorithmInfo {
            name,
            description,
            work_unit,
        };
        vec![
            a("ista", "proximal gradient w ← S_{c/L}(w − ∇f(w)/L), L by power iteration (Beck & Teboulle)", COORD),
            a("fista", "FISTA (Beck & Teboulle), step 1/L", COORD),
            a("fista-restart", "FISTA with O'Donoghue–Candès gradient-based adaptive restart", COORD),
            a("cd", "Lasso cyclic coordinate descent keeping R = y − Xw, gap-safe screening and working sets, duality-gap stopping", COORD),
            a("cd-screen", "Lasso cyclic CD with dynamic gap-safe screening only", COORD),
            a("cd-plain", "Lasso plain cyclic CD w_j ← S_{λ/‖x_j‖²}(w_j + x_jᵀR/‖x_j‖²)", COORD),
            a("ag-proposed", "Ghadimi–Lan AG on SCAD/MCP with Yang et al.'s damping β_k = 0.99/L, FISTA-type α_k, λ_k = β_k/α_k", "gradient"),
            a("ag-original", "Ghadimi–Lan AG with the original settings α_k = 2/(k+1), β = 0.5/L, λ_k = kβ/2", "gradient"),
            a("pg", "proximal gradient on the SCAD/MCP split β ← S_{λ/L}(β − ∇f(β)/L)", "gradient"),
            a("implicit-gd", "GD on w = u∘u − v∘v, u₀ = v₀ = α1, constant step (Vaškevičius, Kanade, Rebeschini)", "iteration"),
            a("implicit-gd-increasing", "implicit-regularization GD with the increasing (doubling) step schedule", "iteration"),
            a("dgd", "decentralized GD on u∘u − v∘v over a graph with Metropolis weights, agents in one process (Wu & Sun)", "communication round"),
        ]
    }

    fn metrics(&self) -> Vec<MetricInfo> {
        metrics::catalogue()
    }

    fn suite_description(&self, suite: &str) -> String {
        suite::describe(suite)
    }

    fn suite(
        &self,
        name: &str,
        overrides: Option<&toml::Table>,
        env: &SuiteEnv<'_>,
    ) -> Result<SuitePart> {
        let base = suite::builtin(name)?;
        let mut section: suite::SparseSection =
            ratebench_harness::family::apply_section(case::FAMILY, &base, overrides)?;
        if let Some(s) = env.seeds {
            section.seeds = s;
        }
        let named: Vec<&str> = DATA_FIELDS
            .into_iter()
            .filter(|f| overrides.is_some_and(|t| t.contains_key(*f)))
            .collect();
        section.part(env, &format!("suite:{name}"), &named)
    }

    fn exporters(&self) -> Vec<Exporter> {
        export::exporters()
    }
}

/// A parameter error re-issued under the name the user wrote (a suite field or a claim
/// parameter), keeping its reason.
pub(crate) fn relabel(e: Error, param: &str) -> Error {
    match e {
        Error::InvalidInput { reason, .. } => Error::invalid(param, reason),
        other => other,
    }
}
