//! The thin SVD (with explicit parallelism, so results do not depend on faer's global
//! setting) and the equal-budget TSVD baseline.

use crate::HadamardProblem;
use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::matmul::matmul;
use faer::linalg::svd::{svd, svd_scratch, ComputeSvdVectors};
use faer::{Accum, Mat, MatRef, Par};
use ratebench_core::{memory, Error, Result};

/// `A = U diag(s) Vᵀ` with `U` (`m × p`), `V` (`n × p`), `p = min(m, n)`, `s` nonincreasing.
#[derive(Clone, Debug)]
pub struct ThinSvd {
    pub u: Mat<f64>,
    pub s: Vec<f64>,
    pub v: Mat<f64>,
}

/// Thin SVD of `a` computed with the given parallelism (`Par::Seq` gives results that do not
/// depend on the machine's thread count).
pub fn thin_svd(a: MatRef<'_, f64>, par: Par) -> Result<ThinSvd> {
    let (m, n) = a.shape();
    let p = m.min(n);
    memory::check(
        "X",
        "the thin SVD of X (U, V and workspace)",
        memory::f64s(((m + n) * p + 2 * m * n) as u64),
    )?;
    let mut u = Mat::zeros(m, p);
    let mut v = Mat::zeros(n, p);
    let mut s = Diag::<f64>::zeros(p);
    let scratch = svd_scratch::<f64>(
        m,
        n,
        ComputeSvdVectors::Thin,
        ComputeSvdVectors::Thin,
        par,
        Default::default(),
    );
    svd(
        a,
        s.as_mut(),
        Some(u.as_mut()),
        Some(v.as_mut()),
        par,
        MemStack::new(&mut MemBuffer::new(scratch)),
        Default::default(),
    )
    .map_err(|e| Error::numerical("thin SVD", format!("{e:?}")))?;
    let s = (0..p).map(|i| s.column_vector()[i]).collect();
    Ok(ThinSvd { u, s, v })
}

impl ThinSvd {
    /// `U_q diag(s_q) V_qᵀ`, the best rank-`q` approximation (`q` is capped at `p`).
    pub fn truncated(&self, q: usize) -> Mat<f64> {
        let q = q.min(self.s.len());
        let us = Mat::from_fn(self.u.nrows(), q, |i, j| self.u[(i, j)] * self.s[j]);
        let mut out = Mat::zeros(self.u.nrows(), self.v.nrows());
        matmul(
            out.as_mut(),
            Accum::Replace,
            us.as_ref(),
            self.v.get(.., ..q).transpose(),
            1.0,
            Par::Seq,
        );
        out
    }
}

/// `√(Σ_{i>q} σᵢ² / Σ σᵢ²)` from nonincreasing singular values.
pub(crate) fn tail_ratio(s: &[f64], q: usize) -> f64 {
    // Sum from the smallest value up: the tail is not swamped by rounding of the head.
    let total: f64 = s.iter().rev().map(|v| v * v).sum();
    let tail: f64 = s.iter().skip(q).rev().map(|v| v * v).sum();
    // An empty float sum is −0.0; an exact TSVD reports +0.
    (tail / total).sqrt().abs()
}

impl HadamardProblem {
    /// The thin SVD of `X`, computed once (sequentially) on first use.
    pub fn svd(&self) -> Result<&ThinSvd> {
        self.svd
            .get_or_init(|| thin_svd(self.x(), Par::Seq).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::numerical("thin SVD of X", e))
    }

    /// Singular values of `X`, nonincreasing.
    pub fn singular_values(&self) -> Result<&[f64]> {
        Ok(&self.svd()?.s)
    }

    /// The TSVD error of rank `q`: `√(Σ_{i>q} σᵢ² / Σ σᵢ²)` (0 once `q ≥ rank X`). The
    /// equal-budget baseline of `K` factors of rank `r` is `q = K·r`.
    pub fn tsvd_error(&self, q: usize) -> Result<f64> {
        Ok(tail_ratio(self.singular_values()?, q))
    }

    /// The best rank-`q` approximation of `X` (the TSVD reconstruction shown next to a
    /// Hadamard reconstruction).
    pub fn tsvd_reconstruction(&self, q: usize) -> Result<Mat<f64>> {
        Ok(self.svd()?.truncated(q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsvd_error_matches_the_reconstruction_and_the_formula() {
        let x = Mat::<f64>::from_fn(30, 20, |i, j| {
            ((i * 7 + j * 3) % 11) as f64 - 0.1 * j as f64
        });
        let p = HadamardProblem::from_matrix(x.clone(), "t").unwrap();
        let s = p.singular_values().unwrap().to_vec();
        assert!(s.windows(2).all(|w| w[0] >= w[1]));
        let total: f64 = s.iter().map(|v| v * v).sum();
        assert!((total.sqrt() - p.x_norm()).abs() < 1e-12 * p.x_norm());
        for q in [1, 4, 10] {
            let rec = p.tsvd_reconstruction(q).unwrap();
            let direct = (&x - &rec).norm_l2() / p.x_norm();
            let formula = p.tsvd_error(q).unwrap();
            assert!(
                (direct - formula).abs() < 1e-12,
                "q={q}: {direct} vs {formula}"
            );
            // Eckart–Young: another rank-q approximation (projection onto the span of the
            // first q columns) does no better.
            let qf = x.get(.., ..q).qr().compute_thin_Q();
            let proj = &qf * (qf.transpose() * &x);
            assert!((&x - &proj).norm_l2() / p.x_norm() >= formula - 1e-12);
        }
        assert_eq!(p.tsvd_error(20).unwrap(), 0.0);
        assert!(
            p.tsvd_error(20).unwrap().is_sign_positive(),
            "exact TSVD is +0"
        );
        assert_eq!(p.tsvd_error(0).unwrap(), 1.0);
    }

    #[test]
    fn svd_reconstructs_wide_and_tall_matrices() {
        for (m, n) in [(9, 4), (4, 9)] {
            let a = Mat::<f64>::from_fn(m, n, |i, j| (1.0 + i as f64 * 0.5 + j as f64).ln());
            let svd = thin_svd(a.as_ref(), Par::Seq).unwrap();
            assert_eq!((svd.u.shape(), svd.v.shape()), ((m, 4), (n, 4)));
            assert!((svd.truncated(4) - &a).norm_max() < 1e-13);
        }
    }
}
