//! The sensing losses: `FactoredLoss` (ℓ₂, for GD/ScaledGD/PrecGD) and `MeasurementLoss`
//! (residual-weighted adjoints, for SubGM and the ℓ₂-GD comparator).
//!
//! Every iteration makes **one pass** over the stored operator: four measurements at a time,
//! the residuals `r_i = ⟨a_i, z⟩ − y_i` are computed and immediately `Σ φ(r_i)·a_i` is
//! accumulated while the four columns are in cache ([`crate::kernel`]). With `threads > 1` the measurements are split into that many
//! contiguous ranges, each with its own partial adjoint, summed in range order: results are
//! deterministic for a given thread count.

use crate::SensingProblem;
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, ColMut, ColRef, Mat, MatMut, MatRef, Par};
use ratebench_lowrank::{FactoredLoss, MeasurementLoss, ResidualWeight};

/// Preallocated buffers: `Z` (n×n), its flattening, the residual (m), the adjoint (flat and
/// n×n), and per-thread partial adjoints.
pub struct SensingWorkspace {
    z: Mat<f64>,
    flat: Col<f64>,
    resid: Col<f64>,
    back: Col<f64>,
    adj: Mat<f64>,
    /// One partial adjoint per thread (unused with one thread: `back` is written directly).
    partials: Vec<Col<f64>>,
}

impl SensingProblem {
    /// One pass over measurements `[start, end)`: `resid = A(z) − y` on the range and
    /// `acc = Σ φ(r_i)·a_i` over it, four measurements at a time.
    fn pass(
        &self,
        (start, end): (usize, usize),
        flat: ColRef<'_, f64>,
        resid: &mut [f64],
        mut acc: ColMut<'_, f64>,
        phi: &(dyn Fn(f64) -> f64 + Sync),
    ) {
        use crate::kernel::{axpy1, axpy4, dot1, dot4};
        acc.fill(0.0);
        let acc = acc
            .try_as_col_major_mut()
            .expect("contiguous")
            .as_slice_mut();
        let z = flat.try_as_col_major().expect("contiguous").as_slice();
        let y = self.y();
        let op = self.operator.block(start, end);
        let col = |j: usize| op.col(j).try_as_col_major().expect("contiguous").as_slice();
        let count = end - start;
        let mut j = 0;
        while j + 4 <= count {
            let c = [col(j), col(j + 1), col(j + 2), col(j + 3)];
            let d = dot4(c[0], c[1], c[2], c[3], z);
            let mut w = [0.0; 4];
            for k in 0..4 {
                let r = d[k] - y[start + j + k];
                resid[j + k] = r;
                w[k] = phi(r);
            }
            axpy4(acc, c[0], c[1], c[2], c[3], w);
            j += 4;
        }
        for j in j..count {
            let r = dot1(col(j), z) - y[start + j];
            resid[j] = r;
            axpy1(acc, col(j), phi(r));
        }
    }

    /// Threads `[lo, hi)` of `threads`, each on its measurement range, by recursive
    /// `rayon::join` (no heap allocation). `resid` covers exactly their measurements.
    fn split_pass(
        &self,
        (lo, hi, threads): (usize, usize, usize),
        flat: ColRef<'_, f64>,
        resid: &mut [f64],
        partials: &mut [Col<f64>],
        phi: &(dyn Fn(f64) -> f64 + Sync),
    ) {
        let m = self.m;
        let bound = |t: usize| t * m / threads;
        if hi - lo == 1 {
            let range = (bound(lo), bound(hi));
            self.pass(range, flat, resid, partials[0].as_mut(), phi);
            return;
        }
        let mid = (lo + hi) / 2;
        let (r0, r1) = resid.split_at_mut(bound(mid) - bound(lo));
        let (p0, p1) = partials.split_at_mut(mid - lo);
        rayon::join(
            || self.split_pass((lo, mid, threads), flat, r0, p0, phi),
            || self.split_pass((mid, hi, threads), flat, r1, p1, phi),
        );
    }

