//! MS-1, MS-2 (Xu, Shen, Chi, Ma): ScaledGD(λ) in over-parameterized matrix sensing.

use super::analysis::{damping, gd_slowdown, hitting_spread, predicted_tail, scaledgd_rate};
use super::common::{build, case, extreme_eigs, seeded, sensing_instance};
use crate::case::Method;
use ratebench_core::{Result, StopRule};
use ratebench_harness::claims::{
    curve, line, log_figure, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::fit::{hit_or_nan, two_point_rate};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric};
use ratebench_sensing::{Noise, SensingSpec};

pub fn claims() -> Vec<Claim> {
    vec![ms1(), ms2()]
}

const SOURCE: &str =
    "Xu, Shen, Chi, Ma — ScaledGD(λ) for over-parameterized low-rank matrix sensing";

/// ScaledGD(λ) stops once the relative error is below this.
const MS1_TARGET: f64 = 1e-12;
/// The T(ε) threshold and lower edge of the two-point rate.
const MS1_EPS: f64 = 1e-10;
/// The upper edge of the two-point rate.
const MS1_EPS_HI: f64 = 1e-4;
/// ρ̂ ∈ [ρ − tol, ρ + tol].
const MS1_RHO_TOL: f64 = 0.05;
/// The GD comparator's target T_GD(ε).
const MS1_GD_EPS: f64 = 1e-6;

fn ms1() -> Claim {
    Claim {
        id: "MS-1",
        title: "ScaledGD(λ) in over-parameterized sensing: κ-independent linear rate; GD's iteration count grows with κ",
        source: SOURCE,
        statement: "In over-parameterized matrix sensing (k > r⋆, small initialization, RIP), after a short \
                    phase logarithmic in κ and n ScaledGD(λ) converges at a constant linear rate \
                    1 − ησ_min/(σ_min + λ) (0.75 at η = 0.5, λ = σ_min) independent of κ for λ ∝ σ_min; \
                    vanilla GD needs polynomially many (in κ) iterations.",
        quick: true,
        defaults: ms1_defaults,
        run: run_ms1,
        control: Some(NegativeControl {
            set: &[("lambda_power", "0"), ("lambda", "0.1"), ("iters", "2000")],
            reason: "λ = 0.1 for every κ instead of λ ∝ σ_min: the rate 1 − ησ_min/(σ_min + λ) now depends on κ, \
                     so the hitting times T(1e-10) spread far beyond ×1.5",
            fails: "max/min T(1e-10) over kappa",
        }),
    }
}

fn ms1_defaults() -> Params {
    Params::new()
        .int("n", 10, Domain::AtLeast(1.0), "dimension of M⋆")
        .int("r", 2, Domain::AtLeast(1.0), "rank r⋆")
        .int(
            "k",
            4,
            Domain::AtLeast(1.0),
            "factor rank (over-parameterized, k > r⋆)",
        )
        .int(
            "m",
            20000,
            Domain::AtLeast(1.0),
            "measurements (RIP regime: √(n/m)‖M⋆‖_F ≪ σ_min)",
        )
        .floats(
            "kappa",
            &[10.0, 100.0],
            Domain::AtLeast(1.0),
            "condition numbers, σ = linspace(1, 1/κ, r⋆)",
        )
        .float("eta", 0.5, Domain::Positive, "ScaledGD(λ) step size")
        .float(
            "lambda",
            1.0,
            Domain::Positive,
            "damping constant c in λ = c·σ_min^p·σ₁^(1−p)",
        )
        .float(
            "lambda_power",
            1.0,
            Domain::AtLeast(0.0),
            "exponent p of σ_min in λ (the claim: p = 1, λ ∝ σ_min)",
        )
        .float("alpha", 1e-8, Domain::Positive, "init scale, X₀ = αG/√n")
        .ints(
            "seeds",
            &[0, 1],
            Domain::AtLeast(0.0),
            "seeds of the data (M⋆, operator) and of the initialization",
        )
        .int(
            "iters",
            600,
            Domain::AtLeast(1.0),
            "ScaledGD(λ) iteration cap T",
        )
        .float(
            "gd_eta",
            0.5,
            Domain::Positive,
            "GD comparator step in units of 1/σ₁",
        )
        .int(
            "gd_iters",
            20_000,
            Domain::AtLeast(1.0),
            "GD comparator iteration cap",
        )
}

