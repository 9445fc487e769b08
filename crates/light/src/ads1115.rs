//! The ADS1115 adapter: an LDR in a voltage divider on AIN0, read by the
//! ADS1115 in **continuous mode**.
//!
//! - Continuous mode, because the loop's data-ready event then only has to
//!   read the conversion register: no conversion to start and wait for.
//!   The data rate is the slowest that keeps up: with a timer, at least
//!   1.1 x the sample rate (a conversion ends within every timer period
//!   even with the datasheet's 10 % slow oscillator); with ALERT/RDY on a
//!   GPIO line, at least the sample rate, and the samples come at the data
//!   rate (8, 16, 32, 64, 128, 250, 475 or 860 Hz: a rate in between is
//!   rounded up, and [`SensorDevice::sample_rate_hz`] says which).
//! - The PGA starts at the narrowest range that holds the divider's supply
//!   (±4.096 V for 3.3 V: the power-on ±2.048 V clips in room light).
//! - Each sample reads the conversion register, then the config register:
//!   a part that lost power comes back in its power-on configuration,
//!   which the read-back notices at once ([`Fault::ConfigLost`], retried
//!   by a re-init) instead of sending stale or mis-scaled values.
//! - **Saturation**: a conversion at the top of the scale reads `raw=32767`
//!   (the ADS1115's full-scale code, which no reading inside the range
//!   gives); `lux` is then the illuminance at full scale, a lower bound.
//!   `gain fs=6144` widens the range. Negative conversions (noise around
//!   0 V) read `raw=0`.
//! - After a change of range or data rate the next sample is skipped (it
//!   may be the last conversion made with the old setting).

use std::time::Duration;

use sensor_node::{DeviceError, Fault, Refusal, Reply, SensorDevice};
use sensors::ads1115::convert::{Divider, LdrModel, ldr_reading};
use sensors::ads1115::{self, Address, Ads1115, Channel, Config, DataRate, Pga, ReadyPolarity};
use wire::{CommandOp, LightSample};

use crate::{Bus, InvalidSetting};

/// The fastest sample rate: the ADS1115's fastest data rate.
pub const MAX_RATE_HZ: u32 = 860;

/// The ranges `gain fs=MV` takes, in millivolts.
const RANGES_TEXT: &str = "fs=6144, 4096, 2048, 1024, 512 or 256 (mV)";

/// How the ADS1115 and its LDR circuit are set up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ads1115Settings {
    /// The I2C address (ADDR pin).
    pub address: Address,
    /// The divider the LDR sits in.
    pub divider: Divider,
    /// The LDR's resistance-to-lux model.
    pub ldr: LdrModel,
    /// Samples per second, 1..=[`MAX_RATE_HZ`].
    pub rate_hz: u32,
    /// `Some` when ALERT/RDY is wired to a GPIO line that paces sampling:
    /// the pin is made a conversion-ready pin with this polarity.
    pub ready_pin: Option<ReadyPolarity>,
}

impl Default for Ads1115Settings {
    /// Address 0x48, the GL5528 with 10 kΩ at 3.3 V, 10 Hz from a timer.
    fn default() -> Self {
        Self {
            address: Address::Gnd,
            divider: Divider::DEFAULT,
            ldr: LdrModel::GL5528,
            rate_hz: 10,
            ready_pin: None,
        }
    }
}

/// The ADS1115 + LDR as the light process's device: bring-up, one sample
/// per data-ready event, and the `gain`/`rate`/`selftest` commands.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use light::ads1115::{Ads1115Light, Ads1115Settings};
/// use sensor_node::SensorDevice;
/// use sensor_sim::{Ads1115Model, ManualClock, Noise, Scenario};
///
/// let clock = ManualClock::new();
/// let scenario = Arc::new(Scenario::parse("0s light level lux=300")?);
/// let adc = Ads1115Model::new(0x48, scenario, clock.clone())?.with_noise(Noise::NONE);
/// let mut light = Ads1115Light::new(adc, "sim", Ads1115Settings::default())?;
/// let wait = light.start()?;
/// clock.advance(wait);
/// let sample = light.sample(0, 0)?.expect("a conversion is there");
/// assert!((299_000..=301_000).contains(&sample.lux_milli), "{}", sample.lux_milli);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Ads1115Light<I2C> {
    adc: Ads1115<I2C>,
    device: String,
    settings: Ads1115Settings,
    pga: Pga,
    /// Samples still to skip after a configuration change.
    skip: u8,
}

