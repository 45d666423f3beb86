//! Seeded generators (CLAIMS.md §3: HD-1, HD-2(b) and the signed caveat).

use crate::{HadamardFactors, HadamardProblem, MAX_FACTORS};
use faer::Mat;
use ratebench_core::error::check;
use ratebench_core::rng::{gaussian_mat, Rng};
use ratebench_core::{memory, Error, Result};
use serde::{Deserialize, Serialize};

/// How `X` is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    /// `X = (A₁B₁)∘…∘(A_KB_K)` with iid U\[0,1) factors of inner rank `rank` (HD-1 with
    /// `m = n = 100`, `rank = 5`, `factors = 2`).
    #[default]
    UniformProduct,
    /// `X` with iid U\[0,1) entries (HD-2(b)); `rank` and `factors` are ignored.
    Uniform,
    /// `X = (A₁B₁)∘…∘(A_KB_K)` with iid N(0,1) factors: signed data, where BCD stalls in
    /// local minima (the catalogue's caveat; the authors' `low_rank_synthetic` uses rank 35).
    GaussianProduct,
}

impl Generator {
    /// The snake_case name used in specs and labels.
    pub fn as_str(&self) -> &'static str {
        match self {
            Generator::UniformProduct => "uniform_product",
            Generator::Uniform => "uniform",
            Generator::GaussianProduct => "gaussian_product",
        }
    }

    fn is_product(&self) -> bool {
        !matches!(self, Generator::Uniform)
    }
}

/// Parameters of a generated instance (all of them: the spec reproduces the instance from a
/// seed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HadamardSpec {
    /// The distribution of `X`.
    pub generator: Generator,
    /// Rows of `X`.
    pub m: usize,
    /// Columns of `X`.
    pub n: usize,
    /// Inner rank of each generating factor product `A_kB_k` (product generators only).
    pub rank: usize,
    /// Number of generating factors `K` (product generators only).
    pub factors: usize,
}

impl Default for HadamardSpec {
    /// HD-1's instance: U\[0,1\] factors, `m = n = 100`, rank 5, two factors.
    fn default() -> Self {
        Self {
            generator: Generator::UniformProduct,
            m: 100,
            n: 100,
            rank: 5,
            factors: 2,
        }
    }
}

impl HadamardSpec {
    /// Checks every parameter the generator uses; errors name the parameter and the range.
    pub fn validate(&self) -> Result<()> {
        check::in_range("m", self.m, 1, 1 << 24)?;
        check::in_range("n", self.n, 1, 1 << 24)?;
        if !self.generator.is_product() {
            return Ok(());
        }
        if self.factors < 2 {
            return Err(Error::invalid(
                "factors",
                format!(
                    "a Hadamard product needs K >= 2 factors, got {}; use factors = 2 (or generator = \"uniform\" for an unstructured matrix)",
                    self.factors
                ),
            ));
        }
        check::in_range("factors", self.factors, 2, MAX_FACTORS)?;
        if self.rank == 0 || self.rank > self.m.min(self.n) {
            return Err(Error::invalid(
                "rank",
                format!(
                    "the generating rank must be between 1 and min(m, n) = {}, got {}",
                    self.m.min(self.n),
                    self.rank
                ),
            ));
        }
        Ok(())
    }

    /// A compact label such as `uniform_product,m=100,n=100,rank=5,factors=2`.
    pub fn label(&self) -> String {
        let base = format!("{},m={},n={}", self.generator.as_str(), self.m, self.n);
        if self.generator.is_product() {
            format!("{base},rank={},factors={}", self.rank, self.factors)
        } else {
            base
        }
    }

    /// Bytes the instance needs: `X`, one `m × n` scratch product and the factors.
    fn bytes(&self) -> u64 {
        let (m, n) = (self.m as u64, self.n as u64);
        let factors = if self.generator.is_product() {
            (self.factors * self.rank) as u64 * (m + n)
        } else {
            0
        };
        memory::f64s((2 * m).saturating_mul(n).saturating_add(factors))
    }
}

/// An `nrows × ncols` matrix of iid U\[0,1) entries, drawn column by column.
pub(crate) fn uniform_mat(rng: &mut Rng, nrows: usize, ncols: usize) -> Mat<f64> {
    use rand::Rng as _;
    let mut m = Mat::zeros(nrows, ncols);
    for j in 0..ncols {
        for i in 0..nrows {
            m[(i, j)] = rng.random::<f64>();
        }
    }
    m
}

