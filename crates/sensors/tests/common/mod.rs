//! Shared by the register-level tests: the three parts' register maps
//! written out again from the datasheets (not imported from the drivers,
//! so a wrong constant in a driver fails a test), and transaction helpers
//! in each part's byte order.
#![allow(dead_code, unreachable_pub)]

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
use embedded_hal_mock::eh1::i2c::Transaction;

/// A NACK of the address byte: no device answers.
pub const NACK: ErrorKind = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);

/// MPU-6050 (RM-MPU-6000A-00 rev 4.2): 8-bit registers.
pub mod mpu {
    use super::Transaction;

    pub const ADDR_AD0_LOW: u8 = 0x68;
    pub const ADDR_AD0_HIGH: u8 = 0x69;

    pub const SMPLRT_DIV: u8 = 0x19;
    pub const CONFIG: u8 = 0x1A;
    pub const GYRO_CONFIG: u8 = 0x1B;
    pub const ACCEL_CONFIG: u8 = 0x1C;
    pub const INT_PIN_CFG: u8 = 0x37;
    pub const INT_ENABLE: u8 = 0x38;
    pub const INT_STATUS: u8 = 0x3A;
    pub const ACCEL_XOUT_H: u8 = 0x3B;
    pub const PWR_MGMT_1: u8 = 0x6B;
    pub const WHO_AM_I: u8 = 0x75;

    pub const WHO_AM_I_VALUE: u8 = 0x68;
    pub const DEVICE_RESET: u8 = 0b1000_0000;
    pub const SLEEP: u8 = 0b0100_0000;
    pub const CLKSEL_PLL_XGYRO: u8 = 0b0000_0001;
    /// FS_SEL and AFS_SEL sit in bits 4:3.
    pub const FS_SHIFT: u8 = 3;
    pub const DLPF_44HZ: u8 = 3;
    pub const INT_LEVEL_LOW: u8 = 0b1000_0000;
    pub const INT_OPEN_DRAIN: u8 = 0b0100_0000;
    pub const LATCH_INT_EN: u8 = 0b0010_0000;
    pub const INT_RD_CLEAR: u8 = 0b0001_0000;
    pub const DATA_RDY_EN: u8 = 0b0000_0001;
    pub const DATA_RDY_INT: u8 = 0b0000_0001;

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

/// ADS1115 (SBAS444): 16-bit registers, MSB first.
pub mod ads {
    use super::Transaction;

    pub const ADDR_GND: u8 = 0x48;
    pub const ADDR_SCL: u8 = 0x4B;

    pub const CONVERSION: u8 = 0x00;
    pub const CONFIG: u8 = 0x01;
    pub const LO_THRESH: u8 = 0x02;
    pub const HI_THRESH: u8 = 0x03;

    pub const OS: u16 = 0x8000;
    pub const MODE_SINGLE: u16 = 0x0100;
    pub const COMP_POL_HIGH: u16 = 0x0008;
    pub const COMP_LAT: u16 = 0x0004;
    pub const COMP_QUE_OFF: u16 = 0x0003;
    pub const COMP_QUE_ONE: u16 = 0x0000;

    pub const fn mux(bits: u16) -> u16 {
        bits << 12
    }
    pub const MUX_A0_A1: u16 = mux(0b000);
    pub const MUX_A0_A3: u16 = mux(0b001);
    pub const MUX_A1_A3: u16 = mux(0b010);
    pub const MUX_A2_A3: u16 = mux(0b011);
    pub const MUX_A0: u16 = mux(0b100);
    pub const MUX_A1: u16 = mux(0b101);
    pub const MUX_A2: u16 = mux(0b110);
    pub const MUX_A3: u16 = mux(0b111);

    pub const fn pga(bits: u16) -> u16 {
        bits << 9
    }
    pub const PGA_6_144: u16 = pga(0b000);
    pub const PGA_4_096: u16 = pga(0b001);
    pub const PGA_2_048: u16 = pga(0b010);
    pub const PGA_1_024: u16 = pga(0b011);
    pub const PGA_0_512: u16 = pga(0b100);
    pub const PGA_0_256: u16 = pga(0b101);

    pub const fn dr(bits: u16) -> u16 {
        bits << 5
    }
    pub const DR_8: u16 = dr(0b000);
    pub const DR_128: u16 = dr(0b100);
    pub const DR_250: u16 = dr(0b101);
    pub const DR_860: u16 = dr(0b111);

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

/// VEML7700 (84286 rev 1.7): 16-bit registers, LSB first.
pub mod veml {
    use super::Transaction;

    pub const ADDR: u8 = 0x10;

    pub const ALS_CONF_0: u8 = 0x00;
    pub const ALS_WH: u8 = 0x01;
    pub const ALS_WL: u8 = 0x02;
    pub const POWER_SAVING: u8 = 0x03;
    pub const ALS: u8 = 0x04;
    pub const WHITE: u8 = 0x05;
    pub const ALS_INT: u8 = 0x06;

    pub const SD: u16 = 0x0001;
    pub const INT_EN: u16 = 0x0002;
    pub const fn pers(bits: u16) -> u16 {
        bits << 4
    }
    pub const fn gain(bits: u16) -> u16 {
        bits << 11
    }
    pub const GAIN_1: u16 = gain(0b00);
    pub const GAIN_2: u16 = gain(0b01);
    pub const GAIN_1_8: u16 = gain(0b10);
    pub const GAIN_1_4: u16 = gain(0b11);
    pub const fn it(bits: u16) -> u16 {
        bits << 6
    }
    pub const IT_25: u16 = it(0b1100);
    pub const IT_50: u16 = it(0b1000);
    pub const IT_100: u16 = it(0b0000);
    pub const IT_200: u16 = it(0b0001);
    pub const IT_400: u16 = it(0b0010);
    pub const IT_800: u16 = it(0b0011);
    pub const PSM_EN: u16 = 0x0001;
    pub const fn psm(bits: u16) -> u16 {
        bits << 1
    }
    pub const INT_TH_LOW: u16 = 0x8000;
    pub const INT_TH_HIGH: u16 = 0x4000;

    pub fn write(register: u8, value: u16) -> Transaction {
        let [lsb, msb] = value.to_le_bytes();
        Transaction::write(ADDR, vec![register, lsb, msb])
    }

    pub fn read(register: u8, value: u16) -> Transaction {
        Transaction::write_read(ADDR, vec![register], value.to_le_bytes().to_vec())
    }
}
