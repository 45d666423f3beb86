//! Properties of the sparse-regression solvers (seconds in total).

use faer::Par;
use ratebench_core::rng::{gaussian_mat, SeedPath};
use ratebench_core::Solver;
use ratebench_sparse::{
    Convention, DataInfo, Design, Graph, GraphKind, Lasso, NesterovQuadratic, Network, PenalizedLs,
    Penalty, RegressionData, RegressionSpec, Regularization,
};
use ratebench_sparse_solvers::{
    AgSettings, CoordinateDescent, Dgd, ImplicitGd, LipschitzRule, NonconvexAg,
    PenalizedProxGradient, ProxGradient,
};

fn rng() -> ratebench_core::rng::Rng {
    SeedPath::new(0).stream("init")
}

fn lasso(frac: f64, conv: Convention) -> Lasso {
    let data = RegressionSpec::lasso_toeplitz(100, 300, 0.5)
        .generate(&SeedPath::new(4))
        .unwrap();
    Lasso::new(data, Regularization::Fraction { fraction: frac }, conv).unwrap()
}

fn run<S: Solver>(s: &mut S, p: &S::Problem, steps: usize) {
    s.init(p, &mut rng()).unwrap();
    for _ in 0..steps {
        s.step(p).unwrap();
    }
}

/// A design with ~25 % nonzeros, and the same matrix stored sparse.
fn dense_and_sparse() -> (Lasso, Lasso) {
    let mut m = gaussian_mat(&mut SeedPath::new(9).stream("x"), 80, 200);
    for j in 0..200 {
        for i in 0..80 {
            if (i * 31 + j * 17) % 4 != 0 {
                m[(i, j)] = 0.0;
            }
        }
    }
    let w: Vec<f64> = (0..200)
        .map(|j| if j % 20 == 0 { 1.0 } else { 0.0 })
        .collect();
    let mut y = vec![0.0; 80];
    let dense = Design::Dense(m);
    dense.matvec(&w, &mut y, Par::Seq);
    y.iter_mut()
        .enumerate()
        .for_each(|(i, v)| *v += 0.01 * ((i * 7 % 5) as f64 - 2.0));
    let sparse = dense.to_sparse().unwrap();
    let mk = |x: Design| {
        let d = RegressionData::new(x, y.clone(), Some(w.clone()), DataInfo::default()).unwrap();
        Lasso::new(
            d,
            Regularization::Fraction { fraction: 0.1 },
            Convention::Plain,
        )
        .unwrap()
    };
    (mk(dense), mk(sparse))
}

#[test]
fn cd_keeps_the_residual_equal_to_y_minus_xw() {
    let l = lasso(0.05, Convention::Plain);
    for mut cd in [
        CoordinateDescent::plain(),
        CoordinateDescent::screening_only(),
        CoordinateDescent::new(),
    ] {
        run(&mut cd, &l, 15);
        let exact = l.residual(cd.iterate());
        let scale = l.data().y().iter().map(|v| v.abs()).fold(0.0, f64::max);
        for (a, b) in cd.residual().iter().zip(&exact) {
            assert!(
                (a - b).abs() <= 1e-12 * scale,
                "{}: kept {a} vs y − Xw {b}",
                cd.name()
            );
        }
    }
}

#[test]
fn screening_never_removes_a_coordinate_of_the_tight_solution() {
    for frac in [0.02, 0.1, 0.5] {
        let l = lasso(frac, Convention::Plain);
        let mut tight = CoordinateDescent::plain().tol(1e-14 * l.primal(&vec![0.0; l.data().p()]));
        tight.init(&l, &mut rng()).unwrap();
        tight.solve(&l, 100_000).unwrap();
        assert!(tight.converged());
        let support: Vec<usize> = (0..l.data().p())
            .filter(|&j| tight.iterate()[j] != 0.0)
            .collect();
        assert!(!support.is_empty());
        // 400 steps run far into round-off, where an unguarded rule screens wrongly.
        for mut cd in [
            CoordinateDescent::screening_only(),
            CoordinateDescent::new(),
        ] {
            cd.init(&l, &mut rng()).unwrap();
            let mut screened_some = false;
            for _ in 0..400 {
                cd.step(&l).unwrap();
                screened_some |= cd.active().len() < l.data().p();
                for j in &support {
                    assert!(
                        cd.active().contains(j),
                        "{} frac {frac}: coordinate {j} (w⋆_j = {:e}) was screened",
                        cd.name(),
                        tight.iterate()[*j]
                    );
                }
            }
            assert!(screened_some, "frac {frac}: screening removed nothing");
            let rel = (l.primal(cd.iterate()) - l.primal(tight.iterate())).abs()
                / l.primal(tight.iterate());
            assert!(rel < 1e-12, "{} {rel}", cd.name());
        }
    }
}

