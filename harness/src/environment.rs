//! Provenance for `manifest.json`: git state, toolchain, CPU, crate versions.

use crate::results::Manifest;
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

/// A manifest for the current process.
pub fn manifest(command: Vec<String>, jobs: usize, base_seed: u64, calib_s: f64) -> Manifest {
    let git_commit =
        command_output("git", &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let git_dirty = command_output("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    Manifest {
        ratebench_version: env!("CARGO_PKG_VERSION").to_string(),
        command,
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
        threads_per_run: 1,
        jobs,
        base_seed,
        crates: crate_versions(),
        calib_s,
    }
}
