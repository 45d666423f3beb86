//! The OT claims (CLAIMS.md §4), one module per claim id.

mod common;
mod ot1;
mod ot2;
mod ot3;
mod ot4;

use ratebench_harness::claims::Claim;

/// Every claim of the family, in catalogue order.
pub fn claims() -> Vec<Claim> {
    vec![ot1::ot1(), ot2::ot2(), ot3::ot3(), ot4::ot4()]
}
