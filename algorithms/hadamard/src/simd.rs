//! Lane kernels of the Hadamard solvers, dispatched by the workspace's shared
//! [`ratebench_core::simd`].
//!
//! A kernel is written once as plain Rust (loops over slices and `[f64; 8]` lane arrays) and
//! `multiversion!` compiles it three times: with `avx512f` (8 doubles per register), with
//! `avx2,fma`, and without target features (the portable fallback). LLVM vectorizes the
//! first two. The arithmetic is the same IEEE sequence in all three (no fast-math, no
//! reassociation; explicit `mul_add` where used; reductions accumulate in fixed lanes and
//! combine in a fixed order), so **results are bit-identical whichever version runs**.
//! `RATEBENCH_SIMD=portable|avx2` lowers the level (to test the fallbacks).

pub(crate) use ratebench_core::multiversion;
pub(crate) use ratebench_core::simd::{combine, LANES as RLANES};

/// `acc[l] += Σ x_i²` over the elements `i ≡ l (mod 8)` — the same association for every
/// instruction set.
#[inline(always)]
pub(crate) fn sum_sq(acc: &mut [f64; RLANES], x: &[f64]) {
    let chunks = x.chunks_exact(RLANES);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..RLANES {
            acc[l] += c[l] * c[l];
        }
    }
    for (a, v) in acc.iter_mut().zip(rest) {
        *a += v * v;
    }
}

/// Column `j` of `A Bᵀ` into `out` (`a` is `m × r`, `bt` is `n × r`, both column-major):
/// `out[i] = Σ_k a[i, k]·bt[j, k]`, accumulated with `mul_add` in ascending `k` (the same
/// order for every row and instruction set). For the thin `r` of a Hadamard factor this
/// register-blocked loop (32 rows = four AVX-512 registers) beats a general GEMM, and the
/// caller fuses its element-wise work on the fresh column while it is in L1.
#[inline(always)]
pub(crate) fn outer_col(
    a: faer::MatRef<'_, f64>,
    bt: faer::MatRef<'_, f64>,
    j: usize,
    out: &mut [f64],
) {
    let m = a.nrows();
    let mut i = 0;
    while i + 32 <= m {
        outer_block::<32>(a, bt, j, i, out);
        i += 32;
    }
    while i + 8 <= m {
        outer_block::<8>(a, bt, j, i, out);
        i += 8;
    }
    if i < m && m >= 8 {
        // The last rows as one block ending at m: rows it shares with the previous block
        // are recomputed with the same operations, so they get the same bits.
        outer_block::<8>(a, bt, j, m - 8, out);
    } else {
        for i in i..m {
            outer_block::<1>(a, bt, j, i, out);
        }
    }
}

#[inline(always)]
fn outer_block<const B: usize>(
    a: faer::MatRef<'_, f64>,
    bt: faer::MatRef<'_, f64>,
    j: usize,
    i: usize,
    out: &mut [f64],
) {
    let mut acc = [0.0f64; B];
    for k in 0..a.ncols() {
        let b = bt[(j, k)];
        let ak = block::<B>(crate::col(a, k), i);
        for l in 0..B {
            acc[l] = ak[l].mul_add(b, acc[l]);
        }
    }
    *block_mut::<B>(out, i) = acc;
}

/// `x[i0..i0 + B]` as an array (the block is in range by construction).
#[inline(always)]
fn block<const B: usize>(x: &[f64], i0: usize) -> &[f64; B] {
    x[i0..i0 + B].try_into().expect("block in range")
}

/// `x[i0..i0 + B]` as a mutable array.
#[inline(always)]
fn block_mut<const B: usize>(x: &mut [f64], i0: usize) -> &mut [f64; B] {
    (&mut x[i0..i0 + B]).try_into().expect("block in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_sums_are_exact_for_integers_and_handle_remainders() {
        for len in [0usize, 1, 7, 8, 9, 31] {
            let x: Vec<f64> = (0..len).map(|i| i as f64).collect();
            let mut acc = [0.0; RLANES];
            sum_sq(&mut acc, &x);
            let want: usize = (0..len).map(|i| i * i).sum();
            assert_eq!(combine(&acc), want as f64);
        }
    }

    #[test]
    fn outer_columns_match_a_gemm() {
        use ratebench_core::rng::{gaussian_mat, SeedPath};
        let mut rng = SeedPath::new(0).stream("outer");
        for (m, n, r) in [
            (100, 7, 5),
            (37, 3, 1),
            (5, 4, 20),
            (64, 2, 3),
            (427, 2, 20),
            (3, 2, 2),
        ] {
            let a = gaussian_mat(&mut rng, m, r);
            let bt = gaussian_mat(&mut rng, n, r);
            let want = &a * bt.transpose();
            let mut out = vec![f64::NAN; m];
            for j in 0..n {
                outer_col(a.as_ref(), bt.as_ref(), j, &mut out);
                for i in 0..m {
                    assert!((out[i] - want[(i, j)]).abs() < 1e-13 * (1.0 + want[(i, j)].abs()));
                }
            }
        }
    }
}
