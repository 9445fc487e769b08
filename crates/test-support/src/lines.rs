//! The lines a process writes (its stdout or stderr), read as they come.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Instant;

use crate::DEADLINE;

/// The lines of a pipe, read by a thread of their own as they come, taken
/// one by one with a deadline.
pub struct Lines {
    lines: Receiver<String>,
    /// What was taken so far, for the message of a failed wait.
    taken: Vec<String>,
}

impl Lines {
    /// Reads the lines of `r` (a child's stdout or stderr) until its end.
    pub fn new(r: impl Read + Send + 'static) -> Lines {
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(r).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            lines,
            taken: Vec::new(),
        }
    }

    /// The next line; panics at the end of the pipe or after [`DEADLINE`].
    #[track_caller]
    pub fn next_line(&mut self) -> String {
        match self.lines.recv_timeout(DEADLINE) {
            Ok(line) => {
                self.taken.push(line.clone());
                line
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no line within {DEADLINE:?}; so far: {:#?}", self.taken)
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the pipe ended; the lines: {:#?}", self.taken)
            }
        }
    }

    /// Skips lines until one contains `needle`, and returns it; panics at
    /// the end of the pipe or after [`DEADLINE`].
    #[track_caller]
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.taken.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no line with `{needle}` ({}); the lines: {:#?}",
                    match e {
                        RecvTimeoutError::Timeout => format!("not within {DEADLINE:?}"),
                        RecvTimeoutError::Disconnected => "the pipe ended".to_owned(),
                    },
                    self.taken
                ),
            }
        }
    }

    /// Every line left, up to the end of the pipe (call once the writer
    /// has exited); panics if the end does not come within [`DEADLINE`].
    #[track_caller]
    pub fn rest(&mut self) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        let mut rest = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.taken.push(line.clone());
                    rest.push(line);
                }
                Err(RecvTimeoutError::Disconnected) => return rest,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the pipe did not end within {DEADLINE:?}; the lines: {rest:#?}")
                }
            }
        }
    }
}
