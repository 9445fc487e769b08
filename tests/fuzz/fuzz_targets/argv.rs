//! Fuzzes the programs' command lines (`appliance-motion`,
//! `appliance-light`, `appliance-log`, `appliance-gui`,
//! `appliance-testchild`), each the shared `cli` engine with the
//! program's own spec and checks, with arbitrary argument vectors: the
//! input split at NUL bytes, arguments that are not UTF-8 included.
//! Checks: no panic; the same argv parses the same way twice; every error
//! names an argument (a flag, or the offending argument as given).

#![no_main]

use std::ffi::OsString;
use std::fmt::Debug;

use cli::{Command, UsageError};
use libfuzzer_sys::fuzz_target;

/// Parses `args` twice with `parse` and checks the outcome.
fn check<T: Debug>(
    program: &str,
    args: &[OsString],
    parse: fn(std::vec::IntoIter<OsString>) -> Result<Command<T>, UsageError>,
) {
    let first = parse(Vec::from(args).into_iter());
    assert_eq!(
        format!("{first:?}"),
        format!("{:?}", parse(Vec::from(args).into_iter())),
        "{program}: the same argv parsed differently"
    );
    if let Err(e) = first {
        let message = e.to_string();
        assert!(
            cli_fuzz::names_an_argument(&message, args),
            "{program}: `{message}` names no argument of {args:?}"
        );
    }
}

fuzz_target!(|bytes: &[u8]| {
    let args = cli_fuzz::argv(bytes);
    check("motion", &args, motion::parse);
    check("light", &args, light::parse);
    check("log", &args, appliance_log::parse);
    check("gui", &args, gui::args::parse);
    check("testchild", &args, testchild::parse);
});
