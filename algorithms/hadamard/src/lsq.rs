//! The exact block least squares of `hadamardLS_exact`, batched over a whole block.
//!
//! Row `i` of a W-block solves `min_w Σ_j (X_ij − S_ij · wᵀh_j)²`, where `h_j` is row `j` of
//! the partner `Hᵀ` and `S` the product of the other factors: the normal equations are
//! `(Σ_j S_ij² h_jh_jᵀ) w = Σ_j S_ij X_ij h_j`. For every row at once:
//!
//! * `Q` (`n × p`, `p = r(r+1)/2`): column `(a, b)`, `a ≥ b`, is `Hᵀ[:, a] ∘ Hᵀ[:, b]`, the
//!   packed lower half of the outer products `h_j ⊗ h_j`;
//! * **Gram GEMM** `G = (S∘S) · Q` (`m × n` by `n × p`): row `i` is the packed Gram matrix of
//!   row `i`. Using the symmetric half halves the flops of the `r²`-column GEMM, so the
//!   machine reference in the bench is this `(m × n)(n × p)` GEMM;
//! * **RHS GEMM** `B = (S∘X) · Hᵀ` (`m × n` by `n × r`);
//! * one Cholesky factorization and two triangular solves per row, vectorized across
//!   [`LANES`] rows at a time (structure of arrays).
//!
//! The H-block is the same computation on the transposed problem (`Hᵀ` rows, partner `W`,
//! `(S∘S)ᵀ`, `(S∘X)ᵀ`). A row whose Cholesky meets a pivot `≤ r·ε·max diag` (numerically
//! singular, e.g. an all-zero column of `S`) is re-solved with the pseudo-inverse, like the
//! authors' `np.linalg.pinv` fallback: a Jacobi eigendecomposition, eigenvalues
//! `≤ 1e-15·λ_max` (numpy's `rcond`) dropped.
//!
//! Rows are independent: with `threads > 1` fixed contiguous row ranges are solved in
//! parallel, and each row's arithmetic is the same for every split, so the solves are
//! bit-identical for any thread count (the two GEMMs use faer's static splits).

use crate::simd::multiversion;
use crate::{col, col_mut};
use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// Rows solved together by the vectorized Cholesky (one AVX-512 register of `f64`).
pub const LANES: usize = 8;

type Lanes = [f64; LANES];

/// Number of entries of the packed lower half of an `r × r` matrix.
pub fn packed_len(r: usize) -> usize {
    r * (r + 1) / 2
}

/// Position of entry `(a, b)`, `a ≥ b`, in the column-by-column packed lower half.
#[inline(always)]
fn at(r: usize, a: usize, b: usize) -> usize {
    b * (2 * r - b + 1) / 2 + (a - b)
}

multiversion! {
    /// `out[:, (a, b)] = f[:, a] ∘ f[:, b]` for `a ≥ b` (`out` is `len × p`).
    pub fn pack_outer(f: MatRef<'_, f64>, out: MatMut<'_, f64>) {
        let r = f.ncols();
        let mut out = out;
        for b in 0..r {
            let fb = col(f, b);
            for a in b..r {
                let fa = col(f, a);
                let o = col_mut(out.rb_mut(), at(r, a, b));
                for ((oi, x), y) in o.iter_mut().zip(fa).zip(fb) {
                    *oi = x * y;
                }
            }
        }
    }
}

/// Per-thread scratch of the vectorized solves and of the pseudo-inverse fallback.
#[derive(Clone)]
struct LaneWork {
    g: Vec<Lanes>,
    b: Vec<Lanes>,
    inv: Vec<Lanes>,
    sym: Mat<f64>,
    vecs: Mat<f64>,
    tmp: Vec<f64>,
    pinv: usize,
}

impl LaneWork {
    fn new(r: usize) -> Self {
        Self {
            g: vec![[0.0; LANES]; packed_len(r)],
            b: vec![[0.0; LANES]; r],
            inv: vec![[0.0; LANES]; r],
            sym: Mat::zeros(r, r),
            vecs: Mat::zeros(r, r),
            tmp: vec![0.0; r],
            pinv: 0,
        }
    }
}

