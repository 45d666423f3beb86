//! Result files: the stable, pandas-readable record of a run (DESIGN.md "Files a run writes").
//!
//! ```text
//! <out>/manifest.json   provenance: command line, git commit, rustc, CPU, threads, seeds
//! <out>/runs.csv        one row per run (RunRecord)
//! <out>/traces.csv      long format: run_id, iter, time_s, metric, value
//! <out>/claims.json     verdicts (Vec<Verdict>) with measurements, CIs, criteria and figures
//! ```
//! Every file is written to a temporary sibling and renamed, so a reader never sees a
//! partial file and an interrupted run leaves the previous complete files in place.

use ratebench_core::{Error, Result, Trace};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Tolerances for which every run records hitting iteration and time (`*_1e-3` columns).
pub const STANDARD_TOLERANCES: [f64; 3] = [1e-3, 1e-6, 1e-10];

/// One row of `runs.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique within an output directory, e.g. `LR-1/k=6,kappa=10/scaledgd-lambda/s0`.
    pub run_id: String,
    /// The claim id or `suite:<name>`.
    pub group: String,
    /// The instance/case label (runs with the same group and case are comparable).
    pub case: String,
    /// Problem family, e.g. `lowrank`.
    pub problem: String,
    /// The instance spec (JSON).
    pub spec: String,
    /// Solver name.
    pub algorithm: String,
    /// Repetition index (seed offset).
    pub seed: u64,
    /// Stop reason (`converged`, `max_iter`, `diverged`, …).
    pub status: String,
    /// Iterations performed.
    pub iters: u64,
    /// Cumulative step time in seconds (metric evaluation excluded).
    pub time_s: f64,
    /// Seconds of one run of the calibration kernel in the same process (for `compare`).
    pub calib_s: f64,
    /// The metric the tolerances refer to.
    pub primary_metric: String,
    /// Last recorded value of the primary metric.
    pub final_value: f64,
    /// First iteration with primary < 1e-3 (empty if never).
    #[serde(rename = "iters_to_1e-3")]
    pub iters_to_1e3: Option<u64>,
    #[serde(rename = "time_to_1e-3")]
    pub time_to_1e3: Option<f64>,
    #[serde(rename = "iters_to_1e-6")]
    pub iters_to_1e6: Option<u64>,
    #[serde(rename = "time_to_1e-6")]
    pub time_to_1e6: Option<f64>,
    #[serde(rename = "iters_to_1e-10")]
    pub iters_to_1e10: Option<u64>,
    #[serde(rename = "time_to_1e-10")]
    pub time_to_1e10: Option<f64>,
    /// Error message for `status == error`.
    pub message: String,
}

/// Everything one run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub record: RunRecord,
    pub trace: Trace,
}

impl RunRecord {
    /// Builds the summary row of a trace.
    #[allow(clippy::too_many_arguments)]
    pub fn from_trace(
        run_id: String,
        group: &str,
        case: &str,
        problem: &str,
        spec: String,
        seed: u64,
        primary: &str,
        calib_s: f64,
        trace: &Trace,
    ) -> Self {
        let hit = |eps: f64| trace.hitting(primary, eps);
        let [h3, h6, h10] = STANDARD_TOLERANCES.map(hit);
        RunRecord {
            run_id,
            group: group.to_string(),
            case: case.to_string(),
            problem: problem.to_string(),
            spec,
            algorithm: trace.solver.clone(),
            seed,
            status: trace.stop.as_str().to_string(),
            iters: trace.iters,
            time_s: trace.time_s,
            calib_s,
            primary_metric: primary.to_string(),
            final_value: trace.last(primary).unwrap_or(f64::NAN),
            iters_to_1e3: h3.map(|h| h.0),
            time_to_1e3: h3.map(|h| h.1),
            iters_to_1e6: h6.map(|h| h.0),
            time_to_1e6: h6.map(|h| h.1),
            iters_to_1e10: h10.map(|h| h.0),
            time_to_1e10: h10.map(|h| h.1),
            message: trace.message.clone().unwrap_or_default(),
        }
    }
}

