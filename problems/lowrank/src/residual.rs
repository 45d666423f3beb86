//! The exact residual `‖XXᵀ − M‖_F` (or `‖FGᵀ − M‖_F`) for PrecGD's damping, in memory
//! allocated once in `init`.
//!
//! When `M = L·diag(d)·Rᵀ` has a known low-rank factorization (generated instances), the
//! difference is `A·Bᵀ` with `A = [X, L]`, `B = [X, −R·diag(d)]`, and with thin QRs
//! `A = Q_A·R_A`, `B = Q_B·R_B` its norm is `‖R_A·R_Bᵀ‖_F`: `O(n(k + r)²)` work and as
//! accurate as forming the `n × n` difference (no Gram-matrix cancellation). Otherwise the
//! difference is formed explicitly (one GEMM onto a copy of `M`).

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::matmul::matmul;
use faer::linalg::qr::no_pivoting::factor as qr;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// Scratch of [`crate::FactoredLoss::exact_residual`].
pub struct ResidualScratch(Kind);

enum Kind {
    /// The gradient's residual is exact already.
    None,
    /// The `n₁ × n₂` difference.
    Dense(Mat<f64>),
    Factored(Box<Factored>),
}

struct Factored {
    a: Mat<f64>,
    b: Mat<f64>,
    coeff_a: Mat<f64>,
    coeff_b: Mat<f64>,
    ra: Mat<f64>,
    rb: Mat<f64>,
    core: Mat<f64>,
    stack: MemBuffer,
}

impl ResidualScratch {
    /// No scratch: the loss's residual estimate is exact.
    pub fn none() -> Self {
        Self(Kind::None)
    }

    /// True when [`ResidualScratch::none`].
    pub fn is_none(&self) -> bool {
        matches!(self.0, Kind::None)
    }

    /// An `n₁ × n₂` matrix for the explicit difference.
    pub fn dense(n1: usize, n2: usize) -> Self {
        Self(Kind::Dense(Mat::zeros(n1, n2)))
    }

    /// Buffers for a rank-`k` iterate against a target of rank `r` (its nonzero values); `None`
    /// when the thin QRs would not be thin (`k + r > min(n₁, n₂)`).
    pub fn factored(n1: usize, n2: usize, k: usize, r: usize) -> Option<Self> {
        let w = k + r;
        if w > n1.min(n2) {
            return None;
        }
        let bs = qr::recommended_block_size::<f64>(n1.max(n2), w);
        let req = qr::qr_in_place_scratch::<f64>(n1.max(n2), w, bs, Par::Seq, Default::default());
        Some(Self(Kind::Factored(Box::new(Factored {
            a: Mat::zeros(n1, w),
            b: Mat::zeros(n2, w),
            coeff_a: Mat::zeros(bs, w),
            coeff_b: Mat::zeros(bs, w),
            ra: Mat::zeros(w, w),
            rb: Mat::zeros(w, w),
            core: Mat::zeros(w, w),
            stack: MemBuffer::new(req),
        }))))
    }

    /// `‖F·Gᵀ − L·diag(d)·Rᵀ‖_F` (`target` is that matrix, used by the dense variant; the
    /// factored one was sized for the number of nonzero `d`).
    pub(crate) fn norm(
        &mut self,
        (f, g): (MatRef<'_, f64>, MatRef<'_, f64>),
        (l, d, r): (MatRef<'_, f64>, &[f64], MatRef<'_, f64>),
        target: MatRef<'_, f64>,
    ) -> Option<f64> {
        match &mut self.0 {
            Kind::None => None,
            Kind::Dense(diff) => {
                diff.copy_from(target);
                matmul(diff.as_mut(), Accum::Add, f, g.transpose(), -1.0, Par::Seq);
                Some(diff.norm_l2())
            }
            Kind::Factored(s) => Some(s.norm(f, g, l, d, r)),
        }
    }
}

impl Factored {
    fn norm(
        &mut self,
        f: MatRef<'_, f64>,
        g: MatRef<'_, f64>,
        l: MatRef<'_, f64>,
        d: &[f64],
        r: MatRef<'_, f64>,
    ) -> f64 {
        let k = f.ncols();
        self.a.as_mut().subcols_mut(0, k).copy_from(f);
        self.b.as_mut().subcols_mut(0, k).copy_from(g);
        // The target's columns with a nonzero value (generated bases are stored whole).
        let nonzero = d.iter().enumerate().filter(|(_, v)| **v != 0.0);
        for (slot, (c, &dc)) in nonzero.enumerate() {
            self.a.as_mut().col_mut(k + slot).copy_from(l.col(c));
            let (src, mut dst) = (r.col(c), self.b.as_mut().col_mut(k + slot));
            for i in 0..src.nrows() {
                dst[i] = -dc * src[i];
            }
        }
        let stack = MemStack::new(&mut self.stack);
        upper_r(
            self.a.as_mut(),
            self.coeff_a.as_mut(),
            stack,
            self.ra.as_mut(),
        );
        upper_r(
            self.b.as_mut(),
            self.coeff_b.as_mut(),
            stack,
            self.rb.as_mut(),
        );
        matmul(
            self.core.as_mut(),
            Accum::Replace,
            self.ra.as_ref(),
            self.rb.transpose(),
            1.0,
            Par::Seq,
        );
        self.core.norm_l2()
    }
}

/// Householder QR of `a` in place; its upper-triangular `R` into `out` (zeros below).
fn upper_r(
    mut a: MatMut<'_, f64>,
    coeff: MatMut<'_, f64>,
    stack: &mut MemStack,
    mut out: MatMut<'_, f64>,
) {
    qr::qr_in_place(a.as_mut(), coeff, Par::Seq, stack, Default::default());
    let w = out.ncols();
    for j in 0..w {
        for i in 0..w {
            out[(i, j)] = if i <= j { a[(i, j)] } else { 0.0 };
        }
    }
}
