//! `cargo xtask`: the tasks of this workspace that are not plain cargo
//! (the CI suite, long fuzz runs, running the appliance). Run
//! `cargo xtask --help` for the list. This file only parses the command
//! line and dispatches; std only, so it builds fast before every CI run.

mod ci;
mod cmd;
mod error;
mod fuzz;
mod golden;
mod run;
mod setup;

use std::env;
use std::path::Path;
use std::process::ExitCode;

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
  help   print this message

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

Environment:
  XTASK_FUZZ_SECONDS   seconds per fuzz target in the fuzz stage (default 30)
";

const FUZZ_USAGE: &str = "\
Usage: cargo xtask fuzz [TARGET] [--seconds N]

Fuzzes TARGET (default: every target of every crates/*/fuzz project) with
cargo-fuzz on nightly, N seconds each (default 60). Installs nightly and
cargo-fuzz first if they are missing.
";

const GOLDEN_USAGE: &str = "\
Usage: cargo xtask golden [--bless]

Checks the GUI's golden images (crates/gui/tests/golden/, docs/screenshots/)
pixel for pixel. With --bless, re-renders every image that changed and
writes a diff image for each (changed pixels magenta) under target/tmp/golden/.
";

const RUN_USAGE: &str = "\
Usage: cargo xtask run [--arch 1|2]

Builds and starts the appliance on this machine: the supervisor applianced
on board/sim/arch2.toml (GUI, MOTION, LIGHT, LOG; --arch 1: without LOG),
simulated sensors playing board/sim/demo.scenario, the GUI on a headless
screen refreshed as target/appliance-sim/screen.png, logs under
target/appliance-sim/log/. Ctrl-C stops it cleanly.
";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    /// Print this text and exit successfully.
    Help(&'static str),
    Ci(CiArgs),
    Fuzz(FuzzArgs),
    Golden(GoldenArgs),
    Run(RunArgs),
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match parse(&args).and_then(dispatch) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn dispatch(task: Task) -> Result<ExitCode, Error> {
    match task {
        Task::Help(text) => {
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
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

fn parse(args: &[String]) -> Result<Task, Error> {
    let Some((task, rest)) = args.split_first() else {
        return Ok(Task::Help(USAGE));
    };
    let mut rest = rest.iter().map(String::as_str);
    match task.as_str() {
        "-h" | "--help" | "help" => Ok(Task::Help(USAGE)),
        "ci" => {
            let mut ci = CiArgs::default();
            while let Some(arg) = rest.next() {
                match arg {
                    "-h" | "--help" => return Ok(Task::Help(CI_USAGE)),
                    "--list" => ci.list = true,
                    _ => {
                        if let Some(stage) = value("--only", arg, &mut rest)? {
                            ci.only.push(stage);
                        } else if let Some(stage) = value("--skip", arg, &mut rest)? {
                            ci.skip.push(stage);
                        } else {
                            return Err(unexpected("ci", arg));
                        }
                    }
                }
            }
            Ok(Task::Ci(ci))
        }
        "fuzz" => {
            let mut fuzz = FuzzArgs {
                target: None,
                seconds: fuzz::LOCAL_SECONDS,
            };
            while let Some(arg) = rest.next() {
                if matches!(arg, "-h" | "--help") {
                    return Ok(Task::Help(FUZZ_USAGE));
                } else if let Some(seconds) = value("--seconds", arg, &mut rest)? {
                    fuzz.seconds = seconds.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                        Error::Usage(format!("--seconds {seconds}: not a positive whole number"))
                    })?;
                } else if !arg.starts_with('-') && fuzz.target.is_none() {
                    fuzz.target = Some(arg.to_owned());
                } else {
                    return Err(unexpected("fuzz", arg));
                }
            }
            Ok(Task::Fuzz(fuzz))
        }
        "golden" => {
            let mut golden = GoldenArgs::default();
            for arg in rest {
                match arg {
                    "-h" | "--help" => return Ok(Task::Help(GOLDEN_USAGE)),
                    "--bless" => golden.bless = true,
                    _ => return Err(unexpected("golden", arg)),
                }
            }
            Ok(Task::Golden(golden))
        }
        "run" => {
            let mut run = RunArgs::default();
            let mut rest = rest.peekable();
            while let Some(arg) = rest.next() {
                match arg {
                    "-h" | "--help" => return Ok(Task::Help(RUN_USAGE)),
                    "--arch" => {
                        run.arch = match rest.next() {
                            Some("1") => 1,
                            Some("2") => 2,
                            other => {
                                return Err(Error::Usage(format!(
                                    "run: --arch takes 1 or 2, got {}",
                                    other.unwrap_or("nothing")
                                )));
                            }
                        }
                    }
                    _ => return Err(unexpected("run", arg)),
                }
            }
            Ok(Task::Run(run))
        }
        other => Err(Error::Usage(format!(
            "unknown task `{other}`; the tasks are ci, fuzz, golden, run"
        ))),
    }
}

/// The value of option `name` if `arg` is that option, as `--name VALUE`
/// (taking the next argument) or `--name=VALUE`.
fn value<'a>(
    name: &str,
    arg: &str,
    rest: &mut impl Iterator<Item = &'a str>,
) -> Result<Option<String>, Error> {
    if arg == name {
        match rest.next() {
            Some(value) => Ok(Some(value.to_owned())),
            None => Err(Error::Usage(format!("{name} needs a value"))),
        }
    } else if let Some(value) = arg.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
        Ok(Some(value.to_owned()))
    } else {
        Ok(None)
    }
}

fn unexpected(task: &str, arg: &str) -> Error {
    Error::Usage(format!(
        "unexpected argument `{arg}` for `cargo xtask {task}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Task, Error> {
        parse(
            &line
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn help_without_arguments_or_when_asked() {
        for line in ["", "--help", "-h", "help"] {
            assert_eq!(parse_str(line).unwrap(), Task::Help(USAGE), "{line:?}");
        }
        assert_eq!(parse_str("ci --help").unwrap(), Task::Help(CI_USAGE));
        assert_eq!(parse_str("fuzz -h").unwrap(), Task::Help(FUZZ_USAGE));
        assert_eq!(parse_str("run --help").unwrap(), Task::Help(RUN_USAGE));
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
        assert_eq!(parse_str("golden -h").unwrap(), Task::Help(GOLDEN_USAGE));
        assert!(parse_str("golden --force").is_err());
    }

    #[test]
    fn run_and_unknown_tasks() {
        assert_eq!(parse_str("run").unwrap(), Task::Run(RunArgs { arch: 2 }));
        assert_eq!(
            parse_str("run --arch 1").unwrap(),
            Task::Run(RunArgs { arch: 1 })
        );
        assert!(parse_str("run --arch 3").is_err());
        assert!(parse_str("run --board x").is_err());
        let error = parse_str("build").unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(
            error
                .to_string()
                .contains("unknown task `build`; the tasks are ci, fuzz, golden, run")
        );
    }
}
