//! The command line of `appliance-gui` (hand-parsed: a parser crate would
//! cost ~185 KB on the board for a dozen flags).

use embedded_graphics::prelude::Size;

use crate::display::DisplaySpec;

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
  --size WxH            headless screen size (default 800x480)
  --fps N               at most N redraws a second (default 30)
  --png-every-ms N      headless: at most one PNG write per N ms (default 500)
  --stale-ms N          a sensor silent this long is stale (default 2000)
  --stats-every-ms N    ask the sensors for STATS this often while one is
                        alive (default 10000)
  -h, --help            print this text

Gestures: shake = calibrate the IMU, double tap or tilt right = next page,
tilt left = previous page, wave = dim/undim.
";

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

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Print [`HELP`].
    Help,
    /// Run with these options.
    Run(Options),
}

/// A command line that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} (see --help)")]
pub struct UsageError(pub String);

/// Parses the arguments (without the program name).
pub fn parse<I, S>(args: I) -> Result<Parsed, UsageError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let args: Vec<String> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        if matches!(flag, "-h" | "--help") {
            return Ok(Parsed::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| UsageError(format!("{flag} needs a value")))
        };
        match flag {
            "--rx" => o.rx = Some(value()?),
            "--tx-motion" => o.tx_motion = Some(value()?),
            "--tx-light" => o.tx_light = Some(value()?),
            "--display" => {
                let v = value()?;
                o.display =
                    DisplaySpec::parse(&v).map_err(|e| UsageError(format!("--display: {e}")))?;
            }
            "--size" => o.size = size(flag, &value()?)?,
            "--fps" => o.fps = number(flag, &value()?, 1, 240)? as u32,
            "--png-every-ms" => o.png_every_ms = number(flag, &value()?, 0, 3_600_000)?,
            "--stale-ms" => o.stale_ms = number(flag, &value()?, 1, 3_600_000)?,
            "--stats-every-ms" => o.stats_every_ms = number(flag, &value()?, 1, 86_400_000)?,
            _ => return Err(UsageError(format!("unknown argument `{arg}`"))),
        }
    }
    Ok(Parsed::Run(o))
}

fn number(flag: &str, v: &str, min: u64, max: u64) -> Result<u64, UsageError> {
    v.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            UsageError(format!(
                "{flag} {v}: want a whole number from {min} to {max}"
            ))
        })
}

fn size(flag: &str, v: &str) -> Result<Size, UsageError> {
    let bad = || {
        UsageError(format!(
            "{flag} {v}: want WIDTHxHEIGHT, each 16 to 8192, e.g. 800x480"
        ))
    };
    let (w, h) = v.split_once('x').ok_or_else(bad)?;
    let (w, h) = (
        w.parse::<u32>().map_err(|_| bad())?,
        h.parse::<u32>().map_err(|_| bad())?,
    );
    if !(16..=8192).contains(&w) || !(16..=8192).contains(&h) {
        return Err(bad());
    }
    Ok(Size::new(w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Result<Options, UsageError> {
        match parse(line.split_whitespace())? {
            Parsed::Run(o) => Ok(o),
            Parsed::Help => panic!("help"),
        }
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
        assert_eq!(parse(["--rx", "3", "-h"]).unwrap(), Parsed::Help);
    }

    #[test]
    fn bad_values_say_what_is_wanted() {
        for (line, want) in [
            ("--fps 0", "from 1 to 240"),
            ("--fps x", "whole number"),
            ("--size 800", "WIDTHxHEIGHT"),
            ("--size 8x8", "16 to 8192"),
            ("--rx", "--rx needs a value"),
            ("--display vnc", "--display: `vnc` is not a display"),
            ("--frobnicate", "unknown argument `--frobnicate`"),
        ] {
            let e = run(line).unwrap_err().to_string();
            assert!(e.contains(want), "{line}: {e}");
        }
    }
}
