//! VEML7700 ambient light sensor (fixed address 0x10).
//!
//! A new gain or integration time takes effect with the next integration,
//! so every call that changes them returns how long to wait before a
//! reading is valid; the driver never sleeps. Automatic ranging, one step
//! per call, from a poll loop:
//!
//! ```
//! # use embedded_hal_mock::eh1::i2c::{Mock, Transaction as T};
//! use sensors::veml7700::{AutoLux, Veml7700};
//!
//! # let i2c = Mock::new(&[
//! #     T::write(0x10, vec![0x03, 0x00, 0x00]),
//! #     T::write(0x10, vec![0x00, 0x00, 0x10]),
//! #     T::write_read(0x10, vec![0x04], vec![0x32, 0x00]),
//! #     T::write(0x10, vec![0x00, 0x00, 0x18]),
//! #     T::write_read(0x10, vec![0x04], vec![0xF4, 0x01]),
//! # ]);
//! let mut light = Veml7700::new(i2c);
//! let mut wait = light.start_auto_range()?; // gain x1/8, 100 ms, powered on
//! let lux = loop {
//!     // ... the poll loop comes back after `wait` ...
//!     # let _ = wait;
//!     match light.read_lux_auto()? {
//!         AutoLux::Lux(lux) => break lux,
//!         AutoLux::Settling { wait: w, .. } => wait = w, // 50 counts: gain x1/4
//!     }
//! };
//! assert_eq!(lux.counts, 500);
//! assert_eq!(lux.millilux, 136_158); // 500 x 0.2688 lx, corrected for gain 1/4
//! # light.destroy().done();
//! # Ok::<(), sensors::veml7700::Error<embedded_hal::i2c::ErrorKind>>(())
//! ```

pub mod convert;
pub mod register;

use core::fmt;
use core::time::Duration;

use embedded_hal::i2c::I2c;

use register as reg;
use register::als_conf as conf;

/// Wait after powering on (ALS_SD 1 -> 0) before the first integration
/// starts: the oscillator and signal processor start up (the datasheet
/// asks for a few milliseconds; 4 ms is used).
pub const POWER_ON_TIME: Duration = Duration::from_millis(4);

/// ALS gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gain {
    /// ×1 (ALS_GAIN 00).
    #[default]
    One,
    /// ×2 (ALS_GAIN 01).
    Two,
    /// ×1/8 (ALS_GAIN 10).
    OneEighth,
    /// ×1/4 (ALS_GAIN 11).
    OneQuarter,
}

impl Gain {
    /// The ALS_GAIN field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::One => 0b00,
            Self::Two => 0b01,
            Self::OneEighth => 0b10,
            Self::OneQuarter => 0b11,
        }
    }

    /// The gain in thousandths (125 for ×1/8), as the wire protocol's
    /// `gain=MILLI` names it.
    pub const fn millis(self) -> u16 {
        match self {
            Self::One => 1000,
            Self::Two => 2000,
            Self::OneEighth => 125,
            Self::OneQuarter => 250,
        }
    }

    /// The gain of `millis` thousandths (125, 250, 1000 or 2000).
    pub const fn from_millis(millis: u16) -> Option<Self> {
        match millis {
            1000 => Some(Self::One),
            2000 => Some(Self::Two),
            125 => Some(Self::OneEighth),
            250 => Some(Self::OneQuarter),
            _ => None,
        }
    }

    const fn from_bits(bits: u16) -> Self {
        match bits & 0b11 {
            0b00 => Self::One,
            0b01 => Self::Two,
            0b10 => Self::OneEighth,
            _ => Self::OneQuarter,
        }
    }

    /// 2 / gain: how many times coarser than ×2 (1, 2, 8, 16).
    const fn coarseness(self) -> u16 {
        match self {
            Self::Two => 1,
            Self::One => 2,
            Self::OneQuarter => 8,
            Self::OneEighth => 16,
        }
    }
}