/// One row of `traces.csv` (long format).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    pub run_id: String,
    pub iter: u64,
    pub time_s: f64,
    pub metric: String,
    pub value: f64,
}

/// Claim outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// The claim could not be evaluated (e.g. a run errored).
    Error,
    /// Measurements only, no pass criterion (exploratory claims).
    Exploratory,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Exploratory => "exploratory",
        }
    }
}

/// JSON has no NaN/∞: serde_json writes them as `null`. These read `null` back as NaN so
/// that a claims file with a never-reached hitting time or a diverged curve round-trips.
mod lenient {
    use serde::{Deserialize, Deserializer};

    fn nan(v: Option<f64>) -> f64 {
        v.unwrap_or(f64::NAN)
    }

    pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Option::<f64>::deserialize(d).map(nan)
    }

    pub fn pair<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(f64, f64)>, D::Error> {
        Ok(Option::<(Option<f64>, Option<f64>)>::deserialize(d)?.map(|(a, b)| (nan(a), nan(b))))
    }

    pub fn points<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, f64)>, D::Error> {
        Ok(Vec::<(Option<f64>, Option<f64>)>::deserialize(d)?
            .into_iter()
            .map(|(a, b)| (nan(a), nan(b)))
            .collect())
    }
}

/// One measured quantity of a claim and its criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub name: String,
    #[serde(deserialize_with = "lenient::f64")]
    pub value: f64,
    /// 95% confidence interval, where a fit is involved.
    #[serde(default, deserialize_with = "lenient::pair")]
    pub ci: Option<(f64, f64)>,
    /// Human-readable criterion, e.g. `|ρ̂ − 0.5| < 0.03`.
    pub criterion: String,
    /// `None` for reported-only values.
    pub ok: Option<bool>,
    /// The catalogue's reference value, when it gives one.
    pub reference: Option<f64>,
}

/// How a figure series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStyle {
    Line,
    /// Fitted or predicted law drawn over the data.
    Dashed,
    Points,
}

/// One curve of a figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub label: String,
    pub style: SeriesStyle,
    #[serde(deserialize_with = "lenient::points")]
    pub points: Vec<(f64, f64)>,
}

/// A figure description; `ratebench-reports` renders it (SVG and PNG).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    pub series: Vec<Series>,
}

/// The verdict of one claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub id: String,
    pub title: String,
    pub source: String,
    pub statement: String,
    /// The parameters the claim ran with (after `--set` overrides).
    pub params: serde_json::Value,
    pub measurements: Vec<Measurement>,
    pub outcome: Outcome,
    /// Why the outcome is `error`, or notes.
    pub message: String,
    /// `run_id`s of the runs used (their traces are in `traces.csv`).
    pub runs: Vec<String>,
    pub figure: Option<Figure>,
    /// Wall time of the whole claim check.
    #[serde(deserialize_with = "lenient::f64")]
    pub wall_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_with_nan_round_trip() {
        let v = Verdict {
            id: "X-1".into(),
            title: "t".into(),
            source: "s".into(),
            statement: "st".into(),
            params: serde_json::json!({}),
            measurements: vec![Measurement {
                name: "T".into(),
                value: f64::NAN,
                ci: Some((f64::NAN, 1.0)),
                criterion: "< 1".into(),
                ok: Some(false),
                reference: Some(f64::NAN),
            }],
            outcome: Outcome::Fail,
            message: String::new(),
            runs: vec![],
            figure: Some(Figure {
                title: "f".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                log_x: false,
                log_y: true,
                series: vec![Series {
                    label: "a".into(),
                    style: SeriesStyle::Line,
                    points: vec![(1.0, f64::INFINITY)],
                }],
            }),
            wall_s: 0.5,
        };
        let dir = std::env::temp_dir().join(format!("ratebench-nan-{}", std::process::id()));
        write_claims(&dir, &[v]).unwrap();
        let back = read_claims(&dir).unwrap();
        assert!(back[0].measurements[0].value.is_nan());
        assert_eq!(back[0].measurements[0].ci.map(|c| c.1), Some(1.0));
        assert_eq!(back[0].measurements[0].reference, None);
        assert!(back[0].figure.as_ref().unwrap().series[0].points[0]
            .1
            .is_nan());
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// Provenance of an output directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub ratebench_version: String,
    pub command: Vec<String>,
    pub started_utc: String,
    pub git_commit: String,
    pub git_dirty: bool,
    pub rustc: String,
    pub profile: String,
    pub cpu: String,
    pub threads_per_run: usize,
    pub jobs: usize,
    pub base_seed: u64,
    pub crates: Vec<(String, String)>,
    /// Seconds of one run of the calibration kernel (a fixed 256×256 GEMM).
    pub calib_s: f64,
}

