//! The validated instance: marginals, cost and regularization.

use crate::marginals::{
    apply_floor, check_and_normalize, zero_entries, zeros_error, MarginalOptions, ZeroMass,
};
use crate::Regularization;
use faer::Mat;
use ratebench_core::{memory, Error, Result};

/// A discrete entropic OT instance: histograms `a ∈ Δⁿ`, `b ∈ Δᵐ`, cost `C ∈ ℝ^{n×m}` and
/// `η = 1/ε`. Built only through [`OtProblem::new`] (and the generators and loaders, which
/// call it), so every instance satisfies: `a, b > 0` entrywise and sum to 1 (to round-off);
/// `C` is finite with the right shape; `η` is finite and > 0.
#[derive(Clone, Debug)]
pub struct OtProblem {
    a: Vec<f64>,
    b: Vec<f64>,
    log_a: Vec<f64>,
    log_b: Vec<f64>,
    cost: Mat<f64>,
    eta: f64,
    cost_min: f64,
    cost_max: f64,
    kept_rows: Option<Vec<usize>>,
    kept_cols: Option<Vec<usize>>,
    label: String,
}

/// Bytes of an `n × m` matrix of doubles.
pub fn matrix_bytes(n: usize, m: usize) -> u64 {
    memory::f64s((n as u64).saturating_mul(m as u64))
}

/// The memory check before allocating one `n × m` matrix (`what` names it).
pub fn check_matrix_memory(param: &str, what: &str, n: usize, m: usize) -> Result<()> {
    memory::check(
        param,
        &format!("{what} ({n} × {m} doubles)"),
        matrix_bytes(n, m),
    )
}

impl OtProblem {
    /// Validates and prepares an instance (see [`MarginalOptions`] for normalization and zero
    /// handling). Errors name `a`, `b`, `C`, `eta`/`epsilon` or `zero_mass.floor`.
    pub fn new(
        mut a: Vec<f64>,
        mut b: Vec<f64>,
        cost: Mat<f64>,
        reg: Regularization,
        opts: &MarginalOptions,
        label: impl Into<String>,
    ) -> Result<Self> {
        reg.validate()?;
        check_shape(&a, &b, &cost)?;
        check_cost(&cost)?;
        check_and_normalize("a", &mut a, opts.normalize)?;
        check_and_normalize("b", &mut b, opts.normalize)?;
        let (za, zb) = (zero_entries(&a), zero_entries(&b));
        let mut cost = cost;
        let (mut kept_rows, mut kept_cols) = (None, None);
        if !za.is_empty() || !zb.is_empty() {
            match opts.zero_mass {
                ZeroMass::Reject if !za.is_empty() => return Err(zeros_error("a", &za, a.len())),
                ZeroMass::Reject => return Err(zeros_error("b", &zb, b.len())),
                ZeroMass::Floor(f) => {
                    apply_floor("a", &mut a, f)?;
                    apply_floor("b", &mut b, f)?;
                }
                ZeroMass::Drop => {
                    let rows: Vec<usize> = (0..a.len()).filter(|&i| a[i] > 0.0).collect();
                    let cols: Vec<usize> = (0..b.len()).filter(|&j| b[j] > 0.0).collect();
                    cost = Mat::from_fn(rows.len(), cols.len(), |i, j| cost[(rows[i], cols[j])]);
                    a = rows.iter().map(|&i| a[i]).collect();
                    b = cols.iter().map(|&j| b[j]).collect();
                    kept_rows = Some(rows);
                    kept_cols = Some(cols);
                }
            }
        }
        let (cost_min, cost_max) = cost_range(&cost);
        Ok(Self {
            log_a: a.iter().map(|v| v.ln()).collect(),
            log_b: b.iter().map(|v| v.ln()).collect(),
            a,
            b,
            cost,
            eta: reg.eta(),
            cost_min,
            cost_max,
            kept_rows,
            kept_cols,
            label: label.into(),
        })
    }

    /// The same instance at another regularization (no copy of `C`).
    pub fn with_regularization(mut self, reg: Regularization) -> Result<Self> {
        reg.validate()?;
        self.eta = reg.eta();
        Ok(self)
    }

    /// The row marginal `a` (length n).
    pub fn a(&self) -> &[f64] {
        &self.a
    }

    /// The column marginal `b` (length m).
    pub fn b(&self) -> &[f64] {
        &self.b
    }

    /// `ln a` (finite: `a > 0`).
    pub fn log_a(&self) -> &[f64] {
        &self.log_a
    }

    /// `ln b`.
    pub fn log_b(&self) -> &[f64] {
        &self.log_b
    }

    /// The cost `C` (n × m, column-major).
    pub fn cost(&self) -> &Mat<f64> {
        &self.cost
    }

    /// `η = 1/ε`.
    pub fn eta(&self) -> f64 {
        self.eta
    }

    /// `ε = 1/η`.
    pub fn epsilon(&self) -> f64 {
        1.0 / self.eta
    }

