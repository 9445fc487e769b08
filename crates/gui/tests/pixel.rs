//! The framebuffer pixel path without a device: the dashboard is drawn
//! into the headless screen, converted into memory laid out as RGB565,
//! BGR888, XRGB8888 and ARGB8888 framebuffers with odd line lengths, and
//! read back pixel by pixel against the headless rendering.

mod common;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use framebuffer::{Bitfield, FixScreeninfo, VarScreeninfo};
use gui::dashboard::Page;
use gui::headless::HeadlessScreen;
use gui::pixel::PixelFormat;

/// Screen info as a driver would report it.
fn info(
    w: u32,
    h: u32,
    bits: u32,
    line_length: u32,
    rgba: [(u32, u32); 4],
) -> (VarScreeninfo, FixScreeninfo) {
    let field = |(offset, length)| Bitfield {
        offset,
        length,
        msb_right: 0,
    };
    let var = VarScreeninfo {
        xres: w,
        yres: h,
        xres_virtual: w,
        yres_virtual: h,
        bits_per_pixel: bits,
        red: field(rgba[0]),
        green: field(rgba[1]),
        blue: field(rgba[2]),
        transp: field(rgba[3]),
        ..Default::default()
    };
    let fix = FixScreeninfo {
        line_length,
        ..Default::default()
    };
    (var, fix)
}

/// The headless colour as the format keeps it (low bits of narrow
/// channels dropped).
fn quantised(format: &PixelFormat, rgb: u32) -> u32 {
    let keep = |length: u32| {
        if length >= 8 {
            0xFF
        } else {
            0xFFu32 << (8 - length) & 0xFF
        }
    };
    let mask =
        keep(format.red.length) << 16 | keep(format.green.length) << 8 | keep(format.blue.length);
    rgb & mask
}

fn check_format(name: &str, var: &VarScreeninfo, fix: &FixScreeninfo) {
    let format = PixelFormat::from_screen_info(var, fix).unwrap();
    let size = Size::new(var.xres, var.yres);
    let screen = common::render(&gui::demo::state(), Page::Motion, size, false);
    // Padding bytes past each line must be left alone.
    let mut memory = vec![0xA5u8; fix.line_length as usize * var.yres as usize];
    format.copy_all(&screen, &mut memory).unwrap();
    let bpp = format.bytes_per_pixel as usize;
    for y in 0..var.yres {
        let line = &memory[(y * fix.line_length) as usize..((y + 1) * fix.line_length) as usize];
        assert!(
            line[var.xres as usize * bpp..].iter().all(|&b| b == 0xA5),
            "{name}: padding of line {y} overwritten"
        );
        for x in 0..var.xres {
            let want = screen.row(y)[x as usize];
            let got = format.read_pixel(&memory, x, y).unwrap();
            assert_eq!(
                got,
                quantised(&format, want),
                "{name}: pixel ({x}, {y}): wrote {want:06X}"
            );
        }
    }
}

#[test]
fn rgb565_with_an_odd_stride() {
    // 321 pixels of 2 bytes = 642; the line is 650 bytes.
    let (var, fix) = info(321, 241, 16, 650, [(11, 5), (5, 6), (0, 5), (0, 0)]);
    check_format("RGB565", &var, &fix);
}

#[test]
fn bgr888_with_an_odd_stride() {
    // Blue in the low byte... of a 24-bit pixel read as a little-endian
    // value: the bytes in memory are R, G, B. 3 x 101 = 303; line 307.
    let (var, fix) = info(101, 37, 24, 307, [(0, 8), (8, 8), (16, 8), (0, 0)]);
    check_format("BGR888", &var, &fix);
    let format = PixelFormat::from_screen_info(&var, &fix).unwrap();
    let mut screen = HeadlessScreen::new(Size::new(101, 37));
    screen
        .clear(embedded_graphics::pixelcolor::Rgb888::new(0x11, 0x22, 0x33))
        .unwrap();
    let mut memory = vec![0; 307 * 37];
    format.copy_all(&screen, &mut memory).unwrap();
    assert_eq!(&memory[..3], [0x11, 0x22, 0x33]);
}

#[test]
fn xrgb8888_as_qemu_virtio_gpu_with_and_without_padding() {
    // The virtio-gpu fbdev: 1280x800, line length 5120 (no padding).
    let (var, fix) = info(1280, 800, 32, 5120, [(16, 8), (8, 8), (0, 8), (0, 0)]);
    check_format("XRGB8888", &var, &fix);
    let (var, fix) = info(99, 50, 32, 99 * 4 + 12, [(16, 8), (8, 8), (0, 8), (0, 0)]);
    check_format("XRGB8888 padded", &var, &fix);
}

#[test]
fn argb8888_and_abgr8888_write_an_opaque_alpha() {
    let (var, fix) = info(64, 20, 32, 256, [(16, 8), (8, 8), (0, 8), (24, 8)]);
    check_format("ARGB8888", &var, &fix);
    let (var, fix) = info(63, 20, 32, 260, [(0, 8), (8, 8), (16, 8), (24, 8)]);
    check_format("ABGR8888", &var, &fix);
    let format = PixelFormat::from_screen_info(&var, &fix).unwrap();
    let screen = HeadlessScreen::new(Size::new(63, 20));
    let mut memory = vec![0; 260 * 20];
    format.copy_all(&screen, &mut memory).unwrap();
    assert_eq!(&memory[..4], [0, 0, 0, 0xFF], "black, opaque");
}

#[test]
fn copying_a_rectangle_touches_only_its_pixels() {
    let (var, fix) = info(40, 30, 16, 84, [(11, 5), (5, 6), (0, 5), (0, 0)]);
    let format = PixelFormat::from_screen_info(&var, &fix).unwrap();
    let mut screen = HeadlessScreen::new(Size::new(40, 30));
    screen
        .clear(embedded_graphics::pixelcolor::Rgb888::WHITE)
        .unwrap();
    let mut memory = vec![0u8; 84 * 30];
    let area = Rectangle::new(Point::new(5, 7), Size::new(10, 3));
    format.copy_rect(&screen, &area, &mut memory).unwrap();
    for y in 0..30 {
        for x in 0..40 {
            let point = Point::new(i32::try_from(x).unwrap(), i32::try_from(y).unwrap());
            let inside = area.contains(point);
            let want = if inside { 0xF8FCF8 } else { 0 };
            assert_eq!(format.read_pixel(&memory, x, y), Some(want), "({x}, {y})");
        }
    }
    // A rectangle partly off screen is clipped, not a panic.
    let off = Rectangle::new(Point::new(35, -5), Size::new(100, 100));
    format.copy_rect(&screen, &off, &mut memory).unwrap();
}
