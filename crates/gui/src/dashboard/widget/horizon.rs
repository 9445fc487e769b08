//! The level: a horizon that stays level with the ground, a bubble that
//! floats to the high side, and the acceleration and temperature in text.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, Line, PrimitiveStyle};

use crate::dashboard::canvas::{Ctx, Target, fit, px, round_px, write_milli};

pub(super) fn draw<T: Target>(c: &Ctx<'_>, line: &mut String, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let a = c.area;
    let text_h = 2 * c.line() + c.pad();
    let diameter = a
        .size
        .width
        .min(a.size.height.saturating_sub(text_h.unsigned_abs()));
    let diameter = diameter.saturating_sub(2) & !1;
    let center = Point::new(
        a.top_left.x + px(a.size.width) / 2,
        a.top_left.y + px(diameter) / 2 + 1,
    );
    let r = px(diameter / 2);
    Circle::with_center(center, diameter)
        .into_styled(PrimitiveStyle::with_stroke(c.p.accent, 2))
        .draw(t)?;
    // Crosshair and the level ring (2 degrees, ~35 mg).
    let grid = PrimitiveStyle::with_stroke(c.p.grid, 1);
    Line::new(center - Point::new(r, 0), center + Point::new(r, 0))
        .into_styled(grid)
        .draw(t)?;
    Line::new(center - Point::new(0, r), center + Point::new(0, r))
        .into_styled(grid)
        .draw(t)?;
    let bubble_range = r * 2; // the bubble reaches the rim at 0.5 g of tilt
    let level_r = (bubble_range * LEVEL_MG / 1000).max(3);
    Circle::with_center(center, (level_r * 2).unsigned_abs())
        .into_styled(grid)
        .draw(t)?;
    let text_at = Point::new(
        a.top_left.x + c.pad(),
        a.top_left.y + px(diameter) + c.pad(),
    );
    let Some(imu) = state.imu() else {
        c.text(t, "no motion data", text_at, c.p.faint)?;
        return Ok(());
    };
    let [ax, ay, az] = imu.accel_mg.map(|v| v as f32);
    let g = (ax * ax + ay * ay + az * az).sqrt();
    if g >= 100.0 {
        // The horizon stays level with the ground: roll (right side down
        // is positive, atan2(ay, az) as the gestures crate measures it)
        // turns it the other way; pitch (x) moves it up or down.
        let roll_len = (ay * ay + az * az).sqrt().max(1.0);
        let (dx, dy) = (az / roll_len, -ay / roll_len);
        let shift = (ax / g).clamp(-1.0, 1.0) * r as f32;
        let (nx, ny) = (-dy * shift, dx * shift);
        let rf = r as f32 * 0.9;
        let p1 = Point::new(
            center.x + round_px(nx - dx * rf),
            center.y + round_px(ny - dy * rf),
        );
        let p2 = Point::new(
            center.x + round_px(nx + dx * rf),
            center.y + round_px(ny + dy * rf),
        );
        Line::new(p1, p2)
            .into_styled(PrimitiveStyle::with_stroke(c.p.text, 3))
            .draw(t)?;
    }
    // The bubble floats to the high side: opposite the tilt.
    let [ax_i, ay_i, _] = imu.accel_mg;
    // Saturated: a sensor may send any i32, and the bubble stops at the rim.
    let off = |v: i32| {
        let o = -i64::from(v) * i64::from(bubble_range) / 1000;
        i32::try_from(o).unwrap_or(if o < 0 { i32::MIN } else { i32::MAX })
    };
    let (mut bx, mut by) = (off(ay_i), off(ax_i));
    let bubble_r = (r / 8).max(3);
    let limit = (r - bubble_r).max(0) as f32;
    let square = |v: i32| u64::from(v.unsigned_abs()).pow(2);
    let dist = ((square(bx) + square(by)) as f32).sqrt();
    if dist > limit && dist > 0.0 {
        bx = round_px(bx as f32 * limit / dist);
        by = round_px(by as f32 * limit / dist);
    }
    #[allow(
        clippy::cast_possible_truncation,
        reason = "`as` saturates: a tilt past i32::MAX mg is still tilted"
    )]
    let tilt_mg = ((ax * ax + ay * ay).sqrt()) as i32;
    let bubble_color = if tilt_mg <= LEVEL_MG {
        c.p.ok
    } else {
        c.p.warn
    };
    Circle::with_center(center + Point::new(bx, by), (bubble_r * 2).unsigned_abs())
        .into_styled(PrimitiveStyle::with_fill(bubble_color))
        .draw(t)?;
    line.clear();
    for (name, v) in ["x ", " y ", " z "].iter().zip(imu.accel_mg) {
        line.push_str(name);
        write_milli(line, i64::from(v), 2);
    }
    line.push_str(" g");
    let chars = c.chars();
    c.text(t, fit(line, chars), text_at, c.p.text)?;
    line.clear();
    line.push_str(if tilt_mg <= LEVEL_MG {
        "level"
    } else {
        "tilted"
    });
    line.push_str("  ");
    write_milli(line, i64::from(imu.temp_cc) * 10, 1);
    line.push_str(" C");
    c.text(
        t,
        fit(line, chars),
        text_at + Point::new(0, c.line()),
        c.p.faint,
    )
    .map(drop)
}

/// Tilt within which the level reads "level", milli-g (about 2 degrees).
pub const LEVEL_MG: i32 = 35;
