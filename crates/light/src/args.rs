//! The command line, parsed by hand: every error names the argument.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use board_io::Edge;
use sensors::ads1115::Address;
use sensors::ads1115::convert::{Divider, LdrModel};

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
                       (CHIP gpiochip0 or /dev/gpiochip0, EDGE falling
                       (default, active-low) or rising); without it a timer
  --rate HZ            samples per second (default 10): ADS1115 1..=860
                       (with --ready, rounded up to the next data rate),
                       VEML7700 1..=10
  --heartbeat-ms N     HB interval in ms (default 1000)
  --name NAME          the name in frames (default light)
  --ldr-r10 OHMS       ADS1115: LDR resistance at 10 lux (default 15000, GL5528)
  --ldr-gamma G        ADS1115: LDR gamma (default 0.7)
  --divider-r OHMS     ADS1115: fixed divider resistor to ground (default 10000;
                       the LDR is from VDD = 3.3 V to AIN0)
  -h, --help           print this

exit codes: 0 on SIGTERM or SIGINT; 64 for a bad argument (also: a
scenario that does not parse); 69 when the device is absent (also: a
scenario that cannot be read) or is not the part named; 74 on a pipe I/O
error.
";

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

/// Where the sensor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// `sim:PATH`: the simulated board, driven by this scenario file.
    Sim(PathBuf),
    /// A Linux I2C bus device (`/dev/i2c-1`).
    I2c(PathBuf),
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Sim(path) => write!(f, "sim:{}", path.display()),
            DeviceSpec::I2c(path) => write!(f, "{}", path.display()),
        }
    }
}

/// `--ready gpio:CHIP:LINE[:EDGE]`: the GPIO line ALERT/RDY drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyLine {
    /// The GPIO chip device (`/dev/gpiochip0`).
    pub chip: PathBuf,
    /// The line offset on the chip.
    pub line: u32,
    /// The edge that means "conversion ready".
    pub edge: Edge,
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
    /// `--ready`, ADS1115 on a real bus only.
    pub ready: Option<ReadyLine>,
    /// `--rate`, checked against the part.
    pub rate_hz: u32,
    /// `--heartbeat-ms`.
    pub heartbeat: Duration,
    /// `--name`, a wire token.
    pub name: String,
    /// `--ldr-r10` and `--ldr-gamma`.
    pub ldr: LdrModel,
    /// `--divider-r` (VDD is 3.3 V, the LDR on the VDD side).
    pub divider: Divider,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// `--help`.
    Help,
    /// Run the process.
    Run(Options),
}

/// A command line that cannot run; each names the argument at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// Not an argument of this program.
    #[error("unknown argument `{0}` (--help lists them)")]
    Unknown(String),
    /// A flag at the end of argv without its value.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    /// An argument that is not UTF-8.
    #[error("argument {0:?} is not valid UTF-8")]
    NotUnicode(OsString),
    /// A value the flag does not take.
    #[error("{flag} `{value}`: expected {expected}")]
    BadValue {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What it should be.
        expected: String,
    },
    /// A flag given twice.
    #[error("{0} given twice")]
    Twice(&'static str),
    /// A required flag is missing.
    #[error("{0} is required (--help shows the usage)")]
    Required(&'static str),
    /// A flag that does not go with the others.
    #[error("{flag}: {reason}")]
    Conflict {
        /// The flag.
        flag: &'static str,
        /// Why it does not apply.
        reason: String,
    },
}

/// Flags as given, before the checks that need all of them.
#[derive(Default)]
struct Given {
    rx: Option<String>,
    tx: Option<String>,
    part: Option<String>,
    device: Option<String>,
    address: Option<String>,
    ready: Option<String>,
    rate: Option<String>,
    heartbeat: Option<String>,
    name: Option<String>,
    ldr_r10: Option<String>,
    ldr_gamma: Option<String>,
    divider_r: Option<String>,
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let mut args = args.into_iter();
    let mut given = Given::default();
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(UsageError::NotUnicode)?;
        let (flag, slot): (&'static str, &mut Option<String>) = match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--rx" => ("--rx", &mut given.rx),
            "--tx" => ("--tx", &mut given.tx),
            "--part" => ("--part", &mut given.part),
            "--device" => ("--device", &mut given.device),
            "--address" => ("--address", &mut given.address),
            "--ready" => ("--ready", &mut given.ready),
            "--rate" => ("--rate", &mut given.rate),
            "--heartbeat-ms" => ("--heartbeat-ms", &mut given.heartbeat),
            "--name" => ("--name", &mut given.name),
            "--ldr-r10" => ("--ldr-r10", &mut given.ldr_r10),
            "--ldr-gamma" => ("--ldr-gamma", &mut given.ldr_gamma),
            "--divider-r" => ("--divider-r", &mut given.divider_r),
            _ => return Err(UsageError::Unknown(arg)),
        };
        let value = args
            .next()
            .ok_or(UsageError::MissingValue(flag))?
            .into_string()
            .map_err(UsageError::NotUnicode)?;
        if slot.replace(value).is_some() {
            return Err(UsageError::Twice(flag));
        }
    }
    check(given).map(Parsed::Run)
}

