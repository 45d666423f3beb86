//! Instance specifications (serde, validated before anything is allocated).

use crate::generate::{self, Cloud, Parts};
use crate::marginals::{MarginalOptions, ZeroMass};
use crate::problem::matrix_bytes;
use crate::{data, load, OtProblem, Regularization};
use ratebench_core::error::check;
use ratebench_core::rng::Rng;
use ratebench_core::{memory, Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which instance to build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InstanceSpec {
    /// `C_ij` iid U[0, hi], uniform marginals (the catalogue's random-assignment instance at
    /// `hi = 1`; OT-1's control uses `hi = 2`). `m` defaults to `n`.
    RandomCost {
        n: usize,
        #[serde(default)]
        m: Option<usize>,
        #[serde(default = "one")]
        hi: f64,
    },
    /// Two point clouds in `[0, 1]^dim` with uniform weights and the squared Euclidean cost
    /// normalized by its max.
    PointClouds {
        n: usize,
        #[serde(default)]
        m: Option<usize>,
        #[serde(default = "two")]
        dim: usize,
        #[serde(default)]
        layout: CloudLayout,
        /// Gaussian mixture only: number of components.
        #[serde(default = "three")]
        components: usize,
        /// Gaussian mixture only: standard deviation of each component.
        #[serde(default = "spread")]
        spread: f64,
    },
    /// Two random Gaussian-mixture densities on a `side × side` grid with the grid's squared
    /// distance normalized by its max (`side` = 32 or 64 in the suites).
    Grid {
        side: usize,
        #[serde(default = "three")]
        components: usize,
    },
    /// Two images of `digits.csv` (rows `first`, `second`, 0-based after the header) as 8×8
    /// histograms. They contain zero pixels: set `zero_mass`.
    Digits {
        #[serde(default = "digits_file")]
        file: String,
        first: usize,
        second: usize,
    },
    /// A grayscale photo block-averaged to `rows × cols` as `a`; `b` is `second_file` at the
    /// same resolution, or uniform.
    Photo {
        #[serde(default = "photo_file")]
        file: String,
        #[serde(default)]
        second_file: Option<String>,
        rows: usize,
        cols: usize,
    },
    /// A user's instance: an `.npz` or a directory of `.npy` files with `a`, `b`, `C` (or `M`).
    File { path: String },
}

/// Point-cloud layouts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloudLayout {
    #[default]
    Uniform,
    GaussianMixture,
}

fn one() -> f64 {
    1.0
}
fn two() -> usize {
    2
}
fn three() -> usize {
    3
}
fn spread() -> f64 {
    0.05
}
fn digits_file() -> String {
    "digits.csv".into()
}
fn photo_file() -> String {
    "china_gray.npy".into()
}

/// A full instance spec: the instance, the regularization (`eta` or `epsilon`, exactly one)
/// and the marginal options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtSpec {
    pub instance: InstanceSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epsilon: Option<f64>,
    #[serde(default)]
    pub normalize: bool,
    #[serde(default)]
    pub zero_mass: ZeroMass,
}

impl Default for OtSpec {
    /// The catalogue's OT-1 instance at η = 100: n = 200, C iid U[0, 1].
    fn default() -> Self {
        Self {
            instance: InstanceSpec::RandomCost {
                n: 200,
                m: None,
                hi: 1.0,
            },
            eta: Some(100.0),
            epsilon: None,
            normalize: false,
            zero_mass: ZeroMass::Reject,
        }
    }
}

impl OtSpec {
    /// A spec for `instance` at `η`.
    pub fn new(instance: InstanceSpec, eta: f64) -> Self {
        Self {
            instance,
            eta: Some(eta),
            ..Self::default()
        }
    }

    /// The regularization (exactly one of `eta`, `epsilon`).
    pub fn regularization(&self) -> Result<Regularization> {
        Regularization::from_fields(self.eta, self.epsilon)
    }

    /// The spec with `eta` set and `epsilon` cleared: the form written to result files.
    pub fn canonical(&self) -> Result<Self> {
        let eta = self.regularization()?.eta();
        Ok(Self {
            eta: Some(eta),
            epsilon: None,
            ..self.clone()
        })
    }

    /// The marginal options.
    pub fn marginal_options(&self) -> MarginalOptions {
        MarginalOptions {
            normalize: self.normalize,
            zero_mass: self.zero_mass,
        }
    }

    /// `(n, m)` when known without reading a file.
    pub fn shape(&self) -> Option<(usize, usize)> {
        match self.instance {
            InstanceSpec::RandomCost { n, m, .. } | InstanceSpec::PointClouds { n, m, .. } => {
                Some((n, m.unwrap_or(n)))
            }
            InstanceSpec::Grid { side, .. } => Some((side * side, side * side)),
            InstanceSpec::Digits { .. } => Some((data::DIGIT_PIXELS, data::DIGIT_PIXELS)),
            InstanceSpec::Photo { rows, cols, .. } => Some((rows * cols, rows * cols)),
            InstanceSpec::File { .. } => None,
        }
    }

