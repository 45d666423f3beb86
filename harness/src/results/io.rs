//! Reading and writing the result files.

use super::types::{ArtifactEntry, HitRecord, Manifest, RunRecord, TracePoint, Verdict};
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `manifest.json`.
pub fn manifest_path(dir: &Path) -> PathBuf {
    dir.join("manifest.json")
}
/// `runs.csv`.
pub fn runs_path(dir: &Path) -> PathBuf {
    dir.join("runs.csv")
}
/// `traces.csv`.
pub fn traces_path(dir: &Path) -> PathBuf {
    dir.join("traces.csv")
}
/// `hits.csv`.
pub fn hits_path(dir: &Path) -> PathBuf {
    dir.join("hits.csv")
}
/// `claims.json`.
pub fn claims_path(dir: &Path) -> PathBuf {
    dir.join("claims.json")
}
/// `artifacts.json` (the matrices themselves are in `artifacts/`).
pub fn artifacts_path(dir: &Path) -> PathBuf {
    dir.join("artifacts.json")
}

/// Writes `bytes` to `path` atomically (temporary sibling + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::file(
            dir,
            format!("cannot create output directory ({e}); choose a writable --out"),
        )
    })?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    std::fs::write(&tmp, bytes)
        .map_err(|e| Error::file(&tmp, format!("cannot write ({e}); choose a writable --out")))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::file(path, format!("cannot replace ({e})")))
}

/// CSV text of `rows`, with a header line (also when empty, so pandas sees the columns).
pub fn csv_bytes<T: Serialize>(rows: &[T], header: &[&str]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(header)
        .map_err(|e| Error::numerical("csv", e))?;
    for r in rows {
        w.serialize(r).map_err(|e| Error::numerical("csv", e))?;
    }
    w.into_inner().map_err(|e| Error::numerical("csv", e))
}

/// CSV lines of `rows` without a header (for appending).
pub fn csv_rows<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| Error::numerical("csv", e))?;
    }
    w.into_inner().map_err(|e| Error::numerical("csv", e))
}

/// Column names of the CSV files, in file order.
pub const RUNS_HEADER: [&str; 18] = [
    "run_id",
    "group",
    "case",
    "family",
    "spec",
    "algorithm",
    "seed",
    "status",
    "iters",
    "work",
    "init_s",
    "time_s",
    "calib_s",
    "primary_metric",
    "final_value",
    "parallel",
    "threads",
    "message",
];
/// See [`RUNS_HEADER`].
pub const TRACES_HEADER: [&str; 6] = ["run_id", "iter", "work", "time_s", "metric", "value"];
/// See [`RUNS_HEADER`].
pub const HITS_HEADER: [&str; 6] = ["run_id", "metric", "tol", "iters", "work", "time_s"];

/// Reads a CSV file written by ratebench. A final line without its newline (a write cut
/// short by a kill) is ignored; any other malformed row is an error naming the file.
pub fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(path, format!("cannot read ({e})")))?;
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    let mut r = csv::Reader::from_reader(complete.as_bytes());
    r.deserialize()
        .map(|row| row.map_err(|e| Error::file(path, format!("malformed row ({e})"))))
        .collect()
}

/// Reads `runs.csv` (empty if absent).
pub fn read_runs(dir: &Path) -> Result<Vec<RunRecord>> {
    read_csv(&runs_path(dir))
}

/// Reads `traces.csv` (empty if absent).
pub fn read_traces(dir: &Path) -> Result<Vec<TracePoint>> {
    read_csv(&traces_path(dir))
}

/// Reads `hits.csv` (empty if absent).
pub fn read_hits(dir: &Path) -> Result<Vec<HitRecord>> {
    read_csv(&hits_path(dir))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, what: &str) -> Result<Option<T>> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, e))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::file(path, format!("malformed {what} ({e})")))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let json = serde_json::to_vec_pretty(value).map_err(|e| Error::numerical("json", e))?;
    write_atomic(path, &json)
}

/// Reads `claims.json` (empty if absent).
pub fn read_claims(dir: &Path) -> Result<Vec<Verdict>> {
    Ok(read_json(&claims_path(dir), "claims file")?.unwrap_or_default())
}

/// Writes `claims.json`.
pub fn write_claims(dir: &Path, verdicts: &[Verdict]) -> Result<()> {
    write_json(&claims_path(dir), &verdicts)
}

/// Reads `manifest.json`, if present.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    read_json(&manifest_path(dir), "manifest")
}

/// Writes `manifest.json`.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    write_json(&manifest_path(dir), manifest)
}

/// Reads `artifacts.json` (empty if absent).
pub fn read_artifacts(dir: &Path) -> Result<Vec<ArtifactEntry>> {
    Ok(read_json(&artifacts_path(dir), "artifact list")?.unwrap_or_default())
}

/// Writes `artifacts.json`.
pub fn write_artifacts(dir: &Path, entries: &[ArtifactEntry]) -> Result<()> {
    write_json(&artifacts_path(dir), &entries)
}