/// Buffers for the block solves of one problem size (allocated once, in `Solver::init`).
pub struct BlockLsq {
    r: usize,
    pack: Mat<f64>,
    gram: Mat<f64>,
    rhs: Mat<f64>,
    work: Vec<LaneWork>,
    par: Par,
}

impl BlockLsq {
    /// Buffers for blocks of at most `max_len` rows (and partners of at most `max_len` rows)
    /// of rank `r`, solved with `threads` threads (1 = sequential).
    pub fn new(max_len: usize, r: usize, threads: usize) -> Self {
        let p = packed_len(r);
        Self {
            r,
            pack: Mat::zeros(max_len, p),
            gram: Mat::zeros(max_len, p),
            rhs: Mat::zeros(max_len, r),
            work: vec![LaneWork::new(r); threads.max(1)],
            par: ratebench_core::par(threads),
        }
    }

    /// Bytes [`BlockLsq::new`] allocates (for the memory check).
    pub fn bytes(max_len: usize, r: usize, threads: usize) -> u64 {
        let p = packed_len(r) as u64;
        let per_thread = (p + 2 * r as u64) * LANES as u64 + 2 * (r * r) as u64 + r as u64;
        8 * ((2 * p + r as u64) * max_len as u64 + per_thread * threads.max(1) as u64)
    }

    /// Solves every row of `target` (`len × r`) exactly:
    /// `target[i, :] = argmin_w Σ_j (sx_ij/s_ij − wᵀ partner[j, :])² s_ij²`, i.e. the normal
    /// equations `(Σ_j s2_ij p_j p_jᵀ) w = Σ_j sx_ij p_j` with `p_j = partner[j, :]`,
    /// `s2 = S∘S`, `sx = S∘X` (`len × plen`). Returns the number of rows that needed the
    /// pseudo-inverse.
    pub fn solve(
        &mut self,
        target: MatMut<'_, f64>,
        partner: MatRef<'_, f64>,
        s2: MatRef<'_, f64>,
        sx: MatRef<'_, f64>,
    ) -> usize {
        let (len, plen, r) = (target.nrows(), partner.nrows(), self.r);
        debug_assert_eq!((target.ncols(), partner.ncols()), (r, r));
        debug_assert_eq!((s2.shape(), sx.shape()), ((len, plen), (len, plen)));
        let p = packed_len(r);
        pack_outer(partner, self.pack.get_mut(..plen, ..));
        matmul(
            self.gram.get_mut(..len, ..p),
            Accum::Replace,
            s2,
            self.pack.get(..plen, ..),
            1.0,
            self.par,
        );
        matmul(
            self.rhs.get_mut(..len, ..),
            Accum::Replace,
            sx,
            partner,
            1.0,
            self.par,
        );
        self.solve_normal_equations(target)
    }

    /// The Gram GEMM alone into the internal buffer (for tests of the stacked layout).
    pub fn gram_rows(&mut self, partner: MatRef<'_, f64>, s2: MatRef<'_, f64>) -> MatRef<'_, f64> {
        let (len, plen) = (s2.nrows(), partner.nrows());
        let p = packed_len(self.r);
        pack_outer(partner, self.pack.get_mut(..plen, ..));
        matmul(
            self.gram.get_mut(..len, ..p),
            Accum::Replace,
            s2,
            self.pack.get(..plen, ..),
            1.0,
            self.par,
        );
        self.gram.get(..len, ..)
    }

    /// Solves the systems held in `gram`/`rhs` (first `target.nrows()` rows) into `target`.
    fn solve_normal_equations(&mut self, target: MatMut<'_, f64>) -> usize {
        let len = target.nrows();
        let parts = self.work.len();
        let chunks = len.div_ceil(LANES);
        let ctx = Ctx {
            r: self.r,
            gram: self.gram.as_ref(),
            rhs: self.rhs.as_ref(),
        };
        for w in &mut self.work {
            w.pinv = 0;
        }
        let split = |i: usize| (chunks * i / parts * LANES).min(len);
        solve_parts(&ctx, target, 0, &mut self.work, &split);
        self.work.iter().map(|w| w.pinv).sum()
    }
}

