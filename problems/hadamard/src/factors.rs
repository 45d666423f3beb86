//! The iterate every Hadamard solver shares: `K` pairs `(W_k, H_k)`.

use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use ratebench_core::{Error, Result};

/// `K` factor pairs with `X̃ = (W₁H₁)∘…∘(W_KH_K)`, `W_k ∈ ℝ^{m×r}`, `H_k ∈ ℝ^{r×n}`.
///
/// `H_k` is stored transposed (`H_kᵀ`, `n × r`, column-major) because the column least
/// squares of the H-block is the row least squares of the W-block on `Xᵀ`: with both factors
/// "tall", one routine serves both blocks. [`HadamardFactors::h`] returns the `r × n` view
/// (no copy).
#[derive(Clone, Debug, PartialEq)]
pub struct HadamardFactors {
    w: Vec<Mat<f64>>,
    ht: Vec<Mat<f64>>,
}

impl HadamardFactors {
    /// Builds the iterate from `W_k` (`m × r`) and `H_kᵀ` (`n × r`); every pair must have the
    /// same shapes and there must be at least two.
    pub fn new(w: Vec<Mat<f64>>, ht: Vec<Mat<f64>>) -> Result<Self> {
        if w.len() != ht.len() || w.len() < 2 {
            return Err(Error::invalid(
                "factors",
                format!(
                    "need K >= 2 pairs (W_k, H_k), got {} W and {} H matrices",
                    w.len(),
                    ht.len()
                ),
            ));
        }
        let (m, r, n) = (w[0].nrows(), w[0].ncols(), ht[0].nrows());
        for (k, (wk, hk)) in w.iter().zip(&ht).enumerate() {
            if wk.shape() != (m, r) || hk.shape() != (n, r) {
                return Err(Error::invalid(
                    "factors",
                    format!(
                        "pair {} has W {}×{} and H {}×{}; every W_k must be {m}×{r} and every H_k {r}×{n}",
                        k + 1,
                        wk.nrows(),
                        wk.ncols(),
                        hk.ncols(),
                        hk.nrows()
                    ),
                ));
            }
        }
        Ok(Self { w, ht })
    }

    /// Builds the iterate from NumPy-style pairs `(W_k, H_k)` with `H_k` of shape `r × n`.
    pub fn from_pairs(pairs: Vec<(Mat<f64>, Mat<f64>)>) -> Result<Self> {
        let (w, ht) = pairs
            .into_iter()
            .map(|(w, h)| (w, h.transpose().to_owned()))
            .unzip();
        Self::new(w, ht)
    }

    /// `K` zero pairs of rank `r` for an `m × n` matrix.
    pub fn zeros(m: usize, n: usize, k: usize, r: usize) -> Self {
        Self {
            w: (0..k).map(|_| Mat::zeros(m, r)).collect(),
            ht: (0..k).map(|_| Mat::zeros(n, r)).collect(),
        }
    }

    /// Number of factors `K`.
    pub fn k(&self) -> usize {
        self.w.len()
    }

    /// Factor rank `r`.
    pub fn rank(&self) -> usize {
        self.w[0].ncols()
    }

    /// `(m, n)` of the product.
    pub fn shape(&self) -> (usize, usize) {
        (self.w[0].nrows(), self.ht[0].nrows())
    }

