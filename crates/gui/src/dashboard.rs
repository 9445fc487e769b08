//! The dashboard: three pages (motion, light, health), a header with the
//! page tabs and link status, and a banner line, drawn with
//! embedded-graphics onto any `DrawTarget<Color = Rgb888>`.
//!
//! Each widget owns a rectangle of the [`Layout`]. The dashboard keeps a
//! dirty flag per widget: [`Dashboard::invalidate`] marks the widgets that
//! show what changed (a new IMU sample dirties the level and the motion
//! traces, and only on the motion page), and [`Dashboard::draw`] repaints
//! only those, returning their rectangles so a display copies no more.
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

use core::fmt::Write as _;

use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, Line, Polyline, PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Baseline, Text};
use wire::{ExitStatus, RunState};

use crate::layout::{Layout, Orientation};
use crate::state::{BannerKind, HISTORY_LEN, LinkHealth, MotionPoint, Sensor, State};

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

/// The colours of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Screen background.
    pub background: Rgb888,
    /// Header background.
    pub panel: Rgb888,
    /// Text.
    pub text: Rgb888,
    /// Secondary text, axes.
    pub faint: Rgb888,
    /// Grid lines.
    pub grid: Rgb888,
    /// The current tab, the level's outline.
    pub accent: Rgb888,
    /// Healthy.
    pub ok: Rgb888,
    /// Attention.
    pub warn: Rgb888,
    /// Broken.
    pub bad: Rgb888,
    /// Traces of the x, y and z axes.
    pub axes: [Rgb888; 3],
    /// Light bands: night, twilight, day.
    pub bands: [Rgb888; 3],
    /// Banner backgrounds: gesture, info, error.
    pub banners: [Rgb888; 3],
}

/// A colour, at half brightness when `dim`.
const fn shade(r: u8, g: u8, b: u8, dim: bool) -> Rgb888 {
    if dim {
        Rgb888::new(r / 2, g / 2, b / 2)
    } else {
        Rgb888::new(r, g, b)
    }
}

impl Palette {
    /// The normal, bright palette.
    pub const NORMAL: Palette = Palette::new(false);

    /// The dimmed palette: every foreground at half brightness.
    pub const DIM: Palette = Palette::new(true);

    const fn new(dim: bool) -> Palette {
        Palette {
            background: shade(12, 14, 18, false),
            panel: shade(30, 34, 44, dim),
            text: shade(232, 234, 238, dim),
            faint: shade(136, 142, 156, dim),
            grid: shade(50, 56, 68, dim),
            accent: shade(90, 170, 255, dim),
            ok: shade(80, 200, 120, dim),
            warn: shade(240, 180, 60, dim),
            bad: shade(235, 80, 70, dim),
            axes: [
                shade(240, 96, 96, dim),
                shade(96, 214, 128, dim),
                shade(104, 156, 255, dim),
            ],
            bands: [
                shade(22, 30, 72, dim),
                shade(66, 48, 104, dim),
                shade(108, 92, 34, dim),
            ],
            banners: [
                shade(28, 78, 140, dim),
                shade(28, 98, 58, dim),
                shade(132, 32, 32, dim),
            ],
        }
    }
}

/// The widgets; each has a bit in the dirty set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Widget {
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
    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The widgets of `page`, besides the header and banner.
    fn of_page(page: Page) -> &'static [Widget] {
        match page {
            Page::Motion => &[Widget::Horizon, Widget::AccelTrace, Widget::GyroTrace],
            Page::Light => &[Widget::LuxReadout, Widget::LuxGauge, Widget::LuxTrace],
            Page::Health => &[Widget::Processes, Widget::Links],
        }
    }
}

/// Full scale of the acceleration traces, milli-g.
pub const ACCEL_SCALE_MG: i32 = 2_000;
/// Full scale of the angular rate traces, milli-degrees per second.
pub const GYRO_SCALE_MDPS: i32 = 250_000;
/// The light scale, log10 of lux: 0.01 lx to 100 klx.
pub const LUX_DECADES: (i32, i32) = (-2, 5);
/// Below this is night, lux (log10 = 1).
pub const NIGHT_BELOW_LUX: u32 = 10;
/// From this on is day, lux (log10 = 3).
pub const DAY_FROM_LUX: u32 = 1_000;

/// The dashboard: the page shown, the dirty widgets, the layout.
#[derive(Debug)]
pub struct Dashboard {
    layout: Layout,
    page: Page,
    dim: bool,
    dirty: u16,
    /// Paint the whole screen first (first frame, page or palette change).
    full: bool,
    damage: Vec<Rectangle>,
    points: Vec<Point>,
    line: String,
}

