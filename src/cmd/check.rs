//! `ratebench check`: verify rate claims.

use super::{command_line, ensure_writable, jobs, parse_set, read_config, write_results};
use crate::progress::Progress;
use crate::Outcome;
use ratebench_core::{Error, Result};
use ratebench_harness::claims::{check_claim, params_for, select, Claim};
use ratebench_harness::params::Params;
use ratebench_harness::results::{Outcome as VerdictOutcome, RunResult, Verdict};
use ratebench_harness::{calibrate, environment};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Claim IDs, e.g. LR-1 LR-3 (default: all claims).
    pub ids: Vec<String>,
    /// Only the claims marked quick (the CI set).
    #[arg(long)]
    pub quick: bool,
    /// Override a parameter of every selected claim, e.g. --set kappa=[10,100] --set eta=0.4.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// TOML file with one table per claim id, e.g. `[LR-1]` then `kappa = [10, 100]`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads for the runs inside a claim (results do not depend on it).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Base seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output directory for claims.json, runs.csv, traces.csv and manifest.json.
    #[arg(long, value_name = "DIR", default_value = "results/check")]
    pub out: PathBuf,
    /// Also render the report into OUT/report.
    #[arg(long)]
    pub report: bool,
}

/// Claims with their resolved parameters (all validated before anything runs).
pub fn resolve(args: &Args) -> Result<Vec<(Claim, Params)>> {
    let mut claims = select(&args.ids)?;
    if args.quick {
        claims.retain(|c| c.quick);
    }
    let config = args.config.as_deref().map(read_config).transpose()?;
    if let Some(cfg) = &config {
        if let Some(unknown) = cfg.keys().find(|k| select(&[k.to_string()]).is_err()) {
            return Err(Error::invalid(
                format!("config table [{unknown}]"),
                "is not a claim id; see `ratebench list claims`",
            ));
        }
    }
    claims
        .into_iter()
        .map(|c| {
            let table = config
                .as_ref()
                .and_then(|t| t.get(c.id))
                .and_then(|v| v.as_table());
            let p = params_for(&c, &args.set, table).map_err(|e| match e {
                Error::InvalidInput { param, reason } => Error::InvalidInput {
                    param: format!("{param} (claim {})", c.id),
                    reason,
                },
                other => other,
            })?;
            Ok((c, p))
        })
        .collect()
}

/// Runs resolved claims, printing a line per verdict.
pub fn check_all(
    claims: &[(Claim, Params)],
    jobs: usize,
    seed: u64,
    calib_s: f64,
) -> Result<(Vec<Verdict>, Vec<RunResult>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::numerical("thread pool", e))?;
    let progress = Progress::new(claims.len() as u64, "claims");
    let mut verdicts = Vec::new();
    let mut runs = Vec::new();
    for (claim, params) in claims {
        let (v, r) = check_claim(claim, params, seed, calib_s, &pool)?;
        progress.item(&format!(
            "{} {} ({:.1}s)",
            v.id,
            v.outcome.as_str(),
            v.wall_s
        ));
        verdicts.push(v);
        runs.extend(r);
    }
    progress.finish();
    Ok((verdicts, runs))
}

/// Prints the verdict table, with every failed criterion.
pub fn print_verdicts(verdicts: &[Verdict]) {
    println!("{:<7} {:<12} {:>7}  title", "claim", "verdict", "wall");
    for v in verdicts {
        println!(
            "{:<7} {:<12} {:>6.2}s  {}",
            v.id,
            v.outcome.as_str().to_uppercase(),
            v.wall_s,
            v.title
        );
        for m in v.measurements.iter().filter(|m| m.ok == Some(false)) {
            println!(
                "        ✗ {} = {:.6e}  (needs {})",
                m.name, m.value, m.criterion
            );
        }
        if !v.message.is_empty() {
            println!("        note: {}", v.message);
        }
    }
    let pass = verdicts
        .iter()
        .filter(|v| v.outcome == VerdictOutcome::Pass)
        .count();
    let exploratory = verdicts
        .iter()
        .filter(|v| v.outcome == VerdictOutcome::Exploratory)
        .count();
    let judged = verdicts.len() - exploratory;
    if exploratory > 0 {
        println!("{pass}/{judged} claims pass ({exploratory} exploratory, no pass/fail)");
    } else {
        println!("{pass}/{judged} claims pass");
    }
}

pub fn run(args: Args) -> Result<Outcome> {
    let claims = resolve(&args)?;
    ensure_writable(&args.out)?;
    let jobs = jobs(args.jobs);
    let calib_s = calibrate::calibration_seconds();
    let (verdicts, runs) = check_all(&claims, jobs, args.seed, calib_s)?;
    let manifest = environment::manifest(command_line(), jobs, args.seed, calib_s);
    write_results(&args.out, &manifest, &verdicts, &runs)?;
    print_verdicts(&verdicts);
    println!("results: {}", args.out.display());
    if args.report {
        super::report::render(&args.out, &args.out.join("report"))?;
    }
    let all_pass = verdicts.iter().all(|v| {
        matches!(
            v.outcome,
            VerdictOutcome::Pass | VerdictOutcome::Exploratory
        )
    });
    Ok(if all_pass {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
