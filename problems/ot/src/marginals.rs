//! Checking and preparing the marginals `a`, `b`: finite, nonnegative, summing to 1, and
//! strictly positive (every ratebench solver takes `log a`, divides by `a` or compares
//! against it).

use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// Relative tolerance on `Σa = 1` and `Σb = 1` before `normalize = true` is required.
pub const SUM_TOLERANCE: f64 = 1e-9;

/// What to do with zero entries of a marginal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ZeroMass {
    /// Refuse the instance, naming the zero entries (the default).
    #[default]
    Reject,
    /// Remove zero-mass points: the row of `C` for each zero `a_i`, the column for each zero
    /// `b_j`. The problem is then smaller (and possibly rectangular); the kept original indices
    /// are available from the problem.
    Drop,
    /// Replace zeros by this value, then renormalize to sum 1.
    Floor(f64),
}

/// How marginals are prepared (part of every spec and loader).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarginalOptions {
    /// Divide each marginal by its sum (needed when a sum is off 1 by more than
    /// [`SUM_TOLERANCE`] relative). Sums within the tolerance are always rescaled exactly.
    pub normalize: bool,
    /// Zero entries: reject (default), drop, or floor.
    pub zero_mass: ZeroMass,
}

/// Indices of entries equal to zero, listed briefly for a message.
fn list_indices(idx: &[usize]) -> String {
    let shown: Vec<String> = idx.iter().take(5).map(|i| i.to_string()).collect();
    let more = if idx.len() > 5 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// Finite and nonnegative entries, a positive sum close to 1 (or normalized), rescaled so that
/// the sum is 1 in floating point. Zeros are left for [`zero_entries`].
pub fn check_and_normalize(name: &str, v: &mut [f64], normalize: bool) -> Result<()> {
    if v.is_empty() {
        return Err(Error::invalid(
            name,
            "is empty; a marginal needs at least one entry",
        ));
    }
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(Error::invalid(
            name,
            format!("entry {i} is {}; marginals must be finite", v[i]),
        ));
    }
    let negative: Vec<usize> = (0..v.len()).filter(|&i| v[i] < 0.0).collect();
    if let Some(&i) = negative.first() {
        return Err(Error::invalid(
            name,
            format!(
                "has {} negative entries (first: entry {i} = {}); marginals are histograms with entries >= 0: fix the data (normalize = true does not remove negative entries)",
                negative.len(),
                v[i]
            ),
        ));
    }
    let sum = compensated_sum(v);
    if sum <= 0.0 {
        return Err(Error::invalid(
            name,
            "sums to 0; a marginal needs positive total mass",
        ));
    }
    if (sum - 1.0).abs() > SUM_TOLERANCE && !normalize {
        return Err(Error::invalid(
            name,
            format!(
                "sums to {sum:.12}, not 1 (tolerance {SUM_TOLERANCE:e} relative); set normalize = true to divide it by its sum"
            ),
        ));
    }
    for x in v.iter_mut() {
        *x /= sum;
    }
    Ok(())
}

/// Indices of zero entries.
pub fn zero_entries(v: &[f64]) -> Vec<usize> {
    (0..v.len()).filter(|&i| v[i] == 0.0).collect()
}

/// The error for zeros under [`ZeroMass::Reject`].
pub fn zeros_error(name: &str, zeros: &[usize], len: usize) -> Error {
    Error::invalid(
        name,
        format!(
            "has {} zero entries of {len} (indices {}); Sinkhorn-type solvers need {name} > 0: set zero_mass = \"drop\" to remove zero-mass points, or zero_mass = {{ floor = 1e-12 }} to add a floor and renormalize",
            zeros.len(),
            list_indices(zeros)
        ),
    )
}

/// Applies a floor to zero entries and renormalizes.
pub fn apply_floor(name: &str, v: &mut [f64], floor: f64) -> Result<()> {
    if !(floor.is_finite() && floor > 0.0 && floor < 1.0) {
        return Err(Error::invalid(
            "zero_mass.floor",
            format!("must be a number in (0, 1), e.g. 1e-12, got {floor}"),
        ));
    }
    for x in v.iter_mut() {
        if *x == 0.0 {
            *x = floor;
        }
    }
    check_and_normalize(name, v, true)
}

/// Compensated sum (see [`crate::sum`]).
pub fn compensated_sum(v: &[f64]) -> f64 {
    crate::sum::compensated(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(name: &str, v: &[f64], normalize: bool) -> String {
        let mut v = v.to_vec();
        check_and_normalize(name, &mut v, normalize)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn negative_entries_are_named() {
        let e = message("a", &[0.5, -0.1, 0.6], true);
        assert!(
            e.starts_with("invalid a: has 1 negative entries (first: entry 1 = -0.1)"),
            "{e}"
        );
        assert!(!e.contains('\n'));
    }

    #[test]
    fn sums_off_one_need_normalize() {
        let e = message("b", &[0.5, 0.6], false);
        assert!(
            e.starts_with("invalid b: sums to 1.1") && e.contains("normalize = true"),
            "{e}"
        );
        let mut v = vec![1.0, 3.0];
        check_and_normalize("b", &mut v, true).unwrap();
        assert_eq!(v, vec![0.25, 0.75]);
        // Within the tolerance: accepted and rescaled without the option.
        let mut w = vec![0.5, 0.5 + 1e-10];
        check_and_normalize("b", &mut w, false).unwrap();
        assert!((compensated_sum(&w) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn non_finite_and_empty_are_refused() {
        assert!(message("a", &[f64::NAN, 1.0], true).starts_with("invalid a: entry 0 is NaN"));
        assert!(message("a", &[], true).contains("is empty"));
        assert!(message("a", &[0.0, 0.0], true).contains("sums to 0"));
    }

    #[test]
    fn zeros_message_says_which_and_how() {
        let v = [0.5, 0.0, 0.5, 0.0];
        let z = zero_entries(&v);
        assert_eq!(z, vec![1, 3]);
        let e = zeros_error("a", &z, 4).to_string();
        assert!(
            e.starts_with("invalid a: has 2 zero entries of 4 (indices 1, 3)"),
            "{e}"
        );
        assert!(
            e.contains("zero_mass = \"drop\"") && e.contains("floor"),
            "{e}"
        );
        let mut w = v.to_vec();
        apply_floor("a", &mut w, 1e-3).unwrap();
        assert!(w.iter().all(|&x| x > 0.0));
        assert!((compensated_sum(&w) - 1.0).abs() < 1e-15);
        let bad = apply_floor("a", &mut v.to_vec(), 0.0)
            .unwrap_err()
            .to_string();
        assert!(bad.starts_with("invalid zero_mass.floor"), "{bad}");
    }

    #[test]
    fn compensated_sum_is_exact_on_a_hard_case() {
        let v = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(compensated_sum(&v), 2.0);
    }
}
