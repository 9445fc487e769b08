//! `appliance-motion`: reads argv and runs the process; see the `motion`
//! library for the arguments.

use std::ops::ControlFlow;
use std::process::ExitCode;

use motion::{Config, SPEC, run};

fn main() -> ExitCode {
    match SPEC.parse_or_answer(std::env::args_os().skip(1), Config::from_args) {
        ControlFlow::Continue(config) => ExitCode::from(run(&config)),
        ControlFlow::Break(code) => ExitCode::from(code),
    }
}
