//! Seeded random streams.
//!
//! Every random draw in ratebench comes from a `ChaCha8Rng` (a named, portable algorithm)
//! seeded by a stable 64-bit FNV-1a hash of a *seed path*: base seed, claim or suite id,
//! instance spec, repetition, and finally the stream name ("data", "init", …). Data and
//! initialization therefore never share a stream, and a run's randomness does not depend on
//! which thread runs it or in which order.

use faer::Mat;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The RNG type used everywhere.
pub type Rng = ChaCha8Rng;

/// FNV-1a, 64 bit: stable across platforms, Rust versions and runs (unlike `std`'s hasher).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A base seed plus a list of labels; hashing the whole path yields a stream seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedPath {
    bytes: Vec<u8>,
}

impl SeedPath {
    /// Starts a path at a base seed.
    pub fn new(base_seed: u64) -> Self {
        Self {
            bytes: base_seed.to_le_bytes().to_vec(),
        }
    }

    /// Appends a label (claim id, spec, repetition …). Labels are length-prefixed so that
    /// `("ab","c")` and `("a","bc")` differ.
    pub fn with(mut self, label: impl AsRef<str>) -> Self {
        let label = label.as_ref().as_bytes();
        self.bytes
            .extend_from_slice(&(label.len() as u64).to_le_bytes());
        self.bytes.extend_from_slice(label);
        self
    }

    /// The seed of the named stream under this path.
    pub fn seed(&self, stream: &str) -> u64 {
        stable_hash(&self.clone().with(stream).bytes)
    }

    /// The named stream under this path.
    pub fn stream(&self, stream: &str) -> Rng {
        Rng::seed_from_u64(self.seed(stream))
    }
}

/// An `nrows × ncols` matrix of iid N(0, 1) entries, drawn column by column.
pub fn gaussian_mat(rng: &mut Rng, nrows: usize, ncols: usize) -> Mat<f64> {
    let mut m = Mat::zeros(nrows, ncols);
    for j in 0..ncols {
        for i in 0..nrows {
            m[(i, j)] = StandardNormal.sample(rng);
        }
    }
    m
}

/// An `nrows × ncols` matrix of iid ±1 entries (Rademacher), drawn column by column.
pub fn rademacher_mat(rng: &mut Rng, nrows: usize, ncols: usize) -> Mat<f64> {
    use rand::Rng as _;
    let mut m = Mat::zeros(nrows, ncols);
    for j in 0..ncols {
        for i in 0..nrows {
            m[(i, j)] = if rng.random::<bool>() { 1.0 } else { -1.0 };
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn fnv_matches_reference_vector() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(stable_hash(b""), 0xcbf29ce484222325);
        assert_eq!(stable_hash(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn streams_are_separate_and_reproducible() {
        let p = SeedPath::new(7).with("LR-1");
        assert_ne!(p.seed("data"), p.seed("init"));
        assert_ne!(
            SeedPath::new(7).with("ab").with("c").seed("x"),
            SeedPath::new(7).with("a").with("bc").seed("x")
        );
        let a: Vec<u64> = (0..4).map(|_| p.stream("data").random()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn gaussian_moments_are_plausible() {
        let m = gaussian_mat(&mut SeedPath::new(1).stream("t"), 200, 50);
        let n = (200 * 50) as f64;
        let mean: f64 = (0..50)
            .flat_map(|j| (0..200).map(move |i| (i, j)))
            .map(|ij| m[ij])
            .sum::<f64>()
            / n;
        let var = m.squared_norm_l2() / n;
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "var {var}");
    }
}
