//! Rounding onto the transport polytope (Altschuler, Weed, Rigollet 2017, Algorithm 2).

use crate::sum::Neumaier;
use faer::MatMut;

/// Rounds a nonnegative `F` (n × m) in place to a plan with row sums `a` and column sums `b`
/// (`Σa = Σb`): scale rows by `min(a_i/r_i(F), 1)`, then columns by `min(b_j/c_j(F), 1)`,
/// then add `err_r err_cᵀ / ‖err_r‖₁` with `err_r = a − F1`, `err_c = b − Fᵀ1`.
/// The ℓ1 change is at most `2(‖F1 − a‖₁ + ‖Fᵀ1 − b‖₁)` (AWR Lemma 7).
pub fn round_to_marginals(mut f: MatMut<'_, f64>, a: &[f64], b: &[f64]) {
    let (n, m) = (f.nrows(), f.ncols());
    assert!(a.len() == n && b.len() == m, "round_to_marginals: shapes");
    let mut rows = vec![0.0; n];
    row_sums(f.as_ref(), &mut rows);
    let scale: Vec<f64> = (0..n)
        .map(|i| if rows[i] > a[i] { a[i] / rows[i] } else { 1.0 })
        .collect();
    for j in 0..m {
        let mut col = Neumaier::default();
        for i in 0..n {
            f[(i, j)] *= scale[i];
            col.add(f[(i, j)]);
        }
        let c = col.value();
        if c > b[j] {
            let s = b[j] / c;
            for i in 0..n {
                f[(i, j)] *= s;
            }
        }
    }
    row_sums(f.as_ref(), &mut rows);
    let err_r: Vec<f64> = (0..n).map(|i| (a[i] - rows[i]).max(0.0)).collect();
    let err_c: Vec<f64> = (0..m)
        .map(|j| {
            let mut c = Neumaier::default();
            (0..n).for_each(|i| c.add(f[(i, j)]));
            (b[j] - c.value()).max(0.0)
        })
        .collect();
    let total = crate::sum::compensated(&err_r);
    if total > 0.0 {
        for j in 0..m {
            let cj = err_c[j] / total;
            for i in 0..n {
                f[(i, j)] += err_r[i] * cj;
            }
        }
    }
}

/// Compensated row sums of `f`.
pub fn row_sums(f: faer::MatRef<'_, f64>, out: &mut [f64]) {
    let mut acc = vec![Neumaier::default(); f.nrows()];
    for j in 0..f.ncols() {
        for (i, a) in acc.iter_mut().enumerate() {
            a.add(f[(i, j)]);
        }
    }
    out.iter_mut().zip(&acc).for_each(|(o, a)| *o = a.value());
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;
    use rand::Rng as _;
    use ratebench_core::rng::SeedPath;

    fn marginal_error(f: &Mat<f64>, a: &[f64], b: &[f64]) -> f64 {
        let (n, m) = (f.nrows(), f.ncols());
        let r: f64 = (0..n)
            .map(|i| ((0..m).map(|j| f[(i, j)]).sum::<f64>() - a[i]).abs())
            .sum();
        let c: f64 = (0..m)
            .map(|j| ((0..n).map(|i| f[(i, j)]).sum::<f64>() - b[j]).abs())
            .sum();
        r + c
    }

    #[test]
    fn rounded_plan_is_feasible_and_close() {
        let mut rng = SeedPath::new(3).stream("data");
        let (n, m) = (7, 5);
        let raw_a: Vec<f64> = (0..n).map(|_| 0.1 + rng.random::<f64>()).collect();
        let raw_b: Vec<f64> = (0..m).map(|_| 0.1 + rng.random::<f64>()).collect();
        let (sa, sb) = (raw_a.iter().sum::<f64>(), raw_b.iter().sum::<f64>());
        let a: Vec<f64> = raw_a.iter().map(|v| v / sa).collect();
        let b: Vec<f64> = raw_b.iter().map(|v| v / sb).collect();
        let f = Mat::from_fn(n, m, |_, _| rng.random::<f64>() / 20.0);
        let before = marginal_error(&f, &a, &b);
        let mut g = f.clone();
        round_to_marginals(g.as_mut(), &a, &b);
        assert!(
            marginal_error(&g, &a, &b) < 1e-15,
            "{}",
            marginal_error(&g, &a, &b)
        );
        assert!((0..m).all(|j| (0..n).all(|i| g[(i, j)] >= 0.0)));
        let change: f64 = (0..m)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|ij| (g[ij] - f[ij]).abs())
            .sum();
        assert!(
            change <= 2.0 * before * (1.0 + 1e-12),
            "change {change} > 2 × {before}"
        );
        assert!(change > 0.0);
    }
}
