//! The command line: the flags of `appliance-light` and the checks of
//! their values against each other (which flags the part takes, its
//! address and rate).

use std::ffi::OsString;
use std::time::Duration;

use board_io::{Edge, GpioLine};
use cli::{Args, Command, Flag, Spec, UsageError};
use sensor_node::DeviceSpec;
use sensors::ads1115::Address;
use sensors::ads1115::convert::{Divider, LdrModel};

use crate::PROGRAM;

/// The usage, printed by `--help`.
pub const HELP: &str = "\
usage: appliance-light --rx FD --tx FD --device DEVICE [OPTIONS]

The ambient light sensor process: samples an ADS1115 reading an LDR, or a
VEML7700, and sends LIGHT frames; answers CMD frames (hello, stats, rate,
gain, selftest). gain: ADS1115 fs=MV; VEML7700 gain=MILLI and/or it=MS fix
the setting, gain=auto turns auto-ranging (the default) back on.

  --rx FD              read end of the command pipe
  --tx FD              write end of the pipe to the GUI
  --part PART          ads1115 (default) or veml7700
  --device DEVICE      sim:SCENARIO_PATH (the simulated board) or an I2C bus
                       such as /dev/i2c-1
  --address ADDR       ADS1115: 0x48 (default), 0x49, 0x4A or 0x4B;
                       VEML7700: 0x10 only
  --ready gpio:CHIP:LINE[:EDGE]
                       ADS1115 ALERT/RDY on this GPIO line paces sampling
                       (CHIP gpiochipN or a /dev/ path, LINE digits, EDGE
                       falling (default, active-low) or rising); without
                       it a timer
  --rate HZ            samples per second (default 10): ADS1115 1..=860
                       (with --ready, rounded up to the next data rate),
                       VEML7700 1..=10
  --heartbeat-ms N     HB interval in ms, 1 to 3600000, or 0 for no
                       heartbeat (default 1000)
  --name NAME          the name in frames (default light)
  --ldr-r10 OHMS       ADS1115: LDR resistance at 10 lux, 1 to 10000000
                       (default 15000, GL5528)
  --ldr-gamma G        ADS1115: LDR gamma (default 0.7)
  --divider-r OHMS     ADS1115: fixed divider resistor to ground, 1 to
                       10000000 (default 10000; the LDR is from VDD = 3.3 V
                       to AIN0)
  -h, --help           print this
  --version            print the name and version

exit codes: 0 on SIGTERM or SIGINT; 64 for a bad argument (also: a
scenario that does not parse); 69 when the device is absent (also: a
scenario that cannot be read) or is not the part named; 74 on a pipe I/O
error.
";

/// The command line: the sensor processes' flags, the part, and the
/// ADS1115's LDR circuit.
pub static SPEC: Spec = Spec::new(PROGRAM, env!("CARGO_PKG_VERSION"), HELP, &FLAGS);

const FLAGS: [Flag; 12] = cli::join(
    &sensor_node::FLAGS,
    &[
        Flag::value("--part"),
        Flag::value("--ldr-r10"),
        Flag::value("--ldr-gamma"),
        Flag::value("--divider-r"),
    ],
);

/// The edge of ALERT/RDY when `--ready` names none: the ADS1115's pin is
/// active low.
pub const READY_EDGE: Edge = Edge::Falling;

/// The largest `--ldr-r10` and `--divider-r`: 10 MΩ.
pub const MAX_OHMS: u32 = 10_000_000;

/// Which light sensor is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Part {
    /// An ADS1115 ADC reading an LDR in a voltage divider.
    #[default]
    Ads1115,
    /// A VEML7700 ambient light sensor.
    Veml7700,
}

impl Part {
    /// The name `--part` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Ads1115 => "ads1115",
            Part::Veml7700 => "veml7700",
        }
    }

    /// The highest `--rate` the part takes.
    pub fn max_rate_hz(self) -> u32 {
        match self {
            Part::Ads1115 => crate::ads1115::MAX_RATE_HZ,
            Part::Veml7700 => crate::veml7700::MAX_RATE_HZ,
        }
    }
}

/// Everything the command line sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `--rx FD`, as given (checked when taken with `pipe-ends`).
    pub rx: String,
    /// `--tx FD`, as given.
    pub tx: String,
    /// `--part`.
    pub part: Part,
    /// `--device`.
    pub device: DeviceSpec,
    /// `--address`, checked against the part (default 0x48 or 0x10).
    pub address: u8,
    /// `--ready`, ADS1115 on a real bus only; without an edge,
    /// [`READY_EDGE`].
    pub ready: Option<GpioLine>,
    /// `--rate`, checked against the part.
    pub rate_hz: u32,
    /// `--heartbeat-ms`; `None` for 0.
    pub heartbeat: Option<Duration>,
    /// `--name`, a wire token.
    pub name: String,
    /// `--ldr-r10` and `--ldr-gamma`.
    pub ldr: LdrModel,
    /// `--divider-r` (VDD is 3.3 V, the LDR on the VDD side).
    pub divider: Divider,
}