impl<I2C: Bus> Ads1115Light<I2C> {
    /// An adapter for the ADS1115 on `bus` (named `bus_name` in messages,
    /// e.g. `/dev/i2c-1`). Sends nothing until it is started
    /// ([`SensorDevice::start`]). Fails if the rate is out of
    /// 1..=[`MAX_RATE_HZ`].
    pub fn new(
        bus: I2C,
        bus_name: &str,
        settings: Ads1115Settings,
    ) -> Result<Self, InvalidSetting> {
        check_rate(settings.rate_hz).map_err(InvalidSetting)?;
        Ok(Self {
            adc: Ads1115::new(bus, settings.address),
            device: format!("ADS1115 at {bus_name} {:#04x}", settings.address.bits()),
            pga: range_for(&settings.divider),
            settings,
            skip: 0,
        })
    }

    /// The part and where it is, as messages name it
    /// (`ADS1115 at /dev/i2c-1 0x48`).
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The full-scale range in use.
    pub fn pga(&self) -> Pga {
        self.pga
    }

    /// The data rate in use.
    pub fn data_rate(&self) -> DataRate {
        data_rate_for(self.settings.rate_hz, self.settings.ready_pin.is_some())
    }

    /// `gain fs=MV`: a full-scale range of the PGA.
    fn set_range(&mut self, mv: u16) -> Result<Reply, Refusal> {
        let pga = Pga::from_full_scale_mv(mv).ok_or_else(|| {
            Refusal::bad_argument(format!(
                "fs={mv}: the ADS1115's full-scale ranges are {RANGES_TEXT}"
            ))
        })?;
        self.adc
            .set_pga(pga)
            .map_err(|e| self.fault("set the range", e))?;
        self.pga = pga;
        self.skip = 1;
        Ok(Reply::Done)
    }

    /// `rate hz=N`: the data rate follows when it has to.
    fn set_rate(&mut self, hz: u32) -> Result<Reply, Refusal> {
        check_rate(hz).map_err(Refusal::bad_argument)?;
        let pin = self.settings.ready_pin.is_some();
        let data_rate = data_rate_for(hz, pin);
        if data_rate != self.data_rate() {
            self.adc
                .set_data_rate(data_rate)
                .map_err(|e| self.fault("set the data rate", e))?;
            self.skip = 1;
        }
        self.settings.rate_hz = hz;
        Ok(Reply::Done)
    }

    /// Writes the config register again (the same word) and reads it back.
    fn self_test(&mut self) -> Result<Reply, Refusal> {
        let data_rate = self.data_rate();
        self.adc
            .set_data_rate(data_rate)
            .map_err(|e| self.fault("selftest: write the config register", e))?;
        self.adc
            .verify_config()
            .map_err(|e| self.fault("selftest: read back the config register", e))?;
        Ok(Reply::Done)
    }

    /// A driver error as a fault of this device during `operation`.
    fn fault(&self, operation: &'static str, error: ads1115::Error<I2C::Error>) -> DeviceError {
        let fault = match error {
            ads1115::Error::I2c(e) => Fault::Bus {
                detail: e.to_string(),
            },
            ads1115::Error::ConfigMismatch { written, read } => Fault::ConfigLost {
                register: "config register",
                written,
                read,
            },
            // Continuous mode never polls a single shot; kept for
            // completeness with the driver's own words.
            e @ ads1115::Error::NoConversionStarted => Fault::Bus {
                detail: e.to_string(),
            },
        };
        DeviceError::new(self.device.clone(), operation, fault)
    }
}

impl<I2C: Bus> SensorDevice for Ads1115Light<I2C> {
    type Sample = LightSample;

    /// Configures the part (AIN0, range, data rate, ALERT/RDY) and starts
    /// continuous conversion; reads the config back. Returns the time to
    /// the first conversion. A part that does not hold what was written is
    /// [`Fault::WrongPart`] (the ADS1115 has no ID register: this is the
    /// identity check).
    fn start(&mut self) -> Result<Duration, DeviceError> {
        let config = Config {
            channel: Channel::A0,
            pga: self.pga,
            data_rate: self.data_rate(),
            ready_pin: self.settings.ready_pin,
        };
        self.adc
            .configure(&config)
            .map_err(|e| self.fault("configure", e))?;
        let wait = self
            .adc
            .start_continuous(Channel::A0)
            .map_err(|e| self.fault("start continuous conversion", e))?;
        match self.adc.verify_config() {
            Ok(()) => {}
            Err(ads1115::Error::ConfigMismatch { written, read }) => {
                return Err(DeviceError::new(
                    self.device.clone(),
                    "read back the config register",
                    Fault::WrongPart {
                        detail: format!(
                            "it reads {read:#06x} after {written:#06x} was written: \
                             this is not an ADS1115; check --part and --address"
                        ),
                    },
                ));
            }
            Err(e) => return Err(self.fault("read back the config register", e)),
        }
        self.skip = 0;
        Ok(wait)
    }

    /// Samples per second: the rate asked for with a timer; with
    /// ALERT/RDY pacing, the data rate (which is what paces).
    fn sample_rate_hz(&self) -> u32 {
        if self.settings.ready_pin.is_some() {
            self.data_rate().sps()
        } else {
            self.settings.rate_hz
        }
    }