#[test]
fn cd_gap_stopping_certifies_with_the_catalogued_gap_in_both_conventions() {
    for conv in [Convention::Plain, Convention::Sklearn] {
        let l = lasso(0.05, conv);
        let tol = 1e-10;
        for mut cd in [
            CoordinateDescent::new().tol(tol),
            CoordinateDescent::screening_only().tol(tol),
            CoordinateDescent::plain().tol(tol),
        ] {
            cd.init(&l, &mut rng()).unwrap();
            let epochs = cd.solve(&l, 10_000).unwrap();
            assert!(cd.converged() && epochs < 10_000);
            let g = l.gap(cd.iterate());
            assert!(g.gap <= tol * (1.0 + 1e-6), "{conv:?} {}: {g:?}", cd.name());
            assert!(
                (g.gap - cd.last_full_gap()).abs() <= 1e-9 * g.primal,
                "{g:?} vs {}",
                cd.last_full_gap()
            );
            let before = cd.work().unwrap();
            cd.step(&l).unwrap();
            assert_eq!(
                cd.work().unwrap(),
                before,
                "steps after convergence do nothing"
            );
        }
    }
}

#[test]
fn dense_and_sparse_designs_give_the_same_iterates() {
    let (d, s) = dense_and_sparse();
    assert!(s.data().x().is_sparse() && s.data().x().nnz() < d.data().x().nnz());
    let close = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-10 * (1.0 + x.abs()))
    };
    let (mut a, mut b) = (CoordinateDescent::new(), CoordinateDescent::new());
    run(&mut a, &d, 20);
    run(&mut b, &s, 20);
    assert!(close(a.iterate(), b.iterate()));
    assert_eq!(a.active(), b.active());
    assert_eq!(a.working_set(), b.working_set());
    let given = LipschitzRule::Given(400.0);
    let (mut a, mut b) = (
        ProxGradient::fista().lipschitz(given),
        ProxGradient::fista().lipschitz(given),
    );
    run(&mut a, &d, 50);
    run(&mut b, &s, 50);
    assert!(close(a.iterate(), b.iterate()));
}

#[test]
fn fista_cd_and_ista_reach_the_same_lasso_solution() {
    let l = lasso(0.1, Convention::Sklearn);
    let mut cd = CoordinateDescent::new().tol(1e-13);
    cd.init(&l, &mut rng()).unwrap();
    cd.solve(&l, 10_000).unwrap();
    let p_star = l.primal(cd.iterate());
    let mut fista = ProxGradient::fista_restart();
    run(&mut fista, &l, 3000);
    assert!((l.primal(fista.iterate()) - p_star) / p_star < 1e-10);
    let mut ista = ProxGradient::ista();
    ista.init(&l, &mut rng()).unwrap();
    let mut prev = f64::INFINITY;
    for _ in 0..300 {
        ista.step(&l).unwrap();
        let f = l.primal(ista.iterate());
        assert!(f <= prev * (1.0 + 1e-14), "ISTA with step 1/L is monotone");
        prev = f;
    }
    assert_eq!(ista.work(), Some(300 * 300));
}

#[test]
fn fista_and_ista_satisfy_beck_teboulle_bounds_on_the_worst_case_quadratic() {
    let q = NesterovQuadratic::new(400, 4.0, 0.0).unwrap();
    let r0: f64 = q.x_star().iter().map(|v| v * v).sum();
    let (mut ista, mut fista) = (ProxGradient::ista(), ProxGradient::fista());
    ista.init(&q, &mut rng()).unwrap();
    fista.init(&q, &mut rng()).unwrap();
    assert_eq!(ista.l(), Some(4.0));
    for k in 1..=300u32 {
        ista.step(&q).unwrap();
        fista.step(&q).unwrap();
        let k = f64::from(k);
        assert!(q.excess(ista.iterate()) <= 4.0 * r0 / (2.0 * k));
        assert!(q.excess(fista.iterate()) <= 2.0 * 4.0 * r0 / ((k + 1.0) * (k + 1.0)));
    }
    assert!(q.excess(fista.iterate()) < q.excess(ista.iterate()));
}

