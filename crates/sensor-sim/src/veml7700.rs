//! The VEML7700 ambient light sensor (Vishay datasheet 84286 rev 1.7+ and
//! application note 84323 "Designing the VEML7700 Into an Application"),
//! at register level.

use std::sync::Arc;
use std::time::Duration;

use crate::bus::{Handle, RegisterModel, sim_i2c_device};
use crate::clock::SimClock;
use crate::noise::{Channel, Noise, unit_noise};
use crate::scenario::{Device, Scenario};

const ALS_CONF_0: u8 = 0x00;
const ALS_WH: u8 = 0x01;
const ALS_WL: u8 = 0x02;
const POWER_SAVING: u8 = 0x03;
const ALS: u8 = 0x04;
const WHITE: u8 = 0x05;
const ALS_INT: u8 = 0x06;
const ID: u8 = 0x07;

const ALS_SD: u16 = 0x0001;
const ALS_INT_EN: u16 = 0x0002;
/// ALS_GAIN (12:11), ALS_IT (9:6) and ALS_SD: changing any restarts the
/// measurement.
const MEASUREMENT_SETTINGS: u16 = 0x1800 | 0x03C0 | ALS_SD;
const PSM_EN: u16 = 0x0001;
const INT_TH_HIGH: u16 = 0x4000;
const INT_TH_LOW: u16 = 0x8000;

/// Datasheet: "Command code 0 default value is 01 = device is shut down".
const ALS_CONF_0_RESET: u16 = ALS_SD;
/// ID register: device ID 0x81 in the low byte, address option code 0xC4
/// (address 0x10) in the high byte.
const ID_VALUE: u16 = 0xC481;

/// Lux per count at gain 2 and 800 ms, from datasheet rev 1.7 (Nov 2023)
/// and the revised application note; older revisions said 0.0036, which
/// Vishay's change notice calls wrongly stated.
pub const LUX_PER_COUNT_GAIN2_800MS: f64 = 0.0042;

/// WHITE counts per ALS count for the simulated light (a daylight-like
/// spectrum; the WHITE channel also sees near infrared). The datasheet
/// gives no fixed ratio: this is the model's choice.
pub const WHITE_TO_ALS_RATIO: f64 = 1.2;

/// Results evaluated for interrupts in one catch-up (older ones are
/// skipped if a driver stays away longer than this many integrations).
const MAX_RESULTS_PER_STEP: u128 = 4096;

/// A simulated VEML7700 on its fixed I2C address 0x10.
///
/// Registers are 16-bit, written `[command, lsb, msb]` and read by
/// selecting the command code then reading LSB first (longer reads repeat
/// the register): 0x00 ALS_CONF_0 (power-on 0x0001: shut down), 0x01
/// ALS_WH, 0x02 ALS_WL, 0x03 power saving, 0x04 ALS, 0x05 WHITE, 0x06
/// ALS_INT (bit 15 low / bit 14 high threshold crossed, cleared by reading
/// it), 0x07 ID (0xC481).
///
/// Measurements:
/// - counts = lux / resolution, where resolution = 0.0042 lx/count × (800
///   ms / IT) × (2 / gain) (gains 1/8, 1/4, 1, 2; IT 25..800 ms; reserved
///   IT codes act as 100 ms), rounded and saturated at 65535;
/// - at gains 1/4 and 1/8, where the application note says the response is
///   non-linear, ALS counts follow the inverse of its correction
///   polynomial: a driver recovers the true lux as
///   `f(counts × resolution)` with
///   `f(x) = 6.0135e-13 x⁴ − 9.3924e-9 x³ + 8.1488e-5 x² + 1.0023 x`;
///   at gains 1 and 2 (meant for < 100 lx) the counts are linear;
/// - WHITE = [`WHITE_TO_ALS_RATIO`] × the linear ALS counts;
/// - a result is ready one integration time after power-on (ALS_SD 1 → 0)
///   or a change of gain, IT or power-saving settings, then every IT (plus
///   the PSM wait time when PSM_EN is set); until then ALS and WHITE keep
///   what they held (0 after power-on);
/// - with ALS_INT_EN, each result above ALS_WH (below ALS_WL) for
///   ALS_PERS consecutive results sets the high (low) flag in ALS_INT.
///
/// Clones are handles to the same chip.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use embedded_hal::i2c::I2c;
/// use sensor_sim::{ManualClock, Noise, Scenario, Veml7700Model};
///
/// let clock = ManualClock::new();
/// let scenario = Arc::new(Scenario::parse("0s light level lux=42")?);
/// let mut als = Veml7700Model::new(scenario, clock.clone()).with_noise(Noise::NONE);
/// als.write(0x10, &[0x00, 0x00, 0x00])?; // power on: gain 1, 100 ms
/// clock.advance(Duration::from_millis(100));
/// let mut counts = [0u8; 2];
/// als.write_read(0x10, &[0x04], &mut counts)?;
/// // 42 lx / (0.0042 * 8 * 2) lx per count
/// assert_eq!(u16::from_le_bytes(counts), 625);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Veml7700Model {
    handle: Handle<Veml7700>,
}

