//! ADS1115 16-bit ADC, used to read an LDR in a voltage divider.
//!
//! Single-shot, polled (the caller waits the returned time, then polls):
//!
//! ```
//! # use embedded_hal_mock::eh1::i2c::{Mock, Transaction as T};
//! use sensors::ads1115::convert::{ldr_reading, Divider, LdrModel};
//! use sensors::ads1115::{Address, Ads1115, Channel, Config};
//!
//! # let i2c = Mock::new(&[
//! #     T::write(0x48, vec![0x01, 0x43, 0x83]),
//! #     T::write_read(0x48, vec![0x01], vec![0x43, 0x83]),
//! #     T::write(0x48, vec![0x01, 0xC3, 0x83]),
//! #     T::write_read(0x48, vec![0x01], vec![0x43, 0x83]),
//! #     T::write_read(0x48, vec![0x01], vec![0xC3, 0x83]),
//! #     T::write_read(0x48, vec![0x00], vec![0x29, 0x40]),
//! # ]);
//! let config = Config::default(); // AIN0, ±4.096 V, 128 SPS
//! let mut adc = Ads1115::new(i2c, Address::Gnd);
//! adc.configure(&config)?;
//! adc.verify_config()?; // the part holds what was written
//! let wait = adc.start_single_shot(Channel::A0)?; // 8.6 ms at 128 SPS
//! # let _ = wait;
//! // ... the poll loop comes back after `wait` (or on ALERT/RDY) ...
//! let counts = loop {
//!     if let Some(counts) = adc.poll_single_shot()? {
//!         break counts;
//!     }
//! };
//! let light = ldr_reading(counts, config.pga, &Divider::DEFAULT, &LdrModel::GL5528);
//! assert_eq!(light.millilux, 10_000);
//! # adc.destroy().done();
//! # Ok::<(), sensors::ads1115::Error<embedded_hal::i2c::ErrorKind>>(())
//! ```
//!
//! The ALERT/RDY pin can signal each finished conversion instead of
//! polling ([`Config::ready_pin`]): the driver sets Hi_thresh's MSB, clears
//! Lo_thresh's and enables the comparator (COMP_QUE = one conversion), the
//! datasheet's conversion-ready mode. In single-shot mode the pin asserts
//! at the end of the conversion; in continuous mode it pulses (about 8 µs)
//! after each one.

pub mod convert;
pub mod register;

use core::fmt;
use core::time::Duration;

use embedded_hal::i2c::I2c;

use crate::InvalidAddress;
use register as reg;
use register::config as cfg;

/// The I2C address, set by what the ADDR pin is tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Address {
    /// ADDR to GND: 0x48.
    #[default]
    Gnd,
    /// ADDR to VDD: 0x49.
    Vdd,
    /// ADDR to SDA: 0x4A.
    Sda,
    /// ADDR to SCL: 0x4B.
    Scl,
}

impl Address {
    /// The 7-bit address.
    pub const fn bits(self) -> u8 {
        match self {
            Self::Gnd => 0x48,
            Self::Vdd => 0x49,
            Self::Sda => 0x4A,
            Self::Scl => 0x4B,
        }
    }
}

impl TryFrom<u8> for Address {
    type Error = InvalidAddress;

    fn try_from(address: u8) -> Result<Self, InvalidAddress> {
        match address {
            0x48 => Ok(Self::Gnd),
            0x49 => Ok(Self::Vdd),
            0x4A => Ok(Self::Sda),
            0x4B => Ok(Self::Scl),
            _ => Err(InvalidAddress {
                address,
                part: "ADS1115",
                allowed: "0x48..=0x4B",
            }),
        }
    }
}

/// The input the ADC measures (MUX): differential pairs AINp - AINn, or
/// one input against GND.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    /// AIN0 - AIN1 (MUX 000).
    A0MinusA1,
    /// AIN0 - AIN3 (MUX 001).
    A0MinusA3,
    /// AIN1 - AIN3 (MUX 010).
    A1MinusA3,
    /// AIN2 - AIN3 (MUX 011).
    A2MinusA3,
    /// AIN0 - GND (MUX 100).
    #[default]
    A0,
    /// AIN1 - GND (MUX 101).
    A1,
    /// AIN2 - GND (MUX 110).
    A2,
    /// AIN3 - GND (MUX 111).
    A3,
}

impl Channel {
    /// The MUX field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::A0MinusA1 => 0b000,
            Self::A0MinusA3 => 0b001,
            Self::A1MinusA3 => 0b010,
            Self::A2MinusA3 => 0b011,
            Self::A0 => 0b100,
            Self::A1 => 0b101,
            Self::A2 => 0b110,
            Self::A3 => 0b111,
        }
    }
}

