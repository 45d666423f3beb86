//! Low-rank factorization claims LR-1 … LR-11 (CLAIMS.md §1).

mod jin;
mod mohammadi;
mod xiong;
mod xu;

use super::Claim;
use crate::lowrank::{Instance, LowRankCase, Method};
use ratebench_core::{Result, Sampling, StopRule};
use ratebench_lowrank::{InitSpec, LowRankMetric, LowRankSpec};

/// All LR claims in catalogue order.
pub fn claims() -> Vec<Claim> {
    let mut v = vec![xu::lr1()];
    v.extend(xiong::claims());
    v.extend(jin::claims());
    v.extend(mohammadi::claims());
    v
}

/// A case with the common defaults: every iteration sampled, divergence above 1e3
/// (ScaledGD's `MS.m` convention) on the primary metric.
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
) -> LowRankCase {
    let stop = stop.with_divergence(primary.name(), 1e3);
    LowRankCase {
        case: label,
        instance: instance.clone(),
        method,
        k,
        init,
        metrics,
        primary,
        stop,
        sampling: Sampling::Every(1),
        rep: 0,
    }
}

/// A generated instance for a claim (data stream keyed by claim id and spec).
pub(crate) fn instance(spec: LowRankSpec, seed: u64, claim: &str) -> Result<Instance> {
    Instance::generate(&spec, seed, claim, 0)
}

/// `|a − b| / |b|`.
pub(crate) fn rel_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// `max/min` of positive values (NaN if any is missing).
pub(crate) fn spread(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    if v.iter().any(|x| x.is_nan()) || v.is_empty() {
        f64::NAN
    } else {
        max / min
    }
}