    /// Checks every parameter and the memory the cost matrix needs (before allocating).
    pub fn validate(&self) -> Result<()> {
        self.regularization()?;
        if let ZeroMass::Floor(f) = self.zero_mass {
            if !(f.is_finite() && f > 0.0 && f < 1.0) {
                return Err(Error::invalid(
                    "zero_mass.floor",
                    format!("must be a number in (0, 1), e.g. 1e-12, got {f}"),
                ));
            }
        }
        match &self.instance {
            InstanceSpec::RandomCost { n, m, hi } => {
                sizes(*n, *m)?;
                check::positive("hi", *hi)?;
            }
            InstanceSpec::PointClouds {
                n,
                m,
                dim,
                layout,
                components,
                spread,
            } => {
                sizes(*n, *m)?;
                check::in_range("dim", *dim, 1, 1000)?;
                if *layout == CloudLayout::GaussianMixture {
                    check::in_range("components", *components, 1, 1000)?;
                    check::positive("spread", *spread)?;
                }
            }
            InstanceSpec::Grid { side, components } => {
                check::in_range("side", *side, 2, 1 << 12)?;
                check::in_range("components", *components, 1, 100)?;
            }
            InstanceSpec::Digits { .. } => {}
            InstanceSpec::Photo { rows, cols, .. } => {
                check::in_range("rows", *rows, 1, 1 << 12)?;
                check::in_range("cols", *cols, 1, 1 << 12)?;
            }
            InstanceSpec::File { path } => {
                if path.is_empty() {
                    return Err(Error::invalid(
                        "path",
                        "is empty; give an .npz file or a directory of .npy files",
                    ));
                }
            }
        }
        if let Some((n, m)) = self.shape() {
            let param = match self.instance {
                InstanceSpec::Grid { .. } => "side",
                InstanceSpec::Photo { .. } => "rows",
                _ => "n",
            };
            memory::check(
                param,
                &format!("the cost matrix C ({n} × {m} doubles)"),
                matrix_bytes(n, m),
            )?;
        }
        Ok(())
    }

    /// Builds the instance. Random instances draw from `rng` (stream "data"); file-based ones
    /// resolve their file names with `resolve` (the caller's data-directory lookup; a user's
    /// `File` path is passed through it too).
    pub fn build(
        &self,
        rng: &mut Rng,
        resolve: &dyn Fn(&str) -> Result<PathBuf>,
    ) -> Result<OtProblem> {
        self.validate()?;
        let reg = self.regularization()?;
        let opts = self.marginal_options();
        let (parts, label, from_file) = self.parts(rng, resolve)?;
        let problem = OtProblem::new(parts.a, parts.b, parts.cost, reg, &opts, label);
        match (problem, from_file) {
            (Err(Error::InvalidInput { param, reason }), Some(path))
                if ["a", "b", "C"].contains(&param.as_str()) =>
            {
                Err(Error::file(path, format!("array '{param}' {reason}")))
            }
            (p, _) => p,
        }
    }

    fn parts(
        &self,
        rng: &mut Rng,
        resolve: &dyn Fn(&str) -> Result<PathBuf>,
    ) -> Result<(Parts, String, Option<PathBuf>)> {
        Ok(match &self.instance {
            InstanceSpec::RandomCost { n, m, hi } => {
                let m = m.unwrap_or(*n);
                (
                    generate::random_cost(*n, m, *hi, rng)?,
                    format!("random_cost,n={n},m={m},hi={hi}"),
                    None,
                )
            }
            InstanceSpec::PointClouds {
                n,
                m,
                dim,
                layout,
                components,
                spread,
            } => {
                let m = m.unwrap_or(*n);
                let cloud = match layout {
                    CloudLayout::Uniform => Cloud::Uniform,
                    CloudLayout::GaussianMixture => Cloud::GaussianMixture {
                        components: *components,
                        spread: *spread,
                    },
                };
                let label = format!("point_clouds,n={n},m={m},dim={dim},{layout:?}");
                (
                    generate::point_clouds(*n, m, *dim, cloud, rng)?,
                    label,
                    None,
                )
            }
            InstanceSpec::Grid { side, components } => (
                generate::grid_pair(*side, *components, rng)?,
                format!("grid,side={side}"),
                None,
            ),
            InstanceSpec::Digits {
                file,
                first,
                second,
            } => {
                let path = resolve(file)?;
                (
                    data::digits_pair(&path, *first, *second)?,
                    format!("digits,{first},{second}"),
                    None,
                )
            }
            InstanceSpec::Photo {
                file,
                second_file,
                rows,
                cols,
            } => {
                let path = resolve(file)?;
                let second = second_file.as_deref().map(resolve).transpose()?;
                let label = format!(
                    "photo,{file},{},{rows}x{cols}",
                    second_file.as_deref().unwrap_or("uniform")
                );
                (
                    data::photo_pair(&path, second.as_deref(), *rows, *cols)?,
                    label,
                    None,
                )
            }
            InstanceSpec::File { path } => {
                let p = resolve(path)?;
                let label = format!(
                    "file:{}",
                    p.file_name()
                        .map(|s| s.to_string_lossy())
                        .unwrap_or_default()
                );
                (load::load_parts(&p)?, label, Some(p))
            }
        })
    }
}

