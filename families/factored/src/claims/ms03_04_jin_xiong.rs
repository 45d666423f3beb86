//! MS-3 (Xiong, Ding, Du): the over-parameterized 1/T law under sensing, and MS-4 (Jin, Li,
//! Lyu, Du, Lee): plateau timing of greedy low-rank learning under RIP sensing.

use super::analysis::{
    plateau_alphas, plateau_delay, plateau_floor, plateau_metrics, InverseLaw, Plateaus,
};
use super::common::{build, case, seeded, sensing_instance};
use crate::case::{Instance, Method};
use ratebench_core::{Result, StopRule};
use ratebench_harness::claims::{
    curve, dashed, line, log_figure, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::fit::hit_or_nan;
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric};
use ratebench_sensing::SensingSpec;

pub fn claims() -> Vec<Claim> {
    vec![ms3(), ms4()]
}

const XIONG: &str =
    "Xiong, Ding, Du — How over-parameterization slows down gradient descent in matrix sensing";

const JIN: &str =
    "Jin, Li, Lyu, Du, Lee — Understanding incremental learning of gradient descent: \
                   a fine-grained analysis of matrix sensing";

/// A normalized GOE sensing instance of `M⋆ = U diag(σ, −λ₂, …) Uᵀ` with `m` measurements
/// (`n − r` eigenvalues `−lambda2` appended when `lambda2 > 0`).
fn spectrum_instance(
    n: usize,
    sigma: &[f64],
    lambda2: f64,
    m: usize,
    claim: &str,
    seed: u64,
    ctx: &ClaimCtx,
) -> Result<Instance> {
    let mut spectrum = sigma.to_vec();
    if lambda2 > 0.0 {
        spectrum.extend(std::iter::repeat_n(-lambda2, n.saturating_sub(sigma.len())));
    }
    let spec = SensingSpec {
        n,
        r: sigma.len(),
        spectrum: Some(spectrum),
        m,
        ..Default::default()
    };
    sensing_instance(spec, ctx.base_seed, claim, seed)
}

fn ms3() -> Claim {
    Claim {
        id: "MS-3",
        title: "Symmetric over-parameterized GD follows a 1/T law in matrix sensing",
        source: XIONG,
        statement:
            "For k > r, GD from a random initialization converges sublinearly under sensing too: \
                    ‖XXᵀ − M⋆‖_F decays like 1/T, with the factorization constant √(k−r)/(2ηt); \
                    for k = r convergence is linear.",
        quick: true,
        defaults: ms3_defaults,
        run: run_ms3,
        control: Some(NegativeControl {
            set: &[("lambda2", "0.05")],
            reason: "M⋆ indefinite (eigenvalues −0.05): XXᵀ cannot fit the negative part, the error tends to \
                     ‖M₋‖_F and 1/e flattens instead of growing like 2ηt/√(k−r)",
            fails: "slope of 1/e",
        }),
    }
}

fn ms3_defaults() -> Params {
    Params::new()
        .int("n", 10, Domain::AtLeast(1.0), "dimension")
        .floats(
            "sigma",
            &[1.0, 0.5],
            Domain::Positive,
            "spectrum σ of M⋆ (r = its length)",
        )
        .float(
            "lambda2",
            0.0,
            Domain::AtLeast(0.0),
            "magnitude of n − r negative eigenvalues appended to σ (0: PSD M⋆, as the claim assumes)",
        )
        .int(
            "k",
            3,
            Domain::AtLeast(1.0),
            "factor rank (the law needs k > r)",
        )
        .ints(
            "m",
            &[1000, 3000],
            Domain::AtLeast(1.0),
            "measurements (sensing error biases the slope low at small m)",
        )
        .float("eta", 0.1, Domain::Positive, "step size")
        .float("alpha", 0.1, Domain::Positive, "init scale, X₀ = αG")
        .int("iters", 4000, Domain::AtLeast(1.0), "iterations T (fit window [0.375T, T))")
        .int(
            "control_m",
            1000,
            Domain::AtLeast(1.0),
            "measurements of the exactly parameterized control (k = r)",
        )
        .int(
            "seed",
            0,
            Domain::AtLeast(0.0),
            "seed of the data (M⋆, operator) and of the initialization",
        )
}

/// The catalogue's window `[1500, 4000)` of `T = 4000`, scaled with `T`.
const MS3_WINDOW: f64 = 0.375;
/// The error the exactly parameterized control must reach within T.
const MS3_CONTROL_EPS: f64 = 1e-10;

