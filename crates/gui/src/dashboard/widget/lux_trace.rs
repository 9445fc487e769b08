//! Illuminance over time on the gauge's log scale, over its bands.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, Polyline, PrimitiveStyle, Rectangle};

use super::lux_scale::{LUX_DECADES, lux_fraction};
use crate::dashboard::canvas::{Ctx, px};
use crate::state::State;

pub(super) fn draw<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    points: &mut Vec<Point>,
    t: &mut D,
) -> Result<(), D::Error> {
    let a = c.area;
    c.text(
        t,
        "lux, log scale",
        a.top_left + Point::new(c.pad(), 0),
        c.p.text,
    )?;
    let top = a.top_left.y + c.line() + c.pad();
    let bottom = a.top_left.y + px(a.size.height) - 1;
    let (left, right) = (a.top_left.x, a.top_left.x + px(a.size.width) - 1);
    if bottom - top < 4 || right - left < 4 {
        return Ok(());
    }
    let h = bottom - top;
    let y_of = |f: f32| bottom - (f * h as f32).round() as i32;
    let decades = (LUX_DECADES.1 - LUX_DECADES.0) as f32;
    let frac = |d: i32| (d - LUX_DECADES.0) as f32 / decades;
    let bands = [
        (LUX_DECADES.0, 1, c.p.bands[0]),
        (1, 3, c.p.bands[1]),
        (3, LUX_DECADES.1, c.p.bands[2]),
    ];
    for (from, to, color) in bands {
        let (y0, y1) = (y_of(frac(to)), y_of(frac(from)));
        let band = Rectangle::new(
            Point::new(left, y0),
            Size::new(
                (right - left + 1).unsigned_abs(),
                (y1 - y0 + 1).unsigned_abs(),
            ),
        );
        t.fill_solid(&band, color)?;
    }
    for d in LUX_DECADES.0 + 1..LUX_DECADES.1 {
        let y = y_of(frac(d));
        Line::new(Point::new(left, y), Point::new(right, y))
            .into_styled(PrimitiveStyle::with_stroke(c.p.grid, 1))
            .draw(t)?;
    }
    let history = state.light_history();
    let width = (right - left + 1) as usize;
    let n = history.len().min(width);
    let x0 = right - (n as i32 - 1);
    points.clear();
    points.extend(
        history
            .last(n)
            .enumerate()
            .map(|(i, v)| Point::new(x0 + i as i32, y_of(lux_fraction(v)))),
    );
    if points.len() >= 2 {
        // Two 1-pixel lines, not one 2-pixel one: embedded-graphics draws
        // thick polylines with joins, 50 times slower (28 ms at 800x480).
        let style = PrimitiveStyle::with_stroke(c.p.text, 1);
        Polyline::new(points).into_styled(style).draw(t)?;
        points.iter_mut().for_each(|p| p.y -= 1);
        Polyline::new(points).into_styled(style).draw(t)?;
    }
    Ok(())
}
