//! The VEML7700 adapter: the ambient light sensor at 0x10, with automatic
//! ranging by default.
//!
//! - **Auto-ranging**: each sample is one step of the driver's ranging
//!   (`read_lux_auto`, the application note's ladder from gain ×1/8,
//!   100 ms). When a step changes the setting, the sensor needs the
//!   integration in progress plus one with the new setting before a reading
//!   means anything: until then [`Veml7700Light::sample`] returns
//!   `Ok(None)`, and the loop sends nothing.
//! - `gain gain=MILLI it=MS` fixes the gain and integration time and turns
//!   the ranging off (a missing one keeps its value); `gain gain=auto`
//!   turns it back on, from the ladder's start as at start-up.
//! - **One reading per integration**: the sensor has no data-ready pin, so
//!   a timer paces the loop; a sample is sent only when at least 90 % of
//!   the integration time has passed since the last one (the 10 % absorbs
//!   timer jitter), so a slow integration (up to 800 ms in dim light) is
//!   not sent over and over. `rate hz=N` takes 1..=10 Hz, and with a fixed
//!   setting at most one sample per integration (1000 / IT ms).
//! - Each sample first reads ALS_CONF_0 back: a sensor that lost power is
//!   shut down in its power-on state, and its ALS register would read
//!   stale counts; the read-back notices ([`Fault::ConfigLost`]).
//! - **Saturation**: ALS counts at 65535 read `raw=65535`; `lux` is then a
//!   lower bound. Auto-ranging avoids it except past the ladder's end
//!   (about 140 klx linear at ×1/8, 25 ms).
//! - The bring-up checks the ID register (0x07): its low byte is 0x81 on a
//!   VEML7700.

use std::time::Duration;

use embedded_hal::i2c::I2c;
use sensor_node::{DeviceError, Fault, Refusal, Reply, SensorDevice};
use sensors::veml7700::register::{self as reg, als_conf};
use sensors::veml7700::{self, AutoLux, Gain, IntegrationTime, Setting, Veml7700};
use wire::{CommandOp, LightSample};

use crate::shared_bus::SharedBus;
use crate::{Bus, InvalidSetting};

/// The fastest sample rate.
pub const MAX_RATE_HZ: u32 = 10;

/// The ID register (command code 0x07; the driver has no use for it).
const ID_REGISTER: u8 = 0x07;
/// The ID register's low byte on a VEML7700 (the high byte is the address
/// option code).
const DEVICE_ID: u8 = 0x81;

const GAINS_TEXT: &str = "gain=125, 250, 1000 or 2000 (thousandths)";
const TIMES_TEXT: &str = "it=25, 50, 100, 200, 400 or 800 (ms)";

/// How gain and integration time are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ranging {
    /// The driver's automatic ranging, from [`Setting::AUTO_RANGE_START`].
    #[default]
    Auto,
    /// A fixed setting (`gain gain=MILLI it=MS`).
    Fixed(Setting),
}

/// How the VEML7700 is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Veml7700Settings {
    /// Samples per second, 1..=[`MAX_RATE_HZ`] (and at most one per
    /// integration with a fixed setting).
    pub rate_hz: u32,
    /// Automatic or fixed gain and integration time.
    pub ranging: Ranging,
}

impl Default for Veml7700Settings {
    /// 10 Hz, auto-ranging.
    fn default() -> Self {
        Self {
            rate_hz: MAX_RATE_HZ,
            ranging: Ranging::Auto,
        }
    }
}

/// The VEML7700 as the light process's device: bring-up, one sample per
/// timer event, and the `gain`/`rate`/`selftest` commands.
///
/// ```
/// use std::sync::Arc;
/// use light::veml7700::{Veml7700Light, Veml7700Settings};
/// use sensor_node::SensorDevice;
/// use sensor_sim::{ManualClock, Noise, Scenario, SimClock, Veml7700Model};
///
/// let clock = ManualClock::new();
/// let scenario = Arc::new(Scenario::parse("0s light level lux=50")?);
/// let als = Veml7700Model::new(scenario, clock.clone()).with_noise(Noise::NONE);
/// let mut light = Veml7700Light::new(als, "sim", Veml7700Settings::default())?;
/// clock.advance(light.start()?);
/// // 50 lx at gain x1/8, 100 ms is 93 counts: too few, the ranging steps
/// // to gain x1/4 and the sample waits for the new setting to settle.
/// let t_us = clock.now().as_micros() as u64;
/// assert_eq!(light.sample(0, t_us)?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Veml7700Light<I2C> {
    als: Veml7700<SharedBus<I2C>>,
    /// The same bus, for the registers the driver does not read.
    bus: SharedBus<I2C>,
    device: String,
    settings: Veml7700Settings,
    /// A command changed the setting: the next sample starts the wait.
    settle_pending: Option<Duration>,
    /// No reading is valid before this time (µs, the loop's clock).
    settle_until_us: Option<u64>,
    /// When the last sample was sent (µs, the loop's clock).
    last_sample_us: Option<u64>,
}

