//! SR-5 and SR-6 (Beck & Teboulle) on Nesterov's worst-case quadratic: the O(1/k) and
//! O(1/k²) bounds of ISTA and FISTA hold at every k (SR-5), and FISTA's log–log exponent
//! is twice ISTA's (SR-6).

use super::common::points;
use crate::case::{build, CaseSpec, Method, Problem};
use crate::metrics::Metric;
use ratebench_core::{Result, Sampling, StopRule, Trace};
use ratebench_harness::claims::{
    dashed, line, log_figure, thin, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::fit::loglog_slope;
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::{Figure, Measurement};
use ratebench_sparse::NesterovQuadratic;
use std::sync::Arc;

/// SR-6: bounds on slope_FISTA/slope_ISTA.
const RATIO_LO: f64 = 1.8;
const RATIO_HI: f64 = 2.2;
/// SR-6's windows `[k₁, k₂]` as fractions of K = 2000: [50, 500], [100, 1000], [200, 2000].
const WINDOWS: [(f64, f64); 3] = [(0.025, 0.25), (0.05, 0.5), (0.1, 1.0)];

pub fn sr5() -> Claim {
    Claim {
        id: "SR-5",
        title: "ISTA and FISTA satisfy the Beck–Teboulle bounds",
        source: "Beck & Teboulle — A fast iterative shrinkage-thresholding algorithm (SIAM J. Imaging Sci. 2009), Theorems 3.1 and 4.4",
        statement: "On Nesterov's worst-case quadratic (L = 4, d = 2·10⁴, x₀ = 0, step 1/L, K = 2000): \
                    f(x_k) − f⋆ ≤ L‖x₀ − x⋆‖²/(2k) for ISTA and ≤ 2L‖x₀ − x⋆‖²/(k+1)² for FISTA at every k.",
        quick: true,
        defaults: defaults5,
        run: run5,
        control: Some(NegativeControl {
            set: &[("fista_momentum", "0"), ("iters", "20000")],
            reason: "without momentum the 'FISTA' arm is ISTA, whose excess decays like k^{-1/2} here (d ≫ k): \
                     by k = 2·10⁴ it exceeds FISTA's 2L‖x₀ − x⋆‖²/(k+1)² bound",
            fails: "FISTA arm: max_k",
        }),
    }
}

pub fn sr6() -> Claim {
    Claim {
        id: "SR-6",
        title: "FISTA's rate exponent is twice ISTA's",
        source: "Beck & Teboulle — A fast iterative shrinkage-thresholding algorithm (SIAM J. Imaging Sci. 2009)",
        statement: "On Nesterov's worst-case quadratic (L = 4, d = 2·10⁴, x₀ = 0, step 1/L, K = 2000), the log–log slope of \
                    f(x_k) − f⋆ against k is twice as steep for FISTA as for ISTA: slope_FISTA/slope_ISTA ∈ [1.8, 2.2] over \
                    k ∈ [50, 500], [100, 1000] and [200, 2000] (the exponents themselves are halved because d ≫ k).",
        quick: true,
        defaults: defaults6,
        run: run6,
        control: Some(NegativeControl {
            set: &[("mu", "0.001")],
            reason: "μ = 1e-3 makes the quadratic strongly convex (κ ≈ 4000): both methods turn linear, the log–log \
                     slopes steepen unequally and their ratio leaves [1.8, 2.2] (≈ 3.9 on [50, 500])",
            fails: "slope ratio",
        }),
    }
}

fn common(p: Params) -> Params {
    p.int("d", 20_000, Domain::AtLeast(2.0), "dimension d")
        .float("l", 4.0, Domain::Positive, "smoothness L")
        .float(
            "mu",
            0.0,
            Domain::AtLeast(0.0),
            "ridge μ ≥ 0 added to the quadratic (0: the catalogue's; > 0 strongly convex)",
        )
        .int(
            "iters",
            2000,
            Domain::AtLeast(10.0),
            "iterations K (step 1/(L + μ), from x₀ = 0)",
        )
}

fn defaults5() -> Params {
    common(Params::new()).int(
        "fista_momentum",
        1,
        Domain::AtLeast(0.0),
        "1: the FISTA arm is FISTA; 0: the FISTA arm runs without momentum, i.e. ISTA (negative control)",
    )
}

fn defaults6() -> Params {
    common(Params::new())
}

/// The two runs: ISTA and the FISTA arm, sampled every iteration.
fn runs(
    p: &Params,
    ctx: &mut ClaimCtx,
    momentum: bool,
) -> Result<(Arc<NesterovQuadratic>, Vec<Trace>)> {
    let q = Arc::new(NesterovQuadratic::new(
        p.usize("d"),
        p.f64("l"),
        p.f64("mu"),
    )?);
    let instance = serde_json::json!({
        "generator": "nesterov_worst_case_quadratic",
        "d": p.usize("d"), "L": p.f64("l"), "mu": p.f64("mu"), "x0": "0",
    });
    let arms = [
        ("ista", Method::Ista { step_mult: 1.0 }),
        (
            "fista-arm",
            if momentum {
                Method::Fista { step_mult: 1.0 }
            } else {
                Method::Ista { step_mult: 1.0 }
            },
        ),
    ];
    let cases = arms
        .into_iter()
        .map(|(label, method)| {
            build(CaseSpec {
                label: label.to_string(),
                problem: Problem::Quadratic(q.clone()),
                instance: instance.clone(),
                method,
                metrics: vec![Metric::Excess],
                stop: StopRule::max_iter(p.u64("iters")),
                sampling: Sampling::Every(1),
                rep: 0,
                init_labels: vec![label.to_string()],
                f_star: None,
                oracle: false,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let traces = ctx.run(cases)?;
    Ok((q, traces))
}

fn r0(q: &NesterovQuadratic) -> f64 {
    q.x_star().iter().map(|v| v * v).sum()
}

fn run5(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let momentum = p.usize("fista_momentum") == 1;
    let (q, traces) = runs(p, ctx, momentum)?;
    let (l, r0) = (q.smoothness(), r0(&q));
    let ista_bound = |k: f64| l * r0 / (2.0 * k);
    let fista_bound = |k: f64| 2.0 * l * r0 / ((k + 1.0) * (k + 1.0));
    let worst = |t: &Trace, bound: &dyn Fn(f64) -> f64| {
        t.series("excess")
            .into_iter()
            .filter(|(k, _)| *k >= 1)
            .map(|(k, e)| e / bound(k as f64))
            .fold(0.0f64, |a, b| if b.is_nan() { f64::NAN } else { a.max(b) })
    };
    let (wi, wf) = (
        worst(&traces[0], &ista_bound),
        worst(&traces[1], &fista_bound),
    );
    let m = vec![
        Measurement::check(
            "ISTA: max_k (f(x_k) − f⋆) / (L‖x₀ − x⋆‖²/(2k))",
            wi,
            "≤ 1 (the bound holds at every k)",
            wi <= 1.0,
        ),
        Measurement::check(
            "FISTA arm: max_k (f(x_k) − f⋆) / (2L‖x₀ − x⋆‖²/(k+1)²)",
            wf,
            "≤ 1 (the bound holds at every k)",
            wf <= 1.0,
        ),
        Measurement::report("‖x₀ − x⋆‖²", r0),
    ];
    let k = p.u64("iters") as f64;
    let grid: Vec<(f64, f64)> = (0..=200)
        .map(|i| 10f64.powf(k.log10() * i as f64 / 200.0))
        .map(|x| (x, 0.0))
        .collect();
    let fista_name = if momentum {
        "FISTA"
    } else {
        "FISTA arm without momentum (= ISTA)"
    };
    let mut fig = log_figure(
        "SR-5: Beck–Teboulle bounds on Nesterov's worst-case quadratic",
        "iteration k",
        "f(x_k) − f⋆",
        vec![
            line("ISTA", thin(pos(points(&traces[0], "excess")), 300)),
            line(fista_name, thin(pos(points(&traces[1], "excess")), 300)),
            dashed(
                "ISTA bound L‖x₀ − x⋆‖²/(2k)",
                grid.iter().map(|(x, _)| (*x, ista_bound(*x))).collect(),
            ),
            dashed(
                "FISTA bound 2L‖x₀ − x⋆‖²/(k+1)²",
                grid.iter().map(|(x, _)| (*x, fista_bound(*x))).collect(),
            ),
        ],
    );
    fig.log_x = true;
    Ok(ClaimOutput::new(m, fig))
}

fn pos(v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.into_iter()
        .filter(|(k, e)| *k >= 1.0 && *e > 0.0 && e.is_finite())
        .collect()
}

/// Log–log slope of the excess over `k ∈ [lo, hi]` (NaN if impossible).
fn slope(t: &Trace, lo: u64, hi: u64) -> f64 {
    let (k, e): (Vec<f64>, Vec<f64>) = t
        .series("excess")
        .into_iter()
        .filter(|(i, _)| *i >= lo && *i <= hi)
        .map(|(i, v)| (i as f64, v))
        .unzip();
    loglog_slope(&k, &e).map_or(f64::NAN, |f| f.slope)
}

fn run6(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (_, traces) = runs(p, ctx, true)?;
    let iters = p.u64("iters") as f64;
    let at_defaults = p.at_defaults(defaults6, &[]);
    let mut m = Vec::new();
    let mut fig_series = vec![
        line("ISTA", thin(pos(points(&traces[0], "excess")), 300)),
        line("FISTA", thin(pos(points(&traces[1], "excess")), 300)),
    ];
    for (a, b) in WINDOWS {
        let (lo, hi) = ((a * iters).round() as u64, (b * iters).round() as u64);
        let (si, sf) = (slope(&traces[0], lo, hi), slope(&traces[1], lo, hi));
        let r = sf / si;
        m.push(
            Measurement::check(
                format!("slope ratio FISTA/ISTA over k ∈ [{lo}, {hi}]"),
                r,
                format!("∈ [{RATIO_LO}, {RATIO_HI}]"),
                (RATIO_LO..=RATIO_HI).contains(&r),
            )
            .with_maybe_reference(at_defaults.then_some(2.0)),
        );
        m.push(
            Measurement::report(format!("ISTA log–log slope over [{lo}, {hi}]"), si)
                .with_maybe_reference(at_defaults.then_some(-0.5)),
        );
        m.push(
            Measurement::report(format!("FISTA log–log slope over [{lo}, {hi}]"), sf)
                .with_maybe_reference(at_defaults.then_some(-1.0)),
        );
        if hi as f64 == iters {
            // The fitted power laws over the last window, drawn over it.
            for (t, s, name) in [(&traces[0], si, "ISTA"), (&traces[1], sf, "FISTA")] {
                let e_hi = super::common::at(t, "excess", hi);
                fig_series.push(dashed(
                    format!("{name} fit k^{s:.2} on [{lo}, {hi}]"),
                    vec![
                        (lo as f64, e_hi * (lo as f64 / hi as f64).powf(s)),
                        (hi as f64, e_hi),
                    ],
                ));
            }
        }
    }
    let mut fig: Figure = log_figure(
        "SR-6: FISTA's exponent is twice ISTA's (Nesterov's worst-case quadratic)",
        "iteration k",
        "f(x_k) − f⋆",
        fig_series,
    );
    fig.log_x = true;
    Ok(ClaimOutput::new(m, fig))
}
