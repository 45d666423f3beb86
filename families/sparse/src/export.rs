//! `ratebench export sparse`: a generated Lasso instance as `.npz` — arrays `X` (n × p),
//! `y`, `w_star`, the scalars `lambda` (plain convention ½‖y − Xw‖² + λ‖w‖₁), `alpha`
//! (= λ/n, scikit-learn's convention (1/2n)‖y − Xw‖² + α‖w‖₁), `lambda_max`, the text
//! `convention` (the one the run values are in) and `spec_json`, so the same instance runs
//! in scikit-learn or celer:
//!
//! ```python
//! d = np.load("inst.npz"); X, y = d["X"], d["y"]
//! alpha = float(d["alpha"])                       # = lambda / n
//! # scikit-learn stops at gap < tol·‖y‖² on the plain-convention gap (its Cython works
//! # with alpha·n), so a sklearn-convention gap of 1e-10 is tol = 1e-10·n/‖y‖²:
//! tol = 1e-10 * X.shape[0] / (y @ y)
//! w = Lasso(alpha=alpha, fit_intercept=False, tol=tol).fit(X, y).coef_
//! ```
//!
//! A scikit-learn user passes **`alpha`** (never `lambda`). The archive loads back into
//! suites with `[sparse] data = "inst.npz"` (`w_star` is read too).

use crate::claims::{data_path, IMPLICIT_DATA, LASSO_DATA};
use ratebench_core::npy::Entry;
use ratebench_core::rng::SeedPath;
use ratebench_core::{Error, Result};
use ratebench_harness::family::Exporter;
use ratebench_harness::params::{Domain, Params};
use ratebench_sparse::{Convention, DesignKind, Lasso, RegressionSpec, Regularization};
use std::path::Path;

/// The family's exporters.
pub fn exporters() -> Vec<Exporter> {
    vec![Exporter {
        name: "sparse",
        description: "a Lasso instance y = Xw⋆ + ξ (Toeplitz/Gaussian/Rademacher X): arrays X, y, w_star, lambda (plain ½‖y − Xw‖² + λ‖w‖₁), alpha = lambda/n (what scikit-learn's Lasso(alpha=…, fit_intercept=False, tol=…) takes), lambda_max, convention, spec_json, seed",
        params,
        write,
    }]
}

fn params() -> Params {
    Params::new()
        .int("n", 500, Domain::AtLeast(1.0), "samples n")
        .int("p", 2000, Domain::AtLeast(10.0), "features p")
        .int(
            "design",
            0,
            Domain::AtLeast(0.0),
            "0: Toeplitz(tau) (the suite's), 1: Gaussian, 2: Rademacher",
        )
        .float("tau", 0.5, Domain::AtLeast(0.0), "Toeplitz correlation τ (< 1)")
        .float("fraction", 0.05, Domain::Positive, "λ/λ_max (the suite's λ_max/20)")
        .int(
            "sklearn",
            1,
            Domain::AtLeast(0.0),
            "1: results in scikit-learn's convention (1/2n)‖·‖² + α‖w‖₁ (the suite's), 0: plain ½‖·‖² + λ‖w‖₁",
        )
        .int(
            "suite",
            0,
            Domain::AtLeast(0.0),
            "the stream: 0 the export's own, 1/2/3 the quick/default/full suite's Toeplitz instance (same n, p, tau and --seed)",
        )
        .int(
            "claim",
            0,
            Domain::AtLeast(0.0),
            "0: the instance above; 7: SR-7/SR-8's Lasso (Gaussian 200 × 1000, λ = 0.1λ_max, plain); 1: SR-1…SR-3's data (Rademacher 200 × 2000)",
        )
        .int("data_seed", 0, Domain::AtLeast(0.0), "repetition / claim data seed s")
}

