//! SNS's Newton system: the plan, the gradient, the sparsified Hessian as a CSC matrix and
//! its CG solve, all in buffers allocated once.

use crate::kernels::dot;
use crate::sns::{plan_and_sums, SnsConfig};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::matrix_free::conjugate_gradient::{
    conjugate_gradient, conjugate_gradient_scratch, CgError, CgParams,
};
use faer::matrix_free::{IdentityPrecond, InitialGuessStatus};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Mat, Par};
use ratebench_core::{Error, Result};
use ratebench_ot::OtProblem;

/// The outcome of one CG solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solve {
    pub iters: usize,
    /// `‖M Δz − ∇f‖ / ‖∇f‖` as faer reports it (NaN after a breakdown).
    pub rel_residual: f64,
    /// False if CG stopped at the iteration limit or on a (round-off) breakdown; the last
    /// iterate is used either way, as SciPy's `cg` does.
    pub converged: bool,
}

pub(crate) struct NewtonSystem {
    n: usize,
    m: usize,
    kept: usize,
    p: Vec<f64>,
    plan: Vec<f64>,
    scratch: Vec<f64>,
    rows: Vec<f64>,
    cols: Vec<f64>,
    rhs: Mat<f64>,
    dz: Mat<f64>,
    kept_idx: Vec<usize>,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
    cursor: Vec<usize>,
    mem: MemBuffer,
}

