//! Sparse runs end to end through the harness: the suite section (cases, the convention in
//! every spec, overrides, skipped data, user data in LIBSVM/.npz/CSV), export → import,
//! determinism, and the family-level bad inputs of issue 10 (one line naming the parameter
//! and the fix): λ ≤ 0, λ ≥ λ_max (not an error: w = 0 is the solution), a disconnected
//! graph for DGD, a zero-variance column when standardizing.

use ratebench_family_sparse::SparseFamily;
use ratebench_harness::case::{run_case, Case, RunContext, RunEnv};
use ratebench_harness::claims::{check_claim, params_for, CheckEnv};
use ratebench_harness::data::DataDirs;
use ratebench_harness::family::{Family, SuiteEnv, SuitePart};
use ratebench_harness::results::RunResult;
use std::path::PathBuf;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("ratebench-srfam-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Self(d)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn env(data: &DataDirs) -> SuiteEnv<'_> {
    SuiteEnv {
        base_seed: 0,
        data,
        seeds: None,
    }
}

/// A small quick section (no diabetes, no SCAD/MCP) with `extra` lines overriding it.
fn section(extra: &str) -> toml::Table {
    let mut t: toml::Table = "n = 60\np = 150\npenalties = []\nprox_iters = 3000\ndiabetes = \"\""
        .parse()
        .unwrap();
    t.extend(extra.parse::<toml::Table>().unwrap());
    t
}

fn part(extra: &str, data: &DataDirs) -> ratebench_core::Result<SuitePart> {
    SparseFamily.suite("quick", Some(&section(extra)), &env(data))
}

/// The one-line message of a suite expansion that must fail.
fn suite_error(extra: &str) -> String {
    let e = SparseFamily
        .suite("quick", Some(&section(extra)), &env(&DataDirs::default()))
        .err()
        .expect("must fail")
        .to_string();
    assert!(!e.contains('\n'), "multi-line: {e}");
    e
}

fn run(case: &dyn Case) -> RunResult {
    let ctx = RunContext {
        env: RunEnv {
            group: "suite:quick",
            base_seed: 0,
            threads: 1,
        },
        calib_s: 1.0,
        parallel: false,
    };
    run_case(case, &ctx).unwrap()
}

fn algorithms(p: &SuitePart) -> Vec<String> {
    p.cases.iter().map(|c| c.meta().algorithm.clone()).collect()
}

fn shared_data() -> Option<DataDirs> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.join("diabetes.csv").exists().then_some(DataDirs {
        explicit: Some(dir),
    })
}

fn lasso_only(extra: &str) -> SuitePart {
    part(extra, &DataDirs::default()).unwrap()
}

#[test]
fn quick_lasso_runs_every_method_to_the_gap_target_in_the_named_convention() {
    let p = lasso_only("");
    let names = algorithms(&p);
    assert_eq!(&names[..4], ["ista", "fista", "fista-restart", "cd"]);
    let toeplitz: Vec<&Box<dyn Case>> = p
        .cases
        .iter()
        .filter(|c| c.meta().case.starts_with("lasso,toeplitz"))
        .collect();
    assert_eq!(toeplitz.len(), 4);
    for c in &toeplitz {
        let spec: serde_json::Value = serde_json::from_str(&c.meta().spec).unwrap();
        assert_eq!(spec["problem"]["convention"], "sklearn", "{spec}");
        let (l, a) = (
            spec["problem"]["lambda"].as_f64().unwrap(),
            spec["problem"]["alpha_sklearn"].as_f64().unwrap(),
        );
        assert!((l / a - 60.0).abs() < 1e-9, "λ = n·α");
        assert!((spec["problem"]["lambda_over_lambda_max"].as_f64().unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(c.meta().primary, "gap");
        assert!(c
            .meta()
            .hits
            .iter()
            .any(|h| h.metric == "gap" && h.tolerances == [1e-6, 1e-10]));
    }
    for c in toeplitz {
        let r = run(c.as_ref());
        assert_eq!(
            r.record.status, "converged",
            "{}: {}",
            r.record.run_id, r.record.message
        );
        assert!(r.trace.last("gap").unwrap() < 1e-10);
        // The objective equals the tight CD reference (gap 1e-14·P(0)) to ~1e-8 relative
        // at a sklearn gap of 1e-10.
        let rel = r.trace.last("rel_obj_gap").unwrap();
        assert!(
            rel.abs() < 1e-6,
            "{}: rel_obj_gap {rel}",
            r.record.algorithm
        );
        assert!(r.record.work > 0);
        // Both hitting tolerances recorded.
        assert!(
            r.hits
                .iter()
                .filter(|h| h.metric == "gap" && h.iters.is_some())
                .count()
                == 2
        );
    }
}

#[test]
fn runs_are_deterministic() {
    let p = lasso_only("lasso_methods = [\"fista\", \"cd\"]");
    for c in &p.cases {
        let (a, b) = (run(c.as_ref()), run(c.as_ref()));
        assert_eq!(a.trace.rows.len(), b.trace.rows.len());
        for (x, y) in a.trace.rows.iter().zip(&b.trace.rows) {
            let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&x.values), bits(&y.values), "{}", a.record.run_id);
            assert_eq!(x.work, y.work);
        }
    }
}

