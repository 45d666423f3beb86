//! Solver tests: exact marginals after updates, agreement between domains, monotone dual,
//! Newton direction vs a dense solve, determinism, stable ρ, bad input, underflow stops.

use crate::sns::dual_value;
use crate::*;
use faer::Mat;
use rand::Rng as _;
use ratebench_core::rng::{Rng, SeedPath};
use ratebench_core::Solver;
use ratebench_ot::{OtEvaluator, OtIterate, OtProblem, Regularization};

fn rng() -> Rng {
    SeedPath::new(0).with("sinkhorn-tests").stream("init")
}

/// C iid U[0, 1], marginals random (positive), n × m.
fn random_problem(n: usize, m: usize, eta: f64, seed: u64) -> OtProblem {
    let mut r = SeedPath::new(seed).with("sinkhorn-tests").stream("data");
    let hist = |len: usize, r: &mut Rng| -> Vec<f64> {
        let v: Vec<f64> = (0..len).map(|_| 0.5 + r.random::<f64>()).collect();
        let s: f64 = v.iter().sum();
        v.iter().map(|x| x / s).collect()
    };
    let a = hist(n, &mut r);
    let b = hist(m, &mut r);
    let c = Mat::from_fn(n, m, |_, _| r.random::<f64>());
    OtProblem::new(
        a,
        b,
        c,
        Regularization::Eta(eta),
        &Default::default(),
        "test",
    )
    .unwrap()
}

fn run<S: Solver<Problem = OtProblem, Iterate = OtIterate>>(
    s: &mut S,
    p: &OtProblem,
    steps: usize,
) {
    s.init(p, &mut rng()).unwrap();
    for _ in 0..steps {
        s.step(p).unwrap();
    }
}

fn row_sums(p: &OtProblem, it: &OtIterate) -> (Vec<f64>, Vec<f64>) {
    let (n, m) = p.shape();
    let (mut x, mut y) = (vec![0.0; n], vec![0.0; m]);
    it.potentials(p.eta(), &mut x, &mut y);
    let plan = Mat::from_fn(n, m, |i, j| {
        (p.eta() * (x[i] + y[j] - p.cost()[(i, j)]) - 1.0).exp()
    });
    let rows = (0..n).map(|i| (0..m).map(|j| plan[(i, j)]).sum()).collect();
    let cols = (0..m).map(|j| (0..n).map(|i| plan[(i, j)]).sum()).collect();
    (rows, cols)
}

#[test]
fn column_marginal_is_exact_after_a_sinkhorn_step() {
    let p = random_problem(30, 20, 30.0, 1);
    let mut ev = OtEvaluator::new(&p, false).unwrap();
    let mut log = SinkhornLog::new();
    run(&mut log, &p, 3);
    let v = ev.evaluate(&p, log.iterate());
    assert!(v.col_err < 1e-15 && v.row_err > 1e-6, "{v:?}");
    let mut sc = Sinkhorn::new();
    run(&mut sc, &p, 3);
    let w = ev.evaluate(&p, sc.iterate());
    assert!(w.col_err < 1e-15 && w.row_err > 1e-6, "{w:?}");
}

#[test]
fn greenkhorn_update_makes_its_line_exact() {
    let p = random_problem(25, 15, 20.0, 2);
    let mut g = Greenkhorn::new();
    run(&mut g, &p, 7);
    let OtIterate::Scaling { u: u0, v: v0 } = g.iterate().clone() else {
        unreachable!()
    };
    g.step(&p).unwrap();
    let OtIterate::Scaling { u, v } = g.iterate().clone() else {
        unreachable!()
    };
    let (rows, cols) = row_sums(&p, g.iterate());
    let changed_rows: Vec<usize> = (0..u.len()).filter(|&i| u[i] != u0[i]).collect();
    let changed_cols: Vec<usize> = (0..v.len()).filter(|&j| v[j] != v0[j]).collect();
    assert_eq!(changed_rows.len() + changed_cols.len(), 1);
    for i in changed_rows {
        assert!(
            (rows[i] - p.a()[i]).abs() <= 1e-14 * p.a()[i],
            "row {i}: {} vs {}",
            rows[i],
            p.a()[i]
        );
    }
    for j in changed_cols {
        assert!((cols[j] - p.b()[j]).abs() <= 1e-14 * p.b()[j], "col {j}");
    }
    assert_eq!(g.work(), Some(8));
}