/// Catalogue references of MS-1: `(ρ̂, max/min T(ε), T_GD ratio)` at m = 20000, the
/// midpoints of the prototype's seed 0–9 ranges (0.734–0.757, 1.09–1.19, 8.5–8.7).
const MS1_REF_20000: (f64, f64, f64) = (0.7455, 1.14, 8.6);

fn run_ms1(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (n, r, k, m_meas) = (p.usize("n"), p.usize("r"), p.usize("k"), p.usize("m"));
    let (eta, alpha) = (p.f64("eta"), p.f64("alpha"));
    let kappas = p.sweep_f64s("kappa")?;
    let seeds: Vec<u64> = p.usizes("seeds").into_iter().map(|s| s as u64).collect();
    let (eps, eps_hi, gd_eps) = (MS1_EPS, MS1_EPS_HI, MS1_GD_EPS);
    let mut predicted = Vec::new();
    let init = InitSpec::symmetric(alpha, InitScaling::SqrtN);
    let rel = LowRankMetric::RelErr;
    let mut cases = Vec::new();
    for &kappa in &kappas {
        for &seed in &seeds {
            let spec = SensingSpec {
                n,
                r,
                kappa,
                m: m_meas,
                ..Default::default()
            };
            let inst = sensing_instance(spec, ctx.base_seed, "MS-1", seed)?;
            let (sigma_min, sigma_1) = extreme_eigs(&inst);
            let label = format!("kappa={kappa},seed={seed}");
            let lambda = damping(p.f64("lambda"), p.f64("lambda_power"), sigma_min, sigma_1);
            predicted.push(scaledgd_rate(eta, lambda, &inst.truth().spectrum(), true));
            let sgd = Method::ScaledGd { eta, lambda };
            let stop = StopRule::max_iter(p.u64("iters")).with_target("rel_err", MS1_TARGET);
            let c = case(
                label.clone(),
                &inst,
                sgd,
                k,
                init.clone(),
                vec![rel],
                rel,
                stop,
            );
            cases.push(seeded(c, seed));
            // GD comparator: step 0.5/σ₁, same X₀ (same k and init seed), run to 1e-6.
            let gd = Method::Gd {
                eta: p.f64("gd_eta") / sigma_1,
            };
            let stop = StopRule::max_iter(p.u64("gd_iters")).with_target("rel_err", gd_eps);
            let c = case(label, &inst, gd, k, init.clone(), vec![rel], rel, stop);
            cases.push(seeded(c, seed));
        }
    }
    let traces = ctx.run(build(cases)?)?;
    let at = |ki: usize, si: usize| 2 * (ki * seeds.len() + si);
    let rho_tol = MS1_RHO_TOL;
    // References: m = 20000 (the default) or the catalogue's m = 5000 runs.
    let ref20000 = p.at_defaults(ms1_defaults, &[]);
    let ref5000 = m_meas == 5000 && p.at_defaults(ms1_defaults, &["m"]);
    let mut m = Vec::new();
    let mut series = Vec::new();
    for (si, &seed) in seeds.iter().enumerate() {
        let mut t_eps = Vec::new();
        let mut t_gd = Vec::new();
        for (ki, &kappa) in kappas.iter().enumerate() {
            let (sgd, gd) = (&traces[at(ki, si)], &traces[at(ki, si) + 1]);
            let e = sgd.series("rel_err");
            let rho_pred = predicted[at(ki, si) / 2];
            let t = hit_or_nan(&e, eps);
            let mut meas = Measurement::report(format!("T({eps:e})[kappa={kappa},seed={seed}]"), t);
            if ref5000 {
                // 109–113 (κ = 10) and 89–93 (κ = 100) across seeds.
                if kappa == 10.0 {
                    meas = meas.with_reference(111.0);
                } else if kappa == 100.0 {
                    meas = meas.with_reference(91.0);
                }
            }
            m.push(meas);
            t_eps.push(t);
            let rho = two_point_rate(&e, eps_hi, eps);
            let mut meas = Measurement::check(
                format!("rho_hat[kappa={kappa},seed={seed}]"),
                rho,
                format!(
                    "∈ [{:.4}, {:.4}] (prediction 1 − ησ_min/(σ_min+λ) = {rho_pred:.4}); two-point slope between the first crossings of {eps_hi:e} and {eps:e}",
                    rho_pred - rho_tol,
                    rho_pred + rho_tol
                ),
                (rho - rho_pred).abs() <= rho_tol,
            );
            if ref20000 {
                meas = meas.with_reference(MS1_REF_20000.0);
            } else if ref5000 {
                meas = meas.with_reference(0.76);
            }
            m.push(meas);
            let tg = hit_or_nan(&gd.series("rel_err"), gd_eps);
            let mut meas =
                Measurement::report(format!("T_GD({gd_eps:e})[kappa={kappa},seed={seed}]"), tg);
            if ref5000 {
                if kappa == 10.0 {
                    meas = meas.with_reference(551.0);
                } else if kappa == 100.0 {
                    meas = meas.with_reference(4777.0);
                }
            }
            m.push(meas);
            t_gd.push(tg);
            series.push(line(
                format!("ScaledGD(λ) κ={kappa}, seed {seed}"),
                curve(sgd, "rel_err"),
            ));
            series.push(line(
                format!("GD κ={kappa}, seed {seed}"),
                curve(gd, "rel_err"),
            ));
        }
        m.push(
            hitting_spread(
                format!("max/min T({eps:e}) over kappa [seed={seed}]"),
                &t_eps,
            )
            .with_maybe_reference(ref20000.then_some(MS1_REF_20000.1)),
        );
        let gd_ref = if ref20000 {
            Some(MS1_REF_20000.2)
        } else {
            ref5000.then_some(4777.0 / 551.0)
        };
        m.extend(gd_slowdown(
            &kappas,
            &t_gd,
            &format!(" [seed={seed}]"),
            gd_ref,
        ));
    }
    series.extend(predicted_tail(traces.first(), eps_hi, predicted[0], 200));
    let mut figure = log_figure(
        "ScaledGD(λ) vs GD in over-parameterized sensing across κ",
        "iteration t",
        "relative error ‖XXᵀ−M⋆‖_F/‖M⋆‖_F",
        series,
    );
    figure.log_x = true;
    let message = if ref20000 {
        "References at m = 20000 are the midpoints of the prototype's seed 0–9 ranges: \
         ρ̂ 0.734–0.757, max/min T(1e-10) 1.09–1.19, T_GD ratio 8.5–8.7."
            .to_string()
    } else {
        String::new()
    };
    Ok(ClaimOutput::new(m, figure).with_message(message))
}

