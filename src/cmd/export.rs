//! `ratebench export NAME`: a problem instance as `.npz` for NumPy, POT or scikit-learn
//! users. The names come from the families' exporters (`ratebench list families`).

use super::parse_set;
use crate::Outcome;
use ratebench_core::{Error, Result};
use ratebench_harness::family::Exporter;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// What to export: a problem name such as lowrank or sensing (see `ratebench list families --params`).
    pub problem: String,
    /// Instance parameters, e.g. --set n=50 --set kappa=100 (see `ratebench list families --params`).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Base seed of the data stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file (.npz).
    #[arg(long, value_name = "FILE.npz")]
    pub out: PathBuf,
}

/// Every exporter of every family.
pub fn exporters() -> Vec<Exporter> {
    crate::families::all()
        .into_iter()
        .flat_map(|f| f.exporters())
        .collect()
}

pub fn run(args: Args) -> Result<Outcome> {
    let all = exporters();
    let Some(exporter) = all.iter().find(|e| e.name == args.problem) else {
        let names: Vec<&str> = all.iter().map(|e| e.name).collect();
        return Err(Error::invalid(
            format!("problem '{}'", args.problem),
            format!("unknown; known problems: {}", names.join(", ")),
        ));
    };
    if args.out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", args.out.display()),
        ));
    }
    let mut params = (exporter.params)();
    for (k, v) in &args.set {
        params.set(k, v)?;
    }
    println!("{}", (exporter.write)(&params, args.seed, &args.out)?);
    Ok(Outcome::Success)
}
