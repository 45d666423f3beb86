//! # ratebench-family-hadamard
//!
//! The Hadamard decomposition family (CLAIMS.md §3) bound to the harness: fit
//! `X ≈ (W₁H₁)∘(W₂H₂)[∘…]` with the Wertz–Vandaele–Gillis BCD (with and without Ang–Gillis
//! momentum, K factors), the Ciaperoni et al. GD baseline, and the equal-budget TSVD.
//!
//! * Claims (`claims/`): **HD-1** (momentum accelerates BCD, 20 data seeds), **HD-2** (HD
//!   beats the TSVD of the same budget; one claim with both parts (a) and (b), so that
//!   `ratebench check HD-2` runs the catalogue's HD-2), **HD-3** (BCD beats GD at the GD
//!   baseline's wall-clock budget, measured in the same process; the equal-flop budget is
//!   judged too). Each registers a negative control.
//! * [`case::HadamardCase`]: one run of a [`case::Method`] on an [`case::Instance`], with
//!   optional images (the data, the fit and the TSVD of rank K·r) for the report.
//! * [`tsvd::TsvdBaseline`]: the TSVD reference line as a run (`tsvd`), so suite figures
//!   show it next to the solvers.
//! * The `[hadamard]` suite section ([`suite::HadamardSection`]), the metric catalogue
//!   ([`metrics`]) and the `hadamard` exporter ([`export`]).
//!
//! ```
//! use ratebench_family_hadamard::HadamardFamily;
//! use ratebench_harness::data::DataDirs;
//! use ratebench_harness::family::{Family, SuiteEnv};
//! let family = HadamardFamily;
//! let ids: Vec<&str> = family.claims().iter().map(|c| c.id).collect();
//! assert_eq!(ids, ["HD-1", "HD-2", "HD-3"]);
//! assert!(family.claims().iter().all(|c| c.control.is_some()));
//! // A small section of the quick suite: one U[0,1] product, every method.
//! let table: toml::Table = "photos = []\nuniform_r = []\nk_data = []\ngd_iters = 50\niters = 20"
//!     .parse()
//!     .unwrap();
//! let data = DataDirs::default();
//! let env = SuiteEnv { base_seed: 0, data: &data, seeds: None };
//! let part = family.suite("quick", Some(&table), &env).unwrap();
//! let names: Vec<String> = part.cases.iter().map(|c| c.meta().algorithm.clone()).collect();
//! assert_eq!(names, ["bcd", "bcd-momentum", "gd-ciaperoni", "tsvd"]);
//! // Bad input is a one-line error naming the field and the fix.
//! let bad: toml::Table = "init = \"kmeans\"".parse().unwrap();
//! let e = family.suite("quick", Some(&bad), &env).err().unwrap().to_string();
//! assert!(e.starts_with("invalid init:") && e.contains("svd-unscaled"), "{e}");
//! ```

pub mod case;
mod claims;
pub mod export;
pub mod metrics;
pub mod suite;
pub mod tsvd;

use ratebench_core::{Error, Result};
use ratebench_hadamard_solvers::BcdConfig;
use ratebench_harness::claims::Claim;
use ratebench_harness::family::{AlgorithmInfo, Exporter, Family, SuiteEnv, SuitePart};
use ratebench_harness::results::MetricInfo;

/// The Hadamard decomposition family.
pub struct HadamardFamily;

/// Every Hadamard solver counts work in analytic flops (the TSVD line: its SVD's).
const FLOP: &str = "flop";

/// Data fields of the section whose files, when the user's table names them, must exist.
const DATA_FIELDS: [&str; 3] = ["photos", "digits", "data"];

impl Family for HadamardFamily {
    fn name(&self) -> &'static str {
        case::FAMILY
    }

    fn description(&self) -> &'static str {
        "Hadamard decomposition X ≈ (W1H1)∘(W2H2): BCD with momentum, K factors, the GD baseline and the equal-budget TSVD (HD-1 … HD-3)"
    }

    fn claims(&self) -> Vec<Claim> {
        claims::claims()
    }

    fn algorithms(&self) -> Vec<AlgorithmInfo> {
        let a = |name, description| AlgorithmInfo {
            name,
            description,
            work_unit: FLOP,
        };
        let mut v = vec![
            a("bcd", "BCD with exact column least squares, blocks H2, W2, H1, W1, scaled SVD init (Wertz, Vandaele, Gillis)"),
            a("bcd-momentum", "BCD with Ang–Gillis extrapolation B ← B_new + β(B_new − B_prev), previous iterate restored when the error rose"),
        ];
        // K ≥ 3 factors, plain and with momentum: the names the solvers report.
        for k in 3..=ratebench_hadamard::MAX_FACTORS {
            for momentum in [None, Some(Default::default())] {
                let cfg = BcdConfig {
                    momentum,
                    ..BcdConfig::multiple(k, 1)
                };
                v.push(a(cfg.name(), "K-factor BCD (BCD_multiple): factor k solved with s = the product of the others, recursive SVD init"));
            }
        }
        v.push(a("gd-ciaperoni", "alternating normalized gradient steps A ← A − ηG/‖G‖_F, η halved when the loss rose at a 1000-iteration check (Ciaperoni, Gionis, Mannila)"));
        v.push(a(tsvd::NAME, "reference line: the TSVD of rank K·r (same K·r(m+n) parameters), computed once in init; steps do nothing"));
        v
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
        let mut section: suite::HadamardSection =
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