/// Read-only inputs of the row solves.
struct Ctx<'a> {
    r: usize,
    gram: MatRef<'a, f64>,
    rhs: MatRef<'a, f64>,
}

/// Solves rows `row0..row0 + target.nrows()`, splitting them over `work.len()` threads at the
/// fixed boundaries `split(i)` (a multiple of [`LANES`]).
fn solve_parts(
    ctx: &Ctx<'_>,
    target: MatMut<'_, f64>,
    part0: usize,
    work: &mut [LaneWork],
    split: &(dyn Fn(usize) -> usize + Sync),
) {
    if work.len() == 1 {
        let row0 = split(part0);
        solve_range(ctx, target, row0, &mut work[0]);
        return;
    }
    let mid = work.len() / 2;
    let cut = split(part0 + mid) - split(part0);
    let (top, bottom) = target.split_at_row_mut(cut);
    let (wl, wr) = work.split_at_mut(mid);
    rayon::join(
        || solve_parts(ctx, top, part0, wl, split),
        || solve_parts(ctx, bottom, part0 + mid, wr, split),
    );
}

multiversion! {
    /// Solves the rows of `target` (global rows `row0..`) chunk by chunk.
    fn solve_range(ctx: &Ctx<'_>, target: MatMut<'_, f64>, row0: usize, w: &mut LaneWork) {
        let mut target = target;
        let len = target.nrows();
        let mut i = 0;
        while i < len {
            let cnt = LANES.min(len - i);
            let bad = solve_chunk(ctx, row0 + i, cnt, w);
            store(ctx.r, target.rb_mut(), i, cnt, &w.b);
            if bad != 0 {
                for l in 0..cnt {
                    if bad & (1 << l) != 0 {
                        pinv_row(ctx, row0 + i + l, target.rb_mut(), i + l, w);
                        w.pinv += 1;
                    }
                }
            }
            i += cnt;
        }
    }
}

#[inline(always)]
fn store(r: usize, mut target: MatMut<'_, f64>, i0: usize, cnt: usize, x: &[Lanes]) {
    for (a, xa) in x.iter().enumerate().take(r) {
        let c = col_mut(target.rb_mut(), a);
        if cnt == LANES {
            // A fixed-size copy compiles to one vector store (a variable one to a call).
            let dst: &mut Lanes = (&mut c[i0..i0 + LANES]).try_into().expect("full chunk");
            *dst = *xa;
        } else {
            for (d, v) in c[i0..i0 + cnt].iter_mut().zip(xa) {
                *d = *v;
            }
        }
    }
}

/// `dst = src[i0..i0 + cnt]`, padded with `pad`.
#[inline(always)]
fn load(dst: &mut Lanes, src: &[f64], i0: usize, cnt: usize, pad: f64) {
    if cnt == LANES {
        *dst = src[i0..i0 + LANES].try_into().expect("full chunk");
    } else {
        for (l, d) in dst.iter_mut().enumerate() {
            *d = if l < cnt { src[i0 + l] } else { pad };
        }
    }
}

/// Loads rows `i0..i0+cnt` (padding with identity systems), factors and solves them in the
/// lanes of `w`; returns the bit mask of rows with a numerically singular Gram matrix.
#[inline(always)]
fn solve_chunk(ctx: &Ctx<'_>, i0: usize, cnt: usize, w: &mut LaneWork) -> u32 {
    let r = ctx.r;
    for b in 0..r {
        for a in b..r {
            let l = at(r, a, b);
            let pad = if a == b { 1.0 } else { 0.0 };
            load(&mut w.g[l], col(ctx.gram, l), i0, cnt, pad);
        }
        load(&mut w.b[b], col(ctx.rhs, b), i0, cnt, 0.0);
    }
    let bad = cholesky_lanes(r, &mut w.g, &mut w.inv);
    solve_lanes(r, &w.g, &w.inv, &mut w.b);
    bad
}

