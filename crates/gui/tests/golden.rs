//! Golden images: the demo state ([`gui::demo`]) drawn on every page at
//! several screen sizes, compared pixel for pixel with the PNGs committed
//! in `tests/golden/`, and the 800x480 ones with the screenshots in
//! `docs/screenshots/`.
//!
//! A mismatch fails the test and leaves the new rendering and a diff image
//! (changed pixels magenta) under the target directory. To accept a
//! change, re-render them: `cargo xtask golden --bless` (which runs this
//! test with `APPLIANCE_GOLDEN=bless`); it writes the new PNGs and a diff
//! image for each one that changed.

mod common;

use std::path::{Path, PathBuf};

use embedded_graphics::prelude::*;
use gui::dashboard::Page;
use gui::headless::HeadlessScreen;
use gui::state::{State, StateConfig};

use common::{decode_png, diff_image, differing_pixels, render};

/// The sizes every page is checked at: the smallest supported, the common
/// 7" panel both ways, QEMU's virtio-gpu, full HD.
const SIZES: [(u32, u32); 5] = [
    (320, 240),
    (800, 480),
    (480, 800),
    (1280, 800),
    (1920, 1080),
];

/// The environment variable that turns checking into re-rendering.
const BLESS_ENV: &str = "APPLIANCE_GOLDEN";

fn blessing() -> bool {
    std::env::var(BLESS_ENV).is_ok_and(|v| v == "bless")
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the new rendering and the diff of a mismatch go.
fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden")
}

/// One image to check: where it is committed and what it shows.
struct Case {
    path: PathBuf,
    screen: HeadlessScreen,
}

fn cases() -> Vec<Case> {
    let demo = gui::demo::state();
    let golden = crate_dir().join("tests/golden");
    let mut cases = Vec::new();
    for page in Page::ALL {
        for (w, h) in SIZES {
            cases.push(Case {
                path: golden.join(format!("{}-{w}x{h}.png", page.name())),
                screen: render(&demo, page, Size::new(w, h), false),
            });
        }
    }
    // Before any frame arrived, and the dimmed palette.
    let empty = State::new(StateConfig::default());
    for page in Page::ALL {
        cases.push(Case {
            path: golden.join(format!("{}-empty-320x240.png", page.name())),
            screen: render(&empty, page, Size::new(320, 240), false),
        });
    }
    cases.push(Case {
        path: golden.join("light-dim-800x480.png"),
        screen: render(&demo, Page::Light, Size::new(800, 480), true),
    });
    // A long error wraps over the page, on the smallest screen both ways.
    let error = gui::demo::error_state();
    for (w, h) in [(320, 240), (240, 320)] {
        cases.push(Case {
            path: golden.join(format!("motion-error-{w}x{h}.png")),
            screen: render(&error, Page::Motion, Size::new(w, h), false),
        });
    }
    // The documentation's screenshots: one per page at 800x480.
    let docs = crate_dir().join("../../docs/screenshots");
    for page in Page::ALL {
        cases.push(Case {
            path: docs.join(format!("{}.png", page.name())),
            screen: render(&demo, page, Size::new(800, 480), false),
        });
    }
    cases
}

/// Checks (or blesses) one case; `Err` says what is wrong.
fn check(case: &Case, bless: bool) -> Result<(), String> {
    let name = case.path.file_name().unwrap_or_default().to_string_lossy();
    let committed = std::fs::read(&case.path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| decode_png(&bytes));
    let diff_path = out_dir().join(format!("{name}.diff.png"));
    let differs = match &committed {
        Ok(expected) => differing_pixels(expected, &case.screen),
        Err(_) => usize::MAX,
    };
    if differs == 0 {
        return Ok(());
    }
    std::fs::create_dir_all(out_dir()).map_err(|e| e.to_string())?;
    if let Ok(expected) = &committed {
        diff_image(expected, &case.screen)
            .write_png(&diff_path)
            .map_err(|e| format!("{}: {e}", diff_path.display()))?;
    }
    if bless {
        if let Some(dir) = case.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        case.screen
            .write_png(&case.path)
            .map_err(|e| format!("{}: {e}", case.path.display()))?;
        match &committed {
            Ok(_) => eprintln!(
                "blessed {} ({differs} pixels changed; diff: {})",
                case.path.display(),
                diff_path.display()
            ),
            Err(_) => eprintln!("blessed {} (new)", case.path.display()),
        }
        return Ok(());
    }
    let actual = out_dir().join(name.as_ref());
    case.screen.write_png(&actual).map_err(|e| e.to_string())?;
    Err(match committed {
        Ok(_) => format!(
            "{}: {differs} pixels differ; new rendering {}, diff {}",
            case.path.display(),
            actual.display(),
            diff_path.display()
        ),
        Err(e) => format!(
            "{}: cannot be read ({e}); new rendering {}",
            case.path.display(),
            actual.display()
        ),
    })
}

#[test]
fn every_page_at_every_size_matches_its_golden_image() {
    let bless = blessing();
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|case| check(case, bless).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} golden images differ (if the change is intended: cargo xtask golden --bless):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn committed_images_are_small() {
    // The PNG encoder must keep the repository light: every golden image
    // of a flat-colour dashboard is a few kilobytes.
    for case in cases() {
        if let Ok(meta) = std::fs::metadata(&case.path) {
            assert!(
                meta.len() < 48 * 1024,
                "{}: {} bytes",
                case.path.display(),
                meta.len()
            );
        }
    }
}

#[test]
fn the_png_encoder_round_trips_through_an_independent_decoder() {
    // Palette images (few colours) and RGB ones (a gradient of 4096
    // colours, every filter in play), odd sizes included.
    let gradient: Vec<u32> = (0..64 * 64u32)
        .map(|i| (i % 64) << 18 | (i / 64) << 10 | (i * 7 % 256))
        .collect();
    let flat = vec![0x123456; 7 * 3];
    let stripes: Vec<u32> = (0..33 * 5u32)
        .map(|i| if i % 3 == 0 { 0xFF0000 } else { 0x00FF00 })
        .collect();
    for (w, h, pixels) in [
        (64, 64, gradient),
        (7, 3, flat),
        (33, 5, stripes),
        (1, 1, vec![0xABCDEF]),
    ] {
        let screen = HeadlessScreen::from_pixels(Size::new(w, h), pixels.clone()).unwrap();
        let decoded = decode_png(&screen.to_png()).unwrap();
        assert_eq!(decoded.pixels(), &pixels[..], "{w}x{h}");
    }
}
