//! The least-squares gradient `r = Xw − y`, `g = Xᵀr` shared by ISTA/FISTA, the nonconvex
//! AG, implicit-regularization GD and DGD.
//!
//! Done as two matrix–vector products it reads X twice. With a row-major copy of a dense X
//! (made once, in a solver's `init`) it reads X once: for each row `x_i`,
//! `r_i = x_iᵀw − y_i` and then `g += r_i·x_i` while the row is still in cache (four rows
//! at a time, so `w` and `g` are swept once per four rows). That halves
//! the memory traffic of these bandwidth-bound iterations. The fused pass is used for dense
//! designs on one thread (its order of summation is fixed: rows in order); with more
//! threads, or for sparse designs, the two products run through [`Design::matvec`] /
//! [`Design::rmatvec`].

use crate::design::Design;
use crate::kernels::normal_gradient_rows;
use faer::{Mat, Par};
use ratebench_core::memory;

/// Workspace for `r = Xw − y`, `g = Xᵀr` (allocate once, outside timed code).
#[derive(Clone, Debug)]
pub struct LsWorkspace {
    /// `Xw − y` after [`LsWorkspace::gradient`].
    pub resid: Vec<f64>,
    /// `Xᵀ` (p × n, column-major), i.e. the rows of X stored contiguously.
    rows: Option<Mat<f64>>,
}

impl LsWorkspace {
    /// A workspace for `x`; with `fused`, a dense `x` gets a row-major copy (skipped when
    /// the copy would exceed the memory limit, see [`ratebench_core::memory`]).
    pub fn new(x: &Design, fused: bool) -> Self {
        let rows = match x {
            Design::Dense(m) if fused => {
                let bytes = memory::f64s((m.nrows() as u64).saturating_mul(m.ncols() as u64));
                memory::check("n", "the row-major copy of X", bytes)
                    .ok()
                    .map(|_| m.transpose().to_owned())
            }
            _ => None,
        };
        Self {
            resid: vec![0.0; x.nrows()],
            rows,
        }
    }

    /// True when the one-pass kernel is available.
    pub fn is_fused(&self) -> bool {
        self.rows.is_some()
    }

    /// `resid ← Xw − y`, `g ← Xᵀ resid`; no allocation.
    pub fn gradient(&mut self, x: &Design, y: &[f64], w: &[f64], g: &mut [f64], par: Par) {
        match (&self.rows, par) {
            (Some(rows), Par::Seq) => {
                normal_gradient_rows(|i| rows.col_as_slice(i), w, y, &mut self.resid, g);
            }
            _ => {
                x.matvec(w, &mut self.resid, par);
                self.resid.iter_mut().zip(y).for_each(|(r, yi)| *r -= yi);
                x.rmatvec(&self.resid, g, par);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::{gaussian_mat, SeedPath};

    #[test]
    fn fused_and_two_pass_gradients_agree() {
        let x = Design::Dense(gaussian_mat(&mut SeedPath::new(2).stream("x"), 37, 53));
        let y: Vec<f64> = (0..37).map(|i| (i as f64).sin()).collect();
        let w: Vec<f64> = (0..53).map(|j| (j as f64 * 0.3).cos()).collect();
        let mut fused = LsWorkspace::new(&x, true);
        let mut plain = LsWorkspace::new(&x, false);
        assert!(fused.is_fused() && !plain.is_fused());
        let (mut g1, mut g2) = (vec![0.0; 53], vec![0.0; 53]);
        fused.gradient(&x, &y, &w, &mut g1, Par::Seq);
        plain.gradient(&x, &y, &w, &mut g2, Par::Seq);
        assert!(fused
            .resid
            .iter()
            .zip(&plain.resid)
            .all(|(a, b)| (a - b).abs() < 1e-12));
        assert!(g1.iter().zip(&g2).all(|(a, b)| (a - b).abs() < 1e-11));
        let sparse = x.to_sparse().unwrap();
        assert!(!LsWorkspace::new(&sparse, true).is_fused());
    }
}
