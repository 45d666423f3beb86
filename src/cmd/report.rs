//! `ratebench report DIR`.

use crate::Outcome;
use ratebench_core::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A results directory (the --out of check, run or bench-all).
    pub dir: PathBuf,
    /// Where to write index.html, summary.md and figures/ (default DIR/report).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Renders the report and prints where it is.
pub fn render(dir: &Path, out: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::file(
            dir,
            "is not a results directory; pass the --out of an earlier check/run",
        ));
    }
    let summary = ratebench_reports::render_report(dir, out)?;
    println!(
        "report: {} ({} figures)",
        summary.index_html.display(),
        summary.figures
    );
    Ok(())
}

pub fn run(args: Args) -> Result<Outcome> {
    let out = args.out.clone().unwrap_or_else(|| args.dir.join("report"));
    render(&args.dir, &out)?;
    Ok(Outcome::Success)
}
