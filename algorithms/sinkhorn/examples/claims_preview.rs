//! A plain-loop preview of the catalogue's OT measurements (CLAIMS.md §4, OT-1 … OT-4) and of
//! issue 9's performance items, without the harness. Run with
//! `cargo run --release -p ratebench-sinkhorn --example claims_preview`.
//!
//! Data seeds: `SeedPath::new(0).with(<claim>).with("seed=<s>").stream("data")`.
//! Marginal error: `ratebench_ot::OtEvaluator` (exact, outside the timed region).

use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Solver};
use ratebench_ot::{CloudLayout, InstanceSpec, OtEvaluator, OtIterate, OtProblem, OtSpec};
use ratebench_sinkhorn::{Greenkhorn, Sinkhorn, SinkhornLog, Sns, SnsConfig, Sparsity};
use std::time::Instant;

fn build(claim: &str, seed: u64, instance: InstanceSpec, eta: f64) -> OtProblem {
    let files = |s: &str| -> ratebench_core::Result<std::path::PathBuf> { Ok(s.into()) };
    let mut rng = SeedPath::new(0)
        .with(claim)
        .with(format!("seed={seed}"))
        .stream("data");
    OtSpec::new(instance, eta)
        .build(&mut rng, &files)
        .expect("valid instance")
}

fn random(n: usize, hi: f64) -> InstanceSpec {
    InstanceSpec::RandomCost { n, m: None, hi }
}

fn init_rng() -> ratebench_core::rng::Rng {
    SeedPath::new(0).with("preview").stream("init")
}

/// Least-squares slope of `ln e` against `t` over the points with `lo < e < hi`, and R².
fn band_fit(errs: &[f64], lo: f64, hi: f64) -> Option<(f64, f64, usize)> {
    let pts: Vec<(f64, f64)> = errs
        .iter()
        .enumerate()
        .filter(|(_, &e)| e > lo && e < hi)
        .map(|(t, e)| (t as f64, e.ln()))
        .collect();
    if pts.len() < 3 {
        return None;
    }
    let k = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / k,
        pts.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = pts.iter().map(|p| (p.1 - my).powi(2)).sum();
    let slope = sxy / sxx;
    let r2 = if syy > 0.0 {
        sxy * sxy / (sxx * syy)
    } else {
        1.0
    };
    Some((slope, r2, pts.len()))
}

/// Marginal errors `e_0, e_1, …` (after 0, 1, … steps), stopping after `max` steps or below
/// `floor`.
fn errors<S: Solver<Problem = OtProblem, Iterate = OtIterate>>(
    s: &mut S,
    p: &OtProblem,
    max: usize,
    floor: f64,
) -> Vec<f64> {
    let mut ev = OtEvaluator::new(p, false).expect("evaluator");
    s.init(p, &mut init_rng()).expect("init");
    let mut out = vec![ev.evaluate(p, s.iterate()).marginal_err];
    for _ in 0..max {
        s.step(p).expect("step");
        out.push(ev.evaluate(p, s.iterate()).marginal_err);
        if out[out.len() - 1] < floor {
            break;
        }
    }
    out
}

fn ot1() {
    println!(
        "\n== OT-1: log-domain Sinkhorn rate, n = 200, LS slope of ln e over 1e-12 < e < 1e-4 =="
    );
    println!("reference (prototype, seeds 1–10): η=50 0.36–0.48, η=100 0.58–0.72, η=200 0.78–0.93; pass: R² > 0.98 all η, rate increasing");
    for (label, hi) in [("C ~ U[0,1]", 1.0), ("control C ~ U[0,2]", 2.0)] {
        let mut passes = 0;
        let seeds = 1..=10u64;
        let count = seeds.clone().count();
        for seed in seeds {
            let mut rates = Vec::new();
            let mut r2s = Vec::new();
            let mut line = format!("{label:<20} seed {seed:>2}:");
            for eta in [50.0, 100.0, 200.0] {
                let p = build("OT-1", seed, random(200, hi), eta);
                let e = errors(&mut SinkhornLog::new(), &p, 3000, 1e-14);
                let (lo, hi_c) = p.cost_range();
                let bound = (eta * (hi_c - lo) / 2.0).tanh().powi(2);
                match band_fit(&e, 1e-12, 1e-4) {
                    Some((slope, r2, k)) => {
                        rates.push(slope.exp());
                        r2s.push(r2);
                        line += &format!(
                            "  η={eta:<3} rate {:.4} R² {r2:.4} ({k} pts, tanh² {bound:.6})",
                            slope.exp()
                        );
                    }
                    None => {
                        rates.push(f64::NAN);
                        r2s.push(f64::NAN);
                        line += &format!(
                            "  η={eta:<3} no band (last e = {:.1e} after {} its)",
                            e[e.len() - 1],
                            e.len() - 1
                        );
                    }
                }
            }
            let ok = r2s.iter().all(|r| *r > 0.98) && rates.windows(2).all(|w| w[1] > w[0]);
            passes += usize::from(ok);
            println!("{line}  -> {}", if ok { "PASS" } else { "FAIL" });
        }
        println!("{label}: {passes} of {count} seeds pass");
    }
}

