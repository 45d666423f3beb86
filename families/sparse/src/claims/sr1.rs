//! SR-1 (Vaškevičius, Kanade, Rebeschini): implicit-regularization GD fits the signal
//! coordinates one at a time, at times ∝ log(1/α)/(ηw⋆_i).

use super::common::{case, implicit_instance, implicit_params, median_of, points, reference_if};
use crate::case::{Method, Problem};
use crate::metrics::Metric;
use ratebench_core::{Error, Result, StopRule, Trace};
use ratebench_harness::claims::{
    dashed, line, log_figure, thin, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::{Figure, Measurement, Series, SeriesStyle};
use std::sync::Arc;

/// Pass bound on the median over coordinates of `|t_i/pred_i − 1|`.
const MEDIAN_DEV: f64 = 0.25;
/// Relative tolerance of `t_i(α₂)/t_i(α₁)` around `ln α₂/ln α₁` (= [1.8, 2.2] at the
/// catalogue's α₂ = α₁²).
const RATIO_TOL: f64 = 0.10;
/// Signal coordinates of the setup (w⋆ = 1, 2, 4, 8, 16).
const K: usize = 5;

pub fn sr1() -> Claim {
    Claim {
        id: "SR-1",
        title: "Implicit-regularization GD fits coordinates one at a time (timing law)",
        source: "Vaškevičius, Kanade, Rebeschini — Implicit regularization for optimal sparse recovery (NeurIPS 2019); T ≍ log(1/α)/(ηζ)",
        statement: "GD on w = u∘u − v∘v from u₀ = v₀ = α1 (Rademacher X, n = 200, d = 2000, w⋆ = (1, 2, 4, 8, 16, 0, …), \
                    σ = 0.5, η = 1/320) fits coordinate i at t_i (first t with |w_i − w⋆_i| < w⋆_i/2) ≈ \
                    pred_i = log(w⋆_i/α²)/(8ηw⋆_i): the median over the five coordinates of |t_i/pred_i − 1| is ≤ 0.25 \
                    at α = 1e-6 and 1e-12, and t_i(1e-12)/t_i(1e-6) ∈ [1.8, 2.2] (= ln α₂/ln α₁ ± 10 %) for every i.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("alphas", "[0.03, 0.0009]")],
            reason: "α = 0.03 is not small: the early phase is no longer the linear regime w_i ≈ α²exp(8ηw⋆_i t), \
                     so halving the exponent (α → α²) no longer doubles the hit times (ratio ≈ 1.4 on the w⋆ = 1 coordinate)",
            fails: "worst t_i(α₂)/t_i(α₁)",
        }),
    }
}

fn defaults() -> Params {
    implicit_params(Params::new())
        .floats(
            "alphas",
            &[1e-6, 1e-12],
            Domain::Positive,
            "initialization scales α (exactly two; the ratio compares the second with the first)",
        )
        .int(
            "iters",
            8000,
            Domain::AtLeast(1.0),
            "horizon T (runs stop once every coordinate was fitted)",
        )
}

/// `pred_i = log(w⋆_i/α²)/(8ηw⋆_i)`.
fn predicted(truth: &[f64], alpha: f64, eta: f64) -> Vec<f64> {
    truth
        .iter()
        .map(|w| (w / (alpha * alpha)).ln() / (8.0 * eta * w))
        .collect()
}

