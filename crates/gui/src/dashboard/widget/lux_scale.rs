//! The light scale the light widgets share: log10 of lux, the band
//! limits, and the lux text.

use core::fmt::Write as _;

use embedded_graphics::pixelcolor::Rgb888;

use crate::dashboard::Palette;
use crate::dashboard::canvas::write_milli;

/// The light scale, log10 of lux: 0.01 lx to 100 klx.
pub const LUX_DECADES: (i32, i32) = (-2, 5);
/// Below this is night, lux (log10 = 1).
pub const NIGHT_BELOW_LUX: u32 = 10;
/// From this on is day, lux (log10 = 3).
pub const DAY_FROM_LUX: u32 = 1_000;

/// Where `milli_lux` sits on the light scale, 0.0 (0.01 lx) to 1.0 (100 klx).
pub fn lux_fraction(milli_lux: u32) -> f32 {
    let (lo, hi) = LUX_DECADES;
    let lux = (milli_lux as f32 / 1000.0).max(10f32.powi(lo));
    ((lux.log10() - lo as f32) / (hi - lo) as f32).clamp(0.0, 1.0)
}

/// `night`, `twilight` or `day` for an illuminance in milli-lux.
pub fn light_band(milli_lux: u32) -> (usize, &'static str) {
    if milli_lux < NIGHT_BELOW_LUX * 1000 {
        (0, "night")
    } else if milli_lux < DAY_FROM_LUX * 1000 {
        (1, "twilight")
    } else {
        (2, "day")
    }
}

/// Where decade `d` (log10 of lux) sits on the light scale, 0.0 to 1.0.
pub(super) fn decade_fraction(d: i32) -> f32 {
    (d - LUX_DECADES.0) as f32 / (LUX_DECADES.1 - LUX_DECADES.0) as f32
}

/// The light bands, in decades from and to, with their colours: night
/// below 10 lx, twilight, day from 1000 lx.
pub(super) fn bands(p: &Palette) -> [(i32, i32, Rgb888); 3] {
    [
        (LUX_DECADES.0, 1, p.bands[0]),
        (1, 3, p.bands[1]),
        (3, LUX_DECADES.1, p.bands[2]),
    ]
}

/// The lux text: two decimals below 10 lx, one below 1000, none above.
pub(super) fn write_lux(out: &mut String, milli_lux: u32) {
    let v = i64::from(milli_lux);
    if milli_lux < 10_000 {
        write_milli(out, v, 2);
    } else if milli_lux < 1_000_000 {
        write_milli(out, v, 1);
    } else {
        let _ = write!(out, "{}", (v + 500) / 1000);
    }
    out.push_str(" lx");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lux_text_has_fewer_decimals_as_it_grows() {
        let mut s = String::new();
        write_lux(&mut s, 1_234_567);
        assert_eq!(s, "1235 lx");
        s.clear();
        write_lux(&mut s, 5);
        assert_eq!(s, "0.01 lx");
    }

    #[test]
    fn light_scale_is_logarithmic_and_clamped() {
        assert_eq!(lux_fraction(0), 0.0);
        assert_eq!(lux_fraction(10), 0.0, "0.01 lx is the bottom");
        assert_eq!(lux_fraction(u32::MAX), 1.0);
        let one_lux = lux_fraction(1_000);
        let ten_lux = lux_fraction(10_000);
        assert!((ten_lux - one_lux - 1.0 / 7.0).abs() < 1e-4);
        assert_eq!(light_band(9_999).1, "night");
        assert_eq!(light_band(10_000).1, "twilight");
        assert_eq!(light_band(1_000_000).1, "day");
    }
}
