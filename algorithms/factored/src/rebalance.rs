//! One-step rebalancing of an asymmetric factorization (Xiong et al., eq. 5.1).

use faer::{Mat, Side};
use ratebench_core::{Error, Result};

/// `F ← F(FᵀF)^{-1/2}`, `G ← G(FᵀF)^{1/2}`: keeps `FGᵀ`, makes `F` orthonormal.
///
/// Runs once per run, so the small `k × k` eigendecomposition it allocates is not a
/// steady-state cost.
pub fn rebalance(f: &mut Mat<f64>, g: &mut Mat<f64>) -> Result<()> {
    let gram = f.transpose() * &*f;
    let evd = gram
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::numerical("rebalance", format!("{e:?}")))?;
    let (u, s) = (evd.U(), evd.S().column_vector());
    let k = gram.nrows();
    if (0..k).any(|i| s[i] <= 0.0) {
        return Err(Error::numerical(
            "rebalance",
            "FᵀF is singular; F must have full column rank",
        ));
    }
    let root = Mat::<f64>::from_fn(k, k, |i, j| {
        (0..k).map(|l| u[(i, l)] * s[l].sqrt() * u[(j, l)]).sum()
    });
    let inv_root = Mat::<f64>::from_fn(k, k, |i, j| {
        (0..k).map(|l| u[(i, l)] / s[l].sqrt() * u[(j, l)]).sum()
    });
    *f = &*f * &inv_root;
    *g = &*g * &root;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::{gaussian_mat, SeedPath};

    #[test]
    fn preserves_product_and_orthonormalizes() {
        let mut rng = SeedPath::new(5).stream("t");
        let (mut f, mut g) = (gaussian_mat(&mut rng, 12, 4), gaussian_mat(&mut rng, 12, 4));
        let before = &f * g.transpose();
        rebalance(&mut f, &mut g).unwrap();
        assert!((&f * g.transpose() - &before).norm_max() < 1e-12);
        assert!((f.transpose() * &f - Mat::<f64>::identity(4, 4)).norm_max() < 1e-12);
    }
}
