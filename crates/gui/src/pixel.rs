//! The pixel path to a framebuffer, without a device: a [`PixelFormat`]
//! read from the fbdev fixed and variable screen info, and conversion of
//! rectangles of the off-screen [`HeadlessScreen`] into a byte buffer laid
//! out like the framebuffer's memory (any channel offsets and lengths, so
//! RGB565, BGR888, XRGB8888, ARGB8888, and any line length).
//!
//! ```
//! use embedded_graphics::{pixelcolor::Rgb888, prelude::*, primitives::Rectangle};
//! use gui::headless::HeadlessScreen;
//! use gui::pixel::{Channel, PixelFormat};
//!
//! // RGB565, 3 pixels wide, 8 bytes per line (2 bytes of padding).
//! let format = PixelFormat::new(3, 1, 16, 8, Channel::new(11, 5), Channel::new(5, 6), Channel::new(0, 5), None).unwrap();
//! let mut screen = HeadlessScreen::new(Size::new(3, 1));
//! screen.fill_solid(&Rectangle::new(Point::new(1, 0), Size::new(1, 1)), Rgb888::RED).unwrap();
//! let mut memory = [0u8; 8];
//! format.copy_rect(&screen, &Rectangle::new(Point::zero(), Size::new(3, 1)), &mut memory).unwrap();
//! assert_eq!(memory, [0, 0, 0x00, 0xF8, 0, 0, 0, 0]);
//! ```

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use framebuffer::{FixScreeninfo, VarScreeninfo};

use crate::headless::HeadlessScreen;

/// Where a colour channel sits in a pixel value: its lowest bit and its
/// width in bits (fbdev's `fb_bitfield`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channel {
    /// Bit offset from the least significant bit.
    pub offset: u32,
    /// Bits.
    pub length: u32,
}

impl Channel {
    /// A channel of `length` bits at bit `offset`.
    pub const fn new(offset: u32, length: u32) -> Self {
        Channel { offset, length }
    }

    /// An 8-bit value scaled to this channel, shifted into place.
    fn place(self, v8: u32) -> u32 {
        if self.length == 0 {
            return 0;
        }
        // Keep the top bits: 8 -> 5 drops the 3 low bits, as RGB565 does.
        let v = if self.length >= 8 {
            v8 << (self.length - 8)
        } else {
            v8 >> (8 - self.length)
        };
        v << self.offset
    }

    /// All the channel's bits set, in place (an opaque alpha).
    fn full(self) -> u32 {
        if self.length == 0 {
            0
        } else {
            (u32::MAX >> (32 - self.length.min(32))) << self.offset
        }
    }
}

/// Why a framebuffer's pixel format cannot be drawn into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Bits per pixel other than 16, 24 or 32 (8 is a palette, which this
    /// dashboard does not drive).
    #[error(
        "{bits} bits per pixel is not supported: use 16 (RGB565), 24 or 32 (XRGB/ARGB); e.g. `fbset -depth 32`"
    )]
    Depth {
        /// Bits per pixel.
        bits: u32,
    },
    /// A grayscale or FOURCC mode.
    #[error("grayscale or FOURCC mode ({grayscale}) is not supported: set a true-colour mode")]
    Grayscale {
        /// The `grayscale` field.
        grayscale: u32,
    },
    /// A channel does not fit in the pixel, or is wider than 8 bits... or
    /// is stored most significant bit on the right.
    #[error(
        "the {name} channel (offset {offset}, length {length}{}) does not fit a {bits}-bit pixel",
        if *.msb_right { ", msb right" } else { "" }
    )]
    Channel {
        /// `red`, `green`, `blue` or `alpha`.
        name: &'static str,
        /// Its offset.
        offset: u32,
        /// Its length.
        length: u32,
        /// Whether its bits are reversed.
        msb_right: bool,
        /// Bits per pixel.
        bits: u32,
    },
    /// A line is shorter than the visible width.
    #[error("line length {line_length} bytes is less than {width} pixels of {bytes} bytes")]
    LineLength {
        /// Bytes per line.
        line_length: u32,
        /// Visible pixels per line.
        width: u32,
        /// Bytes per pixel.
        bytes: u32,
    },
}

/// [`PixelFormat::encode`] with the shifts worked out once per copy.
#[derive(Debug, Clone, Copy)]
struct Packer {
    /// Per channel (red, green, blue): where its 8 bits start in the
    /// `0x00RRGGBB` word, how far its kept bits move right, then left.
    channels: [(u32, u32); 3],
    /// The mask of kept bits, per channel (after the right shift).
    masks: [u32; 3],
    opaque: u32,
}

