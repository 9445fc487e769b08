//! The dashboard: three pages (motion, light, health), a header with the
//! page tabs and link status, and a banner line, drawn with
//! embedded-graphics onto any `DrawTarget<Color = Rgb888>`.
//!
//! Each widget owns a rectangle of the [`Layout`]. The dashboard keeps a
//! dirty flag per widget: [`Dashboard::invalidate`] marks the widgets that
//! show what changed (a new IMU sample dirties the level and the motion
//! traces, and only on the motion page), and [`Dashboard::draw`] repaints
//! only those, returning their rectangles so a display copies no more.
//! The one exception to owned rectangles: a banner text longer than a line
//! wraps, and the banner grows upwards over the page. It is drawn last,
//! again whenever a widget under it is, and when it shrinks or goes the
//! widgets it covered are drawn anew.
//!
//! | module | what |
//! |---|---|
//! | this one | [`Page`], [`Dashboard`]: the page shown, the dirty set, the draw loop |
//! | `palette` | [`Palette`]: the colours, bright and dimmed |
//! | `canvas` | what widgets draw with: text in the layout's fonts, fitting text |
//! | `widget` | the list of widgets, then one module each: `header`, `banner`, `horizon`, `motion_trace` (accel and gyro), `lux_readout`, `lux_gauge`, `lux_trace` (with `lux_scale`), `processes`, `links` |
//!
//! ```
//! use embedded_graphics::prelude::*;
//! use gui::dashboard::{Dashboard, Page};
//! use gui::headless::HeadlessScreen;
//! use gui::state::{Changes, State, StateConfig};
//!
//! let mut screen = HeadlessScreen::new(Size::new(320, 240));
//! let mut dashboard = Dashboard::new(screen.size());
//! let state = State::new(StateConfig::default());
//! let damage = dashboard.draw(&state, &mut screen).unwrap();
//! assert_eq!(damage.len(), 1, "the first frame paints the whole screen");
//! dashboard.invalidate(Changes::LIGHT);
//! assert!(!dashboard.is_dirty(), "the light widgets are not on the motion page");
//! dashboard.set_page(Page::Light);
//! assert!(dashboard.is_dirty());
//! ```

mod canvas;
mod palette;
mod widget;

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::layout::Layout;
use crate::state::{HISTORY_LEN, State};

use canvas::Ctx;
use widget::Widget;

pub use palette::Palette;
pub use widget::banner::GESTURE_HINT;
pub use widget::horizon::LEVEL_MG;
pub use widget::lux_scale::{DAY_FROM_LUX, LUX_DECADES, NIGHT_BELOW_LUX, light_band, lux_fraction};
pub use widget::motion_trace::{ACCEL_SCALE_MG, GYRO_SCALE_MDPS};

/// A page of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// The level and the motion traces.
    Motion,
    /// Illuminance: readout, gauge and trace.
    Light,
    /// Processes and links.
    Health,
}

impl Page {
    /// Every page, in tab order.
    pub const ALL: [Page; 3] = [Page::Motion, Page::Light, Page::Health];

    /// The page after this one (wrapping).
    pub fn next(self) -> Page {
        match self {
            Page::Motion => Page::Light,
            Page::Light => Page::Health,
            Page::Health => Page::Motion,
        }
    }

    /// The page before this one (wrapping).
    pub fn previous(self) -> Page {
        match self {
            Page::Motion => Page::Health,
            Page::Light => Page::Motion,
            Page::Health => Page::Light,
        }
    }

    /// Its tab title.
    pub fn title(self) -> &'static str {
        match self {
            Page::Motion => "MOTION",
            Page::Light => "LIGHT",
            Page::Health => "HEALTH",
        }
    }

    /// Its name in file names and on the command line (`motion`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Page::Motion => "motion",
            Page::Light => "light",
            Page::Health => "health",
        }
    }
}

/// The dashboard: the page shown, the dirty widgets, the layout.
#[derive(Debug)]
pub struct Dashboard {
    layout: Layout,
    page: Page,
    dim: bool,
    dirty: u16,
    /// Paint the whole screen first (first frame, page or palette change).
    full: bool,
    /// Where the banner is: its line of the layout, or taller over the
    /// page while a long text needs more lines.
    banner: Rectangle,
    damage: Vec<Rectangle>,
    points: Vec<Point>,
    line: String,
}

impl Dashboard {
    /// A dashboard for a screen of `size`, on the motion page, everything
    /// to be drawn.
    pub fn new(size: Size) -> Self {
        let layout = Layout::for_size(size);
        Dashboard {
            banner: layout.banner,
            layout,
            page: Page::Motion,
            dim: false,
            dirty: 0,
            full: true,
            damage: Vec::with_capacity(8),
            points: Vec::with_capacity(HISTORY_LEN),
            line: String::with_capacity(128),
        }
    }

    /// The layout in use.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The page shown.
    pub fn page(&self) -> Page {
        self.page
    }

    /// Shows `page` (everything is drawn anew); returns whether it changed.
    pub fn set_page(&mut self, page: Page) -> bool {
        if page == self.page {
            return false;
        }
        self.page = page;
        self.full = true;
        true
    }