/// First `t` at which `rel_dev_i < 1/2`, per coordinate (NaN if never).
fn hit_times(t: &Trace) -> Vec<f64> {
    (0..K)
        .map(|i| ratebench_harness::fit::hit_or_nan(&t.series(Metric::CoordDev(i).name()), 0.5))
        .collect()
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let alphas = p.sweep_f64s("alphas")?;
    if alphas.len() != 2 {
        return Err(Error::invalid(
            "alphas",
            format!(
                "needs exactly two initialization scales [α₁, α₂] (the ratio criterion compares them), got {}",
                alphas.len()
            ),
        ));
    }
    if let Some(a) = alphas.iter().find(|a| **a >= 1.0) {
        return Err(Error::invalid(
            "alphas",
            format!("α must be < 1 (log(1/α) > 0), got {a}"),
        ));
    }
    let eta = p.f64("eta");
    let inst = implicit_instance(p, ctx.base_seed)?;
    let truth: Vec<f64> = inst
        .data
        .truth()
        .map(|t| t[..K].to_vec())
        .unwrap_or_default();
    let data = Arc::new(inst.data);
    let mut metrics = vec![Metric::EstErr, Metric::Unfit];
    metrics.extend((0..K).map(Metric::CoordDev));
    let cases = alphas
        .iter()
        .map(|&alpha| {
            case(
                &format!("alpha={alpha:e}"),
                Problem::Regression(data.clone()),
                &inst.spec,
                Method::ImplicitGd {
                    alpha,
                    eta,
                    rate: None,
                },
                metrics.clone(),
                StopRule::max_iter(p.u64("iters")).with_target("unfit", 0.5),
                None,
                false,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let traces = ctx.run(cases)?;
    let at_defaults = p.at_defaults(defaults, &[]);
    let mut m = Vec::new();
    let mut times = Vec::new();
    for (trace, &alpha) in traces.iter().zip(&alphas) {
        let t = hit_times(trace);
        let pred = predicted(&truth, alpha, eta);
        let dev: Vec<f64> = t
            .iter()
            .zip(&pred)
            .map(|(a, b)| (a / b - 1.0).abs())
            .collect();
        // A coordinate never fitted makes the median undefined: +∞, which fails.
        let med = if dev.iter().any(|d| d.is_nan()) {
            f64::INFINITY
        } else {
            median_of(&dev)
        };
        m.push(
            Measurement::check(
                format!("median_i |t_i/pred_i − 1| at α = {alpha:e}"),
                med,
                format!("≤ {MEDIAN_DEV}"),
                med <= MEDIAN_DEV,
            )
            .with_maybe_reference(reference_if(
                at_defaults && alpha == 1e-12,
                median_of(&[
                    (1891.0f64 / 2210.0 - 1.0).abs(),
                    (1224.0f64 / 1119.0 - 1.0).abs(),
                    (643.0f64 / 566.0 - 1.0).abs(),
                    (300.0f64 / 287.0 - 1.0).abs(),
                    (162.0f64 / 145.0 - 1.0).abs(),
                ]),
            )),
        );
        for (i, (ti, pi)) in t.iter().zip(&pred).enumerate() {
            m.push(Measurement::report(
                format!("t_{i} (w⋆ = {}) at α = {alpha:e} (pred {pi:.0})", truth[i]),
                *ti,
            ));
        }
        times.push(t);
    }
    let want = alphas[1].ln() / alphas[0].ln();
    let ratios: Vec<f64> = times[1].iter().zip(&times[0]).map(|(a, b)| a / b).collect();
    // The ratio farthest from the prediction (NaN, hence failing, if a hit is missing).
    let worst = if ratios.iter().any(|r| r.is_nan()) {
        f64::NAN
    } else {
        ratios
            .iter()
            .copied()
            .max_by(|a, b| (a / want - 1.0).abs().total_cmp(&(b / want - 1.0).abs()))
            .unwrap_or(f64::NAN)
    };
    let (lo, hi) = (want * (1.0 - RATIO_TOL), want * (1.0 + RATIO_TOL));
    m.push(
        Measurement::check(
            "worst t_i(α₂)/t_i(α₁) over the five coordinates",
            worst,
            format!(
                "∈ [{lo:.3}, {hi:.3}] (ln α₂/ln α₁ = {want:.3} ± {:.0} %)",
                RATIO_TOL * 100.0
            ),
            (lo..=hi).contains(&worst),
        )
        .with_maybe_reference(reference_if(at_defaults, 1891.0 / 941.0)),
    );
    let msg = format!(
        "t(α₂)/t(α₁) per coordinate: {}",
        ratios
            .iter()
            .map(|r| format!("{r:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ClaimOutput::new(m, figure(&traces, &alphas, &truth, eta)).with_message(msg))
}

fn figure(traces: &[Trace], alphas: &[f64], truth: &[f64], eta: f64) -> Figure {
    let mut series = Vec::new();
    // α₂ (the smaller scale, the catalogue's reference run): every coordinate's deviation.
    let (trace, alpha) = (&traces[1], alphas[1]);
    for (i, w) in truth.iter().enumerate().take(K) {
        let pts = points(trace, Metric::CoordDev(i).name())
            .into_iter()
            .filter(|(_, v)| *v > 0.0 && v.is_finite())
            .collect();
        series.push(line(
            format!("|w_{i} − w⋆_{i}|/w⋆_{i}, w⋆ = {w} (α = {alpha:e})"),
            thin(pts, 300),
        ));
    }
    series.push(Series {
        label: "predicted t_i = log(w⋆_i/α²)/(8ηw⋆_i)".into(),
        style: SeriesStyle::Points,
        points: predicted(truth, alpha, eta)
            .into_iter()
            .map(|t| (t, 0.5))
            .collect(),
    });
    series.push(dashed(
        "fitted: deviation 1/2",
        vec![(0.0, 0.5), (trace.iters as f64, 0.5)],
    ));
    log_figure(
        "SR-1: implicit-regularization GD fits the coordinates one at a time",
        "iteration t",
        "relative deviation |w_i − w⋆_i|/w⋆_i",
        series,
    )
}
