//! # ratebench-family-factored
//!
//! The factored-methods family: low-rank matrix factorization and matrix sensing bound to
//! the harness. It holds the claims LR-1 … LR-11 and MS-1 … MS-7 (`claims/`, one module per
//! paper, named by claim ids), the [`case::FactoredCase`] that runs a factored method
//! (GD, ScaledGD(λ), PrecGD, SubGM, …) on either problem, the `[factored]` suite section
//! ([`suite::FactoredSection`]), the metric catalogue ([`metrics`]) and the `lowrank` /
//! `sensing` exporters ([`export`]).
//!
//! ```
//! use ratebench_family_factored::FactoredFamily;
//! use ratebench_harness::family::Family;
//! let family = FactoredFamily;
//! let ids: Vec<&str> = family.claims().iter().map(|c| c.id).collect();
//! assert_eq!(ids[0], "LR-1");
//! assert!(family.metrics().iter().any(|m| m.name == "rel_err"));
//! // Every judged claim registers a negative control.
//! assert!(family.claims().iter().all(|c| c.control.is_some() || c.id == "MS-2"));
//! ```

pub mod case;
mod claims;
pub mod export;
pub mod metrics;
pub mod suite;

use ratebench_core::Result;
use ratebench_harness::claims::Claim;
use ratebench_harness::family::{AlgorithmInfo, Exporter, Family, SuiteEnv, SuitePart};
use ratebench_harness::results::MetricInfo;

/// The factorization + sensing family.
pub struct FactoredFamily;

const ITERATION: &str = "iteration";

impl Family for FactoredFamily {
    fn name(&self) -> &'static str {
        case::FAMILY
    }

    fn description(&self) -> &'static str {
        "low-rank matrix factorization and matrix sensing with factored gradient methods (LR-1 … LR-11, MS-1 … MS-7)"
    }

    fn claims(&self) -> Vec<Claim> {
        claims::claims()
    }

    fn algorithms(&self) -> Vec<AlgorithmInfo> {
        let a = |name, description| AlgorithmInfo {
            name,
            description,
            work_unit: ITERATION,
        };
        vec![
            a("gd", "gradient descent on a symmetric factor, X ← X − η∇f(X)"),
            a("gd-asym", "simultaneous gradient descent on F and G (M ≈ FGᵀ)"),
            a("gd-asym-rebalanced", "asymmetric GD with one rebalancing step F ← F(FᵀF)^{−1/2}, G ← G(FᵀF)^{1/2} (Xiong, Ding, Du; LR-4)"),
            a("scaledgd", "ScaledGD: X ← X − η∇f(X)(XᵀX)⁻¹, spectral start (Tong, Ma, Chi)"),
            a("scaledgd-lambda", "ScaledGD(λ): X ← X − η∇f(X)(XᵀX + λI)⁻¹ (Xu, Shen, Chi, Ma)"),
            a("precgd", "PrecGD: ScaledGD with damping λ_t = c·‖A(XXᵀ) − y‖ ∝ √f(X)"),
            a("subgm", "SubGM: U ← U − η₀ρᵗ(1/m)Σ sign(r_i)(A_i + A_iᵀ)U, ℓ₁ loss (Ma, Fattahi)"),
            a("l2-gd", "ℓ₂-GD comparator: U ← U − η(1/m)Σ r_i A_i U (Ma, Fattahi)"),
        ]
    }

    fn metrics(&self) -> Vec<MetricInfo> {
        metrics::catalogue()
    }

    fn suite_description(&self, suite: &str) -> String {
        suite::describe(suite)
    }

    fn suite(
        &self,
        name: &str,
        overrides: Option<&toml::Table>,
        env: &SuiteEnv<'_>,
    ) -> Result<SuitePart> {
        let base = suite::builtin(name)?;
        let mut section: suite::FactoredSection =
            ratebench_harness::family::apply_section(case::FAMILY, &base, overrides)?;
        if let Some(s) = env.seeds {
            section.seeds = s;
        }
        let user_real = overrides.is_some_and(|t| t.contains_key("real_data"));
        section.part(env, &format!("suite:{name}"), user_real)
    }

    fn exporters(&self) -> Vec<Exporter> {
        export::exporters()
    }
}
