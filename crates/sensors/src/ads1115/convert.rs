//! Pure conversions for an LDR read through the ADS1115: counts to
//! micro-volts, micro-volts to the LDR's resistance in its voltage divider,
//! and resistance to illuminance with a power-law LDR model.
//!
//! The appliance's circuit ([`Divider::DEFAULT`]): the LDR between
//! VDD = 3.3 V and AIN0, a fixed 10 kΩ from AIN0 to ground, so more light
//! gives a lower LDR resistance and a higher voltage. With the ±4.096 V
//! range the whole 0..3.3 V swing fits:
//!
//! ```
//! use sensors::ads1115::convert::{ldr_reading, Divider, LdrModel};
//! use sensors::ads1115::Pga;
//!
//! // 10 lux: the GL5528 is 15 kΩ, so AIN0 = 3.3 V x 10k / 25k = 1.32 V,
//! // which is 10560 counts of 125 µV at ±4.096 V.
//! let r = ldr_reading(10_560, Pga::Fsr4_096V, &Divider::DEFAULT, &LdrModel::GL5528);
//! assert_eq!(r.microvolts, 1_320_000);
//! assert_eq!(r.ldr_ohm, 15_000);
//! assert_eq!(r.millilux, 10_000);
//! assert!(!r.saturated);
//! ```

use super::Pga;
use crate::{div_round, round_to_u32};

/// The input voltage in micro-volts for a conversion result at `pga`:
/// `counts * full_scale / 32768`, rounded to nearest (ties away from
/// zero). One count is 187.5 µV at ±6.144 V down to 7.8125 µV at ±0.256 V.
/// Exact for every `i16` (computed in `i64`).
#[allow(
    clippy::cast_possible_truncation,
    reason = "|counts| <= 32 768 and the full scale <= 6 144 000 µV: the result is within ±6 144 000"
)]
pub const fn counts_to_microvolts(counts: i16, pga: Pga) -> i32 {
    div_round(counts as i64 * pga.full_scale_uv() as i64, 32_768) as i32
}

/// True for a result at either end of the scale: the input is at or past
/// the PGA's full scale, and the real voltage is unknown beyond it.
pub const fn is_saturated(counts: i16) -> bool {
    counts == i16::MAX || counts == i16::MIN
}

/// Which side of the divider the LDR is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LdrSide {
    /// LDR from VDD to the ADC input, fixed resistor to ground: more light,
    /// higher voltage. The appliance's circuit.
    #[default]
    Vdd,
    /// Fixed resistor from VDD to the ADC input, LDR to ground: more light,
    /// lower voltage.
    Gnd,
}

/// A voltage divider of the LDR and a fixed resistor across VDD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Divider {
    /// The supply across the divider, micro-volts.
    pub vdd_uv: u32,
    /// The fixed resistor, ohms.
    pub fixed_ohm: u32,
    /// Where the LDR is.
    pub ldr_side: LdrSide,
}

impl Divider {
    /// The appliance's circuit: 3.3 V, 10 kΩ to ground, LDR to VDD.
    pub const DEFAULT: Self = Self {
        vdd_uv: 3_300_000,
        fixed_ohm: 10_000,
        ldr_side: LdrSide::Vdd,
    };

    /// The LDR's resistance in ohms for the voltage at the ADC input,
    /// rounded to nearest:
    ///
    /// - LDR at VDD: `R = fixed * (vdd - v) / v`;
    /// - LDR at ground: `R = fixed * v / (vdd - v)`.
    ///
    /// Edge cases, never dividing by zero: a voltage at or below 0 V
    /// (negative readings are noise around 0 V) gives `u32::MAX` (an open
    /// LDR: darkness, or a broken wire) with the LDR at VDD and 0 with it
    /// at ground; a voltage at or above VDD gives 0 (a shorted LDR: very
    /// bright) with the LDR at VDD and `u32::MAX` with it at ground.
    /// Resistances past `u32::MAX` saturate to it.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "ohm is compared with u32::MAX before the cast"
    )]
    pub const fn ldr_ohm(&self, microvolts: i32) -> u32 {
        let vdd = self.vdd_uv as u64;
        let fixed = self.fixed_ohm as u64;
        let (at_zero, at_vdd) = match self.ldr_side {
            LdrSide::Vdd => (u32::MAX, 0),
            LdrSide::Gnd => (0, u32::MAX),
        };
        if microvolts <= 0 {
            return at_zero;
        }
        let v = microvolts.unsigned_abs() as u64;
        if v >= vdd {
            return at_vdd;
        }
        let (numerator, denominator) = match self.ldr_side {
            LdrSide::Vdd => (fixed * (vdd - v), v),
            LdrSide::Gnd => (fixed * v, vdd - v),
        };
        // Both factors are below 2^32, so the product fits a u64.
        let ohm = (numerator + denominator / 2) / denominator;
        if ohm > u32::MAX as u64 {
            u32::MAX
        } else {
            ohm as u32
        }
    }
}

