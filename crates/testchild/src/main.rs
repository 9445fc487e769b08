//! `appliance-testchild`: reads argv and runs the script it gives; see the
//! `testchild` library for the arguments.

use std::ffi::OsString;
use std::ops::ControlFlow;
use std::process::ExitCode;

use testchild::{ARGS_ENV, Config, SPEC, run};

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
    match SPEC.parse_or_answer(args, Config::from_args) {
        ControlFlow::Continue(config) => ExitCode::from(run(&config)),
        ControlFlow::Break(code) => ExitCode::from(code),
    }
}
