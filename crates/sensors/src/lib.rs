//! User-space I2C drivers for the appliance's sensors, generic over
//! [`embedded_hal::i2c::I2c`] (embedded-hal 1.0), so the same code runs on
//! the board (through a Linux I2C adapter), against the simulated board and
//! against a mock bus in tests. `appliance-motion` uses [`mpu6050`] for the
//! IMU; `appliance-light` uses [`ads1115`] (an LDR in a voltage divider) or
//! [`veml7700`].
//!
//! Every driver follows the same rules:
//!
//! - `new(i2c, address)` takes the bus and sends nothing; `destroy()` hands
//!   the bus back.
//! - The register map and bit fields are named constants in the driver's
//!   `register` module.
//! - Bus traffic uses two patterns only, so an SMBus-only adapter (Linux
//!   `i2c-stub`) can carry it: a register write is one `write(addr, &[reg,
//!   data..])` with 1 or 2 data bytes, a register read is one
//!   `write_read(addr, &[reg], buf)` with 1..=32 bytes.
//! - Nothing sleeps: the caller owns time. An operation that needs a wait
//!   before its result is valid returns that wait as a
//!   [`core::time::Duration`], and the caller's poll loop schedules the
//!   next step.
//! - Nothing allocates and nothing panics on input. Each driver has an
//!   `Error<E>` that wraps the bus error `E` and adds the driver's own
//!   failures; its `i2c_error_kind()` tells a NACK from another bus error.
//! - Results are integers in the appliance's units: milli-g, milli-degrees
//!   per second, centi-degrees Celsius, micro-volts, milli-lux. The
//!   conversions are pure functions, tested on their own.
//!
//! ```
//! # use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
//! use sensors::veml7700::{Gain, IntegrationTime, Setting, Veml7700};
//!
//! # let i2c = Mock::new(&[
//! #     Transaction::write(0x10, vec![0x03, 0x00, 0x00]),
//! #     Transaction::write(0x10, vec![0x00, 0x00, 0x10]),
//! #     Transaction::write_read(0x10, vec![0x04], vec![0xE8, 0x03]),
//! # ]);
//! let mut light = Veml7700::new(i2c);
//! let wait = light.init(Setting::new(Gain::OneEighth, IntegrationTime::Ms100))?;
//! // ... the poll loop comes back after `wait` ...
//! # let _ = wait;
//! let lux = light.read_lux()?;
//! assert_eq!(lux.counts, 1000);
//! // 1000 counts x 0.5376 lx = 537.6 lx, corrected for gain 1/8.
//! assert_eq!(lux.millilux, 560_979);
//! # light.destroy().done();
//! # Ok::<(), sensors::veml7700::Error<embedded_hal::i2c::ErrorKind>>(())
//! ```

#![no_std]

/// Gives a driver's `Error<E>`, whose bus failures are its `I2c(E)`
/// variant, the classification of bus errors every driver shares: the
/// inherent `i2c_error_kind()` (`None` for the driver's own errors), and
/// [`embedded_hal::i2c::Error`], whose `kind()` is that kind or
/// `ErrorKind::Other`.
macro_rules! bus_error_kind {
    ($error:ident) => {
        impl<E: embedded_hal::i2c::Error> $error<E> {
            /// The bus error's kind (so a NACK can be told from a bus
            /// fault), or `None` for the driver's own errors.
            pub fn i2c_error_kind(&self) -> Option<embedded_hal::i2c::ErrorKind> {
                match self {
                    Self::I2c(e) => Some(embedded_hal::i2c::Error::kind(e)),
                    _ => None,
                }
            }
        }

        impl<E: embedded_hal::i2c::Error> embedded_hal::i2c::Error for $error<E> {
            /// The bus error's kind; `ErrorKind::Other` for the driver's own
            /// errors.
            fn kind(&self) -> embedded_hal::i2c::ErrorKind {
                self.i2c_error_kind()
                    .unwrap_or(embedded_hal::i2c::ErrorKind::Other)
            }
        }
    };
}

pub mod ads1115;
pub mod mpu6050;
pub mod veml7700;

use core::fmt;

/// A 7-bit I2C address that the part cannot be strapped to: returned by
/// the `TryFrom<u8>` of each driver's `Address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidAddress {
    /// The address asked for.
    pub address: u8,
    /// The part's name, for the message.
    pub part: &'static str,
    /// The addresses the part can have, for the message (`"0x68 or 0x69"`).
    pub allowed: &'static str,
}

impl fmt::Display for InvalidAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "I2C address {:#04x} is not an address of the {}: use {}",
            self.address, self.part, self.allowed
        )
    }
}

impl core::error::Error for InvalidAddress {}

/// Rounds `numerator / denominator` to the nearest integer, ties away from
/// zero. `denominator` must be positive (every caller passes a constant).
pub(crate) const fn div_round(numerator: i64, denominator: i64) -> i64 {
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    }
}

/// Rounds a non-negative float to the nearest integer and saturates: NaN
/// and negative values give 0, values past `u32::MAX` give `u32::MAX`
/// (float-to-int `as` casts saturate; `f64::round` is not in `core`).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the value is positive here and the saturating float-to-int cast is the documented meaning"
)]
pub(crate) fn round_to_u32(value: f64) -> u32 {
    if value.is_nan() || value <= 0.0 {
        0
    } else {
        (value + 0.5) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn div_round_rounds_to_nearest_ties_away_from_zero() {
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(4, 3), 1);
        assert_eq!(div_round(5, 3), 2);
        assert_eq!(div_round(-4, 3), -1);
        assert_eq!(div_round(-5, 3), -2);
        assert_eq!(div_round(0, 7), 0);
    }

    #[test]
    fn round_to_u32_saturates_and_rounds() {
        assert_eq!(round_to_u32(f64::NAN), 0);
        assert_eq!(round_to_u32(-3.0), 0);
        assert_eq!(round_to_u32(1.49), 1);
        assert_eq!(round_to_u32(1.5), 2);
        assert_eq!(round_to_u32(1e20), u32::MAX);
        assert_eq!(round_to_u32(f64::INFINITY), u32::MAX);
    }

    #[test]
    fn invalid_address_message_names_the_fix() {
        let e = InvalidAddress {
            address: 0x20,
            part: "MPU-6050",
            allowed: "0x68 or 0x69",
        };
        extern crate std;
        use std::string::ToString;
        assert_eq!(
            e.to_string(),
            "I2C address 0x20 is not an address of the MPU-6050: use 0x68 or 0x69"
        );
    }
}
