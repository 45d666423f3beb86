//! A backend-neutral plot description and its rendering to SVG and PNG with plotters.
//!
//! Claim figures and suite figures are both converted to a [`Plot`] first, so that axis
//! ranges, log-axis filtering and styling live in one place.

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use ratebench_core::{Error, Result};
use ratebench_harness::results::write_atomic;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Pixel size of every figure (SVG and PNG alike, so both look the same).
pub(crate) const SIZE: (u32, u32) = (800, 500);

/// Tableau 10: distinguishable, colour-blind-tolerable, prints acceptably in grey.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The `i`-th palette colour (cycling).
pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// How a curve is drawn (mirrors the harness's `SeriesStyle`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Line,
    Dashed,
    Points,
}

/// One labelled curve.
#[derive(Clone, Debug)]
pub(crate) struct Curve {
    pub label: String,
    pub style: Style,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
}

/// A shaded min–max band; `upper[i]` and `lower[i]` share their x.
#[derive(Clone, Debug)]
pub(crate) struct Band {
    pub color: RGBColor,
    pub upper: Vec<(f64, f64)>,
    pub lower: Vec<(f64, f64)>,
}

/// Everything needed to draw one figure.
#[derive(Clone, Debug)]
pub(crate) struct Plot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    pub bands: Vec<Band>,
    pub curves: Vec<Curve>,
}

static FONT: Once = Once::new();

/// With the `ab_glyph` feature plotters has no font until one is registered, and bitmap text
/// panics without one; SVG layout uses the same font metrics, so register before any drawing.
pub(crate) fn ensure_font() {
    FONT.call_once(|| {
        // The embedded file is a valid TrueType font, so this cannot fail at run time; a
        // failure would only show as missing text, never as a panic.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../assets/DejaVuSans.ttf"),
        );
    });
}

/// Whether a point can be placed on the given axes. Log axes need positive values, and the
/// range is capped at ±300 decades (10^x overflows soon after), so values beyond are skipped
/// rather than drawn outside the frame.
fn valid(p: (f64, f64), log_x: bool, log_y: bool) -> bool {
    let ok = |v: f64, log: bool| v.is_finite() && (!log || (v > 1e-300 && v < 1e300));
    ok(p.0, log_x) && ok(p.1, log_y)
}

