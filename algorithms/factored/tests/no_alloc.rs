//! `step` must not allocate once `init` has run (one thread), on factorization and sensing,
//! symmetric and asymmetric factors.

use ratebench_core::alloc_count::{allocations_in, CountingAllocator};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_factored::{Gd, L2Gd, PrecGd, ScaledGd, SubGm};
use ratebench_lowrank::{InitScaling, InitSpec, LowRankProblem, LowRankSpec};
use ratebench_sensing::{Noise, SensingProblem, SensingSpec};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations of 10 steps after `init` and one warm-up step (faer's lazily created
/// thread-local buffers).
fn allocations<S: Solver>(s: S, p: &S::Problem) -> usize {
    allocations_after(s, p, 1)
}

/// Allocations of 10 steps after `init` and `warmup` steps.
fn allocations_after<S: Solver>(mut s: S, p: &S::Problem, warmup: usize) -> usize {
    s.init(p, &mut SeedPath::new(0).stream("init")).unwrap();
    for _ in 0..warmup {
        s.step(p).unwrap();
    }
    allocations_in(|| {
        for _ in 0..10 {
            s.step(p).unwrap();
        }
    })
}

#[test]
fn factored_steps_do_not_allocate() {
    assert!(
        allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) > 0,
        "the counter counts"
    );
    let spec = LowRankSpec {
        n: 40,
        r: 3,
        kappa: 10.0,
        ..Default::default()
    };
    let lr = LowRankProblem::generate(&spec, &mut SeedPath::new(1).stream("data")).unwrap();
    let sym = InitSpec::symmetric(0.5, InitScaling::SqrtN);
    let asym = InitSpec::asymmetric(0.5, 0.5);
    assert_eq!(allocations(Gd::new(0.1, 5, sym.clone()), &lr), 0, "gd");
    assert_eq!(
        allocations(Gd::new(0.1, 5, asym.clone()), &lr),
        0,
        "gd asym"
    );
    let sgd = ScaledGd::new(0.5, 0.1, 5, sym.clone());
    assert_eq!(allocations(sgd, &lr), 0, "scaledgd-lambda");
    let sgd = ScaledGd::new(0.5, 0.1, 5, asym);
    assert_eq!(allocations(sgd, &lr), 0, "scaledgd-lambda asym");
    let pgd = PrecGd::new(0.5, 1.0, 5, sym.clone());
    assert_eq!(allocations(pgd, &lr), 0, "precgd");
    // Near the optimum PrecGD's damping uses the exact residual (thin QRs).
    let pgd = PrecGd::new(0.5, 1.0, 5, sym.clone());
    assert_eq!(
        allocations_after(pgd, &lr, 200),
        0,
        "precgd, exact residual"
    );

    let sensing = SensingSpec {
        n: 8,
        r: 2,
        m: 300,
        ..Default::default()
    };
    let ms = SensingProblem::generate(&sensing, &SeedPath::new(2)).unwrap();
    assert_eq!(
        allocations(Gd::new(0.1, 3, sym.clone()), &ms),
        0,
        "sensing gd"
    );
    let sgd = ScaledGd::new(0.5, 0.1, 3, sym.clone());
    assert_eq!(allocations(sgd, &ms), 0, "sensing scaledgd-lambda");
    let pgd = PrecGd::new(0.5, 1.0, 3, sym.clone());
    assert_eq!(allocations(pgd, &ms), 0, "sensing precgd");
    let robust = SensingSpec {
        noise: Noise::Outliers {
            p: 0.2,
            scale: 10.0,
        },
        ..sensing
    };
    let rs = SensingProblem::generate(&robust, &SeedPath::new(3)).unwrap();
    let subgm = SubGm::new(0.1, 0.9, 3, sym.clone());
    assert_eq!(allocations(subgm, &rs), 0, "subgm");
    assert_eq!(allocations(L2Gd::new(0.1, 3, sym), &rs), 0, "l2-gd");
}
