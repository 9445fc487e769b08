//! Partial redraws: after any sequence of updates, drawing only the dirty
//! widgets gives exactly the screen a full redraw of the final state
//! gives, and every pixel that changed lies in a reported rectangle.

mod common;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use gui::dashboard::{Dashboard, Page};
use gui::headless::HeadlessScreen;
use gui::state::{BannerKind, Changes, HISTORY_LEN, State, StateConfig};
use wire::{GestureKind, LightSample, Message};

use common::{differing_pixels, render};

/// Applies `msg` to the state and tells the dashboard what changed.
fn feed(state: &mut State, dashboard: &mut Dashboard, msg: &Message<'_>, now: u64) {
    let changed = state.apply(msg, now);
    dashboard.invalidate(changed);
}

/// The demo state drawn on `page` at `size`: the state, the screen and
/// the dashboard, nothing dirty.
fn demo_drawn(size: Size, page: Page) -> (State, HeadlessScreen, Dashboard) {
    let state = gui::demo::state();
    let mut screen = HeadlessScreen::new(size);
    let mut dashboard = Dashboard::new(size);
    dashboard.set_page(page);
    dashboard.draw(&state, &mut screen).unwrap();
    (state, screen, dashboard)
}

/// Draws what is dirty and checks the damage covers every changed pixel.
fn draw_checked(state: &State, dashboard: &mut Dashboard, screen: &mut HeadlessScreen) -> usize {
    let before = screen.clone();
    let damage: Vec<Rectangle> = dashboard.draw(state, screen).unwrap().to_vec();
    let size = screen.size();
    for y in 0..i32::try_from(size.height).unwrap() {
        for x in 0..i32::try_from(size.width).unwrap() {
            let p = Point::new(x, y);
            if before.pixel(p) != screen.pixel(p) {
                assert!(
                    damage.iter().any(|r| r.contains(p)),
                    "pixel {p:?} changed outside the damage {damage:?}"
                );
            }
        }
    }
    damage.len()
}

#[test]
fn partial_redraws_end_where_a_full_redraw_does() {
    for size in [Size::new(320, 240), Size::new(480, 800)] {
        for page in Page::ALL {
            let (mut state, mut screen, mut dashboard) = demo_drawn(size, page);
            let now = gui::demo::NOW_US;
            for i in 0..30u32 {
                let t = now + u64::from(i) * 10_000;
                let imu = gui::demo::imu_sample(600 + i);
                feed(&mut state, &mut dashboard, &Message::Imu(imu), t);
                if i % 5 == 0 {
                    let light = LightSample {
                        seq: 420 + i,
                        t_us: 0,
                        lux_milli: 100_000 * (i + 1),
                        raw: i,
                    };
                    feed(&mut state, &mut dashboard, &Message::Light(light), t);
                }
                if i == 10 {
                    dashboard.invalidate(state.show_gesture(GestureKind::Wave, t));
                }
                if i % 3 == 0 {
                    draw_checked(&state, &mut dashboard, &mut screen);
                }
            }
            // Time passes: the banner expires and both links go stale.
            dashboard.invalidate(state.tick(now + 60_000_000));
            draw_checked(&state, &mut dashboard, &mut screen);
            assert!(!dashboard.is_dirty());
            let full = render(&state, page, size, false);
            assert_eq!(
                differing_pixels(&full, &screen),
                0,
                "{page:?} at {size:?}: partial redraws differ from a full one"
            );
        }
    }
}

