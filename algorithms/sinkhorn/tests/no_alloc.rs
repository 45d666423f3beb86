//! `step` must not allocate once `init` has run (counted by a global allocator; one thread).

use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_ot::{InstanceSpec, OtIterate, OtProblem, OtSpec};
use ratebench_sinkhorn::{Greenkhorn, Sinkhorn, SinkhornLog, Sns, SnsConfig};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;
static COUNT: AtomicUsize = AtomicUsize::new(0);
static ARMED: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.load(Ordering::SeqCst) {
            COUNT.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    COUNT.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    for _ in 0..steps {
        s.step(p).unwrap();
    }
    ARMED.store(false, Ordering::SeqCst);
    COUNT.load(Ordering::SeqCst)
}

#[test]
fn steps_do_not_allocate() {
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
