//! Every SR claim passes at its catalogue defaults, and its registered negative control
//! fails on a finite value of the measurement it names.

use ratebench_family_sparse::SparseFamily;
use ratebench_harness::claims::testing::{assert_control_fails, assert_passes};
use ratebench_harness::family::Family;

macro_rules! claim_tests {
    ($($name:ident: $id:literal;)*) => {$(
        mod $name {
            use super::*;
            #[test]
            fn passes_at_defaults() {
                assert_passes("sparse", SparseFamily.claims(), $id);
            }
            #[test]
            fn negative_control_fails_on_a_finite_measurement() {
                assert_control_fails("sparse", SparseFamily.claims(), $id);
            }
        }
    )*};
}

claim_tests! {
    sr1: "SR-1"; sr2: "SR-2"; sr3: "SR-3"; sr4: "SR-4";
    sr5: "SR-5"; sr6: "SR-6"; sr7: "SR-7"; sr8: "SR-8";
}

/// Every claim is covered above, and every one registers a negative control.
#[test]
fn every_claim_is_tested() {
    let claims = SparseFamily.claims();
    let ids: Vec<&str> = claims.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        ["SR-1", "SR-2", "SR-3", "SR-4", "SR-5", "SR-6", "SR-7", "SR-8"]
    );
    assert!(claims.iter().all(|c| c.control.is_some()));
}
