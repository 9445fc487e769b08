//! Gesture recognition for the appliance: turns the motion sensor's and
//! the light sensor's sample streams (the wire protocol's
//! [`ImuSample`](wire::ImuSample) and [`LightSample`](wire::LightSample))
//! into the gestures the GUI acts on ([`GestureKind`]): tap, double tap,
//! shake, tilt left / right, flip face down, and a hand waved over the
//! light sensor. A [`Detector`] is a set of small state machines fed one
//! sample at a time; it never allocates, never blocks, never panics on any
//! input, and is `no_std`, so it can run in the GUI, in a sensor process or
//! on a microcontroller.
//!
//! ```
//! use gestures::{Config, Detector};
//! use wire::{GestureKind, ImuSample};
//!
//! let mut detector = Detector::new(Config::default());
//! let mut found = Vec::new();
//! // 2 s at 100 Hz, lying flat (+1 g on z), knocked on the top at 1 s.
//! for seq in 0..200u32 {
//!     let t_us = u64::from(seq) * 10_000;
//!     let az = if t_us == 1_000_000 { 3_500 } else { 1_000 };
//!     let sample = ImuSample {
//!         seq,
//!         t_us,
//!         accel_mg: [0, 0, az],
//!         gyro_mdps: [0; 3],
//!         temp_cc: 2500,
//!     };
//!     if let Some(gesture) = detector.on_imu(&sample) {
//!         found.push((gesture, t_us));
//!     }
//! }
//! // Reported once the double-tap window (500 ms) passed without a second tap.
//! assert_eq!(found, [(GestureKind::Tap, 1_510_000)]);
//! ```
//!
//! # The gestures
//!
//! Accelerations are what the accelerometer reads (specific force, milli-g;
//! lying flat face up reads `[0, 0, +1000]`). The detector keeps two
//! low-passed copies of it: **gravity** `g` (time constant
//! [`Config::gravity_tau`], 500 ms), and the **orientation** vector
//! ([`Config::orientation_tau`], 100 ms). The **dynamic acceleration** is
//! `a − g`: zero at rest in any orientation, the knock itself during a
//! tap, the swing during a shake. Using the vector rather than the
//! magnitude `| |a| − 1 g |` matters for knocks on the side: 1.8 g along y
//! on a board lying flat changes `|a|` by only 1.06 g. Every time is
//! measured on the samples' `t_us`, never by counting samples, so the
//! defaults hold from 50 Hz to 1 kHz. The thresholds below are the
//! defaults; every one is a [`Config`] field.
//!
//! - **Tap** ([`GestureKind::Tap`]): a knock on the case. A spike of the
//!   dynamic acceleration above the quiet level (400 mg) that lasts at
//!   most 40 ms from its first to its last sample above it, peaks at 1.2 g
//!   or more, and has 40 ms of quiet (below 400 mg) before and after it;
//!   quiet stretches shorter than that belong to the spike (a knocked case
//!   rings: it swings back through zero once or twice). A hand
//!   moving the box produces less than 1 g, over hundreds of ms; a knuckle
//!   on plastic gives 2..5 g for 5..20 ms. A tap is confirmed 40 ms after
//!   the spike, and reported **only when the double-tap window has passed
//!   without a second tap**: 500 ms after the tap started. That delay is
//!   the price of never reporting the first tap of a double tap.
//! - **Double tap** ([`GestureKind::DoubleTap`]): two taps whose starts are
//!   80..=500 ms apart, reported when the second is confirmed (40 ms after
//!   it); neither is reported as a tap. A second spike less than 80 ms
//!   after the first is the first one's bounce and is ignored. A third
//!   tap starts over (it may become a tap or the first of a double tap).
//! - **Shake** ([`GestureKind::Shake`]): at least 4 swings of the dynamic
//!   acceleration beyond ±800 mg on one axis, alternating in direction
//!   (+ − + −), each starting 40..=500 ms after the previous (a hand
//!   shakes at 1..12.5 Hz), the last 4 within 1 s. Reported once; another
//!   shake needs 500 ms without any swing first. While a shake goes on,
//!   taps and tilts are not recognised, and taps waiting for their
//!   double-tap window are dropped.
//! - **Tilt left / right** ([`GestureKind::TiltLeft`],
//!   [`GestureKind::TiltRight`]): the roll, `atan2(ay, az)` of the
//!   orientation vector (positive when the right side goes down), beyond
//!   ±25° but within ±70°, face up, held for 500 ms: reported once per
//!   hold. Roll back within ±15° of level (10° of hysteresis) re-arms it.
//!   Beyond 70° the board is on its side or being turned over, which is
//!   not a tilt. Pitch (nose up / down) is not a tilt.
//! - **Flip** ([`GestureKind::FlipDown`]): z of the orientation vector
//!   goes from above +800 mg (face up, within 37° of flat) to below
//!   −800 mg (face down) and stays there 500 ms. Reported once; face up
//!   again re-arms it. Turning face up again is not a gesture.
//! - **Wave** ([`GestureKind::Wave`], light stream): the light falls more
//!   than 20 % below its baseline, reaches 40 % of the baseline or less
//!   (at least 60 % blocked) and is back within 20 % of the baseline
//!   150..=1500 ms after it left it; reported when it is back. The
//!   baseline follows the light with a 1 s time constant and holds still
//!   during a dip. A dip that is not back within 1500 ms is not a wave
//!   (dusk, a lamp dimmed over seconds, a hand that stays): the baseline
//!   takes the new level at once. Below a 2 lx baseline there are no
//!   waves.
//!
//! After a reset (or a gap, below), a tilt or a face-down board already
//! held is not reported: the board must be level (face up) first, because
//! the gesture may have been reported before the gap.
//!
//! # Sequence gaps and time
//!
//! Each stream (IMU, light) is checked on its own, by `seq` and `t_us`:
//! - a sample with the previous sample's `seq` is a duplicate: ignored;
//! - lost samples (a `seq` gap) with the time since the previous sample
//!   within [`Config::max_gap`] (250 ms) are **tolerated**: every
//!   recogniser works on time stamps, so gestures in progress go on; only
//!   a tap in progress, or one waiting for its double-tap window, is
//!   dropped (its end, or the second tap, may be what was lost);
//! - a silence longer than `max_gap` (whatever `seq` says), time going
//!   backwards or `seq` going backwards (a restarted sender) **reset** that
//!   stream as [`Detector::reset`] does, and it starts again from the
//!   sample.
//!
//! Callers do not need to call [`Detector::reset`] on gaps themselves.
//! `max_gap` must exceed the slowest stream's sample period.
//!
//! If several gestures complete at the same sample (a tap's double-tap
//! window expiring as a tilt completes), they come out one per call, in
//! order, from the following calls of the same stream.

