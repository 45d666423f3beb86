//! SCAD and MCP penalized least squares (Yang, Asgharian, Bhatnagar), in the split
//! `p_λ = λ|·| + q_λ` whose smooth concave part `q_λ` is folded into the smooth term:
//!
//! `F(β) = (1/2N)‖y − Xβ‖² + Σ_j p_λ(β_j) = f(β) + λ‖β‖₁`, `f(β) = (1/2N)‖y − Xβ‖² + Σ_j q_λ(β_j)`.

use crate::data::RegressionData;
use crate::design::PowerIteration;
use crate::kernels::sq_norm;
use crate::ls::LsWorkspace;
use faer::Par;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// A folded-concave penalty.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Penalty {
    /// SCAD (Fan & Li), `a > 2` (3.7 in the catalogue).
    Scad { a: f64 },
    /// MCP (Zhang), `γ > 0` (3 in the catalogue; the package default is 2).
    Mcp { gamma: f64 },
}

impl Penalty {
    /// SCAD with a = 3.7.
    pub const SCAD: Penalty = Penalty::Scad { a: 3.7 };

    /// Checks `a > 2` / `γ > 0`.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Penalty::Scad { a } if !(a.is_finite() && a > 2.0) => Err(Error::invalid(
                "a",
                format!("SCAD needs a > 2 (3.7 is standard), got {a}"),
            )),
            Penalty::Mcp { gamma } => check::positive("gamma", gamma),
            _ => Ok(()),
        }
    }

    /// `p_λ(x)`.
    pub fn value(&self, x: f64, lambda: f64) -> f64 {
        let t = x.abs();
        match *self {
            Penalty::Scad { a } => {
                if t <= lambda {
                    lambda * t
                } else if t < a * lambda {
                    (2.0 * a * lambda * t - t * t - lambda * lambda) / (2.0 * (a - 1.0))
                } else {
                    lambda * lambda * (a + 1.0) / 2.0
                }
            }
            Penalty::Mcp { gamma } => {
                if t <= gamma * lambda {
                    lambda * t - t * t / (2.0 * gamma)
                } else {
                    0.5 * gamma * lambda * lambda
                }
            }
        }
    }

    /// The concave part `q_λ(x) = p_λ(x) − λ|x|`.
    pub fn concave(&self, x: f64, lambda: f64) -> f64 {
        self.value(x, lambda) - lambda * x.abs()
    }

    /// `q′_λ(x)` as catalogued: SCAD `0` for `|x| ≤ λ`, `(λ sgn x − x)/(a−1)` for
    /// `|x| < aλ`, `−λ sgn x` beyond; MCP `−x/γ` for `|x| < γλ`, `−λ sgn x` beyond.
    pub fn concave_derivative(&self, x: f64, lambda: f64) -> f64 {
        let (t, sgn) = (
            x.abs(),
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            },
        );
        match *self {
            Penalty::Scad { a } => {
                if t <= lambda {
                    0.0
                } else if t < a * lambda {
                    (lambda * sgn - x) / (a - 1.0)
                } else {
                    -lambda * sgn
                }
            }
            Penalty::Mcp { gamma } => {
                if t < gamma * lambda {
                    -x / gamma
                } else {
                    -lambda * sgn
                }
            }
        }
    }

    /// The curvature bound of `q_λ` added to the smooth part's Lipschitz constant:
    /// `1/(a−1)` (SCAD) or `1/γ` (MCP).
    pub fn concavity(&self) -> f64 {
        match *self {
            Penalty::Scad { a } => 1.0 / (a - 1.0),
            Penalty::Mcp { gamma } => 1.0 / gamma,
        }
    }

    /// `"scad"` or `"mcp"`.
    pub fn name(&self) -> &'static str {
        match self {
            Penalty::Scad { .. } => "scad",
            Penalty::Mcp { .. } => "mcp",
        }
    }
}

/// `(1/2N)‖y − Xβ‖² + Σ_j p_λ(β_j)`.
#[derive(Clone, Debug)]
pub struct PenalizedLs {
    data: RegressionData,
    penalty: Penalty,
    lambda: f64,
}

impl PenalizedLs {
    /// Checks `λ > 0` and the penalty's parameter.
    pub fn new(data: RegressionData, penalty: Penalty, lambda: f64) -> Result<Self> {
        penalty.validate()?;
        check::positive("lambda", lambda)?;
        Ok(Self {
            data,
            penalty,
            lambda,
        })
    }

    pub fn data(&self) -> &RegressionData {
        &self.data
    }

    pub fn penalty(&self) -> Penalty {
        self.penalty
    }

    /// `λ` (the ℓ₁ weight that goes into the prox).
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// `F(β)` (not timed; allocates).
    pub fn objective(&self, beta: &[f64]) -> f64 {
        let n = self.data.n();
        let mut r = vec![0.0; n];
        self.data.x().matvec(beta, &mut r, Par::Seq);
        r.iter_mut()
            .zip(self.data.y())
            .for_each(|(ri, yi)| *ri = yi - *ri);
        let pen: f64 = beta
            .iter()
            .map(|&b| self.penalty.value(b, self.lambda))
            .sum();
        sq_norm(&r) / (2.0 * n as f64) + pen
    }

