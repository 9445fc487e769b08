//! The VEML7700 command codes (Vishay datasheet 84286, "Command Register
//! Format"). Registers are 16 bits, sent least significant byte first.

/// The only I2C address of the VEML7700.
pub const ADDRESS: u8 = 0x10;

/// ALS_CONF_0: gain, integration time, persistence, interrupt, shutdown.
pub const ALS_CONF_0: u8 = 0x00;
/// ALS_WH: high threshold window.
pub const ALS_WH: u8 = 0x01;
/// ALS_WL: low threshold window.
pub const ALS_WL: u8 = 0x02;
/// Power saving mode.
pub const POWER_SAVING: u8 = 0x03;
/// ALS: ambient light result (photopic channel).
pub const ALS: u8 = 0x04;
/// WHITE: white channel result.
pub const WHITE: u8 = 0x05;
/// ALS_INT: threshold crossing flags; reading clears them.
pub const ALS_INT: u8 = 0x06;

/// ALS_CONF_0 after power-up: gain ×1, 100 ms, shut down.
pub const ALS_CONF_0_DEFAULT: u16 = 0x0001;

/// ALS_CONF_0 bit fields (bits 15:13, 10, 3:2 are reserved, written 0).
pub mod als_conf {
    /// ALS_GAIN, bits 12:11: 00 = ×1, 01 = ×2, 10 = ×1/8, 11 = ×1/4.
    pub const GAIN_SHIFT: u16 = 11;
    /// ALS_GAIN mask.
    pub const GAIN_MASK: u16 = 0b11 << GAIN_SHIFT;
    /// ALS_IT, bits 9:6: 1100 = 25, 1000 = 50, 0000 = 100, 0001 = 200,
    /// 0010 = 400, 0011 = 800 ms.
    pub const IT_SHIFT: u16 = 6;
    /// ALS_IT mask.
    pub const IT_MASK: u16 = 0b1111 << IT_SHIFT;
    /// ALS_PERS, bits 5:4: interrupt after 1, 2, 4 or 8 readings out of window.
    pub const PERS_SHIFT: u16 = 4;
    /// ALS_PERS mask.
    pub const PERS_MASK: u16 = 0b11 << PERS_SHIFT;
    /// ALS_INT_EN, bit 1: threshold interrupt enabled.
    pub const INT_EN: u16 = 1 << 1;
    /// ALS_SD, bit 0: 1 = shut down, 0 = on.
    pub const SD: u16 = 1 << 0;
}

/// Power saving register bit fields.
pub mod power_saving {
    /// PSM, bits 2:1: mode 1..4 (a 500, 1000, 2000, 4000 ms pause between
    /// measurements).
    pub const PSM_SHIFT: u16 = 1;
    /// PSM mask.
    pub const PSM_MASK: u16 = 0b11 << PSM_SHIFT;
    /// PSM_EN, bit 0: power saving on.
    pub const PSM_EN: u16 = 1 << 0;
}

/// ALS_INT bit fields.
pub mod als_int {
    /// int_th_low, bit 15: the reading went below ALS_WL.
    pub const TH_LOW: u16 = 1 << 15;
    /// int_th_high, bit 14: the reading went above ALS_WH.
    pub const TH_HIGH: u16 = 1 << 14;
}
