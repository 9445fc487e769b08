//! `appliance-light`: parses argv and runs the light process; see the
//! `light` library for the arguments and exit codes.

use std::ops::ControlFlow;
use std::process::ExitCode;

use light::{Options, SPEC, run};

fn main() -> ExitCode {
    match SPEC.parse_or_answer(std::env::args_os().skip(1), Options::from_args) {
        ControlFlow::Continue(options) => ExitCode::from(run(&options)),
        ControlFlow::Break(code) => ExitCode::from(code),
    }
}
