//! The MPU-6050's settings: the low-pass filter, the ranges, the INT pin,
//! the sample rate the divider makes, and the [`Config`] of a bring-up.

use core::time::Duration;

use super::register as reg;

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
    /// Held until [`Mpu6050::data_ready`](super::Mpu6050::data_ready) reads INT_STATUS.
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

/// Everything [`Mpu6050::configure`](super::Mpu6050::configure) sets.
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
        let base_hz = dlpf.gyro_output_rate_hz();
        let base = base_hz as u64;
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
        #[allow(clippy::cast_possible_truncation, reason = "n is 1..=256")]
        let divider = (n - 1) as u8;
        Some(Self {
            divider,
            gyro_output_rate_hz: base_hz,
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

/// What [`Mpu6050::configure`](super::Mpu6050::configure) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The sample rate achieved for the request.
    pub sample_rate: SampleRate,
    /// Wait this long after waking before trusting gyroscope data (and
    /// before [`Mpu6050::calibrate_gyro`](super::Mpu6050::calibrate_gyro)).
    pub settle: Duration,
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
}
