//! NumPy `.npy` and `.npz` files: how a NumPy, POT or scikit-learn user holds an instance.
//!
//! Readers accept float64 arrays only (C or Fortran order, either byte order) and report
//! every problem as one line naming the file, the array and the fix. Writers produce C-order
//! float64 arrays that `np.load` reads back unchanged; files are written to a temporary
//! sibling and renamed, so an interrupted write never leaves a partial file.
//!
//! ```no_run
//! use ratebench_core::npy::{write_npz, Entry, Npz};
//! use std::path::Path;
//! let m = faer::Mat::<f64>::identity(3, 3);
//! write_npz(Path::new("inst.npz"), &[("M", Entry::Matrix(m.as_ref())), ("note", Entry::Text("spec"))])?;
//! let back = Npz::open(Path::new("inst.npz"))?.matrix("M")?;
//! assert_eq!(back, m);
//! # Ok::<(), ratebench_core::Error>(())
//! ```

use crate::{Error, Result};
use faer::{Mat, MatRef};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A float64 array as read from a file: its shape and its values in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
    /// Where it came from, for error messages: `file.npz:name` or `file.npy`.
    pub origin: String,
}

impl Array {
    fn error(&self, reason: impl std::fmt::Display) -> Error {
        Error::file(PathBuf::from(&self.origin), reason)
    }

    /// The first non-finite entry, as an error naming its position.
    pub fn check_finite(&self) -> Result<()> {
        match self.data.iter().position(|v| !v.is_finite()) {
            None => Ok(()),
            Some(pos) => Err(self.error(format!(
                "element {} is {}; the data must be finite (no NaN/Inf): clean or impute it first",
                self.index_of(pos),
                self.data[pos]
            ))),
        }
    }

    /// `(i, j)` of a flat C-order position (or `i` for 1-D arrays).
    fn index_of(&self, pos: usize) -> String {
        match self.shape.as_slice() {
            [_, cols] if *cols > 0 => format!("({}, {})", pos / cols, pos % cols),
            _ => pos.to_string(),
        }
    }

    /// The array as a matrix; it must be 2-D and finite.
    pub fn into_matrix(self) -> Result<Mat<f64>> {
        let [rows, cols] = self.shape[..] else {
            return Err(self.error(format!(
                "has shape {:?} ({}-D); expected a 2-D matrix",
                self.shape,
                self.shape.len()
            )));
        };
        self.check_finite()?;
        Ok(Mat::from_fn(rows, cols, |i, j| self.data[i * cols + j]))
    }

    /// The array as a vector; it must be 1-D (or `n × 1` / `1 × n`) and finite.
    pub fn into_vector(self) -> Result<Vec<f64>> {
        let ok = match self.shape[..] {
            [_] => true,
            [a, b] => a == 1 || b == 1,
            _ => false,
        };
        if !ok {
            return Err(self.error(format!("has shape {:?}; expected a 1-D vector", self.shape)));
        }
        self.check_finite()?;
        Ok(self.data)
    }
}

/// Decodes one `.npy` stream (float64 only).
fn decode<R: Read>(npy: npyz::NpyFile<R>, origin: &str) -> Result<Array> {
    let err = |reason: String| Error::file(PathBuf::from(origin), reason);
    let descr = npy.dtype().descr();
    let is_f8 = matches!(
        descr.trim_matches('\''),
        "<f8" | "=f8" | ">f8" | "|f8" | "f8"
    );
    if !is_f8 {
        return Err(err(format!(
            "dtype is {descr}, expected float64; convert with arr.astype(np.float64)"
        )));
    }
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let fortran = npy.order() == npyz::Order::Fortran;
    let raw: Vec<f64> = npy
        .into_vec()
        .map_err(|e| err(format!("cannot read the data ({e}); is the file complete?")))?;
    let data = if fortran && shape.len() == 2 {
        let (rows, cols) = (shape[0], shape[1]);
        (0..rows * cols)
            .map(|p| raw[(p / cols) + (p % cols) * rows])
            .collect()
    } else if fortran && shape.len() > 2 {
        return Err(err(format!(
            "is a Fortran-order {}-D array; save it with np.ascontiguousarray",
            shape.len()
        )));
    } else {
        raw
    };
    Ok(Array {
        shape,
        data,
        origin: origin.to_string(),
    })
}

/// Reads a float64 `.npy` file.
pub fn read_npy(path: &Path) -> Result<Array> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::file(path, format!("cannot read ({e}); check the path")))?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .map_err(|e| Error::file(path, format!("not a valid .npy file ({e})")))?;
    decode(npy, &path.display().to_string())
}

/// Reads a 2-D float64 `.npy` file as a matrix (finite entries only).
pub fn read_matrix(path: &Path) -> Result<Mat<f64>> {
    read_npy(path)?.into_matrix()
}

/// An open `.npz` archive.
pub struct Npz {
    archive: npyz::npz::NpzArchive<std::io::BufReader<std::fs::File>>,
    path: PathBuf,
}

impl Npz {
    /// Opens an archive written by `np.savez` (compressed or not).
    pub fn open(path: &Path) -> Result<Self> {
        let archive = npyz::npz::NpzArchive::open(path)
            .map_err(|e| Error::file(path, format!("cannot open as .npz ({e}); check the path")))?;
        Ok(Self {
            archive,
            path: path.to_path_buf(),
        })
    }

    /// The archive's array names.
    pub fn names(&self) -> Vec<String> {
        self.archive.array_names().map(str::to_string).collect()
    }

    /// True if the archive holds `name`.
    pub fn has(&self, name: &str) -> bool {
        self.archive.array_names().any(|n| n == name)
    }