sim_i2c_device!(Veml7700Model);

impl Veml7700Model {
    /// The VEML7700's only I2C address.
    pub const ADDRESS: u8 = 0x10;

    /// A chip in its power-on state (shut down), with realistic noise.
    pub fn new(scenario: Arc<Scenario>, clock: impl SimClock + 'static) -> Self {
        Self {
            handle: Handle::new(Veml7700::new(), Self::ADDRESS, scenario, Arc::new(clock)),
        }
    }
}

/// The chip's state.
struct Veml7700 {
    conf: u16,
    high_threshold: u16,
    low_threshold: u16,
    power_saving: u16,
    pointer: u8,
    als: u16,
    white: u16,
    int_flags: u16,
    /// Power-on or last settings change: results come one IT later.
    measuring_since: Duration,
    high_run: u8,
    low_run: u8,
    last: Duration,
    noise: Noise,
}

impl Veml7700 {
    fn new() -> Self {
        let mut chip = Self {
            conf: 0,
            high_threshold: 0,
            low_threshold: 0,
            power_saving: 0,
            pointer: 0,
            als: 0,
            white: 0,
            int_flags: 0,
            measuring_since: Duration::ZERO,
            high_run: 0,
            low_run: 0,
            last: Duration::ZERO,
            noise: Noise::default(),
        };
        chip.power_on_reset(Duration::ZERO);
        chip
    }

    fn integration_ms(&self) -> u64 {
        match (self.conf >> 6) & 0xF {
            0b1100 => 25,
            0b1000 => 50,
            0b0001 => 200,
            0b0010 => 400,
            0b0011 => 800,
            _ => 100,
        }
    }

    fn gain(&self) -> f64 {
        match (self.conf >> 11) & 3 {
            0 => 1.0,
            1 => 2.0,
            2 => 0.125,
            _ => 0.25,
        }
    }

    fn lux_per_count(&self) -> f64 {
        LUX_PER_COUNT_GAIN2_800MS * (800.0 / self.integration_ms() as f64) * (2.0 / self.gain())
    }

    /// Time from one result to the next.
    fn cycle(&self) -> Duration {
        let wait_ms = if self.power_saving & PSM_EN != 0 {
            500 << ((self.power_saving >> 1) & 3)
        } else {
            0
        };
        Duration::from_millis(self.integration_ms() + wait_ms)
    }

    fn persistence(&self) -> u8 {
        1 << ((self.conf >> 4) & 3)
    }

    /// (ALS, WHITE) for the light at `at`.
    fn counts(&self, at: Duration, scenario: &Scenario) -> (u16, u16) {
        let noise = f64::from(self.noise.illuminance_ppm) / 1e6
            * unit_noise(self.noise.seed, Channel::Illuminance, at);
        let lux = (scenario.illuminance_lux(at) * (1.0 + noise)).max(0.0);
        let per_count = self.lux_per_count();
        let sensed = if self.gain() < 0.5 {
            uncorrected_lux(lux)
        } else {
            lux
        };
        (
            saturate_u16(sensed / per_count),
            saturate_u16(lux * WHITE_TO_ALS_RATIO / per_count),
        )
    }

    fn check_thresholds(&mut self) {
        let persistence = self.persistence();
        if self.als > self.high_threshold {
            self.low_run = 0;
            self.high_run = self.high_run.saturating_add(1);
            if self.high_run >= persistence {
                self.int_flags |= INT_TH_HIGH;
            }
        } else if self.als < self.low_threshold {
            self.high_run = 0;
            self.low_run = self.low_run.saturating_add(1);
            if self.low_run >= persistence {
                self.int_flags |= INT_TH_LOW;
            }
        } else {
            self.high_run = 0;
            self.low_run = 0;
        }
    }

    fn restart_measurement(&mut self, now: Duration) {
        self.measuring_since = now;
        self.high_run = 0;
        self.low_run = 0;
    }

    fn register(&self) -> u16 {
        match self.pointer {
            ALS_CONF_0 => self.conf,
            ALS_WH => self.high_threshold,
            ALS_WL => self.low_threshold,
            POWER_SAVING => self.power_saving,
            ALS => self.als,
            WHITE => self.white,
            ALS_INT => self.int_flags,
            ID => ID_VALUE,
            _ => 0,
        }
    }
}

