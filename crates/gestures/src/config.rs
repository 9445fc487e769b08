//! The detector's thresholds, their defaults and their checks.

use core::time::Duration;

/// Thresholds and times of every gesture. [`Config::default`] is tuned for
/// a hand-held appliance with an MPU-6050 (±4 g) and an ambient light
/// sensor; each field says its unit, its default and the physics behind it.
///
/// Times are [`Duration`]s and are compared with the samples' `t_us`, so
/// the same configuration works at any sample rate from 50 Hz to 1 kHz.
/// Accelerations are milli-g (1000 mg = 1 g = 9.81 m/s²), angles degrees,
/// light fractions percent of the recent light level.
///
/// [`Detector::new`](crate::Detector::new) accepts any configuration and
/// never panics; [`Config::validate`] says whether the numbers make sense
/// together (out-of-range values are clamped as the field documents).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Longest time between two consecutive samples of one stream that is
    /// bridged; default 250 ms. A longer silence (a sensor that vanished,
    /// a restarted process) makes that stream's history stale, and the
    /// detector forgets it as [`Detector::reset`](crate::Detector::reset)
    /// does, for that stream only. Must exceed the stream's sample period:
    /// 250 ms covers every rate from 5 Hz up.
    pub max_gap: Duration,

    /// Time constant of the gravity estimate, default 500 ms. Gravity is
    /// the slowly varying part of the acceleration; what is left (the
    /// "dynamic" acceleration, `a − g`) is what taps and shakes produce.
    /// 500 ms passes a 15 ms tap almost untouched (the estimate moves by
    /// about 5 % of the tap) and follows a turn of the board within a
    /// second or so.
    pub gravity_tau: Duration,
    /// Time constant of the orientation filter that tilt and flip read,
    /// default 100 ms: short enough to time a 500 ms hold, long enough
    /// that a tap during a hold moves the angle by a few degrees only.
    pub orientation_tau: Duration,

    /// A tap's peak dynamic acceleration `|a − g|`, at least this; default
    /// 1200 mg. A knuckle on a hard case gives 2 g and more for 5..20 ms;
    /// handling and walking stay well below 1 g.
    pub tap_threshold_mg: u32,
    /// Below this dynamic acceleration the board is "quiet", default 400
    /// mg. A tap is a spike of non-quiet samples with quiet before and
    /// after it. Clamped to at most `tap_threshold_mg`.
    pub tap_quiet_mg: u32,
    /// A tap's run of non-quiet samples lasts at most this, from its first
    /// to its last sample, default 40 ms. Shakes, turns and bumps last
    /// longer.
    pub tap_max_duration: Duration,
    /// Quiet needed before a tap and after it, default 40 ms; shorter
    /// quiet inside a spike (the case ringing through zero) is part of the
    /// spike. It keeps a peak of a fast shake from counting as a tap (the
    /// next swing comes within a few tens of ms) and fixes when a tap is
    /// confirmed: this long after the spike.
    pub tap_quiet_time: Duration,
    /// Two taps make a double tap when the second starts at least this
    /// long after the first, default 80 ms (closer, it is the first tap's
    /// bounce and is ignored) ...
    pub double_tap_min_gap: Duration,
    /// ... and at most this long, default 500 ms. A single tap is reported
    /// only once this window has passed without a second tap.
    pub double_tap_max_gap: Duration,

    /// A shake swing reaches at least this dynamic acceleration on one
    /// axis, default 800 mg (a brisk shake of a hand-held box: 1..3 g;
    /// walking: 0.2..0.5 g).
    pub shake_threshold_mg: u32,
    /// Alternating swings (+ − + − on one axis) that make a shake, default
    /// 4 (two back-and-forth movements). Clamped to 2..=8.
    pub shake_min_excursions: u8,
    /// The last `shake_min_excursions` swings start within this time,
    /// default 1 s.
    pub shake_window: Duration,
    /// Two consecutive swings start at least this far apart, default
    /// 40 ms (a shake is at most 12.5 Hz; faster reversals are the case
    /// ringing after a knock, not a hand).
    pub shake_min_half_period: Duration,
    /// ... and at most this far apart, default 500 ms (a shake is at
    /// least 1 Hz); a longer pause starts the count again.
    pub shake_max_half_period: Duration,
    /// After a shake is reported, no other shake (and no tap or tilt)
    /// until no swing was seen for this long, default 500 ms: one shake
    /// is reported once however long it lasts.
    pub shake_rearm: Duration,

    /// Roll beyond this angle is a tilt, default 25°. Roll is the turn
    /// about the x axis, `atan2(ay, az)`: positive when the right side
    /// goes down (tilt right).
    pub tilt_enter_deg: f32,
    /// Roll back within this angle of level re-arms the tilt, default 15°
    /// (the 10° of hysteresis keep a hand's tremor near 25° from reporting
    /// again).
    pub tilt_exit_deg: f32,
    /// Roll beyond this angle is not a tilt any more (the board is on its
    /// side or being turned over), default 70°.
    pub tilt_max_deg: f32,
    /// A tilt is held this long before it is reported, default 500 ms.
    pub tilt_hold: Duration,

    /// Face up is z above +this, face down is z below −this, default 800
    /// mg (within about 37° of flat).
    pub flip_level_mg: u32,
    /// Face down is held this long before the flip is reported, default
    /// 500 ms.
    pub flip_hold: Duration,

    /// A wave blocks at least this percentage of the light at its deepest,
    /// default 60 %: a hand a few cm over the sensor blocks 80..95 %.
    /// Clamped to 1..=100.
    pub wave_depth_pct: u8,
    /// A dip starts when the light falls more than this percentage below
    /// its baseline and ends when it is back within it, default 20 %.
    /// Clamped to 1..=`wave_depth_pct`.
    pub wave_edge_pct: u8,
    /// A dip shorter than this is not a hand, default 150 ms (a glitch, a
    /// flicker).
    pub wave_min_duration: Duration,
    /// A dip longer than this is not a wave, default 1500 ms: the light
    /// changed (dusk, a lamp dimmed, a hand that stays); the baseline
    /// takes the new level.
    pub wave_max_duration: Duration,
    /// Time constant of the light baseline, default 1 s: it follows slow
    /// changes of the ambient light and holds still during a dip.
    pub wave_baseline_tau: Duration,
    /// No waves below this baseline, default 2000 milli-lux (2 lx): in the
    /// dark a hand casts no shadow the sensor can resolve.
    pub wave_min_baseline_milli_lux: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_gap: Duration::from_millis(250),
            gravity_tau: Duration::from_millis(500),
            orientation_tau: Duration::from_millis(100),
            tap_threshold_mg: 1200,
            tap_quiet_mg: 400,
            tap_max_duration: Duration::from_millis(40),
            tap_quiet_time: Duration::from_millis(40),
            double_tap_min_gap: Duration::from_millis(80),
            double_tap_max_gap: Duration::from_millis(500),
            shake_threshold_mg: 800,
            shake_min_excursions: 4,
            shake_window: Duration::from_secs(1),
            shake_min_half_period: Duration::from_millis(40),
            shake_max_half_period: Duration::from_millis(500),
            shake_rearm: Duration::from_millis(500),
            tilt_enter_deg: 25.0,
            tilt_exit_deg: 15.0,
            tilt_max_deg: 70.0,
            tilt_hold: Duration::from_millis(500),
            flip_level_mg: 800,
            flip_hold: Duration::from_millis(500),
            wave_depth_pct: 60,
            wave_edge_pct: 20,
            wave_min_duration: Duration::from_millis(150),
            wave_max_duration: Duration::from_millis(1500),
            wave_baseline_tau: Duration::from_secs(1),
            wave_min_baseline_milli_lux: 2000,
        }
    }
}