/// ALS integration time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntegrationTime {
    /// 25 ms (ALS_IT 1100).
    Ms25,
    /// 50 ms (ALS_IT 1000).
    Ms50,
    /// 100 ms (ALS_IT 0000).
    #[default]
    Ms100,
    /// 200 ms (ALS_IT 0001).
    Ms200,
    /// 400 ms (ALS_IT 0010).
    Ms400,
    /// 800 ms (ALS_IT 0011).
    Ms800,
}

impl IntegrationTime {
    /// The ALS_IT field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::Ms25 => 0b1100,
            Self::Ms50 => 0b1000,
            Self::Ms100 => 0b0000,
            Self::Ms200 => 0b0001,
            Self::Ms400 => 0b0010,
            Self::Ms800 => 0b0011,
        }
    }

    /// The time in milliseconds.
    pub const fn millis(self) -> u16 {
        match self {
            Self::Ms25 => 25,
            Self::Ms50 => 50,
            Self::Ms100 => 100,
            Self::Ms200 => 200,
            Self::Ms400 => 400,
            Self::Ms800 => 800,
        }
    }

    /// The integration time of `millis` ms (25, 50, 100, 200, 400 or 800).
    pub const fn from_millis(millis: u16) -> Option<Self> {
        match millis {
            25 => Some(Self::Ms25),
            50 => Some(Self::Ms50),
            100 => Some(Self::Ms100),
            200 => Some(Self::Ms200),
            400 => Some(Self::Ms400),
            800 => Some(Self::Ms800),
            _ => None,
        }
    }

    /// The setting of ALS_IT bits; reserved codes read as 100 ms.
    const fn from_bits(bits: u16) -> Self {
        match bits & 0b1111 {
            0b1100 => Self::Ms25,
            0b1000 => Self::Ms50,
            0b0001 => Self::Ms200,
            0b0010 => Self::Ms400,
            0b0011 => Self::Ms800,
            _ => Self::Ms100,
        }
    }

    /// 800 ms / time: how many times coarser than 800 ms (1..=32).
    const fn coarseness(self) -> u16 {
        800 / self.millis()
    }
}

/// A gain and integration time: what sets the resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Setting {
    /// ALS gain.
    pub gain: Gain,
    /// ALS integration time.
    pub integration_time: IntegrationTime,
}

impl Setting {
    /// Where the application note's automatic ranging starts: gain ×1/8,
    /// 100 ms (0.5376 lx/count, good from about 54 lx to 5.4 klx).
    pub const AUTO_RANGE_START: Self = Self::new(Gain::OneEighth, IntegrationTime::Ms100);

    /// A setting.
    pub const fn new(gain: Gain, integration_time: IntegrationTime) -> Self {
        Self {
            gain,
            integration_time,
        }
    }

    /// The resolution as a multiple of the finest (×2, 800 ms,
    /// 0.0042 lx/count): `(800 ms / IT) x (2 / gain)`, 1..=512.
    pub const fn resolution_steps(self) -> u16 {
        self.integration_time.coarseness() * self.gain.coarseness()
    }

    /// The resolution in lx/count (see [`convert::resolution_lux`]).
    pub const fn resolution_lux(self) -> f64 {
        convert::resolution_lux(self)
    }

    /// One integration with this setting plus a 10 % margin for the
    /// sensor's internal oscillator: the wait after power-on.
    pub const fn integration_with_margin(self) -> Duration {
        Duration::from_micros(self.integration_time.millis() as u64 * 1100)
    }

    /// How long after this setting is written the ALS register holds a
    /// reading taken with it, when `previous` was the setting before: the
    /// integration in progress (with `previous`) may have to finish first,
    /// then one full integration with this setting, each with a 10 %
    /// margin for the internal oscillator. With power saving on, the
    /// mode's pause comes on top (see [`Veml7700::set_power_saving`]).
    pub const fn settle_time(self, previous: Self) -> Duration {
        let ms = previous.integration_time.millis() as u64 + self.integration_time.millis() as u64;
        Duration::from_micros(ms * 1100)
    }
}