/// Programmable gain amplifier: the full-scale range (PGA). The input
/// itself must stay within GND - 0.3 V .. VDD + 0.3 V whatever the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pga {
    /// ±6.144 V (PGA 000), 187.5 µV per count.
    Fsr6_144V,
    /// ±4.096 V (PGA 001), 125 µV per count: fits a 3.3 V divider.
    #[default]
    Fsr4_096V,
    /// ±2.048 V (PGA 010, the power-on value), 62.5 µV per count.
    Fsr2_048V,
    /// ±1.024 V (PGA 011), 31.25 µV per count.
    Fsr1_024V,
    /// ±0.512 V (PGA 100), 15.625 µV per count.
    Fsr0_512V,
    /// ±0.256 V (PGA 101), 7.8125 µV per count.
    Fsr0_256V,
}

impl Pga {
    /// Every range, widest first (in PGA field order).
    pub const ALL: [Self; 6] = [
        Self::Fsr6_144V,
        Self::Fsr4_096V,
        Self::Fsr2_048V,
        Self::Fsr1_024V,
        Self::Fsr0_512V,
        Self::Fsr0_256V,
    ];

    /// The PGA field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::Fsr6_144V => 0b000,
            Self::Fsr4_096V => 0b001,
            Self::Fsr2_048V => 0b010,
            Self::Fsr1_024V => 0b011,
            Self::Fsr0_512V => 0b100,
            Self::Fsr0_256V => 0b101,
        }
    }

    /// The full scale in micro-volts.
    pub const fn full_scale_uv(self) -> u32 {
        match self {
            Self::Fsr6_144V => 6_144_000,
            Self::Fsr4_096V => 4_096_000,
            Self::Fsr2_048V => 2_048_000,
            Self::Fsr1_024V => 1_024_000,
            Self::Fsr0_512V => 512_000,
            Self::Fsr0_256V => 256_000,
        }
    }

    /// The range whose full scale is `millivolts` (6144, 4096, 2048, 1024,
    /// 512 or 256), as the wire protocol's `fs=MV` names it.
    pub const fn from_full_scale_mv(millivolts: u16) -> Option<Self> {
        match millivolts {
            6144 => Some(Self::Fsr6_144V),
            4096 => Some(Self::Fsr4_096V),
            2048 => Some(Self::Fsr2_048V),
            1024 => Some(Self::Fsr1_024V),
            512 => Some(Self::Fsr0_512V),
            256 => Some(Self::Fsr0_256V),
            _ => None,
        }
    }
}

/// Data rate in samples per second (DR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataRate {
    /// 8 SPS (DR 000).
    Sps8,
    /// 16 SPS (DR 001).
    Sps16,
    /// 32 SPS (DR 010).
    Sps32,
    /// 64 SPS (DR 011).
    Sps64,
    /// 128 SPS (DR 100, the power-on value).
    #[default]
    Sps128,
    /// 250 SPS (DR 101).
    Sps250,
    /// 475 SPS (DR 110).
    Sps475,
    /// 860 SPS (DR 111).
    Sps860,
}

impl DataRate {
    /// Every data rate, slowest first (in DR field order).
    pub const ALL: [Self; 8] = [
        Self::Sps8,
        Self::Sps16,
        Self::Sps32,
        Self::Sps64,
        Self::Sps128,
        Self::Sps250,
        Self::Sps475,
        Self::Sps860,
    ];

    /// The DR field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::Sps8 => 0b000,
            Self::Sps16 => 0b001,
            Self::Sps32 => 0b010,
            Self::Sps64 => 0b011,
            Self::Sps128 => 0b100,
            Self::Sps250 => 0b101,
            Self::Sps475 => 0b110,
            Self::Sps860 => 0b111,
        }
    }

    /// Samples per second.
    pub const fn sps(self) -> u32 {
        match self {
            Self::Sps8 => 8,
            Self::Sps16 => 16,
            Self::Sps32 => 32,
            Self::Sps64 => 64,
            Self::Sps128 => 128,
            Self::Sps250 => 250,
            Self::Sps475 => 475,
            Self::Sps860 => 860,
        }
    }

    /// The rate with exactly `sps` samples per second.
    pub const fn from_sps(sps: u32) -> Option<Self> {
        match sps {
            8 => Some(Self::Sps8),
            16 => Some(Self::Sps16),
            32 => Some(Self::Sps32),
            64 => Some(Self::Sps64),
            128 => Some(Self::Sps128),
            250 => Some(Self::Sps250),
            475 => Some(Self::Sps475),
            860 => Some(Self::Sps860),
            _ => None,
        }
    }

    /// How long one conversion takes at most: the nominal period plus the
    /// datasheet's ±10 % data-rate tolerance, rounded up to the
    /// microsecond (137.5 ms at 8 SPS .. 1.28 ms at 860 SPS).
    pub const fn conversion_time(self) -> Duration {
        let sps = self.sps() as u64;
        Duration::from_micros(1_100_000_u64.div_ceil(sps))
    }
}

