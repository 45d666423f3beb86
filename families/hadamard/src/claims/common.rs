//! What the HD claims share: the HD-1 instances (HD-2(a) and HD-3 use the same data),
//! parameter declarations and validation, case builders and small summaries.

use crate::case::{CaseSpec, HadamardCase, Instance, Method};
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result, Sampling, StopRule, Trace};
use ratebench_hadamard::{Generator, HadamardMetric, HadamardSpec};
use ratebench_hadamard_solvers::{BcdConfig, Momentum};
use ratebench_harness::case::Case;
use ratebench_harness::params::{Domain, Params};

/// The label under which the HD-1 instances are drawn: HD-2(a) and HD-3 run "HD-1's data"
/// (CLAIMS.md §3), so all three draw `SeedPath(base).with("HD-1").with("seed=s")`.
pub(crate) const HD1_DATA: &str = "HD-1";

/// `seeds`, `m`, `n`, `rank` (generating) and `r` (fit): the HD-1 instance parameters.
pub(crate) fn instance_params(p: Params) -> Params {
    p.int(
        "seeds",
        20,
        Domain::AtLeast(1.0),
        "data seeds (instances 0 … seeds−1; the catalogue judges over 20)",
    )
    .int("m", 100, Domain::AtLeast(1.0), "rows of X")
    .int("n", 100, Domain::AtLeast(1.0), "columns of X")
    .int(
        "rank",
        5,
        Domain::AtLeast(1.0),
        "inner rank of the generating factors A_kB_k (X = (A1B1)∘(A2B2))",
    )
    .int(
        "r",
        5,
        Domain::AtLeast(1.0),
        "rank r of the fitted factors (TSVD budget rank 2r)",
    )
}

/// The HD-1 instance spec, validated, and the fit rank (checked against `m × n`).
pub(crate) fn instance_spec(p: &Params, generator: Generator) -> Result<(HadamardSpec, usize)> {
    let spec = HadamardSpec {
        generator,
        m: p.usize("m"),
        n: p.usize("n"),
        rank: p.usize("rank"),
        factors: 2,
    };
    spec.validate()?;
    let r = p.usize("r");
    ratebench_hadamard::check_fit(spec.m, spec.n, 2, r)?;
    Ok((spec, r))
}

/// The data of seed `s` for `claim_data` (e.g. [`HD1_DATA`]).
pub(crate) fn instances(
    spec: &HadamardSpec,
    base_seed: u64,
    claim_data: &str,
    seeds: u64,
) -> Result<Vec<Instance>> {
    (0..seeds)
        .map(|s| {
            let label = format!("seed={s}");
            let path = SeedPath::new(base_seed).with(claim_data).with(&label);
            Instance::generate(spec, &path, &[claim_data, &label])
        })
        .collect()
}

/// The momentum constants with initial weight `beta0` (the others are the catalogue's).
/// `beta0 = 0` never extrapolates: the iterates are plain BCD's.
pub(crate) fn momentum(beta0: f64) -> Result<Momentum> {
    let m = Momentum {
        beta0,
        ..Momentum::default()
    };
    if !(0.0..=m.beta_bar0).contains(&beta0) {
        return Err(Error::invalid(
            "beta0",
            format!(
                "the initial extrapolation weight must be in [0, {}] (β̄₀), got {beta0}",
                m.beta_bar0
            ),
        ));
    }
    Ok(m)
}

/// The catalogue's BCD (exact block solve, scaled SVD init) with momentum `beta0`.
pub(crate) fn bcd_momentum(r: usize, beta0: f64) -> Result<BcdConfig> {
    Ok(BcdConfig {
        momentum: Some(momentum(beta0)?),
        ..BcdConfig::new(r)
    })
}

/// A claim case recording the relative error, initialization stream keyed by `init`.
pub(crate) fn case(
    label: String,
    instance: &Instance,
    method: Method,
    stop: StopRule,
    sampling: Sampling,
    rep: u64,
) -> Result<Box<dyn Case>> {
    let init_labels = vec![label.clone()];
    HadamardCase::boxed(CaseSpec {
        label,
        instance: instance.clone(),
        method,
        metrics: vec![HadamardMetric::RelErr],
        stop,
        sampling,
        rep,
        init_labels,
        images: None,
    })
}

/// The relative error of a trace at its last row (NaN if it has none).
pub(crate) fn final_err(t: &Trace) -> f64 {
    t.last("rel_err").unwrap_or(f64::NAN)
}

/// The fraction of `flags` that are true.
pub(crate) fn fraction(flags: &[bool]) -> f64 {
    flags.iter().filter(|f| **f).count() as f64 / flags.len().max(1) as f64
}

/// Median of a list (NaN when empty).
pub(crate) fn median_of(v: &[f64]) -> f64 {
    ratebench_harness::fit::median(&mut v.to_vec()).unwrap_or(f64::NAN)
}

/// `(min, max)` of a list.
pub(crate) fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        })
}

/// Per-iteration median over seeds of the relative error (traces sampled every iteration,
/// all of the same length `iters + 1`): the curve a claim figure shows for many seeds.
pub(crate) fn median_curve(traces: &[&Trace], iters: u64) -> Vec<(f64, f64)> {
    (0..=iters)
        .filter_map(|t| {
            let v: Vec<f64> = traces
                .iter()
                .filter_map(|tr| tr.value_at("rel_err", t))
                .collect();
            let med = median_of(&v);
            (med > 0.0 && med.is_finite()).then_some((t as f64, med))
        })
        .collect()
}
