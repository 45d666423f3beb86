//! End-to-end: synthetic result files in, report files out.

use ratebench_core::{StopReason, Trace, TraceRow};
use ratebench_harness::results::{
    write_claims, write_manifest, FamilyCatalogue, Figure, HitRecord, Manifest, Measurement,
    MetricInfo, Outcome, RunRecord, RunResult, Series, SeriesStyle, Session, Verdict,
};
use ratebench_reports::render_report;
use std::path::Path;

const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A run whose primary metric decays geometrically by `rate` (other metrics are present so
/// that the report has to pick the primary one out of the long-format traces).
fn run(
    case: &str,
    spec: &str,
    alg: &str,
    seed: u64,
    rate: f64,
    stop_at: f64,
    every: u64,
) -> RunResult {
    let mut rows = Vec::new();
    let mut t = 0u64;
    let mut stop = StopReason::MaxIter;
    loop {
        let e = (1.0 + 0.1 * seed as f64) * rate.powi(t as i32);
        rows.push(TraceRow {
            iter: t,
            work: t,
            time_s: t as f64 * 2e-4 * (1.0 + 0.05 * seed as f64),
            values: vec![e, 0.01],
        });
        if e < stop_at {
            stop = StopReason::Converged;
            break;
        }
        if t >= 400 {
            break;
        }
        t += every;
    }
    trace_run(case, spec, alg, seed, rows, stop)
}

fn trace_run(
    case: &str,
    spec: &str,
    alg: &str,
    seed: u64,
    rows: Vec<TraceRow>,
    stop: StopReason,
) -> RunResult {
    let last = rows.last().cloned();
    let trace = Trace {
        solver: alg.to_string(),
        metric_names: vec!["rel_err".into(), "imbalance".into()],
        iters: last.as_ref().map_or(0, |r| r.iter),
        work: last.as_ref().map_or(0, |r| r.work),
        init_s: 0.0,
        time_s: last.as_ref().map_or(0.0, |r| r.time_s),
        rows,
        stop,
        message: None,
    };
    let run_id = format!("suite:quick/{case}/{alg}/s{seed}");
    let hits = [1e-3, 1e-6, 1e-10]
        .iter()
        .map(|&tol| {
            let row = trace.hitting("rel_err", tol);
            HitRecord {
                run_id: run_id.clone(),
                metric: "rel_err".into(),
                tol,
                iters: row.map(|r| r.iter),
                work: row.map(|r| r.work),
                time_s: row.map(|r| r.time_s),
            }
        })
        .collect();
    let record = RunRecord {
        run_id,
        group: "suite:quick".into(),
        case: case.into(),
        family: "factored".into(),
        spec: spec.to_string(),
        algorithm: alg.into(),
        seed,
        status: trace.stop.as_str().into(),
        iters: trace.iters,
        work: trace.work,
        init_s: 0.0,
        time_s: trace.time_s,
        calib_s: 1e-3,
        primary_metric: "rel_err".into(),
        final_value: trace.last("rel_err").unwrap_or(f64::NAN),
        parallel: false,
        threads: 1,
        message: String::new(),
    };
    RunResult {
        record,
        trace,
        hits,
        artifacts: vec![],
    }
}

fn write_runs(dir: &Path, runs: &[RunResult]) {
    let mut session = Session::open(dir, &["suite:quick".to_string()], false).unwrap();
    for r in runs {
        session.record(r).unwrap();
    }
    let order: Vec<String> = runs.iter().map(|r| r.record.run_id.clone()).collect();
    session.finish(&order).unwrap();
}

fn verdict(id: &str, outcome: Outcome, figure: Option<Figure>) -> Verdict {
    Verdict {
        id: id.into(),
        family: "factored".into(),
        seed: 0,
        negative_control: false,
        title: format!("claim {id} <with markup & quotes>"),
        source: "Tong, Ma, Chi (2021), Thm. 1".into(),
        statement: "the rate is κ-independent".into(),
        params: serde_json::json!({"kappa": [10, 100]}),
        measurements: vec![
            Measurement {
                name: "rho_hat".into(),
                value: 0.5012,
                ci: Some((0.49, 0.51)),
                criterion: "|ρ̂ − 0.5| < 0.03".into(),
                ok: Some(outcome == Outcome::Pass),
                reference: Some(0.5),
            },
            Measurement {
                name: "r2".into(),
                value: 0.999,
                ci: None,
                criterion: String::new(),
                ok: None,
                reference: None,
            },
        ],
        outcome,
        message: String::new(),
        runs: vec![],
        figure,
        wall_s: 1.25,
    }
}

fn synthetic(dir: &Path) {
    let mut runs = Vec::new();
    let case_a = "k=6,kappa=10,eta=0.5";
    let spec_a = r#"{"kind":"generated","k":6,"kappa":10}"#;
    for seed in 0..3 {
        runs.push(run(case_a, spec_a, "gd", seed, 0.9, 1e-10, 5));
        runs.push(run(case_a, spec_a, "scaledgd", seed, 0.5, 1e-10, 1));
    }
    let case_b = "china, k=20";
    let spec_b = r#"{"kind":"file","path":"../shared/data/china_gray.npy","k":20,"attribution":"Photo by danielbuechele on Flickr, CC BY 2.0, as shipped by scikit-learn"}"#;
    for seed in 0..3 {
        runs.push(run(case_b, spec_b, "scaledgd", seed, 0.7, 1e-7, 2));
    }
    // Diverges: growing error, then inf and NaN.
    let mut rows: Vec<TraceRow> = (0..6)
        .map(|t| TraceRow {
            iter: t,
            work: t,
            time_s: t as f64 * 1e-4,
            values: vec![10f64.powi(t as i32), 0.0],
        })
        .collect();
    rows.push(TraceRow {
        iter: 6,
        work: 6,
        time_s: 6e-4,
        values: vec![f64::INFINITY, f64::NAN],
    });
    rows.push(TraceRow {
        iter: 7,
        work: 7,
        time_s: 7e-4,
        values: vec![f64::NAN, f64::NAN],
    });
    runs.push(trace_run(
        case_b,
        spec_b,
        "gd",
        0,
        rows,
        StopReason::Diverged,
    ));
    for seed in 1..3 {
        runs.push(run(case_b, spec_b, "gd", seed, 0.95, 1e-7, 4));
    }
    write_runs(dir, &runs);

    let fig = Figure {
        title: "ScaledGD(λ) rate is κ-independent".into(),
        x_label: "iteration t".into(),
        y_label: "‖XXᵀ−M⋆‖_F / ‖M⋆‖_F".into(),
        log_x: false,
        log_y: true,
        series: vec![
            Series {
                label: "κ=10".into(),
                style: SeriesStyle::Line,
                points: (0..40).map(|t| (t as f64, 0.5f64.powi(t))).collect(),
            },
            Series {
                label: "κ=100".into(),
                style: SeriesStyle::Points,
                points: (0..40)
                    .map(|t| (t as f64, 0.52f64.powi(t)))
                    .chain([(41.0, 0.0), (42.0, -1.0)])
                    .collect(),
            },
            Series {
                label: "fit ρ̂ = 0.50".into(),
                style: SeriesStyle::Dashed,
                points: vec![(0.0, 1.0), (40.0, 0.5f64.powi(40))],
            },
        ],
    };
    let loglog = Figure {
        title: "LR-9: iterations vs κ".into(),
        x_label: "condition number κ".into(),
        y_label: "iterations to 1e-6".into(),
        log_x: true,
        log_y: true,
        series: vec![Series {
            label: "T(ε)".into(),
            style: SeriesStyle::Points,
            points: vec![(1.0, 10.0), (10.0, 30.0), (0.0, 5.0)],
        }],
    };
    write_claims(
        dir,
        &[
            verdict("LR-1", Outcome::Pass, Some(fig)),
            verdict("LR-2", Outcome::Fail, None),
            verdict("LR-9", Outcome::Exploratory, Some(loglog)),
        ],
    )
    .unwrap();

    write_manifest(
        dir,
        &Manifest {
            ratebench_version: "0.1.0".into(),
            command: vec![
                "ratebench".into(),
                "run".into(),
                "quick".into(),
                "--out".into(),
                "my results".into(),
            ],
            started_utc: "2025-01-02T03:04:05Z".into(),
            git_commit: "0123456789abcdef0123456789abcdef01234567".into(),
            git_dirty: true,
            rustc: "rustc 1.89.0".into(),
            profile: "release".into(),
            cpu: "Test CPU @ 3 GHz".into(),
            threads_per_run: 1,
            jobs: 2,
            base_seed: 42,
            crates: vec![("faer".into(), "0.24.4".into())],
            calib_s: 1.5e-3,
            earlier_commands: vec![],
            memory_limit_gib: 8.0,
            catalogue: vec![FamilyCatalogue {
                family: "factored".into(),
                metrics: vec![MetricInfo {
                    name: "rel_err".into(),
                    formula: "relative error ‖XXᵀ−M⋆‖_F / ‖M⋆‖_F".into(),
                    unit: "1".into(),
                    lower_is_better: true,
                    tolerances: vec![1e-3, 1e-6, 1e-10],
                }],
                work_units: vec![("gd".into(), "iteration".into())],
            }],
            skipped: vec![],
        },
    )
    .unwrap();
}

/// plotters writes each SVG text on its own line inside `<text>`.
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>")) || svg.contains(&format!(">{text}</text>"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn renders_every_figure_and_both_pages() {
    let tmp = tempfile::tempdir().unwrap();
    // Set REPORTS_TEST_OUT=<dir> to keep the rendered report for looking at the figures.
    let base = std::env::var_os("REPORTS_TEST_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().into());
    let results = base.join("results");
    let out = base.join("report");
    synthetic(&results);

    let summary = render_report(&results, &out).unwrap();
    // 2 claim figures + 2 cases × (iter, time).
    assert_eq!(summary.figures, 6);
    assert_eq!(summary.figure_files.len(), 12);

    let stems = [
        "claim-LR-1",
        "claim-LR-9",
        "suite-quick-factored-k-6-kappa-10-eta-0.5-iter",
        "suite-quick-factored-k-6-kappa-10-eta-0.5-time",
        "suite-quick-factored-china-k-20-iter",
        "suite-quick-factored-china-k-20-time",
    ];
    let html = read(&summary.index_html);
    let md = read(&summary.summary_md);
    for stem in stems {
        let svg = out.join("figures").join(format!("{stem}.svg"));
        let png = out.join("figures").join(format!("{stem}.png"));
        assert!(
            summary.figure_files.contains(&svg) && summary.figure_files.contains(&png),
            "{stem}"
        );
        let svg_text = read(&svg);
        assert!(
            svg_text.starts_with("<svg") && svg_text.len() > 1000,
            "{stem}.svg"
        );
        let png_bytes = std::fs::read(&png).unwrap();
        assert!(
            png_bytes.len() > 1000 && png_bytes.starts_with(&PNG_MAGIC),
            "{stem}.png"
        );
        assert!(
            html.contains(&format!("<img src=\"figures/{stem}.svg\"")),
            "index.html lacks {stem}"
        );
        assert!(
            md.contains(&format!("(figures/{stem}.svg)")),
            "summary.md lacks {stem}"
        );
    }
    assert!(
        !out.join("figures/claim-LR-2.svg").exists(),
        "a verdict without figure gets none"
    );
    assert!(std::fs::read_dir(out.join("figures")).unwrap().all(|e| !e
        .unwrap()
        .path()
        .to_string_lossy()
        .contains("partial")));

    // Axis labels reach the SVGs.
    let iter_svg = read(&out.join("figures/suite-quick-factored-k-6-kappa-10-eta-0.5-iter.svg"));
    assert!(has_text(&iter_svg, "iteration"));
    assert!(has_text(&iter_svg, "relative error ‖XXᵀ−M⋆‖_F / ‖M⋆‖_F"));
    assert!(has_text(&iter_svg, "gd (3 seeds)") && has_text(&iter_svg, "scaledgd (3 seeds)"));
    assert!(iter_svg.contains("<polygon"), "min–max band");
    let time_svg = read(&out.join("figures/suite-quick-factored-k-6-kappa-10-eta-0.5-time.svg"));
    assert!(has_text(&time_svg, "time (s, initialization + steps)"));
    let claim_svg = read(&out.join("figures/claim-LR-1.svg"));
    assert!(has_text(
        &claim_svg,
        "LR-1 — PASS: ScaledGD(λ) rate is κ-independent"
    ));
    assert!(has_text(&claim_svg, "iteration t") && has_text(&claim_svg, "fit ρ̂ = 0.50"));
    // The dashed fit (third palette colour) is drawn as many short strokes; κ=100 as circles.
    assert!(
        claim_svg.matches("stroke=\"#2CA02C\"").count() > 5,
        "dashed series"
    );
    assert!(claim_svg.matches("<circle").count() >= 40, "point series");
    let loglog_svg = read(&out.join("figures/claim-LR-9.svg"));
    assert!(
        has_text(&loglog_svg, "LR-9 — EXPLORATORY: iterations vs κ"),
        "id is not repeated"
    );

    // HTML: claims with outcomes, escaping, provenance, suites, attribution, no external assets.
    for id in ["LR-1", "LR-2", "LR-9"] {
        assert!(html.contains(&format!(">{id}</a>")), "{id}");
        assert!(md.contains(&format!("| {id} |")), "{id}");
    }
    assert!(html.contains("outcome pass\">PASS<") && html.contains("outcome fail\">FAIL<"));
    assert!(
        html.contains("exploratory (no pass/fail)") && md.contains("exploratory (no pass/fail)")
    );
    assert!(
        html.contains("claim LR-1 &lt;with markup &amp; quotes&gt;")
            && !html.contains("<with markup")
    );
    assert!(html.contains("|ρ̂ − 0.5| &lt; 0.03") && html.contains("[0.49, 0.51]"));
    assert!(html.contains("0123456789abcdef0123456789abcdef01234567 (dirty"));
    assert!(
        html.contains("rustc 1.89.0")
            && html.contains("Test CPU @ 3 GHz")
            && html.contains("2025-01-02T03:04:05Z")
    );
    assert!(html.contains("ratebench run quick --out &#39;my results&#39;"));
    assert!(html.contains("Suite quick") && html.contains("diverged 1"));
    assert!(
        html.contains("Data attribution")
            && html.contains("danielbuechele")
            && html.contains("CC BY 2.0")
    );
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src=\"http"));

    // Markdown: the time-to-tolerance table and its content.
    assert!(md.contains(
        "| case | algorithm | seeds | reached 1e-3 | iters to 1e-3 | ms to 1e-3 | reached 1e-6 | iters to 1e-6 | ms to 1e-6 | reached 1e-10 | iters to 1e-10 | ms to 1e-10 | status |\n|---|---|---:|"
    ), "{md}");
    assert!(md.contains("| k=6,kappa=10,eta=0.5 | scaledgd | 3 | 3/3 |"));
    assert!(md.contains("| china, k=20 | gd | 3 | 2/3 |"), "{md}");
    assert!(md.contains("\\|ρ̂ − 0.5\\| &lt; 0.03"));
    assert!(md.contains("danielbuechele") && md.contains("as shipped by scikit-learn"));
    assert!(md.contains("### LR-1 — claim LR-1 &lt;with markup & quotes> — PASS"));

    // Rendering again over an existing report replaces it cleanly.
    let again = render_report(&results, &out).unwrap();
    assert_eq!(again, summary);
}

