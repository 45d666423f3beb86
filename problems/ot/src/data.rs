//! Instances from the bundled real data: digit images (`digits.csv`) and grayscale photos
//! (`*_gray.npy`). Loaders take resolved paths; finding the data directory is the caller's
//! job.

use crate::generate::{grid_cost, Parts};
use ratebench_core::{npy, Error, Result};
use std::path::Path;

/// Pixels per digit image (8 × 8).
pub const DIGIT_PIXELS: usize = 64;

/// The digit images of a `digits.csv` (header row, then 64 pixel columns and a label per row).
#[derive(Clone, Debug)]
pub struct Digits {
    /// Pixel intensities (0..16), row-major 8 × 8.
    pub images: Vec<[f64; DIGIT_PIXELS]>,
    pub labels: Vec<u32>,
}

/// Reads `digits.csv`. Errors name the file, the line and the fix.
pub fn load_digits(path: &Path) -> Result<Digits> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| Error::file(path, format!("cannot read ({e}); check the path")))?;
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for (k, record) in reader.records().enumerate() {
        let line = k + 2;
        let record = record.map_err(|e| Error::file(path, format!("line {line}: {e}")))?;
        if record.len() != DIGIT_PIXELS + 1 {
            return Err(Error::file(
                path,
                format!(
                    "line {line} has {} columns, expected 65 (px0..px63, label)",
                    record.len()
                ),
            ));
        }
        let mut img = [0.0; DIGIT_PIXELS];
        for (p, field) in record.iter().take(DIGIT_PIXELS).enumerate() {
            let v: f64 = field.trim().parse().map_err(|_| {
                Error::file(
                    path,
                    format!("line {line}, column px{p}: '{field}' is not a number"),
                )
            })?;
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::file(
                    path,
                    format!("line {line}, column px{p}: intensity {v} must be finite and >= 0"),
                ));
            }
            img[p] = v;
        }
        let label = record[DIGIT_PIXELS].trim().parse().map_err(|_| {
            Error::file(
                path,
                format!(
                    "line {line}: label '{}' is not an integer",
                    &record[DIGIT_PIXELS]
                ),
            )
        })?;
        images.push(img);
        labels.push(label);
    }
    if images.is_empty() {
        return Err(Error::file(path, "holds no images (only a header?)"));
    }
    Ok(Digits { images, labels })
}

/// Two digit images as 8 × 8 histograms with the grid's normalized squared distance.
/// Images are unnormalized intensities: `a`, `b` come back proportional to them (the problem
/// constructor normalizes with `normalize = true`). Digits have zero pixels: build the problem
/// with `zero_mass = "drop"` or a floor.
pub fn digits_pair(path: &Path, first: usize, second: usize) -> Result<Parts> {
    let digits = load_digits(path)?;
    let count = digits.images.len();
    for (param, idx) in [("first", first), ("second", second)] {
        if idx >= count {
            return Err(Error::invalid(
                param,
                format!(
                    "image index {idx} is out of range; {} holds {count} images (0..{})",
                    path.display(),
                    count - 1
                ),
            ));
        }
    }
    Ok(Parts {
        a: digits.images[first].to_vec(),
        b: digits.images[second].to_vec(),
        cost: grid_cost(8, 8)?,
    })
}

/// A grayscale photo (`*_gray.npy`, 2-D float64, values >= 0) block-averaged to
/// `rows × cols` and returned row-major (pixel `k` = row `k / cols`, column `k % cols`),
/// unnormalized. Block `(r, c)` covers source rows `⌊rH/rows⌋ .. ⌊(r+1)H/rows⌋` (likewise for
/// columns), so every source pixel belongs to exactly one block.
pub fn photo_density(path: &Path, rows: usize, cols: usize) -> Result<Vec<f64>> {
    let arr = npy::read_npy(path)?;
    let [h, w] = arr.shape[..] else {
        return Err(Error::file(
            path,
            format!("has shape {:?}; expected a 2-D grayscale image", arr.shape),
        ));
    };
    arr.check_finite()?;
    if let Some(p) = arr.data.iter().position(|&v| v < 0.0) {
        return Err(Error::file(
            path,
            format!(
                "pixel ({}, {}) is {}; a density needs values >= 0",
                p / w,
                p % w,
                arr.data[p]
            ),
        ));
    }
    for (param, want, have) in [("rows", rows, h), ("cols", cols, w)] {
        if want == 0 || want > have {
            return Err(Error::invalid(
                param,
                format!("must be between 1 and the image's {have} {param}, got {want}"),
            ));
        }
    }
    let edges = |k: usize, parts: usize, len: usize| (k * len / parts, (k + 1) * len / parts);
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        let (r0, r1) = edges(r, rows, h);
        for c in 0..cols {
            let (c0, c1) = edges(c, cols, w);
            let mut s = 0.0;
            for i in r0..r1 {
                s += arr.data[i * w + c0..i * w + c1].iter().sum::<f64>();
            }
            out.push(s / ((r1 - r0) * (c1 - c0)) as f64);
        }
    }
    Ok(out)
}

/// A downsampled photo as `a`; `b` is a second photo at the same resolution, or uniform.
/// Cost: the grid's squared distance normalized by its max.
pub fn photo_pair(path: &Path, second: Option<&Path>, rows: usize, cols: usize) -> Result<Parts> {
    let cost = grid_cost(rows, cols)?;
    let a = photo_density(path, rows, cols)?;
    let b = match second {
        Some(p) => photo_density(p, rows, cols)?,
        None => crate::generate::uniform_histogram(rows * cols),
    };
    Ok(Parts { a, b, cost })
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("ratebench-ot-data-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d.join(name)
    }

    #[test]
    fn digits_file_errors_name_the_line() {
        let p = tmp("bad_digits.csv");
        let header: Vec<String> = (0..64)
            .map(|i| format!("px{i}"))
            .chain(["label".into()])
            .collect();
        let mut row: Vec<String> = (0..64).map(|_| "1".into()).collect();
        row.push("3".into());
        let good = format!("{}\n{}\n", header.join(","), row.join(","));
        std::fs::write(&p, &good).unwrap();
        let d = load_digits(&p).unwrap();
        assert_eq!((d.images.len(), d.labels[0]), (1, 3));
        let e = digits_pair(&p, 0, 1).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid second: image index 1 is out of range"),
            "{e}"
        );
        row[5] = "x".into();
        std::fs::write(&p, format!("{}\n{}\n", header.join(","), row.join(","))).unwrap();
        let e = load_digits(&p).unwrap_err().to_string();
        assert!(e.contains("line 2, column px5: 'x' is not a number"), "{e}");
    }

    #[test]
    fn photo_is_block_averaged() {
        let p = tmp("photo.npy");
        let img = Mat::from_fn(4, 6, |i, j| (i * 6 + j) as f64);
        npy::write_npy_matrix(&p, img.as_ref()).unwrap();
        let d = photo_density(&p, 2, 3).unwrap();
        // Block (0, 0) = rows 0..2, cols 0..2: (0 + 1 + 6 + 7)/4.
        assert_eq!(d[0], 3.5);
        assert_eq!(d.len(), 6);
        let e = photo_density(&p, 5, 3).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid rows: must be between 1 and the image's 4 rows"),
            "{e}"
        );
    }
}
