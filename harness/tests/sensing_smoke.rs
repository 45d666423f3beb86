//! Sensing runs end to end through the runner: ScaledGD(λ) converges linearly, SubGM
//! tolerates outliers where ℓ₂-GD does not.

use ratebench_core::{Sampling, StopRule};
use ratebench_harness::lowrank::{run_case, Instance, LowRankCase, Method};
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric};
use ratebench_sensing::{Noise, SensingSpec};

fn case(inst: &Instance, method: Method, k: usize, init: InitSpec, iters: u64) -> LowRankCase {
    LowRankCase {
        case: "smoke".into(),
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

#[test]
fn scaledgd_lambda_and_spectral_gd_converge_in_sensing() {
    let spec = SensingSpec {
        n: 10,
        r: 2,
        kappa: 10.0,
        m: 3000,
        ..Default::default()
    };
    let inst = Instance::generate_sensing(&spec, 0, "smoke", 0).unwrap();
    assert!(inst.spec.contains("rip_diagnostic"));
    let small = InitSpec::symmetric(1e-8, InitScaling::SqrtN);
    let r = run_case(
        &case(
            &inst,
            Method::ScaledGd {
                eta: 0.5,
                lambda: 0.1,
            },
            4,
            small,
            600,
        ),
        "smoke",
        0,
        1.0,
    )
    .unwrap();
    assert_eq!(
        r.record.status,
        "converged",
        "{:?}",
        r.trace.last("rel_err")
    );
    let r = run_case(
        &case(
            &inst,
            Method::Gd { eta: 0.5 },
            2,
            InitSpec::spectral(false),
            3000,
        ),
        "smoke",
        0,
        1.0,
    )
    .unwrap();
    assert_eq!(
        r.record.status,
        "converged",
        "{:?}",
        r.trace.last("rel_err")
    );
}

#[test]
fn subgm_beats_l2_gd_under_outliers() {
    let spec = SensingSpec {
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
    let inst = Instance::generate_sensing(&spec, 0, "smoke", 0).unwrap();
    let init = InitSpec::symmetric(1e-4, InitScaling::SqrtN);
    let sub = run_case(
        &case(
            &inst,
            Method::SubGm {
                eta0: 0.3,
                rho: 0.985,
            },
            10,
            init.clone(),
            1500,
        ),
        "smoke",
        0,
        1.0,
    )
    .unwrap();
    let l2 = run_case(
        &case(&inst, Method::L2Gd { eta: 0.05 }, 10, init, 1500),
        "smoke",
        0,
        1.0,
    )
    .unwrap();
    let (es, el) = (
        sub.trace.last("rel_err").unwrap(),
        l2.trace.last("rel_err").unwrap(),
    );
    assert!(es < 1e-5, "SubGM final error {es}");
    assert!(el > 0.1, "ℓ₂-GD final error {el}");
}