#![no_std]

mod config;
mod orientation;
mod shake;
mod stream;
mod tap;
mod wave;

pub use config::{Config, ConfigError};
pub use wire::GestureKind;

use config::Params;
use orientation::{FlipDetector, TiltDetector};
use shake::ShakeDetector;
use stream::{Arrival, StreamClock, follow, smoothing};
use tap::TapDetector;
use wave::WaveDetector;

/// Recognises gestures in the IMU and light sample streams.
///
/// Feed every sample of each stream in order with [`Detector::on_imu`] and
/// [`Detector::on_light`]; each returns the gesture recognised at that
/// sample, if any. The streams are independent; one detector serves both.
/// See the [crate documentation](crate) for what each gesture is.
#[derive(Debug, Clone)]
pub struct Detector {
    config: Config,
    params: Params,
    imu_clock: StreamClock,
    light_clock: StreamClock,
    /// Low-passed acceleration, mg: the gravity estimate.
    gravity_mg: [f32; 3],
    /// Faster low-passed acceleration, mg: what tilt and flip read.
    orientation_mg: [f32; 3],
    tap: TapDetector,
    shake: ShakeDetector,
    tilt: TiltDetector,
    flip: FlipDetector,
    wave: WaveDetector,
    queue: GestureQueue,
}

impl Detector {
    /// A detector with these thresholds and no history. It accepts any
    /// configuration (see [`Config::validate`] to check one first).
    pub fn new(config: Config) -> Detector {
        Detector {
            config,
            params: Params::new(&config),
            imu_clock: StreamClock::default(),
            light_clock: StreamClock::default(),
            gravity_mg: [0.0; 3],
            orientation_mg: [0.0; 3],
            tap: TapDetector::default(),
            shake: ShakeDetector::default(),
            tilt: TiltDetector::default(),
            flip: FlipDetector::default(),
            wave: WaveDetector::default(),
            queue: GestureQueue::default(),
        }
    }

    /// A detector after checking the configuration.
    ///
    /// # Errors
    /// What [`Config::validate`] finds.
    pub fn try_new(config: Config) -> Result<Detector, ConfigError> {
        config.validate()?;
        Ok(Detector::new(config))
    }

