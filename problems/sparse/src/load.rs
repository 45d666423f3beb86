//! Loading `(X, y)` from LIBSVM/svmlight text, NumPy `.npz`/`.npy` and CSV files.
//!
//! Every problem is one line naming the file (and line, token or array) and the fix.

use crate::data::{DataInfo, RegressionData};
use crate::design::Design;
use faer::sparse::{SparseColMat, Triplet};
use faer::Mat;
use ratebench_core::npy::{read_npy, Npz};
use ratebench_core::{memory, Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Storage of a loaded LIBSVM design.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    /// Dense when small (n·p ≤ [`DENSE_AUTO_ENTRIES`]) or when more than a quarter of the
    /// entries are stored; sparse otherwise.
    #[default]
    Auto,
    Dense,
    Sparse,
}

/// [`Storage::Auto`] keeps designs with at most this many entries dense.
pub const DENSE_AUTO_ENTRIES: usize = 1 << 16;

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One parsed LIBSVM file: labels and per-row sorted `(0-based column, value)` pairs.
struct Rows {
    labels: Vec<f64>,
    entries: Vec<Triplet<usize, usize, f64>>,
    max_col: usize,
}

fn parse_pair(tok: &str, line_no: usize, prev: Option<usize>, path: &Path) -> Result<(usize, f64)> {
    let err = |why: String| Error::file(path, format!("line {line_no}: token '{tok}' {why}"));
    let (idx, val) = tok
        .split_once(':')
        .ok_or_else(|| err("is not of the form index:value".into()))?;
    let idx: usize = idx
        .parse()
        .map_err(|_| err("has a feature index that is not a positive integer".into()))?;
    if idx == 0 {
        return Err(err("has feature index 0; LIBSVM indices are 1-based".into()));
    }
    if let Some(p) = prev {
        if idx <= p {
            return Err(err(format!(
                "has feature index {idx} after {p}; indices must be strictly increasing within a line"
            )));
        }
    }
    let val: f64 = val
        .parse()
        .map_err(|_| err("has a value that is not a number".into()))?;
    if !val.is_finite() {
        return Err(err(
            "has a non-finite value; the design must be finite".into()
        ));
    }
    Ok((idx, val))
}

fn parse_libsvm(text: &str, path: &Path, n_features: Option<usize>) -> Result<Rows> {
    let mut rows = Rows {
        labels: Vec::new(),
        entries: Vec::new(),
        max_col: 0,
    };
    for (k, raw) in text.lines().enumerate() {
        let line_no = k + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut tokens = line.split_whitespace();
        let label_tok = tokens.next().unwrap_or("");
        let label: f64 = label_tok.parse().map_err(|_| {
            Error::file(
                path,
                format!("line {line_no}: label '{label_tok}' is not a number"),
            )
        })?;
        if !label.is_finite() {
            return Err(Error::file(
                path,
                format!("line {line_no}: label '{label_tok}' is not finite"),
            ));
        }
        let row = rows.labels.len();
        rows.labels.push(label);
        let mut prev = None;
        for tok in tokens {
            if tok.starts_with("qid:") {
                continue; // svmlight ranking groups carry no feature
            }
            let (idx, val) = parse_pair(tok, line_no, prev, path)?;
            if let Some(p) = n_features {
                if idx > p {
                    return Err(Error::file(path, format!(
                        "line {line_no}: token '{tok}' has feature index {idx} > n_features = {p}; raise n_features or fix the file"
                    )));
                }
            }
            prev = Some(idx);
            rows.max_col = rows.max_col.max(idx);
            if val != 0.0 {
                rows.entries.push(Triplet::new(row, idx - 1, val));
            }
        }
    }
    if rows.labels.is_empty() {
        return Err(Error::file(
            path,
            "holds no samples (every line is empty or a comment)",
        ));
    }
    Ok(rows)
}

/// Reads a LIBSVM/svmlight file (`label idx:val …`, 1-based increasing indices, `#`
/// comments). `n_features` fixes p (else the largest index). Sparse storage never holds
/// explicit zeros.
pub fn read_libsvm(
    path: &Path,
    n_features: Option<usize>,
    storage: Storage,
) -> Result<RegressionData> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(path, format!("cannot read ({e}); check the path")))?;
    let rows = parse_libsvm(&text, path, n_features)?;
    let n = rows.labels.len();
    let p = n_features.unwrap_or(rows.max_col).max(1);
    let entries = n.saturating_mul(p);
    let dense = match storage {
        Storage::Dense => true,
        Storage::Sparse => false,
        Storage::Auto => entries <= DENSE_AUTO_ENTRIES || 4 * rows.entries.len() > entries,
    };
    let x = if dense {
        memory::check(
            "storage",
            "the dense design X (n × p doubles)",
            memory::f64s(entries as u64),
        )?;
        let mut m = Mat::zeros(n, p);
        for t in &rows.entries {
            m[(t.row, t.col)] = t.val;
        }
        Design::Dense(m)
    } else {
        Design::Sparse(
            SparseColMat::try_new_from_triplets(n, p, &rows.entries).map_err(|e| {
                Error::file(path, format!("cannot build the sparse matrix ({e:?})"))
            })?,
        )
    };
    let info = DataInfo {
        source: format!("libsvm:{}", file_name(path)),
        ..DataInfo::default()
    };
    RegressionData::new(x, rows.labels, None, info).map_err(|e| Error::file(path, e.to_string()))
}

