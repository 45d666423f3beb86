//! # ratebench-reports
//!
//! Turns a results directory (`manifest.json`, `runs.csv`, `traces.csv`, `claims.json`, see
//! [`ratebench_harness::results`]) into a report that needs nothing but a browser or a
//! Markdown viewer:
//!
//! ```text
//! <out>/index.html                 self-contained page (inline CSS, no scripts, relative images)
//! <out>/summary.md                 the same content in Markdown
//! <out>/figures/claim-<ID>.svg|png                   the figure of every verdict that has one
//! <out>/figures/suite-<suite>-<case>-iter.svg|png    primary metric vs iteration
//! <out>/figures/suite-<suite>-<case>-time.svg|png    primary metric vs cumulative step time
//! ```
//!
//! Suite figures show, per algorithm, the median over seeds as a line and the min–max over
//! seeds as a translucent band; each suite also gets a time-to-tolerance table. The reports
//! crate only reads result files — it never runs a solver.
//!
//! ```no_run
//! use std::path::Path;
//! let summary = ratebench_reports::render_report(Path::new("results"), Path::new("results/report"))?;
//! println!("{} figures, open {}", summary.figures, summary.index_html.display());
//! # Ok::<(), ratebench_core::Error>(())
//! ```

#![warn(missing_docs)]

mod data;
mod figures;
mod html;
mod images;
mod markdown;
mod tables;

use data::{aggregate, AggPoint, CaseRuns, Results, Sample, SUITE_PREFIX};
use figures::{color, Band, Curve, Plot, Style};
use ratebench_core::Result;
use ratebench_harness::results::{write_atomic, ArtifactEntry, Manifest, SeriesStyle, Verdict};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tables::{metric_description, outcome_title, slug, tol_tables, TolTable};

/// What [`render_report`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSummary {
    /// Number of figures; each figure is written as an SVG and a PNG.
    pub figures: usize,
    /// Every figure file written (SVG and PNG), in page order.
    pub figure_files: Vec<PathBuf>,
    /// The HTML page.
    pub index_html: PathBuf,
    /// The Markdown page.
    pub summary_md: PathBuf,
}

/// Reads the result files in `results_dir` and writes `index.html`, `summary.md` and
/// `figures/` into `out_dir` (created if needed; existing report files are replaced).
///
/// Missing result files count as empty, so an empty directory yields a page saying that no
/// results were found. A malformed file yields the reader's one-line error naming it.
pub fn render_report(results_dir: &Path, out_dir: &Path) -> Result<ReportSummary> {
    let results = Results::load(results_dir)?;
    let fig_dir = out_dir.join("figures");
    let mut namer = Namer::default();
    let mut figure_files = Vec::new();
    let mut figures = 0;

    let mut claims = Vec::new();
    for v in &results.verdicts {
        let figure = match &v.figure {
            Some(f) => {
                let name = namer.unique(format!("claim-{}", slug(&v.id, false)));
                let plot = claim_plot(v, f);
                figure_files.extend(figures::render(&plot, &fig_dir, &name)?);
                figures += 1;
                Some(FigRef {
                    path: format!("figures/{name}"),
                    title: plot.title,
                })
            }
            None => None,
        };
        claims.push(ClaimView { verdict: v, figure });
    }

    let suites = suite_views(
        &results,
        &fig_dir,
        &mut namer,
        &mut figure_files,
        &mut figures,
    )?;
    let mut panels = Vec::new();
    for (panel, entries) in artifact_panels(&results.artifacts) {
        let name = namer.unique(format!("image-{}", slug(&panel, true)));
        let file = images::render_panel(results_dir, &entries, &panel, &fig_dir, &name)?;
        figure_files.push(file);
        figures += 1;
        panels.push(PanelView {
            title: panel,
            path: format!("figures/{name}.png"),
            attributions: entries.iter().filter_map(|e| e.attribution.clone()).fold(
                Vec::new(),
                |mut v, a| {
                    if !v.contains(&a) {
                        v.push(a);
                    }
                    v
                },
            ),
        });
    }
    let report = Report {
        results_dir: results_dir.display().to_string(),
        empty: results.is_empty(),
        n_runs: results.runs.len(),
        manifest: results.manifest.as_ref(),
        claims,
        suites,
        panels,
        attributions: results.attributions(),
    };

    let index_html = out_dir.join("index.html");
    let summary_md = out_dir.join("summary.md");
    write_atomic(&index_html, html::page(&report).as_bytes())?;
    write_atomic(&summary_md, markdown::page(&report).as_bytes())?;
    Ok(ReportSummary {
        figures,
        figure_files,
        index_html,
        summary_md,
    })
}