/// A [`Config`] whose numbers do not fit together.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `max_gap` is zero: every sample would reset its stream.
    #[error("max_gap is zero: every sample would look like a gap; use more than the sample period")]
    ZeroMaxGap,
    /// The quiet level is not below the tap threshold.
    #[error(
        "tap_quiet_mg {quiet_mg} is not below tap_threshold_mg {threshold_mg}: lower the quiet level"
    )]
    TapQuietNotBelowThreshold {
        /// `tap_quiet_mg`.
        quiet_mg: u32,
        /// `tap_threshold_mg`.
        threshold_mg: u32,
    },
    /// The double-tap window is empty.
    #[error(
        "double_tap_min_gap {min:?} is not below double_tap_max_gap {max:?}: widen the double-tap window"
    )]
    DoubleTapWindow {
        /// `double_tap_min_gap`.
        min: Duration,
        /// `double_tap_max_gap`.
        max: Duration,
    },
    /// `shake_min_excursions` is outside 2..=8.
    #[error("shake_min_excursions {count} is outside 2..=8")]
    ShakeExcursions {
        /// `shake_min_excursions`.
        count: u8,
    },
    /// The shake's half-period range is empty.
    #[error(
        "shake_min_half_period {min:?} is not below shake_max_half_period {max:?}: widen the shake's frequency range"
    )]
    ShakeHalfPeriod {
        /// `shake_min_half_period`.
        min: Duration,
        /// `shake_max_half_period`.
        max: Duration,
    },
    /// The tilt angles are not `0 <= exit < enter < max <= 90`.
    #[error(
        "tilt angles exit {exit_deg}°, enter {enter_deg}°, max {max_deg}° must satisfy 0 <= exit < enter < max <= 90"
    )]
    TiltAngles {
        /// `tilt_exit_deg`.
        exit_deg: f32,
        /// `tilt_enter_deg`.
        enter_deg: f32,
        /// `tilt_max_deg`.
        max_deg: f32,
    },
    /// `flip_level_mg` is zero or more than 1 g (never reached at rest).
    #[error("flip_level_mg {level_mg} is outside 1..=1000")]
    FlipLevel {
        /// `flip_level_mg`.
        level_mg: u32,
    },
    /// The wave's percentages are not `1 <= edge <= depth <= 100`.
    #[error(
        "wave_edge_pct {edge_pct} and wave_depth_pct {depth_pct} must satisfy 1 <= edge <= depth <= 100"
    )]
    WavePercent {
        /// `wave_edge_pct`.
        edge_pct: u8,
        /// `wave_depth_pct`.
        depth_pct: u8,
    },
    /// The wave's duration range is empty.
    #[error(
        "wave_min_duration {min:?} is not below wave_max_duration {max:?}: widen the wave's duration range"
    )]
    WaveDuration {
        /// `wave_min_duration`.
        min: Duration,
        /// `wave_max_duration`.
        max: Duration,
    },
}

