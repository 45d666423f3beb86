//! One sensing iteration against the two operator mat-vecs alone (`A·z`, `Aᵀ·v`), which
//! stream the stored operator twice and bound the iteration from below (memory-bound).
//!
//! Groups (throughput in bytes of operator streamed, so criterion prints GB/s):
//! * `sensing-step/<method>/n=<n>,m=<m>,k=<k>`: one `Solver::step` of GD or ScaledGD(λ);
//! * `sensing-matvecs/n=<n>,m=<m>`: `A·z` followed by `Aᵀ·v`;
//! * `copy/<bytes>`: copying a buffer of twice the operator's size, the machine's streaming
//!   bandwidth reference.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::Col;
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_factored::{Gd, ScaledGd};
use ratebench_lowrank::{InitScaling, InitSpec};
use ratebench_sensing::{SensingProblem, SensingSpec};
use std::hint::black_box;
use std::time::Duration;

const SIZES: [(usize, usize); 2] = [(50, 1500), (100, 5000)];

fn bench(c: &mut Criterion) {
    for &(n, m) in &SIZES {
        let spec = SensingSpec {
            n,
            r: 3,
            kappa: 10.0,
            m,
            ..Default::default()
        };
        let p =
            SensingProblem::generate(&spec, &SeedPath::new(0).with("bench")).expect("valid spec");
        let op = p.operator();
        let bytes = (op.nrows() * op.ncols() * 8) as u64;
        let mut g = c.benchmark_group("sensing-matvecs");
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        g.throughput(Throughput::Bytes(2 * bytes));
        let flat = Col::<f64>::from_fn(op.ncols(), |i| (i % 7) as f64);
        let mut resid = Col::<f64>::zeros(op.nrows());
        let mut back = Col::<f64>::zeros(op.ncols());
        g.bench_function(BenchmarkId::from_parameter(format!("n={n},m={m}")), |b| {
            b.iter(|| {
                op.apply_flat(black_box(flat.as_ref()), resid.as_mut());
                op.adjoint_flat(black_box(resid.as_ref()), back.as_mut());
            })
        });
        g.finish();

        let mut g = c.benchmark_group("sensing-step");
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        g.throughput(Throughput::Bytes(2 * bytes));
        for k in [3, 10] {
            let id = format!("n={n},m={m},k={k}");
            let init = InitSpec::symmetric(0.5, InitScaling::SqrtN);
            let mut gd = Gd::new(0.1, k, init.clone());
            gd.init(&p, &mut SeedPath::new(1).stream("init")).unwrap();
            g.bench_function(BenchmarkId::new("gd", &id), |b| {
                b.iter(|| gd.step(black_box(&p)).unwrap())
            });
            let mut sgd = ScaledGd::new(0.5, 0.1, k, init);
            sgd.init(&p, &mut SeedPath::new(1).stream("init")).unwrap();
            g.bench_function(BenchmarkId::new("scaledgd-lambda", &id), |b| {
                b.iter(|| sgd.step(black_box(&p)).unwrap())
            });
        }
        g.finish();

        let mut g = c.benchmark_group("copy");
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        let src = vec![1.0f64; 2 * op.nrows() * op.ncols()];
        let mut dst = vec![0.0f64; src.len()];
        // Bytes read (a copy also writes as many; criterion reports the read rate).
        g.throughput(Throughput::Bytes(2 * bytes));
        g.bench_function(BenchmarkId::from_parameter(format!("n={n},m={m}")), |b| {
            b.iter(|| dst.copy_from_slice(black_box(&src)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
