//! The HD claims (CLAIMS.md §3), one module per claim id.

mod common;
mod hd1;
mod hd2;
mod hd3;

pub(crate) use common::HD1_DATA;
use ratebench_harness::claims::Claim;

/// Every claim of the family, in catalogue order.
pub fn claims() -> Vec<Claim> {
    vec![hd1::hd1(), hd2::hd2(), hd3::hd3()]
}