impl HadamardProblem {
    /// Draws an instance. Validation and the memory check come before any allocation.
    ///
    /// Draw order (all column by column, from the one `rng`): for product generators, for
    /// `k = 1, …, K`: `A_k` (`m × rank`), then `B_k` (`rank × n`); `X` is then their exact
    /// product (`Par::Seq`). For `uniform`: `X` (`m × n`). U\[0,1) draws are
    /// `rand::Rng::random::<f64>()`, Gaussian draws `rand_distr::StandardNormal`.
    pub fn generate(spec: &HadamardSpec, rng: &mut Rng) -> Result<Self> {
        spec.validate()?;
        memory::check("m", &format!("the instance {}", spec.label()), spec.bytes())?;
        let (m, n, r) = (spec.m, spec.n, spec.rank);
        if !spec.generator.is_product() {
            return Self::with_truth(uniform_mat(rng, m, n), spec.label(), None);
        }
        let pairs = (0..spec.factors)
            .map(|_| match spec.generator {
                Generator::GaussianProduct => (gaussian_mat(rng, m, r), gaussian_mat(rng, r, n)),
                _ => (uniform_mat(rng, m, r), uniform_mat(rng, r, n)),
            })
            .collect();
        let truth = HadamardFactors::from_pairs(pairs)?;
        let x = truth.product();
        Self::with_truth(x, spec.label(), Some(truth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;

    fn rng(seed: u64) -> Rng {
        SeedPath::new(seed).with("hadamard-test").stream("data")
    }

    fn entries(m: faer::MatRef<'_, f64>) -> Vec<f64> {
        (0..m.ncols())
            .flat_map(|j| (0..m.nrows()).map(move |i| m[(i, j)]))
            .collect()
    }

    fn mean_var(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        (mean, v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n)
    }

    #[test]
    fn uniform_matrix_has_unit_interval_moments() {
        let spec = HadamardSpec {
            generator: Generator::Uniform,
            ..Default::default()
        };
        let p = HadamardProblem::generate(&spec, &mut rng(1)).unwrap();
        let v = entries(p.x());
        let (mean, var) = mean_var(&v);
        // 10⁴ draws: the standard error of the mean is 0.0029.
        assert!((mean - 0.5).abs() < 0.012, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.004, "var {var}");
        assert!(v.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(p.truth().is_none());
        assert_eq!(p.label(), "uniform,m=100,n=100");
    }

    #[test]
    fn uniform_product_is_the_product_of_uniform_factors() {
        let spec = HadamardSpec::default();
        let p = HadamardProblem::generate(&spec, &mut rng(2)).unwrap();
        let t = p.truth().unwrap();
        assert_eq!((t.k(), t.rank()), (2, 5));
        let mut all = Vec::new();
        for k in 0..2 {
            all.extend(entries(t.w(k)));
            all.extend(entries(t.h(k)));
        }
        let (mean, var) = mean_var(&all);
        assert!((mean - 0.5).abs() < 0.03 && (var - 1.0 / 12.0).abs() < 0.01);
        assert!(all.iter().all(|x| (0.0..1.0).contains(x)));
        assert_eq!(p.x(), t.product().as_ref());
        // E[X_ij] = (r/4)² for two independent rank-5 U[0,1] products.
        let (xm, _) = mean_var(&entries(p.x()));
        assert!((xm - 1.5625).abs() < 0.3, "mean of X {xm}");
        // Generically rank r² = 25, far above the TSVD budget 2r = 10.
        let s = p.singular_values().unwrap();
        assert!(
            s[24] > 1e-10 * s[0] && s[25] < 1e-12 * s[0],
            "{} {}",
            s[24],
            s[25]
        );
    }

    #[test]
    fn gaussian_product_is_signed_and_standard() {
        let spec = HadamardSpec {
            generator: Generator::GaussianProduct,
            factors: 3,
            rank: 4,
            m: 60,
            n: 50,
        };
        let p = HadamardProblem::generate(&spec, &mut rng(3)).unwrap();
        let t = p.truth().unwrap();
        let mut all = Vec::new();
        for k in 0..3 {
            all.extend(entries(t.w(k)));
            all.extend(entries(t.h(k)));
        }
        let (mean, var) = mean_var(&all);
        assert!(mean.abs() < 0.1 && (var - 1.0).abs() < 0.12, "{mean} {var}");
        let neg = entries(p.x()).iter().filter(|v| **v < 0.0).count() as f64 / 3000.0;
        assert!((neg - 0.5).abs() < 0.1, "negative fraction {neg}");
        assert!((p.x().to_owned() - t.product()).norm_max() == 0.0);
    }

    #[test]
    fn same_seed_same_instance_other_seed_other_instance() {
        let spec = HadamardSpec::default();
        let a = HadamardProblem::generate(&spec, &mut rng(4)).unwrap();
        let b = HadamardProblem::generate(&spec, &mut rng(4)).unwrap();
        let c = HadamardProblem::generate(&spec, &mut rng(5)).unwrap();
        assert!(a.x() == b.x() && a.x() != c.x());
    }

    #[test]
    fn invalid_specs_name_the_parameter() {
        let d = HadamardSpec::default();
        let bad = [
            (
                HadamardSpec {
                    rank: 0,
                    ..d.clone()
                },
                "rank",
            ),
            (
                HadamardSpec {
                    rank: 101,
                    ..d.clone()
                },
                "rank",
            ),
            (
                HadamardSpec {
                    factors: 1,
                    ..d.clone()
                },
                "factors",
            ),
            (
                HadamardSpec {
                    factors: 9,
                    ..d.clone()
                },
                "factors",
            ),
            (HadamardSpec { m: 0, ..d.clone() }, "m"),
            (HadamardSpec { n: 0, ..d.clone() }, "n"),
        ];
        for (spec, param) in bad {
            let e = HadamardProblem::generate(&spec, &mut rng(0))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(&format!("invalid {param}:")), "{e}");
            assert!(!e.contains('\n'));
        }
        // `uniform` ignores rank and factors.
        let u = HadamardSpec {
            generator: Generator::Uniform,
            rank: 0,
            factors: 0,
            ..d
        };
        assert!(u.validate().is_ok());
    }

    #[test]
    fn memory_is_checked_before_allocating() {
        let spec = HadamardSpec {
            m: 1 << 24,
            n: 1 << 24,
            ..Default::default()
        };
        let e = HadamardProblem::generate(&spec, &mut rng(0))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid m:") && e.contains("memory limit"),
            "{e}"
        );
    }

    #[test]
    fn spec_round_trips_through_serde_and_rejects_unknown_fields() {
        let s: HadamardSpec =
            toml::from_str("generator = \"gaussian_product\"\nrank = 35").unwrap();
        assert_eq!(
            (s.generator, s.rank, s.m),
            (Generator::GaussianProduct, 35, 100)
        );
        assert!(toml::from_str::<HadamardSpec>("rnak = 3").is_err());
    }
}
