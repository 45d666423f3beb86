//! Runtime CPU-feature dispatch for the vectorized kernels: the workspace's shared
//! [`ratebench_core::simd`] (each kernel written once over lane arrays, compiled per
//! instruction set by `multiversion!`, bit-identical results whichever version runs).

pub(crate) use ratebench_core::multiversion;
pub use ratebench_core::simd::{isa, Isa};
