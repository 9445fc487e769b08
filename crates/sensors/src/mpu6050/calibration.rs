//! The gyroscope bias: averaged over samples taken at rest, refused when
//! the device moved, stored in the driver and subtracted from its samples.

use core::num::NonZeroU16;

use embedded_hal::i2c::I2c;

use super::{Axes, Error, Mpu6050};

/// Averages the gyroscope over N samples taken at rest, to find its bias.
///
/// Feed it with [`Mpu6050::calibrate_gyro`] (or [`GyroCalibration::add`]
/// with samples converted without bias). It also tracks each axis' spread
/// (max - min); if that exceeds [`GyroCalibration::max_spread_mdps`] the
/// device moved and the result is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GyroCalibration {
    wanted: NonZeroU16,
    count: u16,
    sum: Axes<i64>,
    min: Axes<i32>,
    max: Axes<i32>,
    max_spread_mdps: i32,
}

/// Where a [`GyroCalibration`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrationProgress {
    /// `taken` of `wanted` samples so far: feed more.
    Collecting {
        /// Samples taken.
        taken: u16,
        /// Samples wanted.
        wanted: u16,
    },
    /// Done: the average, in milli-degrees per second, rounded to nearest.
    Done(Axes<i32>),
}

/// A [`GyroCalibration`] that saw the device move: some axis' spread was
/// more than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceMoved {
    /// Per-axis spread (max - min) seen, milli-degrees per second.
    pub spread_mdps: Axes<i32>,
    /// The largest spread allowed.
    pub max_spread_mdps: i32,
}

impl GyroCalibration {
    /// Spread allowed by [`GyroCalibration::new`]: 5 °/s peak to peak, far
    /// above the gyroscope's noise (0.05 °/s rms) and below a hand's tremor.
    pub const DEFAULT_MAX_SPREAD_MDPS: i32 = 5_000;

    /// A calibration over `samples` samples.
    pub const fn new(samples: NonZeroU16) -> Self {
        Self {
            wanted: samples,
            count: 0,
            sum: Axes { x: 0, y: 0, z: 0 },
            min: Axes {
                x: i32::MAX,
                y: i32::MAX,
                z: i32::MAX,
            },
            max: Axes {
                x: i32::MIN,
                y: i32::MIN,
                z: i32::MIN,
            },
            max_spread_mdps: Self::DEFAULT_MAX_SPREAD_MDPS,
        }
    }

    /// The same with another allowed spread (milli-degrees per second,
    /// peak to peak, per axis).
    pub const fn with_max_spread_mdps(mut self, max_spread_mdps: i32) -> Self {
        self.max_spread_mdps = max_spread_mdps;
        self
    }

    /// The allowed spread.
    pub const fn max_spread_mdps(&self) -> i32 {
        self.max_spread_mdps
    }

    /// Adds one gyroscope reading (milli-°/s, without bias removed). Once
    /// the wanted number is reached it returns `Done` with the average and
    /// keeps returning it; further samples are ignored. Returns
    /// [`DeviceMoved`] at the end if an axis spread too far; the
    /// calibration then starts over.
    pub fn add(&mut self, gyro_mdps: Axes<i32>) -> Result<CalibrationProgress, DeviceMoved> {
        let wanted = self.wanted.get();
        if self.count < wanted {
            self.count += 1;
            self.sum.x += i64::from(gyro_mdps.x);
            self.sum.y += i64::from(gyro_mdps.y);
            self.sum.z += i64::from(gyro_mdps.z);
            self.min.x = self.min.x.min(gyro_mdps.x);
            self.min.y = self.min.y.min(gyro_mdps.y);
            self.min.z = self.min.z.min(gyro_mdps.z);
            self.max.x = self.max.x.max(gyro_mdps.x);
            self.max.y = self.max.y.max(gyro_mdps.y);
            self.max.z = self.max.z.max(gyro_mdps.z);
        }
        if self.count < wanted {
            return Ok(CalibrationProgress::Collecting {
                taken: self.count,
                wanted,
            });
        }
        // max - min of two i32 cannot overflow in i64; clamp it into an i32.
        let spread =
            |lo: i32, hi: i32| i32::try_from(i64::from(hi) - i64::from(lo)).unwrap_or(i32::MAX);
        let spread_mdps = Axes {
            x: spread(self.min.x, self.max.x),
            y: spread(self.min.y, self.max.y),
            z: spread(self.min.z, self.max.z),
        };
        if spread_mdps.x > self.max_spread_mdps
            || spread_mdps.y > self.max_spread_mdps
            || spread_mdps.z > self.max_spread_mdps
        {
            let moved = DeviceMoved {
                spread_mdps,
                max_spread_mdps: self.max_spread_mdps,
            };
            *self = Self::new(self.wanted).with_max_spread_mdps(self.max_spread_mdps);
            return Err(moved);
        }
        let n = i64::from(self.count);
        #[allow(
            clippy::cast_possible_truncation,
            reason = "the rounded mean of i32 values lies between their min and max"
        )]
        let mean = |sum: i64| crate::div_round(sum, n) as i32;
        Ok(CalibrationProgress::Done(Axes {
            x: mean(self.sum.x),
            y: mean(self.sum.y),
            z: mean(self.sum.z),
        }))
    }
}