fn run_ms3(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (n, k, eta, iters, seed) = (
        p.usize("n"),
        p.usize("k"),
        p.f64("eta"),
        p.u64("iters"),
        p.u64("seed"),
    );
    let sigma = p.f64s("sigma");
    let r = sigma.len();
    InverseLaw::validate(k, r)?;
    let lambda2 = p.f64("lambda2");
    let ms = p.usizes("m");
    let (control_m, control_eps) = (p.usize("control_m"), MS3_CONTROL_EPS);
    let abs = LowRankMetric::AbsErr;
    let init = InitSpec::symmetric(p.f64("alpha"), InitScaling::Plain);
    let mut cases = Vec::new();
    for &m_meas in &ms {
        let inst = spectrum_instance(n, &sigma, lambda2, m_meas, "MS-3", seed, ctx)?;
        let c = case(
            format!("m={m_meas},k={k}"),
            &inst,
            Method::Gd { eta },
            k,
            init.clone(),
            vec![abs],
            abs,
            StopRule::max_iter(iters),
        );
        cases.push(seeded(c, seed));
    }
    // Control: exact parameterization k = r converges linearly.
    let inst = spectrum_instance(n, &sigma, lambda2, control_m, "MS-3", seed, ctx)?;
    let c = case(
        format!("m={control_m},k={r}"),
        &inst,
        Method::Gd { eta },
        r,
        init.clone(),
        vec![abs],
        abs,
        StopRule::max_iter(iters).with_target("abs_err", control_eps),
    );
    cases.push(seeded(c, seed));
    let traces = ctx.run(build(cases)?)?;
    let defaults = p.at_defaults(ms3_defaults, &[]);
    let lo = (MS3_WINDOW * iters as f64).round() as u64;
    let mut m = Vec::new();
    let mut series = Vec::new();
    let mut law = InverseLaw {
        eta,
        k,
        r,
        window: (lo, iters),
        tol: 0.10,
        suffix: String::new(),
        note: format!(" (needs k > r = {r})"),
    };
    for (&m_meas, tr) in ms.iter().zip(&traces) {
        law.suffix = format!(" on [{lo}, {iters}) [m={m_meas}]");
        let [slope, ll] = law.measure(tr);
        let reference = match (defaults, m_meas) {
            (true, 1000) => Some(0.187),
            (true, 3000) => Some(0.198),
            _ => None,
        };
        m.push(slope.with_maybe_reference(reference));
        m.push(ll);
        series.push(line(format!("GD k={k}, m={m_meas}"), curve(tr, "abs_err")));
    }
    let control = traces.last().expect("control run");
    let t_control = hit_or_nan(&control.series("abs_err"), control_eps);
    m.push(
        Measurement::check(
            format!("control T({control_eps:e}) [k=r={r},m={control_m}]"),
            t_control,
            format!("reaches {control_eps:e} within T = {iters} (linear convergence at k = r)"),
            t_control.is_finite(),
        )
        .with_maybe_reference(defaults.then_some(494.0)),
    );
    series.push(line(
        format!("control GD k=r={r}, m={control_m}"),
        curve(control, "abs_err"),
    ));
    series.push(law.curve(iters));
    let mut fig = log_figure(
        "Over-parameterized GD in sensing: error ≈ √(k−r)/(2ηt); k = r converges linearly",
        "iteration t",
        "‖XXᵀ−M⋆‖_F",
        series,
    );
    fig.log_x = true;
    Ok(ClaimOutput::new(m, fig))
}

fn ms4() -> Claim {
    Claim {
        id: "MS-4",
        title: "Plateau timing in sensing: XXᵀ reaches the rank-s solution at T_s ≈ log(1/α)/(ησ_s), in order",
        source: JIN,
        statement: "Under RIP sensing, GD from a small initialization acts as greedy low-rank learning: \
                    XXᵀ reaches the rank-s solution at T_s^α ≈ log(1/α)/(ησ_s), for s = 1, 2, … in order. \
                    Discrete prediction: ΔT_s = log(α₁/α₂)/log(1 + ησ_s).",
        quick: true,
        defaults: ms4_defaults,
        run: run_ms4,
        control: Some(NegativeControl {
            set: &[("alpha", "[1.0,0.3]")],
            reason: "α ≈ 1 is not small initialization: no separation of time scales, so ΔT_s is not \
                     log(α₁/α₂)/log(1 + ησ_s)",
            fails: "ΔT_",
        }),
    }
}