/// In-place Cholesky of `LANES` packed SPD matrices (left-looking). Returns the mask of
/// lanes with a pivot `≤ r·ε·max diag`; those lanes continue with pivot 1 (their results
/// are discarded).
#[inline(always)]
fn cholesky_lanes(r: usize, g: &mut [Lanes], inv: &mut [Lanes]) -> u32 {
    let mut tol = [0.0f64; LANES];
    for c in 0..r {
        let d = &g[at(r, c, c)];
        for l in 0..LANES {
            tol[l] = tol[l].max(d[l]);
        }
    }
    for t in &mut tol {
        *t *= r as f64 * f64::EPSILON;
    }
    let mut bad = 0u32;
    for c in 0..r {
        for a in c..r {
            let mut v = g[at(r, a, c)];
            for k in 0..c {
                let (x, y) = (g[at(r, a, k)], g[at(r, c, k)]);
                for l in 0..LANES {
                    v[l] = (-x[l]).mul_add(y[l], v[l]);
                }
            }
            if a == c {
                for l in 0..LANES {
                    if v[l] <= tol[l] || v[l].is_nan() {
                        bad |= 1 << l;
                        v[l] = 1.0;
                    }
                    v[l] = v[l].sqrt();
                    inv[c][l] = 1.0 / v[l];
                }
            } else {
                for l in 0..LANES {
                    v[l] *= inv[c][l];
                }
            }
            g[at(r, a, c)] = v;
        }
    }
    bad
}

/// `x = L⁻ᵀL⁻¹b` in place, lane by lane.
#[inline(always)]
fn solve_lanes(r: usize, g: &[Lanes], inv: &[Lanes], b: &mut [Lanes]) {
    for a in 0..r {
        let mut v = b[a];
        for k in 0..a {
            let (x, y) = (g[at(r, a, k)], b[k]);
            for l in 0..LANES {
                v[l] = (-x[l]).mul_add(y[l], v[l]);
            }
        }
        for l in 0..LANES {
            v[l] *= inv[a][l];
        }
        b[a] = v;
    }
    for a in (0..r).rev() {
        let mut v = b[a];
        for k in a + 1..r {
            let (x, y) = (g[at(r, k, a)], b[k]);
            for l in 0..LANES {
                v[l] = (-x[l]).mul_add(y[l], v[l]);
            }
        }
        for l in 0..LANES {
            v[l] *= inv[a][l];
        }
        b[a] = v;
    }
}

/// Re-solves row `global` with the pseudo-inverse of its Gram matrix and writes it to row
/// `local` of `target`.
fn pinv_row(
    ctx: &Ctx<'_>,
    global: usize,
    mut target: MatMut<'_, f64>,
    local: usize,
    w: &mut LaneWork,
) {
    let r = ctx.r;
    for b in 0..r {
        for a in b..r {
            let v = ctx.gram[(global, at(r, a, b))];
            w.sym[(a, b)] = v;
            w.sym[(b, a)] = v;
        }
    }
    jacobi_eigen(w.sym.as_mut(), w.vecs.as_mut());
    let lmax = (0..r).map(|i| w.sym[(i, i)]).fold(0.0f64, f64::max);
    let cutoff = 1e-15 * lmax;
    // tmp = diag(λ⁺) Vᵀ b
    for i in 0..r {
        let lam = w.sym[(i, i)];
        let proj: f64 = (0..r).map(|k| w.vecs[(k, i)] * ctx.rhs[(global, k)]).sum();
        w.tmp[i] = if lam > cutoff { proj / lam } else { 0.0 };
    }
    for a in 0..r {
        target[(local, a)] = (0..r).map(|i| w.vecs[(a, i)] * w.tmp[i]).sum();
    }
}

/// Cyclic Jacobi: diagonalizes the symmetric `a` in place (`a ← Vᵀ a V`), `v ← V`.
pub(crate) fn jacobi_eigen(mut a: MatMut<'_, f64>, mut v: MatMut<'_, f64>) {
    let r = a.nrows();
    v.fill(0.0);
    for i in 0..r {
        v[(i, i)] = 1.0;
    }
    let total: f64 = a.rb().squared_norm_l2();
    for _sweep in 0..64 {
        let off: f64 = (0..r)
            .flat_map(|q| (0..q).map(move |p| (p, q)))
            .map(|(p, q)| a[(p, q)] * a[(p, q)])
            .sum();
        if off <= 1e-32 * total || off == 0.0 {
            break;
        }
        for q in 1..r {
            for p in 0..q {
                rotate(a.rb_mut(), v.rb_mut(), p, q);
            }
        }
    }
}