fn write(p: &Params, seed: u64, out: &Path) -> Result<String> {
    if out.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(Error::invalid(
            "--out",
            format!("'{}' must end in .npz", out.display()),
        ));
    }
    let s = p.u64("data_seed");
    let (spec, path, labels, fraction, convention) = match p.usize("claim") {
        0 => {
            let tau = p.f64("tau");
            let design = match p.usize("design") {
                0 => DesignKind::Toeplitz { tau },
                1 => DesignKind::Gaussian,
                2 => DesignKind::Rademacher,
                other => {
                    return Err(Error::invalid(
                        "design",
                        format!("must be 0 (Toeplitz), 1 (Gaussian) or 2 (Rademacher), got {other}"),
                    ))
                }
            };
            let spec = RegressionSpec {
                design,
                ..RegressionSpec::lasso_toeplitz(p.usize("n"), p.usize("p"), tau)
            };
            let group = match p.usize("suite") {
                0 => "export".to_string(),
                k @ 1..=3 => format!("suite:{}", ratebench_harness::family::SUITES[k - 1]),
                other => {
                    return Err(Error::invalid(
                        "suite",
                        format!("must be 0 (own stream) or 1/2/3 (quick/default/full), got {other}"),
                    ))
                }
            };
            let rep = format!("seed={s}");
            let path = SeedPath::new(seed).with(&group).with(spec.label()).with(&rep);
            let labels = vec![group, spec.label(), rep];
            let conv = if p.usize("sklearn") == 1 {
                Convention::Sklearn
            } else {
                Convention::Plain
            };
            (spec, path, labels, p.f64("fraction"), conv)
        }
        7 => (
            RegressionSpec::lasso_sr7(),
            data_path(seed, LASSO_DATA, s),
            vec![LASSO_DATA.to_string(), format!("seed={s}")],
            0.1,
            Convention::Plain,
        ),
        1 => (
            RegressionSpec::implicit_regularization(),
            data_path(seed, IMPLICIT_DATA, s),
            vec![IMPLICIT_DATA.to_string(), format!("seed={s}")],
            p.f64("fraction"),
            Convention::Plain,
        ),
        other => {
            return Err(Error::invalid(
                "claim",
                format!("must be 0 (the instance of n, p, design, tau), 1 (SR-1…SR-3's data) or 7 (SR-7/SR-8's Lasso), got {other}"),
            ))
        }
    };
    let data = spec.generate(&path)?;
    let lasso = Lasso::new(data, Regularization::Fraction { fraction }, convention)?;
    let data = lasso.data();
    let x = data.x().dense_columns(&(0..data.p()).collect::<Vec<_>>());
    let truth = data.truth().map(<[f64]>::to_vec).unwrap_or_default();
    let yy: f64 = data.y().iter().map(|v| v * v).sum();
    let n = data.n() as f64;
    let json = serde_json::json!({
        "problem": "lasso",
        "spec": spec,
        "seed": seed,
        "seed_path": labels,
        "convention": convention.as_str(),
        "objective": match convention {
            Convention::Plain => "0.5*||y - Xw||^2 + lambda*||w||_1",
            Convention::Sklearn => "(1/(2n))*||y - Xw||^2 + alpha*||w||_1",
        },
        "lambda": lasso.lambda(),
        "alpha": lasso.alpha(),
        "lambda_max": lasso.lambda_max(),
        "sklearn": "Lasso(alpha=alpha, fit_intercept=False, tol=gap/‖y‖² for a plain-convention gap, n·gap/‖y‖² for a sklearn-convention gap)",
        "note": lasso.note(),
    })
    .to_string();
    ratebench_core::npy::write_npz(
        out,
        &[
            ("X", Entry::Matrix(x.as_ref())),
            ("y", Entry::Vector(data.y())),
            ("w_star", Entry::Vector(&truth)),
            ("lambda", Entry::Scalar(lasso.lambda())),
            ("alpha", Entry::Scalar(lasso.alpha())),
            ("lambda_max", Entry::Scalar(lasso.lambda_max())),
            ("convention", Entry::Text(convention.as_str())),
            ("spec_json", Entry::Text(&json)),
            ("seed", Entry::U64(seed)),
        ],
    )?;
    Ok(format!(
        "wrote {} (X {}×{}, y, w_star, lambda = {:.6e}, alpha = {:.6e}, lambda_max, convention = {}, spec_json, seed); \
         scikit-learn: Lasso(alpha={:.6e}, fit_intercept=False, tol={:.3e}) reaches a {} gap of 1e-10 (pass alpha = lambda/n, not lambda)",
        out.display(),
        data.n(),
        data.p(),
        lasso.lambda(),
        lasso.alpha(),
        convention.as_str(),
        lasso.alpha(),
        match convention {
            Convention::Sklearn => 1e-10 * n / yy,
            Convention::Plain => 1e-10 / yy,
        },
        convention.as_str(),
    ))
}
