//! Every OT claim passes at its catalogue defaults, and its registered negative control
//! fails on a finite value of the measurement it names.

use ratebench_family_ot::OtFamily;
use ratebench_harness::claims::testing::{assert_control_fails, assert_passes};
use ratebench_harness::family::Family;

macro_rules! claim_tests {
    ($($name:ident: $id:literal;)*) => {$(
        mod $name {
            use super::*;
            #[test]
            fn passes_at_defaults() {
                assert_passes("ot", OtFamily.claims(), $id);
            }
            #[test]
            fn negative_control_fails_on_a_finite_measurement() {
                assert_control_fails("ot", OtFamily.claims(), $id);
            }
        }
    )*};
}

claim_tests! {
    ot1: "OT-1"; ot2: "OT-2"; ot3: "OT-3"; ot4: "OT-4";
}

/// Every claim is covered above.
#[test]
fn every_claim_is_tested() {
    let ids: Vec<&str> = OtFamily.claims().iter().map(|c| c.id).collect();
    assert_eq!(ids, ["OT-1", "OT-2", "OT-3", "OT-4"]);
}