#[test]
fn lambda_at_or_above_lambda_max_is_not_an_error_w0_is_the_solution() {
    let p = lasso_only("fraction = 1.5\nlasso_methods = [\"ista\", \"cd\"]");
    for c in &p.cases {
        assert!(
            c.meta().spec.contains("w = 0 is the exact solution"),
            "{}",
            c.meta().spec
        );
        let r = run(c.as_ref());
        assert_eq!(r.record.status, "converged");
        assert_eq!(r.record.iters, 0, "converged at the start");
        assert_eq!(r.trace.last("gap").unwrap(), 0.0);
    }
}

#[test]
fn lambda_not_positive_is_bad_input_naming_the_field() {
    let e = suite_error("fraction = 0");
    assert!(
        e.starts_with("invalid fraction:") && e.contains("λ_max/20"),
        "{e}"
    );
    let e = suite_error("alpha = -1.0");
    assert!(e.starts_with("invalid alpha:") && e.contains("> 0"), "{e}");
    let e = suite_error("lambda = 0.0");
    assert!(e.starts_with("invalid lambda:"), "{e}");
    let e = suite_error("convention = \"glmnet\"");
    assert!(
        e.starts_with("invalid convention:") && e.contains("sklearn"),
        "{e}"
    );
    let e = suite_error("lasso_methods = [\"lars\"]");
    assert!(
        e.starts_with("invalid lasso_methods:") && e.contains("fista-restart"),
        "{e}"
    );
    let e = suite_error("taus = [1.0]");
    assert!(e.starts_with("invalid taus:"), "{e}");
    let e = suite_error("unknown_field = 3");
    assert!(e.contains("[sparse]") && e.contains("unknown_field"), "{e}");
}

#[test]
fn zero_variance_column_when_standardizing_is_bad_input_naming_the_column() {
    let dir = TempDir::new("zv");
    let f = dir.path("const.csv");
    std::fs::write(&f, "a,b,c,y\n1,5,0.5,1\n2,5,0.1,2\n3,5,0.7,2\n4,5,0.2,5\n").unwrap();
    let e = suite_error(
        &(format!(
            "data = \"{}\"\ndata_standardize = \"center_scale\"",
            f.display()
        )),
    );
    assert!(
        e.starts_with("invalid data_standardize:")
            && e.contains("column 1")
            && e.contains("zero variance"),
        "{e}"
    );
    // Without standardization the same file runs.
    let p = lasso_only(&format!("taus = []\ndata = \"{}\"", f.display()));
    assert_eq!(p.cases.len(), 4);
    assert!(p.cases[0].meta().case.starts_with("lasso,const.csv"));
}

