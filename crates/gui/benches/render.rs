//! Rendering costs: a full redraw of the demo state at 800x480, a typical
//! partial update (one IMU sample on the motion page: level and both
//! traces), and the conversion of a whole 800x480 screen to RGB565 and
//! XRGB8888 framebuffer memory.
//!
//! `cargo bench -p gui --bench render`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use embedded_graphics::prelude::*;
use gui::dashboard::{Dashboard, Page};
use gui::headless::HeadlessScreen;
use gui::pixel::{Channel, PixelFormat};
use gui::state::HISTORY_LEN;
use wire::Message;

const SIZE: Size = Size::new(800, 480);

fn full_redraw(c: &mut Criterion) {
    let state = gui::demo::state();
    let mut screen = HeadlessScreen::new(SIZE);
    let mut dashboard = Dashboard::new(SIZE);
    let mut group = c.benchmark_group("full redraw 800x480");
    for page in Page::ALL {
        dashboard.set_page(page);
        group.bench_function(page.name(), |b| {
            b.iter(|| {
                dashboard.invalidate_all();
                let Ok(damage) = dashboard.draw(black_box(&state), &mut screen);
                black_box(damage.len())
            })
        });
    }
    group.finish();
}

fn partial_update(c: &mut Criterion) {
    let mut state = gui::demo::state();
    let mut screen = HeadlessScreen::new(SIZE);
    let mut dashboard = Dashboard::new(SIZE);
    let Ok(_) = dashboard.draw(&state, &mut screen);
    let mut seq = u32::try_from(HISTORY_LEN).unwrap() + 40;
    let mut now = gui::demo::NOW_US;
    c.bench_function("partial: one IMU sample, motion page 800x480", |b| {
        b.iter(|| {
            let imu = Message::Imu(gui::demo::imu_sample(seq));
            seq += 1;
            now += 10_000;
            dashboard.invalidate(state.apply(&imu, now));
            let Ok(damage) = dashboard.draw(&state, &mut screen);
            black_box(damage.len())
        })
    });
}

fn conversion(c: &mut Criterion) {
    let state = gui::demo::state();
    let mut screen = HeadlessScreen::new(SIZE);
    let mut dashboard = Dashboard::new(SIZE);
    let Ok(_) = dashboard.draw(&state, &mut screen);
    let (w, h) = (SIZE.width, SIZE.height);
    let formats = [
        (
            "RGB565",
            PixelFormat::new(
                w,
                h,
                16,
                w * 2,
                Channel::new(11, 5),
                Channel::new(5, 6),
                Channel::new(0, 5),
                None,
            ),
        ),
        (
            "XRGB8888",
            PixelFormat::new(
                w,
                h,
                32,
                w * 4,
                Channel::new(16, 8),
                Channel::new(8, 8),
                Channel::new(0, 8),
                None,
            ),
        ),
        (
            "BGR888",
            PixelFormat::new(
                w,
                h,
                24,
                w * 3,
                Channel::new(0, 8),
                Channel::new(8, 8),
                Channel::new(16, 8),
                None,
            ),
        ),
    ];
    let mut group = c.benchmark_group("convert 800x480");
    for (name, format) in formats {
        let format = format.expect("valid format");
        let mut memory = vec![0u8; format.frame_len()];
        group.bench_function(name, |b| {
            b.iter(|| format.copy_all(black_box(&screen), &mut memory))
        });
    }
    group.finish();
}

criterion_group!(benches, full_redraw, partial_update, conversion);
criterion_main!(benches);
