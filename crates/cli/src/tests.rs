//! The engine by a spec with every kind of flag.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use crate::{Args, Command, Flag, Spec, UsageError};

static SPEC: Spec = Spec::new(
    "sample",
    "1.2.3",
    "usage: sample --rx FD [--rate HZ] [--path P] [--mode fast|slow] [--name N] \
     [--quiet|-q] [--send BODY]... [--hello]... [FILE]\n  -h, --help\n  --version\n",
    &[
        Flag::value("--rx"),
        Flag::value("--rate"),
        Flag::value("--path"),
        Flag::value("--mode"),
        Flag::value("--name"),
        Flag::switch("--quiet").short(b'q'),
        Flag::value("--send").repeatable(),
        Flag::switch("--hello").repeatable(),
    ],
)
.operands(1);

/// What `SPEC` builds: every kind of value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Config {
    rx: String,
    rate: u16,
    path: Option<PathBuf>,
    fast: bool,
    name: Option<String>,
    quiet: bool,
    script: Vec<String>,
    file: Option<OsString>,
}

fn build(args: &Args) -> Result<Config, UsageError> {
    let mut script = Vec::new();
    for (flag, value) in args.in_order() {
        match (flag, value) {
            ("--send", Some(body)) => script.push(format!("send {}", body.text()?)),
            ("--hello", None) => script.push("hello".to_owned()),
            _ => {}
        }
    }
    Ok(Config {
        rx: args.required("--rx")?.fd()?,
        rate: args
            .number("--rate", 1..=1000, "a rate in Hz")?
            .unwrap_or(100),
        path: args.path("--path")?,
        fast: args
            .choice("--mode", &[("fast", true), ("slow", false)])?
            .unwrap_or(false),
        name: args.text("--name")?.map(str::to_owned),
        quiet: args.switch("--quiet"),
        script,
        file: args.operands().next().map(OsStr::to_owned),
    })
}

fn parse(argv: &[&str]) -> Result<Command<Config>, UsageError> {
    SPEC.parse(argv.iter().map(OsString::from), build)
}

fn config(argv: &[&str]) -> Config {
    match parse(argv) {
        Ok(Command::Run(config)) => config,
        other => panic!("{argv:?}: {other:?}"),
    }
}

fn error(argv: &[&str]) -> UsageError {
    parse(argv).expect_err("a usage error")
}

fn bad(flag: &'static str, value: &str, expected: &'static str) -> UsageError {
    UsageError::bad_value(flag, value, expected)
}

/// `--v VALUE` typed by `get`, by a spec with that one flag.
fn one<T>(
    value: &str,
    get: impl FnOnce(&Args) -> Result<T, UsageError>,
) -> Result<Command<T>, UsageError> {
    static ONE: Spec = Spec::new("one", "0", "--v --help --version\n", &[Flag::value("--v")]);
    ONE.parse([OsString::from("--v"), value.into()], get)
}

#[test]
fn the_spec_is_sound() {
    assert_eq!(SPEC.problems(), Vec::<String>::new());
}

#[test]
fn defaults_and_every_value_in_both_forms() {
    let c = config(&["--rx", "3"]);
    assert_eq!(
        c,
        Config {
            rx: "3".into(),
            rate: 100,
            path: None,
            fast: false,
            name: None,
            quiet: false,
            script: vec![],
            file: None,
        }
    );
    let spaced = config(&[
        "--rx", "3", "--rate", "50", "--path", "/tmp/x", "--mode", "fast", "--name", "n", "-q",
        "capture",
    ]);
    let joined = config(&[
        "--rx=3",
        "--rate=50",
        "--path=/tmp/x",
        "--mode=fast",
        "--name=n",
        "--quiet",
        "capture",
    ]);
    assert_eq!(spaced, joined);
    assert_eq!(
        (spaced.rate, spaced.path, spaced.fast, spaced.quiet),
        (50, Some(PathBuf::from("/tmp/x")), true, true)
    );
    assert_eq!(spaced.file.as_deref(), Some(OsStr::new("capture")));
}

#[test]
fn a_value_is_taken_as_it_is() {
    // The next argument is the value even when it looks like a flag.
    assert_eq!(
        config(&["--rx", "3", "--name", "--help"]).name.unwrap(),
        "--help"
    );
    assert_eq!(config(&["--rx", "3", "--name", "-5"]).name.unwrap(), "-5");
    // After `=`: everything, `=` included; possibly nothing.
    assert_eq!(config(&["--rx", "3", "--name=a=b"]).name.unwrap(), "a=b");
    assert_eq!(config(&["--rx", "3", "--name="]).name.unwrap(), "");
    assert_eq!(config(&["--rx="]).rx, "");
}

