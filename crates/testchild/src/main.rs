//! `appliance-testchild`: reads argv and runs the script it gives; see the
//! `testchild` library for the arguments.

use std::process::ExitCode;

use std::ffi::OsString;

use testchild::{ARGS_ENV, EXIT_USAGE, Parsed, parse, print_help, report_usage, run};

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    // Supervisors start `./run` with no arguments (runsv) or the service
    // directory (s6-supervise): the variable, when set, replaces argv.
    if let Some(from_env) = std::env::var_os(ARGS_ENV) {
        args = from_env
            .to_string_lossy()
            .split_ascii_whitespace()
            .map(OsString::from)
            .collect();
    }
    match parse(args) {
        Ok(Parsed::Help) => {
            print_help();
            ExitCode::SUCCESS
        }
        Ok(Parsed::Run(config)) => ExitCode::from(run(&config)),
        Err(e) => {
            report_usage(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}
