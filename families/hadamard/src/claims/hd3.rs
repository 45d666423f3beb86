//! HD-3 (Wertz, Vandaele, Gillis): BCD beats the Ciaperoni et al. gradient baseline per
//! second, on HD-1's 20 instances.
//!
//! **Budgets.** Per seed, the GD baseline runs `gd_iters` (2·10⁴) iterations; the wall-clock
//! budget is the time it took, *initialization included* (`init_s` + step time, as the
//! trace's time axis counts it), and the flop budget is its `work()` (analytic flops). BCD
//! with momentum then runs from the scaled SVD init with the catalogue's stopping rule
//! (e < 1e-10, or a stall over 11 iterations) and an iteration cap that exhausts the flop
//! budget; its error at a budget is that of its last iterate within it (its time axis also
//! includes its SVD initialization).
//!
//! **Why the wall-clock verdict is robust on a loaded machine.** Every budget is measured in
//! the same process as the BCD runs it is compared with, under the same `ctx.run`
//! parallelism (the 20 GD runs form one parallel batch, the 20 BCD runs the next), so a
//! uniform slow-down cancels. Most BCD runs reach 1e-10 (or stall) well before the budget,
//! so their error at it does not depend on timing at all; the claim reports the *timing
//! margin* — the median over seeds of budget / BCD's time to reach 0.2·e_GD, i.e. how many
//! times slower BCD's clock could run relative to GD's before the median ratio exceeds
//! 0.2 — which is typically > 10. The equal-flop ratio, which does not depend on the machine
//! at all, is judged with the same tolerance: the catalogue names it as the deterministic
//! alternative, and requiring both means a pass can never come from a timing accident.

use super::common::{
    bcd_momentum, case, final_err, instance_params, instance_spec, instances, median_of, min_max,
    HD1_DATA,
};
use crate::case::Method;
use ratebench_core::{Error, Result, Sampling, StopRule, Trace};
use ratebench_hadamard::Generator;
use ratebench_hadamard_solvers::GdConfig;
use ratebench_harness::claims::{dashed, line, Claim, ClaimCtx, ClaimOutput, NegativeControl};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::{Figure, Measurement};

/// The pass threshold on the median of `e_BCD/e_GD`.
const RATIO: f64 = 0.2;
/// BCD's stopping rule (CLAIMS.md §3): converged below this error …
const BCD_TARGET: f64 = 1e-10;
/// … or stalled: less than this relative decrease over `STALL_WINDOW` iterations (the
/// catalogue's "more than 10 consecutive iterations with relative decrease ≤ 1e-8").
const STALL_REL: f64 = 1e-8;
const STALL_WINDOW: usize = 11;

pub fn hd3() -> Claim {
    Claim {
        id: "HD-3",
        title: "BCD beats gradient-based Hadamard decomposition at the same wall-clock budget",
        source: "Wertz, Vandaele, Gillis — Efficient algorithms for Hadamard decomposition; GD baseline of \
                 Ciaperoni, Gionis, Mannila (scaled_alternating_gradient_descent_hadDec)",
        statement: "On HD-1's 20 U[0,1]-product instances, BCD with momentum given the wall-clock time the GD \
                    baseline needs for 2·10⁴ iterations reaches a median e_BCD/e_GD ≤ 0.2 (the same holds at the \
                    equal-flop budget).",
        quick: false,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("gaussian_factors", "1"), ("seeds", "5")],
            reason: "signed Gaussian factors leave the U[0,1] setting: BCD stalls in a local minimum near 0.4 \
                     (the catalogue's caveat), no better than GD, so the median e_BCD/e_GD is far above 0.2 \
                     (on every seed; 5 of them keep the control cheap)",
            fails: "median e_BCD/e_GD at equal flops",
        }),
    }
}

fn defaults() -> Params {
    instance_params(Params::new())
        .int(
            "gd_iters",
            20_000,
            Domain::AtLeast(1.0),
            "GD iterations that define both budgets (their wall time incl. init, and their flops)",
        )
        .float(
            "gd_eta",
            0.01,
            Domain::Positive,
            "GD's initial normalized step η",
        )
        .int(
            "gd_check_every",
            1000,
            Domain::AtLeast(1.0),
            "GD halves η when the loss, checked every this many iterations, rose",
        )
        .float(
            "beta0",
            0.5,
            Domain::AtLeast(0.0),
            "initial extrapolation weight β₀ of BCD's momentum (0 = plain BCD)",
        )
        .int(
            "gaussian_factors",
            0,
            Domain::AtLeast(0.0),
            "1: signed Gaussian generating factors instead of U[0,1] (the catalogue's caveat)",
        )
}

