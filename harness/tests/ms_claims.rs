//! Every MS claim passes at its catalogue defaults, and fails (not errors) under a
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
}