/// The ALERT/RDY pin's level when a conversion is ready (COMP_POL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadyPolarity {
    /// Low when ready (the pin is open drain: needs a pull-up).
    #[default]
    ActiveLow,
    /// High when ready.
    ActiveHigh,
}

/// Everything [`Ads1115::configure`] sets. The part is left in single-shot
/// mode (powered down between conversions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Input.
    pub channel: Channel,
    /// Full-scale range.
    pub pga: Pga,
    /// Data rate.
    pub data_rate: DataRate,
    /// Use ALERT/RDY as conversion-ready with this polarity; `None` leaves
    /// the comparator off and the pin high impedance.
    pub ready_pin: Option<ReadyPolarity>,
}

impl Default for Config {
    /// AIN0 against GND, ±4.096 V, 128 SPS, ALERT/RDY off: the
    /// appliance's LDR divider.
    fn default() -> Self {
        Self {
            channel: Channel::A0,
            pga: Pga::Fsr4_096V,
            data_rate: DataRate::Sps128,
            ready_pin: None,
        }
    }
}

/// The ADS1115 driver's errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error<E> {
    /// The bus failed (NACK, arbitration loss...): see
    /// [`Error::i2c_error_kind`].
    I2c(E),
    /// [`Ads1115::poll_single_shot`] without a conversion started since
    /// the last result.
    NoConversionStarted,
    /// The config register does not hold what the driver wrote (OS bit
    /// aside): another part at the address, or a reset under our feet.
    ConfigMismatch {
        /// What the driver last wrote.
        written: u16,
        /// What the register read.
        read: u16,
    },
}

bus_error_kind!(Error);

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::I2c(e) => write!(f, "ADS1115: I2C bus error: {e:?}"),
            Self::NoConversionStarted => write!(
                f,
                "ADS1115: no single-shot conversion was started: call start_single_shot first"
            ),
            Self::ConfigMismatch { written, read } => write!(
                f,
                "ADS1115: config register reads {read:#06x} after {written:#06x} was written: check the address and the part"
            ),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// The ADS1115 driver. It keeps the config word it last wrote and changes
/// one field at a time from it, so no setter reads the register first.
#[derive(Debug)]
pub struct Ads1115<I2C> {
    i2c: I2C,
    address: u8,
    /// The config word last written, with OS clear.
    config: u16,
    single_shot_pending: bool,
}

impl<I2C: I2c> Ads1115<I2C> {
    /// A driver for the part at `address`. Sends nothing; it assumes the
    /// power-on config until [`Ads1115::configure`].
    pub fn new(i2c: I2C, address: Address) -> Self {
        Self {
            i2c,
            address: address.bits(),
            config: reg::CONFIG_DEFAULT & !cfg::OS,
            single_shot_pending: false,
        }
    }

    /// Hands the bus back.
    pub fn destroy(self) -> I2C {
        self.i2c
    }

    /// Writes the whole configuration: with a ready pin, Hi_thresh and
    /// Lo_thresh first, then the config register (single-shot mode, no
    /// conversion started).
    pub fn configure(&mut self, config: &Config) -> Result<(), Error<I2C::Error>> {
        let mut word = cfg::MODE_SINGLE_SHOT
            | (config.channel.bits() << cfg::MUX_SHIFT)
            | (config.pga.bits() << cfg::PGA_SHIFT)
            | (config.data_rate.bits() << cfg::DR_SHIFT);
        match config.ready_pin {
            Some(polarity) => {
                self.write_ready_thresholds()?;
                word |= ready_bits(polarity);
            }
            None => word |= cfg::COMP_QUE_DISABLE,
        }
        self.write_config(word)?;
        self.single_shot_pending = false;
        Ok(())
    }

    /// Reads the config register and fails with [`Error::ConfigMismatch`]
    /// unless it holds what the driver last wrote (the OS bit, which reads
    /// as conversion status, is ignored). The ADS1115 has no identity
    /// register: this is the check that the part at the address is one.
    pub fn verify_config(&mut self) -> Result<(), Error<I2C::Error>> {
        let read = self.read_register(reg::CONFIG)?;
        if read & !cfg::OS == self.config {
            Ok(())
        } else {
            Err(Error::ConfigMismatch {
                written: self.config,
                read,
            })
        }
    }

