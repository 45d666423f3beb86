//! OT-3 (Tang et al.): the Newton phase of the OT-2 run contracts, median over 5 data seeds.

use super::common::{err_curve, median_of, min_max, ERR};
use super::ot2::{sns_cases, sns_params, SNS_FLOOR};
use ratebench_core::{Result, Trace};
use ratebench_harness::claims::NegativeControl;
use ratebench_harness::claims::{dashed, line, log_figure, Claim, ClaimCtx, ClaimOutput};
use ratebench_harness::params::Params;
use ratebench_harness::results::Measurement;

/// The median Newton-phase ratio must be at most this.
const MAX_RATIO: f64 = 0.5;

pub fn ot3() -> Claim {
    Claim {
        id: "OT-3",
        title: "The Newton phase of Sinkhorn-Newton-Sparse contracts",
        source: "Tang et al. — Accelerating Sinkhorn algorithm with sparse Newton iterations (ICLR 2024); super-exponential convergence only conjectured",
        statement: "On the OT-2 runs (n = 200, C iid U[0,1], η = 1200, N1 = 20, λ = 2/n, 5 data seeds), the per-seed \
                    geometric-mean ratio (e_last/e_first)^(1/steps) of the marginal error over the Newton steps, \
                    taken until e < 1e-13, has median ≤ 0.5.",
        quick: true,
        defaults,
        run,
        control: Some(NegativeControl {
            set: &[("lambda_n", "0.75")],
            reason: "λ = 0.75/n keeps fewer plan entries than the plan has significant ones (≈ n on the \
                     assignment), so the sparsified Hessian misses mass and the Newton steps contract slowly",
            fails: "median Newton-phase ratio",
        }),
    }
}

fn defaults() -> Params {
    sns_params(Params::new())
}

/// `(e_last/e_first)^(1/steps)` over the Newton steps (iterations > N1), until e < 1e-13
/// (inclusive), with the number of steps.
pub(crate) fn newton_ratio(t: &Trace, n1: u64) -> (f64, u64) {
    let s = t.series(ERR);
    let Some(first) = s.iter().find(|(i, _)| *i == n1).map(|p| p.1) else {
        return (f64::NAN, 0);
    };
    let newton: Vec<&(u64, f64)> = s.iter().filter(|(i, _)| *i > n1).collect();
    let last = newton
        .iter()
        .find(|(_, e)| *e < SNS_FLOOR)
        .or(newton.last())
        .copied();
    match last {
        Some(&(i, e)) => {
            let steps = i - n1;
            ((e / first).powf(1.0 / steps as f64), steps)
        }
        None => (f64::NAN, 0),
    }
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let n1 = p.u64("n1");
    let (_, cases) = sns_cases(p, ctx.base_seed)?;
    let traces = ctx.run(cases)?;
    let (ratios, steps): (Vec<f64>, Vec<f64>) = traces
        .iter()
        .map(|t| {
            let (r, k) = newton_ratio(t, n1);
            (r, k as f64)
        })
        .unzip();
    let med = median_of(&ratios);
    let (lo, hi) = min_max(&ratios);
    let at_catalogue = p.at_defaults(defaults, &[]);
    let m = vec![
        Measurement::check(
            format!("median Newton-phase ratio over {} seeds", ratios.len()),
            med,
            format!("≤ {MAX_RATIO} ((e_last/e_first)^(1/steps) over the Newton steps, until e < {SNS_FLOOR:.0e})"),
            med <= MAX_RATIO,
        )
        .with_maybe_reference(at_catalogue.then_some(0.4)),
        Measurement::report("min Newton-phase ratio", lo),
        Measurement::report("max Newton-phase ratio", hi),
        Measurement::report("median Newton steps measured", median_of(&steps)),
    ];
    let mut series = Vec::new();
    for (s, (t, r)) in traces.iter().zip(&ratios).enumerate() {
        let pts: Vec<(f64, f64)> = err_curve(t)
            .into_iter()
            .filter(|(i, _)| *i >= n1 as f64)
            .map(|(i, e)| (i - n1 as f64, e))
            .collect();
        series.push(line(format!("seed {s} (ratio {r:.3})"), pts));
    }
    // The pass threshold as a law: e_0 · 0.5^k from the median start.
    let starts: Vec<f64> = traces.iter().filter_map(|t| t.value_at(ERR, n1)).collect();
    let e0 = median_of(&starts);
    if e0 > 0.0 && e0.is_finite() {
        let k_max = steps.iter().copied().fold(1.0, f64::max);
        series.push(dashed(
            format!("threshold e₀·{MAX_RATIO}^k"),
            (0..=k_max as u64)
                .map(|k| (k as f64, e0 * MAX_RATIO.powi(k as i32)))
                .collect(),
        ));
    }
    let fig = log_figure(
        &format!(
            "OT-3: SNS Newton phase, n = {}, η = {}, λ = {}/n",
            p.usize("n"),
            p.f64("eta"),
            p.f64("lambda_n")
        ),
        "Newton step k (after N1 Sinkhorn steps)",
        "marginal error ‖P1 − r‖₁ + ‖Pᵀ1 − c‖₁",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
