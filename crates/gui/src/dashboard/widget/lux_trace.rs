//! Illuminance over time on the gauge's log scale, over its bands.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, Polyline, PrimitiveStyle, Rectangle};

use super::lux_scale::{LUX_DECADES, bands, decade_fraction, lux_fraction};
use crate::dashboard::canvas::{Ctx, Target, round_px};

pub(super) fn draw<T: Target>(
    c: &Ctx<'_>,
    points: &mut Vec<Point>,
    t: &mut T,
) -> Result<(), T::Error> {
    let state = c.state;
    c.title(t, "lux, log scale")?;
    let Some(plot) = c.plot() else {
        return Ok(());
    };
    let (top, bottom, left, right) = (plot.top, plot.bottom, plot.left, plot.right);
    let h = bottom - top;
    let y_of = |f: f32| bottom - round_px(f * h as f32);
    for (from, to, color) in bands(c.p) {
        let (y0, y1) = (y_of(decade_fraction(to)), y_of(decade_fraction(from)));
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
        let y = y_of(decade_fraction(d));
        Line::new(Point::new(left, y), Point::new(right, y))
            .into_styled(PrimitiveStyle::with_stroke(c.p.grid, 1))
            .draw(t)?;
    }
    let history = state.light_history();
    let (n, x0) = plot.columns(history.len());
    points.clear();
    points.extend(
        (x0..)
            .zip(history.last(n))
            .map(|(x, v)| Point::new(x, y_of(lux_fraction(v)))),
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
