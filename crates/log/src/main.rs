//! `appliance-log`: reads argv and runs the logger; see the
//! `appliance_log` library for what it does.

use std::process::ExitCode;

use appliance_log::{EXIT_USAGE, HELP, Parsed, parse, report, run};

fn main() -> ExitCode {
    match parse(std::env::args_os().skip(1)) {
        Ok(Parsed::Help) => {
            use std::io::Write;
            // A closed stdout is the reader's choice; nothing to report.
            let _ = std::io::stdout().lock().write_all(HELP.as_bytes());
            ExitCode::SUCCESS
        }
        Ok(Parsed::Run(config)) => ExitCode::from(run(&config)),
        Err(e) => {
            report(format_args!("{e}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}
