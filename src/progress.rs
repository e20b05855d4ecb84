//! Progress on stderr for long loads and evaluations.
//!
//! Off unless [`enable`] is called; the command line calls it only when
//! stderr is a terminal, so pipes, files and CI stay quiet. A task shows a
//! bar only once it has run for about a second, so quick runs print nothing.
//! When off, an update costs one relaxed atomic load.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// How long a task runs silently before it shows a bar.
const GRACE: Duration = Duration::from_secs(1);

/// Turns progress reporting on for the rest of the process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// One long step (loading the tables, building witness paths), measured in
/// `total` units of work; threads may share it. The bar disappears when the
/// task is dropped.
pub struct Task {
    what: &'static str,
    total: u64,
    started: Option<Instant>,
    done: AtomicU64,
    bar: OnceLock<ProgressBar>,
}

impl Task {
    pub fn new(what: &'static str, total: u64) -> Task {
        Task {
            what,
            total,
            started: ENABLED.load(Ordering::Relaxed).then(Instant::now),
            done: AtomicU64::new(0),
            bar: OnceLock::new(),
        }
    }

    /// Records `units` more units of work done.
    pub fn advance(&self, units: u64) {
        let Some(started) = self.started else {
            return;
        };
        let done = self.done.fetch_add(units, Ordering::Relaxed) + units;
        if self.bar.get().is_none() && started.elapsed() < GRACE {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(self.what);
            bar
        });
        bar.set_position(done.min(self.total));
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
