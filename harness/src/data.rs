//! Finding data files at run time (never through a compile-time path).
//!
//! A file name is looked up in, in order: `--data-dir`, `$RATEBENCH_DATA`, `./data`,
//! `./../shared/data` (a checkout's sibling `shared/`, where CI puts it), and
//! `<repo>/../shared/data` where `<repo>` is found from the running binary's location
//! (`<repo>/target/<profile>/ratebench`). Absolute or explicitly relative paths (a user's own
//! file) are used as given.

use ratebench_core::{Error, Result};
use std::path::{Path, PathBuf};

/// The directories searched for data files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataDirs {
    /// `--data-dir`, searched first.
    pub explicit: Option<PathBuf>,
}

/// Attribution that a bundled dataset's licence requires wherever results derived from it
/// are shown (from `../shared/data/README.md`).
pub fn attribution(file: &str) -> Option<&'static str> {
    let name = Path::new(file).file_name()?.to_str()?;
    Some(match name {
        "china_gray.npy" => {
            "Photo “china.jpg” by danielbuechele on Flickr, CC BY 2.0 (https://creativecommons.org/licenses/by/2.0/), as shipped by scikit-learn; converted to grayscale"
        }
        "flower_gray.npy" => {
            "Photo “flower.jpg” by vultilion on Flickr, CC BY 2.0 (https://creativecommons.org/licenses/by/2.0/), as shipped by scikit-learn; converted to grayscale"
        }
        "digits.csv" => {
            "UCI Optical Recognition of Handwritten Digits (Alpaydin & Kaynak 1998), CC BY 4.0, as shipped by scikit-learn"
        }
        "diabetes.csv" => {
            "Diabetes data of Efron, Hastie, Johnstone, Tibshirani (2004), as shipped by scikit-learn (BSD-3-Clause)"
        }
        _ => return None,
    })
}

impl DataDirs {
    /// The candidate directories, in search order.
    pub fn candidates(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        out.extend(self.explicit.clone());
        if let Some(env) = std::env::var_os("RATEBENCH_DATA").filter(|v| !v.is_empty()) {
            out.push(PathBuf::from(env));
        }
        // A file the user names in the working directory is theirs: found before the
        // bundled data directories.
        out.push(PathBuf::from("."));
        out.push(PathBuf::from("data"));
        out.push(PathBuf::from("../shared/data"));
        if let Some(repo) = repo_from_binary() {
            out.push(repo.join("../shared/data"));
        }
        out
    }

    /// The path of a data file: `name` itself when it has a directory part, else the first
    /// candidate directory holding it. The error lists every path tried.
    pub fn resolve(&self, name: &str) -> Result<PathBuf> {
        let given = Path::new(name);
        if given.is_absolute() || given.components().count() > 1 {
            return if given.exists() {
                Ok(given.to_path_buf())
            } else {
                Err(Error::file(given, "does not exist; check the path"))
            };
        }
        let tried: Vec<PathBuf> = self
            .candidates()
            .into_iter()
            .map(|d| d.join(name))
            .collect();
        tried.iter().find(|p| p.exists()).cloned().ok_or_else(|| {
            Error::file(
                given,
                format!(
                    "data file not found (tried {}); pass --data-dir DIR or set RATEBENCH_DATA",
                    tried
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }
}

/// `<repo>` for a binary at `<repo>/target/<profile>/<name>` (or `…/deps/<name>`).
fn repo_from_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "target"))
        .and_then(|t| t.parent())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_first_and_missing_files_list_the_paths() {
        let dir = std::env::temp_dir().join(format!("ratebench-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("x.npy"), b"").unwrap();
        let dirs = DataDirs {
            explicit: Some(dir.clone()),
        };
        assert_eq!(dirs.resolve("x.npy").unwrap(), dir.join("x.npy"));
        let e = dirs.resolve("nope.npy").unwrap_err().to_string();
        assert!(
            e.contains("not found") && e.contains(&dir.display().to_string()),
            "{e}"
        );
        assert!(e.contains("--data-dir"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
        assert!(attribution("../shared/data/china_gray.npy")
            .unwrap()
            .contains("CC BY 2.0"));
    }
}
