//! The ADS1115 register map (TI SBAS444, section 9.6). Registers are 16
//! bits, sent most significant byte first.

/// Conversion register: the last result, two's complement.
pub const CONVERSION: u8 = 0x00;
/// Config register: start, mux, PGA, mode, data rate, comparator.
pub const CONFIG: u8 = 0x01;
/// Lo_thresh register.
pub const LO_THRESH: u8 = 0x02;
/// Hi_thresh register.
pub const HI_THRESH: u8 = 0x03;

/// Config register value after power-up (single-shot, AIN0-AIN1, ±2.048 V,
/// 128 SPS, comparator off).
pub const CONFIG_DEFAULT: u16 = 0x8583;

/// Hi_thresh with its most significant bit set and Lo_thresh with it clear
/// turn ALERT/RDY into a conversion-ready pin (datasheet 9.3.8).
pub const HI_THRESH_READY: u16 = 0x8000;
/// See [`HI_THRESH_READY`].
pub const LO_THRESH_READY: u16 = 0x0000;

/// Config register bit fields.
pub mod config {
    /// OS, bit 15. Written 1 in power-down: start a single conversion.
    /// Read: 0 = converting, 1 = idle.
    pub const OS: u16 = 1 << 15;
    /// MUX, bits 14:12: the input pair.
    pub const MUX_SHIFT: u16 = 12;
    /// MUX mask.
    pub const MUX_MASK: u16 = 0b111 << MUX_SHIFT;
    /// PGA, bits 11:9: the full-scale range.
    pub const PGA_SHIFT: u16 = 9;
    /// PGA mask.
    pub const PGA_MASK: u16 = 0b111 << PGA_SHIFT;
    /// MODE, bit 8: 1 = single-shot (power-down between), 0 = continuous.
    pub const MODE_SINGLE_SHOT: u16 = 1 << 8;
    /// DR, bits 7:5: data rate.
    pub const DR_SHIFT: u16 = 5;
    /// DR mask.
    pub const DR_MASK: u16 = 0b111 << DR_SHIFT;
    /// COMP_MODE, bit 4: 1 = window comparator, 0 = traditional.
    pub const COMP_MODE_WINDOW: u16 = 1 << 4;
    /// COMP_POL, bit 3: 1 = ALERT/RDY active high, 0 = active low.
    pub const COMP_POL_ACTIVE_HIGH: u16 = 1 << 3;
    /// COMP_LAT, bit 2: 1 = latching comparator.
    pub const COMP_LAT: u16 = 1 << 2;
    /// COMP_QUE, bits 1:0: assert after 1 (00), 2 (01), 4 (10)
    /// conversions; 11 disables the comparator (ALERT/RDY high impedance).
    pub const COMP_QUE_MASK: u16 = 0b11;
    /// COMP_QUE = 00: assert after one conversion.
    pub const COMP_QUE_ONE: u16 = 0b00;
    /// COMP_QUE = 11: comparator off.
    pub const COMP_QUE_DISABLE: u16 = 0b11;
}