/// Paths of the result files inside an output directory.
pub fn manifest_path(dir: &Path) -> PathBuf {
    dir.join("manifest.json")
}
pub fn runs_path(dir: &Path) -> PathBuf {
    dir.join("runs.csv")
}
pub fn traces_path(dir: &Path) -> PathBuf {
    dir.join("traces.csv")
}
pub fn claims_path(dir: &Path) -> PathBuf {
    dir.join("claims.json")
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
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|s| s.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, bytes)
        .map_err(|e| Error::file(&tmp, format!("cannot write ({e}); choose a writable --out")))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::file(path, format!("cannot replace ({e})")))
}

fn csv_bytes<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| Error::numerical("csv", e))?;
    }
    w.into_inner().map_err(|e| Error::numerical("csv", e))
}

/// The long-format rows of a set of traces.
pub fn trace_points(results: &[RunResult]) -> Vec<TracePoint> {
    let mut out = Vec::new();
    for r in results {
        for row in &r.trace.rows {
            for (name, &value) in r.trace.metric_names.iter().zip(&row.values) {
                out.push(TracePoint {
                    run_id: r.record.run_id.clone(),
                    iter: row.iter,
                    time_s: row.time_s,
                    metric: name.clone(),
                    value,
                });
            }
        }
    }
    out
}

/// Writes `runs.csv` and `traces.csv`.
pub fn write_runs(dir: &Path, results: &[RunResult]) -> Result<()> {
    let records: Vec<&RunRecord> = results.iter().map(|r| &r.record).collect();
    write_atomic(&traces_path(dir), &csv_bytes(&trace_points(results))?)?;
    write_atomic(&runs_path(dir), &csv_bytes(&records)?)
}

/// Writes `claims.json`.
pub fn write_claims(dir: &Path, verdicts: &[Verdict]) -> Result<()> {
    let json = serde_json::to_vec_pretty(verdicts).map_err(|e| Error::numerical("json", e))?;
    write_atomic(&claims_path(dir), &json)
}

/// Writes `manifest.json`.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| Error::numerical("json", e))?;
    write_atomic(&manifest_path(dir), &json)
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::file(path, format!("cannot open ({e})")))?;
    r.deserialize()
        .map(|row| row.map_err(|e| Error::file(path, format!("malformed row ({e})"))))
        .collect()
}

/// Reads `runs.csv` (empty if absent).
pub fn read_runs(dir: &Path) -> Result<Vec<RunRecord>> {
    let p = runs_path(dir);
    if p.exists() {
        read_csv(&p)
    } else {
        Ok(Vec::new())
    }
}

/// Reads `traces.csv` (empty if absent).
pub fn read_traces(dir: &Path) -> Result<Vec<TracePoint>> {
    let p = traces_path(dir);
    if p.exists() {
        read_csv(&p)
    } else {
        Ok(Vec::new())
    }
}

/// Reads `claims.json` (empty if absent).
pub fn read_claims(dir: &Path) -> Result<Vec<Verdict>> {
    let p = claims_path(dir);
    if !p.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(&p).map_err(|e| Error::file(&p, e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::file(&p, format!("malformed claims file ({e})")))
}

/// Reads `manifest.json`, if present.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let p = manifest_path(dir);
    if !p.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&p).map_err(|e| Error::file(&p, e))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::file(&p, format!("malformed manifest ({e})")))
}
