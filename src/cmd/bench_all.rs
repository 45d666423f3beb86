//! `ratebench bench-all`: every claim, the default suite, and the report, in one directory.

use super::check::{all_as_expected, check_all, groups, print_verdicts, run_order, CheckSettings};
use super::run::{execute, expand, print_summary, SuiteRequest};
use super::{ensure_writable, jobs, write_session_manifest};
use crate::Outcome;
use ratebench_core::Result;
use ratebench_harness::calibrate;
use ratebench_harness::data::DataDirs;
use ratebench_harness::environment::RunSettings;
use ratebench_harness::results::Session;
use ratebench_harness::suite::SweepOptions;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory; the report goes to OUT/report/index.html.
    #[arg(long, value_name = "DIR", default_value = "results/latest")]
    pub out: PathBuf,
    /// Suite to run after the claims.
    #[arg(long, default_value = "default")]
    pub suite: String,
    /// Threads for the claim runs (the suite runs sequentially for honest wall times).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Base seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Keep what OUT already holds (claims with the same parameters and seed, complete runs) and do only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Directory searched first for data files (then $RATEBENCH_DATA, the working directory, ./data, ../shared/data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome> {
    let check_args = super::check::Args {
        ids: vec![],
        quick: false,
        negative_control: false,
        set: vec![],
        config: None,
        jobs: args.jobs,
        seed: args.seed,
        out: args.out.clone(),
        report: false,
    };
    let claims = super::check::resolve(&check_args)?;
    let suite = expand(&SuiteRequest {
        name: &args.suite,
        config: None,
        families: &[],
        seeds: None,
        filter: None,
        data: DataDirs {
            explicit: args.data_dir.clone(),
        },
        seed: args.seed,
    })?;
    ensure_writable(&args.out)?;
    let jobs = jobs(args.jobs);
    let calib_s = calibrate::calibration_seconds();
    let settings = RunSettings {
        jobs,
        threads_per_run: 1,
        base_seed: args.seed,
        calib_s,
    };
    write_session_manifest(&args.out, &settings, suite.skipped.clone())?;
    let mut all_groups = groups(&claims);
    all_groups.push(suite.group.clone());
    let mut session = Session::open(&args.out, &all_groups, args.resume)?;
    let check = CheckSettings {
        jobs,
        seed: args.seed,
        calib_s,
        resume: args.resume,
    };
    let verdicts = check_all(&claims, &check, &mut session)?;
    print_verdicts(&verdicts);
    let opts = SweepOptions {
        jobs: 1,
        threads: 1,
        base_seed: args.seed,
        calib_s,
    };
    let summary = execute(&suite, &mut session, &opts)?;
    let mut order = run_order(&verdicts);
    order.extend(summary.order.iter().cloned());
    session.finish(&order)?;
    print_summary(&summary, &args.out);
    super::report::render(&args.out, &args.out.join("report"))?;
    Ok(if all_as_expected(&verdicts) && summary.errors.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