    /// `W_k` (`m × r`), `k` counted from 0.
    pub fn w(&self, k: usize) -> MatRef<'_, f64> {
        self.w[k].as_ref()
    }

    /// `H_k` (`r × n`): a transposed view of the stored `H_kᵀ`.
    pub fn h(&self, k: usize) -> MatRef<'_, f64> {
        self.ht[k].transpose()
    }

    /// `H_kᵀ` (`n × r`) as stored.
    pub fn ht(&self, k: usize) -> MatRef<'_, f64> {
        self.ht[k].as_ref()
    }

    /// All `W_k` and all `H_kᵀ`, mutably (solvers update one block while reading others).
    pub fn parts_mut(&mut self) -> (&mut [Mat<f64>], &mut [Mat<f64>]) {
        (&mut self.w, &mut self.ht)
    }

    /// Copies every factor of `other` (same shapes) without allocating.
    pub fn copy_from(&mut self, other: &HadamardFactors) {
        for (a, b) in self.w.iter_mut().zip(&other.w) {
            a.copy_from(b);
        }
        for (a, b) in self.ht.iter_mut().zip(&other.ht) {
            a.copy_from(b);
        }
    }

    /// `W_k H_k` into `out` (`m × n`).
    pub fn factor_product_into(&self, k: usize, out: MatMut<'_, f64>, par: Par) {
        matmul(
            out,
            Accum::Replace,
            self.w[k].as_ref(),
            self.ht[k].transpose(),
            1.0,
            par,
        );
    }

    /// `X̃ = (W₁H₁)∘…∘(W_KH_K)` into `out`, using `scratch` (both `m × n`); no allocation.
    pub fn product_into(&self, mut out: MatMut<'_, f64>, mut scratch: MatMut<'_, f64>, par: Par) {
        self.factor_product_into(0, out.rb_mut(), par);
        for k in 1..self.k() {
            self.factor_product_into(k, scratch.rb_mut(), par);
            hadamard_assign(out.rb_mut(), scratch.rb());
        }
    }

    /// `X̃` as a new matrix (allocates; for reports and tests).
    pub fn product(&self) -> Mat<f64> {
        let (m, n) = self.shape();
        let mut out = Mat::zeros(m, n);
        let mut scratch = Mat::zeros(m, n);
        self.product_into(out.as_mut(), scratch.as_mut(), Par::Seq);
        out
    }

    /// True if every entry of every factor is finite.
    pub fn is_finite(&self) -> bool {
        self.w
            .iter()
            .chain(&self.ht)
            .all(|m| m.norm_max().is_finite())
    }
}

/// `out ← out ∘ other`, column by column.
pub(crate) fn hadamard_assign(mut out: MatMut<'_, f64>, other: MatRef<'_, f64>) {
    for j in 0..out.ncols() {
        let o = other.col(j);
        let mut c = out.rb_mut().col_mut(j);
        for i in 0..c.nrows() {
            c[i] *= o[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(m: usize, n: usize, r: usize, seed: f64) -> (Mat<f64>, Mat<f64>) {
        (
            Mat::from_fn(m, r, |i, j| (seed + i as f64 * 0.3 - j as f64).sin()),
            Mat::from_fn(r, n, |i, j| (seed * 2.0 + i as f64 - 0.7 * j as f64).cos()),
        )
    }

    #[test]
    fn product_is_the_entrywise_product_of_the_factor_products() {
        let pairs = vec![pair(5, 7, 2, 0.1), pair(5, 7, 2, 1.3), pair(5, 7, 2, 2.2)];
        let want = Mat::from_fn(5, 7, |i, j| {
            pairs.iter().map(|(w, h)| (w * h)[(i, j)]).product::<f64>()
        });
        let f = HadamardFactors::from_pairs(pairs.clone()).unwrap();
        assert_eq!((f.k(), f.rank(), f.shape()), (3, 2, (5, 7)));
        assert!((f.product() - &want).norm_max() < 1e-14);
        assert_eq!(f.h(1), pairs[1].1.as_ref());
    }

    #[test]
    fn shapes_are_checked() {
        let (w, h) = pair(5, 7, 2, 0.1);
        let (w2, _) = pair(5, 7, 3, 0.1);
        let e = HadamardFactors::from_pairs(vec![(w.clone(), h.clone()), (w2, h.clone())])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid factors:") && e.contains("pair 2"),
            "{e}"
        );
        let e = HadamardFactors::from_pairs(vec![(w, h)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("K >= 2"), "{e}");
    }
}
