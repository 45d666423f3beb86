//! Seeded generators of `M⋆` (CLAIMS.md §1 and conventions 3).

use crate::LowRankProblem;
use faer::Mat;
use ratebench_core::error::check;
use ratebench_core::rng::{gaussian_mat, rademacher_mat, Rng};
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The random matrix whose orthonormal basis gives `U⋆`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// iid N(0,1) entries (the reference prototype).
    #[default]
    Gaussian,
    /// iid ±1 entries (ScaledGD's `MS.m`).
    Rademacher,
}

/// Parameters of a generated instance `M⋆ = V diag(λ) Vᵀ`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LowRankSpec {
    /// Dimension of `M⋆` (`n × n`).
    pub n: usize,
    /// Rank `r⋆` (ignored when `spectrum` is given).
    pub r: usize,
    /// Condition number: `σ = linspace(1, 1/κ, r)` (ignored when `spectrum` is given).
    pub kappa: f64,
    /// Explicit signed eigenvalues, e.g. `[1, 0.5, -0.2, …]` for an indefinite `M`.
    pub spectrum: Option<Vec<f64>>,
    /// Random matrix type for the basis.
    pub basis: Basis,
}

impl Default for LowRankSpec {
    fn default() -> Self {
        Self {
            n: 20,
            r: 3,
            kappa: 10.0,
            spectrum: None,
            basis: Basis::Gaussian,
        }
    }
}

impl LowRankSpec {
    /// The eigenvalues this spec prescribes.
    pub fn eigenvalues(&self) -> Vec<f64> {
        match &self.spectrum {
            Some(s) => s.clone(),
            None if self.r == 1 => vec![1.0],
            None => (0..self.r)
                .map(|i| 1.0 + (1.0 / self.kappa - 1.0) * i as f64 / (self.r - 1) as f64)
                .collect(),
        }
    }

    /// Checks every parameter; errors name the parameter and the valid range.
    pub fn validate(&self) -> Result<()> {
        check::in_range("n", self.n, 1, usize::MAX)?;
        // M⋆, its eigenbasis and the metric buffers: four n × n matrices.
        let n = self.n as u64;
        ratebench_core::memory::check(
            "n",
            &format!(
                "an n = {} instance (M⋆, its eigenbasis and buffers: 4·n² doubles)",
                self.n
            ),
            ratebench_core::memory::f64s(n.saturating_mul(n).saturating_mul(4)),
        )?;
        match &self.spectrum {
            Some(s) => {
                if s.is_empty() || s.len() > self.n {
                    return Err(Error::invalid(
                        "spectrum",
                        format!("needs between 1 and n = {} values, got {}", self.n, s.len()),
                    ));
                }
                if let Some(v) = s.iter().find(|v| !v.is_finite()) {
                    return Err(Error::invalid(
                        "spectrum",
                        format!("values must be finite, got {v}"),
                    ));
                }
            }
            None => {
                if self.r > self.n {
                    return Err(Error::invalid(
                        "r",
                        format!("rank r = {} exceeds n = {}; choose r <= n", self.r, self.n),
                    ));
                }
                check::in_range("r", self.r, 1, self.n)?;
                check::at_least("kappa", self.kappa, 1.0)?;
            }
        }
        Ok(())
    }

    /// A compact label such as `n=20,r=3,kappa=100`.
    pub fn label(&self) -> String {
        match &self.spectrum {
            Some(s) => format!("n={},spectrum={:?}", self.n, s),
            None => format!("n={},r={},kappa={}", self.n, self.r, self.kappa),
        }
    }
}

impl LowRankProblem {
    /// Draws `V` as the orthogonal factor of an `n × n` random matrix whose first `r` columns
    /// are the `n × r` matrix of the spec's basis type (so `U⋆ = V[:, :r]` is exactly the
    /// orthonormal basis of that matrix), then sets `M⋆ = V diag(λ) Vᵀ`.
    pub fn generate(spec: &LowRankSpec, rng: &mut Rng) -> Result<Self> {
        spec.validate()?;
        let n = spec.n;
        let lambda = spec.eigenvalues();
        let r = lambda.len();
        let head = match spec.basis {
            Basis::Gaussian => gaussian_mat(rng, n, r),
            Basis::Rademacher => rademacher_mat(rng, n, r),
        };
        let tail = gaussian_mat(rng, n, n - r);
        let mut full = Mat::<f64>::zeros(n, n);
        full.as_mut().get_mut(.., ..r).copy_from(&head);
        full.as_mut().get_mut(.., r..).copy_from(&tail);
        let v = full.qr().compute_Q();
        let mut values = vec![0.0; n];
        values[..r].copy_from_slice(&lambda);
        let mut problem = LowRankProblem {
            target: Mat::zeros(n, n),
            left: v.clone(),
            right: v,
            values,
            symmetric: true,
            target_norm: 0.0,
            target_sq_norm: 0.0,
            label: spec.label(),
        };
        let mut m = problem.reconstruct(|_, v| v);
        // Symmetrize exactly: rounding in the rank-one sums is not symmetric.
        for j in 0..n {
            for i in 0..j {
                let s = 0.5 * (m[(i, j)] + m[(j, i)]);
                m[(i, j)] = s;
                m[(j, i)] = s;
            }
        }
        problem.set_target(m);
        Ok(problem)
    }

    pub(crate) fn set_target(&mut self, m: Mat<f64>) {
        self.target_sq_norm = m.squared_norm_l2();
        self.target_norm = self.target_sq_norm.sqrt();
        self.target = m;
    }

    pub(crate) fn target_sq_norm(&self) -> f64 {
        self.target_sq_norm
    }

