//! `cargo xtask run`: build and start the appliance on this machine
//! (the supervisor `applianced` with the simulated board in `board/sim/`).
//! The GUI and LOG processes do not exist yet, so for now this says what is
//! missing and what can be run instead; the issue that adds the simulated
//! board (issue 7) replaces [`main`].

use std::process::ExitCode;

use crate::error::Error;

/// What `cargo xtask run` prints until the appliance exists.
const NOT_YET: &str = "\
cargo xtask run: the appliance cannot run yet; these parts are not built:
  - the GUI process on a headless framebuffer (issue 6)
  - the LOG process and the simulated board's topologies (issue 7)

What exists now:
  applianced, the supervisor:
    cargo run -p applianced -- --config crates/applianced/tests/fixtures/good.toml --check
  appliance-motion and appliance-light on the simulated board (see README.md,
    section 'The sensors'); cargo test -p system-tests runs both under applianced
  cargo xtask ci                                 the whole test suite (`cargo xtask ci --list`)
  cargo xtask fuzz                               fuzz the wire protocol decoder for longer
  cargo run -p wire --bin wire-dump -- FILE      decode a file of wire frames and print them
";

/// Runs the appliance; today, explains why it cannot and exits with 2.
pub(crate) fn main() -> Result<ExitCode, Error> {
    eprint!("{NOT_YET}");
    Ok(ExitCode::from(2))
}
