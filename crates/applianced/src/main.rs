//! `applianced`: the appliance's supervisor. This file only reads the
//! command line; the work is in the library.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use applianced::supervise::Supervisor;
use applianced::topology::Topology;
use cli::exit::{EX_CONFIG, EX_IOERR, EX_OSERR, EX_USAGE};
use cli::{Args, Command, Flag, Spec, UsageError};

const USAGE: &str = "\
usage: applianced --config FILE [--check]

Starts the appliance's processes as the topology FILE describes, connects
them with pipes and restarts them when they end.

  --config FILE   the topology (TOML; see docs/topology.md)
  --check         check the topology, print it resolved (fd numbers
                  included) and exit: 0 if it is valid, 78 if not
  -h, --help      print this and exit
  --version       print the name and version and exit
";

static SPEC: Spec = Spec::new(
    "applianced",
    env!("CARGO_PKG_VERSION"),
    USAGE,
    &[Flag::value("--config"), Flag::switch("--check")],
);

/// What the command line asks for.
struct Options {
    /// `--config FILE`.
    config: PathBuf,
    /// `--check`: check and print the topology, do not run it.
    check: bool,
}

impl Options {
    fn from_args(args: &Args) -> Result<Options, UsageError> {
        Ok(Options {
            config: args.required("--config")?.path()?,
            check: args.switch("--check"),
        })
    }
}

fn main() -> ExitCode {
    let options = match command_line() {
        Ok(options) => options,
        Err(code) => return code,
    };
    let topology = match Topology::load(&options.config) {
        Ok(topology) => topology,
        Err(e) => {
            cli::say(&e);
            return ExitCode::from(EX_CONFIG);
        }
    };
    if options.check {
        return check(&topology);
    }
    let code = run(topology);
    if applianced::pid1::is_pid_1() {
        // PID 1 never exits (the kernel would panic): the appliance is
        // over, so power off.
        applianced::pid1::power_off(code);
    }
    code
}

/// Reads the command line; answers `--help`, `--version` and usage
/// errors itself (the exit code).
#[inline(never)]
fn command_line() -> Result<Options, ExitCode> {
    match SPEC.parse(std::env::args_os().skip(1), Options::from_args) {
        Ok(Command::Run(options)) => Ok(options),
        Ok(other) => Err(ExitCode::from(SPEC.answer(&other))),
        Err(problem) => {
            SPEC.report(&format_args!("{problem}\n{USAGE}"));
            Err(ExitCode::from(EX_USAGE))
        }
    }
}

/// Runs `topology` until it is stopped.
fn run(topology: Topology) -> ExitCode {
    match Supervisor::new(topology).and_then(Supervisor::run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            SPEC.report(&e);
            ExitCode::from(EX_OSERR)
        }
    }
}

/// `--check`: prints the resolved topology.
fn check(topology: &Topology) -> ExitCode {
    let text = topology.to_string();
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            SPEC.report(&format_args!("cannot write to stdout: {e}"));
            ExitCode::from(EX_IOERR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> Result<Command<(PathBuf, bool)>, UsageError> {
        SPEC.parse(argv.iter().map(Into::into), |args| {
            Options::from_args(args).map(|o| (o.config, o.check))
        })
    }

    #[test]
    fn the_command_line() {
        assert!(SPEC.problems().is_empty(), "{:?}", SPEC.problems());
        let run = |argv| parse(argv).ok().and_then(Command::run);
        assert_eq!(run(&["--config", "t.toml"]), Some(("t.toml".into(), false)));
        assert_eq!(
            run(&["--check", "--config=t.toml"]),
            Some(("t.toml".into(), true))
        );
        assert_eq!(parse(&["--check"]), Err(UsageError::Required("--config")));
        assert_eq!(
            parse(&["--config="]).unwrap_err().to_string(),
            "--config ``: expected a path"
        );
        assert_eq!(
            parse(&["--check", "--check"]),
            Err(UsageError::Twice("--check"))
        );
        assert_eq!(
            parse(&["--config", "t.toml", "--version"]),
            Ok(Command::Version)
        );
    }
}
