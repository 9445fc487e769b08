//! `applianced`: the appliance's supervisor. This file only reads the
//! command line; the work is in the library.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use applianced::supervise::Supervisor;
use applianced::topology::Topology;

/// `sysexits.h`: the command line is wrong.
const EX_USAGE: u8 = 64;
/// `sysexits.h`: a system call failed.
const EX_OSERR: u8 = 71;
/// `sysexits.h`: an output error.
const EX_IOERR: u8 = 74;
/// `sysexits.h`: the configuration is wrong.
const EX_CONFIG: u8 = 78;

const USAGE: &str = "\
usage: applianced --config FILE [--check]

Starts the appliance's processes as the topology FILE describes, connects
them with pipes and restarts them when they end.

  --config FILE   the topology (TOML; see docs/topology.md)
  --check         check the topology, print it resolved (fd numbers
                  included) and exit: 0 if it is valid, 78 if not
  -h, --help      print this and exit
";

/// What the command line asks for.
enum Command {
    Help,
    Check(PathBuf),
    Run(PathBuf),
}

fn main() -> ExitCode {
    let command = match parse_args(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(problem) => {
            say(&format!("applianced: {problem}\n{USAGE}"));
            return ExitCode::from(EX_USAGE);
        }
    };
    match command {
        Command::Help => match io::stdout().lock().write_all(USAGE.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(EX_IOERR),
        },
        Command::Check(path) => check(&path),
        Command::Run(path) => {
            let code = run(&path);
            if applianced::pid1::is_pid_1() {
                // PID 1 never exits (the kernel would panic): the appliance
                // is over, so power off.
                applianced::pid1::power_off(code);
            }
            code
        }
    }
}

/// Runs the topology at `path` until it is stopped.
fn run(path: &std::path::Path) -> ExitCode {
    let topology = match Topology::load(path) {
        Ok(t) => t,
        Err(e) => {
            say(&e.to_string());
            return ExitCode::from(EX_CONFIG);
        }
    };
    match Supervisor::new(topology).and_then(Supervisor::run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&format!("applianced: {e}"));
            ExitCode::from(EX_OSERR)
        }
    }
}

/// `--check`: print the resolved topology, or every problem.
fn check(path: &std::path::Path) -> ExitCode {
    match Topology::load(path) {
        Ok(topology) => {
            let text = topology.to_string();
            match io::stdout().lock().write_all(text.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    say(&format!("applianced: cannot write to stdout: {e}"));
                    ExitCode::from(EX_IOERR)
                }
            }
        }
        Err(e) => {
            say(&e.to_string());
            ExitCode::from(EX_CONFIG)
        }
    }
}

/// Writes a line to stderr. Errors are ignored: there is nowhere left to
/// report them (and `eprintln!` would panic, which aborts here).
fn say(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// Reads `--config FILE` / `--config=FILE`, `--check`, `--help`.
fn parse_args(args: impl Iterator<Item = std::ffi::OsString>) -> Result<Command, String> {
    let mut config = None;
    let mut check = false;
    let mut args = args;
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(format!("unknown argument {}", arg.to_string_lossy()));
        };
        match text {
            "-h" | "--help" => return Ok(Command::Help),
            "--check" => check = true,
            "--config" => match args.next() {
                Some(file) => config = Some(PathBuf::from(file)),
                None => return Err("--config needs a FILE".to_owned()),
            },
            _ => match text.strip_prefix("--config=") {
                Some(file) if !file.is_empty() => config = Some(PathBuf::from(file)),
                Some(_) => return Err("--config needs a FILE".to_owned()),
                None => return Err(format!("unknown argument `{text}`")),
            },
        }
    }
    let config = config.ok_or("--config FILE is required")?;
    Ok(if check {
        Command::Check(config)
    } else {
        Command::Run(config)
    })
}
