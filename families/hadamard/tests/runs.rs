//! Hadamard runs end to end through the harness: the suite section (cases, overrides,
//! skipped data, images), export → import, determinism, and every bad input of issue 8
//! (one line naming the parameter or file and the fix).

use faer::Mat;
use ratebench_core::npy::{self, Entry};
use ratebench_family_hadamard::HadamardFamily;
use ratebench_harness::case::{run_case, Case, RunContext, RunEnv};
use ratebench_harness::claims::ClaimCtx;
use ratebench_harness::data::DataDirs;
use ratebench_harness::family::{Family, SuiteEnv, SuitePart};
use ratebench_harness::results::RunResult;
use std::path::{Path, PathBuf};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("ratebench-hdfam-{tag}-{}", std::process::id()));
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

/// The quick section reduced to what a test needs, with `extra` lines overriding it.
fn section(extra: &str) -> toml::Table {
    let mut t: toml::Table = "photos = []\nuniform_r = []\nk_data = []\niters = 30\ngd_iters = 200"
        .parse()
        .unwrap();
    t.extend(extra.parse::<toml::Table>().unwrap());
    t
}

fn part(extra: &str, data: &DataDirs) -> ratebench_core::Result<SuitePart> {
    HadamardFamily.suite("quick", Some(&section(extra)), &env(data))
}

/// The one-line message of a suite expansion that must fail.
fn suite_error(extra: &str) -> String {
    let e = part(extra, &DataDirs::default())
        .err()
        .expect("must fail")
        .to_string();
    assert!(!e.contains('\n'), "multi-line: {e}");
    e
}

fn run(case: &dyn Case, threads: usize) -> RunResult {
    let ctx = RunContext {
        env: RunEnv {
            group: "suite:quick",
            base_seed: 0,
            threads,
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
    dir.join("china_gray.npy").exists().then_some(DataDirs {
        explicit: Some(dir),
    })
}

#[test]
fn quick_section_runs_every_method_and_the_tsvd_line_is_the_tsvd_error() {
    let data = DataDirs::default();
    let p = part("", &data).unwrap();
    assert_eq!(
        algorithms(&p),
        ["bcd", "bcd-momentum", "gd-ciaperoni", "tsvd"]
    );
    let results: Vec<RunResult> = p.cases.iter().map(|c| run(c.as_ref(), 1)).collect();
    for r in &results {
        assert_eq!(r.record.status, "max_iter", "{}", r.record.run_id);
        assert!(r.record.work > 0, "work is counted in flops");
    }
    // The TSVD line spans the longest run of its case (GD's 200 iterations) at a constant
    // error, which is the rank-2r TSVD error of the instance.
    let tsvd = &results[3].trace;
    let e = tsvd.values("rel_err");
    assert_eq!(tsvd.iters, 200);
    assert!(e.iter().all(|v| *v == e[0]));
    let spec = ratebench_hadamard::HadamardSpec::default();
    let path = ratebench_core::rng::SeedPath::new(0)
        .with("suite:quick")
        .with(spec.label())
        .with("seed=0");
    let x = ratebench_hadamard::HadamardProblem::generate(&spec, &mut path.stream("data")).unwrap();
    let want = x.tsvd_error(10).unwrap();
    assert!(
        (e[0] - want).abs() < 1e-12 * want,
        "{} vs TSVD(10) = {want}",
        e[0]
    );
    // BCD's error never rises (exact block minimization).
    let bcd = results[0].trace.values("rel_err");
    assert!(
        bcd.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-12)),
        "{bcd:?}"
    );
    assert!(results[0]
        .trace
        .metric_names
        .contains(&"abs_err".to_string()));
    assert!(results[0].record.spec.contains("\"init\":\"svd\""));
    assert!(!results[0].record.spec.contains("threads"));
}

