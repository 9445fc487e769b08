//! The widgets of the dashboard, one module each: what each draws inside
//! its rectangle of the [`Layout`]. [`Widget`] lists them, with their
//! dirty bits, the page that shows them, their rectangles and their
//! drawing functions.

pub(super) mod banner;
pub(super) mod header;
pub(super) mod horizon;
pub(super) mod links;
pub(super) mod lux_gauge;
pub(super) mod lux_readout;
pub(super) mod lux_scale;
pub(super) mod lux_trace;
pub(super) mod motion_trace;
pub(super) mod processes;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use super::Page;
use super::canvas::{Ctx, Target};
use crate::layout::Layout;

/// The widgets; each has a bit in the dirty set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Widget {
    Header,
    Banner,
    Horizon,
    AccelTrace,
    GyroTrace,
    LuxReadout,
    LuxGauge,
    LuxTrace,
    Processes,
    Links,
}

impl Widget {
    pub(super) const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The widgets of `page`, besides the header and banner.
    pub(super) fn of_page(page: Page) -> &'static [Widget] {
        match page {
            Page::Motion => &[Widget::Horizon, Widget::AccelTrace, Widget::GyroTrace],
            Page::Light => &[Widget::LuxReadout, Widget::LuxGauge, Widget::LuxTrace],
            Page::Health => &[Widget::Processes, Widget::Links],
        }
    }

    /// Its rectangle in `layout`.
    pub(super) fn area(self, layout: &Layout) -> Rectangle {
        let l = layout;
        match self {
            Widget::Header => l.header,
            // Its one-line place; `banner::area` makes it taller.
            Widget::Banner => l.banner,
            Widget::Horizon => l.horizon,
            Widget::AccelTrace => l.accel_trace,
            Widget::GyroTrace => l.gyro_trace,
            Widget::LuxReadout => l.lux_readout,
            Widget::LuxGauge => l.lux_gauge,
            Widget::LuxTrace => l.lux_trace,
            Widget::Processes => l.processes,
            Widget::Links => l.links,
        }
    }

    /// Draws it inside `c.area` (cleared), with `line` and `points` as
    /// scratch space.
    pub(super) fn draw<T: Target>(
        self,
        c: &Ctx<'_>,
        line: &mut String,
        points: &mut Vec<Point>,
        t: &mut T,
    ) -> Result<(), T::Error> {
        match self {
            Widget::Header => header::draw(c, t),
            Widget::Banner => banner::draw(c, line, t),
            Widget::Horizon => horizon::draw(c, line, t),
            Widget::AccelTrace => motion_trace::ACCEL_TRACE.draw(c, points, t),
            Widget::GyroTrace => motion_trace::GYRO_TRACE.draw(c, points, t),
            Widget::LuxReadout => lux_readout::draw(c, line, t),
            Widget::LuxGauge => lux_gauge::draw(c, t),
            Widget::LuxTrace => lux_trace::draw(c, points, t),
            Widget::Processes => processes::draw(c, line, t),
            Widget::Links => links::draw(c, line, t),
        }
    }
}
