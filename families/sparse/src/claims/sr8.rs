//! SR-8 (Agarwal, Negahban, Wainwright): ISTA on the Lasso converges geometrically (up to
//! the statistical tolerance): two consecutive halves of its linear phase have the same rate.

use super::common::{case, lasso_instance, lasso_params, points};
use crate::case::{Method, Problem};
use crate::metrics::Metric;
use ratebench_core::{Result, StopRule};
use ratebench_harness::claims::{
    dashed, line, log_figure, thin, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::fit::linear_fit;
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;

/// Pass bound on `|s₁ − s₂|/max(|s₁|, |s₂|)` ("agree within 20 %").
const AGREE: f64 = 0.2;
/// The band of relative gaps (F − F⋆)/F⋆ the slopes are fitted on: part of the
/// measurement, not a parameter (below 1e-11 is the float64 floor, convention 7).
const BAND: (f64, f64) = (1e-11, 1e-4);
/// CD reference: run to a plain-convention gap ≤ this × P(0).
const REF_GAP: f64 = 1e-15;

pub fn sr8() -> Claim {
    Claim {
        id: "SR-8",
        title: "ISTA's linear phase on the Lasso",
        source: "Agarwal, Negahban, Wainwright — Fast global convergence of gradient methods for high-dimensional statistical recovery (Ann. Statist. 2012)",
        statement: "ISTA with L = ‖X‖₂² (power iteration) on SR-7's Lasso, K = 3000; F⋆ = P at CD's solution (gap ≤ 1e-15·P(0)): \
                    over the iterations with 1e-11 < (F − F⋆)/F⋆ < 1e-4, split into two consecutive halves, the LS slopes of \
                    log(F − F⋆) agree within 20 %.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("fraction", "0.005"), ("iters", "20000")],
            reason: "λ = 0.005·λ_max puts the Lasso near interpolation (support ≈ n = 200 of d = 1000): restricted strong \
                     convexity is lost, ISTA's rate keeps slowing as the support grows, and the two halves disagree (0.36 at seed 0)",
            fails: "|s₁ − s₂|",
        }),
    }
}

fn defaults() -> Params {
    lasso_params(Params::new()).int("iters", 3000, Domain::AtLeast(4.0), "ISTA iterations K")
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (lo, hi) = BAND;
    let (lasso, spec) = lasso_instance(p, ctx.base_seed)?;
    let p0 = lasso.primal(&vec![0.0; lasso.data().p()]);
    let tol = REF_GAP * p0;
    let reference = case(
        "cd-reference",
        Problem::Lasso(lasso.clone()),
        &spec,
        Method::Cd { tol: Some(tol) },
        vec![Metric::Gap, Metric::Primal],
        StopRule::max_iter(100_000).with_target("gap", tol),
        None,
        false,
    )?;
    let r = ctx.run(vec![reference])?;
    let f_star = r[0].last("primal").unwrap_or(f64::NAN);
    let ista = case(
        "ista",
        Problem::Lasso(lasso.clone()),
        &spec,
        Method::Ista { step_mult: 1.0 },
        vec![Metric::RelObjGap, Metric::Gap],
        StopRule::max_iter(p.u64("iters")),
        Some(f_star),
        false,
    )?;
    let traces = ctx.run(vec![ista])?;
    let t = &traces[0];
    let (k, y): (Vec<f64>, Vec<f64>) = t
        .series("rel_obj_gap")
        .into_iter()
        .filter(|(_, e)| *e > lo && *e < hi)
        .map(|(i, e)| (i as f64, (e * f_star).ln()))
        .unzip();
    let h = k.len() / 2;
    let fit = |a: &[f64], b: &[f64]| linear_fit(a, b).map_or(f64::NAN, |f| f.slope);
    let (s1, s2) = if h >= 2 {
        (fit(&k[..h], &y[..h]), fit(&k[h..], &y[h..]))
    } else {
        (f64::NAN, f64::NAN)
    };
    // Symmetric relative difference (finite even when one half is flat).
    let dev = (s1 - s2).abs() / s1.abs().max(s2.abs());
    let at_defaults = p.at_defaults(defaults, &[]);
    let m = vec![
        Measurement::check(
            "|s₁ − s₂|/max(|s₁|, |s₂|) (LS slopes of log(F − F⋆) on the two halves of the band)",
            dev,
            format!("≤ {AGREE}"),
            dev <= AGREE,
        )
        .with_maybe_reference(at_defaults.then_some((0.118f64 - 0.114) / 0.118)),
        Measurement::report("slope s₁ (first half)", s1)
            .with_maybe_reference(at_defaults.then_some(-0.118)),
        Measurement::report("slope s₂ (second half)", s2)
            .with_maybe_reference(at_defaults.then_some(-0.114)),
        Measurement::report("iterations in the band", k.len() as f64),
        Measurement::report("F⋆ (CD reference)", f_star),
    ];
    let curve: Vec<(f64, f64)> = points(t, "rel_obj_gap")
        .into_iter()
        .filter(|(_, e)| *e > 0.0)
        .collect();
    // Draw the band over the part of the run that is above round-off.
    let end = curve.last().map_or(t.iters as f64, |p| p.0);
    let mut series = vec![line("ISTA (F − F⋆)/F⋆", thin(curve, 300))];
    if h >= 2 && s1.is_finite() && s2.is_finite() {
        let ends = |a: &[f64], b: &[f64], s: f64| {
            let (k0, k1) = (a[0], a[a.len() - 1]);
            let mid =
                b.iter().sum::<f64>() / b.len() as f64 - s * a.iter().sum::<f64>() / a.len() as f64;
            vec![
                (k0, (mid + s * k0).exp() / f_star),
                (k1, (mid + s * k1).exp() / f_star),
            ]
        };
        series.push(dashed(
            format!("first-half fit, slope {s1:.4}"),
            ends(&k[..h], &y[..h], s1),
        ));
        series.push(dashed(
            format!("second-half fit, slope {s2:.4}"),
            ends(&k[h..], &y[h..], s2),
        ));
    }
    series.push(dashed(
        format!("band ({lo:e}, {hi:e})"),
        vec![(0.0, hi), (end, hi), (end, lo), (0.0, lo)],
    ));
    let fig = log_figure(
        "SR-8: ISTA's linear phase on the Lasso",
        "iteration k",
        "(F(w_k) − F⋆)/F⋆ (plain convention)",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