impl Dashboard {
    /// A dashboard for a screen of `size`, on the motion page, everything
    /// to be drawn.
    pub fn new(size: Size) -> Self {
        Dashboard {
            layout: Layout::for_size(size),
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
        let dirty = core::mem::take(&mut self.dirty);
        let palette = self.palette();
        if full {
            let screen = Rectangle::new(Point::zero(), self.layout.size);
            target.fill_solid(&screen, palette.background)?;
            self.damage.push(screen);
        }
        let widgets = [Widget::Header, Widget::Banner]
            .into_iter()
            .chain(Widget::of_page(self.page).iter().copied());
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

    fn area(&self, widget: Widget) -> Rectangle {
        let l = &self.layout;
        match widget {
            Widget::Header => l.header,
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
        let area = self.area(widget);
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
        };
        let (points, line) = (&mut self.points, &mut self.line);
        match widget {
            Widget::Header => header(&ctx, self.page, state, &mut t)?,
            Widget::Banner => banner(&ctx, state, line, &mut t)?,
            Widget::Horizon => horizon(&ctx, state, line, &mut t)?,
            Widget::AccelTrace => ACCEL_TRACE.draw(&ctx, state, points, &mut t)?,
            Widget::GyroTrace => GYRO_TRACE.draw(&ctx, state, points, &mut t)?,
            Widget::LuxReadout => lux_readout(&ctx, state, line, &mut t)?,
            Widget::LuxGauge => lux_gauge(&ctx, state, &mut t)?,
            Widget::LuxTrace => lux_trace(&ctx, state, points, &mut t)?,
            Widget::Processes => processes(&ctx, state, line, &mut t)?,
            Widget::Links => links(&ctx, state, line, &mut t)?,
        }
        Ok(area)
    }
}

/// What every widget needs: the layout, the palette, its rectangle.
struct Ctx<'a> {
    l: &'a Layout,
    p: &'a Palette,
    area: Rectangle,
}

impl Ctx<'_> {
    fn pad(&self) -> i32 {
        px(self.l.pad)
    }

    fn line(&self) -> i32 {
        px(self.l.line_height)
    }

    /// Draws `s` in the text font with its top-left corner at `at`; returns
    /// the point after it.
    fn text<D: DrawTarget<Color = Rgb888>>(
        &self,
        t: &mut D,
        s: &str,
        at: Point,
        color: Rgb888,
    ) -> Result<Point, D::Error> {
        text_in(t, self.l.font, s, at, color)
    }

    /// Draws `s` in the big font, scaled, top-left at `at`.
    fn big_text<D: DrawTarget<Color = Rgb888>>(
        &self,
        t: &mut D,
        s: &str,
        at: Point,
        color: Rgb888,
    ) -> Result<(), D::Error> {
        let scale = self.l.big_scale.max(1);
        if scale == 1 {
            text_in(t, self.l.big_font, s, at, color)?;
        } else {
            let mut scaled = Scaled { target: t, scale };
            text_in(&mut scaled, self.l.big_font, s, at / px(scale), color)?;
        }
        Ok(())
    }

    /// The characters of the text font that fit across the widget.
    fn chars(&self) -> usize {
        self.l
            .chars_in(self.area.size.width.saturating_sub(2 * self.l.pad))
    }
}

fn text_in<D: DrawTarget<Color = Rgb888>>(
    t: &mut D,
    font: &MonoFont<'_>,
    s: &str,
    at: Point,
    color: Rgb888,
) -> Result<Point, D::Error> {
    Text::with_baseline(s, at, MonoTextStyle::new(font, color), Baseline::Top).draw(t)
}

/// A pixel count as a coordinate (screens are far below `i32::MAX`).
fn px(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// `s` cut to `n` characters (the fonts are ASCII: bytes are characters).
fn fit(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A draw target that draws every pixel as a `scale` x `scale` square: big
/// readouts on large screens from the largest mono font.
struct Scaled<'a, D> {
    target: &'a mut D,
    scale: u32,
}

impl<D: DrawTarget> Dimensions for Scaled<'_, D> {
    fn bounding_box(&self) -> Rectangle {
        let b = self.target.bounding_box();
        Rectangle::new(b.top_left / px(self.scale), b.size / self.scale)
    }
}