    /// The thresholds in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Feeds one IMU sample (in order); returns a gesture recognised at
    /// this sample: tap, double tap, shake, tilt left / right or flip.
    pub fn on_imu(&mut self, s: &wire::ImuSample) -> Option<wire::GestureKind> {
        let p = self.params;
        let accel = s.accel_mg.map(|v| v as f32);
        let dt_us = match self.imu_clock.arrive(s.seq, s.t_us, p.max_gap_us) {
            Arrival::Duplicate => return self.queue.pop(),
            Arrival::Fresh => {
                self.forget_imu();
                self.gravity_mg = accel;
                self.orientation_mg = accel;
                0
            }
            Arrival::Next { dt_us, lost } => {
                if lost > 0 {
                    self.tap.on_lost_samples();
                }
                dt_us
            }
        };
        // The innovation against the gravity known before this sample, so
        // a one-sample knock is seen at full size.
        let dynamic = [0, 1, 2].map(|i| accel[i] - self.gravity_mg[i]);
        let dynamic_sq = dynamic.iter().map(|d| d * d).sum::<f32>();
        let to_gravity = smoothing(dt_us, p.gravity_tau_us);
        let to_orientation = smoothing(dt_us, p.orientation_tau_us);
        let filters = self.gravity_mg.iter_mut().zip(&mut self.orientation_mg);
        for ((gravity, orientation), &a) in filters.zip(&accel) {
            *gravity = follow(*gravity, a, to_gravity);
            *orientation = follow(*orientation, a, to_orientation);
        }

        let shaken = self.shake.on_sample(&p, s.t_us, dynamic);
        if shaken {
            self.tap.cancel();
        }
        let moving = self.shake.is_active();
        if let Some(tap) = self.tap.on_sample(&p, s.t_us, dynamic_sq, moving) {
            self.queue.push(tap);
        }
        if shaken {
            self.queue.push(GestureKind::Shake);
        }
        let orientation = self.orientation_mg;
        if let Some(tilt) = self.tilt.on_sample(&p, s.t_us, orientation, moving) {
            self.queue.push(tilt);
        }
        if let Some(flip) = self.flip.on_sample(&p, s.t_us, orientation) {
            self.queue.push(flip);
        }
        self.queue.pop()
    }

    /// Feeds one light sample; returns Wave when a hand passed over the sensor.
    pub fn on_light(&mut self, s: &wire::LightSample) -> Option<wire::GestureKind> {
        let p = self.params;
        let dt_us = match self.light_clock.arrive(s.seq, s.t_us, p.max_gap_us) {
            Arrival::Duplicate => return None,
            Arrival::Fresh => {
                self.wave = WaveDetector::default();
                0
            }
            Arrival::Next { dt_us, .. } => dt_us,
        };
        self.wave
            .on_sample(&p, s.t_us, dt_us, s.lux_milli as f32)
            .then_some(GestureKind::Wave)
    }

    /// Forgets history (after a sequence gap larger than `Config::max_gap`, or on demand).
    ///
    /// Both streams start again with their next sample, as if new; gestures
    /// recognised but not yet returned are dropped. The detector does this
    /// by itself, per stream, on gaps, time going backwards and restarted
    /// senders (see the [crate documentation](crate#sequence-gaps-and-time)).
    pub fn reset(&mut self) {
        self.imu_clock.reset();
        self.light_clock.reset();
        self.forget_imu();
        self.wave = WaveDetector::default();
        self.queue = GestureQueue::default();
    }

    /// Forgets the IMU stream's recognisers (not its clock, nor gestures
    /// already recognised).
    fn forget_imu(&mut self) {
        self.tap = TapDetector::default();
        self.shake = ShakeDetector::default();
        self.tilt = TiltDetector::default();
        self.flip = FlipDetector::default();
    }
}

/// Room for gestures completed at one sample: at most one per IMU
/// recogniser (tap, shake, tilt, flip), and each is followed by a
/// refractory time of many samples, so this never fills up.
const QUEUE_LEN: usize = 8;

/// Gestures recognised but not yet returned, oldest first.
#[derive(Debug, Clone, Copy, Default)]
struct GestureQueue {
    items: [Option<GestureKind>; QUEUE_LEN],
    head: usize,
    len: usize,
}

impl GestureQueue {
    /// Adds a gesture; if the queue were full, the newest is dropped.
    fn push(&mut self, gesture: GestureKind) {
        if self.len < QUEUE_LEN {
            if let Some(slot) = self.items.get_mut((self.head + self.len) % QUEUE_LEN) {
                *slot = Some(gesture);
            }
            self.len += 1;
        }
    }

    fn pop(&mut self) -> Option<GestureKind> {
        if self.len == 0 {
            return None;
        }
        let gesture = self.items.get_mut(self.head).and_then(Option::take);
        self.head = (self.head + 1) % QUEUE_LEN;
        self.len -= 1;
        gesture
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_first_in_first_out_and_bounded() {
        let mut q = GestureQueue::default();
        assert_eq!(q.pop(), None);
        q.push(GestureKind::Tap);
        q.push(GestureKind::TiltLeft);
        assert_eq!(q.pop(), Some(GestureKind::Tap));
        for _ in 0..QUEUE_LEN + 3 {
            q.push(GestureKind::Shake);
        }
        assert_eq!(q.pop(), Some(GestureKind::TiltLeft));
        let mut rest = 0;
        while q.pop().is_some() {
            rest += 1;
        }
        assert_eq!(rest, QUEUE_LEN - 1);
    }
}
