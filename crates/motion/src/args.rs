//! The command line: the flags of `appliance-motion` and the checks
//! of their values.

use std::ffi::OsString;
use std::time::Duration;

use board_io::{Edge, GpioLine};
use cli::{Args, Command, Flag, Spec, UsageError};
use sensor_node::DeviceSpec;
use sensors::mpu6050::Address;

use crate::PROGRAM;

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
                         (CHIP: gpiochipN or a /dev/ path; LINE: digits;
                         default edge rising); without it a timer at the
                         sample rate

options:
  --rate HZ            samples per second, 1 to 1000 (default 100)
  --heartbeat-ms N     HB interval in milliseconds, 1 to 3600000, or 0 for
                       no heartbeat (default 1000)
  --name NAME          process name in frames (default motion)
  -h, --help           print this
  --version            print the name and version

commands (CMD op=...): hello, stats, rate hz=1..1000,
  range accel=2|4|8|16 gyro=250|500|1000|2000, cal (gyro bias, keep it
  still), selftest; gain is unsupported.

exit codes: 0 on SIGTERM or SIGINT; 64 for a bad argument or pipe end
(also: a scenario that does not parse); 69 when the device is absent or
not an MPU-6050 (also: a scenario that cannot be read, a GPIO line that
cannot be opened); 71 when a system resource fails; 74 for a pipe I/O error.
";

/// The command line: the sensor processes' flags and `--log-tx` (a
/// second output, to the logger).
pub static SPEC: Spec = Spec::new(PROGRAM, env!("CARGO_PKG_VERSION"), HELP, &FLAGS);

const FLAGS: [Flag; 9] = cli::join(&sensor_node::FLAGS, &[Flag::value("--log-tx")]);

/// The edge of the INT pin when `--ready` names none: the MPU-6050's
/// interrupt is active high.
pub const READY_EDGE: Edge = Edge::Rising;

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
    /// `--ready`; `None`: a timer at the sample rate. Without an edge,
    /// [`READY_EDGE`].
    pub ready: Option<GpioLine>,
    /// `--rate`, 1..=1000.
    pub rate_hz: u16,
    /// `--heartbeat-ms`; `None` for 0.
    pub heartbeat: Option<Duration>,
    /// `--name`: a wire token.
    pub name: String,
}

impl Config {
    /// The configuration from the lexed command line.
    pub fn from_args(args: &Args) -> Result<Config, UsageError> {
        Ok(Config {
            rx: args.required("--rx")?.fd()?,
            tx: args.required("--tx")?.fd()?,
            log_tx: args.fd("--log-tx")?,
            device: args.required("--device")?.parse()?,
            address: match args.get("--address") {
                None => Address::default(),
                Some(value) => {
                    let expected = "0x68 (AD0 low) or 0x69 (AD0 high)";
                    let byte = value.byte(expected)?;
                    Address::try_from(byte).map_err(|_| value.bad(expected))?
                }
            },
            ready: args.parse("--ready")?,
            rate_hz: args
                .number("--rate", 1..=1000, "a rate in Hz")?
                .unwrap_or(100),
            heartbeat: sensor_node::heartbeat(args)?,
            name: args
                .checked_text("--name", wire::Token::RULE, |n| wire::Token::new(n).is_ok())?
                .unwrap_or("motion")
                .to_owned(),
        })
    }
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command<Config>, UsageError> {
    SPEC.parse(args, Config::from_args)
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::{argv, to_run};

    fn config(args: &[&str]) -> Config {
        to_run(parse(argv(args))).unwrap_or_else(|e| panic!("{args:?}: {e}"))
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
            Some(GpioLine {
                chip: "/dev/gpiochip0".into(),
                line: 17,
                edge: Some(Edge::Falling)
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
            c.ready.map(|r| (r.chip.clone(), r.edge_or(READY_EDGE))),
            Some(("/dev/gpiochip1".into(), Edge::Rising))
        );
        assert_eq!(c.address, Address::Ad0Low);
        let c = config(&with(&["--heartbeat-ms=250", "--address=0X69"]));
        assert_eq!(c.heartbeat, Some(Duration::from_millis(250)));
        assert_eq!(c.address, Address::Ad0High);
    }

    #[test]
    fn the_spec_and_its_help_agree() {
        assert_eq!(SPEC.problems(), Vec::<String>::new());
        assert_eq!(parse(argv(&["--version"])), Ok(Command::Version));
    }

    #[test]
    fn bad_arguments_are_named() {
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (with(&["--bogus"]), "unknown argument `--bogus`"),
            (
                with(&["--rate", "0"]),
                "--rate `0`: expected a rate in Hz, 1..=1000",
            ),
            (
                with(&["--rate", "1001"]),
                "--rate `1001`: expected a rate in Hz, 1..=1000",
            ),
            (
                with(&["--heartbeat-ms", "3600001"]),
                "--heartbeat-ms `3600001`: expected milliseconds (0 for no heartbeat), 0..=3600000",
            ),
            (with(&["--heartbeat-ms", "-1"]), "--heartbeat-ms `-1`"),
            (with(&["--rate", "+5"]), "--rate `+5`"),
            (
                with(&["--address", "0x20"]),
                "--address `0x20`: expected 0x68 (AD0 low) or 0x69",
            ),
            (with(&["--ready", "gpio:chip"]), "--ready `gpio:chip`"),
            (
                with(&["--ready", "gpio:gpiochip0:1:up"]),
                "--ready `gpio:gpiochip0:1:up`: edge `up`: expected rising or falling",
            ),
            (
                with(&["--ready", "gpio:gpiochip0:+17"]),
                "--ready `gpio:gpiochip0:+17`: line `+17`",
            ),
            (with(&["--rx=5"]), "--rx given twice"),
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
            let e = parse(argv(&args)).expect_err("usage error");
            assert!(e.to_string().contains(said), "{args:?}: {e}");
        }
    }

    #[test]
    fn help_wins_over_bad_values_but_not_over_unknown_flags() {
        assert_eq!(parse(argv(&["--rate", "0", "--help"])), Ok(Command::Help));
        assert_eq!(parse(argv(&["-h", "--rate", "0"])), Ok(Command::Help));
        assert_eq!(
            parse(argv(&["--bogus", "-h"])),
            Err(UsageError::Unknown("--bogus".into()))
        );
    }
}
