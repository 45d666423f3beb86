//! Seeded generators of `y = Xw⋆ + ξ` (CLAIMS.md §5).
//!
//! Streams under the caller's seed path: `"design"` (X), `"truth"` (w⋆) and `"noise"` (ξ),
//! so changing the noise never changes X or w⋆.

use crate::data::{DataInfo, RegressionData, Standardize};
use crate::design::Design;
use faer::{Mat, Par};
use rand::Rng as _;
use rand_distr::{Distribution, Normal, StandardNormal};
use ratebench_core::error::check;
use ratebench_core::rng::{gaussian_mat, rademacher_mat, Rng, SeedPath};
use ratebench_core::{memory, Error, Result};
use serde::{Deserialize, Serialize};

/// The distribution of the rows of `X`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DesignKind {
    /// iid N(0, 1) entries.
    Gaussian,
    /// Rows N(0, Σ) with `Σ_ij = τ^|i−j|`, drawn by the AR(1) recursion
    /// `x_1 = z_1`, `x_j = τx_{j−1} + √(1−τ²)z_j` (no p × p Cholesky).
    Toeplitz { tau: f64 },
    /// iid ±1 entries.
    Rademacher,
}

impl DesignKind {
    /// `βᵀΣβ` for the population covariance Σ of a row (O(p)).
    pub fn quadratic_form(&self, beta: &[f64]) -> f64 {
        match *self {
            DesignKind::Gaussian | DesignKind::Rademacher => beta.iter().map(|b| b * b).sum(),
            DesignKind::Toeplitz { tau } => {
                // βᵀΣβ = Σ_j β_j² + 2 Σ_j β_j s_j with s_j = Σ_{i<j} τ^{j−i} β_i = τ(s_{j−1} + β_{j−1}).
                let (mut s, mut total) = (0.0, 0.0);
                for j in 0..beta.len() {
                    if j > 0 {
                        s = tau * (s + beta[j - 1]);
                    }
                    total += beta[j] * beta[j] + 2.0 * beta[j] * s;
                }
                total
            }
        }
    }

    fn label(&self) -> String {
        match self {
            DesignKind::Gaussian => "gaussian".into(),
            DesignKind::Toeplitz { tau } => format!("toeplitz({tau})"),
            DesignKind::Rademacher => "rademacher".into(),
        }
    }
}

/// The ground truth `w⋆`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TruthKind {
    /// `w⋆ = (1, 2, 4, …, 2^{k−1}, 0, …)` (SR-1…SR-3 with k = 5).
    Powers { k: usize },
    /// Yang et al.'s generator: five blocks of 10 entries drawn from N(0.5, 1), N(5, 2),
    /// N(10, 3), N(20, 4), N(50, 5) (second parameter a standard deviation), separated by
    /// `gap` zeros (200 in SR-4, p = 850; 500 in task1speed, p = 2050).
    Blocks { gap: usize },
    /// `k` nonzeros with random signs and magnitudes `1 + U[0, 1]`, at coordinates
    /// `0, stride, 2·stride, …` (SR-7/8: k = 10, stride = 1).
    RandomSigns { k: usize, stride: usize },
    /// Given coefficients.
    Explicit { w: Vec<f64> },
}

/// Block means and standard deviations of [`TruthKind::Blocks`].
pub const BLOCKS: [(f64, f64); 5] = [
    (0.5, 1.0),
    (5.0, 2.0),
    (10.0, 3.0),
    (20.0, 4.0),
    (50.0, 5.0),
];

impl TruthKind {
    /// The number of features the truth needs (`Blocks` fixes p).
    pub fn required_p(&self) -> Option<usize> {
        match self {
            TruthKind::Blocks { gap } => Some(5 * 10 + 4 * gap),
            TruthKind::Explicit { w } => Some(w.len()),
            _ => None,
        }
    }

