//! The equal-budget TSVD as a run, so that suite figures (drawn from `traces.csv`) show it
//! next to the Hadamard solvers.
//!
//! It is a reference line, not an algorithm under test: `init` computes a thin SVD of `X`
//! (timed as `init_s`, its own SVD rather than the instance's cached one, so the time is
//! honest) and keeps the rank-`q` truncation written as a two-factor Hadamard product
//! `(U_qΣ_q V_qᵀ) ∘ (11ᵀ)`; `step` does nothing. Its error is therefore the constant TSVD
//! error, measured by the same evaluator as every other run, at every sampled iteration: a
//! horizontal line on the iteration axis, and a point at the SVD's cost on the time and
//! work axes.

use faer::{Mat, Par};
use ratebench_core::rng::Rng;
use ratebench_core::{Error, Result, Solver};
use ratebench_hadamard::{thin_svd, HadamardFactors, HadamardProblem};

/// The solver name of the reference line.
pub const NAME: &str = "tsvd";

/// The rank-`q` TSVD of `X` as a constant "iterate".
pub struct TsvdBaseline {
    rank: usize,
    state: Option<(HadamardFactors, u64)>,
}

impl TsvdBaseline {
    /// The baseline of rank `q` (capped at `min(m, n)` in `init`, where it is exact).
    pub fn new(rank: usize) -> Self {
        Self { rank, state: None }
    }
}

/// Analytic flops of a thin SVD of an `m × n` matrix (Golub & Van Loan's R-SVD count for
/// `Σ, U₁, V`: `6MN² + 20N³` with `M = max(m, n)`, `N = min(m, n)`) plus the `2mnq` of the
/// reconstruction: the baseline's constant `work()`.
pub fn svd_flops(m: usize, n: usize, q: usize) -> u64 {
    let (big, small) = (m.max(n) as u64, m.min(n) as u64);
    6 * big * small * small + 20 * small * small * small + 2 * (m * n * q) as u64
}

/// `(U_qΣ_q, V_q)` as the first pair and unit first columns as the second, so that the
/// Hadamard product is exactly the truncation (`W₂H₂ = 11ᵀ` entrywise, without rounding).
fn as_factors(problem: &HadamardProblem, q: usize) -> Result<HadamardFactors> {
    let svd = thin_svd(problem.x(), Par::Seq)?;
    let (m, n) = problem.shape();
    let w1 = Mat::from_fn(m, q, |i, c| svd.u[(i, c)] * svd.s[c]);
    let h1t = svd.v.get(.., ..q).to_owned();
    let unit = |rows: usize| Mat::from_fn(rows, q, |_, c| if c == 0 { 1.0 } else { 0.0 });
    HadamardFactors::new(vec![w1, unit(m)], vec![h1t, unit(n)])
}

impl Solver for TsvdBaseline {
    type Problem = HadamardProblem;
    type Iterate = HadamardFactors;

    fn name(&self) -> &'static str {
        NAME
    }

    fn init(&mut self, problem: &HadamardProblem, _rng: &mut Rng) -> Result<()> {
        if self.rank == 0 {
            return Err(Error::invalid(
                "r",
                "the TSVD rank K·r must be at least 1; choose r >= 1",
            ));
        }
        let (m, n) = problem.shape();
        let q = self.rank.min(m.min(n));
        self.state = Some((as_factors(problem, q)?, svd_flops(m, n, q)));
        Ok(())
    }

    fn step(&mut self, _problem: &HadamardProblem) -> Result<()> {
        Ok(())
    }

    fn iterate(&self) -> &HadamardFactors {
        &self.state.as_ref().expect("iterate() before init()").0
    }

    fn work(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;
    use ratebench_hadamard::{Generator, HadamardSpec};

    #[test]
    fn the_iterate_is_the_truncation_and_its_error_the_tsvd_error() {
        let spec = HadamardSpec {
            generator: Generator::Uniform,
            m: 30,
            n: 20,
            ..Default::default()
        };
        let p = HadamardProblem::generate(&spec, &mut SeedPath::new(3).stream("data")).unwrap();
        let mut s = TsvdBaseline::new(6);
        s.init(&p, &mut SeedPath::new(0).stream("init")).unwrap();
        let want = p.tsvd_reconstruction(6).unwrap();
        assert!((s.iterate().product() - &want).norm_max() < 1e-13);
        let e = p.relative_error(s.iterate());
        assert!((e - p.tsvd_error(6).unwrap()).abs() < 1e-13, "{e}");
        s.step(&p).unwrap();
        assert_eq!(p.relative_error(s.iterate()), e, "a step changes nothing");
        assert_eq!(s.work(), Some(svd_flops(30, 20, 6)));
        // Rank beyond min(m, n): capped, exact.
        let mut s = TsvdBaseline::new(50);
        s.init(&p, &mut SeedPath::new(0).stream("init")).unwrap();
        assert!(p.relative_error(s.iterate()) < 1e-13);
        let e = TsvdBaseline::new(0)
            .init(&p, &mut SeedPath::new(0).stream("init"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid r:"), "{e}");
    }

    #[test]
    fn flop_count_is_symmetric_in_the_shape() {
        assert_eq!(svd_flops(100, 40, 0), svd_flops(40, 100, 0));
        assert_eq!(svd_flops(10, 10, 2), 6000 + 20000 + 400);
    }
}
