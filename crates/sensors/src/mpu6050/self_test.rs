//! The plausibility self-test of a part at rest: identity, awake, and one
//! sample's temperature, acceleration magnitude and angular rate.

use core::fmt;

use embedded_hal::i2c::I2c;

use super::register as reg;
use super::{Axes, Error, Mpu6050, Sample};

/// What [`Mpu6050::self_test`] found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTestFailure {
    /// PWR_MGMT_1 has SLEEP set: the part was never woken
    /// ([`Mpu6050::configure`]) or was reset since.
    Asleep,
    /// The die temperature is outside the operating range -40..=85 °C.
    Temperature {
        /// What was read, centi-degrees Celsius.
        centi_celsius: i32,
    },
    /// The acceleration magnitude is not 1 g ± 300 mg, as it is at rest.
    Acceleration {
        /// What was read, milli-g.
        magnitude_mg: u32,
    },
    /// An axis turns faster than 50 °/s, which a resting part does not.
    AngularRate {
        /// What was read (no bias removed), milli-degrees per second.
        gyro_mdps: Axes<i32>,
    },
}

impl fmt::Display for SelfTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Asleep => write!(f, "the device is asleep: configure it first"),
            Self::Temperature { centi_celsius } => write!(
                f,
                "die temperature {centi_celsius} c°C is outside {}..={} c°C",
                SELF_TEST_TEMPERATURE_CENTI_CELSIUS.0, SELF_TEST_TEMPERATURE_CENTI_CELSIUS.1
            ),
            Self::Acceleration { magnitude_mg } => write!(
                f,
                "acceleration magnitude {magnitude_mg} mg is outside {}..={} mg: keep it still and level",
                SELF_TEST_ACCEL_MG.0, SELF_TEST_ACCEL_MG.1
            ),
            Self::AngularRate { gyro_mdps } => write!(
                f,
                "angular rate x={} y={} z={} m°/s exceeds ±{} m°/s: keep it still",
                gyro_mdps.x, gyro_mdps.y, gyro_mdps.z, SELF_TEST_MAX_GYRO_MDPS
            ),
        }
    }
}

/// Acceleration magnitude a resting part must read in the self-test, mg:
/// 1 g with room for the datasheet's zero-g offset (±50 mg X/Y, ±80 mg Z)
/// and sensitivity tolerance (±3 %), plus slight movement.
pub const SELF_TEST_ACCEL_MG: (u32, u32) = (700, 1300);
/// Largest angular rate on any axis a resting part may read in the
/// self-test, m°/s: the datasheet's initial zero-rate tolerance is
/// ±20 °/s; 50 °/s leaves room for slight movement.
pub const SELF_TEST_MAX_GYRO_MDPS: i32 = 50_000;
/// Operating temperature range, centi-degrees Celsius.
pub const SELF_TEST_TEMPERATURE_CENTI_CELSIUS: (i32, i32) = (-4000, 8500);

/// What a passed [`Mpu6050::self_test`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfTestReport {
    /// The sample checked (no gyroscope bias removed).
    pub sample: Sample,
    /// Its acceleration magnitude, milli-g.
    pub accel_magnitude_mg: u32,
}

impl<I2C: I2c> Mpu6050<I2C> {
    /// A plausibility self-test for a part at rest. It checks, in order:
    ///
    /// 1. WHO_AM_I reads 0x68 ([`Error::WrongIdentity`]);
    /// 2. PWR_MGMT_1 has SLEEP clear ([`SelfTestFailure::Asleep`]);
    /// 3. one sample (read now, without waiting for data-ready), converted
    ///    at the current ranges without bias removal, has
    ///    - a die temperature within -40..=85 °C (the operating range),
    ///    - an acceleration magnitude within [`SELF_TEST_ACCEL_MG`]
    ///      (700..=1300 mg: gravity, at rest),
    ///    - every gyroscope axis within ±[`SELF_TEST_MAX_GYRO_MDPS`]
    ///      (50 °/s).
    ///
    /// A stuck bus or a part that returns all zeros or all ones fails the
    /// acceleration check. It does not run the part's built-in
    /// self-test (the XA_ST..ZG_ST actuation against factory trim).
    pub fn self_test(&mut self) -> Result<SelfTestReport, Error<I2C::Error>> {
        self.check_identity()?;
        let power = self.read_register(reg::PWR_MGMT_1)?;
        if power & reg::pwr_mgmt_1::SLEEP != 0 {
            return Err(Error::SelfTest(SelfTestFailure::Asleep));
        }
        let sample = self.read_unbiased()?;
        let report = check_resting_sample(sample).map_err(Error::SelfTest)?;
        Ok(report)
    }
}

