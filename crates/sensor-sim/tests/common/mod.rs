//! Helpers shared by the integration tests. Register addresses are declared
//! again here, from the datasheets, so the tests check the models rather
//! than reuse their constants.

#![allow(dead_code, unreachable_pub, reason = "each test file uses a subset")]

use std::sync::Arc;
use std::time::Duration;

use embedded_hal::i2c::{Error, ErrorKind, NoAcknowledgeSource};
use sensor_sim::Scenario;

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

/// MPU-6050 register map (RM-MPU-6000A rev 4.2).
pub mod mpu {
    pub const ADDR: u8 = 0x68;
    pub const SMPLRT_DIV: u8 = 0x19;
    pub const CONFIG: u8 = 0x1A;
    pub const GYRO_CONFIG: u8 = 0x1B;
    pub const ACCEL_CONFIG: u8 = 0x1C;
    pub const INT_PIN_CFG: u8 = 0x37;
    pub const INT_ENABLE: u8 = 0x38;
    pub const INT_STATUS: u8 = 0x3A;
    pub const ACCEL_XOUT_H: u8 = 0x3B;
    pub const TEMP_OUT_H: u8 = 0x41;
    pub const GYRO_XOUT_H: u8 = 0x43;
    pub const PWR_MGMT_1: u8 = 0x6B;
    pub const WHO_AM_I: u8 = 0x75;
}

/// ADS1115 registers (SBAS444D).
pub mod ads {
    pub const ADDR: u8 = 0x48;
    pub const CONVERSION: u8 = 0x00;
    pub const CONFIG: u8 = 0x01;
    pub const LO_THRESH: u8 = 0x02;
    pub const HI_THRESH: u8 = 0x03;
    pub const OS: u16 = 0x8000;
    pub const MODE_SINGLE: u16 = 0x0100;
    pub const COMP_POL_HIGH: u16 = 0x0008;
    pub const COMP_QUE_DISABLE: u16 = 0x0003;

    /// A config word: MUX, PGA and DR codes, single shot or not, comparator
    /// queue and polarity bits.
    pub fn config(mux: u16, pga: u16, single: bool, dr: u16, low_bits: u16) -> u16 {
        (mux << 12) | (pga << 9) | if single { MODE_SINGLE } else { 0 } | (dr << 5) | low_bits
    }
}

/// VEML7700 command codes (84286 rev 1.7).
pub mod veml {
    pub const ADDR: u8 = 0x10;
    pub const ALS_CONF_0: u8 = 0x00;
    pub const ALS_WH: u8 = 0x01;
    pub const ALS_WL: u8 = 0x02;
    pub const POWER_SAVING: u8 = 0x03;
    pub const ALS: u8 = 0x04;
    pub const WHITE: u8 = 0x05;
    pub const ALS_INT: u8 = 0x06;
    pub const ID: u8 = 0x07;

    /// ALS_GAIN codes.
    pub const GAIN_1: u16 = 0b00;
    pub const GAIN_2: u16 = 0b01;
    pub const GAIN_1_8: u16 = 0b10;
    pub const GAIN_1_4: u16 = 0b11;
    /// ALS_IT codes with their milliseconds.
    pub const IT: [(u16, u64); 6] = [
        (0b1100, 25),
        (0b1000, 50),
        (0b0000, 100),
        (0b0001, 200),
        (0b0010, 400),
        (0b0011, 800),
    ];

    pub fn conf(gain: u16, it: u16, pers: u16, int_en: bool, shut_down: bool) -> u16 {
        (gain << 11) | (it << 6) | (pers << 4) | (u16::from(int_en) << 1) | u16::from(shut_down)
    }
}