fn sizes(n: usize, m: Option<usize>) -> Result<()> {
    check::in_range("n", n, 1, usize::MAX)?;
    if let Some(m) = m {
        check::in_range("m", m, 1, usize::MAX)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebench_core::rng::SeedPath;

    fn no_files(name: &str) -> Result<PathBuf> {
        Err(Error::file(name, "not available in this test"))
    }

    #[test]
    fn toml_round_trip_accepts_eta_or_epsilon() {
        let s: OtSpec = toml::from_str(
            "epsilon = 0.01\n[instance]\nkind = \"point_clouds\"\nn = 50\nlayout = \"gaussian_mixture\"\n",
        )
        .unwrap();
        assert_eq!(s.regularization().unwrap().eta(), 100.0);
        let c = s.canonical().unwrap();
        assert_eq!((c.eta, c.epsilon), (Some(100.0), None));
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains("\"eta\":100.0") && !json.contains("epsilon"),
            "{json}"
        );
        let p = s
            .build(&mut SeedPath::new(0).stream("data"), &no_files)
            .unwrap();
        assert_eq!(p.shape(), (50, 50));
        let (lo, hi) = p.cost_range();
        assert!(lo >= 0.0 && hi == 1.0);
    }

    #[test]
    fn zero_mass_options_parse() {
        let s: OtSpec = toml::from_str(
            "eta = 10\nzero_mass = { floor = 1e-9 }\n[instance]\nkind = \"grid\"\nside = 4\n",
        )
        .unwrap();
        assert_eq!(s.zero_mass, ZeroMass::Floor(1e-9));
        let s: OtSpec = toml::from_str(
            "eta = 10\nzero_mass = \"drop\"\n[instance]\nkind = \"grid\"\nside = 4\n",
        )
        .unwrap();
        assert_eq!(s.zero_mass, ZeroMass::Drop);
        assert!(toml::from_str::<OtSpec>(
            "eta = 10\nbogus = 1\n[instance]\nkind = \"grid\"\nside = 4\n"
        )
        .is_err());
    }

    #[test]
    fn bad_specs_name_the_parameter() {
        let cases = [
            (
                OtSpec {
                    eta: Some(-1.0),
                    ..OtSpec::default()
                },
                "invalid eta",
            ),
            (
                OtSpec {
                    eta: None,
                    epsilon: Some(0.0),
                    ..OtSpec::default()
                },
                "invalid epsilon",
            ),
            (
                OtSpec::new(
                    InstanceSpec::RandomCost {
                        n: 0,
                        m: None,
                        hi: 1.0,
                    },
                    1.0,
                ),
                "invalid n",
            ),
            (
                OtSpec::new(
                    InstanceSpec::RandomCost {
                        n: 5,
                        m: None,
                        hi: 0.0,
                    },
                    1.0,
                ),
                "invalid hi",
            ),
            (
                OtSpec::new(
                    InstanceSpec::RandomCost {
                        n: 1 << 20,
                        m: None,
                        hi: 1.0,
                    },
                    1.0,
                ),
                "invalid n: the cost matrix",
            ),
            (
                OtSpec::new(
                    InstanceSpec::Grid {
                        side: 1024,
                        components: 3,
                    },
                    1.0,
                ),
                "invalid side: the cost matrix",
            ),
            (
                OtSpec {
                    zero_mass: ZeroMass::Floor(2.0),
                    ..OtSpec::default()
                },
                "invalid zero_mass.floor",
            ),
        ];
        for (spec, want) in cases {
            let e = spec.validate().unwrap_err().to_string();
            assert!(e.starts_with(want), "{e} (wanted {want})");
        }
    }

    #[test]
    fn file_instance_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("ratebench-ot-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("neg.npz");
        let c = faer::Mat::<f64>::zeros(2, 2);
        use ratebench_core::npy::{write_npz, Entry};
        write_npz(
            &p,
            &[
                ("a", Entry::Vector(&[1.5, -0.5])),
                ("b", Entry::Vector(&[0.5, 0.5])),
                ("C", Entry::Matrix(c.as_ref())),
            ],
        )
        .unwrap();
        let spec = OtSpec::new(
            InstanceSpec::File {
                path: p.display().to_string(),
            },
            10.0,
        );
        let resolve = |s: &str| -> Result<PathBuf> { Ok(PathBuf::from(s)) };
        let e = spec
            .build(&mut SeedPath::new(0).stream("data"), &resolve)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("neg.npz: array 'a' has 1 negative entries"),
            "{e}"
        );
    }
}
