//! Analytic floating-point operation counts (unit: **flop** = one multiply or one add; a
//! fused multiply-add counts 2), the `work()` axis of every Hadamard solver, so that HD-3 can
//! be judged at an equal-flop budget as well as at equal wall time.

/// One BCD outer iteration with `k` factors of rank `r` on an `m × n` matrix
/// (`p = r(r+1)/2`, `c(r) = (r³ + 6r²)/3` for one Cholesky factorization and two triangular
/// solves), per factor:
///
/// | part | flops |
/// |---|---|
/// | `S = Π_{i≠k}P_i`, `S∘S`, `S∘X` | `(k − 2)mn + 2mn` |
/// | packing the outer products of both blocks | `p(m + n)` |
/// | two Gram GEMMs `(m×n)(n×p)`, `(n×m)(m×p)` | `4mnp` |
/// | two right-hand-side GEMMs | `4mnr` |
/// | `m + n` solves | `(m + n)c(r)` |
/// | `P_k = W_kH_k` | `2mnr` |
/// | extrapolation (momentum) | `3r(m + n)` |
///
/// plus the error of the new iterate, `(k + 1)mn`.
pub fn bcd_per_iter(m: usize, n: usize, k: usize, r: usize, momentum: bool) -> u64 {
    let (m, n, k, r) = (m as u64, n as u64, k as u64, r as u64);
    let mn = m * n;
    let p = r * (r + 1) / 2;
    let solve = (r * r * r + 6 * r * r) / 3;
    let per_factor = k.saturating_sub(2) * mn
        + 2 * mn
        + p * (m + n)
        + 4 * mn * p
        + 4 * mn * r
        + (m + n) * solve
        + 2 * mn * r
        + if momentum { 3 * r * (m + n) } else { 0 };
    k * per_factor + (k + 1) * mn
}

/// One iteration of the GD baseline: six `2mnr` products (two gradient products per
/// factor and the refresh of `D₁ = A₁B₁`, `D₂ = A₂B₂`), `4mn` for `diff = D₁∘D₂ − X`,
/// `diff∘D₂` and `diff∘D₁`, and `8r(m + n)` for the four gradient norms and updates. The
/// loss check (`2mn`) is counted when it happens.
pub fn gd_per_iter(m: usize, n: usize, r: usize) -> u64 {
    let (m, n, r) = (m as u64, n as u64, r as u64);
    12 * m * n * r + 4 * m * n + 8 * r * (m + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_dominated_by_the_gemms() {
        // 427 × 640, r = 20: the four Gram GEMMs are 4·2·m·n·210 flops.
        let (m, n, r) = (427, 640, 20);
        let gram = 4 * 2 * (m * n * 210) as u64;
        let total = bcd_per_iter(m, n, 2, r, true);
        assert!(
            total > gram && (total as f64) < 1.2 * gram as f64,
            "{total} vs {gram}"
        );
        assert_eq!(gd_per_iter(100, 100, 5), 600_000 + 40_000 + 8_000);
        // K = 3 pays one more factor and the longer products of the others.
        assert!(bcd_per_iter(100, 100, 3, 4, false) > bcd_per_iter(100, 100, 2, 4, false));
    }
}
