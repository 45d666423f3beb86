//! Progress: a bar on a terminal, plain lines otherwise (CI logs).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Reports finished items.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: std::sync::atomic::AtomicU64,
}

impl Progress {
    /// A progress reporter for `total` items.
    pub fn new(total: u64, what: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} {elapsed_precise} {msg}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            b.set_prefix(what.to_string());
            b
        });
        Self {
            bar,
            total,
            done: Default::default(),
        }
    }

    /// Marks one item done with a short message.
    pub fn item(&self, msg: &str) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        match &self.bar {
            Some(b) => {
                b.set_message(msg.to_string());
                b.inc(1);
            }
            None => eprintln!("[{n}/{}] {msg}", self.total),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
