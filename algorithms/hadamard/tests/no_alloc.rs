//! `step` must not allocate once `init` has run (one thread): count allocations with a
//! wrapping global allocator. Only allocations of the measuring thread count.

use ratebench_core::alloc_count::{allocations_in, CountingAllocator};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_hadamard::{HadamardProblem, HadamardSpec};
use ratebench_hadamard_solvers::{Bcd, BcdConfig, GdCiaperoni, GdConfig};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations of `steps` steps after `init` and one warm-up step (the linear algebra's
/// lazily created thread-local buffers), and the values of extra `flag` over those steps.
fn measure<S: Solver>(s: &mut S, p: &S::Problem, steps: usize, flag: usize) -> (usize, f64) {
    s.init(p, &mut SeedPath::new(0).stream("init")).unwrap();
    s.step(p).unwrap();
    let mut extras = vec![0.0; s.extra_names().len()];
    let mut flagged = 0.0;
    let n = allocations_in(|| {
        for _ in 0..steps {
            s.step(p).unwrap();
            s.extras(&mut extras);
            flagged += extras[flag];
        }
    });
    (n, flagged)
}

#[test]
fn steps_do_not_allocate() {
    assert!(
        allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) > 0,
        "the counter counts"
    );
    let p2 = HadamardProblem::generate(
        &HadamardSpec::default(),
        &mut SeedPath::new(5).with("bcd-test").stream("data"),
    )
    .unwrap();
    let (n, _) = measure(&mut Bcd::new(BcdConfig::new(5)), &p2, 20, 0);
    assert_eq!(n, 0, "bcd");
    // From rank 8 on, the factor products are GEMMs instead of the fused kernel.
    let (n, _) = measure(&mut Bcd::new(BcdConfig::new(9).with_momentum()), &p2, 20, 0);
    assert_eq!(n, 0, "bcd r=9");
    // Enough momentum steps that some are undone (extra 2 = `undone`).
    let (n, undone) = measure(
        &mut Bcd::new(BcdConfig::new(5).with_momentum()),
        &p2,
        200,
        2,
    );
    assert_eq!(n, 0, "bcd-momentum");
    assert!(undone > 0.0, "the undo path must be exercised");
    let spec3 = HadamardSpec {
        m: 40,
        n: 30,
        rank: 2,
        factors: 3,
        ..Default::default()
    };
    let p3 = HadamardProblem::generate(&spec3, &mut SeedPath::new(1).stream("data")).unwrap();
    let (n, _) = measure(&mut Bcd::new(BcdConfig::multiple(3, 2)), &p3, 30, 0);
    assert_eq!(n, 0, "bcd-momentum-k3");
    // GD, including loss checks (every 7 iterations here).
    let cfg = GdConfig {
        check_every: 7,
        ..GdConfig::new(5)
    };
    let (n, _) = measure(&mut GdCiaperoni::new(cfg), &p2, 50, 0);
    assert_eq!(n, 0, "gd-ciaperoni");
}
