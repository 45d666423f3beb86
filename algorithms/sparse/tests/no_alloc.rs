//! `step` must not allocate once `init` has run: count allocations with a wrapping global
//! allocator. Only allocations made by the measuring thread count (the test harness's own
//! threads may allocate at any time).

use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_sparse::{
    Convention, Graph, GraphKind, Lasso, NesterovQuadratic, Network, PenalizedLs, Penalty,
    RegressionSpec, Regularization,
};
use ratebench_sparse_solvers::{
    AgSettings, CoordinateDescent, Dgd, ImplicitGd, NonconvexAg, PenalizedProxGradient,
    ProxGradient,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
    /// The largest single request (bytes) while measuring.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    // `try_with`: the thread-locals may be gone while a thread shuts down.
    let _ = MEASURING.try_with(|m| {
        if m.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
            let _ = LARGEST.try_with(|l| l.set(l.get().max(bytes)));
        }
    });
}

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        count(new);
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations the calling thread makes while `f` runs.
fn allocations_in(f: impl FnOnce()) -> usize {
    let before = COUNT.with(Cell::get);
    MEASURING.with(|m| m.set(true));
    f();
    MEASURING.with(|m| m.set(false));
    COUNT.with(Cell::get) - before
}

/// The largest single allocation (bytes) the calling thread makes while `f` runs.
fn largest_allocation_in(f: impl FnOnce()) -> usize {
    LARGEST.with(|l| l.set(0));
    MEASURING.with(|m| m.set(true));
    f();
    MEASURING.with(|m| m.set(false));
    LARGEST.with(Cell::get)
}

fn allocations_in_steps<S: Solver>(mut s: S, p: &S::Problem, steps: usize) -> usize {
    s.init(p, &mut SeedPath::new(0).stream("init")).unwrap();
    s.step(p).unwrap(); // warm-up (lazy thread-locals of the linear algebra, if any)
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
    let data = RegressionSpec::lasso_toeplitz(120, 400, 0.5)
        .generate(&SeedPath::new(1))
        .unwrap();
    let lasso = Lasso::new(
        data.clone(),
        Regularization::Fraction { fraction: 0.05 },
        Convention::Sklearn,
    )
    .unwrap();
    let sparse_lasso = {
        let d = ratebench_sparse::RegressionData::new(
            data.x().to_sparse().unwrap(),
            data.y().to_vec(),
            None,
            Default::default(),
        )
        .unwrap();
        Lasso::new(
            d,
            Regularization::Fraction { fraction: 0.05 },
            Convention::Plain,
        )
        .unwrap()
    };
    assert_eq!(
        allocations_in_steps(CoordinateDescent::new().tol(1e-14), &lasso, 60),
        0,
        "cd"
    );
    assert_eq!(
        allocations_in_steps(CoordinateDescent::screening_only().tol(1e-14), &lasso, 30),
        0,
        "cd-screen"
    );
    assert_eq!(
        allocations_in_steps(CoordinateDescent::plain(), &lasso, 30),
        0,
        "cd-plain"
    );
    assert_eq!(
        allocations_in_steps(ProxGradient::fista(), &lasso, 30),
        0,
        "fista"
    );
    assert_eq!(
        allocations_in_steps(ProxGradient::fista_restart(), &sparse_lasso, 30),
        0,
        "fista sparse"
    );
    assert_eq!(
        allocations_in_steps(CoordinateDescent::new(), &sparse_lasso, 30),
        0,
        "cd sparse"
    );
    assert_eq!(
        allocations_in_steps(
            ProxGradient::ista(),
            &NesterovQuadratic::new(500, 4.0, 0.0).unwrap(),
            30
        ),
        0
    );
    let pen = PenalizedLs::new(data.clone(), Penalty::SCAD, 0.2).unwrap();
    assert_eq!(
        allocations_in_steps(NonconvexAg::new(AgSettings::Proposed), &pen, 30),
        0,
        "ag"
    );
    assert_eq!(
        allocations_in_steps(PenalizedProxGradient::new(), &pen, 30),
        0,
        "pg"
    );
    assert_eq!(
        allocations_in_steps(
            ImplicitGd::new(1e-6, 1e-3).increasing(64).w_max_hat(2.0),
            &data,
            300
        ),
        0
    );
    let net = Network::new(
        Graph::build(GraphKind::Ring, 6, &mut SeedPath::new(0).stream("g")).unwrap(),
        data.n(),
    )
    .unwrap();
    assert_eq!(
        allocations_in_steps(Dgd::new(net, 1e-6, 1e-3), &data, 30),
        0,
        "dgd"
    );
}