    /// `ws.resid = A(Z) − y` and `ws.back = Σ φ(r_i) a_i` in one pass, `Z` in `ws.z`.
    fn residual_and_adjoint(&self, ws: &mut SensingWorkspace, phi: &(dyn Fn(f64) -> f64 + Sync)) {
        self.operator.flatten(ws.z.as_ref(), ws.flat.as_mut());
        let flat = ws.flat.as_ref();
        let resid = ws
            .resid
            .try_as_col_major_mut()
            .expect("contiguous")
            .as_slice_mut();
        let threads = ws.partials.len();
        if threads <= 1 {
            self.pass((0, self.m), flat, resid, ws.back.as_mut(), phi);
            return;
        }
        self.split_pass((0, threads, threads), flat, resid, &mut ws.partials, phi);
        // The partial adjoints are summed in range order: deterministic for a thread count.
        ws.back.fill(0.0);
        for p in &ws.partials {
            ws.back += p;
        }
    }

    /// `ws.adj = sym(Σ φ(r_i) A_i)` from `ws.back`.
    fn adjoint_matrix(&self, ws: &mut SensingWorkspace) {
        self.operator
            .unflatten_adjoint(ws.back.as_ref(), ws.adj.as_mut());
        if self.operator.layout() == crate::operator::Layout::Full {
            // (A + Aᵀ)/2 for a general operator applied to symmetric factors.
            let n = ws.adj.nrows();
            for l in 0..n {
                for j in 0..l {
                    let s = 0.5 * (ws.adj[(j, l)] + ws.adj[(l, j)]);
                    ws.adj[(j, l)] = s;
                    ws.adj[(l, j)] = s;
                }
            }
        }
    }

    /// `ws.z = XXᵀ`, then the one-pass residual and adjoint, then `ws.adj`.
    fn sym_pass(
        &self,
        x: MatRef<'_, f64>,
        ws: &mut SensingWorkspace,
        phi: &(dyn Fn(f64) -> f64 + Sync),
    ) {
        matmul(
            ws.z.as_mut(),
            Accum::Replace,
            x,
            x.transpose(),
            1.0,
            Par::Seq,
        );
        self.residual_and_adjoint(ws, phi);
        self.adjoint_matrix(ws);
    }
}

fn norm2(v: &Col<f64>) -> f64 {
    (0..v.nrows()).map(|i| v[i] * v[i]).sum::<f64>().sqrt()
}

fn identity(r: f64) -> f64 {
    r
}

/// `sign(r)`, with the subgradient of `|·|` at 0 chosen as 0.
fn sign(r: f64) -> f64 {
    if r > 0.0 {
        1.0
    } else if r < 0.0 {
        -1.0
    } else {
        0.0
    }
}

impl FactoredLoss for SensingProblem {
    type Workspace = SensingWorkspace;

    fn shape(&self) -> (usize, usize) {
        self.operator.shape()
    }

    fn workspace(&self, _k: usize, threads: usize) -> SensingWorkspace {
        let (n, _) = self.operator.shape();
        let p = self.operator.ncols();
        let threads = threads.clamp(1, self.m.max(1));
        let partials = if threads > 1 {
            (0..threads).map(|_| Col::zeros(p)).collect()
        } else {
            Vec::new()
        };
        SensingWorkspace {
            z: Mat::zeros(n, n),
            flat: Col::zeros(p),
            resid: Col::zeros(self.operator.nrows()),
            back: Col::zeros(p),
            adj: Mat::zeros(n, n),
            partials,
        }
    }

    /// `A*(y)`: its top eigenpairs estimate `M⋆`'s for the spectral start.
    fn spectral_matrix(&self) -> Mat<f64> {
        self.adjoint_of_y()
    }

    /// `∇f = A*(A(XXᵀ) − y)X` for `f = ¼‖A(XXᵀ) − y‖²` (symmetrized adjoint for a general
    /// operator).
    fn sym_gradient(
        &self,
        x: MatRef<'_, f64>,
        grad: MatMut<'_, f64>,
        ws: &mut SensingWorkspace,
    ) -> f64 {
        self.sym_pass(x, ws, &identity);
        matmul(grad, Accum::Replace, ws.adj.as_ref(), x, 1.0, Par::Seq);
        norm2(&ws.resid)
    }

