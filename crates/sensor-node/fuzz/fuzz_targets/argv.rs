//! Fuzzes the processes' command-line parsers (`appliance-motion`,
//! `appliance-light`, `appliance-log`, `appliance-gui`) with arbitrary
//! argument vectors: the input split at NUL bytes, arguments that are not
//! UTF-8 included (the GUI, which takes `str`s, gets them lossily
//! converted). Checks: no panic; the same argv parses the same way twice;
//! every error names an argument (a flag, or the offending argument as
//! given).

#![no_main]

use std::ffi::OsString;
use std::fmt::Debug;
use std::os::unix::ffi::OsStringExt;

use libfuzzer_sys::fuzz_target;

/// Whether usage error `message` names an argument: a flag, or one of
/// `args` quoted as the parsers quote it (`` `arg` ``, or `{:?}` when it
/// is not UTF-8).
fn names_an_argument(message: &str, args: &[OsString]) -> bool {
    message.contains("--")
        || args.iter().any(|a| {
            message.contains(&format!("{a:?}"))
                || a.to_str()
                    .is_some_and(|s| message.contains(&format!("`{s}`")))
        })
}

/// Parses `args` twice with `parse` and checks the outcome.
fn check<T: Debug, E: std::fmt::Display + Debug>(
    program: &str,
    args: &[OsString],
    parse: impl Fn() -> Result<T, E>,
) {
    let first = parse();
    assert_eq!(
        format!("{first:?}"),
        format!("{:?}", parse()),
        "{program}: the same argv parsed differently"
    );
    if let Err(e) = first {
        let message = e.to_string();
        assert!(
            names_an_argument(&message, args),
            "{program}: `{message}` names no argument of {args:?}"
        );
    }
}

fuzz_target!(|bytes: &[u8]| {
    let args: Vec<OsString> = if bytes.is_empty() {
        Vec::new()
    } else {
        bytes
            .split(|&b| b == 0)
            .map(|a| OsString::from_vec(a.to_vec()))
            .collect()
    };
    check("motion", &args, || motion::parse(args.iter().cloned()));
    check("light", &args, || light::parse(args.iter().cloned()));
    check("log", &args, || appliance_log::parse(args.iter().cloned()));
    let lossy: Vec<OsString> = args
        .iter()
        .map(|a| OsString::from(a.to_string_lossy().into_owned()))
        .collect();
    let strs: Vec<String> = lossy
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    check("gui", &lossy, || gui::args::parse(&strs));
});
