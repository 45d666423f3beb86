//! An output directory being written by one command: rows are appended as runs finish,
//! other commands' results are kept, and `--resume` skips what is already complete.
//!
//! A session owns a set of *groups* (claim ids, `suite:<name>`). Opening it reads the
//! directory, keeps every complete run of other groups (and, when resuming, of its own),
//! drops rows of runs that never finished (a `runs.csv` row is written last, so a run without
//! one was interrupted), and rewrites the files. Each finished run is then appended —
//! traces, hits and artifacts first, its `runs.csv` row last, each flushed — so a kill
//! loses at most the runs in flight. [`Session::finish`] rewrites the files in canonical
//! order, so the final files do not depend on `--jobs`, on completion order or on how
//! often the sweep was resumed.

use super::io::{
    csv_bytes, csv_rows, hits_path, read_artifacts, read_claims, read_hits, read_runs, read_traces,
    runs_path, traces_path, write_artifacts, write_atomic, write_claims, HITS_HEADER, RUNS_HEADER,
    TRACES_HEADER,
};
use super::types::{ArtifactEntry, HitRecord, RunRecord, RunResult, TracePoint, Verdict};
use ratebench_core::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The rows of one complete run.
#[derive(Clone, Debug, Default)]
struct Bundle {
    record: Option<RunRecord>,
    traces: Vec<TracePoint>,
    hits: Vec<HitRecord>,
    artifacts: Vec<ArtifactEntry>,
}

/// Append-only handles on the three CSV files.
struct Appenders {
    runs: std::fs::File,
    traces: std::fs::File,
    hits: std::fs::File,
}

/// An output directory being written.
pub struct Session {
    dir: PathBuf,
    groups: HashSet<String>,
    /// Complete runs, by id: other groups' and (when resuming) this session's.
    bundles: HashMap<String, Bundle>,
    /// Run ids of other groups, in file order.
    others: Vec<String>,
    /// Run ids recorded by this session (or resumed), for the final order.
    mine: HashSet<String>,
    verdicts: Vec<Verdict>,
    appenders: Appenders,
}

fn append(file: &mut std::fs::File, bytes: &[u8], path: &Path) -> Result<()> {
    file.write_all(bytes)
        .and_then(|_| file.flush())
        .map_err(|e| Error::file(path, format!("cannot append ({e})")))
}

fn open_append(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| Error::file(path, format!("cannot open for appending ({e})")))
}