/// One seed's comparison.
struct SeedResult {
    budget_s: f64,
    flops: f64,
    e_gd: f64,
    ratio_time: f64,
    ratio_flops: f64,
    e_bcd_time: f64,
    /// budget / BCD's time to reach `RATIO·e_GD` (0 if never).
    margin: f64,
    /// BCD hit the flop cap before the wall budget ended (its error there is an upper bound).
    capped: bool,
    gd_per_iter_s: f64,
}

/// The error of the last row within `budget` on `axis` (1, the zero approximation's, if even
/// the initialization did not fit).
fn error_within(t: &Trace, within: impl Fn(&ratebench_core::TraceRow) -> bool) -> f64 {
    let j = t.metric_index("rel_err");
    t.rows
        .iter()
        .take_while(|r| within(r))
        .last()
        .and_then(|r| j.map(|j| r.values[j]))
        .unwrap_or(1.0)
}

fn compare(gd: &Trace, bcd: &Trace, gd_iters: u64) -> SeedResult {
    let budget_s = gd.rows.last().map_or(f64::NAN, |r| r.time_s);
    let flops = gd.work as f64;
    let e_gd = final_err(gd);
    let e_bcd_time = error_within(bcd, |r| r.time_s <= budget_s);
    let e_bcd_flops = error_within(bcd, |r| r.work as f64 <= flops);
    let hit = bcd.hitting("rel_err", RATIO * e_gd).map(|r| r.time_s);
    // `hitting` is strict (<), which only makes the margin conservative.
    let margin = hit.map_or(0.0, |t| budget_s / t.max(f64::MIN_POSITIVE));
    let last_s = bcd.rows.last().map_or(0.0, |r| r.time_s);
    let capped = bcd.stop == ratebench_core::StopReason::MaxIter && last_s < budget_s;
    SeedResult {
        budget_s,
        flops,
        e_gd,
        ratio_time: e_bcd_time / e_gd,
        ratio_flops: e_bcd_flops / e_gd,
        e_bcd_time,
        margin,
        capped,
        gd_per_iter_s: budget_s / gd_iters as f64,
    }
}

