//! The design matrix `X`, dense or sparse behind one set of operations.
//!
//! Every solver touches `X` only through [`Design`]'s methods (`Xv`, `Xᵀr`, column norms,
//! column·residual, column axpy), so a sparse `X` (a faer [`SparseColMat`]) is never
//! densified: the sparse paths loop over the stored entries of each column.

use crate::kernels;
use faer::linalg::matmul::matmul;
use faer::sparse::{SparseColMat, Triplet};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rand_distr::{Distribution, StandardNormal};
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result};

/// `X` as a dense column-major matrix or a compressed-sparse-column matrix.
#[derive(Clone, Debug)]
pub enum Design {
    Dense(Mat<f64>),
    Sparse(SparseColMat<usize, f64>),
}

/// Options of the power iteration that estimates `‖X‖₂² = λ_max(XᵀX)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerIteration {
    /// Stop once the Rayleigh quotient grows by less than `tol` (relative) in one step.
    pub tol: f64,
    /// Iteration cap.
    pub max_iter: usize,
}

impl Default for PowerIteration {
    fn default() -> Self {
        Self {
            tol: 1e-10,
            max_iter: 10_000,
        }
    }
}

fn col_view(v: &[f64]) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(v, v.len(), 1)
}

fn col_view_mut(v: &mut [f64]) -> MatMut<'_, f64> {
    let n = v.len();
    MatMut::from_column_major_slice_mut(v, n, 1)
}

impl Design {
    /// Number of samples `n`.
    pub fn nrows(&self) -> usize {
        match self {
            Design::Dense(m) => m.nrows(),
            Design::Sparse(s) => s.nrows(),
        }
    }

    /// Number of features `p`.
    pub fn ncols(&self) -> usize {
        match self {
            Design::Dense(m) => m.ncols(),
            Design::Sparse(s) => s.ncols(),
        }
    }

    /// True for sparse storage.
    pub fn is_sparse(&self) -> bool {
        matches!(self, Design::Sparse(_))
    }