impl<I2C: Bus> Veml7700Light<I2C> {
    /// An adapter for the VEML7700 on `bus` (named `bus_name` in messages).
    /// Sends nothing until it is started ([`SensorDevice::start`]). Fails
    /// if the rate is out of range for the settings.
    pub fn new(
        bus: I2C,
        bus_name: &str,
        settings: Veml7700Settings,
    ) -> Result<Self, InvalidSetting> {
        check_rate(settings.rate_hz, settings.ranging).map_err(InvalidSetting)?;
        let bus = SharedBus::new(bus);
        Ok(Self {
            als: Veml7700::new(bus.clone()),
            bus,
            device: format!("VEML7700 at {bus_name} {:#04x}", reg::ADDRESS),
            settings,
            settle_pending: None,
            settle_until_us: None,
            last_sample_us: None,
        })
    }

    /// The part and where it is (`VEML7700 at /dev/i2c-1 0x10`).
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Automatic or fixed, and the fixed setting.
    pub fn ranging(&self) -> Ranging {
        self.settings.ranging
    }

    /// The gain and integration time the sensor is set to now.
    pub fn setting(&self) -> Setting {
        self.als.setting()
    }

    /// `gain gain=MILLI it=MS`: a fixed setting, auto-ranging off.
    fn set_gain(
        &mut self,
        fullscale_mv: Option<u16>,
        gain_milli: Option<u32>,
        integration_ms: Option<u16>,
    ) -> Result<Reply, Refusal> {
        if fullscale_mv.is_some() {
            return Err(Refusal::bad_argument(format!(
                "the VEML7700 has no fs=: it takes {GAINS_TEXT} and {TIMES_TEXT}, or gain=auto"
            )));
        }
        let current = self.als.setting();
        let gain = match gain_milli {
            None => current.gain,
            Some(milli) => u16::try_from(milli)
                .ok()
                .and_then(Gain::from_millis)
                .ok_or_else(|| {
                    Refusal::bad_argument(format!(
                        "gain={milli}: the VEML7700's gains are {GAINS_TEXT}, or gain=auto"
                    ))
                })?,
        };
        let integration_time = match integration_ms {
            None => current.integration_time,
            Some(ms) => IntegrationTime::from_millis(ms).ok_or_else(|| {
                Refusal::bad_argument(format!(
                    "it={ms}: the VEML7700's integration times are {TIMES_TEXT}"
                ))
            })?,
        };
        self.apply(
            Ranging::Fixed(Setting::new(gain, integration_time)),
            "set gain and integration time",
        )
    }

    /// Writes the setting `ranging` starts from (auto-ranging starts from
    /// [`Setting::AUTO_RANGE_START`]); the next samples wait for it to
    /// settle.
    fn apply(&mut self, ranging: Ranging, operation: &'static str) -> Result<Reply, Refusal> {
        let setting = match ranging {
            Ranging::Auto => Setting::AUTO_RANGE_START,
            Ranging::Fixed(setting) => setting,
        };
        let wait = self
            .als
            .set_setting(setting)
            .map_err(|e| self.driver_fault(operation, e))?;
        self.settings.ranging = ranging;
        self.settle_pending = Some(wait);
        Ok(Reply::Done)
    }

    /// Reads the ID register and ALS_CONF_0 and checks both.
    fn self_test(&mut self) -> Result<Reply, Refusal> {
        let id = self
            .read_register(ID_REGISTER)
            .map_err(|e| self.bus_fault("selftest: read the ID register", &e))?;
        if id.to_le_bytes()[0] != DEVICE_ID {
            return Err(Refusal::io(format!(
                "{}: selftest: the ID register reads {id:#06x}, expected {DEVICE_ID:#04x} \
                 in the low byte",
                self.device
            )));
        }
        self.check_config("selftest: read back ALS_CONF_0")?;
        Ok(Reply::Done)
    }

