//! `appliance-light`: parses argv and runs the light process; see the
//! `light` library for the arguments and exit codes.

use std::io::Write as _;
use std::process::ExitCode;

use light::{EXIT_USAGE, HELP, Parsed, parse, report, run};

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1)) {
        Ok(Parsed::Help) => {
            // A closed stdout is the reader's choice: nothing to report.
            let _ = std::io::stdout().lock().write_all(HELP.as_bytes());
            ExitCode::SUCCESS
        }
        Ok(Parsed::Run(options)) => ExitCode::from(run(&options)),
        Err(e) => {
            report(format_args!("{e}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}
