//! A user's instance, held the way POT users hold one: an `.npz` (`np.savez(f, a=a, b=b,
//! C=C)`) or a directory of `.npy` files (`a.npy`, `b.npy`, `C.npy`). The cost may also be
//! called `M` (POT's name). Arrays must be float64; `a`, `b` 1-D; the cost 2-D.

use crate::generate::Parts;
use crate::problem::check_matrix_memory;
use crate::OtProblem;
use ratebench_core::npy::{self, Array, Npz};
use ratebench_core::{memory, Error, Result};
use std::path::{Path, PathBuf};

/// The accepted names of the cost array, in order of preference.
pub const COST_NAMES: [&str; 2] = ["C", "M"];

/// Reads `a`, `b` and `C` (or `M`) from an `.npz` file or a directory of `.npy` files.
pub fn load_parts(path: &Path) -> Result<Parts> {
    if path.is_dir() {
        load_dir(path)
    } else if path.exists() {
        load_npz(path)
    } else {
        Err(Error::file(
            path,
            "does not exist; give an .npz with arrays a, b, C (or M), or a directory with a.npy, b.npy, C.npy",
        ))
    }
}

fn load_npz(path: &Path) -> Result<Parts> {
    let mut npz = Npz::open(path)?;
    let cost_name = pick_cost_name(path, |n| npz.has(n))?;
    let a = npz.vector("a")?;
    let b = npz.vector("b")?;
    let cost = npz.array(cost_name)?;
    to_parts(a, b, cost)
}

fn load_dir(dir: &Path) -> Result<Parts> {
    let file = |name: &str| dir.join(format!("{name}.npy"));
    let cost_name = pick_cost_name(dir, |n| file(n).exists())?;
    let read_vec = |name: &str| -> Result<Vec<f64>> {
        let p = file(name);
        if !p.exists() {
            return Err(Error::file(
                dir,
                format!("has no {name}.npy; expected a.npy, b.npy and C.npy (or M.npy)"),
            ));
        }
        npy::read_npy(&p)?.into_vector()
    };
    let a = read_vec("a")?;
    let b = read_vec("b")?;
    let cost_path: PathBuf = file(cost_name);
    // The file size bounds the matrix size: refuse before reading a huge file.
    let bytes = std::fs::metadata(&cost_path).map(|m| m.len()).unwrap_or(0);
    memory::check(
        "C",
        &format!("{}", cost_path.display()),
        bytes.saturating_mul(2),
    )?;
    to_parts(a, b, npy::read_npy(&cost_path)?)
}

/// `C` if present, else `M`; both present is ambiguous.
fn pick_cost_name(origin: &Path, has: impl Fn(&str) -> bool) -> Result<&'static str> {
    match (has(COST_NAMES[0]), has(COST_NAMES[1])) {
        (true, false) => Ok(COST_NAMES[0]),
        (false, true) => Ok(COST_NAMES[1]),
        (true, true) => Err(Error::file(
            origin,
            "holds both a cost 'C' and a cost 'M'; keep one of them",
        )),
        (false, false) => Err(Error::file(
            origin,
            "has no cost array: expected 'C' (or POT's name 'M') next to 'a' and 'b'",
        )),
    }
}

fn to_parts(a: Vec<f64>, b: Vec<f64>, cost: Array) -> Result<Parts> {
    if let [n, m] = cost.shape[..] {
        check_matrix_memory("C", "the cost matrix", n, m)?;
    }
    Ok(Parts {
        a,
        b,
        cost: cost.into_matrix()?,
    })
}