/// The self-test's checks on one sample (see [`Mpu6050::self_test`]).
pub fn check_resting_sample(sample: Sample) -> Result<SelfTestReport, SelfTestFailure> {
    let (t_min, t_max) = SELF_TEST_TEMPERATURE_CENTI_CELSIUS;
    if !(t_min..=t_max).contains(&sample.temp_centi_celsius) {
        return Err(SelfTestFailure::Temperature {
            centi_celsius: sample.temp_centi_celsius,
        });
    }
    let a = sample.accel_mg;
    let square = |v: i32| u64::from(v.unsigned_abs()).pow(2);
    let magnitude = isqrt(square(a.x) + square(a.y) + square(a.z));
    // Each axis is at most 16 000 mg, so the magnitude fits a u32.
    let magnitude_mg = u32::try_from(magnitude).unwrap_or(u32::MAX);
    let (a_min, a_max) = SELF_TEST_ACCEL_MG;
    if !(a_min..=a_max).contains(&magnitude_mg) {
        return Err(SelfTestFailure::Acceleration { magnitude_mg });
    }
    let g = sample.gyro_mdps;
    let limit = SELF_TEST_MAX_GYRO_MDPS;
    if g.x.abs() > limit || g.y.abs() > limit || g.z.abs() > limit {
        return Err(SelfTestFailure::AngularRate { gyro_mdps: g });
    }
    Ok(SelfTestReport {
        sample,
        accel_magnitude_mg: magnitude_mg,
    })
}

/// Integer square root, rounded down.
fn isqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    // Newton's method from an overestimate; converges from above.
    let mut x = n;
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isqrt_is_floor_sqrt() {
        for n in 0..10_000u64 {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
        assert_eq!(isqrt(u64::MAX), u64::from(u32::MAX));
        assert_eq!(isqrt(1_000_000), 1000);
    }

    fn resting() -> Sample {
        Sample {
            accel_mg: Axes {
                x: 10,
                y: -20,
                z: 1000,
            },
            gyro_mdps: Axes {
                x: 1500,
                y: -800,
                z: 100,
            },
            temp_centi_celsius: 2500,
        }
    }

    #[test]
    fn resting_sample_passes() {
        let report = check_resting_sample(resting()).unwrap();
        assert_eq!(report.accel_magnitude_mg, 1000);
    }

    #[test]
    fn self_test_bounds_are_checked() {
        let zeros = Sample::default();
        assert_eq!(
            check_resting_sample(Sample {
                temp_centi_celsius: 2500,
                ..zeros
            }),
            Err(SelfTestFailure::Acceleration { magnitude_mg: 0 })
        );
        assert_eq!(
            check_resting_sample(Sample {
                temp_centi_celsius: 8501,
                ..resting()
            }),
            Err(SelfTestFailure::Temperature {
                centi_celsius: 8501
            })
        );
        assert_eq!(
            check_resting_sample(Sample {
                temp_centi_celsius: -4001,
                ..resting()
            }),
            Err(SelfTestFailure::Temperature {
                centi_celsius: -4001
            })
        );
        let fast = Axes {
            x: 0,
            y: 0,
            z: -50_001,
        };
        assert_eq!(
            check_resting_sample(Sample {
                gyro_mdps: fast,
                ..resting()
            }),
            Err(SelfTestFailure::AngularRate { gyro_mdps: fast })
        );
        let heavy = Axes {
            x: 0,
            y: 1000,
            z: 1000,
        };
        assert_eq!(
            check_resting_sample(Sample {
                accel_mg: heavy,
                ..resting()
            }),
            Err(SelfTestFailure::Acceleration { magnitude_mg: 1414 })
        );
        // Full-scale on every axis does not overflow.
        let max = Axes {
            x: 16_000,
            y: 16_000,
            z: 16_000,
        };
        assert_eq!(
            check_resting_sample(Sample {
                accel_mg: max,
                ..resting()
            }),
            Err(SelfTestFailure::Acceleration {
                magnitude_mg: 27_712
            })
        );
    }
}