impl Options {
    /// The options from the lexed command line, checked against the part.
    pub fn from_args(args: &Args) -> Result<Options, UsageError> {
        let part = args
            .choice(
                "--part",
                &[("ads1115", Part::Ads1115), ("veml7700", Part::Veml7700)],
            )?
            .unwrap_or_default();
        let device: DeviceSpec = args.required("--device")?.parse()?;
        let address = match (args.get("--address"), part) {
            (None, Part::Ads1115) => Address::Gnd.bits(),
            (None, Part::Veml7700) => sensors::veml7700::register::ADDRESS,
            (Some(value), Part::Ads1115) => {
                let byte = value.byte("0x48, 0x49, 0x4A or 0x4B")?;
                Address::try_from(byte)
                    .map_err(|e| value.bad(e.to_string()))?
                    .bits()
            }
            (Some(value), Part::Veml7700) => {
                let expected = "0x10, the VEML7700's only address";
                match value.byte(expected)? {
                    sensors::veml7700::register::ADDRESS => sensors::veml7700::register::ADDRESS,
                    _ => return Err(value.bad(expected)),
                }
            }
        };
        let ready = match args.get("--ready") {
            None => None,
            Some(_) if part == Part::Veml7700 => {
                return Err(UsageError::conflict(
                    "--ready",
                    "the VEML7700 has no data-ready pin: it is sampled on a timer",
                ));
            }
            Some(_) if matches!(device, DeviceSpec::Sim(_)) => {
                return Err(UsageError::conflict(
                    "--ready",
                    "the simulated ADS1115's ALERT/RDY drives no GPIO line: leave --ready out \
                     (a timer paces sampling)",
                ));
            }
            Some(value) => Some(value.parse()?),
        };
        let rate_hz = args
            .number(
                "--rate",
                1..=part.max_rate_hz(),
                &format!("a rate in Hz for the {}", part.as_str()),
            )?
            .unwrap_or(10);
        let heartbeat = sensor_node::heartbeat(args)?;
        let name = args
            .checked_text("--name", wire::Token::RULE, |n| wire::Token::new(n).is_ok())?
            .unwrap_or("light")
            .to_owned();
        if part == Part::Veml7700
            && let Some(flag) = ["--ldr-r10", "--ldr-gamma", "--divider-r"]
                .into_iter()
                .find(|flag| args.switch(flag))
        {
            return Err(UsageError::conflict(
                flag,
                "describes the ADS1115's LDR circuit; the VEML7700 has none (drop it or use --part ads1115)",
            ));
        }
        let r10 = args
            .number("--ldr-r10", 1..=MAX_OHMS, "ohms")?
            .unwrap_or(LdrModel::GL5528.r10_ohm());
        let gamma = match args.get("--ldr-gamma") {
            None => LdrModel::GL5528.gamma(),
            Some(value) => value
                .text()?
                .parse::<f32>()
                .ok()
                .filter(|g| g.is_finite() && *g > 0.0)
                .ok_or_else(|| value.bad("a number above 0, e.g. 0.7"))?,
        };
        let ldr = LdrModel::new(r10, gamma).ok_or_else(|| {
            UsageError::bad_value("--ldr-gamma", gamma.to_string(), "a number above 0")
        })?;
        let divider = Divider {
            fixed_ohm: args
                .number("--divider-r", 1..=MAX_OHMS, "ohms")?
                .unwrap_or(Divider::DEFAULT.fixed_ohm),
            ..Divider::DEFAULT
        };
        Ok(Options {
            rx: args.required("--rx")?.fd()?,
            tx: args.required("--tx")?.fd()?,
            part,
            device,
            address,
            ready,
            rate_hz,
            heartbeat,
            name,
            ldr,
            divider,
        })
    }
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command<Options>, UsageError> {
    SPEC.parse(args, Options::from_args)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    use test_support::{argv, to_run};

    fn run(args: &[&str]) -> Result<Options, UsageError> {
        to_run(parse(argv(args)))
    }

    const BASE: [&str; 6] = ["--rx", "3", "--tx", "4", "--device", "sim:demo.scenario"];

    fn with(extra: &[&str]) -> Result<Options, UsageError> {
        let mut args = BASE.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    }

    #[test]
    fn defaults() {
        let o = with(&[]).unwrap();
        assert_eq!(o.part, Part::Ads1115);
        assert_eq!(o.device, DeviceSpec::Sim(PathBuf::from("demo.scenario")));
        assert_eq!(o.address, 0x48);
        assert_eq!(o.rate_hz, 10);
        assert_eq!(o.heartbeat, Some(Duration::from_secs(1)));
        assert_eq!(o.name, "light");
        assert_eq!(o.ldr, LdrModel::GL5528);
        assert_eq!(o.divider, Divider::DEFAULT);
        assert_eq!(o.ready, None);
        let v = with(&["--part", "veml7700"]).unwrap();
        assert_eq!(v.address, 0x10);
    }

    #[test]
    fn everything_given() {
        let o = run(&[
            "--rx",
            "5",
            "--tx",
            "6",
            "--device",
            "/dev/i2c-1",
            "--address",
            "0x4b",
            "--ready",
            "gpio:gpiochip0:17",
            "--rate",
            "128",
            "--heartbeat-ms",
            "250",
            "--name",
            "lux2",
            "--ldr-r10",
            "20000",
            "--ldr-gamma",
            "0.8",
            "--divider-r",
            "4700",
        ])
        .unwrap();
        assert_eq!((o.rx.as_str(), o.tx.as_str()), ("5", "6"));
        assert_eq!(o.device, DeviceSpec::I2c(PathBuf::from("/dev/i2c-1")));
        assert_eq!(o.address, 0x4B);
        let ready = o.ready.as_ref().unwrap();
        assert_eq!(
            (ready.chip.as_path(), ready.line, ready.edge_or(READY_EDGE)),
            (Path::new("/dev/gpiochip0"), 17, Edge::Falling)
        );
        assert_eq!(o.rate_hz, 128);
        assert_eq!(o.heartbeat, Some(Duration::from_millis(250)));
        assert_eq!(o.name, "lux2");
        assert_eq!(o.ldr, LdrModel::new(20_000, 0.8).unwrap());
        assert_eq!(o.divider.fixed_ohm, 4700);
        let rising = run(&[
            "--rx",
            "3",
            "--tx",
            "4",
            "--device",
            "/dev/i2c-0",
            "--ready",
            "gpio:/dev/gpiochip1:4:rising",
        ])
        .unwrap();
        let ready = rising.ready.unwrap();
        assert_eq!(
            (ready.edge_or(READY_EDGE), ready.line, ready.chip),
            (Edge::Rising, 4, PathBuf::from("/dev/gpiochip1"))
        );
    }

    #[test]
    fn no_heartbeat_with_0() {
        assert_eq!(with(&["--heartbeat-ms", "0"]).unwrap().heartbeat, None);
        assert_eq!(
            with(&["--heartbeat-ms=3600001"]).unwrap_err().to_string(),
            "--heartbeat-ms `3600001`: expected milliseconds (0 for no heartbeat), 0..=3600000"
        );
    }

    #[test]
    fn help_and_version_win() {
        assert_eq!(SPEC.problems(), Vec::<String>::new());
        assert_eq!(
            parse(["--rx", "3", "--help"].map(OsString::from)).unwrap(),
            Command::Help
        );
        assert_eq!(
            parse(["--rate", "0", "--version"].map(OsString::from)).unwrap(),
            Command::Version
        );
    }

    /// Each bad command line is refused, and the message names the flag.
    #[test]
    fn errors_name_the_argument() {
        let cases: &[(&[&str], &str)] = &[
            (&["--bogus"], "--bogus"),
            (&["--rate"], "--rate"),
            (&["--rate", "0"], "--rate"),
            (&["--rate", "861"], "--rate"),
            (&["--part", "veml7700", "--rate", "11"], "--rate"),
            (&["--part", "bh1750"], "--part"),
            (&["--address", "0x10"], "--address"),
            (&["--address", "zz"], "--address"),
            (&["--part", "veml7700", "--address", "0x48"], "--address"),
            (&["--ready", "gpio:gpiochip0:17"], "--ready"),
            (&["--part", "veml7700", "--ldr-r10", "1000"], "--ldr-r10"),
            (&["--ldr-gamma", "-1"], "--ldr-gamma"),
            (&["--ldr-gamma", "nan"], "--ldr-gamma"),
            (&["--divider-r", "0"], "--divider-r"),
            (&["--heartbeat-ms", "-1"], "--heartbeat-ms"),
            (&["--rate", "+5"], "--rate `+5`"),
            (
                &["--rate=861"],
                "--rate `861`: expected a rate in Hz for the ads1115, 1..=860",
            ),
            (&["--divider-r", "10000001"], "--divider-r"),
            (&["--name", "two words"], "--name"),
            (&["--rx", "7"], "--rx"),
        ];
        for (extra, flag) in cases {
            let e = with(extra).unwrap_err().to_string();
            assert!(e.contains(flag), "{extra:?}: {e}");
        }
        for (args, flag) in [
            (&["--tx", "4", "--device", "sim:x"][..], "--rx"),
            (&["--rx", "3", "--device", "sim:x"][..], "--tx"),
            (&["--rx", "3", "--tx", "4"][..], "--device"),
            (
                &["--rx", "3", "--tx", "4", "--device", "i2c-1"][..],
                "--device",
            ),
            (
                &["--rx", "3", "--tx", "4", "--device", "sim:"][..],
                "--device",
            ),
        ] {
            let e = run(args).unwrap_err().to_string();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
        for ready in [
            "gpio:gpiochip0",
            "gpio::3",
            "gpio:c:x",
            "gpio:c:1:both",
            "spi:c:1",
        ] {
            let e = run(&[
                "--rx",
                "3",
                "--tx",
                "4",
                "--device",
                "/dev/i2c-1",
                "--ready",
                ready,
            ])
            .unwrap_err();
            assert!(e.to_string().contains("--ready"), "{ready}: {e}");
        }
    }
}
