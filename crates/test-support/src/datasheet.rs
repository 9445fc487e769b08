//! The register maps of the three I2C parts, written out from their
//! datasheets for the tests: the drivers' tests (`sensors`) and the
//! models' tests (`sensor-sim`) both check against these, never against
//! the constants of the code under test, so a wrong constant in a driver
//! or a model fails a test.
//!
//! Addresses are 7-bit. A bit field is given at its place in the register
//! (`FIELD_VALUE`), or as a `const fn` that shifts a field's code there;
//! a register value is the `|` of its fields.

/// MPU-6050 (InvenSense RM-MPU-6000A-00 rev 4.2): 8-bit registers,
/// multi-byte values big-endian.
pub mod mpu6050 {
    /// The address with the AD0 pin low.
    pub const ADDR_AD0_LOW: u8 = 0x68;
    /// The address with the AD0 pin high.
    pub const ADDR_AD0_HIGH: u8 = 0x69;

    /// SMPLRT_DIV: sample rate = gyroscope output rate / (1 + SMPLRT_DIV).
    pub const SMPLRT_DIV: u8 = 0x19;
    /// CONFIG: frame sync and DLPF_CFG.
    pub const CONFIG: u8 = 0x1A;
    /// GYRO_CONFIG: self-test and FS_SEL.
    pub const GYRO_CONFIG: u8 = 0x1B;
    /// ACCEL_CONFIG: self-test and AFS_SEL.
    pub const ACCEL_CONFIG: u8 = 0x1C;
    /// INT_PIN_CFG: how the INT pin drives and clears.
    pub const INT_PIN_CFG: u8 = 0x37;
    /// INT_ENABLE: which events raise INT.
    pub const INT_ENABLE: u8 = 0x38;
    /// INT_STATUS: which events happened; reading clears them.
    pub const INT_STATUS: u8 = 0x3A;
    /// ACCEL_XOUT_H: the first of 14 data bytes (accel XYZ, temperature,
    /// gyro XYZ).
    pub const ACCEL_XOUT_H: u8 = 0x3B;
    /// TEMP_OUT_H: the temperature's high byte.
    pub const TEMP_OUT_H: u8 = 0x41;
    /// GYRO_XOUT_H: the first gyroscope byte.
    pub const GYRO_XOUT_H: u8 = 0x43;
    /// PWR_MGMT_1: reset, sleep, clock source.
    pub const PWR_MGMT_1: u8 = 0x6B;
    /// WHO_AM_I: the identity register.
    pub const WHO_AM_I: u8 = 0x75;

    /// What WHO_AM_I reads, whatever the AD0 pin.
    pub const WHO_AM_I_VALUE: u8 = 0x68;
    /// PWR_MGMT_1 DEVICE_RESET.
    pub const DEVICE_RESET: u8 = 0b1000_0000;
    /// PWR_MGMT_1 SLEEP.
    pub const SLEEP: u8 = 0b0100_0000;
    /// PWR_MGMT_1 CLKSEL 1: the PLL with the X gyroscope as reference.
    pub const CLKSEL_PLL_XGYRO: u8 = 0b0000_0001;
    /// FS_SEL (GYRO_CONFIG) and AFS_SEL (ACCEL_CONFIG) sit in bits 4:3.
    pub const FS_SHIFT: u8 = 3;
    /// CONFIG DLPF_CFG 3: 44 Hz accelerometer, 42 Hz gyroscope bandwidth.
    pub const DLPF_44HZ: u8 = 3;
    /// INT_PIN_CFG INT_LEVEL: the pin is active low.
    pub const INT_LEVEL_LOW: u8 = 0b1000_0000;
    /// INT_PIN_CFG INT_OPEN: open drain.
    pub const INT_OPEN_DRAIN: u8 = 0b0100_0000;
    /// INT_PIN_CFG LATCH_INT_EN: INT held until cleared.
    pub const LATCH_INT_EN: u8 = 0b0010_0000;
    /// INT_PIN_CFG INT_RD_CLEAR: any read clears INT_STATUS.
    pub const INT_RD_CLEAR: u8 = 0b0001_0000;
    /// INT_ENABLE DATA_RDY_EN.
    pub const DATA_RDY_EN: u8 = 0b0000_0001;
    /// INT_STATUS DATA_RDY_INT.
    pub const DATA_RDY_INT: u8 = 0b0000_0001;
}

