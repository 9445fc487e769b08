//! MPU-6050 six-axis IMU (accelerometer, gyroscope, die temperature).
//!
//! Bring-up takes two calls with a wait between them, because the part
//! needs 100 ms after a reset and this driver never sleeps:
//!
//! ```
//! # use embedded_hal_mock::eh1::i2c::{Mock, Transaction as T};
//! use sensors::mpu6050::{Address, Config, Mpu6050};
//!
//! # let i2c = Mock::new(&[
//! #     T::write_read(0x68, vec![0x75], vec![0x68]),
//! #     T::write(0x68, vec![0x6B, 0x80]),
//! #     T::write(0x68, vec![0x6B, 0x01]),
//! #     T::write(0x68, vec![0x1A, 0x03]),
//! #     T::write(0x68, vec![0x19, 0x09]),
//! #     T::write(0x68, vec![0x1B, 0x08]),
//! #     T::write(0x68, vec![0x1C, 0x08]),
//! #     T::write(0x68, vec![0x37, 0x00]),
//! #     T::write(0x68, vec![0x38, 0x01]),
//! #     T::write_read(0x68, vec![0x3A], vec![0x01]),
//! #     T::write_read(0x68, vec![0x3B], vec![0, 0, 0, 0, 0x20, 0, 0xEF, 0x5C, 0, 0, 0, 0, 0, 0]),
//! # ]);
//! let mut imu = Mpu6050::new(i2c, Address::Ad0Low);
//! let wait = imu.reset()?; // checks WHO_AM_I, then resets: wait 100 ms
//! # let _ = wait;
//! // ... the caller's poll loop comes back after `wait` ...
//! let applied = imu.configure(&Config::default())?; // wakes it, 100 Hz, DLPF 44 Hz
//! assert_eq!(applied.sample_rate.millihertz(), 100_000);
//! // ... on the INT pin's edge, or polling:
//! if imu.data_ready()? {
//!     let sample = imu.read_sample()?;
//!     assert_eq!(sample.accel_mg.z, 1000); // ±4 g: 8192 counts
//!     assert_eq!(sample.temp_centi_celsius, 2400);
//! }
//! # imu.destroy().done();
//! # Ok::<(), sensors::mpu6050::Error<embedded_hal::i2c::ErrorKind>>(())
//! ```
//!
//! Gyroscope bias: keep the device still, feed samples to
//! [`Mpu6050::calibrate_gyro`] with a [`GyroCalibration`] until it is done;
//! the average is stored and subtracted from every later
//! [`Mpu6050::read_sample`]. [`Mpu6050::set_gyro_bias`] restores a saved one.

pub mod convert;
pub mod register;

use core::fmt;
use core::num::NonZeroU16;
use core::time::Duration;

use embedded_hal::i2c::I2c;

use crate::InvalidAddress;
use convert::{accel_milli_g, gyro_milli_dps, temperature_centi_celsius};
use register as reg;

/// Time the part needs after [`Mpu6050::reset`] before it takes new
/// settings (register map, PWR_MGMT_1 and SIGNAL_PATH_RESET notes: 100 ms).
pub const RESET_TIME: Duration = Duration::from_millis(100);

/// Time from waking to a settled gyroscope: the datasheet's gyroscope
/// start-up time (zero-rate output within ±1 °/s of final), 30 ms typical.
pub const GYRO_STARTUP_TIME: Duration = Duration::from_millis(30);

/// The I2C address, set by the AD0 pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Address {
    /// AD0 low: 0x68.
    #[default]
    Ad0Low,
    /// AD0 high: 0x69.
    Ad0High,
}

impl Address {
    /// The 7-bit address.
    pub const fn bits(self) -> u8 {
        match self {
            Self::Ad0Low => 0x68,
            Self::Ad0High => 0x69,
        }
    }
}

impl TryFrom<u8> for Address {
    type Error = InvalidAddress;

    fn try_from(address: u8) -> Result<Self, InvalidAddress> {
        match address {
            0x68 => Ok(Self::Ad0Low),
            0x69 => Ok(Self::Ad0High),
            _ => Err(InvalidAddress {
                address,
                part: "MPU-6050",
                allowed: "0x68 (AD0 low) or 0x69 (AD0 high)",
            }),
        }
    }
}

/// Digital low-pass filter (CONFIG DLPF_CFG), named by the accelerometer
/// bandwidth; the gyroscope's is close to it. Delays are the register
/// map's. [`Dlpf::Hz260`] leaves the gyroscope output rate at 8 kHz; every
/// other setting makes it 1 kHz.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dlpf {
    /// DLPF_CFG 0: accel 260 Hz (0 ms), gyro 256 Hz (0.98 ms); gyro output 8 kHz.
    Hz260,
    /// DLPF_CFG 1: accel 184 Hz (2.0 ms), gyro 188 Hz (1.9 ms).
    Hz184,
    /// DLPF_CFG 2: accel 94 Hz (3.0 ms), gyro 98 Hz (2.8 ms).
    Hz94,
    /// DLPF_CFG 3: accel 44 Hz (4.9 ms), gyro 42 Hz (4.8 ms).
    #[default]
    Hz44,
    /// DLPF_CFG 4: accel 21 Hz (8.5 ms), gyro 20 Hz (8.3 ms).
    Hz21,
    /// DLPF_CFG 5: accel 10 Hz (13.8 ms), gyro 10 Hz (13.4 ms).
    Hz10,
    /// DLPF_CFG 6: accel 5 Hz (19.0 ms), gyro 5 Hz (18.6 ms).
    Hz5,
}