#[test]
fn empty_directory_says_no_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let summary = render_report(tmp.path(), &out).unwrap();
    assert_eq!(summary.figures, 0);
    assert!(read(&summary.index_html).contains("No results were found"));
    assert!(read(&summary.summary_md).contains("No results were found"));
}

#[test]
fn missing_directory_counts_as_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = render_report(&tmp.path().join("nope"), &tmp.path().join("out")).unwrap();
    assert!(read(&summary.index_html).contains("No results were found"));
}

#[test]
fn malformed_files_give_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("claims.json"), "{ not json").unwrap();
    let e = render_report(tmp.path(), &tmp.path().join("out"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("claims.json") && !e.contains('\n'), "{e}");

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("runs.csv"), "run_id,group\nx,y\n").unwrap();
    let e = render_report(tmp.path(), &tmp.path().join("out"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("runs.csv") && !e.contains('\n'), "{e}");
}

#[test]
fn runs_without_traces_still_get_a_table() {
    let tmp = tempfile::tempdir().unwrap();
    let mut r = run("c", "{}", "gd", 0, 0.5, 1e-3, 1);
    r.trace.rows.clear();
    write_runs(tmp.path(), &[r]);
    let summary = render_report(tmp.path(), &tmp.path().join("out")).unwrap();
    assert_eq!(summary.figures, 0);
    let md = read(&summary.summary_md);
    assert!(
        md.contains("No trace samples for this case.") && md.contains("| c | gd | 1 |"),
        "{md}"
    );
}
