//! What the OT claims share: the random-assignment instances (n = 200, C iid U[0, hi],
//! r = c = 1/n), case builders and small summaries.

use crate::case::{boxed, CaseSpec, Instance, Method, SnsParams};
use ratebench_core::rng::SeedPath;
use ratebench_core::{Result, Sampling, StopRule, Trace};
use ratebench_harness::case::Case;
use ratebench_harness::params::{Domain, Params};
use ratebench_ot::{InstanceSpec, OtMetric, OtSpec};

/// OT-3 judges "the OT-2 run": both draw `SeedPath(base).with("OT-2").with("seed=s")`.
pub(crate) const OT2_DATA: &str = "OT-2";

/// The marginal error's name in traces.
pub(crate) const ERR: &str = "marginal_err";

/// `n` (and `seeds` when `seeds_default` is given).
pub(crate) fn instance_params(p: Params, seeds_default: Option<i64>) -> Params {
    let p = p.int(
        "n",
        200,
        Domain::AtLeast(2.0),
        "histogram size n (C is n × n, C_ij iid U[0, 1], r = c = 1/n)",
    );
    match seeds_default {
        Some(s) => p.int(
            "seeds",
            s,
            Domain::AtLeast(1.0),
            "data seeds (instances 0 … seeds−1)",
        ),
        None => p,
    }
}

/// The instance of data seed `seed` of `claim_data`: `n × n`, C iid U[0, hi], at `eta`.
pub(crate) fn instance(
    n: usize,
    hi: f64,
    eta: f64,
    base_seed: u64,
    claim_data: &str,
    seed: u64,
) -> Result<Instance> {
    let spec = OtSpec::new(InstanceSpec::RandomCost { n, m: None, hi }, eta);
    let label = format!("seed={seed}");
    let path = SeedPath::new(base_seed).with(claim_data).with(&label);
    Instance::generate(&spec, &path, &[claim_data, &label])
}

/// A claim case recording the marginal error (and, with `all`, its terms and the dual value).
pub(crate) fn case(
    label: String,
    instance: &Instance,
    method: Method,
    stop: StopRule,
    sampling: Sampling,
    rep: u64,
) -> Result<Box<dyn Case>> {
    boxed(CaseSpec {
        init_labels: vec![label.clone()],
        label,
        instance: instance.clone(),
        method,
        metrics: vec![OtMetric::MarginalErr, OtMetric::RowErr, OtMetric::ColErr],
        stop,
        sampling,
        rep,
    })
}

/// SNS parameters of OT-2/OT-3: N1, λ·n and the catalogue's CG and line-search constants.
pub(crate) fn sns(n1: usize, lambda_n: f64) -> Method {
    Method::Sns(SnsParams {
        sinkhorn_steps: n1,
        lambda_n,
        ..SnsParams::default()
    })
}

/// The marginal error of a trace at its last row (NaN if it has none).
pub(crate) fn final_err(t: &Trace) -> f64 {
    t.last(ERR).unwrap_or(f64::NAN)
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

/// The positive points of a series, as `(x, e)` for a log-y figure.
pub(crate) fn positive(points: impl IntoIterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    points
        .into_iter()
        .filter(|(_, e)| *e > 0.0 && e.is_finite())
        .collect()
}

/// The marginal error against the iteration.
pub(crate) fn err_curve(t: &Trace) -> Vec<(f64, f64)> {
    positive(t.series(ERR).into_iter().map(|(i, e)| (i as f64, e)))
}

/// The marginal error against cumulative work (row/column updates).
pub(crate) fn err_vs_work(t: &Trace) -> Vec<(f64, f64)> {
    let k = t.metric_index(ERR);
    positive(
        t.rows
            .iter()
            .filter_map(|r| k.map(|k| (r.work as f64, r.values[k]))),
    )
}