impl Dlpf {
    /// The DLPF_CFG field value.
    pub const fn bits(self) -> u8 {
        match self {
            Self::Hz260 => 0,
            Self::Hz184 => 1,
            Self::Hz94 => 2,
            Self::Hz44 => 3,
            Self::Hz21 => 4,
            Self::Hz10 => 5,
            Self::Hz5 => 6,
        }
    }

    /// The gyroscope output rate the sample rate divider divides: 8000 Hz
    /// with the filter off (DLPF_CFG 0; 7 is reserved), 1000 Hz otherwise.
    pub const fn gyro_output_rate_hz(self) -> u32 {
        match self {
            Self::Hz260 => 8000,
            _ => 1000,
        }
    }
}

/// Gyroscope full scale (GYRO_CONFIG FS_SEL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GyroRange {
    /// ±250 °/s, 131 LSB/(°/s).
    Dps250,
    /// ±500 °/s, 65.5 LSB/(°/s).
    #[default]
    Dps500,
    /// ±1000 °/s, 32.8 LSB/(°/s).
    Dps1000,
    /// ±2000 °/s, 16.4 LSB/(°/s).
    Dps2000,
}

impl GyroRange {
    /// The FS_SEL field value (0..=3).
    pub const fn bits(self) -> u8 {
        match self {
            Self::Dps250 => 0,
            Self::Dps500 => 1,
            Self::Dps1000 => 2,
            Self::Dps2000 => 3,
        }
    }

    /// The full scale in °/s.
    pub const fn full_scale_dps(self) -> u16 {
        match self {
            Self::Dps250 => 250,
            Self::Dps500 => 500,
            Self::Dps1000 => 1000,
            Self::Dps2000 => 2000,
        }
    }

    /// The range whose full scale is `dps` °/s (250, 500, 1000 or 2000).
    pub const fn from_full_scale_dps(dps: u16) -> Option<Self> {
        match dps {
            250 => Some(Self::Dps250),
            500 => Some(Self::Dps500),
            1000 => Some(Self::Dps1000),
            2000 => Some(Self::Dps2000),
            _ => None,
        }
    }

    /// Ten times the sensitivity in LSB/(°/s): 1310, 655, 328, 164.
    pub const fn tenth_lsb_per_dps(self) -> u16 {
        match self {
            Self::Dps250 => 1310,
            Self::Dps500 => 655,
            Self::Dps1000 => 328,
            Self::Dps2000 => 164,
        }
    }
}

/// Accelerometer full scale (ACCEL_CONFIG AFS_SEL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccelRange {
    /// ±2 g, 16384 LSB/g.
    G2,
    /// ±4 g, 8192 LSB/g.
    #[default]
    G4,
    /// ±8 g, 4096 LSB/g.
    G8,
    /// ±16 g, 2048 LSB/g.
    G16,
}

impl AccelRange {
    /// The AFS_SEL field value (0..=3).
    pub const fn bits(self) -> u8 {
        match self {
            Self::G2 => 0,
            Self::G4 => 1,
            Self::G8 => 2,
            Self::G16 => 3,
        }
    }

    /// The full scale in g.
    pub const fn full_scale_g(self) -> u8 {
        match self {
            Self::G2 => 2,
            Self::G4 => 4,
            Self::G8 => 8,
            Self::G16 => 16,
        }
    }

    /// The range whose full scale is `g` (2, 4, 8 or 16).
    pub const fn from_full_scale_g(g: u8) -> Option<Self> {
        match g {
            2 => Some(Self::G2),
            4 => Some(Self::G4),
            8 => Some(Self::G8),
            16 => Some(Self::G16),
            _ => None,
        }
    }

    /// Sensitivity in LSB/g: 16384 >> AFS_SEL.
    pub const fn lsb_per_g(self) -> u16 {
        16384 >> self.bits()
    }
}

/// The INT pin's electrical level when asserted (INT_PIN_CFG INT_LEVEL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PinLevel {
    /// High when asserted.
    #[default]
    ActiveHigh,
    /// Low when asserted.
    ActiveLow,
}

/// The INT pin's output stage (INT_PIN_CFG INT_OPEN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PinDrive {
    /// Push-pull.
    #[default]
    PushPull,
    /// Open drain (needs a pull-up).
    OpenDrain,
}

/// How long the INT pin stays asserted (INT_PIN_CFG LATCH_INT_EN and INT_RD_CLEAR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PinLatch {
    /// A 50 µs pulse per event: fits edge-triggered GPIO events.
    #[default]
    Pulse,
    /// Held until [`Mpu6050::data_ready`] reads INT_STATUS.
    UntilStatusRead,
    /// Held until any register read (a sample read clears it).
    UntilAnyRead,
}

/// How the INT pin signals (INT_PIN_CFG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InterruptPin {
    /// Level when asserted.
    pub level: PinLevel,
    /// Output stage.
    pub drive: PinDrive,
    /// Pulse or latch, and what clears a latch.
    pub latch: PinLatch,
}

impl InterruptPin {
    /// The INT_PIN_CFG value (the I2C bypass and FSYNC bits stay 0).
    pub const fn bits(self) -> u8 {
        use reg::int_pin_cfg::*;
        let level = match self.level {
            PinLevel::ActiveHigh => 0,
            PinLevel::ActiveLow => INT_LEVEL,
        };
        let drive = match self.drive {
            PinDrive::PushPull => 0,
            PinDrive::OpenDrain => INT_OPEN,
        };
        let latch = match self.latch {
            PinLatch::Pulse => 0,
            PinLatch::UntilStatusRead => LATCH_INT_EN,
            PinLatch::UntilAnyRead => LATCH_INT_EN | INT_RD_CLEAR,
        };
        level | drive | latch
    }
}

