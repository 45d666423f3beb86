//! Every LR claim passes at its catalogue defaults, and fails (not errors) under a
//! negative-control setup that leaves the claim's assumptions.

use ratebench_harness::claims::{check_claim, select};
use ratebench_harness::results::{Outcome, Verdict};

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap()
}

fn check(id: &str, overrides: &[(&str, &str)]) -> Verdict {
    let claim = select(&[id.to_string()]).unwrap().remove(0);
    let ov: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let (v, _) = check_claim(&claim, &ov, None, 0, 1.0, &pool()).unwrap();
    for m in &v.measurements {
        eprintln!("{id} {:?}: {} = {:.6e} ci={:?} [{}] ref={:?}", m.ok, m.name, m.value, m.ci, m.criterion, m.reference);
    }
    eprintln!("{id}: {:?} {} ({:.2}s)", v.outcome, v.message, v.wall_s);
    v
}

fn assert_outcome(id: &str, overrides: &[(&str, &str)], want: Outcome) {
    let v = check(id, overrides);
    assert_eq!(v.outcome, want, "{id} with {overrides:?}: {:#?}", v.measurements);
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
}
