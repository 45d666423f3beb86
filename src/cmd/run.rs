//! `ratebench run SUITE`: a benchmark grid.

use super::{command_line, ensure_writable, jobs, read_config, write_results};
use crate::progress::Progress;
use crate::Outcome;
use ratebench_core::{Error, Result};
use ratebench_harness::lowrank::LowRankCase;
use ratebench_harness::results::RunResult;
use ratebench_harness::suites::{builtin, run_cases, SuiteSpec};
use ratebench_harness::{calibrate, environment};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Suite name: quick, default or full (see `ratebench list suites`).
    pub suite: String,
    /// Only runs whose id (group/case/algorithm/seed) contains this text.
    #[arg(long, value_name = "PAT")]
    pub filter: Option<String>,
    /// Number of seeds (repetitions) per case.
    #[arg(long, value_name = "N")]
    pub seeds: Option<u64>,
    /// Parallel runs (default 1: wall times are undistorted only when runs do not share the machine).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub jobs: usize,
    /// Base seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// TOML file whose `[suite]` table overrides the suite's fields (n, r, kappa, k, seeds, methods, …).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also render the report into OUT/report.
    #[arg(long)]
    pub report: bool,
}

/// The suite with config and `--seeds` applied, validated.
pub fn resolve(
    name: &str,
    config: Option<&std::path::Path>,
    seeds: Option<u64>,
) -> Result<SuiteSpec> {
    let mut spec = builtin(name)?;
    if let Some(path) = config {
        let table = read_config(path)?;
        let suite = match table.get("suite") {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => return Err(Error::file(path, "[suite] must be a table")),
            None => {
                return Err(Error::file(
                    path,
                    "has no [suite] table; put the overrides under [suite]",
                ))
            }
        };
        spec = spec
            .apply_toml(&suite)
            .map_err(|e| Error::file(path, e.to_string()))?;
    }
    if let Some(s) = seeds {
        spec.seeds = s;
    }
    spec.validate()?;
    Ok(spec)
}

/// Expands and filters a suite's cases.
pub fn cases(
    spec: &SuiteSpec,
    filter: Option<&str>,
    seed: u64,
) -> Result<Vec<(String, LowRankCase)>> {
    let mut cases = spec.cases(seed)?;
    if let Some(pat) = filter {
        cases.retain(|(g, c)| {
            format!("{g}/{}/{:?}/s{}", c.case, c.method, c.rep).contains(pat)
                || c.case.contains(pat)
        });
        if cases.is_empty() {
            return Err(Error::invalid(
                "--filter",
                format!("'{pat}' matches no run of suite {}", spec.name),
            ));
        }
    }
    Ok(cases)
}

/// Runs cases with progress output.
pub fn execute(
    cases: &[(String, LowRankCase)],
    jobs: usize,
    seed: u64,
    calib_s: f64,
) -> Result<Vec<RunResult>> {
    let progress = Progress::new(cases.len() as u64, "runs");
    let results = run_cases(cases, jobs, seed, calib_s, &|r| {
        progress.item(&format!(
            "{} {} iters={} {:.3}s",
            r.run_id, r.status, r.iters, r.time_s
        ));
    })?;
    progress.finish();
    Ok(results)
}

pub fn run(args: Args) -> Result<Outcome> {
    let spec = resolve(&args.suite, args.config.as_deref(), args.seeds)?;
    let cases = cases(&spec, args.filter.as_deref(), args.seed)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::default_out(&spec.name));
    ensure_writable(&out)?;
    let jobs = jobs(Some(args.jobs));
    let calib_s = calibrate::calibration_seconds();
    let runs = execute(&cases, jobs, args.seed, calib_s)?;
    let manifest = environment::manifest(command_line(), jobs, args.seed, calib_s);
    write_results(&out, &manifest, &[], &runs)?;
    let diverged = runs
        .iter()
        .filter(|r| r.record.status == "diverged")
        .count();
    println!(
        "{} runs ({} converged, {diverged} diverged) → {}",
        runs.len(),
        runs.iter()
            .filter(|r| r.record.status == "converged")
            .count(),
        out.display()
    );
    if args.report {
        super::report::render(&out, &out.join("report"))?;
    }
    Ok(Outcome::Success)
}
