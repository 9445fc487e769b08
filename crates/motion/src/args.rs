//! The command line, parsed by hand.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use board_io::Edge;
use sensors::mpu6050::Address;

/// The usage, printed by `--help`.
pub const HELP: &str = "\
usage: appliance-motion --rx FD --tx FD [--log-tx FD] --device DEVICE [OPTIONS]

The motion sensor process: reads an MPU-6050 IMU and sends IMU frames to
the GUI (and the logger); takes commands (CMD frames) from the GUI.
applianced starts it with the pipe ends named by fd number.

pipes:
  --rx FD              read end of the command pipe (from the GUI)
  --tx FD              write end of the sample pipe (to the GUI)
  --log-tx FD          write end of a second sample pipe (to the logger)

device:
  --device sim:SCENARIO  the simulated IMU, driven by a scenario file
  --device /dev/i2c-N    a real MPU-6050 on this I2C bus
  --address ADDR         its address: 0x68 (AD0 low, default) or 0x69
  --ready gpio:CHIP:LINE[:rising|falling]
                         data-ready from the INT pin on this GPIO line
                         (CHIP: /dev/gpiochipN or gpiochipN; default edge
                         rising); without it a timer at the sample rate

options:
  --rate HZ            samples per second, 1 to 1000 (default 100)
  --heartbeat-ms N     HB interval in milliseconds, 0 for none (default 1000)
  --name NAME          process name in frames (default motion)
  -h, --help           print this

commands (CMD op=...): hello, stats, rate hz=1..1000,
  range accel=2|4|8|16 gyro=250|500|1000|2000, cal (gyro bias, keep it
  still), selftest; gain is unsupported.

exit codes: 0 on SIGTERM or SIGINT; 64 for a bad argument or pipe end
(also: a scenario that does not parse); 69 when the device is absent or
not an MPU-6050 (also: a scenario that cannot be read, a GPIO line that
cannot be opened); 71 when a system resource fails; 74 for a pipe I/O error.
";

/// Where the IMU is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// `sim:PATH`: the simulated MPU-6050 running this scenario file.
    Sim(PathBuf),
    /// `/dev/i2c-N`: a real one on this bus.
    I2c(PathBuf),
}

/// `--ready gpio:CHIP:LINE[:EDGE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpioReady {
    /// The chip device, e.g. `/dev/gpiochip0`.
    pub chip: PathBuf,
    /// The line offset on the chip.
    pub line: u32,
    /// The edge that means a sample is ready.
    pub edge: Edge,
}

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `--rx FD`, as given (checked when taken).
    pub rx: String,
    /// `--tx FD`, as given.
    pub tx: String,
    /// `--log-tx FD`, as given.
    pub log_tx: Option<String>,
    /// `--device`.
    pub device: DeviceSpec,
    /// `--address`.
    pub address: Address,
    /// `--ready`; `None`: a timer at the sample rate.
    pub ready: Option<GpioReady>,
    /// `--rate`, 1..=1000.
    pub rate_hz: u16,
    /// `--heartbeat-ms`; `None` for 0.
    pub heartbeat: Option<Duration>,
    /// `--name`: a wire token.
    pub name: String,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// `--help`.
    Help,
    /// Run the process.
    Run(Config),
}

