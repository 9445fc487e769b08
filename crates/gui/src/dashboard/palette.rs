//! The colours of the dashboard, bright and dimmed.

use embedded_graphics::pixelcolor::Rgb888;

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

#[cfg(test)]
mod tests {
    use embedded_graphics::prelude::RgbColor as _;

    use super::*;

    #[test]
    fn dim_palette_is_darker_but_keeps_the_background() {
        let (n, d) = (Palette::NORMAL, Palette::DIM);
        assert_eq!(n.background, d.background);
        assert!(d.text.r() < n.text.r());
    }
}