    /// Whether the dimmed palette is in use.
    pub fn is_dim(&self) -> bool {
        self.dim
    }

    /// Switches to the dimmed palette or back (everything is drawn anew).
    pub fn set_dim(&mut self, dim: bool) {
        if dim != self.dim {
            self.dim = dim;
            self.full = true;
        }
    }

    /// The palette in use.
    pub fn palette(&self) -> &'static Palette {
        if self.dim {
            &Palette::DIM
        } else {
            &Palette::NORMAL
        }
    }

    /// Marks the widgets of the current page that show `changes` as dirty.
    pub fn invalidate(&mut self, changes: crate::state::Changes) {
        use crate::state::Changes;
        let mut bits = 0;
        if changes.intersects(Changes::BANNER) {
            bits |= Widget::Banner.bit();
        }
        if changes.intersects(Changes::LINKS) {
            bits |= Widget::Header.bit() | Widget::Links.bit();
        }
        if changes.intersects(Changes::PROCESSES) {
            bits |= Widget::Processes.bit();
        }
        if changes.intersects(Changes::MOTION) {
            bits |= Widget::Horizon.bit() | Widget::AccelTrace.bit() | Widget::GyroTrace.bit();
        }
        if changes.intersects(Changes::LIGHT) {
            bits |= Widget::LuxReadout.bit() | Widget::LuxGauge.bit() | Widget::LuxTrace.bit();
        }
        let shown = Widget::of_page(self.page)
            .iter()
            .fold(Widget::Header.bit() | Widget::Banner.bit(), |m, w| {
                m | w.bit()
            });
        self.dirty |= bits & shown;
    }

    /// Marks the whole screen for drawing.
    pub fn invalidate_all(&mut self) {
        self.full = true;
    }

    /// Whether [`Dashboard::draw`] has anything to draw.
    pub fn is_dirty(&self) -> bool {
        self.full || self.dirty != 0
    }

    /// Draws the dirty widgets from `state` and returns the rectangles it
    /// painted (the whole screen after a page change). Nothing is dirty
    /// afterwards.
    pub fn draw<D>(&mut self, state: &State, target: &mut D) -> Result<&[Rectangle], D::Error>
    where
        D: DrawTarget<Color = Rgb888>,
    {
        self.damage.clear();
        let full = core::mem::take(&mut self.full);
        let mut dirty = core::mem::take(&mut self.dirty);
        let palette = self.palette();
        if full {
            let screen = Rectangle::new(Point::zero(), self.layout.size);
            target.fill_solid(&screen, palette.background)?;
            self.damage.push(screen);
        }
        let banner = widget::banner::area(&self.layout, state);
        if banner != self.banner {
            let old = core::mem::replace(&mut self.banner, banner);
            if !full {
                // What a taller banner covered shows again: the gaps
                // between widgets as background, the widgets drawn anew.
                target.fill_solid(&old, palette.background)?;
                self.damage.push(old);
                dirty |= self.under(old) | Widget::Banner.bit();
            }
        }
        // A widget drawn under a tall banner paints over it.
        if dirty & self.under(banner) != 0 {
            dirty |= Widget::Banner.bit();
        }
        // The banner last: a tall one lies over the page.
        let widgets = [Widget::Header]
            .into_iter()
            .chain(Widget::of_page(self.page).iter().copied())
            .chain([Widget::Banner]);
        for widget in widgets {
            if full || dirty & widget.bit() != 0 {
                let area = self.draw_widget(widget, state, palette, target)?;
                if !full && !area.is_zero_sized() {
                    self.damage.push(area);
                }
            }
        }
        Ok(&self.damage)
    }

    /// The dirty bits of the current page's widgets that `area` overlaps.
    fn under(&self, area: Rectangle) -> u16 {
        Widget::of_page(self.page)
            .iter()
            .filter(|w| !w.area(&self.layout).intersection(&area).is_zero_sized())
            .fold(0, |bits, w| bits | w.bit())
    }

    /// Clears the widget's rectangle and draws it inside it.
    fn draw_widget<D>(
        &mut self,
        widget: Widget,
        state: &State,
        p: &Palette,
        target: &mut D,
    ) -> Result<Rectangle, D::Error>
    where
        D: DrawTarget<Color = Rgb888>,
    {
        let area = match widget {
            Widget::Banner => self.banner,
            _ => widget.area(&self.layout),
        };
        if area.is_zero_sized() {
            return Ok(area);
        }
        let background = match widget {
            Widget::Header => p.panel,
            _ => p.background,
        };
        target.fill_solid(&area, background)?;
        let mut t = target.clipped(&area);
        let ctx = Ctx {
            l: &self.layout,
            p,
            area,
            state,
            page: self.page,
        };
        widget.draw(&ctx, &mut self.line, &mut self.points, &mut t)?;
        Ok(area)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cycle_both_ways() {
        for page in Page::ALL {
            assert_eq!(page.next().previous(), page);
            assert_ne!(page.next(), page);
        }
        assert_eq!(Page::Health.next(), Page::Motion);
    }
}
