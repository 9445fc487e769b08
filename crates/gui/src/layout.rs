//! Where each widget goes, derived from the screen size alone: the font
//! size from the short side, the panel arrangement from the orientation.
//! From 320x240 to 1920x1080, portrait or landscape; smaller screens get
//! the smallest font and whatever fits (nothing panics on any size).

use embedded_graphics::geometry::{Point, Size};
use embedded_graphics::mono_font::MonoFont;
use embedded_graphics::mono_font::ascii::{FONT_6X10, FONT_8X13, FONT_9X15, FONT_10X20};
use embedded_graphics::primitives::Rectangle;

/// Which way the screen is longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Wider than tall (or square).
    Landscape,
    /// Taller than wide.
    Portrait,
}

/// The rectangles of every widget, and the fonts, for one screen size.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The whole screen.
    pub size: Size,
    /// Landscape or portrait.
    pub orientation: Orientation,
    /// The text font.
    pub font: &'static MonoFont<'static>,
    /// The font of big readouts (drawn `big_scale` times larger).
    pub big_font: &'static MonoFont<'static>,
    /// Pixel scale of big readouts: 1, or 2 on large screens.
    pub big_scale: u32,
    /// Space between and inside panels, pixels.
    pub pad: u32,
    /// Height of one line of text, pixels.
    pub line_height: u32,
    /// The top bar: page tabs and link status.
    pub header: Rectangle,
    /// The bottom line: gestures and errors.
    pub banner: Rectangle,
    /// Between the two: the page.
    pub content: Rectangle,
    /// Motion page: the level and horizon.
    pub horizon: Rectangle,
    /// Motion page: acceleration traces.
    pub accel_trace: Rectangle,
    /// Motion page: angular rate traces.
    pub gyro_trace: Rectangle,
    /// Light page: the illuminance in big digits.
    pub lux_readout: Rectangle,
    /// Light page: the log-scale gauge with day and night bands.
    pub lux_gauge: Rectangle,
    /// Light page: illuminance over time, on the gauge's log scale.
    pub lux_trace: Rectangle,
    /// Health page: the supervised processes.
    pub processes: Rectangle,
    /// Health page: the sensor links.
    pub links: Rectangle,
}

impl Layout {
    /// The layout for a screen of `size`.
    pub fn for_size(size: Size) -> Layout {
        let short = size.width.min(size.height);
        let orientation = if size.width >= size.height {
            Orientation::Landscape
        } else {
            Orientation::Portrait
        };
        let (font, big_scale): (&'static MonoFont<'static>, u32) = match short {
            0..300 => (&FONT_6X10, 1),
            300..480 => (&FONT_8X13, 1),
            480..720 => (&FONT_9X15, 1),
            _ => (&FONT_10X20, 2),
        };
        let line_height = font.character_size.height + font.character_spacing.max(1);
        let pad = (line_height / 4).max(2);
        let bar = line_height + 2 * pad;
        let screen = Rectangle::new(Point::zero(), size);
        let (header, rest) = split_top(screen, bar, 0);
        let (content, banner) = split_bottom(rest, bar, 0);
        let content = inset(content, pad);
        let mut layout = Layout {
            size,
            orientation,
            font,
            big_font: &FONT_10X20,
            big_scale,
            pad,
            line_height,
            header,
            banner,
            content,
            horizon: Rectangle::zero(),
            accel_trace: Rectangle::zero(),
            gyro_trace: Rectangle::zero(),
            lux_readout: Rectangle::zero(),
            lux_gauge: Rectangle::zero(),
            lux_trace: Rectangle::zero(),
            processes: Rectangle::zero(),
            links: Rectangle::zero(),
        };
        layout.arrange_pages();
        layout
    }

    /// Height of one line of big readout text, pixels.
    pub fn big_line_height(&self) -> u32 {
        self.big_font.character_size.height * self.big_scale
    }