impl Packer {
    fn new(f: &PixelFormat) -> Packer {
        let mut channels = [(0, 0); 3];
        let mut masks = [0; 3];
        for (i, (from, ch)) in [(16, f.red), (8, f.green), (0, f.blue)]
            .into_iter()
            .enumerate()
        {
            let kept = ch.length.min(8);
            // The top `kept` bits of the byte, then widened for channels
            // over 8 bits (as `Channel::place`).
            channels[i] = (from + 8 - kept, ch.offset + ch.length - kept);
            masks[i] = (1 << kept) - 1;
        }
        Packer {
            channels,
            masks,
            opaque: f.alpha.map_or(0, Channel::full),
        }
    }

    #[inline(always)]
    fn pack(&self, rgb: u32) -> u32 {
        let mut v = self.opaque;
        for (&(right, left), &mask) in self.channels.iter().zip(&self.masks) {
            v |= ((rgb >> right) & mask) << left;
        }
        v
    }
}

/// A buffer too small for what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the frame buffer holds {len} bytes; {needed} are needed for this format")]
pub struct SizeError {
    /// Bytes given.
    pub len: usize,
    /// Bytes needed.
    pub needed: usize,
}

/// How pixels are laid out in a framebuffer's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelFormat {
    /// Visible pixels per line.
    pub width: u32,
    /// Visible lines.
    pub height: u32,
    /// Bytes per pixel: 2, 3 or 4.
    pub bytes_per_pixel: u32,
    /// Bytes from one line to the next (at least width x bytes).
    pub line_length: u32,
    /// The red channel.
    pub red: Channel,
    /// The green channel.
    pub green: Channel,
    /// The blue channel.
    pub blue: Channel,
    /// The alpha channel, if any: written fully opaque.
    pub alpha: Option<Channel>,
}

impl PixelFormat {
    /// A format from its parts, checked.
    #[allow(clippy::too_many_arguments, reason = "the fields of fb_var_screeninfo")]
    pub fn new(
        width: u32,
        height: u32,
        bits_per_pixel: u32,
        line_length: u32,
        red: Channel,
        green: Channel,
        blue: Channel,
        alpha: Option<Channel>,
    ) -> Result<Self, FormatError> {
        if !matches!(bits_per_pixel, 16 | 24 | 32) {
            return Err(FormatError::Depth {
                bits: bits_per_pixel,
            });
        }
        let channels = [("red", red), ("green", green), ("blue", blue)]
            .into_iter()
            .chain(alpha.map(|a| ("alpha", a)));
        for (name, ch) in channels {
            let fits = ch.length >= 1
                && ch
                    .offset
                    .checked_add(ch.length)
                    .is_some_and(|end| end <= bits_per_pixel);
            if !fits {
                return Err(FormatError::Channel {
                    name,
                    offset: ch.offset,
                    length: ch.length,
                    msb_right: false,
                    bits: bits_per_pixel,
                });
            }
        }
        let bytes = bits_per_pixel / 8;
        if u64::from(line_length) < u64::from(width) * u64::from(bytes) {
            return Err(FormatError::LineLength {
                line_length,
                width,
                bytes,
            });
        }
        Ok(PixelFormat {
            width,
            height,
            bytes_per_pixel: bytes,
            line_length,
            red,
            green,
            blue,
            alpha,
        })
    }

    /// The format of a framebuffer from its screen info (`FBIOGET_VSCREENINFO`
    /// and `FBIOGET_FSCREENINFO`).
    pub fn from_screen_info(var: &VarScreeninfo, fix: &FixScreeninfo) -> Result<Self, FormatError> {
        if var.grayscale != 0 {
            return Err(FormatError::Grayscale {
                grayscale: var.grayscale,
            });
        }
        let channel = |name, f: &framebuffer::Bitfield| {
            if f.msb_right != 0 {
                return Err(FormatError::Channel {
                    name,
                    offset: f.offset,
                    length: f.length,
                    msb_right: true,
                    bits: var.bits_per_pixel,
                });
            }
            Ok(Channel::new(f.offset, f.length))
        };
        let alpha = (var.transp.length > 0)
            .then(|| channel("alpha", &var.transp))
            .transpose()?;
        PixelFormat::new(
            var.xres,
            var.yres,
            var.bits_per_pixel,
            fix.line_length,
            channel("red", &var.red)?,
            channel("green", &var.green)?,
            channel("blue", &var.blue)?,
            alpha,
        )
    }

    /// Bytes of memory the visible screen spans.
    pub fn frame_len(&self) -> usize {
        if self.height == 0 {
            return 0;
        }
        (self.height as usize - 1) * self.line_length as usize
            + self.width as usize * self.bytes_per_pixel as usize
    }