#[test]
fn a_flag_given_twice_is_an_error_unless_it_repeats() {
    assert_eq!(
        error(&["--rx", "3", "--rx", "4"]),
        UsageError::Twice("--rx")
    );
    assert_eq!(error(&["--rx", "3", "--rx=3"]), UsageError::Twice("--rx"));
    assert_eq!(
        error(&["--rx", "3", "-q", "--quiet"]),
        UsageError::Twice("--quiet")
    );
    let c = config(&["--hello", "--send", "a", "--rx", "3", "--hello", "--send=b"]);
    assert_eq!(c.script, ["hello", "send a", "hello", "send b"]);
}

#[test]
fn lexing_errors_name_the_argument() {
    assert_eq!(error(&["--rx"]), UsageError::MissingValue("--rx"));
    assert_eq!(
        error(&["--rx", "3", "--rate"]),
        UsageError::MissingValue("--rate")
    );
    assert_eq!(error(&["--bogus"]), UsageError::Unknown("--bogus".into()));
    assert_eq!(error(&["--bogus=1"]), UsageError::Unknown("--bogus".into()));
    assert_eq!(error(&["-x"]), UsageError::Unknown("-x".into()));
    assert_eq!(error(&["-qq"]), UsageError::Unknown("-qq".into()));
    assert_eq!(error(&["-q=1"]), UsageError::Unknown("-q=1".into()));
    assert_eq!(
        error(&["--quiet=yes"]),
        UsageError::NoValue {
            flag: "--quiet",
            value: "yes".into()
        }
    );
    assert_eq!(error(&["a", "b"]), UsageError::Unexpected("b".into()));
    assert_eq!(error(&[]), UsageError::Required("--rx"));
    for (argv, message) in [
        (&["--rx"][..], "--rx needs a value"),
        (
            &["--bogus"],
            "unknown argument `--bogus` (--help lists them)",
        ),
        (
            &["a", "b"],
            "unexpected argument `b` (--help shows the usage)",
        ),
        (
            &["--quiet=yes"],
            "--quiet takes no value (given `--quiet=yes`)",
        ),
        (&["-q", "-q"], "--quiet given twice"),
        (&[], "--rx is required (--help shows the usage)"),
    ] {
        assert_eq!(error(argv).to_string(), message, "{argv:?}");
    }
}

#[test]
fn numbers_are_digits_in_range() {
    let expected = "a rate in Hz, 1..=1000";
    for ok in ["1", "1000", "0050"] {
        let n: u16 = ok.parse().unwrap();
        assert_eq!(config(&["--rx", "3", "--rate", ok]).rate, n, "{ok}");
    }
    for no in [
        "0",
        "1001",
        "+5",
        "-5",
        " 5",
        "5 ",
        "5x",
        "0x10",
        "1_000",
        "",
        "99999999999999999999999",
    ] {
        assert_eq!(
            error(&["--rx", "3", "--rate", no]),
            bad("--rate", no, expected),
            "{no:?}"
        );
    }
    assert_eq!(
        error(&["--rx", "3", "--rate", "0"]).to_string(),
        "--rate `0`: expected a rate in Hz, 1..=1000"
    );
}

#[test]
fn a_range_up_to_the_type_s_limit() {
    let count = |v: &str| one(v, |a| a.number("--v", 0..=u64::MAX, "a count"));
    assert_eq!(
        count("18446744073709551615"),
        Ok(Command::Run(Some(u64::MAX)))
    );
    assert!(count("18446744073709551616").is_err());
    let byte = one("256", |a| a.number("--v", 0..=u8::MAX, "a byte"));
    assert_eq!(
        byte.unwrap_err().to_string(),
        "--v `256`: expected a byte, 0..=255"
    );
}

#[test]
fn a_byte_in_hex_or_decimal() {
    let value = |v: &'static str| {
        SPEC.parse(["--rx", v].map(OsString::from), |a| {
            a.required("--rx")?.byte("an address, e.g. 0x48")
        })
    };
    for (text, byte) in [
        ("0x48", 0x48),
        ("0X4b", 0x4b),
        ("72", 72),
        ("0xff", 255),
        ("0", 0),
    ] {
        assert_eq!(value(text), Ok(Command::Run(byte)), "{text}");
    }
    for text in [
        "0x", "0x100", "256", "0x+5", "+5", "-1", "0b1", "x48", "", " 1",
    ] {
        assert_eq!(
            value(text),
            Err(bad("--rx", text, "an address, e.g. 0x48")),
            "{text:?}"
        );
    }
}

#[test]
fn checked_text_is_the_program_s_own_rule() {
    let word = |v: &str| {
        one(v, |a| {
            a.checked_text("--v", "a word", |w| !w.contains(' '))
                .map(|w| w.map(str::to_owned))
        })
    };
    assert_eq!(word("ab"), Ok(Command::Run(Some("ab".to_owned()))));
    assert_eq!(word("a b"), Err(bad("--v", "a b", "a word")));
}

#[test]
fn choices_list_what_they_take() {
    assert_eq!(
        error(&["--rx", "3", "--mode", "medium"]).to_string(),
        "--mode `medium`: expected fast or slow"
    );
    let e = one("d", |a| a.choice("--v", &[("a", 1), ("b", 2), ("c", 3)])).unwrap_err();
    assert_eq!(e.to_string(), "--v `d`: expected a, b or c");
}

