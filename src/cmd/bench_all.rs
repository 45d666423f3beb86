//! `ratebench bench-all`: every claim, the default suite, and the report, in one directory.

use super::{command_line, ensure_writable, jobs, write_results};
use crate::Outcome;
use ratebench_core::Result;
use ratebench_harness::results::Outcome as V;
use ratebench_harness::{calibrate, environment};
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
}

pub fn run(args: Args) -> Result<Outcome> {
    let check_args = super::check::Args {
        ids: vec![],
        quick: false,
        set: vec![],
        config: None,
        jobs: args.jobs,
        seed: args.seed,
        out: args.out.clone(),
        report: false,
    };
    let claims = super::check::resolve(&check_args)?;
    let spec = super::run::resolve(&args.suite, None, None)?;
    let cases = super::run::cases(&spec, None, args.seed)?;
    ensure_writable(&args.out)?;
    let jobs = jobs(args.jobs);
    let calib_s = calibrate::calibration_seconds();
    let (verdicts, mut runs) = super::check::check_all(&claims, jobs, args.seed, calib_s)?;
    super::check::print_verdicts(&verdicts);
    runs.extend(super::run::execute(&cases, 1, args.seed, calib_s)?);
    let manifest = environment::manifest(command_line(), jobs, args.seed, calib_s);
    write_results(&args.out, &manifest, &verdicts, &runs)?;
    super::report::render(&args.out, &args.out.join("report"))?;
    let ok = verdicts
        .iter()
        .all(|v| matches!(v.outcome, V::Pass | V::Exploratory));
    Ok(if ok {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
