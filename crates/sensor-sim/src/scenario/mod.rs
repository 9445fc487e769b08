//! Scenarios: what the simulated board feels, as a pure function of time.
//!
//! A [`Scenario`] is parsed from the line format described in the crate
//! documentation. It answers "what are the physical inputs at time t"
//! ([`Scenario::imu_at`], [`Scenario::light_at`]) and "which faults are in
//! force" ([`Scenario::fault_at`] and friends); the device models ask it at
//! their own sample instants.

mod parse;

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use parse::{ParseError, Problem};

/// Die temperature before any `temperature` line, degrees C.
pub(crate) const INITIAL_TEMPERATURE_C: f64 = 25.0;

/// Which simulated part of the board a scenario line drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Device {
    /// The motion sensor (MPU-6050): scenario device `imu`.
    Imu,
    /// The ambient light sensor (ADS1115 with an LDR, or VEML7700):
    /// scenario device `light`.
    Light,
}

impl Device {
    /// The name used in scenario files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Device::Imu => "imu",
            Device::Light => "light",
        }
    }
}

/// What the IMU feels at one instant, in the appliance's integer units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImuInputs {
    /// Specific force (what an accelerometer reads) on x, y, z, milli-g:
    /// face up and still is `[0, 0, 1000]`.
    pub accel_mg: [i32; 3],
    /// Angular rate about x, y, z, milli-degrees/s.
    pub gyro_mdps: [i32; 3],
    /// Die temperature, centi-degrees C.
    pub temp_cc: i32,
}

/// What the light sensor sees at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightInputs {
    /// Illuminance at the sensor, milli-lux.
    pub illuminance_mlx: u64,
}

/// Faults in force for a device at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultState {
    /// The device does not answer at all (every transaction is NACKed).
    pub vanished: bool,
    /// The device's data stopped updating at this time (scenario time,
    /// loops included) and has not resumed.
    pub stuck_since: Option<Duration>,
}

/// A scenario could not be loaded from a file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read scenario {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid scenario.
    #[error("{}:{source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and what.
        #[source]
        source: ParseError,
    },
}

/// A parsed scenario: a timeline of physical inputs and faults.
///
/// Share one between models with an `Arc`. Evaluation never fails and
/// never panics: before the first line the board lies flat, face up, still,
/// at 25 °C, in the dark (0 lux).
///
/// ```
/// use sensor_sim::Scenario;
/// use std::time::Duration;
///
/// let s = Scenario::parse("0s imu tilt roll=90 over=1s\n0s light level lux=300\n")?;
/// assert_eq!(s.imu_at(Duration::ZERO).accel_mg, [0, 0, 1000]);
/// assert_eq!(s.imu_at(Duration::from_secs(2)).accel_mg, [0, 1000, 0]);
/// assert_eq!(s.light_at(Duration::from_secs(2)).illuminance_mlx, 300_000);
/// # Ok::<(), sensor_sim::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// Roll and pitch, degrees.
    orientation: Vec<Ramp<2>>,
    /// Degrees C.
    temperature: Vec<Ramp<1>>,
    impulses: Vec<Impulse>,
    /// Lux, before hands.
    level: Vec<Ramp<1>>,
    hands: Vec<Hand>,
    imu_faults: Vec<Fault>,
    light_faults: Vec<Fault>,
    loop_period: Option<Duration>,
}

