//! The sensor links: fresh or stale, frames, losses, errors, the sensors'
//! own STATS, the last error, unsent commands, and the GUI's own counters.

use core::fmt::Write as _;

use embedded_graphics::prelude::*;

use crate::dashboard::canvas::{Ctx, Target, fit, px};
use crate::state::{LinkHealth, Sensor};

pub(super) fn draw<T: Target>(c: &Ctx<'_>, line: &mut String, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let a = c.area;
    let mut at = c.title(t, "links")?;
    let chars = c.chars();
    let bottom = a.top_left.y + px(a.size.height);
    let put = |t: &mut T, line: &str, color, at: &mut Point| -> Result<(), T::Error> {
        if at.y + c.line() <= bottom {
            c.text(t, fit(line, chars), *at, color)?;
        }
        at.y += c.line();
        Ok(())
    };
    for sensor in Sensor::ALL {
        let link: &LinkHealth = state.link(sensor);
        let stale = state.is_stale(sensor);
        line.clear();
        let _ = write!(
            line,
            "{:<7}{}",
            sensor.process_name(),
            if stale { "stale" } else { "ok" }
        );
        if let Some(v) = &link.version {
            let _ = write!(line, "  v{v}");
        }
        put(t, line, if stale { c.p.bad } else { c.p.ok }, &mut at)?;
        line.clear();
        let _ = write!(
            line,
            "  frames {} lost {} err {}",
            link.samples, link.lost, link.errors
        );
        if link.seq_resets > 0 {
            let _ = write!(line, " restarts {}", link.seq_resets);
        }
        let lossy = link.lost > 0 || link.errors > 0;
        put(t, line, if lossy { c.p.warn } else { c.p.faint }, &mut at)?;
        if let Some(s) = link.stats {
            line.clear();
            let _ = write!(
                line,
                "  sent {} drop {} rej {} ioerr {}",
                s.sent, s.dropped, s.rejected, s.errors
            );
            let bad = s.dropped > 0 || s.rejected > 0 || s.errors > 0;
            put(t, line, if bad { c.p.warn } else { c.p.faint }, &mut at)?;
        }
        if let Some(e) = &link.last_error {
            line.clear();
            let _ = write!(line, "  last error: {}", e.code);
            if !e.text.is_empty() {
                let _ = write!(line, " ({})", e.text);
            }
            put(t, line, c.p.bad, &mut at)?;
        }
        if link.commands_unsent > 0 {
            line.clear();
            let _ = write!(line, "  commands unsent {}", link.commands_unsent);
            put(t, line, c.p.warn, &mut at)?;
        }
    }
    line.clear();
    let _ = write!(
        line,
        "gui rx rejected {}  unknown err {}",
        state.rx_rejected(),
        state.unattributed_errors()
    );
    let bad = state.rx_rejected() > 0 || state.unattributed_errors() > 0;
    put(t, line, if bad { c.p.warn } else { c.p.faint }, &mut at)?;
    Ok(())
}