/// A command line that cannot run; each names the argument at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// An argument that is not a flag of this program.
    #[error("unknown argument `{0}` (--help lists them)")]
    Unknown(String),
    /// A flag at the end of argv without its value.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    /// An argument that is not valid UTF-8.
    #[error("argument {0:?} is not valid UTF-8")]
    NotUnicode(OsString),
    /// A value the flag does not take.
    #[error("{flag} `{value}`: expected {expected}")]
    BadValue {
        /// The flag.
        flag: &'static str,
        /// The value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A flag given twice.
    #[error("{0} given twice")]
    Twice(&'static str),
    /// A required flag is missing.
    #[error("{0} is required (--help shows the usage)")]
    Missing(&'static str),
}

/// The flags, as parsed so far.
#[derive(Default)]
struct Flags {
    rx: Option<String>,
    tx: Option<String>,
    log_tx: Option<String>,
    device: Option<DeviceSpec>,
    address: Option<Address>,
    ready: Option<GpioReady>,
    rate_hz: Option<u16>,
    heartbeat_ms: Option<u32>,
    name: Option<String>,
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let mut args = args.into_iter();
    let mut flags = Flags::default();
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(UsageError::NotUnicode)?;
        let mut value = |flag: &'static str| -> Result<String, UsageError> {
            args.next()
                .ok_or(UsageError::MissingValue(flag))?
                .into_string()
                .map_err(UsageError::NotUnicode)
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--rx" => set_once(&mut flags.rx, "--rx", value("--rx")?)?,
            "--tx" => set_once(&mut flags.tx, "--tx", value("--tx")?)?,
            "--log-tx" => set_once(&mut flags.log_tx, "--log-tx", value("--log-tx")?)?,
            "--device" => {
                let device = parse_device(value("--device")?)?;
                set_once(&mut flags.device, "--device", device)?;
            }
            "--address" => {
                let address = parse_address(value("--address")?)?;
                set_once(&mut flags.address, "--address", address)?;
            }
            "--ready" => {
                let ready = parse_ready(value("--ready")?)?;
                set_once(&mut flags.ready, "--ready", ready)?;
            }
            "--rate" => {
                let v = value("--rate")?;
                let expected = "a rate in Hz, 1 to 1000";
                let hz: u16 = number("--rate", &v, expected)?;
                if !(1..=1000).contains(&hz) {
                    return Err(bad("--rate", v, expected));
                }
                set_once(&mut flags.rate_hz, "--rate", hz)?;
            }
            "--heartbeat-ms" => {
                let v = value("--heartbeat-ms")?;
                let ms = number("--heartbeat-ms", &v, "milliseconds (0 for no heartbeat)")?;
                set_once(&mut flags.heartbeat_ms, "--heartbeat-ms", ms)?;
            }
            "--name" => {
                let name = value("--name")?;
                if wire::Token::new(&name).is_err() {
                    return Err(bad(
                        "--name",
                        name,
                        "a name of printable ASCII without spaces or `*`",
                    ));
                }
                set_once(&mut flags.name, "--name", name)?;
            }
            _ => return Err(UsageError::Unknown(arg)),
        }
    }
    Ok(Parsed::Run(Config {
        rx: flags.rx.ok_or(UsageError::Missing("--rx"))?,
        tx: flags.tx.ok_or(UsageError::Missing("--tx"))?,
        log_tx: flags.log_tx,
        device: flags.device.ok_or(UsageError::Missing("--device"))?,
        address: flags.address.unwrap_or_default(),
        ready: flags.ready,
        rate_hz: flags.rate_hz.unwrap_or(100),
        heartbeat: match flags.heartbeat_ms {
            Some(0) => None,
            Some(ms) => Some(Duration::from_millis(ms.into())),
            None => Some(Duration::from_secs(1)),
        },
        name: flags.name.unwrap_or_else(|| "motion".to_owned()),
    }))
}

fn set_once<T>(slot: &mut Option<T>, flag: &'static str, value: T) -> Result<(), UsageError> {
    if slot.is_some() {
        return Err(UsageError::Twice(flag));
    }
    *slot = Some(value);
    Ok(())
}

fn bad(flag: &'static str, value: impl Into<String>, expected: &'static str) -> UsageError {
    UsageError::BadValue {
        flag,
        value: value.into(),
        expected,
    }
}

/// A decimal number: digits only.
fn number<T: std::str::FromStr>(
    flag: &'static str,
    value: &str,
    expected: &'static str,
) -> Result<T, UsageError> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| value.parse().ok())
        .flatten()
        .ok_or_else(|| bad(flag, value, expected))
}

fn parse_device(value: String) -> Result<DeviceSpec, UsageError> {
    const EXPECTED: &str = "sim:SCENARIO_PATH or an I2C bus such as /dev/i2c-1";
    if let Some(path) = value.strip_prefix("sim:") {
        if path.is_empty() {
            return Err(bad("--device", value, EXPECTED));
        }
        return Ok(DeviceSpec::Sim(PathBuf::from(path)));
    }
    if value.starts_with('/') {
        return Ok(DeviceSpec::I2c(PathBuf::from(value)));
    }
    Err(bad("--device", value, EXPECTED))
}

fn parse_address(value: String) -> Result<Address, UsageError> {
    let expected = "0x68 (AD0 low) or 0x69 (AD0 high)";
    let number = match value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        Some(hex) => u8::from_str_radix(hex, 16).ok(),
        None => value.parse::<u8>().ok(),
    };
    number
        .and_then(|n| Address::try_from(n).ok())
        .ok_or_else(|| bad("--address", value, expected))
}

