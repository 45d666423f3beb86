//! Seeded generators: random costs, point clouds and densities on a grid.
//!
//! Every generator draws from the `&mut Rng` it is given (the caller derives it from a
//! `SeedPath`, stream "data"), checks memory before allocating `C`, and returns raw parts
//! `(a, b, C)` that [`crate::OtProblem::new`] validates.

use crate::problem::check_matrix_memory;
use faer::Mat;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use ratebench_core::rng::Rng;
use ratebench_core::Result;

/// Raw instance parts before validation.
#[derive(Clone, Debug)]
pub struct Parts {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub cost: Mat<f64>,
}

/// `1/n` repeated `n` times.
pub fn uniform_histogram(n: usize) -> Vec<f64> {
    vec![1.0 / n as f64; n]
}

/// `C_ij` iid U[0, hi], uniform marginals (the catalogue's random-assignment instances).
/// Entries are drawn row by row (`C[0, 0], C[0, 1], …`), the order of NumPy's
/// `rng.uniform(size=(n, m))`.
pub fn random_cost(n: usize, m: usize, hi: f64, rng: &mut Rng) -> Result<Parts> {
    check_matrix_memory("n", "the cost matrix C", n, m)?;
    let mut cost = Mat::<f64>::zeros(n, m);
    for i in 0..n {
        for j in 0..m {
            cost[(i, j)] = hi * rng.random::<f64>();
        }
    }
    Ok(Parts {
        a: uniform_histogram(n),
        b: uniform_histogram(m),
        cost,
    })
}

/// How a point cloud is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cloud {
    /// iid uniform on `[0, 1]^dim`.
    Uniform,
    /// Mixture of `components` isotropic Gaussians `N(μ_k, spread² I)`, centres `μ_k` iid
    /// uniform on `[0, 1]^dim`, equal weights.
    GaussianMixture { components: usize, spread: f64 },
}

/// `count` points (rows) of dimension `dim` from `cloud`, drawn point by point.
pub fn point_cloud(count: usize, dim: usize, cloud: Cloud, rng: &mut Rng) -> Mat<f64> {
    let mut m = Mat::zeros(count, dim);
    match cloud {
        Cloud::Uniform => {
            for i in 0..count {
                for d in 0..dim {
                    m[(i, d)] = rng.random::<f64>();
                }
            }
        }
        Cloud::GaussianMixture { components, spread } => {
            let centres: Vec<f64> = (0..components * dim).map(|_| rng.random::<f64>()).collect();
            for i in 0..count {
                let k = rng.random_range(0..components);
                for d in 0..dim {
                    let z: f64 = StandardNormal.sample(rng);
                    m[(i, d)] = centres[k * dim + d] + spread * z;
                }
            }
        }
    }
    m
}

/// `C_ij = ‖x_i − y_j‖² / max_kl ‖x_k − y_l‖²` (squared Euclidean, normalized by its max so
/// that `C ∈ [0, 1]` and ε has the same meaning across instances).
pub fn squared_euclidean_normalized(x: &Mat<f64>, y: &Mat<f64>) -> Mat<f64> {
    let (n, m, dim) = (x.nrows(), y.nrows(), x.ncols());
    let mut c = Mat::from_fn(n, m, |i, j| {
        (0..dim)
            .map(|d| {
                let t = x[(i, d)] - y[(j, d)];
                t * t
            })
            .sum::<f64>()
    });
    normalize_by_max(&mut c);
    c
}

/// Divides `c` by its maximum (when positive).
pub fn normalize_by_max(c: &mut Mat<f64>) {
    let mut max = 0.0f64;
    for j in 0..c.ncols() {
        for &v in c.col_as_slice(j) {
            max = max.max(v);
        }
    }
    if max > 0.0 {
        for j in 0..c.ncols() {
            for v in c.col_as_slice_mut(j) {
                *v /= max;
            }
        }
    }
}

/// Two point clouds with uniform weights and the normalized squared Euclidean cost. The
/// first cloud is drawn before the second.
pub fn point_clouds(n: usize, m: usize, dim: usize, cloud: Cloud, rng: &mut Rng) -> Result<Parts> {
    check_matrix_memory("n", "the cost matrix C", n, m)?;
    let x = point_cloud(n, dim, cloud, rng);
    let y = point_cloud(m, dim, cloud, rng);
    Ok(Parts {
        a: uniform_histogram(n),
        b: uniform_histogram(m),
        cost: squared_euclidean_normalized(&x, &y),
    })
}

/// Pixel coordinates `(row, col)` of a `rows × cols` grid, one point per pixel in row-major
/// order (pixel `k` is row `k / cols`, column `k % cols`).
pub fn grid_points(rows: usize, cols: usize) -> Mat<f64> {
    Mat::from_fn(rows * cols, 2, |k, d| {
        if d == 0 {
            (k / cols) as f64
        } else {
            (k % cols) as f64
        }
    })
}