/// One Jacobi rotation zeroing `a[p, q]`.
fn rotate(mut a: MatMut<'_, f64>, mut v: MatMut<'_, f64>, p: usize, q: usize) {
    let apq = a[(p, q)];
    if apq == 0.0 {
        return;
    }
    let theta = (a[(q, q)] - a[(p, p)]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    let r = a.nrows();
    for k in 0..r {
        let (akp, akq) = (a[(k, p)], a[(k, q)]);
        a[(k, p)] = c * akp - s * akq;
        a[(k, q)] = s * akp + c * akq;
    }
    for k in 0..r {
        let (apk, aqk) = (a[(p, k)], a[(q, k)]);
        a[(p, k)] = c * apk - s * aqk;
        a[(q, k)] = s * apk + c * aqk;
    }
    a[(p, q)] = 0.0;
    a[(q, p)] = 0.0;
    for k in 0..r {
        let (vkp, vkq) = (v[(k, p)], v[(k, q)]);
        v[(k, p)] = c * vkp - s * vkq;
        v[(k, q)] = s * vkp + c * vkq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::{gaussian_mat, SeedPath};

    /// The per-row least squares solved directly: QR of `diag(s_i) P` against `s_i ∘ x_i`.
    fn direct(
        partner: MatRef<'_, f64>,
        s: MatRef<'_, f64>,
        x: MatRef<'_, f64>,
        i: usize,
    ) -> Vec<f64> {
        use faer::linalg::solvers::SolveLstsq;
        let (plen, r) = partner.shape();
        let a = Mat::from_fn(plen, r, |j, c| s[(i, j)] * partner[(j, c)]);
        let rhs = Mat::from_fn(plen, 1, |j, _| x[(i, j)]);
        let sol = a.qr().solve_lstsq(&rhs);
        (0..r).map(|c| sol[(c, 0)]).collect()
    }

    fn weights(s: &Mat<f64>, x: &Mat<f64>) -> (Mat<f64>, Mat<f64>) {
        let s2 = Mat::from_fn(s.nrows(), s.ncols(), |i, j| s[(i, j)] * s[(i, j)]);
        let sx = Mat::from_fn(s.nrows(), s.ncols(), |i, j| s[(i, j)] * x[(i, j)]);
        (s2, sx)
    }

    #[test]
    fn batched_solves_match_a_direct_least_squares_per_row() {
        let mut rng = SeedPath::new(0).stream("lsq");
        for (len, plen, r) in [(13, 11, 3), (21, 30, 5), (9, 40, 8)] {
            let partner = gaussian_mat(&mut rng, plen, r);
            let s = gaussian_mat(&mut rng, len, plen);
            let x = gaussian_mat(&mut rng, len, plen);
            let (s2, sx) = weights(&s, &x);
            let mut target = Mat::<f64>::zeros(len, r);
            let mut lsq = BlockLsq::new(len.max(plen), r, 1);
            let pinv = lsq.solve(target.as_mut(), partner.as_ref(), s2.as_ref(), sx.as_ref());
            assert_eq!(pinv, 0);
            for i in 0..len {
                let want = direct(partner.as_ref(), s.as_ref(), x.as_ref(), i);
                for c in 0..r {
                    let err = (target[(i, c)] - want[c]).abs();
                    assert!(
                        err < 1e-10 * (1.0 + want[c].abs()),
                        "len={len} r={r} row {i}: {err}"
                    );
                }
            }
        }
    }

    #[test]
    fn stacked_gram_gemm_equals_the_naive_loops() {
        let mut rng = SeedPath::new(1).stream("gram");
        let (len, plen, r) = (10, 17, 4);
        let partner = gaussian_mat(&mut rng, plen, r);
        let s = gaussian_mat(&mut rng, len, plen);
        let (s2, _) = weights(&s, &s);
        let mut lsq = BlockLsq::new(plen, r, 1);
        let gram = lsq.gram_rows(partner.as_ref(), s2.as_ref()).to_owned();
        for i in 0..len {
            // W2ᵀ diag(s_i²) W2, one small loop per row.
            let mut g = Mat::<f64>::zeros(r, r);
            for j in 0..plen {
                for a in 0..r {
                    for b in 0..r {
                        g[(a, b)] += s2[(i, j)] * partner[(j, a)] * partner[(j, b)];
                    }
                }
            }
            for b in 0..r {
                for a in b..r {
                    let got = gram[(i, at(r, a, b))];
                    assert!((got - g[(a, b)]).abs() < 1e-12 * (1.0 + g[(a, b)].abs()));
                }
            }
        }
    }

    #[test]
    fn singular_rows_use_the_pseudo_inverse() {
        let mut rng = SeedPath::new(2).stream("pinv");
        let (len, plen, r) = (11, 12, 3);
        let mut partner = gaussian_mat(&mut rng, plen, r);
        // Rank-deficient partner: column 2 = column 0, so every Gram matrix is singular.
        for j in 0..plen {
            partner[(j, 2)] = partner[(j, 0)];
        }
        let mut s = gaussian_mat(&mut rng, len, plen);
        for j in 0..plen {
            s[(4, j)] = 0.0; // row 4: an all-zero Gram matrix → the solution is 0
        }
        let x = gaussian_mat(&mut rng, len, plen);
        let (s2, sx) = weights(&s, &x);
        let mut target = Mat::<f64>::zeros(len, r);
        let mut lsq = BlockLsq::new(plen, r, 1);
        let pinv = lsq.solve(target.as_mut(), partner.as_ref(), s2.as_ref(), sx.as_ref());
        assert_eq!(pinv, len);
        assert!((0..r).all(|c| target[(4, c)] == 0.0));
        for i in (0..len).filter(|&i| i != 4) {
            // The minimum-norm solution splits the weight of the duplicated column evenly
            // and fits as well as the least squares on the two distinct columns.
            assert!((target[(i, 0)] - target[(i, 2)]).abs() < 1e-9);
            let reduced = partner.get(.., ..2).to_owned();
            let want = direct(reduced.as_ref(), s.as_ref(), x.as_ref(), i);
            assert!((target[(i, 0)] * 2.0 - want[0]).abs() < 1e-8, "row {i}");
            assert!((target[(i, 1)] - want[1]).abs() < 1e-8, "row {i}");
        }
    }

    #[test]
    fn jacobi_diagonalizes() {
        let mut rng = SeedPath::new(3).stream("jacobi");
        let g = gaussian_mat(&mut rng, 6, 6);
        let a = &g + g.transpose();
        let mut d = a.clone();
        let mut v = Mat::<f64>::zeros(6, 6);
        jacobi_eigen(d.as_mut(), v.as_mut());
        let back = &v * &d * v.transpose();
        assert!((back - &a).norm_max() < 1e-12);
        for q in 0..6 {
            for p in 0..q {
                assert!(d[(p, q)].abs() < 1e-12);
            }
        }
    }

    #[test]
    fn thread_split_gives_identical_solves() {
        let mut rng = SeedPath::new(4).stream("threads");
        let (len, plen, r) = (53, 40, 5);
        let partner = gaussian_mat(&mut rng, plen, r);
        let s = gaussian_mat(&mut rng, len, plen);
        let x = gaussian_mat(&mut rng, len, plen);
        let (s2, sx) = weights(&s, &x);
        let run = |threads: usize| {
            let mut t = Mat::<f64>::zeros(len, r);
            BlockLsq::new(len.max(plen), r, threads).solve(
                t.as_mut(),
                partner.as_ref(),
                s2.as_ref(),
                sx.as_ref(),
            );
            t
        };
        let one = run(1);
        assert!(one == run(2) && one == run(3));
    }
}
