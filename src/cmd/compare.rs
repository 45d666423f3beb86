//! `ratebench compare BASE NEW`.

use crate::Outcome;
use ratebench_core::{error::check, Result};
use ratebench_harness::compare::{compare, Thresholds};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Baseline results directory.
    pub base: PathBuf,
    /// New results directory.
    pub new: PathBuf,
    /// Fail when a normalized time-to-tolerance grows beyond this ratio (default: times are reported only).
    #[arg(long, value_name = "R")]
    pub time_ratio: Option<f64>,
    /// Fail when iterations to a tolerance grow beyond this ratio.
    #[arg(long, value_name = "R", default_value_t = 1.05)]
    pub iter_ratio: f64,
    /// Print every row, not only changes and regressions.
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: Args) -> Result<Outcome> {
    check::positive("--iter-ratio", args.iter_ratio)?;
    if let Some(r) = args.time_ratio {
        check::positive("--time-ratio", r)?;
    }
    let c = compare(
        &args.base,
        &args.new,
        Thresholds {
            iter_ratio: args.iter_ratio,
            time_ratio: args.time_ratio,
        },
    )?;
    println!(
        "{:<60} {:<24} {:>12} {:>12} {:>8}  ",
        "run / claim", "quantity", "base", "new", "ratio"
    );
    for ch in &c.changes {
        let changed = ch.base != ch.new || ch.ratio.is_some_and(|r| (r - 1.0).abs() > 1e-12);
        let is_time = ch.what.starts_with("normalized time");
        if !(args.all || ch.regression || (changed && !is_time)) {
            continue;
        }
        let ratio = ch.ratio.map_or("—".to_string(), |r| format!("{r:.3}"));
        println!(
            "{:<60} {:<24} {:>12} {:>12} {:>8}  {}",
            ch.key,
            ch.what,
            ch.base,
            ch.new,
            ratio,
            if ch.regression { "REGRESSION" } else { "" }
        );
    }
    let times: Vec<f64> = c
        .changes
        .iter()
        .filter(|x| x.what.starts_with("normalized time"))
        .filter_map(|x| x.ratio)
        .collect();
    if !times.is_empty() {
        let mut t = times.clone();
        let med = ratebench_harness::fit::median(&mut t).unwrap_or(f64::NAN);
        println!("normalized time ratio new/base: median {med:.3}, min {:.3}, max {:.3} over {} points (report only unless --time-ratio)", t[0], t[t.len() - 1], t.len());
    }
    let n_reg = c.changes.iter().filter(|x| x.regression).count();
    println!(
        "{} runs and {} claims matched; {n_reg} regression(s)",
        c.matched_runs, c.matched_claims
    );
    Ok(if c.has_regression() {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
