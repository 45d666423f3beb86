//! The stored measurement operator.

use crate::{Design, SensingSpec};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, ColMut, ColRef, Mat, MatMut, MatRef, Par};
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result};

/// How `Z` is flattened into the operator's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Packed upper triangle `q(j, l) = l(l+1)/2 + j` (`j ≤ l`) with the off-diagonal
    /// weight 2 folded into the operator: for symmetric `A_i`.
    Packed,
    /// Row-major `vec(Z)[j·n + l] = Z[j, l]` (NumPy's flattening): general `A_i`.
    Full,
}

/// `A(Z)_i = Σ_q a_i[q]·flat(Z)[q]` for an `n × n` argument.
///
/// Stored measurement-major: column `i` of the `ncols() × m` matrix is `a_i`, contiguous,
/// so one pass over the columns computes each residual `r_i = ⟨a_i, z⟩ − y_i` and adds
/// `φ(r_i)·a_i` to the adjoint while `a_i` is still in cache (see
/// [`crate::SensingProblem`]'s gradient): an iteration reads the operator once.
#[derive(Clone, Debug)]
pub struct Operator {
    /// `ncols × m`: column `i` is measurement `i`.
    op: Mat<f64>,
    n: usize,
    layout: Layout,
}

impl Operator {
    /// Draws the operator of a spec: measurement by measurement, `G_i` column by column.
    pub fn generate(spec: &SensingSpec, rng: &mut Rng) -> Result<Self> {
        spec.validate()?;
        let (n, m) = (spec.n, spec.m);
        let mut g = vec![0.0; n * n];
        match spec.design {
            Design::Goe => {
                let c = if spec.normalized {
                    1.0 / (m as f64).sqrt()
                } else {
                    1.0
                };
                let mut op = Mat::<f64>::zeros(n * (n + 1) / 2, m);
                for i in 0..m {
                    g.iter_mut().for_each(|x| *x = crate::normal(rng));
                    for l in 0..n {
                        for j in 0..=l {
                            // A_i[j,l] = (G[j,l] + G[l,j])/2; weight 2 off the diagonal.
                            let a = 0.5 * (g[j + l * n] + g[l + j * n]);
                            let w = if j == l { 1.0 } else { 2.0 };
                            op[(l * (l + 1) / 2 + j, i)] = c * w * a;
                        }
                    }
                }
                Ok(Self {
                    op,
                    n,
                    layout: Layout::Packed,
                })
            }
            Design::Gaussian => {
                let s = 1.0 / (m as f64).sqrt();
                let mut op = Mat::<f64>::zeros(n * n, m);
                for i in 0..m {
                    for q in 0..n * n {
                        op[(q, i)] = s * crate::normal(rng);
                    }
                }
                Ok(Self {
                    op,
                    n,
                    layout: Layout::Full,
                })
            }
        }
    }

    /// Builds an operator from the `m × n²` matrix whose row `i` is `A_i` flattened in
    /// row-major order (scaling included), e.g. from NumPy. Rows that are all symmetric are
    /// stored packed (half the memory and bandwidth).
    pub fn from_full(full: Mat<f64>, n: usize) -> Result<Self> {
        if full.ncols() != n * n {
            return Err(Error::invalid(
                "operator",
                format!("has {} columns, expected n² = {}", full.ncols(), n * n),
            ));
        }
        if let Some((i, q)) = (0..full.ncols())
            .flat_map(|q| (0..full.nrows()).map(move |i| (i, q)))
            .find(|&(i, q)| !full[(i, q)].is_finite())
        {
            return Err(Error::invalid(
                "operator",
                format!(
                    "entry ({i}, {q}) is {}; the operator must be finite",
                    full[(i, q)]
                ),
            ));
        }
        let symmetric = (0..n).all(|j| {
            (0..j).all(|l| (0..full.nrows()).all(|i| full[(i, j * n + l)] == full[(i, l * n + j)]))
        });
        if !symmetric {
            return Ok(Self {
                op: full.transpose().to_owned(),
                n,
                layout: Layout::Full,
            });
        }
        let mut op = Mat::<f64>::zeros(n * (n + 1) / 2, full.nrows());
        for l in 0..n {
            for j in 0..=l {
                let w = if j == l { 1.0 } else { 2.0 };
                for i in 0..full.nrows() {
                    op[(l * (l + 1) / 2 + j, i)] = w * full[(i, j * n + l)];
                }
            }
        }
        Ok(Self {
            op,
            n,
            layout: Layout::Packed,
        })
    }

