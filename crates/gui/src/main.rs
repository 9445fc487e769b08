//! `appliance-gui`: the appliance's controller and dashboard; see the
//! `gui` library for what it does and `--help` for its arguments.

use std::process::ExitCode;

use gui::args::{HELP, Parsed, parse};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match parse(args) {
        Ok(Parsed::Help) => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        // A stop signal is the normal end: exit 0.
        Ok(Parsed::Run(options)) => match gui::run::run(&options) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("appliance-gui: {e}");
                ExitCode::from(e.exit_code())
            }
        },
        Err(e) => {
            eprintln!("appliance-gui: {e}");
            ExitCode::from(64)
        }
    }
}
