//! # ratebench-ot
//!
//! Discrete entropic optimal transport (CLAIMS.md §4): histograms `a ∈ Δⁿ`, `b ∈ Δᵐ`, a cost
//! `C ∈ ℝ^{n×m}` and the regularization `η = 1/ε` (accepted as either; **η is canonical** in
//! specs written to result files). The catalogue's objects, in its notation:
//!
//! * primal `min_{P1=a, Pᵀ1=b} ⟨C, P⟩ + (1/η) Σ p_ij log p_ij`;
//! * dual potential `f(x, y) = −(1/η) Σ exp(η(−C_ij + x_i + y_j) − 1) + ⟨a, x⟩ + ⟨b, y⟩`;
//! * plan `P = exp(η(−C + x1ᵀ + 1yᵀ) − 1)`.
//!
//! What the crate provides:
//!
//! * [`OtProblem`]: a validated instance (marginals positive and summing to 1, `C` finite and
//!   `n × m`, `η > 0`), from [`OtProblem::new`], a serde [`OtSpec`] ([`OtSpec::build`]) or a
//!   user's `.npz` / directory of `.npy` files ([`InstanceSpec::File`], [`load::load_parts`]);
//! * generators ([`generate`]): C iid U[0, hi]; point clouds (uniform, Gaussian mixture) with
//!   the normalized squared Euclidean cost; random densities on a grid; and from data
//!   ([`data`]): pairs of `digits.csv` images, downsampled `*_gray.npy` photos;
//! * [`OtIterate`]: the one iterate type of every OT solver (dual potentials or scalings);
//! * metrics ([`OtMetric`], [`OtEvaluator`], [`metric_set`]): `marginal_err`, `row_err`,
//!   `col_err`, `transport_cost`, `entropic_obj`, `dual_f`, `dual_gap`, `plan_nnz`,
//!   `rounded_cost` (formulas in [`OtMetric::formula`]);
//! * [`round_to_marginals`]: the Altschuler–Weed–Rigollet rounding.
//!
//! Bad input is one line naming the parameter and the fix: negative marginals, sums off 1
//! beyond 1e-9 (`normalize = true`), zeros (`zero_mass = "drop"` or `{ floor = … }`), a
//! non-finite or mis-shaped `C`, `η ≤ 0`, wrong dtype/rank or a missing array in a file.
//!
//! ```
//! use ratebench_core::rng::SeedPath;
//! use ratebench_ot::{InstanceSpec, OtEvaluator, OtIterate, OtSpec};
//! let spec = OtSpec::new(InstanceSpec::RandomCost { n: 20, m: Some(30), hi: 1.0 }, 50.0);
//! let no_files = |name: &str| -> ratebench_core::Result<std::path::PathBuf> { Ok(name.into()) };
//! let p = spec.build(&mut SeedPath::new(0).with("doc").stream("data"), &no_files).unwrap();
//! assert_eq!(p.shape(), (20, 30));
//! // At x = y = 0 the plan is exp(−ηC − 1); its marginal error is positive.
//! let mut eval = OtEvaluator::new(&p, true).unwrap();
//! let v = eval.evaluate(&p, &OtIterate::zero_dual(20, 30));
//! assert!(v.marginal_err > 0.0 && (v.marginal_err - v.row_err - v.col_err).abs() < 1e-15);
//! // The rounded plan is feasible, so its cost is an upper bound on the OT cost.
//! assert!(v.rounded_cost >= p.cost_range().0);
//! ```

pub mod data;
pub mod generate;
mod iterate;
pub mod load;
pub mod marginals;
mod metrics;
mod problem;
mod regularization;
mod round;
mod spec;
pub mod sum;

pub use iterate::OtIterate;
pub use marginals::{MarginalOptions, ZeroMass};
pub use metrics::{
    gap_to_final_best, metric_set, running_gap, OtEvaluator, OtMetric, OtValues, NNZ_THRESHOLD,
};
pub use problem::{check_matrix_memory, matrix_bytes, OtProblem};
pub use regularization::Regularization;
pub use round::{round_to_marginals, row_sums};
pub use spec::{CloudLayout, InstanceSpec, OtSpec};

#[cfg(test)]
mod tests;
