//! The claims registry and the machinery every claim shares.
//!
//! A claim is `{id, title, source, statement, default params, run}`. `run` receives the
//! (overridden) parameters and a [`ClaimCtx`] that executes runs deterministically in
//! parallel and keeps their results; it returns measurements with criteria and a figure.
//! The verdict is `pass` when every criterion holds, `fail` otherwise, and `exploratory`
//! when a claim only reports values.

mod analysis;
mod lowrank;
mod sensing;

use crate::lowrank::{run_case, LowRankCase};
use crate::params::Params;
use crate::results::{Figure, Measurement, Outcome, RunResult, Series, SeriesStyle, Verdict};
use ratebench_core::{Error, Result, Trace};
use rayon::prelude::*;
use std::time::Instant;

/// A registered claim.
pub struct Claim {
    pub id: &'static str,
    pub title: &'static str,
    /// Citation.
    pub source: &'static str,
    pub statement: &'static str,
    /// Part of the CI `quick` set (all LR claims are: each runs in seconds).
    pub quick: bool,
    pub defaults: fn() -> Params,
    pub run: fn(&Params, &mut ClaimCtx) -> Result<ClaimOutput>,
}

/// What a claim's `run` returns.
#[derive(Default)]
pub struct ClaimOutput {
    pub measurements: Vec<Measurement>,
    pub figure: Option<Figure>,
    pub message: String,
}

/// Execution context of one claim check.
pub struct ClaimCtx<'p> {
    pub claim_id: String,
    pub base_seed: u64,
    pub calib_s: f64,
    pool: &'p rayon::ThreadPool,
    runs: Vec<RunResult>,
}

impl<'p> ClaimCtx<'p> {
    /// A context whose runs execute on `pool`.
    pub fn new(claim_id: &str, base_seed: u64, calib_s: f64, pool: &'p rayon::ThreadPool) -> Self {
        Self {
            claim_id: claim_id.to_string(),
            base_seed,
            calib_s,
            pool,
            runs: Vec::new(),
        }
    }

    /// Runs cases in parallel (each seeded independently, so results do not depend on the
    /// number of threads) and returns their traces in input order.
    pub fn run(&mut self, cases: Vec<LowRankCase>) -> Result<Vec<Trace>> {
        let (id, seed, calib) = (self.claim_id.clone(), self.base_seed, self.calib_s);
        let results: Vec<Result<RunResult>> = self.pool.install(|| {
            cases
                .par_iter()
                .map(|c| run_case(c, &id, seed, calib))
                .collect()
        });
        let results: Vec<RunResult> = results.into_iter().collect::<Result<_>>()?;
        let traces = results.iter().map(|r| r.trace.clone()).collect();
        self.runs.extend(results);
        Ok(traces)
    }

    /// The runs executed so far.
    pub fn into_runs(self) -> Vec<RunResult> {
        self.runs
    }
}

impl Measurement {
    /// A measured value with a pass criterion.
    pub fn check(
        name: impl Into<String>,
        value: f64,
        criterion: impl Into<String>,
        ok: bool,
    ) -> Self {
        // A NaN (e.g. a hitting time never reached) never passes.
        let ok = ok && !value.is_nan();
        Self {
            name: name.into(),
            value,
            ci: None,
            criterion: criterion.into(),
            ok: Some(ok),
            reference: None,
        }
    }

    /// A reported value without a criterion.
    pub fn report(name: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            value,
            ci: None,
            criterion: String::new(),
            ok: None,
            reference: None,
        }
    }

    /// Attaches a 95% CI.
    pub fn with_ci(mut self, ci: (f64, f64)) -> Self {
        self.ci = Some(ci);
        self
    }

    /// Attaches the catalogue's reference value.
    pub fn with_reference(mut self, reference: f64) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Attaches a reference when there is one (most apply only at the defaults).
    pub fn with_maybe_reference(mut self, reference: Option<f64>) -> Self {
        if reference.is_some() {
            self.reference = reference;
        }
        self
    }
}

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

/// Every registered claim, in catalogue order.
pub fn registry() -> Vec<Claim> {
    let mut v = lowrank::claims();
    v.extend(sensing::claims());
    v
}

/// Looks up claims by id (case-insensitive); all claims for an empty list.
pub fn select(ids: &[String]) -> Result<Vec<Claim>> {
    let mut all = registry();
    if ids.is_empty() {
        return Ok(all);
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(pos) = all.iter().position(|c| c.id.eq_ignore_ascii_case(id)) else {
            let known: Vec<&str> = registry().iter().map(|c| c.id).collect();
            return Err(Error::invalid(
                format!("claim '{id}'"),
                format!("unknown; known claims: {}", known.join(", ")),
            ));
        };
        out.push(all.remove(pos));
    }
    Ok(out)
}

/// The parameters of a claim after a config table and then `name=value` overrides.
pub fn params_for(
    claim: &Claim,
    overrides: &[(String, String)],
    config: Option<&toml::Table>,
) -> Result<Params> {
    let mut params = (claim.defaults)();
    if let Some(table) = config {
        params.apply_table(table)?;
    }
    for (k, v) in overrides {
        params.set(k, v)?;
    }
    Ok(params)
}

/// Checks one claim with the given parameters.
pub fn check_claim(
    claim: &Claim,
    params: &Params,
    base_seed: u64,
    calib_s: f64,
    pool: &rayon::ThreadPool,
) -> Result<(Verdict, Vec<RunResult>)> {
    let started = Instant::now();
    let mut ctx = ClaimCtx::new(claim.id, base_seed, calib_s, pool);
    let output = (claim.run)(params, &mut ctx)?;
    let runs = ctx.into_runs();
    let errored: Vec<&str> = runs
        .iter()
        .filter(|r| r.record.status == "error")
        .map(|r| r.record.run_id.as_str())
        .collect();
    let criteria: Vec<bool> = output.measurements.iter().filter_map(|m| m.ok).collect();
    let outcome = if !errored.is_empty() {
        Outcome::Error
    } else if criteria.is_empty() {
        Outcome::Exploratory
    } else if criteria.iter().all(|&ok| ok) {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let mut message = output.message;
    if !errored.is_empty() {
        let first = runs
            .iter()
            .find(|r| r.record.status == "error")
            .map(|r| r.record.message.clone())
            .unwrap_or_default();
        message = format!(
            "{} run(s) failed ({}): {first}. {message}",
            errored.len(),
            errored.join(", ")
        );
    }
    // The report adds the claim id and verdict to the title.
    let figure = output.figure;
    let verdict = Verdict {
        id: claim.id.to_string(),
        title: claim.title.to_string(),
        source: claim.source.to_string(),
        statement: claim.statement.to_string(),
        params: params.to_json(),
        measurements: output.measurements,
        outcome,
        message: message.trim().to_string(),
        runs: runs.iter().map(|r| r.record.run_id.clone()).collect(),
        figure,
        wall_s: started.elapsed().as_secs_f64(),
    };
    Ok((verdict, runs))
}
