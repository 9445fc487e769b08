//! The illuminance in big digits, its band and the raw reading.

use core::fmt::Write as _;

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;

use super::lux_scale::{light_band, write_lux};
use crate::dashboard::canvas::{Ctx, Target, fit, px};

pub(super) fn draw<T: Target>(c: &Ctx<'_>, line: &mut String, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let a = c.area;
    let at = a.top_left + Point::new(c.pad(), 0);
    c.text(t, "illuminance", at, c.p.faint)?;
    let big_at = at + Point::new(0, c.line());
    let Some(sample) = state.light() else {
        c.big_text(t, "-- lx", big_at, c.p.faint)?;
        return Ok(());
    };
    line.clear();
    write_lux(line, sample.lux_milli);
    c.big_text(t, line, big_at, c.p.text)?;
    let (band, name) = light_band(sample.lux_milli);
    line.clear();
    let _ = write!(line, "{name}  raw {}", sample.raw);
    let below = big_at + Point::new(0, px(c.l.big_line_height()) + c.pad());
    let chars = c.chars();
    c.text(
        t,
        fit(line, chars),
        below,
        c.p.bands[band].component_max(c.p.faint),
    )?;
    Ok(())
}

/// A colour at least as bright as another in every channel (band colours
/// are dark backgrounds; their text needs to stand out).
trait ComponentMax {
    fn component_max(self, other: Self) -> Self;
}

impl ComponentMax for Rgb888 {
    fn component_max(self, other: Rgb888) -> Rgb888 {
        Rgb888::new(
            self.r().max(other.r()),
            self.g().max(other.g()),
            self.b().max(other.b()),
        )
    }
}