fn ms4_defaults() -> Params {
    Params::new()
        .int("n", 10, Domain::AtLeast(1.0), "dimension")
        .int("m", 2000, Domain::AtLeast(1.0), "measurements")
        .ints(
            "k",
            &[10, 3],
            Domain::AtLeast(1.0),
            "factor ranks (k = n and k = r⋆)",
        )
        .floats(
            "sigma",
            &[1.0, 0.5, 0.25],
            Domain::Positive,
            "spectrum σ₁ > σ₂ > … of M⋆ (at most 8 values)",
        )
        .float("eta", 0.1, Domain::Positive, "step size")
        .floats(
            "alpha",
            &[1e-3, 1e-6, 1e-9],
            Domain::Positive,
            "init scales (decreasing), X₀ = αG/√n; ΔT_s compares the first and the last",
        )
        .int("iters", 5000, Domain::AtLeast(1.0), "iteration cap T")
        .int(
            "seed",
            0,
            Domain::AtLeast(0.0),
            "seed of the data (M⋆, operator) and of the initialization",
        )
}

/// The catalogue's ΔT_s/prediction (its k is not stated; attached to the first k).
const MS4_REFERENCE: [f64; 3] = [0.945, 1.024, 0.93];

fn run_ms4(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (n, eta, iters, seed) = (p.usize("n"), p.f64("eta"), p.u64("iters"), p.u64("seed"));
    let sigma = p.f64s("sigma");
    let alphas = plateau_alphas(p)?;
    let ks = p.usizes("k");
    let inst = spectrum_instance(n, &sigma, 0.0, p.usize("m"), "MS-4", seed, ctx)?;
    let (metrics, all) = plateau_metrics(&sigma);
    let mut cases = Vec::new();
    for &k in &ks {
        for &a in &alphas {
            let c = case(
                format!("k={k},alpha={a}"),
                &inst,
                Method::Gd { eta },
                k,
                InitSpec::symmetric(a, InitScaling::SqrtN),
                all.clone(),
                LowRankMetric::AbsErr,
                StopRule::max_iter(iters),
            );
            cases.push(seeded(c, seed));
        }
    }
    let traces = ctx.run(build(cases)?)?;
    let defaults = p.at_defaults(ms4_defaults, &[]);
    let a0 = alphas[0];
    let mut m = Vec::new();
    let mut series = Vec::new();
    for (ki, &k) in ks.iter().enumerate() {
        let runs = &traces[ki * alphas.len()..(ki + 1) * alphas.len()];
        let plateaus = Plateaus {
            alphas: &alphas,
            sigma: &sigma,
            eta,
            k: Some(k),
            tol: 0.12,
            delta_refs: &[],
            ratio_refs: Some(if defaults && ki == 0 {
                &MS4_REFERENCE
            } else {
                &[]
            }),
        };
        let times = plateaus.times(runs, &metrics);
        m.extend(plateaus.measure(&times));
        // The figure shows the first k only (the others give the same picture), cut a little
        // after the last plateau is reached.
        if ki > 0 {
            continue;
        }
        let t_last = times
            .iter()
            .flatten()
            .copied()
            .filter(|t| t.is_finite())
            .fold(0.0f64, f64::max);
        let t_end = if t_last > 0.0 {
            (1.3 * t_last).ceil().min(iters as f64)
        } else {
            iters as f64
        };
        series.extend(plateaus.curves(runs, &metrics, t_end, |a| format!("α={a:e}")));
        // Predicted T_s(α) = T_s(α₁) + log(α₁/α)/log(1 + ησ_s): dashed vertical segments
        // from the smallest initial eigenvalue up to the thresholds σ_s/2, one series per α
        // (segments separated by NaN, which the figures draw as gaps).
        let floor = plateau_floor(runs, &metrics);
        for &a in &alphas[1..] {
            let mut pts = Vec::new();
            for (s, &sig) in sigma.iter().enumerate() {
                let t = times[0][s] + plateau_delay(a0, a, eta, sig);
                if t.is_finite() {
                    if !pts.is_empty() {
                        pts.push((f64::NAN, f64::NAN));
                    }
                    pts.extend([(t, floor), (t, sig / 2.0)]);
                }
            }
            if !pts.is_empty() {
                series.push(dashed(format!("predicted T_s(α={a:e})"), pts));
            }
        }
    }
    let title = format!(
        "Greedy low-rank learning under sensing (k = {}): eigenvalues of XXᵀ rise one at a time",
        ks[0]
    );
    let fig = log_figure(&title, "iteration t", "λ_s(X_tX_tᵀ)", series);
    let message = if defaults {
        "The catalogue does not say which k its ΔT_s/prediction references belong to; they are \
         attached to the first k."
            .to_string()
    } else {
        String::new()
    };
    Ok(ClaimOutput::new(m, fig).with_message(message))
}
