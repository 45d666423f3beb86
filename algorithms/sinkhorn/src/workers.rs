//! Fixed-split parallelism for the line passes.

use ratebench_core::{Error, Result};
use rayon::prelude::*;

/// A thread pool of a fixed size (none for one thread). A pass is split into `threads`
/// contiguous blocks of `⌈len/threads⌉` entries, each handled by one sequential loop with its
/// own state, so the result depends on the thread count only (never on scheduling).
pub(crate) struct Workers {
    pool: Option<rayon::ThreadPool>,
    threads: usize,
}

impl Workers {
    /// A pool of `threads` threads (`0` and `1`: run on the caller's thread).
    pub(crate) fn new(threads: usize, solver: &str) -> Result<Self> {
        let threads = threads.max(1);
        if threads == 1 {
            return Ok(Self {
                pool: None,
                threads,
            });
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|k| format!("ratebench-ot-{k}"))
            .build()
            .map_err(|e| {
                Error::numerical(solver, format!("cannot start {threads} threads ({e})"))
            })?;
        Ok(Self {
            pool: Some(pool),
            threads,
        })
    }

    /// The thread count.
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// The rayon parallelism to give faer inside [`Workers::install`].
    pub(crate) fn par(&self) -> faer::Par {
        ratebench_core::par(self.threads)
    }

    /// Runs `f` inside the pool (faer's `Par::rayon` then uses exactly these threads).
    pub(crate) fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// The block length of a pass over `len` entries.
    pub(crate) fn block(&self, len: usize) -> usize {
        len.div_ceil(self.threads).max(1)
    }

    /// `f(first, block, state_k)` on the k-th block of `out` (of length [`Workers::block`]),
    /// with `states[k]` (one per thread).
    pub(crate) fn for_blocks<T: Send>(
        &self,
        out: &mut [f64],
        states: &mut [T],
        f: impl Fn(usize, &mut [f64], &mut T) + Sync,
    ) {
        let block = self.block(out.len());
        match &self.pool {
            None => f(0, out, &mut states[0]),
            Some(pool) => pool.install(|| {
                out.par_chunks_mut(block)
                    .zip(states.par_iter_mut())
                    .enumerate()
                    .for_each(|(k, (chunk, s))| f(k * block, chunk, s))
            }),
        }
    }
}