#[test]
fn a_sample_redraws_only_the_widgets_that_show_it() {
    let size = Size::new(800, 480);
    let mut state = gui::demo::state();
    let mut screen = HeadlessScreen::new(size);
    let mut dashboard = Dashboard::new(size);
    dashboard.draw(&state, &mut screen).unwrap();
    let layout = dashboard.layout().clone();
    // The next seq after the demo's last: no loss, so the header stays.
    let imu = Message::Imu(gui::demo::imu_sample(
        u32::try_from(gui::state::HISTORY_LEN).unwrap() + 40,
    ));
    feed(&mut state, &mut dashboard, &imu, gui::demo::NOW_US + 1);
    let damage = dashboard.draw(&state, &mut screen).unwrap().to_vec();
    assert_eq!(
        damage,
        [layout.horizon, layout.accel_trace, layout.gyro_trace]
    );
    // A light sample on the motion page changes nothing on screen.
    let light = Message::Light(LightSample {
        seq: 420,
        t_us: 0,
        lux_milli: 1,
        raw: 1,
    });
    feed(&mut state, &mut dashboard, &light, gui::demo::NOW_US + 2);
    assert!(!dashboard.is_dirty());
    // Link health shows in the header on every page.
    dashboard.invalidate(Changes::LINKS);
    assert_eq!(
        dashboard.draw(&state, &mut screen).unwrap(),
        [layout.header]
    );
    // A page change repaints everything once.
    assert!(dashboard.set_page(Page::Health));
    assert!(!dashboard.set_page(Page::Health));
    let damage = dashboard.draw(&state, &mut screen).unwrap();
    assert_eq!(damage, [Rectangle::new(Point::zero(), size)]);
    assert!(dashboard.draw(&state, &mut screen).unwrap().is_empty());
}

#[test]
fn every_size_draws_without_panicking() {
    let state = gui::demo::state();
    let empty = State::new(StateConfig::default());
    for (w, h) in [
        (1, 1),
        (16, 16),
        (64, 48),
        (100, 600),
        (2000, 40),
        (333, 777),
    ] {
        for page in Page::ALL {
            for s in [&state, &empty] {
                let screen = render(s, page, Size::new(w, h), false);
                assert_eq!(screen.size(), Size::new(w, h));
            }
        }
    }
}

#[test]
fn a_long_banner_lies_over_the_page_and_uncovers_it_when_it_goes() {
    for size in [
        Size::new(320, 240),
        Size::new(240, 320),
        Size::new(800, 480),
    ] {
        for page in Page::ALL {
            let (mut state, mut screen, mut dashboard) = demo_drawn(size, page);
            let line_top = dashboard.layout().banner.top_left.y;
            let now = gui::demo::NOW_US;
            let before = screen.clone();
            dashboard.invalidate(state.show_banner(BannerKind::Error, gui::demo::LONG_ERROR, now));
            draw_checked(&state, &mut dashboard, &mut screen);
            let above_the_line = (0..line_top).any(|y| {
                (0..i32::try_from(size.width).unwrap())
                    .any(|x| before.pixel(Point::new(x, y)) != screen.pixel(Point::new(x, y)))
            });
            assert!(
                above_the_line,
                "{page:?} at {size:?}: the banner did not grow"
            );
            // Widgets under it are drawn again: it stays on top.
            for i in 0..5u32 {
                let t = now + u64::from(i + 1) * 10_000;
                let imu = Message::Imu(gui::demo::imu_sample(
                    u32::try_from(HISTORY_LEN).unwrap() + 40 + i,
                ));
                feed(&mut state, &mut dashboard, &imu, t);
                // The light and health pages' widgets, as their frames do.
                dashboard.invalidate(Changes::LIGHT | Changes::LINKS | Changes::PROCESSES);
                draw_checked(&state, &mut dashboard, &mut screen);
            }
            let full = render(&state, page, size, false);
            assert_eq!(
                differing_pixels(&full, &screen),
                0,
                "{page:?} at {size:?}: partial redraws under the banner differ from a full one"
            );
            // It expires: what it covered is drawn again.
            dashboard.invalidate(state.tick(now + 10_000_000));
            assert!(state.banner().is_none());
            draw_checked(&state, &mut dashboard, &mut screen);
            let full = render(&state, page, size, false);
            assert_eq!(
                differing_pixels(&full, &screen),
                0,
                "{page:?} at {size:?}: the page under the banner is not drawn again"
            );
        }
    }
}
