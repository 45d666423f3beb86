//! One OT iteration against its machine references, in the same run.
//!
//! Groups (criterion ids; throughput as noted):
//! * `ot-gemv/n=<n>`: the two GEMVs `K·v` and `Kᵀ·u` over an `n × n` matrix (faer `matmul`),
//!   the memory-bound floor of a scaling-domain iteration (bytes of `K` streamed twice);
//! * `ot-sinkhorn/n=<n>`: one scaling-domain `Sinkhorn::step` (same bytes);
//! * `ot-sinkhorn-log/threads=<t>/n=<n>`: one log-domain `SinkhornLog::step`, 1 and 2 threads
//!   (elements = the `2n²` exponentials of an iteration, so criterion prints exps/s);
//! * `ot-exp/vectorized/n=<n>` and `ot-exp/std/n=<n>`: `exp` over `n²` values out of place,
//!   with the crate's vectorized exp and with `f64::exp` in a scalar loop (elements = `n²`);
//! * `ot-sns-newton/n=500`: one SNS Newton step on the random-assignment instance at η = 1200
//!   (from the state after N1 = 20 Sinkhorn and 2 Newton steps).
//!
//! Targets (issue 9): Sinkhorn ≤ 1.2 × the two GEMVs; log domain ≤ 3 × Sinkhorn; 2 threads
//! ≥ 1.6 × faster than 1 at n = 4000.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, Par};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_ot::{InstanceSpec, OtProblem, OtSpec};
use ratebench_sinkhorn::{exp, Sinkhorn, SinkhornLog, Sns, SnsConfig};
use std::hint::black_box;
use std::time::Duration;

fn problem(n: usize, eta: f64) -> OtProblem {
    let spec = OtSpec::new(
        InstanceSpec::RandomCost {
            n,
            m: None,
            hi: 1.0,
        },
        eta,
    );
    let files = |s: &str| -> ratebench_core::Result<std::path::PathBuf> { Ok(s.into()) };
    spec.build(&mut SeedPath::new(0).with("bench").stream("data"), &files)
        .expect("valid spec")
}

fn init<S: Solver<Problem = OtProblem>>(s: &mut S, p: &OtProblem) {
    s.init(p, &mut SeedPath::new(0).stream("init"))
        .expect("init");
    for _ in 0..3 {
        s.step(p).expect("step");
    }
}

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g
}

fn bench_iterations(c: &mut Criterion) {
    for n in [1000usize, 4000] {
        // η = 100 keeps K = exp(−ηC) inside the double range (C ∈ [0, 1]).
        let p = problem(n, 100.0);
        let bytes = 2 * (n * n * 8) as u64;
        let mut sk = Sinkhorn::new();
        init(&mut sk, &p);

        let mut g = group(c, "ot-gemv");
        g.throughput(Throughput::Bytes(bytes));
        let k = sk.kernel().expect("initialized");
        let (v, mut kv) = (
            Col::<f64>::from_fn(n, |i| 1.0 + (i % 3) as f64),
            Col::<f64>::zeros(n),
        );
        let mut ktu = Col::<f64>::zeros(n);
        g.bench_function(BenchmarkId::from_parameter(format!("n={n}")), |b| {
            b.iter(|| {
                matmul(
                    kv.as_mat_mut(),
                    Accum::Replace,
                    k.as_ref(),
                    black_box(v.as_mat()),
                    1.0,
                    Par::Seq,
                );
                matmul(
                    ktu.as_mat_mut(),
                    Accum::Replace,
                    k.transpose(),
                    black_box(kv.as_mat()),
                    1.0,
                    Par::Seq,
                );
            })
        });
        g.finish();

        let mut g = group(c, "ot-sinkhorn");
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(BenchmarkId::from_parameter(format!("n={n}")), |b| {
            b.iter(|| sk.step(black_box(&p)).expect("step"))
        });
        g.finish();
        drop(sk);

        let mut g = group(c, "ot-sinkhorn-log");
        g.throughput(Throughput::Elements(2 * (n * n) as u64));
        for threads in [1usize, 2] {
            let mut log = SinkhornLog::with_threads(threads);
            init(&mut log, &p);
            g.bench_function(
                BenchmarkId::new(format!("threads={threads}"), format!("n={n}")),
                |b| b.iter(|| log.step(black_box(&p)).expect("step")),
            );
        }
        g.finish();

        let mut g = group(c, "ot-exp");
        g.throughput(Throughput::Elements((n * n) as u64));
        let src: Vec<f64> = (0..n * n).map(|k| -((k % 1009) as f64) * 0.05).collect();
        let mut dst = vec![0.0; n * n];
        g.bench_function(BenchmarkId::new("vectorized", format!("n={n}")), |b| {
            b.iter(|| exp::exp_slice(black_box(&src), &mut dst))
        });
        g.bench_function(BenchmarkId::new("std", format!("n={n}")), |b| {
            b.iter(|| {
                dst.iter_mut()
                    .zip(black_box(&src))
                    .for_each(|(d, s)| *d = s.exp())
            })
        });
        g.finish();
    }
}

fn bench_sns(c: &mut Criterion) {
    let p = problem(500, 1200.0);
    let mut g = group(c, "ot-sns-newton");
    let prepared = || {
        let mut s = Sns::new(SnsConfig::default());
        s.init(&p, &mut SeedPath::new(0).stream("init"))
            .expect("init");
        for _ in 0..22 {
            s.step(&p).expect("step");
        }
        s
    };
    g.bench_function(BenchmarkId::from_parameter("n=500"), |b| {
        b.iter_batched(
            prepared,
            |mut s| s.step(black_box(&p)).expect("newton step"),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_iterations, bench_sns);
criterion_main!(benches);
