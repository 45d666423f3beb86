//! LR-5 … LR-7 (Jin, Li, Lyu, Du, Lee): greedy low-rank learning.
use crate::claims::Claim;
pub fn claims() -> Vec<Claim> { vec![] }