/// Splits a polyline at unplottable points, so that a NaN or a zero on a log axis leaves a gap
/// instead of a line jumping across it.
pub(crate) fn segments(points: &[(f64, f64)], log_x: bool, log_y: bool) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &p in points {
        if valid(p, log_x, log_y) {
            cur.push(p);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Axis range of a set of values, padded so that extreme points stay off the frame. A log
/// range always contains a power of ten, because plotters labels a log axis only at powers of
/// ten (a range strictly inside one decade would get no tick labels at all).
fn axis_range(values: impl Iterator<Item = f64>, log: bool) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|&v| valid((v, v), log, log)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if log {
        if lo > hi {
            return 1e-1..1e1;
        }
        let (mut a, mut b) = (lo.log10(), hi.log10());
        let pad = (0.04 * (b - a)).max(0.05);
        a -= pad;
        b += pad;
        if b.floor() < a {
            // No power of ten inside: extend towards the nearer one.
            if a - a.floor() < b.ceil() - b {
                a = a.floor();
            } else {
                b = b.ceil();
            }
        }
        10f64.powf(a)..10f64.powf(b)
    } else {
        if lo > hi {
            return 0.0..1.0;
        }
        let width = hi - lo;
        if width <= f64::EPSILON * lo.abs().max(1.0) {
            let d = if lo == 0.0 { 1.0 } else { 0.1 * lo.abs() };
            return lo - d..hi + d;
        }
        let pad = 0.03 * width;
        // An axis starting at 0 (iterations, time) reads better without a negative margin.
        let start = if lo >= 0.0 && lo - pad < 0.0 {
            0.0
        } else {
            lo - pad
        };
        start..hi + pad
    }
}

/// Tick labels for linear axes: plain numbers where short, scientific otherwise.
fn fmt_linear(v: &f64) -> String {
    let v = *v;
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Log-axis labels: plain numbers when the whole axis reads well that way (iteration counts,
/// condition numbers), `1e-6` style otherwise (errors over many decades).
fn fmt_log_plain(v: &f64) -> String {
    fmt_linear(v)
}

fn fmt_log_sci(v: &f64) -> String {
    format!("{v:.0e}")
}

fn fmt_for(log: bool, range: &Range<f64>) -> &'static dyn Fn(&f64) -> String {
    if !log {
        &fmt_linear
    } else if range.start >= 1e-2 && range.end <= 1e5 {
        &fmt_log_plain
    } else {
        &fmt_log_sci
    }
}

impl Plot {
    fn ranges(&self) -> (Range<f64>, Range<f64>) {
        let pts = || {
            self.curves
                .iter()
                .flat_map(|c| c.points.iter().copied())
                .chain(
                    self.bands
                        .iter()
                        .flat_map(|b| b.upper.iter().chain(&b.lower).copied()),
                )
                .filter(|p| valid(*p, self.log_x, self.log_y))
        };
        (
            axis_range(pts().map(|p| p.0), self.log_x),
            axis_range(pts().map(|p| p.1), self.log_y),
        )
    }
}

/// Renders `plot` to `<dir>/<name>.svg` and `<dir>/<name>.png`; returns both paths.
pub(crate) fn render(plot: &Plot, dir: &Path, name: &str) -> Result<[PathBuf; 2]> {
    ensure_font();
    // Names are appended, not set with `with_extension`: a case like `eta=0.5` keeps its dot.
    let svg_path = dir.join(format!("{name}.svg"));
    let png_path = dir.join(format!("{name}.png"));

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw_on(root, plot)
            .map_err(|e| Error::file(&svg_path, format!("cannot draw figure ({e})")))?;
    }
    write_atomic(&svg_path, svg.as_bytes())?;

    // The bitmap encoder picks the format from the extension, so the temporary file must end
    // in `.png`; renaming it keeps readers from seeing a half-written image.
    // The directory exists: `write_atomic` created it for the SVG.
    let tmp = dir.join(format!("{name}.partial.png"));
    {
        let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
        draw_on(root, plot)
            .map_err(|e| Error::file(&png_path, format!("cannot draw figure ({e})")))?;
    }
    std::fs::rename(&tmp, &png_path)
        .map_err(|e| Error::file(&png_path, format!("cannot replace ({e})")))?;
    Ok([svg_path, png_path])
}

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    plot: &Plot,
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let (x, y) = plot.ranges();
    match (plot.log_x, plot.log_y) {
        (false, false) => draw_chart(&root, plot, x, y),
        (false, true) => draw_chart(&root, plot, x, y.log_scale()),
        (true, false) => draw_chart(&root, plot, x.log_scale(), y),
        (true, true) => draw_chart(&root, plot, x.log_scale(), y.log_scale()),
    }
    .map_err(err)?;
    root.present().map_err(err)
}

/// Keeps an axis label inside its axis (the y axis is the figure's height): long metric
/// formulas get a smaller font rather than being cut.
fn axis_label_size(label: &str, length_px: f64) -> f64 {
    let chars = label.chars().count().max(1) as f64;
    (0.9 * length_px / (0.5 * chars)).clamp(11.0, 15.0)
}

/// Keeps the caption inside the figure: DejaVu Sans averages about 0.55 em per character.
fn caption_size(title: &str) -> f64 {
    let chars = title.chars().count().max(1) as f64;
    (0.95 * SIZE.0 as f64 / (0.55 * chars)).clamp(11.0, 20.0)
}

