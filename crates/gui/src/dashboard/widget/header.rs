//! The header: the page tabs, the current one underlined, and a name and
//! a dot per sensor link at the right (green while fresh, red when stale).

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, Line, PrimitiveStyle};

use crate::dashboard::Page;
use crate::dashboard::canvas::{Ctx, Target, px};
use crate::state::Sensor;

pub(super) fn draw<T: Target>(c: &Ctx<'_>, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let page = c.page;
    let a = c.area;
    let mut at = a.top_left + Point::new(c.pad(), c.pad());
    for tab in Page::ALL {
        let color = if tab == page { c.p.accent } else { c.p.faint };
        let end = c.text(t, tab.title(), at, color)?;
        if tab == page {
            let y = at.y + c.line() + c.pad() / 2;
            Line::new(Point::new(at.x, y), Point::new(end.x - 1, y))
                .into_styled(PrimitiveStyle::with_stroke(c.p.accent, 2))
                .draw(t)?;
        }
        at.x = end.x + px(c.l.font.character_size.width) * 2;
    }
    // Link status at the right: a name and a dot per sensor.
    let char_w = px(c.l.font.character_size.width + c.l.font.character_spacing);
    let dot = px(c.l.font.character_size.height * 2 / 3).max(3);
    let mut x = a.top_left.x + px(a.size.width) - c.pad();
    for sensor in Sensor::ALL.into_iter().rev() {
        let color = if state.is_stale(sensor) {
            c.p.bad
        } else {
            c.p.ok
        };
        x -= dot;
        let cy = a.top_left.y + px(a.size.height) / 2;
        Circle::new(Point::new(x, cy - dot / 2), dot.unsigned_abs())
            .into_styled(PrimitiveStyle::with_fill(color))
            .draw(t)?;
        let name = sensor.process_name();
        x -= char_w * (px(name.len()) + 1);
        c.text(t, name, Point::new(x, a.top_left.y + c.pad()), c.p.faint)?;
        x -= char_w * 2;
    }
    Ok(())
}
