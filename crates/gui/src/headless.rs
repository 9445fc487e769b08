//! An in-memory screen: the off-screen buffer every display draws into,
//! and the display itself when there is no framebuffer (tests, CI, a
//! board without a screen). Pixels are `0x00RRGGBB` words, one per pixel,
//! row after row: the layout of an XRGB8888 framebuffer, so copying to the
//! most common one is a plain copy.

use std::convert::Infallible;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use embedded_graphics::pixelcolor::{Rgb888, RgbColor};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::png;

/// An Rgb888 screen in memory.
///
/// ```
/// use embedded_graphics::{pixelcolor::Rgb888, prelude::*, primitives::Rectangle};
/// use gui::headless::HeadlessScreen;
///
/// let mut screen = HeadlessScreen::new(Size::new(4, 2));
/// screen.fill_solid(&Rectangle::new(Point::new(1, 0), Size::new(2, 1)), Rgb888::RED).unwrap();
/// assert_eq!(screen.pixel(Point::new(1, 0)), Some(Rgb888::RED));
/// assert_eq!(screen.pixel(Point::new(0, 0)), Some(Rgb888::BLACK));
/// let png = screen.to_png();
/// assert_eq!(&png[1..4], b"PNG");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadlessScreen {
    size: Size,
    pixels: Vec<u32>,
}

/// A colour as a `0x00RRGGBB` word.
pub fn pack(c: Rgb888) -> u32 {
    u32::from(c.r()) << 16 | u32::from(c.g()) << 8 | u32::from(c.b())
}

/// A `0x00RRGGBB` word as a colour.
pub fn unpack(v: u32) -> Rgb888 {
    let [_, r, g, b] = v.to_be_bytes();
    Rgb888::new(r, g, b)
}

impl HeadlessScreen {
    /// A black screen of `size`.
    pub fn new(size: Size) -> Self {
        let len = size.width as usize * size.height as usize;
        HeadlessScreen {
            size,
            pixels: vec![0; len],
        }
    }

    /// A screen from `0x00RRGGBB` words, row after row; `None` unless
    /// there are exactly width x height of them.
    pub fn from_pixels(size: Size, pixels: Vec<u32>) -> Option<Self> {
        (pixels.len() == size.width as usize * size.height as usize)
            .then_some(HeadlessScreen { size, pixels })
    }

    /// The colour at `p`, if it is on the screen.
    pub fn pixel(&self, p: Point) -> Option<Rgb888> {
        self.index(p).map(|i| unpack(self.pixels[i]))
    }

    /// Every pixel as `0x00RRGGBB`, row after row.
    pub fn pixels(&self) -> &[u32] {
        &self.pixels
    }

    /// Row `y` as `0x00RRGGBB` words (empty past the bottom).
    pub fn row(&self, y: u32) -> &[u32] {
        let w = self.size.width as usize;
        let start = y as usize * w;
        self.pixels.get(start..start + w).unwrap_or(&[])
    }

    /// Encodes the screen as a PNG (see [`crate::png`]).
    pub fn to_png(&self) -> Vec<u8> {
        png::encode(self.size.width, self.size.height, &self.pixels)
    }

    /// Writes the screen as a PNG to `path` atomically: into a temporary
    /// file in the same directory, then renamed over `path`, so a reader
    /// never sees half a file.
    pub fn write_png(&self, path: &Path) -> std::io::Result<()> {
        let tmp = temp_path(path);
        let result = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&self.to_png()))
            .and_then(|()| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn index(&self, p: Point) -> Option<usize> {
        let (x, y) = (u32::try_from(p.x).ok()?, u32::try_from(p.y).ok()?);
        (x < self.size.width && y < self.size.height)
            .then(|| y as usize * self.size.width as usize + x as usize)
    }

    /// `area` clipped to the screen, as pixel ranges.
    fn clip(&self, area: &Rectangle) -> Option<(usize, usize, usize, usize)> {
        let screen = Rectangle::new(Point::zero(), self.size);
        let a = area.intersection(&screen);
        if a.is_zero_sized() {
            return None;
        }
        // Clipped to the screen at the origin: it starts at x, y >= 0.
        let (x, y) = (
            usize::try_from(a.top_left.x).ok()?,
            usize::try_from(a.top_left.y).ok()?,
        );
        Some((x, y, a.size.width as usize, a.size.height as usize))
    }
}

/// `dir/.name.tmp` beside `path`.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "screen.png".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp"))
}

impl OriginDimensions for HeadlessScreen {
    fn size(&self) -> Size {
        self.size
    }
}

