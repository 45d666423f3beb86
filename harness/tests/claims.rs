//! Every claim (LR-…, MS-…) passes at its catalogue defaults, and fails (not errors) under a
//! negative-control setup that leaves the claim's assumptions.

use ratebench_harness::claims::{check_claim, params_for, select};
use ratebench_harness::results::{Outcome, Verdict};

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
}

fn check(id: &str, overrides: &[(&str, &str)]) -> Verdict {
    let claim = select(&[id.to_string()]).unwrap().remove(0);
    let ov: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = params_for(&claim, &ov, None).unwrap();
    let (v, _) = check_claim(&claim, &params, 0, 1.0, &pool()).unwrap();
    for m in &v.measurements {
        eprintln!(
            "{id} {:?}: {} = {:.6e} ci={:?} [{}] ref={:?}",
            m.ok, m.name, m.value, m.ci, m.criterion, m.reference
        );
    }
    eprintln!("{id}: {:?} {} ({:.2}s)", v.outcome, v.message, v.wall_s);
    v
}

fn assert_outcome(id: &str, overrides: &[(&str, &str)], want: Outcome) {
    let v = check(id, overrides);
    assert_eq!(
        v.outcome, want,
        "{id} with {overrides:?}: {:#?}",
        v.measurements
    );
}

macro_rules! claim_tests {
    ($($name:ident: $id:literal, [$(($k:literal, $v:literal)),* $(,)?];)*) => {$(
        mod $name {
            use super::*;
            #[test]
            fn passes_at_defaults() {
                assert_outcome($id, &[], Outcome::Pass);
            }
            #[test]
            fn negative_control_fails() {
                assert_outcome($id, &[$(($k, $v)),*], Outcome::Fail);
            }
        }
    )*};
}

claim_tests! {
    // λ = 100σ_min violates λ ≲ c_λσ_min: the rate becomes ≈ 1 − 1/101.
    lr1: "LR-1", [("lambda", "100")];
    // k = r: exact parameterization converges linearly, not as 1/T.
    lr2: "LR-2", [("k", "[2]")];
    // n·α² ≫ 0.1: outside small initialization the α² law breaks.
    lr3: "LR-3", [("alpha", "[0.8,0.4,0.2]")];
    // The switch never fires inside the fit band: the α-dependence remains.
    lr4: "LR-4", [("switch", "1e-13")];
    // α ≈ 1 is not small initialization: no separation of time scales, ΔT_s ≠ log(α₁/α₂)/log(1 + ησ_s).
    lr5: "LR-5", [("alpha", "[1.0,0.3]")];
    // α not small: GD never gets close to M_s, so d_s does not shrink with α.
    lr6: "LR-6", [("alpha", "[0.3,0.2,0.1]")];
    // Too few iterations: T = 100 ends before the under-parameterized run reaches M_k.
    lr7: "LR-7", [("iters", "100")];
    // k = r₊: no over-parameterization, S ≡ 0, so ηt‖S‖₂ → 0, not ½.
    lr8: "LR-8", [("k", "2")];
    // k = r₊: no over-parameterization, the error decays exponentially, not as √(k−r₊)/(2ηt).
    lr9: "LR-9", [("k", "2")];
    // k = 4 > r₊: over-parameterized, S is no longer 0 (and the error decays as 1/t).
    lr10: "LR-10", [("k", "4")];
    // lambda2 = 0: PSD spectrum (Λ₂ = 0), S decays as 1/(2ηt), not exponentially.
    lr11: "LR-11", [("lambda2", "0")];

    // λ = 0.01σ_min: the preconditioner ≈ 1/λ amplifies the sensing error in the surplus
    // columns, and ScaledGD(λ) stalls above 1e-10 (1e-7 to 1e-8 after T = 600).
    ms1: "MS-1", [("lambda", "0.01")];
    // k = r: exact parameterization converges linearly (to the float floor), not as 1/T.
    ms3: "MS-3", [("k", "2")];
    // α ≈ 1 is not small initialization: no separation of time scales, so
    // ΔT_s ≠ log(α₁/α₂)/log(1 + ησ_s) and the T_s are not ordered.
    ms4: "MS-4", [("alpha", "[1.0,0.3]")];
    // ρ = 0.975 is too small for log(1/α) at α = 1e-4 (catalogue pitfall): the step decays
    // before the signal grows, so e_t stalls above the fit band and no ρᵗ phase exists.
    ms5: "MS-5", [("rho", "[0.975]")];
    // α = 3 vs 0.3 is not small initialization: the final error no longer scales as poly(α).
    ms6: "MS-6", [("alpha_hi", "[3.0,3.0]"), ("alpha_lo", "[0.3,0.3]")];
    // p = 0.6 leaves m ≳ dr²/(1−p)² (a corrupted majority at m = 2000): SubGM stalls at ≈ 0.45.
    ms7: "MS-7", [("p", "0.6")];
}

/// MS-2 only records values: its verdict is exploratory and every value is finite.
#[test]
fn ms2_is_exploratory_with_finite_values() {
    let v = check("MS-2", &[]);
    assert_eq!(v.outcome, Outcome::Exploratory, "{:#?}", v.measurements);
    assert!(!v.measurements.is_empty());
    for m in &v.measurements {
        assert!(m.ok.is_none(), "{} has a criterion", m.name);
        assert!(m.value.is_finite(), "{} = {}", m.name, m.value);
    }
}