impl Scenario {
    /// Parses a scenario; see the crate documentation for the format.
    ///
    /// # Errors
    /// The first problem found, with its line and column.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        parse::parse(text)
    }

    /// Reads and parses a scenario file.
    ///
    /// # Errors
    /// [`LoadError::Read`] if the file cannot be read, [`LoadError::Parse`]
    /// with the file name and position if it is not a valid scenario.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|source| LoadError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The period after which the scenario starts again, if it loops.
    #[must_use]
    pub fn loop_period(&self) -> Option<Duration> {
        self.loop_period
    }

    /// What the IMU feels at `t` (without sensor noise).
    #[must_use]
    pub fn imu_at(&self, t: Duration) -> ImuInputs {
        let p = self.imu_physics(t);
        ImuInputs {
            accel_mg: p.accel_g.map(|g| round_i32(g * 1000.0)),
            gyro_mdps: p.gyro_dps.map(|dps| round_i32(dps * 1000.0)),
            temp_cc: round_i32(p.temp_c * 100.0),
        }
    }

    /// What the light sensor sees at `t` (without sensor noise).
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to u64's range before the cast"
    )]
    pub fn light_at(&self, t: Duration) -> LightInputs {
        let mlx = (self.illuminance_lux(t) * 1000.0).round();
        LightInputs {
            // Lux is validated to 0..=200 000 at parse time.
            illuminance_mlx: mlx.clamp(0.0, u64::MAX as f64) as u64,
        }
    }

    /// The faults in force for `device` at `t`.
    #[must_use]
    pub fn fault_at(&self, device: Device, t: Duration) -> FaultState {
        let (base, local) = self.split(t);
        let mut state = FaultState::default();
        for fault in self.faults(device) {
            let (stuck, lasting) = match fault.kind {
                FaultKind::Stuck { lasting } => (true, lasting),
                FaultKind::Vanish { lasting } => (false, lasting),
                FaultKind::Nack { .. } | FaultKind::Reset => continue,
            };
            let inside = local >= fault.at && lasting.is_none_or(|d| local < fault.at + d);
            if !inside {
                continue;
            }
            if stuck {
                let since = base + fault.at;
                state.stuck_since = Some(state.stuck_since.map_or(since, |s| s.min(since)));
            } else {
                state.vanished = true;
            }
        }
        state
    }

    /// The largest `fault nack count=N` that occurred in `(after, upto]`
    /// (`after = None`: from the very start, time 0 included): the device
    /// must NACK its next N transactions.
    #[must_use]
    pub fn nack_burst_between(
        &self,
        device: Device,
        after: Option<Duration>,
        upto: Duration,
    ) -> Option<u32> {
        self.faults(device)
            .iter()
            .filter_map(|f| match f.kind {
                FaultKind::Nack { count } => self
                    .latest_occurrence(f.at, upto)
                    .filter(|&o| after.is_none_or(|a| o > a))
                    .map(|_| count),
                _ => None,
            })
            .max()
    }

    /// The time of the last `fault reset` (the device loses power for a
    /// moment and comes back in its power-on state) in `(after, upto]`.
    #[must_use]
    pub fn last_reset_between(
        &self,
        device: Device,
        after: Option<Duration>,
        upto: Duration,
    ) -> Option<Duration> {
        self.faults(device)
            .iter()
            .filter(|f| matches!(f.kind, FaultKind::Reset))
            .filter_map(|f| self.latest_occurrence(f.at, upto))
            .filter(|&o| after.is_none_or(|a| o > a))
            .max()
    }

    /// The IMU inputs in floating point, for the models.
    pub(crate) fn imu_physics(&self, t: Duration) -> ImuPhysics {
        let local = self.local(t);
        let ([roll, pitch], [roll_rate, pitch_rate]) =
            ramp_at(&self.orientation, [0.0, 0.0], local);
        let (r, p) = (roll.to_radians(), pitch.to_radians());
        // Specific force of gravity in the device frame for roll about x,
        // then pitch about y (ZYX Euler angles, yaw 0): a driver recovers
        // roll = atan2(ay, az), pitch = atan2(-ax, hypot(ay, az)).
        let mut accel_g = [-p.sin(), r.sin() * p.cos(), r.cos() * p.cos()];
        for impulse in &self.impulses {
            if let Some((axis, g)) = impulse.accel_at(local) {
                accel_g[axis.index()] += g;
            }
        }
        // Body rates from Euler angle rates (yaw rate 0).
        let gyro_dps = [roll_rate, pitch_rate * r.cos(), -pitch_rate * r.sin()];
        let ([temp_c], _) = ramp_at(&self.temperature, [INITIAL_TEMPERATURE_C], local);
        ImuPhysics {
            accel_g,
            gyro_dps,
            temp_c,
        }
    }

    /// The illuminance in lux, for the models.
    pub(crate) fn illuminance_lux(&self, t: Duration) -> f64 {
        let local = self.local(t);
        let ([level], _) = ramp_at(&self.level, [0.0], local);
        let shade: f64 = self
            .hands
            .iter()
            .map(|h| h.transmission_at(local))
            .product();
        (level * shade).max(0.0)
    }

    fn faults(&self, device: Device) -> &[Fault] {
        match device {
            Device::Imu => &self.imu_faults,
            Device::Light => &self.light_faults,
        }
    }

    /// Time within the current loop iteration.
    fn local(&self, t: Duration) -> Duration {
        self.split(t).1
    }

    /// (start of the current loop iteration, time within it).
    fn split(&self, t: Duration) -> (Duration, Duration) {
        match self.loop_period {
            Some(p) if !p.is_zero() => {
                let (t, p) = (t.as_nanos(), p.as_nanos());
                (from_nanos(t - t % p), from_nanos(t % p))
            }
            _ => (Duration::ZERO, t),
        }
    }

    /// The last time at or before `upto` when a line at `at` ran.
    fn latest_occurrence(&self, at: Duration, upto: Duration) -> Option<Duration> {
        if upto < at {
            return None;
        }
        match self.loop_period {
            Some(p) if !p.is_zero() => {
                let (at, upto, p) = (at.as_nanos(), upto.as_nanos(), p.as_nanos());
                Some(from_nanos(at + (upto - at) / p * p))
            }
            _ => Some(at),
        }
    }
}

/// Floating-point IMU inputs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImuPhysics {
    pub(crate) accel_g: [f64; 3],
    pub(crate) gyro_dps: [f64; 3],
    pub(crate) temp_c: f64,
}

/// A device axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    X,
    Y,
    Z,
}

impl Axis {
    fn index(self) -> usize {
        match self {
            Axis::X => 0,
            Axis::Y => 1,
            Axis::Z => 2,
        }
    }
}