#[test]
fn hyper_parameters_are_fields_and_unknown_ones_are_rejected() {
    let data = DataDirs::default();
    let p = part(
        "methods = [\"bcd-momentum\"]\nmomentum = { beta0 = 0.25 }\ninit = \"gaussian\"\nm = 30\nn = 20\nproduct_r = [2, 3]\nseeds = 2",
        &data,
    )
    .unwrap();
    assert_eq!(p.cases.len(), 2 * 2);
    let spec = &p.cases[0].meta().spec;
    assert!(
        spec.contains("\"beta0\":0.25") && spec.contains("\"init\":\"gaussian\""),
        "{spec}"
    );
    assert!(spec.contains("\"m\":30"), "{spec}");
    let e = suite_error("rr = 3");
    assert!(
        e.contains("[hadamard]") && e.contains("unknown field") && e.contains("rr"),
        "{e}"
    );
    let e = suite_error("methods = [\"newton\"]");
    assert!(
        e.starts_with("invalid methods:") && e.contains("bcd-momentum"),
        "{e}"
    );
    let e = suite_error("gd_eta = -1.0");
    assert!(e.starts_with("invalid gd_eta:"), "{e}");
    let e = suite_error("momentum = { nu = 1.0 }");
    assert!(e.contains("momentum.nu"), "{e}");
    // --seeds overrides the section's repetitions.
    let env = SuiteEnv {
        base_seed: 0,
        data: &data,
        seeds: Some(3),
    };
    let p = HadamardFamily
        .suite("quick", Some(&section("")), &env)
        .unwrap();
    assert_eq!(p.cases.len(), 3 * 4);
}

#[test]
fn k_factor_comparison_has_one_run_per_k_and_the_tsvd_of_the_budget() {
    let data = DataDirs::default();
    let p = part(
        "product_r = []\nk_data = [\"uniform\"]\nk_ranks = [[2, 6], [3, 4], [4, 3]]",
        &data,
    )
    .unwrap();
    assert_eq!(
        algorithms(&p),
        ["bcd-momentum", "bcd-momentum-k3", "bcd-momentum-k4", "tsvd"]
    );
    assert!(p
        .cases
        .iter()
        .all(|c| c.meta().case == "uniform,m=100,n=100,K·r=12"));
    let tsvd = run(p.cases[3].as_ref(), 1);
    let k4 = run(p.cases[2].as_ref(), 1);
    assert!(
        tsvd.trace.last("rel_err").unwrap() > 0.2,
        "rank 12 of a 100 × 100 U[0,1] matrix"
    );
    assert!(k4.trace.last("rel_err").unwrap() < 1.0);
    let e = suite_error("k_data = [\"uniform\"]\nk_ranks = [[1, 12]]");
    assert!(
        e.starts_with("invalid k_ranks:") && e.contains("2 <= K"),
        "{e}"
    );
    let e = suite_error("k_data = [\"faces\"]");
    assert!(
        e.starts_with("invalid k_data:") && e.contains("photo"),
        "{e}"
    );
}

#[test]
fn missing_builtin_data_is_skipped_and_a_named_file_is_an_error() {
    let dir = TempDir::new("nodata");
    let data = DataDirs {
        explicit: Some(dir.0.clone()),
    };
    // Built into a section (not named by the user's table): skipped, with the paths tried.
    // (The real built-in names may be found through $RATEBENCH_DATA or the checkout.)
    let section = ratebench_family_hadamard::suite::HadamardSection {
        uniform_r: vec![],
        k_data: vec!["photo".into()],
        photos: vec!["no_such_photo.npy".into()],
        digits: Some("no_such_digits.csv".into()),
        ..Default::default()
    };
    let p = section.part(&env(&data), "suite:quick", &[]).unwrap();
    assert_eq!(
        algorithms(&p),
        ["bcd", "bcd-momentum", "gd-ciaperoni", "tsvd"]
    );
    assert_eq!(
        p.skipped.len(),
        2,
        "each missing file once: {:?}",
        p.skipped
    );
    for (s, name) in p
        .skipped
        .iter()
        .zip(["no_such_photo.npy", "no_such_digits.csv"])
    {
        assert!(
            s.contains(name) && s.contains("tried") && s.contains(&dir.0.display().to_string()),
            "{s}"
        );
    }
    // Named by the user: an error with the paths tried.
    for field in [
        "photos = [\"no_such.npy\"]",
        "digits = \"no_such.csv\"",
        "data = \"no_such.npz\"",
    ] {
        let e = part(field, &data).err().expect("must fail").to_string();
        assert!(
            e.contains("no_such") && e.contains("not found"),
            "{field}: {e}"
        );
    }
}

