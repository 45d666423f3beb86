//! LR-8 … LR-11 (Mohammadi, Tinati, Tu, Soltanolkotabi, Jovanović): the Schur-complement
//! cascade of Ẋ = (M − XXᵀ)X. With P = VᵀXXᵀV, S = P₂₂ − P₂₁P₁₁⁻¹P₁₂ obeys
//! Ṡ = −(Λ₂S + SΛ₂) − 2S²: O(1/t) when Λ₂ = 0 and k > r₊, exponential when Λ₂ ≻ 0, and
//! S ≡ 0 when k ≤ r₊.

use super::common::{build, case, instance};
use crate::case::{Instance, Method};
use ratebench_core::{Error, Result, StopRule, Trace};
use ratebench_harness::claims::{
    curve, dashed, line, log_figure, Claim, ClaimCtx, ClaimOutput, NegativeControl,
};
use ratebench_harness::fit::{inverse_slope, rel_diff, slope_or_nan, window_log_fit};
use ratebench_harness::params::{Domain, Params};
use ratebench_harness::results::Measurement;
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric, LowRankSpec};

pub fn claims() -> Vec<Claim> {
    vec![lr8(), lr9(), lr10(), lr11()]
}

const SOURCE: &str =
    "Mohammadi, Tinati, Tu, Soltanolkotabi, Jovanović — On the convergence of gradient flow \
                      for low-rank matrix factorization (Schur-complement cascade)";

/// The shared LR-8 … LR-11 setup: n = 10, V random orthogonal, η = 0.05, α = 0.3, X₀ = αG,
/// spectrum (σ, −λ₂, …, −λ₂).
fn shared(k: i64, iters: i64, lambda2: f64) -> Params {
    Params::new()
        .int("n", 10, Domain::AtLeast(1.0), "dimension")
        .floats("sigma", &[1.0, 0.5], Domain::Positive, "positive eigenvalues Λ₁ of M (r₊ = their number)")
        .float(
            "lambda2",
            lambda2,
            Domain::AtLeast(0.0),
            "magnitude of the n − r₊ negative eigenvalues (Λ₂ = lambda2·I; 0 gives the PSD spectrum (σ, 0, …))",
        )
        .int("k", k, Domain::AtLeast(1.0), "factor rank (k ≥ r₊ for the Schur complement)")
        .float("eta", 0.05, Domain::Positive, "step size")
        .float("alpha", 0.3, Domain::Positive, "init scale, X₀ = αG")
        .int("iters", iters, Domain::AtLeast(1.0), "iterations T")
}

/// The instance, its r₊ and λ_min(Λ₂) (0 for a PSD spectrum).
fn setup(p: &Params, claim: &str, ctx: &ClaimCtx) -> Result<(Instance, usize, f64)> {
    let (n, k, lambda2) = (p.usize("n"), p.usize("k"), p.f64("lambda2"));
    let mut spectrum = p.f64s("sigma");
    let r_plus = spectrum.len();
    if lambda2 > 0.0 {
        spectrum.extend(std::iter::repeat_n(-lambda2, n.saturating_sub(r_plus)));
    }
    if k < r_plus {
        return Err(Error::invalid(
            "k",
            format!("the Schur complement S needs X₁ (r₊ × k) of full row rank, so k ≥ r₊ = {r_plus}; got {k}"),
        ));
    }
    let spec = LowRankSpec {
        n,
        spectrum: Some(spectrum),
        ..Default::default()
    };
    let inst = instance(spec, ctx.base_seed, claim)?;
    let lmin = if lambda2 > 0.0 && n > r_plus {
        lambda2
    } else {
        0.0
    };
    Ok((inst, r_plus, lmin))
}