/// Gives every figure a distinct file name even when two ids or cases slug alike.
#[derive(Default)]
struct Namer {
    used: HashSet<String>,
}

impl Namer {
    fn unique(&mut self, base: String) -> String {
        let mut name = base.clone();
        let mut k = 2;
        while !self.used.insert(name.clone()) {
            name = format!("{base}-{k}");
            k += 1;
        }
        name
    }
}

/// A claim's figure, titled with its id and outcome so that a figure copied out of the
/// report still says what it shows.
fn claim_plot(v: &Verdict, f: &ratebench_harness::results::Figure) -> Plot {
    let base = if f.title.trim().is_empty() {
        v.title.as_str()
    } else {
        f.title.as_str()
    };
    // Figure titles may already start with the id; don't repeat it.
    let base = base
        .strip_prefix(v.id.as_str())
        .map(|s| s.trim_start_matches([' ', ':', '—', '-']))
        .unwrap_or(base);
    Plot {
        title: format!("{} — {}: {}", v.id, outcome_title(v.outcome), base),
        x_label: f.x_label.clone(),
        y_label: f.y_label.clone(),
        log_x: f.log_x,
        log_y: f.log_y,
        bands: Vec::new(),
        curves: f
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| Curve {
                label: s.label.clone(),
                style: match s.style {
                    SeriesStyle::Line => Style::Line,
                    SeriesStyle::Dashed => Style::Dashed,
                    SeriesStyle::Points => Style::Points,
                },
                color: color(i),
                points: s.points.clone(),
            })
            .collect(),
    }
}

/// A figure as the pages reference it.
pub(crate) struct FigRef {
    /// Relative path without extension, e.g. `figures/claim-LR-1`.
    pub path: String,
    pub title: String,
}

pub(crate) struct ClaimView<'a> {
    pub verdict: &'a Verdict,
    pub figure: Option<FigRef>,
}

pub(crate) struct CaseView {
    pub case: String,
    pub metric: String,
    pub figures: Vec<FigRef>,
}

/// One family's cases within a suite.
pub(crate) struct SectionView {
    pub family: String,
    pub cases: Vec<CaseView>,
    pub tables: Vec<TolTable>,
}

pub(crate) struct SuiteView {
    /// Suite name without the `suite:` prefix.
    pub name: String,
    pub group: String,
    pub sections: Vec<SectionView>,
}

/// Images a run produced (e.g. a reconstructed photo next to a baseline), shown side by side.
pub(crate) struct PanelView {
    pub title: String,
    /// Relative path of the PNG.
    pub path: String,
    pub attributions: Vec<String>,
}

/// Everything a page shows, shared by the HTML and Markdown writers.
pub(crate) struct Report<'a> {
    pub results_dir: String,
    pub empty: bool,
    pub n_runs: usize,
    pub manifest: Option<&'a Manifest>,
    pub claims: Vec<ClaimView<'a>>,
    pub suites: Vec<SuiteView>,
    pub panels: Vec<PanelView>,
    /// Attributions the data's licences require.
    pub attributions: Vec<String>,
}

/// Artifacts grouped by panel, panels in first-seen order.
fn artifact_panels(entries: &[ArtifactEntry]) -> Vec<(String, Vec<ArtifactEntry>)> {
    let mut out: Vec<(String, Vec<ArtifactEntry>)> = Vec::new();
    for e in entries {
        match out.iter_mut().find(|(p, _)| *p == e.panel) {
            Some((_, v)) => v.push(e.clone()),
            None => out.push((e.panel.clone(), vec![e.clone()])),
        }
    }
    out
}

/// The x axes of suite figures: iterations, work (when it differs), time.
#[derive(Clone, Copy, PartialEq)]
enum Axis {
    Iteration,
    Work,
    Time,
}

impl Axis {
    fn x(self, p: &AggPoint) -> f64 {
        match self {
            Axis::Iteration => p.iter as f64,
            Axis::Work => p.work,
            Axis::Time => p.time_s,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Axis::Iteration => "iter",
            Axis::Work => "work",
            Axis::Time => "time",
        }
    }
}

/// The work unit of a case's algorithms, from the manifest's catalogue.
fn work_label(c: &CaseRuns<'_>, manifest: Option<&Manifest>) -> String {
    let mut units: Vec<String> = Vec::new();
    for (alg, _) in &c.algorithms {
        let u = manifest
            .and_then(|m| m.work_unit(&c.family, alg))
            .unwrap_or("work unit")
            .to_string();
        if !units.contains(&u) {
            units.push(u);
        }
    }
    format!("work ({})", units.join(" / "))
}