    /// Reads ALS_CONF_0 and compares it with what the driver last wrote.
    fn check_config(&mut self, operation: &'static str) -> Result<(), DeviceError> {
        let read = self
            .read_register(reg::ALS_CONF_0)
            .map_err(|e| self.bus_fault(operation, &e))?;
        let written = expected_conf(self.als.setting(), self.als.is_shut_down());
        if read == written {
            Ok(())
        } else {
            Err(DeviceError::new(
                self.device.clone(),
                operation,
                Fault::ConfigLost {
                    register: "ALS_CONF_0",
                    written,
                    read,
                },
            ))
        }
    }

    /// A 16-bit register, LSB first, as the VEML7700 sends it.
    fn read_register(&mut self, register: u8) -> Result<u16, I2C::Error> {
        let mut buf = [0u8; 2];
        self.bus.write_read(reg::ADDRESS, &[register], &mut buf)?;
        Ok(u16::from_le_bytes(buf))
    }

    fn bus_fault(&self, operation: &'static str, error: &I2C::Error) -> DeviceError {
        DeviceError::bus(self.device.clone(), operation, error)
    }

    fn driver_fault(
        &self,
        operation: &'static str,
        error: veml7700::Error<I2C::Error>,
    ) -> DeviceError {
        match error {
            veml7700::Error::I2c(e) => self.bus_fault(operation, &e),
            e @ veml7700::Error::ShutDown => DeviceError::bus(self.device.clone(), operation, e),
        }
    }
}

impl<I2C: Bus> SensorDevice for Veml7700Light<I2C> {
    type Sample = LightSample;

    /// Checks the ID register, powers the sensor on with the ranging's
    /// start setting (or the fixed one) and reads the configuration back.
    /// Returns the wait before the first valid reading.
    fn start(&mut self) -> Result<Duration, DeviceError> {
        let id = self
            .read_register(ID_REGISTER)
            .map_err(|e| self.bus_fault("read the ID register", &e))?;
        if id.to_le_bytes()[0] != DEVICE_ID {
            return Err(DeviceError::new(
                self.device.clone(),
                "read the ID register",
                Fault::WrongPart {
                    detail: format!(
                        "it reads {id:#06x}, a VEML7700 reads {DEVICE_ID:#04x} in the low byte: \
                         check --part and what is on the bus"
                    ),
                },
            ));
        }
        let wait = match self.settings.ranging {
            Ranging::Auto => self.als.start_auto_range(),
            Ranging::Fixed(setting) => self.als.init(setting),
        }
        .map_err(|e| self.driver_fault("power on", e))?;
        if let Err(mut error) = self.check_config("read back ALS_CONF_0") {
            // Right after it was written: not a reset, another part.
            if let Fault::ConfigLost { written, read, .. } = error.fault {
                error.fault = Fault::WrongPart {
                    detail: format!(
                        "ALS_CONF_0 reads {read:#06x} after {written:#06x} was written: \
                         this is not a VEML7700 that works"
                    ),
                };
            }
            return Err(error);
        }
        self.settle_pending = None;
        self.settle_until_us = None;
        self.last_sample_us = None;
        Ok(wait)
    }

    /// Samples per second (the timer's rate; see the module docs for
    /// slow integrations).
    fn sample_rate_hz(&self) -> u32 {
        self.settings.rate_hz
    }

    /// One sample at `t_us` (the loop's monotonic clock): `None` while a
    /// new setting settles or when the current integration has not ended
    /// since the last sample.
    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<LightSample>, DeviceError> {
        if let Some(wait) = self.settle_pending.take() {
            // The command came before `t_us`: waiting from here is safe.
            self.settle_until_us = Some(t_us.saturating_add(micros(wait)));
        }
        if let Some(until) = self.settle_until_us {
            if t_us < until {
                return Ok(None);
            }
            self.settle_until_us = None;
        }
        let integration_us = u64::from(self.als.setting().integration_time.millis()) * 1000;
        if let Some(last) = self.last_sample_us
            && t_us.saturating_sub(last) < integration_us * 9 / 10
        {
            return Ok(None);
        }
        self.check_config("check ALS_CONF_0")?;
        let lux = match self.settings.ranging {
            Ranging::Auto => match self.als.read_lux_auto() {
                Ok(AutoLux::Lux(lux)) => lux,
                Ok(AutoLux::Settling { wait, .. }) => {
                    self.settle_until_us = Some(t_us.saturating_add(micros(wait)));
                    return Ok(None);
                }
                Err(e) => return Err(self.driver_fault("read sample", e)),
            },
            Ranging::Fixed(_) => self
                .als
                .read_lux()
                .map_err(|e| self.driver_fault("read sample", e))?,
        };
        self.last_sample_us = Some(t_us);
        Ok(Some(LightSample {
            seq,
            t_us,
            lux_milli: lux.millilux,
            raw: u32::from(lux.counts),
        }))
    }