/// ADS1115 (TI SBAS444): 16-bit registers, most significant byte first.
pub mod ads1115 {
    /// The address with ADDR to GND.
    pub const ADDR_GND: u8 = 0x48;
    /// The address with ADDR to SCL.
    pub const ADDR_SCL: u8 = 0x4B;

    /// The conversion register.
    pub const CONVERSION: u8 = 0x00;
    /// The config register.
    pub const CONFIG: u8 = 0x01;
    /// The low threshold.
    pub const LO_THRESH: u8 = 0x02;
    /// The high threshold.
    pub const HI_THRESH: u8 = 0x03;

    /// OS: write 1 to start a single shot; reads 0 while converting.
    pub const OS: u16 = 0x8000;
    /// MODE 1: single shot (power down between conversions).
    pub const MODE_SINGLE: u16 = 0x0100;
    /// MODE 0: continuous conversion.
    pub const MODE_CONTINUOUS: u16 = 0x0000;
    /// COMP_POL: ALERT/RDY active high.
    pub const COMP_POL_HIGH: u16 = 0x0008;
    /// COMP_LAT: a latching comparator.
    pub const COMP_LAT: u16 = 0x0004;
    /// COMP_QUE 11: the comparator off, ALERT/RDY high impedance.
    pub const COMP_QUE_OFF: u16 = 0x0003;
    /// COMP_QUE 00: assert after one conversion.
    pub const COMP_QUE_ONE: u16 = 0x0000;

    /// MUX, bits 14:12.
    pub const fn mux(bits: u16) -> u16 {
        bits << 12
    }
    /// MUX 000: AIN0 - AIN1.
    pub const MUX_A0_A1: u16 = mux(0b000);
    /// MUX 001: AIN0 - AIN3.
    pub const MUX_A0_A3: u16 = mux(0b001);
    /// MUX 010: AIN1 - AIN3.
    pub const MUX_A1_A3: u16 = mux(0b010);
    /// MUX 011: AIN2 - AIN3.
    pub const MUX_A2_A3: u16 = mux(0b011);
    /// MUX 100: AIN0 - GND.
    pub const MUX_A0: u16 = mux(0b100);
    /// MUX 101: AIN1 - GND.
    pub const MUX_A1: u16 = mux(0b101);
    /// MUX 110: AIN2 - GND.
    pub const MUX_A2: u16 = mux(0b110);
    /// MUX 111: AIN3 - GND.
    pub const MUX_A3: u16 = mux(0b111);

    /// PGA, bits 11:9.
    pub const fn pga(bits: u16) -> u16 {
        bits << 9
    }
    /// PGA 000: ±6.144 V.
    pub const PGA_6_144: u16 = pga(0b000);
    /// PGA 001: ±4.096 V.
    pub const PGA_4_096: u16 = pga(0b001);
    /// PGA 010: ±2.048 V.
    pub const PGA_2_048: u16 = pga(0b010);
    /// PGA 011: ±1.024 V.
    pub const PGA_1_024: u16 = pga(0b011);
    /// PGA 100: ±0.512 V.
    pub const PGA_0_512: u16 = pga(0b100);
    /// PGA 101: ±0.256 V.
    pub const PGA_0_256: u16 = pga(0b101);

