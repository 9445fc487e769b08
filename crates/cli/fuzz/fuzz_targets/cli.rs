//! Fuzzes the `cli` engine with arbitrary argument vectors (the input
//! split at NUL bytes, arguments that are not UTF-8 included) through a
//! spec that uses every kind of flag and value it offers: switches (with
//! a short form), values, repeatable flags, operands, and numbers,
//! bytes, choices, paths, fds, text, checked text and a `FromStr` type.
//! Checks: no panic; the same argv parses the same way twice; every
//! `--flag=value` parses as `--flag value` does; every error names an
//! argument (a flag, an operand's name, or the argument as given).

#![no_main]

use std::ffi::{OsStr, OsString};
use std::net::Ipv4Addr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use cli::{Args, Command, Flag, Spec, UsageError};
use libfuzzer_sys::fuzz_target;

static SPEC: Spec = Spec::new(
    "fuzzed",
    "0.0.0",
    "--rx --rate --addr --mode --path --name --token --ip --quiet --say --tick -h, --help --version\n",
    &[
        Flag::value("--rx"),
        Flag::value("--rate"),
        Flag::value("--addr"),
        Flag::value("--mode"),
        Flag::value("--path"),
        Flag::value("--name"),
        Flag::value("--token"),
        Flag::value("--ip"),
        Flag::switch("--quiet").short(b'q'),
        Flag::value("--say").repeatable(),
        Flag::switch("--tick").repeatable(),
    ],
)
.operands(2);

/// Every value typed, so each conversion runs on fuzzed input.
#[derive(Debug)]
#[allow(dead_code, reason = "compared through Debug")]
struct Config {
    rx: String,
    rate: Option<u16>,
    addr: Option<u8>,
    mode: Option<u8>,
    path: Option<PathBuf>,
    name: Option<String>,
    token: Option<String>,
    ip: Option<Ipv4Addr>,
    quiet: bool,
    script: Vec<(&'static str, Option<OsString>)>,
    operands: Vec<OsString>,
}

fn build(args: &Args) -> Result<Config, UsageError> {
    Ok(Config {
        rx: args.required("--rx")?.fd()?,
        rate: args.number("--rate", 1..=1000, "a rate in Hz")?,
        addr: args.byte("--addr", "an address, e.g. 0x48")?,
        mode: args.choice("--mode", &[("a", 1), ("b", 2), ("c", 3)])?,
        path: args.path("--path")?,
        name: args.text("--name")?.map(str::to_owned),
        token: args
            .checked_text("--token", "a word", |t| {
                !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric())
            })?
            .map(str::to_owned),
        ip: args.parse("--ip")?,
        quiet: args.switch("--quiet"),
        script: args
            .in_order()
            .filter(|(flag, _)| matches!(*flag, "--say" | "--tick"))
            .map(|(flag, v)| (flag, v.map(|v| v.os().to_owned())))
            .collect(),
        operands: args.operands().map(OsStr::to_owned).collect(),
    })
}

fn parse(argv: &[OsString]) -> Result<Command<Config>, UsageError> {
    SPEC.parse(argv.iter().cloned(), build)
}

/// `argv` with every `--flag=value` of a flag that takes a value, where a
/// flag stands (not where a value or an operand does), split into
/// `--flag value`.
fn split_inline(argv: &[OsString]) -> Vec<OsString> {
    let takes_value = |name: &[u8]| {
        SPEC.flags
            .iter()
            .any(|f| f.takes_value && f.name.as_bytes() == name)
    };
    let mut out = Vec::new();
    let mut flags_ended = false;
    let mut value_next = false;
    for arg in argv {
        let bytes = arg.as_bytes();
        let at_flag = !flags_ended && !value_next;
        value_next = false;
        if at_flag && bytes == b"--" {
            flags_ended = true;
        }
        let inline = bytes.iter().position(|&b| b == b'=');
        match inline {
            Some(i) if at_flag && bytes.starts_with(b"--") && takes_value(&bytes[..i]) => {
                out.push(OsStr::from_bytes(&bytes[..i]).to_owned());
                out.push(OsStr::from_bytes(&bytes[i + 1..]).to_owned());
                continue;
            }
            _ => value_next = at_flag && takes_value(bytes),
        }
        out.push(arg.clone());
    }
    out
}

fuzz_target!(|bytes: &[u8]| {
    let argv = cli_fuzz::argv(bytes);
    let first = parse(&argv);
    assert_eq!(
        format!("{first:?}"),
        format!("{:?}", parse(&argv)),
        "the same argv parsed differently"
    );
    assert_eq!(
        format!("{first:?}"),
        format!("{:?}", parse(&split_inline(&argv))),
        "--flag=value and --flag value differ: {argv:?}"
    );
    if let Err(e) = first {
        let message = e.to_string();
        assert!(
            cli_fuzz::names_an_argument(&message, &argv),
            "`{message}` names no argument of {argv:?}"
        );
    }
});
