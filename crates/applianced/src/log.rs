//! The supervisor's own log: stderr, one line per event, stamped with the
//! time since the supervisor started. Children's output arrives here too,
//! each line prefixed with `NAME[PID]: `.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::time::Instant;

/// Where the supervisor's log lines go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Log {
    start: Instant,
}

impl Log {
    /// A log whose clock starts now.
    pub(crate) fn new() -> Log {
        Log {
            start: Instant::now(),
        }
    }

    /// Writes one line, `[SECONDS.MILLIS] text`, in one write(2).
    pub(crate) fn line(&self, text: &str) {
        let t = self.start.elapsed();
        let mut line = String::with_capacity(text.len() + 32);
        let _ = writeln!(line, "[{:>5}.{:03}] {text}", t.as_secs(), t.subsec_millis());
        // Nowhere to report a failing stderr; never panic over it.
        let _ = io::stderr().lock().write_all(line.as_bytes());
    }
}