    /// DR, bits 7:5.
    pub const fn dr(bits: u16) -> u16 {
        bits << 5
    }
    /// DR 000: 8 SPS.
    pub const DR_8: u16 = dr(0b000);
    /// DR 100: 128 SPS.
    pub const DR_128: u16 = dr(0b100);
    /// DR 101: 250 SPS.
    pub const DR_250: u16 = dr(0b101);
    /// DR 111: 860 SPS.
    pub const DR_860: u16 = dr(0b111);
}

/// VEML7700 (Vishay 84286 rev 1.7): 16-bit registers, least significant
/// byte first.
pub mod veml7700 {
    /// The only address.
    pub const ADDR: u8 = 0x10;

    /// ALS_CONF_0: gain, integration time, persistence, interrupt, shutdown.
    pub const ALS_CONF_0: u8 = 0x00;
    /// ALS_WH: the high threshold.
    pub const ALS_WH: u8 = 0x01;
    /// ALS_WL: the low threshold.
    pub const ALS_WL: u8 = 0x02;
    /// Power saving.
    pub const POWER_SAVING: u8 = 0x03;
    /// ALS: the ambient light result.
    pub const ALS: u8 = 0x04;
    /// WHITE: the white channel result.
    pub const WHITE: u8 = 0x05;
    /// ALS_INT: threshold crossing flags; reading clears them.
    pub const ALS_INT: u8 = 0x06;
    /// ID: device ID and address option code.
    pub const ID: u8 = 0x07;

    /// ALS_CONF_0 ALS_SD: shut down.
    pub const SD: u16 = 0x0001;
    /// ALS_CONF_0 ALS_INT_EN: the threshold interrupt on.
    pub const INT_EN: u16 = 0x0002;
    /// ALS_CONF_0 ALS_PERS, bits 5:4.
    pub const fn pers(bits: u16) -> u16 {
        bits << 4
    }
    /// ALS_CONF_0 ALS_GAIN, bits 12:11.
    pub const fn gain(bits: u16) -> u16 {
        bits << 11
    }
    /// ALS_GAIN 00: ×1.
    pub const GAIN_1: u16 = gain(0b00);
    /// ALS_GAIN 01: ×2.
    pub const GAIN_2: u16 = gain(0b01);
    /// ALS_GAIN 10: ×1/8.
    pub const GAIN_1_8: u16 = gain(0b10);
    /// ALS_GAIN 11: ×1/4.
    pub const GAIN_1_4: u16 = gain(0b11);
    /// ALS_CONF_0 ALS_IT, bits 9:6.
    pub const fn it(bits: u16) -> u16 {
        bits << 6
    }
    /// ALS_IT 1100: 25 ms.
    pub const IT_25: u16 = it(0b1100);
    /// ALS_IT 1000: 50 ms.
    pub const IT_50: u16 = it(0b1000);
    /// ALS_IT 0000: 100 ms.
    pub const IT_100: u16 = it(0b0000);
    /// ALS_IT 0001: 200 ms.
    pub const IT_200: u16 = it(0b0001);
    /// ALS_IT 0010: 400 ms.
    pub const IT_400: u16 = it(0b0010);
    /// ALS_IT 0011: 800 ms.
    pub const IT_800: u16 = it(0b0011);
    /// Every ALS_IT setting with its integration time in milliseconds,
    /// shortest first.
    pub const IT_MS: [(u16, u64); 6] = [
        (IT_25, 25),
        (IT_50, 50),
        (IT_100, 100),
        (IT_200, 200),
        (IT_400, 400),
        (IT_800, 800),
    ];
    /// Power saving PSM_EN.
    pub const PSM_EN: u16 = 0x0001;
    /// Power saving PSM, bits 2:1.
    pub const fn psm(bits: u16) -> u16 {
        bits << 1
    }
    /// ALS_INT: the low threshold was crossed.
    pub const INT_TH_LOW: u16 = 0x8000;
    /// ALS_INT: the high threshold was crossed.
    pub const INT_TH_HIGH: u16 = 0x4000;
}