fn check(given: Given) -> Result<Options, UsageError> {
    let part = match given.part.as_deref() {
        None | Some("ads1115") => Part::Ads1115,
        Some("veml7700") => Part::Veml7700,
        Some(other) => return Err(bad("--part", other, "ads1115 or veml7700")),
    };
    let device = device(given.device.ok_or(UsageError::Required("--device"))?)?;
    let address = match (&given.address, part) {
        (None, Part::Ads1115) => Address::Gnd.bits(),
        (None, Part::Veml7700) => sensors::veml7700::register::ADDRESS,
        (Some(text), Part::Ads1115) => {
            let address = number_u8(text)
                .ok_or_else(|| bad("--address", text, "0x48, 0x49, 0x4A or 0x4B"))?;
            Address::try_from(address)
                .map_err(|e| bad("--address", text, &e.to_string()))?
                .bits()
        }
        (Some(text), Part::Veml7700) => match number_u8(text) {
            Some(sensors::veml7700::register::ADDRESS) => sensors::veml7700::register::ADDRESS,
            _ => return Err(bad("--address", text, "0x10, the VEML7700's only address")),
        },
    };
    let ready = match given.ready {
        None => None,
        Some(text) => {
            if part == Part::Veml7700 {
                return Err(conflict(
                    "--ready",
                    "the VEML7700 has no data-ready pin: it is sampled on a timer",
                ));
            }
            if let DeviceSpec::Sim(_) = device {
                return Err(conflict(
                    "--ready",
                    "the simulated ADS1115's ALERT/RDY drives no GPIO line: leave --ready out \
                     (a timer paces sampling)",
                ));
            }
            Some(ready_line(&text)?)
        }
    };
    let max_rate = part.max_rate_hz();
    let rate_hz = match given.rate {
        None => 10,
        Some(text) => match text.parse::<u32>() {
            Ok(hz) if (1..=max_rate).contains(&hz) => hz,
            _ => {
                return Err(bad(
                    "--rate",
                    &text,
                    &format!("1..={max_rate} (Hz) for the {}", part.as_str()),
                ));
            }
        },
    };
    let heartbeat = match given.heartbeat {
        None => Duration::from_secs(1),
        Some(text) => match text.parse::<u32>() {
            Ok(ms) if ms > 0 => Duration::from_millis(u64::from(ms)),
            _ => return Err(bad("--heartbeat-ms", &text, "milliseconds, 1 or more")),
        },
    };
    let name = given.name.unwrap_or_else(|| "light".to_owned());
    if wire::Token::new(&name).is_err() {
        return Err(bad(
            "--name",
            &name,
            "a name of printable ASCII without spaces or `*`",
        ));
    }
    let ldr_flags = [
        ("--ldr-r10", &given.ldr_r10),
        ("--ldr-gamma", &given.ldr_gamma),
        ("--divider-r", &given.divider_r),
    ];
    if part == Part::Veml7700
        && let Some((flag, _)) = ldr_flags.iter().find(|(_, v)| v.is_some())
    {
        return Err(conflict(
            flag,
            "describes the ADS1115's LDR circuit; the VEML7700 has none (drop it or use --part ads1115)",
        ));
    }
    let r10 = match &given.ldr_r10 {
        None => LdrModel::GL5528.r10_ohm(),
        Some(text) => ohms(text).ok_or_else(|| bad("--ldr-r10", text, "ohms, 1 or more"))?,
    };
    let gamma = match &given.ldr_gamma {
        None => LdrModel::GL5528.gamma(),
        Some(text) => text
            .parse::<f32>()
            .ok()
            .filter(|g| g.is_finite() && *g > 0.0)
            .ok_or_else(|| bad("--ldr-gamma", text, "a number above 0, e.g. 0.7"))?,
    };
    let ldr = LdrModel::new(r10, gamma)
        .ok_or_else(|| bad("--ldr-gamma", &gamma.to_string(), "a number above 0"))?;
    let divider = Divider {
        fixed_ohm: match &given.divider_r {
            None => Divider::DEFAULT.fixed_ohm,
            Some(text) => ohms(text).ok_or_else(|| bad("--divider-r", text, "ohms, 1 or more"))?,
        },
        ..Divider::DEFAULT
    };
    Ok(Options {
        rx: given.rx.ok_or(UsageError::Required("--rx"))?,
        tx: given.tx.ok_or(UsageError::Required("--tx"))?,
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

fn device(text: String) -> Result<DeviceSpec, UsageError> {
    if let Some(path) = text.strip_prefix("sim:") {
        if path.is_empty() {
            return Err(bad("--device", &text, "sim:SCENARIO_PATH with a path"));
        }
        Ok(DeviceSpec::Sim(PathBuf::from(path)))
    } else if text.starts_with('/') {
        Ok(DeviceSpec::I2c(PathBuf::from(text)))
    } else {
        Err(bad(
            "--device",
            &text,
            "sim:SCENARIO_PATH or an I2C bus device such as /dev/i2c-1",
        ))
    }
}

fn ready_line(text: &str) -> Result<ReadyLine, UsageError> {
    const EXPECTED: &str = "gpio:CHIP:LINE[:falling|rising], e.g. gpio:gpiochip0:17";
    let mut parts = text.split(':');
    let (Some("gpio"), Some(chip), Some(line)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("--ready", text, EXPECTED));
    };
    let edge = match parts.next() {
        None | Some("falling") => Edge::Falling,
        Some("rising") => Edge::Rising,
        Some(_) => return Err(bad("--ready", text, EXPECTED)),
    };
    if parts.next().is_some() || chip.is_empty() {
        return Err(bad("--ready", text, EXPECTED));
    }
    let line = line.parse().map_err(|_| bad("--ready", text, EXPECTED))?;
    let chip = if chip.contains('/') {
        PathBuf::from(chip)
    } else {
        PathBuf::from("/dev").join(chip)
    };
    Ok(ReadyLine { chip, line, edge })
}

/// `0x48` or `72`.
fn number_u8(text: &str) -> Option<u8> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn ohms(text: &str) -> Option<u32> {
    text.parse::<u32>().ok().filter(|&r| r > 0)
}

fn bad(flag: &'static str, value: &str, expected: &str) -> UsageError {
    UsageError::BadValue {
        flag,
        value: value.to_owned(),
        expected: expected.to_owned(),
    }
}

fn conflict(flag: &'static str, reason: &str) -> UsageError {
    UsageError::Conflict {
        flag,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Options, UsageError> {
        match parse(args.iter().map(OsString::from))? {
            Parsed::Run(options) => Ok(options),
            Parsed::Help => panic!("help"),
        }
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
        assert_eq!(o.heartbeat, Duration::from_secs(1));
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
        assert_eq!(
            o.ready,
            Some(ReadyLine {
                chip: PathBuf::from("/dev/gpiochip0"),
                line: 17,
                edge: Edge::Falling
            })
        );
        assert_eq!(o.rate_hz, 128);
        assert_eq!(o.heartbeat, Duration::from_millis(250));
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
            (ready.chip, ready.line, ready.edge),
            (PathBuf::from("/dev/gpiochip1"), 4, Edge::Rising)
        );
    }

    #[test]
    fn help_wins() {
        assert_eq!(
            parse(["--rx", "3", "--help"].map(OsString::from)).unwrap(),
            Parsed::Help
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
            (&["--heartbeat-ms", "0"], "--heartbeat-ms"),
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
