//! Every binary of the workspace reads its command line the same way
//! (the `cli` crate): `--version` prints `NAME VERSION` and exits 0,
//! `--help` prints the usage and exits 0, a flag it does not have exits
//! 64 with a line on stderr naming it.

use std::process::{Command, Output, Stdio};

use test_support::program;

/// Every binary, with a command line that gives one of its flags twice
/// (two spellings) and that flag.
const BINARIES: [(&str, &[&str], &str); 8] = [
    ("applianced", &["--check", "--check"], "--check"),
    ("appliance-motion", &["--rx", "3", "--rx=3"], "--rx"),
    ("appliance-light", &["--rate=5", "--rate", "5"], "--rate"),
    ("appliance-log", &["--keep", "5", "--keep=6"], "--keep"),
    ("appliance-gui", &["--fps", "1", "--fps=1"], "--fps"),
    ("appliance-testchild", &["--tx", "4", "--tx=4"], "--tx"),
    ("wire-dump", &["-q", "--quiet"], "--quiet"),
    ("xtask", &["golden", "--bless", "--bless"], "--bless"),
];

fn run(binary: &str, args: &[&str]) -> Output {
    Command::new(program(binary))
        .args(args)
        .stdin(Stdio::null())
        // The test child reads its arguments from here when it is set.
        .env_remove("APPLIANCE_TESTCHILD_ARGS")
        .output()
        .unwrap_or_else(|e| panic!("{binary}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_binary_answers_version_with_its_name_and_version() {
    // Every crate of the workspace has the workspace's version.
    let version = env!("CARGO_PKG_VERSION");
    for (binary, ..) in BINARIES {
        let out = run(binary, &["--version"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{binary}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), format!("{binary} {version}\n"));
        assert_eq!(text(&out.stderr), "", "{binary}");
    }
}

#[test]
fn every_binary_answers_help_wherever_it_stands() {
    for (binary, ..) in BINARIES {
        for args in [&["--help"][..], &["-h"], &["--version", "--help"]] {
            let out = run(binary, args);
            assert_eq!(out.status.code(), Some(0), "{binary} {args:?}");
            let stdout = text(&out.stdout);
            // `--version` first: it answers, and `--help` is not read.
            if args[0] == "--version" {
                assert!(stdout.ends_with(&format!(" {}\n", env!("CARGO_PKG_VERSION"))));
            } else {
                assert!(stdout.contains("--version"), "{binary}: {stdout}");
            }
        }
    }
}

#[test]
fn an_unknown_flag_exits_64_naming_it_and_a_repeated_one_too() {
    for (binary, twice, repeated) in BINARIES {
        // xtask takes a task first; its options come after it.
        let task: &[&str] = if binary == "xtask" { &["golden"] } else { &[] };
        let given_twice = format!("{repeated} given twice");
        for (args, said) in [
            (&["--frobnicate"][..], "unknown argument `--frobnicate`"),
            (&["--frobnicate=1"], "unknown argument `--frobnicate`"),
            (&["--version=1"], "--version takes no value"),
        ] {
            let args: Vec<&str> = task.iter().chain(args).copied().collect();
            expect_usage_error(binary, &args, said);
        }
        expect_usage_error(binary, twice, &given_twice);
    }
}

/// `binary args` exits 64, its first line on stderr names the program
/// (xtask: `error`) and says `said`.
fn expect_usage_error(binary: &str, args: &[&str], said: &str) {
    let out = run(binary, args);
    assert_eq!(out.status.code(), Some(64), "{binary} {args:?}");
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().unwrap_or("");
    let program = if binary == "xtask" { "error" } else { binary };
    assert!(
        first.starts_with(&format!("{program}: ")) && first.contains(said),
        "{binary} {args:?}: {stderr}"
    );
}