impl<D: DrawTarget> DrawTarget for Scaled<'_, D> {
    type Color = D::Color;
    type Error = D::Error;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        let size = Size::new(self.scale, self.scale);
        for Pixel(p, color) in pixels {
            let square = Rectangle::new(p * px(self.scale), size);
            self.target.fill_solid(&square, color)?;
        }
        Ok(())
    }
}

fn header<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    page: Page,
    state: &State,
    t: &mut D,
) -> Result<(), D::Error> {
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
        x -= char_w * (px(name.len() as u32) + 1);
        c.text(t, name, Point::new(x, a.top_left.y + c.pad()), c.p.faint)?;
        x -= char_w * 2;
    }
    Ok(())
}

/// What each gesture does, shown when no banner is up.
pub const GESTURE_HINT: &str =
    "double tap/tilt right: next page  tilt left: previous  shake: calibrate  wave: dim";

fn banner<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    line: &mut String,
    t: &mut D,
) -> Result<(), D::Error> {
    let at = c.area.top_left + Point::new(c.pad(), c.pad());
    let chars = c.chars();
    match state.banner() {
        Some(b) => {
            let (bg, fg) = match b.kind {
                BannerKind::Gesture => (c.p.banners[0], c.p.text),
                BannerKind::Info => (c.p.banners[1], c.p.text),
                BannerKind::Error => (c.p.banners[2], c.p.text),
            };
            t.fill_solid(&c.area, bg)?;
            c.text(t, fit(&b.text, chars), at, fg)?;
        }
        None => {
            line.clear();
            line.push_str(GESTURE_HINT);
            c.text(t, fit(line, chars), at, c.p.faint)?;
        }
    }
    Ok(())
}

/// `-0.012` from `-12` thousandths, with `decimals` digits (1 to 3).
fn write_milli(out: &mut String, v: i64, decimals: u32) {
    let decimals = decimals.clamp(1, 3);
    let div = 10i64.pow(3 - decimals);
    // Round half away from zero at the last digit shown.
    let rounded = (v.abs() + div / 2) / div;
    let unit = 10i64.pow(decimals);
    let sign = if v < 0 && rounded != 0 { "-" } else { "" };
    let _ = write!(
        out,
        "{sign}{}.{:0width$}",
        rounded / unit,
        rounded % unit,
        width = decimals as usize
    );
}

fn horizon<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    line: &mut String,
    t: &mut D,
) -> Result<(), D::Error> {
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
            center.x + (nx - dx * rf).round() as i32,
            center.y + (ny - dy * rf).round() as i32,
        );
        let p2 = Point::new(
            center.x + (nx + dx * rf).round() as i32,
            center.y + (ny + dy * rf).round() as i32,
        );
        Line::new(p1, p2)
            .into_styled(PrimitiveStyle::with_stroke(c.p.text, 3))
            .draw(t)?;
    }
    // The bubble floats to the high side: opposite the tilt.
    let [ax_i, ay_i, _] = imu.accel_mg;
    let off = |v: i32| (-i64::from(v) * i64::from(bubble_range) / 1000) as i32;
    let (mut bx, mut by) = (off(ay_i), off(ax_i));
    let bubble_r = (r / 8).max(3);
    let limit = (r - bubble_r).max(0) as f32;
    let dist = ((bx * bx + by * by) as f32).sqrt();
    if dist > limit && dist > 0.0 {
        bx = (bx as f32 * limit / dist).round() as i32;
        by = (by as f32 * limit / dist).round() as i32;
    }
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

/// A three-axis trace with a title line, a zero line and half-scale lines.
struct Trace {
    title: &'static str,
    unit: &'static str,
    full_scale: i32,
    unit_scale: i32,
    /// The three values of a sample it plots.
    pick: fn(&MotionPoint) -> [i32; 3],
}

const ACCEL_TRACE: Trace = Trace {
    title: "accel",
    unit: "g",
    full_scale: ACCEL_SCALE_MG,
    unit_scale: 1_000,
    pick: |m| m.accel_mg,
};

const GYRO_TRACE: Trace = Trace {
    title: "gyro",
    unit: "deg/s",
    full_scale: GYRO_SCALE_MDPS,
    unit_scale: 1_000,
    pick: |m| m.gyro_mdps,
};