impl Config {
    /// Checks that the thresholds fit together; the first problem found.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the fields and their values.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_gap.is_zero() {
            return Err(ConfigError::ZeroMaxGap);
        }
        if self.tap_quiet_mg >= self.tap_threshold_mg {
            return Err(ConfigError::TapQuietNotBelowThreshold {
                quiet_mg: self.tap_quiet_mg,
                threshold_mg: self.tap_threshold_mg,
            });
        }
        if self.double_tap_min_gap >= self.double_tap_max_gap {
            return Err(ConfigError::DoubleTapWindow {
                min: self.double_tap_min_gap,
                max: self.double_tap_max_gap,
            });
        }
        if !(2..=8).contains(&self.shake_min_excursions) {
            return Err(ConfigError::ShakeExcursions {
                count: self.shake_min_excursions,
            });
        }
        if self.shake_min_half_period >= self.shake_max_half_period {
            return Err(ConfigError::ShakeHalfPeriod {
                min: self.shake_min_half_period,
                max: self.shake_max_half_period,
            });
        }
        let (exit, enter, max) = (self.tilt_exit_deg, self.tilt_enter_deg, self.tilt_max_deg);
        // Written so that NaN fails too.
        let ordered = exit >= 0.0 && exit < enter && enter < max && max <= 90.0;
        if !ordered {
            return Err(ConfigError::TiltAngles {
                exit_deg: exit,
                enter_deg: enter,
                max_deg: max,
            });
        }
        if !(1..=1000).contains(&self.flip_level_mg) {
            return Err(ConfigError::FlipLevel {
                level_mg: self.flip_level_mg,
            });
        }
        let (edge, depth) = (self.wave_edge_pct, self.wave_depth_pct);
        if !(1 <= edge && edge <= depth && depth <= 100) {
            return Err(ConfigError::WavePercent {
                edge_pct: edge,
                depth_pct: depth,
            });
        }
        if self.wave_min_duration >= self.wave_max_duration {
            return Err(ConfigError::WaveDuration {
                min: self.wave_min_duration,
                max: self.wave_max_duration,
            });
        }
        Ok(())
    }
}

