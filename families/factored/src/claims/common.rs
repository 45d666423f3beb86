//! What every LR and MS claim module shares: case and instance builders, spectra.

use crate::case::{CaseSpec, FactoredCase, Instance, Method};
use ratebench_core::{Result, Sampling, StopRule};
use ratebench_harness::case::Case;
use ratebench_lowrank::{InitSpec, LowRankMetric, LowRankSpec};
use ratebench_sensing::SensingSpec;

/// A claim case with the common defaults: every iteration sampled, divergence above 1e3
/// (ScaledGD's `MS.m` convention) on the primary metric, initialization seed `rep`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn case(
    label: String,
    instance: &Instance,
    method: Method,
    k: usize,
    init: InitSpec,
    metrics: Vec<LowRankMetric>,
    primary: LowRankMetric,
    stop: StopRule,
) -> CaseSpec {
    CaseSpec {
        label,
        instance: instance.clone(),
        method,
        k,
        init,
        metrics,
        primary,
        stop: stop.with_divergence(primary.name(), 1e3),
        sampling: Sampling::Every(1),
        rep: 0,
    }
}

/// The case with initialization seed `rep` (the data seed is the instance's).
pub(crate) fn seeded(mut c: CaseSpec, rep: u64) -> CaseSpec {
    c.rep = rep;
    c
}

/// Builds the cases (validating each).
pub(crate) fn build(specs: Vec<CaseSpec>) -> Result<Vec<Box<dyn Case>>> {
    specs.into_iter().map(FactoredCase::boxed).collect()
}

/// A generated factorization instance for a claim (data stream keyed by claim id and spec).
pub(crate) fn instance(spec: LowRankSpec, seed: u64, claim: &str) -> Result<Instance> {
    Instance::generate(&spec, seed, claim, 0)
}

/// A sensing instance for a claim; `data_seed` seeds `M⋆`, the operator and the noise.
pub(crate) fn sensing_instance(
    spec: SensingSpec,
    base_seed: u64,
    claim: &str,
    data_seed: u64,
) -> Result<Instance> {
    Instance::generate_sensing(&spec, base_seed, claim, data_seed)
}

/// `(σ_min, σ₁)` of the instance's ground truth (by magnitude).
pub(crate) fn extreme_eigs(inst: &Instance) -> (f64, f64) {
    let s = inst.truth().spectrum();
    let min = s.iter().fold(f64::INFINITY, |a, v| a.min(v.abs()));
    let max = s.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    (min, max)
}

/// The catalogue's κ spectrum `σ = linspace(1, 1/κ, r)`, followed by `n − r` eigenvalues
/// `−lambda2` when `lambda2 > 0` (an indefinite `M⋆`, the negative controls of the 1/T
/// laws). With `lambda2 = 0` the spec is the plain κ spec, so the instance is unchanged.
pub(crate) fn kappa_spec(n: usize, r: usize, kappa: f64, lambda2: f64) -> LowRankSpec {
    let base = LowRankSpec {
        n,
        r,
        kappa,
        ..Default::default()
    };
    if lambda2 <= 0.0 {
        return base;
    }
    let mut spectrum = base.eigenvalues();
    spectrum.extend(std::iter::repeat_n(-lambda2, n.saturating_sub(r)));
    LowRankSpec {
        spectrum: Some(spectrum),
        ..base
    }
}
