//! Matrix sensing claims MS-1 … MS-7 (CLAIMS.md §2).

mod fattahi;
mod jin_xiong;
mod xu;

use super::Claim;
use crate::lowrank::Instance;
use ratebench_core::Result;
use ratebench_sensing::SensingSpec;

/// All MS claims in catalogue order.
pub fn claims() -> Vec<Claim> {
    let mut v = xu::claims();
    v.extend(jin_xiong::claims());
    v.extend(fattahi::claims());
    v
}

/// A sensing instance for a claim; `data_seed` seeds `M⋆`, the operator and the noise.
pub(crate) fn sensing_instance(
    spec: SensingSpec,
    base_seed: u64,
    claim: &str,
    data_seed: u64,
) -> Result<Instance> {
    Instance::generate_sensing(&spec, base_seed, claim, data_seed)
}
