//! Measurement noise: small, seeded and reproducible.
//!
//! The noise of a sample is a function of (seed, channel, sample time) only,
//! not of how often or in which order a driver reads, so two runs of the
//! same scenario with the same seed see the same numbers whatever the
//! driver does.

use std::time::Duration;

/// How noisy the simulated parts are. Every amount is one standard
/// deviation of a bell-shaped noise that never exceeds 3.5 of them.
///
/// [`Noise::default`] is the realistic level; [`Noise::NONE`] gives exact
/// values, which is what most tests want.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Noise {
    /// Seed of the noise sequence.
    pub seed: u64,
    /// Accelerometer noise per axis, milli-g.
    pub accel_mg: u32,
    /// Gyroscope noise per axis, milli-degrees/s.
    pub gyro_mdps: u32,
    /// Illuminance noise, parts per million of the illuminance.
    pub illuminance_ppm: u32,
}

impl Noise {
    /// No noise at all.
    pub const NONE: Noise = Noise {
        seed: 0,
        accel_mg: 0,
        gyro_mdps: 0,
        illuminance_ppm: 0,
    };

    /// About what the real parts show at rest: 5 milli-g, 50 mdps, 0.5 %.
    pub const REALISTIC: Noise = Noise {
        seed: 0x5EED_CAFE_0000_0001,
        accel_mg: 5,
        gyro_mdps: 50,
        illuminance_ppm: 5_000,
    };

    /// The realistic level with another seed.
    #[must_use]
    pub const fn realistic_with_seed(seed: u64) -> Noise {
        Noise {
            seed,
            ..Noise::REALISTIC
        }
    }
}

impl Default for Noise {
    fn default() -> Self {
        Noise::REALISTIC
    }
}

/// Noise channels, so that the axes of one sample get independent values.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Channel {
    Accel(usize),
    Gyro(usize),
    Illuminance,
}

impl Channel {
    fn id(self) -> u64 {
        match self {
            Channel::Accel(axis) => 1 + axis as u64,
            Channel::Gyro(axis) => 16 + axis as u64,
            Channel::Illuminance => 32,
        }
    }
}

/// A value with zero mean and unit standard deviation, bounded to about
/// ±3.46 (the sum of four uniform values, Irwin-Hall), for this seed,
/// channel and sample time.
pub(crate) fn unit_noise(seed: u64, channel: Channel, at: Duration) -> f64 {
    let t = u64::try_from(at.as_nanos()).unwrap_or(u64::MAX);
    let h = splitmix64(seed ^ channel.id().wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ splitmix64(t));
    let sum: f64 = (0..4)
        .map(|i| f64::from(((h >> (16 * i)) & 0xFFFF) as u16) / 65_536.0)
        .sum();
    // Sum of 4 U(0,1): mean 2, variance 1/3.
    (sum - 2.0) * 3.0_f64.sqrt()
}

/// SplitMix64: a counter-based generator step (Steele, Lea, Flood 2014);
/// here used as a hash so noise is a pure function of its inputs.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_noise_is_bounded_centred_and_reproducible() {
        let n = 20_000u64;
        let values: Vec<f64> = (0..n)
            .map(|i| unit_noise(7, Channel::Accel(0), Duration::from_micros(i * 125)))
            .collect();
        assert!(values.iter().all(|v| v.abs() <= 3.47));
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.1, "variance {var}");
        let again = unit_noise(7, Channel::Accel(0), Duration::from_micros(125));
        assert_eq!(again, values[1]);
        assert_ne!(
            unit_noise(7, Channel::Accel(1), Duration::from_micros(125)),
            values[1]
        );
        assert_ne!(
            unit_noise(8, Channel::Accel(0), Duration::from_micros(125)),
            values[1]
        );
    }
}
