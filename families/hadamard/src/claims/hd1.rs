//! HD-1 (Wertz, Vandaele, Gillis): momentum accelerates BCD, judged over 20 data seeds.

use super::common::{
    bcd_momentum, case, final_err, fraction, instance_params, instance_spec, instances,
    median_curve, median_of, HD1_DATA,
};
use crate::case::Method;
use ratebench_core::{Result, Sampling, StopRule, Trace};
use ratebench_hadamard::Generator;
use ratebench_hadamard_solvers::BcdConfig;
use ratebench_harness::claims::NegativeControl;
use ratebench_harness::claims::{dashed, line, log_figure, Claim, ClaimCtx, ClaimOutput};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;

/// The pass threshold on the median `T_mom`, as a fraction of the iteration count.
pub(crate) const SPEEDUP: f64 = 0.6;
/// Seeds on which momentum must end no worse than plain BCD.
const MIN_FRACTION: f64 = 0.7;

pub fn hd1() -> Claim {
    Claim {
        id: "HD-1",
        title: "Momentum accelerates BCD for Hadamard decomposition",
        source: "Wertz, Vandaele, Gillis — Efficient algorithms for Hadamard decomposition (BCD with Ang–Gillis extrapolation)",
        statement: "On X = (A1B1)∘(A2B2) with U[0,1] factors (m = n = 100, r = 5, 20 data seeds), BCD with momentum \
                    from the scaled SVD init reaches plain BCD's error at iteration T = 300 within a median of \
                    0.6·T iterations, and ends no worse than plain BCD on at least 70 % of the seeds.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("beta0", "0")],
            reason: "β₀ = 0 never extrapolates, so the 'momentum' arm is plain BCD: it reaches plain BCD's error \
                     at T only at T itself, and the median T_mom ≈ T is far above 0.6·T",
            fails: "median T_mom",
        }),
    }
}

fn defaults() -> Params {
    instance_params(Params::new())
        .int(
            "iters",
            300,
            Domain::AtLeast(1.0),
            "outer iterations T of both arms (threshold 0.6·T)",
        )
        .float(
            "beta0",
            0.5,
            Domain::AtLeast(0.0),
            "initial extrapolation weight β₀ of the momentum arm (β̄₀ = 1, γ = 1.05, γ̄ = 1.01, ν = 1.5)",
        )
}

/// `T_mom`: the first iteration at which the momentum run's error is ≤ `target`
/// (`iters + 1` if never).
fn catch_up(mom: &Trace, target: f64, iters: u64) -> u64 {
    mom.series("rel_err")
        .into_iter()
        .find(|(_, e)| *e <= target)
        .map_or(iters + 1, |(t, _)| t)
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (spec, r) = instance_spec(p, Generator::UniformProduct)?;
    let iters = p.u64("iters");
    let mom_cfg = bcd_momentum(r, p.f64("beta0"))?;
    let insts = instances(&spec, ctx.base_seed, HD1_DATA, p.u64("seeds"))?;
    let mut cases = Vec::new();
    for (s, inst) in insts.iter().enumerate() {
        // Same label, hence same (draw-free) scaled SVD start for both arms.
        let label = format!("seed={s}");
        for cfg in [BcdConfig::new(r), mom_cfg.clone()] {
            let stop = StopRule::max_iter(iters);
            let method = Method::Bcd(cfg);
            cases.push(case(
                label.clone(),
                inst,
                method,
                stop,
                Sampling::Every(1),
                s as u64,
            )?);
        }
    }
    let traces = ctx.run(cases)?;
    let (plain, mom): (Vec<&Trace>, Vec<&Trace>) = (
        traces.iter().step_by(2).collect(),
        traces.iter().skip(1).step_by(2).collect(),
    );
    let (mut t_mom, mut wins, mut e_plain, mut e_mom) = (vec![], vec![], vec![], vec![]);
    for (pl, mo) in plain.iter().zip(&mom) {
        let (ep, em) = (final_err(pl), final_err(mo));
        t_mom.push(catch_up(mo, ep, iters) as f64);
        wins.push(em <= ep);
        e_plain.push(ep);
        e_mom.push(em);
    }
    let at_catalogue = p.at_defaults(defaults, &[]);
    let reference = |v: f64| at_catalogue.then_some(v);
    let threshold = SPEEDUP * iters as f64;
    let med_t = median_of(&t_mom);
    let frac = fraction(&wins);
    let never = t_mom.iter().filter(|t| **t > iters as f64).count();
    let m = vec![
        Measurement::check(
            "median T_mom over seeds",
            med_t,
            format!("≤ {SPEEDUP}·T = {threshold} (T_mom: first t with e_mom(t) ≤ e_plain({iters}); T+1 if never)"),
            med_t <= threshold,
        )
        .with_maybe_reference(reference(118.5)),
        Measurement::check(
            format!("fraction of seeds with e_mom({iters}) ≤ e_plain({iters})"),
            frac,
            format!("≥ {MIN_FRACTION}"),
            frac >= MIN_FRACTION,
        )
        .with_maybe_reference(reference(0.80)),
        Measurement::report(format!("seeds where momentum never reaches e_plain({iters})"), never as f64),
        Measurement::report(format!("median e_plain({iters})"), median_of(&e_plain)),
        Measurement::report(format!("median e_mom({iters})"), median_of(&e_mom)),
    ];
    Ok(ClaimOutput::new(m, figure(&plain, &mom, iters, threshold)))
}

fn figure(
    plain: &[&Trace],
    mom: &[&Trace],
    iters: u64,
    threshold: f64,
) -> ratebench_harness::results::Figure {
    let mom_curve = median_curve(mom, iters);
    let plain_curve = median_curve(plain, iters);
    let all = mom_curve.iter().chain(&plain_curve).map(|p| p.1);
    let (lo, hi) = all.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let n = plain.len();
    let mut series = vec![
        line(format!("BCD + momentum (median of {n} seeds)"), mom_curve),
        line(format!("BCD (median of {n} seeds)"), plain_curve),
    ];
    if lo.is_finite() && hi > 0.0 {
        series.push(dashed(
            format!("pass threshold t = {threshold}"),
            vec![(threshold, lo), (threshold, hi)],
        ));
    }
    log_figure(
        "HD-1: BCD with and without momentum (U[0,1] products)",
        "outer iteration t",
        "relative error ‖X − (W1H1)∘(W2H2)‖_F/‖X‖_F",
        series,
    )
}
