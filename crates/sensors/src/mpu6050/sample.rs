//! One reading of the MPU-6050: raw counts as the data registers hold
//! them, and converted to the appliance's units.

use super::convert::{accel_milli_g, gyro_milli_dps, temperature_centi_celsius};
use super::register as reg;
use super::{AccelRange, GyroRange};

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
    /// [`Mpu6050::read_sample`](super::Mpu6050::read_sample)).
    pub gyro_mdps: Axes<i32>,
    /// Die temperature, centi-degrees Celsius.
    pub temp_centi_celsius: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
