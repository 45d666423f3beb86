//! Matrices a run produced (artifacts, e.g. a reconstructed photo) drawn as grayscale images
//! side by side, each with its label, into one PNG.

use crate::figures::ensure_font;
use plotters::prelude::*;
use ratebench_core::{Error, Result};
use ratebench_harness::results::ArtifactEntry;
use std::path::{Path, PathBuf};

/// Widest figure, in pixels; larger matrices are shown downsampled.
const MAX_WIDTH: u32 = 1800;
const CAPTION: u32 = 28;
const GAP: u32 = 8;

/// Draws the panel's matrices on one gray scale (the range of the first, usually the data),
/// left to right, and writes `<dir>/<name>.png`.
pub(crate) fn render_panel(
    results_dir: &Path,
    entries: &[ArtifactEntry],
    title: &str,
    dir: &Path,
    name: &str,
) -> Result<PathBuf> {
    ensure_font();
    let mats = entries
        .iter()
        .map(|e| ratebench_core::npy::read_matrix(&results_dir.join(&e.file)))
        .collect::<Result<Vec<_>>>()?;
    let (rows, cols) = mats
        .iter()
        .fold((0, 0), |(r, c), m| (r.max(m.nrows()), c.max(m.ncols())));
    let n = mats.len().max(1) as u32;
    let scale = ((MAX_WIDTH - GAP * (n - 1)) as f64 / (n as f64 * cols.max(1) as f64)).min(2.0);
    let (w, h) = (
        (cols as f64 * scale).ceil() as u32,
        (rows as f64 * scale).ceil() as u32,
    );
    let size = (n * w + GAP * (n - 1), h + 2 * CAPTION);
    let (lo, hi) = mats
        .first()
        .map(|m| {
            (0..m.ncols())
                .flat_map(|j| (0..m.nrows()).map(move |i| (i, j)))
                .map(|ij| m[ij])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                })
        })
        .unwrap_or((0.0, 1.0));
    let span = if hi > lo { hi - lo } else { 1.0 };
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
    let path = dir.join(format!("{name}.png"));
    let tmp = dir.join(format!("{name}.partial.png"));
    {
        let root = BitMapBackend::new(&tmp, size).into_drawing_area();
        let err = |e: DrawingAreaErrorKind<_>| Error::file(&path, format!("cannot draw ({e})"));
        root.fill(&WHITE).map_err(err)?;
        root.draw_text(title, &("sans-serif", 18).into_font().color(&BLACK), (4, 4))
            .map_err(err)?;
        for (k, (m, e)) in mats.iter().zip(entries).enumerate() {
            let x0 = k as u32 * (w + GAP);
            for py in 0..h {
                for px in 0..w {
                    let i = ((py as f64 / scale) as usize).min(m.nrows().saturating_sub(1));
                    let j = ((px as f64 / scale) as usize).min(m.ncols().saturating_sub(1));
                    if m.nrows() == 0 || m.ncols() == 0 {
                        continue;
                    }
                    let g = (((m[(i, j)] - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
                    root.draw_pixel(
                        ((x0 + px) as i32, (CAPTION + py) as i32),
                        &RGBColor(g, g, g),
                    )
                    .map_err(err)?;
                }
            }
            root.draw_text(
                &e.label,
                &("sans-serif", 15).into_font().color(&BLACK),
                (x0 as i32 + 2, (CAPTION + h + 6) as i32),
            )
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    std::fs::rename(&tmp, &path)
        .map_err(|e| Error::file(&path, format!("cannot replace ({e})")))?;
    Ok(path)
}