fn generator(p: &Params) -> Result<Generator> {
    match p.usize("gaussian_factors") {
        0 => Ok(Generator::UniformProduct),
        1 => Ok(Generator::GaussianProduct),
        other => Err(Error::invalid(
            "gaussian_factors",
            format!("must be 0 (U[0,1] factors) or 1 (Gaussian factors), got {other}"),
        )),
    }
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (spec, r) = instance_spec(p, generator(p)?)?;
    let gd_iters = p.u64("gd_iters");
    let gd_cfg = GdConfig {
        rank: r,
        eta: p.f64("gd_eta"),
        check_every: p.u64("gd_check_every"),
    };
    gd_cfg.validate(spec.m, spec.n)?;
    let bcd_cfg = bcd_momentum(r, p.f64("beta0"))?;
    let insts = instances(&spec, ctx.base_seed, HD1_DATA, p.u64("seeds"))?;
    let gd_cases = insts
        .iter()
        .enumerate()
        .map(|(s, inst)| {
            let stop = StopRule::max_iter(gd_iters);
            let method = Method::Gd(gd_cfg.clone());
            case(
                format!("seed={s}"),
                inst,
                method,
                stop,
                Sampling::Geometric(1.02),
                s as u64,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let gd = ctx.run(gd_cases)?;
    let per_iter = bcd_cfg.flops_per_iter(spec.m, spec.n).max(1);
    let mut bcd_cases = Vec::new();
    for (s, (inst, g)) in insts.iter().zip(&gd).enumerate() {
        // No iteration beyond this one can end within the flop budget.
        let cap = g.work / per_iter;
        let stop = StopRule::max_iter(cap)
            .with_target("rel_err", BCD_TARGET)
            .with_stall(STALL_WINDOW, STALL_REL);
        let method = Method::Bcd(bcd_cfg.clone());
        bcd_cases.push(case(
            format!("seed={s}"),
            inst,
            method,
            stop,
            Sampling::Every(1),
            s as u64,
        )?);
    }
    let bcd = ctx.run(bcd_cases)?;
    let seeds: Vec<SeedResult> = gd
        .iter()
        .zip(&bcd)
        .map(|(g, b)| compare(g, b, gd_iters))
        .collect();
    let at_catalogue = p.at_defaults(defaults, &[]);
    let m = measurements(&seeds, gd_iters, at_catalogue);
    Ok(ClaimOutput::new(m, figure(&gd, &bcd, &seeds, gd_iters)))
}

fn measurements(seeds: &[SeedResult], gd_iters: u64, at_catalogue: bool) -> Vec<Measurement> {
    let col = |f: fn(&SeedResult) -> f64| seeds.iter().map(f).collect::<Vec<f64>>();
    let (rt, rf) = (col(|s| s.ratio_time), col(|s| s.ratio_flops));
    let (med_t, med_f) = (median_of(&rt), median_of(&rf));
    let below = |v: &[f64]| v.iter().filter(|x| **x <= RATIO).count() as f64;
    let (lo, hi) = min_max(&rt);
    let n = seeds.len();
    let capped = seeds.iter().filter(|s| s.capped).count() as f64;
    vec![
        Measurement::check(
            "median e_BCD/e_GD at equal wall-clock time",
            med_t,
            format!(
                "≤ {RATIO} (budget: the time of {gd_iters} GD iterations, init included, per seed)"
            ),
            med_t <= RATIO,
        ),
        Measurement::check(
            "median e_BCD/e_GD at equal flops",
            med_f,
            format!("≤ {RATIO} (budget: the flops of {gd_iters} GD iterations, per seed)"),
            med_f <= RATIO,
        ),
        Measurement::report(
            format!("seeds (of {n}) with e_BCD/e_GD ≤ {RATIO}, wall clock"),
            below(&rt),
        ),
        Measurement::report(
            format!("seeds (of {n}) with e_BCD/e_GD ≤ {RATIO}, flops"),
            below(&rf),
        ),
        Measurement::report("min e_BCD/e_GD, wall clock", lo),
        Measurement::report("max e_BCD/e_GD, wall clock", hi),
        Measurement::report(
            format!("timing margin: median budget / t_BCD({RATIO}·e_GD)"),
            median_of(&col(|s| s.margin)),
        ),
        Measurement::report(
            format!("median e_GD({gd_iters})"),
            median_of(&col(|s| s.e_gd)),
        )
        .with_maybe_reference(at_catalogue.then_some(1.0e-2)),
        Measurement::report(
            "median e_BCD at the wall-clock budget",
            median_of(&col(|s| s.e_bcd_time)),
        ),
        Measurement::report(
            format!("median wall-clock budget (s, {gd_iters} GD iterations)"),
            median_of(&col(|s| s.budget_s)),
        ),
        Measurement::report(
            "median GD time per iteration (µs, init share included)",
            1e6 * median_of(&col(|s| s.gd_per_iter_s)),
        ),
        Measurement::report(
            "median flop budget (GFLOP)",
            1e-9 * median_of(&col(|s| s.flops)),
        ),
        Measurement::report("seeds whose wall budget outlasted BCD's flop cap", capped),
    ]
}

/// The error at time `τ·budget` (1 before the initialization ended).
fn at_fraction(t: &Trace, budget_s: f64, tau: f64) -> f64 {
    error_within(t, |r| r.time_s <= tau * budget_s)
}

/// Median over seeds of both errors against time as a fraction of each seed's budget.
fn figure(gd: &[Trace], bcd: &[Trace], seeds: &[SeedResult], gd_iters: u64) -> Figure {
    let taus: Vec<f64> = (0..=60)
        .map(|i| 10f64.powf(-3.0 + 3.0 * i as f64 / 60.0))
        .collect();
    let median_at = |traces: &[Trace], tau: f64| {
        let v: Vec<f64> = traces
            .iter()
            .zip(seeds)
            .map(|(t, s)| at_fraction(t, s.budget_s, tau))
            .collect();
        median_of(&v)
    };
    let curve = |traces: &[Trace]| -> Vec<(f64, f64)> {
        taus.iter()
            .map(|&tau| (tau, median_at(traces, tau)))
            .filter(|(_, e)| *e > 0.0 && e.is_finite())
            .collect()
    };
    let n = seeds.len();
    let level = RATIO * median_of(&seeds.iter().map(|s| s.e_gd).collect::<Vec<_>>());
    let mut series = vec![
        line(format!("BCD + momentum (median of {n} seeds)"), curve(bcd)),
        line(
            format!("GD, Ciaperoni et al. (median of {n} seeds)"),
            curve(gd),
        ),
    ];
    if level > 0.0 && level.is_finite() {
        series.push(dashed(
            format!("{RATIO} × median e_GD at the budget"),
            vec![(taus[0], level), (1.0, level)],
        ));
    }
    Figure {
        title: "HD-3: BCD vs GD at the wall-clock budget of the GD baseline".into(),
        x_label: format!("time / budget (the seed's {gd_iters} GD iterations, init included; log)"),
        y_label: "relative error ‖X − (W1H1)∘(W2H2)‖_F/‖X‖_F (median over seeds)".into(),
        log_x: true,
        log_y: true,
        series,
    }
}
