//! A regression data set `(X, y)` with its optional ground truth and provenance.

use crate::design::Design;
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// Column standardization of `X`: an explicit option, recorded in [`DataInfo`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standardize {
    /// `X` as given.
    #[default]
    None,
    /// `x_j ← x_j / std_j` (std with ddof 0, about the column mean): keeps sparsity.
    Scale,
    /// `x_j ← (x_j − mean_j) / std_j`, so every column has mean 0 and `‖x_j‖² = n`
    /// (scikit-learn's `StandardScaler`, and Yang et al.'s simulation). Dense only.
    CenterScale,
}

/// How an instance was made: recorded with every result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DataInfo {
    /// e.g. `generated:toeplitz(0.5)` or `libsvm:rcv1.txt`.
    pub source: String,
    pub standardize: Standardize,
    /// Column means removed by `CenterScale` (empty otherwise).
    pub col_means: Vec<f64>,
    /// Column scales divided out by `Scale`/`CenterScale` (empty otherwise).
    pub col_scales: Vec<f64>,
    /// The mean removed from `y` by [`RegressionData::center_y`], if it was.
    pub y_mean: Option<f64>,
    /// Noise standard deviation of a generated instance.
    pub sigma: Option<f64>,
}

/// `X` (n × p), `y` (n) and, for generated instances, the true `w⋆`.
#[derive(Clone, Debug)]
pub struct RegressionData {
    x: Design,
    y: Vec<f64>,
    truth: Option<Vec<f64>>,
    info: DataInfo,
}