impl Session {
    /// Opens `dir` for a command producing `groups`. With `resume`, complete runs of these
    /// groups are kept (see [`Session::completed`]); without it they are replaced.
    pub fn open(dir: &Path, groups: &[String], resume: bool) -> Result<Self> {
        let groups: HashSet<String> = groups.iter().cloned().collect();
        let mut bundles: HashMap<String, Bundle> = HashMap::new();
        let mut others = Vec::new();
        let mut mine = HashSet::new();
        let mut resumed = Vec::new();
        for r in read_runs(dir)? {
            // An errored run is retried on resume: it may have failed for a passing reason.
            let own = groups.contains(&r.group);
            if own && !(resume && r.status != "error") {
                continue;
            }
            if own {
                mine.insert(r.run_id.clone());
                resumed.push(r.run_id.clone());
            } else {
                others.push(r.run_id.clone());
            }
            let id = r.run_id.clone();
            bundles.entry(id).or_default().record = Some(r);
        }
        for t in read_traces(dir)? {
            if let Some(b) = bundles.get_mut(&t.run_id) {
                b.traces.push(t);
            }
        }
        for h in read_hits(dir)? {
            if let Some(b) = bundles.get_mut(&h.run_id) {
                b.hits.push(h);
            }
        }
        for a in read_artifacts(dir)? {
            if let Some(b) = bundles.get_mut(&a.run_id) {
                b.artifacts.push(a);
            }
        }
        let verdicts = read_claims(dir)?;
        let mut order = others.clone();
        order.extend(resumed);
        write_all(dir, &bundles, &order)?;
        let appenders = Appenders {
            runs: open_append(&runs_path(dir))?,
            traces: open_append(&traces_path(dir))?,
            hits: open_append(&hits_path(dir))?,
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            groups,
            bundles,
            others,
            mine,
            verdicts,
            appenders,
        })
    }

    /// True when a run with this id and spec finished in an earlier session (resume).
    pub fn completed(&self, run_id: &str, spec: &str) -> bool {
        self.mine.contains(run_id)
            && self.bundles[run_id]
                .record
                .as_ref()
                .is_some_and(|r| r.spec == spec)
    }

    /// The record of a run kept from an earlier session.
    pub fn kept(&self, run_id: &str) -> Option<&RunRecord> {
        self.bundles.get(run_id).and_then(|b| b.record.as_ref())
    }

    /// The verdicts already in the directory.
    pub fn verdicts(&self) -> &[Verdict] {
        &self.verdicts
    }

    /// Appends one finished run: traces, hits and artifacts first, the `runs.csv` row last.
    pub fn record(&mut self, result: &RunResult) -> Result<()> {
        let r = &result.record;
        if !self.groups.contains(&r.group) {
            return Err(Error::numerical(
                "results",
                format!("run {} is not of this session's groups", r.run_id),
            ));
        }
        let traces = trace_points(result);
        let artifacts = self.write_artifact_files(result)?;
        append(
            &mut self.appenders.traces,
            &csv_rows(&traces)?,
            &traces_path(&self.dir),
        )?;
        append(
            &mut self.appenders.hits,
            &csv_rows(&result.hits)?,
            &hits_path(&self.dir),
        )?;
        let bundle = Bundle {
            record: Some(r.clone()),
            traces,
            hits: result.hits.clone(),
            artifacts,
        };
        self.bundles.insert(r.run_id.clone(), bundle);
        self.mine.insert(r.run_id.clone());
        write_artifacts(&self.dir, &self.artifact_list())?;
        append(
            &mut self.appenders.runs,
            &csv_rows(std::slice::from_ref(r))?,
            &runs_path(&self.dir),
        )
    }

    /// Writes a run's artifact matrices to `artifacts/` and returns their entries.
    fn write_artifact_files(&self, result: &RunResult) -> Result<Vec<ArtifactEntry>> {
        let mut out = Vec::new();
        for (i, a) in result.artifacts.iter().enumerate() {
            let file = format!("artifacts/{}-{i}.npy", file_slug(&result.record.run_id));
            ratebench_core::npy::write_npy_matrix(&self.dir.join(&file), a.matrix.as_ref())?;
            out.push(ArtifactEntry {
                run_id: result.record.run_id.clone(),
                panel: a.panel.clone(),
                label: a.label.clone(),
                attribution: a.attribution.clone(),
                file,
            });
        }
        Ok(out)
    }

    fn artifact_list(&self) -> Vec<ArtifactEntry> {
        let mut ids: Vec<&String> = self.bundles.keys().collect();
        ids.sort();
        ids.into_iter()
            .flat_map(|id| self.bundles[id].artifacts.iter().cloned())
            .collect()
    }

    /// Adds or replaces a verdict (same id and control flag) and rewrites `claims.json`.
    pub fn set_verdict(&mut self, v: Verdict) -> Result<()> {
        match self
            .verdicts
            .iter_mut()
            .find(|o| o.id == v.id && o.negative_control == v.negative_control)
        {
            Some(slot) => *slot = v,
            None => self.verdicts.push(v),
        }
        write_claims(&self.dir, &self.verdicts)
    }

    /// Rewrites every file in canonical order: other groups' runs as they were, then this
    /// session's runs in `order` (run ids of this session not listed are dropped).
    pub fn finish(self, order: &[String]) -> Result<()> {
        let mut ids = self.others.clone();
        ids.extend(order.iter().filter(|id| self.mine.contains(*id)).cloned());
        write_all(&self.dir, &self.bundles, &ids)?;
        let listed: HashSet<&String> = ids.iter().collect();
        let artifacts: Vec<ArtifactEntry> = self
            .artifact_list()
            .into_iter()
            .filter(|a| listed.contains(&a.run_id))
            .collect();
        write_artifacts(&self.dir, &artifacts)
    }
}

