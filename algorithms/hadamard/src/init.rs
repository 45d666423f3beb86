//! Starting points: the authors' SVD initializations (`SVD_initialization` with `scaling`,
//! `initialization_multiple`), a Gaussian start, and the GD baseline's random-product start.

use faer::{Mat, MatRef, Par};
use ratebench_core::rng::{gaussian_mat, Rng};
use ratebench_core::{Error, Result};
use ratebench_hadamard::{thin_svd, HadamardFactors};
use serde::{Deserialize, Serialize};

/// How BCD starts. Parse from the names in [`Init::NAMES`] with `str::parse`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// `svd`: the recursive SVD split (for `K = 2` exactly `SVD_initialization`: rank-`r`
    /// TSVD of `√|X|` → `W₁ = U_r`, `H₁ = Σ_rV_rᵀ`; of `√|X|∘sign(X)` → `W₂, H₂`), then the
    /// catalogue's rescaling: every factor times `|⟨F, X⟩/‖F‖_F²|^{1/(2K)}` (`1/4` for
    /// `K = 2`), `W₁` negated if the ratio is negative. This is what `Hadamard_BCD` runs.
    #[default]
    Svd,
    /// `svd-unscaled`: the same split without the rescaling, exactly
    /// `initialization_multiple` of `Hadamard_BCD_multiple.py` (what `BCD_multiple` runs).
    SvdUnscaled,
    /// `gaussian`: iid N(0,1) factors (`rnd_initialization`), then the same rescaling (the
    /// authors' `Hadamard_BCD` rescales every initialization). Draw order: `W₁` (`m × r`),
    /// `H₁` (`r × n`), `W₂`, `H₂`, …, each column by column, from the init stream.
    Gaussian,
}

impl Init {
    /// The accepted names.
    pub const NAMES: [&'static str; 3] = ["svd", "svd-unscaled", "gaussian"];

    /// The name of this initialization.
    pub fn as_str(&self) -> &'static str {
        match self {
            Init::Svd => "svd",
            Init::SvdUnscaled => "svd-unscaled",
            Init::Gaussian => "gaussian",
        }
    }

    /// The starting factors for `x` (`k` factors of rank `r`).
    pub fn start(
        &self,
        x: MatRef<'_, f64>,
        k: usize,
        r: usize,
        rng: &mut Rng,
        par: Par,
    ) -> Result<HadamardFactors> {
        match self {
            Init::Svd => {
                let mut f = svd_split(x, k, r, par)?;
                scale_to_data(&mut f, x)?;
                Ok(f)
            }
            Init::SvdUnscaled => svd_split(x, k, r, par),
            Init::Gaussian => {
                let (m, n) = x.shape();
                let pairs = (0..k)
                    .map(|_| (gaussian_mat(rng, m, r), gaussian_mat(rng, r, n)))
                    .collect();
                let mut f = HadamardFactors::from_pairs(pairs)?;
                scale_to_data(&mut f, x)?;
                Ok(f)
            }
        }
    }
}

impl std::str::FromStr for Init {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "svd" => Ok(Init::Svd),
            "svd-unscaled" => Ok(Init::SvdUnscaled),
            "gaussian" => Ok(Init::Gaussian),
            other => Err(Error::invalid(
                "init",
                format!(
                    "unknown initialization '{other}'; use one of: {}",
                    Init::NAMES.join(", ")
                ),
            )),
        }
    }
}