/// Power saving mode: a pause between measurements (PSM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerSavingMode {
    /// Mode 1: 500 ms pause.
    Mode1,
    /// Mode 2: 1000 ms pause.
    Mode2,
    /// Mode 3: 2000 ms pause.
    Mode3,
    /// Mode 4: 4000 ms pause.
    Mode4,
}

impl PowerSavingMode {
    /// The PSM field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::Mode1 => 0b00,
            Self::Mode2 => 0b01,
            Self::Mode3 => 0b10,
            Self::Mode4 => 0b11,
        }
    }

    /// The pause between measurements.
    pub const fn pause(self) -> Duration {
        match self {
            Self::Mode1 => Duration::from_millis(500),
            Self::Mode2 => Duration::from_millis(1000),
            Self::Mode3 => Duration::from_millis(2000),
            Self::Mode4 => Duration::from_millis(4000),
        }
    }
}

/// How many consecutive readings out of the threshold window raise the
/// interrupt (ALS_PERS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Persistence {
    /// 1 reading (00).
    #[default]
    One,
    /// 2 readings (01).
    Two,
    /// 4 readings (10).
    Four,
    /// 8 readings (11).
    Eight,
}

impl Persistence {
    /// The ALS_PERS field value.
    pub const fn bits(self) -> u16 {
        match self {
            Self::One => 0b00,
            Self::Two => 0b01,
            Self::Four => 0b10,
            Self::Eight => 0b11,
        }
    }
}

/// The threshold flags read from ALS_INT (the read clears them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InterruptStatus {
    /// A reading went above the high threshold.
    pub crossed_high: bool,
    /// A reading went below the low threshold.
    pub crossed_low: bool,
}

/// One illuminance reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lux {
    /// Illuminance, milli-lux (see [`convert::als_millilux`]).
    pub millilux: u32,
    /// The ALS counts it came from.
    pub counts: u16,
    /// The setting they were taken with.
    pub setting: Setting,
    /// The counts are at full scale (65535): the light is at least this.
    pub saturated: bool,
}

impl Lux {
    /// The reading for `counts` taken with `setting`.
    pub fn from_counts(counts: u16, setting: Setting) -> Self {
        Self {
            millilux: convert::als_millilux(counts, setting),
            counts,
            setting,
            saturated: counts == u16::MAX,
        }
    }
}

/// What one automatic-ranging step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeStep {
    /// The setting is kept: `counts` is a valid reading with it (in the
    /// good range, or the best the ladder's end can do).
    Kept {
        /// The ALS counts read.
        counts: u16,
    },
    /// The setting changed: wait `wait` before the next step, or the
    /// reading will still be the old setting's.
    Changed {
        /// The setting before.
        from: Setting,
        /// The setting now.
        to: Setting,
        /// Time until a reading with `to` is valid.
        wait: Duration,
    },
}

/// What [`Veml7700::read_lux_auto`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoLux {
    /// A reading with a kept setting.
    Lux(Lux),
    /// The setting changed: call again after `wait`.
    Settling {
        /// The new setting.
        setting: Setting,
        /// Time until a reading with it is valid.
        wait: Duration,
    },
}

/// The VEML7700 driver's errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error<E> {
    /// The bus failed (NACK, arbitration loss...): see
    /// [`Error::i2c_error_kind`].
    I2c(E),
    /// A reading was asked for while the sensor is shut down (after
    /// [`Veml7700::new`] or [`Veml7700::shutdown`]): the result register
    /// would hold a stale value. Power it on with [`Veml7700::init`] or
    /// [`Veml7700::enable`].
    ShutDown,
}

