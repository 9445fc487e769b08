//! The command line of `appliance-gui`: its flags and their values.

use std::ffi::OsString;

use cli::{Args, Command, Flag, Spec, UsageError, Value};
use embedded_graphics::prelude::Size;

use crate::display::DisplaySpec;

/// The program name, at the start of every diagnostic.
pub const PROGRAM: &str = "appliance-gui";

/// The usage text.
pub const HELP: &str = "\
Usage: appliance-gui [OPTIONS]

The appliance's controller and dashboard. Reads frames from the sensors and
applianced on --rx, sends them commands on --tx-motion and --tx-light, and
draws three pages (motion, light, health) on the display.

Options:
  --rx FD               read end of the pipe from motion, light and applianced
  --tx-motion FD        write end of the pipe to motion
  --tx-light FD         write end of the pipe to light
  --display SPEC        fb:/dev/fb0[:tty=/dev/tty1] (default fb:/dev/fb0), or
                        headless:PATH.png (a PNG refreshed atomically)
  --size WxH            headless screen size, each 16 to 8192 (default 800x480)
  --fps N               at most N redraws a second, 1 to 240 (default 30)
  --png-every-ms N      headless: at most one PNG write per N ms, 0 to
                        3600000 (default 500)
  --stale-ms N          a sensor silent this long is stale, 1 to 3600000
                        (default 2000)
  --stats-every-ms N    ask the sensors for STATS this often while one is
                        alive, 1 to 86400000 (default 10000)
  -h, --help            print this text
  --version             print the name and version

Gestures: shake = calibrate the IMU, double tap or tilt right = next page,
tilt left = previous page, wave = dim/undim.
";

/// The command line.
pub static SPEC: Spec = Spec::new(PROGRAM, env!("CARGO_PKG_VERSION"), HELP, &FLAGS);

/// The flags.
const FLAGS: [Flag; 9] = [
    Flag::value("--rx"),
    Flag::value("--tx-motion"),
    Flag::value("--tx-light"),
    Flag::value("--display"),
    Flag::value("--size"),
    Flag::value("--fps"),
    Flag::value("--png-every-ms"),
    Flag::value("--stale-ms"),
    Flag::value("--stats-every-ms"),
];

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--rx FD`.
    pub rx: Option<String>,
    /// `--tx-motion FD`.
    pub tx_motion: Option<String>,
    /// `--tx-light FD`.
    pub tx_light: Option<String>,
    /// `--display SPEC`.
    pub display: DisplaySpec,
    /// `--size WxH`.
    pub size: Size,
    /// `--fps N`.
    pub fps: u32,
    /// `--png-every-ms N`.
    pub png_every_ms: u64,
    /// `--stale-ms N`.
    pub stale_ms: u64,
    /// `--stats-every-ms N`.
    pub stats_every_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rx: None,
            tx_motion: None,
            tx_light: None,
            display: DisplaySpec::Framebuffer {
                device: "/dev/fb0".into(),
                tty: None,
            },
            size: Size::new(800, 480),
            fps: 30,
            png_every_ms: 500,
            stale_ms: 2_000,
            stats_every_ms: 10_000,
        }
    }
}

impl Options {
    /// The options from the lexed command line.
    pub fn from_args(args: &Args) -> Result<Options, UsageError> {
        let default = Options::default();
        Ok(Options {
            rx: args.fd("--rx")?,
            tx_motion: args.fd("--tx-motion")?,
            tx_light: args.fd("--tx-light")?,
            display: args.parse("--display")?.unwrap_or(default.display),
            size: args
                .get("--size")
                .map(size)
                .transpose()?
                .unwrap_or(default.size),
            fps: args
                .number("--fps", 1..=240, "redraws a second")?
                .unwrap_or(default.fps),
            png_every_ms: args
                .number("--png-every-ms", 0..=3_600_000, "milliseconds")?
                .unwrap_or(default.png_every_ms),
            stale_ms: args
                .number("--stale-ms", 1..=3_600_000, "milliseconds")?
                .unwrap_or(default.stale_ms),
            stats_every_ms: args
                .number("--stats-every-ms", 1..=86_400_000, "milliseconds")?
                .unwrap_or(default.stats_every_ms),
        })
    }
}

/// Parses the arguments (without the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command<Options>, UsageError> {
    SPEC.parse(args, Options::from_args)
}

/// `WIDTHxHEIGHT`, each 16 to 8192, digits only.
fn size(value: Value<'_>) -> Result<Size, UsageError> {
    let side = |digits: &str| {
        let n = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u32>().ok())
            .flatten()?;
        (16..=8192).contains(&n).then_some(n)
    };
    value
        .text()?
        .split_once('x')
        .and_then(|(w, h)| Some(Size::new(side(w)?, side(h)?)))
        .ok_or_else(|| value.bad("WIDTHxHEIGHT, each 16 to 8192, e.g. 800x480"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::to_run;

    fn argv(line: &str) -> Vec<OsString> {
        test_support::argv(&line.split_whitespace().collect::<Vec<_>>())
    }

    fn run(line: &str) -> Result<Options, UsageError> {
        to_run(parse(argv(line)))
    }

    #[test]
    fn the_topology_s_command_line_parses() {
        let o = run("--rx 3 --tx-motion 4 --tx-light 5").unwrap();
        assert_eq!(o.rx.as_deref(), Some("3"));
        assert_eq!(o.tx_motion.as_deref(), Some("4"));
        assert_eq!(o.tx_light.as_deref(), Some("5"));
        assert_eq!(o.fps, 30);
        assert_eq!(o.display, Options::default().display);
    }

    #[test]
    fn every_option_and_both_value_forms() {
        let o = run("--display=headless:/tmp/x.png --size 320x240 --fps=10 --png-every-ms 0 --stale-ms 300 --stats-every-ms 250").unwrap();
        assert_eq!(
            o.display,
            DisplaySpec::Headless {
                path: "/tmp/x.png".into()
            }
        );
        assert_eq!(o.size, Size::new(320, 240));
        assert_eq!(
            (o.fps, o.png_every_ms, o.stale_ms, o.stats_every_ms),
            (10, 0, 300, 250)
        );
        assert_eq!(parse(argv("--rx 3 -h")).unwrap(), Command::Help);
        assert_eq!(parse(argv("--fps 0 --version")).unwrap(), Command::Version);
        assert_eq!(SPEC.problems(), Vec::<String>::new());
    }

    #[test]
    fn bad_values_say_what_is_wanted() {
        for (line, want) in [
            ("--fps 0", "--fps `0`: expected redraws a second, 1..=240"),
            ("--fps x", "--fps `x`"),
            ("--size 800", "WIDTHxHEIGHT"),
            ("--size 8x8", "16 to 8192"),
            ("--size +800x480", "--size `+800x480`"),
            ("--rx", "--rx needs a value"),
            ("--rx 3 --rx=4", "--rx given twice"),
            ("--display vnc", "--display `vnc`: `vnc` is not a display"),
            ("--frobnicate", "unknown argument `--frobnicate`"),
        ] {
            let e = run(line).unwrap_err().to_string();
            assert!(e.contains(want), "{line}: {e}");
        }
    }
}
