//! Every LR/MS claim passes at its catalogue defaults, and its registered negative control
//! fails on a finite value of the measurement it names.

use ratebench_family_factored::FactoredFamily;
use ratebench_harness::claims::testing::{assert_control_fails, assert_passes};
use ratebench_harness::family::Family;

macro_rules! claim_tests {
    ($($name:ident: $id:literal;)*) => {$(
        mod $name {
            use super::*;
            #[test]
            fn passes_at_defaults() {
                assert_passes("factored", FactoredFamily.claims(), $id);
            }
            #[test]
            fn negative_control_fails_on_a_finite_measurement() {
                assert_control_fails("factored", FactoredFamily.claims(), $id);
            }
        }
    )*};
}

claim_tests! {
    lr1: "LR-1"; lr2: "LR-2"; lr3: "LR-3"; lr4: "LR-4"; lr5: "LR-5"; lr6: "LR-6";
    lr7: "LR-7"; lr8: "LR-8"; lr9: "LR-9"; lr10: "LR-10"; lr11: "LR-11";
    ms1: "MS-1"; ms3: "MS-3"; ms4: "MS-4"; ms5: "MS-5"; ms6: "MS-6"; ms7: "MS-7";
}

/// MS-2 only records values: its verdict is exploratory and every value is finite.
#[test]
fn ms2_is_exploratory_with_finite_values() {
    assert_passes("factored", FactoredFamily.claims(), "MS-2");
}

/// Every judged claim is covered above.
#[test]
fn every_claim_is_tested() {
    let ids: Vec<&str> = FactoredFamily.claims().iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 18, "{ids:?}");
}