/// `L‖β − S_{λ/L}(β − ∇f(β)/L)‖`, the norm of the gradient mapping (0 at stationary points).
fn gradient_mapping(prob: &PenalizedLs, beta: &[f64], l: f64) -> f64 {
    let (mut ws, mut g) = (prob.workspace(), vec![0.0; beta.len()]);
    prob.smooth_gradient(beta, &mut ws, &mut g, Par::Seq);
    let d: f64 = beta
        .iter()
        .zip(&g)
        .map(|(&b, &gi)| b - ratebench_sparse::soft_threshold(b - gi / l, prob.lambda() / l))
        .map(|v| v * v)
        .sum();
    l * d.sqrt()
}

#[test]
fn nonconvex_ag_schedules_and_convergence() {
    let data = RegressionSpec::nonconvex_speed(100, 0.5, 20)
        .generate(&SeedPath::new(1))
        .unwrap();
    let prob = PenalizedLs::new(data, Penalty::SCAD, 0.2).unwrap();
    let mut proposed = NonconvexAg::new(AgSettings::Proposed);
    proposed.init(&prob, &mut rng()).unwrap();
    let l = proposed.l().unwrap();
    let g0 = gradient_mapping(&prob, &vec![0.0; prob.data().p()], l);
    let mut alpha_prev = 2.0;
    for k in 1..=600u64 {
        proposed.step(&prob).unwrap();
        let mut ex = [0.0; 3];
        proposed.extras(&mut ex);
        assert!(
            ex[0] <= 2.0 / (k as f64 + 1.0) + 1e-15 && ex[0] < alpha_prev + 1e-15,
            "α_k"
        );
        assert!(
            (ex[2] - ex[1] / ex[0]).abs() < 1e-12 * ex[2],
            "λ_k = β_k/α_k"
        );
        assert!((ex[1] - 0.99 / l).abs() < 1e-15 * ex[1]);
        alpha_prev = ex[0];
    }
    let mut original = NonconvexAg::new(AgSettings::Original);
    run(&mut original, &prob, 600);
    let mut ex = [0.0; 3];
    original.extras(&mut ex);
    assert!(
        (ex[0] - 2.0 / 601.0).abs() < 1e-15 && (ex[2] - 600.0 * ex[1] / 2.0).abs() < 1e-12 * ex[2]
    );
    let mut pg = PenalizedProxGradient::new();
    run(&mut pg, &prob, 20_000);
    assert_eq!(proposed.l(), pg.l());
    // All three approach stationary points (the problem is nonconvex: not necessarily the same).
    for (name, beta) in [
        ("proposed", proposed.iterate()),
        ("original", original.iterate()),
        ("pg", pg.iterate()),
    ] {
        let gm = gradient_mapping(&prob, beta, l);
        assert!(
            gm < 1e-4 * g0,
            "{name}: gradient mapping {gm:e} vs {g0:e} at 0"
        );
    }
}

#[test]
fn dgd_with_one_agent_equals_centralized_gd_bit_for_bit() {
    let data = RegressionSpec::implicit_regularization()
        .generate(&SeedPath::new(2))
        .unwrap();
    let net = Network::new(
        Graph::build(GraphKind::Complete, 1, &mut rng()).unwrap(),
        data.n(),
    )
    .unwrap();
    let mut dgd = Dgd::new(net, 1e-6, 1.0 / 320.0);
    let mut gd = ImplicitGd::new(1e-6, 1.0 / 320.0);
    run(&mut dgd, &data, 300);
    run(&mut gd, &data, 300);
    assert_eq!(dgd.iterate(), gd.iterate());
    assert_eq!(dgd.work(), Some(300));
}

