//! The [`Family`] trait: what a problem family (a `families/*` crate) offers the CLI.
//!
//! The CLI holds one list of families and finds every claim, suite section, algorithm,
//! metric and exporter through it; nothing else names a family.

use crate::case::Case;
use crate::claims::Claim;
use crate::data::DataDirs;
use crate::params::Params;
use crate::results::MetricInfo;
use ratebench_core::Result;
use std::path::Path;

/// An algorithm a family runs, for `ratebench list algorithms` and figure axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgorithmInfo {
    /// The solver name used in result files.
    pub name: &'static str,
    /// One line: the update and its source.
    pub description: &'static str,
    /// What one unit of `work` is (`iteration`, `row/column update`, …).
    pub work_unit: &'static str,
}

/// A problem instance a family can write as `.npz` (`ratebench export NAME`).
#[derive(Clone, Copy)]
pub struct Exporter {
    pub name: &'static str,
    pub description: &'static str,
    /// The instance parameters usable with `--set`.
    pub params: fn() -> Params,
    /// Writes the instance to the path; returns a one-line summary (arrays written, and
    /// how to load them).
    pub write: fn(&Params, u64, &Path) -> Result<String>,
}

/// The built-in suite names; each family has a section of each.
pub const SUITES: [&str; 3] = ["quick", "default", "full"];

/// What a suite section needs from the command line.
#[derive(Clone, Debug)]
pub struct SuiteEnv<'a> {
    pub base_seed: u64,
    pub data: &'a DataDirs,
    /// `--seeds`: repetitions per case, overriding the section's.
    pub seeds: Option<u64>,
}

/// One family's part of a suite.
pub struct SuitePart {
    /// In run order.
    pub cases: Vec<Box<dyn Case>>,
    /// Cases left out, each with the reason (e.g. a data file not found, with the paths
    /// tried). Recorded in the manifest and printed.
    pub skipped: Vec<String>,
}

/// A problem family.
pub trait Family: Sync {
    /// Short name, also the name of its suite-config table (`[factored]`).
    fn name(&self) -> &'static str;

    /// One line for `ratebench list families`.
    fn description(&self) -> &'static str;

    /// The family's claims, in catalogue order.
    fn claims(&self) -> Vec<Claim>;

    /// Every algorithm the family's claims and suites run.
    fn algorithms(&self) -> Vec<AlgorithmInfo>;

    /// The metric catalogue.
    fn metrics(&self) -> Vec<MetricInfo>;

    /// One line describing the family's section of a built-in suite.
    fn suite_description(&self, suite: &str) -> String;

    /// The family's section of suite `suite` with `overrides` (the `[name]` table of a
    /// config file, parsed with unknown fields rejected) applied.
    fn suite(
        &self,
        suite: &str,
        overrides: Option<&toml::Table>,
        env: &SuiteEnv<'_>,
    ) -> Result<SuitePart>;

    /// The instances the family can export.
    fn exporters(&self) -> Vec<Exporter>;
}

/// Parses a family's suite section: the built-in `base` with `overrides` applied, unknown
/// fields rejected (the error names the table and the field).
pub fn apply_section<T>(family: &str, base: &T, overrides: Option<&toml::Table>) -> Result<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut merged =
        toml::Table::try_from(base).map_err(|e| ratebench_core::Error::numerical("suite", e))?;
    for (k, v) in overrides.into_iter().flatten() {
        merged.insert(k.clone(), v.clone());
    }
    merged.try_into().map_err(|e: toml::de::Error| {
        ratebench_core::Error::invalid(format!("config [{family}]"), e.message().to_string())
    })
}