/// SNS errors per step (N1 Sinkhorn then Newton) and the number of steps to ≤ tol.
fn sns_errors(p: &OtProblem, config: SnsConfig, newton: usize) -> Vec<f64> {
    errors(
        &mut Sns::new(config),
        p,
        config.sinkhorn_steps + newton,
        1e-16,
    )
}

/// (e_last / e_first)^(1/steps) over the Newton steps, until e < 1e-13 (inclusive).
fn newton_ratio(e: &[f64], n1: usize) -> f64 {
    let first = e[n1];
    let last = e
        .iter()
        .enumerate()
        .skip(n1 + 1)
        .find(|(_, &v)| v < 1e-13)
        .map(|(k, _)| k)
        .unwrap_or(e.len() - 1);
    (e[last] / first).powf(1.0 / (last - n1) as f64)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let k = v.len();
    if k % 2 == 1 {
        v[k / 2]
    } else {
        0.5 * (v[k / 2 - 1] + v[k / 2])
    }
}

fn ot2_ot3() {
    println!("\n== OT-2 / OT-3: SNS vs Sinkhorn, n = 200, N1 = 20, ≤ 40 Newton steps; Sinkhorn 3000 its ==");
    println!("reference: SNS 2e-10 after 19 Newton steps (one instance), 33/34 seeds ≤ 1e-10 in 40; Sinkhorn 3.4e-5 after 3000; Newton ratio 0.13–0.65 (≈0.4)");
    for (label, eta, sparsity) in [
        ("η = 1200, λ = 2/n", 1200.0, Sparsity::PerN(2.0)),
        ("control η = 400, λ = 2/n", 400.0, Sparsity::PerN(2.0)),
        ("control η = 1200, λ = 0.75/n", 1200.0, Sparsity::PerN(0.75)),
    ] {
        let mut reach = 0;
        let mut sink_above = 0;
        let mut ratios = Vec::new();
        for seed in 1..=5u64 {
            let p = build("OT-2", seed, random(200, 1.0), eta);
            let config = SnsConfig {
                sparsity,
                ..SnsConfig::default()
            };
            let e = sns_errors(&p, config, 40);
            let hit = e.iter().position(|&v| v <= 1e-10);
            let s = errors(&mut SinkhornLog::new(), &p, 3000, 0.0);
            let sink = s[s.len() - 1];
            reach += usize::from(hit.is_some_and(|k| k <= 60));
            sink_above += usize::from(sink > 1e-6);
            let ratio = newton_ratio(&e, 20);
            ratios.push(ratio);
            println!(
                "{label:<30} seed {seed}: SNS e after N1 = {:.2e}, ≤1e-10 at step {} (Newton step {}), final {:.1e}; Sinkhorn after 3000: {sink:.2e}; Newton ratio {ratio:.3}",
                e[20],
                hit.map_or("—".into(), |k| k.to_string()),
                hit.map_or("—".into(), |k| k.saturating_sub(20).to_string()),
                e[e.len() - 1]
            );
        }
        let med = median(ratios);
        println!(
            "{label}: OT-2 SNS ≤ 1e-10 within 60 on {reach}/5 (need ≥ 4), Sinkhorn > 1e-6 on {sink_above}/5 (need 5) -> {}; OT-3 median ratio {med:.3} (≤ 0.5) -> {}",
            if reach >= 4 && sink_above == 5 { "PASS" } else { "FAIL" },
            if med <= 0.5 { "PASS" } else { "FAIL" }
        );
    }
}

fn ot4() {
    println!("\n== OT-4: Greenkhorn 10n updates vs Sinkhorn 5 iterations, n = 200, from the normalized K ==");
    println!("reference: η = 40: 3.7e-5 vs 2.9e-4 (20/20 seeds, ratio ≥ 6, median 7.9); control η = 1: Sinkhorn ≈ 1e-15, Greenkhorn ≈ 2e-9");
    for (label, eta, seeds) in [("η = 40", 40.0, 20u64), ("control η = 1", 1.0, 5)] {
        let mut pass = 0;
        let mut ratios = Vec::new();
        for seed in 1..=seeds {
            let p = build("OT-4", seed, random(200, 1.0), eta);
            let mut ev = OtEvaluator::new(&p, false).expect("evaluator");
            let mut g = Greenkhorn::new();
            g.init(&p, &mut init_rng()).expect("init");
            for _ in 0..2000 {
                g.step(&p).expect("step");
            }
            let eg = ev.evaluate(&p, g.iterate()).marginal_err;
            let mut s = Sinkhorn::new();
            s.init(&p, &mut init_rng()).expect("init");
            for _ in 0..5 {
                s.step(&p).expect("step");
            }
            let es = ev.evaluate(&p, s.iterate()).marginal_err;
            pass += usize::from(eg <= es);
            ratios.push(es / eg);
            if seed <= 5 {
                println!("{label:<14} seed {seed:>2}: Greenkhorn {eg:.2e}  Sinkhorn {es:.2e}  ratio {:.2}", es / eg);
            }
        }
        println!("{label}: Greenkhorn ≤ Sinkhorn on {pass}/{seeds}; Sinkhorn/Greenkhorn ratio min {:.2}, median {:.2}", ratios.iter().copied().fold(f64::INFINITY, f64::min), median(ratios));
    }
}

