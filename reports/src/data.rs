//! Loading result files and aggregating suite runs over seeds.

use ratebench_core::Result;
use ratebench_harness::results::{
    read_artifacts, read_claims, read_hits, read_manifest, read_runs, read_traces, ArtifactEntry,
    HitRecord, Manifest, RunRecord, Verdict,
};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Group prefix of benchmark-suite runs.
pub(crate) const SUITE_PREFIX: &str = "suite:";

/// Everything read from one results directory.
pub(crate) struct Results {
    pub manifest: Option<Manifest>,
    pub runs: Vec<RunRecord>,
    pub verdicts: Vec<Verdict>,
    /// Primary-metric samples per `run_id`, sorted by iteration.
    pub traces: HashMap<String, Vec<Sample>>,
    /// Hitting rows per `run_id`.
    pub hits: HashMap<String, Vec<HitRecord>>,
    pub artifacts: Vec<ArtifactEntry>,
}

/// One sample of a run's primary metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sample {
    pub iter: u64,
    pub work: u64,
    /// Initialization plus step time.
    pub time_s: f64,
    pub value: f64,
}

impl Results {
    pub fn load(dir: &Path) -> Result<Self> {
        let manifest = read_manifest(dir)?;
        let runs = read_runs(dir)?;
        let verdicts = read_claims(dir)?;
        let primary: HashMap<&str, &str> = runs
            .iter()
            .map(|r| (r.run_id.as_str(), r.primary_metric.as_str()))
            .collect();
        let mut traces: HashMap<String, Vec<Sample>> = HashMap::new();
        // traces.csv is long format with every metric; only the primary one is plotted.
        for p in read_traces(dir)? {
            if primary.get(p.run_id.as_str()) == Some(&p.metric.as_str()) {
                traces.entry(p.run_id).or_default().push(Sample {
                    iter: p.iter,
                    work: p.work,
                    time_s: p.time_s,
                    value: p.value,
                });
            }
        }
        for samples in traces.values_mut() {
            samples.sort_by_key(|s| s.iter);
            // A repeated iteration (e.g. a resumed run) keeps its latest record.
            let mut dedup: Vec<Sample> = Vec::with_capacity(samples.len());
            for s in samples.drain(..) {
                match dedup.last_mut() {
                    Some(last) if last.iter == s.iter => *last = s,
                    _ => dedup.push(s),
                }
            }
            *samples = dedup;
        }
        let mut hits: HashMap<String, Vec<HitRecord>> = HashMap::new();
        for h in read_hits(dir)? {
            hits.entry(h.run_id.clone()).or_default().push(h);
        }
        Ok(Results {
            manifest,
            runs,
            verdicts,
            traces,
            hits,
            artifacts: read_artifacts(dir)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.manifest.is_none() && self.runs.is_empty() && self.verdicts.is_empty()
    }

    /// Suite groups in sorted order, each with its cases and algorithms in first-seen order
    /// (the harness writes them in grid order, which is more meaningful than alphabetical).
    pub fn suites(&self) -> Vec<SuiteRuns<'_>> {
        let mut groups: Vec<&str> = self
            .runs
            .iter()
            .map(|r| r.group.as_str())
            .filter(|g| g.starts_with(SUITE_PREFIX))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
            .into_iter()
            .map(|group| {
                let runs: Vec<&RunRecord> = self.runs.iter().filter(|r| r.group == group).collect();
                let mut cases: Vec<CaseRuns<'_>> = Vec::new();
                for r in &runs {
                    let found = cases
                        .iter_mut()
                        .position(|c| c.case == r.case && c.family == r.family);
                    let case = match found {
                        Some(i) => &mut cases[i],
                        None => {
                            cases.push(CaseRuns {
                                family: r.family.clone(),
                                case: r.case.clone(),
                                algorithms: Vec::new(),
                            });
                            cases.last_mut().expect("just pushed")
                        }
                    };
                    match case.algorithms.iter_mut().find(|a| a.0 == r.algorithm) {
                        Some(a) => a.1.push(r),
                        None => case.algorithms.push((r.algorithm.clone(), vec![r])),
                    }
                }
                for c in &mut cases {
                    for a in &mut c.algorithms {
                        a.1.sort_by_key(|r| r.seed);
                    }
                }
                SuiteRuns {
                    group: group.to_string(),
                    cases,
                }
            })
            .collect()
    }

    /// All algorithms of all suites in first-seen order, so that an algorithm keeps its colour
    /// across every suite figure.
    pub fn suite_algorithms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self
            .runs
            .iter()
            .filter(|r| r.group.starts_with(SUITE_PREFIX))
        {
            if !out.contains(&r.algorithm) {
                out.push(r.algorithm.clone());
            }
        }
        out
    }

    /// The attributions that data licences require (an `attribution` key in a run's spec,
    /// or an artifact's), each once.
    pub fn attributions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let from_specs = self.runs.iter().filter_map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.spec)
                .ok()?
                .get("attribution")?
                .as_str()
                .map(str::to_string)
        });
        let from_artifacts = self.artifacts.iter().filter_map(|a| a.attribution.clone());
        for a in from_specs.chain(from_artifacts) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }
}

/// The runs of one suite group.
pub(crate) struct SuiteRuns<'a> {
    /// Full group name, `suite:<name>`.
    pub group: String,
    pub cases: Vec<CaseRuns<'a>>,
}

