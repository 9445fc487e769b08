//! The acceleration and angular rate traces: three axes over time.

use core::fmt::Write as _;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, Polyline, PrimitiveStyle};

use crate::dashboard::canvas::{Ctx, Target, px};
use crate::state::MotionPoint;

/// Full scale of the acceleration traces, milli-g.
pub const ACCEL_SCALE_MG: i32 = 2_000;
/// Full scale of the angular rate traces, milli-degrees per second.
pub const GYRO_SCALE_MDPS: i32 = 250_000;

/// A three-axis trace with a title line, a zero line and half-scale lines,
/// of values in thousandths of their unit.
pub(super) struct Trace {
    title: &'static str,
    unit: &'static str,
    /// Full scale, thousandths of `unit`.
    full_scale: i32,
    /// The three values of a sample it plots.
    pick: fn(&MotionPoint) -> [i32; 3],
}

pub(super) const ACCEL_TRACE: Trace = Trace::new("accel", "g", ACCEL_SCALE_MG, |m| m.accel_mg);

pub(super) const GYRO_TRACE: Trace = Trace::new("gyro", "deg/s", GYRO_SCALE_MDPS, |m| m.gyro_mdps);

impl Trace {
    const fn new(
        title: &'static str,
        unit: &'static str,
        full_scale: i32,
        pick: fn(&MotionPoint) -> [i32; 3],
    ) -> Trace {
        Trace {
            title,
            unit,
            full_scale,
            pick,
        }
    }

    pub(super) fn draw<T: Target>(
        &self,
        c: &Ctx<'_>,
        points: &mut Vec<Point>,
        t: &mut T,
    ) -> Result<(), T::Error> {
        let mut at = c.title_at();
        at = c.text(t, self.title, at, c.p.text)?;
        at.x += px(c.l.font.character_size.width);
        for (name, color) in ["x", "y", "z"].into_iter().zip(c.p.axes) {
            at = c.text(t, name, at, color)?;
            at.x += px(c.l.font.character_size.width);
        }
        let mut label = String::with_capacity(16);
        let _ = write!(label, "+/-{} {}", self.full_scale / 1_000, self.unit);
        c.text(t, &label, at, c.p.faint)?;
        let Some(plot) = c.plot() else {
            return Ok(());
        };
        let (top, bottom, left, right) = (plot.top, plot.bottom, plot.left, plot.right);
        let mid = (top + bottom) / 2;
        let half = (bottom - top) / 2;
        let grid = PrimitiveStyle::with_stroke(c.p.grid, 1);
        for y in [top, mid - half / 2, mid + half / 2, bottom] {
            Line::new(Point::new(left, y), Point::new(right, y))
                .into_styled(grid)
                .draw(t)?;
        }
        Line::new(Point::new(left, mid), Point::new(right, mid))
            .into_styled(PrimitiveStyle::with_stroke(c.p.faint, 1))
            .draw(t)?;
        let history = c.state.motion_history();
        let (n, x0) = plot.columns(history.len());
        for (axis, color) in c.p.axes.into_iter().enumerate() {
            points.clear();
            let values = history.last(n).map(|m| (self.pick)(&m)[axis]);
            points.extend((x0..).zip(values).map(|(x, v)| {
                let v = i64::from(v.clamp(-self.full_scale, self.full_scale));
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "|v| <= full_scale: |dy| <= half, an i32"
                )]
                let dy = (v * i64::from(half) / i64::from(self.full_scale)) as i32;
                Point::new(x, mid - dy)
            }));
            if points.len() >= 2 {
                Polyline::new(points)
                    .into_styled(PrimitiveStyle::with_stroke(color, 1))
                    .draw(t)?;
            }
        }
        Ok(())
    }
}
