//! Pure VEML7700 math: counts to lux with the resolution table and the
//! high-lux correction, and the automatic-ranging decision.
//!
//! Sources: Vishay datasheet 84286 rev. 1.7 (Nov 2023) and application note
//! 84323 "Designing the VEML7700 Into an Application". Earlier editions
//! gave 0.0036 lx/count at gain ×2, 800 ms; Vishay's product change notice
//! corrected that to 0.0042 lx/count (140 klx at full scale), the figure
//! the table below uses.

use super::{Gain, IntegrationTime, Setting};
use crate::round_to_u32;

/// Resolution in lx/count at gain ×2 and 800 ms: the finest setting. Every
/// other setting's resolution is this times [`Setting::resolution_steps`].
pub const FINEST_RESOLUTION_LUX: f64 = 0.0042;

/// The application note's resolution table, lx/count, rows by integration
/// time (800, 400, 200, 100, 50, 25 ms), columns by gain (×2, ×1, ×1/4, ×1/8).
pub const RESOLUTION_TABLE_LUX: [[f64; 4]; 6] = [
    [0.0042, 0.0084, 0.0336, 0.0672],
    [0.0084, 0.0168, 0.0672, 0.1344],
    [0.0168, 0.0336, 0.1344, 0.2688],
    [0.0336, 0.0672, 0.2688, 0.5376],
    [0.0672, 0.1344, 0.5376, 1.0752],
    [0.1344, 0.2688, 1.0752, 2.1504],
];

/// The resolution of `setting` in lx/count, from [`RESOLUTION_TABLE_LUX`].
pub const fn resolution_lux(setting: Setting) -> f64 {
    let row = match setting.integration_time {
        IntegrationTime::Ms800 => 0,
        IntegrationTime::Ms400 => 1,
        IntegrationTime::Ms200 => 2,
        IntegrationTime::Ms100 => 3,
        IntegrationTime::Ms50 => 4,
        IntegrationTime::Ms25 => 5,
    };
    let column = match setting.gain {
        Gain::Two => 0,
        Gain::One => 1,
        Gain::OneQuarter => 2,
        Gain::OneEighth => 3,
    };
    RESOLUTION_TABLE_LUX[row][column]
}

/// The application note's correction for the sensor's non-linearity at
/// high illuminance, applied to the linear lux value:
/// `6.0135e-13 x^4 - 9.3924e-9 x^3 + 8.1488e-5 x^2 + 1.0023 x`.
///
/// It is increasing for every x >= 0 (its second derivative has no real
/// root and its slope at 0 is 1.0023). It adds 7.5 % at 1000 lx, 48 % at
/// 10 000 lx and about 4.4 times at 21 500 lx, as the sensor's response
/// flattens in bright light.
pub fn correct_high_lux(linear_lux: f64) -> f64 {
    let x = linear_lux;
    (((6.0135e-13 * x - 9.3924e-9) * x + 8.1488e-5) * x + 1.0023) * x
}

/// Whether [`als_millilux`] corrects a reading taken at `setting`: at gain
/// ×1/8 and ×1/4, the gains for bright light, whatever the level (the
/// non-linearity is that of the low-gain path; applying it from 0 lx keeps
/// the reading continuous, where a threshold at 1000 lx would jump by
/// 7.5 %, and it is what the simulated part models). Gains ×1 and ×2 are
/// for dim light and linear.
pub fn needs_correction(setting: Setting) -> bool {
    matches!(setting.gain, Gain::OneEighth | Gain::OneQuarter)
}

/// Illuminance in milli-lux for an ALS reading: `counts x resolution`,
/// then [`correct_high_lux`] when [`needs_correction`], rounded to nearest
/// and saturated at `u32::MAX` (4295 klx, which only the correction's
/// tail past about 45 000 linear lux can reach).
pub fn als_millilux(counts: u16, setting: Setting) -> u32 {
    let linear = f64::from(counts) * resolution_lux(setting);
    let lux = if needs_correction(setting) {
        correct_high_lux(linear)
    } else {
        linear
    };
    round_to_u32(lux * 1000.0)
}

/// Counts at or below this are too few for a good reading: the
/// automatic ranging makes the setting more sensitive (application note).
pub const RANGE_LOW_COUNTS: u16 = 100;
/// Counts above this are near the non-linear top: the automatic ranging
/// makes the setting less sensitive (application note: keep readings in
/// 100..=10 000 counts).
pub const RANGE_HIGH_COUNTS: u16 = 10_000;