impl Default for Divider {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A power-law LDR model: `R(lux) = r10 * (lux / 10) ^ -gamma`, so
/// `lux = 10 * (r10 / R) ^ (1 / gamma)`. `r10` is the resistance at
/// 10 lux, `gamma` the slope of log R against log lux, both from the
/// LDR's datasheet; real parts spread widely (the GL5528 is specified at
/// 8..20 kΩ), so calibrate `r10` against a lux meter for accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LdrModel {
    r10_ohm: u32,
    gamma: f32,
}

impl LdrModel {
    /// GL5528: 15 kΩ at 10 lux (the middle of its 8..20 kΩ), gamma 0.7.
    pub const GL5528: Self = Self {
        r10_ohm: 15_000,
        gamma: 0.7,
    };

    /// A model; `None` unless `r10_ohm` > 0 and `gamma` is finite and > 0.
    pub const fn new(r10_ohm: u32, gamma: f32) -> Option<Self> {
        if r10_ohm == 0 || !gamma.is_finite() || gamma <= 0.0 {
            return None;
        }
        Some(Self { r10_ohm, gamma })
    }

    /// Resistance at 10 lux, ohms.
    pub const fn r10_ohm(&self) -> u32 {
        self.r10_ohm
    }

    /// The slope of log R against log lux.
    pub const fn gamma(&self) -> f32 {
        self.gamma
    }

    /// Illuminance in milli-lux for an LDR resistance, rounded to nearest.
    /// 0 Ω (a shorted LDR) gives `u32::MAX`; `u32::MAX` Ω (an open one,
    /// see [`Divider::ldr_ohm`]) gives 0. Results past `u32::MAX` mlx
    /// (4295 klx) saturate to it.
    pub fn millilux(&self, ldr_ohm: u32) -> u32 {
        match ldr_ohm {
            0 => u32::MAX,
            u32::MAX => 0,
            ohm => {
                let ratio = f64::from(self.r10_ohm) / f64::from(ohm);
                let lux = 10.0 * libm::pow(ratio, 1.0 / f64::from(self.gamma));
                round_to_u32(lux * 1000.0)
            }
        }
    }

    /// The resistance in ohms the model gives at `millilux`, rounded to
    /// nearest; 0 mlx gives `u32::MAX` (the inverse of
    /// [`LdrModel::millilux`], for tests and thresholds).
    pub fn ldr_ohm(&self, millilux: u32) -> u32 {
        if millilux == 0 {
            return u32::MAX;
        }
        let lux = f64::from(millilux) / 1000.0;
        let ohm = f64::from(self.r10_ohm) * libm::pow(lux / 10.0, -f64::from(self.gamma));
        round_to_u32(ohm)
    }
}

impl Default for LdrModel {
    fn default() -> Self {
        Self::GL5528
    }
}

/// One LDR conversion, every stage kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LdrReading {
    /// The conversion result.
    pub counts: i16,
    /// The input voltage, micro-volts.
    pub microvolts: i32,
    /// The LDR's resistance, ohms (see [`Divider::ldr_ohm`] for the ends).
    pub ldr_ohm: u32,
    /// The illuminance, milli-lux (see [`LdrModel::millilux`] for the ends).
    pub millilux: u32,
    /// The result is at the end of the PGA's scale: the real voltage is
    /// at least (or at most) `microvolts`, so with the LDR at VDD the
    /// illuminance is at least `millilux`. Choose a wider PGA range.
    pub saturated: bool,
}

