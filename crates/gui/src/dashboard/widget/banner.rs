//! The banner at the bottom: the last gesture, info or error while it
//! lasts, otherwise what each gesture does.
//!
//! A text longer than a line wraps, at spaces where it can: the banner
//! grows upwards over the page, up to half the screen below the header,
//! so that an error keeps all it says (which device, what failed, why).
//! Only a text that does not fit even then ends in `...`.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::dashboard::canvas::{Ctx, Target, fit, px};
use crate::layout::Layout;
use crate::state::{BannerKind, State};

/// What each gesture does, shown when no banner is up.
pub const GESTURE_HINT: &str =
    "double tap/tilt right: next page  tilt left: previous  shake: calibrate  wave: dim";

/// What ends a text cut short.
const ELLIPSIS: &str = "...";

/// Where the banner goes for `state`: its line of the layout, or, for a
/// text that needs more lines, taller, up to half the height below the
/// header.
pub(in crate::dashboard) fn area(l: &Layout, state: &State) -> Rectangle {
    let line = l.banner;
    let Some(banner) = state.banner() else {
        return line;
    };
    let chars = l.chars_in(line.size.width.saturating_sub(2 * l.pad));
    let lines = u32::try_from(wrap(&banner.text, chars).count()).unwrap_or(u32::MAX);
    if lines <= 1 {
        return line;
    }
    let bottom = line.top_left.y + px(line.size.height);
    let below_header = bottom - (l.header.top_left.y + px(l.header.size.height));
    let most = below_header.max(0).unsigned_abs() / 2;
    let height = lines
        .saturating_mul(l.line_height)
        .saturating_add(2 * l.pad)
        .min(most)
        .max(line.size.height);
    Rectangle::new(
        Point::new(line.top_left.x, bottom - px(height)),
        Size::new(line.size.width, height),
    )
}

pub(super) fn draw<T: Target>(c: &Ctx<'_>, line: &mut String, t: &mut T) -> Result<(), T::Error> {
    let mut at = c.area.top_left + Point::new(c.pad(), c.pad());
    let chars = c.chars();
    let Some(b) = c.state.banner() else {
        line.clear();
        line.push_str(GESTURE_HINT);
        c.text(t, fit(line, chars), at, c.p.faint)?;
        return Ok(());
    };
    let (bg, fg) = match b.kind {
        BannerKind::Gesture => (c.p.banners[0], c.p.text),
        BannerKind::Info => (c.p.banners[1], c.p.text),
        BannerKind::Error => (c.p.banners[2], c.p.text),
    };
    t.fill_solid(&c.area, bg)?;
    let room = (px(c.area.size.height) - 2 * c.pad()) / c.line().max(1);
    let room = usize::try_from(room).unwrap_or(0).max(1);
    let mut lines = wrap(&b.text, chars).peekable();
    for shown in 1..=room {
        let Some(text) = lines.next() else {
            break;
        };
        let text = if shown == room && lines.peek().is_some() {
            line.clear();
            line.push_str(fit(text, chars.saturating_sub(ELLIPSIS.len())));
            line.push_str(ELLIPSIS);
            line.as_str()
        } else {
            text
        };
        c.text(t, text, at, fg)?;
        at.y += c.line();
    }
    Ok(())
}

/// The lines of `text` at most `width` characters long (the fonts are
/// ASCII: bytes are characters): each broken at its last space that fits,
/// a word longer than a line within it. The spaces of a break are left
/// out; nothing else is.
pub(super) fn wrap(text: &str, width: usize) -> Wrap<'_> {
    Wrap { rest: text, width }
}

/// The iterator of [`wrap`].
pub(super) struct Wrap<'a> {
    rest: &'a str,
    width: usize,
}