/// A LIBSVM file of density 0.5 % (n = 2000, p = 20 000) loads sparse, and neither CD nor
/// FISTA/ISTA ever densifies X: no allocation in `init` or `step` comes near the size of the
/// stored entries, let alone of a dense X (320 MB).
#[test]
fn sparse_libsvm_designs_are_never_densified() {
    use std::fmt::Write as _;
    let (n, p, per_row) = (2000usize, 20_000usize, 100usize);
    let mut text = String::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 11
    };
    for _ in 0..n {
        let label = (next() % 1000) as f64 / 100.0 - 5.0;
        write!(text, "{label}").unwrap();
        // `per_row` increasing 1-based indices, one in each stride of p / per_row.
        let stride = p / per_row;
        for k in 0..per_row {
            let j = k * stride + (next() as usize % stride) + 1;
            let v = (next() % 2001) as f64 / 1000.0 - 1.0;
            write!(text, " {j}:{v}").unwrap();
        }
        text.push('\n');
    }
    let dir = std::env::temp_dir().join(format!("ratebench-sparse-na-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sparse.svm");
    std::fs::write(&path, text).unwrap();
    let data =
        ratebench_sparse::read_libsvm(&path, Some(p), ratebench_sparse::Storage::Auto).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let x = data.x();
    assert!(
        x.is_sparse(),
        "Auto keeps a 0.5 % dense LIBSVM design sparse"
    );
    let nnz = x.nnz();
    assert!(nnz as f64 <= 0.01 * (n * p) as f64, "density ≤ 1 %: {nnz}");
    let lasso = Lasso::new(
        data,
        Regularization::Fraction { fraction: 0.1 },
        Convention::Sklearn,
    )
    .unwrap();
    // A copy of X's values alone would be 8·nnz bytes (1.6 MB); vectors of length p are
    // 160 kB.
    let limit = 8 * nnz / 4;
    fn largest_in_run<S: Solver>(mut s: S, p: &S::Problem, steps: usize) -> (usize, S) {
        let bytes = largest_allocation_in(|| {
            s.init(p, &mut SeedPath::new(0).stream("init")).unwrap();
            for _ in 0..steps {
                s.step(p).unwrap();
            }
        });
        (bytes, s)
    }
    let (bytes, cd) = largest_in_run(CoordinateDescent::new().tol(1e-10), &lasso, 40);
    assert!(bytes < limit, "cd: {bytes} B");
    assert!(cd.iterate().iter().any(|v| *v != 0.0));
    for (name, s) in [
        ("cd-screen", CoordinateDescent::screening_only()),
        ("cd-plain", CoordinateDescent::plain().tol(1e-10)),
    ] {
        let (bytes, _) = largest_in_run(s, &lasso, 10);
        assert!(bytes < limit, "{name}: {bytes} B");
    }
    for s in [
        ProxGradient::fista(),
        ProxGradient::fista_restart(),
        ProxGradient::ista(),
    ] {
        let name = s.name();
        let (bytes, s) = largest_in_run(s, &lasso, 10);
        assert!(bytes < limit, "{name}: {bytes} B");
        assert!(s.iterate().iter().all(|v| v.is_finite()));
    }
    assert!(lasso.data().x().is_sparse() && lasso.data().x().nnz() == nnz);
}