    /// Selects the input (a continuous conversion restarts on it).
    pub fn set_channel(&mut self, channel: Channel) -> Result<(), Error<I2C::Error>> {
        self.write_field(cfg::MUX_MASK, channel.bits() << cfg::MUX_SHIFT)
    }

    /// Sets the full-scale range.
    pub fn set_pga(&mut self, pga: Pga) -> Result<(), Error<I2C::Error>> {
        self.write_field(cfg::PGA_MASK, pga.bits() << cfg::PGA_SHIFT)
    }

    /// Sets the data rate.
    pub fn set_data_rate(&mut self, data_rate: DataRate) -> Result<(), Error<I2C::Error>> {
        self.write_field(cfg::DR_MASK, data_rate.bits() << cfg::DR_SHIFT)
    }

    /// Makes ALERT/RDY a conversion-ready pin: Hi_thresh = 0x8000,
    /// Lo_thresh = 0x0000, then traditional non-latching comparator with
    /// `polarity`, asserting after one conversion.
    pub fn enable_ready_pin(&mut self, polarity: ReadyPolarity) -> Result<(), Error<I2C::Error>> {
        self.write_ready_thresholds()?;
        let comparator =
            cfg::COMP_MODE_WINDOW | cfg::COMP_POL_ACTIVE_HIGH | cfg::COMP_LAT | cfg::COMP_QUE_MASK;
        self.write_field(comparator, ready_bits(polarity))
    }

    /// Turns the comparator off (COMP_QUE = 11): ALERT/RDY goes high impedance.
    pub fn disable_ready_pin(&mut self) -> Result<(), Error<I2C::Error>> {
        self.write_field(cfg::COMP_QUE_MASK, cfg::COMP_QUE_DISABLE)
    }

    /// Starts one conversion of `channel` in single-shot mode (one config
    /// write with OS set). Returns how long the conversion takes at most;
    /// then [`Ads1115::poll_single_shot`] (or wait for ALERT/RDY).
    pub fn start_single_shot(&mut self, channel: Channel) -> Result<Duration, Error<I2C::Error>> {
        let word = (self.config & !cfg::MUX_MASK)
            | (channel.bits() << cfg::MUX_SHIFT)
            | cfg::MODE_SINGLE_SHOT;
        self.write_register(reg::CONFIG, word | cfg::OS)?;
        self.config = word;
        self.single_shot_pending = true;
        Ok(self.data_rate().conversion_time())
    }

    /// Reads the config register's OS bit: true while a conversion is in
    /// progress.
    pub fn is_busy(&mut self) -> Result<bool, Error<I2C::Error>> {
        Ok(self.read_register(reg::CONFIG)? & cfg::OS == 0)
    }

    /// `None` while the started single-shot conversion is in progress,
    /// then its result (once: the next call needs a new start). Fails with
    /// [`Error::NoConversionStarted`] if none was started.
    pub fn poll_single_shot(&mut self) -> Result<Option<i16>, Error<I2C::Error>> {
        if !self.single_shot_pending {
            return Err(Error::NoConversionStarted);
        }
        if self.is_busy()? {
            return Ok(None);
        }
        let counts = self.read_conversion()?;
        self.single_shot_pending = false;
        Ok(Some(counts))
    }

    /// Reads the conversion register: the last result, as counts of the
    /// current PGA's LSB (see [`convert::counts_to_microvolts`]).
    pub fn read_conversion(&mut self) -> Result<i16, Error<I2C::Error>> {
        let word = self.read_register(reg::CONVERSION)?;
        // The register holds a two's-complement count.
        Ok(word.cast_signed())
    }

    /// Starts continuous conversion of `channel`. Returns the time to the
    /// first result; later ones follow every data-rate period. Read them
    /// with [`Ads1115::read_conversion`], paced by the caller or by
    /// ALERT/RDY pulses.
    pub fn start_continuous(&mut self, channel: Channel) -> Result<Duration, Error<I2C::Error>> {
        let word = (self.config & !(cfg::MUX_MASK | cfg::MODE_SINGLE_SHOT))
            | (channel.bits() << cfg::MUX_SHIFT);
        self.write_config(word)?;
        self.single_shot_pending = false;
        Ok(self.data_rate().conversion_time())
    }