#[test]
fn the_photo_fit_returns_the_three_images_with_the_attribution() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not found");
        return;
    };
    let p = HadamardFamily
        .suite(
            "quick",
            Some(
                &"uniform_r = []\nproduct_r = []\nk_data = []\nreal_iters = 2"
                    .parse()
                    .unwrap(),
            ),
            &env(&data),
        )
        .unwrap();
    assert_eq!(algorithms(&p), ["bcd-momentum", "tsvd"]);
    assert!(
        p.cases[0].meta().spec.contains("CC BY 2.0"),
        "attribution in the spec"
    );
    let r = run(p.cases[0].as_ref(), 2);
    let a = &r.artifacts;
    assert_eq!(a.len(), 3);
    assert!(a.iter().all(|x| x.panel == "china_gray.npy, K=2, r=20"));
    assert!(a.iter().all(|x| x
        .attribution
        .as_deref()
        .is_some_and(|s| s.contains("danielbuechele"))));
    assert_eq!(a[0].matrix.shape(), (427, 640));
    assert!(
        a[1].label.contains("rel. err") && a[2].label.contains("TSVD rank 40"),
        "{}",
        a[2].label
    );
    // The TSVD image is the rank-40 truncation: its caption's error is the TSVD line's.
    let tsvd = run(p.cases[1].as_ref(), 1);
    let e = tsvd.trace.last("rel_err").unwrap();
    assert!(
        a[2].label.contains(&format!("{e:.4}")),
        "{} vs {e}",
        a[2].label
    );
    assert!(run(p.cases[1].as_ref(), 1).artifacts.is_empty());
}

#[test]
fn exported_archives_load_back_into_suites() {
    let dir = TempDir::new("export");
    let exporter = HadamardFamily
        .exporters()
        .into_iter()
        .find(|e| e.name == "hadamard")
        .unwrap();
    let mut params = (exporter.params)();
    params.set("m", "40").unwrap();
    params.set("n", "30").unwrap();
    params.set("rank", "3").unwrap();
    let out = dir.path("x.npz");
    let msg = (exporter.write)(&params, 7, &out).unwrap();
    assert!(msg.contains("W2") && msg.contains("spec_json"), "{msg}");
    let mut npz = npy::Npz::open(&out).unwrap();
    let x = npz.matrix("X").unwrap();
    let (w1, h1, w2, h2) = (
        npz.matrix("W1").unwrap(),
        npz.matrix("H1").unwrap(),
        npz.matrix("W2").unwrap(),
        npz.matrix("H2").unwrap(),
    );
    assert_eq!((w1.shape(), h1.shape()), ((40, 3), (3, 30)));
    let prod = Mat::from_fn(40, 30, |i, j| (&w1 * &h1)[(i, j)] * (&w2 * &h2)[(i, j)]);
    assert!((prod - &x).norm_max() < 1e-12);
    // The suite fits the same X.
    let p = part(
        &format!("product_r = []\ndata = \"{}\"\ndata_r = [3]", out.display()),
        &DataDirs::default(),
    )
    .unwrap();
    assert_eq!(algorithms(&p), ["bcd-momentum", "tsvd"]);
    let r = run(p.cases[0].as_ref(), 1);
    assert!(
        r.trace.last("rel_err").unwrap() < 0.05,
        "a rank-3 U[0,1] product fits at r = 3"
    );
    // claim_seed reproduces a claim's instance: HD-1 seed 2 is what HD-1 fits.
    params.set("m", "100").unwrap();
    params.set("n", "100").unwrap();
    params.set("rank", "5").unwrap();
    params.set("claim_seed", "2").unwrap();
    (exporter.write)(&params, 0, &out).unwrap();
    let want = ratebench_hadamard::HadamardProblem::generate(
        &Default::default(),
        &mut ratebench_core::rng::SeedPath::new(0)
            .with("HD-1")
            .with("seed=2")
            .stream("data"),
    )
    .unwrap();
    assert_eq!(
        npy::Npz::open(&out).unwrap().matrix("X").unwrap(),
        want.x().to_owned()
    );
}

