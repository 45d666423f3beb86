//! Factor iterates and their α-scaled initializations (CLAIMS.md conventions 4).

use faer::Mat;
use ratebench_core::error::check;
use ratebench_core::rng::{gaussian_mat, Rng};
use ratebench_core::Result;
use serde::{Deserialize, Serialize};

/// The iterate of a factored method.
#[derive(Clone, Debug, PartialEq)]
pub enum Factors {
    /// Symmetric `X` with `M ≈ XXᵀ`.
    Sym(Mat<f64>),
    /// Asymmetric pair with `M ≈ FGᵀ`.
    Asym { f: Mat<f64>, g: Mat<f64> },
}

impl Factors {
    /// Number of factor columns `k`.
    pub fn rank(&self) -> usize {
        match self {
            Factors::Sym(x) => x.ncols(),
            Factors::Asym { f, .. } => f.ncols(),
        }
    }

    /// The product `XXᵀ` or `FGᵀ` written into `out` (no allocation).
    pub fn product_into(&self, out: faer::MatMut<'_, f64>) {
        use faer::linalg::matmul::matmul;
        use faer::{Accum, Par};
        match self {
            Factors::Sym(x) => matmul(out, Accum::Replace, x, x.transpose(), 1.0, Par::Seq),
            Factors::Asym { f, g } => matmul(out, Accum::Replace, f, g.transpose(), 1.0, Par::Seq),
        }
    }

    /// `out += alpha · XXᵀ` (or `alpha · FGᵀ`), one GEMM.
    pub fn product_acc(&self, out: faer::MatMut<'_, f64>, alpha: f64) {
        use faer::linalg::matmul::matmul;
        use faer::{Accum, Par};
        match self {
            Factors::Sym(x) => matmul(out, Accum::Add, x, x.transpose(), alpha, Par::Seq),
            Factors::Asym { f, g } => matmul(out, Accum::Add, f, g.transpose(), alpha, Par::Seq),
        }
    }

    /// True if every entry is finite.
    pub fn is_finite(&self) -> bool {
        let fin = |m: &Mat<f64>| m.norm_max().is_finite();
        match self {
            Factors::Sym(x) => fin(x),
            Factors::Asym { f, g } => fin(f) && fin(g),
        }
    }
}

/// How the Gaussian start is scaled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitScaling {
    /// `X₀ = αG` (Xiong et al., Mohammadi et al.).
    #[default]
    Plain,
    /// `X₀ = αG/√n` (ScaledGD(λ), incremental-learning timing).
    SqrtN,
}

/// A small random initialization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InitSpec {
    /// Scale α (> 0).
    pub alpha: f64,
    /// `αG` or `αG/√n`.
    pub scaling: InitScaling,
    /// Asymmetric `(F, G)` instead of symmetric `X`.
    pub asymmetric: bool,
    /// For asymmetric starts: `G₀ = (α · g_ratio) G′` (Xiong et al. use 1/3).
    pub g_ratio: f64,
    /// Spectral start from the problem's [`FactoredLoss::spectral_matrix`] instead of a
    /// random one (`alpha` and `scaling` are then ignored).
    #[serde(default)]
    pub spectral: bool,
}

impl InitSpec {
    /// Symmetric start `X₀ = αG` or `αG/√n`.
    pub fn symmetric(alpha: f64, scaling: InitScaling) -> Self {
        Self {
            alpha,
            scaling,
            asymmetric: false,
            g_ratio: 1.0,
            spectral: false,
        }
    }

    /// Asymmetric start `F₀ = αG`, `G₀ = (α·g_ratio)G′` (plain scaling).
    pub fn asymmetric(alpha: f64, g_ratio: f64) -> Self {
        Self {
            alpha,
            scaling: InitScaling::Plain,
            asymmetric: true,
            g_ratio,
            spectral: false,
        }
    }

    /// Spectral start: top-`k` eigenpairs `X₀ = U_k diag(√λ₊)` (symmetric) or singular
    /// pairs `F₀ = U_k√S`, `G₀ = V_k√S` (asymmetric) of the problem's spectral matrix.
    pub fn spectral(asymmetric: bool) -> Self {
        Self {
            alpha: 1.0,
            scaling: InitScaling::Plain,
            asymmetric,
            g_ratio: 1.0,
            spectral: true,
        }
    }

    /// The start for `problem`: spectral or drawn from `rng` (the "init" stream).
    pub fn start<P: crate::FactoredLoss>(
        &self,
        problem: &P,
        k: usize,
        rng: &mut Rng,
    ) -> Result<Factors> {
        if !self.spectral {
            return self.draw(problem.shape(), k, rng);
        }
        let (n1, n2) = problem.shape();
        check::in_range("k", k, 1, n1.min(n2))?;
        let s = problem.spectral_matrix();
        let numerical = |e: &dyn std::fmt::Debug| {
            ratebench_core::Error::numerical("spectral init", format!("{e:?}"))
        };
        if !self.asymmetric {
            let evd = s
                .self_adjoint_eigen(faer::Side::Lower)
                .map_err(|e| numerical(&e))?;
            let (u, lam) = (evd.U(), evd.S().column_vector());
            let n = s.nrows();
            // Eigenvalues ascend: the k largest are the last k.
            return Ok(Factors::Sym(Mat::from_fn(n, k, |i, j| {
                u[(i, n - 1 - j)] * lam[n - 1 - j].max(0.0).sqrt()
            })));
        }
        let svd = s.thin_svd().map_err(|e| numerical(&e))?;
        let sv = svd.S().column_vector();
        let f = Mat::from_fn(s.nrows(), k, |i, j| svd.U()[(i, j)] * sv[j].sqrt());
        let g = Mat::from_fn(s.ncols(), k, |i, j| svd.V()[(i, j)] * sv[j].sqrt());
        Ok(Factors::Asym { f, g })
    }

    /// Draws the start for a target of shape `(n1, n2)` with `k` columns. `G` is drawn
    /// before `G′`, both column by column, from `rng` (the "init" stream).
    pub fn draw(&self, shape: (usize, usize), k: usize, rng: &mut Rng) -> Result<Factors> {
        check::positive("alpha", self.alpha)?;
        check::in_range("k", k, 1, usize::MAX)?;
        let (n1, n2) = shape;
        let scale = match self.scaling {
            InitScaling::Plain => self.alpha,
            InitScaling::SqrtN => self.alpha / (n1 as f64).sqrt(),
        };
        let mut f = gaussian_mat(rng, n1, k);
        f *= faer::Scale(scale);
        if !self.asymmetric {
            if n1 != n2 {
                return Err(ratebench_core::Error::invalid(
                    "init",
                    format!("a symmetric factor XXᵀ needs a square target, got {n1}×{n2}; use an asymmetric method"),
                ));
            }
            return Ok(Factors::Sym(f));
        }
        check::positive("g_ratio", self.g_ratio)?;
        let mut g = gaussian_mat(rng, n2, k);
        g *= faer::Scale(scale * self.g_ratio);
        Ok(Factors::Asym { f, g })
    }
}