    /// `∇_F = A*(r)G`, `∇_G = A*(r)ᵀF` for `½‖A(FGᵀ) − y‖²`.
    fn asym_gradient(
        &self,
        f: MatRef<'_, f64>,
        g: MatRef<'_, f64>,
        grad_f: MatMut<'_, f64>,
        grad_g: MatMut<'_, f64>,
        ws: &mut SensingWorkspace,
    ) -> f64 {
        matmul(
            ws.z.as_mut(),
            Accum::Replace,
            f,
            g.transpose(),
            1.0,
            Par::Seq,
        );
        self.residual_and_adjoint(ws, &identity);
        self.operator
            .unflatten_adjoint(ws.back.as_ref(), ws.adj.as_mut());
        matmul(grad_f, Accum::Replace, ws.adj.as_ref(), g, 1.0, Par::Seq);
        matmul(grad_g, Accum::Replace, ws.adj.transpose(), f, 1.0, Par::Seq);
        norm2(&ws.resid)
    }
}

impl MeasurementLoss for SensingProblem {
    /// `out = (1/m) Σ_i φ(r_i)(A_i + A_iᵀ) X` with `r = A(XXᵀ) − y` of the raw problem
    /// (stored = c·raw, see [`SensingProblem::raw_scale`]); returns `(1/m)‖r‖₁`.
    fn residual_step(
        &self,
        x: MatRef<'_, f64>,
        weight: ResidualWeight,
        out: MatMut<'_, f64>,
        ws: &mut SensingWorkspace,
    ) -> f64 {
        let phi: &(dyn Fn(f64) -> f64 + Sync) = match weight {
            ResidualWeight::Sign => &sign,
            ResidualWeight::Identity => &identity,
        };
        self.sym_pass(x, ws, phi);
        let m = self.m as f64;
        // The residuals and A_i of the raw problem are the stored ones divided by c.
        let c = self.raw_scale;
        let l1 = (0..ws.resid.nrows())
            .map(|i| ws.resid[i].abs())
            .sum::<f64>()
            / (m * c);
        // (A_i + A_iᵀ) = 2·sym(A_i); φ(r_raw)·A_raw = φ(r/c)·A/c.
        let scale = match weight {
            ResidualWeight::Sign => 2.0 / (m * c),
            ResidualWeight::Identity => 2.0 / (m * c * c),
        };
        matmul(out, Accum::Replace, ws.adj.as_ref(), x, scale, Par::Seq);
        l1
    }

    fn measurements(&self) -> usize {
        self.m
    }
}

#[cfg(test)]
mod tests {
    use crate::{Design, SensingProblem, SensingSpec};
    use faer::Mat;
    use ratebench_core::rng::{gaussian_mat, SeedPath};
    use ratebench_lowrank::{FactoredLoss, MeasurementLoss, ResidualWeight};

    fn inner(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
        (0..a.ncols())
            .map(|j| (0..a.nrows()).map(|i| a[(i, j)] * b[(i, j)]).sum::<f64>())
            .sum()
    }

    fn loss(p: &SensingProblem, x: &Mat<f64>) -> f64 {
        let z = x * x.transpose();
        let r = p.measure(z.as_ref());
        0.25 * r
            .iter()
            .zip(p.y())
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
    }

    #[test]
    fn gradients_match_finite_differences_for_both_designs() {
        for design in [Design::Goe, Design::Gaussian] {
            let spec = SensingSpec {
                n: 6,
                r: 2,
                m: 300,
                design,
                ..Default::default()
            };
            let p = SensingProblem::generate(&spec, &SeedPath::new(4)).unwrap();
            let mut rng = SeedPath::new(4).stream("t");
            let (x, d) = (gaussian_mat(&mut rng, 6, 3), gaussian_mat(&mut rng, 6, 3));
            let mut ws = p.workspace(3, 1);
            let mut g = Mat::zeros(6, 3);
            let res = p.sym_gradient(x.as_ref(), g.as_mut(), &mut ws);
            let h = 1e-6;
            let fd = (loss(&p, &(&x + faer::Scale(h) * &d))
                - loss(&p, &(&x - faer::Scale(h) * &d)))
                / (2.0 * h);
            let an = inner(&g, &d);
            assert!(
                (fd - an).abs() < 1e-6 * an.abs().max(1.0),
                "{design:?}: fd {fd} vs {an}"
            );
            assert!((res * res / 4.0 - loss(&p, &x)).abs() < 1e-9 * loss(&p, &x));
        }
    }