#[test]
fn a_from_str_type_gives_its_own_reason() {
    let addr = |v: &str| one(v, |a| a.parse::<std::net::Ipv4Addr>("--v"));
    assert_eq!(
        addr("127.0.0.1"),
        Ok(Command::Run(Some(std::net::Ipv4Addr::LOCALHOST)))
    );
    assert_eq!(
        addr("localhost").unwrap_err().to_string(),
        "--v `localhost`: invalid IPv4 address syntax"
    );
}

#[test]
fn non_utf8_arguments() {
    let raw = |bytes: &[u8]| OsString::from_vec(bytes.to_vec());
    let run = |argv: Vec<OsString>| SPEC.parse(argv, build);
    // A path may be any bytes; text and fds must be UTF-8.
    let path = run(vec![
        "--rx".into(),
        "3".into(),
        "--path".into(),
        raw(b"/tmp/\xff"),
    ]);
    assert_eq!(
        path.unwrap()
            .run()
            .unwrap()
            .path
            .unwrap()
            .as_os_str()
            .as_bytes(),
        b"/tmp/\xff"
    );
    assert_eq!(
        run(vec!["--rx".into(), raw(b"\xff")]),
        Err(UsageError::ValueNotUnicode {
            flag: "--rx",
            value: raw(b"\xff")
        })
    );
    assert_eq!(
        run(vec![raw(b"--rx=\xfe")]).unwrap_err().to_string(),
        "--rx \"\\xFE\": expected UTF-8 text"
    );
    // A flag that is not UTF-8 is no flag of the program.
    let e = run(vec![raw(b"--r\xffx")]).unwrap_err();
    assert_eq!(e, UsageError::Unknown(raw(b"--r\xffx")));
    assert_eq!(
        e.to_string(),
        "unknown argument `--r\u{fffd}x` (--help lists them)"
    );
    // An operand may be any bytes.
    let file = run(vec!["--rx".into(), "3".into(), raw(b"\xff")]);
    assert_eq!(file.unwrap().run().unwrap().file, Some(raw(b"\xff")));
}

#[test]
fn help_and_version_wherever_they_stand() {
    for argv in [
        &["--help"][..],
        &["-h"],
        &["--rx", "3", "--help"],
        &["--help", "--bogus"],
        // Values are typed after lexing: help wins over a bad value.
        &["--rate", "0", "-h"],
    ] {
        assert_eq!(parse(argv), Ok(Command::Help), "{argv:?}");
    }
    for argv in [&["--version"][..], &["--rate=0", "--version", "-h"]] {
        assert_eq!(parse(argv), Ok(Command::Version), "{argv:?}");
    }
    // argv is read from the start: an error before them is reported.
    assert_eq!(
        error(&["--bogus", "--help"]),
        UsageError::Unknown("--bogus".into())
    );
    assert_eq!(
        error(&["--rx", "3", "--rx", "4", "--help"]),
        UsageError::Twice("--rx")
    );
    assert_eq!(
        error(&["--version=2"]),
        UsageError::NoValue {
            flag: "--version",
            value: "2".into()
        }
    );
    // As a value, it is a value.
    assert_eq!(config(&["--rx", "--version"]).rx, "--version");
}

#[test]
fn double_dash_ends_the_flags() {
    let c = config(&["--rx", "3", "--", "--quiet"]);
    assert_eq!(
        (c.quiet, c.file.as_deref()),
        (false, Some(OsStr::new("--quiet")))
    );
    assert_eq!(
        config(&["--rx", "3", "-"]).file.as_deref(),
        Some(OsStr::new("-"))
    );
    assert_eq!(
        error(&["--rx", "3", "--", "a", "b"]),
        UsageError::Unexpected("b".into())
    );
    // `--help` after `--` is an operand.
    assert_eq!(
        config(&["--rx", "3", "--", "--help"]).file.as_deref(),
        Some(OsStr::new("--help"))
    );
}

#[test]
fn a_broken_spec_is_found_out() {
    static BROKEN: Spec = Spec::new(
        "broken",
        "0",
        "--rate",
        &[
            Flag::value("--rate"),
            Flag::value("--rate"),
            Flag::value("-r"),
            Flag::switch("--x=y"),
            Flag::switch("--quiet").short(b'-'),
            Flag::switch("--hush").short(b'h'),
            Flag::switch("--version"),
        ],
    );
    let problems = BROKEN.problems().join("\n");
    for problem in [
        "--rate: spelt like --rate",
        "-r: not spelt --NAME",
        "--x=y: not spelt --NAME",
        "--quiet: short form 45 is not a letter or digit",
        "--hush: built in",
        "--version: built in",
        "--quiet: not in the help text",
        "--help: not in the help text",
        "the help text does not end in a newline",
    ] {
        assert!(problems.contains(problem), "{problem}:\n{problems}");
    }
}
