//! One module per subcommand, plus what they share.

pub mod bench_all;
pub mod check;
pub mod compare;
pub mod export;
pub mod kernels;
pub mod list;
pub mod report;
pub mod run;

use ratebench_core::{Error, Result};
use ratebench_harness::environment::{manifest, merge_manifest, RunSettings};
use ratebench_harness::results::{read_manifest, write_manifest};
use std::path::Path;

/// Parses `name=value`.
pub fn parse_set(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("expected name=value, got '{s}'")),
    }
}

/// Reads and parses a TOML config file.
pub fn read_config(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(path, format!("cannot read config ({e})")))?;
    text.parse::<toml::Table>()
        .map_err(|e| Error::file(path, format!("malformed TOML: {}", e.message())))
}

/// Fails early (before any work) if `dir` cannot be written.
pub fn ensure_writable(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::file(
            dir,
            format!("cannot create output directory ({e}); choose a writable --out"),
        )
    })?;
    let probe = dir.join(".ratebench-write-test");
    std::fs::write(&probe, b"").map_err(|e| {
        Error::file(
            dir,
            format!("output directory is not writable ({e}); choose a writable --out"),
        )
    })?;
    std::fs::remove_file(&probe).ok();
    Ok(())
}

/// Writes the manifest of this command, merged with what the directory already holds.
pub fn write_session_manifest(
    out: &Path,
    settings: &RunSettings,
    skipped: Vec<String>,
) -> Result<()> {
    let new = manifest(
        std::env::args().collect(),
        settings,
        crate::families::catalogue(),
        skipped,
    );
    write_manifest(out, &merge_manifest(new, read_manifest(out)?))
}

/// Number of worker threads: `--jobs`, else all cores.
pub fn jobs(requested: Option<usize>) -> usize {
    requested
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}