    /// Builds a problem from a given matrix (e.g. loaded data), computing its thin SVD.
    pub fn from_matrix(m: Mat<f64>, label: impl Into<String>) -> Result<Self> {
        if m.nrows() == 0 || m.ncols() == 0 {
            return Err(Error::invalid(
                "matrix",
                "must have at least one row and one column",
            ));
        }
        if let Some((i, j)) = first_non_finite(&m) {
            return Err(Error::invalid(
                "matrix",
                format!(
                    "entry ({i}, {j}) is {}; clean the data (no NaN/Inf)",
                    m[(i, j)]
                ),
            ));
        }
        let svd = m
            .thin_svd()
            .map_err(|e| Error::numerical("thin SVD of the data", format!("{e:?}")))?;
        let values: Vec<f64> = (0..svd.S().column_vector().nrows())
            .map(|i| svd.S().column_vector()[i])
            .collect();
        let symmetric = m.nrows() == m.ncols() && is_symmetric(&m);
        let mut problem = LowRankProblem {
            target: Mat::zeros(0, 0),
            left: svd.U().to_owned(),
            right: svd.V().to_owned(),
            values,
            symmetric,
            target_norm: 0.0,
            target_sq_norm: 0.0,
            label: label.into(),
        };
        problem.set_target(m);
        Ok(problem)
    }
}

fn first_non_finite(m: &Mat<f64>) -> Option<(usize, usize)> {
    (0..m.ncols())
        .flat_map(|j| (0..m.nrows()).map(move |i| (i, j)))
        .find(|&ij| !m[ij].is_finite())
}

fn is_symmetric(m: &Mat<f64>) -> bool {
    (0..m.ncols()).all(|j| (0..j).all(|i| m[(i, j)] == m[(j, i)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;

    fn rng() -> Rng {
        SeedPath::new(3).stream("data")
    }

    #[test]
    fn spectrum_is_linspace_and_realized() {
        let spec = LowRankSpec {
            n: 30,
            r: 4,
            kappa: 1000.0,
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut rng()).unwrap();
        let want = [1.0, 1.0 - 0.999 / 3.0, 1.0 - 2.0 * 0.999 / 3.0, 1e-3];
        let mut eig = p
            .target()
            .self_adjoint_eigenvalues(faer::Side::Lower)
            .unwrap();
        eig.sort_by(|a, b| b.total_cmp(a));
        for (i, w) in want.iter().enumerate() {
            assert!((eig[i] - w).abs() < 1e-13, "eig {i}: {} vs {w}", eig[i]);
        }
        assert!(eig[4..].iter().all(|v| v.abs() < 1e-13));
    }

    #[test]
    fn indefinite_spectrum_and_parts() {
        let mut s = vec![1.0, 0.5];
        s.extend(std::iter::repeat_n(-0.2, 8));
        let spec = LowRankSpec {
            n: 10,
            spectrum: Some(s),
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut rng()).unwrap();
        assert_eq!(p.positive_rank(), 2);
        let plus = p.positive_part();
        let mut eig = plus.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
        eig.sort_by(|a, b| b.total_cmp(a));
        assert!(
            (eig[0] - 1.0).abs() < 1e-13 && (eig[1] - 0.5).abs() < 1e-13 && eig[2].abs() < 1e-13
        );
    }

    #[test]
    fn basis_is_orthonormal_basis_of_head() {
        let spec = LowRankSpec {
            n: 12,
            r: 3,
            basis: Basis::Rademacher,
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut rng()).unwrap();
        let vtv = p.left.transpose() * &p.left;
        let err = (&vtv - Mat::<f64>::identity(12, 12)).norm_max();
        assert!(err < 1e-14, "{err}");
        // Same seed: bit-identical instance.
        let q = LowRankProblem::generate(&spec, &mut rng()).unwrap();
        assert!(p.target == q.target);
    }

    #[test]
    fn best_rank_and_tail() {
        let spec = LowRankSpec {
            n: 20,
            spectrum: Some(vec![1.0, 0.5, 0.25]),
            ..Default::default()
        };
        let p = LowRankProblem::generate(&spec, &mut rng()).unwrap();
        let m1 = p.best_rank(1);
        let diff = (&p.target - &m1).norm_l2();
        assert!((diff - p.tail_norm(1)).abs() < 1e-14);
        assert!((p.tail_norm(1) - (0.25f64 + 0.0625).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn invalid_specs_name_the_parameter() {
        let bad = [
            (
                LowRankSpec {
                    kappa: 0.5,
                    ..Default::default()
                },
                "kappa",
            ),
            (
                LowRankSpec {
                    r: 30,
                    n: 20,
                    ..Default::default()
                },
                "r",
            ),
            (
                LowRankSpec {
                    r: 0,
                    ..Default::default()
                },
                "r",
            ),
            (
                LowRankSpec {
                    n: 0,
                    ..Default::default()
                },
                "n",
            ),
            (
                LowRankSpec {
                    kappa: f64::NAN,
                    ..Default::default()
                },
                "kappa",
            ),
        ];
        for (spec, param) in bad {
            let e = spec.validate().unwrap_err();
            assert!(
                e.to_string().starts_with(&format!("invalid {param}:")),
                "{e}"
            );
        }
    }

    #[test]
    fn from_matrix_rejects_nan_and_computes_svd() {
        let mut m = Mat::<f64>::from_fn(5, 4, |i, j| (i + 2 * j) as f64);
        let p = LowRankProblem::from_matrix(m.clone(), "t").unwrap();
        let rec = p.best_rank(4);
        assert!((&rec - &m).norm_max() < 1e-12);
        m[(1, 2)] = f64::NAN;
        let e = LowRankProblem::from_matrix(m, "t").unwrap_err().to_string();
        assert!(e.contains("(1, 2)") && e.contains("NaN"), "{e}");
    }
}