bus_error_kind!(Error);

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::I2c(e) => write!(f, "VEML7700: I2C bus error: {e:?}"),
            Self::ShutDown => write!(
                f,
                "VEML7700: the sensor is shut down: power it on (init or enable) before reading"
            ),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// The VEML7700 driver. It keeps the ALS_CONF_0 word it last wrote, so the
/// setting used for a reading is known without reading it back.
#[derive(Debug)]
pub struct Veml7700<I2C> {
    i2c: I2C,
    conf: u16,
    power_saving: Option<PowerSavingMode>,
}

impl<I2C: I2c> Veml7700<I2C> {
    /// A driver for the sensor at 0x10. Sends nothing; it assumes the
    /// power-on state (shut down) until [`Veml7700::init`].
    pub fn new(i2c: I2C) -> Self {
        Self {
            i2c,
            conf: reg::ALS_CONF_0_DEFAULT,
            power_saving: None,
        }
    }

    /// Hands the bus back.
    pub fn destroy(self) -> I2C {
        self.i2c
    }

    /// Turns power saving off, then writes ALS_CONF_0 with `setting`,
    /// persistence 1, interrupt off, powered on. Returns the wait before
    /// the first valid reading: power-on start-up, then an 800 ms
    /// integration (the longest: a restarted process cannot know what the
    /// sensor was doing, and one may be in progress) and one with
    /// `setting`, each with the 10 % margin of [`Setting::settle_time`].
    pub fn init(&mut self, setting: Setting) -> Result<Duration, Error<I2C::Error>> {
        self.set_power_saving(None)?;
        self.write_conf(setting_bits(setting))?;
        let slowest = Setting::new(Gain::One, IntegrationTime::Ms800);
        Ok(POWER_ON_TIME + setting.settle_time(slowest))
    }

    /// Like [`Veml7700::init`] with [`Setting::AUTO_RANGE_START`], where
    /// the automatic ranging begins.
    pub fn start_auto_range(&mut self) -> Result<Duration, Error<I2C::Error>> {
        self.init(Setting::AUTO_RANGE_START)
    }

    /// Powers on (clears ALS_SD). Returns the wait before the first valid
    /// reading.
    pub fn enable(&mut self) -> Result<Duration, Error<I2C::Error>> {
        self.write_conf(self.conf & !conf::SD)?;
        let setting = self.setting();
        Ok(POWER_ON_TIME + setting.integration_with_margin() + self.pause())
    }

    /// Shuts down (sets ALS_SD): about 0.5 µA, registers kept.
    pub fn shutdown(&mut self) -> Result<(), Error<I2C::Error>> {
        self.write_conf(self.conf | conf::SD)
    }

    /// True when the driver last wrote ALS_SD = 1.
    pub fn is_shut_down(&self) -> bool {
        self.conf & conf::SD != 0
    }

    /// The setting last written.
    pub fn setting(&self) -> Setting {
        Setting {
            gain: Gain::from_bits((self.conf & conf::GAIN_MASK) >> conf::GAIN_SHIFT),
            integration_time: IntegrationTime::from_bits(
                (self.conf & conf::IT_MASK) >> conf::IT_SHIFT,
            ),
        }
    }

    /// Writes gain and integration time in one write. Returns the wait
    /// before a reading with them is valid.
    pub fn set_setting(&mut self, setting: Setting) -> Result<Duration, Error<I2C::Error>> {
        let previous = self.setting();
        let word = (self.conf & !(conf::GAIN_MASK | conf::IT_MASK)) | setting_bits(setting);
        self.write_conf(word)?;
        Ok(setting.settle_time(previous) + self.pause())
    }

    /// Sets the gain; returns the wait as [`Veml7700::set_setting`].
    pub fn set_gain(&mut self, gain: Gain) -> Result<Duration, Error<I2C::Error>> {
        self.set_setting(Setting {
            gain,
            ..self.setting()
        })
    }