    /// `gain gain=MILLI it=MS`, `gain gain=auto`, `rate hz=N` and
    /// `selftest`; `range` and `cal` are unsupported. A bus error while
    /// doing it is `ERR io`.
    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal> {
        match *op {
            CommandOp::SetGain {
                fullscale_mv,
                gain_milli,
                integration_ms,
            } => self.set_gain(fullscale_mv, gain_milli, integration_ms),
            CommandOp::AutoGain => self.apply(Ranging::Auto, "start auto-ranging"),
            CommandOp::SetRate { hz } => {
                check_rate(hz, self.settings.ranging).map_err(Refusal::bad_argument)?;
                self.settings.rate_hz = hz;
                Ok(Reply::Done)
            }
            CommandOp::SelfTest => self.self_test(),
            CommandOp::SetRange { .. } => Err(Refusal::unsupported(format!(
                "the VEML7700 has no range setting: set gain and integration time with \
                 gain {GAINS_TEXT} {TIMES_TEXT}, or auto-ranging with gain gain=auto"
            ))),
            CommandOp::Calibrate => Err(Refusal::unsupported(
                "the VEML7700 is factory calibrated: there is nothing to calibrate",
            )),
            CommandOp::Hello | CommandOp::Stats => Err(Refusal::not_a_device_command(op)),
        }
    }
}

/// ALS_CONF_0 as the driver writes it for `setting`: persistence 1,
/// interrupt off, on (or shut down).
fn expected_conf(setting: Setting, shut_down: bool) -> u16 {
    let word = (setting.gain.bits() << als_conf::GAIN_SHIFT)
        | (setting.integration_time.bits() << als_conf::IT_SHIFT);
    if shut_down { word | als_conf::SD } else { word }
}

/// The most samples per second: 10, and with a fixed setting one per
/// integration.
pub fn max_rate_hz(ranging: Ranging) -> u32 {
    match ranging {
        Ranging::Auto => MAX_RATE_HZ,
        Ranging::Fixed(setting) => {
            (1000 / u32::from(setting.integration_time.millis())).clamp(1, MAX_RATE_HZ)
        }
    }
}

/// `Ok` for a rate the VEML7700 can serve with `ranging`; else what is
/// allowed and why.
fn check_rate(hz: u32, ranging: Ranging) -> Result<(), String> {
    if !(1..=MAX_RATE_HZ).contains(&hz) {
        return Err(format!(
            "hz={hz}: the VEML7700 samples at 1..={MAX_RATE_HZ} Hz"
        ));
    }
    let max = max_rate_hz(ranging);
    match ranging {
        Ranging::Fixed(setting) if hz > max => Err(format!(
            "hz={hz}: with it={} ms the VEML7700 makes one reading every {} ms, so at most \
             {max} Hz: use hz=1..={max} or a shorter integration time (gain it=MS)",
            setting.integration_time.millis(),
            setting.integration_time.millis(),
        )),
        _ => Ok(()),
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_follows_the_integration_time() {
        let fixed = |it| Ranging::Fixed(Setting::new(Gain::One, it));
        assert_eq!(max_rate_hz(Ranging::Auto), 10);
        assert_eq!(max_rate_hz(fixed(IntegrationTime::Ms25)), 10);
        assert_eq!(max_rate_hz(fixed(IntegrationTime::Ms100)), 10);
        assert_eq!(max_rate_hz(fixed(IntegrationTime::Ms200)), 5);
        assert_eq!(max_rate_hz(fixed(IntegrationTime::Ms400)), 2);
        assert_eq!(max_rate_hz(fixed(IntegrationTime::Ms800)), 1);
        assert!(check_rate(2, fixed(IntegrationTime::Ms400)).is_ok());
        let e = check_rate(5, fixed(IntegrationTime::Ms400)).unwrap_err();
        assert!(e.contains("it=400 ms") && e.contains("at most 2 Hz"), "{e}");
        assert!(
            check_rate(11, Ranging::Auto)
                .unwrap_err()
                .contains("1..=10")
        );
        assert!(check_rate(0, Ranging::Auto).is_err());
    }

    #[test]
    fn expected_conf_matches_the_register_layout() {
        // Gain x1/8 (10), 100 ms (0000), on: 0x1000.
        assert_eq!(expected_conf(Setting::AUTO_RANGE_START, false), 0x1000);
        // Gain x2 (01), 800 ms (0011), shut down: 0x0800 | 0x00C0 | 1.
        let s = Setting::new(Gain::Two, IntegrationTime::Ms800);
        assert_eq!(expected_conf(s, true), 0x08C1);
    }
}