    /// A gradient workspace for this problem (allocate in `init`).
    pub fn workspace(&self) -> LsWorkspace {
        LsWorkspace::new(self.data.x(), true)
    }

    /// `∇f(β) = (1/N)Xᵀ(Xβ − y) + q′_λ(β)` into `grad` (one pass over X when `ws` is fused,
    /// see [`LsWorkspace`]); no allocation.
    pub fn smooth_gradient(&self, beta: &[f64], ws: &mut LsWorkspace, grad: &mut [f64], par: Par) {
        ws.gradient(self.data.x(), self.data.y(), beta, grad, par);
        let inv_n = 1.0 / self.data.n() as f64;
        for (g, &b) in grad.iter_mut().zip(beta) {
            *g = *g * inv_n + self.penalty.concave_derivative(b, self.lambda);
        }
    }

    /// `f(β)` (not timed).
    pub fn smooth_value(&self, beta: &[f64]) -> f64 {
        let l1: f64 = beta.iter().map(|b| b.abs()).sum();
        self.objective(beta) - self.lambda * l1
    }

    /// Yang et al.'s `L = max(λ_max(XᵀX)/N, 1/(a−1))` (SCAD) or `max(·, 1/γ)` (MCP), with
    /// `λ_max(XᵀX)` by power iteration; also returns `λ_max(XᵀX)/N`.
    pub fn lipschitz(&self, opts: PowerIteration, rng: &mut Rng, par: Par) -> (f64, f64) {
        let (l, _) = self.data.x().spectral_norm_sq(opts, rng, par);
        let convex = l / self.data.n() as f64;
        (convex.max(self.penalty.concavity()), convex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::RegressionSpec;
    use ratebench_core::rng::SeedPath;

    const PENALTIES: [Penalty; 3] = [
        Penalty::SCAD,
        Penalty::Mcp { gamma: 3.0 },
        Penalty::Mcp { gamma: 1.5 },
    ];

    #[test]
    fn concave_derivative_matches_the_definition_by_finite_differences() {
        let lambda = 0.7;
        for pen in PENALTIES {
            for k in -60..=60 {
                let x = k as f64 * 0.05 + 0.013; // avoid the kinks exactly
                let h = 1e-6;
                let fd = (pen.concave(x + h, lambda) - pen.concave(x - h, lambda)) / (2.0 * h);
                let q = pen.concave_derivative(x, lambda);
                assert!((fd - q).abs() < 1e-6, "{pen:?} at {x}: fd {fd} vs q′ {q}");
                // p = λ|x| + q, and q is concave with curvature ≥ −concavity().
                assert!(
                    (pen.value(x, lambda) - lambda * x.abs() - pen.concave(x, lambda)).abs()
                        < 1e-15
                );
                let second = (pen.concave(x + 1e-3, lambda) - 2.0 * pen.concave(x, lambda)
                    + pen.concave(x - 1e-3, lambda))
                    / 1e-6;
                assert!(
                    second <= 1e-6 && second >= -pen.concavity() - 1e-3,
                    "{pen:?} at {x}: {second}"
                );
            }
        }
    }

    #[test]
    fn smooth_gradient_matches_finite_differences() {
        let data = RegressionSpec::nonconvex_speed(60, 0.5, 2)
            .generate(&SeedPath::new(2))
            .unwrap();
        let p = data.p();
        for pen in PENALTIES {
            let prob = PenalizedLs::new(data.clone(), pen, 0.2).unwrap();
            let beta: Vec<f64> = (0..p)
                .map(|j| 0.05 + ((j * 37) % 11) as f64 * 0.07 - 0.3)
                .collect();
            let (mut ws, mut g) = (prob.workspace(), vec![0.0; p]);
            prob.smooth_gradient(&beta, &mut ws, &mut g, Par::Seq);
            for j in [0, 3, 17, p - 1] {
                let h = 1e-6;
                let (mut a, mut b) = (beta.clone(), beta.clone());
                a[j] += h;
                b[j] -= h;
                let fd = (prob.smooth_value(&a) - prob.smooth_value(&b)) / (2.0 * h);
                assert!(
                    (fd - g[j]).abs() < 1e-5 * (1.0 + g[j].abs()),
                    "{pen:?} j={j}: {fd} vs {}",
                    g[j]
                );
            }
        }
    }

    #[test]
    fn bad_penalty_parameters_are_refused() {
        let data = RegressionSpec::nonconvex_speed(20, 0.5, 2)
            .generate(&SeedPath::new(2))
            .unwrap();
        let e = PenalizedLs::new(data.clone(), Penalty::Scad { a: 2.0 }, 0.2)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid a:"), "{e}");
        let e = PenalizedLs::new(data.clone(), Penalty::Mcp { gamma: 0.0 }, 0.2)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid gamma:"), "{e}");
        let e = PenalizedLs::new(data, Penalty::SCAD, 0.0)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid lambda:"), "{e}");
    }
}
