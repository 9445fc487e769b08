//! `appliance-motion`: reads argv and runs the process; see the `motion`
//! library for the arguments.

use std::io::Write as _;
use std::process::ExitCode;

use motion::{EXIT_USAGE, HELP, PROGRAM, Parsed, parse, run};

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1)) {
        Ok(Parsed::Help) => {
            // A closed stdout is the reader's choice.
            let _ = std::io::stdout().lock().write_all(HELP.as_bytes());
            ExitCode::SUCCESS
        }
        Ok(Parsed::Run(config)) => ExitCode::from(run(&config)),
        Err(e) => {
            let line = format!("{PROGRAM}: {e}\n");
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
            ExitCode::from(EXIT_USAGE)
        }
    }
}
