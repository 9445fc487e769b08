//! Synthetic sensor traces for the gesture tests: small generators for
//! what the board feels (rest, taps, shakes, tilts, flips, walking, hands
//! over the light sensor, light ramps), sampled at any rate with seeded
//! noise, and runners that feed them to a detector.
//!
//! The physics follows the simulated board (crate `sensor-sim`): lying
//! flat face up reads [0, 0, +1 g]; roll about x (positive: right side
//! down) gives [0, sin r, cos r]; orientation changes are raised-cosine
//! eases; taps are half-sine pulses; a hand is a smooth sin² dip.

#![allow(dead_code, unreachable_pub, reason = "each test file uses a subset")]

use std::f64::consts::PI;

use gestures::{Config, Detector};
use wire::{GestureKind, ImuSample, LightSample};

/// Axis indices.
pub const X: usize = 0;
pub const Y: usize = 1;
pub const Z: usize = 2;

/// Rates every IMU test runs at, Hz.
pub const IMU_RATES: [u32; 5] = [50, 100, 200, 500, 1000];

/// xorshift64 (Marsaglia 2003): small, seeded, reproducible noise.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // The state must not be 0.
        Self(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in [-1, 1].
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// A smooth move of one value from `from` to `to` over `[start, end]`.
#[derive(Debug, Clone, Copy)]
struct Ease {
    start: f64,
    end: f64,
    from: f64,
    to: f64,
}

/// One axis turns to `to` over `over` seconds from `at` (from where its
/// earlier turns left it); with `hold`, holds it that long and turns back
/// over `over`.
fn turn(axis: &mut Vec<Ease>, at: f64, to: f64, over: f64, hold: Option<f64>) {
    let from = eased(axis, 0.0, at);
    axis.push(Ease {
        start: at,
        end: at + over,
        from,
        to,
    });
    if let Some(hold) = hold {
        let back = at + over + hold;
        axis.push(Ease {
            start: back,
            end: back + over,
            from: to,
            to: from,
        });
    }
}

/// The value at `t` of a sorted list of non-overlapping eases.
fn eased(ramps: &[Ease], initial: f64, t: f64) -> f64 {
    let mut value = initial;
    for r in ramps {
        if t < r.start {
            break;
        }
        value = if t >= r.end {
            r.to
        } else {
            let u = (t - r.start) / (r.end - r.start);
            r.from + (r.to - r.from) * (1.0 - (PI * u).cos()) / 2.0
        };
    }
    value
}

#[derive(Debug, Clone, Copy)]
enum Motion {
    /// Half-sine pulse, optionally followed by a rebound of the opposite
    /// sign (the case ringing after a knock).
    Pulse {
        at: f64,
        axis: usize,
        peak_mg: f64,
        width: f64,
    },
    /// A sinusoid on one axis.
    Sine {
        at: f64,
        axis: usize,
        amplitude_mg: f64,
        freq_hz: f64,
        lasting: f64,
    },
}

impl Motion {
    fn accel_at(&self, t: f64) -> (usize, f64) {
        match *self {
            Motion::Pulse {
                at,
                axis,
                peak_mg,
                width,
            } => {
                let u = (t - at) / width;
                let v = if (0.0..1.0).contains(&u) {
                    peak_mg * (PI * u).sin()
                } else {
                    0.0
                };
                (axis, v)
            }
            Motion::Sine {
                at,
                axis,
                amplitude_mg,
                freq_hz,
                lasting,
            } => {
                let since = t - at;
                let v = if (0.0..lasting).contains(&since) {
                    amplitude_mg * (2.0 * PI * freq_hz * since).sin()
                } else {
                    0.0
                };
                (axis, v)
            }
        }
    }
}

/// What the IMU feels over time. Times are seconds from the start.
#[derive(Debug, Clone, Default)]
pub struct ImuScene {
    /// Roll, degrees.
    roll: Vec<Ease>,
    /// Pitch, degrees.
    pitch: Vec<Ease>,
    motions: Vec<Motion>,
    /// Seed and amplitude (mg, uniform ±) of the per-axis noise.
    noise: Option<(u64, f64)>,
}

impl ImuScene {
    /// Lying flat, face up, still: rest.
    pub fn rest() -> Self {
        Self::default()
    }

    /// A knock: a half-sine pulse of `peak_mg` on `axis`, `width_ms` wide.
    pub fn tap(mut self, at: f64, axis: usize, peak_mg: f64, width_ms: f64) -> Self {
        self.motions.push(Motion::Pulse {
            at,
            axis,
            peak_mg,
            width: width_ms / 1000.0,
        });
        self
    }

    /// A knock with ringing: the pulse, then a rebound of `rebound` times
    /// its peak in the other direction, half as wide, right after it.
    pub fn ringing_tap(
        self,
        at: f64,
        axis: usize,
        peak_mg: f64,
        width_ms: f64,
        rebound: f64,
    ) -> Self {
        self.tap(at, axis, peak_mg, width_ms).tap(
            at + width_ms / 1000.0,
            axis,
            -peak_mg * rebound,
            width_ms / 2.0,
        )
    }

    /// Two knocks `gap_ms` apart (start to start).
    pub fn double_tap(
        self,
        at: f64,
        axis: usize,
        peak_mg: f64,
        width_ms: f64,
        gap_ms: f64,
    ) -> Self {
        self.tap(at, axis, peak_mg, width_ms)
            .tap(at + gap_ms / 1000.0, axis, peak_mg, width_ms)
    }

    /// Shaking along `axis`: a sinusoid of `amplitude_mg` at `freq_hz`
    /// for `lasting` seconds.
    pub fn shake(
        mut self,
        at: f64,
        axis: usize,
        amplitude_mg: f64,
        freq_hz: f64,
        lasting: f64,
    ) -> Self {
        self.motions.push(Motion::Sine {
            at,
            axis,
            amplitude_mg,
            freq_hz,
            lasting,
        });
        self
    }

    /// Carried while walking: a 2 Hz vertical bob and a 1 Hz sway, both
    /// small, for `lasting` seconds.
    pub fn walk(self, at: f64, lasting: f64) -> Self {
        self.shake(at, Z, 300.0, 2.0, lasting)
            .shake(at, X, 150.0, 1.0, lasting)
            .shake(at, Y, 120.0, 2.0, lasting)
    }

    /// Turns to `roll_deg` over `over` seconds from `at`; with `hold`,
    /// holds it that long and turns back to level over `over`.
    pub fn tilt(mut self, at: f64, roll_deg: f64, over: f64, hold: Option<f64>) -> Self {
        turn(&mut self.roll, at, roll_deg, over, hold);
        self
    }

    /// Turns to `pitch_deg` (nose up) over `over` seconds, with an
    /// optional hold and return as [`ImuScene::tilt`].
    pub fn pitch(mut self, at: f64, pitch_deg: f64, over: f64, hold: Option<f64>) -> Self {
        turn(&mut self.pitch, at, pitch_deg, over, hold);
        self
    }

    /// Turns over about x (face up to face down, or back) over `over`
    /// seconds; with `hold`, turns back after that long.
    pub fn flip(self, at: f64, over: f64, hold: Option<f64>) -> Self {
        let from = eased(&self.roll, 0.0, at);
        let to = if from.abs() < 90.0 { 180.0 } else { 0.0 };
        self.tilt(at, to, over, hold)
    }

    /// Starts face down instead of face up.
    pub fn face_down(mut self) -> Self {
        self.roll.insert(
            0,
            Ease {
                start: 0.0,
                end: 0.0,
                from: 180.0,
                to: 180.0,
            },
        );
        self
    }

    /// Adds uniform noise of ±`amplitude_mg` per axis, seeded.
    pub fn noise(mut self, seed: u64, amplitude_mg: f64) -> Self {
        self.noise = Some((seed, amplitude_mg));
        self
    }

    /// Specific force at `t`, mg (before noise).
    pub fn accel_at(&self, t: f64) -> [f64; 3] {
        let r = eased(&self.roll, 0.0, t).to_radians();
        let p = eased(&self.pitch, 0.0, t).to_radians();
        let mut a = [
            -p.sin() * 1000.0,
            r.sin() * p.cos() * 1000.0,
            r.cos() * p.cos() * 1000.0,
        ];
        for m in &self.motions {
            let (axis, v) = m.accel_at(t);
            a[axis] += v;
        }
        a
    }

    /// Samples `seconds` of the scene at `rate_hz`, `seq` from 0, `t_us`
    /// from 0.
    pub fn samples(&self, rate_hz: u32, seconds: f64) -> Vec<ImuSample> {
        let mut rng = self.noise.map(|(seed, _)| XorShift::new(seed));
        let amplitude = self.noise.map_or(0.0, |(_, a)| a);
        sample_times(rate_hz, seconds)
            .map(|(seq, t_us)| {
                let a = self.accel_at(t_us as f64 / 1e6);
                let accel_mg = a.map(|v| {
                    let n = rng.as_mut().map_or(0.0, |r| r.unit() * amplitude);
                    #[allow(
                        clippy::cast_possible_truncation,
                        reason = "a scene's acceleration: a few thousand mg"
                    )]
                    let mg = (v + n).round() as i32;
                    mg
                });
                ImuSample {
                    seq,
                    t_us,
                    accel_mg,
                    gyro_mdps: [0; 3],
                    temp_cc: 2500,
                }
            })
            .collect()
    }
}

