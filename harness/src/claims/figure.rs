//! Building claim figures: curves from traces, thinned for `claims.json`.

use crate::results::{Figure, Series, SeriesStyle};
use ratebench_core::Trace;

/// `(t, e)` points of a trace's metric for a figure: non-positive values dropped (log
/// axes) and thinned to a few hundred points so `claims.json` stays small.
pub fn curve(trace: &Trace, metric: &str) -> Vec<(f64, f64)> {
    let pts: Vec<(f64, f64)> = trace
        .series(metric)
        .into_iter()
        .filter(|(_, v)| *v > 0.0 && v.is_finite())
        .map(|(t, v)| (t as f64, v))
        .collect();
    thin(pts, 300)
}

/// Keeps about `max` points: a uniform stride (linear axes) united with geometrically
/// spaced indices (log axes), always including the first and last point.
pub fn thin(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    let n = points.len();
    if n <= max {
        return points;
    }
    let stride = n.div_ceil(max / 2);
    let mut keep = vec![false; n];
    for i in (0..n).step_by(stride) {
        keep[i] = true;
    }
    let mut g = 1.0f64;
    while (g as usize) < n {
        keep[g as usize] = true;
        g = (g * 1.05).max(g + 1.0);
    }
    keep[0] = true;
    keep[n - 1] = true;
    points
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| p)
        .collect()
}

/// A solid series.
pub fn line(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
    Series {
        label: label.into(),
        style: SeriesStyle::Line,
        points,
    }
}

/// A dashed series (fitted or predicted law).
pub fn dashed(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
    Series {
        label: label.into(),
        style: SeriesStyle::Dashed,
        points,
    }
}

/// A figure with a log y axis.
pub fn log_figure(title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Figure {
    Figure {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        log_x: false,
        log_y: true,
        series,
    }
}
