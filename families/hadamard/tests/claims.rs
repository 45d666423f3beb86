//! Every HD claim passes at its catalogue defaults, and its registered negative control
//! fails on a finite value of the measurement it names.

use ratebench_family_hadamard::HadamardFamily;
use ratebench_harness::claims::testing::{assert_control_fails, assert_passes};
use ratebench_harness::family::Family;

macro_rules! claim_tests {
    ($($name:ident: $id:literal;)*) => {$(
        mod $name {
            use super::*;
            #[test]
            fn passes_at_defaults() {
                assert_passes("hadamard", HadamardFamily.claims(), $id);
            }
            #[test]
            fn negative_control_fails_on_a_finite_measurement() {
                assert_control_fails("hadamard", HadamardFamily.claims(), $id);
            }
        }
    )*};
}

claim_tests! {
    hd1: "HD-1"; hd2: "HD-2"; hd3: "HD-3";
}

/// Every claim is covered above.
#[test]
fn every_claim_is_tested() {
    let ids: Vec<&str> = HadamardFamily.claims().iter().map(|c| c.id).collect();
    assert_eq!(ids, ["HD-1", "HD-2", "HD-3"]);
}