/// What the light sensor sees over time. Times are seconds.
#[derive(Debug, Clone, Default)]
pub struct LightScene {
    initial_lux: f64,
    level: Vec<Ease>,
    /// (start, lasting, depth).
    hands: Vec<(f64, f64, f64)>,
    /// Seed and relative amplitude (uniform ±) of the noise.
    noise: Option<(u64, f64)>,
}

impl LightScene {
    /// A steady light of `lux`.
    pub fn steady(lux: f64) -> Self {
        Self {
            initial_lux: lux,
            ..Self::default()
        }
    }

    /// A hand over the sensor from `at` for `lasting` seconds, blocking
    /// `depth` of the light at its deepest.
    pub fn hand(mut self, at: f64, lasting: f64, depth: f64) -> Self {
        self.hands.push((at, lasting, depth));
        self
    }

    /// The light ramps smoothly to `lux` over `over` seconds from `at`
    /// (dusk, a dimmer, curtains); `over` 0 is a step (a switch).
    pub fn ramp(mut self, at: f64, lux: f64, over: f64) -> Self {
        let from = eased(&self.level, self.initial_lux, at);
        self.level.push(Ease {
            start: at,
            end: at + over,
            from,
            to: lux,
        });
        self
    }

    /// Adds uniform noise of ±`fraction` of the light, seeded.
    pub fn noise(mut self, seed: u64, fraction: f64) -> Self {
        self.noise = Some((seed, fraction));
        self
    }

