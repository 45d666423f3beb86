//! Best-of-N wall times of one iteration, for a machine shared with other work (where
//! criterion's means mostly measure the neighbours): the minimum over many repetitions is the
//! time of an undisturbed iteration. Prints, at one `n` (C iid U[0,1], η = 100): the two
//! GEMVs over `K` (machine reference), scaling-domain Sinkhorn, log-domain Sinkhorn with 1
//! and 2 threads, their ratios, the exponentials per ns the log domain reaches (`2n²` per
//! iteration) and the vectorized `exp` over an L2-resident buffer.
//!
//! `cargo run --release -p ratebench-sinkhorn --example step_timing -- [n] [repetitions]`

use faer::linalg::matmul::matmul;
use faer::{Accum, Col, Par};
use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_ot::{InstanceSpec, OtProblem, OtSpec};
use ratebench_sinkhorn::{exp, simd, Sinkhorn, SinkhornLog};
use std::time::Instant;

fn best(mut f: impl FnMut(), reps: usize) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn step_time<S: Solver<Problem = OtProblem>>(mut s: S, p: &OtProblem, reps: usize) -> f64 {
    s.init(p, &mut SeedPath::new(0).stream("init"))
        .expect("init");
    s.step(p).expect("step");
    best(|| s.step(p).expect("step"), reps)
}

fn main() {
    let arg = |k: usize, default: usize| {
        std::env::args()
            .nth(k)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (n, reps) = (arg(1, 1000), arg(2, 50));
    let files = |s: &str| -> ratebench_core::Result<std::path::PathBuf> { Ok(s.into()) };
    let spec = OtSpec::new(
        InstanceSpec::RandomCost {
            n,
            m: None,
            hi: 1.0,
        },
        100.0,
    );
    let p = spec
        .build(&mut SeedPath::new(0).with("timing").stream("data"), &files)
        .expect("instance");
    let scaling = step_time(Sinkhorn::new(), &p, reps);
    let gemv = {
        let mut sk = Sinkhorn::new();
        sk.init(&p, &mut SeedPath::new(0).stream("init"))
            .expect("init");
        let k = sk.kernel().expect("initialized");
        let (v, mut kv, mut ktu) = (
            Col::<f64>::from_fn(n, |i| 1.0 + (i % 3) as f64),
            Col::<f64>::zeros(n),
            Col::<f64>::zeros(n),
        );
        best(
            || {
                matmul(
                    kv.as_mat_mut(),
                    Accum::Replace,
                    k.as_ref(),
                    v.as_mat(),
                    1.0,
                    Par::Seq,
                );
                matmul(
                    ktu.as_mat_mut(),
                    Accum::Replace,
                    k.transpose(),
                    kv.as_mat(),
                    1.0,
                    Par::Seq,
                );
            },
            reps,
        )
    };
    let log1 = step_time(SinkhornLog::new(), &p, reps);
    let log2 = step_time(SinkhornLog::with_threads(2), &p, reps);
    let src: Vec<f64> = (0..1 << 16).map(|k| -((k % 1009) as f64) * 0.05).collect();
    let mut dst = vec![0.0; src.len()];
    let t_exp = best(|| exp::exp_slice(&src, &mut dst), 200);
    println!(
        "n = {n} ({}), best of {reps}: 2 GEMVs {:.3} ms | sinkhorn {:.3} ms = {:.2} × GEMVs | sinkhorn-log {:.3} ms = {:.2} × sinkhorn, {:.2} exps/ns | 2 threads {:.3} ms (speedup {:.2}) | exp_slice {:.2} values/ns",
        simd::isa().name(),
        gemv * 1e3,
        scaling * 1e3,
        scaling / gemv,
        log1 * 1e3,
        log1 / scaling,
        2.0 * (n * n) as f64 / log1 / 1e9,
        log2 * 1e3,
        log1 / log2,
        src.len() as f64 / t_exp / 1e9
    );
}
