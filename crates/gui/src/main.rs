//! `appliance-gui`: the appliance's controller and dashboard; see the
//! `gui` library for what it does and `--help` for its arguments.

use std::ops::ControlFlow;
use std::process::ExitCode;

use gui::args::{Options, SPEC};

fn main() -> ExitCode {
    let options = match SPEC.parse_or_answer(std::env::args_os().skip(1), Options::from_args) {
        ControlFlow::Continue(options) => options,
        ControlFlow::Break(code) => return ExitCode::from(code),
    };
    // A stop signal is the normal end: exit 0.
    match gui::run::run(&options) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            SPEC.report(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
