//! The vector kernels of the one-pass sensing iteration: residuals of four measurements at a
//! time (`⟨a_i, z⟩`, one read of `z` for four columns), then the weighted columns added to
//! the adjoint (one read-modify-write of the accumulator for four columns). The four columns
//! stay in cache between the two loops, so the operator is streamed from memory once.
//! Dispatched to AVX-512/AVX2 at run time (`ratebench_core::simd`); the arithmetic is a fixed
//! sequence of fused multiply-adds, so results are deterministic.

use ratebench_core::simd::{combine, LANES};

/// `⟨c_k, z⟩` for four columns, each in `LANES` fixed lanes combined in a fixed order.
#[inline(always)]
fn dot4_body(c: [&[f64]; 4], z: &[f64]) -> [f64; 4] {
    let mut s = [[0.0f64; LANES]; 4];
    let n = z.len();
    let full = n - n % LANES;
    let mut q = 0;
    while q < full {
        let zq = &z[q..q + LANES];
        for k in 0..4 {
            let ck = &c[k][q..q + LANES];
            for l in 0..LANES {
                s[k][l] = ck[l].mul_add(zq[l], s[k][l]);
            }
        }
        q += LANES;
    }
    for (l, q) in (full..n).enumerate() {
        for k in 0..4 {
            s[k][l] = c[k][q].mul_add(z[q], s[k][l]);
        }
    }
    [
        combine(&s[0]),
        combine(&s[1]),
        combine(&s[2]),
        combine(&s[3]),
    ]
}

ratebench_core::multiversion! {
    /// Four dot products with one pass over `z`.
    pub(crate) fn dot4(c0: &[f64], c1: &[f64], c2: &[f64], c3: &[f64], z: &[f64]) -> [f64; 4] {
        dot4_body([c0, c1, c2, c3], z)
    }
}

ratebench_core::multiversion! {
    /// One dot product (the measurements left over after groups of four).
    pub(crate) fn dot1(c: &[f64], z: &[f64]) -> f64 {
        dot4_body([c, c, c, c], z)[0]
    }
}

ratebench_core::multiversion! {
    /// `acc += w₀c₀ + w₁c₁ + w₂c₂ + w₃c₃`, one read-modify-write of `acc`.
    pub(crate) fn axpy4(acc: &mut [f64], c0: &[f64], c1: &[f64], c2: &[f64], c3: &[f64], w: [f64; 4]) {
        let n = acc.len();
        let (c0, c1, c2, c3) = (&c0[..n], &c1[..n], &c2[..n], &c3[..n]);
        for q in 0..n {
            acc[q] = c3[q].mul_add(w[3], c2[q].mul_add(w[2], c1[q].mul_add(w[1], c0[q].mul_add(w[0], acc[q]))));
        }
    }
}

ratebench_core::multiversion! {
    /// `acc += w·c`.
    pub(crate) fn axpy1(acc: &mut [f64], c: &[f64], w: f64) {
        let n = acc.len();
        let c = &c[..n];
        for q in 0..n {
            acc[q] = c[q].mul_add(w, acc[q]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_plain_loops() {
        for n in [1usize, 7, 8, 13, 55, 1275] {
            let col = |k: usize| -> Vec<f64> {
                (0..n)
                    .map(|q| ((q * 7 + k * 3) % 11) as f64 - 5.0)
                    .collect()
            };
            let (c0, c1, c2, c3) = (col(0), col(1), col(2), col(3));
            let z: Vec<f64> = (0..n).map(|q| (q % 5) as f64 * 0.5).collect();
            let d = dot4(&c0, &c1, &c2, &c3, &z);
            for (k, c) in [&c0, &c1, &c2, &c3].iter().enumerate() {
                let want: f64 = c.iter().zip(&z).map(|(a, b)| a * b).sum();
                assert_eq!(d[k], want, "integer-valued sums are exact");
            }
            assert_eq!(dot1(&c2, &z), d[2]);
            let mut acc = vec![1.0; n];
            axpy4(&mut acc, &c0, &c1, &c2, &c3, [1.0, 2.0, -1.0, 0.5]);
            let mut one = vec![1.0; n];
            for (c, w) in [(&c0, 1.0), (&c1, 2.0), (&c2, -1.0), (&c3, 0.5)] {
                axpy1(&mut one, c, w);
            }
            assert_eq!(acc, one);
        }
    }
}
