//! Factored runs end to end through the harness: sensing smoke tests, the suite section's
//! overrides and validation, and determinism across `--jobs`.

use ratebench_core::{Sampling, StopRule};
use ratebench_family_factored::case::{CaseSpec, FactoredCase, Instance, Method};
use ratebench_family_factored::FactoredFamily;
use ratebench_harness::case::{run_case, Case, RunContext, RunEnv};
use ratebench_harness::data::DataDirs;
use ratebench_harness::family::{Family, SuiteEnv};
use ratebench_harness::results::RunResult;
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric};
use ratebench_sensing::{Noise, SensingSpec};

fn spec(inst: &Instance, method: Method, k: usize, init: InitSpec, iters: u64) -> CaseSpec {
    CaseSpec {
        label: "smoke".into(),
        instance: inst.clone(),
        method,
        k,
        init,
        metrics: vec![LowRankMetric::RelErr],
        primary: LowRankMetric::RelErr,
        stop: StopRule::max_iter(iters)
            .with_target("rel_err", 1e-12)
            .with_divergence("rel_err", 1e3),
        sampling: Sampling::Every(1),
        rep: 0,
    }
}

fn run(case: &dyn Case) -> RunResult {
    let ctx = RunContext {
        env: RunEnv {
            group: "smoke",
            base_seed: 0,
            threads: 1,
        },
        calib_s: 1.0,
        parallel: false,
    };
    run_case(case, &ctx).unwrap()
}

fn final_err(r: &RunResult) -> f64 {
    r.trace.last("rel_err").unwrap()
}

#[test]
fn scaledgd_lambda_and_spectral_gd_converge_in_sensing() {
    let s = SensingSpec {
        n: 10,
        r: 2,
        kappa: 10.0,
        m: 3000,
        ..Default::default()
    };
    let inst = Instance::generate_sensing(&s, 0, "smoke", 0).unwrap();
    assert!(inst.spec.contains("rip_diagnostic"));
    let small = InitSpec::symmetric(1e-8, InitScaling::SqrtN);
    let sgd = Method::ScaledGd {
        eta: 0.5,
        lambda: 0.1,
    };
    let r = run(&FactoredCase::new(spec(&inst, sgd, 4, small, 600)).unwrap());
    assert_eq!(r.record.status, "converged", "{}", final_err(&r));
    let gd = Method::Gd { eta: 0.5 };
    let r = run(&FactoredCase::new(spec(&inst, gd, 2, InitSpec::spectral(false), 3000)).unwrap());
    assert_eq!(r.record.status, "converged", "{}", final_err(&r));
    assert!(r.record.init_s > 0.0, "the spectral init is timed");
}

#[test]
fn subgm_beats_l2_gd_under_outliers() {
    let s = SensingSpec {
        n: 10,
        spectrum: Some(vec![1.0, 0.5]),
        m: 2000,
        normalized: false,
        noise: Noise::Outliers {
            p: 0.2,
            scale: 10.0,
        },
        ..Default::default()
    };
    let inst = Instance::generate_sensing(&s, 0, "smoke", 0).unwrap();
    let init = InitSpec::symmetric(1e-4, InitScaling::SqrtN);
    let subgm = Method::SubGm {
        eta0: 0.3,
        rho: 0.985,
    };
    let sub = run(&FactoredCase::new(spec(&inst, subgm, 10, init.clone(), 1500)).unwrap());
    let l2 =
        run(&FactoredCase::new(spec(&inst, Method::L2Gd { eta: 0.05 }, 10, init, 1500)).unwrap());
    assert!(
        final_err(&sub) < 1e-5,
        "SubGM final error {}",
        final_err(&sub)
    );
    assert!(final_err(&l2) > 0.1, "ℓ₂-GD final error {}", final_err(&l2));
}

fn env(data: &DataDirs) -> SuiteEnv<'_> {
    SuiteEnv {
        base_seed: 0,
        data,
        seeds: None,
    }
}