    /// `(n, m)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.a.len(), self.b.len())
    }

    /// `n` (rows, support of `a`).
    pub fn n(&self) -> usize {
        self.a.len()
    }

    /// `m` (columns, support of `b`).
    pub fn m(&self) -> usize {
        self.b.len()
    }

    /// `(min C, max C)`.
    pub fn cost_range(&self) -> (f64, f64) {
        (self.cost_min, self.cost_max)
    }

    /// Original indices of the rows kept by `zero_mass = "drop"` (None: all kept).
    pub fn kept_rows(&self) -> Option<&[usize]> {
        self.kept_rows.as_deref()
    }

    /// Original indices of the columns kept by `zero_mass = "drop"`.
    pub fn kept_cols(&self) -> Option<&[usize]> {
        self.kept_cols.as_deref()
    }

    /// A short description for result files.
    pub fn label(&self) -> &str {
        &self.label
    }
}

fn check_shape(a: &[f64], b: &[f64], cost: &Mat<f64>) -> Result<()> {
    if cost.nrows() != a.len() || cost.ncols() != b.len() {
        return Err(Error::invalid(
            "C",
            format!(
                "is {} × {} but a has {} entries and b has {}; C must be len(a) × len(b) (rows follow a, columns follow b)",
                cost.nrows(),
                cost.ncols(),
                a.len(),
                b.len()
            ),
        ));
    }
    Ok(())
}

fn check_cost(cost: &Mat<f64>) -> Result<()> {
    for j in 0..cost.ncols() {
        for i in 0..cost.nrows() {
            let c = cost[(i, j)];
            if !c.is_finite() {
                return Err(Error::invalid(
                    "C",
                    format!(
                        "entry ({i}, {j}) is {c}; the cost must be finite (for a forbidden pair use a large finite cost)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn cost_range(cost: &Mat<f64>) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for j in 0..cost.ncols() {
        for &c in cost.col_as_slice(j) {
            lo = lo.min(c);
            hi = hi.max(c);
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform(n: usize) -> Vec<f64> {
        vec![1.0 / n as f64; n]
    }

    fn build(a: Vec<f64>, b: Vec<f64>, c: Mat<f64>, opts: MarginalOptions) -> Result<OtProblem> {
        OtProblem::new(a, b, c, Regularization::Eta(10.0), &opts, "test")
    }

    #[test]
    fn shape_mismatch_is_named() {
        let e = build(uniform(3), uniform(2), Mat::zeros(2, 3), Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid C: is 2 × 3 but a has 3 entries and b has 2"),
            "{e}"
        );
    }

    #[test]
    fn non_finite_cost_is_located() {
        let mut c = Mat::zeros(2, 2);
        c[(1, 0)] = f64::INFINITY;
        let e = build(uniform(2), uniform(2), c.clone(), Default::default())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid C: entry (1, 0) is inf"), "{e}");
        c[(1, 0)] = f64::NAN;
        let e = build(uniform(2), uniform(2), c, Default::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("entry (1, 0) is NaN"), "{e}");
    }

    #[test]
    fn bad_regularization_is_refused() {
        for reg in [Regularization::Eta(0.0), Regularization::Epsilon(-1.0)] {
            let e = OtProblem::new(
                uniform(2),
                uniform(2),
                Mat::zeros(2, 2),
                reg,
                &Default::default(),
                "t",
            )
            .unwrap_err()
            .to_string();
            assert!(
                e.starts_with("invalid eta") || e.starts_with("invalid epsilon"),
                "{e}"
            );
        }
    }

    #[test]
    fn zeros_rejected_dropped_or_floored() {
        let a = vec![0.5, 0.0, 0.5];
        let b = vec![0.0, 1.0];
        let c = Mat::from_fn(3, 2, |i, j| (i * 2 + j) as f64);
        let e = build(a.clone(), b.clone(), c.clone(), Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid a: has 1 zero entries of 3 (indices 1)"),
            "{e}"
        );
        let e = build(uniform(3), b.clone(), c.clone(), Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid b: has 1 zero entries of 2 (indices 0)"),
            "{e}"
        );
        let drop = MarginalOptions {
            zero_mass: ZeroMass::Drop,
            ..Default::default()
        };
        let p = build(a.clone(), b.clone(), c.clone(), drop).unwrap();
        assert_eq!(p.shape(), (2, 1));
        assert_eq!(p.kept_rows(), Some(&[0usize, 2][..]));
        assert_eq!(p.cost()[(1, 0)], c[(2, 1)]);
        let floor = MarginalOptions {
            zero_mass: ZeroMass::Floor(1e-6),
            ..Default::default()
        };
        let p = build(a, b, c, floor).unwrap();
        assert_eq!(p.shape(), (3, 2));
        assert!(p.a().iter().chain(p.b()).all(|&v| v > 0.0));
        assert!(p.log_a().iter().all(|v| v.is_finite()));
    }

    #[test]
    fn regularization_can_change_without_copying() {
        let p = build(uniform(2), uniform(2), Mat::zeros(2, 2), Default::default()).unwrap();
        let p = p.with_regularization(Regularization::Epsilon(0.5)).unwrap();
        assert_eq!(p.eta(), 2.0);
    }
}
