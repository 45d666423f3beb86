//! A plain-loop preview of claims HD-1 … HD-3 (CLAIMS.md §3) at the catalogue setup, without
//! the harness: `cargo run --release -p ratebench-hadamard-solvers --example claims_preview`.
//!
//! Seeds: the data of seed `s` come from
//! `SeedPath::new(0).with(claim).with(format!("seed={s}")).stream("data")` with
//! `claim = "HD-1"` (shared by HD-1, HD-2(a) and HD-3) or `"HD-2b"`; initializations from the
//! same path's `"init"` stream (the SVD init draws nothing; GD's random start does).
//! Timing: `Solver::init` and `Solver::step` alone, one thread; errors are evaluated outside.

use ratebench_core::rng::SeedPath;
use ratebench_core::Solver;
use ratebench_hadamard::{Generator, HadamardProblem, HadamardSpec};
use ratebench_hadamard_solvers::{Bcd, BcdConfig, GdCiaperoni, GdConfig};
use std::time::Instant;

const SEEDS: u64 = 20;
const GD_ITERS: usize = 20_000;

fn path(claim: &str, seed: u64) -> SeedPath {
    SeedPath::new(0).with(claim).with(format!("seed={seed}"))
}

fn hd1_problem(seed: u64) -> HadamardProblem {
    HadamardProblem::generate(
        &HadamardSpec::default(),
        &mut path("HD-1", seed).stream("data"),
    )
    .expect("catalogue spec")
}