/// One GD run of the shared setup recording `metrics`.
fn run_one(
    p: &Params,
    ctx: &mut ClaimCtx,
    inst: &Instance,
    metrics: Vec<LowRankMetric>,
) -> Result<Trace> {
    let (k, eta, iters) = (p.usize("k"), p.f64("eta"), p.u64("iters"));
    let init = InitSpec::symmetric(p.f64("alpha"), InitScaling::Plain);
    let primary = LowRankMetric::AbsErr;
    let c = case(
        format!("k={k}"),
        inst,
        Method::Gd { eta },
        k,
        init,
        metrics,
        primary,
        StopRule::max_iter(iters),
    );
    Ok(ctx.run(build(vec![c])?)?.remove(0))
}

fn lr8() -> Claim {
    Claim {
        id: "LR-8",
        title: "Over-parameterized, the Schur complement decays as O(1/t): ηt‖S_t‖₂ → ½",
        source: SOURCE,
        statement: "A change of variables splits gradient flow into a cascade; the Schur complement to the \
                    principal eigenspace is autonomous and, when over-parameterized (k > r₊, Λ₂ = 0), vanishes at \
                    O(1/t). Derived constant: τ‖S‖₂ → ½ in flow time τ = ηt.",
        quick: true,
        defaults: lr8_defaults,
        run: run_lr8,
        control: Some(NegativeControl {
            set: &[("k", "2")],
            reason: "k = r₊: not over-parameterized, S ≡ 0 (round-off), so ηT‖S_T‖₂ → 0, not ½",
            fails: "ηT‖S_T‖₂",
        }),
    }
}

fn lr8_defaults() -> Params {
    shared(4, 20_000, 0.0)
}

/// ηt‖S_t‖₂ is reported at these fractions of T (the catalogue's 2000 … 2·10⁴ of T = 2·10⁴).
const LR8_CHECKPOINTS: [f64; 4] = [0.1, 0.25, 0.5, 1.0];

