//! Instance parameters and the noise models.

use faer::Col;
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result};
use ratebench_lowrank::{Basis, LowRankSpec};
use serde::{Deserialize, Serialize};

/// The measurement matrices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Symmetric `A_i = (G_i + G_iᵀ)/2`.
    #[default]
    Goe,
    /// Asymmetric `A_i` with iid N(0, 1/m) entries (no further scaling).
    Gaussian,
}

/// Measurement noise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Noise {
    #[default]
    None,
    /// `ξ_i ~ N(0, σ²)`.
    Gaussian { sigma: f64 },
    /// Each `y_i` independently with probability `p` gets `+ scale·max|y|·N(0,1)`.
    Outliers { p: f64, scale: f64 },
}

impl Noise {
    /// Checks `σ ≥ 0` and `p ∈ [0, 1)`.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Noise::None => Ok(()),
            Noise::Gaussian { sigma } => check::at_least("sigma", sigma, 0.0),
            Noise::Outliers { p, scale } => {
                if !(p.is_finite() && (0.0..1.0).contains(&p)) {
                    return Err(Error::invalid(
                        "p",
                        format!("outlier fraction must be in [0, 1), got {p}"),
                    ));
                }
                check::at_least("outlier scale", scale, 0.0)
            }
        }
    }

    /// Adds the noise to clean measurements. Two draws per measurement (a uniform and a
    /// normal) whatever `p`, so instances with different `p` share their random numbers.
    pub fn apply(&self, mut y: Col<f64>, rng: &mut Rng) -> Col<f64> {
        use rand::Rng as _;
        let m = y.nrows();
        match *self {
            Noise::None => {}
            Noise::Gaussian { sigma } => {
                for i in 0..m {
                    y[i] += sigma * crate::normal(rng);
                }
            }
            Noise::Outliers { p, scale } => {
                let max = (0..m).fold(0.0f64, |a, i| a.max(y[i].abs()));
                for i in 0..m {
                    let u: f64 = rng.random();
                    let z = crate::normal(rng);
                    if u < p {
                        y[i] += scale * max * z;
                    }
                }
            }
        }
        y
    }
}

/// Parameters of a generated sensing instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SensingSpec {
    /// `M⋆` is `n × n`.
    pub n: usize,
    /// Rank `r⋆` (ignored when `spectrum` is given).
    pub r: usize,
    /// `σ = linspace(1, 1/κ, r)` (ignored when `spectrum` is given).
    pub kappa: f64,
    /// Explicit eigenvalues of `M⋆`.
    pub spectrum: Option<Vec<f64>>,
    /// Number of measurements.
    pub m: usize,
    pub design: Design,
    /// `A(Z)_i = ⟨A_i, Z⟩/√m` when true, `⟨A_i, Z⟩` when false (GOE only).
    pub normalized: bool,
    pub noise: Noise,
    pub basis: Basis,
}

impl Default for SensingSpec {
    fn default() -> Self {
        Self {
            n: 10,
            r: 2,
            kappa: 10.0,
            spectrum: None,
            m: 1000,
            design: Design::Goe,
            normalized: true,
            noise: Noise::None,
            basis: Basis::Gaussian,
        }
    }
}

impl SensingSpec {
    /// The ground-truth spec.
    pub fn lowrank(&self) -> LowRankSpec {
        LowRankSpec {
            n: self.n,
            r: self.r,
            kappa: self.kappa,
            spectrum: self.spectrum.clone(),
            basis: self.basis,
        }
    }

    /// Columns of the stored operator.
    pub fn operator_cols(&self) -> usize {
        match self.design {
            Design::Goe => self.n * (self.n + 1) / 2,
            Design::Gaussian => self.n * self.n,
        }
    }

    /// Bytes of the stored operator.
    pub fn operator_bytes(&self) -> u64 {
        (self.m as u64)
            .saturating_mul(self.operator_cols() as u64)
            .saturating_mul(8)
    }

    /// Checks every parameter, including the memory limit (`ratebench_core::memory`) before
    /// anything is allocated.
    pub fn validate(&self) -> Result<()> {
        self.lowrank().validate()?;
        if self.m < 1 {
            return Err(Error::invalid("m", "needs at least 1 measurement, got 0"));
        }
        self.noise.validate()?;
        // The operator plus the ground truth's n × n matrices.
        let bytes = self
            .operator_bytes()
            .saturating_add(ratebench_core::memory::f64s(4 * (self.n as u64).pow(2)));
        let what = format!(
            "the operator (m·{} = {}·{} doubles)",
            match self.design {
                Design::Goe => "n(n+1)/2",
                Design::Gaussian => "n²",
            },
            self.m,
            self.operator_cols()
        );
        ratebench_core::memory::check("m", &what, bytes)?;
        Ok(())
    }

    /// A compact label for result files.
    pub fn label(&self) -> String {
        format!(
            "{},m={},{:?},normalized={},noise={:?}",
            self.lowrank().label(),
            self.m,
            self.design,
            self.normalized,
            self.noise
        )
    }
}