/// The grid's squared distance between pixels, normalized by its max.
pub fn grid_cost(rows: usize, cols: usize) -> Result<Mat<f64>> {
    let n = rows * cols;
    check_matrix_memory("side", "the grid cost matrix C", n, n)?;
    let p = grid_points(rows, cols);
    Ok(squared_euclidean_normalized(&p, &p))
}

/// A random density on a `side × side` grid: a mixture of `components` Gaussian bumps with
/// centres uniform in `[0.15, 0.85]²` (unit square coordinates), widths uniform in
/// `[0.05, 0.15]`, weights uniform in `[0.5, 1.5]`; normalized to sum 1. Strictly positive.
pub fn grid_density(side: usize, components: usize, rng: &mut Rng) -> Vec<f64> {
    let bumps: Vec<[f64; 4]> = (0..components)
        .map(|_| {
            [
                0.15 + 0.7 * rng.random::<f64>(),
                0.15 + 0.7 * rng.random::<f64>(),
                0.05 + 0.1 * rng.random::<f64>(),
                0.5 + rng.random::<f64>(),
            ]
        })
        .collect();
    let h = 1.0 / (side.max(2) - 1) as f64;
    let mut d: Vec<f64> = (0..side * side)
        .map(|k| {
            let (r, c) = ((k / side) as f64 * h, (k % side) as f64 * h);
            bumps
                .iter()
                .map(|[mr, mc, w, wt]| {
                    wt * (-((r - mr).powi(2) + (c - mc).powi(2)) / (2.0 * w * w)).exp()
                })
                .sum::<f64>()
        })
        .collect();
    let s: f64 = d.iter().sum();
    d.iter_mut().for_each(|v| *v /= s);
    d
}

/// Two random grid densities (first `a`, then `b`) with the grid cost.
pub fn grid_pair(side: usize, components: usize, rng: &mut Rng) -> Result<Parts> {
    let cost = grid_cost(side, side)?;
    let a = grid_density(side, components, rng);
    let b = grid_density(side, components, rng);
    Ok(Parts { a, b, cost })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;

    #[test]
    fn random_cost_is_uniform_on_the_range() {
        let p = random_cost(100, 80, 2.0, &mut SeedPath::new(1).stream("data")).unwrap();
        let vals: Vec<f64> = (0..80)
            .flat_map(|j| p.cost.col_as_slice(j).to_vec())
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / vals.len() as f64;
        assert!(vals.iter().all(|&v| (0.0..2.0).contains(&v)));
        // U[0, 2]: mean 1, variance 1/3 (8000 draws: sd of the mean ≈ 0.0065).
        assert!((mean - 1.0).abs() < 0.03, "mean {mean}");
        assert!((var - 1.0 / 3.0).abs() < 0.02, "var {var}");
        assert_eq!(p.a.len(), 100);
        assert_eq!(p.b.len(), 80);
    }

    #[test]
    fn same_seed_same_instance() {
        let draw = || {
            point_clouds(
                30,
                20,
                2,
                Cloud::GaussianMixture {
                    components: 3,
                    spread: 0.05,
                },
                &mut SeedPath::new(4).stream("data"),
            )
            .unwrap()
            .cost
        };
        assert_eq!(draw(), draw());
    }

    #[test]
    fn point_cloud_cost_is_normalized_squared_distance() {
        let x = Mat::from_fn(2, 2, |i, d| (i + d) as f64);
        let y = Mat::from_fn(3, 2, |j, d| (j * d) as f64);
        let c = squared_euclidean_normalized(&x, &y);
        // ‖x_1 − y_0‖² = 1 + 4 = 5, the largest of the six: (1,0),(1,1) vs (0,0),(0,1),(0,2).
        let raw =
            |i: usize, j: usize| -> f64 { (0..2).map(|d| (x[(i, d)] - y[(j, d)]).powi(2)).sum() };
        let max = (0..2)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .map(|(i, j)| raw(i, j))
            .fold(0.0, f64::max);
        for i in 0..2 {
            for j in 0..3 {
                assert!((c[(i, j)] - raw(i, j) / max).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn grid_cost_and_density() {
        let c = grid_cost(4, 4).unwrap();
        // Opposite corners are at squared distance 18, the max.
        assert_eq!(c[(0, 15)], 1.0);
        assert!((c[(0, 1)] - 1.0 / 18.0).abs() < 1e-15);
        let d = grid_density(32, 3, &mut SeedPath::new(2).stream("data"));
        assert!(d.iter().all(|&v| v > 0.0));
        assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn memory_limit_is_checked_before_allocating() {
        let e = random_cost(1 << 20, 1 << 20, 1.0, &mut SeedPath::new(0).stream("data"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("invalid n: the cost matrix C") && e.contains("memory limit"),
            "{e}"
        );
    }
}
