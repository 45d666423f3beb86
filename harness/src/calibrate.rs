//! A machine-speed reference measured in the same process as the runs, so that wall times
//! from different machines or loads can be compared as ratios (`compare`).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use std::time::Instant;

/// Median seconds of a fixed 256×256×256 sequential GEMM (7 repetitions after a warm-up).
pub fn calibration_seconds() -> f64 {
    let n = 256;
    let a = Mat::<f64>::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0);
    let b = Mat::<f64>::from_fn(n, n, |i, j| ((i * 5 + j * 2) % 13) as f64 / 13.0);
    let mut c = Mat::<f64>::zeros(n, n);
    matmul(c.as_mut(), Accum::Replace, &a, &b, 1.0, Par::Seq);
    let mut times: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            matmul(c.as_mut(), Accum::Replace, &a, &b, 1.0, Par::Seq);
            std::hint::black_box(&c);
            t.elapsed().as_secs_f64()
        })
        .collect();
    crate::fit::median(&mut times).unwrap_or(f64::NAN)
}
