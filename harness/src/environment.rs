//! Provenance for `manifest.json`: git state, toolchain, CPU, crate versions.

use crate::results::{FamilyCatalogue, Manifest};
use std::process::Command;

fn command_output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The CPU model from `/proc/cpuinfo` (Linux), else `unknown`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Versions of the numerically relevant crates, read from the committed `Cargo.lock`.
pub fn crate_versions() -> Vec<(String, String)> {
    const LOCK: &str = include_str!("../../Cargo.lock");
    const WANTED: [&str; 7] = [
        "faer",
        "rayon",
        "rand_chacha",
        "statrs",
        "plotters",
        "criterion",
        "serde",
    ];
    let mut out = Vec::new();
    let mut name: Option<&str> = None;
    for line in LOCK.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"'));
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name) {
            if WANTED.contains(&n) {
                out.push((n.to_string(), v.trim_matches('"').to_string()));
            }
            name = None;
        }
    }
    out
}

/// What a command ran with, for its manifest.
#[derive(Clone, Debug)]
pub struct RunSettings {
    pub jobs: usize,
    pub threads_per_run: usize,
    pub base_seed: u64,
    pub calib_s: f64,
}

/// A manifest for the current process.
pub fn manifest(
    command: Vec<String>,
    settings: &RunSettings,
    catalogue: Vec<FamilyCatalogue>,
    skipped: Vec<String>,
) -> Manifest {
    let git_commit =
        command_output("git", &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let git_dirty = command_output("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    Manifest {
        ratebench_version: env!("CARGO_PKG_VERSION").to_string(),
        command,
        earlier_commands: Vec::new(),
        started_utc: command_output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]).unwrap_or_default(),
        git_commit,
        git_dirty,
        rustc: command_output("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
        profile: if cfg!(debug_assertions) {
            "debug".into()
        } else {
            "release".into()
        },
        cpu: cpu_model(),
        threads_per_run: settings.threads_per_run,
        jobs: settings.jobs,
        base_seed: settings.base_seed,
        crates: crate_versions(),
        calib_s: settings.calib_s,
        memory_limit_gib: ratebench_core::memory::limit_bytes() as f64 / (1u64 << 30) as f64,
        catalogue,
        skipped,
    }
}

/// `new` merged with the manifest already in the directory (if any): the earlier command is
/// remembered and catalogues of families the directory still holds results of are kept.
pub fn merge_manifest(mut new: Manifest, old: Option<Manifest>) -> Manifest {
    let Some(old) = old else { return new };
    new.earlier_commands = old.earlier_commands;
    new.earlier_commands.push(old.command);
    for c in old.catalogue {
        if !new.catalogue.iter().any(|n| n.family == c.family) {
            new.catalogue.push(c);
        }
    }
    new
}