/// A smooth move of N values from `from` to `to` over `[start, end]`
/// (a raised-cosine ease: no jump in rate at either end); `to` holds after.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ramp<const N: usize> {
    start: Duration,
    end: Duration,
    from: [f64; N],
    to: [f64; N],
}

/// Value and rate (per second) at `t` of a sorted, non-overlapping list.
fn ramp_at<const N: usize>(
    ramps: &[Ramp<N>],
    initial: [f64; N],
    t: Duration,
) -> ([f64; N], [f64; N]) {
    let after = ramps.partition_point(|r| r.start <= t);
    let Some(ramp) = after.checked_sub(1).and_then(|i| ramps.get(i)) else {
        return (initial, [0.0; N]);
    };
    if t >= ramp.end {
        return (ramp.to, [0.0; N]);
    }
    // start <= t < end, so the span is not zero.
    let span = (ramp.end - ramp.start).as_secs_f64();
    let u = (t - ramp.start).as_secs_f64() / span;
    let eased = (1.0 - (PI * u).cos()) / 2.0;
    let eased_rate = PI / 2.0 * (PI * u).sin() / span;
    let mut value = [0.0; N];
    let mut rate = [0.0; N];
    for i in 0..N {
        let delta = ramp.to[i] - ramp.from[i];
        value[i] = ramp.from[i] + delta * eased;
        rate[i] = delta * eased_rate;
    }
    (value, rate)
}

/// Accelerations added on top of gravity.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Impulse {
    /// `count` half-sine pulses of `width`, one every `gap`.
    Tap {
        axis: Axis,
        peak_g: f64,
        start: Duration,
        width: Duration,
        count: u32,
        gap: Duration,
    },
    /// A sinusoid from `start` for `lasting`.
    Shake {
        axis: Axis,
        amplitude_g: f64,
        freq_hz: f64,
        start: Duration,
        lasting: Duration,
    },
}

impl Impulse {
    fn accel_at(&self, t: Duration) -> Option<(Axis, f64)> {
        match *self {
            Impulse::Tap {
                axis,
                peak_g,
                start,
                width,
                count,
                gap,
            } => {
                let since = t.checked_sub(start)?.as_nanos();
                let (index, offset) = if count <= 1 || gap.is_zero() {
                    (0, since)
                } else {
                    let gap = gap.as_nanos();
                    (since / gap, since % gap)
                };
                let width = width.as_nanos();
                if index >= u128::from(count) || offset >= width || width == 0 {
                    return None;
                }
                let u = offset as f64 / width as f64;
                Some((axis, peak_g * (PI * u).sin()))
            }
            Impulse::Shake {
                axis,
                amplitude_g,
                freq_hz,
                start,
                lasting,
            } => {
                let since = t.checked_sub(start)?;
                if since >= lasting {
                    return None;
                }
                let phase = 2.0 * PI * freq_hz * since.as_secs_f64();
                Some((axis, amplitude_g * phase.sin()))
            }
        }
    }
}

/// A hand passing over the light sensor: a smooth dip and recovery.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hand {
    start: Duration,
    lasting: Duration,
    /// Fraction of the light blocked at the deepest point.
    depth: f64,
}

impl Hand {
    fn transmission_at(&self, t: Duration) -> f64 {
        let Some(since) = t.checked_sub(self.start) else {
            return 1.0;
        };
        if since >= self.lasting || self.lasting.is_zero() {
            return 1.0;
        }
        let u = since.as_secs_f64() / self.lasting.as_secs_f64();
        let dip = (PI * u).sin();
        1.0 - self.depth * dip * dip
    }
}

/// What a `fault` line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    /// NACK the next `count` transactions.
    Nack { count: u32 },
    /// Data registers stop updating, for a while or for ever.
    Stuck { lasting: Option<Duration> },
    /// Every transaction NACKs, for a while or for ever.
    Vanish { lasting: Option<Duration> },
    /// The device loses power for a moment: registers back to power-on.
    Reset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fault {
    at: Duration,
    kind: FaultKind,
}

fn from_nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "`as` saturates and maps NaN to 0"
)]
fn round_i32(x: f64) -> i32 {
    x.round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_eases_from_rest_to_rest() {
        let ramps = [Ramp {
            start: Duration::from_secs(1),
            end: Duration::from_secs(3),
            from: [0.0],
            to: [10.0],
        }];
        let at = |ms| ramp_at(&ramps, [-1.0], Duration::from_millis(ms));
        assert_eq!(at(500), ([-1.0], [0.0]));
        assert_eq!(at(1000).0, [0.0]);
        assert!(at(1000).1[0].abs() < 1e-9);
        let (mid, mid_rate) = at(2000);
        assert!((mid[0] - 5.0).abs() < 1e-9);
        // Peak rate of a cosine ease: pi/2 * delta / span.
        assert!((mid_rate[0] - PI / 2.0 * 10.0 / 2.0).abs() < 1e-9);
        assert_eq!(at(3000), ([10.0], [0.0]));
        assert_eq!(at(9000), ([10.0], [0.0]));
    }
}