/// The settings the automatic ranging walks, least sensitive first, as the
/// application note does: from the start (×1/8, 100 ms) the integration
/// time goes down to 25 ms in bright light; in dim light the gain goes up
/// to ×2 first, then the integration time up to 800 ms. Each step changes
/// the resolution by 2 or 4, so a step never overshoots the good range.
pub const RANGE_LADDER: [Setting; 9] = [
    Setting::new(Gain::OneEighth, IntegrationTime::Ms25),
    Setting::new(Gain::OneEighth, IntegrationTime::Ms50),
    Setting::new(Gain::OneEighth, IntegrationTime::Ms100),
    Setting::new(Gain::OneQuarter, IntegrationTime::Ms100),
    Setting::new(Gain::One, IntegrationTime::Ms100),
    Setting::new(Gain::Two, IntegrationTime::Ms100),
    Setting::new(Gain::Two, IntegrationTime::Ms200),
    Setting::new(Gain::Two, IntegrationTime::Ms400),
    Setting::new(Gain::Two, IntegrationTime::Ms800),
];

/// One ranging decision: the setting to change to for a reading of
/// `counts` at `setting`, or `None` to keep it. At or below
/// [`RANGE_LOW_COUNTS`] it is the next more sensitive rung of
/// [`RANGE_LADDER`]; above [`RANGE_HIGH_COUNTS`] the next less sensitive
/// one; `None` in between or at the ladder's end. A setting off the ladder
/// moves to the nearest rung in the wanted direction (by resolution).
pub fn auto_range(setting: Setting, counts: u16) -> Option<Setting> {
    let steps = setting.resolution_steps();
    if counts <= RANGE_LOW_COUNTS {
        // The coarsest rung that is finer than now.
        RANGE_LADDER
            .iter()
            .find(|rung| rung.resolution_steps() < steps)
            .copied()
    } else if counts > RANGE_HIGH_COUNTS {
        // The finest rung that is coarser than now.
        RANGE_LADDER
            .iter()
            .rev()
            .find(|rung| rung.resolution_steps() > steps)
            .copied()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAINS: [Gain; 4] = [Gain::Two, Gain::One, Gain::OneQuarter, Gain::OneEighth];
    const TIMES: [IntegrationTime; 6] = [
        IntegrationTime::Ms800,
        IntegrationTime::Ms400,
        IntegrationTime::Ms200,
        IntegrationTime::Ms100,
        IntegrationTime::Ms50,
        IntegrationTime::Ms25,
    ];

    #[test]
    fn table_is_the_finest_resolution_times_the_steps() {
        for it in TIMES {
            for gain in GAINS {
                let s = Setting::new(gain, it);
                let expected = FINEST_RESOLUTION_LUX * f64::from(s.resolution_steps());
                assert!((resolution_lux(s) - expected).abs() < 1e-12, "{s:?}");
            }
        }
        // The application note's corners and its start setting.
        let r = |g, it| resolution_lux(Setting::new(g, it));
        assert_eq!(r(Gain::Two, IntegrationTime::Ms800), 0.0042);
        assert_eq!(r(Gain::OneEighth, IntegrationTime::Ms25), 2.1504);
        assert_eq!(r(Gain::One, IntegrationTime::Ms100), 0.0672);
        assert_eq!(r(Gain::OneEighth, IntegrationTime::Ms100), 0.5376);
    }

    #[test]
    fn correction_polynomial_values() {
        assert_eq!(correct_high_lux(0.0), 0.0);
        // 1000 lx: 1002.3 + 81.488 - 9.3924 + 0.60135 = 1074.997.
        assert!((correct_high_lux(1000.0) - 1074.99695).abs() < 1e-6);
        // 10 lx: 10.023 + 0.0081488 - 0.0000094 = 10.03114.
        assert!((correct_high_lux(10.0) - 10.031139).abs() < 1e-5);
        // 10 000 lx: 10023 + 8148.8 - 9392.4 + 6013.5 = 14792.9.
        assert!((correct_high_lux(10_000.0) - 14_792.9).abs() < 1e-6);
    }

    #[test]
    fn correction_is_increasing() {
        let mut previous = -1.0;
        let mut x = 0.0;
        while x < 150_000.0 {
            let y = correct_high_lux(x);
            assert!(y > previous, "{x}");
            previous = y;
            x += 37.0;
        }
    }

    #[test]
    fn millilux_from_counts() {
        let start = Setting::new(Gain::OneEighth, IntegrationTime::Ms100);
        assert_eq!(als_millilux(0, start), 0);
        // 1000 counts x 0.5376 = 537.6 lx, corrected at x1/8 to 560.979.
        assert_eq!(als_millilux(1000, start), 560_979);
        // 1 count at the finest setting: 0.0042 lx.
        let finest = Setting::new(Gain::Two, IntegrationTime::Ms800);
        assert_eq!(als_millilux(1, finest), 4);
        assert_eq!(als_millilux(u16::MAX, finest), 275_247);
        // 100 counts at gain x1, 100 ms = 6.72 lx.
        let one = Setting::new(Gain::One, IntegrationTime::Ms100);
        assert_eq!(als_millilux(100, one), 6_720);
    }

    #[test]
    fn correction_applies_at_low_gains_only_and_without_a_step() {
        let start = Setting::new(Gain::OneEighth, IntegrationTime::Ms100);
        // 1860 and 1861 counts (999.936 and 1000.4736 linear lux): one
        // count apart, no step between them.
        assert_eq!(als_millilux(1860, start), 1_074_924);
        assert_eq!(als_millilux(1861, start), 1_075_537);
        // 3800 counts at 0.2688 lx/count = 1021.44 lx: corrected at x1/4,
        // linear at x1 (25 ms has the same resolution).
        let quarter = Setting::new(Gain::OneQuarter, IntegrationTime::Ms100);
        let one_fast = Setting::new(Gain::One, IntegrationTime::Ms25);
        assert_eq!(als_millilux(3800, quarter), 1_099_454);
        assert_eq!(als_millilux(3800, one_fast), 1_021_440);
        // 10 000 counts at the coarsest setting: 21 504 linear lux ->
        // 94 427.15 lx.
        let coarsest = Setting::new(Gain::OneEighth, IntegrationTime::Ms25);
        assert_eq!(als_millilux(10_000, coarsest), 94_427_150);
        // Full scale there: 140 926 linear lux, past u32 milli-lux once
        // corrected: saturates.
        assert_eq!(als_millilux(u16::MAX, coarsest), u32::MAX);
    }

    #[test]
    fn ladder_is_strictly_coarse_to_fine_starting_at_the_note_setting() {
        for pair in RANGE_LADDER.windows(2) {
            assert!(pair[0].resolution_steps() > pair[1].resolution_steps());
            let ratio = pair[0].resolution_steps() / pair[1].resolution_steps();
            assert!(ratio == 2 || ratio == 4, "{pair:?}");
        }
        assert_eq!(RANGE_LADDER[2], Setting::AUTO_RANGE_START);
    }

    #[test]
    fn ranging_decisions() {
        let start = Setting::AUTO_RANGE_START;
        // In the good range: keep.
        assert_eq!(auto_range(start, 101), None);
        assert_eq!(auto_range(start, 10_000), None);
        // Dim: gain up first.
        let quarter = Setting::new(Gain::OneQuarter, IntegrationTime::Ms100);
        assert_eq!(auto_range(start, 100), Some(quarter));
        assert_eq!(
            auto_range(quarter, 0),
            Some(Setting::new(Gain::One, IntegrationTime::Ms100))
        );
        // Then integration time up, to 800 ms, then nothing.
        let two_100 = Setting::new(Gain::Two, IntegrationTime::Ms100);
        assert_eq!(
            auto_range(two_100, 5),
            Some(Setting::new(Gain::Two, IntegrationTime::Ms200))
        );
        let finest = Setting::new(Gain::Two, IntegrationTime::Ms800);
        assert_eq!(auto_range(finest, 0), None);
        // Bright: integration time down to 25 ms, then nothing.
        assert_eq!(
            auto_range(start, 10_001),
            Some(Setting::new(Gain::OneEighth, IntegrationTime::Ms50))
        );
        let coarsest = Setting::new(Gain::OneEighth, IntegrationTime::Ms25);
        assert_eq!(auto_range(coarsest, u16::MAX), None);
        // Back down from the finest: the way it came.
        assert_eq!(
            auto_range(finest, 60_000),
            Some(Setting::new(Gain::Two, IntegrationTime::Ms400))
        );
        assert_eq!(auto_range(quarter, 20_000), Some(start));
    }

    #[test]
    fn off_ladder_settings_join_the_ladder() {
        // Gain x2 at 25 ms is 32 steps, between x1/4 and x1 at 100 ms.
        let off = Setting::new(Gain::Two, IntegrationTime::Ms25);
        assert_eq!(
            auto_range(off, 0),
            Some(Setting::new(Gain::One, IntegrationTime::Ms100))
        );
        assert_eq!(
            auto_range(off, u16::MAX),
            Some(Setting::new(Gain::OneQuarter, IntegrationTime::Ms100))
        );
        // Gain x1/8 at 800 ms is 16 steps, as x1 at 100 ms: moves past it.
        let same = Setting::new(Gain::OneEighth, IntegrationTime::Ms800);
        assert_eq!(
            auto_range(same, 0),
            Some(Setting::new(Gain::Two, IntegrationTime::Ms100))
        );
    }

    #[test]
    fn ranging_converges_and_never_oscillates_for_steady_light() {
        // Simulate a steady light: counts = lux / resolution, clipped.
        for lux in [
            0.0, 0.01, 0.5, 3.0, 40.0, 300.0, 2_000.0, 20_000.0, 120_000.0,
        ] {
            let mut setting = Setting::AUTO_RANGE_START;
            let mut changes = 0;
            loop {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "lux >= 0, clipped to the 16-bit counter; the cast drops the fraction"
                )]
                let counts = (lux / resolution_lux(setting)).min(65_535.0) as u16;
                match auto_range(setting, counts) {
                    Some(next) => {
                        setting = next;
                        changes += 1;
                        assert!(changes <= RANGE_LADDER.len(), "{lux} lx oscillates");
                    }
                    None => break,
                }
            }
        }
    }
}
