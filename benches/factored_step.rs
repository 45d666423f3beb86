//! Per-iteration cost of the factored methods against the dense GEMM `M·X` of the same shape
//! (the machine reference: every method's step is dominated by that one product).
//!
//! Groups:
//! * `step/<method>/n=<n>,k=<k>`: one `Solver::step`, throughput = flops of the step.
//! * `gemm/n=<n>,k=<k>`: `M·X` into a preallocated buffer.
//! * `executor/gd/n=2000,k=20`: the same GD step timed by the harness executor (metrics
//!   evaluated every iteration but excluded), to show `time_s` is undistorted.
//!
//! `just bench` runs this; `scripts/step_ratios.py` prints the step/GEMM ratios.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ratebench_core::rng::{gaussian_mat, SeedPath};
use ratebench_core::{MetricSet, Sampling, Solver, StopRule};
use ratebench_factored::{Gd, PrecGd, ScaledGd};
use ratebench_harness::executor::{execute, Plan};
use ratebench_lowrank::{Factors, InitScaling, InitSpec, LowRankProblem, LowRankSpec};
use std::hint::black_box;
use std::time::Duration;

const SHAPES: [(usize, usize); 5] = [(500, 5), (500, 50), (2000, 5), (2000, 20), (2000, 50)];

fn problem(n: usize) -> LowRankProblem {
    let spec = LowRankSpec {
        n,
        r: 5,
        kappa: 10.0,
        ..Default::default()
    };
    LowRankProblem::generate(&spec, &mut SeedPath::new(0).with("bench").stream("data"))
        .expect("valid spec")
}

/// Flops of one step: `MX` (2n²k) + `X(XᵀX)` and `XᵀX` (4nk²) + update; preconditioned
/// methods add `XᵀX` again, a k×k Cholesky and the 2nk² triangular solves.
fn flops(n: usize, k: usize, preconditioned: bool) -> u64 {
    let (n, k) = (n as u64, k as u64);
    let base = 2 * n * n * k + 4 * n * k * k + 2 * n * k;
    if preconditioned {
        base + 2 * n * k * k + k * k * k / 3 + 2 * n * k * k
    } else {
        base
    }
}

fn bench_steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("step");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let problems = [(500, problem(500)), (2000, problem(2000))];
    for &(n, k) in &SHAPES {
        let p = &problems
            .iter()
            .find(|(m, _)| *m == n)
            .expect("shape sizes are 500 and 2000")
            .1;
        let init = InitSpec::symmetric(0.5, InitScaling::SqrtN);
        let id = format!("n={n},k={k}");
        g.throughput(Throughput::Elements(flops(n, k, false)));
        let mut gd = Gd::new(0.5, k, init.clone());
        gd.init(p, &mut SeedPath::new(1).stream("init")).unwrap();
        g.bench_function(BenchmarkId::new("gd", &id), |b| {
            b.iter(|| gd.step(black_box(p)).unwrap())
        });
        g.throughput(Throughput::Elements(flops(n, k, true)));
        let mut sgd = ScaledGd::new(0.5, 0.1, k, init.clone());
        sgd.init(p, &mut SeedPath::new(1).stream("init")).unwrap();
        g.bench_function(BenchmarkId::new("scaledgd-lambda", &id), |b| {
            b.iter(|| sgd.step(black_box(p)).unwrap())
        });
        let mut pgd = PrecGd::new(0.5, 1.0, k, init.clone());
        pgd.init(p, &mut SeedPath::new(1).stream("init")).unwrap();
        g.bench_function(BenchmarkId::new("precgd", &id), |b| {
            b.iter(|| pgd.step(black_box(p)).unwrap())
        });
    }
    g.finish();
}

fn bench_gemm(c: &mut Criterion) {
    let mut g = c.benchmark_group("gemm");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for &(n, k) in &SHAPES {
        let mut rng = SeedPath::new(2).stream("gemm");
        let m = gaussian_mat(&mut rng, n, n);
        let x = gaussian_mat(&mut rng, n, k);
        let mut out = Mat::<f64>::zeros(n, k);
        g.throughput(Throughput::Elements(2 * (n * n * k) as u64));
        g.bench_function(BenchmarkId::from_parameter(format!("n={n},k={k}")), |b| {
            b.iter(|| {
                matmul(
                    out.as_mut(),
                    Accum::Replace,
                    black_box(&m),
                    black_box(&x),
                    1.0,
                    Par::Seq,
                )
            })
        });
    }
    g.finish();
}

/// The executor's own `time_s` per step, fed back to criterion with `iter_custom`.
fn bench_executor(c: &mut Criterion) {
    let (n, k) = (2000, 20);
    let p = problem(n);
    let mut g = c.benchmark_group("executor");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function(BenchmarkId::new("gd", format!("n={n},k={k}")), |b| {
        b.iter_custom(|iters| {
            let mut gd = Gd::new(0.5, k, InitSpec::symmetric(0.5, InitScaling::SqrtN));
            // A cheap but real metric every iteration: ‖X‖_F.
            let mut metrics = MetricSet::new(vec!["x_norm"], |it: &Factors, out: &mut [f64]| {
                if let Factors::Sym(x) = it {
                    out[0] = x.norm_l2();
                }
            });
            let trace = execute(
                &mut gd,
                &p,
                &mut SeedPath::new(1).stream("init"),
                &mut metrics,
                &Plan {
                    stop: &StopRule::max_iter(iters),
                    sampling: Sampling::Every(1),
                    primary: "x_norm",
                },
            );
            Duration::from_secs_f64(trace.time_s)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_steps, bench_gemm, bench_executor);
criterion_main!(benches);