    /// How many characters of the text font fit in `width` pixels.
    pub fn chars_in(&self, width: u32) -> usize {
        let advance = self.font.character_size.width + self.font.character_spacing;
        (width / advance.max(1)) as usize
    }

    fn arrange_pages(&mut self) {
        let c = self.content;
        let pad = self.pad;
        match self.orientation {
            Orientation::Landscape => {
                // Level on the left (square-ish), the two traces stacked right.
                let side = c.size.height.min(c.size.width * 2 / 5);
                let (left, right) = split_left(c, side, pad);
                self.horizon = left;
                let (top, bottom) = split_top(right, right.size.height / 2, pad);
                self.accel_trace = top;
                self.gyro_trace = bottom;
                // Readout over a vertical gauge on the left, trace on the right.
                let column = (c.size.width * 3 / 10).max(self.big_font.character_size.width * 9);
                let (left, right) = split_left(c, column, pad);
                let readout = 2 * self.line_height + self.big_line_height() + pad;
                let (top, bottom) = split_top(left, readout, pad);
                self.lux_readout = top;
                self.lux_gauge = bottom;
                self.lux_trace = right;
                // Processes and links side by side.
                let (left, right) = split_left(c, c.size.width / 2, pad);
                self.processes = left;
                self.links = right;
            }
            Orientation::Portrait => {
                // Level on top, the two traces below.
                let side = c.size.width.min(c.size.height * 2 / 5);
                let (top, rest) = split_top(c, side, pad);
                self.horizon = top;
                let (top, bottom) = split_top(rest, rest.size.height / 2, pad);
                self.accel_trace = top;
                self.gyro_trace = bottom;
                // Readout, a horizontal gauge, then the trace.
                let readout = 2 * self.line_height + self.big_line_height() + pad;
                let (top, rest) = split_top(c, readout, pad);
                self.lux_readout = top;
                let gauge = 3 * self.line_height;
                let (top, rest) = split_top(rest, gauge, pad);
                self.lux_gauge = top;
                self.lux_trace = rest;
                // Processes above links.
                let (top, bottom) = split_top(c, c.size.height / 2, pad);
                self.processes = top;
                self.links = bottom;
            }
        }
    }
}

/// `r` shrunk by `by` on every side (empty if too small).
pub fn inset(r: Rectangle, by: u32) -> Rectangle {
    let w = r.size.width.saturating_sub(2 * by);
    let h = r.size.height.saturating_sub(2 * by);
    Rectangle::new(r.top_left + offset(by, by), Size::new(w, h))
}

/// `r` cut into a top part `height` tall and the rest, `gap` apart.
pub fn split_top(r: Rectangle, height: u32, gap: u32) -> (Rectangle, Rectangle) {
    let top_h = height.min(r.size.height);
    let rest_h = r.size.height.saturating_sub(top_h + gap);
    let top = Rectangle::new(r.top_left, Size::new(r.size.width, top_h));
    let rest_y = r.size.height - rest_h;
    let rest = Rectangle::new(
        r.top_left + offset(0, rest_y),
        Size::new(r.size.width, rest_h),
    );
    (top, rest)
}

/// `r` cut into the rest and a bottom part `height` tall, `gap` apart.
pub fn split_bottom(r: Rectangle, height: u32, gap: u32) -> (Rectangle, Rectangle) {
    let bottom_h = height.min(r.size.height);
    let rest_h = r.size.height.saturating_sub(bottom_h + gap);
    let rest = Rectangle::new(r.top_left, Size::new(r.size.width, rest_h));
    let bottom_y = r.size.height - bottom_h;
    let bottom = Rectangle::new(
        r.top_left + offset(0, bottom_y),
        Size::new(r.size.width, bottom_h),
    );
    (rest, bottom)
}