#[test]
fn bad_export_parameters_leave_existing_files_untouched() {
    let dir = TempDir::new("export-bad");
    let exporter = HadamardFamily.exporters().into_iter().next().unwrap();
    let out = dir.path("keep.npz");
    std::fs::write(&out, b"earlier results").unwrap();
    for (name, value, want) in [
        ("factors", "1", "invalid factors:"),
        ("rank", "101", "invalid rank:"),
        ("kind", "3", "invalid kind:"),
    ] {
        let mut params = (exporter.params)();
        params.set(name, value).unwrap();
        let e = (exporter.write)(&params, 0, &out).unwrap_err().to_string();
        assert!(
            e.starts_with(want) && !e.contains('\n'),
            "{name}={value}: {e}"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"earlier results");
    }
    let e = (exporter.write)(&(exporter.params)(), 0, &dir.path("x.npy"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(".npz"), "{e}");
}

#[test]
fn ranks_out_of_range_name_the_field_and_the_fix() {
    let e = suite_error("product_r = [0]");
    assert!(
        e.starts_with("invalid product_r:") && e.contains("r = 0") && e.contains("1 <= r"),
        "{e}"
    );
    let e = suite_error("product_r = []\nuniform_r = [101]");
    assert!(
        e.starts_with("invalid uniform_r:") && e.contains("choose r <= 100"),
        "{e}"
    );
    // On a loaded matrix the rank is checked against its shape.
    let dir = TempDir::new("rank");
    let f = dir.path("small.npy");
    npy::write_npy_matrix(
        &f,
        Mat::<f64>::from_fn(6, 4, |i, j| (i + j) as f64 + 1.0).as_ref(),
    )
    .unwrap();
    let e = suite_error(&format!(
        "product_r = []\ndata = \"{}\"\ndata_r = [5]",
        f.display()
    ));
    assert!(
        e.starts_with("invalid data_r:") && e.contains("choose r <= 4"),
        "{e}"
    );
}

#[test]
fn an_unknown_init_name_lists_the_known_ones() {
    for field in ["init", "k_init"] {
        let e = suite_error(&format!("{field} = \"kmeans\""));
        assert!(
            e.starts_with(&format!("invalid {field}:"))
                && e.contains("kmeans")
                && e.contains("svd, svd-unscaled, gaussian"),
            "{e}"
        );
    }
}

/// A tiny `.npy` of little-endian int64 (NumPy's default integer array).
fn write_int_npy(path: &Path) {
    let mut header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }".to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    for v in [1i64, 2, 3, 4] {
        bytes.extend(v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn bad_data_files_name_the_file_and_the_fix() {
    let dir = TempDir::new("files");
    let data = |f: &Path| format!("product_r = []\ndata = \"{}\"", f.display());
    let nan = dir.path("nan.npy");
    let mut x = Mat::<f64>::from_fn(5, 5, |i, j| (i * j) as f64 + 1.0);
    x[(1, 2)] = f64::NAN;
    npy::write_npy_matrix(&nan, x.as_ref()).unwrap();
    let e = suite_error(&data(&nan));
    assert!(
        e.contains("nan.npy") && e.contains("NaN") && e.contains("finite"),
        "{e}"
    );
    let zero = dir.path("zero.npy");
    npy::write_npy_matrix(&zero, Mat::<f64>::zeros(4, 4).as_ref()).unwrap();
    let e = suite_error(&data(&zero));
    assert!(e.contains("zero.npy") && e.contains("all zeros"), "{e}");
    let int = dir.path("int.npy");
    write_int_npy(&int);
    let e = suite_error(&data(&int));
    assert!(e.contains("int.npy") && e.contains("float64"), "{e}");
    let vec = dir.path("vec.npz");
    npy::write_npz(&vec, &[("X", Entry::Vector(&[1.0, 2.0]))]).unwrap();
    let e = suite_error(&data(&vec));
    assert!(e.contains("vec.npz") && e.contains("2-D"), "{e}");
    let text = dir.path("notes.txt");
    std::fs::write(&text, "1 2\n3 4\n").unwrap();
    let e = suite_error(&data(&text));
    assert!(e.contains("notes.txt") && e.contains(".npy or .npz"), "{e}");
}

#[test]
fn npz_shape_mismatch_names_both_arrays() {
    let dir = TempDir::new("mismatch");
    let f = dir.path("m.npz");
    let x = Mat::<f64>::from_fn(4, 5, |i, j| (i + j) as f64 + 1.0);
    let w = Mat::<f64>::zeros(4, 2);
    let h = Mat::<f64>::zeros(2, 5);
    let h_bad = Mat::<f64>::zeros(3, 5);
    fn m(a: &Mat<f64>) -> Entry<'_> {
        Entry::Matrix(a.as_ref())
    }
    npy::write_npz(
        &f,
        &[
            ("X", m(&x)),
            ("W1", m(&w)),
            ("H1", m(&h)),
            ("W2", m(&w)),
            ("H2", m(&h_bad)),
        ],
    )
    .unwrap();
    let e = suite_error(&format!("product_r = []\ndata = \"{}\"", f.display()));
    assert!(
        e.contains("m.npz") && e.contains("H2 has shape 3 × 5") && e.contains("X is 4 × 5"),
        "{e}"
    );
}

fn claim_error(id: &str, set: &[(&str, &str)]) -> String {
    let claim = HadamardFamily
        .claims()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    let mut params = (claim.defaults)();
    for (k, v) in set {
        if let Err(e) = params.set(k, v) {
            return e.to_string();
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut ctx = ClaimCtx::new(id, 0, 1.0, &pool);
    let e = (claim.run)(&params, &mut ctx)
        .err()
        .expect("must fail")
        .to_string();
    assert!(
        ctx.into_runs().is_empty(),
        "{id}: nothing may run before validation"
    );
    assert!(!e.contains('\n'), "{e}");
    e
}

#[test]
fn claim_parameters_out_of_their_domain_are_errors_before_anything_runs() {
    let e = claim_error("HD-1", &[("r", "0")]);
    assert_eq!(e, "invalid r: must be >= 1, got 0");
    let e = claim_error("HD-1", &[("r", "101")]);
    assert!(
        e.starts_with("invalid r:") && e.contains("choose r <= 100"),
        "{e}"
    );
    let e = claim_error("HD-1", &[("rank", "200")]);
    assert!(e.starts_with("invalid rank:"), "{e}");
    let e = claim_error("HD-1", &[("beta0", "1.5")]);
    assert!(
        e.starts_with("invalid beta0:") && e.contains("[0, 1]"),
        "{e}"
    );
    let e = claim_error("HD-2", &[("r_b", "[6, 120]")]);
    assert!(
        e.starts_with("invalid r_b:") && e.contains("choose r <= 100"),
        "{e}"
    );
    let e = claim_error("HD-3", &[("gaussian_factors", "2")]);
    assert!(e.starts_with("invalid gaussian_factors:"), "{e}");
    let e = claim_error("HD-3", &[("gd_eta", "0")]);
    assert!(e.starts_with("invalid gd_eta:"), "{e}");
}

fn bits(r: &RunResult) -> Vec<(u64, u64, Vec<u64>)> {
    r.trace
        .rows
        .iter()
        .map(|row| {
            (
                row.iter,
                row.work,
                row.values.iter().map(|x| x.to_bits()).collect(),
            )
        })
        .collect()
}

#[test]
fn results_do_not_depend_on_jobs_or_threads_per_run() {
    let data = DataDirs::default();
    let p = part("k_data = [\"product\"]\nseeds = 2\nm = 40\nn = 30\nproduct_rank = 3\nproduct_r = [3]\nk_ranks = [[2, 3], [3, 2]]", &data).unwrap();
    assert_eq!(p.cases.len(), 2 * 4 + 2 * 3);
    let run_all = |jobs: usize, threads: usize| -> Vec<RunResult> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .unwrap();
        pool.install(|| {
            use rayon::prelude::*;
            p.cases
                .par_iter()
                .map(|c| run(c.as_ref(), threads))
                .collect()
        })
    };
    let (a, b, c) = (run_all(1, 1), run_all(2, 1), run_all(1, 2));
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert_eq!(x.record.run_id, y.record.run_id);
        assert!(
            bits(x) == bits(y),
            "{} differs between 1 and 2 jobs",
            x.record.run_id
        );
        assert!(
            bits(x) == bits(z),
            "{} differs between 1 and 2 threads per run",
            x.record.run_id
        );
    }
}
