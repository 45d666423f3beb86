//! Rate estimators. One implementation, used by every claim (CLAIMS.md conventions 6).

use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Ordinary least squares `y ≈ a + b x` with a 95% Student-t CI on the slope.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    pub slope: f64,
    pub intercept: f64,
    /// 95% CI of the slope (equal to the slope when `n = 2`).
    pub slope_ci: (f64, f64),
    pub r2: f64,
    pub n: usize,
}

/// A linear convergence rate `e_t ≈ C ρᵗ` fitted as the LS slope of `log e_t`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateFit {
    /// `ρ̂ = exp(slope)`.
    pub rate: f64,
    /// `exp` of the slope CI.
    pub rate_ci: (f64, f64),
    pub fit: LinearFit,
}

/// Least-squares line through `(x, y)`.
pub fn linear_fit(x: &[f64], y: &[f64]) -> Result<LinearFit> {
    if x.len() != y.len() {
        return Err(Error::invalid(
            "fit",
            format!("x has {} points, y has {}", x.len(), y.len()),
        ));
    }
    let n = x.len();
    if n < 2 {
        return Err(Error::invalid(
            "fit",
            format!("needs at least 2 points in the fit window, got {n}"),
        ));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(Error::invalid("fit", "non-finite value in the fit window"));
    }
    let nf = n as f64;
    let (mx, my) = (x.iter().sum::<f64>() / nf, y.iter().sum::<f64>() / nf);
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let syy: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    if sxx == 0.0 {
        return Err(Error::invalid("fit", "all x values are equal"));
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (b - intercept - slope * a).powi(2))
        .sum();
    let r2 = if syy > 0.0 { 1.0 - sse / syy } else { 1.0 };
    let slope_ci = if n > 2 {
        let se = (sse / (nf - 2.0) / sxx).sqrt();
        let t = StudentsT::new(0.0, 1.0, nf - 2.0)
            .map_err(|e| Error::numerical("Student t", e))?
            .inverse_cdf(0.975);
        (slope - t * se, slope + t * se)
    } else {
        (slope, slope)
    };
    Ok(LinearFit {
        slope,
        intercept,
        slope_ci,
        r2,
        n,
    })
}

/// Linear rate from `log e` against `t` (non-positive errors are rejected).
pub fn linear_rate(t: &[f64], e: &[f64]) -> Result<RateFit> {
    if let Some(v) = e.iter().find(|v| **v <= 0.0) {
        return Err(Error::invalid(
            "fit",
            format!("linear rate needs positive errors, got {v}"),
        ));
    }
    let log_e: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    let fit = linear_fit(t, &log_e)?;
    Ok(RateFit {
        rate: fit.slope.exp(),
        rate_ci: (fit.slope_ci.0.exp(), fit.slope_ci.1.exp()),
        fit,
    })
}

/// Sublinear exponent: LS slope of `log e` against `log t` (e.g. −1 for a 1/t law).
pub fn loglog_slope(t: &[f64], e: &[f64]) -> Result<LinearFit> {
    if t.iter().chain(e).any(|v| *v <= 0.0) {
        return Err(Error::invalid(
            "fit",
            "log–log slope needs positive t and e",
        ));
    }
    let lt: Vec<f64> = t.iter().map(|v| v.ln()).collect();
    let le: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    linear_fit(&lt, &le)
}

/// LS slope of `1/e` against `t` (a 1/t law `e ≈ 1/(c t)` has slope `c`).
pub fn inverse_slope(t: &[f64], e: &[f64]) -> Result<LinearFit> {
    let inv: Vec<f64> = e.iter().map(|v| 1.0 / v).collect();
    linear_fit(t, &inv)
}

/// Order of convergence: LS slope of `log e_{t+1}` against `log e_t` (1 linear, 2 quadratic).
pub fn order_of_convergence(e: &[f64]) -> Result<LinearFit> {
    let le: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    linear_fit(&le[..le.len().saturating_sub(1)], &le[1.min(le.len())..])
}

/// Scaling exponent across a sweep: LS slope of `log T` against `log p` (e.g. T ∝ κ^β).
pub fn scaling_exponent(p: &[f64], t: &[f64]) -> Result<LinearFit> {
    loglog_slope(p, t)
}

/// Median of consecutive ratios `e_{t+1}/e_t` over pairs with `e_t < upper` and
/// `e_{t+1} > lower` (LR-1's estimator). `None` if no pair qualifies.
pub fn median_ratio(e: &[f64], upper: f64, lower: f64) -> Option<f64> {
    let mut r: Vec<f64> = e
        .windows(2)
        .filter(|w| w[0] < upper && w[1] > lower && w[0] > 0.0)
        .map(|w| w[1] / w[0])
        .collect();
    median(&mut r)
}

/// Median of a slice (sorted in place); `None` when empty.
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// The points of a series whose error lies strictly inside `(lower, upper)`.
pub fn band(series: &[(u64, f64)], lower: f64, upper: f64) -> (Vec<f64>, Vec<f64>) {
    series
        .iter()
        .filter(|(_, e)| *e > lower && *e < upper)
        .map(|(t, e)| (*t as f64, *e))
        .unzip()
}

/// The points with `lo <= t < hi`.
pub fn window(series: &[(u64, f64)], lo: u64, hi: u64) -> (Vec<f64>, Vec<f64>) {
    series
        .iter()
        .filter(|(t, _)| *t >= lo && *t < hi)
        .map(|(t, e)| (*t as f64, *e))
        .unzip()
}

/// First `t` with `e_t < eps`.
pub fn hitting_time(series: &[(u64, f64)], eps: f64) -> Option<u64> {
    series.iter().find(|(_, e)| *e < eps).map(|(t, _)| *t)
}

