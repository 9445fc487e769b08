//! The MPU-6050 register map (InvenSense RM-MPU-6000A-00 rev 4.2) as far as
//! the driver uses it: register addresses, then each register's bit fields.
//! Every register is 8 bits wide; multi-byte values are big-endian.

/// SMPLRT_DIV: sample rate = gyroscope output rate / (1 + SMPLRT_DIV).
pub const SMPLRT_DIV: u8 = 0x19;
/// CONFIG: external frame sync and digital low-pass filter.
pub const CONFIG: u8 = 0x1A;
/// GYRO_CONFIG: gyroscope self-test and full scale.
pub const GYRO_CONFIG: u8 = 0x1B;
/// ACCEL_CONFIG: accelerometer self-test and full scale.
pub const ACCEL_CONFIG: u8 = 0x1C;
/// INT_PIN_CFG: how the INT pin drives and when it clears.
pub const INT_PIN_CFG: u8 = 0x37;
/// INT_ENABLE: which events raise the interrupt.
pub const INT_ENABLE: u8 = 0x38;
/// INT_STATUS: which events happened; reading it clears them.
pub const INT_STATUS: u8 = 0x3A;
/// ACCEL_XOUT_H: first of the 14 data bytes (accel XYZ, temperature, gyro XYZ).
pub const ACCEL_XOUT_H: u8 = 0x3B;
/// PWR_MGMT_1: reset, sleep, clock source.
pub const PWR_MGMT_1: u8 = 0x6B;
/// WHO_AM_I: the identity register.
pub const WHO_AM_I: u8 = 0x75;

/// What WHO_AM_I reads on an MPU-6050, whatever the AD0 pin.
pub const WHO_AM_I_VALUE: u8 = 0x68;

/// Number of data bytes from [`ACCEL_XOUT_H`]: 3 x accel, temperature, 3 x gyro.
pub const DATA_LEN: usize = 14;

/// CONFIG bit fields.
pub mod config {
    /// DLPF_CFG, bits 2:0: the digital low-pass filter setting (0..=6; 7 is reserved).
    pub const DLPF_CFG_MASK: u8 = 0b0000_0111;
}

/// GYRO_CONFIG bit fields.
pub mod gyro_config {
    /// FS_SEL, bits 4:3: 0 = ±250, 1 = ±500, 2 = ±1000, 3 = ±2000 °/s.
    pub const FS_SEL_SHIFT: u8 = 3;
    /// FS_SEL mask.
    pub const FS_SEL_MASK: u8 = 0b0001_1000;
}

/// ACCEL_CONFIG bit fields.
pub mod accel_config {
    /// AFS_SEL, bits 4:3: 0 = ±2, 1 = ±4, 2 = ±8, 3 = ±16 g.
    pub const AFS_SEL_SHIFT: u8 = 3;
    /// AFS_SEL mask.
    pub const AFS_SEL_MASK: u8 = 0b0001_1000;
}

/// INT_PIN_CFG bit fields.
pub mod int_pin_cfg {
    /// INT_LEVEL: 1 = the pin is active low, 0 = active high.
    pub const INT_LEVEL: u8 = 1 << 7;
    /// INT_OPEN: 1 = open drain, 0 = push-pull.
    pub const INT_OPEN: u8 = 1 << 6;
    /// LATCH_INT_EN: 1 = held until cleared, 0 = a 50 µs pulse.
    pub const LATCH_INT_EN: u8 = 1 << 5;
    /// INT_RD_CLEAR: 1 = cleared by any read, 0 = only by reading INT_STATUS.
    pub const INT_RD_CLEAR: u8 = 1 << 4;
}

/// INT_ENABLE bit fields.
pub mod int_enable {
    /// DATA_RDY_EN: raise the interrupt when a new sample is in the data registers.
    pub const DATA_RDY_EN: u8 = 1 << 0;
}

/// INT_STATUS bit fields.
pub mod int_status {
    /// DATA_RDY_INT: a new sample is in the data registers.
    pub const DATA_RDY_INT: u8 = 1 << 0;
}

/// PWR_MGMT_1 bit fields.
pub mod pwr_mgmt_1 {
    /// DEVICE_RESET: resets every register to its default; clears itself.
    pub const DEVICE_RESET: u8 = 1 << 7;
    /// SLEEP: low-power sleep (set after power-up and after a reset).
    pub const SLEEP: u8 = 1 << 6;
    /// CLKSEL = 1: PLL with the X-axis gyroscope as reference (bits 2:0).
    pub const CLKSEL_PLL_XGYRO: u8 = 0b0000_0001;
}
