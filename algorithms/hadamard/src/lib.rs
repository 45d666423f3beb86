//! # ratebench-hadamard-solvers
//!
//! Solvers for the Hadamard decomposition `X ≈ (W₁H₁)∘…∘(W_KH_K)` (CLAIMS.md §3), all
//! implementing [`ratebench_core::Solver`] on [`ratebench_hadamard::HadamardProblem`] with
//! the shared iterate [`ratebench_hadamard::HadamardFactors`]:
//!
//! | name | solver | what |
//! |---|---|---|
//! | `bcd` | [`Bcd`] with [`BcdConfig::new`] | Wertz–Vandaele–Gillis BCD, exact column least squares (`hadamardLS_exact`), blocks H2, W2, H1, W1 |
//! | `bcd-momentum` | [`BcdConfig::with_momentum`] | the same with Ang–Gillis extrapolation and restore-previous-iterate undo |
//! | `bcd-k{K}`, `bcd-momentum-k{K}` | [`BcdConfig::multiple`] | `K`-factor BCD (`BCD_multiple`), recursive SVD init |
//! | `gd-ciaperoni` | [`GdCiaperoni`] | Ciaperoni et al.'s normalized alternating gradient descent |
//!
//! Initializations ([`Init`], parsed from `svd`, `svd-unscaled`, `gaussian`) are computed
//! in `Solver::init` (the harness times them as `init_s`). Every solver's `work()` is the
//! cumulative analytic flop count ([`flops`]), so HD-3 can compare at equal flops as well as
//! at equal wall time. `step` never allocates. BCD's parallelism is [`BcdConfig::threads`]
//! (default 1); its runs are bit-identical for every thread count (the GEMMs split
//! statically, the row solves are independent, the SVD init runs sequentially). GD is
//! sequential (its products are small fused passes).
//!
//! ```
//! use ratebench_core::{rng::SeedPath, Solver};
//! use ratebench_hadamard::{HadamardProblem, HadamardSpec};
//! use ratebench_hadamard_solvers::{Bcd, BcdConfig, GdCiaperoni, GdConfig};
//! // HD-1's instance (seed 0); BCD with momentum from the scaled SVD init.
//! let seed = SeedPath::new(0).with("HD-1").with("seed=0");
//! let p = HadamardProblem::generate(&HadamardSpec::default(), &mut seed.stream("data")).unwrap();
//! let mut bcd = Bcd::new(BcdConfig::new(5).with_momentum());
//! bcd.init(&p, &mut seed.stream("init")).unwrap();
//! let mut last = bcd.error().unwrap();
//! for _ in 0..300 {
//!     bcd.step(&p).unwrap();
//!     let e = bcd.error().unwrap();
//!     assert!(e <= last); // the undo keeps the error monotone
//!     last = e;
//! }
//! assert_eq!(last, p.relative_error(bcd.iterate()));
//! // Far below the TSVD with the same parameter budget (rank 2r = 10) …
//! assert!(last < 1e-3 * p.tsvd_error(10).unwrap());
//! // … and below the GD baseline after 2000 of its (cheaper) iterations.
//! let mut gd = GdCiaperoni::new(GdConfig::new(5));
//! gd.init(&p, &mut seed.stream("init")).unwrap();
//! for _ in 0..2000 { gd.step(&p).unwrap(); }
//! assert!(last < p.relative_error(gd.iterate()));
//! ```

mod bcd;
pub mod flops;
mod gd;
pub mod init;
pub mod lsq;
mod momentum;
mod simd;

pub use bcd::{Bcd, BcdConfig, FactorOrder};
pub use gd::{GdCiaperoni, GdConfig};
pub use init::Init;
pub use momentum::Momentum;

use faer::{MatMut, MatRef};

/// Column `j` of a column-major matrix as a slice (every matrix here is a view of an owned
/// `Mat`, whose columns are contiguous).
fn col(m: MatRef<'_, f64>, j: usize) -> &[f64] {
    m.col(j)
        .try_as_col_major()
        .expect("matrices of a HadamardProblem are column-major")
        .as_slice()
}

/// Column `j` of a column-major mutable matrix as a slice.
fn col_mut(m: MatMut<'_, f64>, j: usize) -> &mut [f64] {
    m.col_mut(j)
        .try_as_col_major_mut()
        .expect("solver buffers are column-major")
        .as_slice_mut()
}