/// The runs of one case of a suite, per algorithm (sorted by seed).
#[derive(Clone)]
pub(crate) struct CaseRuns<'a> {
    pub family: String,
    pub case: String,
    pub algorithms: Vec<(String, Vec<&'a RunRecord>)>,
}

impl CaseRuns<'_> {
    /// Primary metric names used in this case, first-seen order (normally exactly one).
    pub fn metrics(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in self.algorithms.iter().flat_map(|a| &a.1) {
            if !out.contains(&r.primary_metric.as_str()) {
                out.push(&r.primary_metric);
            }
        }
        out
    }

    /// True when some run counts work in units other than iterations.
    pub fn has_work(&self, traces: &HashMap<String, Vec<Sample>>) -> bool {
        self.algorithms
            .iter()
            .flat_map(|a| &a.1)
            .filter_map(|r| traces.get(&r.run_id))
            .flatten()
            .any(|s| s.work != s.iter)
    }
}

/// The seed aggregate at one iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AggPoint {
    pub iter: u64,
    /// Median over the active runs of the time (init + steps) at this iteration.
    pub time_s: f64,
    /// Median over the active runs of the cumulative work at this iteration.
    pub work: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Number of runs contributing.
    pub n: usize,
}

/// Orders values for the median with NaN as +∞: a NaN error means the run blew up, so it
/// ranks as the worst value rather than poisoning the statistic.
fn sorted_key(mut v: Vec<f64>) -> Vec<f64> {
    for x in &mut v {
        if x.is_nan() {
            *x = f64::INFINITY;
        }
    }
    v.sort_by(f64::total_cmp);
    v
}

/// Median of an even count: the geometric mean of the middle pair when both are positive and
/// finite (errors are compared on a log scale), the arithmetic mean otherwise.
fn median(v: Vec<f64>, geometric: bool) -> f64 {
    let v = sorted_key(v);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        return v[n / 2];
    }
    let (a, b) = (v[n / 2 - 1], v[n / 2]);
    if geometric && a > 0.0 && b.is_finite() {
        (a * b).sqrt()
    } else {
        0.5 * (a + b)
    }
}

/// Median and min–max over seeds at common iterations.
///
/// The x grid is the union of the runs' sampled iterations. At iteration `t` a run contributes
/// only while it is still active (`t` ≤ its last sample); between two of its samples it
/// contributes its latest sample (sample-and-hold), which only matters when the runs' sampling
/// schedules differ. Runs that stopped early — converged below the target or diverged — drop
/// out rather than having their last value carried forward: carrying a diverged run's ∞
/// would saturate the band for the rest of the plot, and carrying a converged run's tolerance
/// value would invent iterations that were never run. The median is thus "among the runs
/// still going", which the figure caption states.
pub(crate) fn aggregate(series: &[&[Sample]]) -> Vec<AggPoint> {
    let grid: BTreeSet<u64> = series
        .iter()
        .flat_map(|s| s.iter().map(|p| p.iter))
        .collect();
    let mut out = Vec::with_capacity(grid.len());
    for t in grid {
        let mut values = Vec::new();
        let mut times = Vec::new();
        let mut works = Vec::new();
        for s in series {
            let (Some(first), Some(last)) = (s.first(), s.last()) else {
                continue;
            };
            if t < first.iter || t > last.iter {
                continue;
            }
            let k = s.partition_point(|p| p.iter <= t) - 1;
            values.push(s[k].value);
            times.push(s[k].time_s);
            works.push(s[k].work as f64);
        }
        if values.is_empty() {
            continue;
        }
        let sorted = sorted_key(values.clone());
        out.push(AggPoint {
            iter: t,
            time_s: median(times, false),
            work: median(works, false),
            median: median(values, true),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            n: sorted.len(),
        });
    }
    out
}

/// Median of a set of observations (`None` if empty).
pub(crate) fn median_of(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| median(v.to_vec(), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(vals: &[(u64, f64)]) -> Vec<Sample> {
        vals.iter()
            .map(|&(iter, value)| Sample {
                iter,
                work: iter,
                time_s: iter as f64 * 0.1,
                value,
            })
            .collect()
    }

    #[test]
    fn median_over_active_runs() {
        let a = run(&[(0, 1.0), (1, 0.5), (2, 0.25), (3, 0.125)]);
        let b = run(&[(0, 1.0), (1, 0.4), (2, 0.2)]);
        let c = run(&[(0, 1.0), (1, f64::NAN)]);
        let agg = aggregate(&[&a, &b, &c]);
        assert_eq!(agg.len(), 4);
        assert_eq!(agg[1].median, 0.5);
        assert_eq!(agg[1].max, f64::INFINITY);
        assert_eq!(agg[1].n, 3);
        // Only a and b at iteration 2: geometric mean of the middle pair.
        assert!((agg[2].median - (0.25f64 * 0.2).sqrt()).abs() < 1e-15);
        assert_eq!(agg[3].n, 1);
        assert_eq!(agg[3].median, 0.125);
        assert!((agg[3].time_s - 0.3).abs() < 1e-12);
    }

    #[test]
    fn mismatched_schedules_hold_the_latest_sample() {
        let a = run(&[(0, 1.0), (2, 0.5), (4, 0.25)]);
        let b = run(&[(0, 1.0), (1, 0.8), (2, 0.6), (3, 0.4), (4, 0.2)]);
        let agg = aggregate(&[&a, &b]);
        let at3 = agg.iter().find(|p| p.iter == 3).unwrap();
        assert_eq!((at3.min, at3.max), (0.4, 0.5));
    }
}