    /// Reads the latest conversion and converts it to a `LIGHT` sample;
    /// `None` for the one sample skipped after a configuration change.
    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<LightSample>, DeviceError> {
        let counts = self
            .adc
            .read_conversion()
            .map_err(|e| self.fault("read sample", e))?;
        // After the sample: a reset before the read would have zeroed it.
        self.adc
            .verify_config()
            .map_err(|e| self.fault("check the config register", e))?;
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(None);
        }
        let reading = ldr_reading(counts, self.pga, &self.settings.divider, &self.settings.ldr);
        Ok(Some(LightSample {
            seq,
            t_us,
            lux_milli: reading.millilux,
            raw: u32::from(counts.max(0).unsigned_abs()),
        }))
    }

    /// `gain fs=MV`, `rate hz=N` and `selftest`; `gain gain=auto`,
    /// `range` and `cal` are unsupported. A bus error while doing it is
    /// `ERR io`.
    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal> {
        match *op {
            CommandOp::SetGain {
                fullscale_mv: Some(mv),
                gain_milli: None,
                integration_ms: None,
            } => self.set_range(mv),
            CommandOp::SetGain { .. } => Err(Refusal::bad_argument(format!(
                "the ADS1115 takes gain {RANGES_TEXT}; gain= and it= are the VEML7700's"
            ))),
            CommandOp::SetRate { hz } => self.set_rate(hz),
            CommandOp::SelfTest => self.self_test(),
            CommandOp::AutoGain => Err(Refusal::unsupported(format!(
                "the ADS1115 has no automatic range: set its full scale with gain {RANGES_TEXT}"
            ))),
            CommandOp::SetRange { .. } => Err(Refusal::unsupported(format!(
                "the ADS1115 has no range setting: its full scale is set with gain {RANGES_TEXT}"
            ))),
            CommandOp::Calibrate => Err(Refusal::unsupported(
                "the ADS1115 light sensor has nothing to calibrate: \
                 the LDR model comes from --ldr-r10, --ldr-gamma and --divider-r",
            )),
            CommandOp::Hello | CommandOp::Stats => Err(Refusal::not_a_device_command(op)),
        }
    }
}

/// `Ok` for a rate the ADS1115 can sample at; else what is allowed.
fn check_rate(hz: u32) -> Result<(), String> {
    if (1..=MAX_RATE_HZ).contains(&hz) {
        Ok(())
    } else {
        Err(format!(
            "hz={hz}: the ADS1115 samples at 1..={MAX_RATE_HZ} Hz"
        ))
    }
}

/// The slowest data rate that serves `rate_hz` samples per second: at
/// least the rate itself when ALERT/RDY paces, at least 1.1 x the rate
/// with a timer; the fastest there is when none is enough.
pub fn data_rate_for(rate_hz: u32, paced_by_ready_pin: bool) -> DataRate {
    let needed = if paced_by_ready_pin {
        u64::from(rate_hz)
    } else {
        (u64::from(rate_hz) * 11).div_ceil(10)
    };
    DataRate::ALL
        .into_iter()
        .find(|dr| u64::from(dr.sps()) >= needed)
        .unwrap_or(DataRate::Sps860)
}

/// The narrowest range whose full scale holds the divider's supply (the
/// input never exceeds it); the widest when none does.
pub fn range_for(divider: &Divider) -> Pga {
    Pga::ALL
        .into_iter()
        .rev()
        .find(|pga| pga.full_scale_uv() >= divider.vdd_uv)
        .unwrap_or(Pga::Fsr6_144V)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_rate_keeps_up_with_the_sample_rate() {
        // A timer needs 10 % of margin; a ready pin paces exactly.
        assert_eq!(data_rate_for(10, false), DataRate::Sps16);
        assert_eq!(data_rate_for(8, false), DataRate::Sps16);
        assert_eq!(data_rate_for(8, true), DataRate::Sps8);
        assert_eq!(data_rate_for(1, true), DataRate::Sps8);
        assert_eq!(data_rate_for(100, false), DataRate::Sps128);
        assert_eq!(data_rate_for(128, true), DataRate::Sps128);
        assert_eq!(data_rate_for(129, true), DataRate::Sps250);
        assert_eq!(data_rate_for(860, false), DataRate::Sps860);
        assert_eq!(data_rate_for(860, true), DataRate::Sps860);
    }

    #[test]
    fn range_holds_the_supply() {
        assert_eq!(range_for(&Divider::DEFAULT), Pga::Fsr4_096V);
        let five_volts = Divider {
            vdd_uv: 5_000_000,
            ..Divider::DEFAULT
        };
        assert_eq!(range_for(&five_volts), Pga::Fsr6_144V);
        let one_volt = Divider {
            vdd_uv: 1_000_000,
            ..Divider::DEFAULT
        };
        assert_eq!(range_for(&one_volt), Pga::Fsr1_024V);
    }
}