#[test]
fn log_and_scaling_domains_agree_where_both_work() {
    let p = random_problem(40, 35, 50.0, 3);
    let (mut log, mut sc) = (SinkhornLog::new(), Sinkhorn::new());
    log.init(&p, &mut rng()).unwrap();
    sc.init(&p, &mut rng()).unwrap();
    let (n, m) = p.shape();
    let (mut x, mut y) = (vec![0.0; n], vec![0.0; m]);
    for t in 0..300 {
        log.step(&p).unwrap();
        sc.step(&p).unwrap();
        sc.iterate().potentials(p.eta(), &mut x, &mut y);
        let OtIterate::Dual { x: lx, y: ly } = log.iterate() else {
            unreachable!()
        };
        let diff = lx
            .iter()
            .zip(&x)
            .chain(ly.iter().zip(&y))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-12, "iteration {t}: potentials differ by {diff}");
    }
    assert_eq!(log.work(), Some(300 * (n + m) as u64));
}

#[test]
fn dual_potential_increases_along_sinkhorn() {
    let p = random_problem(50, 50, 100.0, 4);
    let mut log = SinkhornLog::new();
    log.init(&p, &mut rng()).unwrap();
    let mut ev = OtEvaluator::new(&p, false).unwrap();
    let mut prev = ev.evaluate(&p, log.iterate()).dual_f;
    for t in 0..200 {
        log.step(&p).unwrap();
        let f = ev.evaluate(&p, log.iterate()).dual_f;
        assert!(
            f >= prev - 1e-14 * prev.abs(),
            "step {t}: f went from {prev} to {f}"
        );
        prev = f;
    }
}

#[test]
fn threads_are_deterministic_for_a_given_count() {
    let p = random_problem(97, 61, 80.0, 5);
    let mut one = SinkhornLog::new();
    let (mut two_a, mut two_b) = (SinkhornLog::with_threads(2), SinkhornLog::with_threads(2));
    let mut three = SinkhornLog::with_threads(3);
    for s in [&mut one, &mut two_a, &mut two_b, &mut three] {
        run(s, &p, 20);
    }
    assert_eq!(two_a.iterate(), two_b.iterate());
    // Different counts merge the row sums in a different association: equal to round-off.
    let (
        OtIterate::Dual { x: x1, y: y1 },
        OtIterate::Dual { x: x2, y: y2 },
        OtIterate::Dual { x: x3, .. },
    ) = (one.iterate(), two_a.iterate(), three.iterate())
    else {
        unreachable!()
    };
    let diff = x1
        .iter()
        .zip(x2)
        .chain(y1.iter().zip(y2))
        .chain(x1.iter().zip(x3))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(diff < 1e-14, "1 vs 2/3 threads differ by {diff}");
    // More threads than column ranges (m = 3, 4 threads: blocks of 1 column, one idle
    // thread), with costs near 10 so that the row maxima are near −10η: an idle thread must
    // merge as a neutral element, not as a shift of 0.
    let base = random_problem(7, 3, 200.0, 10);
    let shifted = Mat::from_fn(7, 3, |i, j| base.cost()[(i, j)] + 10.0);
    let q = OtProblem::new(
        base.a().to_vec(),
        base.b().to_vec(),
        shifted,
        Regularization::Eta(200.0),
        &Default::default(),
        "shifted",
    )
    .unwrap();
    let (mut seq, mut par) = (SinkhornLog::new(), SinkhornLog::with_threads(4));
    run(&mut seq, &q, 30);
    run(&mut par, &q, 30);
    let ev = |s: &SinkhornLog| {
        OtEvaluator::new(&q, false)
            .unwrap()
            .evaluate(&q, s.iterate())
            .dual_f
    };
    assert!(
        (ev(&seq) - ev(&par)).abs() < 1e-13 * ev(&seq).abs(),
        "{} vs {}",
        ev(&seq),
        ev(&par)
    );
    let (mut s2a, mut s2b) = (Sinkhorn::with_threads(2), Sinkhorn::with_threads(2));
    run(&mut s2a, &p, 20);
    run(&mut s2b, &p, 20);
    assert_eq!(s2a.iterate(), s2b.iterate());
}

#[test]
fn greedy_rho_is_stable_near_equal_arguments() {
    let a = 1e-3f64;
    for delta in [1e-5f64, 1e-8, 1e-10, 1e-12] {
        let b = a * (1.0 + delta);
        // With u = b/a − 1 (as the function forms it), ρ = a(u − ln(1+u)) = a(u²/2 − u³/3 + u⁴/4 …).
        let u = b / a - 1.0;
        let want = a * (u * u / 2.0 - u.powi(3) / 3.0 + u.powi(4) / 4.0);
        let got = greedy_rho(a, b);
        assert!(
            (got - want).abs() <= 1e-14 * want,
            "δ = {delta}: {got} vs {want}"
        );
    }
    assert_eq!(greedy_rho(0.2, 0.2), 0.0);
    assert_eq!(greedy_rho(0.2, 0.0), f64::INFINITY);
    // Both branches agree at the switch point |u| = 0.01.
    for u in [0.00999999, 0.01, -0.00999999, -0.01] {
        let (lo, hi) = (
            greedy_rho(1.0, 1.0 + u),
            1.0 + u - 1.0 - (1.0 + u - 1.0f64).ln_1p(),
        );
        assert!((lo - hi).abs() <= 1e-12 * hi, "u = {u}: {lo} vs {hi}");
    }
    // The formula as written cancels: at δ = 1e-10 it is pure round-off.
    let (a, b): (f64, f64) = (1e-3, 1e-3 * (1.0 + 1e-10));
    let naive = b - a + a * (a / b).ln();
    assert!((naive - greedy_rho(a, b)).abs() > 10.0 * greedy_rho(a, b));
}

