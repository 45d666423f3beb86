//! Per-iteration cost of the Hadamard solvers against their machine references, one thread.
//!
//! Groups (throughput = analytic flops of `ratebench_hadamard_solvers::flops`):
//! * `hd-bcd/<solver>/<m>x<n>,r=<r>`: one outer iteration (`Solver::step`) of `bcd` and
//!   `bcd-momentum` on `china_gray.npy` (427 × 640; a generated U\[0,1\] matrix of the same
//!   shape if the file is missing) at r ∈ {5, 20}, and on HD-1's 100 × 100 instance at r = 5.
//! * `hd-gram/<m>x<n>,r=<r>`: the machine reference of a BCD iteration, its four Gram GEMMs
//!   of exactly the shapes and layouts the solver uses, with `p = r(r+1)/2` (the solver
//!   packs the symmetric half of the outer products): two `(n × m)(m × p)` with a transposed
//!   left operand (H-blocks), two `(m × n)(n × p)` (W-blocks).
//! * `hd-gd/gd-ciaperoni/100x100,r=5`: one GD-baseline iteration.
//! * `hd-gd-ref/gemm4/100x100,r=5`: its four gradient products, `(m × n)(n × r)` twice and
//!   `(n × m)(m × r)` (transposed left operand) twice; `hd-gd-ref/refresh2/…`: the two
//!   `(m × r)(r × n)` refreshes `D₁ = A₁B₁`, `D₂ = A₂B₂` an iteration also needs.
//!
//! Targets (issue 8): BCD at 427×640, r = 20 ≤ 1.5 × `hd-gram`; ≤ 0.3 ms at 100×100, r = 5;
//! ≤ 40 ms at 427×640, r = 20; GD ≤ 1.2 × `hd-gd-ref/gemm4`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_hadamard::{Generator, HadamardProblem, HadamardSpec};
use ratebench_hadamard_solvers::{flops, Bcd, BcdConfig, GdCiaperoni, GdConfig};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn photo() -> HadamardProblem {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/china_gray.npy");
    match HadamardProblem::load(&path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}; benchmarking a generated 427 × 640 U[0,1] matrix instead");
            let spec = HadamardSpec {
                generator: Generator::Uniform,
                m: 427,
                n: 640,
                ..Default::default()
            };
            HadamardProblem::generate(&spec, &mut SeedPath::new(0).with("bench").stream("data"))
                .expect("valid spec")
        }
    }
}

fn hd1() -> HadamardProblem {
    HadamardProblem::generate(
        &HadamardSpec::default(),
        &mut SeedPath::new(0).with("bench").stream("data"),
    )
    .expect("valid spec")
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

fn cases() -> Vec<(HadamardProblem, usize)> {
    let photo = photo();
    vec![(photo.clone(), 5), (photo, 20), (hd1(), 5)]
}

fn bench_bcd(c: &mut Criterion) {
    let mut g = group(c, "hd-bcd");
    for (p, r) in cases() {
        let (m, n) = p.shape();
        let id = format!("{m}x{n},r={r}");
        for cfg in [BcdConfig::new(r), BcdConfig::new(r).with_momentum()] {
            g.throughput(Throughput::Elements(cfg.flops_per_iter(m, n)));
            let mut s = Bcd::new(cfg);
            s.init(&p, &mut SeedPath::new(0).stream("init"))
                .expect("init");
            g.bench_function(BenchmarkId::new(s.name(), &id), |b| {
                b.iter(|| s.step(black_box(&p)).expect("step"))
            });
        }
    }
    g.finish();
}

fn bench_gram(c: &mut Criterion) {
    let mut g = group(c, "hd-gram");
    for (p, r) in cases() {
        let (m, n) = p.shape();
        let q = r * (r + 1) / 2;
        let mut rng = SeedPath::new(1).stream("gemm");
        let s2 = ratebench_core::rng::gaussian_mat(&mut rng, m, n);
        let pack_w = ratebench_core::rng::gaussian_mat(&mut rng, m, q);
        let pack_h = ratebench_core::rng::gaussian_mat(&mut rng, n, q);
        let mut gram_h = Mat::<f64>::zeros(n, q);
        let mut gram_w = Mat::<f64>::zeros(m, q);
        g.throughput(Throughput::Elements(4 * 2 * (m * n * q) as u64));
        g.bench_function(BenchmarkId::from_parameter(format!("{m}x{n},r={r}")), |b| {
            b.iter(|| {
                for _ in 0..2 {
                    matmul(
                        gram_h.as_mut(),
                        Accum::Replace,
                        black_box(&s2).transpose(),
                        black_box(&pack_w),
                        1.0,
                        Par::Seq,
                    );
                    matmul(
                        gram_w.as_mut(),
                        Accum::Replace,
                        black_box(&s2),
                        black_box(&pack_h),
                        1.0,
                        Par::Seq,
                    );
                }
            })
        });
    }
    g.finish();
}

fn bench_gd(c: &mut Criterion) {
    let p = hd1();
    let (m, n, r) = (100, 100, 5);
    let id = format!("{m}x{n},r={r}");
    let mut g = group(c, "hd-gd");
    g.throughput(Throughput::Elements(flops::gd_per_iter(m, n, r)));
    let mut s = GdCiaperoni::new(GdConfig::new(r));
    s.init(&p, &mut SeedPath::new(0).stream("init"))
        .expect("init");
    g.bench_function(BenchmarkId::new(s.name(), &id), |b| {
        b.iter(|| s.step(black_box(&p)).expect("step"))
    });
    g.finish();

    let mut g = group(c, "hd-gd-ref");
    let mut rng = SeedPath::new(2).stream("gemm");
    let e = ratebench_core::rng::gaussian_mat(&mut rng, m, n);
    let a = ratebench_core::rng::gaussian_mat(&mut rng, m, r);
    let bt = ratebench_core::rng::gaussian_mat(&mut rng, n, r);
    let mut ga = Mat::<f64>::zeros(m, r);
    let mut gb = Mat::<f64>::zeros(n, r);
    let mut d = Mat::<f64>::zeros(m, n);
    g.throughput(Throughput::Elements(4 * 2 * (m * n * r) as u64));
    g.bench_function(BenchmarkId::new("gemm4", &id), |b| {
        b.iter(|| {
            for _ in 0..2 {
                matmul(
                    ga.as_mut(),
                    Accum::Replace,
                    black_box(&e),
                    black_box(&bt),
                    1.0,
                    Par::Seq,
                );
                matmul(
                    gb.as_mut(),
                    Accum::Replace,
                    black_box(&e).transpose(),
                    black_box(&a),
                    1.0,
                    Par::Seq,
                );
            }
        })
    });
    g.throughput(Throughput::Elements(2 * 2 * (m * n * r) as u64));
    g.bench_function(BenchmarkId::new("refresh2", &id), |b| {
        b.iter(|| {
            for _ in 0..2 {
                matmul(
                    d.as_mut(),
                    Accum::Replace,
                    black_box(&a),
                    black_box(&bt).transpose(),
                    1.0,
                    Par::Seq,
                );
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_bcd, bench_gram, bench_gd);
criterion_main!(benches);