impl NewtonSystem {
    /// Buffers for an `n × m` problem keeping `kept` plan entries.
    pub(crate) fn new(n: usize, m: usize, kept: usize) -> Self {
        let big = n + m;
        let nnz = big + 2 * kept;
        let empty_ptr = vec![0usize; big + 1];
        let empty = SparseColMatRef::<'_, usize, f64>::new(
            SymbolicSparseColMatRef::new_checked(big, big, &empty_ptr, None, &[]),
            &[],
        );
        let req =
            conjugate_gradient_scratch::<f64>(IdentityPrecond { dim: big }, empty, 1, Par::Seq);
        Self {
            n,
            m,
            kept,
            p: vec![0.0; n],
            plan: vec![0.0; n * m],
            scratch: vec![0.0; n * m],
            rows: vec![0.0; n],
            cols: vec![0.0; m],
            rhs: Mat::zeros(big, 1),
            dz: Mat::zeros(big, 1),
            kept_idx: Vec::with_capacity(kept),
            col_ptr: vec![0; big + 1],
            row_idx: vec![0; nnz],
            values: vec![0.0; nnz],
            cursor: vec![0; big],
            mem: MemBuffer::new(req),
        }
    }

    /// Forms the plan, `∇f` (the right-hand side, with its `(1, −1)` component removed) and
    /// the sparsified system at `(x, y)`; returns `f(x, y)`.
    pub(crate) fn form(&mut self, problem: &OtProblem, x: &[f64], y: &[f64]) -> f64 {
        let n = self.n;
        let mass = plan_and_sums(
            problem,
            x,
            y,
            &mut self.p,
            &mut self.plan,
            &mut self.rows,
            &mut self.cols,
        );
        let f = -mass / problem.eta() + dot(problem.a(), x) + dot(problem.b(), y);
        let g = self.rhs.col_as_slice_mut(0);
        let (gx, gy) = g.split_at_mut(n);
        gx.iter_mut()
            .zip(problem.a().iter().zip(&self.rows))
            .for_each(|(g, (a, r))| *g = a - r);
        gy.iter_mut()
            .zip(problem.b().iter().zip(&self.cols))
            .for_each(|(g, (b, c))| *g = b - c);
        remove_null_component(g, n);
        self.select();
        self.assemble(problem.eta());
        f
    }

    /// The `kept` largest plan entries, in column-major order (ties at the threshold: the
    /// first ones in that order).
    fn select(&mut self) {
        self.kept_idx.clear();
        let total = self.plan.len();
        if self.kept == 0 {
            return;
        }
        if self.kept >= total {
            self.kept_idx.extend(0..total);
            return;
        }
        self.scratch.copy_from_slice(&self.plan);
        let at = total - self.kept;
        let (_, threshold, _) = self.scratch.select_nth_unstable_by(at, f64::total_cmp);
        let threshold = *threshold;
        let above = self.plan.iter().filter(|&&v| v > threshold).count();
        let mut ties = self.kept - above;
        for (pos, &v) in self.plan.iter().enumerate() {
            if v > threshold || (v == threshold && ties > 0) {
                if v == threshold {
                    ties -= 1;
                }
                self.kept_idx.push(pos);
            }
        }
    }

    /// CSC of `η[[diag(P1), P_s], [P_sᵀ, diag(Pᵀ1)]]` (rows sorted within each column).
    fn assemble(&mut self, eta: f64) {
        let n = self.n;
        let big = n + self.m;
        self.cursor.iter_mut().for_each(|c| *c = 1);
        for &pos in &self.kept_idx {
            self.cursor[pos % n] += 1;
            self.cursor[n + pos / n] += 1;
        }
        self.col_ptr[0] = 0;
        for c in 0..big {
            self.col_ptr[c + 1] = self.col_ptr[c] + self.cursor[c];
            self.cursor[c] = self.col_ptr[c];
        }
        let mut put = |col: usize, row: usize, v: f64, cursor: &mut [usize]| {
            self.row_idx[cursor[col]] = row;
            self.values[cursor[col]] = eta * v;
            cursor[col] += 1;
        };
        let cursor = &mut self.cursor;
        for i in 0..n {
            put(i, i, self.rows[i], cursor);
        }
        for &pos in &self.kept_idx {
            let (i, j, v) = (pos % n, pos / n, self.plan[pos]);
            put(i, n + j, v, cursor);
            put(n + j, i, v, cursor);
        }
        for j in 0..self.m {
            put(n + j, n + j, self.cols[j], cursor);
        }
    }

    /// The system matrix as a faer sparse view.
    #[cfg(test)]
    pub(crate) fn matrix(&self) -> SparseColMatRef<'_, usize, f64> {
        let big = self.n + self.m;
        SparseColMatRef::new(
            SymbolicSparseColMatRef::new_checked(big, big, &self.col_ptr, None, &self.row_idx),
            &self.values,
        )
    }

    /// Solves the system by CG (identity preconditioner, from 0) and removes the `(1, −1)`
    /// component of the solution.
    pub(crate) fn solve(&mut self, config: &SnsConfig) -> Result<Solve> {
        let big = self.n + self.m;
        // `MaybeNonZero` with `Δz = 0`: faer 0.24.4's `InitialGuessStatus::Zero` path never
        // copies the right-hand side into its residual buffer (it reads uninitialized scratch),
        // so we pay one extra operator application instead.
        let params = CgParams {
            initial_guess: InitialGuessStatus::MaybeNonZero,
            abs_tolerance: 0.0,
            rel_tolerance: config.cg_rtol,
            max_iters: config.cg_max_iters,
            ..Default::default()
        };
        let mut count = 0usize;
        self.dz
            .col_as_slice_mut(0)
            .iter_mut()
            .for_each(|v| *v = 0.0);
        let (col_ptr, row_idx, values) = (&self.col_ptr, &self.row_idx, &self.values);
        let mat = SparseColMatRef::new(
            SymbolicSparseColMatRef::new_checked(big, big, col_ptr, None, row_idx),
            values,
        );
        let result = conjugate_gradient(
            self.dz.as_mut(),
            IdentityPrecond { dim: big },
            mat,
            self.rhs.as_ref(),
            params,
            |_| count += 1,
            Par::Seq,
            MemStack::new(&mut self.mem),
        );
        let solve = match result {
            Ok(info) => Solve {
                iters: info.iter_count,
                rel_residual: info.rel_residual,
                converged: true,
            },
            Err(CgError::NoConvergence { rel_residual, .. }) => Solve {
                iters: count,
                rel_residual,
                converged: false,
            },
            Err(_) => Solve {
                iters: count,
                rel_residual: f64::NAN,
                converged: false,
            },
        };
        let dz = self.dz.col_as_slice_mut(0);
        if !dz.iter().all(|v| v.is_finite()) {
            return Err(Error::numerical(
                crate::names::SNS,
                format!(
                    "CG returned a non-finite Newton direction after {} iterations",
                    solve.iters
                ),
            ));
        }
        remove_null_component(dz, self.n);
        Ok(solve)
    }

    /// `Δz = (Δx, Δy)` of the last solve.
    pub(crate) fn direction(&self) -> &[f64] {
        self.dz.col_as_slice(0)
    }

    /// `∇f` of the last `form` (with its `(1, −1)` component removed).
    #[cfg(test)]
    pub(crate) fn gradient(&self) -> &[f64] {
        self.rhs.col_as_slice(0)
    }

    /// Stored entries of the system matrix: `n + m + 2·kept`.
    pub(crate) fn nnz(&self) -> usize {
        self.n + self.m + 2 * self.kept_idx.len()
    }

    /// Plan entries kept in the last `form`.
    pub(crate) fn kept(&self) -> usize {
        self.kept_idx.len()
    }
}

/// Subtracts `t (1, −1)` with `t = (Σ v_x − Σ v_y)/(n + m)`, the component of `v` along the
/// null direction of the Hessian.
fn remove_null_component(v: &mut [f64], n: usize) {
    let (vx, vy) = v.split_at_mut(n);
    let t = (vx.iter().sum::<f64>() - vy.iter().sum::<f64>()) / (vx.len() + vy.len()) as f64;
    vx.iter_mut().for_each(|e| *e -= t);
    vy.iter_mut().for_each(|e| *e += t);
}
