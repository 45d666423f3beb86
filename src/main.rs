//! `ratebench`: reproducible convergence-rate claims for gradient-descent-type methods.
//!
//! Exit codes: 0 success; 1 a claim failed (`check`), a regression was found (`compare`) or
//! a run ended in `error` (`run`); 2 bad input or usage (a one-line error on stderr).

mod cmd;
mod families;
mod progress;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "ratebench", version, about = "Check convergence-rate claims of optimization papers and benchmark the methods", long_about = None)]
struct Cli {
    /// Refuse instances needing more memory than this (GiB; default 8, or $RATEBENCH_MEMORY_LIMIT_GIB).
    #[arg(long, global = true, value_name = "GIB")]
    memory_limit_gib: Option<f64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List claims, suites, families, algorithms or metrics.
    List(cmd::list::Args),
    /// Check rate claims; prints a verdict table, exit 1 if any claim fails.
    Check(cmd::check::Args),
    /// Run a benchmark suite (convergence curves and time-to-tolerance).
    Run(cmd::run::Args),
    /// Render figures, index.html and summary.md from a results directory.
    Report(cmd::report::Args),
    /// Compare two results directories; exit 1 on a regression.
    Compare(cmd::compare::Args),
    /// Write a problem instance as .npz for NumPy, POT or scikit-learn users.
    Export(cmd::export::Args),
    /// Check every claim, run the default suite and write the report.
    BenchAll(cmd::bench_all::Args),
    /// Per-iteration time / machine-reference table from the criterion benches (`just bench` first).
    Kernels(cmd::kernels::Args),
}

/// How a command ended, mapped to the exit code.
pub enum Outcome {
    Success,
    /// A claim failed, a regression was found or a run errored.
    Failed,
}

fn run(cli: Cli) -> ratebench_core::Result<Outcome> {
    if let Some(gib) = cli.memory_limit_gib {
        ratebench_core::memory::set_limit_gib(gib)?;
    }
    match cli.command {
        Command::List(a) => cmd::list::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::BenchAll(a) => cmd::bench_all::run(a),
        Command::Kernels(a) => cmd::kernels::run(a),
    }
}

fn main() -> ExitCode {
    // Behave like other Unix tools under `| head`: end quietly instead of panicking.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match run(Cli::parse()) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            // One line: the error names the parameter or file and the fix.
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The default output directory of a command.
pub fn default_out(name: &str) -> PathBuf {
    PathBuf::from("results").join(name)
}
