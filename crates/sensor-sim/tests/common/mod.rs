//! Helpers shared by the integration tests: the parts' register maps from
//! the datasheets (`test_support::datasheet`, not the models' constants,
//! so the tests check the models rather than reuse them), each model
//! noise-free on a manual clock, and register reads and writes in each
//! part's byte order.

#![allow(dead_code, unreachable_pub, reason = "each test file uses a subset")]

use std::sync::Arc;
use std::time::Duration;

use embedded_hal::i2c::{Error, ErrorKind, NoAcknowledgeSource};
use sensor_sim::{Ads1115Model, ManualClock, Mpu6050Model, Noise, Scenario, Veml7700Model};

pub fn scenario(text: &str) -> Arc<Scenario> {
    match Scenario::parse(text) {
        Ok(s) => Arc::new(s),
        Err(e) => panic!("test scenario does not parse: {e}"),
    }
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

pub fn is_address_nack(e: &impl Error) -> bool {
    e.kind() == ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
}

/// An MPU-6050 at AD0 low playing `text`, without noise, and its clock.
pub fn imu(text: &str) -> (Mpu6050Model, ManualClock) {
    let clock = ManualClock::new();
    let dev = Mpu6050Model::new(mpu::ADDR_AD0_LOW, scenario(text), clock.clone())
        .unwrap()
        .with_noise(Noise::NONE);
    (dev, clock)
}

/// An ADS1115 with ADDR to GND playing `text`, without noise, and its
/// clock.
pub fn adc(text: &str) -> (Ads1115Model, ManualClock) {
    let clock = ManualClock::new();
    let dev = Ads1115Model::new(ads::ADDR_GND, scenario(text), clock.clone())
        .unwrap()
        .with_noise(Noise::NONE);
    (dev, clock)
}

/// A VEML7700 playing `text`, without noise, and its clock.
pub fn als(text: &str) -> (Veml7700Model, ManualClock) {
    let clock = ManualClock::new();
    let dev = Veml7700Model::new(scenario(text), clock.clone()).with_noise(Noise::NONE);
    (dev, clock)
}

/// MPU-6050: 8-bit registers.
pub mod mpu {
    use embedded_hal::i2c::I2c;
    use sensor_sim::{BusError, Mpu6050Model};
    pub use test_support::datasheet::mpu6050::*;

    pub fn try_read(dev: &mut Mpu6050Model, reg: u8) -> Result<u8, BusError> {
        let mut b = [0u8];
        dev.write_read(ADDR_AD0_LOW, &[reg], &mut b).map(|()| b[0])
    }

    pub fn read(dev: &mut Mpu6050Model, reg: u8) -> u8 {
        try_read(dev, reg).unwrap()
    }

    pub fn write(dev: &mut Mpu6050Model, reg: u8, value: u8) {
        dev.write(ADDR_AD0_LOW, &[reg, value]).unwrap();
    }
}

/// ADS1115: 16-bit registers, MSB first.
pub mod ads {
    use embedded_hal::i2c::I2c;
    use sensor_sim::{Ads1115Model, BusError};
    pub use test_support::datasheet::ads1115::*;

    pub fn try_read(dev: &mut Ads1115Model, reg: u8) -> Result<u16, BusError> {
        let mut b = [0u8; 2];
        dev.write_read(ADDR_GND, &[reg], &mut b)
            .map(|()| u16::from_be_bytes(b))
    }

    pub fn read(dev: &mut Ads1115Model, reg: u8) -> u16 {
        try_read(dev, reg).unwrap()
    }

    pub fn write(dev: &mut Ads1115Model, reg: u8, value: u16) {
        let [msb, lsb] = value.to_be_bytes();
        dev.write(ADDR_GND, &[reg, msb, lsb]).unwrap();
    }
}

/// VEML7700: 16-bit registers, LSB first.
pub mod veml {
    use embedded_hal::i2c::I2c;
    use sensor_sim::{BusError, Veml7700Model};
    pub use test_support::datasheet::veml7700::*;

    pub fn try_read(dev: &mut Veml7700Model, command: u8) -> Result<u16, BusError> {
        let mut b = [0u8; 2];
        dev.write_read(ADDR, &[command], &mut b)
            .map(|()| u16::from_le_bytes(b))
    }

    pub fn read(dev: &mut Veml7700Model, command: u8) -> u16 {
        try_read(dev, command).unwrap()
    }

    pub fn write(dev: &mut Veml7700Model, command: u8, value: u16) {
        let [lsb, msb] = value.to_le_bytes();
        dev.write(ADDR, &[command, lsb, msb]).unwrap();
    }
}