/// The figures of one case: primary metric vs iteration, work (if counted) and time.
fn case_figures(
    results: &Results,
    suite: &str,
    c: &CaseRuns<'_>,
    algorithms: &[String],
    out: &mut FigureSink<'_>,
) -> Result<CaseView> {
    let metrics = c.metrics();
    let metric = metrics.join(" / ");
    let manifest = results.manifest.as_ref();
    let y_label = metrics
        .iter()
        .map(|m| metric_description(&c.family, m, manifest))
        .collect::<Vec<_>>()
        .join(" / ");
    let mut axes = vec![(Axis::Iteration, "iteration".to_string())];
    if c.has_work(&results.traces) {
        axes.push((Axis::Work, work_label(c, manifest)));
    }
    axes.push((Axis::Time, "time (s, initialization + steps)".to_string()));
    let mut plots: Vec<(Axis, Plot)> = axes
        .into_iter()
        .map(|(axis, x_label)| {
            let what = match axis {
                Axis::Iteration => "iteration",
                Axis::Work => "work",
                Axis::Time => "time",
            };
            let plot = Plot {
                title: format!("{suite} · {} — {metric} vs {what}", c.case),
                x_label,
                y_label: y_label.clone(),
                log_x: false,
                log_y: true,
                bands: Vec::new(),
                curves: Vec::new(),
            };
            (axis, plot)
        })
        .collect();
    let mut levels = Vec::new();
    for (alg, runs) in &c.algorithms {
        let series: Vec<&[Sample]> = runs
            .iter()
            .filter_map(|r| results.traces.get(&r.run_id).map(Vec::as_slice))
            .filter(|s| !s.is_empty())
            .collect();
        if series.is_empty() {
            continue;
        }
        let agg = aggregate(&series);
        let col = color(algorithms.iter().position(|a| a == alg).unwrap_or(0));
        let label = format!("{alg} ({})", count(series.len(), "seed"));
        if let Some(v) = constant(&agg) {
            // A reference that does not move (e.g. a truncated SVD's error) is a level,
            // drawn across each axis once every other curve is in.
            levels.push((label, col, v));
            continue;
        }
        for (axis, plot) in &mut plots {
            // The median time or work over the runs still going can dip when a slow run
            // stops; a running maximum keeps the curve from folding back.
            let xs: Vec<f64> = agg
                .iter()
                .scan(f64::NEG_INFINITY, |m, p| {
                    let x = axis.x(p);
                    if x.is_finite() {
                        *m = m.max(x);
                    }
                    Some(if m.is_finite() { *m } else { x })
                })
                .collect();
            plot.bands.push(Band {
                color: col,
                upper: xs.iter().zip(&agg).map(|(&x, p)| (x, p.max)).collect(),
                lower: xs.iter().zip(&agg).map(|(&x, p)| (x, p.min)).collect(),
            });
            plot.curves.push(Curve {
                label: label.clone(),
                style: Style::Line,
                color: col,
                points: xs.iter().zip(&agg).map(|(&x, p)| (x, p.median)).collect(),
            });
        }
    }
    for (_, plot) in &mut plots {
        add_levels(plot, &levels);
    }
    let mut figs = Vec::new();
    if plots.iter().any(|(_, p)| !p.curves.is_empty()) {
        let base = format!(
            "suite-{}-{}-{}",
            slug(suite, true),
            slug(&c.family, true),
            slug(&c.case, true)
        );
        for (axis, plot) in plots {
            figs.push(out.render(&plot, format!("{base}-{}", axis.kind()))?);
        }
    }
    Ok(CaseView {
        case: c.case.clone(),
        metric,
        figures: figs,
    })
}

/// The value of an aggregate that never changes (every seed, every sample), if so.
fn constant(agg: &[AggPoint]) -> Option<f64> {
    let v = agg.first()?.median;
    let flat = agg.len() > 1
        && v.is_finite()
        && agg
            .iter()
            .all(|p| p.median == v && p.min == v && p.max == v);
    flat.then_some(v)
}

/// Constant runs as dashed horizontal lines over the x range of the other curves.
fn add_levels(plot: &mut Plot, levels: &[(String, plotters::style::RGBColor, f64)]) {
    let xs = plot
        .curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite() && (!plot.log_x || *x > 0.0));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
    for (label, color, v) in levels {
        plot.curves.push(Curve {
            label: label.clone(),
            style: Style::Dashed,
            color: *color,
            points: vec![(lo, *v), (hi, *v)],
        });
    }
}

