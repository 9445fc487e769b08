//! The light gauge: the log scale with its night, twilight and day bands
//! and a mark at the current illuminance; vertical in landscape.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, PrimitiveStyle, Rectangle};

use super::lux_scale::{LUX_DECADES, bands, decade_fraction, lux_fraction};
use crate::dashboard::canvas::{Ctx, Target, px, round_px};
use crate::layout::Orientation;

/// The decade labels of the light scale.
const DECADE_LABELS: [&str; 8] = ["0.01", "0.1", "1", "10", "100", "1k", "10k", "100k"];

pub(super) fn draw<T: Target>(c: &Ctx<'_>, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let a = c.area;
    let char_w = px(c.l.font.character_size.width + c.l.font.character_spacing);
    let vertical = c.l.orientation == Orientation::Landscape;
    let decades = LUX_DECADES.1 - LUX_DECADES.0;
    let value = state.light().map(|s| lux_fraction(s.lux_milli));
    if vertical {
        // Labels on the left, the bar right of them; 0.01 lx at the bottom.
        let label_w = char_w * 5;
        let bar_w = (char_w * 3).min(px(a.size.width) - label_w).max(1);
        let x = a.top_left.x + label_w;
        let top = a.top_left.y + c.line() / 2;
        let len = px(a.size.height) - c.line();
        if len < 8 {
            return Ok(());
        }
        let y_of = |f: f32| top + len - round_px(f * len as f32);
        for (from, to, color) in bands(c.p) {
            let (y0, y1) = (y_of(decade_fraction(to)), y_of(decade_fraction(from)));
            t.fill_solid(
                &Rectangle::new(
                    Point::new(x, y0),
                    Size::new(bar_w.unsigned_abs(), (y1 - y0).unsigned_abs()),
                ),
                color,
            )?;
        }
        let step = if len / c.line() > decades { 1 } else { 2 };
        for (i, label) in DECADE_LABELS.iter().enumerate().step_by(step) {
            let y = y_of(i as f32 / decades as f32);
            Line::new(Point::new(x - 3, y), Point::new(x - 1, y))
                .into_styled(PrimitiveStyle::with_stroke(c.p.faint, 1))
                .draw(t)?;
            c.text(
                t,
                label,
                Point::new(a.top_left.x, y - c.line() / 2),
                c.p.faint,
            )?;
        }
        if let Some(f) = value {
            let y = y_of(f);
            Line::new(Point::new(x - 2, y), Point::new(x + bar_w + 2, y))
                .into_styled(PrimitiveStyle::with_stroke(c.p.text, 3))
                .draw(t)?;
        }
    } else {
        // The bar on top, labels below; 0.01 lx at the left.
        let left = a.top_left.x + char_w * 2;
        let len = px(a.size.width) - char_w * 4;
        let bar_h = c.line();
        let y = a.top_left.y + c.pad();
        if len < 8 {
            return Ok(());
        }
        let x_of = |f: f32| left + round_px(f * len as f32);
        for (from, to, color) in bands(c.p) {
            let (x0, x1) = (x_of(decade_fraction(from)), x_of(decade_fraction(to)));
            t.fill_solid(
                &Rectangle::new(
                    Point::new(x0, y),
                    Size::new((x1 - x0).unsigned_abs(), bar_h.unsigned_abs()),
                ),
                color,
            )?;
        }
        let room = len / (char_w * 5);
        let step = if room > decades { 1 } else { 2 };
        for (i, label) in DECADE_LABELS.iter().enumerate().step_by(step) {
            let x = x_of(i as f32 / decades as f32);
            let w = px(label.len()) * char_w;
            c.text(
                t,
                label,
                Point::new(x - w / 2, y + bar_h + c.pad()),
                c.p.faint,
            )?;
        }
        if let Some(f) = value {
            let x = x_of(f);
            Line::new(Point::new(x, y - 2), Point::new(x, y + bar_h + 2))
                .into_styled(PrimitiveStyle::with_stroke(c.p.text, 3))
                .draw(t)?;
        }
    }
    Ok(())
}
