//! Shared by the register-level tests: the three parts' register maps
//! from the datasheets (`test_support::datasheet`, not the drivers'
//! constants, so a wrong constant in a driver fails a test), and
//! transaction helpers in each part's byte order.
#![allow(dead_code, unreachable_pub)]

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
use embedded_hal_mock::eh1::i2c::Transaction;

/// A NACK of the address byte: no device answers.
pub const NACK: ErrorKind = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);

/// MPU-6050: 8-bit registers.
pub mod mpu {
    pub use test_support::datasheet::mpu6050::*;

    use super::Transaction;

    pub fn write(register: u8, value: u8) -> Transaction {
        Transaction::write(ADDR_AD0_LOW, vec![register, value])
    }

    pub fn read(register: u8, value: u8) -> Transaction {
        Transaction::write_read(ADDR_AD0_LOW, vec![register], vec![value])
    }

    /// The 14-byte burst from ACCEL_XOUT_H, big-endian, in register order.
    pub fn read_data(accel: [i16; 3], temp: i16, gyro: [i16; 3]) -> Transaction {
        let mut bytes = Vec::new();
        for word in accel.into_iter().chain([temp]).chain(gyro) {
            bytes.extend_from_slice(&word.to_be_bytes());
        }
        Transaction::write_read(ADDR_AD0_LOW, vec![ACCEL_XOUT_H], bytes)
    }
}

/// ADS1115: 16-bit registers, MSB first.
pub mod ads {
    pub use test_support::datasheet::ads1115::*;

    use super::Transaction;

    pub fn write(register: u8, value: u16) -> Transaction {
        write_at(ADDR_GND, register, value)
    }

    pub fn write_at(address: u8, register: u8, value: u16) -> Transaction {
        let [msb, lsb] = value.to_be_bytes();
        Transaction::write(address, vec![register, msb, lsb])
    }

    pub fn read(register: u8, value: u16) -> Transaction {
        Transaction::write_read(ADDR_GND, vec![register], value.to_be_bytes().to_vec())
    }
}

/// VEML7700: 16-bit registers, LSB first.
pub mod veml {
    pub use test_support::datasheet::veml7700::*;

    use super::Transaction;

    pub fn write(register: u8, value: u16) -> Transaction {
        let [lsb, msb] = value.to_le_bytes();
        Transaction::write(ADDR, vec![register, lsb, msb])
    }

    pub fn read(register: u8, value: u16) -> Transaction {
        Transaction::write_read(ADDR, vec![register], value.to_le_bytes().to_vec())
    }
}
