//! Command lines for the unit tests of the programs' parsers.

use std::ffi::OsString;
use std::fmt::Debug;

use cli::{Command, UsageError};

/// `words` as the arguments a parser takes (without the program name).
pub fn argv(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

/// What `parsed` runs with, or its usage error. A test of a run did not
/// ask for `--help` or `--version`: those panic, naming what came.
#[track_caller]
pub fn to_run<T: Debug>(parsed: Result<Command<T>, UsageError>) -> Result<T, UsageError> {
    match parsed? {
        Command::Run(config) => Ok(config),
        other => panic!("expected a configuration to run with, got {other:?}"),
    }
}
