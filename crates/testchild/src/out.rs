//! Lines to stdout and stderr. A test may close its end of either pipe at
//! any time; a write error then is no reason to stop (or, with
//! `panic = "abort"`, to abort), so errors are ignored here, on purpose.

use std::fmt;
use std::io::{self, Write};

/// Writes one line to stdout in one write, flushed.
pub(crate) fn stdout_line(line: fmt::Arguments<'_>) {
    write_line(&mut io::stdout().lock(), line);
}

/// Writes one line to stderr in one write.
pub(crate) fn stderr_line(line: fmt::Arguments<'_>) {
    write_line(&mut io::stderr().lock(), line);
}

fn write_line(out: &mut impl Write, line: fmt::Arguments<'_>) {
    let mut text = line.to_string();
    text.push('\n');
    // Ignored: see the module doc.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
