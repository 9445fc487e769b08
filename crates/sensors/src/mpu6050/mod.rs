//! MPU-6050 six-axis IMU (accelerometer, gyroscope, die temperature).
//!
//! Bring-up takes two calls with a wait between them, because the part
//! needs 100 ms after a reset and this driver never sleeps:
//!
//! ```
//! # use embedded_hal_mock::eh1::i2c::{Mock, Transaction as T};
//! use sensors::mpu6050::{Address, Config, Mpu6050};
//!
//! # let i2c = Mock::new(&[
//! #     T::write_read(0x68, vec![0x75], vec![0x68]),
//! #     T::write(0x68, vec![0x6B, 0x80]),
//! #     T::write(0x68, vec![0x6B, 0x01]),
//! #     T::write(0x68, vec![0x1A, 0x03]),
//! #     T::write(0x68, vec![0x19, 0x09]),
//! #     T::write(0x68, vec![0x1B, 0x08]),
//! #     T::write(0x68, vec![0x1C, 0x08]),
//! #     T::write(0x68, vec![0x37, 0x00]),
//! #     T::write(0x68, vec![0x38, 0x01]),
//! #     T::write_read(0x68, vec![0x3A], vec![0x01]),
//! #     T::write_read(0x68, vec![0x3B], vec![0, 0, 0, 0, 0x20, 0, 0xEF, 0x5C, 0, 0, 0, 0, 0, 0]),
//! # ]);
//! let mut imu = Mpu6050::new(i2c, Address::Ad0Low);
//! let wait = imu.reset()?; // checks WHO_AM_I, then resets: wait 100 ms
//! # let _ = wait;
//! // ... the caller's poll loop comes back after `wait` ...
//! let applied = imu.configure(&Config::default())?; // wakes it, 100 Hz, DLPF 44 Hz
//! assert_eq!(applied.sample_rate.millihertz(), 100_000);
//! // ... on the INT pin's edge, or polling:
//! if imu.data_ready()? {
//!     let sample = imu.read_sample()?;
//!     assert_eq!(sample.accel_mg.z, 1000); // ±4 g: 8192 counts
//!     assert_eq!(sample.temp_centi_celsius, 2400);
//! }
//! # imu.destroy().done();
//! # Ok::<(), sensors::mpu6050::Error<embedded_hal::i2c::ErrorKind>>(())
//! ```
//!
//! Gyroscope bias: keep the device still, feed samples to
//! [`Mpu6050::calibrate_gyro`] with a [`GyroCalibration`] until it is done;
//! the average is stored and subtracted from every later
//! [`Mpu6050::read_sample`]. [`Mpu6050::set_gyro_bias`] restores a saved one.
//!
//! | module | what |
//! |---|---|
//! | this one | [`Address`], [`Error`], the bring-up waits |
//! | `config` | the settings: filter, ranges, INT pin, sample rate ([`Config`]) |
//! | `sample` | [`Axes`], [`RawSample`], [`Sample`] |
//! | `driver` | [`Mpu6050`]: bring-up, configuration, reading samples |
//! | `calibration` | the gyroscope bias: [`GyroCalibration`], [`Mpu6050::calibrate_gyro`] |
//! | `self_test` | [`Mpu6050::self_test`], [`check_resting_sample`] |
//! | [`convert`] | counts to milli-g, milli-°/s, centi-°C |
//! | [`register`] | the register map |

mod calibration;
mod config;
pub mod convert;
mod driver;
pub mod register;
mod sample;
mod self_test;

use core::fmt;
use core::time::Duration;

use crate::InvalidAddress;
use register as reg;

pub use calibration::{CalibrationProgress, DeviceMoved, GyroCalibration};
pub use config::{
    AccelRange, Applied, Config, Dlpf, GyroRange, InterruptPin, PinDrive, PinLatch, PinLevel,
    SampleRate,
};
pub use driver::Mpu6050;
pub use sample::{Axes, RawSample, Sample};
pub use self_test::{
    SELF_TEST_ACCEL_MG, SELF_TEST_MAX_GYRO_MDPS, SELF_TEST_TEMPERATURE_CENTI_CELSIUS,
    SelfTestFailure, SelfTestReport, check_resting_sample,
};

/// Time the part needs after [`Mpu6050::reset`] before it takes new
/// settings (register map, PWR_MGMT_1 and SIGNAL_PATH_RESET notes: 100 ms).
pub const RESET_TIME: Duration = Duration::from_millis(100);

/// Time from waking to a settled gyroscope: the datasheet's gyroscope
/// start-up time (zero-rate output within ±1 °/s of final), 30 ms typical.
pub const GYRO_STARTUP_TIME: Duration = Duration::from_millis(30);

/// The I2C address, set by the AD0 pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Address {
    /// AD0 low: 0x68.
    #[default]
    Ad0Low,
    /// AD0 high: 0x69.
    Ad0High,
}

impl Address {
    /// The 7-bit address.
    pub const fn bits(self) -> u8 {
        match self {
            Self::Ad0Low => 0x68,
            Self::Ad0High => 0x69,
        }
    }
}

impl TryFrom<u8> for Address {
    type Error = InvalidAddress;

    fn try_from(address: u8) -> Result<Self, InvalidAddress> {
        match address {
            0x68 => Ok(Self::Ad0Low),
            0x69 => Ok(Self::Ad0High),
            _ => Err(InvalidAddress {
                address,
                part: "MPU-6050",
                allowed: "0x68 (AD0 low) or 0x69 (AD0 high)",
            }),
        }
    }
}

/// The MPU-6050 driver's errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error<E> {
    /// The bus failed (NACK, arbitration loss...): see
    /// [`Error::i2c_error_kind`].
    I2c(E),
    /// WHO_AM_I did not read 0x68: another part, or none, at the address.
    WrongIdentity {
        /// What WHO_AM_I read.
        found: u8,
    },
    /// A sample rate of 0 Hz was asked for.
    InvalidSampleRate {
        /// The rate asked for.
        requested_hz: u16,
    },
    /// The gyroscope calibration saw the device move; it starts over.
    MovedDuringCalibration(DeviceMoved),
    /// [`Mpu6050::self_test`] failed.
    SelfTest(SelfTestFailure),
}

bus_error_kind!(Error);

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::I2c(e) => write!(f, "MPU-6050: I2C bus error: {e:?}"),
            Self::WrongIdentity { found } => write!(
                f,
                "MPU-6050: WHO_AM_I read {found:#04x}, expected {:#04x}: check the address (AD0) and the part",
                reg::WHO_AM_I_VALUE
            ),
            Self::InvalidSampleRate { requested_hz } => write!(
                f,
                "MPU-6050: sample rate {requested_hz} Hz is invalid: ask for 1 Hz or more"
            ),
            Self::MovedDuringCalibration(m) => write!(
                f,
                "MPU-6050: moved during gyro calibration (spread x={} y={} z={} m°/s, at most {} allowed): keep it still and retry",
                m.spread_mdps.x, m.spread_mdps.y, m.spread_mdps.z, m.max_spread_mdps
            ),
            Self::SelfTest(failure) => write!(f, "MPU-6050: self-test failed: {failure}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_from_u8() {
        assert_eq!(Address::try_from(0x68), Ok(Address::Ad0Low));
        assert_eq!(Address::try_from(0x69), Ok(Address::Ad0High));
        assert_eq!(Address::try_from(0x6A).unwrap_err().address, 0x6A);
    }
}
