//! # ratebench-sensing
//!
//! Matrix sensing `y = A(M⋆) + ξ` (CLAIMS.md §2 and conventions 2):
//!
//! * [`Design::Goe`]: `A_i = (G_i + G_iᵀ)/2`, `A(Z)_i = ⟨A_i, Z⟩·c` with `c = 1/√m`
//!   (normalized, so `E‖A(Z)‖² = ‖Z‖_F²`) or `c = 1` (Ma & Fattahi's unnormalized ℓ₁ setup);
//! * [`Design::Gaussian`]: asymmetric `A_i` with iid N(0, 1/m) entries (ScaledGD's `MS.m`);
//! * noise: none, Gaussian `ξ_i ~ N(0, σ²)`, or a fraction `p` of gross outliers
//!   `+ 10·max|y|·N(0,1)`.
//!
//! The operator is stored once as a dense `m × n(n+1)/2` matrix (GOE: packed upper triangle,
//! off-diagonal weights folded in) or `m × n²` (Gaussian), so `A(Z)` and `A*(v)` are each one
//! matrix–vector product. The ground truth is a [`ratebench_lowrank::LowRankProblem`], so every
//! factorization metric applies unchanged.
//!
//! ```
//! use ratebench_core::rng::SeedPath;
//! use ratebench_sensing::{SensingProblem, SensingSpec};
//! let spec = SensingSpec { n: 6, r: 2, m: 400, ..SensingSpec::default() };
//! let p = SensingProblem::generate(&spec, &SeedPath::new(0)).unwrap();
//! // Noiseless: the residual at the truth is zero.
//! let truth = p.truth().target().to_owned();
//! let r = p.measure(truth.as_ref());
//! assert!(r.iter().zip(p.y()).all(|(a, b)| (a - b).abs() < 1e-12));
//! ```

mod kernel;
mod load;
mod loss;
mod operator;
mod spec;

pub use operator::Operator;
pub use spec::{Design, Noise, SensingSpec};

use faer::{Col, Mat, MatRef};
use rand_distr::{Distribution, StandardNormal};
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result};
use ratebench_lowrank::LowRankProblem;

/// A sensing instance: the operator, the measurements and the ground truth.
#[derive(Clone, Debug)]
pub struct SensingProblem {
    operator: Operator,
    y: Col<f64>,
    truth: LowRankProblem,
    /// `1/m` for the ℓ₁ loss normalization.
    m: usize,
    /// `c` with stored operator and measurements = `c` × the raw `A_i`, `y_i` (the
    /// convention of a NumPy user: `y_i = ⟨A_i, M⟩`). `1/√m` for normalized designs.
    raw_scale: f64,
    rip_diagnostic: f64,
}

impl SensingProblem {
    /// Generates `M⋆` (stream "data"), the operator ("operator") and the noise ("noise")
    /// under `path`.
    pub fn generate(spec: &SensingSpec, path: &SeedPath) -> Result<Self> {
        spec.validate()?;
        let truth = LowRankProblem::generate(&spec.lowrank(), &mut path.stream("data"))?;
        let operator = Operator::generate(spec, &mut path.stream("operator"))?;
        let clean = operator.apply_dense(truth.target());
        let y = spec.noise.apply(clean, &mut path.stream("noise"));
        let raw_scale = if spec.normalized || spec.design == Design::Gaussian {
            1.0 / (spec.m as f64).sqrt()
        } else {
            1.0
        };
        Self::from_parts(operator, y, truth, raw_scale)
    }

    /// Assembles an instance from its parts (e.g. loaded from `.npz`), checking shapes.
    /// `raw_scale` is `c` in stored = `c`·raw (see [`SensingProblem::raw_scale`]).
    pub fn from_parts(
        operator: Operator,
        y: Col<f64>,
        truth: LowRankProblem,
        raw_scale: f64,
    ) -> Result<Self> {
        let m = operator.nrows();
        if y.nrows() != m {
            return Err(Error::invalid(
                "y",
                format!(
                    "has length {}, but the operator has m = {m} rows",
                    y.nrows()
                ),
            ));
        }
        let (n1, n2) = truth.shape();
        if operator.shape() != (n1, n2) {
            return Err(Error::invalid(
                "operator",
                format!(
                    "acts on {:?} matrices but M⋆ is {n1}×{n2}",
                    operator.shape()
                ),
            ));
        }
        if let Some(i) = (0..m).find(|&i| !y[i].is_finite()) {
            return Err(Error::invalid(
                "y",
                format!("entry {i} is {}; measurements must be finite", y[i]),
            ));
        }
        // Loaded truths come with an SVD whose trailing values are round-off, not rank.
        let spectrum = truth.spectrum();
        let top = spectrum.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        let sigma_min = spectrum
            .iter()
            .map(|v| v.abs())
            .filter(|v| *v > 1e-12 * top)
            .fold(f64::INFINITY, f64::min);
        let rip_diagnostic = (n1 as f64 / m as f64).sqrt() * truth.target_norm() / sigma_min;
        Ok(Self {
            operator,
            y,
            truth,
            m,
            raw_scale,
            rip_diagnostic,
        })
    }

    /// The ground truth (metrics are computed against it).
    pub fn truth(&self) -> &LowRankProblem {
        &self.truth
    }

    /// The measurements.
    pub fn y(&self) -> &[f64] {
        self.y.try_as_col_major().expect("contiguous").as_slice()
    }

    /// The operator.
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// Number of measurements.
    pub fn m(&self) -> usize {
        self.m
    }

    /// `c` with stored = `c`·raw: the raw operator is `A_i = stored/c` and `y_i = ⟨A_i, M⋆⟩`
    /// (+ noise). GD and ScaledGD minimize `¼‖stored(XXᵀ) − y‖²`, i.e.
    /// `c²/4·Σ(⟨A_i, XXᵀ⟩ − y_i)²` (= `1/(4m)·Σ…` for normalized designs); SubGM and ℓ₂-GD
    /// use the raw `A_i` in `(1/m)Σ φ(r_i)(A_i + A_iᵀ)U`.
    pub fn raw_scale(&self) -> f64 {
        self.raw_scale
    }

    /// `√(n/m)‖M⋆‖_F/σ_min`: small-init methods need this ≪ 1 (CLAIMS.md conventions 2).
    pub fn rip_diagnostic(&self) -> f64 {
        self.rip_diagnostic
    }

    /// `A(Z)` for a dense `Z` (allocates; for metrics and setup, not for iterations).
    pub fn measure(&self, z: MatRef<'_, f64>) -> Vec<f64> {
        let v = self.operator.apply_dense(z);
        (0..v.nrows()).map(|i| v[i]).collect()
    }

    /// `A*(y)`, the matrix whose top eigenpairs give the spectral initialization.
    pub fn adjoint_of_y(&self) -> Mat<f64> {
        self.operator.adjoint_dense(self.y.as_ref())
    }
}

/// Draws one standard normal (shared by the operator and noise generators).
fn normal(rng: &mut ratebench_core::rng::Rng) -> f64 {
    StandardNormal.sample(rng)
}