fn ms2() -> Claim {
    Claim {
        id: "MS-2",
        title: "ScaledGD(λ) with noise: the error floor scales with r⋆, not k (exploratory)",
        source: SOURCE,
        statement: "With noisy measurements the ScaledGD(λ) error is minimax-optimal up to a κ factor, and \
                    the sample complexity scales with r⋆, not with the factor rank k. Exploratory: the \
                    errors are recorded, no pass criterion.",
        quick: true,
        defaults: ms2_defaults,
        run: run_ms2,
        control: None,
    }
}

fn ms2_defaults() -> Params {
    Params::new()
        .int("n", 10, Domain::AtLeast(1.0), "dimension of M⋆")
        .int("r", 2, Domain::AtLeast(1.0), "rank r⋆")
        .int("m", 5000, Domain::AtLeast(1.0), "measurements")
        .float(
            "kappa",
            10.0,
            Domain::AtLeast(1.0),
            "condition number, σ = linspace(1, 1/κ, r⋆)",
        )
        .float("eta", 0.5, Domain::Positive, "ScaledGD(λ) step size")
        .float(
            "lambda",
            1.0,
            Domain::Positive,
            "damping λ in units of σ_min",
        )
        .float("alpha", 1e-8, Domain::Positive, "init scale, X₀ = αG/√n")
        .float(
            "sigma",
            1e-2,
            Domain::AtLeast(0.0),
            "noise level, ξ_i ~ N(0, σ²)",
        )
        .ints("k", &[2, 4, 10], Domain::AtLeast(1.0), "factor ranks")
        .int("iters", 3000, Domain::AtLeast(1.0), "iterations T")
        .ints(
            "t",
            &[100, 300, 1000, 3000],
            Domain::AtLeast(0.0),
            "iterations at which the error is recorded (≤ T)",
        )
        .int(
            "seed",
            0,
            Domain::AtLeast(0.0),
            "seed of the data (M⋆, operator, noise) and of the initialization",
        )
}

