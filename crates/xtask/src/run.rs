//! `cargo xtask run`: build and start the appliance on this machine
//! (the supervisor `applianced` with the simulated board in `board/sim/`).
//! None of that exists yet, so for now this says what is missing and what
//! can be run instead; the issue that adds `applianced` replaces [`main`].

use std::path::Path;
use std::process::ExitCode;

use crate::error::Error;

/// What `cargo xtask run` prints until the appliance exists.
const NOT_YET: &str = "\
cargo xtask run: the appliance cannot run yet; these parts are not built:
  - applianced, the supervisor that starts the processes and connects their pipes (issue 4)
  - the motion and light sensor processes (issue 5)
  - the GUI process on a headless framebuffer (issue 6)
  - the LOG process and the simulated board in board/sim/ (issue 7)

What exists now:
  cargo xtask ci                                 the whole test suite (`cargo xtask ci --list`)
  cargo xtask fuzz                               fuzz the wire protocol decoder for longer
  cargo run -p wire --bin wire-dump -- FILE      decode a file of wire frames and print them
";

/// Runs the appliance; today, explains why it cannot and exits with 2.
pub(crate) fn main() -> Result<ExitCode, Error> {
    if Path::new("crates/applianced").is_dir() {
        eprintln!(
            "cargo xtask run: crates/applianced exists but is not started from here yet; \
             wire it up in crates/xtask/src/run.rs"
        );
    } else {
        eprint!("{NOT_YET}");
    }
    Ok(ExitCode::from(2))
}