impl<I2C: I2c> Mpu6050<I2C> {
    /// Reads one sample into `calibration` (call it once per new sample,
    /// with the device still). When the calibration is done, its average
    /// becomes the stored bias. A calibration that saw movement fails with
    /// [`Error::MovedDuringCalibration`] and starts over.
    pub fn calibrate_gyro(
        &mut self,
        calibration: &mut GyroCalibration,
    ) -> Result<CalibrationProgress, Error<I2C::Error>> {
        let sample = self.read_unbiased()?;
        let progress = calibration
            .add(sample.gyro_mdps)
            .map_err(Error::MovedDuringCalibration)?;
        if let CalibrationProgress::Done(bias) = progress {
            self.gyro_bias_mdps = bias;
        }
        Ok(progress)
    }

    /// The gyroscope bias subtracted from samples, milli-°/s.
    pub fn gyro_bias(&self) -> Axes<i32> {
        self.gyro_bias_mdps
    }

    /// Sets the gyroscope bias (for example one saved from an earlier
    /// calibration; it is in m°/s, so it survives a range change).
    pub fn set_gyro_bias(&mut self, bias_mdps: Axes<i32>) {
        self.gyro_bias_mdps = bias_mdps;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u16) -> NonZeroU16 {
        NonZeroU16::new(n).unwrap()
    }

    #[test]
    fn calibration_averages_and_rounds() {
        let mut cal = GyroCalibration::new(nz(4));
        let samples = [(100, -50, 7), (102, -52, 8), (101, -51, 7), (101, -50, 8)];
        let mut last = None;
        for (taken, (x, y, z)) in (1..).zip(samples) {
            let p = cal.add(Axes { x, y, z }).unwrap();
            if taken < 4 {
                assert_eq!(p, CalibrationProgress::Collecting { taken, wanted: 4 });
            }
            last = Some(p);
        }
        // x: 404/4 = 101; y: -203/4 = -50.75 -> -51; z: 30/4 = 7.5 -> 8.
        assert_eq!(
            last,
            Some(CalibrationProgress::Done(Axes {
                x: 101,
                y: -51,
                z: 8
            }))
        );
        // Done stays done; more samples do not change it.
        assert_eq!(
            cal.add(Axes {
                x: 9999,
                y: 0,
                z: 0
            }),
            Ok(CalibrationProgress::Done(Axes {
                x: 101,
                y: -51,
                z: 8
            }))
        );
    }

    #[test]
    fn calibration_refuses_movement_and_starts_over() {
        let mut cal = GyroCalibration::new(nz(2)).with_max_spread_mdps(1000);
        cal.add(Axes { x: 0, y: 0, z: 0 }).unwrap();
        let moved = cal
            .add(Axes {
                x: 0,
                y: 1001,
                z: -20,
            })
            .unwrap_err();
        assert_eq!(
            moved.spread_mdps,
            Axes {
                x: 0,
                y: 1001,
                z: 20
            }
        );
        assert_eq!(moved.max_spread_mdps, 1000);
        // Started over: two fresh samples are needed.
        assert_eq!(
            cal.add(Axes {
                x: 10,
                y: 10,
                z: 10
            }),
            Ok(CalibrationProgress::Collecting {
                taken: 1,
                wanted: 2
            })
        );
        assert_eq!(
            cal.add(Axes {
                x: 20,
                y: 20,
                z: 20
            }),
            Ok(CalibrationProgress::Done(Axes {
                x: 15,
                y: 15,
                z: 15
            }))
        );
    }

    #[test]
    fn calibration_takes_extreme_values_without_overflow() {
        let mut cal = GyroCalibration::new(nz(u16::MAX)).with_max_spread_mdps(i32::MAX);
        let mut progress = Ok(CalibrationProgress::Collecting {
            taken: 0,
            wanted: 0,
        });
        for i in 0..u16::MAX {
            let v = if i % 2 == 0 { i32::MIN } else { i32::MAX };
            progress = cal.add(Axes {
                x: v,
                y: v,
                z: i32::MAX,
            });
        }
        match progress {
            Ok(CalibrationProgress::Done(a)) => {
                assert_eq!(a.z, i32::MAX);
                assert!(a.x < 0);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