    /// Sets the integration time; returns the wait as [`Veml7700::set_setting`].
    pub fn set_integration_time(
        &mut self,
        integration_time: IntegrationTime,
    ) -> Result<Duration, Error<I2C::Error>> {
        self.set_setting(Setting {
            integration_time,
            ..self.setting()
        })
    }

    /// Turns power saving on with `mode`, or off with `None`. With it on, a
    /// new reading comes every integration time plus the mode's pause, and
    /// the waits this driver returns include the pause.
    pub fn set_power_saving(
        &mut self,
        mode: Option<PowerSavingMode>,
    ) -> Result<(), Error<I2C::Error>> {
        use reg::power_saving::{PSM_EN, PSM_SHIFT};
        let word = match mode {
            Some(mode) => (mode.bits() << PSM_SHIFT) | PSM_EN,
            None => 0,
        };
        self.write_register(reg::POWER_SAVING, word)?;
        self.power_saving = mode;
        Ok(())
    }

    /// Sets the threshold window: ALS_WH, then ALS_WL (ALS counts).
    pub fn set_thresholds(&mut self, low: u16, high: u16) -> Result<(), Error<I2C::Error>> {
        self.write_register(reg::ALS_WH, high)?;
        self.write_register(reg::ALS_WL, low)
    }

    /// Enables the threshold interrupt with `persistence`, or disables it
    /// with `None`.
    pub fn set_interrupt(
        &mut self,
        persistence: Option<Persistence>,
    ) -> Result<(), Error<I2C::Error>> {
        let word = self.conf & !(conf::PERS_MASK | conf::INT_EN);
        let word = match persistence {
            Some(p) => word | (p.bits() << conf::PERS_SHIFT) | conf::INT_EN,
            None => word,
        };
        self.write_conf(word)
    }

    /// Reads and clears the threshold flags (ALS_INT).
    pub fn interrupt_status(&mut self) -> Result<InterruptStatus, Error<I2C::Error>> {
        let word = self.read_register(reg::ALS_INT)?;
        Ok(InterruptStatus {
            crossed_high: word & reg::als_int::TH_HIGH != 0,
            crossed_low: word & reg::als_int::TH_LOW != 0,
        })
    }

    /// Reads the ALS (photopic) counts of the last integration.
    pub fn read_als(&mut self) -> Result<u16, Error<I2C::Error>> {
        self.ensure_on()?;
        self.read_register(reg::ALS)
    }

    /// Reads the WHITE channel counts of the last integration.
    pub fn read_white(&mut self) -> Result<u16, Error<I2C::Error>> {
        self.ensure_on()?;
        self.read_register(reg::WHITE)
    }

    /// Reads the ALS counts and converts them at the current setting.
    pub fn read_lux(&mut self) -> Result<Lux, Error<I2C::Error>> {
        let counts = self.read_als()?;
        Ok(Lux::from_counts(counts, self.setting()))
    }

    /// One automatic-ranging step: reads the ALS counts, and if they are
    /// out of the good range ([`convert::auto_range`]) writes the next
    /// setting. The caller must wait the returned time before the next
    /// step: until then the register still holds the old setting's
    /// reading, and a step on it would move the wrong way.
    pub fn auto_range_step(&mut self) -> Result<RangeStep, Error<I2C::Error>> {
        let counts = self.read_als()?;
        let from = self.setting();
        match convert::auto_range(from, counts) {
            None => Ok(RangeStep::Kept { counts }),
            Some(to) => {
                let wait = self.set_setting(to)?;
                Ok(RangeStep::Changed { from, to, wait })
            }
        }
    }

    /// Reads lux with automatic ranging: one [`Veml7700::auto_range_step`];
    /// the reading when the setting was kept, otherwise the wait before
    /// calling again. Start with [`Veml7700::start_auto_range`].
    pub fn read_lux_auto(&mut self) -> Result<AutoLux, Error<I2C::Error>> {
        let setting = self.setting();
        match self.auto_range_step()? {
            RangeStep::Kept { counts } => Ok(AutoLux::Lux(Lux::from_counts(counts, setting))),
            RangeStep::Changed { to, wait, .. } => Ok(AutoLux::Settling { setting: to, wait }),
        }
    }

