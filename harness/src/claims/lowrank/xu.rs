//! LR-1 (Xu, Shen, Chi, Ma): ScaledGD(λ)'s rate is κ-independent; GD's is not.

use super::{case, instance};
use crate::claims::analysis::{gd_slowdown, hitting_spread, predicted_tail, t_hit};
use crate::claims::{curve, line, log_figure, Claim, ClaimCtx, ClaimOutput};
use crate::fit::median_ratio;
use crate::lowrank::Method;
use crate::params::{Domain, Params};
use crate::results::Measurement;
use ratebench_core::{Result, StopRule};
use ratebench_lowrank::{InitScaling, InitSpec, LowRankMetric, LowRankSpec};

pub fn lr1() -> Claim {
    Claim {
        id: "LR-1",
        title: "ScaledGD(λ)'s linear rate is κ-independent; GD's iteration count grows with κ",
        source: "Xu, Shen, Chi, Ma — ScaledGD(λ) for over-parameterized low-rank matrix sensing",
        statement: "After a short phase logarithmic in κ and n, ScaledGD(λ) converges at a constant linear rate \
                    1 − 2ησ_min/(σ_min + λ) = 0.5 independent of κ; vanilla GD needs polynomially many (in κ) iterations.",
        quick: true,
        defaults: || {
            Params::new()
                .int("n", 20, Domain::AtLeast(1.0), "dimension of M⋆")
                .int("r", 3, Domain::AtLeast(1.0), "rank r⋆")
                .ints("k", &[6, 20], Domain::AtLeast(1.0), "factor ranks (over-parameterized)")
                .floats("kappa", &[10.0, 100.0, 1000.0], Domain::AtLeast(1.0), "condition numbers")
                .float("eta", 0.5, Domain::Positive, "ScaledGD(λ) step size")
                .float("lambda", 1.0, Domain::Positive, "damping λ in units of σ_min (claim: λ ∝ σ_min)")
                .float("alpha", 1e-7, Domain::Positive, "init scale, X₀ = αG/√n")
                .int("iters", 400, Domain::AtLeast(1.0), "ScaledGD(λ) iteration cap T")
                .int("gd_iters", 100_000, Domain::AtLeast(1.0), "GD comparator iteration cap")
                .float("rho", 0.5, Domain::Positive, "predicted rate 1 − 2ησ_min/(σ_min+λ) at the defaults")
        },
        run,
    }
}

fn run(p: &Params, ctx: &mut ClaimCtx) -> Result<ClaimOutput> {
    let (n, r, eta, alpha) = (p.usize("n"), p.usize("r"), p.f64("eta"), p.f64("alpha"));
    let ks = p.usizes("k");
    let kappas = p.f64s("kappa");
    let init = InitSpec::symmetric(alpha, InitScaling::SqrtN);
    let rel = LowRankMetric::RelErr;
    let mut cases = Vec::new();
    for &kappa in &kappas {
        let inst = instance(
            LowRankSpec {
                n,
                r,
                kappa,
                ..Default::default()
            },
            ctx.base_seed,
            "LR-1",
        )?;
        let sigma_min = 1.0 / kappa;
        for &k in &ks {
            let label = format!("kappa={kappa},k={k}");
            let stop = StopRule::max_iter(p.u64("iters")).with_target("rel_err", 1e-13);
            let sgd = Method::ScaledGd {
                eta,
                lambda: p.f64("lambda") * sigma_min,
            };
            cases.push(case(
                label.clone(),
                &inst,
                sgd,
                k,
                init.clone(),
                vec![rel],
                rel,
                stop,
            ));
            // GD comparator: step 0.5/σ₁ (σ₁ = 1), same X₀.
            let stop = StopRule::max_iter(p.u64("gd_iters")).with_target("rel_err", 1e-6);
            cases.push(case(
                label,
                &inst,
                Method::Gd { eta: 0.5 },
                k,
                init.clone(),
                vec![rel],
                rel,
                stop,
            ));
        }
    }
    let traces = ctx.run(cases)?;
    let rho_pred = p.f64("rho");
    let mut m = Vec::new();
    let mut series = Vec::new();
    for (ki, &k) in ks.iter().enumerate() {
        let mut t10 = Vec::new();
        let mut t_gd = Vec::new();
        for (ci, &kappa) in kappas.iter().enumerate() {
            let idx = 2 * (ci * ks.len() + ki);
            let (sgd, gd) = (&traces[idx], &traces[idx + 1]);
            let e = sgd.values("rel_err");
            let rho = median_ratio(&e, 1e-5, 1e-12).unwrap_or(f64::NAN);
            m.push(
                Measurement::check(
                    format!("rho_hat[kappa={kappa},k={k}]"),
                    rho,
                    format!("|ρ̂ − {rho_pred}| < 0.03"),
                    (rho - rho_pred).abs() < 0.03,
                )
                .with_reference(0.5),
            );
            let t = t_hit(&sgd.series("rel_err"), 1e-10);
            m.push(Measurement::report(
                format!("T(1e-10)[kappa={kappa},k={k}]"),
                t,
            ));
            t10.push(t);
            let tg = t_hit(&gd.series("rel_err"), 1e-6);
            m.push(Measurement::report(
                format!("T_GD(1e-6)[kappa={kappa},k={k}]"),
                tg,
            ));
            t_gd.push(tg);
            series.push(line(
                format!("ScaledGD(λ) κ={kappa}, k={k}"),
                curve(sgd, "rel_err"),
            ));
        }
        m.push(hitting_spread(
            format!("max/min T(1e-10) over kappa [k={k}]"),
            &t10,
        ));
        m.extend(gd_slowdown(&kappas, &t_gd, &format!(" [k={k}]"), None));
    }
    series.extend(predicted_tail(traces.first(), 1e-5, rho_pred, 40));
    let figure = log_figure(
        "ScaledGD(λ) relative error across κ",
        "iteration t",
        "relative error ‖XXᵀ−M⋆‖_F/‖M⋆‖_F",
        series,
    );
    Ok(ClaimOutput {
        measurements: m,
        figure: Some(figure),
        message: String::new(),
    })
}
