//! The command line every sensor process has: its flags ([`FLAGS`]),
//! `--device` ([`DeviceSpec`]) and `--heartbeat-ms` ([`heartbeat`]), one
//! grammar and one meaning for all of them. Each process types
//! `--address`, `--ready` and `--rate` by its part.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use cli::{Args, Flag, UsageError};

/// The flags of every sensor process (each adds its own with
/// [`cli::join`]): its
/// pipe ends (`--rx`, `--tx`), its part (`--device`, `--address`,
/// `--ready`), the sample rate (`--rate`), `--heartbeat-ms` and `--name`.
pub const FLAGS: [Flag; 8] = [
    Flag::value("--rx"),
    Flag::value("--tx"),
    Flag::value("--device"),
    Flag::value("--address"),
    Flag::value("--ready"),
    Flag::value("--rate"),
    Flag::value("--heartbeat-ms"),
    Flag::value("--name"),
];

/// The longest `--heartbeat-ms`: an hour.
pub const MAX_HEARTBEAT_MS: u32 = 3_600_000;

/// The heartbeat interval without `--heartbeat-ms`.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(1);

/// `--heartbeat-ms N` of `args`: the `HB` interval, 1 to
/// [`MAX_HEARTBEAT_MS`] ms; `0` for no heartbeat (`None`);
/// [`DEFAULT_HEARTBEAT`] when it is not given.
pub fn heartbeat(args: &Args) -> Result<Option<Duration>, UsageError> {
    let ms = args.number(
        "--heartbeat-ms",
        0..=MAX_HEARTBEAT_MS,
        "milliseconds (0 for no heartbeat)",
    )?;
    Ok(match ms {
        Some(0) => None,
        Some(ms) => Some(Duration::from_millis(ms.into())),
        None => Some(DEFAULT_HEARTBEAT),
    })
}

/// The part a sensor process drives: `sim:SCENARIO_PATH` (the simulated
/// part of `sensor-sim`, driven by that scenario file) or an I2C bus
/// device such as `/dev/i2c-1` (an absolute path).
///
/// ```
/// use sensor_node::DeviceSpec;
///
/// let sim: DeviceSpec = "sim:board/sim/demo.scenario".parse()?;
/// assert_eq!(sim, DeviceSpec::Sim("board/sim/demo.scenario".into()));
/// assert_eq!("/dev/i2c-1".parse(), Ok(DeviceSpec::I2c("/dev/i2c-1".into())));
/// assert_eq!(sim.to_string(), "sim:board/sim/demo.scenario");
/// # Ok::<(), sensor_node::DeviceSpecError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// `sim:PATH`: the simulated part, driven by this scenario file.
    Sim(PathBuf),
    /// A Linux I2C bus device (`/dev/i2c-1`).
    I2c(PathBuf),
}

/// Why a text is not a [`DeviceSpec`]; each says what is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceSpecError {
    /// `sim:` without a scenario path.
    #[error("expected sim:SCENARIO_PATH with a path")]
    NoScenario,
    /// Neither `sim:` nor an absolute path.
    #[error("expected sim:SCENARIO_PATH or an I2C bus device such as /dev/i2c-1")]
    Form,
}

impl FromStr for DeviceSpec {
    type Err = DeviceSpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.strip_prefix("sim:") {
            Some("") => Err(DeviceSpecError::NoScenario),
            Some(path) => Ok(DeviceSpec::Sim(PathBuf::from(path))),
            None if text.starts_with('/') => Ok(DeviceSpec::I2c(PathBuf::from(text))),
            None => Err(DeviceSpecError::Form),
        }
    }
}

/// As given: `sim:PATH` or the bus path.
impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Sim(path) => write!(f, "sim:{}", path.display()),
            DeviceSpec::I2c(path) => write!(f, "{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use cli::{Command, Flag, Spec};

    use super::*;

    #[test]
    fn heartbeat_0_is_none() {
        static SPEC: Spec = Spec::new("sensor", "0", "", &[Flag::value("--heartbeat-ms")]);
        let heartbeat = |argv: &[&str]| {
            SPEC.parse(argv.iter().map(Into::into), heartbeat)
                .map(Command::run)
        };
        assert_eq!(heartbeat(&[]), Ok(Some(Some(DEFAULT_HEARTBEAT))));
        assert_eq!(heartbeat(&["--heartbeat-ms=0"]), Ok(Some(None)));
        assert_eq!(
            heartbeat(&["--heartbeat-ms", "3600000"]),
            Ok(Some(Some(Duration::from_secs(3600))))
        );
        assert_eq!(
            heartbeat(&["--heartbeat-ms", "3600001"])
                .unwrap_err()
                .to_string(),
            "--heartbeat-ms `3600001`: expected milliseconds (0 for no heartbeat), 0..=3600000"
        );
    }

    #[test]
    fn sim_or_a_bus() {
        assert_eq!("sim:x".parse(), Ok(DeviceSpec::Sim("x".into())));
        assert_eq!("sim:/a/b".parse(), Ok(DeviceSpec::Sim("/a/b".into())));
        assert_eq!(
            "/dev/i2c-0".parse(),
            Ok(DeviceSpec::I2c("/dev/i2c-0".into()))
        );
        assert_eq!(
            "sim:".parse::<DeviceSpec>(),
            Err(DeviceSpecError::NoScenario)
        );
        for text in ["i2c-1", "", "dev/i2c-1", "SIM:x"] {
            assert_eq!(
                text.parse::<DeviceSpec>(),
                Err(DeviceSpecError::Form),
                "{text}"
            );
        }
    }
}
