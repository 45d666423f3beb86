//! Metric tests against direct formulas and duality.

use crate::{metric_set, running_gap, OtEvaluator, OtIterate, OtMetric, OtProblem, Regularization};
use faer::Mat;
use rand::Rng as _;
use ratebench_core::rng::SeedPath;

fn small_problem(eta: f64) -> OtProblem {
    let mut rng = SeedPath::new(11).stream("data");
    let (n, m) = (6, 4);
    let raw: Vec<f64> = (0..n).map(|_| 0.2 + rng.random::<f64>()).collect();
    let s: f64 = raw.iter().sum();
    let a = raw.iter().map(|v| v / s).collect();
    let b = vec![0.25; m];
    let c = Mat::from_fn(n, m, |_, _| rng.random::<f64>());
    OtProblem::new(
        a,
        b,
        c,
        Regularization::Eta(eta),
        &Default::default(),
        "small",
    )
    .unwrap()
}

/// Plain Sinkhorn in potentials with std exp (a reference independent of the solver crate).
fn reference_sinkhorn(p: &OtProblem, iters: usize) -> (Vec<f64>, Vec<f64>) {
    let (n, m) = p.shape();
    let (eta, c) = (p.eta(), p.cost());
    let (mut x, mut y) = (vec![0.0; n], vec![0.0; m]);
    for _ in 0..iters {
        for i in 0..n {
            let s: f64 = (0..m).map(|j| (eta * (y[j] - c[(i, j)]) - 1.0).exp()).sum();
            x[i] = (p.a()[i].ln() - s.ln()) / eta;
        }
        for j in 0..m {
            let s: f64 = (0..n).map(|i| (eta * (x[i] - c[(i, j)]) - 1.0).exp()).sum();
            y[j] = (p.b()[j].ln() - s.ln()) / eta;
        }
    }
    (x, y)
}

