//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses a part")]

use embedded_graphics::prelude::*;
use gui::dashboard::{Dashboard, Page};
use gui::headless::HeadlessScreen;
use gui::state::State;

/// Decodes a PNG with the `png` crate (independent of ours) into
/// `0x00RRGGBB` words.
pub(crate) fn decode_png(bytes: &[u8]) -> Result<HeadlessScreen, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let len = reader.output_buffer_size().ok_or("image too large")?;
    let mut buf = vec![0; len];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => return Err(format!("unexpected colour type {other:?}")),
    };
    let pixels = buf[..info.line_size * info.height as usize]
        .chunks_exact(info.line_size)
        .flat_map(|row| {
            row.chunks_exact(channels)
                .take(info.width as usize)
                .map(|p| u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]))
        })
        .collect();
    HeadlessScreen::from_pixels(Size::new(info.width, info.height), pixels)
        .ok_or_else(|| "pixel count does not match the size".to_owned())
}

/// `state` drawn on `page` at `size` in one full redraw.
pub(crate) fn render(state: &State, page: Page, size: Size, dim: bool) -> HeadlessScreen {
    let mut screen = HeadlessScreen::new(size);
    let mut dashboard = Dashboard::new(size);
    dashboard.set_page(page);
    dashboard.set_dim(dim);
    let Ok(_) = dashboard.draw(state, &mut screen);
    screen
}

/// Where two screens differ: unchanged pixels dimmed to grey, changed ones
/// magenta (and the size of the larger).
pub(crate) fn diff_image(expected: &HeadlessScreen, actual: &HeadlessScreen) -> HeadlessScreen {
    let (e, a) = (expected.size(), actual.size());
    let size = Size::new(e.width.max(a.width), e.height.max(a.height));
    let mut pixels = Vec::with_capacity((size.width * size.height) as usize);
    for y in 0..i32::try_from(size.height).unwrap() {
        for x in 0..i32::try_from(size.width).unwrap() {
            let p = Point::new(x, y);
            let (pe, pa) = (expected.pixel(p), actual.pixel(p));
            pixels.push(match (pe, pa) {
                (Some(pe), Some(pa)) if pe == pa => {
                    let v = gui::headless::pack(pa);
                    let grey = ((v >> 16 & 0xFF) + (v >> 8 & 0xFF) + (v & 0xFF)) / 9;
                    grey << 16 | grey << 8 | grey
                }
                _ => 0xFF00FF,
            });
        }
    }
    HeadlessScreen::from_pixels(size, pixels).unwrap()
}

/// How many pixels differ (all of them when the sizes differ).
pub(crate) fn differing_pixels(a: &HeadlessScreen, b: &HeadlessScreen) -> usize {
    if a.size() != b.size() {
        return a.pixels().len().max(b.pixels().len());
    }
    a.pixels()
        .iter()
        .zip(b.pixels())
        .filter(|(x, y)| x != y)
        .count()
}