impl OtProblem {
    /// Writes the instance as an `.npz` with arrays `a`, `b`, `C` (float64), the scalar
    /// `eta` and, if given, the spec as text (`bytes(d["spec"]).decode()` in NumPy), so that
    /// the same instance runs in POT: `d = np.load(f); ot.sinkhorn(d["a"], d["b"], d["C"],
    /// reg=1/d["eta"])`. [`load_parts`] reads it back unchanged.
    pub fn save_npz(&self, path: &Path, spec: Option<&str>) -> Result<()> {
        use ratebench_core::npy::{write_npz, Entry};
        let mut entries = vec![
            ("a", Entry::Vector(self.a())),
            ("b", Entry::Vector(self.b())),
            ("C", Entry::Matrix(self.cost().as_ref())),
            ("eta", Entry::Scalar(self.eta())),
        ];
        if let Some(text) = spec {
            entries.push(("spec", Entry::Text(text)));
        }
        write_npz(path, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;
    use ratebench_core::npy::{write_npy_matrix, write_npz, Entry};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("ratebench-ot-load-{}", std::process::id()))
            .join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn npz_with_pot_cost_name_loads() {
        let p = dir("pot").join("inst.npz");
        let c = Mat::from_fn(2, 3, |i, j| (i + j) as f64);
        write_npz(
            &p,
            &[
                ("a", Entry::Vector(&[0.5, 0.5])),
                ("b", Entry::Vector(&[0.2, 0.3, 0.5])),
                ("M", Entry::Matrix(c.as_ref())),
            ],
        )
        .unwrap();
        let parts = load_parts(&p).unwrap();
        assert_eq!(parts.cost, c);
        assert_eq!(parts.b, vec![0.2, 0.3, 0.5]);
    }

    #[test]
    fn missing_arrays_are_named() {
        let p = dir("missing").join("inst.npz");
        let c = Mat::<f64>::zeros(2, 2);
        write_npz(
            &p,
            &[
                ("a", Entry::Vector(&[0.5, 0.5])),
                ("C", Entry::Matrix(c.as_ref())),
            ],
        )
        .unwrap();
        let e = load_parts(&p).unwrap_err().to_string();
        assert!(e.contains("has no array 'b'"), "{e}");
        write_npz(
            &p,
            &[
                ("a", Entry::Vector(&[0.5, 0.5])),
                ("b", Entry::Vector(&[0.5, 0.5])),
            ],
        )
        .unwrap();
        let e = load_parts(&p).unwrap_err().to_string();
        assert!(
            e.contains("has no cost array: expected 'C' (or POT's name 'M')"),
            "{e}"
        );
        let d = dir("dir_missing");
        write_npy_matrix(&d.join("C.npy"), c.as_ref()).unwrap();
        let e = load_parts(&d).unwrap_err().to_string();
        assert!(e.contains("has no a.npy"), "{e}");
        let e = load_parts(&d.join("nope.npz")).unwrap_err().to_string();
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn wrong_dtype_or_rank_is_refused() {
        let p = dir("dtype").join("inst.npz");
        let c = Mat::<f64>::zeros(2, 2);
        write_npz(
            &p,
            &[
                ("a", Entry::Text("ab")),
                ("b", Entry::Vector(&[0.5, 0.5])),
                ("C", Entry::Matrix(c.as_ref())),
            ],
        )
        .unwrap();
        let e = load_parts(&p).unwrap_err().to_string();
        assert!(e.contains(":a") && e.contains("expected float64"), "{e}");
        write_npz(
            &p,
            &[
                ("a", Entry::Matrix(c.as_ref())),
                ("b", Entry::Vector(&[0.5, 0.5])),
                ("C", Entry::Matrix(c.as_ref())),
            ],
        )
        .unwrap();
        let e = load_parts(&p).unwrap_err().to_string();
        assert!(e.contains("expected a 1-D vector"), "{e}");
        write_npz(
            &p,
            &[
                ("a", Entry::Vector(&[0.5, 0.5])),
                ("b", Entry::Vector(&[0.5, 0.5])),
                ("C", Entry::Vector(&[1.0, 2.0])),
            ],
        )
        .unwrap();
        let e = load_parts(&p).unwrap_err().to_string();
        assert!(
            e.contains(":C") && e.contains("expected a 2-D matrix"),
            "{e}"
        );
    }

    #[test]
    fn saved_instance_loads_back_unchanged() {
        let p = dir("save").join("inst.npz");
        let c = Mat::from_fn(3, 2, |i, j| (i as f64 - j as f64).powi(2) / 4.0);
        let prob = OtProblem::new(
            vec![0.2, 0.3, 0.5],
            vec![0.6, 0.4],
            c,
            crate::Regularization::Epsilon(0.1),
            &Default::default(),
            "t",
        )
        .unwrap();
        prob.save_npz(&p, Some("{\"eta\":10}")).unwrap();
        let parts = load_parts(&p).unwrap();
        assert_eq!(
            (parts.a.as_slice(), parts.b.as_slice()),
            (prob.a(), prob.b())
        );
        assert_eq!(&parts.cost, prob.cost());
        let mut npz = Npz::open(&p).unwrap();
        assert_eq!(npz.array("eta").unwrap().data, vec![10.0]);
    }

    #[test]
    fn directory_of_npy_files_loads() {
        let d = dir("npydir");
        let c = Mat::from_fn(2, 2, |i, j| (2 * i + j) as f64);
        write_npy_matrix(&d.join("C.npy"), c.as_ref()).unwrap();
        let v = Mat::from_fn(1, 2, |_, _| 0.5);
        write_npy_matrix(&d.join("a.npy"), v.as_ref()).unwrap();
        write_npy_matrix(&d.join("b.npy"), v.as_ref()).unwrap();
        let parts = load_parts(&d).unwrap();
        assert_eq!(parts.cost, c);
        assert_eq!(parts.a, vec![0.5, 0.5]);
    }
}
