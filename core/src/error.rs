//! One error type for the whole suite. Messages are single lines that name the offending
//! input and say how to fix it, because they are printed as-is by the CLI.

use std::path::PathBuf;

/// Result alias used across ratebench.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, split by who has to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter or input value is outside its domain (user error, exit code 2).
    #[error("invalid {param}: {reason}")]
    InvalidInput { param: String, reason: String },
    /// A file could not be read, parsed or written (user or environment error, exit code 2).
    #[error("{}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    /// A numerical routine failed (e.g. a factorization of a singular matrix).
    #[error("numerical failure in {context}: {reason}")]
    Numerical { context: String, reason: String },
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(param: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            param: param.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::File`].
    pub fn file(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        Error::File {
            path: path.into(),
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`Error::Numerical`].
    pub fn numerical(context: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::Numerical {
            context: context.into(),
            reason: reason.to_string(),
        }
    }

    /// True for errors caused by what the user passed in (the CLI maps these to exit code 2).
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::InvalidInput { .. } | Error::File { .. })
    }
}

/// Checks shared by every spec validator, so that messages stay uniform.
pub mod check {
    use super::{Error, Result};

    /// `value` must be finite and strictly positive.
    pub fn positive(param: &str, value: f64) -> Result<()> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            Err(Error::invalid(
                param,
                format!("must be a finite number > 0, got {value}"),
            ))
        }
    }

    /// `value` must be finite and at least `min`.
    pub fn at_least(param: &str, value: f64, min: f64) -> Result<()> {
        if value.is_finite() && value >= min {
            Ok(())
        } else {
            Err(Error::invalid(
                param,
                format!("must be a finite number >= {min}, got {value}"),
            ))
        }
    }

    /// `value` must be an integer in `lo..=hi`.
    pub fn in_range(param: &str, value: usize, lo: usize, hi: usize) -> Result<()> {
        if (lo..=hi).contains(&value) {
            Ok(())
        } else {
            Err(Error::invalid(
                param,
                format!("must be between {lo} and {hi}, got {value}"),
            ))
        }
    }
}