/// Errors `e_0 … e_iters` of BCD (rank 5 for HD-1) from the scaled SVD init.
fn bcd_errors(p: &HadamardProblem, cfg: BcdConfig, iters: usize, seed: u64) -> Vec<f64> {
    let mut s = Bcd::new(cfg);
    s.init(p, &mut path("HD-1", seed).stream("init"))
        .expect("init");
    let mut e = vec![s.error().expect("initialized")];
    for _ in 0..iters {
        s.step(p).expect("step");
        e.push(s.error().expect("initialized"));
    }
    e
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

fn fraction(v: &[bool]) -> f64 {
    v.iter().filter(|b| **b).count() as f64 / v.len() as f64
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

fn hd1_and_hd2a() {
    println!(
        "== HD-1 (momentum accelerates BCD) and HD-2(a) (HD beats TSVD(2r)), r = 5, 300 iterations"
    );
    println!("seed  e_plain(300)  e_mom(300)  T_mom  mom<=plain  TSVD(10)  q=e_mom/TSVD");
    let (mut t_mom, mut wins, mut q, mut q_below) = (vec![], vec![], vec![], vec![]);
    for s in 0..SEEDS {
        let p = hd1_problem(s);
        let plain = bcd_errors(&p, BcdConfig::new(5), 300, s);
        let mom = bcd_errors(&p, BcdConfig::new(5).with_momentum(), 300, s);
        let target = plain[300];
        let t = mom.iter().position(|e| *e <= target).unwrap_or(301);
        let tsvd = p.tsvd_error(10).expect("svd");
        let qs = mom[300] / tsvd;
        println!(
            "{s:>4}  {:>12.4e}  {:>10.4e}  {t:>5}  {:>10}  {tsvd:>8.4e}  {qs:>12.4e}",
            plain[300],
            mom[300],
            mom[300] <= plain[300]
        );
        t_mom.push(t as f64);
        wins.push(mom[300] <= plain[300]);
        q.push(qs);
        q_below.push(qs < 1.0);
    }
    let (mt, fw) = (median(&t_mom), fraction(&wins));
    println!(
        "HD-1: median T_mom = {mt} (pass <= 180), fraction e_mom(300) <= e_plain(300) = {fw:.2} (pass >= 0.70): {}",
        verdict(mt <= 180.0 && fw >= 0.7)
    );
    println!("      reference (NumPy prototype, seeds 0-19): median 118.5, fraction 0.80");
    let (mq, fq) = (median(&q), fraction(&q_below));
    println!(
        "HD-2(a): median q = {mq:.3} (pass < 0.5), fraction q < 1 = {fq:.2} (pass >= 0.80): {}",
        verdict(mq < 0.5 && fq >= 0.8)
    );
    println!("      reference (seeds 0-19): median q 0.080, fraction 0.90");
}

fn hd2b() {
    println!("\n== HD-2(b): iid U[0,1] 100 × 100, momentum BCD, 100 iterations vs TSVD(2r)");
    let spec = HadamardSpec {
        generator: Generator::Uniform,
        ..Default::default()
    };
    let p = HadamardProblem::generate(&spec, &mut path("HD-2b", 0).stream("data")).expect("spec");
    for (r, reference) in [
        (3, "not asserted"),
        (6, "0.384 vs 0.399"),
        (10, "0.301 vs 0.342"),
    ] {
        let e = bcd_errors(&p, BcdConfig::new(r).with_momentum(), 100, 0)[100];
        let t = p.tsvd_error(2 * r).expect("svd");
        let v = if r == 3 { "(info)" } else { verdict(e <= t) };
        println!(
            "r = {r:>2}: e_HD = {e:.4}, TSVD({}) = {t:.4}  {v}   reference {reference}",
            2 * r
        );
    }
}

/// One HD-3 seed: the GD budget (time, flops), GD's error, BCD's errors at both budgets.
struct Hd3 {
    budget_s: f64,
    gd: f64,
    bcd_time: f64,
    bcd_flop: f64,
    bcd_iters_time: usize,
    bcd_iters_flop: usize,
}

fn hd3_seed(s: u64) -> Hd3 {
    let p = hd1_problem(s);
    let mut gd = GdCiaperoni::new(GdConfig::new(5));
    let t0 = Instant::now();
    gd.init(&p, &mut path("HD-1", s).stream("init"))
        .expect("init");
    let mut budget_s = t0.elapsed().as_secs_f64();
    for _ in 0..GD_ITERS {
        let t = Instant::now();
        gd.step(&p).expect("step");
        budget_s += t.elapsed().as_secs_f64();
    }
    let flop_budget = gd.work().expect("counted");
    let e_gd = p.relative_error(gd.iterate());

    // BCD with momentum and the catalogue's stopping rule (e < 1e-10, or more than 10
    // consecutive iterations with relative decrease <= 1e-8), run until both budgets are
    // spent; the error at a budget is that of the last iterate within it.
    let mut bcd = Bcd::new(BcdConfig::new(5).with_momentum());
    let t0 = Instant::now();
    bcd.init(&p, &mut path("HD-1", s).stream("init"))
        .expect("init");
    let mut elapsed = t0.elapsed().as_secs_f64();
    let mut e = bcd.error().expect("initialized");
    let (mut at_time, mut at_flop) = ((e, 0), (e, 0));
    let (mut iters, mut stall) = (0usize, 0);
    loop {
        let t = Instant::now();
        bcd.step(&p).expect("step");
        elapsed += t.elapsed().as_secs_f64();
        iters += 1;
        let e_new = bcd.error().expect("initialized");
        stall = if 1.0 - e_new / e <= 1e-8 {
            stall + 1
        } else {
            0
        };
        e = e_new;
        let (in_time, in_flop) = (
            elapsed <= budget_s,
            bcd.work().expect("counted") <= flop_budget,
        );
        if in_time {
            at_time = (e, iters);
        }
        if in_flop {
            at_flop = (e, iters);
        }
        if (!in_time && !in_flop) || stall > 10 || e < 1e-10 {
            break;
        }
    }
    Hd3 {
        budget_s,
        gd: e_gd,
        bcd_time: at_time.0,
        bcd_flop: at_flop.0,
        bcd_iters_time: at_time.1,
        bcd_iters_flop: at_flop.1,
    }
}

fn hd3() {
    println!("\n== HD-3: BCD (momentum) vs GD (Ciaperoni) at the wall time and at the flops of {GD_ITERS} GD iterations");
    println!("seed  budget_s  e_GD        e_BCD(time) iters  ratio   e_BCD(flop) iters  ratio");
    let (mut rt, mut rf, mut per_iter) = (vec![], vec![], vec![]);
    for s in 0..SEEDS {
        let h = hd3_seed(s);
        let (a, b) = (h.bcd_time / h.gd, h.bcd_flop / h.gd);
        println!(
            "{s:>4}  {:>8.3}  {:>10.4e}  {:>10.4e} {:>6}  {a:>6.3}  {:>10.4e} {:>6}  {b:>6.3}",
            h.budget_s, h.gd, h.bcd_time, h.bcd_iters_time, h.bcd_flop, h.bcd_iters_flop
        );
        rt.push(a);
        rf.push(b);
        per_iter.push(h.budget_s / GD_ITERS as f64);
    }
    let (mt, mf) = (median(&rt), median(&rf));
    println!(
        "GD time per iteration (median, incl. init share): {:.1} µs",
        median(&per_iter) * 1e6
    );
    println!(
        "HD-3 (wall time): median e_BCD/e_GD = {mt:.3e} (pass <= 0.2): {}",
        verdict(mt <= 0.2)
    );
    println!(
        "HD-3 (equal flops): median e_BCD/e_GD = {mf:.3e} (pass <= 0.2): {}",
        verdict(mf <= 0.2)
    );
    let below = |v: &[f64]| v.iter().filter(|r| **r <= 0.2).count();
    println!(
        "      seeds with ratio <= 0.2: {} / {SEEDS} (time), {} / {SEEDS} (flops)",
        below(&rt),
        below(&rf)
    );
    println!("      reference (one instance): GD 1.0e-2 after 2e4 iterations; BCD 1e-3 in ≈ 2 s");
}

fn main() {
    let t0 = Instant::now();
    hd1_and_hd2a();
    let t1 = t0.elapsed().as_secs_f64();
    hd2b();
    let t2 = t0.elapsed().as_secs_f64();
    hd3();
    let t3 = t0.elapsed().as_secs_f64();
    println!(
        "\ntotal {t3:.1} s (HD-1 + HD-2(a) {t1:.1} s, HD-2(b) {:.1} s, HD-3 {:.1} s)",
        t2 - t1,
        t3 - t2
    );
}
