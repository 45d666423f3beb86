//! End-to-end tests of the `ratebench` binary: exit codes, one-line errors, result files.

use faer::Mat;
use ratebench_core::npy::{write_npz, Entry};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ratebench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ratebench"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Bad input: exit code 2 and exactly one line on stderr that names `needle`.
fn assert_bad_input(args: &[&str], needle: &str) {
    let out = ratebench(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with('[')).collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got {err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(needle),
        "{args:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// A NumPy v1.0 `.npy` file with the given descr, shape and raw little-endian payload.
fn write_npy(path: &Path, descr: &str, shape: &[usize], payload: &[u8]) {
    let shape_txt = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_txt}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(payload);
    std::fs::write(path, bytes).unwrap();
}

fn f64_payload(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A tiny suite config pointing at a real-data file.
fn suite_config(dir: &Path, real: Option<&Path>) -> PathBuf {
    let mut text = "[factored]\nn = 12\nr = 2\nkappa = [10.0]\nk = [2]\nseeds = 1\nmax_iter = 200\nmethods = [\"gd\", \"scaledgd-lambda\"]\nsensing_m = 0\noutliers_p = 0.0\n".to_string();
    if let Some(p) = real {
        text.push_str(&format!(
            "real_data = {:?}\nreal_k = 2\nreal_max_iter = 50\n",
            s(p)
        ));
    }
    let path = dir.join("suite.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_parameters_give_one_line_errors() {
    let d = tmp();
    let out = d.path().join("out");
    let o = s(&out);
    assert_bad_input(&["check", "LR-99", "--out", o], "LR-99");
    // (claim, override, what the one-line error must name)
    let cases = [
        ("LR-1", "kapa=3", "kapa"),
        ("LR-1", "n=abc", "invalid n"),
        ("LR-1", "kappa=0.5", "kappa"),
        ("LR-1", "r=30", "r = 30 exceeds n = 20"),
        ("LR-2", "k=0", "invalid k"),
        ("LR-2", "eta=0", "invalid eta"),
        ("LR-2", "eta=-0.1", "invalid eta"),
        ("LR-2", "alpha=0", "invalid alpha"),
    ];
    for (claim, set, needle) in cases {
        assert_bad_input(&["check", claim, "--set", set, "--out", o], needle);
    }
    assert_bad_input(&["run", "nosuch", "--out", o], "suite 'nosuch'");
    assert!(
        !out.join("claims.json").exists(),
        "nothing is written on bad input"
    );
}

#[test]
fn bad_files_give_one_line_errors() {
    let d = tmp();
    let out = d.path().join("out");
    let o = s(&out);
    let bad_toml = d.path().join("bad.toml");
    std::fs::write(&bad_toml, "[suite\nn = ").unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&bad_toml),
            "--out",
            o,
        ],
        "malformed TOML",
    );
    assert_bad_input(
        &["check", "LR-2", "--config", s(&bad_toml), "--out", o],
        "malformed TOML",
    );
    let unknown = d.path().join("unknown.toml");
    std::fs::write(&unknown, "[factored]\nnn = 3\n").unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&unknown),
            "--out",
            o,
        ],
        "unknown field",
    );
    std::fs::write(&unknown, "[suite]\nn = 3\n").unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&unknown),
            "--out",
            o,
        ],
        "[suite] is not a family",
    );

    let missing = d.path().join("missing.npy");
    let cfg = suite_config(d.path(), Some(&missing));
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o,
        ],
        "does not exist",
    );
    let int = d.path().join("int.npy");
    write_npy(&int, "<i8", &[2, 2], &[0u8; 32]);
    let cfg = suite_config(d.path(), Some(&int));
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o,
        ],
        "expected float64",
    );
    let flat = d.path().join("flat.npy");
    write_npy(&flat, "<f8", &[4], &f64_payload(&[1.0, 2.0, 3.0, 4.0]));
    let cfg = suite_config(d.path(), Some(&flat));
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o,
        ],
        "expected a 2-D matrix",
    );
    let nan = d.path().join("nan.npy");
    write_npy(
        &nan,
        "<f8",
        &[2, 2],
        &f64_payload(&[1.0, f64::NAN, 0.0, 1.0]),
    );
    let cfg = suite_config(d.path(), Some(&nan));
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o,
        ],
        "NaN",
    );

    // An output "directory" that is a file cannot be written.
    let file = d.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert_bad_input(
        &["check", "LR-10", "--out", s(&file.join("sub"))],
        "choose a writable --out",
    );
}

