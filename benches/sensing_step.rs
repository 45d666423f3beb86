//! One sensing iteration against one streaming read of the stored operator: the iteration
//! reads the operator once (residuals and the adjoint accumulated block by block), so the
//! read of the same bytes bounds it from below.
//!
//! Groups (throughput in bytes of operator, so criterion prints GB/s):
//! * `sensing-step/<method>/n=<n>,m=<m>,k=<k>[,threads=2]`: one `Solver::step` of GD or
//!   ScaledGD(λ) (with 2 threads inside a 2-thread pool for the `threads=2` variant);
//! * `sensing-read/n=<n>,m=<m>[,threads=2]`: one GEMV `A·z` over the stored operator, a
//!   plain streaming read of the same bytes (with 2 threads: faer's `Par::rayon(2)`);
//! * `sensing-matvecs/n=<n>,m=<m>`: `A·z` then `Aᵀ·v` as two separate passes (what an
//!   iteration cost before the one-pass kernel).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, Par};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_factored::{Gd, ScaledGd};
use ratebench_lowrank::{InitScaling, InitSpec};
use ratebench_sensing::{SensingProblem, SensingSpec};
use std::hint::black_box;
use std::time::Duration;

const SIZES: [(usize, usize); 2] = [(50, 1500), (100, 5000)];

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
    bytes: u64,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Bytes(bytes));
    g
}

fn bench(c: &mut Criterion) {
    let pool2 = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
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
        let size = format!("n={n},m={m}");

        // The machine reference: one GEMV `A·z`, which reads every stored byte once (faer's
        // vectorized kernel; the 2-thread variant splits it with `Par::rayon(2)`).
        let mut g = group(c, "sensing-read", bytes);
        let z = Col::<f64>::from_fn(op.ncols(), |i| (i % 7) as f64);
        let mut out = Col::<f64>::zeros(op.nrows());
        for (threads, par) in [(1, Par::Seq), (2, Par::rayon(2))] {
            let id = if threads == 1 {
                size.clone()
            } else {
                format!("{size},threads=2")
            };
            g.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| {
                    pool2.install(|| {
                        matmul(
                            out.as_mat_mut(),
                            Accum::Replace,
                            op.matrix().transpose(),
                            black_box(z.as_mat()),
                            1.0,
                            par,
                        )
                    })
                })
            });
        }
        g.finish();

        let mut g = group(c, "sensing-matvecs", bytes);
        let flat = Col::<f64>::from_fn(op.ncols(), |i| (i % 7) as f64);
        let mut resid = Col::<f64>::zeros(op.nrows());
        let mut back = Col::<f64>::zeros(op.ncols());
        g.bench_function(BenchmarkId::from_parameter(&size), |b| {
            b.iter(|| {
                op.apply_flat(black_box(flat.as_ref()), resid.as_mut());
                op.adjoint_flat(black_box(resid.as_ref()), back.as_mut());
            })
        });
        g.finish();

        let mut g = group(c, "sensing-step", bytes);
        for k in [3, 10] {
            let id = format!("{size},k={k}");
            let init = InitSpec::symmetric(0.5, InitScaling::SqrtN);
            let mut gd = Gd::new(0.1, k, init.clone());
            gd.init(&p, &mut SeedPath::new(1).stream("init")).unwrap();
            g.bench_function(BenchmarkId::new("gd", &id), |b| {
                b.iter(|| gd.step(black_box(&p)).unwrap())
            });
            let mut sgd = ScaledGd::new(0.5, 0.1, k, init.clone());
            sgd.init(&p, &mut SeedPath::new(1).stream("init")).unwrap();
            g.bench_function(BenchmarkId::new("scaledgd-lambda", &id), |b| {
                b.iter(|| sgd.step(black_box(&p)).unwrap())
            });
            let mut sgd2 = ScaledGd::new(0.5, 0.1, k, init).threads(2);
            pool2.install(|| sgd2.init(&p, &mut SeedPath::new(1).stream("init")).unwrap());
            g.bench_function(
                BenchmarkId::new("scaledgd-lambda", format!("{id},threads=2")),
                |b| b.iter(|| pool2.install(|| sgd2.step(black_box(&p)).unwrap())),
            );
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
