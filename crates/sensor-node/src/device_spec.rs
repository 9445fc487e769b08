//! `--device`: where a sensor process's part is, one grammar for every
//! sensor process.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

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
    use super::*;

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