#[test]
fn dgd_on_a_disconnected_graph_is_bad_input() {
    let claim = SparseFamily
        .claims()
        .into_iter()
        .find(|c| c.id == "SR-3")
        .unwrap();
    let params = params_for(
        &claim,
        &[
            ("graphs".into(), "[4]".into()),
            ("central_iters".into(), "10".into()),
            ("iters".into(), "10".into()),
        ],
        None,
    )
    .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let env = CheckEnv {
        family: "sparse",
        base_seed: 0,
        calib_s: 1.0,
        pool: &pool,
        negative_control: false,
    };
    let Err(e) = check_claim(&claim, &params, &env) else {
        panic!("a disconnected graph must be bad input");
    };
    let e = e.to_string();
    assert!(
        e.starts_with("invalid graphs:") && e.contains("not connected") && !e.contains('\n'),
        "{e}"
    );
    // SR-1 compares across α: one value is bad input.
    let sr1 = SparseFamily
        .claims()
        .into_iter()
        .find(|c| c.id == "SR-1")
        .unwrap();
    let p = params_for(&sr1, &[("alphas".into(), "[1e-6]".into())], None).unwrap();
    let e = check_claim(&sr1, &p, &env).err().unwrap().to_string();
    assert!(e.contains("at least 2 distinct values"), "{e}");
}

#[test]
fn export_writes_the_instance_and_the_suite_reads_it_back() {
    let dir = TempDir::new("export");
    let out = dir.path("inst.npz");
    let ex = SparseFamily.exporters().into_iter().next().unwrap();
    let mut params = (ex.params)();
    params.set("n", "40").unwrap();
    params.set("p", "80").unwrap();
    let msg = (ex.write)(&params, 7, &out).unwrap();
    assert!(
        msg.contains("Lasso(alpha=") && msg.contains("fit_intercept=False"),
        "{msg}"
    );
    let mut npz = ratebench_core::npy::Npz::open(&out).unwrap();
    for name in [
        "X",
        "y",
        "w_star",
        "lambda",
        "alpha",
        "lambda_max",
        "convention",
        "spec_json",
    ] {
        assert!(npz.has(name), "{name} missing");
    }
    let x = npz.matrix("X").unwrap();
    assert_eq!((x.nrows(), x.ncols()), (40, 80));
    let lambda = npz.array("lambda").unwrap();
    let alpha = npz.array("alpha").unwrap();
    let _ = (lambda, alpha);
    // Read back by the suite: same λ (fraction of the same λ_max), w⋆ known.
    let p = lasso_only(&format!(
        "taus = []\nconvention = \"sklearn\"\ndata = \"{}\"\nlasso_methods = [\"cd\"]",
        out.display()
    ));
    assert_eq!(p.cases.len(), 1);
    let spec: serde_json::Value = serde_json::from_str(&p.cases[0].meta().spec).unwrap();
    let data = ratebench_sparse::read_npz(&out).unwrap();
    let lmax = ratebench_sparse::lambda_max(&data);
    assert!((spec["problem"]["lambda"].as_f64().unwrap() - 0.05 * lmax).abs() < 1e-12 * lmax);
    let r = run(p.cases[0].as_ref());
    assert_eq!(r.record.status, "converged");
    assert!(
        r.trace.metric_index("est_err").is_some(),
        "w_star read back"
    );
    let e = (ex.write)(&params, 7, &dir.path("inst.npy"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("invalid --out:"), "{e}");
}

#[test]
fn libsvm_data_stays_sparse_and_runs() {
    let dir = TempDir::new("svm");
    let f = dir.path("d.svm");
    // 300 samples × 400 features, 3 nonzeros per row (density 0.75 %).
    let mut body = String::new();
    for i in 0..300usize {
        let a = 1 + (i * 7) % 400;
        let b = 1 + (i * 13 + 5) % 400;
        let c = 1 + (i * 29 + 11) % 400;
        let mut idx = [a, b, c];
        idx.sort_unstable();
        let mut line = format!("{}", ((i % 5) as f64) - 2.0);
        let mut prev = 0;
        for (k, j) in idx.iter().enumerate() {
            if *j > prev {
                line += &format!(" {j}:{}", 1.0 + k as f64 * 0.5);
                prev = *j;
            }
        }
        body += &line;
        body.push('\n');
    }
    std::fs::write(&f, body).unwrap();
    let p = lasso_only(&format!(
        "taus = []\ndata = \"{}\"\nlasso_methods = [\"fista\", \"cd\"]",
        f.display()
    ));
    assert_eq!(p.cases.len(), 2);
    assert!(
        p.cases[0].meta().spec.contains("\"storage\":\"sparse\""),
        "{}",
        p.cases[0].meta().spec
    );
    for c in &p.cases {
        let r = run(c.as_ref());
        assert!(
            r.record.status == "converged" || r.record.status == "max_iter",
            "{}: {}",
            r.record.status,
            r.record.message
        );
        assert!(r.trace.last("gap").unwrap().is_finite());
    }
    // A malformed line is reported with its number and token.
    std::fs::write(dir.path("bad.svm"), "1 1:2\n2 3:x\n").unwrap();
    let e = suite_error(&(format!("taus = []\ndata = \"{}\"", dir.path("bad.svm").display())));
    assert!(e.contains("line 2") && e.contains("3:x"), "{e}");
}

#[test]
fn diabetes_and_penalized_cases_run_when_the_data_is_there() {
    let Some(data) = shared_data() else {
        eprintln!("../shared/data not found; skipped");
        return;
    };
    let t = section("taus = []\npenalties = [\"scad\", \"mcp\"]\npenalized_iters = 50\ndiabetes = \"diabetes.csv\"");
    let p = SparseFamily.suite("quick", Some(&t), &env(&data)).unwrap();
    let names = algorithms(&p);
    assert_eq!(
        names,
        [
            "ista",
            "fista",
            "fista-restart",
            "cd",
            "ag-proposed",
            "ag-original",
            "pg",
            "ag-proposed",
            "ag-original",
            "pg"
        ]
    );
    assert!(p.cases[0].meta().case.starts_with("lasso,diabetes"));
    assert!(p.cases[4].meta().case.starts_with("scad,N=200"));
    assert!(p.cases[7].meta().case.starts_with("mcp,N=200"));
    for c in p.cases.iter().take(5) {
        let r = run(c.as_ref());
        assert!(r.record.status == "converged" || r.record.status == "max_iter");
        if r.record.algorithm == "cd" {
            assert_eq!(r.record.status, "converged");
        }
        if r.record.algorithm == "ag-proposed" {
            assert!(r.trace.last("objective").unwrap() < r.trace.values("objective")[0]);
        }
    }
    // A missing built-in file is skipped with the paths tried; a user-named one is an error.
    let nowhere = DataDirs {
        explicit: Some(PathBuf::from("/nonexistent")),
    };
    let builtin: toml::Table = "taus = []\npenalties = []".parse().unwrap();
    let p = SparseFamily
        .suite("quick", Some(&builtin), &env(&nowhere))
        .unwrap();
    if p.cases.is_empty() {
        assert!(
            p.skipped.iter().any(|s| s.contains("diabetes.csv")),
            "{:?}",
            p.skipped
        );
    }
    let t = section("taus = []\ndiabetes = \"missing.csv\"");
    let e = SparseFamily
        .suite("quick", Some(&t), &env(&nowhere))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("missing.csv") && e.contains("not found"), "{e}");
}

