//! `cargo xtask`: the tasks of this workspace that are not plain cargo
//! (the CI suite, long fuzz runs, running the appliance). Run
//! `cargo xtask --help` for the list. This file only parses the command
//! line and dispatches. It depends only on std and the `cli` crate, so it
//! builds fast before every CI run.

mod ci;
mod cmd;
mod error;
mod fuzz;
mod golden;
mod run;
mod setup;

use std::env;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use cli::{Args, Command, Flag, Spec, UsageError};

use crate::ci::CiArgs;
use crate::error::Error;
use crate::fuzz::FuzzArgs;
use crate::golden::GoldenArgs;
use crate::run::RunArgs;

const USAGE: &str = "\
Usage: cargo xtask <TASK> [OPTIONS]

Tasks:
  ci     the whole test suite: installs what it needs, then fmt, clippy, deny, tests, docs, fuzz
  fuzz   run the cargo-fuzz targets locally for longer
  golden check the GUI's golden images (--bless: re-render them)
  run    build and run the appliance here (simulated board, headless screen)
  help   print this message (also -h, --help); --version prints the version

`cargo xtask <TASK> --help` describes the options of a task.
";

const CI_USAGE: &str = "\
Usage: cargo xtask ci [--list] [--only STAGE]... [--skip STAGE]...

Runs every stage (or the selected ones) even when one fails, then prints a
summary ending in `ci: N passed, M failed`. Exits 0 only if all passed.
Before the stages run, installs what they need and is missing (rustup
components and targets, the nightly toolchain, apt packages, cargo tools).

Options:
  --list         print the stages, what they check and what they need
  --only STAGE   run only this stage (repeatable)
  --skip STAGE   do not run this stage (repeatable)
  -h, --help     print this; --version prints the version

Environment:
  XTASK_FUZZ_SECONDS   seconds per fuzz target in the fuzz stage (default 30)
";

const FUZZ_USAGE: &str = "\
Usage: cargo xtask fuzz [TARGET] [--seconds N]

