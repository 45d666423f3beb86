//! The SR claims (CLAIMS.md §5), one module per claim id (SR-5 and SR-6 share their runs'
//! module).

mod common;
mod sr1;
mod sr2;
mod sr3;
mod sr4;
mod sr5;
mod sr7;
mod sr8;

pub(crate) use common::{data_path, IMPLICIT_DATA, LASSO_DATA};
use ratebench_harness::claims::Claim;

/// Every claim of the family, in catalogue order.
pub fn claims() -> Vec<Claim> {
    vec![
        sr1::sr1(),
        sr2::sr2(),
        sr3::sr3(),
        sr4::sr4(),
        sr5::sr5(),
        sr5::sr6(),
        sr7::sr7(),
        sr8::sr8(),
    ]
}