/// Picks the plot corner where the legend hides the least data. Error curves mostly decay,
/// so the upper right is preferred, but scaling plots (iterations vs κ) rise into it.
fn legend_corner(plot: &Plot, xr: &Range<f64>, yr: &Range<f64>) -> SeriesLabelPosition {
    let labels: Vec<&str> = plot
        .curves
        .iter()
        .map(|c| c.label.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    // Approximate legend box, including its offset from the corner and a marker's radius, as
    // a fraction of the plotting area (≈ 700 × 400 px).
    let w = ((chars * 7.5 + 70.0) / 700.0).min(0.9);
    let h = ((labels.len() as f64 * 19.0 + 35.0) / 400.0).min(0.9);
    let frac = |v: f64, r: &Range<f64>, log: bool| {
        if log {
            (v.ln() - r.start.ln()) / (r.end.ln() - r.start.ln())
        } else {
            (v - r.start) / (r.end - r.start)
        }
    };
    let mut pts: Vec<(f64, f64)> = Vec::new();
    let mut add_path = |path: &[(f64, f64)], join: bool| {
        let f: Vec<(f64, f64)> = path
            .iter()
            .filter(|p| valid(**p, plot.log_x, plot.log_y))
            .map(|&(x, y)| (frac(x, xr, plot.log_x), frac(y, yr, plot.log_y)))
            .collect();
        pts.extend(&f);
        // Sparse lines (a two-point fit) cross corners without a vertex there.
        if join {
            for s in f.windows(2) {
                for k in 1..16 {
                    let t = k as f64 / 16.0;
                    pts.push((
                        s[0].0 + t * (s[1].0 - s[0].0),
                        s[0].1 + t * (s[1].1 - s[0].1),
                    ));
                }
            }
        }
    };
    for c in &plot.curves {
        add_path(&c.points, c.style != Style::Points);
    }
    for b in &plot.bands {
        add_path(&b.upper, true);
        add_path(&b.lower, true);
    }
    let corners = [
        (SeriesLabelPosition::UpperRight, 1.0 - w, 1.0, 1.0 - h, 1.0),
        (SeriesLabelPosition::UpperLeft, 0.0, w, 1.0 - h, 1.0),
        (SeriesLabelPosition::LowerLeft, 0.0, w, 0.0, h),
        (SeriesLabelPosition::LowerRight, 1.0 - w, 1.0, 0.0, h),
    ];
    let mut best = (SeriesLabelPosition::UpperRight, usize::MAX);
    for (pos, x0, x1, y0, y1) in corners {
        let n = pts
            .iter()
            .filter(|p| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1)
            .count();
        if n < best.1 {
            best = (pos, n);
        }
    }
    best.0
}

fn draw_chart<DB, X, Y>(
    root: &DrawingArea<DB, Shift>,
    plot: &Plot,
    x: X,
    y: Y,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let (x_range, y_range) = plot.ranges();
    let (y_lo, y_hi) = (y_range.start, y_range.end);
    let mut chart = ChartBuilder::on(root)
        .caption(&plot.title, ("sans-serif", caption_size(&plot.title)))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d(x, y)?;

    chart
        .configure_mesh()
        .x_desc(plot.x_label.as_str())
        .y_desc(plot.y_label.as_str())
        .x_label_formatter(fmt_for(plot.log_x, &x_range))
        .y_label_formatter(fmt_for(plot.log_y, &y_range))
        .label_style(("sans-serif", 13))
        .axis_desc_style((
            "sans-serif",
            axis_label_size(&plot.y_label, SIZE.1 as f64 - 60.0)
                .min(axis_label_size(&plot.x_label, SIZE.0 as f64 - 90.0)),
        ))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;

    // Bands go first so that the lines stay on top. Unplottable band values are clamped to the
    // visible range: an infinite maximum (a diverged seed) reaches the top edge, which is
    // what it means, rather than punching a hole in the band.
    for band in &plot.bands {
        let clamp = |(bx, by): (f64, f64)| -> Option<(f64, f64)> {
            if !bx.is_finite() || (plot.log_x && bx <= 0.0) {
                return None;
            }
            let by = if by.is_nan() || by == f64::INFINITY {
                y_hi
            } else if (plot.log_y && by <= 0.0) || by < y_lo {
                y_lo
            } else {
                by.min(y_hi)
            };
            Some((bx, by))
        };
        let pairs: Vec<((f64, f64), (f64, f64))> = band
            .upper
            .iter()
            .zip(&band.lower)
            .filter_map(|(&u, &l)| Some((clamp(u)?, clamp(l)?)))
            .collect();
        if pairs.len() < 2 {
            continue;
        }
        let mut poly: Vec<(f64, f64)> = pairs.iter().map(|p| p.0).collect();
        poly.extend(pairs.iter().rev().map(|p| p.1));
        chart.draw_series(std::iter::once(Polygon::new(poly, band.color.mix(0.2))))?;
    }

    let mut labelled = false;
    for curve in &plot.curves {
        let line = ShapeStyle::from(curve.color).stroke_width(2);
        let fill = curve.color.filled();
        let parts = match curve.style {
            Style::Line | Style::Dashed => segments(&curve.points, plot.log_x, plot.log_y),
            Style::Points => {
                let pts: Vec<(f64, f64)> = curve
                    .points
                    .iter()
                    .copied()
                    .filter(|p| valid(*p, plot.log_x, plot.log_y))
                    .collect();
                if pts.is_empty() {
                    Vec::new()
                } else {
                    vec![pts]
                }
            }
        };
        for (k, part) in parts.into_iter().enumerate() {
            let anno = match curve.style {
                Style::Line => chart.draw_series(LineSeries::new(part, line))?,
                Style::Dashed => chart.draw_series(DashedLineSeries::new(part, 6, 4, line))?,
                Style::Points => {
                    chart.draw_series(part.into_iter().map(|p| Circle::new(p, 3, fill)))?
                }
            };
            // Only the first drawn part carries the legend entry; a curve with no plottable
            // point gets none (its absence is visible in the tables).
            if k > 0 || curve.label.is_empty() {
                continue;
            }
            labelled = true;
            let style = curve.style;
            anno.label(curve.label.as_str())
                .legend(move |(lx, ly)| match style {
                    Style::Line => PathElement::new(vec![(lx, ly), (lx + 20, ly)], line).into_dyn(),
                    Style::Dashed => {
                        DashedPathElement::new(vec![(lx, ly), (lx + 20, ly)], 5, 3, line).into_dyn()
                    }
                    Style::Points => Circle::new((lx + 10, ly), 3, fill).into_dyn(),
                });
        }
    }

    if labelled {
        chart
            .configure_series_labels()
            .position(legend_corner(plot, &x_range, &y_range))
            .label_font(("sans-serif", 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_range_covers_a_decade_and_skips_bad_values() {
        let r = axis_range(
            [0.3, 0.9, 0.0, f64::NAN, f64::INFINITY, -1.0].into_iter(),
            true,
        );
        assert!(r.start < 0.3 && r.end > 0.9);
        assert!(
            r.start <= 0.1 || r.end >= 1.0,
            "a power of ten inside: {r:?}"
        );
        let r = axis_range([1e-10, 1.0].into_iter(), true);
        assert!(r.start < 1e-10 && r.start > 1e-11 && r.end > 1.0 && r.end < 10.0);
        let r = axis_range([1.0].into_iter(), true);
        assert!(r.start < 1.0 && r.end > 1.0);
        let r = axis_range(std::iter::empty(), true);
        assert!(r.start > 0.0 && r.start < r.end);
    }

    #[test]
    fn linear_range_is_never_empty() {
        let r = axis_range([5.0, 5.0].into_iter(), false);
        assert!(r.start < 5.0 && r.end > 5.0);
        let r = axis_range([0.0].into_iter(), false);
        assert!(r.start < r.end);
        let r = axis_range([0.0, 100.0].into_iter(), false);
        assert_eq!(r.start, 0.0);
    }

    #[test]
    fn segments_split_at_unplottable_points() {
        let pts = [
            (0.0, 1.0),
            (1.0, 0.5),
            (2.0, f64::NAN),
            (3.0, 0.1),
            (4.0, 0.0),
        ];
        let s = segments(&pts, false, true);
        assert_eq!(s, vec![vec![(0.0, 1.0), (1.0, 0.5)], vec![(3.0, 0.1)]]);
    }

    #[test]
    fn legend_avoids_rising_data() {
        let curve = |points: Vec<(f64, f64)>| Curve {
            label: "a".into(),
            style: Style::Line,
            color: color(0),
            points,
        };
        let mut plot = Plot {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: true,
            bands: Vec::new(),
            curves: vec![curve((0..50).map(|t| (t as f64, 0.5f64.powi(t))).collect())],
        };
        let (x, y) = plot.ranges();
        assert!(matches!(
            legend_corner(&plot, &x, &y),
            SeriesLabelPosition::UpperRight
        ));
        plot.curves = vec![curve((0..50).map(|t| (t as f64, 2f64.powi(t))).collect())];
        let (x, y) = plot.ranges();
        assert!(!matches!(
            legend_corner(&plot, &x, &y),
            SeriesLabelPosition::UpperRight
        ));
    }

    #[test]
    fn linear_labels_are_short() {
        assert_eq!(fmt_linear(&200.0), "200");
        assert_eq!(fmt_linear(&0.25), "0.25");
        assert_eq!(fmt_linear(&1e-5), "1.0e-5");
    }
}