/// A [`Config`] in the units the detectors compute with, clamped where
/// the fields say so.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub(crate) max_gap_us: u64,
    pub(crate) gravity_tau_us: u64,
    pub(crate) orientation_tau_us: u64,
    /// Squared, mg².
    pub(crate) tap_threshold_sq: f32,
    /// Squared, mg².
    pub(crate) tap_quiet_sq: f32,
    pub(crate) tap_max_duration_us: u64,
    pub(crate) tap_quiet_time_us: u64,
    pub(crate) double_tap_min_gap_us: u64,
    pub(crate) double_tap_max_gap_us: u64,
    pub(crate) shake_threshold_mg: f32,
    pub(crate) shake_excursions: usize,
    pub(crate) shake_window_us: u64,
    pub(crate) shake_min_half_period_us: u64,
    pub(crate) shake_max_half_period_us: u64,
    pub(crate) shake_rearm_us: u64,
    pub(crate) tilt_enter_deg: f32,
    pub(crate) tilt_exit_deg: f32,
    pub(crate) tilt_max_deg: f32,
    pub(crate) tilt_hold_us: u64,
    pub(crate) flip_level_mg: f32,
    pub(crate) flip_hold_us: u64,
    /// The light at the deepest point, at most this fraction of the baseline.
    pub(crate) wave_deep_fraction: f32,
    /// The dip's edge, as a fraction of the baseline.
    pub(crate) wave_edge_fraction: f32,
    pub(crate) wave_min_duration_us: u64,
    pub(crate) wave_max_duration_us: u64,
    pub(crate) wave_baseline_tau_us: u64,
    pub(crate) wave_min_baseline_milli_lux: f32,
}

/// Most swings a shake can ask for (the ring of swing times holds this many).
pub(crate) const MAX_SHAKE_EXCURSIONS: usize = 8;

