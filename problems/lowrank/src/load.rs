//! Loading a real matrix from a NumPy `.npy` file.

use crate::LowRankProblem;
use faer::Mat;
use ratebench_core::{Error, Result};
use std::path::Path;

impl LowRankProblem {
    /// Loads a 2-D float64 `.npy` array (C or Fortran order) as the target matrix.
    ///
    /// Errors (one line each): missing file, not an `.npy`, dtype other than `<f8`, not 2-D,
    /// non-finite entries.
    pub fn load_npy(path: &Path) -> Result<Self> {
        let m = read_npy_matrix(path)?;
        let label = format!(
            "npy:{}",
            path.file_name()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default()
        );
        LowRankProblem::from_matrix(m, label).map_err(|e| match e {
            Error::InvalidInput { reason, .. } => Error::file(path, reason),
            other => other,
        })
    }
}

/// Reads a 2-D float64 `.npy` array into a column-major `Mat`.
pub fn read_npy_matrix(path: &Path) -> Result<Mat<f64>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::file(path, format!("cannot read ({e}); check the path")))?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .map_err(|e| Error::file(path, format!("not a valid .npy file ({e})")))?;
    let dtype = npy.dtype().descr();
    if dtype != "'<f8'" && dtype != "'=f8'" {
        return Err(Error::file(
            path,
            format!(
                "dtype is {dtype}, expected float64 '<f8'; convert with arr.astype(np.float64)"
            ),
        ));
    }
    let shape = npy.shape().to_vec();
    if shape.len() != 2 {
        return Err(Error::file(
            path,
            format!(
                "array is {}-D with shape {shape:?}, expected a 2-D matrix",
                shape.len()
            ),
        ));
    }
    let (rows, cols) = (shape[0] as usize, shape[1] as usize);
    let fortran = npy.order() == npyz::Order::Fortran;
    let data: Vec<f64> = npy
        .into_vec()
        .map_err(|e| Error::file(path, format!("cannot read data ({e})")))?;
    if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::file(
            path,
            format!(
                "element {pos} is {}; the matrix must be finite (no NaN/Inf)",
                data[pos]
            ),
        ));
    }
    Ok(if fortran {
        Mat::from_fn(rows, cols, |i, j| data[i + j * rows])
    } else {
        Mat::from_fn(rows, cols, |i, j| data[i * cols + j])
    })
}