fn parse_ready(value: String) -> Result<GpioReady, UsageError> {
    const EXPECTED: &str =
        "gpio:CHIP:LINE or gpio:CHIP:LINE:rising|falling (e.g. gpio:gpiochip0:17)";
    let parsed = (|| {
        let rest = value.strip_prefix("gpio:")?;
        let mut parts = rest.split(':');
        let chip = parts.next().filter(|c| !c.is_empty())?;
        let line = parts.next()?;
        if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let line: u32 = line.parse().ok()?;
        let edge = match parts.next() {
            None | Some("rising") => Edge::Rising,
            Some("falling") => Edge::Falling,
            Some(_) => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        let chip = if chip.starts_with('/') {
            PathBuf::from(chip)
        } else {
            PathBuf::from("/dev").join(chip)
        };
        Some(GpioReady { chip, line, edge })
    })();
    parsed.ok_or_else(|| bad("--ready", value, EXPECTED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Parsed, UsageError> {
        parse(args.iter().map(OsString::from))
    }

    fn config(args: &[&str]) -> Config {
        match parse_strs(args) {
            Ok(Parsed::Run(config)) => config,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    const BASE: [&str; 6] = ["--rx", "3", "--tx", "4", "--device", "sim:demo.scenario"];

    fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = BASE.to_vec();
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn defaults() {
        let c = config(&BASE);
        assert_eq!(c.rx, "3");
        assert_eq!(c.tx, "4");
        assert_eq!(c.log_tx, None);
        assert_eq!(c.device, DeviceSpec::Sim("demo.scenario".into()));
        assert_eq!(c.address, Address::Ad0Low);
        assert_eq!(c.ready, None);
        assert_eq!(c.rate_hz, 100);
        assert_eq!(c.heartbeat, Some(Duration::from_secs(1)));
        assert_eq!(c.name, "motion");
    }

    #[test]
    fn every_setting() {
        let c = config(&[
            "--device",
            "/dev/i2c-1",
            "--address",
            "0x69",
            "--ready",
            "gpio:gpiochip0:17:falling",
            "--rate",
            "1000",
            "--heartbeat-ms",
            "0",
            "--name",
            "imu2",
            "--log-tx",
            "5",
            "--tx",
            "4",
            "--rx",
            "3",
        ]);
        assert_eq!(c.device, DeviceSpec::I2c("/dev/i2c-1".into()));
        assert_eq!(c.address, Address::Ad0High);
        assert_eq!(
            c.ready,
            Some(GpioReady {
                chip: "/dev/gpiochip0".into(),
                line: 17,
                edge: Edge::Falling
            })
        );
        assert_eq!((c.rate_hz, c.heartbeat), (1000, None));
        assert_eq!((c.name.as_str(), c.log_tx.as_deref()), ("imu2", Some("5")));
        let c = config(&with(&[
            "--ready",
            "gpio:/dev/gpiochip1:4",
            "--address",
            "104",
        ]));
        assert_eq!(
            c.ready.map(|r| (r.chip, r.edge)),
            Some(("/dev/gpiochip1".into(), Edge::Rising))
        );
        assert_eq!(c.address, Address::Ad0Low);
    }

    #[test]
    fn bad_arguments_are_named() {
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (with(&["--bogus"]), "unknown argument `--bogus`"),
            (
                with(&["--rate", "0"]),
                "--rate `0`: expected a rate in Hz, 1 to 1000",
            ),
            (
                with(&["--rate", "1001"]),
                "--rate `1001`: expected a rate in Hz, 1 to 1000",
            ),
            (with(&["--rate", "+5"]), "--rate `+5`"),
            (
                with(&["--address", "0x20"]),
                "--address `0x20`: expected 0x68 (AD0 low) or 0x69",
            ),
            (with(&["--ready", "gpio:chip"]), "--ready `gpio:chip`"),
            (
                with(&["--ready", "gpio:chip:1:up"]),
                "--ready `gpio:chip:1:up`",
            ),
            (with(&["--name", "a b"]), "--name `a b`"),
            (with(&["--rx", "5"]), "--rx given twice"),
            (with(&["--heartbeat-ms"]), "--heartbeat-ms needs a value"),
            (vec!["--rx", "3", "--tx", "4"], "--device is required"),
            (vec!["--tx", "4", "--device", "sim:x"], "--rx is required"),
            (
                vec!["--rx", "3", "--tx", "4", "--device", "i2c-1"],
                "--device `i2c-1`",
            ),
            (
                vec!["--rx", "3", "--tx", "4", "--device", "sim:"],
                "--device `sim:`",
            ),
        ];
        for (args, said) in cases {
            let e = parse_strs(&args).expect_err("usage error");
            assert!(e.to_string().contains(said), "{args:?}: {e}");
        }
    }

    #[test]
    fn help_ends_parsing_where_it_stands() {
        assert_eq!(
            parse_strs(&["--rate", "0", "--help"]),
            Err(UsageError::BadValue {
                flag: "--rate",
                value: "0".into(),
                expected: "a rate in Hz, 1 to 1000"
            })
        );
        assert_eq!(parse_strs(&["-h", "--rate", "0"]), Ok(Parsed::Help));
    }
}