impl Params {
    pub(crate) fn new(c: &Config) -> Self {
        let square = |mg: u32| {
            let mg = mg as f32;
            mg * mg
        };
        let depth = c.wave_depth_pct.clamp(1, 100);
        let edge = c.wave_edge_pct.clamp(1, depth);
        Self {
            max_gap_us: micros(c.max_gap),
            gravity_tau_us: micros(c.gravity_tau),
            orientation_tau_us: micros(c.orientation_tau),
            tap_threshold_sq: square(c.tap_threshold_mg),
            tap_quiet_sq: square(c.tap_quiet_mg.min(c.tap_threshold_mg)),
            tap_max_duration_us: micros(c.tap_max_duration),
            tap_quiet_time_us: micros(c.tap_quiet_time),
            double_tap_min_gap_us: micros(c.double_tap_min_gap),
            double_tap_max_gap_us: micros(c.double_tap_max_gap),
            shake_threshold_mg: c.shake_threshold_mg as f32,
            shake_excursions: usize::from(c.shake_min_excursions).clamp(2, MAX_SHAKE_EXCURSIONS),
            shake_window_us: micros(c.shake_window),
            shake_min_half_period_us: micros(c.shake_min_half_period),
            shake_max_half_period_us: micros(c.shake_max_half_period),
            shake_rearm_us: micros(c.shake_rearm),
            tilt_enter_deg: c.tilt_enter_deg,
            tilt_exit_deg: c.tilt_exit_deg,
            tilt_max_deg: c.tilt_max_deg,
            tilt_hold_us: micros(c.tilt_hold),
            flip_level_mg: c.flip_level_mg as f32,
            flip_hold_us: micros(c.flip_hold),
            wave_deep_fraction: f32::from(100 - depth) / 100.0,
            wave_edge_fraction: f32::from(100 - edge) / 100.0,
            wave_min_duration_us: micros(c.wave_min_duration),
            wave_max_duration_us: micros(c.wave_max_duration),
            wave_baseline_tau_us: micros(c.wave_baseline_tau),
            wave_min_baseline_milli_lux: c.wave_min_baseline_milli_lux as f32,
        }
    }
}

/// Microseconds of a duration, saturating (the samples' clock unit).
pub(crate) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn each_inconsistency_is_named() {
        let d = Config::default();
        let cases = [
            (
                Config {
                    max_gap: Duration::ZERO,
                    ..d
                },
                ConfigError::ZeroMaxGap,
            ),
            (
                Config {
                    tap_quiet_mg: 1200,
                    ..d
                },
                ConfigError::TapQuietNotBelowThreshold {
                    quiet_mg: 1200,
                    threshold_mg: 1200,
                },
            ),
            (
                Config {
                    double_tap_min_gap: Duration::from_millis(600),
                    ..d
                },
                ConfigError::DoubleTapWindow {
                    min: Duration::from_millis(600),
                    max: Duration::from_millis(500),
                },
            ),
            (
                Config {
                    shake_min_excursions: 9,
                    ..d
                },
                ConfigError::ShakeExcursions { count: 9 },
            ),
            (
                Config {
                    shake_max_half_period: Duration::from_millis(40),
                    ..d
                },
                ConfigError::ShakeHalfPeriod {
                    min: Duration::from_millis(40),
                    max: Duration::from_millis(40),
                },
            ),
            (
                Config {
                    tilt_exit_deg: 30.0,
                    ..d
                },
                ConfigError::TiltAngles {
                    exit_deg: 30.0,
                    enter_deg: 25.0,
                    max_deg: 70.0,
                },
            ),
            (
                Config {
                    flip_level_mg: 1001,
                    ..d
                },
                ConfigError::FlipLevel { level_mg: 1001 },
            ),
            (
                Config {
                    wave_edge_pct: 61,
                    ..d
                },
                ConfigError::WavePercent {
                    edge_pct: 61,
                    depth_pct: 60,
                },
            ),
            (
                Config {
                    wave_min_duration: Duration::from_secs(2),
                    ..d
                },
                ConfigError::WaveDuration {
                    min: Duration::from_secs(2),
                    max: Duration::from_millis(1500),
                },
            ),
        ];
        for (config, expected) in cases {
            assert_eq!(config.validate(), Err(expected));
        }
    }

    #[test]
    fn nan_angles_are_rejected() {
        let config = Config {
            tilt_enter_deg: f32::NAN,
            ..Config::default()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::TiltAngles { .. })
        ));
    }

    #[test]
    fn micros_saturates() {
        assert_eq!(micros(Duration::from_millis(3)), 3000);
        assert_eq!(micros(Duration::MAX), u64::MAX);
    }
}
