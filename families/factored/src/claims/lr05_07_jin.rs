//! LR-5 … LR-7 (Jin, Li, Lyu, Du, Lee): greedy low-rank learning. With small
//! initialization GD learns the best rank-s solutions for s = 1, 2, … in order.

use super::analysis::{plateau_alphas, plateau_delay, plateau_floor, plateau_metrics, Plateaus};
use super::common::{build, case, instance};
use crate::case::{Instance, Method};
use ratebench_core::{Error, Result, StopRule};
use ratebench_harness::claims::{
    curve, dashed, line, log_figure, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::fit::rel_diff;
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric, LowRankSpec};

pub fn claims() -> Vec<Claim> {
    vec![lr5(), lr6(), lr7()]
}

const SOURCE: &str =
    "Jin, Li, Lyu, Du, Lee — Understanding incremental learning of gradient descent: \
                      a fine-grained analysis of matrix sensing";

/// The catalogue's spectrum σ = (1, 0.5, 0.25).
const SIGMA: [f64; 3] = [1.0, 0.5, 0.25];

/// The catalogue's α sweep.
const ALPHAS: [f64; 3] = [1e-3, 1e-6, 1e-9];

/// The instance `M⋆ = V diag(σ) Vᵀ` for an explicit PSD spectrum.
fn spectrum_instance(p: &Params, claim: &str, ctx: &ClaimCtx) -> Result<(Instance, Vec<f64>)> {
    let sigma = p.f64s("sigma");
    let spec = LowRankSpec {
        n: p.usize("n"),
        spectrum: Some(sigma.clone()),
        ..Default::default()
    };
    Ok((instance(spec, ctx.base_seed, claim)?, sigma))
}

fn lr5() -> Claim {
    Claim {
        id: "LR-5",
        title: "Plateau timing: XXᵀ reaches the rank-s solution at T_s ≈ log(1/α)/(ησ_s), in order",
        source: SOURCE,
        statement: "With small initialization GD acts as greedy low-rank learning: XXᵀ reaches the rank-s \
                    solution at T_s^α ≈ log(1/α)/(ησ_s), for s = 1, 2, … in order. Discrete prediction: \
                    direction s grows by (1 + ησ_s) per step, so ΔT_s = log(α₁/α₂)/log(1 + ησ_s).",
        quick: true,
        defaults: lr5_defaults,
        run: run_lr5,
        control: Some(NegativeControl {
            set: &[("alpha", "[1.0,0.3]")],
            reason: "α ≈ 1 is not small initialization: no separation of time scales, so ΔT_s is not \
                     log(α₁/α₂)/log(1 + ησ_s)",
            fails: "ΔT_",
        }),
    }
}

fn lr5_defaults() -> Params {
    Params::new()
        .int("n", 20, Domain::AtLeast(1.0), "dimension")
        .int("k", 20, Domain::AtLeast(1.0), "factor rank (k = n)")
        .floats(
            "sigma",
            &SIGMA,
            Domain::Positive,
            "spectrum σ₁ > σ₂ > … of M⋆ (at most 8 values)",
        )
        .float("eta", 0.1, Domain::Positive, "step size")
        .floats(
            "alpha",
            &ALPHAS,
            Domain::Positive,
            "init scales (decreasing), X₀ = αG/√n; ΔT_s compares the first and the last",
        )
        .int("iters", 5000, Domain::AtLeast(1.0), "iteration cap T")
}

