//! `step` must not allocate once `init` has run (counted by a global allocator; one thread).

use ratebench_core::alloc_count::{allocations_in, CountingAllocator};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_ot::{InstanceSpec, OtIterate, OtProblem, OtSpec};
use ratebench_sinkhorn::{Greenkhorn, Sinkhorn, SinkhornLog, Sns, SnsConfig};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations during `steps` steps after `warmup` steps (process-wide one-time set-up, e.g.
/// faer's GEMM reading the cache sizes on its first call, happens in the warm-up).
fn allocations_per_step<S: Solver<Problem = OtProblem, Iterate = OtIterate>>(
    mut s: S,
    p: &OtProblem,
    warmup: usize,
    steps: usize,
) -> usize {
    s.init(p, &mut SeedPath::new(0).stream("init")).unwrap();
    for _ in 0..warmup {
        s.step(p).unwrap();
    }
    allocations_in(|| {
        for _ in 0..steps {
            s.step(p).unwrap();
        }
    })
}

#[test]
fn steps_do_not_allocate() {
    assert!(
        allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) > 0,
        "the counter counts"
    );
    let spec = OtSpec::new(
        InstanceSpec::RandomCost {
            n: 60,
            m: Some(50),
            hi: 1.0,
        },
        40.0,
    );
    let files = |s: &str| -> ratebench_core::Result<std::path::PathBuf> { Ok(s.into()) };
    let p = spec
        .build(&mut SeedPath::new(1).stream("data"), &files)
        .unwrap();
    assert_eq!(
        allocations_per_step(SinkhornLog::new(), &p, 1, 10),
        0,
        "sinkhorn-log"
    );
    assert_eq!(
        allocations_per_step(Sinkhorn::new(), &p, 1, 10),
        0,
        "sinkhorn"
    );
    assert_eq!(
        allocations_per_step(Greenkhorn::new(), &p, 1, 500),
        0,
        "greenkhorn"
    );
    let sns = || {
        Sns::new(SnsConfig {
            sinkhorn_steps: 3,
            ..Default::default()
        })
    };
    assert_eq!(
        allocations_per_step(sns(), &p, 1, 2),
        0,
        "sns Sinkhorn stage"
    );
    assert_eq!(allocations_per_step(sns(), &p, 4, 6), 0, "sns Newton steps");
}
