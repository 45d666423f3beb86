//! The memory limit every generator and loader checks *before* allocating an instance.
//!
//! A dense instance is easy to ask for by accident (`n = 100000` is an 80 GB matrix), and an
//! allocation failure aborts the process without a message. Every family therefore estimates
//! the bytes an instance needs and calls [`check`] first; past the limit the user gets a
//! one-line error (exit code 2) naming the parameter to lower. The limit defaults to
//! [`DEFAULT_LIMIT_GIB`] GiB and is set by the CLI's `--memory-limit-gib` or the environment
//! variable `RATEBENCH_MEMORY_LIMIT_GIB`.

use crate::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// The default limit in GiB (a third of a 24 GiB CI machine).
pub const DEFAULT_LIMIT_GIB: f64 = 8.0;

const UNSET: u64 = u64::MAX;
static LIMIT: AtomicU64 = AtomicU64::new(UNSET);

const GIB: f64 = (1u64 << 30) as f64;

/// The limit in bytes: the value set by [`set_limit_gib`], else `RATEBENCH_MEMORY_LIMIT_GIB`,
/// else the default.
pub fn limit_bytes() -> u64 {
    let v = LIMIT.load(Ordering::Relaxed);
    if v != UNSET {
        return v;
    }
    let gib = std::env::var("RATEBENCH_MEMORY_LIMIT_GIB")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|g| g.is_finite() && *g > 0.0)
        .unwrap_or(DEFAULT_LIMIT_GIB);
    (gib * GIB) as u64
}

/// Sets the limit for this process (the CLI's `--memory-limit-gib`).
pub fn set_limit_gib(gib: f64) -> Result<()> {
    crate::error::check::positive("--memory-limit-gib", gib)?;
    LIMIT.store((gib * GIB) as u64, Ordering::Relaxed);
    Ok(())
}

/// Bytes of `count` doubles, saturating.
pub fn f64s(count: u64) -> u64 {
    count.saturating_mul(8)
}

/// Errors if an instance described by `what` needs more than the limit. `param` is the
/// parameter the message tells the user to lower.
pub fn check(param: &str, what: &str, bytes: u64) -> Result<()> {
    let limit = limit_bytes();
    if bytes <= limit {
        return Ok(());
    }
    Err(Error::invalid(
        param,
        format!(
            "{what} needs {:.2} GiB, over the memory limit of {:.2} GiB; lower {param}, or raise the limit with --memory-limit-gib / RATEBENCH_MEMORY_LIMIT_GIB",
            bytes as f64 / GIB,
            limit as f64 / GIB
        ),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn refuses_past_the_limit_with_one_line() {
        assert!(super::check("n", "M⋆", 1 << 20).is_ok());
        let e = super::check("n", "M⋆ (n × n doubles)", u64::MAX)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid n: M⋆") && e.contains("memory limit"),
            "{e}"
        );
        assert!(!e.contains('\n'));
    }
}