#[test]
fn greenkhorn_and_sns_converge() {
    let p = random_problem(40, 40, 50.0, 6);
    let mut ev = OtEvaluator::new(&p, false).unwrap();
    let mut g = Greenkhorn::new();
    run(&mut g, &p, 400 * 80);
    assert!(ev.evaluate(&p, g.iterate()).marginal_err < 1e-10);
    let mut s = Sns::new(SnsConfig::default());
    run(&mut s, &p, 20 + 15);
    let v = ev.evaluate(&p, s.iterate());
    assert!(v.marginal_err < 1e-10, "{v:?}");
    assert!(s.report().newton && s.report().kept == 3 * 40);
}

#[test]
fn sns_gradient_and_exact_hessian_match_finite_differences() {
    let p = random_problem(6, 5, 4.0, 7);
    let (n, m) = p.shape();
    let mut s = Sns::new(SnsConfig {
        sinkhorn_steps: 2,
        sparsity: Sparsity::Density(1.0),
        ..Default::default()
    });
    run(&mut s, &p, 2);
    let OtIterate::Dual { x, y } = s.iterate().clone() else {
        unreachable!()
    };
    let state = s.state.as_mut().unwrap();
    state.newton.form(&p, &x, &y);
    assert_eq!(state.newton.kept(), n * m);
    let grad = state.newton.gradient().to_vec();
    let hess = state.newton.matrix().to_dense();
    let mut scratch = vec![0.0; n];
    let mut column = vec![0.0; n];
    let z: Vec<f64> = x.iter().chain(&y).copied().collect();
    let mut f = |z: &[f64], sc: &mut [f64]| dual_value(&p, &z[..n], &z[n..], sc, &mut column);
    let h = 1e-5;
    let mut fd_grad = vec![0.0; n + m];
    for k in 0..n + m {
        let (mut zp, mut zm) = (z.clone(), z.clone());
        zp[k] += h;
        zm[k] -= h;
        fd_grad[k] = (f(&zp, &mut scratch) - f(&zm, &mut scratch)) / (2.0 * h);
    }
    // The solver's gradient has its (1, −1) component removed; remove it from the FD one.
    let t = (fd_grad[..n].iter().sum::<f64>() - fd_grad[n..].iter().sum::<f64>()) / (n + m) as f64;
    for k in 0..n + m {
        let want = if k < n {
            fd_grad[k] - t
        } else {
            fd_grad[k] + t
        };
        assert!(
            (grad[k] - want).abs() < 1e-8,
            "∂f/∂z_{k}: {} vs {want}",
            grad[k]
        );
    }
    // −∂²f/∂z_k∂z_l against the system matrix (all entries kept = the exact Hessian).
    for k in 0..n + m {
        for l in 0..n + m {
            let mut e = |dk: f64, dl: f64| {
                let mut zz = z.clone();
                zz[k] += dk;
                zz[l] += dl;
                f(&zz, &mut scratch)
            };
            let fd = -(e(h, h) - e(h, -h) - e(-h, h) + e(-h, -h)) / (4.0 * h * h);
            assert!(
                (hess[(k, l)] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "H[{k},{l}] {} vs {fd}",
                hess[(k, l)]
            );
        }
    }
}

#[test]
fn sns_newton_direction_matches_a_dense_solve() {
    let p = random_problem(12, 10, 60.0, 8);
    let (n, m) = p.shape();
    let mut s = Sns::new(SnsConfig {
        sinkhorn_steps: 5,
        ..Default::default()
    });
    run(&mut s, &p, 5);
    let (dz, solve) = s.newton_direction(&p).unwrap();
    assert!(solve.converged && solve.rel_residual <= 1e-12, "{solve:?}");
    let state = s.state.as_ref().unwrap();
    assert_eq!(state.newton.kept(), Sparsity::PerN(2.0).kept(n, m));
    let dense = state.newton.matrix().to_dense();
    let rhs = Mat::from_fn(n + m, 1, |k, _| state.newton.gradient()[k]);
    // The sparsified matrix is positive definite (dropped mass on the diagonal): Cholesky.
    use faer::linalg::solvers::Solve as _;
    let sol = dense
        .llt(faer::Side::Lower)
        .expect("positive definite")
        .solve(&rhs);
    let t = ((0..n).map(|k| sol[(k, 0)]).sum::<f64>()
        - (n..n + m).map(|k| sol[(k, 0)]).sum::<f64>())
        / (n + m) as f64;
    let scale = (0..n + m).map(|k| sol[(k, 0)].abs()).fold(0.0, f64::max);
    for k in 0..n + m {
        let want = if k < n {
            sol[(k, 0)] - t
        } else {
            sol[(k, 0)] + t
        };
        assert!(
            (dz[k] - want).abs() <= 1e-8 * scale,
            "Δz_{k}: {} vs {want}",
            dz[k]
        );
    }
}

#[test]
fn kept_count_follows_the_catalogue() {
    assert_eq!(Sparsity::PerN(2.0).kept(200, 200), 600);
    assert_eq!(Sparsity::PerN(0.75).kept(200, 200), 100);
    assert_eq!(Sparsity::Density(1.0).kept(3, 2), 6);
    assert_eq!(Sparsity::PerN(0.25).kept(10, 10), 0);
}

#[test]
fn bad_solver_parameters_are_refused() {
    let p = random_problem(5, 5, 10.0, 9);
    let e = SinkhornLog::with_threads(1000)
        .init(&p, &mut rng())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("invalid threads"), "{e}");
    let e = Greenkhorn::new()
        .recompute_every(0)
        .init(&p, &mut rng())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("invalid recompute_every"), "{e}");
    let bad = SnsConfig {
        cg_rtol: 0.0,
        ..Default::default()
    };
    let e = Sns::new(bad).init(&p, &mut rng()).unwrap_err().to_string();
    assert!(e.starts_with("invalid cg_rtol"), "{e}");
    let bad = SnsConfig {
        sparsity: Sparsity::PerN(-1.0),
        ..Default::default()
    };
    assert!(Sns::new(bad)
        .init(&p, &mut rng())
        .unwrap_err()
        .to_string()
        .starts_with("invalid sparsity"));
    let e = Sinkhorn::new().step(&p).unwrap_err().to_string();
    assert!(e.contains("before init"), "{e}");
}

