//! Pure conversions from MPU-6050 counts to the appliance's integer units.
//!
//! All three round to the nearest unit, ties away from zero, and are exact
//! for every `i16` input: the arithmetic is done in `i64`, so nothing can
//! overflow, and every result fits an `i32` (the extremes are -16 000 mg,
//! ±1 997 988 m°/s and -5985 c°C).

use super::{AccelRange, GyroRange};
use crate::div_round;

/// Acceleration in milli-g for a raw accelerometer reading at `range`:
/// `raw * 1000 / sensitivity`, with the datasheet sensitivities 16384,
/// 8192, 4096 and 2048 LSB/g for ±2, ±4, ±8 and ±16 g.
#[allow(
    clippy::cast_possible_truncation,
    reason = "i16 counts give -16 000..=16 000 mg"
)]
pub const fn accel_milli_g(raw: i16, range: AccelRange) -> i32 {
    div_round(raw as i64 * 1000, range.lsb_per_g() as i64) as i32
}

/// Angular rate in milli-degrees per second for a raw gyroscope reading at
/// `range`: `raw * 1000 / sensitivity`, with the datasheet sensitivities
/// 131, 65.5, 32.8 and 16.4 LSB/(°/s) for ±250, ±500, ±1000 and ±2000 °/s
/// (computed as `raw * 10000 / (10 * sensitivity)` to stay in integers).
#[allow(
    clippy::cast_possible_truncation,
    reason = "i16 counts give -1 998 049..=1 997 988 m°/s"
)]
pub const fn gyro_milli_dps(raw: i16, range: GyroRange) -> i32 {
    div_round(raw as i64 * 10_000, range.tenth_lsb_per_dps() as i64) as i32
}

/// Die temperature in centi-degrees Celsius for a raw TEMP_OUT reading:
/// `raw / 340 + 36.53 °C` (register map, section 4.18), computed as
/// `(raw * 100 + 3653 * 340) / 340`.
#[allow(
    clippy::cast_possible_truncation,
    reason = "i16 counts give -5985..=13 290 c°C"
)]
pub const fn temperature_centi_celsius(raw: i16) -> i32 {
    div_round(raw as i64 * 100 + 3653 * 340, 340) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accel_one_g_at_every_range() {
        // Datasheet sensitivities: one g is 16384, 8192, 4096, 2048 counts.
        assert_eq!(accel_milli_g(16384, AccelRange::G2), 1000);
        assert_eq!(accel_milli_g(8192, AccelRange::G4), 1000);
        assert_eq!(accel_milli_g(4096, AccelRange::G8), 1000);
        assert_eq!(accel_milli_g(2048, AccelRange::G16), 1000);
        assert_eq!(accel_milli_g(-16384, AccelRange::G2), -1000);
    }

    #[test]
    fn accel_full_scale_and_rounding() {
        assert_eq!(accel_milli_g(i16::MIN, AccelRange::G2), -2000);
        assert_eq!(accel_milli_g(i16::MIN, AccelRange::G16), -16000);
        // 32767 / 2048 g = 15.99951 g.
        assert_eq!(accel_milli_g(i16::MAX, AccelRange::G16), 16000);
        // 1 count at ±2 g is 0.061 mg: rounds to 0; 9 counts = 0.549 mg -> 1.
        assert_eq!(accel_milli_g(1, AccelRange::G2), 0);
        assert_eq!(accel_milli_g(9, AccelRange::G2), 1);
        assert_eq!(accel_milli_g(-9, AccelRange::G2), -1);
        // 1 count at ±16 g is 0.48828 mg -> 0; 2 counts = 0.977 mg -> 1.
        assert_eq!(accel_milli_g(2, AccelRange::G16), 1);
    }

    #[test]
    fn gyro_one_dps_at_every_range() {
        assert_eq!(gyro_milli_dps(131, GyroRange::Dps250), 1000);
        assert_eq!(gyro_milli_dps(655, GyroRange::Dps500), 10_000);
        assert_eq!(gyro_milli_dps(328, GyroRange::Dps1000), 10_000);
        assert_eq!(gyro_milli_dps(164, GyroRange::Dps2000), 10_000);
        assert_eq!(gyro_milli_dps(-131, GyroRange::Dps250), -1000);
    }

    #[test]
    fn gyro_full_scale_and_rounding() {
        // 32767 / 131 = 250.1298 °/s.
        assert_eq!(gyro_milli_dps(i16::MAX, GyroRange::Dps250), 250_130);
        // 32767 / 16.4 = 1997.9878 °/s.
        assert_eq!(gyro_milli_dps(i16::MAX, GyroRange::Dps2000), 1_997_988);
        assert_eq!(gyro_milli_dps(i16::MIN, GyroRange::Dps2000), -1_998_049);
        // 1 count at ±250 °/s = 7.634 m°/s -> 8.
        assert_eq!(gyro_milli_dps(1, GyroRange::Dps250), 8);
        assert_eq!(gyro_milli_dps(-1, GyroRange::Dps250), -8);
    }

    #[test]
    fn temperature_register_map_formula() {
        // raw 0 -> 36.53 °C.
        assert_eq!(temperature_centi_celsius(0), 3653);
        // raw 340 -> 37.53 °C; raw -340 -> 35.53 °C.
        assert_eq!(temperature_centi_celsius(340), 3753);
        assert_eq!(temperature_centi_celsius(-340), 3553);
        // raw -521 -> 34.9976 °C -> 35.00 °C.
        assert_eq!(temperature_centi_celsius(-521), 3500);
        // raw -12420 -> 0.0018 °C -> 0; room temperature: raw -4260 -> 24.00 °C.
        assert_eq!(temperature_centi_celsius(-12420), 0);
        assert_eq!(temperature_centi_celsius(-4260), 2400);
        // Extremes: -59.85 °C and 132.90 °C.
        assert_eq!(temperature_centi_celsius(i16::MIN), -5985);
        assert_eq!(temperature_centi_celsius(i16::MAX), 13290);
    }

    #[test]
    fn no_overflow_and_monotone_for_every_i16() {
        let mut previous = (i32::MIN, i32::MIN, i32::MIN);
        for raw in i16::MIN..=i16::MAX {
            let now = (
                accel_milli_g(raw, AccelRange::G16),
                gyro_milli_dps(raw, GyroRange::Dps2000),
                temperature_centi_celsius(raw),
            );
            assert!(now.0 >= previous.0 && now.1 >= previous.1 && now.2 >= previous.2);
            assert!((-16_000..=16_000).contains(&now.0));
            assert!((-1_998_049..=1_997_988).contains(&now.1));
            assert!((-5985..=13_290).contains(&now.2));
            previous = now;
        }
    }
}