impl RegisterModel for Veml7700 {
    const PART: &'static str = "VEML7700";
    const DEVICE: Device = Device::Light;

    fn power_on_reset(&mut self, now: Duration) {
        self.conf = ALS_CONF_0_RESET;
        self.high_threshold = 0;
        self.low_threshold = 0;
        self.power_saving = 0;
        self.pointer = 0;
        self.als = 0;
        self.white = 0;
        self.int_flags = 0;
        self.restart_measurement(now);
        self.last = now;
    }

    fn advance(&mut self, now: Duration, scenario: &Scenario) {
        if now <= self.last {
            return;
        }
        let last = std::mem::replace(&mut self.last, now);
        if self.conf & ALS_SD != 0 {
            return;
        }
        let first = self.measuring_since + Duration::from_millis(self.integration_ms());
        if now < first {
            return;
        }
        let cycle = self.cycle().as_nanos();
        let latest = (now - first).as_nanos() / cycle;
        let next = if last < first {
            0
        } else {
            (last - first).as_nanos() / cycle + 1
        };
        if next > latest {
            return;
        }
        // Without interrupts only the latest result matters.
        let from = if self.conf & ALS_INT_EN != 0 {
            next.max((latest + 1).saturating_sub(MAX_RESULTS_PER_STEP))
        } else {
            latest
        };
        let stuck_source = |at: Duration| -> Option<Duration> {
            match scenario.fault_at(Device::Light, at).stuck_since {
                None => Some(at),
                // The last result before the data got stuck, if any.
                Some(since) => (since.saturating_sub(first).as_nanos())
                    .checked_sub(1)
                    .filter(|_| since > first)
                    .map(|n| first + from_nanos(n / cycle * cycle)),
            }
        };
        for k in from..=latest {
            let at = first + from_nanos(k * cycle);
            if let Some(source) = stuck_source(at) {
                (self.als, self.white) = self.counts(source, scenario);
            }
            if self.conf & ALS_INT_EN != 0 {
                self.check_thresholds();
            }
        }
    }

    fn write(&mut self, now: Duration, bytes: &[u8], _scenario: &Scenario) {
        let Some((&command, data)) = bytes.split_first() else {
            return;
        };
        self.pointer = command;
        let [lsb, msb, ..] = *data else {
            return;
        };
        let value = u16::from_le_bytes([lsb, msb]);
        match command {
            ALS_CONF_0 => {
                let changed = (self.conf ^ value) & MEASUREMENT_SETTINGS != 0;
                self.conf = value;
                if changed && value & ALS_SD == 0 {
                    self.restart_measurement(now);
                }
            }
            ALS_WH => self.high_threshold = value,
            ALS_WL => self.low_threshold = value,
            POWER_SAVING if value != self.power_saving => {
                self.power_saving = value;
                self.restart_measurement(now);
            }
            // Outputs, status and ID are read-only.
            _ => {}
        }
    }

    fn read(&mut self, _now: Duration, buf: &mut [u8], _scenario: &Scenario) {
        if buf.is_empty() {
            return;
        }
        let bytes = self.register().to_le_bytes();
        for (byte, value) in buf.iter_mut().zip(bytes.iter().cycle()) {
            *byte = *value;
        }
        if self.pointer == ALS_INT {
            self.int_flags = 0;
        }
    }
}

/// The application note's correction: true lux from the lux a linear
/// reading gives at gain 1/4 or 1/8.
fn corrected_lux(x: f64) -> f64 {
    (((6.0135e-13 * x - 9.3924e-9) * x + 8.1488e-5) * x + 1.0023) * x
}

/// The inverse of [`corrected_lux`]: what the sensor's linear reading is
/// when the true illuminance is `lux`. The polynomial rises monotonically
/// and `f(x) >= x` for `x >= 0`, so the answer lies in `[0, lux]`.
fn uncorrected_lux(lux: f64) -> f64 {
    if lux.is_nan() || lux <= 0.0 {
        return 0.0;
    }
    let (mut low, mut high) = (0.0, lux);
    for _ in 0..100 {
        let mid = (low + high) / 2.0;
        if corrected_lux(mid) < lux {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "`as` saturates at 0 and 65535, as the part's counter does"
)]
fn saturate_u16(x: f64) -> u16 {
    x.round() as u16
}

fn from_nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncorrection_inverts_the_app_note_polynomial() {
        for lux in [0.5, 80.0, 1_000.0, 10_000.0, 50_000.0, 120_000.0] {
            let raw = uncorrected_lux(lux);
            assert!(raw <= lux);
            assert!((corrected_lux(raw) - lux).abs() < lux * 1e-9, "{lux}");
        }
        assert_eq!(uncorrected_lux(0.0), 0.0);
    }
}