/// Mass that must cross entries of cost 0.74 at η = 1000: `K` would hold `e^{−740}`, which
/// is not a double; with those entries at 0 the scaling domain would stall silently.
fn underflowing_problem() -> OtProblem {
    let c = Mat::from_fn(3, 3, |i, j| if i == j { 0.0 } else { 0.74 });
    let a = vec![0.8, 0.1, 0.1];
    let b = vec![0.1, 0.1, 0.8];
    OtProblem::new(
        a,
        b,
        c,
        Regularization::Epsilon(1e-3),
        &Default::default(),
        "underflow",
    )
    .unwrap()
}

#[test]
fn scaling_domain_stops_with_an_underflow_reason_and_log_domain_converges() {
    let p = underflowing_problem();
    for err in [
        Sinkhorn::new().init(&p, &mut rng()).unwrap_err(),
        Greenkhorn::new().init(&p, &mut rng()).unwrap_err(),
    ] {
        let msg = err.to_string();
        assert!(
            msg.contains("underflow: 6 of 9 entries of K")
                && msg.contains("use the log-domain solver (sinkhorn-log)"),
            "{msg}"
        );
        assert!(!msg.contains('\n') && !err.is_user_error());
    }
    let mut log = SinkhornLog::new();
    run(&mut log, &p, 3000);
    let v = OtEvaluator::new(&p, false)
        .unwrap()
        .evaluate(&p, log.iterate());
    assert!(v.marginal_err < 1e-12 && v.plan_nnz > 0.0, "{v:?}");
    // Accepting the underflowed kernel (as most codes do) runs, but silently solves another
    // problem: K = I cannot move mass, and the marginal error stalls.
    let mut lenient = Sinkhorn::new().allow_underflow();
    run(&mut lenient, &p, 200);
    let w = OtEvaluator::new(&p, false)
        .unwrap()
        .evaluate(&p, lenient.iterate());
    assert!(w.marginal_err > 1.0, "{w:?}");
    // The per-step guard: a scaling leaving the normal range is caught.
    assert_eq!(
        crate::scaling::first_abnormal(&[1.0, 1e-310, 0.5]),
        Some((1, 1e-310))
    );
    assert_eq!(
        crate::scaling::first_abnormal(&[1.0, f64::INFINITY]),
        Some((1, f64::INFINITY))
    );
    assert_eq!(crate::scaling::first_abnormal(&[1.0, 2.0]), None);
}