impl RegressionData {
    /// Assembles a data set, checking shapes and finiteness (one-line errors naming `X`,
    /// `y` or `w_star` and the fix).
    pub fn new(x: Design, y: Vec<f64>, truth: Option<Vec<f64>>, info: DataInfo) -> Result<Self> {
        let (n, p) = (x.nrows(), x.ncols());
        if n == 0 || p == 0 {
            return Err(Error::invalid(
                "X",
                format!("is {n} × {p}; it needs at least one sample and one feature"),
            ));
        }
        if y.len() != n {
            return Err(Error::invalid(
                "y",
                format!(
                    "has {} entries but X has {n} rows; y must have one entry per sample (row of X)",
                    y.len()
                ),
            ));
        }
        if let Some((i, j, v)) = x.first_non_finite() {
            return Err(Error::invalid(
                "X",
                format!("entry ({i}, {j}) is {v}; the design must be finite (drop or impute NaN/Inf first)"),
            ));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "y",
                format!(
                    "entry {i} is {}; the response must be finite (drop or impute NaN/Inf first)",
                    y[i]
                ),
            ));
        }
        if let Some(w) = &truth {
            if w.len() != p {
                return Err(Error::invalid(
                    "w_star",
                    format!(
                        "has {} entries but X has {p} columns; give one coefficient per feature",
                        w.len()
                    ),
                ));
            }
            if let Some(j) = w.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    "w_star",
                    format!("entry {j} is {}; it must be finite", w[j]),
                ));
            }
        }
        Ok(Self { x, y, truth, info })
    }

    /// The design.
    pub fn x(&self) -> &Design {
        &self.x
    }

    /// The response.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// The true coefficients, when known.
    pub fn truth(&self) -> Option<&[f64]> {
        self.truth.as_deref()
    }

    /// Provenance and preprocessing.
    pub fn info(&self) -> &DataInfo {
        &self.info
    }

    /// Samples `n`.
    pub fn n(&self) -> usize {
        self.x.nrows()
    }

    /// Features `p`.
    pub fn p(&self) -> usize {
        self.x.ncols()
    }

    /// The true support `{j : w⋆_j ≠ 0}` (empty without a truth).
    pub fn support(&self) -> Vec<usize> {
        self.truth
            .as_ref()
            .map(|w| (0..w.len()).filter(|&j| w[j] != 0.0).collect())
            .unwrap_or_default()
    }

    /// Applies a column standardization (recorded in [`DataInfo`]). A column with zero
    /// variance cannot be scaled and is an error naming the column; centering a sparse
    /// design would densify it and is refused. A known `w⋆` is expressed in the new
    /// coordinates (`w⋆_j ← w⋆_j·std_j`), so `Xw⋆` is unchanged up to the centering.
    pub fn standardized(mut self, how: Standardize) -> Result<Self> {
        if how == Standardize::None {
            return Ok(self);
        }
        if self.info.standardize != Standardize::None {
            return Err(Error::invalid(
                "standardize",
                "the data are already standardized; standardize once",
            ));
        }
        if how == Standardize::CenterScale && self.x.is_sparse() {
            return Err(Error::invalid(
                "standardize",
                "center_scale would densify a sparse X; use standardize = \"scale\" for sparse data",
            ));
        }
        let stats: Vec<(f64, f64)> = (0..self.p()).map(|j| self.x.col_mean_std(j)).collect();
        if let Some(j) = stats.iter().position(|&(_, s)| s.is_nan() || s <= 0.0) {
            return Err(Error::invalid(
                "standardize",
                format!("column {j} of X has zero variance (constant), so it cannot be scaled; drop the column or use standardize = \"none\""),
            ));
        }
        for (j, &(mean, std)) in stats.iter().enumerate() {
            if how == Standardize::CenterScale {
                self.x.shift_col(j, mean);
            }
            self.x.scale_col(j, 1.0 / std);
            if let Some(w) = self.truth.as_mut() {
                w[j] *= std;
            }
        }
        if how == Standardize::CenterScale {
            self.info.col_means = stats.iter().map(|s| s.0).collect();
        }
        self.info.col_scales = stats.iter().map(|s| s.1).collect();
        self.info.standardize = how;
        Ok(self)
    }

    /// Removes the mean of `y` (recorded): with a centered `X`, the no-intercept fit then
    /// equals the fit with an unpenalized intercept.
    pub fn center_y(mut self) -> Self {
        let mean = self.y.iter().sum::<f64>() / self.y.len() as f64;
        self.y.iter_mut().for_each(|v| *v -= mean);
        self.info.y_mean = Some(mean + self.info.y_mean.unwrap_or(0.0));
        self
    }

    /// Replaces the response (e.g. after adding noise); same checks as [`Self::new`].
    pub fn with_y(self, y: Vec<f64>) -> Result<Self> {
        Self::new(self.x, y, self.truth, self.info)
    }

    pub(crate) fn into_parts(self) -> (Design, Vec<f64>, Option<Vec<f64>>, DataInfo) {
        (self.x, self.y, self.truth, self.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    fn small() -> Design {
        Design::Dense(Mat::from_fn(4, 3, |i, j| (i * (j + 1)) as f64 + j as f64))
    }

    #[test]
    fn shape_and_finiteness_errors_name_the_input() {
        let e = RegressionData::new(small(), vec![1.0; 3], None, DataInfo::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("invalid y:") && msg.contains("4 rows") && !msg.contains('\n'),
            "{msg}"
        );
        let mut m = Mat::<f64>::zeros(4, 3);
        m[(2, 1)] = f64::NAN;
        let msg = RegressionData::new(Design::Dense(m), vec![0.0; 4], None, DataInfo::default())
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("invalid X:") && msg.contains("(2, 1)") && msg.contains("NaN"),
            "{msg}"
        );
        let msg = RegressionData::new(
            small(),
            vec![0.0, f64::INFINITY, 0.0, 0.0],
            None,
            DataInfo::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.starts_with("invalid y:") && msg.contains("entry 1") && msg.contains("inf"),
            "{msg}"
        );
        let msg = RegressionData::new(small(), vec![0.0; 4], Some(vec![1.0]), DataInfo::default())
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("invalid w_star:"), "{msg}");
    }

    #[test]
    fn standardization_is_exact_recorded_and_refuses_constant_columns() {
        let d = RegressionData::new(
            small(),
            vec![1.0, 2.0, 3.0, 4.0],
            Some(vec![1.0, 0.0, 2.0]),
            DataInfo::default(),
        )
        .unwrap();
        let xw_before: Vec<f64> = {
            let mut o = vec![0.0; 4];
            d.x().matvec(d.truth().unwrap(), &mut o, faer::Par::Seq);
            o
        };
        let s = d.standardized(Standardize::Scale).unwrap();
        assert_eq!(s.info().standardize, Standardize::Scale);
        let mut xw = vec![0.0; 4];
        s.x().matvec(s.truth().unwrap(), &mut xw, faer::Par::Seq);
        assert!(xw
            .iter()
            .zip(&xw_before)
            .all(|(a, b)| (a - b).abs() < 1e-12));
        let c = RegressionData::new(small(), vec![0.0; 4], None, DataInfo::default())
            .unwrap()
            .standardized(Standardize::CenterScale)
            .unwrap();
        for j in 0..3 {
            let (mean, std) = c.x().col_mean_std(j);
            assert!(mean.abs() < 1e-14 && (std - 1.0).abs() < 1e-14);
        }
        let mut m = Mat::from_fn(4, 2, |i, _| i as f64);
        m.col_as_slice_mut(1).fill(3.0);
        let e = RegressionData::new(Design::Dense(m), vec![0.0; 4], None, DataInfo::default())
            .unwrap()
            .standardized(Standardize::CenterScale)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid standardize:")
                && e.contains("column 1")
                && e.contains("zero variance"),
            "{e}"
        );
        let sp = RegressionData::new(
            small().to_sparse().unwrap(),
            vec![0.0; 4],
            None,
            DataInfo::default(),
        )
        .unwrap();
        let scaled = sp.clone().standardized(Standardize::Scale).unwrap();
        assert!(scaled.x().is_sparse() && scaled.x().nnz() == sp.x().nnz());
        assert!((0..3).all(|j| (scaled.x().col_mean_std(j).1 - 1.0).abs() < 1e-14));
        let e = sp
            .standardized(Standardize::CenterScale)
            .unwrap_err()
            .to_string();
        assert!(e.contains("densify"), "{e}");
    }
}
