//! What the SR claims share: the instances (SR-1…SR-3 share the implicit-regularization
//! setup, SR-7/SR-8 the Lasso instance), parameter declarations, case builders and small
//! summaries.
//!
//! Seeds: the data of claim label `C`, seed `s` come from `SeedPath(base).with(C)
//! .with("seed=s")` (streams `design`, `truth`, `noise`); DGD graphs from its stream `graph`.

use crate::case::{build, CaseSpec, Method, Problem};
use crate::metrics::Metric;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Result, Sampling, StopRule, Trace};
use ratebench_harness::case::Case;
use ratebench_harness::params::{Domain, Params};
use ratebench_sparse::{
    Convention, DesignKind, Lasso, NoiseKind, RegressionData, RegressionSpec, Regularization,
    TruthKind,
};
use std::sync::Arc;

/// SR-1 … SR-3 share one setup, hence one instance: all three draw their data under the
/// label `SR-1` (so SR-3's "centralized minimum" is SR-2's run on the same data).
pub(crate) const IMPLICIT_DATA: &str = "SR-1";
/// SR-7 and SR-8 use the same Lasso instance, drawn under `SR-7`.
pub(crate) const LASSO_DATA: &str = "SR-7";

/// The seed path of data seed `seed` under `label`.
pub(crate) fn data_path(base: u64, label: &str, seed: u64) -> SeedPath {
    SeedPath::new(base).with(label).with(format!("seed={seed}"))
}

/// A generated instance with the description recorded in result files.
pub(crate) struct Generated {
    pub data: RegressionData,
    pub spec: serde_json::Value,
}

pub(crate) fn generate(
    spec: &RegressionSpec,
    base: u64,
    label: &str,
    seed: u64,
) -> Result<Generated> {
    let data = spec.generate(&data_path(base, label, seed))?;
    Ok(Generated {
        data,
        spec: serde_json::json!({
            "generator": spec,
            "seed_path": [label, format!("seed={seed}")],
        }),
    })
}

/// `seed`, `n`, `d`, `sigma`, `eta`: the SR-1 … SR-3 instance and step.
pub(crate) fn implicit_params(p: Params) -> Params {
    p.int(
        "seed",
        0,
        Domain::AtLeast(0.0),
        "data seed (instance drawn under SR-1/seed=s)",
    )
    .int("n", 200, Domain::AtLeast(1.0), "samples n (Rademacher X)")
    .int("d", 2000, Domain::AtLeast(5.0), "features d")
    .float(
        "sigma",
        0.5,
        Domain::AtLeast(0.0),
        "noise standard deviation σ",
    )
    .float(
        "eta",
        1.0 / 320.0,
        Domain::Positive,
        "constant step η (catalogue: 1/(20 w_max) = 1/320 with the true w_max = 16)",
    )
}

/// The SR-1 … SR-3 instance: Rademacher X, w⋆ = (1, 2, 4, 8, 16, 0, …), σ.
pub(crate) fn implicit_instance(p: &Params, base: u64) -> Result<Generated> {
    let spec = RegressionSpec {
        n: p.usize("n"),
        p: p.usize("d"),
        noise: NoiseKind::Sigma {
            sigma: p.f64("sigma"),
        },
        ..RegressionSpec::implicit_regularization()
    };
    generate(&spec, base, IMPLICIT_DATA, p.u64("seed"))
}

/// `seed`, `n`, `d`, `k`, `sigma`, `fraction`: the SR-7/SR-8 Lasso instance.
pub(crate) fn lasso_params(p: Params) -> Params {
    p.int(
        "seed",
        0,
        Domain::AtLeast(0.0),
        "data seed (instance drawn under SR-7/seed=s)",
    )
    .int("n", 200, Domain::AtLeast(1.0), "samples n (Gaussian X)")
    .int("d", 1000, Domain::AtLeast(1.0), "features d")
    .int(
        "k",
        10,
        Domain::AtLeast(1.0),
        "nonzeros of w⋆ (random signs, magnitudes 1 + U[0,1])",
    )
    .float(
        "sigma",
        0.5,
        Domain::AtLeast(0.0),
        "noise standard deviation σ",
    )
    .float(
        "fraction",
        0.1,
        Domain::Positive,
        "λ/λ_max (λ_max = ‖Xᵀy‖∞, plain convention ½‖y − Xw‖² + λ‖w‖₁)",
    )
}

/// The SR-7/SR-8 Lasso (plain convention).
pub(crate) fn lasso_instance(p: &Params, base: u64) -> Result<(Arc<Lasso>, serde_json::Value)> {
    let spec = RegressionSpec {
        n: p.usize("n"),
        p: p.usize("d"),
        design: DesignKind::Gaussian,
        truth: TruthKind::RandomSigns {
            k: p.usize("k"),
            stride: 1,
        },
        noise: NoiseKind::Sigma {
            sigma: p.f64("sigma"),
        },
        ..RegressionSpec::lasso_sr7()
    };
    let g = generate(&spec, base, LASSO_DATA, p.u64("seed"))?;
    let lasso = Lasso::new(
        g.data,
        Regularization::Fraction {
            fraction: p.f64("fraction"),
        },
        Convention::Plain,
    )?;
    Ok((Arc::new(lasso), g.spec))
}

/// A claim case: the initialization stream keyed by the case label.
#[allow(clippy::too_many_arguments)]
pub(crate) fn case(
    label: &str,
    problem: Problem,
    instance: &serde_json::Value,
    method: Method,
    metrics: Vec<Metric>,
    stop: StopRule,
    f_star: Option<f64>,
    oracle: bool,
) -> Result<Box<dyn Case>> {
    build(CaseSpec {
        label: label.to_string(),
        problem,
        instance: instance.clone(),
        method,
        metrics,
        stop,
        sampling: Sampling::Every(1),
        rep: 0,
        init_labels: vec![label.to_string()],
        f_star,
        oracle,
    })
}

/// Median of a list (NaN when empty; NaNs sort last).
pub(crate) fn median_of(v: &[f64]) -> f64 {
    ratebench_harness::fit::median(&mut v.to_vec()).unwrap_or(f64::NAN)
}

/// `(t, value)` of a trace's metric as floats.
pub(crate) fn points(t: &Trace, metric: &str) -> Vec<(f64, f64)> {
    t.series(metric)
        .into_iter()
        .map(|(i, v)| (i as f64, v))
        .collect()
}

/// `(argmin t, min)` of a trace's metric over `t ≥ 1` (NaN values ignored).
pub(crate) fn argmin(t: &Trace, metric: &str) -> (u64, f64) {
    t.series(metric)
        .into_iter()
        .filter(|(i, v)| *i >= 1 && !v.is_nan())
        .fold(
            (0, f64::INFINITY),
            |(bi, bv), (i, v)| {
                if v < bv {
                    (i, v)
                } else {
                    (bi, bv)
                }
            },
        )
}

/// The metric's value at iteration `t` exactly (NaN if not sampled).
pub(crate) fn at(t: &Trace, metric: &str, iter: u64) -> f64 {
    t.series(metric)
        .into_iter()
        .find(|(i, _)| *i == iter)
        .map_or(f64::NAN, |(_, v)| v)
}

/// Reference values apply at the catalogue's defaults only.
pub(crate) fn reference_if(at_defaults: bool, v: f64) -> Option<f64> {
    at_defaults.then_some(v)
}