/// A run id as a file name (`/` and other separators replaced).
fn file_slug(run_id: &str) -> String {
    run_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes runs, traces and hits of the listed runs (in order) atomically.
fn write_all(dir: &Path, bundles: &HashMap<String, Bundle>, ids: &[String]) -> Result<()> {
    let listed: Vec<&Bundle> = ids.iter().filter_map(|id| bundles.get(id)).collect();
    let runs: Vec<&RunRecord> = listed.iter().filter_map(|b| b.record.as_ref()).collect();
    let traces: Vec<&TracePoint> = listed.iter().flat_map(|b| &b.traces).collect();
    let hits: Vec<&HitRecord> = listed.iter().flat_map(|b| &b.hits).collect();
    write_atomic(&traces_path(dir), &csv_bytes(&traces, &TRACES_HEADER)?)?;
    write_atomic(&hits_path(dir), &csv_bytes(&hits, &HITS_HEADER)?)?;
    write_atomic(&runs_path(dir), &csv_bytes(&runs, &RUNS_HEADER)?)
}

/// The long-format rows of a run's trace.
pub fn trace_points(result: &RunResult) -> Vec<TracePoint> {
    let mut out = Vec::new();
    for row in &result.trace.rows {
        for (name, &value) in result.trace.metric_names.iter().zip(&row.values) {
            out.push(TracePoint {
                run_id: result.record.run_id.clone(),
                iter: row.iter,
                work: row.work,
                time_s: row.time_s,
                metric: name.clone(),
                value,
            });
        }
    }
    out
}

/// Verdicts of claims checked in an earlier session with the same parameters and seed
/// (what `bench-all --resume` skips).
pub fn same_verdict<'a>(
    verdicts: &'a [Verdict],
    id: &str,
    params: &serde_json::Value,
    seed: u64,
    negative_control: bool,
) -> Option<&'a Verdict> {
    verdicts.iter().find(|v| {
        v.id == id
            && &v.params == params
            && v.seed == seed
            && v.negative_control == negative_control
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(group: &str, id: &str, status: &str) -> RunRecord {
        RunRecord {
            run_id: id.into(),
            group: group.into(),
            case: "c".into(),
            family: "f".into(),
            spec: "{}".into(),
            algorithm: "a".into(),
            seed: 0,
            status: status.into(),
            iters: 3,
            work: 3,
            init_s: 0.0,
            time_s: 0.1,
            calib_s: 1e-3,
            primary_metric: "err".into(),
            final_value: 1e-3,
            parallel: false,
            threads: 1,
            message: String::new(),
        }
    }

    fn result(group: &str, id: &str, status: &str) -> RunResult {
        let trace = ratebench_core::Trace {
            solver: "a".into(),
            metric_names: vec!["err".into()],
            rows: vec![ratebench_core::TraceRow {
                iter: 0,
                work: 0,
                time_s: 0.0,
                values: vec![1.0],
            }],
            stop: ratebench_core::StopReason::MaxIter,
            iters: 3,
            work: 3,
            init_s: 0.0,
            time_s: 0.1,
            message: None,
        };
        RunResult {
            record: record(group, id, status),
            trace,
            hits: vec![HitRecord {
                run_id: id.into(),
                metric: "err".into(),
                tol: 1e-3,
                iters: None,
                work: None,
                time_s: None,
            }],
            artifacts: vec![],
        }
    }

    #[test]
    fn headers_match_the_serialized_fields() {
        let r = result("g", "g/c/a/s0", "max_iter");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&r.record).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), RUNS_HEADER.join(","));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&trace_points(&r)[0]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), TRACES_HEADER.join(","));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&r.hits[0]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), HITS_HEADER.join(","));
    }

    #[test]
    fn sessions_keep_other_groups_and_resume_their_own() {
        let dir = std::env::temp_dir().join(format!("ratebench-store-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).unwrap();
        let mut a = Session::open(&dir, &["A".into()], false).unwrap();
        a.record(&result("A", "A/1", "converged")).unwrap();
        a.finish(&["A/1".into()]).unwrap();
        let mut b = Session::open(&dir, &["B".into()], false).unwrap();
        b.record(&result("B", "B/1", "converged")).unwrap();
        b.record(&result("B", "B/2", "error")).unwrap();
        // Killed here: a partial line at the end of runs.csv and an orphan trace row.
        drop(b);
        std::fs::OpenOptions::new()
            .append(true)
            .open(runs_path(&dir))
            .unwrap()
            .write_all(b"B/3,B,c,f")
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(traces_path(&dir))
            .unwrap()
            .write_all(b"B/3,0,0,0,err,1\n")
            .unwrap();
        let b = Session::open(&dir, &["B".into()], true).unwrap();
        assert!(b.completed("B/1", "{}") && !b.completed("B/1", "{\"x\":1}"));
        assert!(!b.completed("B/2", "{}"), "errored runs are retried");
        assert!(!b.completed("B/3", "{}"), "interrupted runs are redone");
        b.finish(&["B/1".into()]).unwrap();
        let ids: Vec<String> = read_runs(&dir)
            .unwrap()
            .into_iter()
            .map(|r| r.run_id)
            .collect();
        assert_eq!(ids, vec!["A/1", "B/1"]);
        assert!(read_traces(&dir).unwrap().iter().all(|t| t.run_id != "B/3"));
        assert_eq!(read_hits(&dir).unwrap().len(), 2);
        std::fs::remove_dir_all(&dir).ok();
    }
}
