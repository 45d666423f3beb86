//! SR-7: the duality gap of cyclic coordinate descent on the Lasso falls geometrically once
//! the support is identified, and the catalogued gap formula equals P(w) − D(ν).

use super::common::{case, lasso_instance, lasso_params, points, reference_if};
use crate::case::{Method, Problem};
use crate::metrics::Metric;
use ratebench_core::{Result, StopRule};
use ratebench_harness::claims::{
    dashed, line, log_figure, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;

/// Pass bound on the geometric-mean per-epoch gap ratio over the last epochs.
const MAX_RATIO: f64 = 0.5;
/// Epochs of the ratio window.
const WINDOW: usize = 5;
/// Agreement of the gap formula and P − D, relative to P.
const AGREE: f64 = 1e-10;
/// Gaps below this fraction of P are at round-off and excluded.
const ROUNDOFF: f64 = 1e-13;
/// Stop once gap < STOP · ‖y‖².
const STOP: f64 = 1e-12;

pub fn sr7() -> Claim {
    Claim {
        id: "SR-7",
        title: "Lasso coordinate descent: the duality gap falls geometrically",
        source: "Lasso cyclic CD with the duality gap as certificate (scikit-learn enet_coordinate_descent); linear convergence after support identification",
        statement: "Cyclic CD from 0 on the Lasso ½‖y − Xw‖² + λ‖w‖₁ (Gaussian X, n = 200, d = 1000, k = 10, σ = 0.5, \
                    λ = 0.1λ_max), gap after every epoch until gap < 1e-12‖y‖²: the geometric-mean per-epoch gap ratio over \
                    the last 5 epochs (gaps ≥ 1e-13·P) is ≤ 0.5, and the catalogued gap formula equals an independently \
                    computed P(w) − D(ν) to 1e-10 relative to P.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("fraction", "0.01")],
            reason: "at λ = 0.01λ_max the solution has ≈ n nonzeros and the restricted problem is ill-conditioned: \
                     CD is still linear but slow, ≈ 0.83 per epoch",
            fails: "geometric-mean gap ratio",
        }),
    }
}

fn defaults() -> Params {
    lasso_params(Params::new()).int(
        "max_epochs",
        100_000,
        Domain::AtLeast(6.0),
        "epoch cap (the run stops at gap < 1e-12‖y‖²)",
    )
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (lasso, spec) = lasso_instance(p, ctx.base_seed)?;
    let yy: f64 = lasso.data().y().iter().map(|v| v * v).sum();
    let c = case(
        "cd-plain",
        Problem::Lasso(lasso.clone()),
        &spec,
        Method::CdPlain { tol: None },
        vec![Metric::Gap, Metric::PrimalMinusDual, Metric::Primal],
        StopRule::max_iter(p.u64("max_epochs")).with_target("gap", STOP * yy),
        None,
        false,
    )?;
    let traces = ctx.run(vec![c])?;
    let t = &traces[0];
    let gap = t.values("gap");
    let pmd = t.values("primal_minus_dual");
    let primal = t.values("primal");
    let agree = gap
        .iter()
        .zip(&pmd)
        .zip(&primal)
        .map(|((g, d), p)| (g - d).abs() / p)
        .fold(0.0f64, |a, b| if b.is_nan() { f64::NAN } else { a.max(b) });
    // Epoch gaps (epochs ≥ 1) above round-off.
    let kept: Vec<f64> = t
        .series("gap")
        .into_iter()
        .zip(&primal)
        .filter(|((k, g), p)| *k >= 1 && *g >= ROUNDOFF * **p)
        .map(|((_, g), _)| g)
        .collect();
    let n = kept.len();
    let ratio = if n > WINDOW {
        (kept[n - 1] / kept[n - 1 - WINDOW]).powf(1.0 / WINDOW as f64)
    } else {
        f64::NAN
    };
    let at_defaults = p.at_defaults(defaults, &[]);
    let m = vec![
        Measurement::check(
            format!("geometric-mean gap ratio per epoch over the last {WINDOW} epochs"),
            ratio,
            format!("≤ {MAX_RATIO}"),
            ratio <= MAX_RATIO,
        )
        .with_maybe_reference(reference_if(at_defaults, 0.2)),
        Measurement::check(
            "max over epochs |gap formula − (P − D)| / P",
            agree,
            format!("≤ {AGREE:e}"),
            agree <= AGREE,
        ),
        Measurement::report("epochs", t.iters as f64),
        Measurement::report(
            "first gap (epoch 1)",
            gap.get(1).copied().unwrap_or(f64::NAN),
        )
        .with_maybe_reference(reference_if(at_defaults, 3.0e2)),
        Measurement::report("last gap", *gap.last().unwrap_or(&f64::NAN)),
    ];
    let pts: Vec<(f64, f64)> = points(t, "gap")
        .into_iter()
        .filter(|(_, g)| *g > 0.0)
        .collect();
    let mut series = vec![line("duality gap (catalogued formula)", pts)];
    series.push(line(
        "P(w) − D(ν)",
        points(t, "primal_minus_dual")
            .into_iter()
            .filter(|(_, g)| *g > 0.0)
            .collect(),
    ));
    if ratio.is_finite() && n > WINDOW {
        let k_end = t.iters as f64;
        let g_end = kept[n - 1];
        series.push(dashed(
            format!("fitted ratio {ratio:.3} per epoch (last {WINDOW})"),
            vec![
                (k_end - WINDOW as f64, g_end / ratio.powi(WINDOW as i32)),
                (k_end, g_end),
            ],
        ));
    }
    series.push(dashed(
        "stop: 1e-12‖y‖²",
        vec![(0.0, STOP * yy), (t.iters as f64, STOP * yy)],
    ));
    let fig = log_figure(
        "SR-7: Lasso cyclic CD duality gap per epoch",
        "epoch",
        "duality gap (plain convention ½‖y − Xw‖² + λ‖w‖₁)",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
