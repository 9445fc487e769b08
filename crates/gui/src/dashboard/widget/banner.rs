//! The banner line at the bottom: the last gesture, info or error while it
//! lasts, otherwise what each gesture does.

use embedded_graphics::prelude::*;

use crate::dashboard::canvas::{Ctx, Target, fit};
use crate::state::BannerKind;

/// What each gesture does, shown when no banner is up.
pub const GESTURE_HINT: &str =
    "double tap/tilt right: next page  tilt left: previous  shake: calibrate  wave: dim";

pub(super) fn draw<T: Target>(c: &Ctx<'_>, line: &mut String, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let at = c.area.top_left + Point::new(c.pad(), c.pad());
    let chars = c.chars();
    match state.banner() {
        Some(b) => {
            let (bg, fg) = match b.kind {
                BannerKind::Gesture => (c.p.banners[0], c.p.text),
                BannerKind::Info => (c.p.banners[1], c.p.text),
                BannerKind::Error => (c.p.banners[2], c.p.text),
            };
            t.fill_solid(&c.area, bg)?;
            c.text(t, fit(&b.text, chars), at, fg)?;
        }
        None => {
            line.clear();
            line.push_str(GESTURE_HINT);
            c.text(t, fit(line, chars), at, c.p.faint)?;
        }
    }
    Ok(())
}