    /// Leaves continuous mode: the part powers down after the conversion
    /// in progress.
    pub fn stop_continuous(&mut self) -> Result<(), Error<I2C::Error>> {
        self.write_field(cfg::MODE_SINGLE_SHOT, cfg::MODE_SINGLE_SHOT)
    }

    /// The config word last written (OS clear).
    pub fn config_word(&self) -> u16 {
        self.config
    }

    /// The data rate last written.
    pub fn data_rate(&self) -> DataRate {
        match (self.config & cfg::DR_MASK) >> cfg::DR_SHIFT {
            0b000 => DataRate::Sps8,
            0b001 => DataRate::Sps16,
            0b010 => DataRate::Sps32,
            0b011 => DataRate::Sps64,
            0b100 => DataRate::Sps128,
            0b101 => DataRate::Sps250,
            0b110 => DataRate::Sps475,
            _ => DataRate::Sps860,
        }
    }

    /// The full-scale range last written.
    pub fn pga(&self) -> Pga {
        match (self.config & cfg::PGA_MASK) >> cfg::PGA_SHIFT {
            0b000 => Pga::Fsr6_144V,
            0b001 => Pga::Fsr4_096V,
            0b010 => Pga::Fsr2_048V,
            0b011 => Pga::Fsr1_024V,
            0b100 => Pga::Fsr0_512V,
            // 101, 110 and 111 are all ±0.256 V.
            _ => Pga::Fsr0_256V,
        }
    }

    fn write_ready_thresholds(&mut self) -> Result<(), Error<I2C::Error>> {
        self.write_register(reg::HI_THRESH, reg::HI_THRESH_READY)?;
        self.write_register(reg::LO_THRESH, reg::LO_THRESH_READY)
    }

    /// Replaces the bits under `mask` with `value` and writes the word,
    /// OS clear (in single-shot mode that starts nothing).
    fn write_field(&mut self, mask: u16, value: u16) -> Result<(), Error<I2C::Error>> {
        self.write_config((self.config & !mask) | (value & mask))
    }

    fn write_config(&mut self, word: u16) -> Result<(), Error<I2C::Error>> {
        let word = word & !cfg::OS;
        self.write_register(reg::CONFIG, word)?;
        self.config = word;
        Ok(())
    }

    fn write_register(&mut self, register: u8, value: u16) -> Result<(), Error<I2C::Error>> {
        let [msb, lsb] = value.to_be_bytes();
        self.i2c
            .write(self.address, &[register, msb, lsb])
            .map_err(Error::I2c)
    }

    fn read_register(&mut self, register: u8) -> Result<u16, Error<I2C::Error>> {
        let mut buf = [0u8; 2];
        self.i2c
            .write_read(self.address, &[register], &mut buf)
            .map_err(Error::I2c)?;
        Ok(u16::from_be_bytes(buf))
    }
}

/// Comparator bits for conversion-ready: traditional, non-latching,
/// `polarity`, assert after one conversion.
const fn ready_bits(polarity: ReadyPolarity) -> u16 {
    let pol = match polarity {
        ReadyPolarity::ActiveLow => 0,
        ReadyPolarity::ActiveHigh => cfg::COMP_POL_ACTIVE_HIGH,
    };
    pol | cfg::COMP_QUE_ONE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_times_include_the_tolerance() {
        let us = |dr: DataRate| dr.conversion_time().as_micros();
        assert_eq!(us(DataRate::Sps8), 137_500);
        assert_eq!(us(DataRate::Sps64), 17_188);
        assert_eq!(us(DataRate::Sps128), 8_594);
        assert_eq!(us(DataRate::Sps475), 2_316);
        assert_eq!(us(DataRate::Sps860), 1_280);
    }

    #[test]
    fn lookups_round_trip() {
        for (i, dr) in DataRate::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(dr.bits()), i, "{dr:?}: ALL is in DR order");
            assert_eq!(DataRate::from_sps(dr.sps()), Some(dr));
        }
        assert_eq!(DataRate::from_sps(100), None);
        for (i, pga) in Pga::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(pga.bits()), i, "{pga:?}: ALL is in PGA order");
            let mv = u16::try_from(pga.full_scale_uv() / 1000).unwrap();
            assert_eq!(Pga::from_full_scale_mv(mv), Some(pga));
        }
        assert_eq!(Pga::from_full_scale_mv(3300), None);
    }

    #[test]
    fn address_from_u8() {
        assert_eq!(Address::try_from(0x48), Ok(Address::Gnd));
        assert_eq!(Address::try_from(0x4B), Ok(Address::Scl));
        assert_eq!(Address::try_from(0x4C).unwrap_err().address, 0x4C);
    }
}
