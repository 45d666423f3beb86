//! `ratebench check`: verify rate claims (or, with `--negative-control`, that they fail
//! where they should).

use super::{ensure_writable, jobs, parse_set, read_config, write_session_manifest};
use crate::progress::Progress;
use crate::Outcome;
use ratebench_core::{Error, Result};
use ratebench_harness::calibrate;
use ratebench_harness::claims::{
    check_claim, claim_group, control_params, params_for, CheckEnv, Entry, Registry,
};
use ratebench_harness::environment::RunSettings;
use ratebench_harness::params::Params;
use ratebench_harness::results::{same_verdict, Outcome as VerdictOutcome, Session, Verdict};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Claim IDs, e.g. LR-1 LR-3 (default: all claims).
    pub ids: Vec<String>,
    /// Only the claims marked quick (the CI set).
    #[arg(long)]
    pub quick: bool,
    /// Run each claim's registered negative control instead: every one must FAIL (exit 1 shows the check has teeth).
    #[arg(long)]
    pub negative_control: bool,
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
    /// Output directory for claims.json, runs.csv, hits.csv, traces.csv and manifest.json (other commands' results there are kept).
    #[arg(long, value_name = "DIR", default_value = "results/check")]
    pub out: PathBuf,
    /// Also render the report into OUT/report.
    #[arg(long)]
    pub report: bool,
}

/// A claim with its resolved parameters.
pub struct Resolved {
    pub entry: Entry,
    pub params: Params,
    pub negative_control: bool,
}

/// Claims with their resolved parameters (all validated before anything runs).
pub fn resolve(args: &Args) -> Result<Vec<Resolved>> {
    let families = crate::families::all();
    let mut entries = Registry::new(&families).select(&args.ids)?;
    if args.quick {
        entries.retain(|e| e.claim.quick);
    }
    if args.negative_control {
        if !args.set.is_empty() || args.config.is_some() {
            return Err(Error::invalid(
                "--negative-control",
                "runs each claim's registered overrides; drop --set/--config",
            ));
        }
        // Exploratory claims judge nothing, so they have no control.
        entries.retain(|e| e.claim.control.is_some() || !args.ids.is_empty());
    }
    let config = args.config.as_deref().map(read_config).transpose()?;
    if let Some(cfg) = &config {
        let known = Registry::new(&families);
        if let Some(unknown) = cfg.keys().find(|k| {
            !known
                .entries
                .iter()
                .any(|e| e.claim.id.eq_ignore_ascii_case(k))
        }) {
            return Err(Error::invalid(
                format!("config table [{unknown}]"),
                "is not a claim id; see `ratebench list claims`",
            ));
        }
    }
    entries
        .into_iter()
        .map(|entry| {
            let table = config
                .as_ref()
                .and_then(|t| t.get(entry.claim.id))
                .and_then(|v| v.as_table());
            let params = if args.negative_control {
                control_params(&entry.claim)
            } else {
                params_for(&entry.claim, &args.set, table)
            }
            .map_err(|e| name_claim(e, entry.claim.id))?;
            Ok(Resolved {
                entry,
                params,
                negative_control: args.negative_control,
            })
        })
        .collect()
}

/// Adds the claim id to a parameter error.
fn name_claim(e: Error, id: &str) -> Error {
    match e {
        Error::InvalidInput { param, reason } => Error::InvalidInput {
            param: format!("{param} (claim {id})"),
            reason,
        },
        other => other,
    }
}

/// What a batch of claim checks needs.
pub struct CheckSettings {
    pub jobs: usize,
    pub seed: u64,
    pub calib_s: f64,
    /// Skip claims whose verdict (same parameters and seed) the session already holds.
    pub resume: bool,
}

