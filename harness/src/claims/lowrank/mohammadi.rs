//! LR-8 … LR-11 (Mohammadi et al.): the Schur-complement cascade.
use crate::claims::Claim;
pub fn claims() -> Vec<Claim> { vec![] }