/// Everything [`Mpu6050::configure`] sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Wanted sample rate in Hz; the nearest rate the divider can make is
    /// used and reported back (see [`SampleRate::nearest`]).
    pub sample_rate_hz: u16,
    /// Digital low-pass filter; it also sets the divider's input rate.
    pub dlpf: Dlpf,
    /// Gyroscope full scale.
    pub gyro_range: GyroRange,
    /// Accelerometer full scale.
    pub accel_range: AccelRange,
    /// Raise INT when a new sample is ready (INT_ENABLE DATA_RDY_EN).
    pub data_ready_interrupt: bool,
    /// How the INT pin signals.
    pub interrupt_pin: InterruptPin,
}

impl Default for Config {
    /// 100 Hz, DLPF 44 Hz, ±500 °/s, ±4 g, data-ready interrupt as a 50 µs
    /// active-high push-pull pulse.
    fn default() -> Self {
        Self {
            sample_rate_hz: 100,
            dlpf: Dlpf::Hz44,
            gyro_range: GyroRange::Dps500,
            accel_range: AccelRange::G4,
            data_ready_interrupt: true,
            interrupt_pin: InterruptPin::default(),
        }
    }
}

/// A sample rate the part can make: gyroscope output rate / (1 + divider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleRate {
    /// SMPLRT_DIV.
    pub divider: u8,
    /// The rate divided: 8000 or 1000 Hz, from the DLPF setting.
    pub gyro_output_rate_hz: u32,
}

impl SampleRate {
    /// The achievable rate nearest to `requested_hz` with `dlpf`, by
    /// absolute difference in Hz (a tie goes to the faster rate). The
    /// achievable rates run from output/256 to output (3.9..=1000 Hz with
    /// the filter on, 31.25..=8000 Hz with it off); a request outside is
    /// clamped to the nearest end. Returns `None` for 0 Hz.
    pub const fn nearest(requested_hz: u16, dlpf: Dlpf) -> Option<Self> {
        if requested_hz == 0 {
            return None;
        }
        let base = dlpf.gyro_output_rate_hz() as u64;
        let want = requested_hz as u64;
        // The total division n = 1 + divider is 1..=256. The best n is
        // floor(base/want) or the one above: compare |base/n - want|
        // across both by cross-multiplying (no float).
        let low = base / want;
        let low = if low < 1 {
            1
        } else if low > 256 {
            256
        } else {
            low
        };
        let high = if low < 256 { low + 1 } else { 256 };
        let err_low = base.abs_diff(want * low) * high;
        let err_high = base.abs_diff(want * high) * low;
        let n = if err_high < err_low { high } else { low };
        Some(Self {
            divider: (n - 1) as u8,
            gyro_output_rate_hz: base as u32,
        })
    }

    /// The rate in milli-hertz, rounded to nearest (333 333 for 1000/3 Hz).
    pub const fn millihertz(self) -> u32 {
        let n = self.divider as u32 + 1;
        (self.gyro_output_rate_hz * 1000 + n / 2) / n
    }

    /// The sample period in microseconds (exact: 125 µs or 1000 µs times
    /// 1 + divider).
    pub const fn period_us(self) -> u32 {
        (self.divider as u32 + 1) * (1_000_000 / self.gyro_output_rate_hz)
    }
}

/// What [`Mpu6050::configure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The sample rate achieved for the request.
    pub sample_rate: SampleRate,
    /// Wait this long after waking before trusting gyroscope data (and
    /// before [`Mpu6050::calibrate_gyro`]).
    pub settle: Duration,
}

/// Three axes of one quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Axes<T> {
    /// X axis.
    pub x: T,
    /// Y axis.
    pub y: T,
    /// Z axis.
    pub z: T,
}

/// One burst of the 14 data registers, as counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawSample {
    /// ACCEL_{X,Y,Z}OUT.
    pub accel: Axes<i16>,
    /// TEMP_OUT.
    pub temp: i16,
    /// GYRO_{X,Y,Z}OUT.
    pub gyro: Axes<i16>,
}

impl RawSample {
    /// Decodes the 14 big-endian bytes read from ACCEL_XOUT_H.
    pub fn from_bytes(b: &[u8; reg::DATA_LEN]) -> Self {
        let word = |i: usize| i16::from_be_bytes([b[i], b[i + 1]]);
        Self {
            accel: Axes {
                x: word(0),
                y: word(2),
                z: word(4),
            },
            temp: word(6),
            gyro: Axes {
                x: word(8),
                y: word(10),
                z: word(12),
            },
        }
    }

    /// Converts to the appliance's units at the given ranges, with no
    /// gyroscope bias removed.
    pub const fn convert(&self, accel: AccelRange, gyro: GyroRange) -> Sample {
        Sample {
            accel_mg: Axes {
                x: accel_milli_g(self.accel.x, accel),
                y: accel_milli_g(self.accel.y, accel),
                z: accel_milli_g(self.accel.z, accel),
            },
            gyro_mdps: Axes {
                x: gyro_milli_dps(self.gyro.x, gyro),
                y: gyro_milli_dps(self.gyro.y, gyro),
                z: gyro_milli_dps(self.gyro.z, gyro),
            },
            temp_centi_celsius: temperature_centi_celsius(self.temp),
        }
    }
}

