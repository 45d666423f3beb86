//! The entropic regularization, given as ε or as η = 1/ε.

use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The regularization strength. The catalogue's convention (CLAIMS.md §4) is `η = 1/ε`
/// (larger η = weaker regularization); ratebench stores and records **η** (result files and
/// canonical specs say `eta`), and accepts either form on input.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regularization {
    /// `η = 1/ε`.
    Eta(f64),
    /// `ε = 1/η`.
    Epsilon(f64),
}

impl Regularization {
    /// From the optional `eta` / `epsilon` fields of a spec: exactly one must be given.
    pub fn from_fields(eta: Option<f64>, epsilon: Option<f64>) -> Result<Self> {
        let reg = match (eta, epsilon) {
            (Some(e), None) => Regularization::Eta(e),
            (None, Some(e)) => Regularization::Epsilon(e),
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "eta",
                    "both eta and epsilon are given; give one of them (eta = 1/epsilon)",
                ))
            }
            (None, None) => {
                return Err(Error::invalid(
                    "eta",
                    "no regularization given; set eta (= 1/epsilon, e.g. eta = 100) or epsilon",
                ))
            }
        };
        reg.validate()?;
        Ok(reg)
    }

    /// Checks that the value is finite and > 0, naming the parameter as it was given.
    pub fn validate(self) -> Result<()> {
        let (param, value) = match self {
            Regularization::Eta(v) => ("eta", v),
            Regularization::Epsilon(v) => ("epsilon", v),
        };
        if value.is_finite() && value > 0.0 && (1.0 / value).is_finite() {
            Ok(())
        } else {
            Err(Error::invalid(
                param,
                format!(
                    "must be a finite number > 0 (eta = 1/epsilon; larger eta = weaker regularization), got {value}"
                ),
            ))
        }
    }

    /// `η` (the canonical form).
    pub fn eta(self) -> f64 {
        match self {
            Regularization::Eta(v) => v,
            Regularization::Epsilon(v) => 1.0 / v,
        }
    }

    /// `ε = 1/η`.
    pub fn epsilon(self) -> f64 {
        match self {
            Regularization::Eta(v) => 1.0 / v,
            Regularization::Epsilon(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_agree_and_bad_values_name_the_parameter() {
        assert_eq!(Regularization::Epsilon(0.01).eta(), 100.0);
        assert_eq!(Regularization::Eta(200.0).epsilon(), 0.005);
        for (eta, eps, param) in [
            (Some(0.0), None, "invalid eta:"),
            (Some(-1.0), None, "invalid eta:"),
            (None, Some(-0.5), "invalid epsilon:"),
            (None, Some(f64::NAN), "invalid epsilon:"),
            (Some(1.0), Some(1.0), "invalid eta: both"),
            (None, None, "invalid eta: no regularization"),
        ] {
            let e = Regularization::from_fields(eta, eps)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(param), "{e}");
            assert!(!e.contains('\n'));
        }
    }
}
