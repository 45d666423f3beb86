//! OT-4 (Altschuler, Weed, Rigollet): at low accuracy Greenkhorn beats Sinkhorn for the same
//! number of row/column updates.

use super::common::{case, err_vs_work, final_err, instance, instance_params, median_of, min_max};
use crate::case::Method;
use ratebench_core::{Result, Sampling, StopRule};
use ratebench_harness::claims::NegativeControl;
use ratebench_harness::claims::{line, log_figure, Claim, ClaimCtx, ClaimOutput};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;

pub fn ot4() -> Claim {
    Claim {
        id: "OT-4",
        title: "Greenkhorn beats Sinkhorn at low accuracy",
        source: "Altschuler, Weed, Rigollet — Near-linear time approximation algorithms for optimal transport via Sinkhorn iteration (NeurIPS 2017)",
        statement: "On n = 200, C iid U[0,1], r = c = 1/n, η = 40 (5 data seeds), Greenkhorn after 10n = 2000 \
                    row/column updates has a marginal error (recomputed from the iterate) no larger than \
                    scaling-domain Sinkhorn after 5 iterations (2n updates each), both from the normalized K: \
                    the largest ratio e_Greenkhorn/e_Sinkhorn over the seeds is ≤ 1.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("eta", "1")],
            reason: "at η = 1 (strong regularization) 5 Sinkhorn sweeps reach ≈ 1e-15 while Greenkhorn is at ≈ 1e-10",
            fails: "max e_greenkhorn/e_sinkhorn",
        }),
    }
}

fn defaults() -> Params {
    instance_params(Params::new(), Some(5))
        .float("eta", 40.0, Domain::Positive, "η = 1/ε")
        .int(
            "updates_per_n",
            10,
            Domain::AtLeast(1.0),
            "Greenkhorn's budget in row/column updates, as a multiple of n",
        )
        .int(
            "sinkhorn_iters",
            5,
            Domain::AtLeast(1.0),
            "Sinkhorn iterations (2n row/column updates each)",
        )
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (n, eta) = (p.usize("n"), p.f64("eta"));
    let updates = (p.usize("updates_per_n") * n) as u64;
    let iters = p.u64("sinkhorn_iters");
    let seeds = p.u64("seeds");
    let mut cases = Vec::new();
    for s in 0..seeds {
        let inst = instance(n, 1.0, eta, ctx.base_seed, "OT-4", s)?;
        let label = format!("seed={s}");
        cases.push(case(
            label.clone(),
            &inst,
            Method::Greenkhorn,
            StopRule::max_iter(updates),
            Sampling::Every((n as u64 / 10).max(1)),
            s,
        )?);
        cases.push(case(
            label,
            &inst,
            Method::Sinkhorn,
            StopRule::max_iter(iters),
            Sampling::Every(1),
            s,
        )?);
    }
    let traces = ctx.run(cases)?;
    let green: Vec<_> = traces.iter().step_by(2).collect();
    let sink: Vec<_> = traces.iter().skip(1).step_by(2).collect();
    let eg: Vec<f64> = green.iter().map(|t| final_err(t)).collect();
    let es: Vec<f64> = sink.iter().map(|t| final_err(t)).collect();
    let ratios: Vec<f64> = eg.iter().zip(&es).map(|(g, s)| g / s).collect();
    let (_, worst) = min_max(&ratios);
    let at_catalogue = p.at_defaults(defaults, &[]);
    let reference = |v: f64| at_catalogue.then_some(v);
    let m = vec![
        Measurement::check(
            format!("max e_greenkhorn/e_sinkhorn over {seeds} seeds ({updates} updates vs {iters} iterations)"),
            worst,
            "≤ 1 (Greenkhorn ≤ Sinkhorn on every seed)",
            worst <= 1.0,
        )
        .with_maybe_reference(reference(3.7e-5 / 2.9e-4)),
        Measurement::report("median Greenkhorn marginal error", median_of(&eg)).with_maybe_reference(reference(3.7e-5)),
        Measurement::report("median Sinkhorn marginal error", median_of(&es)).with_maybe_reference(reference(2.9e-4)),
        Measurement::report("median e_sinkhorn/e_greenkhorn", median_of(&ratios.iter().map(|r| 1.0 / r).collect::<Vec<_>>()))
            .with_maybe_reference(reference(7.9)),
    ];
    let mut series = Vec::new();
    for (s, t) in green.iter().enumerate() {
        series.push(line(format!("Greenkhorn seed {s}"), err_vs_work(t)));
    }
    for (s, t) in sink.iter().enumerate() {
        series.push(line(format!("Sinkhorn seed {s}"), err_vs_work(t)));
    }
    let fig = log_figure(
        &format!("OT-4: Greenkhorn vs Sinkhorn, n = {n}, η = {eta}"),
        "row/column updates (Sinkhorn: 2n per iteration)",
        "marginal error ‖P1 − r‖₁ + ‖Pᵀ1 − c‖₁",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
