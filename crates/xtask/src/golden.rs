//! `cargo xtask golden [--bless]`: the GUI's golden images. Checking runs
//! the `gui` crate's golden test; `--bless` runs it with
//! `APPLIANCE_GOLDEN=bless`, which re-renders every image that changed
//! (in `crates/gui/tests/golden/` and `docs/screenshots/`) and writes a
//! diff image for each under `target/tmp/golden/`.

use crate::cmd::Cmd;
use crate::error::Error;

/// What `cargo xtask golden` was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct GoldenArgs {
    /// Re-render instead of checking.
    pub(crate) bless: bool,
}

/// The command that checks or blesses the golden images.
fn command(args: &GoldenArgs) -> Cmd {
    let cmd = Cmd::cargo(["test", "-p", "gui", "--test", "golden", "--", "--nocapture"]);
    if args.bless {
        cmd.env("APPLIANCE_GOLDEN", "bless")
    } else {
        cmd
    }
}

/// Runs the golden test, checking or blessing.
pub(crate) fn main(args: &GoldenArgs) -> Result<(), Error> {
    command(args).run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bless_sets_the_variable_the_test_reads() {
        let check = command(&GoldenArgs::default()).to_string();
        assert_eq!(check, "cargo test -p gui --test golden -- --nocapture");
        let bless = command(&GoldenArgs { bless: true }).to_string();
        assert_eq!(
            bless,
            "APPLIANCE_GOLDEN=bless cargo test -p gui --test golden -- --nocapture"
        );
    }
}