/// Runs resolved claims into `session`, printing a line per verdict.
pub fn check_all(
    claims: &[Resolved],
    settings: &CheckSettings,
    session: &mut Session,
) -> Result<Vec<Verdict>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::numerical("thread pool", e))?;
    let progress = Progress::new(claims.len() as u64, "claims");
    let mut verdicts = Vec::new();
    for r in claims {
        let (claim, nc) = (&r.entry.claim, r.negative_control);
        let previous = same_verdict(
            session.verdicts(),
            claim.id,
            &r.params.to_json(),
            settings.seed,
            nc,
        );
        if let (true, Some(v)) = (settings.resume, previous) {
            progress.item(&format!("{} {} (kept)", v.id, v.outcome.as_str()));
            verdicts.push(v.clone());
            continue;
        }
        let env = CheckEnv {
            family: r.entry.family,
            base_seed: settings.seed,
            calib_s: settings.calib_s,
            pool: &pool,
            negative_control: nc,
        };
        let (v, runs) = check_claim(claim, &r.params, &env).map_err(|e| name_claim(e, claim.id))?;
        for run in &runs {
            session.record(run)?;
        }
        session.set_verdict(v.clone())?;
        progress.item(&format!(
            "{} {} ({:.1}s)",
            v.id,
            v.outcome.as_str(),
            v.wall_s
        ));
        verdicts.push(v);
    }
    progress.finish();
    Ok(verdicts)
}

/// The result groups a batch of claims writes.
pub fn groups(claims: &[Resolved]) -> Vec<String> {
    claims
        .iter()
        .map(|r| claim_group(r.entry.claim.id, r.negative_control))
        .collect()
}

/// The canonical run order of a batch of verdicts.
pub fn run_order(verdicts: &[Verdict]) -> Vec<String> {
    verdicts
        .iter()
        .flat_map(|v| v.runs.iter().cloned())
        .collect()
}

/// Prints the verdict table, with every failed criterion.
pub fn print_verdicts(verdicts: &[Verdict]) {
    println!("{:<7} {:<12} {:>7}  title", "claim", "verdict", "wall");
    for v in verdicts {
        let id = if v.negative_control {
            format!("{}*", v.id)
        } else {
            v.id.clone()
        };
        println!(
            "{:<7} {:<12} {:>6.2}s  {}",
            id,
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
    let count = |o: VerdictOutcome| verdicts.iter().filter(|v| v.outcome == o).count();
    let (pass, fail, exploratory) = (
        count(VerdictOutcome::Pass),
        count(VerdictOutcome::Fail),
        count(VerdictOutcome::Exploratory),
    );
    if verdicts.iter().any(|v| v.negative_control) {
        println!(
            "{fail}/{} negative controls fail, as they must (* = negative control)",
            verdicts.len()
        );
    } else if exploratory > 0 {
        println!(
            "{pass}/{} claims pass ({exploratory} exploratory, no pass/fail)",
            verdicts.len() - exploratory
        );
    } else {
        println!("{pass}/{} claims pass", verdicts.len());
    }
}

/// True when every verdict is what it should be: pass (or exploratory) for claims, fail for
/// negative controls.
pub fn all_as_expected(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| match v.negative_control {
        false => matches!(
            v.outcome,
            VerdictOutcome::Pass | VerdictOutcome::Exploratory
        ),
        true => v.outcome == VerdictOutcome::Fail,
    })
}

pub fn run(args: Args) -> Result<Outcome> {
    let claims = resolve(&args)?;
    ensure_writable(&args.out)?;
    let jobs = jobs(args.jobs);
    let calib_s = calibrate::calibration_seconds();
    let settings = RunSettings {
        jobs,
        threads_per_run: 1,
        base_seed: args.seed,
        calib_s,
    };
    write_session_manifest(&args.out, &settings, vec![])?;
    let mut session = Session::open(&args.out, &groups(&claims), false)?;
    let check = CheckSettings {
        jobs,
        seed: args.seed,
        calib_s,
        resume: false,
    };
    let verdicts = check_all(&claims, &check, &mut session)?;
    session.finish(&run_order(&verdicts))?;
    print_verdicts(&verdicts);
    println!("results: {}", args.out.display());
    if args.report {
        super::report::render(&args.out, &args.out.join("report"))?;
    }
    // With --negative-control every verdict is FAIL by design: exit 1 shows the checks
    // have teeth (and a control that passes is reported above).
    Ok(if args.negative_control || !all_as_expected(&verdicts) {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