fn run_lr5(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (k, eta, iters) = (p.usize("k"), p.f64("eta"), p.u64("iters"));
    let (inst, sigma) = spectrum_instance(p, "LR-5", ctx)?;
    let alphas = plateau_alphas(p)?;
    let (metrics, all) = plateau_metrics(&sigma);
    let cases = alphas
        .iter()
        .map(|&a| {
            let init = InitSpec::symmetric(a, InitScaling::SqrtN);
            case(
                format!("alpha={a}"),
                &inst,
                Method::Gd { eta },
                k,
                init,
                all.clone(),
                LowRankMetric::AbsErr,
                StopRule::max_iter(iters),
            )
        })
        .collect();
    let traces = ctx.run(build(cases)?)?;
    const REFERENCE: [f64; 3] = [145.0, 283.0, 559.0];
    let plateaus = Plateaus {
        alphas: &alphas,
        sigma: &sigma,
        eta,
        k: None,
        tol: 0.03,
        delta_refs: if p.at_defaults(lr5_defaults, &[]) {
            &REFERENCE
        } else {
            &[]
        },
        ratio_refs: None,
    };
    let times = plateaus.times(&traces, &metrics);
    let m = plateaus.measure(&times);
    let mut series = plateaus.curves(&traces, &metrics, f64::INFINITY, |a| format!("α={a}"));
    // Predicted hitting times T_s(α) = T_s(α₁) + log(α₁/α)/log(1 + ησ_s), drawn as dashed
    // vertical segments from the thresholds σ_s/2 down to the smallest initial eigenvalue.
    let floor = plateau_floor(&traces, &metrics);
    for &a in &alphas[1..] {
        for (s, &sig) in sigma.iter().enumerate() {
            let t = times[0][s] + plateau_delay(alphas[0], a, eta, sig);
            if t.is_finite() {
                series.push(dashed(
                    format!("predicted T_{}(α={a})", s + 1),
                    vec![(t, floor), (t, sig / 2.0)],
                ));
            }
        }
    }
    let fig = log_figure(
        "Greedy low-rank learning: eigenvalues of XXᵀ rise one at a time",
        "iteration t",
        "λ_s(X_tX_tᵀ)",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}

fn lr6() -> Claim {
    Claim {
        id: "LR-6",
        title: "GLRL proximity: GD passes close to each rank-s solution, closer as α → 0",
        source: SOURCE,
        statement: "GD from a small initialization passes close to each best rank-s solution M_s, \
                    with a distance min_t ‖X_tX_tᵀ − M_s‖_F that vanishes as α → 0.",
        quick: true,
        defaults: lr6_defaults,
        run: run_lr6,
        control: Some(NegativeControl {
            set: &[("sigma", "[1.0,0.99,0.25]")],
            reason: "σ₁ ≈ σ₂: without an eigen-gap GD learns the top two directions together, so it never \
                     passes near M_1 and d_1 does not shrink as α → 0",
            fails: "d_1(alpha=",
        }),
    }
}

fn lr6_defaults() -> Params {
    Params::new()
        .int("n", 20, Domain::AtLeast(1.0), "dimension")
        .int("k", 20, Domain::AtLeast(1.0), "factor rank (k = n)")
        .floats(
            "sigma",
            &SIGMA,
            Domain::Positive,
            "spectrum σ₁ > σ₂ > … of M⋆",
        )
        .float("eta", 0.1, Domain::Positive, "step size")
        .floats(
            "alpha",
            &ALPHAS,
            Domain::Positive,
            "init scales (decreasing), X₀ = αG",
        )
        .ints(
            "s",
            &[1, 2],
            Domain::AtLeast(1.0),
            "ranks s of the intermediate solutions M_s (s < r⋆, s ≤ 8)",
        )
        .int("iters", 4000, Domain::AtLeast(1.0), "iterations T")
}

/// A d_s below this is at round-off: the ratio criterion passes.
const LR6_FLOOR: f64 = 1e-12;

fn run_lr6(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (k, eta, iters) = (p.usize("k"), p.f64("eta"), p.u64("iters"));
    let (inst, sigma) = spectrum_instance(p, "LR-6", ctx)?;
    let alphas = p.sweep_f64s("alpha")?;
    let ranks = p.usizes("s");
    if let Some(s) = ranks.iter().find(|&&s| s >= sigma.len()) {
        return Err(Error::invalid(
            "s",
            format!(
                "d_s divides by σ_(s+1), so s must be < r⋆ = {}, got {s}",
                sigma.len()
            ),
        ));
    }
    let metrics: Vec<LowRankMetric> = ranks.iter().map(|&s| LowRankMetric::DistRank(s)).collect();
    let abs = LowRankMetric::AbsErr;
    let mut all = vec![abs];
    all.extend(&metrics);
    let cases = alphas
        .iter()
        .map(|&a| {
            let init = InitSpec::symmetric(a, InitScaling::Plain);
            case(
                format!("alpha={a}"),
                &inst,
                Method::Gd { eta },
                k,
                init,
                all.clone(),
                abs,
                StopRule::max_iter(iters),
            )
        })
        .collect();
    let traces = ctx.run(build(cases)?)?;
    let defaults = p.at_defaults(lr6_defaults, &[]);
    let floor = LR6_FLOOR;
    let mut m = Vec::new();
    let mut series = Vec::new();
    // The catalogue's 0.06 / 0.001 / ≈ 0 (no number for α = 1e-9, and no s given).
    const REFERENCE: [Option<f64>; 3] = [Some(0.06), Some(0.001), None];
    for (&s, mm) in ranks.iter().zip(&metrics) {
        let scale = sigma[s];
        // d_s(α) = min_t ‖X_tX_tᵀ − M_s‖_F / σ_(s+1).
        let d: Vec<f64> = traces
            .iter()
            .map(|tr| tr.values(mm.name()).into_iter().fold(f64::NAN, f64::min) / scale)
            .collect();
        for (i, (&a, &v)) in alphas.iter().zip(&d).enumerate() {
            let mut meas = Measurement::report(format!("d_{s}[alpha={a}]"), v);
            if let (true, Some(r)) = (defaults, REFERENCE[i]) {
                meas = meas.with_reference(r);
            }
            m.push(meas);
        }
        for i in 1..alphas.len() {
            let (a0, a1) = (alphas[i - 1], alphas[i]);
            let ratio = d[i - 1] / d[i];
            let need = 10f64.powf((a0 / a1).log10() / 3.0);
            m.push(Measurement::check(
                format!("d_{s}(alpha={a0})/d_{s}(alpha={a1})"),
                ratio,
                format!("≥ {need:.3} (10× per 1e3× decrease of α), or d_{s}(alpha={a1}) < {floor:e} (round-off)"),
                ratio >= need || d[i] < floor,
            ));
        }
        for (&a, tr) in alphas.iter().zip(&traces) {
            let pts = curve(tr, mm.name())
                .into_iter()
                .map(|(t, v)| (t, v / scale))
                .collect();
            series.push(line(format!("‖XXᵀ−M_{s}‖_F/σ_{}, α={a}", s + 1), pts));
        }
    }
    let fig = log_figure(
        "GLRL: distance to the best rank-s solutions",
        "iteration t",
        "‖X_tX_tᵀ − M_s‖_F / σ_(s+1)",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}

fn lr7() -> Claim {
    Claim {
        id: "LR-7",
        title: "Under-parameterized GD converges to the best rank-k solution M_k",
        source: SOURCE,
        statement: "In the under-parameterized regime (k < r⋆), GD from a small initialization converges \
                    to the best rank-k solution M_k; the residual ‖XXᵀ − M⋆‖_F then equals ‖(σ_(k+1), …)‖₂.",
        quick: true,
        defaults: lr7_defaults,
        run: run_lr7,
        control: Some(NegativeControl {
            set: &[("sigma", "[1.0,0.5,0.5]")],
            reason: "σ₂ = σ₃: the best rank-2 solution is not unique, GD converges to some rank-2 matrix of the \
                     tied eigenspace, not to the M_2 the claim names",
            fails: "‖X_TX_Tᵀ − M_2‖_F",
        }),
    }
}

fn lr7_defaults() -> Params {
    Params::new()
        .int("n", 20, Domain::AtLeast(1.0), "dimension")
        .floats(
            "sigma",
            &SIGMA,
            Domain::Positive,
            "spectrum σ₁ > σ₂ > … of M⋆",
        )
        .ints(
            "k",
            &[1, 2],
            Domain::AtLeast(1.0),
            "factor ranks (claim: k < r⋆, k ≤ 8)",
        )
        .float("alpha", 1e-6, Domain::Positive, "init scale, X₀ = αG")
        .float("eta", 0.1, Domain::Positive, "step size")
        .int("iters", 3000, Domain::AtLeast(1.0), "iterations T")
}

/// Pass threshold on ‖X_TX_Tᵀ − M_k‖_F.
const LR7_TOL: f64 = 1e-10;
/// Relative tolerance of ‖X_TX_Tᵀ − M⋆‖_F = ‖(σ_(k+1), …)‖₂.
const LR7_TAIL_TOL: f64 = 1e-8;

fn run_lr7(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (eta, iters, tol, tail_tol) = (p.f64("eta"), p.u64("iters"), LR7_TOL, LR7_TAIL_TOL);
    let (inst, sigma) = spectrum_instance(p, "LR-7", ctx)?;
    let ks = p.usizes("k");
    let r = sigma.len();
    if let Some(k) = ks.iter().find(|&&k| k >= r) {
        return Err(Error::invalid(
            "k",
            format!("the claim is about under-parameterized k < r⋆ = {r}, got k = {k}"),
        ));
    }
    let abs = LowRankMetric::AbsErr;
    let init = InitSpec::symmetric(p.f64("alpha"), InitScaling::Plain);
    let cases = ks
        .iter()
        .map(|&k| {
            let metrics = vec![abs, LowRankMetric::DistRank(k)];
            case(
                format!("k={k}"),
                &inst,
                Method::Gd { eta },
                k,
                init.clone(),
                metrics,
                abs,
                StopRule::max_iter(iters),
            )
        })
        .collect();
    let traces = ctx.run(build(cases)?)?;
    let defaults = p.at_defaults(lr7_defaults, &[]);
    let mut m = Vec::new();
    let mut series = Vec::new();
    for (&k, tr) in ks.iter().zip(&traces) {
        let dist_name = LowRankMetric::DistRank(k).name();
        let dist = tr.value_at(dist_name, iters).unwrap_or(f64::NAN);
        let mut meas = Measurement::check(
            format!("‖X_TX_Tᵀ − M_{k}‖_F [k={k}]"),
            dist,
            format!("< {tol:e} (under-parameterized: k < r⋆ = {r})"),
            dist < tol,
        );
        if defaults {
            meas = meas.with_reference(2e-15);
        }
        m.push(meas);
        let tail = inst.truth().tail_norm(k);
        let err = tr.value_at("abs_err", iters).unwrap_or(f64::NAN);
        m.push(Measurement::report(format!("‖X_TX_Tᵀ − M⋆‖_F [k={k}]"), err).with_reference(tail));
        let dev = rel_diff(err, tail);
        m.push(Measurement::check(
            format!("|‖X_TX_Tᵀ − M⋆‖_F − tail|/tail [k={k}]"),
            dev,
            format!(
                "< {tail_tol:e}: the residual equals the tail norm ‖(σ_{}, …)‖₂ = {tail:.6}",
                k + 1
            ),
            dev < tail_tol,
        ));
        series.push(line(format!("‖XXᵀ−M_{k}‖_F, k={k}"), curve(tr, dist_name)));
        series.push(line(format!("‖XXᵀ−M⋆‖_F, k={k}"), curve(tr, "abs_err")));
        series.push(dashed(
            format!("tail norm ‖(σ_{}, …)‖₂", k + 1),
            vec![(0.0, tail), (iters as f64, tail)],
        ));
    }
    let fig = log_figure(
        "Under-parameterized GD converges to M_k",
        "iteration t",
        "Frobenius distance",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