/// Reads a CSV file with a header row; the response is the column named `target` (or the
/// last column when `target` is `None`), every other column is a feature.
pub fn read_csv(path: &Path, target: Option<&str>) -> Result<RegressionData> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| Error::file(path, format!("cannot read ({e}); check the path")))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(path, format!("cannot read the header row ({e})")))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.len() < 2 {
        return Err(Error::file(
            path,
            "needs a header with at least one feature and the target column",
        ));
    }
    let t = match target {
        None => header.len() - 1,
        Some(name) => header.iter().position(|h| h == name).ok_or_else(|| {
            Error::file(
                path,
                format!(
                    "has no column '{name}' (columns: {}); pass the target column's name",
                    header.join(", ")
                ),
            )
        })?,
    };
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); header.len()];
    for (k, record) in reader.records().enumerate() {
        let line = k + 2;
        let record = record.map_err(|e| Error::file(path, format!("line {line}: {e}")))?;
        if record.len() != header.len() {
            return Err(Error::file(
                path,
                format!(
                    "line {line}: has {} fields, the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        for (c, field) in record.iter().enumerate() {
            let v: f64 = field.trim().parse().map_err(|_| {
                Error::file(
                    path,
                    format!(
                        "line {line}, column '{}': '{field}' is not a number",
                        header[c]
                    ),
                )
            })?;
            if !v.is_finite() {
                return Err(Error::file(
                    path,
                    format!(
                        "line {line}, column '{}': value {v} is not finite; clean or impute it",
                        header[c]
                    ),
                ));
            }
            cols[c].push(v);
        }
    }
    let n = cols[0].len();
    let features: Vec<usize> = (0..header.len()).filter(|&c| c != t).collect();
    memory::check(
        "n",
        "the design X (n × p doubles)",
        memory::f64s((n * features.len()) as u64),
    )?;
    let x = Mat::from_fn(n, features.len(), |i, j| cols[features[j]][i]);
    let info = DataInfo {
        source: format!("csv:{}", file_name(path)),
        ..DataInfo::default()
    };
    RegressionData::new(Design::Dense(x), cols.swap_remove(t), None, info)
        .map_err(|e| Error::file(path, e.to_string()))
}

/// Reads `X` (n × p) and `y` (n) from an `.npz` archive, plus `w_star` (p) when present.
pub fn read_npz(path: &Path) -> Result<RegressionData> {
    let mut npz = Npz::open(path)?;
    let x = npz.matrix("X")?;
    let y = npz.vector("y")?;
    let truth = if npz.has("w_star") {
        Some(npz.vector("w_star")?)
    } else {
        None
    };
    let info = DataInfo {
        source: format!("npz:{}", file_name(path)),
        ..DataInfo::default()
    };
    RegressionData::new(Design::Dense(x), y, truth, info)
        .map_err(|e| Error::file(path, e.to_string()))
}

/// Reads `X` and `y` from two `.npy` files.
pub fn read_npy_pair(x_path: &Path, y_path: &Path) -> Result<RegressionData> {
    let x = read_npy(x_path)?.into_matrix()?;
    let y = read_npy(y_path)?.into_vector()?;
    let info = DataInfo {
        source: format!("npy:{}", file_name(x_path)),
        ..DataInfo::default()
    };
    RegressionData::new(Design::Dense(x), y, None, info)
        .map_err(|e| Error::file(y_path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::npy::{write_npz, Entry};

    fn tmp(name: &str, body: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ratebench-sparse-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn libsvm_reader_builds_sparse_and_dense_designs() {
        let p = tmp(
            "ok.svm",
            "# comment\n1.5 1:2 3:-1\n\n-2 qid:4 2:0.5 # tail\n0\n",
        );
        for storage in [Storage::Sparse, Storage::Dense, Storage::Auto] {
            let d = read_libsvm(&p, None, storage).unwrap();
            assert_eq!((d.n(), d.p()), (3, 3));
            assert_eq!(d.y(), &[1.5, -2.0, 0.0]);
            let x = d.x().dense_columns(&[0, 1, 2]);
            assert_eq!(
                x,
                Mat::from_fn(3, 3, |i, j| [[2.0, 0.0, -1.0], [0.0, 0.5, 0.0], [0.0; 3]]
                    [i][j])
            );
            assert_eq!(d.x().is_sparse(), storage == Storage::Sparse);
        }
        let d = read_libsvm(&p, Some(10), Storage::Sparse).unwrap();
        assert_eq!((d.p(), d.x().nnz()), (10, 3));
    }

    #[test]
    fn libsvm_errors_name_line_and_token() {
        let cases = [
            ("1 1:2\n2 3\n", "line 2: token '3'", "index:value"),
            ("1 1:2\n2 0:1\n", "line 2: token '0:1'", "1-based"),
            ("1 2:1 2:3\n", "line 1: token '2:3'", "strictly increasing"),
            ("1 3:1 1:3\n", "line 1: token '1:3'", "strictly increasing"),
            ("1 a:1\n", "line 1: token 'a:1'", "positive integer"),
            ("1 1:x\n", "line 1: token '1:x'", "not a number"),
            ("1 1:nan\n", "line 1: token '1:nan'", "non-finite"),
            ("abc 1:1\n", "line 1: label 'abc'", "not a number"),
            ("1 1:1\n1 12:1\n", "line 2: token '12:1'", "n_features = 5"),
        ];
        for (k, (body, place, why)) in cases.iter().enumerate() {
            let p = tmp(&format!("bad{k}.svm"), body);
            let e = read_libsvm(&p, Some(5), Storage::Auto)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(place) && e.contains(why) && !e.contains('\n'),
                "{body:?}: {e}"
            );
        }
    }

    #[test]
    fn csv_and_npz_readers() {
        let p = tmp("d.csv", "a,b,target\n1,2,3\n4,5,6\n");
        let d = read_csv(&p, None).unwrap();
        assert_eq!((d.n(), d.p()), (2, 2));
        assert_eq!(d.y(), &[3.0, 6.0]);
        let d = read_csv(&p, Some("a")).unwrap();
        assert_eq!(d.y(), &[1.0, 4.0]);
        let bad = tmp("bad.csv", "a,target\n1,2\nx,3\n");
        let e = read_csv(&bad, None).unwrap_err().to_string();
        assert!(e.contains("line 3, column 'a'") && e.contains("'x'"), "{e}");
        let bad = tmp("inf.csv", "a,target\n1,2\n3,inf\n");
        let e = read_csv(&bad, None).unwrap_err().to_string();
        assert!(
            e.contains("line 3, column 'target'") && e.contains("not finite"),
            "{e}"
        );
        let e = read_csv(&p, Some("nope")).unwrap_err().to_string();
        assert!(e.contains("no column 'nope'"), "{e}");
        let npz = tmp("d.npz", "");
        let x = Mat::from_fn(3, 2, |i, j| (i + 2 * j) as f64);
        write_npz(
            &npz,
            &[
                ("X", Entry::Matrix(x.as_ref())),
                ("y", Entry::Vector(&[1.0, 2.0])),
            ],
        )
        .unwrap();
        let e = read_npz(&npz).unwrap_err().to_string();
        assert!(
            e.contains("d.npz") && e.contains("has 2 entries but X has 3 rows"),
            "{e}"
        );
        write_npz(
            &npz,
            &[
                ("X", Entry::Matrix(x.as_ref())),
                ("y", Entry::Vector(&[1.0, 2.0, 3.0])),
                ("w_star", Entry::Vector(&[1.0, 0.0])),
            ],
        )
        .unwrap();
        let d = read_npz(&npz).unwrap();
        assert_eq!(d.truth(), Some(&[1.0, 0.0][..]));
    }

    #[test]
    fn npy_pair_reader_and_its_shape_check() {
        use ratebench_core::npy::write_npy_matrix;
        let dir = tmp("npy-dir-marker", "").parent().unwrap().to_path_buf();
        let (xp, yp, bad) = (dir.join("X.npy"), dir.join("y.npy"), dir.join("y3.npy"));
        let x = Mat::from_fn(4, 3, |i, j| (i * 3 + j) as f64 - 5.0);
        write_npy_matrix(&xp, x.as_ref()).unwrap();
        write_npy_matrix(&yp, Mat::from_fn(4, 1, |i, _| i as f64).as_ref()).unwrap();
        write_npy_matrix(&bad, Mat::from_fn(3, 1, |i, _| i as f64).as_ref()).unwrap();
        let d = read_npy_pair(&xp, &yp).unwrap();
        assert_eq!((d.n(), d.p()), (4, 3));
        assert_eq!(d.y(), &[0.0, 1.0, 2.0, 3.0]);
        assert_eq!(d.x().dense_columns(&[0, 1, 2]), x);
        assert!(d.info().source.starts_with("npy:"));
        let e = read_npy_pair(&xp, &bad).unwrap_err();
        assert!(e.is_user_error());
        let e = e.to_string();
        assert!(
            e.contains("y3.npy")
                && e.contains("has 3 entries but X has 4 rows")
                && !e.contains('\n'),
            "{e}"
        );
    }

    #[test]
    fn diabetes_is_read_with_its_raw_values() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/diabetes.csv");
        let d = read_csv(&path, Some("target")).unwrap();
        assert_eq!((d.n(), d.p()), (442, 10));
        assert_eq!(d.y()[0], 151.0);
        assert_eq!(d.x().dense_columns(&[0])[(0, 0)], 59.0);
        let s = d.standardized(crate::Standardize::CenterScale).unwrap();
        assert_eq!(s.info().col_scales.len(), 10);
    }
}