fn run_ms2(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (n, r, iters, seed) = (p.usize("n"), p.usize("r"), p.u64("iters"), p.u64("seed"));
    let spec = SensingSpec {
        n,
        r,
        kappa: p.f64("kappa"),
        m: p.usize("m"),
        noise: Noise::Gaussian {
            sigma: p.f64("sigma"),
        },
        ..Default::default()
    };
    let inst = sensing_instance(spec, ctx.base_seed, "MS-2", seed)?;
    let (sigma_min, _) = extreme_eigs(&inst);
    let method = Method::ScaledGd {
        eta: p.f64("eta"),
        lambda: p.f64("lambda") * sigma_min,
    };
    let init = InitSpec::symmetric(p.f64("alpha"), InitScaling::SqrtN);
    let abs = LowRankMetric::AbsErr;
    let ks = p.usizes("k");
    let cases = ks
        .iter()
        .map(|&k| {
            let c = case(
                format!("k={k}"),
                &inst,
                method.clone(),
                k,
                init.clone(),
                vec![abs],
                abs,
                StopRule::max_iter(iters),
            );
            seeded(c, seed)
        })
        .collect();
    let traces = ctx.run(build(cases)?)?;
    let defaults = p.at_defaults(ms2_defaults, &[]);
    let mut m = Vec::new();
    let mut series = Vec::new();
    let mut finals = Vec::new();
    for (&k, tr) in ks.iter().zip(&traces) {
        for t in p.usizes("t") {
            let t = t as u64;
            // NaN when t lies beyond the run (T < t, or a diverged run).
            let e = tr.value_at("abs_err", t).unwrap_or(f64::NAN);
            let mut meas = Measurement::report(format!("‖X_tX_tᵀ − M⋆‖_F [k={k},t={t}]"), e);
            if defaults && t == iters {
                match k {
                    2 => meas = meas.with_reference(3.3e-2),
                    10 => meas = meas.with_reference(5.7e-2),
                    _ => {}
                }
            }
            m.push(meas);
        }
        finals.push(tr.value_at("abs_err", iters).unwrap_or(f64::NAN));
        series.push(line(format!("ScaledGD(λ) k={k}"), curve(tr, "abs_err")));
    }
    if finals.len() >= 2 {
        let (k0, k1) = (ks[0], *ks.last().expect("non-empty"));
        let ratio = finals[finals.len() - 1] / finals[0];
        m.push(Measurement::report(
            format!("e_T(k={k1})/e_T(k={k0})"),
            ratio,
        ));
    }
    let mut fig = log_figure(
        "ScaledGD(λ) with noisy measurements: error against k",
        "iteration t",
        "‖XXᵀ−M⋆‖_F",
        series,
    );
    fig.log_x = true;
    Ok(ClaimOutput::new(m, fig).with_message(
        "Exploratory: the catalogue's reference (≈ 3.3e-2 for k = 2 vs 5.7e-2 for k = 10) \
         is not cleanly k-independent.",
    ))
}