    /// Illuminance at `t`, lux (before noise).
    pub fn lux_at(&self, t: f64) -> f64 {
        let level = eased(&self.level, self.initial_lux, t);
        let shade: f64 = self
            .hands
            .iter()
            .map(|&(at, lasting, depth)| {
                let u = (t - at) / lasting;
                if (0.0..1.0).contains(&u) {
                    let dip = (PI * u).sin();
                    1.0 - depth * dip * dip
                } else {
                    1.0
                }
            })
            .product();
        level * shade
    }

    /// Samples `seconds` of the scene at `rate_hz`.
    pub fn samples(&self, rate_hz: u32, seconds: f64) -> Vec<LightSample> {
        let mut rng = self.noise.map(|(seed, _)| XorShift::new(seed));
        let fraction = self.noise.map_or(0.0, |(_, f)| f);
        sample_times(rate_hz, seconds)
            .map(|(seq, t_us)| {
                let lux = self.lux_at(t_us as f64 / 1e6);
                let n = rng.as_mut().map_or(0.0, |r| r.unit() * fraction);
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a scene's lux, >= 0 and far below 4 million"
                )]
                let milli = (lux * (1.0 + n) * 1000.0).round().max(0.0) as u32;
                LightSample {
                    seq,
                    t_us,
                    lux_milli: milli,
                    raw: milli / 1000,
                }
            })
            .collect()
    }
}

/// The `seq` and `t_us` of each sample of `seconds` at `rate_hz`, both
/// from 0.
fn sample_times(rate_hz: u32, seconds: f64) -> impl Iterator<Item = (u32, u64)> {
    let period_us = 1_000_000 / u64::from(rate_hz);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a scene's seconds times its rate: a small positive count"
    )]
    let count = (seconds * f64::from(rate_hz)).round() as u32;
    (0..count).map(move |seq| (seq, u64::from(seq) * period_us))
}

/// A gesture and the sample time it was returned at, seconds.
pub type Found = (GestureKind, f64);

/// Feeds IMU samples to a fresh default detector.
pub fn detect_imu(samples: &[ImuSample]) -> Vec<Found> {
    detect_imu_with(&mut Detector::new(Config::default()), samples)
}

/// Feeds IMU samples to `detector`.
pub fn detect_imu_with(detector: &mut Detector, samples: &[ImuSample]) -> Vec<Found> {
    samples
        .iter()
        .filter_map(|s| detector.on_imu(s).map(|g| (g, s.t_us as f64 / 1e6)))
        .collect()
}

/// Feeds light samples to a fresh default detector.
pub fn detect_light(samples: &[LightSample]) -> Vec<Found> {
    let mut detector = Detector::new(Config::default());
    samples
        .iter()
        .filter_map(|s| detector.on_light(s).map(|g| (g, s.t_us as f64 / 1e6)))
        .collect()
}

/// The kinds only, in order.
pub fn kinds(found: &[Found]) -> Vec<GestureKind> {
    found.iter().map(|&(k, _)| k).collect()
}

/// Asserts exactly one gesture, of `kind`, returned within `[from, to]` s.
#[track_caller]
pub fn assert_one(found: &[Found], kind: GestureKind, from: f64, to: f64, context: &str) {
    match found {
        [(k, t)] if *k == kind && (from..=to).contains(t) => {}
        _ => panic!("{context}: expected one {kind:?} in [{from}, {to}] s, found {found:?}"),
    }
}