#[test]
fn dgd_on_a_complete_graph_stays_in_consensus_and_tracks_centralized_gd() {
    let data = RegressionSpec::implicit_regularization()
        .generate(&SeedPath::new(2))
        .unwrap();
    let net = Network::new(
        Graph::build(GraphKind::Complete, 10, &mut rng()).unwrap(),
        data.n(),
    )
    .unwrap();
    let mut dgd = Dgd::new(net, 1e-6, 1.0 / 320.0);
    let mut gd = ImplicitGd::new(1e-6, 1.0 / 320.0);
    run(&mut dgd, &data, 2000);
    run(&mut gd, &data, 2000);
    let truth = data.truth().unwrap();
    let e_dgd = ratebench_sparse::sq_error(dgd.iterate(), truth);
    let e_gd = ratebench_sparse::sq_error(gd.iterate(), truth);
    // Agents take local gradient steps, so they disagree (O(η) consensus error), but their
    // mean tracks centralized GD at the statistical level.
    assert!(
        e_dgd < 1.5 * e_gd && dgd.consensus_error().is_finite(),
        "{e_dgd} vs {e_gd}"
    );
}

#[test]
fn increasing_steps_double_per_phase() {
    let data = RegressionSpec::implicit_regularization()
        .generate(&SeedPath::new(2))
        .unwrap();
    let mut gd = ImplicitGd::new(1e-3, 1.0 / 320.0)
        .increasing(64)
        .w_max_hat(16.0);
    gd.init(&data, &mut rng()).unwrap();
    let phase = 10 * (1e3f64).ln().ceil() as u64; // (640/64)·⌈ln(1/α)⌉ = 70
    let mut ex = [0.0];
    for k in 1..=4 * phase {
        gd.step(&data).unwrap();
        gd.extras(&mut ex);
        let expect = if k < 2 * phase {
            1.0
        } else {
            2f64.powi((k / phase) as i32 - 1)
        };
        assert_eq!(ex[0], expect / 320.0, "k = {k}");
    }
    assert_eq!(gd.name(), "implicit-gd-increasing");
}

#[test]
fn tuned_implicit_gd_uses_the_repository_constants() {
    let data = RegressionSpec::implicit_regularization()
        .generate(&SeedPath::new(2))
        .unwrap();
    let mut gd = ImplicitGd::tuned(1e-3);
    gd.init(&data, &mut rng()).unwrap();
    let (alpha, eta, w_hat) = gd.constants().unwrap();
    // Under RIP the probe brackets w_max = 16: w_max ≤ ŵ < 2·w_max.
    assert!((16.0..32.0).contains(&w_hat), "ŵ = {w_hat}");
    assert!((eta - 1.0 / (20.0 * w_hat)).abs() < 1e-15);
    let d: f64 = 2000.0;
    let expect = (2e-3 / (2.0 * d + 1.0))
        .min(1e-3 / (w_hat * w_hat))
        .min(1.0 / (2.0 * d));
    assert_eq!(alpha, expect);
    assert_eq!(gd.iterate(), &vec![0.0; 2000]);
}

#[test]
fn bad_solver_inputs_are_refused_with_one_line() {
    let l = lasso(0.1, Convention::Plain);
    let msg = |e: ratebench_core::Error| {
        let m = e.to_string();
        assert!(!m.contains('\n'));
        m
    };
    let e = msg(CoordinateDescent::plain()
        .with_start(vec![0.0; 3])
        .init(&l, &mut rng())
        .unwrap_err());
    assert!(e.starts_with("invalid start:"), "{e}");
    let e = msg(CoordinateDescent::plain()
        .tol(0.0)
        .init(&l, &mut rng())
        .unwrap_err());
    assert!(e.starts_with("invalid tol:"), "{e}");
    let e = msg(ProxGradient::fista()
        .lipschitz(LipschitzRule::Given(-1.0))
        .init(&l, &mut rng())
        .unwrap_err());
    assert!(e.starts_with("invalid L:"), "{e}");
    let data = RegressionSpec::implicit_regularization()
        .generate(&SeedPath::new(2))
        .unwrap();
    let e = msg(ImplicitGd::new(0.0, 0.1)
        .init(&data, &mut rng())
        .unwrap_err());
    assert!(e.starts_with("invalid alpha:"), "{e}");
    let net = Network::new(Graph::build(GraphKind::Ring, 10, &mut rng()).unwrap(), 100).unwrap();
    let e = msg(Dgd::new(net, 1e-6, 0.01)
        .init(&data, &mut rng())
        .unwrap_err());
    assert!(
        e.starts_with("invalid network:") && e.contains("n = 200"),
        "{e}"
    );
    let g = Graph::from_edges(4, &[(0, 1), (2, 3)]).unwrap();
    let e = msg(Network::new(g, 200).unwrap_err());
    assert!(
        e.starts_with("invalid graph:") && e.contains("not connected"),
        "{e}"
    );
    let mut cd = CoordinateDescent::plain();
    assert!(
        cd.step(&l).is_err(),
        "step before init is an error, not a panic"
    );
    let e = msg(CoordinateDescent::plain().solve(&l, 10).unwrap_err());
    assert!(e.starts_with("invalid tol:"), "{e}");
}