    /// Reads array `name` (float64); a missing array is an error listing what is there.
    pub fn array(&mut self, name: &str) -> Result<Array> {
        let origin = format!("{}:{name}", self.path.display());
        let names = self.names().join(", ");
        let npy = self
            .archive
            .by_name(name)
            .map_err(|e| Error::file(&self.path, format!("cannot read array '{name}' ({e})")))?
            .ok_or_else(|| {
                Error::file(
                    &self.path,
                    format!("has no array '{name}' (it holds: {names})"),
                )
            })?;
        decode(npy, &origin)
    }

    /// Array `name` as a matrix.
    pub fn matrix(&mut self, name: &str) -> Result<Mat<f64>> {
        self.array(name)?.into_matrix()
    }

    /// Array `name` as a vector.
    pub fn vector(&mut self, name: &str) -> Result<Vec<f64>> {
        self.array(name)?.into_vector()
    }
}

/// One array to write.
pub enum Entry<'a> {
    /// A float64 matrix (written in C order).
    Matrix(MatRef<'a, f64>),
    /// A float64 vector.
    Vector(&'a [f64]),
    /// A float64 scalar (shape `()`).
    Scalar(f64),
    /// An unsigned integer scalar (e.g. a seed).
    U64(u64),
    /// UTF-8 text as a `uint8` array: `bytes(d["spec"]).decode()` in NumPy.
    Text(&'a str),
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::file(path, format!("cannot write ({e}); choose a writable path"))
}

/// Writes one array of `T` with the given shape (C order) into the archive.
fn write_array<T, W, I>(
    npz: &mut npyz::npz::NpzWriter<W>,
    name: &str,
    shape: &[u64],
    values: I,
    path: &Path,
) -> Result<()>
where
    T: npyz::AutoSerialize,
    W: std::io::Write + std::io::Seek,
    I: IntoIterator<Item = T>,
{
    use npyz::WriterBuilder;
    let err = io_error(path);
    let mut w = npz
        .array::<T>(name, Default::default())
        .map_err(&err)?
        .default_dtype()
        .shape(shape)
        .begin_nd()
        .map_err(&err)?;
    w.extend(values).map_err(&err)?;
    w.finish().map_err(&err)
}

fn write_entry<W: std::io::Write + std::io::Seek>(
    npz: &mut npyz::npz::NpzWriter<W>,
    name: &str,
    entry: &Entry<'_>,
    path: &Path,
) -> Result<()> {
    match entry {
        Entry::Matrix(m) => {
            let (rows, cols) = (m.nrows(), m.ncols());
            let values = (0..rows).flat_map(|i| (0..cols).map(move |j| m[(i, j)]));
            write_array(npz, name, &[rows as u64, cols as u64], values, path)
        }
        Entry::Vector(v) => write_array(npz, name, &[v.len() as u64], v.iter().copied(), path),
        Entry::Scalar(x) => write_array(npz, name, &[], [*x], path),
        Entry::U64(x) => write_array(npz, name, &[], [*x], path),
        Entry::Text(s) => write_array(npz, name, &[s.len() as u64], s.bytes(), path),
    }
}

/// `path` with `.tmp` appended (same directory, so the final rename is atomic).
fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes an `.npz` archive atomically (temporary sibling, then rename).
pub fn write_npz(path: &Path, entries: &[(&str, Entry<'_>)]) -> Result<()> {
    let err = io_error(path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(&err)?;
    }
    let tmp = temporary(path);
    {
        let mut npz = npyz::npz::NpzWriter::create(&tmp).map_err(&err)?;
        for (name, entry) in entries {
            write_entry(&mut npz, name, entry, path)?;
        }
    }
    std::fs::rename(&tmp, path).map_err(&err)
}

/// Writes one float64 matrix as an `.npy` file (C order) atomically.
pub fn write_npy_matrix(path: &Path, m: MatRef<'_, f64>) -> Result<()> {
    use npyz::WriterBuilder;
    let err = io_error(path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(&err)?;
    }
    let tmp = temporary(path);
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(&err)?);
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[m.nrows() as u64, m.ncols() as u64])
            .writer(file)
            .begin_nd()
            .map_err(&err)?;
        for i in 0..m.nrows() {
            for j in 0..m.ncols() {
                w.push(&m[(i, j)]).map_err(&err)?;
            }
        }
        w.finish().map_err(&err)?;
    }
    std::fs::rename(&tmp, path).map_err(&err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npz_round_trip_and_errors() {
        let dir = std::env::temp_dir().join(format!("ratebench-npy-{}", std::process::id()));
        let path = dir.join("x.npz");
        let m = Mat::<f64>::from_fn(3, 2, |i, j| (i * 10 + j) as f64);
        write_npz(
            &path,
            &[
                ("M", Entry::Matrix(m.as_ref())),
                ("v", Entry::Vector(&[1.0, 2.0])),
                ("lam", Entry::Scalar(0.5)),
                ("spec", Entry::Text("{}")),
            ],
        )
        .unwrap();
        let mut npz = Npz::open(&path).unwrap();
        assert!(npz.has("M") && !npz.has("C"));
        assert_eq!(npz.matrix("M").unwrap(), m);
        assert_eq!(npz.vector("v").unwrap(), vec![1.0, 2.0]);
        let e = npz.matrix("v").unwrap_err().to_string();
        assert!(e.contains("expected a 2-D matrix"), "{e}");
        let e = npz.matrix("C").unwrap_err().to_string();
        assert!(e.contains("has no array 'C'") && e.contains("M"), "{e}");
        let e = npz.array("spec").unwrap_err().to_string();
        assert!(e.contains("expected float64"), "{e}");
        let npy = dir.join("m.npy");
        write_npy_matrix(&npy, m.as_ref()).unwrap();
        assert_eq!(read_matrix(&npy).unwrap(), m);
        std::fs::remove_dir_all(&dir).ok();
    }
}