/// Converts a conversion result all the way to milli-lux.
pub fn ldr_reading(counts: i16, pga: Pga, divider: &Divider, model: &LdrModel) -> LdrReading {
    let microvolts = counts_to_microvolts(counts, pga);
    let ldr_ohm = divider.ldr_ohm(microvolts);
    LdrReading {
        counts,
        microvolts,
        ldr_ohm,
        millilux: model.millilux(ldr_ohm),
        saturated: is_saturated(counts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microvolts_per_count_match_the_datasheet_lsb() {
        // Datasheet table 3: LSB = FSR / 2^15.
        assert_eq!(counts_to_microvolts(2, Pga::Fsr6_144V), 375); // 187.5 µV
        assert_eq!(counts_to_microvolts(1, Pga::Fsr6_144V), 188); // tie, away from zero
        assert_eq!(counts_to_microvolts(-1, Pga::Fsr6_144V), -188);
        assert_eq!(counts_to_microvolts(8, Pga::Fsr4_096V), 1000); // 125 µV
        assert_eq!(counts_to_microvolts(16, Pga::Fsr2_048V), 1000); // 62.5 µV
        assert_eq!(counts_to_microvolts(32, Pga::Fsr1_024V), 1000); // 31.25 µV
        assert_eq!(counts_to_microvolts(64, Pga::Fsr0_512V), 1000); // 15.625 µV
        assert_eq!(counts_to_microvolts(128, Pga::Fsr0_256V), 1000); // 7.8125 µV
        assert_eq!(counts_to_microvolts(1, Pga::Fsr0_256V), 8);
    }

    #[test]
    fn microvolts_at_full_scale() {
        // Datasheet: 7FFFh is +FS x (2^15 - 1)/2^15, 8000h is -FS.
        assert_eq!(counts_to_microvolts(i16::MAX, Pga::Fsr6_144V), 6_143_813);
        assert_eq!(counts_to_microvolts(i16::MIN, Pga::Fsr6_144V), -6_144_000);
        assert_eq!(counts_to_microvolts(i16::MAX, Pga::Fsr2_048V), 2_047_938);
        assert_eq!(counts_to_microvolts(i16::MIN, Pga::Fsr0_256V), -256_000);
        assert_eq!(counts_to_microvolts(0, Pga::Fsr6_144V), 0);
    }

    #[test]
    fn saturation_is_either_end() {
        assert!(is_saturated(i16::MAX));
        assert!(is_saturated(i16::MIN));
        assert!(!is_saturated(i16::MAX - 1));
        assert!(!is_saturated(0));
    }

    #[test]
    fn divider_ldr_at_vdd() {
        let d = Divider::DEFAULT;
        // Half VDD: the LDR equals the fixed resistor.
        assert_eq!(d.ldr_ohm(1_650_000), 10_000);
        // 1.32 V: 10k x 1.98 / 1.32 = 15k.
        assert_eq!(d.ldr_ohm(1_320_000), 15_000);
        // 3 V: 10k x 0.3 / 3 = 1k.
        assert_eq!(d.ldr_ohm(3_000_000), 1_000);
        // Ends: 0 V and below is open, VDD and above is a short.
        assert_eq!(d.ldr_ohm(0), u32::MAX);
        assert_eq!(d.ldr_ohm(-500), u32::MAX);
        assert_eq!(d.ldr_ohm(3_300_000), 0);
        assert_eq!(d.ldr_ohm(i32::MAX), 0);
        // 1 µV: 10k x 3299999 / 1 = 33 GΩ saturates.
        assert_eq!(d.ldr_ohm(1), u32::MAX);
    }

    #[test]
    fn divider_ldr_at_ground() {
        let d = Divider {
            ldr_side: LdrSide::Gnd,
            ..Divider::DEFAULT
        };
        assert_eq!(d.ldr_ohm(1_650_000), 10_000);
        // 1.98 V: 10k x 1.98 / 1.32 = 15k.
        assert_eq!(d.ldr_ohm(1_980_000), 15_000);
        assert_eq!(d.ldr_ohm(0), 0);
        assert_eq!(d.ldr_ohm(i32::MIN), 0);
        assert_eq!(d.ldr_ohm(3_300_000), u32::MAX);
        assert_eq!(d.ldr_ohm(3_299_999), u32::MAX); // 33 GΩ saturates
    }

    #[test]
    fn degenerate_dividers_do_not_divide_by_zero() {
        let volts = [i32::MIN, -1, 0, 1, 1_650_000, 3_300_000, i32::MAX];
        // No supply: every positive voltage is "at or above VDD".
        let no_supply = Divider {
            vdd_uv: 0,
            ..Divider::DEFAULT
        };
        let got = volts.map(|v| no_supply.ldr_ohm(v));
        assert_eq!(got, [u32::MAX, u32::MAX, u32::MAX, 0, 0, 0, 0]);
        // No fixed resistor, LDR at VDD: 0 Ω between the ends.
        let no_resistor = Divider {
            fixed_ohm: 0,
            ..Divider::DEFAULT
        };
        let got = volts.map(|v| no_resistor.ldr_ohm(v));
        assert_eq!(got, [u32::MAX, u32::MAX, u32::MAX, 0, 0, 0, 0]);
        let no_resistor_gnd = Divider {
            fixed_ohm: 0,
            ldr_side: LdrSide::Gnd,
            ..Divider::DEFAULT
        };
        let got = volts.map(|v| no_resistor_gnd.ldr_ohm(v));
        assert_eq!(got, [0, 0, 0, 0, 0, u32::MAX, u32::MAX]);
    }

    #[test]
    fn gl5528_model_points() {
        let m = LdrModel::GL5528;
        // R10 is 10 lux by definition.
        assert_eq!(m.millilux(15_000), 10_000);
        // 100 lux: R = 15k x 10^-0.7 = 2992.9 Ω, and back.
        assert_eq!(m.ldr_ohm(100_000), 2_993);
        let lux = m.millilux(2_993);
        assert!((99_990..=100_010).contains(&lux), "{lux}");
        // 1 lux: R = 15k x 10^0.7 = 75178 Ω.
        assert_eq!(m.ldr_ohm(1_000), 75_178);
        // Twice the resistance is 2^(-1/0.7) = 0.3715 of the light.
        assert_eq!(m.millilux(30_000), 3_715);
    }

    #[test]
    fn model_ends_and_validation() {
        let m = LdrModel::GL5528;
        assert_eq!(m.millilux(0), u32::MAX);
        assert_eq!(m.millilux(u32::MAX), 0);
        // 1 Ω: 10 x 15000^(1/0.7) lux is far past u32 mlx: saturates.
        assert_eq!(m.millilux(1), u32::MAX);
        assert_eq!(m.ldr_ohm(0), u32::MAX);
        assert_eq!(LdrModel::new(0, 0.7), None);
        assert_eq!(LdrModel::new(15_000, 0.0), None);
        assert_eq!(LdrModel::new(15_000, -0.7), None);
        assert_eq!(LdrModel::new(15_000, f32::NAN), None);
        assert_eq!(LdrModel::new(15_000, f32::INFINITY), None);
        let custom = LdrModel::new(20_000, 0.8).unwrap();
        assert_eq!((custom.r10_ohm(), custom.gamma()), (20_000, 0.8));
        assert_eq!(custom.millilux(20_000), 10_000);
        assert_eq!(LdrModel::default(), LdrModel::GL5528);
    }

    #[test]
    fn reading_through_the_default_circuit() {
        let d = Divider::DEFAULT;
        let m = LdrModel::GL5528;
        // 10 lux -> 1.32 V -> 10560 counts at ±4.096 V (125 µV each).
        let r = ldr_reading(10_560, Pga::Fsr4_096V, &d, &m);
        assert_eq!(
            (r.microvolts, r.ldr_ohm, r.millilux),
            (1_320_000, 15_000, 10_000)
        );
        // Dark: 0 counts (and negative noise) read 0 lux.
        assert_eq!(ldr_reading(0, Pga::Fsr4_096V, &d, &m).millilux, 0);
        assert_eq!(ldr_reading(-3, Pga::Fsr4_096V, &d, &m).millilux, 0);
        // At VDD (26400 counts = 3.3 V): a short, reported as u32::MAX.
        assert_eq!(
            ldr_reading(26_400, Pga::Fsr4_096V, &d, &m).millilux,
            u32::MAX
        );
        // Saturated at ±2.048 V: the light is at least the reported value.
        let r = ldr_reading(i16::MAX, Pga::Fsr2_048V, &d, &m);
        assert!(r.saturated);
        assert_eq!(r.microvolts, 2_047_938);
        assert_eq!(r.ldr_ohm, 6_114);
        assert!(r.millilux > 10_000);
    }

    #[test]
    fn more_light_more_counts_more_lux() {
        let d = Divider::DEFAULT;
        let m = LdrModel::GL5528;
        let mut previous = 0;
        for counts in (1..26_400).step_by(97) {
            let lux = ldr_reading(counts, Pga::Fsr4_096V, &d, &m).millilux;
            assert!(lux >= previous, "{counts}: {lux} < {previous}");
            previous = lux;
        }
    }
}