impl DrawTarget for HeadlessScreen {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(p, c) in pixels {
            if let Some(i) = self.index(p) {
                self.pixels[i] = pack(c);
            }
        }
        Ok(())
    }

    fn fill_contiguous<I>(&mut self, area: &Rectangle, colors: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Self::Color>,
    {
        let Some((x, y, w, h)) = self.clip(area) else {
            return Ok(());
        };
        if (Ok(x), Ok(y), w, h)
            == (
                usize::try_from(area.top_left.x),
                usize::try_from(area.top_left.y),
                area.size.width as usize,
                area.size.height as usize,
            )
        {
            // Wholly on screen: the colours run row by row, no checks.
            let stride = self.size.width as usize;
            let mut colors = colors.into_iter();
            for row in 0..h {
                let start = (y + row) * stride + x;
                for (dst, c) in self.pixels[start..start + w].iter_mut().zip(&mut colors) {
                    *dst = pack(c);
                }
            }
            return Ok(());
        }
        self.draw_iter(
            area.points()
                .zip(colors)
                .map(|(pos, color)| Pixel(pos, color)),
        )
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        let Some((x, y, w, h)) = self.clip(area) else {
            return Ok(());
        };
        let stride = self.size.width as usize;
        let v = pack(color);
        for row in y..y + h {
            self.pixels[row * stride + x..row * stride + x + w].fill(v);
        }
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.pixels.fill(pack(color));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::primitives::{Circle, PrimitiveStyle};

    #[test]
    fn fills_clip_to_the_screen() {
        let mut s = HeadlessScreen::new(Size::new(5, 4));
        let area = Rectangle::new(Point::new(3, -2), Size::new(10, 4));
        s.fill_solid(&area, Rgb888::GREEN).unwrap();
        let lit: Vec<_> = (0..4)
            .flat_map(|y| (0..5).map(move |x| Point::new(x, y)))
            .filter(|&p| s.pixel(p) == Some(Rgb888::GREEN))
            .collect();
        assert_eq!(
            lit,
            [
                Point::new(3, 0),
                Point::new(4, 0),
                Point::new(3, 1),
                Point::new(4, 1)
            ]
        );
        assert_eq!(s.pixel(Point::new(5, 0)), None);
        assert_eq!(s.pixel(Point::new(-1, 0)), None);
    }

    #[test]
    fn fill_contiguous_matches_drawing_pixel_by_pixel() {
        // The fast path (wholly on screen) and the clipped path both agree
        // with plain draw_iter.
        let colors = |n: u32| {
            (0..n).map(|i| {
                let i = u8::try_from(i).unwrap();
                Rgb888::new(i, 2 * i, 3)
            })
        };
        for area in [
            Rectangle::new(Point::new(1, 1), Size::new(3, 2)),
            Rectangle::new(Point::new(-1, 2), Size::new(4, 3)),
        ] {
            let mut fast = HeadlessScreen::new(Size::new(6, 4));
            let mut slow = fast.clone();
            let n = area.size.width * area.size.height;
            fast.fill_contiguous(&area, colors(n)).unwrap();
            slow.draw_iter(area.points().zip(colors(n)).map(|(p, c)| Pixel(p, c)))
                .unwrap();
            assert_eq!(fast, slow, "{area:?}");
        }
    }

    #[test]
    fn primitives_draw_into_it() {
        let mut s = HeadlessScreen::new(Size::new(11, 11));
        Circle::with_center(Point::new(5, 5), 5)
            .into_styled(PrimitiveStyle::with_fill(Rgb888::BLUE))
            .draw(&mut s)
            .unwrap();
        assert_eq!(s.pixel(Point::new(5, 5)), Some(Rgb888::BLUE));
        assert_eq!(s.pixel(Point::new(0, 0)), Some(Rgb888::BLACK));
        assert_eq!(s.row(5)[5], 0x0000FF);
        assert!(s.row(11).is_empty());
    }

    #[test]
    fn png_is_written_atomically_and_replaces_the_old_file() {
        let dir = std::env::temp_dir().join(format!("gui-headless-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("screen.png");
        let mut s = HeadlessScreen::new(Size::new(3, 3));
        s.write_png(&path).unwrap();
        let first = std::fs::read(&path).unwrap();
        s.clear(Rgb888::WHITE).unwrap();
        s.write_png(&path).unwrap();
        let second = std::fs::read(&path).unwrap();
        assert_ne!(first, second);
        assert_eq!(second, s.to_png());
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["screen.png"], "no temporary file is left");
        let missing = dir.join("no-such-dir").join("x.png");
        assert!(s.write_png(&missing).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
