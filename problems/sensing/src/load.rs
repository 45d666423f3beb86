//! Loading a sensing instance from `.npz` (as written by `ratebench export sensing`, or by
//! NumPy: `np.savez(f, A=A.reshape(m, -1), y=y, M=M)` with `y_i = ⟨A_i, M⟩`, no `1/√m`).
//!
//! The loss is the one a NumPy user writes, `1/(4m)·Σ(⟨A_i, XXᵀ⟩ − y_i)²`: the operator and
//! measurements are stored scaled by `1/√m`, so step sizes carry over from factorization
//! (CLAIMS.md conventions 2).

use crate::{Operator, SensingProblem};
use faer::{Col, Mat};
use ratebench_core::{Error, Result};
use ratebench_lowrank::LowRankProblem;
use std::path::Path;

fn read(
    archive: &mut npyz::npz::NpzArchive<std::io::BufReader<std::fs::File>>,
    path: &Path,
    name: &str,
) -> Result<(Vec<u64>, Vec<f64>, bool)> {
    let npy = archive
        .by_name(name)
        .map_err(|e| Error::file(path, format!("cannot read array '{name}' ({e})")))?
        .ok_or_else(|| {
            Error::file(
                path,
                format!("has no array '{name}'; expected A (m × n²), y (m) and M (n × n)"),
            )
        })?;
    let dtype = npy.dtype().descr();
    if dtype != "'<f8'" {
        return Err(Error::file(
            path,
            format!("array '{name}' has dtype {dtype}, expected float64 '<f8'"),
        ));
    }
    let shape = npy.shape().to_vec();
    let fortran = npy.order() == npyz::Order::Fortran;
    let data: Vec<f64> = npy
        .into_vec()
        .map_err(|e| Error::file(path, format!("cannot read array '{name}' ({e})")))?;
    if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::file(
            path,
            format!(
                "array '{name}' element {pos} is {}; values must be finite",
                data[pos]
            ),
        ));
    }
    Ok((shape, data, fortran))
}

fn matrix(shape: &[u64], data: &[f64], fortran: bool, path: &Path, name: &str) -> Result<Mat<f64>> {
    let [rows, cols] = shape else {
        return Err(Error::file(
            path,
            format!("array '{name}' has shape {shape:?}, expected 2-D"),
        ));
    };
    let (rows, cols) = (*rows as usize, *cols as usize);
    Ok(if fortran {
        Mat::from_fn(rows, cols, |i, j| data[i + j * rows])
    } else {
        Mat::from_fn(rows, cols, |i, j| data[i * cols + j])
    })
}

impl SensingProblem {
    /// Loads `A` (m × n², row `i` = `A_i` flattened row-major, scaling included), `y` (m)
    /// and the ground truth `M` (n × n). Shapes are checked against each other.
    pub fn load_npz(path: &Path) -> Result<Self> {
        let mut archive = npyz::npz::NpzArchive::open(path)
            .map_err(|e| Error::file(path, format!("cannot open .npz ({e}); check the path")))?;
        let (ms, md, mf) = read(&mut archive, path, "M")?;
        let truth = matrix(&ms, &md, mf, path, "M")?;
        if md.iter().all(|v| *v == 0.0) {
            return Err(Error::file(
                path,
                "array 'M' is all zero: there is no ground truth to recover; store the true M⋆",
            ));
        }
        let n = truth.nrows();
        if truth.ncols() != n {
            return Err(Error::file(
                path,
                format!("M is {}×{}, expected square", n, truth.ncols()),
            ));
        }
        let (a_shape, ad, af) = read(&mut archive, path, "A")?;
        let a = matrix(&a_shape, &ad, af, path, "A")?;
        if a.ncols() != n * n {
            return Err(Error::file(
                path,
                format!(
                    "A has {} columns, expected n² = {} for the {n}×{n} M",
                    a.ncols(),
                    n * n
                ),
            ));
        }
        let (ys, y, _) = read(&mut archive, path, "y")?;
        if ys.len() != 1 || ys[0] as usize != a.nrows() {
            return Err(Error::file(
                path,
                format!(
                    "y has shape {ys:?}, expected ({},) to match A's m = {} rows",
                    a.nrows(),
                    a.nrows()
                ),
            ));
        }
        let c = 1.0 / (a.nrows() as f64).sqrt();
        let scaled = &a * faer::Scale(c);
        let operator =
            Operator::from_full(scaled, n).map_err(|e| Error::file(path, e.to_string()))?;
        let label = format!(
            "npz:{}",
            path.file_name()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default()
        );
        let truth = LowRankProblem::from_matrix(truth, label)
            .map_err(|e| Error::file(path, e.to_string()))?;
        SensingProblem::from_parts(operator, Col::from_fn(y.len(), |i| c * y[i]), truth, c)
            .map_err(|e| Error::file(path, e.to_string()))
    }
}
