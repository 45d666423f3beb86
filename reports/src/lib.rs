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
mod markdown;
mod tables;

use data::{aggregate, Results, Sample, SUITE_PREFIX};
use figures::{color, Band, Curve, Plot, Style};
use ratebench_core::Result;
use ratebench_harness::results::{write_atomic, Manifest, SeriesStyle, Verdict};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tables::{metric_description, outcome_title, slug, tol_rows, TolRow};

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

    let algorithms = results.suite_algorithms();
    let mut suites = Vec::new();
    for s in results.suites() {
        let name = s
            .group
            .strip_prefix(SUITE_PREFIX)
            .unwrap_or(&s.group)
            .to_string();
        let mut cases = Vec::new();
        for c in &s.cases {
            let metrics = c.metrics();
            let metric = metrics.join(" / ");
            let y_label = metrics
                .iter()
                .map(|m| metric_description(m))
                .collect::<Vec<_>>()
                .join(" / ");
            let mut iter_plot = Plot {
                title: format!("{name} · {} — {metric} vs iteration", c.case),
                x_label: "iteration".into(),
                y_label,
                log_x: false,
                log_y: true,
                bands: Vec::new(),
                curves: Vec::new(),
            };
            let mut time_plot = Plot {
                title: format!("{name} · {} — {metric} vs step time", c.case),
                x_label: "step time (s)".into(),
                ..iter_plot.clone()
            };
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
                let iter_x: Vec<f64> = agg.iter().map(|p| p.iter as f64).collect();
                // Cumulative time cannot decrease, but the median over the runs still going can
                // dip when a slow run stops; a running maximum keeps the curve from folding back.
                let time_x: Vec<f64> = agg
                    .iter()
                    .scan(f64::NEG_INFINITY, |m, p| {
                        if p.time_s.is_finite() {
                            *m = m.max(p.time_s);
                        }
                        Some(if m.is_finite() { *m } else { p.time_s })
                    })
                    .collect();
                for (plot, xs) in [(&mut iter_plot, &iter_x), (&mut time_plot, &time_x)] {
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
            let mut figs = Vec::new();
            if !iter_plot.curves.is_empty() {
                let base = format!("suite-{}-{}", slug(&name, true), slug(&c.case, true));
                for (plot, kind) in [(iter_plot, "iter"), (time_plot, "time")] {
                    let file = namer.unique(format!("{base}-{kind}"));
                    figure_files.extend(figures::render(&plot, &fig_dir, &file)?);
                    figures += 1;
                    figs.push(FigRef {
                        path: format!("figures/{file}"),
                        title: plot.title,
                    });
                }
            }
            cases.push(CaseView {
                case: c.case.clone(),
                metric,
                figures: figs,
            });
        }
        let rows = tol_rows(&s.cases);
        suites.push(SuiteView {
            name,
            group: s.group.clone(),
            cases,
            rows,
        });
    }

    let photos = PHOTOS
        .iter()
        .filter(|p| results.uses_photo(p.data_file))
        .copied()
        .collect();
    let report = Report {
        results_dir: results_dir.display().to_string(),
        empty: results.is_empty(),
        n_runs: results.runs.len(),
        manifest: results.manifest.as_ref(),
        claims,
        suites,
        photos,
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

pub(crate) struct SuiteView {
    /// Suite name without the `suite:` prefix.
    pub name: String,
    pub group: String,
    pub cases: Vec<CaseView>,
    pub rows: Vec<TolRow>,
}

/// A bundled photo whose licence (CC BY 2.0) requires attribution.
#[derive(Clone, Copy)]
pub(crate) struct Photo {
    /// Name as it appears in instance specs.
    pub data_file: &'static str,
    pub photo: &'static str,
    pub author: &'static str,
}

const PHOTOS: [Photo; 2] = [
    Photo {
        data_file: "china_gray",
        photo: "china.jpg",
        author: "danielbuechele",
    },
    Photo {
        data_file: "flower_gray",
        photo: "flower.jpg",
        author: "vultilion",
    },
];

pub(crate) const CC_BY_2: &str = "https://creativecommons.org/licenses/by/2.0/";

/// Everything a page shows, shared by the HTML and Markdown writers.
pub(crate) struct Report<'a> {
    pub results_dir: String,
    pub empty: bool,
    pub n_runs: usize,
    pub manifest: Option<&'a Manifest>,
    pub claims: Vec<ClaimView<'a>>,
    pub suites: Vec<SuiteView>,
    pub photos: Vec<Photo>,
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
