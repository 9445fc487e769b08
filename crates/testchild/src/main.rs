//! `appliance-testchild`: reads argv and runs the script it gives; see the
//! `testchild` library for the arguments.

use std::process::ExitCode;

use testchild::{EXIT_USAGE, Parsed, parse, print_help, report_usage, run};

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1)) {
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
