//! What the widgets draw with: [`Ctx`] (the layout, the palette, the
//! widget's rectangle and the state it shows; text in the text font or the
//! big one, scaled; the title line and the plot below it) and the helpers
//! for pixel counts and text that must fit.

use core::fmt::Write as _;

use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};

use super::{Page, Palette};
use crate::layout::Layout;
use crate::state::State;

/// What the widgets draw on: any target of the dashboard's colours.
pub(super) trait Target: DrawTarget<Color = Rgb888> {}

impl<D: DrawTarget<Color = Rgb888>> Target for D {}

/// What every widget needs: the layout, the palette, its rectangle, the
/// state it shows and the page shown.
pub(super) struct Ctx<'a> {
    pub(super) l: &'a Layout,
    pub(super) p: &'a Palette,
    pub(super) area: Rectangle,
    pub(super) state: &'a State,
    pub(super) page: Page,
}

/// The plot area of a trace, below its title line: inclusive pixel edges.
pub(super) struct Plot {
    pub(super) top: i32,
    pub(super) bottom: i32,
    pub(super) left: i32,
    pub(super) right: i32,
}

impl Plot {
    /// How many of `len` samples it shows, one per pixel column with the
    /// newest at the right edge, and the column of the oldest shown.
    pub(super) fn columns(&self, len: usize) -> (usize, i32) {
        // plot() makes right - left at least 4.
        let width = usize::try_from(self.right - self.left + 1).unwrap_or(0);
        let n = len.min(width);
        (n, self.right - (px(n) - 1))
    }
}

impl Ctx<'_> {
    pub(super) fn pad(&self) -> i32 {
        px(self.l.pad)
    }

    pub(super) fn line(&self) -> i32 {
        px(self.l.line_height)
    }

    /// Where the title line starts: the widget's top-left corner, inset.
    pub(super) fn title_at(&self) -> Point {
        self.area.top_left + Point::new(self.pad(), 0)
    }

    /// Draws `title` on the title line; returns where the line below it
    /// starts.
    pub(super) fn title<T: Target>(&self, t: &mut T, title: &str) -> Result<Point, T::Error> {
        let at = self.title_at();
        self.text(t, title, at, self.p.text)?;
        Ok(at + Point::new(0, self.line() + self.pad()))
    }

    /// The area below the title line, or `None` when it is too small to
    /// plot in.
    pub(super) fn plot(&self) -> Option<Plot> {
        let a = self.area;
        let plot = Plot {
            top: a.top_left.y + self.line() + self.pad(),
            bottom: a.top_left.y + px(a.size.height) - 1,
            left: a.top_left.x,
            right: a.top_left.x + px(a.size.width) - 1,
        };
        (plot.bottom - plot.top >= 4 && plot.right - plot.left >= 4).then_some(plot)
    }

    /// Draws `s` in the text font with its top-left corner at `at`; returns
    /// the point after it.
    pub(super) fn text<D: DrawTarget<Color = Rgb888>>(
        &self,
        t: &mut D,
        s: &str,
        at: Point,
        color: Rgb888,
    ) -> Result<Point, D::Error> {
        text_in(t, self.l.font, s, at, color)
    }

    /// Draws `s` in the big font, scaled, top-left at `at`.
    pub(super) fn big_text<D: DrawTarget<Color = Rgb888>>(
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
    pub(super) fn chars(&self) -> usize {
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
pub(super) fn px(v: impl TryInto<i32>) -> i32 {
    v.try_into().unwrap_or(i32::MAX)
}

/// A pixel offset rounded to whole pixels.
#[allow(
    clippy::cast_possible_truncation,
    reason = "offsets within a screen (at most 8192 pixels) fit an i32; `as` saturates besides"
)]
pub(super) fn round_px(v: f32) -> i32 {
    v.round() as i32
}

/// `s` cut to `n` characters (the fonts are ASCII: bytes are characters).
pub(super) fn fit(s: &str, n: usize) -> &str {
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

/// `-0.012` from `-12` thousandths, with `decimals` digits (1 to 3).
pub(super) fn write_milli(out: &mut String, v: i64, decimals: u32) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
