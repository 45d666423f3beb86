//! # ratebench-family-ot
//!
//! The entropic optimal transport family (CLAIMS.md §4): claims OT-1 … OT-4 with negative
//! controls, the `[ot]` suite section ([`suite::OtSection`]), the metric catalogue
//! ([`metrics`]) and the `ot` exporter ([`export`]).
//!
//! ```
//! use ratebench_family_ot::OtFamily;
//! use ratebench_harness::data::DataDirs;
//! use ratebench_harness::family::{Family, SuiteEnv};
//! let family = OtFamily;
//! let ids: Vec<&str> = family.claims().iter().map(|c| c.id).collect();
//! assert_eq!(ids, ["OT-1", "OT-2", "OT-3", "OT-4"]);
//! assert!(family.claims().iter().all(|c| c.control.is_some()));
//! // One point-cloud instance at ε = 0.05, every solver.
//! let table: toml::Table = "clouds = [100]\nepsilons = [0.05]\nassignment = 0"
//!     .parse()
//!     .unwrap();
//! let data = DataDirs::default();
//! let env = SuiteEnv { base_seed: 0, data: &data, seeds: None };
//! let part = family.suite("quick", Some(&table), &env).unwrap();
//! assert!(part.cases.len() >= 4);
//! // Bad input is a one-line error naming the field and the fix.
//! let bad: toml::Table = "epsilons = [-1.0]".parse().unwrap();
//! assert!(family.suite("quick", Some(&bad), &env).is_err());
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

/// The entropic optimal transport family.
pub struct OtFamily;

impl Family for OtFamily {
    fn name(&self) -> &'static str {
        case::FAMILY
    }
    fn description(&self) -> &'static str {
        "Entropic optimal transport: Sinkhorn (scaling, log domain), Greenkhorn, Sinkhorn-Newton-Sparse (OT-1 … OT-4)"
    }
    fn claims(&self) -> Vec<Claim> {
        claims::claims()
    }
    fn algorithms(&self) -> Vec<AlgorithmInfo> {
        ratebench_sinkhorn::names::ALL
            .iter()
            .map(|(name, description)| AlgorithmInfo {
                name,
                description,
                work_unit: "row/column update",
            })
            .collect()
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
        let mut section: suite::OtSection =
            ratebench_harness::family::apply_section(case::FAMILY, &base, overrides)?;
        if let Some(s) = env.seeds {
            section.seeds = s;
        }
        let named: Vec<&str> = ["digits", "digits_file", "data"]
            .into_iter()
            .filter(|f| overrides.is_some_and(|t| t.contains_key(*f)))
            .collect();
        section.part(env, &format!("suite:{name}"), &named)
    }
    fn exporters(&self) -> Vec<Exporter> {
        export::exporters()
    }
}

/// A parameter error re-issued under the name the user wrote, keeping its reason.
pub(crate) fn relabel(e: Error, param: &str) -> Error {
    match e {
        Error::InvalidInput { reason, .. } => Error::invalid(param, reason),
        other => other,
    }
}