Fuzzes TARGET (default: every target of every cargo-fuzz project,
crates/*/fuzz and tests/fuzz) with cargo-fuzz on nightly, N seconds each
(default 60, at most 604800, a week). Installs nightly and cargo-fuzz
first if they are missing.

  -h, --help     print this; --version prints the version
";

const GOLDEN_USAGE: &str = "\
Usage: cargo xtask golden [--bless]

Checks the GUI's golden images (crates/gui/tests/golden/, docs/screenshots/)
pixel for pixel. With --bless, re-renders every image that changed and
writes a diff image for each (changed pixels magenta) under target/tmp/golden/.

  -h, --help     print this; --version prints the version
";

const RUN_USAGE: &str = "\
Usage: cargo xtask run [--arch 1|2]

Builds and starts the appliance on this machine: the supervisor applianced
on board/sim/arch2.toml (GUI, MOTION, LIGHT, LOG; --arch 1: without LOG),
simulated sensors playing board/sim/demo.scenario, the GUI on a headless
screen refreshed as target/appliance-sim/screen.png, logs under
target/appliance-sim/log/. Ctrl-C stops it cleanly.

  -h, --help     print this; --version prints the version
";

/// `cargo xtask` before a task: only `--help` and `--version`.
static XTASK: Spec = task_spec(USAGE, &[], 0);
static CI: Spec = task_spec(
    CI_USAGE,
    &[
        Flag::switch("--list"),
        Flag::value("--only").repeatable(),
        Flag::value("--skip").repeatable(),
    ],
    0,
);
/// Its operand is the target.
static FUZZ: Spec = task_spec(FUZZ_USAGE, &[Flag::value("--seconds")], 1);
static GOLDEN: Spec = task_spec(GOLDEN_USAGE, &[Flag::switch("--bless")], 0);
static RUN: Spec = task_spec(RUN_USAGE, &[Flag::value("--arch")], 0);

/// The longest `--seconds` of `cargo xtask fuzz`: a week.
const MAX_FUZZ_SECONDS: u64 = 7 * 24 * 3600;

const fn task_spec(help: &'static str, flags: &'static [Flag], operands: usize) -> Spec {
    Spec::new("xtask", env!("CARGO_PKG_VERSION"), help, flags).operands(operands)
}

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    /// Print this spec's help text and exit successfully.
    Help(&'static Spec),
    /// Print the version and exit successfully.
    Version,
    Ci(CiArgs),
    Fuzz(FuzzArgs),
    Golden(GoldenArgs),
    Run(RunArgs),
}

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    match parse(args).and_then(dispatch) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn dispatch(task: Task) -> Result<ExitCode, Error> {
    match task {
        Task::Help(spec) => Ok(ExitCode::from(spec.answer(&Command::<()>::Help))),
        Task::Version => Ok(ExitCode::from(XTASK.answer(&Command::<()>::Version))),
        Task::Ci(args) => to_workspace_root().and_then(|()| ci::main(&args)),
        Task::Fuzz(args) => to_workspace_root()
            .and_then(|()| fuzz::main(&args))
            .map(|()| ExitCode::SUCCESS),
        Task::Golden(args) => to_workspace_root()
            .and_then(|()| golden::main(&args))
            .map(|()| ExitCode::SUCCESS),
        Task::Run(args) => to_workspace_root().and_then(|()| run::main(args)),
    }
}

/// Every task works from the workspace root, wherever it was started, so
/// paths like `crates/wire/fuzz` and `rust-toolchain.toml` are relative to it.
fn to_workspace_root() -> Result<(), Error> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir);
    env::set_current_dir(root).map_err(|source| Error::Io {
        path: root.to_owned(),
        source,
    })
}

/// Each task: its name, its command line, and how its options are read.
type Options = fn(&Args) -> Result<Task, UsageError>;
static TASKS: [(&str, &Spec, Options); 4] = [
    ("ci", &CI, ci_options),
    ("fuzz", &FUZZ, fuzz_options),
    ("golden", &GOLDEN, golden_options),
    ("run", &RUN, run_options),
];

/// The task is the first argument; the rest are its options.
fn parse(mut args: Vec<OsString>) -> Result<Task, Error> {
    let (spec, options): (&'static Spec, Options) = match args.first() {
        None => return Ok(Task::Help(&XTASK)),
        Some(first) if first == "help" => return Ok(Task::Help(&XTASK)),
        Some(first) => match TASKS.iter().find(|(name, ..)| first == *name) {
            Some(&(_, spec, options)) => {
                args.remove(0);
                (spec, options)
            }
            // `--help`, `--version`, or an unknown flag (`--` alone: the
            // help, as with no task).
            None if first.as_encoded_bytes().starts_with(b"-") => {
                (&XTASK, |_| Ok(Task::Help(&XTASK)))
            }
            None => {
                return Err(Error::Usage(format!(
                    "unknown task `{}`; the tasks are ci, fuzz, golden, run",
                    first.to_string_lossy()
                )));
            }
        },
    };
    Ok(match spec.parse(args, options)? {
        Command::Help => Task::Help(spec),
        Command::Version => Task::Version,
        Command::Run(task) => task,
    })
}

fn ci_options(args: &Args) -> Result<Task, UsageError> {
    let stages = |flag| {
        args.in_order()
            .filter(|(f, _)| *f == flag)
            .filter_map(|(_, v)| v.map(|v| v.text().map(str::to_owned)))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Task::Ci(CiArgs {
        list: args.switch("--list"),
        only: stages("--only")?,
        skip: stages("--skip")?,
    }))
}

fn fuzz_options(args: &Args) -> Result<Task, UsageError> {
    Ok(Task::Fuzz(FuzzArgs {
        target: args
            .operands()
            .next()
            .map(|t| t.to_string_lossy().into_owned()),
        seconds: args
            .number("--seconds", 1..=MAX_FUZZ_SECONDS, "seconds per target")?
            .unwrap_or(fuzz::LOCAL_SECONDS),
    }))
}

fn golden_options(args: &Args) -> Result<Task, UsageError> {
    Ok(Task::Golden(GoldenArgs {
        bless: args.switch("--bless"),
    }))
}

fn run_options(args: &Args) -> Result<Task, UsageError> {
    Ok(Task::Run(RunArgs {
        arch: args
            .choice("--arch", &[("1", 1), ("2", 2)])?
            .unwrap_or(RunArgs::default().arch),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Task, Error> {
        parse(line.split_whitespace().map(OsString::from).collect())
    }

    #[test]
    fn help_without_arguments_or_when_asked() {
        for line in ["", "--help", "-h", "help"] {
            assert_eq!(parse_str(line).unwrap(), Task::Help(&XTASK), "{line:?}");
        }
        assert_eq!(parse_str("ci --help").unwrap(), Task::Help(&CI));
        assert_eq!(parse_str("fuzz -h").unwrap(), Task::Help(&FUZZ));
        assert_eq!(parse_str("run --arch 3 --help").unwrap(), Task::Help(&RUN));
        for line in ["--version", "ci --version", "golden --bless --version"] {
            assert_eq!(parse_str(line).unwrap(), Task::Version, "{line:?}");
        }
        for spec in [&XTASK, &CI, &FUZZ, &GOLDEN, &RUN] {
            assert_eq!(spec.problems(), Vec::<String>::new(), "{}", spec.help);
        }
        assert!(parse_str("--bogus").is_err());
    }

    #[test]
    fn ci_options() {
        assert_eq!(parse_str("ci").unwrap(), Task::Ci(CiArgs::default()));
        let expected = CiArgs {
            list: true,
            only: vec!["fmt".into(), "test".into()],
            skip: vec!["fuzz".into()],
        };
        let parsed = parse_str("ci --only fmt --skip=fuzz --list --only=test").unwrap();
        assert_eq!(parsed, Task::Ci(expected));
        assert!(
            parse_str("ci --only")
                .unwrap_err()
                .to_string()
                .contains("--only needs a value")
        );
        assert!(
            parse_str("ci fmt")
                .unwrap_err()
                .to_string()
                .contains("unexpected argument `fmt`")
        );
        assert!(parse_str("ci --onlyfmt").is_err());
        assert!(parse_str("ci --list --list").is_err());
    }

    #[test]
    fn fuzz_options() {
        let default = FuzzArgs {
            target: None,
            seconds: 60,
        };
        assert_eq!(parse_str("fuzz").unwrap(), Task::Fuzz(default));
        let decode = FuzzArgs {
            target: Some("decode".into()),
            seconds: 600,
        };
        assert_eq!(
            parse_str("fuzz decode --seconds 600").unwrap(),
            Task::Fuzz(decode)
        );
        assert!(parse_str("fuzz --seconds=0").is_err());
        assert!(parse_str("fuzz --seconds x").is_err());
        assert!(
            parse_str("fuzz --seconds 1 --seconds 2")
                .unwrap_err()
                .to_string()
                .contains("--seconds given twice")
        );
        assert!(
            parse_str("fuzz a b")
                .unwrap_err()
                .to_string()
                .contains("unexpected argument `b`")
        );
    }

    #[test]
    fn golden_options() {
        assert_eq!(
            parse_str("golden").unwrap(),
            Task::Golden(GoldenArgs::default())
        );
        assert_eq!(
            parse_str("golden --bless").unwrap(),
            Task::Golden(GoldenArgs { bless: true })
        );
        assert_eq!(parse_str("golden -h").unwrap(), Task::Help(&GOLDEN));
        assert!(parse_str("golden --force").is_err());
    }

    #[test]
    fn run_and_unknown_tasks() {
        assert_eq!(parse_str("run").unwrap(), Task::Run(RunArgs { arch: 2 }));
        assert_eq!(
            parse_str("run --arch 1").unwrap(),
            Task::Run(RunArgs { arch: 1 })
        );
        assert_eq!(
            parse_str("run --arch=3").unwrap_err().to_string(),
            "--arch `3`: expected 1 or 2"
        );
        assert!(parse_str("run --board x").is_err());
        let error = parse_str("build").unwrap_err();
        assert_eq!(error.exit_code(), 64);
        assert!(
            error
                .to_string()
                .contains("unknown task `build`; the tasks are ci, fuzz, golden, run")
        );
    }
}
