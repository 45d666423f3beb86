//! The sensing losses: `FactoredLoss` (ℓ₂, for GD/ScaledGD/PrecGD) and `MeasurementLoss`
//! (residual-weighted adjoints, for SubGM and the ℓ₂-GD comparator).

use crate::SensingProblem;
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, Mat, MatMut, MatRef, Par};
use ratebench_lowrank::{FactoredLoss, MeasurementLoss, ResidualWeight};

/// Preallocated buffers: `Z` (n×n), its flattening, the residual (m), the adjoint (flat and
/// n×n).
pub struct SensingWorkspace {
    z: Mat<f64>,
    flat: Col<f64>,
    resid: Col<f64>,
    back: Col<f64>,
    adj: Mat<f64>,
}

impl SensingProblem {
    /// `resid = A(Z) − y` with `Z` already in `ws.z`; returns nothing (allocation-free).
    fn residual(&self, ws: &mut SensingWorkspace) {
        self.operator.flatten(ws.z.as_ref(), ws.flat.as_mut());
        self.operator
            .apply_flat(ws.flat.as_ref(), ws.resid.as_mut());
        for i in 0..ws.resid.nrows() {
            ws.resid[i] -= self.y[i];
        }
    }

    /// `ws.adj = Σ_i resid_i A_i` (as the operator stores it, scaling included).
    fn adjoint_of_resid(&self, ws: &mut SensingWorkspace) {
        self.operator
            .adjoint_flat(ws.resid.as_ref(), ws.back.as_mut());
        self.operator
            .unflatten_adjoint(ws.back.as_ref(), ws.adj.as_mut());
    }

    /// `ws.resid = A(XXᵀ) − y`.
    fn sym_residual(&self, x: MatRef<'_, f64>, ws: &mut SensingWorkspace) {
        matmul(
            ws.z.as_mut(),
            Accum::Replace,
            x,
            x.transpose(),
            1.0,
            Par::Seq,
        );
        self.residual(ws);
    }

    /// `out = scale · sym(Σ_i w_i A_i) X` with the weights `w` currently in `ws.resid`.
    fn weighted_adjoint_times(
        &self,
        x: MatRef<'_, f64>,
        out: MatMut<'_, f64>,
        scale: f64,
        ws: &mut SensingWorkspace,
    ) {
        self.adjoint_of_resid(ws);
        self.symmetrize_adj(ws);
        matmul(out, Accum::Replace, ws.adj.as_ref(), x, scale, Par::Seq);
    }

    /// `(A + Aᵀ)/2` in place (for a general operator applied to symmetric factors).
    fn symmetrize_adj(&self, ws: &mut SensingWorkspace) {
        if self.operator.layout() == crate::operator::Layout::Full {
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
}

fn norm2(v: &Col<f64>) -> f64 {
    (0..v.nrows()).map(|i| v[i] * v[i]).sum::<f64>().sqrt()
}

impl FactoredLoss for SensingProblem {
    type Workspace = SensingWorkspace;

    fn shape(&self) -> (usize, usize) {
        self.operator.shape()
    }

    fn workspace(&self, _k: usize) -> SensingWorkspace {
        let (n, _) = self.operator.shape();
        SensingWorkspace {
            z: Mat::zeros(n, n),
            flat: Col::zeros(self.operator.ncols()),
            resid: Col::zeros(self.operator.nrows()),
            back: Col::zeros(self.operator.ncols()),
            adj: Mat::zeros(n, n),
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
        self.sym_residual(x, ws);
        self.weighted_adjoint_times(x, grad, 1.0, ws);
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
        self.residual(ws);
        self.adjoint_of_resid(ws);
        matmul(grad_f, Accum::Replace, ws.adj.as_ref(), g, 1.0, Par::Seq);
        matmul(grad_g, Accum::Replace, ws.adj.transpose(), f, 1.0, Par::Seq);
        norm2(&ws.resid)
    }
}

impl MeasurementLoss for SensingProblem {
    /// `out = (1/m) Σ_i φ(r_i)(A_i + A_iᵀ) X` with `r = A(XXᵀ) − y`; returns `(1/m)‖r‖₁`.
    fn residual_step(
        &self,
        x: MatRef<'_, f64>,
        weight: ResidualWeight,
        out: MatMut<'_, f64>,
        ws: &mut SensingWorkspace,
    ) -> f64 {
        self.sym_residual(x, ws);
        let m = self.m as f64;
        // The residuals and A_i of the raw problem are the stored ones divided by c.
        let c = self.raw_scale;
        let l1 = (0..ws.resid.nrows())
            .map(|i| ws.resid[i].abs())
            .sum::<f64>()
            / (m * c);
        if weight == ResidualWeight::Sign {
            for i in 0..ws.resid.nrows() {
                // sign(0) = 0: the subgradient of |·| at 0 chosen as 0.
                ws.resid[i] = if ws.resid[i] > 0.0 {
                    1.0
                } else if ws.resid[i] < 0.0 {
                    -1.0
                } else {
                    0.0
                };
            }
        }
        // (A_i + A_iᵀ) = 2·sym(A_i); φ(r_raw)·A_raw = φ(r/c)·A/c.
        let scale = match weight {
            ResidualWeight::Sign => 2.0 / (m * c),
            ResidualWeight::Identity => 2.0 / (m * c * c),
        };
        self.weighted_adjoint_times(x, out, scale, ws);
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
            let mut ws = p.workspace(3);
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
        let mut ws = p.workspace(2);
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