/// `r` cut into a left part `width` wide and the rest, `gap` apart.
pub fn split_left(r: Rectangle, width: u32, gap: u32) -> (Rectangle, Rectangle) {
    let left_w = width.min(r.size.width);
    let rest_w = r.size.width.saturating_sub(left_w + gap);
    let left = Rectangle::new(r.top_left, Size::new(left_w, r.size.height));
    let rest_x = r.size.width - rest_w;
    let rest = Rectangle::new(
        r.top_left + offset(rest_x, 0),
        Size::new(rest_w, r.size.height),
    );
    (left, rest)
}

/// A point offset from pixel counts (screens are far below `i32::MAX`).
fn offset(x: u32, y: u32) -> Point {
    Point::new(
        i32::try_from(x).unwrap_or(i32::MAX),
        i32::try_from(y).unwrap_or(i32::MAX),
    )
}

/// Sizes the layout is made for, both ways round, for tests.
#[cfg(test)]
pub(crate) const SIZES: [(u32, u32); 7] = [
    (320, 240),
    (240, 320),
    (800, 480),
    (480, 800),
    (1280, 800),
    (1920, 1080),
    (1080, 1920),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn within(inner: &Rectangle, outer: &Rectangle) -> bool {
        inner.size.width == 0
            || inner.size.height == 0
            || (outer.contains(inner.top_left)
                && inner.bottom_right().is_some_and(|p| outer.contains(p)))
    }

    fn overlap(a: &Rectangle, b: &Rectangle) -> bool {
        !a.intersection(b).is_zero_sized()
    }

    #[test]
    fn every_widget_lies_in_the_content_and_widgets_of_a_page_do_not_overlap() {
        for (w, h) in SIZES {
            let l = Layout::for_size(Size::new(w, h));
            let pages = [
                vec![l.horizon, l.accel_trace, l.gyro_trace],
                vec![l.lux_readout, l.lux_gauge, l.lux_trace],
                vec![l.processes, l.links],
            ];
            for page in &pages {
                for (i, a) in page.iter().enumerate() {
                    assert!(
                        within(a, &l.content),
                        "{w}x{h}: {a:?} outside {:?}",
                        l.content
                    );
                    assert!(
                        a.size.width > 0 && a.size.height > 0,
                        "{w}x{h}: {a:?} empty"
                    );
                    for b in &page[i + 1..] {
                        assert!(!overlap(a, b), "{w}x{h}: {a:?} overlaps {b:?}");
                    }
                }
            }
            assert!(!overlap(&l.header, &l.content) && !overlap(&l.banner, &l.content));
            assert_eq!(l.header.size.width, w);
            assert_eq!(
                l.banner.bottom_right().unwrap().y,
                i32::try_from(h).unwrap() - 1
            );
        }
    }

    #[test]
    fn font_grows_with_the_short_side_and_arrangement_follows_orientation() {
        let small = Layout::for_size(Size::new(320, 240));
        let large = Layout::for_size(Size::new(1920, 1080));
        assert!(small.font.character_size.height < large.font.character_size.height);
        assert_eq!((small.big_scale, large.big_scale), (1, 2));
        let wide = Layout::for_size(Size::new(800, 480));
        let tall = Layout::for_size(Size::new(480, 800));
        assert_eq!(wide.font.character_size, tall.font.character_size);
        assert_eq!(wide.orientation, Orientation::Landscape);
        assert_eq!(tall.orientation, Orientation::Portrait);
        // Landscape: traces right of the level; portrait: below it.
        assert!(wide.accel_trace.top_left.x > wide.horizon.top_left.x);
        assert!(tall.accel_trace.top_left.y > tall.horizon.top_left.y);
        assert!(wide.links.top_left.x > wide.processes.top_left.x);
        assert!(tall.links.top_left.y > tall.processes.top_left.y);
        // At 320x240 a line of the text font holds at least 50 characters.
        assert!(small.chars_in(320) >= 50, "{}", small.chars_in(320));
    }

    #[test]
    fn degenerate_sizes_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (10, 300), (300, 10), (5000, 20)] {
            let l = Layout::for_size(Size::new(w, h));
            assert!(l.content.size.width <= w && l.content.size.height <= h);
        }
    }
}
