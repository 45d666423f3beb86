//! Stub: filled in by the MS claims work.
use crate::claims::Claim;
pub fn claims() -> Vec<Claim> {
    vec![]
}