    /// `"dense"` or `"sparse"` (for result files).
    pub fn storage(&self) -> &'static str {
        if self.is_sparse() {
            "sparse"
        } else {
            "dense"
        }
    }

    /// Stored entries (`n·p` when dense).
    pub fn nnz(&self) -> usize {
        match self {
            Design::Dense(m) => m.nrows() * m.ncols(),
            Design::Sparse(s) => s.compute_nnz(),
        }
    }

    /// Stored entries of column `j`.
    pub fn col_nnz(&self, j: usize) -> usize {
        match self {
            Design::Dense(m) => m.nrows(),
            Design::Sparse(s) => s.row_idx_of_col_raw(j).len(),
        }
    }

    /// `out ← X v` (`v` has `p` entries, `out` has `n`).
    pub fn matvec(&self, v: &[f64], out: &mut [f64], par: Par) {
        match self {
            Design::Dense(m) => matmul(
                col_view_mut(out),
                Accum::Replace,
                m.as_ref(),
                col_view(v),
                1.0,
                par,
            ),
            Design::Sparse(s) => {
                out.fill(0.0);
                for (j, &vj) in v.iter().enumerate() {
                    if vj != 0.0 {
                        let rows = s.row_idx_of_col_raw(j);
                        for (&i, &x) in rows.iter().zip(s.val_of_col(j)) {
                            out[i] += vj * x;
                        }
                    }
                }
            }
        }
    }

    /// `out ← Xᵀ r` (`r` has `n` entries, `out` has `p`).
    pub fn rmatvec(&self, r: &[f64], out: &mut [f64], par: Par) {
        match self {
            Design::Dense(m) => matmul(
                col_view_mut(out),
                Accum::Replace,
                m.transpose(),
                col_view(r),
                1.0,
                par,
            ),
            Design::Sparse(_) => {
                for (j, o) in out.iter_mut().enumerate() {
                    *o = self.col_dot(j, r);
                }
            }
        }
    }

    /// `x_jᵀ r`.
    #[inline]
    pub fn col_dot(&self, j: usize, r: &[f64]) -> f64 {
        match self {
            Design::Dense(m) => kernels::dot(m.col_as_slice(j), r),
            Design::Sparse(s) => {
                let rows = s.row_idx_of_col_raw(j);
                rows.iter()
                    .zip(s.val_of_col(j))
                    .map(|(&i, &x)| x * r[i])
                    .sum()
            }
        }
    }

    /// `x_jᵀ r` (bit-identical to [`Self::col_dot`]) while prefetching column `next`, the
    /// one the caller reads after `j` (dense designs; sparse ones ignore the hint).
    #[inline]
    pub fn col_dot_ahead(&self, j: usize, next: usize, r: &[f64]) -> f64 {
        match self {
            Design::Dense(m) => kernels::dot_prefetch(m.col_as_slice(j), r, m.col_as_slice(next)),
            Design::Sparse(_) => self.col_dot(j, r),
        }
    }

    /// `r ← r + a·x_j`.
    #[inline]
    pub fn col_axpy(&self, j: usize, a: f64, r: &mut [f64]) {
        match self {
            Design::Dense(m) => kernels::axpy(a, m.col_as_slice(j), r),
            Design::Sparse(s) => {
                let rows = s.row_idx_of_col_raw(j);
                for (&i, &x) in rows.iter().zip(s.val_of_col(j)) {
                    r[i] += a * x;
                }
            }
        }
    }

    /// `‖x_j‖²`.
    #[inline]
    pub fn col_sq_norm(&self, j: usize) -> f64 {
        match self {
            Design::Dense(m) => kernels::sq_norm(m.col_as_slice(j)),
            Design::Sparse(s) => s.val_of_col(j).iter().map(|x| x * x).sum(),
        }
    }

    /// `‖x_j‖²` for every column.
    pub fn col_sq_norms(&self) -> Vec<f64> {
        (0..self.ncols()).map(|j| self.col_sq_norm(j)).collect()
    }

    /// The first non-finite stored entry as `(row, col, value)`.
    pub fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        for j in 0..self.ncols() {
            match self {
                Design::Dense(m) => {
                    if let Some(i) = m.col_as_slice(j).iter().position(|v| !v.is_finite()) {
                        return Some((i, j, m[(i, j)]));
                    }
                }
                Design::Sparse(s) => {
                    let rows = s.row_idx_of_col_raw(j);
                    let vals = s.val_of_col(j);
                    if let Some(k) = vals.iter().position(|v| !v.is_finite()) {
                        return Some((rows[k], j, vals[k]));
                    }
                }
            }
        }
        None
    }

    /// `λ_max(XᵀX)` by power iteration from a Gaussian start drawn from `rng`; returns the
    /// estimate (a Rayleigh quotient, so never above the true value) and the iterations.
    pub fn spectral_norm_sq(&self, opts: PowerIteration, rng: &mut Rng, par: Par) -> (f64, usize) {
        let (n, p) = (self.nrows(), self.ncols());
        let mut v: Vec<f64> = (0..p).map(|_| StandardNormal.sample(rng)).collect();
        let mut xv = vec![0.0; n];
        let norm = kernels::sq_norm(&v).sqrt();
        if norm == 0.0 || n == 0 {
            return (0.0, 0);
        }
        v.iter_mut().for_each(|x| *x /= norm);
        let mut rayleigh = 0.0;
        for it in 1..=opts.max_iter.max(1) {
            self.matvec(&v, &mut xv, par);
            let next = kernels::sq_norm(&xv);
            self.rmatvec(&xv, &mut v, par);
            let norm = kernels::sq_norm(&v).sqrt();
            if norm == 0.0 {
                return (next, it);
            }
            v.iter_mut().for_each(|x| *x /= norm);
            let converged = next - rayleigh <= opts.tol * next;
            rayleigh = next;
            if converged {
                return (rayleigh, it);
            }
        }
        (rayleigh, opts.max_iter)
    }

    /// The rows `start..start+len` as a design of the same storage (copies; for splitting
    /// samples between agents).
    pub fn row_block(&self, start: usize, len: usize) -> Design {
        match self {
            Design::Dense(m) => Design::Dense(m.as_ref().subrows(start, len).to_owned()),
            Design::Sparse(s) => {
                let mut t = Vec::new();
                for j in 0..s.ncols() {
                    let rows = s.row_idx_of_col_raw(j);
                    for (&i, &x) in rows.iter().zip(s.val_of_col(j)) {
                        if (start..start + len).contains(&i) {
                            t.push(Triplet::new(i - start, j, x));
                        }
                    }
                }
                Design::Sparse(
                    SparseColMat::try_new_from_triplets(len, s.ncols(), &t)
                        .expect("a row block of a valid matrix is valid"),
                )
            }
        }
    }

    /// The columns `cols` as a dense `n × |cols|` matrix (small supports only: oracle least
    /// squares, tests).
    pub fn dense_columns(&self, cols: &[usize]) -> Mat<f64> {
        let n = self.nrows();
        let mut out = Mat::zeros(n, cols.len());
        for (k, &j) in cols.iter().enumerate() {
            let mut e = vec![0.0; n];
            self.col_axpy(j, 1.0, &mut e);
            out.col_as_slice_mut(k).copy_from_slice(&e);
        }
        out
    }

    /// A sparse copy of a dense design (tests and benchmarks of the sparse path).
    pub fn to_sparse(&self) -> Result<Design> {
        match self {
            Design::Sparse(_) => Ok(self.clone()),
            Design::Dense(m) => {
                let mut t = Vec::new();
                for j in 0..m.ncols() {
                    for (i, &x) in m.col_as_slice(j).iter().enumerate() {
                        if x != 0.0 {
                            t.push(Triplet::new(i, j, x));
                        }
                    }
                }
                SparseColMat::try_new_from_triplets(m.nrows(), m.ncols(), &t)
                    .map(Design::Sparse)
                    .map_err(|e| Error::numerical("to_sparse", format!("{e:?}")))
            }
        }
    }

    /// Multiplies column `j` by `c` (in place; standardization).
    pub(crate) fn scale_col(&mut self, j: usize, c: f64) {
        match self {
            Design::Dense(m) => m.col_as_slice_mut(j).iter_mut().for_each(|x| *x *= c),
            Design::Sparse(s) => s.val_of_col_mut(j).iter_mut().for_each(|x| *x *= c),
        }
    }

    /// Subtracts `c` from every entry of column `j` (dense only; centering).
    pub(crate) fn shift_col(&mut self, j: usize, c: f64) {
        if let Design::Dense(m) = self {
            m.col_as_slice_mut(j).iter_mut().for_each(|x| *x -= c);
        }
    }

    /// Mean and standard deviation (ddof 0) of column `j`, counting implicit zeros.
    pub fn col_mean_std(&self, j: usize) -> (f64, f64) {
        let n = self.nrows() as f64;
        let (sum, sumsq_centered) = match self {
            Design::Dense(m) => {
                let c = m.col_as_slice(j);
                let mean = c.iter().sum::<f64>() / n;
                (
                    mean * n,
                    c.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>(),
                )
            }
            Design::Sparse(s) => {
                let vals = s.val_of_col(j);
                let mean = vals.iter().sum::<f64>() / n;
                let zeros = n - vals.len() as f64;
                let ss =
                    vals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() + zeros * mean * mean;
                (mean * n, ss)
            }
        };
        (sum / n, (sumsq_centered / n).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::{gaussian_mat, SeedPath};

    fn sparse_test_matrix() -> Design {
        let mut m = gaussian_mat(&mut SeedPath::new(3).stream("x"), 30, 20);
        for j in 0..20 {
            for i in 0..30 {
                if (i * 7 + j * 3) % 4 != 0 {
                    m[(i, j)] = 0.0;
                }
            }
        }
        Design::Dense(m)
    }

    #[test]
    fn dense_and_sparse_operations_agree() {
        let d = sparse_test_matrix();
        let s = d.to_sparse().unwrap();
        assert!(s.nnz() < d.nnz());
        let v: Vec<f64> = (0..20).map(|j| (j as f64 - 7.0) / 5.0).collect();
        let r: Vec<f64> = (0..30).map(|i| ((i * 5) % 9) as f64 - 4.0).collect();
        let (mut a, mut b) = (vec![0.0; 30], vec![0.0; 30]);
        d.matvec(&v, &mut a, Par::Seq);
        s.matvec(&v, &mut b, Par::Seq);
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12));
        let (mut a, mut b) = (vec![0.0; 20], vec![0.0; 20]);
        d.rmatvec(&r, &mut a, Par::Seq);
        s.rmatvec(&r, &mut b, Par::Seq);
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12));
        for j in [0, 5, 19] {
            assert!((d.col_dot(j, &r) - s.col_dot(j, &r)).abs() < 1e-12);
            assert_eq!(
                d.col_dot(j, &r).to_bits(),
                d.col_dot_ahead(j, 19 - j, &r).to_bits()
            );
            let (mut x, mut y) = (r.clone(), r.clone());
            d.col_axpy(j, 0.7, &mut x);
            s.col_axpy(j, 0.7, &mut y);
            assert!(x.iter().zip(&y).all(|(p, q)| (p - q).abs() < 1e-12));
            let (md, sd) = d.col_mean_std(j);
            let (ms, ss) = s.col_mean_std(j);
            assert!((md - ms).abs() < 1e-12 && (sd - ss).abs() < 1e-12);
        }
        let (nd, ns) = (d.col_sq_norms(), s.col_sq_norms());
        assert!(nd.iter().zip(&ns).all(|(x, y)| (x - y).abs() < 1e-12));
        let bd = d.row_block(10, 10);
        let bs = s.row_block(10, 10);
        assert_eq!(bd.dense_columns(&[3, 4]), bs.dense_columns(&[3, 4]));
    }

    #[test]
    fn power_iteration_matches_the_top_singular_value() {
        let m = gaussian_mat(&mut SeedPath::new(1).stream("x"), 40, 25);
        let top = m.singular_values().unwrap()[0];
        let d = Design::Dense(m);
        let (l, iters) = d.spectral_norm_sq(
            PowerIteration::default(),
            &mut SeedPath::new(1).stream("p"),
            Par::Seq,
        );
        assert!(iters > 1);
        assert!(
            l <= top * top * (1.0 + 1e-14),
            "Rayleigh quotient above λ_max"
        );
        assert!(
            (l - top * top).abs() < 1e-7 * top * top,
            "{l} vs {}",
            top * top
        );
    }
}