fn run_lr8(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (eta, iters) = (p.f64("eta"), p.u64("iters"));
    let (inst, r_plus, _) = setup(p, "LR-8", ctx)?;
    let schur = LowRankMetric::SchurNorm;
    let tr = run_one(p, ctx, &inst, vec![LowRankMetric::AbsErr, schur])?;
    let defaults = p.at_defaults(lr8_defaults, &[]);
    let name = schur.name();
    let mut m = Vec::new();
    const REFERENCE: [f64; 4] = [0.4965, 0.4985, 0.4992, 0.4996];
    let checkpoints: Vec<u64> = LR8_CHECKPOINTS
        .iter()
        .map(|f| (f * iters as f64).round() as u64)
        .collect();
    let (mut ts, mut ss) = (Vec::new(), Vec::new());
    for (i, &t) in checkpoints.iter().enumerate() {
        let s = if t <= iters {
            tr.value_at(name, t).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        let mut meas = Measurement::report(format!("ηt‖S_t‖₂ at t={t}"), eta * t as f64 * s);
        if defaults {
            meas = meas.with_reference(REFERENCE[i]);
        }
        m.push(meas);
        if s.is_finite() && s > 0.0 {
            ts.push(t as f64);
            ss.push(s);
        }
    }
    let slope = inverse_slope(&ts, &ss).map_or(f64::NAN, |f| f.slope);
    let mut meas = Measurement::report("LS slope of 1/‖S_t‖₂ over the checkpoints", slope);
    if defaults {
        meas = meas.with_reference(0.10001);
    }
    m.push(meas);
    m.push(Measurement::report(
        "2η (flow prediction of that slope)",
        2.0 * eta,
    ));
    let s_t = tr.value_at(name, iters).unwrap_or(f64::NAN);
    let v = eta * iters as f64 * s_t;
    let mut meas = Measurement::check(
        format!("ηT‖S_T‖₂ at T={iters}"),
        v,
        "|ηT‖S_T‖₂ − ½| < 0.01",
        (v - 0.5).abs() < 0.01,
    );
    if defaults {
        meas = meas.with_reference(0.4996);
    }
    m.push(meas);
    let message = if p.usize("k") == r_plus {
        format!("k = r₊ = {r_plus}: not over-parameterized, so S ≡ 0")
    } else {
        String::new()
    };
    let pred: Vec<(f64, f64)> = (1..=60)
        .map(|i| 10f64.powf(i as f64 / 60.0 * (iters as f64).log10()))
        .map(|t| (t, 1.0 / (2.0 * eta * t)))
        .collect();
    let series = vec![
        line(format!("‖S_t‖₂, k={}", p.usize("k")), curve(&tr, name)),
        dashed("1/(2ηt)", pred),
    ];
    let mut fig = log_figure(
        "Schur complement ‖S_t‖₂ against the 1/(2ηt) law",
        "iteration t",
        "‖S_t‖₂",
        series,
    );
    fig.log_x = true;
    Ok(ClaimOutput::new(m, fig).with_message(message))
}

fn lr9() -> Claim {
    Claim {
        id: "LR-9",
        title: "Over-parameterized error constant: ‖XXᵀ − M₊‖_F ≈ √(k − r₊)/(2ηt)",
        source: SOURCE,
        statement: "Derived from the Schur cascade (Mohammadi et al.): for k > r₊ and Λ₂ = 0 each of the k − r₊ surplus \
                    eigenvalues of S decays as 1/(2ηt), so ‖XXᵀ − M₊‖_F ≈ √(k − r₊)/(2ηt). Uses the LR-8 run.",
        quick: true,
        defaults: lr9_defaults,
        run: run_lr9,
        control: Some(NegativeControl {
            set: &[("lambda2", "0.2")],
            reason: "Λ₂ = 0.2·I ≻ 0 (indefinite M): S decays exponentially, so ηT‖XXᵀ − M₊‖_F → 0 instead of \
                     √(k − r₊)/2",
            fails: "ηT‖X_TX_Tᵀ − M₊‖_F",
        }),
    }
}

fn lr9_defaults() -> Params {
    shared(4, 20_000, 0.0)
}

fn run_lr9(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (k, eta, iters) = (p.usize("k"), p.f64("eta"), p.u64("iters"));
    let (inst, r_plus, _) = setup(p, "LR-9", ctx)?;
    // The LR-8 run again (claims are independent), recording the error to M₊.
    let tr = run_one(
        p,
        ctx,
        &inst,
        vec![LowRankMetric::ErrPlus, LowRankMetric::SchurNorm],
    )?;
    let err = tr.value_at("err_plus", iters).unwrap_or(f64::NAN);
    let v = eta * iters as f64 * err;
    let surplus = k.saturating_sub(r_plus) as f64;
    let predicted = surplus.sqrt() / 2.0;
    let mut meas = Measurement::check(
        format!("ηT‖X_TX_Tᵀ − M₊‖_F at T={iters}"),
        v,
        format!("within 0.01 of √(k − r₊)/2 = {predicted:.4} (r₊ = {r_plus})"),
        (v - predicted).abs() < 0.01,
    );
    if p.at_defaults(lr9_defaults, &[]) {
        meas = meas.with_reference(0.7065);
    }
    let m = vec![meas];
    let mut series = vec![line(format!("‖XXᵀ−M₊‖_F, k={k}"), curve(&tr, "err_plus"))];
    if k > r_plus {
        let pred = (1..=60)
            .map(|i| 10f64.powf(i as f64 / 60.0 * (iters as f64).log10()))
            .map(|t| (t, surplus.sqrt() / (2.0 * eta * t)))
            .collect();
        series.push(dashed("√(k−r₊)/(2ηt)", pred));
    }
    let mut fig = log_figure(
        "Error to M₊ against √(k−r₊)/(2ηt)",
        "iteration t",
        "‖X_tX_tᵀ − M₊‖_F",
        series,
    );
    fig.log_x = true;
    Ok(ClaimOutput::new(m, fig))
}

fn lr10() -> Claim {
    Claim {
        id: "LR-10",
        title: "Exact parameterization (k = r₊): S ≡ 0 and linear convergence",
        source: SOURCE,
        statement: "For k ≤ r₊ the Schur complement is identically zero and GD converges exponentially. \
                    (ratebench evaluates S for k ≥ r₊, where X₁ has full row rank, so the check is at k = r₊.)",
        quick: true,
        defaults: lr10_defaults,
        run: run_lr10,
        control: Some(NegativeControl {
            set: &[("k", "4")],
            reason: "k = 4 > r₊: over-parameterized, the Schur complement is no longer zero",
            fails: "max_t ‖S_t‖₂",
        }),
    }
}

fn lr10_defaults() -> Params {
    shared(2, 3000, 0.0)
}

/// Bound on max_t ‖S_t‖₂ (round-off: S ≡ 0).
const LR10_S_TOL: f64 = 1e-12;
/// Bound on the error at t_err.
const LR10_ERR_TOL: f64 = 1e-10;

/// The iteration of the error criterion: the catalogue's t = 1000 at η = 0.05, scaled as 1/η
/// (the linear rate is proportional to η).
fn lr10_t_err(eta: f64) -> u64 {
    (50.0 / eta).round() as u64
}

fn run_lr10(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (k, iters, s_tol, err_tol) = (p.usize("k"), p.u64("iters"), LR10_S_TOL, LR10_ERR_TOL);
    let t_err = lr10_t_err(p.f64("eta"));
    if iters < t_err {
        return Err(Error::invalid(
            "iters",
            format!("the error is judged at t = 50/η = {t_err}; raise iters to at least that"),
        ));
    }
    let (inst, r_plus, _) = setup(p, "LR-10", ctx)?;
    let tr = run_one(
        p,
        ctx,
        &inst,
        vec![LowRankMetric::AbsErr, LowRankMetric::SchurNorm],
    )?;
    let defaults = p.at_defaults(lr10_defaults, &[]);
    let mut m = Vec::new();
    let s_max = tr.values("schur_norm").into_iter().fold(f64::NAN, f64::max);
    let mut meas = Measurement::check(
        "max_t ‖S_t‖₂",
        s_max,
        format!("≤ {s_tol:e} throughout (S ≡ 0 for k ≤ r₊ = {r_plus})"),
        s_max <= s_tol,
    );
    if defaults {
        meas = meas.with_reference(7e-16);
    }
    m.push(meas);
    const REFERENCE: [f64; 3] = [1.8e-5, 5.6e-11, 2.7e-15];
    let at = |t: u64| {
        if t <= iters {
            tr.value_at("abs_err", t).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        }
    };
    let checkpoints = [t_err / 2, t_err, t_err + t_err / 2];
    for (i, t) in checkpoints.into_iter().enumerate() {
        let mut meas = Measurement::report(format!("‖X_tX_tᵀ − M⋆‖_F at t={t}"), at(t));
        if defaults {
            meas = meas.with_reference(REFERENCE[i]);
        }
        m.push(meas);
    }
    let e = at(t_err);
    m.push(Measurement::check(
        format!("‖X_tX_tᵀ − M⋆‖_F at t={t_err}"),
        e,
        format!("< {err_tol:e}"),
        e < err_tol,
    ));
    let message = if k > r_plus {
        format!("k = {k} > r₊ = {r_plus}: over-parameterized, outside the claim (S ≠ 0)")
    } else {
        String::new()
    };
    let series = vec![
        line("‖X_tX_tᵀ − M⋆‖_F", curve(&tr, "abs_err")),
        line("‖S_t‖₂", curve(&tr, "schur_norm")),
        dashed(
            format!("S bound {s_tol:e}"),
            vec![(0.0, s_tol), (iters as f64, s_tol)],
        ),
        dashed(
            format!("error bound {err_tol:e} at t={t_err}"),
            vec![(t_err as f64, err_tol), (t_err as f64, 1.0)],
        ),
    ];
    let fig = log_figure(
        &format!("Exact parameterization k = {k}: S ≡ 0, linear convergence"),
        "iteration t",
        "error / ‖S‖₂",
        series,
    );
    Ok(ClaimOutput::new(m, fig).with_message(message))
}

fn lr11() -> Claim {
    Claim {
        id: "LR-11",
        title: "Indefinite M (Λ₂ ≻ 0): the Schur complement decays exponentially, like e^{−2λ_min(Λ₂)t}",
        source: SOURCE,
        statement: "For Λ₂ ≻ 0, Ṡ = −(Λ₂S + SΛ₂) − 2S² makes S decay like e^{−2λ_min(Λ₂)t}; \
                    for GD the per-step factor is 1 − 2ηλ_min(Λ₂).",
        quick: true,
        defaults: lr11_defaults,
        run: run_lr11,
        control: Some(NegativeControl {
            set: &[("eta", "0.2"), ("lambda2", "0.8")],
            reason: "ηλ₂ = 0.16 is not small: GD's per-step factor of S, (1 − ηλ₂)², departs from the flow's \
                     1 − 2ηλ₂ by more than 5 % in log",
            fails: "LS slope of log‖S_t‖₂",
        }),
    }
}

fn lr11_defaults() -> Params {
    shared(4, 3000, 0.2)
}

/// The fit window `[5, 15)/(ηλ₂)`: S has decayed by e^{−10} when it starts and is still
/// e^{−20} above it at the end, far from round-off (the catalogue's [500, 1500) at η = 0.05,
/// λ₂ = 0.2).
fn lr11_window(eta: f64, lambda2: f64) -> (u64, u64) {
    let unit = 1.0 / (eta * lambda2);
    ((5.0 * unit).round() as u64, (15.0 * unit).round() as u64)
}

fn run_lr11(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (k, eta, lambda2) = (p.usize("k"), p.f64("eta"), p.f64("lambda2"));
    if lambda2 <= 0.0 {
        return Err(Error::invalid(
            "lambda2",
            "the claim is about Λ₂ ≻ 0 (an indefinite M); lambda2 = 0 is the PSD case of LR-8",
        ));
    }
    let (lo, hi) = lr11_window(eta, lambda2);
    if p.u64("iters") < hi {
        return Err(Error::invalid(
            "iters",
            format!("the fit window is [5, 15)/(ηλ₂) = [{lo}, {hi}); raise iters to at least {hi}"),
        ));
    }
    let (inst, _, lmin) = setup(p, "LR-11", ctx)?;
    let tr = run_one(
        p,
        ctx,
        &inst,
        vec![LowRankMetric::AbsErr, LowRankMetric::SchurNorm],
    )?;
    let (slope, ci) = slope_or_nan(window_log_fit(&tr.series("schur_norm"), lo, hi));
    let predicted = (1.0 - 2.0 * eta * lmin).ln();
    let mut meas = Measurement::check(
        format!("LS slope of log‖S_t‖₂ on [{lo}, {hi})"),
        slope,
        format!("within 5% of log(1 − 2ηλ_min(Λ₂)) = {predicted:.4}"),
        rel_diff(slope, predicted) < 0.05,
    )
    .with_ci(ci);
    if p.at_defaults(lr11_defaults, &[]) {
        meas = meas.with_reference(-0.0201);
    }
    let m = vec![meas];
    let mut series = vec![line(format!("‖S_t‖₂, k={k}"), curve(&tr, "schur_norm"))];
    if let Some(s0) = tr
        .value_at("schur_norm", lo)
        .filter(|v| *v > 0.0 && v.is_finite())
    {
        let pts = (0..=50)
            .map(|i| lo as f64 + i as f64 * (hi - lo.min(hi)) as f64 / 50.0)
            .map(|x| (x, s0 * (predicted * (x - lo as f64)).exp()))
            .collect();
        series.push(dashed("(1 − 2ηλ_min(Λ₂))ᵗ ≈ e^{−2λ_min(Λ₂)ηt}", pts));
    }
    let fig = log_figure(
        "Indefinite M: exponential decay of the Schur complement",
        "iteration t",
        "‖S_t‖₂",
        series,
    );
    Ok(ClaimOutput::new(m, fig))
}