#[test]
fn suite_overrides_are_checked_and_hyper_parameters_are_fields() {
    let data = DataDirs::default();
    let table: toml::Table =
        "n = 30\nkappa = [10.0]\nseeds = 1\nsensing_m = 0\noutliers_p = 0.0\nsubgm_rho = 0.98"
            .parse()
            .unwrap();
    let part = FactoredFamily
        .suite("quick", Some(&table), &env(&data))
        .unwrap();
    assert_eq!(part.cases.len(), 2 * 4, "1 κ × 1 seed × 2 k × 4 methods");
    let bad: toml::Table = "nn = 3".parse().unwrap();
    let e = FactoredFamily
        .suite("quick", Some(&bad), &env(&data))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("[factored]") && e.contains("unknown field") && e.contains("nn"),
        "{e}"
    );
    let bad: toml::Table = "methods = [\"newton\"]".parse().unwrap();
    let e = FactoredFamily
        .suite("quick", Some(&bad), &env(&data))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("newton") && e.contains("scaledgd-lambda"), "{e}");
    let bad: toml::Table = "subgm_rho = 1.5".parse().unwrap();
    let e = FactoredFamily
        .suite("quick", Some(&bad), &env(&data))
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("invalid subgm_rho"), "{e}");
}

#[test]
fn a_missing_builtin_data_file_is_skipped_with_the_paths_tried() {
    let dir = std::env::temp_dir().join(format!("ratebench-nodata-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = DataDirs {
        explicit: Some(dir.clone()),
    };
    let table: toml::Table =
        "kappa = [10.0]\nseeds = 1\nsensing_m = 0\noutliers_p = 0.0\nreal_data = \"no_such.npy\""
            .parse()
            .unwrap();
    // Named by the user: an error.
    let e = FactoredFamily
        .suite("quick", Some(&table), &env(&data))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("no_such.npy") && e.contains(&dir.display().to_string()),
        "{e}"
    );
    // Built into a suite: skipped, with the paths tried.
    let section = ratebench_family_factored::suite::FactoredSection {
        real_data: Some("no_such.npy".into()),
        kappa: vec![10.0],
        seeds: 1,
        sensing_m: 0,
        outliers_p: 0.0,
        ..Default::default()
    };
    let part = section.part(&env(&data), "suite:quick", false).unwrap();
    assert_eq!(part.cases.len(), 8);
    assert!(
        part.skipped[0].contains("no_such.npy") && part.skipped[0].contains("tried"),
        "{:?}",
        part.skipped
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn bits(r: &RunResult) -> Vec<(u64, Vec<u64>)> {
    r.trace
        .rows
        .iter()
        .map(|row| (row.iter, row.values.iter().map(|x| x.to_bits()).collect()))
        .collect()
}

#[test]
fn suite_results_do_not_depend_on_jobs() {
    let data = DataDirs::default();
    let table: toml::Table =
        "n = 20\nr = 2\nkappa = [10.0]\nk = [2, 4]\nseeds = 2\nmax_iter = 300\nsensing_m = 100\nsensing_kappa = [10.0]\nsensing_k = [2]\nsensing_max_iter = 50\noutliers_m = 100\nrobust_iters = 100"
            .parse()
            .unwrap();
    let part = FactoredFamily
        .suite("quick", Some(&table), &env(&data))
        .unwrap();
    assert_eq!(part.cases.len(), 16 + 2 * 4 + 2 * 2);
    let run_all = |jobs: usize| -> Vec<RunResult> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .unwrap();
        pool.install(|| {
            use rayon::prelude::*;
            part.cases.par_iter().map(|c| run(c.as_ref())).collect()
        })
    };
    let (a, b) = (run_all(1), run_all(2));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.record.run_id, y.record.run_id);
        assert!(
            bits(x) == bits(y),
            "trace of {} differs between 1 and 2 jobs",
            x.record.run_id
        );
    }
}