/// Where figures go, with unique names.
struct FigureSink<'a> {
    dir: &'a Path,
    namer: &'a mut Namer,
    files: &'a mut Vec<PathBuf>,
    count: &'a mut usize,
}

impl FigureSink<'_> {
    fn render(&mut self, plot: &Plot, base: String) -> Result<FigRef> {
        let file = self.namer.unique(base);
        self.files.extend(figures::render(plot, self.dir, &file)?);
        *self.count += 1;
        Ok(FigRef {
            path: format!("figures/{file}"),
            title: plot.title.clone(),
        })
    }
}

/// Every suite group, its family sections, figures and time-to-tolerance tables.
fn suite_views(
    results: &Results,
    fig_dir: &Path,
    namer: &mut Namer,
    files: &mut Vec<PathBuf>,
    count: &mut usize,
) -> Result<Vec<SuiteView>> {
    let algorithms = results.suite_algorithms();
    let mut sink = FigureSink {
        dir: fig_dir,
        namer,
        files,
        count,
    };
    let mut out = Vec::new();
    for s in results.suites() {
        let name = s
            .group
            .strip_prefix(SUITE_PREFIX)
            .unwrap_or(&s.group)
            .to_string();
        let mut families: Vec<String> = Vec::new();
        for c in &s.cases {
            if !families.contains(&c.family) {
                families.push(c.family.clone());
            }
        }
        let mut sections = Vec::new();
        for family in families {
            let cases: Vec<&CaseRuns<'_>> = s.cases.iter().filter(|c| c.family == family).collect();
            let mut views = Vec::new();
            for c in &cases {
                views.push(case_figures(results, &name, c, &algorithms, &mut sink)?);
            }
            let with_work = cases.iter().any(|c| c.has_work(&results.traces));
            let owned: Vec<CaseRuns<'_>> = cases.iter().map(|c| (*c).clone()).collect();
            sections.push(SectionView {
                family,
                cases: views,
                tables: tol_tables(&owned, &results.hits, with_work),
            });
        }
        out.push(SuiteView {
            name,
            group: s.group.clone(),
            sections,
        });
    }
    Ok(out)
}

/// `"1 suite"`, `"3 suites"`.
pub(crate) fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The command line as one would type it (arguments with spaces quoted).
pub(crate) fn command_line(m: &Manifest) -> String {
    m.command
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', '"', '\'']) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Provenance rows `(field, value)` shown in both page headers.
pub(crate) fn provenance(m: &Manifest) -> Vec<(&'static str, String)> {
    vec![
        (
            "git commit",
            format!(
                "{}{}",
                m.git_commit,
                if m.git_dirty {
                    " (dirty: uncommitted changes)"
                } else {
                    " (clean)"
                }
            ),
        ),
        ("ratebench", m.ratebench_version.clone()),
        ("rustc", m.rustc.clone()),
        ("profile", m.profile.clone()),
        ("CPU", m.cpu.clone()),
        (
            "threads per run / jobs",
            format!("{} / {}", m.threads_per_run, m.jobs),
        ),
        ("base seed", m.base_seed.to_string()),
        (
            "calibration kernel",
            format!("{} ms", tables::fmt_num(m.calib_s * 1e3)),
        ),
        ("command", command_line(m)),
        ("started (UTC)", m.started_utc.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(iter: u64, v: f64) -> AggPoint {
        AggPoint {
            iter,
            time_s: iter as f64,
            work: iter as f64,
            median: v,
            min: v,
            max: v,
            n: 1,
        }
    }

    #[test]
    fn constant_runs_become_levels_across_the_axis() {
        assert_eq!(constant(&[point(0, 0.3), point(5, 0.3)]), Some(0.3));
        assert_eq!(constant(&[point(0, 0.3), point(5, 0.2)]), None);
        let mut plot = Plot {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: true,
            bands: vec![],
            curves: vec![Curve {
                label: "bcd".into(),
                style: Style::Line,
                color: color(0),
                points: vec![(0.0, 1.0), (10.0, 1e-3)],
            }],
        };
        add_levels(&mut plot, &[("tsvd".into(), color(1), 0.3)]);
        assert_eq!(plot.curves[1].points, vec![(0.0, 0.3), (10.0, 0.3)]);
        assert_eq!(plot.curves[1].style, Style::Dashed);
    }
}
