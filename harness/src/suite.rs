//! Running a sweep of cases (a suite) into a results [`Session`]: in parallel when asked,
//! each run recorded as it finishes, already-complete runs skipped on `--resume`.

use crate::case::{run_case, Case, RunContext, RunEnv};
use crate::results::{RunRecord, Session};
use ratebench_core::{Error, Result};
use rayon::prelude::*;

/// How a sweep runs.
#[derive(Clone, Copy, Debug)]
pub struct SweepOptions {
    /// Parallel runs (1 = sequential, which keeps wall times undistorted).
    pub jobs: usize,
    /// Threads inside each run.
    pub threads: usize,
    pub base_seed: u64,
    pub calib_s: f64,
}

/// What a sweep did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepSummary {
    /// Run ids in canonical (case) order, including resumed ones.
    pub order: Vec<String>,
    /// Runs executed now.
    pub ran: usize,
    /// Runs kept from an earlier session (`--resume`).
    pub resumed: usize,
    /// Status counts of every run in `order`.
    pub statuses: Vec<(String, usize)>,
    /// `run_id: message` of the runs that ended in `error`.
    pub errors: Vec<String>,
    /// `run_id: message` of the runs whose method broke down (recorded, not a failure).
    pub breakdowns: Vec<String>,
}

/// Runs `cases` (all of `group`) into `session`; `on_done(record, resumed)` sees every run.
pub fn run_sweep(
    cases: &[Box<dyn Case>],
    group: &str,
    session: &mut Session,
    opts: &SweepOptions,
    on_done: &(dyn Fn(&RunRecord, bool) + Sync),
) -> Result<SweepSummary> {
    let mut summary = SweepSummary::default();
    let mut todo: Vec<&dyn Case> = Vec::new();
    for c in cases {
        let id = c.meta().run_id(group);
        if session.completed(&id, &c.meta().spec) {
            summary.resumed += 1;
            if let Some(r) = session.kept(&id) {
                on_done(r, true);
            }
        } else {
            todo.push(c.as_ref());
        }
        summary.order.push(id);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| Error::numerical("thread pool", e))?;
    let ctx = RunContext {
        env: RunEnv {
            group,
            base_seed: opts.base_seed,
            threads: opts.threads.max(1),
        },
        calib_s: opts.calib_s,
        parallel: opts.jobs > 1,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.install(|| {
                todo.par_iter().for_each_with(tx, |tx, case| {
                    // A closed channel means the receiver stopped on an error.
                    let _ = tx.send(run_case(*case, &ctx));
                })
            })
        });
        for result in rx {
            let result = result?;
            session.record(&result)?;
            on_done(&result.record, false);
            summary.ran += 1;
        }
        Ok::<(), Error>(())
    });
    outcome?;
    summarize(&mut summary, session);
    Ok(summary)
}

fn summarize(summary: &mut SweepSummary, session: &Session) {
    for id in &summary.order {
        let Some(r) = session.kept(id) else { continue };
        match summary.statuses.iter_mut().find(|(s, _)| *s == r.status) {
            Some((_, n)) => *n += 1,
            None => summary.statuses.push((r.status.clone(), 1)),
        }
        match r.status.as_str() {
            "error" => summary.errors.push(format!("{}: {}", r.run_id, r.message)),
            "breakdown" => summary
                .breakdowns
                .push(format!("{}: {}", r.run_id, r.message)),
            _ => {}
        }
    }
}