    fn pause(&self) -> Duration {
        match self.power_saving {
            Some(mode) => mode.pause(),
            None => Duration::ZERO,
        }
    }

    fn ensure_on(&self) -> Result<(), Error<I2C::Error>> {
        if self.is_shut_down() {
            Err(Error::ShutDown)
        } else {
            Ok(())
        }
    }

    fn write_conf(&mut self, word: u16) -> Result<(), Error<I2C::Error>> {
        self.write_register(reg::ALS_CONF_0, word)?;
        self.conf = word;
        Ok(())
    }

    fn write_register(&mut self, register: u8, value: u16) -> Result<(), Error<I2C::Error>> {
        let [lsb, msb] = value.to_le_bytes();
        self.i2c
            .write(reg::ADDRESS, &[register, lsb, msb])
            .map_err(Error::I2c)
    }

    fn read_register(&mut self, register: u8) -> Result<u16, Error<I2C::Error>> {
        let mut buf = [0u8; 2];
        self.i2c
            .write_read(reg::ADDRESS, &[register], &mut buf)
            .map_err(Error::I2c)?;
        Ok(u16::from_le_bytes(buf))
    }
}

/// ALS_CONF_0 bits for `setting`, everything else 0 (on, persistence 1,
/// interrupt off).
const fn setting_bits(setting: Setting) -> u16 {
    (setting.gain.bits() << conf::GAIN_SHIFT) | (setting.integration_time.bits() << conf::IT_SHIFT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_time_counts_both_integrations_with_margin() {
        let a = Setting::new(Gain::OneEighth, IntegrationTime::Ms100);
        let b = Setting::new(Gain::OneEighth, IntegrationTime::Ms800);
        assert_eq!(b.settle_time(a), Duration::from_millis(990));
        assert_eq!(a.settle_time(b), Duration::from_millis(990));
        let fast = Setting::new(Gain::Two, IntegrationTime::Ms25);
        assert_eq!(fast.settle_time(fast), Duration::from_millis(55));
        assert_eq!(
            fast.integration_with_margin(),
            Duration::from_micros(27_500)
        );
        assert_eq!(b.integration_with_margin(), Duration::from_millis(880));
    }

    #[test]
    fn field_lookups_round_trip() {
        for g in [Gain::One, Gain::Two, Gain::OneEighth, Gain::OneQuarter] {
            assert_eq!(Gain::from_bits(g.bits()), g);
            assert_eq!(Gain::from_millis(g.millis()), Some(g));
        }
        for it in [
            IntegrationTime::Ms25,
            IntegrationTime::Ms50,
            IntegrationTime::Ms100,
            IntegrationTime::Ms200,
            IntegrationTime::Ms400,
            IntegrationTime::Ms800,
        ] {
            assert_eq!(IntegrationTime::from_bits(it.bits()), it);
            assert_eq!(IntegrationTime::from_millis(it.millis()), Some(it));
        }
        assert_eq!(Gain::from_millis(500), None);
        assert_eq!(IntegrationTime::from_millis(75), None);
    }

    #[test]
    fn resolution_steps_span_1_to_512() {
        assert_eq!(
            Setting::new(Gain::Two, IntegrationTime::Ms800).resolution_steps(),
            1
        );
        assert_eq!(
            Setting::new(Gain::OneEighth, IntegrationTime::Ms25).resolution_steps(),
            512
        );
        assert_eq!(Setting::AUTO_RANGE_START.resolution_steps(), 128);
    }

    #[test]
    fn lux_flags_saturation() {
        let s = Setting::AUTO_RANGE_START;
        assert!(Lux::from_counts(u16::MAX, s).saturated);
        assert!(!Lux::from_counts(u16::MAX - 1, s).saturated);
    }
}
