//! The rows and documents of the result files.

use ratebench_core::Trace;
use serde::{Deserialize, Serialize};

/// One row of `runs.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique within an output directory: `group/case/algorithm/s<seed>`.
    pub run_id: String,
    /// The claim id or `suite:<name>`.
    pub group: String,
    /// The instance/case label (runs with the same group and case are comparable).
    pub case: String,
    /// The family that made the run (`factored`, `ot`, …).
    pub family: String,
    /// The instance and solver spec (JSON).
    pub spec: String,
    /// Solver name.
    pub algorithm: String,
    /// Repetition index (seed offset).
    pub seed: u64,
    /// Stop reason (`converged`, `max_iter`, `diverged`, …).
    pub status: String,
    /// Iterations performed.
    pub iters: u64,
    /// Work units performed (the algorithm's unit; iterations unless it says otherwise).
    pub work: u64,
    /// Seconds spent in the solver's `init` (spectral or SVD initialization included).
    pub init_s: f64,
    /// Cumulative step time in seconds (init and metric evaluation excluded).
    pub time_s: f64,
    /// Seconds of one run of the calibration kernel in the same process (for `compare`).
    pub calib_s: f64,
    /// The metric the stop rule and divergence refer to.
    pub primary_metric: String,
    /// Last recorded value of the primary metric.
    pub final_value: f64,
    /// True when other runs shared the machine while this one was timed (`--jobs` > 1).
    pub parallel: bool,
    /// Threads inside the run (`--threads-per-run`).
    pub threads: usize,
    /// Error message for `status == error`.
    pub message: String,
}

/// One row of `hits.csv`: the first sample at which `metric < tol`; empty `iters`, `work`
/// and `time_s` when the run never got there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitRecord {
    pub run_id: String,
    pub metric: String,
    pub tol: f64,
    pub iters: Option<u64>,
    pub work: Option<u64>,
    /// `init_s` plus the step time up to that sample.
    pub time_s: Option<f64>,
}

/// One row of `traces.csv` (long format).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    pub run_id: String,
    pub iter: u64,
    pub work: u64,
    /// `init_s` plus the cumulative step time.
    pub time_s: f64,
    pub metric: String,
    pub value: f64,
}

/// A matrix a run produced for the report (e.g. a reconstructed image), written to
/// `artifacts/<file>.npy` and listed in `artifacts.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct Artifact {
    /// Artifacts with the same panel are shown side by side, e.g. `china_gray,r=20`.
    pub panel: String,
    /// Caption of this image within the panel, e.g. `BCD + momentum (rel. err 0.071)`.
    pub label: String,
    /// Attribution the data's licence requires, if any.
    pub attribution: Option<String>,
    pub matrix: faer::Mat<f64>,
}

/// An artifact as listed in `artifacts.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactEntry {
    pub run_id: String,
    pub panel: String,
    pub label: String,
    pub attribution: Option<String>,
    /// Path relative to the results directory.
    pub file: String,
}

/// Everything one run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub record: RunRecord,
    pub trace: Trace,
    pub hits: Vec<HitRecord>,
    pub artifacts: Vec<Artifact>,
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
    /// The family the claim belongs to.
    #[serde(default)]
    pub family: String,
    pub title: String,
    pub source: String,
    pub statement: String,
    /// The parameters the claim ran with (after `--set` overrides).
    pub params: serde_json::Value,
    /// The base seed of the check.
    #[serde(default)]
    pub seed: u64,
    /// True when this verdict is the claim's registered negative control.
    #[serde(default)]
    pub negative_control: bool,
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

/// One metric a family records: its catalogue entry (written into `manifest.json`, so
/// reports and `compare` never hard-code a family's metric).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricInfo {
    pub name: String,
    /// What it is, with its formula, e.g. `relative error ‖XXᵀ−M⋆‖_F/‖M⋆‖_F`.
    pub formula: String,
    /// Unit (`1` for dimensionless).
    pub unit: String,
    pub lower_is_better: bool,
    /// Tolerances whose hitting iterations, work and times go to `hits.csv`.
    pub tolerances: Vec<f64>,
}

/// One family's catalogue in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyCatalogue {
    pub family: String,
    pub metrics: Vec<MetricInfo>,
    /// `(algorithm, work unit)` pairs.
    pub work_units: Vec<(String, String)>,
}

/// Provenance of an output directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub ratebench_version: String,
    pub command: Vec<String>,
    /// Earlier commands whose results the directory still holds (oldest first).
    #[serde(default)]
    pub earlier_commands: Vec<Vec<String>>,
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
    /// The memory limit instances were checked against (GiB).
    #[serde(default)]
    pub memory_limit_gib: f64,
    /// The metric catalogue of every family whose results the directory holds.
    #[serde(default)]
    pub catalogue: Vec<FamilyCatalogue>,
    /// Suite cases skipped (e.g. a missing data file), with the reason.
    #[serde(default)]
    pub skipped: Vec<String>,
}

impl Manifest {
    /// The catalogue entry of a family's metric (families may share metric names).
    pub fn metric(&self, family: &str, name: &str) -> Option<&MetricInfo> {
        self.catalogue
            .iter()
            .filter(|c| c.family == family)
            .flat_map(|c| &c.metrics)
            .find(|m| m.name == name)
    }

    /// The work unit of a family's algorithm, if the family declared one.
    pub fn work_unit(&self, family: &str, algorithm: &str) -> Option<&str> {
        self.catalogue
            .iter()
            .filter(|c| c.family == family)
            .flat_map(|c| &c.work_units)
            .find(|(a, _)| a == algorithm)
            .map(|(_, u)| u.as_str())
    }
}