    #[test]
    fn normalized_goe_is_an_isometry_in_expectation_and_adjoint_is_exact() {
        let spec = SensingSpec {
            n: 5,
            r: 2,
            m: 20000,
            ..Default::default()
        };
        let p = SensingProblem::generate(&spec, &SeedPath::new(1)).unwrap();
        let mut rng = SeedPath::new(1).stream("z");
        let g = gaussian_mat(&mut rng, 5, 5);
        let z = &g + g.transpose();
        let az: f64 = p.measure(z.as_ref()).iter().map(|v| v * v).sum();
        assert!(
            (az / z.squared_norm_l2() - 1.0).abs() < 0.05,
            "{}",
            az / z.squared_norm_l2()
        );
        // ⟨A(Z), v⟩ = ⟨Z, A*(v)⟩.
        let v: Vec<f64> = (0..20000).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
        let vc = faer::Col::from_fn(20000, |i| v[i]);
        let lhs: f64 = p
            .measure(z.as_ref())
            .iter()
            .zip(&v)
            .map(|(a, b)| a * b)
            .sum();
        let rhs = inner(&z, &p.operator().adjoint_dense(vc.as_ref()));
        assert!((lhs - rhs).abs() < 1e-9 * lhs.abs());
        // Round trip through the NumPy (row-major, m × n²) form.
        let back = crate::Operator::from_full(p.operator().to_full(), 5).unwrap();
        assert!(back.matrix() == p.operator().matrix());
    }

    #[test]
    fn threaded_pass_is_deterministic_and_matches_the_sequential_one() {
        let spec = SensingSpec {
            n: 7,
            r: 2,
            m: 1001,
            ..Default::default()
        };
        let p = SensingProblem::generate(&spec, &SeedPath::new(6)).unwrap();
        let x = gaussian_mat(&mut SeedPath::new(6).stream("x"), 7, 3);
        let grad = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut ws = p.workspace(3, threads);
                let mut g = Mat::zeros(7, 3);
                let res = p.sym_gradient(x.as_ref(), g.as_mut(), &mut ws);
                (g, res)
            })
        };
        let (g1, r1) = grad(1);
        let (g3, r3) = grad(3);
        let (g3b, _) = grad(3);
        assert!(g3 == g3b, "same thread count, same bits");
        assert!(
            (&g1 - &g3).norm_max() < 1e-12 * g1.norm_max(),
            "split sums agree"
        );
        assert!((r1 - r3).abs() < 1e-12 * r1);
    }

    #[test]
    fn subgradient_uses_signs() {
        let spec = SensingSpec {
            n: 4,
            r: 1,
            m: 50,
            normalized: false,
            ..Default::default()
        };
        let p = SensingProblem::generate(&spec, &SeedPath::new(2)).unwrap();
        let x = gaussian_mat(&mut SeedPath::new(2).stream("x"), 4, 2);
        let mut ws = p.workspace(2, 1);
        let mut out = Mat::zeros(4, 2);
        let l1 = p.residual_step(x.as_ref(), ResidualWeight::Sign, out.as_mut(), &mut ws);
        // Dense reference: (1/m) Σ sign(r_i)(A_i + A_iᵀ)X with A_i from the full operator.
        let full = p.operator().to_full();
        let r: Vec<f64> = p
            .measure((&x * x.transpose()).as_ref())
            .iter()
            .zip(p.y())
            .map(|(a, b)| a - b)
            .collect();
        let mut want = Mat::<f64>::zeros(4, 2);
        for (i, ri) in r.iter().enumerate() {
            let a = Mat::<f64>::from_fn(4, 4, |j, l| full[(i, j * 4 + l)]);
            want += faer::Scale(ri.signum() / 50.0) * ((&a + a.transpose()) * &x);
        }
        assert!((&out - &want).norm_max() < 1e-12);
        assert!((l1 - r.iter().map(|v| v.abs()).sum::<f64>() / 50.0).abs() < 1e-12);
    }

    #[test]
    fn bad_specs_are_refused() {
        let e = SensingSpec {
            m: 0,
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("invalid m"), "{e}");
        let e = SensingSpec {
            noise: crate::Noise::Outliers {
                p: 1.0,
                scale: 10.0,
            },
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("invalid p"), "{e}");
        let e = SensingSpec {
            noise: crate::Noise::Gaussian { sigma: -1.0 },
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("invalid sigma"), "{e}");
        let e = SensingSpec {
            n: 1000,
            m: 1_000_000,
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("memory limit") && e.contains("GiB"), "{e}");
    }
}
