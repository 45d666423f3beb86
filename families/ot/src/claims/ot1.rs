//! OT-1 (Franklin–Lorenz; Peyré–Cuturi): log-domain Sinkhorn converges linearly, faster
//! (smaller rate) for stronger regularization.

use super::common::{case, err_curve, instance, instance_params, ERR};
use crate::case::Method;
use ratebench_core::{Result, Sampling, StopRule};
use ratebench_harness::claims::NegativeControl;
use ratebench_harness::claims::{dashed, line, log_figure, thin, Claim, ClaimCtx, ClaimOutput};
use ratebench_harness::fit;
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;

/// The rate band: LS slope of ln e over `LOWER < e < UPPER` (CLAIMS.md §4, OT-1).
const LOWER: f64 = 1e-12;
const UPPER: f64 = 1e-4;
/// Every η's fit must have R² above this.
const MIN_R2: f64 = 0.98;
/// The prototype's rate ranges over data seeds 1–10, per η of the catalogue's sweep.
const REFERENCE: [(f64, f64, f64); 3] =
    [(50.0, 0.36, 0.48), (100.0, 0.58, 0.72), (200.0, 0.78, 0.93)];

pub fn ot1() -> Claim {
    Claim {
        id: "OT-1",
        title: "Sinkhorn converges linearly, more slowly for weaker regularization",
        source: "Franklin & Lorenz (1989); Peyré & Cuturi, Computational OT, Thm 4.2 (rate ≤ λ(K)² = tanh²(ηR/2))",
        statement: "On n = 200, C iid U[0,1], r = c = 1/n, log-domain Sinkhorn from (0, 0) at η ∈ {50, 100, 200} \
                    converges linearly: the LS fit of ln e_l (e_l = ‖P1 − r‖₁ after full iteration l) over \
                    1e-12 < e_l < 1e-4 has R² > 0.98 for every η, and the fitted rate e^slope increases with η. \
                    The Franklin–Lorenz bound tanh²(ηR/2) ≈ 1 is reported, not judged.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("etas", "[200, 1200]"), ("iters", "30000")],
            reason: "η = 1200 (weak regularization, the SNS regime): the log-error bends over the whole 1e-4…1e-12 band \
                     in 3·10⁴ iterations (R² ≈ 0.92 at data seed 0), so linearity at a useful rate needs strong \
                     regularization. (The catalogue's C ~ U[0, 2] is U[0, 1] at 2η and passes.)",
            fails: "R²",
        }),
    }
}

fn defaults() -> Params {
    instance_params(Params::new(), None)
        .int(
            "data_seed",
            0,
            Domain::AtLeast(0.0),
            "the data seed of the single instance (SeedPath(base).with(\"OT-1\").with(\"seed=s\"))",
        )
        .float(
            "hi",
            1.0,
            Domain::Positive,
            "C_ij iid U[0, hi] (the catalogue: 1)",
        )
        .floats(
            "etas",
            &[50.0, 100.0, 200.0],
            Domain::Positive,
            "η = 1/ε values (≥ 2 distinct: the rate must increase with η)",
        )
        .int(
            "iters",
            3000,
            Domain::AtLeast(1.0),
            "log-domain Sinkhorn iterations per η (a run stops early once e < 1e-14)",
        )
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let mut etas = p.sweep_f64s("etas")?;
    etas.sort_by(f64::total_cmp);
    let (n, hi, iters, seed) = (
        p.usize("n"),
        p.f64("hi"),
        p.u64("iters"),
        p.u64("data_seed"),
    );
    let mut cases = Vec::new();
    let mut ranges = Vec::new();
    for &eta in &etas {
        let inst = instance(n, hi, eta, ctx.base_seed, "OT-1", seed)?;
        let (lo, up) = inst.problem.cost_range();
        ranges.push(up - lo);
        let stop = StopRule::max_iter(iters).with_target(ERR, 1e-14);
        cases.push(case(
            format!("eta={eta}"),
            &inst,
            Method::SinkhornLog,
            stop,
            Sampling::Every(1),
            seed,
        )?);
    }
    let traces = ctx.run(cases)?;
    let at_catalogue = p.at_defaults(defaults, &["data_seed"]);
    let mut m = Vec::new();
    let mut rates = Vec::new();
    let mut series = Vec::new();
    for ((eta, trace), range) in etas.iter().zip(&traces).zip(&ranges) {
        let (t, e) = fit::band(&trace.series(ERR), LOWER, UPPER);
        let rf = fit::linear_rate(&t, &e).ok();
        let (rate, r2) = rf.map_or((f64::NAN, f64::NAN), |f| (f.rate, f.fit.r2));
        rates.push(rate);
        m.push(Measurement::check(
            format!("R² of the LS fit at η = {eta}"),
            r2,
            format!(
                "> {MIN_R2} (ln e_l over {LOWER:.0e} < e_l < {UPPER:.0e}, {} points)",
                t.len()
            ),
            r2 > MIN_R2,
        ));
        let mut rate_m = Measurement::report(format!("rate e^slope at η = {eta}"), rate);
        if let Some(f) = rf {
            rate_m = rate_m.with_ci(f.rate_ci);
        }
        if let Some((_, a, b)) = REFERENCE
            .iter()
            .find(|r| r.0 == *eta)
            .filter(|_| at_catalogue)
        {
            rate_m = rate_m.with_reference(0.5 * (a + b));
            rate_m.criterion = format!("reported; prototype range over seeds 1–10: {a}–{b}");
        }
        m.push(rate_m);
        let bound = (eta * range / 2.0).tanh().powi(2);
        m.push(Measurement::report(
            format!("Franklin–Lorenz bound tanh²(ηR/2) at η = {eta} (not judged)"),
            bound,
        ));
        series.push(line(
            format!("η = {eta} (rate {rate:.3}, R² {r2:.4})"),
            thin(err_curve(trace), 400),
        ));
        if let Some(f) = rf {
            let (t0, t1) = (t[0], t[t.len() - 1]);
            let at = |x: f64| (f.fit.intercept + f.fit.slope * x).exp();
            series.push(dashed(
                format!("LS fit η = {eta}"),
                vec![(t0, at(t0)), (t1, at(t1))],
            ));
        }
    }
    let increment = rates
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    m.push(Measurement::check(
        "rate increase with η: min over consecutive η of rate(η_next) − rate(η)",
        increment,
        "> 0 (the rate increases with η)",
        increment > 0.0,
    ));
    let fig = log_figure(
        "OT-1: log-domain Sinkhorn, n = 200, C iid U[0, hi]",
        "full Sinkhorn iteration l",
        "marginal error ‖P1 − r‖₁",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
