//! Claims: registered rate statements with parameters, a run, measurements and a verdict.
//!
//! A claim is `{id, title, source, statement, default params, run, negative control}`.
//! `run` receives the (overridden) parameters and a [`ClaimCtx`] that executes cases of any
//! family deterministically in parallel; it returns measurements with criteria and a figure.
//! The verdict is `pass` when every criterion holds, `fail` otherwise, and `exploratory` when
//! a claim only reports values. Rules (DESIGN.md "Claim"): predictions are computed from the
//! parameters; tolerances are part of the claim, not parameters; a comparison across a
//! sweep needs at least two distinct values ([`crate::params::Params::sweep_f64s`]); and the
//! negative control fails on a finite measured value of one of the claim's criteria.

mod figure;

pub use figure::{curve, dashed, line, log_figure, thin};

use crate::case::{run_case, Case, RunContext, RunEnv};
use crate::params::Params;
use crate::results::{Measurement, Outcome, RunResult, Verdict};
use ratebench_core::{Error, Result, Trace};
use rayon::prelude::*;
use std::time::Instant;

/// The registered negative control of a claim: parameter overrides under which the claim
/// must FAIL on a finite value of the named measurement (`ratebench check ID
/// --negative-control`).
#[derive(Clone, Copy, Debug)]
pub struct NegativeControl {
    /// `name=value` overrides, values in TOML syntax as for `--set`.
    pub set: &'static [(&'static str, &'static str)],
    /// One line: which assumption the overrides leave, and what happens.
    pub reason: &'static str,
    /// The start of the name of the measurement that must fail (with a finite value).
    pub fails: &'static str,
}

/// A registered claim.
pub struct Claim {
    pub id: &'static str,
    pub title: &'static str,
    /// Citation.
    pub source: &'static str,
    pub statement: &'static str,
    /// Part of the CI `quick` set.
    pub quick: bool,
    pub defaults: fn() -> Params,
    pub run: fn(&Params, &mut ClaimCtx) -> Result<ClaimOutput>,
    /// `None` only for exploratory claims (no criterion to fail).
    pub control: Option<NegativeControl>,
}

/// What a claim's `run` returns.
#[derive(Default)]
pub struct ClaimOutput {
    pub measurements: Vec<Measurement>,
    pub figure: Option<crate::results::Figure>,
    pub message: String,
}

impl ClaimOutput {
    /// Measurements with a figure and no message.
    pub fn new(measurements: Vec<Measurement>, figure: crate::results::Figure) -> Self {
        Self {
            measurements,
            figure: Some(figure),
            message: String::new(),
        }
    }

    /// Adds a note shown under the verdict.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

/// Execution context of one claim check.
pub struct ClaimCtx<'p> {
    /// The group of the runs: the claim id, or `<id>:control` for its negative control.
    pub group: String,
    pub base_seed: u64,
    pub calib_s: f64,
    pool: &'p rayon::ThreadPool,
    runs: Vec<RunResult>,
}

impl<'p> ClaimCtx<'p> {
    /// A context whose runs execute on `pool`.
    pub fn new(group: &str, base_seed: u64, calib_s: f64, pool: &'p rayon::ThreadPool) -> Self {
        Self {
            group: group.to_string(),
            base_seed,
            calib_s,
            pool,
            runs: Vec::new(),
        }
    }