impl<'a> Iterator for Wrap<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest;
        if rest.is_empty() || self.width == 0 {
            return None;
        }
        if rest.len() <= self.width {
            self.rest = "";
            return Some(rest);
        }
        let most = fit(rest, self.width);
        let end = if rest[most.len()..].starts_with(' ') {
            most.len()
        } else {
            match most.rfind(' ') {
                Some(space) if space > 0 => space,
                // One word longer than the line: cut within it, at least
                // one character.
                _ => most
                    .len()
                    .max(rest.chars().next().map_or(1, char::len_utf8)),
            }
        };
        self.rest = rest[end..].trim_start_matches(' ');
        let line = &rest[..end];
        match line.trim_end_matches(' ') {
            "" => Some(line),
            words => Some(words),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateConfig;

    fn lines(text: &str, width: usize) -> Vec<&str> {
        wrap(text, width).collect()
    }

    #[test]
    fn text_that_fits_is_one_line_as_it_is() {
        assert_eq!(lines("gesture: shake", 14), ["gesture: shake"]);
        assert_eq!(lines(" a  b", 40), [" a  b"]);
        assert!(lines("", 10).is_empty());
        assert!(lines("anything", 0).is_empty());
    }

    #[test]
    fn lines_break_at_the_last_space_that_fits() {
        assert_eq!(
            lines("error: io (bus timeout)", 12),
            ["error: io", "(bus", "timeout)"]
        );
        // A space right after a full line breaks there.
        assert_eq!(lines("abcd efgh", 4), ["abcd", "efgh"]);
        assert_eq!(lines("ab   cd", 3), ["ab", "cd"]);
        assert_eq!(lines("     x", 2), ["  ", "x"]);
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut_within_it() {
        assert_eq!(
            lines("sim:/tmp/abcdefgh/demo.scenario x", 10),
            ["sim:/tmp/a", "bcdefgh/de", "mo.scenari", "o x"]
        );
        // Never half a character, and always some progress.
        assert_eq!(lines("ééé", 3), ["é", "é", "é"]);
        assert_eq!(lines("éé", 1), ["é", "é"]);
    }

    #[test]
    fn no_line_is_too_long_and_only_break_spaces_go() {
        let text = "error: io (sim:/tmp/appliance-sim-1234/demo.scenario MPU-6050 at 0x68: \
                    read sample: MPU-6050 at 0x68 did not acknowledge)";
        for width in 1..=text.len() + 1 {
            let lines = lines(text, width);
            assert!(lines.iter().all(|l| l.len() <= width && !l.is_empty()));
            let words = |s: &str| s.split(' ').filter(|w| !w.is_empty()).collect::<String>();
            assert_eq!(
                lines.iter().map(|l| words(l)).collect::<String>(),
                words(text),
                "width {width}"
            );
        }
    }

    #[test]
    fn a_long_error_is_shown_whole_on_the_screen_at_every_layout_size() {
        for (w, h) in crate::layout::SIZES {
            let l = Layout::for_size(Size::new(w, h));
            let mut state = State::new(StateConfig::default());
            state.show_banner(BannerKind::Error, crate::demo::LONG_ERROR, 0);
            let text = state.banner().map(|b| b.text.as_str()).unwrap_or_default();
            let a = area(&l, &state);
            let screen = Rectangle::new(Point::zero(), l.size);
            assert_eq!(a.intersection(&screen), a, "{w}x{h}: {a:?} off the screen");
            assert!(a.intersection(&l.header).is_zero_sized(), "{w}x{h}");
            assert_eq!(a.bottom_right(), l.banner.bottom_right(), "{w}x{h}");
            let chars = l.chars_in(a.size.width - 2 * l.pad);
            let room = (a.size.height - 2 * l.pad) / l.line_height;
            let lines: Vec<&str> = wrap(text, chars).collect();
            assert!(
                lines.len() <= room as usize,
                "{w}x{h}: {} lines of {chars}, room for {room}",
                lines.len()
            );
            let unspaced = |s: &str| s.replace(' ', "");
            assert_eq!(unspaced(&lines.concat()), unspaced(text), "{w}x{h}");
            assert!(text.contains("read sample"), "the state keeps what failed");
        }
    }

    #[test]
    fn a_short_text_keeps_the_banner_line_of_the_layout() {
        let l = Layout::for_size(Size::new(320, 240));
        let mut state = State::new(StateConfig::default());
        assert_eq!(area(&l, &state), l.banner);
        state.show_banner(BannerKind::Gesture, "gesture: shake", 0);
        assert_eq!(area(&l, &state), l.banner);
    }
}