    fn validate(&self, p: usize) -> Result<()> {
        if let Some(req) = self.required_p() {
            if req != p {
                return Err(Error::invalid(
                    "p",
                    format!("the truth {self:?} has {req} coefficients; set p = {req}"),
                ));
            }
        }
        match self {
            TruthKind::Powers { k } if *k > p.min(60) => Err(Error::invalid(
                "k",
                format!("must be at most min(p, 60) = {}, got {k}", p.min(60)),
            )),
            TruthKind::RandomSigns { k, stride } => {
                check::in_range("stride", *stride, 1, usize::MAX)?;
                if *k == 0 || (k - 1) * stride >= p {
                    return Err(Error::invalid(
                        "k",
                        format!("k = {k} nonzeros at stride {stride} do not fit in p = {p}; lower k or stride"),
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn draw(&self, p: usize, rng: &mut Rng) -> Vec<f64> {
        let mut w = vec![0.0; p];
        match self {
            TruthKind::Powers { k } => (0..*k).for_each(|i| w[i] = (1u64 << i) as f64),
            TruthKind::Blocks { gap } => {
                for (b, &(mean, sd)) in BLOCKS.iter().enumerate() {
                    let dist = Normal::new(mean, sd).expect("positive sd");
                    for i in 0..10 {
                        w[b * (10 + gap) + i] = dist.sample(rng);
                    }
                }
            }
            TruthKind::RandomSigns { k, stride } => {
                for i in 0..*k {
                    let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
                    w[i * stride] = sign * (1.0 + rng.random::<f64>());
                }
            }
            TruthKind::Explicit { w: given } => w.copy_from_slice(given),
        }
        w
    }
}

/// The noise `ξ ~ N(0, σ²I)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NoiseKind {
    /// A given σ (0 = noiseless).
    Sigma { sigma: f64 },
    /// `σ² = w⋆ᵀΣw⋆ / snr` with Σ the population covariance of a row (Yang et al.).
    Snr { snr: f64 },
}

/// All parameters of a generated regression instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegressionSpec {
    pub n: usize,
    pub p: usize,
    pub design: DesignKind,
    pub truth: TruthKind,
    pub noise: NoiseKind,
    /// Applied to X before `y = Xw⋆ + ξ` is formed (as in Yang et al.'s simulation).
    #[serde(default)]
    pub standardize: Standardize,
}

impl RegressionSpec {
    /// SR-1…SR-3: Rademacher X, n = 200, d = 2000, w⋆ = (1, 2, 4, 8, 16, 0, …), σ = 0.5.
    pub fn implicit_regularization() -> Self {
        Self {
            n: 200,
            p: 2000,
            design: DesignKind::Rademacher,
            truth: TruthKind::Powers { k: 5 },
            noise: NoiseKind::Sigma { sigma: 0.5 },
            standardize: Standardize::None,
        }
    }

    /// SR-4 (gap 200) and task1speed (gap 500): Toeplitz(τ) X standardized, block truth,
    /// SNR 5.
    pub fn nonconvex_speed(n: usize, tau: f64, gap: usize) -> Self {
        Self {
            n,
            p: 50 + 4 * gap,
            design: DesignKind::Toeplitz { tau },
            truth: TruthKind::Blocks { gap },
            noise: NoiseKind::Snr { snr: 5.0 },
            standardize: Standardize::CenterScale,
        }
    }

    /// SR-7/8: Gaussian X, n = 200, d = 1000, 10 random-sign coefficients 1 + U[0,1] on the
    /// first coordinates, σ = 0.5.
    pub fn lasso_sr7() -> Self {
        Self {
            n: 200,
            p: 1000,
            design: DesignKind::Gaussian,
            truth: TruthKind::RandomSigns { k: 10, stride: 1 },
            noise: NoiseKind::Sigma { sigma: 0.5 },
            standardize: Standardize::None,
        }
    }

    /// The Lasso timing instance: Toeplitz(τ) X, n × p, 10 random-sign coefficients spread
    /// at stride p/10, σ = 0.5.
    pub fn lasso_toeplitz(n: usize, p: usize, tau: f64) -> Self {
        Self {
            n,
            p,
            design: DesignKind::Toeplitz { tau },
            truth: TruthKind::RandomSigns {
                k: 10,
                stride: (p / 10).max(1),
            },
            noise: NoiseKind::Sigma { sigma: 0.5 },
            standardize: Standardize::None,
        }
    }

    /// Checks every parameter and the memory limit before anything is allocated.
    pub fn validate(&self) -> Result<()> {
        check::in_range("n", self.n, 1, usize::MAX)?;
        check::in_range("p", self.p, 1, usize::MAX)?;
        if let DesignKind::Toeplitz { tau } = self.design {
            if !(tau.is_finite() && tau.abs() < 1.0) {
                return Err(Error::invalid(
                    "tau",
                    format!("the Toeplitz correlation must satisfy |τ| < 1, got {tau}"),
                ));
            }
        }
        self.truth.validate(self.p)?;
        match self.noise {
            NoiseKind::Sigma { sigma } => check::at_least("sigma", sigma, 0.0)?,
            NoiseKind::Snr { snr } => check::positive("snr", snr)?,
        }
        if self.standardize == Standardize::CenterScale && self.n < 2 {
            return Err(Error::invalid("n", "standardizing needs n ≥ 2 samples"));
        }
        let entries = (self.n as u64).saturating_mul(self.p as u64);
        memory::check("n", "the design X (n × p doubles)", memory::f64s(entries))
    }

    /// A compact label for result files.
    pub fn label(&self) -> String {
        format!(
            "n={},p={},{},{:?},{:?},standardize={:?}",
            self.n,
            self.p,
            self.design.label(),
            self.truth,
            self.noise,
            self.standardize
        )
    }

    /// Draws the instance under `path` (streams `design`, `truth`, `noise`).
    pub fn generate(&self, path: &SeedPath) -> Result<RegressionData> {
        self.validate()?;
        let x = draw_design(self.design, self.n, self.p, &mut path.stream("design"));
        let truth = self.truth.draw(self.p, &mut path.stream("truth"));
        let info = DataInfo {
            source: format!("generated:{}", self.design.label()),
            ..DataInfo::default()
        };
        let data = RegressionData::new(
            Design::Dense(x),
            vec![0.0; self.n],
            Some(truth.clone()),
            info,
        )?
        .standardized(self.standardize)?;
        // Standardization rescales w⋆ to keep Xw⋆; the generator instead keeps w⋆ as drawn
        // (as Yang et al. do), so y is formed from the standardized X and the drawn truth.
        let (x, _, _, mut info) = data.into_parts();
        let sigma = match self.noise {
            NoiseKind::Sigma { sigma } => sigma,
            NoiseKind::Snr { snr } => (self.design.quadratic_form(&truth) / snr).sqrt(),
        };
        info.sigma = Some(sigma);
        let mut y = vec![0.0; self.n];
        x.matvec(&truth, &mut y, Par::Seq);
        let mut rng = path.stream("noise");
        for yi in y.iter_mut() {
            let z: f64 = StandardNormal.sample(&mut rng);
            *yi += sigma * z;
        }
        RegressionData::new(x, y, Some(truth), info)
    }
}

/// Draws `X` (column-major); Toeplitz rows by the AR(1) recursion, sample by sample.
fn draw_design(kind: DesignKind, n: usize, p: usize, rng: &mut Rng) -> Mat<f64> {
    match kind {
        DesignKind::Gaussian => gaussian_mat(rng, n, p),
        DesignKind::Rademacher => rademacher_mat(rng, n, p),
        DesignKind::Toeplitz { tau } => {
            let c = (1.0 - tau * tau).sqrt();
            let mut x = Mat::zeros(n, p);
            for i in 0..n {
                let mut prev: f64 = StandardNormal.sample(rng);
                x[(i, 0)] = prev;
                for j in 1..p {
                    let z: f64 = StandardNormal.sample(rng);
                    prev = tau * prev + c * z;
                    x[(i, j)] = prev;
                }
            }
            x
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toeplitz_design_has_the_stated_correlation() {
        let tau = 0.6;
        let spec = RegressionSpec {
            n: 40_000,
            p: 6,
            design: DesignKind::Toeplitz { tau },
            truth: TruthKind::Powers { k: 1 },
            noise: NoiseKind::Sigma { sigma: 0.0 },
            standardize: Standardize::None,
        };
        let data = spec.generate(&SeedPath::new(5)).unwrap();
        let x = data.x();
        let n = data.n() as f64;
        let col = |j: usize| {
            let mut e = vec![0.0; data.n()];
            x.col_axpy(j, 1.0, &mut e);
            e
        };
        let cols: Vec<Vec<f64>> = (0..6).map(col).collect();
        for a in 0..6 {
            for b in a..6 {
                let cov: f64 = cols[a]
                    .iter()
                    .zip(&cols[b])
                    .map(|(u, v)| u * v)
                    .sum::<f64>()
                    / n;
                let expect = tau.powi((b - a) as i32);
                // Standard error of an empirical covariance ≤ √(2/n) ≈ 0.007.
                assert!(
                    (cov - expect).abs() < 0.03,
                    "Σ[{a},{b}] = {cov}, expected {expect}"
                );
            }
        }
    }

    #[test]
    fn gaussian_and_rademacher_designs_have_their_stated_entries() {
        let mut spec = RegressionSpec::implicit_regularization();
        let data = spec.generate(&SeedPath::new(7)).unwrap();
        let x = data.x().dense_columns(&(0..data.p()).collect::<Vec<_>>());
        let entries = (data.n() * data.p()) as f64;
        let mut sum = 0.0;
        for j in 0..data.p() {
            for &v in x.col_as_slice(j) {
                assert!(v == 1.0 || v == -1.0, "Rademacher entry {v}");
                sum += v;
            }
        }
        // Mean of 4·10⁵ signs: standard error 1.6e-3.
        assert!((sum / entries).abs() < 0.01, "{}", sum / entries);
        spec.design = DesignKind::Gaussian;
        let data = spec.generate(&SeedPath::new(7)).unwrap();
        let x = data.x().dense_columns(&(0..data.p()).collect::<Vec<_>>());
        let (mut m1, mut m2) = (0.0, 0.0);
        for j in 0..data.p() {
            for &v in x.col_as_slice(j) {
                m1 += v;
                m2 += v * v;
            }
        }
        assert!((m1 / entries).abs() < 0.01 && (m2 / entries - 1.0).abs() < 0.01);
        // y = Xw⋆ + ξ with ξ of the stated σ.
        let mut xw = vec![0.0; data.n()];
        data.x()
            .matvec(data.truth().unwrap(), &mut xw, faer::Par::Seq);
        let resid: f64 = xw
            .iter()
            .zip(data.y())
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / data.n() as f64;
        assert!((resid.sqrt() - 0.5).abs() < 0.1, "σ̂ = {}", resid.sqrt());
    }

    #[test]
    fn quadratic_form_matches_the_dense_toeplitz_matrix() {
        let beta: Vec<f64> = (0..30).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
        let tau: f64 = 0.7;
        let dense: f64 = (0..30)
            .flat_map(|i| (0..30).map(move |j| (i, j)))
            .map(|(i, j)| beta[i] * beta[j] * tau.powi((i as i32 - j as i32).abs()))
            .sum();
        let fast = DesignKind::Toeplitz { tau }.quadratic_form(&beta);
        assert!((dense - fast).abs() < 1e-10 * dense.abs());
    }

    #[test]
    fn catalogue_truths_and_seeding() {
        let spec = RegressionSpec::nonconvex_speed(200, 0.5, 200);
        assert_eq!(spec.p, 850);
        let a = spec.generate(&SeedPath::new(0).with("SR-4")).unwrap();
        let b = spec.generate(&SeedPath::new(0).with("SR-4")).unwrap();
        assert_eq!(a.y(), b.y(), "same seed ⇒ same instance");
        let w = a.truth().unwrap();
        assert_eq!(a.support().len(), 50);
        assert!(
            a.support().iter().all(|&j| (j % 210) < 10),
            "blocks of 10 separated by 200 zeros"
        );
        let big: f64 = w[840..850].iter().sum::<f64>() / 10.0;
        assert!(
            (big - 50.0).abs() < 5.0,
            "last block ~ N(50, 5): mean {big}"
        );
        for j in 0..850 {
            let (m, s) = a.x().col_mean_std(j);
            assert!(m.abs() < 1e-12 && (s - 1.0).abs() < 1e-12);
        }
        let sr1 = RegressionSpec::implicit_regularization()
            .generate(&SeedPath::new(0))
            .unwrap();
        assert_eq!(&sr1.truth().unwrap()[..6], &[1.0, 2.0, 4.0, 8.0, 16.0, 0.0]);
        let sr7 = RegressionSpec::lasso_sr7()
            .generate(&SeedPath::new(0))
            .unwrap();
        let t = sr7.truth().unwrap();
        assert!(
            t[..10].iter().all(|v| (1.0..=2.0).contains(&v.abs()))
                && t[10..].iter().all(|v| *v == 0.0)
        );
    }

    #[test]
    fn bad_specs_are_refused_with_the_parameter_named() {
        let mut s = RegressionSpec::nonconvex_speed(200, 1.0, 200);
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("invalid tau:"));
        s = RegressionSpec::nonconvex_speed(200, 0.5, 200);
        s.p = 900;
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("invalid p:"));
        let mut s = RegressionSpec::implicit_regularization();
        s.n = 1 << 40;
        let e = s.validate().unwrap_err().to_string();
        assert!(
            e.starts_with("invalid n:") && e.contains("memory limit"),
            "{e}"
        );
    }
}