    /// Runs cases in parallel (each seeded independently, so results do not depend on the
    /// number of threads) and returns their traces in input order.
    pub fn run(&mut self, cases: Vec<Box<dyn Case>>) -> Result<Vec<Trace>> {
        let ctx = RunContext {
            env: RunEnv {
                group: &self.group,
                base_seed: self.base_seed,
                threads: 1,
            },
            calib_s: self.calib_s,
            parallel: self.pool.current_num_threads() > 1,
        };
        let results: Vec<Result<RunResult>> = self.pool.install(|| {
            cases
                .par_iter()
                .map(|c| run_case(c.as_ref(), &ctx))
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

/// A claim with the family it belongs to.
pub struct Entry {
    pub family: &'static str,
    pub claim: Claim,
}

/// Every claim of a set of families, in their order.
pub struct Registry {
    pub entries: Vec<Entry>,
}

impl Registry {
    /// Collects the claims of `families`.
    pub fn new(families: &[&dyn crate::family::Family]) -> Self {
        let entries = families
            .iter()
            .flat_map(|f| {
                let family = f.name();
                f.claims()
                    .into_iter()
                    .map(move |claim| Entry { family, claim })
            })
            .collect();
        Self { entries }
    }

    /// Looks up claims by id (case-insensitive); all claims for an empty list.
    pub fn select(self, ids: &[String]) -> Result<Vec<Entry>> {
        let mut all = self.entries;
        if ids.is_empty() {
            return Ok(all);
        }
        let known: Vec<&str> = all.iter().map(|e| e.claim.id).collect();
        let known = known.join(", ");
        let mut out = Vec::new();
        for id in ids {
            let Some(pos) = all.iter().position(|e| e.claim.id.eq_ignore_ascii_case(id)) else {
                return Err(Error::invalid(
                    format!("claim '{id}'"),
                    format!("unknown; known claims: {known}"),
                ));
            };
            out.push(all.remove(pos));
        }
        Ok(out)
    }
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

/// The parameters of a claim's negative control (defaults, then its overrides).
pub fn control_params(claim: &Claim) -> Result<Params> {
    let control = claim.control.ok_or_else(|| {
        Error::invalid(
            format!("claim {}", claim.id),
            "is exploratory and has no negative control (it judges nothing)",
        )
    })?;
    let set: Vec<(String, String)> = control
        .set
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    params_for(claim, &set, None)
}

/// How a claim check is run.
#[derive(Clone, Copy, Debug)]
pub struct CheckEnv<'p> {
    pub family: &'static str,
    pub base_seed: u64,
    pub calib_s: f64,
    pub pool: &'p rayon::ThreadPool,
    /// Run as the claim's negative control (runs grouped as `<id>:control`).
    pub negative_control: bool,
}

/// The group name of a claim's runs.
pub fn claim_group(id: &str, negative_control: bool) -> String {
    if negative_control {
        format!("{id}:control")
    } else {
        id.to_string()
    }
}

/// Checks one claim with the given parameters.
pub fn check_claim(
    claim: &Claim,
    params: &Params,
    env: &CheckEnv<'_>,
) -> Result<(Verdict, Vec<RunResult>)> {
    let started = Instant::now();
    let group = claim_group(claim.id, env.negative_control);
    let mut ctx = ClaimCtx::new(&group, env.base_seed, env.calib_s, env.pool);
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
    if env.negative_control {
        if let Some(c) = claim.control {
            message = format!("negative control: {}. {message}", c.reason);
        }
    }
    let verdict = Verdict {
        id: claim.id.to_string(),
        family: env.family.to_string(),
        title: claim.title.to_string(),
        source: claim.source.to_string(),
        statement: claim.statement.to_string(),
        params: params.to_json(),
        seed: env.base_seed,
        negative_control: env.negative_control,
        measurements: output.measurements,
        outcome,
        message: message.trim().to_string(),
        runs: runs.iter().map(|r| r.record.run_id.clone()).collect(),
        figure: output.figure,
        wall_s: started.elapsed().as_secs_f64(),
    };
    Ok((verdict, runs))
}

/// What a negative-control test asserts: the verdict FAILs, and the registered measurement
/// is among the failed criteria with a finite value. Returns a description of what is wrong.
pub fn control_problem(claim: &Claim, verdict: &Verdict) -> Option<String> {
    let control = claim.control?;
    if verdict.outcome != Outcome::Fail {
        return Some(format!(
            "{} negative control gave {}, not fail",
            claim.id,
            verdict.outcome.as_str()
        ));
    }
    let failed: Vec<&Measurement> = verdict
        .measurements
        .iter()
        .filter(|m| m.ok == Some(false) && m.name.starts_with(control.fails))
        .collect();
    if failed.is_empty() {
        return Some(format!(
            "{}: no failed measurement named '{}…'",
            claim.id, control.fails
        ));
    }
    if let Some(m) = failed.iter().find(|m| !m.value.is_finite()) {
        return Some(format!(
            "{}: '{}' failed with a non-finite value {}",
            claim.id, m.name, m.value
        ));
    }
    None
}

/// What every family's claim tests do: check a claim at its defaults (must pass or be
/// exploratory) and under its negative control (must fail on a finite value of the named
/// measurement). Used by the `tests/claims.rs` of each family crate.
pub mod testing {
    use super::*;

    fn pool() -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("thread pool")
    }

    fn find(claims: Vec<Claim>, id: &str) -> Claim {
        claims
            .into_iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no claim {id}"))
    }

    fn run(family: &'static str, claim: &Claim, params: &Params, control: bool) -> Verdict {
        let pool = pool();
        let env = CheckEnv {
            family,
            base_seed: 0,
            calib_s: 1.0,
            pool: &pool,
            negative_control: control,
        };
        let (v, _) = check_claim(claim, params, &env)
            .unwrap_or_else(|e| panic!("{} could not run: {e}", claim.id));
        for m in &v.measurements {
            eprintln!(
                "{} {:?}: {} = {:.6e} ci={:?} [{}] ref={:?}",
                claim.id, m.ok, m.name, m.value, m.ci, m.criterion, m.reference
            );
        }
        eprintln!(
            "{}: {:?} {} ({:.2}s)",
            claim.id, v.outcome, v.message, v.wall_s
        );
        v
    }

    /// The claim passes (or, exploratory, reports only finite values) at its defaults.
    pub fn assert_passes(family: &'static str, claims: Vec<Claim>, id: &str) {
        let claim = find(claims, id);
        let v = run(family, &claim, &(claim.defaults)(), false);
        if claim.control.is_none() {
            assert_eq!(
                v.outcome,
                Outcome::Exploratory,
                "{id}: {:#?}",
                v.measurements
            );
            for m in &v.measurements {
                assert!(m.value.is_finite(), "{id}: {} = {}", m.name, m.value);
            }
            return;
        }
        assert_eq!(v.outcome, Outcome::Pass, "{id}: {:#?}", v.measurements);
    }

    /// The registered negative control fails on a finite value of its named measurement.
    pub fn assert_control_fails(family: &'static str, claims: Vec<Claim>, id: &str) {
        let claim = find(claims, id);
        let params = control_params(&claim).unwrap_or_else(|e| panic!("{id}: {e}"));
        let v = run(family, &claim, &params, true);
        if let Some(problem) = control_problem(&claim, &v) {
            panic!("{problem}: {:#?}", v.measurements);
        }
    }
}