#[test]
fn trivial_lambda_keeps_zero_and_is_certified() {
    let l = lasso(1.5, Convention::Sklearn);
    assert!(l.is_trivial());
    for mut cd in [
        CoordinateDescent::new().tol(1e-15),
        CoordinateDescent::screening_only().tol(1e-15),
    ] {
        cd.init(&l, &mut rng()).unwrap();
        cd.solve(&l, 10).unwrap();
        assert!(
            cd.converged() && cd.iterate().iter().all(|v| *v == 0.0) && cd.epochs() <= 1,
            "{}",
            cd.name()
        );
    }
}

#[test]
fn implicit_gd_step_is_gradient_descent_on_u_and_v_by_finite_differences() {
    let data = RegressionSpec::implicit_regularization()
        .generate(&SeedPath::new(3))
        .unwrap();
    let (n, p) = (data.n(), data.p());
    let (alpha, eta) = (0.3, 1e-3);
    // L(u, v) = (1/n)‖X(u∘u − v∘v) − y‖².
    let loss = |u: &[f64], v: &[f64]| {
        let w: Vec<f64> = u.iter().zip(v).map(|(a, b)| a * a - b * b).collect();
        let mut r = vec![0.0; n];
        data.x().matvec(&w, &mut r, Par::Seq);
        r.iter()
            .zip(data.y())
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / n as f64
    };
    let mut gd = ImplicitGd::new(alpha, eta);
    run(&mut gd, &data, 1);
    let u0 = vec![alpha; p];
    for j in [0, 3, 4, 100, p - 1] {
        let h = 1e-6;
        let d = |du: f64, dv: f64| {
            let (mut u, mut v) = (u0.clone(), u0.clone());
            u[j] += du;
            v[j] += dv;
            loss(&u, &v)
        };
        let gu = (d(h, 0.0) - d(-h, 0.0)) / (2.0 * h);
        let gv = (d(0.0, h) - d(0.0, -h)) / (2.0 * h);
        let (u1, v1) = (alpha - eta * gu, alpha - eta * gv);
        let expect = u1 * u1 - v1 * v1;
        let got = gd.iterate()[j];
        assert!(
            (got - expect).abs() < 1e-7 * (1.0 + expect.abs()),
            "j={j}: {got} vs {expect}"
        );
    }
}

/// The performance instance of issue 10 (Toeplitz(0.5), n = 500, p = 2000, λ = λ_max/20,
/// scikit-learn convention): `cd` stopped at gap ≤ 1e-10 has the objective of a tight
/// reference (plain CD to gap ≤ 1e-14) to 1e-12 relative, and so does plain CD at 1e-10.
#[test]
fn cd_at_gap_1e_10_matches_a_tight_reference_on_the_timing_instance() {
    let data = RegressionSpec::lasso_toeplitz(500, 2000, 0.5)
        .generate(
            &SeedPath::new(0)
                .with("lasso-toeplitz")
                .with("tau=0.5")
                .with("seed=0"),
        )
        .unwrap();
    let l = Lasso::new(
        data,
        Regularization::Fraction { fraction: 0.05 },
        Convention::Sklearn,
    )
    .unwrap();
    let mut tight = CoordinateDescent::plain().tol(1e-14);
    tight.init(&l, &mut rng()).unwrap();
    tight.solve(&l, 1_000_000).unwrap();
    assert!(tight.converged());
    let p_ref = l.primal(tight.iterate());
    for mut cd in [
        CoordinateDescent::new().tol(1e-10),
        CoordinateDescent::screening_only().tol(1e-10),
        CoordinateDescent::plain().tol(1e-10),
    ] {
        cd.init(&l, &mut rng()).unwrap();
        cd.solve(&l, 1_000_000).unwrap();
        let g = l.gap(cd.iterate());
        assert!(cd.converged() && g.gap <= 1e-10 * (1.0 + 1e-6), "{g:?}");
        let rel = (l.primal(cd.iterate()) - p_ref).abs() / p_ref;
        assert!(rel <= 1e-12, "{}: {rel:e}", cd.name());
    }
}