/// One sample in the appliance's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sample {
    /// Acceleration, milli-g.
    pub accel_mg: Axes<i32>,
    /// Angular rate, milli-degrees per second (bias removed when read with
    /// [`Mpu6050::read_sample`]).
    pub gyro_mdps: Axes<i32>,
    /// Die temperature, centi-degrees Celsius.
    pub temp_centi_celsius: i32,
}

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
        let spread = |lo: i32, hi: i32| (i64::from(hi) - i64::from(lo)).min(i64::from(i32::MAX));
        let spread_mdps = Axes {
            x: spread(self.min.x, self.max.x) as i32,
            y: spread(self.min.y, self.max.y) as i32,
            z: spread(self.min.z, self.max.z) as i32,
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
        // The mean of i32 values is an i32.
        Ok(CalibrationProgress::Done(Axes {
            x: crate::div_round(self.sum.x, n) as i32,
            y: crate::div_round(self.sum.y, n) as i32,
            z: crate::div_round(self.sum.z, n) as i32,
        }))
    }
}

/// What [`Mpu6050::self_test`] found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTestFailure {
    /// PWR_MGMT_1 has SLEEP set: the part was never woken
    /// ([`Mpu6050::configure`]) or was reset since.
    Asleep,
    /// The die temperature is outside the operating range -40..=85 °C.
    Temperature {
        /// What was read, centi-degrees Celsius.
        centi_celsius: i32,
    },
    /// The acceleration magnitude is not 1 g ± 300 mg, as it is at rest.
    Acceleration {
        /// What was read, milli-g.
        magnitude_mg: u32,
    },
    /// An axis turns faster than 50 °/s, which a resting part does not.
    AngularRate {
        /// What was read (no bias removed), milli-degrees per second.
        gyro_mdps: Axes<i32>,
    },
}

impl fmt::Display for SelfTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Asleep => write!(f, "the device is asleep: configure it first"),
            Self::Temperature { centi_celsius } => write!(
                f,
                "die temperature {centi_celsius} c°C is outside {}..={} c°C",
                SELF_TEST_TEMPERATURE_CENTI_CELSIUS.0, SELF_TEST_TEMPERATURE_CENTI_CELSIUS.1
            ),
            Self::Acceleration { magnitude_mg } => write!(
                f,
                "acceleration magnitude {magnitude_mg} mg is outside {}..={} mg: keep it still and level",
                SELF_TEST_ACCEL_MG.0, SELF_TEST_ACCEL_MG.1
            ),
            Self::AngularRate { gyro_mdps } => write!(
                f,
                "angular rate x={} y={} z={} m°/s exceeds ±{} m°/s: keep it still",
                gyro_mdps.x, gyro_mdps.y, gyro_mdps.z, SELF_TEST_MAX_GYRO_MDPS
            ),
        }
    }
}

/// Acceleration magnitude a resting part must read in the self-test, mg:
/// 1 g with room for the datasheet's zero-g offset (±50 mg X/Y, ±80 mg Z)
/// and sensitivity tolerance (±3 %), plus slight movement.
pub const SELF_TEST_ACCEL_MG: (u32, u32) = (700, 1300);
/// Largest angular rate on any axis a resting part may read in the
/// self-test, m°/s: the datasheet's initial zero-rate tolerance is
/// ±20 °/s; 50 °/s leaves room for slight movement.
pub const SELF_TEST_MAX_GYRO_MDPS: i32 = 50_000;
/// Operating temperature range, centi-degrees Celsius.
pub const SELF_TEST_TEMPERATURE_CENTI_CELSIUS: (i32, i32) = (-4000, 8500);

/// What a passed [`Mpu6050::self_test`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfTestReport {
    /// The sample checked (no gyroscope bias removed).
    pub sample: Sample,
    /// Its acceleration magnitude, milli-g.
    pub accel_magnitude_mg: u32,
}

/// The MPU-6050 driver's errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error<E> {
    /// The bus failed (NACK, arbitration loss...): see
    /// [`Error::i2c_error_kind`].
    I2c(E),
    /// WHO_AM_I did not read 0x68: another part, or none, at the address.
    WrongIdentity {
        /// What WHO_AM_I read.
        found: u8,
    },
    /// A sample rate of 0 Hz was asked for.
    InvalidSampleRate {
        /// The rate asked for.
        requested_hz: u16,
    },
    /// The gyroscope calibration saw the device move; it starts over.
    MovedDuringCalibration(DeviceMoved),
    /// [`Mpu6050::self_test`] failed.
    SelfTest(SelfTestFailure),
}

