//! The fused, vectorized line kernels shared by the log-domain solvers.
//!
//! A *line* is a contiguous row or column of the cost matrix. Exponentials are computed by
//! auto-vectorized loops (see [`crate::simd`]); every sum has a fixed association order
//! ([`sum`], [`dot`]), so results do not depend on the vector width or on the thread that
//! computes a line.

use crate::exp::{exp_lane, exp_nonpositive_lane};
use crate::simd::multiversion;

/// Partial sums of the lane-order reduction in [`dot`].
pub const LANES: usize = 8;
/// Partial sums of [`sum`]: element `k` goes to partial `k mod 32` (four AVX-512 registers,
/// eight AVX2 registers or an array), which keeps four independent addition chains in
/// flight; the partials are then reduced in one fixed tree.
pub const PARTIALS: usize = 32;

/// Fixed-order sum of eight partial sums.
#[inline(always)]
fn reduce(s: &[f64; LANES]) -> f64 {
    ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

/// `Σ v` in the order defined by [`PARTIALS`], then the tail in sequence: the same bits on
/// every instruction set. (LLVM vectorizes such a lane reduction poorly — two lanes per
/// register, one chain per register — so the x86 versions are written with intrinsics.)
pub fn sum(v: &[f64]) -> f64 {
    match crate::simd::isa() {
        // SAFETY: `isa()` reports these levels only when the CPU has the features.
        #[cfg(target_arch = "x86_64")]
        crate::simd::Isa::Avx512 => unsafe { x86::sum_avx512(v) },
        #[cfg(target_arch = "x86_64")]
        crate::simd::Isa::Avx2 => unsafe { x86::sum_avx2(v) },
        _ => sum_portable(v),
    }
}

/// Reduces the eight folded partials and adds the tail in sequence.
#[inline(always)]
fn finish(folded: &[f64; LANES], tail: &[f64]) -> f64 {
    let mut t = 0.0;
    for v in tail {
        t += v;
    }
    reduce(folded) + t
}

fn sum_portable(v: &[f64]) -> f64 {
    let (chunks, tail) = v.as_chunks::<PARTIALS>();
    let mut p = [0.0f64; PARTIALS];
    for ch in chunks {
        for l in 0..PARTIALS {
            p[l] += ch[l];
        }
    }
    // Fold 32 → 8 as (p_l + p_{l+8}) + (p_{l+16} + p_{l+24}), like the register versions.
    let folded: [f64; LANES] = std::array::from_fn(|l| (p[l] + p[l + 8]) + (p[l + 16] + p[l + 24]));
    finish(&folded, tail)
}

/// `Σ_k exp(t_k − m)` for `t_k ≤ m`, in the order of [`sum`] (the exponentials are those of
/// [`exp_nonpositive_lane`]); `scratch` holds the terms where the portable path needs them.
fn exp_shifted_sum(t: &mut [f64], m: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::isa() == crate::simd::Isa::Avx512 {
        // SAFETY: the CPU has AVX-512F/DQ (checked by `isa()`).
        return unsafe { x86::exp_shifted_sum_avx512(t, m) };
    }
    exp_shifted_sum_generic(t, m)
}

multiversion! {
    /// The auto-vectorized path of [`exp_shifted_sum`]: exponentials in place, then [`sum`].
    fn exp_shifted_sum_generic(t: &mut [f64], m: f64) -> f64 {
        for v in t.iter_mut() {
            *v = exp_nonpositive_lane(*v - m);
        }
        sum(t)
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{finish, LANES, PARTIALS};
    use crate::exp::{exp_nonpositive_lane, EXP_LO, LN2_HI, LN2_LO, LOG2E, Q, SHIFTER};
    use std::arch::x86_64::*;

    /// [`exp_nonpositive_lane`] on eight lanes, with `vscalefpd` for `p·2^k` (one instruction
    /// instead of three; exact, and equal to the bit construction for `k ≥ −1022`).
    #[inline(always)]
    unsafe fn exp_nonpositive_avx512(x: __m512d) -> __m512d {
        // max(lo, x) returns x when x is NaN, like `if x < LO { LO } else { x }`.
        let xc = _mm512_max_pd(_mm512_set1_pd(EXP_LO), x);
        let shifter = _mm512_set1_pd(SHIFTER);
        let t = _mm512_fmadd_pd(xc, _mm512_set1_pd(LOG2E), shifter);
        let kf = _mm512_sub_pd(t, shifter);
        let r = _mm512_fnmadd_pd(kf, _mm512_set1_pd(LN2_HI), xc);
        let r = _mm512_fnmadd_pd(kf, _mm512_set1_pd(LN2_LO), r);
        let mut q = _mm512_set1_pd(Q[0]);
        for &c in &Q[1..] {
            q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(c));
        }
        let one = _mm512_set1_pd(1.0);
        let p = _mm512_fmadd_pd(r, _mm512_fmadd_pd(r, q, one), one);
        _mm512_scalef_pd(p, kf)
    }

    /// [`super::row_accumulate`] with the AVX-512 exponential.
    #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
    pub(super) unsafe fn row_accumulate_avx512(
        c: &[f64],
        w: f64,
        eta: f64,
        m: &[f64],
        s: &mut [f64],
    ) {
        let len = c.len().min(m.len()).min(s.len());
        let chunks = len / 8;
        let (neg_eta, wv) = (_mm512_set1_pd(-eta), _mm512_set1_pd(w));
        let (cp, mp, sp) = (c.as_ptr(), m.as_ptr(), s.as_mut_ptr());
        for k in 0..chunks {
            // SAFETY: 8k + 8 ≤ len for all three slices.
            unsafe {
                let x = _mm512_sub_pd(
                    _mm512_fmadd_pd(neg_eta, _mm512_loadu_pd(cp.add(8 * k)), wv),
                    _mm512_loadu_pd(mp.add(8 * k)),
                );
                let sum = _mm512_add_pd(_mm512_loadu_pd(sp.add(8 * k)), exp_nonpositive_avx512(x));
                _mm512_storeu_pd(sp.add(8 * k), sum);
            }
        }
        for i in chunks * 8..len {
            s[i] += exp_nonpositive_lane((-eta).mul_add(c[i], w) - m[i]);
        }
    }

    /// `Σ exp(t_k − m)` with the exponentials accumulated in registers (no second pass).
    #[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
    pub(super) unsafe fn exp_shifted_sum_avx512(t: &mut [f64], m: f64) -> f64 {
        let chunks = t.len() / PARTIALS;
        let ptr = t.as_ptr();
        let mv = _mm512_set1_pd(m);
        let mut a = [_mm512_setzero_pd(); 4];
        for k in 0..chunks {
            for (r, acc) in a.iter_mut().enumerate() {
                // SAFETY: k·32 + 8r + 8 ≤ chunks·32 ≤ len.
                let x = _mm512_sub_pd(
                    unsafe { _mm512_loadu_pd(ptr.add(k * PARTIALS + 8 * r)) },
                    mv,
                );
                *acc = _mm512_add_pd(*acc, unsafe { exp_nonpositive_avx512(x) });
            }
        }
        let folded = _mm512_add_pd(_mm512_add_pd(a[0], a[1]), _mm512_add_pd(a[2], a[3]));
        let mut out = [0.0f64; LANES];
        // SAFETY: `out` holds 8 doubles.
        unsafe { _mm512_storeu_pd(out.as_mut_ptr(), folded) };
        let tail = &mut t[chunks * PARTIALS..];
        for v in tail.iter_mut() {
            *v = exp_nonpositive_lane(*v - m);
        }
        finish(&out, tail)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn sum_avx512(v: &[f64]) -> f64 {
        let chunks = v.len() / PARTIALS;
        let ptr = v.as_ptr();
        let mut a = [_mm512_setzero_pd(); 4];
        for k in 0..chunks {
            for (r, acc) in a.iter_mut().enumerate() {
                // SAFETY: k·32 + 8r + 8 ≤ chunks·32 ≤ len.
                *acc = _mm512_add_pd(*acc, unsafe {
                    _mm512_loadu_pd(ptr.add(k * PARTIALS + 8 * r))
                });
            }
        }
        let folded = _mm512_add_pd(_mm512_add_pd(a[0], a[1]), _mm512_add_pd(a[2], a[3]));
        let mut out = [0.0f64; LANES];
        // SAFETY: `out` holds 8 doubles.
        unsafe { _mm512_storeu_pd(out.as_mut_ptr(), folded) };
        finish(&out, &v[chunks * PARTIALS..])
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sum_avx2(v: &[f64]) -> f64 {
        let chunks = v.len() / PARTIALS;
        let ptr = v.as_ptr();
        let mut b = [_mm256_setzero_pd(); 8];
        for k in 0..chunks {
            for (r, acc) in b.iter_mut().enumerate() {
                // SAFETY: k·32 + 4r + 4 ≤ chunks·32 ≤ len.
                *acc = _mm256_add_pd(*acc, unsafe {
                    _mm256_loadu_pd(ptr.add(k * PARTIALS + 4 * r))
                });
            }
        }
        // Register r holds partials 4r .. 4r + 3; fold exactly as `sum_portable` does.
        let lo = _mm256_add_pd(_mm256_add_pd(b[0], b[2]), _mm256_add_pd(b[4], b[6]));
        let hi = _mm256_add_pd(_mm256_add_pd(b[1], b[3]), _mm256_add_pd(b[5], b[7]));
        let mut out = [0.0f64; LANES];
        // SAFETY: `out` holds 8 doubles.
        unsafe {
            _mm256_storeu_pd(out.as_mut_ptr(), lo);
            _mm256_storeu_pd(out.as_mut_ptr().add(4), hi);
        }
        finish(&out, &v[chunks * PARTIALS..])
    }
}

/// `t_k = w_k − η c_k` into `t`, returning `max_k t_k` (the maximum is exact in any order).
#[inline(always)]
fn shifted_max(c: &[f64], w: &[f64], eta: f64, t: &mut [f64]) -> f64 {
    let (cc, ct) = c.as_chunks::<LANES>();
    let (wc, wt) = w.as_chunks::<LANES>();
    let (tc, tt) = t.as_chunks_mut::<LANES>();
    let mut mx = [f64::NEG_INFINITY; LANES];
    for ((a, b), o) in cc.iter().zip(wc).zip(tc.iter_mut()) {
        for l in 0..LANES {
            let v = (-eta).mul_add(a[l], b[l]);
            o[l] = v;
            mx[l] = if v > mx[l] { v } else { mx[l] };
        }
    }
    let mut m = f64::NEG_INFINITY;
    for v in mx {
        m = if v > m { v } else { m };
    }
    for ((a, b), o) in ct.iter().zip(wt).zip(tt.iter_mut()) {
        *o = (-eta).mul_add(*a, *b);
        m = if *o > m { *o } else { m };
    }
    m
}

multiversion! {
    /// The stable log-sum-exp `ln Σ_k exp(w_k − η c_k)` of one line, fused in two passes
    /// over the line: first `t_k = w_k − η c_k` (kept in `scratch`, length ≥ the line's) and
    /// their exact maximum `M`, then `M + ln Σ exp(t_k − M)`. Every exp argument is ≤ 0 and
    /// the largest term is exactly 1, so the sum lies in `[1, len]`: no overflow, no zero.
    pub fn lse_line(c: &[f64], w: &[f64], eta: f64, scratch: &mut [f64]) -> f64 {
        let len = c.len();
        let (w, t) = (&w[..len], &mut scratch[..len]);
        let m = shifted_max(c, w, eta, t);
        m + exp_shifted_sum(t, m).ln()
    }
}

multiversion! {
    /// `bm_i ← max(bm_i, w − η c_i)` along a column (the row maxima of a block of columns).
    pub fn row_max_update(c: &[f64], w: f64, eta: f64, bm: &mut [f64]) {
        for (b, c) in bm.iter_mut().zip(c) {
            let t = (-eta).mul_add(*c, w);
            *b = if t > *b { t } else { *b };
        }
    }
}

multiversion! {
    /// Moves the running row shifts to `max(m_i, bm_i)`, rescaling the running sums
    /// (`s_i ← s_i·exp(m_i − m_i')`, an exponential of a value ≤ 0).
    pub fn rescale_rows(m: &mut [f64], bm: &[f64], s: &mut [f64]) {
        for ((m, b), s) in m.iter_mut().zip(bm).zip(s.iter_mut()) {
            let new = if *b > *m { *b } else { *m };
            *s *= exp_nonpositive_lane(*m - new);
            *m = new;
        }
    }
}

/// `s_i ← s_i + exp(w − η c_i − m_i)` along a column, with `m_i ≥ w − η c_i` (each `s_i`
/// accumulates in sequence: no cross-lane order to fix).
pub fn row_accumulate(c: &[f64], w: f64, eta: f64, m: &[f64], s: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::isa() == crate::simd::Isa::Avx512 {
        // SAFETY: the CPU has AVX-512F/DQ (checked by `isa()`).
        return unsafe { x86::row_accumulate_avx512(c, w, eta, m, s) };
    }
    row_accumulate_generic(c, w, eta, m, s)
}

multiversion! {
    /// The auto-vectorized path of [`row_accumulate`].
    fn row_accumulate_generic(c: &[f64], w: f64, eta: f64, m: &[f64], s: &mut [f64]) {
        for ((s, c), m) in s.iter_mut().zip(c).zip(m) {
            *s += exp_nonpositive_lane((-eta).mul_add(*c, w) - *m);
        }
    }
}

multiversion! {
    /// Writes `out_k = exp(p_k + shift − η c_k)` and returns `Σ_k out_k` (one column of a
    /// plan given its log offsets).
    pub fn exp_affine_line(c: &[f64], p: &[f64], shift: f64, eta: f64, out: &mut [f64]) -> f64 {
        let len = c.len();
        let (p, out) = (&p[..len], &mut out[..len]);
        for ((o, a), b) in out.iter_mut().zip(c).zip(p) {
            *o = exp_lane((-eta).mul_add(*a, *b + shift));
        }
        sum(out)
    }
}

/// `Σ_k exp(p_k + shift − η c_k)`, the terms going through `scratch` (length ≥ the line's).
pub fn exp_affine_sum(c: &[f64], p: &[f64], shift: f64, eta: f64, scratch: &mut [f64]) -> f64 {
    exp_affine_line(c, p, shift, eta, scratch)
}

multiversion! {
    /// `Σ_k a_k b_k` in lane order (deterministic, vectorized).
    pub fn dot(a: &[f64], b: &[f64]) -> f64 {
        let len = a.len();
        let b = &b[..len];
        let (ac, at) = a.as_chunks::<LANES>();
        let (bc, bt) = b.as_chunks::<LANES>();
        let mut s = [0.0f64; LANES];
        for (x, y) in ac.iter().zip(bc) {
            for l in 0..LANES {
                s[l] = x[l].mul_add(y[l], s[l]);
            }
        }
        let tail: f64 = at.iter().zip(bt).map(|(x, y)| x * y).sum();
        reduce(&s) + tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_avx512_exp_sum_matches_the_portable_path_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq") {
            for len in [1, 31, 32, 33, 100, 1000, 4001] {
                let t: Vec<f64> = (0..len)
                    .map(|k| -(((k * 7919) % 10007) as f64) * 0.09)
                    .collect();
                let want = {
                    let mut v = t.clone();
                    for x in v.iter_mut() {
                        *x = exp_nonpositive_lane(*x + 0.25);
                    }
                    sum_portable(&v)
                };
                let got = unsafe { x86::exp_shifted_sum_avx512(&mut t.clone(), -0.25) };
                assert_eq!(got.to_bits(), want.to_bits(), "len {len}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn row_accumulate_paths_agree_bit_for_bit() {
        let len = 1003;
        let c: Vec<f64> = (0..len).map(|k| ((k * 37) % 101) as f64 / 101.0).collect();
        let m: Vec<f64> = (0..len)
            .map(|k| 0.5 - ((k * 13) % 7) as f64 * 0.01)
            .collect();
        let mut s1: Vec<f64> = (0..len).map(|k| (k % 5) as f64).collect();
        let mut s2 = s1.clone();
        row_accumulate_generic(&c, 0.5, 30.0, &m, &mut s1);
        for i in 0..len {
            s2[i] += exp_nonpositive_lane((-30.0f64).mul_add(c[i], 0.5) - m[i]);
        }
        assert_eq!(s1, s2);
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq") {
            let mut s3: Vec<f64> = (0..len).map(|k| (k % 5) as f64).collect();
            unsafe { x86::row_accumulate_avx512(&c, 0.5, 30.0, &m, &mut s3) };
            assert_eq!(s3, s2);
        }
    }

    #[test]
    fn sum_is_the_same_on_every_instruction_set() {
        for len in [0, 1, 31, 32, 33, 64, 100, 1000, 4097] {
            let v: Vec<f64> = (0..len)
                .map(|k| ((k * 7919) % 1000) as f64 * 1e-3 + 1e-17 * k as f64)
                .collect();
            let want = sum_portable(&v);
            let naive: f64 = v.iter().sum();
            assert!((want - naive).abs() <= 1e-13 * naive.abs().max(1.0));
            #[cfg(target_arch = "x86_64")]
            {
                if is_x86_feature_detected!("avx2") {
                    assert_eq!(
                        unsafe { x86::sum_avx2(&v) }.to_bits(),
                        want.to_bits(),
                        "avx2, len {len}"
                    );
                }
                if is_x86_feature_detected!("avx512f") {
                    assert_eq!(
                        unsafe { x86::sum_avx512(&v) }.to_bits(),
                        want.to_bits(),
                        "avx512, len {len}"
                    );
                }
            }
        }
    }

    fn naive_lse(c: &[f64], w: &[f64], eta: f64) -> f64 {
        let t: Vec<f64> = c.iter().zip(w).map(|(c, w)| w - eta * c).collect();
        let m = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        m + t.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
    }

    #[test]
    fn lse_matches_a_naive_two_pass_and_never_overflows() {
        for len in [1, 7, 8, 9, 255, 256, 257, 1000] {
            let c: Vec<f64> = (0..len).map(|k| ((k * 37) % 101) as f64 / 101.0).collect();
            let w: Vec<f64> = (0..len).map(|k| ((k * 13) % 17) as f64 * 0.3).collect();
            for eta in [1.0, 1e3, 1e5] {
                let (got, want) = (
                    lse_line(&c, &w, eta, &mut vec![0.0; len]),
                    naive_lse(&c, &w, eta),
                );
                assert!(
                    (got - want).abs() <= 1e-14 * want.abs().max(1.0),
                    "len {len} η {eta}: {got} vs {want}"
                );
            }
        }
        // Values whose unshifted exp would overflow or underflow.
        let c = [0.0, 1.0];
        let mut t = [0.0; 2];
        assert!(
            (lse_line(&c, &[1000.0, 1000.0], 1.0, &mut t)
                - (1000.0 + (1.0 + (-1.0f64).exp()).ln()))
            .abs()
                < 1e-12
        );
        assert!(
            (lse_line(&c, &[-1e4, -1e4], 1e3, &mut t) - (-1e4 + (1.0 + (-1e3f64).exp()).ln()))
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn affine_kernels_agree_with_each_other() {
        let len = 301;
        let c: Vec<f64> = (0..len).map(|k| (k % 11) as f64 / 11.0).collect();
        let p: Vec<f64> = (0..len).map(|k| -((k % 5) as f64)).collect();
        let mut out = vec![0.0; len];
        let s1 = exp_affine_line(&c, &p, 0.5, 2.0, &mut out);
        let s2 = exp_affine_sum(&c, &p, 0.5, 2.0, &mut vec![0.0; len]);
        let want: f64 = (0..len).map(|k| (p[k] + 0.5 - 2.0 * c[k]).exp()).sum();
        assert!((s1 - want).abs() < 1e-13 * want && (s2 - want).abs() < 1e-13 * want);
        assert!((out[3] - (p[3] + 0.5 - 2.0 * c[3]).exp()).abs() < 1e-16);
        let d = dot(&c, &p);
        let dw: f64 = c.iter().zip(&p).map(|(a, b)| a * b).sum();
        assert!((d - dw).abs() < 1e-12);
    }
}