#[test]
fn metrics_match_direct_formulas() {
    let p = small_problem(5.0);
    let (n, m) = p.shape();
    let (x, y): (Vec<f64>, Vec<f64>) = (
        (0..n).map(|i| 0.01 * i as f64).collect(),
        (0..m).map(|j| -0.02 * j as f64).collect(),
    );
    let plan = Mat::from_fn(n, m, |i, j| {
        (p.eta() * (x[i] + y[j] - p.cost()[(i, j)]) - 1.0).exp()
    });
    let row: f64 = (0..n)
        .map(|i| ((0..m).map(|j| plan[(i, j)]).sum::<f64>() - p.a()[i]).abs())
        .sum();
    let col: f64 = (0..m)
        .map(|j| ((0..n).map(|i| plan[(i, j)]).sum::<f64>() - p.b()[j]).abs())
        .sum();
    let cost: f64 = (0..n)
        .flat_map(|i| (0..m).map(move |j| (i, j)))
        .map(|ij| plan[ij] * p.cost()[ij])
        .sum();
    let ent: f64 = (0..n)
        .flat_map(|i| (0..m).map(move |j| (i, j)))
        .map(|ij| plan[ij] * plan[ij].ln())
        .sum();
    let mass: f64 = (0..n)
        .flat_map(|i| (0..m).map(move |j| (i, j)))
        .map(|ij| plan[ij])
        .sum();
    let f = -mass / p.eta()
        + x.iter().zip(p.a()).map(|(x, a)| x * a).sum::<f64>()
        + y.iter().zip(p.b()).map(|(y, b)| y * b).sum::<f64>();
    let mut ev = OtEvaluator::new(&p, true).unwrap();
    let v = ev.evaluate(
        &p,
        &OtIterate::Dual {
            x: x.clone(),
            y: y.clone(),
        },
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * (1.0 + b.abs());
    assert!(close(v.row_err, row) && close(v.col_err, col), "{v:?}");
    assert!(close(v.transport_cost, cost) && close(v.entropic_obj, cost + ent / p.eta()));
    assert!(close(v.dual_f, f) && v.dual_gap == 0.0);
    assert_eq!(v.plan_nnz, (n * m) as f64);
    // The same plan given as scalings gives the same metrics.
    let s = OtIterate::Scaling {
        u: x.iter().map(|x| (p.eta() * x - 1.0).exp()).collect(),
        v: y.iter().map(|y| (p.eta() * y).exp()).collect(),
    };
    let w = OtEvaluator::new(&p, true).unwrap().evaluate(&p, &s);
    assert!(
        close(w.marginal_err, v.marginal_err)
            && close(w.dual_f, v.dual_f)
            && close(w.rounded_cost, v.rounded_cost)
    );
}

#[test]
fn primal_equals_dual_at_convergence_and_rounding_bounds_the_cost() {
    let p = small_problem(20.0);
    let (x, y) = reference_sinkhorn(&p, 2000);
    let mut ev = OtEvaluator::new(&p, true).unwrap();
    let v = ev.evaluate(&p, &OtIterate::Dual { x, y });
    assert!(v.marginal_err < 1e-13, "{v:?}");
    // Strong duality of the entropic problem: primal objective = f at the optimum.
    assert!(
        (v.entropic_obj - v.dual_f).abs() < 1e-12,
        "{} vs {}",
        v.entropic_obj,
        v.dual_f
    );
    // A (numerically) feasible plan is unchanged by rounding.
    assert!((v.rounded_cost - v.transport_cost).abs() < 1e-12);
}

#[test]
fn far_from_feasible_the_rounded_cost_is_still_an_upper_bound_of_a_feasible_plan() {
    let p = small_problem(5.0);
    let (n, m) = p.shape();
    let mut ev = OtEvaluator::new(&p, true).unwrap();
    let v = ev.evaluate(&p, &OtIterate::zero_dual(n, m));
    assert!(v.marginal_err > 0.1);
    // Any feasible plan costs at least the exact OT cost ≥ min C and at most max C.
    let (lo, hi) = p.cost_range();
    assert!(v.rounded_cost >= lo && v.rounded_cost <= hi, "{v:?}");
}

#[test]
fn nnz_counts_entries_above_threshold_and_gap_tracks_the_best() {
    let p = small_problem(5.0);
    let (n, m) = p.shape();
    let mut x = vec![0.0; n];
    x[0] = -10.0; // row 0 becomes exp(−50)·… ≈ 1e-22 relative: below 1e-12·max
    let mut ev = OtEvaluator::new(&p, false).unwrap();
    let v = ev.evaluate(
        &p,
        &OtIterate::Dual {
            x: x.clone(),
            y: vec![0.0; m],
        },
    );
    assert_eq!(v.plan_nnz, ((n - 1) * m) as f64);
    assert!(v.rounded_cost.is_nan());
    let best = ev.best_dual();
    let w = ev.evaluate(
        &p,
        &OtIterate::Dual {
            x: vec![-20.0; n],
            y: vec![0.0; m],
        },
    );
    assert!(w.dual_f < best && (w.dual_gap - (best - w.dual_f)).abs() < 1e-15);
    assert_eq!(running_gap(&[1.0, 3.0, 2.0]), vec![0.0, 0.0, 1.0]);
}

#[test]
fn metric_set_keeps_the_requested_order() {
    let p = std::sync::Arc::new(small_problem(5.0));
    let (n, m) = p.shape();
    let mut set = metric_set(p.clone(), &[OtMetric::ColErr, OtMetric::MarginalErr]).unwrap();
    assert_eq!(set.names(), &["col_err", "marginal_err"]);
    let mut out = [0.0; 2];
    set.eval(&OtIterate::zero_dual(n, m), &mut out);
    assert!(out[1] > out[0] && out[0] > 0.0);
    assert!(OtMetric::from_name("bogus")
        .unwrap_err()
        .to_string()
        .contains("known: marginal_err"));
    assert!(metric_set(p, &[]).is_err());
}