bus_error_kind!(Error);

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::I2c(e) => write!(f, "MPU-6050: I2C bus error: {e:?}"),
            Self::WrongIdentity { found } => write!(
                f,
                "MPU-6050: WHO_AM_I read {found:#04x}, expected {:#04x}: check the address (AD0) and the part",
                reg::WHO_AM_I_VALUE
            ),
            Self::InvalidSampleRate { requested_hz } => write!(
                f,
                "MPU-6050: sample rate {requested_hz} Hz is invalid: ask for 1 Hz or more"
            ),
            Self::MovedDuringCalibration(m) => write!(
                f,
                "MPU-6050: moved during gyro calibration (spread x={} y={} z={} m°/s, at most {} allowed): keep it still and retry",
                m.spread_mdps.x, m.spread_mdps.y, m.spread_mdps.z, m.max_spread_mdps
            ),
            Self::SelfTest(failure) => write!(f, "MPU-6050: self-test failed: {failure}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// The MPU-6050 driver. It remembers the settings it wrote (ranges, DLPF,
/// rate), so it converts samples without reading them back.
#[derive(Debug)]
pub struct Mpu6050<I2C> {
    i2c: I2C,
    address: u8,
    settings: Settings,
    gyro_bias_mdps: Axes<i32>,
}

/// The settings the driver last wrote.
#[derive(Debug, Clone, Copy)]
struct Settings {
    dlpf: Dlpf,
    requested_rate_hz: u16,
    sample_rate: SampleRate,
    gyro_range: GyroRange,
    accel_range: AccelRange,
}

impl Settings {
    /// The registers' power-on and reset values: DLPF off, divider 0
    /// (8 kHz), ±250 °/s, ±2 g.
    const RESET: Self = Self {
        dlpf: Dlpf::Hz260,
        requested_rate_hz: 8000,
        sample_rate: SampleRate {
            divider: 0,
            gyro_output_rate_hz: 8000,
        },
        gyro_range: GyroRange::Dps250,
        accel_range: AccelRange::G2,
    };
}

impl<I2C: I2c> Mpu6050<I2C> {
    /// A driver for the part at `address`. Sends nothing; the settings it
    /// assumes are the power-on ones until [`Mpu6050::configure`].
    pub fn new(i2c: I2C, address: Address) -> Self {
        Self {
            i2c,
            address: address.bits(),
            settings: Settings::RESET,
            gyro_bias_mdps: Axes::default(),
        }
    }

    /// Hands the bus back.
    pub fn destroy(self) -> I2C {
        self.i2c
    }

    /// Reads WHO_AM_I (0x68 on an MPU-6050).
    pub fn who_am_i(&mut self) -> Result<u8, Error<I2C::Error>> {
        self.read_register(reg::WHO_AM_I)
    }

    /// Reads WHO_AM_I and fails with [`Error::WrongIdentity`] unless it is 0x68.
    pub fn check_identity(&mut self) -> Result<(), Error<I2C::Error>> {
        match self.who_am_i()? {
            reg::WHO_AM_I_VALUE => Ok(()),
            found => Err(Error::WrongIdentity { found }),
        }
    }

    /// Checks the identity, then resets every register (PWR_MGMT_1
    /// DEVICE_RESET). Returns the wait ([`RESET_TIME`]) before
    /// [`Mpu6050::configure`]. The part is asleep after a reset.
    pub fn reset(&mut self) -> Result<Duration, Error<I2C::Error>> {
        self.check_identity()?;
        self.write_register(reg::PWR_MGMT_1, reg::pwr_mgmt_1::DEVICE_RESET)?;
        // The gyroscope bias is the part's, not a register: it is kept.
        self.settings = Settings::RESET;
        Ok(RESET_TIME)
    }

    /// Wakes the part with the PLL (X gyroscope) as clock, then writes the
    /// filter, sample rate divider, ranges, INT pin and interrupt enable,
    /// in that order. Returns the sample rate achieved and the wait before
    /// the gyroscope is settled.
    pub fn configure(&mut self, config: &Config) -> Result<Applied, Error<I2C::Error>> {
        let sample_rate = SampleRate::nearest(config.sample_rate_hz, config.dlpf).ok_or(
            Error::InvalidSampleRate {
                requested_hz: config.sample_rate_hz,
            },
        )?;
        // Clearing SLEEP and choosing the clock is one write.
        self.write_register(reg::PWR_MGMT_1, reg::pwr_mgmt_1::CLKSEL_PLL_XGYRO)?;
        self.write_register(reg::CONFIG, config.dlpf.bits())?;
        self.settings.dlpf = config.dlpf;
        self.write_register(reg::SMPLRT_DIV, sample_rate.divider)?;
        self.settings.sample_rate = sample_rate;
        self.settings.requested_rate_hz = config.sample_rate_hz;
        self.set_gyro_range(config.gyro_range)?;
        self.set_accel_range(config.accel_range)?;
        self.set_interrupts(config.data_ready_interrupt, config.interrupt_pin)?;
        Ok(Applied {
            sample_rate,
            settle: GYRO_STARTUP_TIME,
        })
    }

    /// Sets the sample rate nearest to `hz` with the current filter and
    /// returns what was achieved.
    pub fn set_sample_rate(&mut self, hz: u16) -> Result<SampleRate, Error<I2C::Error>> {
        let sample_rate = SampleRate::nearest(hz, self.settings.dlpf)
            .ok_or(Error::InvalidSampleRate { requested_hz: hz })?;
        self.write_register(reg::SMPLRT_DIV, sample_rate.divider)?;
        self.settings.sample_rate = sample_rate;
        self.settings.requested_rate_hz = hz;
        Ok(sample_rate)
    }

    /// Sets the low-pass filter. The filter sets the divider's input rate
    /// (8 or 1 kHz), so the divider is recomputed for the last requested
    /// rate and written too; returns the rate achieved.
    pub fn set_dlpf(&mut self, dlpf: Dlpf) -> Result<SampleRate, Error<I2C::Error>> {
        self.write_register(reg::CONFIG, dlpf.bits())?;
        self.settings.dlpf = dlpf;
        self.set_sample_rate(self.settings.requested_rate_hz)
    }

    /// Sets the gyroscope full scale (the self-test bits stay 0).
    pub fn set_gyro_range(&mut self, range: GyroRange) -> Result<(), Error<I2C::Error>> {
        let value = range.bits() << reg::gyro_config::FS_SEL_SHIFT;
        self.write_register(reg::GYRO_CONFIG, value)?;
        self.settings.gyro_range = range;
        Ok(())
    }

    /// Sets the accelerometer full scale (the self-test bits stay 0).
    pub fn set_accel_range(&mut self, range: AccelRange) -> Result<(), Error<I2C::Error>> {
        let value = range.bits() << reg::accel_config::AFS_SEL_SHIFT;
        self.write_register(reg::ACCEL_CONFIG, value)?;
        self.settings.accel_range = range;
        Ok(())
    }

    /// Writes INT_PIN_CFG, then INT_ENABLE (DATA_RDY_EN when `data_ready`).
    pub fn set_interrupts(
        &mut self,
        data_ready: bool,
        pin: InterruptPin,
    ) -> Result<(), Error<I2C::Error>> {
        self.write_register(reg::INT_PIN_CFG, pin.bits())?;
        let enable = if data_ready {
            reg::int_enable::DATA_RDY_EN
        } else {
            0
        };
        self.write_register(reg::INT_ENABLE, enable)
    }

    /// Reads INT_STATUS: true when a new sample is ready. The read clears
    /// the status (and a latched INT pin).
    pub fn data_ready(&mut self) -> Result<bool, Error<I2C::Error>> {
        let status = self.read_register(reg::INT_STATUS)?;
        Ok(status & reg::int_status::DATA_RDY_INT != 0)
    }

    /// Reads the 14 data registers in one burst.
    pub fn read_raw(&mut self) -> Result<RawSample, Error<I2C::Error>> {
        let mut buf = [0u8; reg::DATA_LEN];
        self.i2c
            .write_read(self.address, &[reg::ACCEL_XOUT_H], &mut buf)
            .map_err(Error::I2c)?;
        Ok(RawSample::from_bytes(&buf))
    }

    /// Reads INT_STATUS and the 14 data registers in one 15-byte burst
    /// from INT_STATUS: whether the sample is new (DATA_RDY, which this
    /// read clears) and the sample. A timer-paced reader uses it to send
    /// only new samples at the cost of one byte more per read.
    pub fn read_fresh_raw(&mut self) -> Result<(bool, RawSample), Error<I2C::Error>> {
        let mut buf = [0u8; 1 + reg::DATA_LEN];
        self.i2c
            .write_read(self.address, &[reg::INT_STATUS], &mut buf)
            .map_err(Error::I2c)?;
        let fresh = buf[0] & reg::int_status::DATA_RDY_INT != 0;
        let mut data = [0u8; reg::DATA_LEN];
        data.copy_from_slice(&buf[1..]);
        Ok((fresh, RawSample::from_bytes(&data)))
    }

    /// Whether the part still holds what [`Mpu6050::configure`] wrote:
    /// awake on the PLL clock and at the sample rate divider set last.
    /// False after a reset or a brown-out, which leave the part asleep
    /// with its power-on registers (and its data registers still).
    pub fn configuration_intact(&mut self) -> Result<bool, Error<I2C::Error>> {
        let power = self.read_register(reg::PWR_MGMT_1)?;
        let divider = self.read_register(reg::SMPLRT_DIV)?;
        Ok(power == reg::pwr_mgmt_1::CLKSEL_PLL_XGYRO
            && divider == self.settings.sample_rate.divider)
    }

    /// Reads one sample and converts it at the current ranges, with the
    /// gyroscope bias subtracted (saturating).
    pub fn read_sample(&mut self) -> Result<Sample, Error<I2C::Error>> {
        let mut sample = self
            .read_raw()?
            .convert(self.settings.accel_range, self.settings.gyro_range);
        let bias = self.gyro_bias_mdps;
        sample.gyro_mdps = Axes {
            x: sample.gyro_mdps.x.saturating_sub(bias.x),
            y: sample.gyro_mdps.y.saturating_sub(bias.y),
            z: sample.gyro_mdps.z.saturating_sub(bias.z),
        };
        Ok(sample)
    }

    /// Reads one sample into `calibration` (call it once per new sample,
    /// with the device still). When the calibration is done, its average
    /// becomes the stored bias. A calibration that saw movement fails with
    /// [`Error::MovedDuringCalibration`] and starts over.
    pub fn calibrate_gyro(
        &mut self,
        calibration: &mut GyroCalibration,
    ) -> Result<CalibrationProgress, Error<I2C::Error>> {
        let sample = self
            .read_raw()?
            .convert(self.settings.accel_range, self.settings.gyro_range);
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

    /// The sample rate last set.
    pub fn sample_rate(&self) -> SampleRate {
        self.settings.sample_rate
    }

    /// The gyroscope full scale last set.
    pub fn gyro_range(&self) -> GyroRange {
        self.settings.gyro_range
    }

    /// The accelerometer full scale last set.
    pub fn accel_range(&self) -> AccelRange {
        self.settings.accel_range
    }

    /// The low-pass filter last set.
    pub fn dlpf(&self) -> Dlpf {
        self.settings.dlpf
    }

    /// A plausibility self-test for a part at rest. It checks, in order:
    ///
    /// 1. WHO_AM_I reads 0x68 ([`Error::WrongIdentity`]);
    /// 2. PWR_MGMT_1 has SLEEP clear ([`SelfTestFailure::Asleep`]);
    /// 3. one sample (read now, without waiting for data-ready), converted
    ///    at the current ranges without bias removal, has
    ///    - a die temperature within -40..=85 °C (the operating range),
    ///    - an acceleration magnitude within [`SELF_TEST_ACCEL_MG`]
    ///      (700..=1300 mg: gravity, at rest),
    ///    - every gyroscope axis within ±[`SELF_TEST_MAX_GYRO_MDPS`]
    ///      (50 °/s).
    ///
    /// A stuck bus or a part that returns all zeros or all ones fails the
    /// acceleration check. It does not run the part's built-in
    /// self-test (the XA_ST..ZG_ST actuation against factory trim).
    pub fn self_test(&mut self) -> Result<SelfTestReport, Error<I2C::Error>> {
        self.check_identity()?;
        let power = self.read_register(reg::PWR_MGMT_1)?;
        if power & reg::pwr_mgmt_1::SLEEP != 0 {
            return Err(Error::SelfTest(SelfTestFailure::Asleep));
        }
        let sample = self
            .read_raw()?
            .convert(self.settings.accel_range, self.settings.gyro_range);
        let report = check_resting_sample(sample).map_err(Error::SelfTest)?;
        Ok(report)
    }

    fn write_register(&mut self, register: u8, value: u8) -> Result<(), Error<I2C::Error>> {
        self.i2c
            .write(self.address, &[register, value])
            .map_err(Error::I2c)
    }

    fn read_register(&mut self, register: u8) -> Result<u8, Error<I2C::Error>> {
        let mut buf = [0u8; 1];
        self.i2c
            .write_read(self.address, &[register], &mut buf)
            .map_err(Error::I2c)?;
        Ok(buf[0])
    }
}

/// The self-test's checks on one sample (see [`Mpu6050::self_test`]).
pub fn check_resting_sample(sample: Sample) -> Result<SelfTestReport, SelfTestFailure> {
    let (t_min, t_max) = SELF_TEST_TEMPERATURE_CENTI_CELSIUS;
    if !(t_min..=t_max).contains(&sample.temp_centi_celsius) {
        return Err(SelfTestFailure::Temperature {
            centi_celsius: sample.temp_centi_celsius,
        });
    }
    let a = sample.accel_mg;
    let square = |v: i32| (i64::from(v) * i64::from(v)) as u64;
    let magnitude = isqrt(square(a.x) + square(a.y) + square(a.z));
    // Each axis is at most 16 000 mg, so the magnitude fits a u32.
    let magnitude_mg = u32::try_from(magnitude).unwrap_or(u32::MAX);
    let (a_min, a_max) = SELF_TEST_ACCEL_MG;
    if !(a_min..=a_max).contains(&magnitude_mg) {
        return Err(SelfTestFailure::Acceleration { magnitude_mg });
    }
    let g = sample.gyro_mdps;
    let limit = SELF_TEST_MAX_GYRO_MDPS;
    if g.x.abs() > limit || g.y.abs() > limit || g.z.abs() > limit {
        return Err(SelfTestFailure::AngularRate { gyro_mdps: g });
    }
    Ok(SelfTestReport {
        sample,
        accel_magnitude_mg: magnitude_mg,
    })
}

/// Integer square root, rounded down.
fn isqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    // Newton's method from an overestimate; converges from above.
    let mut x = n;
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_rate_nearest_with_filter_on() {
        let r = SampleRate::nearest(100, Dlpf::Hz44).unwrap();
        assert_eq!(
            (r.divider, r.millihertz(), r.period_us()),
            (9, 100_000, 10_000)
        );
        let r = SampleRate::nearest(1000, Dlpf::Hz44).unwrap();
        assert_eq!((r.divider, r.millihertz()), (0, 1_000_000));
        // 300 Hz: 1000/3 = 333.3 (off by 33.3) beats 1000/4 = 250 (off by 50).
        let r = SampleRate::nearest(300, Dlpf::Hz94).unwrap();
        assert_eq!((r.divider, r.millihertz()), (2, 333_333));
        // 400 Hz: 1000/2 = 500 (off 100) vs 1000/3 = 333.3 (off 66.7).
        let r = SampleRate::nearest(400, Dlpf::Hz94).unwrap();
        assert_eq!(r.divider, 2);
        // Tie: 750 Hz is 250 from both 1000 and 500: the faster wins.
        let r = SampleRate::nearest(750, Dlpf::Hz94).unwrap();
        assert_eq!(r.divider, 0);
    }

    #[test]
    fn sample_rate_clamps_to_what_the_divider_can_make() {
        // Above the output rate: the output rate.
        let r = SampleRate::nearest(5000, Dlpf::Hz44).unwrap();
        assert_eq!((r.divider, r.millihertz()), (0, 1_000_000));
        // Below output/256: divider 255, 3.906 Hz.
        let r = SampleRate::nearest(1, Dlpf::Hz44).unwrap();
        assert_eq!(
            (r.divider, r.millihertz(), r.period_us()),
            (255, 3906, 256_000)
        );
        assert_eq!(SampleRate::nearest(0, Dlpf::Hz44), None);
    }

    #[test]
    fn sample_rate_with_filter_off_divides_8khz() {
        let r = SampleRate::nearest(8000, Dlpf::Hz260).unwrap();
        assert_eq!((r.divider, r.period_us()), (0, 125));
        let r = SampleRate::nearest(1000, Dlpf::Hz260).unwrap();
        assert_eq!(
            (r.divider, r.millihertz(), r.period_us()),
            (7, 1_000_000, 1000)
        );
        let r = SampleRate::nearest(u16::MAX, Dlpf::Hz260).unwrap();
        assert_eq!(r.divider, 0);
        let r = SampleRate::nearest(1, Dlpf::Hz260).unwrap();
        assert_eq!((r.divider, r.millihertz()), (255, 31_250));
    }

    #[test]
    fn sample_rate_is_nearest_for_every_request() {
        for dlpf in [Dlpf::Hz260, Dlpf::Hz44] {
            let base = dlpf.gyro_output_rate_hz() as f64;
            for hz in 1..=9000u16 {
                let r = SampleRate::nearest(hz, dlpf).unwrap();
                let got = base / (f64::from(r.divider) + 1.0);
                let best = (1..=256)
                    .map(|n| (base / f64::from(n) - f64::from(hz)).abs())
                    .fold(f64::INFINITY, f64::min);
                assert!(
                    (got - f64::from(hz)).abs() <= best + 1e-9,
                    "{hz} Hz -> {got}"
                );
            }
        }
    }

    #[test]
    fn interrupt_pin_bits() {
        assert_eq!(InterruptPin::default().bits(), 0x00);
        let pin = InterruptPin {
            level: PinLevel::ActiveLow,
            drive: PinDrive::OpenDrain,
            latch: PinLatch::UntilAnyRead,
        };
        assert_eq!(pin.bits(), 0b1111_0000);
        let pin = InterruptPin {
            latch: PinLatch::UntilStatusRead,
            ..InterruptPin::default()
        };
        assert_eq!(pin.bits(), 0b0010_0000);
    }

    #[test]
    fn raw_sample_decodes_big_endian_in_register_order() {
        let bytes = [
            0x01, 0x02, 0xFF, 0xFE, 0x40, 0x00, 0xEF, 0x5C, 0x00, 0x83, 0xFF, 0x7D, 0x80, 0x00,
        ];
        let raw = RawSample::from_bytes(&bytes);
        assert_eq!(
            raw.accel,
            Axes {
                x: 0x0102,
                y: -2,
                z: 16384
            }
        );
        assert_eq!(raw.temp, -4260);
        assert_eq!(
            raw.gyro,
            Axes {
                x: 131,
                y: -131,
                z: i16::MIN
            }
        );
        let s = raw.convert(AccelRange::G2, GyroRange::Dps250);
        assert_eq!(s.accel_mg.z, 1000);
        assert_eq!(s.gyro_mdps.x, 1000);
        assert_eq!(s.gyro_mdps.y, -1000);
        assert_eq!(s.temp_centi_celsius, 2400);
    }

    fn nz(n: u16) -> NonZeroU16 {
        NonZeroU16::new(n).unwrap()
    }

    #[test]
    fn calibration_averages_and_rounds() {
        let mut cal = GyroCalibration::new(nz(4));
        let samples = [(100, -50, 7), (102, -52, 8), (101, -51, 7), (101, -50, 8)];
        let mut last = None;
        for (i, (x, y, z)) in samples.into_iter().enumerate() {
            let p = cal.add(Axes { x, y, z }).unwrap();
            if i < 3 {
                assert_eq!(
                    p,
                    CalibrationProgress::Collecting {
                        taken: i as u16 + 1,
                        wanted: 4
                    }
                );
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

    #[test]
    fn isqrt_is_floor_sqrt() {
        for n in 0..10_000u64 {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
        assert_eq!(isqrt(u64::MAX), u64::from(u32::MAX));
        assert_eq!(isqrt(1_000_000), 1000);
    }

    fn resting() -> Sample {
        Sample {
            accel_mg: Axes {
                x: 10,
                y: -20,
                z: 1000,
            },
            gyro_mdps: Axes {
                x: 1500,
                y: -800,
                z: 100,
            },
            temp_centi_celsius: 2500,
        }
    }

    #[test]
    fn resting_sample_passes() {
        let report = check_resting_sample(resting()).unwrap();
        assert_eq!(report.accel_magnitude_mg, 1000);
    }

    #[test]
    fn self_test_bounds_are_checked() {
        let zeros = Sample::default();
        assert_eq!(
            check_resting_sample(Sample {
                temp_centi_celsius: 2500,
                ..zeros
            }),
            Err(SelfTestFailure::Acceleration { magnitude_mg: 0 })
        );
        assert_eq!(
            check_resting_sample(Sample {
                temp_centi_celsius: 8501,
                ..resting()
            }),
            Err(SelfTestFailure::Temperature {
                centi_celsius: 8501
            })
        );
        assert_eq!(
            check_resting_sample(Sample {
                temp_centi_celsius: -4001,
                ..resting()
            }),
            Err(SelfTestFailure::Temperature {
                centi_celsius: -4001
            })
        );
        let fast = Axes {
            x: 0,
            y: 0,
            z: -50_001,
        };
        assert_eq!(
            check_resting_sample(Sample {
                gyro_mdps: fast,
                ..resting()
            }),
            Err(SelfTestFailure::AngularRate { gyro_mdps: fast })
        );
        let heavy = Axes {
            x: 0,
            y: 1000,
            z: 1000,
        };
        assert_eq!(
            check_resting_sample(Sample {
                accel_mg: heavy,
                ..resting()
            }),
            Err(SelfTestFailure::Acceleration { magnitude_mg: 1414 })
        );
        // Full-scale on every axis does not overflow.
        let max = Axes {
            x: 16_000,
            y: 16_000,
            z: 16_000,
        };
        assert_eq!(
            check_resting_sample(Sample {
                accel_mg: max,
                ..resting()
            }),
            Err(SelfTestFailure::Acceleration {
                magnitude_mg: 27_712
            })
        );
    }

    #[test]
    fn ranges_round_trip_their_full_scale() {
        for r in [
            GyroRange::Dps250,
            GyroRange::Dps500,
            GyroRange::Dps1000,
            GyroRange::Dps2000,
        ] {
            assert_eq!(GyroRange::from_full_scale_dps(r.full_scale_dps()), Some(r));
        }
        for r in [
            AccelRange::G2,
            AccelRange::G4,
            AccelRange::G8,
            AccelRange::G16,
        ] {
            assert_eq!(AccelRange::from_full_scale_g(r.full_scale_g()), Some(r));
            assert_eq!(
                u32::from(r.lsb_per_g()) * u32::from(r.full_scale_g()),
                32768
            );
        }
        assert_eq!(GyroRange::from_full_scale_dps(300), None);
        assert_eq!(AccelRange::from_full_scale_g(3), None);
    }

    #[test]
    fn address_from_u8() {
        assert_eq!(Address::try_from(0x68), Ok(Address::Ad0Low));
        assert_eq!(Address::try_from(0x69), Ok(Address::Ad0High));
        assert_eq!(Address::try_from(0x6A).unwrap_err().address, 0x6A);
    }
}