/// Steps and step-only seconds until the marginal error (checked every `every` steps) is ≤ tol.
fn time_to<S: Solver<Problem = OtProblem, Iterate = OtIterate>>(
    s: &mut S,
    p: &OtProblem,
    tol: f64,
    every: usize,
    max: usize,
) -> Result<(usize, f64, f64, f64), Error> {
    let mut ev = OtEvaluator::new(p, false)?;
    let t0 = Instant::now();
    s.init(p, &mut init_rng())?;
    let init_s = t0.elapsed().as_secs_f64();
    let mut secs = 0.0;
    let mut e = f64::INFINITY;
    for k in 1..=max {
        let t = Instant::now();
        s.step(p)?;
        secs += t.elapsed().as_secs_f64();
        if k % every == 0 || k == max {
            e = ev.evaluate(p, s.iterate()).marginal_err;
            if e <= tol {
                return Ok((k, init_s, secs, e));
            }
        }
    }
    Ok((max, init_s, secs, e))
}

fn performance_sns() {
    println!("\n== Performance: random assignment n = 500, η = 1200, to marginal error 1e-10 (5 data seeds) ==");
    println!("target: SNS < 1 s and ≤ 1/100 of Sinkhorn's time (Tang et al.: 29 vs 56,199 iterations); Sinkhorn capped at 60,000 iterations");
    for seed in 0..5u64 {
        let p = build("perf-sns", seed, random(500, 1.0), 1200.0);
        let sns = time_to(&mut Sns::new(SnsConfig::default()), &p, 1e-10, 1, 200);
        let sink = time_to(&mut SinkhornLog::new(), &p, 1e-10, 100, 60_000);
        match (sns, sink) {
            (Ok((ks, is, ts, es)), Ok((kl, il, tl, el))) => println!(
                "seed {seed}: SNS {ks} steps ({} Newton), {:.3} s, e = {es:.1e} | sinkhorn-log {}{kl} iterations, {tl:.2} s, e = {el:.1e} | time ratio {:.1e}",
                ks.saturating_sub(20),
                is + ts,
                if el > 1e-10 { "> " } else { "" },
                (is + ts) / (il + tl)
            ),
            (a, b) => println!("seed {seed}: error {a:?} {b:?}"),
        }
    }
    let p = build("perf-sns", 0, random(500, 1.0), 1200.0);
    let scaling = Sinkhorn::new().init(&p, &mut init_rng());
    println!(
        "scaling-domain sinkhorn at η = 1200: {}",
        scaling.err().map_or("ran".into(), |e| e.to_string())
    );
}

fn performance_clouds() {
    println!("\n== Performance: point clouds n = 2000, ε = 0.001 ==");
    for layout in [CloudLayout::Uniform, CloudLayout::GaussianMixture] {
        let inst = InstanceSpec::PointClouds {
            n: 2000,
            m: None,
            dim: 2,
            layout,
            components: 3,
            spread: 0.05,
        };
        let p = build("perf-clouds", 0, inst, 1000.0);
        match time_to(&mut SinkhornLog::new(), &p, 1e-9, 50, 20_000) {
            Ok((k, i, t, e)) => println!("{layout:?}: sinkhorn-log reaches e = {e:.2e} after {k} iterations (init {i:.2} s, steps {t:.1} s, {:.2} ms/iteration)", 1e3 * t / k as f64),
            Err(e) => println!("{layout:?}: sinkhorn-log failed: {e}"),
        }
        let strict = Sinkhorn::new().init(&p, &mut init_rng());
        println!(
            "{layout:?}: scaling-domain sinkhorn: {}",
            strict.err().map_or("ran".into(), |e| e.to_string())
        );
        match time_to(&mut Sinkhorn::new().allow_underflow(), &p, 1e-9, 50, 20_000) {
            Ok((k, _, t, e)) => println!("{layout:?}: scaling-domain with allow_underflow(): e = {e:.2e} after {k} iterations ({t:.1} s)"),
            Err(e) => println!("{layout:?}: scaling-domain with allow_underflow() stops: {e}"),
        }
    }
}

fn main() {
    let which: Vec<String> = std::env::args().skip(1).collect();
    let want = |k: &str| which.is_empty() || which.iter().any(|w| w == k);
    println!("SIMD level: {}", ratebench_sinkhorn::simd::isa().name());
    if want("ot1") {
        ot1();
    }
    if want("ot2") {
        ot2_ot3();
    }
    if want("ot4") {
        ot4();
    }
    if want("perf") {
        performance_sns();
        performance_clouds();
    }
}
