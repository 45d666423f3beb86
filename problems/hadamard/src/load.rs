//! Real data: `.npy`, `.npz` (NumPy users' layout, also what `export_npz` writes) and CSV
//! with a header (`digits.csv`). Paths come from the caller, which resolves data directories.

use crate::{HadamardFactors, HadamardProblem, MAX_FACTORS};
use faer::Mat;
use ratebench_core::npy::{self, Entry, Npz};
use ratebench_core::{Error, Result};
use std::path::Path;

/// `npy:china_gray.npy` style labels.
fn label(kind: &str, path: &Path) -> String {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{kind}:{name}")
}

/// Data errors (non-finite, all zeros) re-issued against the file they came from.
fn as_file_error(path: &Path, e: Error) -> Error {
    match e {
        Error::InvalidInput { reason, .. } => Error::file(path, reason),
        other => other,
    }
}

impl HadamardProblem {
    /// Loads `X` by extension: `.npy`, `.npz` or `.csv`.
    pub fn load(path: &Path) -> Result<Self> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("npy") => Self::load_npy(path),
            Some("npz") => Self::load_npz(path),
            Some("csv") => Self::load_csv(path),
            _ => Err(Error::file(
                path,
                "unknown file type; give a .npy or .npz file with a 2-D float64 array, or a .csv with a header row",
            )),
        }
    }

    /// A 2-D float64 `.npy` array (C or Fortran order), finite and not all zeros.
    pub fn load_npy(path: &Path) -> Result<Self> {
        let x = npy::read_matrix(path)?;
        Self::with_truth(x, label("npy", path), None).map_err(|e| as_file_error(path, e))
    }

    /// An `.npz` archive: the matrix is array `X`, or else the only 2-D float64 array that is
    /// not a factor. Factor pairs `W1, H1, W2, H2, …` (`W_k` of shape `m × r`, `H_k` of
    /// shape `r × n`, as [`HadamardProblem::export_npz`] writes them) become the ground truth;
    /// every shape mismatch between them and `X` is an error naming both arrays.
    pub fn load_npz(path: &Path) -> Result<Self> {
        let mut npz = Npz::open(path)?;
        let mut names = npz.names();
        names.sort(); // archive order is not stable; messages should be
        let x_name = if npz.has("X") {
            "X".to_string()
        } else {
            only_matrix(&mut npz, &names, path)?
        };
        let x = npz.matrix(&x_name)?;
        let truth = read_factors(&mut npz, &names, path, x.shape())?;
        Self::with_truth(x, label("npz", path), truth).map_err(|e| as_file_error(path, e))
    }

    /// A CSV file with a header row; a column named `label` is dropped (for `digits.csv`,
    /// 1797 × (64 pixels + label), the matrix is the 64 pixel columns). Every other cell must
    /// parse as a number.
    pub fn load_csv(path: &Path) -> Result<Self> {
        let mut reader = csv::Reader::from_path(path)
            .map_err(|e| Error::file(path, format!("cannot open ({e}); check the path")))?;
        let headers = reader
            .headers()
            .map_err(|e| Error::file(path, format!("cannot read the header row ({e})")))?
            .clone();
        let keep: Vec<usize> = (0..headers.len())
            .filter(|&c| headers.get(c) != Some("label"))
            .collect();
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|e| {
                Error::file(
                    path,
                    format!("{e}; every row needs the header's {} fields", headers.len()),
                )
            })?;
            let row = keep
                .iter()
                .map(|&c| {
                    let cell = record.get(c).unwrap_or("");
                    cell.trim().parse::<f64>().map_err(|_| {
                        Error::file(
                            path,
                            format!(
                                "row {} column '{}' is '{cell}', not a number; the matrix columns must be numeric",
                                line + 2,
                                headers.get(c).unwrap_or("?")
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<f64>>>()?;
            rows.push(row);
        }
        let x = Mat::from_fn(rows.len(), keep.len(), |i, j| rows[i][j]);
        Self::with_truth(x, label("csv", path), None).map_err(|e| as_file_error(path, e))
    }

    /// Writes `X` (and the ground-truth factors `W1, H1, …` with `H_k` of shape `r × n`, if
    /// known) plus `extra` entries (e.g. the spec as text) as an `.npz` that `np.load` reads:
    /// `d = np.load(f); X = d["X"]; W1, H1 = d["W1"], d["H1"]`.
    pub fn export_npz(&self, path: &Path, extra: &[(&str, Entry<'_>)]) -> Result<()> {
        let names: Vec<(String, String)> = (1..=self.truth().map_or(0, |t| t.k()))
            .map(|k| (format!("W{k}"), format!("H{k}")))
            .collect();
        let mut entries: Vec<(&str, Entry<'_>)> = vec![("X", Entry::Matrix(self.x()))];
        if let Some(t) = self.truth() {
            for (k, (w, h)) in names.iter().enumerate() {
                entries.push((w, Entry::Matrix(t.w(k))));
                entries.push((h, Entry::Matrix(t.h(k))));
            }
        }
        for (name, e) in extra {
            let e = match e {
                Entry::Matrix(m) => Entry::Matrix(*m),
                Entry::Vector(v) => Entry::Vector(v),
                Entry::Scalar(s) => Entry::Scalar(*s),
                Entry::U64(u) => Entry::U64(*u),
                Entry::Text(t) => Entry::Text(t),
            };
            entries.push((name, e));
        }
        npy::write_npz(path, &entries)
    }
}

/// `W<k>` / `H<k>` with `k ≥ 1`.
fn is_factor_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('W' | 'H'))
        && name.len() > 1
        && name[1..].chars().all(|c| c.is_ascii_digit())
}

/// The only 2-D float64 array of an archive without `X` (factor arrays excluded).
fn only_matrix(npz: &mut Npz, names: &[String], path: &Path) -> Result<String> {
    let mut matrices = Vec::new();
    for name in names.iter().filter(|n| !is_factor_name(n)) {
        if let Ok(a) = npz.array(name) {
            if a.shape.len() == 2 {
                matrices.push(name.clone());
            }
        }
    }
    match matrices.len() {
        1 => Ok(matrices.remove(0)),
        0 => Err(Error::file(
            path,
            format!(
                "has no array 'X' and no 2-D float64 array (it holds: {}); save the matrix as X with dtype float64",
                names.join(", ")
            ),
        )),
        _ => Err(Error::file(
            path,
            format!(
                "has no array 'X' but several 2-D arrays ({}); name the matrix to decompose X",
                matrices.join(", ")
            ),
        )),
    }
}

/// Reads the factor pairs `W1, H1, …` if present and checks every shape against `X`.
fn read_factors(
    npz: &mut Npz,
    names: &[String],
    path: &Path,
    (m, n): (usize, usize),
) -> Result<Option<HadamardFactors>> {
    if !names.iter().any(|n| is_factor_name(n)) {
        return Ok(None);
    }
    let mut pairs = Vec::new();
    let mut rank = None;
    for k in 1..=MAX_FACTORS + 1 {
        let (wn, hn) = (format!("W{k}"), format!("H{k}"));
        match (npz.has(&wn), npz.has(&hn)) {
            (false, false) => break,
            (true, false) | (false, true) => {
                let (has, missing) = if npz.has(&wn) { (&wn, &hn) } else { (&hn, &wn) };
                return Err(Error::file(
                    path,
                    format!("has factor {has} but no {missing}; store factors in pairs W_k (m × r), H_k (r × n)"),
                ));
            }
            (true, true) => {}
        }
        let w = npz.matrix(&wn)?;
        let h = npz.matrix(&hn)?;
        let r = *rank.get_or_insert(w.ncols());
        let mismatch = |what: String| {
            Error::file(path, format!("{what}; X is {m} × {n}, so every W_k must be {m} × r and every H_k r × {n} with one rank r"))
        };
        if w.nrows() != m || w.ncols() != r {
            return Err(mismatch(format!(
                "{wn} has shape {} × {}",
                w.nrows(),
                w.ncols()
            )));
        }
        if h.nrows() != r || h.ncols() != n {
            return Err(mismatch(format!(
                "{hn} has shape {} × {} (W1 has rank {r})",
                h.nrows(),
                h.ncols()
            )));
        }
        pairs.push((w, h));
    }
    HadamardFactors::from_pairs(pairs)
        .map(Some)
        .map_err(|e| as_file_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HadamardSpec;
    use ratebench_core::rng::SeedPath;
    use std::path::PathBuf;

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> Self {
            let d = std::env::temp_dir().join(format!("ratebench-hd-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&d).unwrap();
            Self(d)
        }
        fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            std::fs::remove_dir_all(&self.0).ok();
        }
    }

    fn one_line(e: Error) -> String {
        let s = e.to_string();
        assert!(!s.contains('\n'), "{s}");
        s
    }

    fn data_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
    }

    #[test]
    fn export_then_load_round_trips_x_and_factors() {
        let dir = TempDir::new("rt");
        let p = HadamardProblem::generate(
            &HadamardSpec::default(),
            &mut SeedPath::new(0).stream("data"),
        )
        .unwrap();
        let f = dir.path("x.npz");
        p.export_npz(&f, &[("spec", Entry::Text("{}")), ("seed", Entry::U64(7))])
            .unwrap();
        let q = HadamardProblem::load(&f).unwrap();
        assert_eq!(q.x(), p.x());
        assert_eq!(q.truth(), p.truth());
        assert_eq!(q.label(), "npz:x.npz");
    }

    #[test]
    fn npz_without_x_takes_its_only_matrix_and_rejects_ambiguity() {
        let dir = TempDir::new("only");
        let a = Mat::<f64>::from_fn(3, 4, |i, j| (i + j) as f64 + 1.0);
        let f = dir.path("a.npz");
        npy::write_npz(
            &f,
            &[
                ("M", Entry::Matrix(a.as_ref())),
                ("v", Entry::Vector(&[1.0])),
            ],
        )
        .unwrap();
        assert_eq!(HadamardProblem::load_npz(&f).unwrap().x(), a.as_ref());
        npy::write_npz(
            &f,
            &[
                ("A", Entry::Matrix(a.as_ref())),
                ("B", Entry::Matrix(a.as_ref())),
            ],
        )
        .unwrap();
        let e = one_line(HadamardProblem::load_npz(&f).unwrap_err());
        assert!(
            e.contains("several 2-D arrays (A, B)") && e.contains("X"),
            "{e}"
        );
        npy::write_npz(&f, &[("v", Entry::Vector(&[1.0])), ("s", Entry::Text("x"))]).unwrap();
        let e = one_line(HadamardProblem::load_npz(&f).unwrap_err());
        assert!(
            e.contains("no 2-D float64 array") && e.contains("s, v"),
            "{e}"
        );
    }

    #[test]
    fn npz_shape_mismatch_and_missing_arrays_are_named() {
        let dir = TempDir::new("mismatch");
        let x = Mat::<f64>::from_fn(4, 5, |i, j| (i * j) as f64 + 1.0);
        let w = Mat::<f64>::zeros(4, 2);
        let h = Mat::<f64>::zeros(2, 5);
        let h_bad = Mat::<f64>::zeros(3, 5);
        let w_bad = Mat::<f64>::zeros(6, 2);
        let f = dir.path("m.npz");
        let write = |e: &[(&str, Entry<'_>)]| npy::write_npz(&f, e).unwrap();
        fn m(a: &Mat<f64>) -> Entry<'_> {
            Entry::Matrix(a.as_ref())
        }
        write(&[
            ("X", m(&x)),
            ("W1", m(&w)),
            ("H1", m(&h)),
            ("W2", m(&w)),
            ("H2", m(&h_bad)),
        ]);
        let e = one_line(HadamardProblem::load_npz(&f).unwrap_err());
        assert!(
            e.contains("H2 has shape 3 × 5") && e.contains("X is 4 × 5"),
            "{e}"
        );
        write(&[
            ("X", m(&x)),
            ("W1", m(&w_bad)),
            ("H1", m(&h)),
            ("W2", m(&w)),
            ("H2", m(&h)),
        ]);
        let e = one_line(HadamardProblem::load_npz(&f).unwrap_err());
        assert!(e.contains("W1 has shape 6 × 2"), "{e}");
        write(&[("X", m(&x)), ("W1", m(&w)), ("H1", m(&h)), ("W2", m(&w))]);
        let e = one_line(HadamardProblem::load_npz(&f).unwrap_err());
        assert!(e.contains("has factor W2 but no H2"), "{e}");
        write(&[("X", Entry::Vector(&[1.0, 2.0]))]);
        let e = one_line(HadamardProblem::load_npz(&f).unwrap_err());
        assert!(e.contains("expected a 2-D matrix"), "{e}");
    }

    #[test]
    fn npy_must_be_2d_float64_finite_and_nonzero() {
        let dir = TempDir::new("npy");
        let f = dir.path("z.npy");
        npy::write_npy_matrix(&f, Mat::<f64>::zeros(3, 3).as_ref()).unwrap();
        let e = one_line(HadamardProblem::load(&f).unwrap_err());
        assert!(e.contains("z.npy") && e.contains("all zeros"), "{e}");
        // A 1-D array.
        let g = dir.path("v.npz");
        npy::write_npz(&g, &[("X", Entry::Vector(&[1.0]))]).unwrap();
        let e = one_line(HadamardProblem::load(&g).unwrap_err());
        assert!(e.contains("2-D"), "{e}");
        // Not float64 (uint8 text stored as X).
        npy::write_npz(&g, &[("X", Entry::Text("abc"))]).unwrap();
        let e = one_line(HadamardProblem::load(&g).unwrap_err());
        assert!(e.contains("expected float64"), "{e}");
        let e = one_line(HadamardProblem::load(&dir.path("x.txt")).unwrap_err());
        assert!(e.contains("unknown file type"), "{e}");
    }

    #[test]
    fn csv_drops_the_label_and_names_bad_cells() {
        let dir = TempDir::new("csv");
        let f = dir.path("d.csv");
        std::fs::write(&f, "a,b,label\n1,2,7\n3,4.5,8\n").unwrap();
        let p = HadamardProblem::load(&f).unwrap();
        assert_eq!(
            p.x(),
            Mat::from_fn(2, 2, |i, j| [[1.0, 2.0], [3.0, 4.5]][i][j]).as_ref()
        );
        std::fs::write(&f, "a,b,label\n1,x,7\n").unwrap();
        let e = one_line(HadamardProblem::load(&f).unwrap_err());
        assert!(e.contains("row 2 column 'b' is 'x'"), "{e}");
        std::fs::write(&f, "a,b\n1,nan\n").unwrap();
        let e = one_line(HadamardProblem::load(&f).unwrap_err());
        assert!(e.contains("(0, 1)") && e.contains("finite"), "{e}");
    }

    #[test]
    fn shared_data_files_load_with_their_documented_shapes() {
        let dir = data_dir();
        if !dir.join("digits.csv").exists() {
            eprintln!("skipped: {} not found", dir.display());
            return;
        }
        let d = HadamardProblem::load(&dir.join("digits.csv")).unwrap();
        assert_eq!(d.shape(), (1797, 64));
        assert_eq!(d.x()[(0, 2)], 5.0);
        for name in ["china_gray.npy", "flower_gray.npy"] {
            let p = HadamardProblem::load(&dir.join(name)).unwrap();
            assert_eq!(p.shape(), (427, 640));
            assert!(p.x().norm_max() <= 1.0);
        }
    }
}