#[test]
fn export_of_a_suite_instance_is_the_suite_case() {
    let dir = TempDir::new("export-suite");
    let out = dir.path("quick.npz");
    let ex = SparseFamily.exporters().into_iter().next().unwrap();
    let mut params = (ex.params)();
    for (k, v) in [("n", "60"), ("p", "150"), ("tau", "0.5"), ("suite", "1")] {
        params.set(k, v).unwrap();
    }
    (ex.write)(&params, 0, &out).unwrap();
    let mut npz = ratebench_core::npy::Npz::open(&out).unwrap();
    let y = npz.vector("y").unwrap();
    let lambda = npz.array("lambda").unwrap().data[0];
    // The quick suite's Toeplitz instance, drawn as the suite draws it.
    let spec = ratebench_sparse::RegressionSpec::lasso_toeplitz(60, 150, 0.5);
    let path = ratebench_core::rng::SeedPath::new(0)
        .with("suite:quick")
        .with(spec.label())
        .with("seed=0");
    let data = spec.generate(&path).unwrap();
    assert_eq!(data.y(), &y[..], "same instance");
    let p = lasso_only("lasso_methods = [\"cd\"]");
    let case: serde_json::Value = serde_json::from_str(&p.cases[0].meta().spec).unwrap();
    let (a, b) = (case["problem"]["lambda"].as_f64().unwrap(), lambda);
    assert_eq!(a.to_bits(), b.to_bits(), "same instance, same λ");
}
