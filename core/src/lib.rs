//! # ratebench-core
//!
//! The shared vocabulary of ratebench, free of any problem- or algorithm-specific code:
//!
//! * [`Solver`]: an argmin-style state machine. `init` allocates and draws the start (not
//!   timed), `step` performs one iteration (timed, allocation-free in steady state).
//! * [`MetricSet`]: named `f64` values evaluated on an iterate, outside the timed region.
//! * [`StopRule`] / [`StopReason`] / [`Sampling`]: when the executor stops and records.
//! * [`Trace`]: the `(iter, time_s, metrics…)` rows of one run.
//! * [`rng`]: seeded, portable ChaCha8 streams derived from a stable hash.
//! * [`Error`]: the one error type, whose messages name the offending parameter and the fix.
//! * [`npy`]: reading and writing NumPy `.npy`/`.npz` files (instances in and out).
//! * [`memory`]: the limit every generator checks before allocating an instance.
//! * [`simd`]: runtime instruction-set dispatch for hand-written kernels (bit-identical
//!   results on every level); [`alloc_count`]: the allocation counter of the no-allocation
//!   tests.
//!
//! ```
//! use ratebench_core::rng::SeedPath;
//! use rand::Rng;
//! // The same path gives the same stream on every machine and for any number of threads.
//! let mut a = SeedPath::new(42).with("LR-1").with("kappa=10").stream("init");
//! let mut b = SeedPath::new(42).with("LR-1").with("kappa=10").stream("init");
//! assert_eq!(a.random::<u64>(), b.random::<u64>());
//! ```

pub mod alloc_count;
pub mod error;
pub mod memory;
pub mod metrics;
pub mod npy;
pub mod rng;
pub mod simd;
pub mod solver;
pub mod stop;
pub mod trace;

pub use error::{Error, Result};
pub use metrics::MetricSet;
pub use solver::Solver;
pub use stop::{Sampling, StopReason, StopRule};
pub use trace::{Trace, TraceRow};

/// faer parallelism for a thread count: `Par::Seq` for 0 or 1, else `Par::rayon(threads)`.
/// faer splits work statically, so results are bit-identical for a given thread count.
pub fn par(threads: usize) -> faer::Par {
    if threads <= 1 {
        faer::Par::Seq
    } else {
        faer::Par::rayon(threads)
    }
}