#[test]
fn earlier_results_survive_a_bad_invocation() {
    let d = tmp();
    let o = s(d.path());
    assert_eq!(
        ratebench(&["check", "LR-10", "--out", o]).status.code(),
        Some(0)
    );
    let before = std::fs::read(d.path().join("claims.json")).unwrap();
    assert_bad_input(&["check", "LR-10", "--set", "eta=-1", "--out", o], "eta");
    assert_eq!(std::fs::read(d.path().join("claims.json")).unwrap(), before);
}

#[test]
fn a_failing_claim_exits_1_and_is_recorded() {
    let d = tmp();
    let out = ratebench(&[
        "check",
        "LR-3",
        "--set",
        "alpha=[0.8,0.4,0.2]",
        "--out",
        s(d.path()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let claims = std::fs::read_to_string(d.path().join("claims.json")).unwrap();
    assert!(claims.contains("\"outcome\": \"fail\""));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
}

#[test]
fn traces_are_bit_identical_for_any_jobs() {
    let (a, b) = (tmp(), tmp());
    for (dir, jobs) in [(&a, "1"), (&b, "2")] {
        let out = ratebench(&[
            "check",
            "LR-2",
            "LR-7",
            "--jobs",
            jobs,
            "--out",
            s(dir.path()),
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    // Everything but the measured wall time must agree to the last printed digit
    // (csv prints the shortest representation that round-trips, so equal text = equal bits).
    let read = |d: &tempfile::TempDir| -> Vec<String> {
        let text = std::fs::read_to_string(d.path().join("traces.csv")).unwrap();
        text.lines()
            .map(|l| {
                // run_id, iter, work, (time_s), metric, value
                let c: Vec<&str> = l.split(',').collect();
                format!("{},{},{},{},{}", c[0], c[1], c[2], c[4], c[5])
            })
            .collect()
    };
    let (ta, tb) = (read(&a), read(&b));
    assert!(ta.len() > 1000);
    assert!(ta == tb, "traces.csv differs between --jobs 1 and --jobs 2");
}

#[test]
fn suite_run_report_and_compare() {
    let d = tmp();
    let cfg = suite_config(d.path(), None);
    let base = d.path().join("base");
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(&base),
        "--report",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_to_string(base.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    for col in [
        "run_id",
        "family",
        "algorithm",
        "status",
        "iters",
        "work",
        "init_s",
        "time_s",
        "parallel",
        "threads",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "runs.csv lacks {col}: {header}"
        );
    }
    assert_eq!(runs.lines().count(), 3, "{runs}");
    assert!(std::fs::read_to_string(base.join("traces.csv"))
        .unwrap()
        .starts_with("run_id,iter,work,time_s,metric,value"));
    let hits = std::fs::read_to_string(base.join("hits.csv")).unwrap();
    assert!(
        hits.starts_with("run_id,metric,tol,iters,work,time_s"),
        "{hits}"
    );
    assert!(hits.contains(",rel_err,0.001,"), "{hits}");
    assert!(base.join("report/index.html").exists());
    let manifest = std::fs::read_to_string(base.join("manifest.json")).unwrap();
    assert!(manifest.contains("git_commit") && manifest.contains("calib_s"));
    assert!(
        manifest.contains("\"catalogue\"") && manifest.contains("relative error"),
        "the metric catalogue is in the manifest"
    );

    // Same results: no regression. Doubled iteration counts: regression, exit 1.
    let same = ratebench(&["compare", s(&base), s(&base)]);
    assert_eq!(same.status.code(), Some(0));
    let worse = d.path().join("worse");
    std::fs::create_dir_all(&worse).unwrap();
    std::fs::copy(base.join("runs.csv"), worse.join("runs.csv")).unwrap();
    let mut rdr = csv::Reader::from_path(base.join("hits.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "iters").unwrap();
    let mut w = csv::Writer::from_path(worse.join("hits.csv")).unwrap();
    w.write_record(&headers).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let row: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == col && !v.is_empty() {
                    (v.parse::<u64>().unwrap() * 2).to_string()
                } else {
                    v.to_string()
                }
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    let reg = ratebench(&["compare", s(&base), s(&worse)]);
    assert_eq!(reg.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&reg.stdout).contains("REGRESSION"));
}

#[test]
fn export_writes_an_npz() {
    let d = tmp();
    let path = d.path().join("inst.npz");
    let out = ratebench(&[
        "export",
        "lowrank",
        "--set",
        "n=8",
        "--set",
        "r=2",
        "--set",
        "kappa=4",
        "--out",
        s(&path),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut npz = npyz::npz::NpzArchive::open(&path).unwrap();
    let m = npz.by_name("M").unwrap().unwrap();
    assert_eq!(m.shape(), &[8, 8]);
    let m: Vec<f64> = m.into_vec().unwrap();
    let x = npz.by_name("X_star").unwrap().unwrap();
    assert_eq!(x.shape(), &[8, 2]);
    let x: Vec<f64> = x.into_vec().unwrap();
    // C order: M[i][j] = Σ_l X[i][l] X[j][l].
    for i in 0..8 {
        for j in 0..8 {
            let xx: f64 = (0..2).map(|l| x[i * 2 + l] * x[j * 2 + l]).sum();
            assert!((m[i * 8 + j] - xx).abs() < 1e-12);
        }
    }
    assert_bad_input(
        &["export", "lowrank", "--set", "kappa=0", "--out", s(&path)],
        "kappa",
    );
    assert_bad_input(&["export", "nosuch", "--out", s(&path)], "nosuch");
}

/// A sensing `.npz` with arrays A (m × n²), y (m), M (n × n), as NumPy would write it.
fn write_sensing_npz(
    path: &Path,
    m: usize,
    n: usize,
    a_cols: usize,
    y_len: usize,
    bad_value: bool,
) {
    let a = Mat::from_fn(m, a_cols, |i, j| {
        if bad_value && i == 0 && j == 3 {
            f64::NAN
        } else {
            (((i * a_cols + j) * 7919) % 13) as f64 - 6.0
        }
    });
    let y = vec![0.5; y_len];
    let id = Mat::<f64>::identity(n, n);
    write_arrays(path, &a, &y, &id);
}

/// An `.npz` with arrays A, y, M (as NumPy's `np.savez` writes them).
fn write_arrays(path: &Path, a: &Mat<f64>, y: &[f64], m: &Mat<f64>) {
    write_npz(
        path,
        &[
            ("A", Entry::Matrix(a.as_ref())),
            ("y", Entry::Vector(y)),
            ("M", Entry::Matrix(m.as_ref())),
        ],
    )
    .unwrap();
}

#[test]
fn sensing_npz_instances_run_and_bad_ones_are_refused() {
    let d = tmp();
    let inst = d.path().join("sens.npz");
    let out = ratebench(&[
        "export",
        "sensing",
        "--set",
        "n=6",
        "--set",
        "r=2",
        "--set",
        "m=400",
        "--out",
        s(&inst),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let cfg = d.path().join("npz.toml");
    let text = format!(
        "[factored]\nn = 8\nr = 2\nkappa = [10.0]\nk = [2]\nseeds = 1\nmax_iter = 20\nmethods = [\"scaledgd-lambda\"]\nsensing_m = 0\noutliers_p = 0.0\nsensing_k = [2]\nsensing_max_iter = 400\nsensing_npz = {:?}\n",
        s(&inst)
    );
    std::fs::write(&cfg, text).unwrap();
    let res = d.path().join("res");
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(&res),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_to_string(res.join("runs.csv")).unwrap();
    let npz_row = runs
        .lines()
        .find(|l| l.contains("sens.npz"))
        .expect("a run on the npz instance");
    assert!(
        npz_row.contains(",factored,") && npz_row.contains("converged"),
        "{npz_row}"
    );

    for (name, m, a_cols, y_len, bad, needle) in [
        ("cols.npz", 20, 15, 20, false, "expected n² = 16"),
        ("ylen.npz", 20, 16, 19, false, "to match A's m = 20"),
        ("nan.npz", 20, 16, 20, true, "must be finite"),
    ] {
        let p = d.path().join(name);
        write_sensing_npz(&p, m, 4, a_cols, y_len, bad);
        std::fs::write(
            &cfg,
            format!(
                "[factored]\nsensing_m = 0\noutliers_p = 0.0\nsensing_npz = {:?}\n",
                s(&p)
            ),
        )
        .unwrap();
        assert_bad_input(
            &[
                "run",
                "quick",
                "--family",
                "factored",
                "--config",
                s(&cfg),
                "--out",
                s(&res),
            ],
            needle,
        );
    }
    std::fs::write(&cfg, "[factored]\nsensing_m = 4000000\nsensing_n = 400\n").unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            s(&res),
        ],
        "memory limit of 8.00 GiB",
    );
    std::fs::write(&cfg, "[factored]\nsensing_m = 20000\nsensing_n = 100\n").unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            s(&res),
            "--memory-limit-gib",
            "0.01",
        ],
        "memory limit of 0.01 GiB",
    );
}

#[test]
fn export_sensing_writes_operator_and_measurements() {
    let d = tmp();
    let path = d.path().join("sens.npz");
    let out = ratebench(&[
        "export",
        "sensing",
        "--set",
        "n=4",
        "--set",
        "r=1",
        "--set",
        "m=30",
        "--out",
        s(&path),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut npz = npyz::npz::NpzArchive::open(&path).unwrap();
    let read = |npz: &mut npyz::npz::NpzArchive<std::io::BufReader<std::fs::File>>,
                name: &str|
     -> (Vec<u64>, Vec<f64>) {
        let a = npz.by_name(name).unwrap().unwrap();
        (a.shape().to_vec(), a.into_vec().unwrap())
    };
    let (sa, a) = read(&mut npz, "A");
    let (sy, y) = read(&mut npz, "y");
    let (_, m) = read(&mut npz, "M");
    assert_eq!((sa, sy), (vec![30, 16], vec![30]));
    // Noiseless, NumPy's convention (no 1/√m): y = A @ M.reshape(-1).
    for i in 0..30 {
        let ai: f64 = (0..16).map(|q| a[i * 16 + q] * m[q]).sum();
        assert!((ai - y[i]).abs() < 1e-12);
    }
    assert_bad_input(
        &["export", "sensing", "--set", "m=0", "--out", s(&path)],
        "invalid m",
    );
    assert_bad_input(
        &["export", "sensing", "--set", "p=1.5", "--out", s(&path)],
        "invalid p",
    );
}

#[test]
fn help_is_available_for_every_command() {
    for cmd in [
        "list",
        "check",
        "run",
        "report",
        "compare",
        "export",
        "bench-all",
        "kernels",
    ] {
        let out = ratebench(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{cmd}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage:"),
            "{cmd}"
        );
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn predictions_follow_the_parameters() {
    // The README's example: λ = 0.5σ_min gives ρ = 1 − 2ησ_min/(σ_min + λ) = 1/3.
    let d = tmp();
    let out = ratebench(&["check", "LR-1", "--set", "lambda=0.5", "--out", s(d.path())]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let claims = std::fs::read_to_string(d.path().join("claims.json")).unwrap();
    assert!(
        claims.contains("|ρ̂ − 0.3333| < 0.03"),
        "predicted 1/3 from λ = 0.5"
    );
}

#[test]
fn comparisons_across_one_value_are_bad_input() {
    let d = tmp();
    let o = s(d.path());
    for (claim, set) in [
        ("LR-1", "kappa=100"),
        ("MS-1", "kappa=[10]"),
        ("LR-3", "alpha=0.08"),
        ("LR-4", "alpha=0.08"),
        ("LR-5", "alpha=[1e-3]"),
        ("LR-6", "alpha=1e-3"),
    ] {
        assert_bad_input(
            &["check", claim, "--set", set, "--out", o],
            "at least 2 distinct values",
        );
    }
    // A criterion judged per value still accepts one value (LR-2's slope for each k).
    let out = ratebench(&["check", "LR-2", "--set", "k=[4]", "--out", o]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The 1/T law needs surplus columns.
    assert_bad_input(&["check", "LR-2", "--set", "k=[2]", "--out", o], "k > r");
    // Tolerances are the claim's, not parameters.
    assert_bad_input(
        &["check", "LR-7", "--set", "tol=1", "--out", o],
        "unknown for this claim",
    );
}

#[test]
fn negative_controls_fail_and_are_listed() {
    let d = tmp();
    let out = ratebench(&["check", "LR-10", "--negative-control", "--out", s(d.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL") && text.contains("max_t ‖S_t‖₂"),
        "{text}"
    );
    let claims = std::fs::read_to_string(d.path().join("claims.json")).unwrap();
    assert!(claims.contains("\"negative_control\": true"));
    let list = stdout(&ratebench(&["list", "claims", "--params"]));
    assert!(
        list.contains("negative control (check LR-10 --negative-control): k=4"),
        "{list}"
    );
    assert_bad_input(
        &[
            "check",
            "LR-10",
            "--negative-control",
            "--set",
            "k=3",
            "--out",
            s(d.path()),
        ],
        "--negative-control",
    );
}

#[test]
fn lists_name_every_algorithm_family_and_metric() {
    let algs = stdout(&ratebench(&["list", "algorithms"]));
    for a in [
        "gd",
        "scaledgd-lambda",
        "precgd",
        "subgm",
        "l2-gd",
        "gd-asym-rebalanced",
    ] {
        assert!(
            algs.lines().any(|l| l.starts_with(&format!("{a} "))),
            "{a}: {algs}"
        );
    }
    assert!(stdout(&ratebench(&["list", "families"])).contains("factored"));
    assert!(stdout(&ratebench(&["list", "metrics"])).contains("rel_err"));
    assert!(stdout(&ratebench(&["list", "suites"])).contains("[factored]"));
}

/// A small two-κ factorization sweep (16 runs) whose runs take a little while each.
fn sweep_config(dir: &Path) -> PathBuf {
    let path = dir.join("sweep.toml");
    std::fs::write(
        &path,
        "[factored]\nn = 40\nr = 3\nkappa = [10.0, 100.0]\nk = [3, 6]\nseeds = 2\nmax_iter = 4000\nsensing_m = 0\noutliers_p = 0.0\n",
    )
    .unwrap();
    path
}

#[test]
fn filter_matches_algorithm_and_case() {
    let d = tmp();
    let cfg = sweep_config(d.path());
    let out = d.path().join("f");
    let r = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--filter",
        "scaledgd-lambda",
        "--out",
        s(&out),
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 8, "{runs}");
    assert!(runs.lines().skip(1).all(|l| l.contains("scaledgd-lambda")));
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--filter",
            "nomatch",
            "--out",
            s(&out),
        ],
        "matches no run",
    );
}

#[test]
fn check_and_run_keep_each_others_results() {
    let d = tmp();
    let o = s(d.path());
    let cfg = suite_config(d.path(), None);
    assert_eq!(
        ratebench(&["check", "LR-10", "--out", o]).status.code(),
        Some(0)
    );
    assert_eq!(
        ratebench(&[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o
        ])
        .status
        .code(),
        Some(0)
    );
    let runs = std::fs::read_to_string(d.path().join("runs.csv")).unwrap();
    assert!(
        runs.contains("LR-10/") && runs.contains("suite:quick/"),
        "{runs}"
    );
    assert!(std::fs::read_to_string(d.path().join("claims.json"))
        .unwrap()
        .contains("LR-10"));
    assert_eq!(
        ratebench(&["check", "LR-7", "--out", o]).status.code(),
        Some(0)
    );
    let runs = std::fs::read_to_string(d.path().join("runs.csv")).unwrap();
    assert!(runs.contains("LR-7/") && runs.contains("LR-10/") && runs.contains("suite:quick/"));
}

#[test]
fn breakdowns_are_recorded_and_errors_make_run_exit_nonzero() {
    let d = tmp();
    // ScaledGD (λ = 0) from the spectral start of sensing at k = n: A*(y) has negative
    // eigenvalues, so the start has zero columns, XᵀX is singular: the method breaks down,
    // which is its outcome, not a failure of the run.
    let cfg = d.path().join("err.toml");
    std::fs::write(
        &cfg,
        "[factored]\nn = 12\nr = 2\nkappa = [10.0]\nk = [2]\nseeds = 1\nmax_iter = 50\nmethods = [\"scaledgd\"]\nsensing_m = 200\nsensing_n = 6\nsensing_kappa = [10.0]\nsensing_k = [6]\noutliers_p = 0.0\n",
    )
    .unwrap();
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(d.path()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("breakdown: suite:quick/"),
        "{}",
        stdout(&out)
    );
    let runs = std::fs::read_to_string(d.path().join("runs.csv")).unwrap();
    assert!(runs.contains(",breakdown,"), "{runs}");
    // A spectral start of rank 8 on a 6 × 6 instance is invalid: the run ends in error,
    // `run` exits 1 and names it.
    let inst = d.path().join("s.npz");
    let exported = ratebench(&[
        "export",
        "sensing",
        "--set",
        "n=6",
        "--set",
        "m=100",
        "--out",
        s(&inst),
    ]);
    assert_eq!(exported.status.code(), Some(0));
    std::fs::write(
        &cfg,
        format!("[factored]\nkappa = [10.0]\nk = [2]\nseeds = 1\nmax_iter = 5\nmethods = [\"scaledgd\"]\nsensing_m = 0\noutliers_p = 0.0\nsensing_k = [8]\nsensing_npz = {:?}\n", s(&inst)),
    )
    .unwrap();
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(d.path()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("error: suite:quick/s.npz,k=8/scaledgd/s0"),
        "{text}"
    );
}

#[test]
fn real_data_problems_are_reported_not_panics() {
    let d = tmp();
    let o = s(d.path());
    // A 3×3 matrix has at most 3 nonzero singular values; the default real_k is 8.
    let small = d.path().join("small.npy");
    write_npy(
        &small,
        "<f8",
        &[3, 3],
        &f64_payload(&[1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0]),
    );
    let cfg = d.path().join("small.toml");
    std::fs::write(&cfg, format!("[factored]\nkappa = [10.0]\nseeds = 1\nsensing_m = 0\noutliers_p = 0.0\nreal_data = {:?}\n", s(&small))).unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o,
        ],
        "choose real_k ≤ 3",
    );
    // A bare file name is searched in the data directories (here: --data-dir).
    std::fs::write(&cfg, "[factored]\nkappa = [10.0]\nseeds = 1\nsensing_m = 0\noutliers_p = 0.0\nreal_data = \"small.npy\"\nreal_k = 2\nreal_max_iter = 5\n").unwrap();
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--data-dir",
        s(d.path()),
        "--out",
        o,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An .npz whose M is zero has nothing to recover.
    let zero = d.path().join("zero.npz");
    let text = "[factored]\nsensing_m = 0\noutliers_p = 0.0\nsensing_npz = \"ZERO\"\n"
        .replace("ZERO", s(&zero));
    write_zero_m_npz(&zero);
    std::fs::write(&cfg, text).unwrap();
    assert_bad_input(
        &[
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            o,
        ],
        "'M' is all zero",
    );
    // An instance too large for memory is refused before allocating.
    assert_bad_input(
        &["check", "LR-1", "--set", "n=100000", "--out", o],
        "memory limit",
    );
}

fn write_zero_m_npz(path: &Path) {
    let a = Mat::from_fn(20, 16, |i, j| ((i * 16 + j) % 7) as f64);
    write_arrays(path, &a, &[0.0; 20], &Mat::zeros(4, 4));
}

#[test]
fn a_numpy_sensing_npz_converges() {
    // Written as a NumPy user would: raw GOE A_i = (G + Gᵀ)/2, y = A @ M.reshape(-1), no 1/√m.
    use ratebench_core::rng::{gaussian_mat, SeedPath};
    let (n, m) = (6usize, 600usize);
    let mut rng = SeedPath::new(3).stream("numpy");
    let u = gaussian_mat(&mut rng, n, 2);
    let mm = &u * u.transpose();
    let mut a = vec![0.0; m * n * n];
    for i in 0..m {
        let g = gaussian_mat(&mut rng, n, n);
        for j in 0..n {
            for l in 0..n {
                a[i * n * n + j * n + l] = 0.5 * (g[(j, l)] + g[(l, j)]);
            }
        }
    }
    let y: Vec<f64> = (0..m)
        .map(|i| {
            (0..n * n)
                .map(|q| a[i * n * n + q] * mm[(q / n, q % n)])
                .sum()
        })
        .collect();
    let d = tmp();
    let path = d.path().join("np.npz");
    let a = Mat::from_fn(m, n * n, |i, q| a[i * n * n + q]);
    write_arrays(&path, &a, &y, &mm);
    let cfg = d.path().join("np.toml");
    std::fs::write(&cfg, format!("[factored]\nkappa = [10.0]\nk = [2]\nseeds = 1\nmax_iter = 10\nmethods = [\"gd\"]\nsensing_m = 0\noutliers_p = 0.0\nsensing_k = [2]\nsensing_max_iter = 3000\nsensing_npz = {:?}\n", s(&path))).unwrap();
    let res = d.path().join("res");
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(&res),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_to_string(res.join("runs.csv")).unwrap();
    let row = runs
        .lines()
        .find(|l| l.contains("np.npz"))
        .expect("npz run");
    assert!(row.contains("converged"), "{row}");
}

/// The columns of a result file except measured times.
fn timeless(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    let keep: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !["time_s", "init_s", "calib_s", "parallel"].contains(h))
        .map(|(i, _)| i)
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            keep.iter()
                .map(|&i| rec[i].to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let d = tmp();
    let cfg = sweep_config(d.path());
    let full = d.path().join("full");
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(&full),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cut = d.path().join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ratebench"))
        .args([
            "run",
            "quick",
            "--family",
            "factored",
            "--config",
            s(&cfg),
            "--out",
            s(&cut),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let runs = cut.join("runs.csv");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::fs::read_to_string(&runs).map_or(0, |t| t.lines().count()) < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the sweep never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup runs
    child.wait().unwrap();
    let done = std::fs::read_to_string(&runs).unwrap().lines().count() - 1;
    assert!(done < 16, "killed mid-way ({done} of 16 runs complete)");
    let out = ratebench(&[
        "run",
        "quick",
        "--family",
        "factored",
        "--config",
        s(&cfg),
        "--out",
        s(&cut),
        "--resume",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains(&format!("{done} kept")),
        "{}",
        stdout(&out)
    );
    for file in ["runs.csv", "traces.csv", "hits.csv"] {
        assert!(
            timeless(&full.join(file)) == timeless(&cut.join(file)),
            "{file} differs between the uninterrupted and the resumed sweep"
        );
    }
}
