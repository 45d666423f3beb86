//! `ratebench run SUITE`: a benchmark grid, the union of every family's section.

use super::{ensure_writable, jobs, read_config, write_session_manifest};
use crate::progress::Progress;
use crate::Outcome;
use ratebench_core::{Error, Result};
use ratebench_harness::calibrate;
use ratebench_harness::case::Case;
use ratebench_harness::data::DataDirs;
use ratebench_harness::environment::RunSettings;
use ratebench_harness::family::{SuiteEnv, SUITES};
use ratebench_harness::results::Session;
use ratebench_harness::suite::{run_sweep, SweepOptions, SweepSummary};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Suite name: quick, default or full (see `ratebench list suites`).
    pub suite: String,
    /// Only runs whose id (suite:NAME/case/algorithm/sSEED) contains this text, e.g. scaledgd-lambda or kappa=100.
    #[arg(long, value_name = "PAT")]
    pub filter: Option<String>,
    /// Only these families' sections (repeatable; see `ratebench list families`).
    #[arg(long = "family", value_name = "NAME")]
    pub families: Vec<String>,
    /// Number of seeds (repetitions) per case, for every family.
    #[arg(long, value_name = "N")]
    pub seeds: Option<u64>,
    /// Parallel runs (default 1: wall times are undistorted only when runs do not share the machine).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub jobs: usize,
    /// Threads inside each run (deterministic for a given N; recorded in the manifest).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads_per_run: usize,
    /// Keep the runs already complete in OUT (same run id and spec) and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Base seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output directory (default results/SUITE; other commands' results there are kept).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// TOML file with one table per family overriding its section, e.g. `[factored]` then `n = 300`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory searched first for data files (then $RATEBENCH_DATA, the working directory, ./data, ../shared/data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Also render the report into OUT/report.
    #[arg(long)]
    pub report: bool,
}

/// A suite expanded into cases.
pub struct Expanded {
    pub group: String,
    pub cases: Vec<Box<dyn Case>>,
    pub skipped: Vec<String>,
}

/// What selects and configures a suite.
pub struct SuiteRequest<'a> {
    pub name: &'a str,
    pub config: Option<&'a Path>,
    pub families: &'a [String],
    pub seeds: Option<u64>,
    pub filter: Option<&'a str>,
    pub data: DataDirs,
    pub seed: u64,
}

/// The config file's family tables, checked against the known families.
fn family_tables(path: &Path) -> Result<toml::Table> {
    let table = read_config(path)?;
    let known: Vec<&str> = crate::families::all().iter().map(|f| f.name()).collect();
    for (key, value) in &table {
        if !known.contains(&key.as_str()) {
            return Err(Error::file(
                path,
                format!(
                    "table [{key}] is not a family; use one of [{}]",
                    known.join("], [")
                ),
            ));
        }
        if !value.is_table() {
            return Err(Error::file(path, format!("[{key}] must be a table")));
        }
    }
    Ok(table)
}

/// Expands a suite: every selected family's section, filtered.
pub fn expand(req: &SuiteRequest<'_>) -> Result<Expanded> {
    if !SUITES.contains(&req.name) {
        return Err(Error::invalid(
            format!("suite '{}'", req.name),
            format!("unknown; known suites: {}", SUITES.join(", ")),
        ));
    }
    let all = crate::families::all();
    if let Some(f) = req
        .families
        .iter()
        .find(|f| !all.iter().any(|a| a.name() == *f))
    {
        let known: Vec<&str> = all.iter().map(|a| a.name()).collect();
        return Err(Error::invalid(
            format!("--family {f}"),
            format!("unknown; known families: {}", known.join(", ")),
        ));
    }
    let tables = req.config.map(family_tables).transpose()?;
    let env = SuiteEnv {
        base_seed: req.seed,
        data: &req.data,
        seeds: req.seeds,
    };
    let group = format!("suite:{}", req.name);
    let mut out = Expanded {
        group: group.clone(),
        cases: Vec::new(),
        skipped: Vec::new(),
    };
    for family in all {
        if !req.families.is_empty() && !req.families.iter().any(|f| f == family.name()) {
            continue;
        }
        let table = tables
            .as_ref()
            .and_then(|t| t.get(family.name()))
            .and_then(|v| v.as_table());
        let part = family
            .suite(req.name, table, &env)
            .map_err(|e| match (e, req.config) {
                (Error::InvalidInput { param, reason }, Some(path))
                    if param.starts_with("config") =>
                {
                    Error::file(path, format!("{param}: {reason}"))
                }
                (e, _) => e,
            })?;
        out.cases.extend(part.cases);
        out.skipped.extend(part.skipped);
    }
    if let Some(pat) = req.filter {
        out.cases.retain(|c| c.meta().run_id(&group).contains(pat));
        if out.cases.is_empty() {
            return Err(Error::invalid(
                "--filter",
                format!("'{pat}' matches no run of suite {}; run ids look like {group}/CASE/ALGORITHM/sSEED", req.name),
            ));
        }
    }
    Ok(out)
}

/// Runs an expanded suite into `session` with progress output.
pub fn execute(
    suite: &Expanded,
    session: &mut Session,
    opts: &SweepOptions,
) -> Result<SweepSummary> {
    for s in &suite.skipped {
        eprintln!("skipped: {s}");
    }
    let progress = Progress::new(suite.cases.len() as u64, "runs");
    let summary = run_sweep(&suite.cases, &suite.group, session, opts, &|r, resumed| {
        let how = if resumed { " (kept)" } else { "" };
        progress.item(&format!(
            "{} {} iters={} {:.3}s{how}",
            r.run_id, r.status, r.iters, r.time_s
        ));
    })?;
    progress.finish();
    Ok(summary)
}

/// One line about a finished sweep, plus the errored runs.
pub fn print_summary(summary: &SweepSummary, out: &Path) {
    let counts: Vec<String> = summary
        .statuses
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    println!(
        "{} runs ({}; {} run now, {} kept) → {}",
        summary.order.len(),
        counts.join(", "),
        summary.ran,
        summary.resumed,
        out.display()
    );
    for b in &summary.breakdowns {
        println!("  breakdown: {b}");
    }
    for e in &summary.errors {
        println!("  error: {e}");
    }
}

pub fn run(args: Args) -> Result<Outcome> {
    let req = SuiteRequest {
        name: &args.suite,
        config: args.config.as_deref(),
        families: &args.families,
        seeds: args.seeds,
        filter: args.filter.as_deref(),
        data: DataDirs {
            explicit: args.data_dir.clone(),
        },
        seed: args.seed,
    };
    let suite = expand(&req)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| crate::default_out(&args.suite));
    ensure_writable(&out)?;
    let jobs = jobs(Some(args.jobs));
    let calib_s = calibrate::calibration_seconds();
    let settings = RunSettings {
        jobs,
        threads_per_run: args.threads_per_run.max(1),
        base_seed: args.seed,
        calib_s,
    };
    write_session_manifest(&out, &settings, suite.skipped.clone())?;
    let mut session = Session::open(&out, std::slice::from_ref(&suite.group), args.resume)?;
    let opts = SweepOptions {
        jobs,
        threads: settings.threads_per_run,
        base_seed: args.seed,
        calib_s,
    };
    let summary = execute(&suite, &mut session, &opts)?;
    session.finish(&summary.order)?;
    print_summary(&summary, &out);
    if args.report {
        super::report::render(&out, &out.join("report"))?;
    }
    Ok(if summary.errors.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