impl std::fmt::Display for Init {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rank-`q` TSVD of `a` as `(U_q, V_qΣ_q)`: `W = U_q` (`m × q`) and `Hᵀ = V_qΣ_q`
/// (`n × q`), `q` capped at `min(m, n)` as numpy's slicing does.
fn tsvd_pair(a: MatRef<'_, f64>, q: usize, par: Par) -> Result<(Mat<f64>, Mat<f64>)> {
    let svd = thin_svd(a, par)?;
    let q = q.min(svd.s.len());
    let w = svd.u.get(.., ..q).to_owned();
    let ht = Mat::from_fn(svd.v.nrows(), q, |j, c| svd.v[(j, c)] * svd.s[c]);
    Ok((w, ht))
}

/// `√|t|` and `√|t|∘sign(t)` (`sign(0) = 0`, as numpy).
fn split_roots(t: MatRef<'_, f64>) -> (Mat<f64>, Mat<f64>) {
    let root = Mat::from_fn(t.nrows(), t.ncols(), |i, j| t[(i, j)].abs().sqrt());
    let signed = Mat::from_fn(t.nrows(), t.ncols(), |i, j| {
        let v = t[(i, j)];
        if v == 0.0 {
            0.0
        } else {
            root[(i, j)].copysign(v)
        }
    });
    (root, signed)
}

/// The recursive SVD split of `initialization_multiple`: with `T = X`, for `i = 1, …, K−1`:
/// `(W_i, H_i)` = rank-`r` TSVD of `√|T|`, and `T ←` the rank-`r(K−i)` TSVD of
/// `√|T|∘sign(T)`; the last factor is the final rank-`r` TSVD. For `K = 2` this is
/// `SVD_initialization`. `2(K−1)` thin SVDs of `m × n` matrices.
pub fn svd_split(x: MatRef<'_, f64>, k: usize, r: usize, par: Par) -> Result<HadamardFactors> {
    let mut w = Vec::with_capacity(k);
    let mut ht = Vec::with_capacity(k);
    let mut target = x.to_owned();
    for i in 1..k {
        let (root, signed) = split_roots(target.as_ref());
        let (wi, hi) = tsvd_pair(root.as_ref(), r, par)?;
        w.push(wi);
        ht.push(hi);
        let (c, d) = tsvd_pair(signed.as_ref(), r * (k - i), par)?;
        if i + 1 == k {
            w.push(c);
            ht.push(d);
        } else {
            target = &c * d.transpose();
        }
    }
    HadamardFactors::new(w, ht)
}

/// The catalogue's rescaling: with `F` the product and `ρ = ⟨F, X⟩/‖F‖_F²`, multiplies
/// every factor by `|ρ|^{1/(2K)}` and negates `W₁` if `ρ < 0`, so the new product is `ρF`
/// (the best multiple of `F`). Returns `ρ`; errors if `F` is zero or orthogonal to `X`.
pub fn scale_to_data(f: &mut HadamardFactors, x: MatRef<'_, f64>) -> Result<f64> {
    let prod = f.product();
    let inner: f64 = (0..x.ncols())
        .flat_map(|j| (0..x.nrows()).map(move |i| (i, j)))
        .map(|ij| prod[ij] * x[ij])
        .sum();
    let ratio = inner / prod.squared_norm_l2();
    if !ratio.is_finite() || ratio == 0.0 {
        return Err(Error::numerical(
            "init",
            format!("the initial product is zero or orthogonal to X (⟨F, X⟩/‖F‖² = {ratio}); use init = gaussian or check the data"),
        ));
    }
    let alpha = ratio.abs().powf(1.0 / (2 * f.k()) as f64);
    let (w, ht) = f.parts_mut();
    for m in w.iter_mut().chain(ht.iter_mut()) {
        *m *= faer::Scale(alpha);
    }
    if ratio < 0.0 {
        w[0] *= faer::Scale(-1.0);
    }
    Ok(ratio)
}

/// The GD baseline's start (`scaled_alternating_gradient_descent_hadDec`): for each of the
/// two factors draw `W` (`m × r`) and `H` (`r × n`) iid U\[0,1) (column by column, `W₁, H₁,
/// W₂, H₂`), take the SVD of `WH` and split `√σ` into both sides: `A = U_r√Σ_r`,
/// `B = √Σ_rV_rᵀ`. The data are not used.
pub fn random_product_start(
    m: usize,
    n: usize,
    r: usize,
    rng: &mut Rng,
    par: Par,
) -> Result<HadamardFactors> {
    use rand::Rng as _;
    let mut w = Vec::with_capacity(2);
    let mut ht = Vec::with_capacity(2);
    for _ in 0..2 {
        let mut a = Mat::<f64>::zeros(m, r);
        let mut b = Mat::<f64>::zeros(r, n);
        for j in 0..r {
            for i in 0..m {
                a[(i, j)] = rng.random::<f64>();
            }
        }
        for j in 0..n {
            for i in 0..r {
                b[(i, j)] = rng.random::<f64>();
            }
        }
        let svd = thin_svd((&a * &b).as_ref(), par)?;
        let root: Vec<f64> = svd.s.iter().take(r).map(|s| s.sqrt()).collect();
        w.push(Mat::from_fn(m, r, |i, c| svd.u[(i, c)] * root[c]));
        ht.push(Mat::from_fn(n, r, |j, c| svd.v[(j, c)] * root[c]));
    }
    HadamardFactors::new(w, ht)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_hadamard::{HadamardProblem, HadamardSpec};

    fn problem(seed: u64) -> HadamardProblem {
        HadamardProblem::generate(
            &HadamardSpec::default(),
            &mut SeedPath::new(seed).stream("data"),
        )
        .unwrap()
    }

    fn rng() -> Rng {
        SeedPath::new(0).stream("init")
    }

    fn inner(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
        (0..a.ncols())
            .flat_map(|j| (0..a.nrows()).map(move |i| (i, j)))
            .map(|ij| a[ij] * b[ij])
            .sum()
    }

    #[test]
    fn init_names_parse_and_unknown_names_list_the_valid_ones() {
        for name in Init::NAMES {
            assert_eq!(name.parse::<Init>().unwrap().as_str(), name);
        }
        let e = "svd-scaled".parse::<Init>().unwrap_err().to_string();
        assert!(
            e.starts_with("invalid init:") && e.contains("'svd-scaled'"),
            "{e}"
        );
        assert!(
            e.contains("svd, svd-unscaled, gaussian") && !e.contains('\n'),
            "{e}"
        );
    }

    #[test]
    fn svd_init_is_the_tsvd_of_the_square_roots_then_rescaled() {
        let p = problem(1);
        let x = p.x();
        let r = 5;
        let raw = Init::SvdUnscaled
            .start(x, 2, r, &mut rng(), Par::Seq)
            .unwrap();
        let (root, signed) = split_roots(x);
        // W1H1 is the rank-r TSVD of √|X| (and W1 has orthonormal columns), W2H2 that of
        // √|X|∘sign X.
        let t1 = ratebench_hadamard::thin_svd(root.as_ref(), Par::Seq)
            .unwrap()
            .truncated(r);
        let t2 = ratebench_hadamard::thin_svd(signed.as_ref(), Par::Seq)
            .unwrap()
            .truncated(r);
        let mut p1 = Mat::zeros(100, 100);
        raw.factor_product_into(0, p1.as_mut(), Par::Seq);
        assert!((&p1 - &t1).norm_max() < 1e-12);
        raw.factor_product_into(1, p1.as_mut(), Par::Seq);
        assert!((&p1 - &t2).norm_max() < 1e-12);
        let wtw = raw.w(0).transpose() * raw.w(0);
        assert!((wtw - Mat::<f64>::identity(r, r)).norm_max() < 1e-12);
        // Scaled: every factor times |ρ|^{1/4} with ρ = ⟨F, X⟩/‖F‖², so ⟨F', X⟩ = ‖F'‖².
        let f = raw.product();
        let rho = inner(f.as_ref(), x) / f.squared_norm_l2();
        let scaled = Init::Svd.start(x, 2, r, &mut rng(), Par::Seq).unwrap();
        let alpha = rho.abs().powf(0.25);
        for k in 0..2 {
            assert!((raw.w(k) * faer::Scale(alpha) - scaled.w(k)).norm_max() < 1e-13);
            assert!((raw.h(k) * faer::Scale(alpha) - scaled.h(k)).norm_max() < 1e-12);
        }
        let fs = scaled.product();
        assert!((inner(fs.as_ref(), x) - fs.squared_norm_l2()).abs() < 1e-9 * fs.squared_norm_l2());
        assert!(
            rho > 0.0 && (rho - 1.0).abs() > 1e-3,
            "ρ = {rho}: the test should rescale"
        );
    }

    #[test]
    fn negative_ratio_negates_w1() {
        let p = problem(2);
        let mut f = p.truth().unwrap().clone();
        let x = p.x() * faer::Scale(-3.0);
        let rho = scale_to_data(&mut f, x.as_ref()).unwrap();
        assert!((rho + 3.0).abs() < 1e-12);
        let a = 3f64.powf(0.25);
        let t = p.truth().unwrap();
        assert!((t.w(0) * faer::Scale(-a) - f.w(0)).norm_max() < 1e-14);
        assert!((t.w(1) * faer::Scale(a) - f.w(1)).norm_max() < 1e-14);
        assert!((t.h(0) * faer::Scale(a) - f.h(0)).norm_max() < 1e-14);
        assert!((f.product() - &x).norm_max() < 1e-11);
        let mut z = HadamardFactors::zeros(3, 3, 2, 1);
        let e = scale_to_data(&mut z, Mat::<f64>::identity(3, 3).as_ref())
            .unwrap_err()
            .to_string();
        assert!(e.contains("zero or orthogonal"), "{e}");
    }

    #[test]
    fn recursive_split_follows_initialization_multiple() {
        let p = problem(3);
        let x = p.x();
        let (k, r) = (3, 2);
        let f = svd_split(x, k, r, Par::Seq).unwrap();
        assert_eq!((f.k(), f.rank()), (3, 2));
        let (root, signed) = split_roots(x);
        let svd = |a: MatRef<'_, f64>, q| {
            ratebench_hadamard::thin_svd(a, Par::Seq)
                .unwrap()
                .truncated(q)
        };
        let t = svd(signed.as_ref(), r * 2);
        let (root2, signed2) = split_roots(t.as_ref());
        let want = [
            svd(root.as_ref(), r),
            svd(root2.as_ref(), r),
            svd(signed2.as_ref(), r),
        ];
        let mut got = Mat::zeros(100, 100);
        for (i, w) in want.iter().enumerate() {
            f.factor_product_into(i, got.as_mut(), Par::Seq);
            assert!((&got - w).norm_max() < 1e-10 * w.norm_max(), "factor {i}");
        }
    }