impl Trace {
    fn draw<D>(
        &self,
        c: &Ctx<'_>,
        state: &State,
        points: &mut Vec<Point>,
        t: &mut D,
    ) -> Result<(), D::Error>
    where
        D: DrawTarget<Color = Rgb888>,
    {
        let a = c.area;
        let mut at = a.top_left + Point::new(c.pad(), 0);
        at = c.text(t, self.title, at, c.p.text)?;
        at.x += px(c.l.font.character_size.width);
        for (name, color) in ["x", "y", "z"].into_iter().zip(c.p.axes) {
            at = c.text(t, name, at, color)?;
            at.x += px(c.l.font.character_size.width);
        }
        let mut label = String::with_capacity(16);
        let _ = write!(
            label,
            "+/-{} {}",
            self.full_scale / self.unit_scale,
            self.unit
        );
        c.text(t, &label, at, c.p.faint)?;
        // The plot below the title line.
        let top = a.top_left.y + c.line() + c.pad();
        let bottom = a.top_left.y + px(a.size.height) - 1;
        let (left, right) = (a.top_left.x, a.top_left.x + px(a.size.width) - 1);
        if bottom - top < 4 || right - left < 4 {
            return Ok(());
        }
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
        let width = (right - left + 1) as usize;
        let history = state.motion_history();
        let n = history.len().min(width);
        // Newest at the right edge, one sample per pixel.
        let x0 = right - (n as i32 - 1);
        for (axis, color) in c.p.axes.into_iter().enumerate() {
            points.clear();
            let values = history.last(n).map(|m| (self.pick)(&m)[axis]);
            points.extend(values.enumerate().map(|(i, v)| {
                let v = i64::from(v.clamp(-self.full_scale, self.full_scale));
                let dy = v * i64::from(half) / i64::from(self.full_scale);
                Point::new(x0 + i as i32, mid - dy as i32)
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

/// The lux text: two decimals below 10 lx, one below 1000, none above.
fn write_lux(out: &mut String, milli_lux: u32) {
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

fn lux_readout<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    line: &mut String,
    t: &mut D,
) -> Result<(), D::Error> {
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

/// The decade labels of the light scale.
const DECADE_LABELS: [&str; 8] = ["0.01", "0.1", "1", "10", "100", "1k", "10k", "100k"];

fn lux_gauge<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    t: &mut D,
) -> Result<(), D::Error> {
    let a = c.area;
    let char_w = px(c.l.font.character_size.width + c.l.font.character_spacing);
    let vertical = c.l.orientation == Orientation::Landscape;
    let decades = (LUX_DECADES.1 - LUX_DECADES.0) as usize;
    let bands = [
        (LUX_DECADES.0, 1, c.p.bands[0]),
        (1, 3, c.p.bands[1]),
        (3, LUX_DECADES.1, c.p.bands[2]),
    ];
    let frac = |d: i32| (d - LUX_DECADES.0) as f32 / decades as f32;
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
        let y_of = |f: f32| top + len - (f * len as f32).round() as i32;
        for (from, to, color) in bands {
            let (y0, y1) = (y_of(frac(to)), y_of(frac(from)));
            t.fill_solid(
                &Rectangle::new(
                    Point::new(x, y0),
                    Size::new(bar_w.unsigned_abs(), (y1 - y0).unsigned_abs()),
                ),
                color,
            )?;
        }
        let step = if len / c.line() > decades as i32 {
            1
        } else {
            2
        };
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
        let x_of = |f: f32| left + (f * len as f32).round() as i32;
        for (from, to, color) in bands {
            let (x0, x1) = (x_of(frac(from)), x_of(frac(to)));
            t.fill_solid(
                &Rectangle::new(
                    Point::new(x0, y),
                    Size::new((x1 - x0).unsigned_abs(), bar_h.unsigned_abs()),
                ),
                color,
            )?;
        }
        let room = len / (char_w * 5);
        let step = if room > decades as i32 { 1 } else { 2 };
        for (i, label) in DECADE_LABELS.iter().enumerate().step_by(step) {
            let x = x_of(i as f32 / decades as f32);
            let w = px(label.len() as u32) * char_w;
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

fn lux_trace<D: DrawTarget<Color = Rgb888>>(
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

fn processes<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    line: &mut String,
    t: &mut D,
) -> Result<(), D::Error> {
    let a = c.area;
    let mut at = a.top_left + Point::new(c.pad(), 0);
    c.text(t, "processes", at, c.p.text)?;
    at.y += c.line() + c.pad();
    let chars = c.chars();
    if state.processes().is_empty() {
        c.text(t, fit("no STATE frames yet", chars), at, c.p.faint)?;
        return Ok(());
    }
    let bottom = a.top_left.y + px(a.size.height);
    for p in state.processes() {
        if at.y + c.line() > bottom {
            break;
        }
        let color = match p.state {
            RunState::Started => c.p.ok,
            RunState::Exited => c.p.warn,
            RunState::Failed => c.p.bad,
            RunState::Stopped => c.p.faint,
        };
        line.clear();
        let _ = write!(
            line,
            "{:<8} {:<7} restarts {}",
            p.name,
            p.state.wire_name(),
            p.restarts
        );
        match p.exit {
            Some(ExitStatus::Code(code)) => {
                let _ = write!(line, " exit {code}");
            }
            Some(ExitStatus::Signal { number, core }) => {
                match wire::signal_name(number) {
                    Some(name) => line.push_str(&format!(" {name}")),
                    None => line.push_str(&format!(" sig {number}")),
                }
                if core {
                    line.push_str(" core");
                }
            }
            None => {}
        }
        if p.state == RunState::Started {
            let _ = write!(line, " pid {}", p.pid);
        }
        c.text(t, fit(line, chars), at, color)?;
        at.y += c.line();
    }
    Ok(())
}

fn links<D: DrawTarget<Color = Rgb888>>(
    c: &Ctx<'_>,
    state: &State,
    line: &mut String,
    t: &mut D,
) -> Result<(), D::Error> {
    let a = c.area;
    let mut at = a.top_left + Point::new(c.pad(), 0);
    c.text(t, "links", at, c.p.text)?;
    at.y += c.line() + c.pad();
    let chars = c.chars();
    let bottom = a.top_left.y + px(a.size.height);
    let put = |t: &mut D, line: &str, color, at: &mut Point| -> Result<(), D::Error> {
        if at.y + c.line() <= bottom {
            c.text(t, fit(line, chars), *at, color)?;
        }
        at.y += c.line();
        Ok(())
    };
    for sensor in Sensor::ALL {
        let link: &LinkHealth = state.link(sensor);
        let stale = state.is_stale(sensor);
        line.clear();
        let _ = write!(
            line,
            "{:<7}{}",
            sensor.process_name(),
            if stale { "stale" } else { "ok" }
        );
        if let Some(v) = &link.version {
            let _ = write!(line, "  v{v}");
        }
        put(t, line, if stale { c.p.bad } else { c.p.ok }, &mut at)?;
        line.clear();
        let _ = write!(
            line,
            "  frames {} lost {} err {}",
            link.samples, link.lost, link.errors
        );
        if link.seq_resets > 0 {
            let _ = write!(line, " restarts {}", link.seq_resets);
        }
        let lossy = link.lost > 0 || link.errors > 0;
        put(t, line, if lossy { c.p.warn } else { c.p.faint }, &mut at)?;
        if let Some(s) = link.stats {
            line.clear();
            let _ = write!(
                line,
                "  sent {} drop {} rej {} ioerr {}",
                s.sent, s.dropped, s.rejected, s.errors
            );
            let bad = s.dropped > 0 || s.rejected > 0 || s.errors > 0;
            put(t, line, if bad { c.p.warn } else { c.p.faint }, &mut at)?;
        }
        if let Some(e) = &link.last_error {
            line.clear();
            let _ = write!(line, "  last error: {}", e.code);
            if !e.text.is_empty() {
                let _ = write!(line, " ({})", e.text);
            }
            put(t, line, c.p.bad, &mut at)?;
        }
        if link.commands_unsent > 0 {
            line.clear();
            let _ = write!(line, "  commands unsent {}", link.commands_unsent);
            put(t, line, c.p.warn, &mut at)?;
        }
    }
    line.clear();
    let _ = write!(
        line,
        "gui rx rejected {}  unknown err {}",
        state.rx_rejected(),
        state.unattributed_errors()
    );
    let bad = state.rx_rejected() > 0 || state.unattributed_errors() > 0;
    put(t, line, if bad { c.p.warn } else { c.p.faint }, &mut at)?;
    Ok(())
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

    #[test]
    fn milli_values_format_with_rounding_and_sign() {
        let f = |v, d| {
            let mut s = String::new();
            write_milli(&mut s, v, d);
            s
        };
        assert_eq!(f(-12, 2), "-0.01");
        assert_eq!(f(1003, 2), "1.00");
        assert_eq!(f(1005, 2), "1.01");
        assert_eq!(f(-4, 2), "0.00", "no minus zero");
        assert_eq!(f(2512, 1), "2.5");
        assert_eq!(f(123_456, 3), "123.456");
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

    #[test]
    fn dim_palette_is_darker_but_keeps_the_background() {
        let (n, d) = (Palette::NORMAL, Palette::DIM);
        assert_eq!(n.background, d.background);
        assert!(d.text.r() < n.text.r());
    }
}