    /// The `m × n²` row-major form (for export).
    pub fn to_full(&self) -> Mat<f64> {
        let n = self.n;
        match self.layout {
            Layout::Full => self.op.transpose().to_owned(),
            Layout::Packed => Mat::from_fn(self.nrows(), n * n, |i, q| {
                let (j, l) = (q / n, q % n);
                let (a, b) = if j <= l { (j, l) } else { (l, j) };
                let w = if a == b { 1.0 } else { 2.0 };
                self.op[(b * (b + 1) / 2 + a, i)] / w
            }),
        }
    }

    /// Number of measurements `m`.
    pub fn nrows(&self) -> usize {
        self.op.ncols()
    }

    /// Entries of one measurement (`n(n+1)/2` packed, `n²` full).
    pub fn ncols(&self) -> usize {
        self.op.nrows()
    }

    /// Shape of the argument `Z`.
    pub fn shape(&self) -> (usize, usize) {
        (self.n, self.n)
    }

    /// The storage layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The stored `ncols() × m` matrix, column `i` = measurement `i` (for benchmarks).
    pub fn matrix(&self) -> MatRef<'_, f64> {
        self.op.as_ref()
    }

    /// Flattens `z` into `flat` (length `ncols()`).
    pub fn flatten(&self, z: MatRef<'_, f64>, mut flat: ColMut<'_, f64>) {
        let n = self.n;
        match self.layout {
            Layout::Packed => {
                for l in 0..n {
                    for j in 0..=l {
                        flat[l * (l + 1) / 2 + j] = if j == l {
                            z[(j, j)]
                        } else {
                            0.5 * (z[(j, l)] + z[(l, j)])
                        };
                    }
                }
            }
            Layout::Full => {
                for j in 0..n {
                    for l in 0..n {
                        flat[j * n + l] = z[(j, l)];
                    }
                }
            }
        }
    }

    /// Writes `A*(flat-adjoint)` back as an `n × n` matrix: `out[j,l] = Σ_i v_i A_i[j,l]`
    /// from `back = opᵀ v`.
    pub fn unflatten_adjoint(&self, back: ColRef<'_, f64>, mut out: MatMut<'_, f64>) {
        let n = self.n;
        match self.layout {
            Layout::Packed => {
                for l in 0..n {
                    for j in 0..=l {
                        let q = l * (l + 1) / 2 + j;
                        let v = if j == l { back[q] } else { 0.5 * back[q] };
                        out[(j, l)] = v;
                        out[(l, j)] = v;
                    }
                }
            }
            Layout::Full => {
                for j in 0..n {
                    for l in 0..n {
                        out[(j, l)] = back[j * n + l];
                    }
                }
            }
        }
    }

    /// `out = A(flat)`: one mat-vec.
    pub fn apply_flat(&self, flat: ColRef<'_, f64>, out: ColMut<'_, f64>) {
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            self.op.transpose(),
            flat.as_mat(),
            1.0,
            Par::Seq,
        );
    }

    /// `back = Σ_i v_i a_i`: one mat-vec.
    pub fn adjoint_flat(&self, v: ColRef<'_, f64>, back: ColMut<'_, f64>) {
        matmul(
            back.as_mat_mut(),
            Accum::Replace,
            self.op.as_ref(),
            v.as_mat(),
            1.0,
            Par::Seq,
        );
    }

    /// The measurements `[start, end)` as a `ncols() × (end − start)` view.
    pub fn block(&self, start: usize, end: usize) -> MatRef<'_, f64> {
        self.op.as_ref().subcols(start, end - start)
    }

    /// `A(Z)` (allocating; setup and metrics only).
    pub fn apply_dense(&self, z: MatRef<'_, f64>) -> Col<f64> {
        let mut flat = Col::zeros(self.ncols());
        self.flatten(z, flat.as_mut());
        let mut out = Col::zeros(self.nrows());
        self.apply_flat(flat.as_ref(), out.as_mut());
        out
    }

    /// `A*(v)` as a dense matrix (allocating; setup only).
    pub fn adjoint_dense(&self, v: ColRef<'_, f64>) -> Mat<f64> {
        let mut back = Col::zeros(self.ncols());
        self.adjoint_flat(v, back.as_mut());
        let mut out = Mat::zeros(self.n, self.n);
        self.unflatten_adjoint(back.as_ref(), out.as_mut());
        out
    }
}