    #[test]
    fn gaussian_init_is_seeded_and_rescaled() {
        let p = problem(4);
        let a = Init::Gaussian
            .start(p.x(), 2, 3, &mut rng(), Par::Seq)
            .unwrap();
        let b = Init::Gaussian
            .start(p.x(), 2, 3, &mut rng(), Par::Seq)
            .unwrap();
        assert_eq!(a, b);
        let f = a.product();
        assert!(
            (inner(f.as_ref(), p.x()) - f.squared_norm_l2()).abs() < 1e-9 * f.squared_norm_l2()
        );
    }

    #[test]
    fn gd_start_splits_the_root_of_sigma_evenly() {
        let f = random_product_start(30, 20, 3, &mut rng(), Par::Seq).unwrap();
        for k in 0..2 {
            // A = U√Σ and B = √ΣVᵀ, so AᵀA = BBᵀ = Σ (balanced, diagonal).
            let ata = f.w(k).transpose() * f.w(k);
            let bbt = f.h(k) * f.h(k).transpose();
            assert!((&ata - &bbt).norm_max() < 1e-10 * ata.norm_max());
            assert!(ata[(0, 1)].abs() < 1e-10 * ata.norm_max());
            // The product is a U[0,1] product: nonnegative entries with mean r/4.
            let mut prod = Mat::zeros(30, 20);
            f.factor_product_into(k, prod.as_mut(), Par::Seq);
            let mean = prod.sum() / 600.0;
            assert!(
                prod.norm_max() > 0.0 && (0.3..1.3).contains(&mean),
                "{mean}"
            );
        }
    }
}