    /// A `0x00RRGGBB` colour as this format's pixel value.
    pub fn encode(&self, rgb: u32) -> u32 {
        let (r, g, b) = ((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
        self.red.place(r)
            | self.green.place(g)
            | self.blue.place(b)
            | self.alpha.map_or(0, Channel::full)
    }

    /// Whether pixels are `0x00RRGGBB` words as they are: XRGB8888, and
    /// ARGB8888 with the alpha byte forced opaque.
    fn is_xrgb8888(&self) -> bool {
        self.bytes_per_pixel == 4
            && self.red == Channel::new(16, 8)
            && self.green == Channel::new(8, 8)
            && self.blue == Channel::new(0, 8)
            && self.alpha.is_none_or(|a| a == Channel::new(24, 8))
    }

    /// Whether this is RGB565: red 11/5, green 5/6, blue 0/5.
    fn is_rgb565(&self) -> bool {
        self.bytes_per_pixel == 2
            && self.red == Channel::new(11, 5)
            && self.green == Channel::new(5, 6)
            && self.blue == Channel::new(0, 5)
            && self.alpha.is_none()
    }

    /// Converts the pixels of `area` (clipped to both the screen and this
    /// format) from `screen` into `memory`, laid out as the framebuffer.
    /// `memory` must hold [`PixelFormat::frame_len`] bytes.
    pub fn copy_rect(
        &self,
        screen: &HeadlessScreen,
        area: &Rectangle,
        memory: &mut [u8],
    ) -> Result<(), SizeError> {
        let needed = self.frame_len();
        if memory.len() < needed {
            return Err(SizeError {
                len: memory.len(),
                needed,
            });
        }
        let visible = Rectangle::new(Point::zero(), Size::new(self.width, self.height));
        let on_screen = Rectangle::new(Point::zero(), screen.size());
        let a = area.intersection(&visible).intersection(&on_screen);
        if a.is_zero_sized() {
            return Ok(());
        }
        // Clipped to rectangles at the origin: it starts at x, y >= 0.
        let (Ok(x0), Ok(top)) = (usize::try_from(a.top_left.x), u32::try_from(a.top_left.y)) else {
            return Ok(());
        };
        let w = a.size.width as usize;
        let bpp = self.bytes_per_pixel as usize;
        let opaque = self.alpha.map_or(0, Channel::full);
        for row in top..top + a.size.height {
            let src = &screen.row(row)[x0..x0 + w];
            let start = row as usize * self.line_length as usize + x0 * bpp;
            let dst = &mut memory[start..start + w * bpp];
            if self.is_xrgb8888() {
                for (d, &s) in dst.chunks_exact_mut(4).zip(src) {
                    d.copy_from_slice(&(s | opaque).to_ne_bytes());
                }
            } else {
                let packer = Packer::new(self);
                // Pixel values are stored in the CPU's byte order; a 24-bit
                // one is the low three bytes of that order. One loop per
                // width, so each is a straight run the compiler unrolls.
                match bpp {
                    2 if self.is_rgb565() => {
                        // The common panel format: three masks and shifts.
                        for (d, &s) in dst.chunks_exact_mut(2).zip(src) {
                            let v = (s >> 8 & 0xF800) | (s >> 5 & 0x07E0) | (s >> 3 & 0x001F);
                            #[allow(
                                clippy::cast_possible_truncation,
                                reason = "the three masks keep v within 16 bits"
                            )]
                            let v = v as u16;
                            d.copy_from_slice(&v.to_ne_bytes());
                        }
                    }
                    2 => {
                        for (d, &s) in dst.chunks_exact_mut(2).zip(src) {
                            #[allow(
                                clippy::cast_possible_truncation,
                                reason = "PixelFormat::new keeps every channel within the pixel's 16 bits"
                            )]
                            let v = packer.pack(s) as u16;
                            d.copy_from_slice(&v.to_ne_bytes());
                        }
                    }
                    3 => {
                        for (d, &s) in dst.chunks_exact_mut(3).zip(src) {
                            let v = packer.pack(s).to_ne_bytes();
                            if cfg!(target_endian = "little") {
                                d.copy_from_slice(&v[..3]);
                            } else {
                                d.copy_from_slice(&v[1..]);
                            }
                        }
                    }
                    _ => {
                        for (d, &s) in dst.chunks_exact_mut(4).zip(src) {
                            d.copy_from_slice(&packer.pack(s).to_ne_bytes());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Converts a whole screen ([`PixelFormat::copy_rect`] of everything).
    pub fn copy_all(&self, screen: &HeadlessScreen, memory: &mut [u8]) -> Result<(), SizeError> {
        let all = Rectangle::new(Point::zero(), Size::new(self.width, self.height));
        self.copy_rect(screen, &all, memory)
    }

    /// The `0x00RRGGBB` colour of the pixel at (`x`, `y`) in `memory`
    /// (channels narrower than 8 bits come back with their low bits zero).
    pub fn read_pixel(&self, memory: &[u8], x: u32, y: u32) -> Option<u32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let bpp = self.bytes_per_pixel as usize;
        let start = y as usize * self.line_length as usize + x as usize * bpp;
        let bytes = memory.get(start..start + bpp)?;
        let mut word = [0u8; 4];
        if cfg!(target_endian = "little") {
            word[..bpp].copy_from_slice(bytes);
        } else {
            word[4 - bpp..].copy_from_slice(bytes);
        }
        let v = u32::from_ne_bytes(word);
        let get = |c: Channel| {
            let raw = (v >> c.offset) & (u32::MAX >> (32 - c.length));
            if c.length >= 8 {
                raw >> (c.length - 8)
            } else {
                raw << (8 - c.length)
            }
        };
        Some(get(self.red) << 16 | get(self.green) << 8 | get(self.blue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb565(width: u32, line_length: u32) -> PixelFormat {
        let (r, g, b) = (Channel::new(11, 5), Channel::new(5, 6), Channel::new(0, 5));
        PixelFormat::new(width, 2, 16, line_length, r, g, b, None).unwrap()
    }

    #[test]
    fn encodes_channels_at_their_offsets() {
        let f = rgb565(4, 8);
        assert_eq!(f.encode(0xFF0000), 0xF800);
        assert_eq!(f.encode(0x00FF00), 0x07E0);
        assert_eq!(f.encode(0x0000FF), 0x001F);
        assert_eq!(f.encode(0x080400), 0x0820, "the low bits are dropped");
        let bgr = PixelFormat::new(
            1,
            1,
            24,
            3,
            Channel::new(0, 8),
            Channel::new(8, 8),
            Channel::new(16, 8),
            None,
        )
        .unwrap();
        assert_eq!(bgr.encode(0x112233), 0x332211);
        let argb = PixelFormat::new(
            1,
            1,
            32,
            4,
            Channel::new(16, 8),
            Channel::new(8, 8),
            Channel::new(0, 8),
            Some(Channel::new(24, 8)),
        )
        .unwrap();
        assert_eq!(argb.encode(0x112233), 0xFF112233);
        // A 10-bit channel keeps the 8 bits at the top.
        let deep = PixelFormat::new(
            1,
            1,
            32,
            4,
            Channel::new(20, 10),
            Channel::new(10, 10),
            Channel::new(0, 10),
            None,
        )
        .unwrap();
        assert_eq!(deep.encode(0xFF0000), 0x3FC << 20);
        // The copy loops' precomputed packer agrees with `encode`.
        for format in [f, bgr, argb, deep] {
            let packer = Packer::new(&format);
            for rgb in [0, 0xFFFFFF, 0x123456, 0x80FF01, 0xA5A5A5] {
                assert_eq!(packer.pack(rgb), format.encode(rgb), "{format:?} {rgb:06X}");
            }
        }
    }

    #[test]
    fn unsupported_formats_are_errors_that_say_why() {
        let c = Channel::new(0, 8);
        let e = PixelFormat::new(1, 1, 8, 1, c, c, c, None).unwrap_err();
        assert_eq!(e, FormatError::Depth { bits: 8 });
        assert!(e.to_string().contains("8 bits per pixel is not supported"));
        let e = PixelFormat::new(1, 1, 16, 2, Channel::new(12, 5), c, c, None).unwrap_err();
        assert!(matches!(e, FormatError::Channel { name: "red", .. }), "{e}");
        let e = PixelFormat::new(4, 1, 32, 12, c, c, c, None).unwrap_err();
        assert!(matches!(e, FormatError::LineLength { .. }), "{e}");
        let mut var = VarScreeninfo {
            xres: 1,
            yres: 1,
            bits_per_pixel: 32,
            grayscale: 1,
            ..Default::default()
        };
        let fix = FixScreeninfo {
            line_length: 4,
            ..Default::default()
        };
        assert!(matches!(
            PixelFormat::from_screen_info(&var, &fix),
            Err(FormatError::Grayscale { grayscale: 1 })
        ));
        var.grayscale = 0;
        var.red = framebuffer::Bitfield {
            offset: 16,
            length: 8,
            msb_right: 1,
        };
        assert!(matches!(
            PixelFormat::from_screen_info(&var, &fix),
            Err(FormatError::Channel {
                msb_right: true,
                ..
            })
        ));
    }

    #[test]
    fn a_short_buffer_is_an_error_not_a_panic() {
        let f = rgb565(4, 10);
        assert_eq!(f.frame_len(), 18);
        let screen = HeadlessScreen::new(Size::new(4, 2));
        let mut memory = [0u8; 17];
        let e = f.copy_all(&screen, &mut memory).unwrap_err();
        assert_eq!(
            e,
            SizeError {
                len: 17,
                needed: 18
            }
        );
    }
}
