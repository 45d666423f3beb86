//! Ang–Gillis extrapolation parameters (CLAIMS.md §3, `beta_mometum` in the authors' code).

use ratebench_core::error::check;
use ratebench_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The momentum rule's constants; [`Momentum::default`] is the catalogue's
/// (`β₀ = 0.5, β̄₀ = 1, γ = 1.05, γ̄ = 1.01, ν = 1.5`; `ν` is `eta` in the authors' code).
///
/// After each block update `B ← B_new + β(B_new − B_prev)`. After the outer iteration, if
/// the error decreased: `β ← min(β̄, γβ)`, `β̄ ← min(1, γ̄β̄)`; otherwise `β̄ ← β`,
/// `β ← β/ν` and the iteration is undone (see [`crate::Bcd`] for which undo).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Momentum {
    /// Initial extrapolation weight β₀.
    pub beta0: f64,
    /// Initial cap β̄₀ on β.
    pub beta_bar0: f64,
    /// Growth γ of β after a decrease.
    pub gamma: f64,
    /// Growth γ̄ of the cap after a decrease.
    pub gamma_bar: f64,
    /// Shrink factor ν of β after an increase.
    pub nu: f64,
}

impl Default for Momentum {
    fn default() -> Self {
        Self {
            beta0: 0.5,
            beta_bar0: 1.0,
            gamma: 1.05,
            gamma_bar: 1.01,
            nu: 1.5,
        }
    }
}

impl Momentum {
    /// Checks the constants: `0 ≤ β₀ ≤ β̄₀ ≤ 1`, `γ, γ̄ ≥ 1`, `ν > 1`.
    pub fn validate(&self) -> Result<()> {
        check::at_least("momentum.beta0", self.beta0, 0.0)?;
        check::positive("momentum.beta_bar0", self.beta_bar0)?;
        if self.beta_bar0 > 1.0 || self.beta0 > self.beta_bar0 {
            return Err(Error::invalid(
                "momentum",
                format!(
                    "need 0 <= beta0 <= beta_bar0 <= 1, got beta0 = {}, beta_bar0 = {}",
                    self.beta0, self.beta_bar0
                ),
            ));
        }
        check::at_least("momentum.gamma", self.gamma, 1.0)?;
        check::at_least("momentum.gamma_bar", self.gamma_bar, 1.0)?;
        if !(self.nu.is_finite() && self.nu > 1.0) {
            return Err(Error::invalid(
                "momentum.nu",
                format!(
                    "must be a finite number > 1 (β shrinks by it), got {}",
                    self.nu
                ),
            ));
        }
        Ok(())
    }
}

/// The evolving `(β, β̄)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MomentumState {
    pub beta: f64,
    pub beta_bar: f64,
}

impl MomentumState {
    pub fn new(m: &Momentum) -> Self {
        Self {
            beta: m.beta0,
            beta_bar: m.beta_bar0,
        }
    }

    /// The error decreased.
    pub fn accept(&mut self, m: &Momentum) {
        self.beta = self.beta_bar.min(m.gamma * self.beta);
        self.beta_bar = (m.gamma_bar * self.beta_bar).min(1.0);
    }

    /// The error did not decrease.
    pub fn reject(&mut self, m: &Momentum) {
        self.beta_bar = self.beta;
        self.beta /= m.nu;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_follows_beta_mometum() {
        let m = Momentum::default();
        let mut s = MomentumState::new(&m);
        s.accept(&m);
        assert_eq!((s.beta, s.beta_bar), (0.525, 1.0));
        s.reject(&m);
        assert_eq!((s.beta, s.beta_bar), (0.525 / 1.5, 0.525));
        s.accept(&m);
        assert_eq!(s.beta, (1.05 * (0.525f64 / 1.5)).min(0.525));
        assert!((s.beta_bar - 0.525 * 1.01).abs() < 1e-16);
        for _ in 0..200 {
            s.accept(&m);
        }
        assert_eq!((s.beta, s.beta_bar), (1.0, 1.0));
    }

    #[test]
    fn bad_constants_are_named() {
        let d = Momentum::default();
        for (bad, param) in [
            (Momentum { nu: 1.0, ..d }, "momentum.nu"),
            (Momentum { gamma: 0.9, ..d }, "momentum.gamma"),
            (Momentum { beta0: 1.5, ..d }, "momentum"),
            (Momentum { beta0: -0.1, ..d }, "momentum.beta0"),
        ] {
            let e = bad.validate().unwrap_err().to_string();
            assert!(e.starts_with(&format!("invalid {param}:")), "{e}");
        }
        assert!(d.validate().is_ok());
    }
}