/// First `t` with `e_t > threshold` (e.g. an eigenvalue crossing a plateau level).
pub fn first_above(series: &[(u64, f64)], threshold: f64) -> Option<u64> {
    series.iter().find(|(_, v)| *v > threshold).map(|(t, _)| *t)
}

/// LS fit of `log e_t` against `t` over the points with `lower < e_t < upper`.
pub fn band_fit(series: &[(u64, f64)], lower: f64, upper: f64) -> Result<LinearFit> {
    let (t, e) = band(series, lower, upper);
    let le: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    linear_fit(&t, &le)
}

/// LS fit of `log e_t` against `t` over the window `lo <= t < hi`.
pub fn window_log_fit(series: &[(u64, f64)], lo: u64, hi: u64) -> Result<LinearFit> {
    let (t, e) = window(series, lo, hi);
    let le: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    linear_fit(&t, &le)
}

/// Two-point rate `exp((log e_j − log e_i)/(j − i))` between the first crossings `i` of
/// `upper` and `j` of `lower` (NaN if either is missing or they coincide).
pub fn two_point_rate(series: &[(u64, f64)], upper: f64, lower: f64) -> f64 {
    let first = |eps: f64| series.iter().find(|(_, e)| *e < eps).copied();
    match (first(upper), first(lower)) {
        (Some((ti, ei)), Some((tj, ej))) if tj > ti => {
            ((ej.ln() - ei.ln()) / (tj - ti) as f64).exp()
        }
        _ => f64::NAN,
    }
}

/// `|a − b| / |b|`.
pub fn rel_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// `max/min` of positive values (NaN if any is NaN or the slice is empty): how far apart a
/// quantity that should not depend on a swept parameter ends up.
pub fn spread(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    if v.iter().any(|x| x.is_nan()) || v.is_empty() {
        f64::NAN
    } else {
        max / min
    }
}

/// A hitting time as a float: NaN when never reached, so a criterion on it fails.
pub fn hit_or_nan(series: &[(u64, f64)], eps: f64) -> f64 {
    hitting_time(series, eps).map_or(f64::NAN, |t| t as f64)
}

/// A fitted slope and its CI, NaN when the fit is impossible (too few points).
pub fn slope_or_nan(fit: Result<LinearFit>) -> (f64, (f64, f64)) {
    match fit {
        Ok(f) => (f.slope, f.slope_ci),
        Err(_) => (f64::NAN, (f64::NAN, f64::NAN)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_noisy_rate_with_a_covering_ci() {
        // Deterministic "noise" so the test is reproducible.
        let t: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let e: Vec<f64> = t
            .iter()
            .map(|&k| 0.9f64.powf(k) * (1.0 + 0.05 * (k * 1.7).sin()))
            .collect();
        let f = linear_rate(&t, &e).unwrap();
        assert!((f.rate - 0.9).abs() < 2e-3, "{f:?}");
        assert!(f.rate_ci.0 < 0.9 && 0.9 < f.rate_ci.1, "{f:?}");
        assert!(f.fit.r2 > 0.99);
    }

    #[test]
    fn student_t_quantile_is_right() {
        // Slope CI half-width for a known dataset: x = 0..12, y = x + alternating ±1.
        let x: Vec<f64> = (0..12).map(|i| i as f64).collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| v + if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let f = linear_fit(&x, &y).unwrap();
        let sxx: f64 = x.iter().map(|v| (v - 5.5).powi(2)).sum();
        let sse: f64 = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (b - f.intercept - f.slope * a).powi(2))
            .sum();
        let half = 2.228139 * (sse / 10.0 / sxx).sqrt(); // t_{0.975}(10)
        assert!(((f.slope_ci.1 - f.slope) - half).abs() < 1e-5);
    }

    #[test]
    fn sublinear_laws() {
        let t: Vec<f64> = (100..1000).map(|i| i as f64).collect();
        let e: Vec<f64> = t.iter().map(|k| 1.0 / (0.2 * k)).collect();
        assert!((inverse_slope(&t, &e).unwrap().slope - 0.2).abs() < 1e-12);
        assert!((loglog_slope(&t, &e).unwrap().slope + 1.0).abs() < 1e-12);
        let q: Vec<f64> = (0..5).map(|i| 0.1f64.powi(1 << i)).collect();
        assert!((order_of_convergence(&q).unwrap().slope - 2.0).abs() < 1e-12);
    }

    #[test]
    fn ratio_median_band_and_hitting() {
        let s: Vec<(u64, f64)> = (0..40).map(|t| (t, 0.5f64.powi(t as i32))).collect();
        let e: Vec<f64> = s.iter().map(|p| p.1).collect();
        assert_eq!(median_ratio(&e, 1e-5, 1e-12), Some(0.5));
        assert_eq!(hitting_time(&s, 1e-3), Some(10));
        let (x, _) = band(&s, 1e-6, 1e-3);
        assert_eq!((x[0], *x.last().unwrap()), (10.0, 19.0));
        assert!(linear_fit(&[1.0], &[1.0]).is_err());
        assert!(median_ratio(&e, 1e-30, 1e-40).is_none());
        assert!((two_point_rate(&s, 1e-3, 1e-9) - 0.5).abs() < 1e-12);
        assert!((band_fit(&s, 1e-9, 1e-3).unwrap().slope.exp() - 0.5).abs() < 1e-12);
        assert_eq!(first_above(&s, 0.3), Some(0));
        assert!((spread(&[2.0, 4.0, 3.0]) - 2.0).abs() < 1e-15);
        assert!(spread(&[2.0, f64::NAN]).is_nan());
        assert!(hit_or_nan(&s, 0.0).is_nan());
    }
}
