//! `appliance-log`: reads argv and runs the logger; see the
//! `appliance_log` library for what it does.

use std::ops::ControlFlow;
use std::process::ExitCode;

use appliance_log::{Config, SPEC, run};

fn main() -> ExitCode {
    match SPEC.parse_or_answer(std::env::args_os().skip(1), Config::from_args) {
        ControlFlow::Continue(config) => ExitCode::from(run(&config)),
        ControlFlow::Break(code) => ExitCode::from(code),
    }
}
