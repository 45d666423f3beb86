//! Statistical metrics against a known `w⋆`: estimation error, support recovery, and the
//! oracle least-squares benchmark on the true support.

use crate::data::RegressionData;
use faer::linalg::solvers::SolveLstsq;
use faer::Mat;
use ratebench_core::{Error, Result};

/// `‖w − w⋆‖²`, formed from the difference.
pub fn sq_error(w: &[f64], truth: &[f64]) -> f64 {
    w.iter().zip(truth).map(|(a, b)| (a - b) * (a - b)).sum()
}

/// How well `{j : |w_j| > threshold}` matches the true support.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SupportRecovery {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// TP / (TP + FP) (1 when nothing is selected).
    pub precision: f64,
    /// TP / (TP + FN) (1 when the truth is empty).
    pub recall: f64,
    /// The selected support equals the true one.
    pub exact: bool,
    /// `max_{j ∉ S} |w_j|` (the largest off-support entry; SR-2).
    pub max_off_support: f64,
    /// `min_{j ∈ S} |w_j|`.
    pub min_on_support: f64,
}

/// Support recovery of `w` against `truth`, selecting `|w_j| > threshold`.
pub fn support_recovery(w: &[f64], truth: &[f64], threshold: f64) -> SupportRecovery {
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    let (mut off, mut on) = (0.0f64, f64::INFINITY);
    for (&wj, &tj) in w.iter().zip(truth) {
        let selected = wj.abs() > threshold;
        if tj != 0.0 {
            on = on.min(wj.abs());
            if selected {
                tp += 1;
            } else {
                fneg += 1;
            }
        } else {
            off = off.max(wj.abs());
            if selected {
                fp += 1;
            }
        }
    }
    let ratio = |a: usize, b: usize| {
        if a + b == 0 {
            1.0
        } else {
            a as f64 / (a + b) as f64
        }
    };
    SupportRecovery {
        true_positives: tp,
        false_positives: fp,
        false_negatives: fneg,
        precision: ratio(tp, fp),
        recall: ratio(tp, fneg),
        exact: fp == 0 && fneg == 0,
        max_off_support: off,
        min_on_support: if on.is_finite() { on } else { 0.0 },
    }
}

/// Least squares restricted to `support` (QR of the n × |S| submatrix), as a full-length
/// vector; the benchmark SR-2 compares early-stopped GD with.
pub fn oracle_least_squares(data: &RegressionData, support: &[usize]) -> Result<Vec<f64>> {
    let (n, p) = (data.n(), data.p());
    if let Some(&j) = support.iter().find(|&&j| j >= p) {
        return Err(Error::invalid(
            "support",
            format!("index {j} is out of range for p = {p} features"),
        ));
    }
    if support.len() > n {
        return Err(Error::invalid(
            "support",
            format!("has {} coordinates but there are only n = {n} samples; least squares is not unique", support.len()),
        ));
    }
    let mut w = vec![0.0; p];
    if support.is_empty() {
        return Ok(w);
    }
    let xs = data.x().dense_columns(support);
    let y = Mat::from_fn(n, 1, |i, _| data.y()[i]);
    let b = xs.qr().solve_lstsq(&y);
    for (k, &j) in support.iter().enumerate() {
        w[j] = b[(k, 0)];
    }
    if w.iter().any(|v| !v.is_finite()) {
        return Err(Error::numerical(
            "oracle least squares",
            "the support columns are linearly dependent",
        ));
    }
    Ok(w)
}

/// `‖ŵ_oracle − w⋆‖²` on the true support (SR-2's denominator).
pub fn oracle_error(data: &RegressionData) -> Result<f64> {
    let truth = data
        .truth()
        .ok_or_else(|| Error::invalid("w_star", "the oracle error needs a known ground truth"))?;
    let w = oracle_least_squares(data, &data.support())?;
    Ok(sq_error(&w, truth))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::RegressionSpec;
    use ratebench_core::rng::SeedPath;

    #[test]
    fn support_recovery_counts() {
        let s = support_recovery(&[1.0, 0.0, 1e-3, -2.0], &[1.0, 1.0, 0.0, -3.0], 1e-2);
        assert_eq!(
            (s.true_positives, s.false_positives, s.false_negatives),
            (2, 0, 1)
        );
        assert!(!s.exact && (s.recall - 2.0 / 3.0).abs() < 1e-15 && s.precision == 1.0);
        assert_eq!(s.max_off_support, 1e-3);
        assert_eq!(s.min_on_support, 0.0);
    }

    #[test]
    fn oracle_least_squares_solves_the_normal_equations_on_the_support() {
        let data = RegressionSpec::implicit_regularization()
            .generate(&SeedPath::new(0))
            .unwrap();
        let s = data.support();
        let w = oracle_least_squares(&data, &s).unwrap();
        // Normal equations: X_Sᵀ(y − X_S w_S) = 0.
        let mut r = vec![0.0; data.n()];
        data.x().matvec(&w, &mut r, faer::Par::Seq);
        r.iter_mut()
            .zip(data.y())
            .for_each(|(ri, yi)| *ri = yi - *ri);
        for &j in &s {
            assert!(data.x().col_dot(j, &r).abs() < 1e-9);
        }
        // Error ≈ kσ²/n = 5·0.25/200 ≈ 6e-3 (within a generous factor).
        let e = oracle_error(&data).unwrap();
        assert!(e > 1e-4 && e < 0.05, "{e}");
        assert!(oracle_least_squares(&data, &[5000])
            .unwrap_err()
            .to_string()
            .starts_with("invalid support:"));
    }
}
