//! The supervised processes: state, restarts, exit and pid.

use core::fmt::Write as _;

use wire::{ExitStatus, RunState};

use crate::dashboard::canvas::{Ctx, Target, fit, px};

pub(super) fn draw<T: Target>(c: &Ctx<'_>, line: &mut String, t: &mut T) -> Result<(), T::Error> {
    let state = c.state;
    let a = c.area;
    let mut at = c.title(t, "processes")?;
    let chars = c.chars();
    if state.processes().is_empty() {
        c.text(t, fit("no STATE frames yet", chars), at, c.p.faint)?;
        return Ok(());
    }
    let bottom = a.top_left.y + px(a.size.height);
    for p in state.processes() {
        if at.y + c.line() > bottom {
            break;
        }
        let color = match p.state {
            RunState::Started => c.p.ok,
            RunState::Exited => c.p.warn,
            RunState::Failed => c.p.bad,
            RunState::Stopped => c.p.faint,
        };
        line.clear();
        let _ = write!(
            line,
            "{:<8} {:<7} restarts {}",
            p.name,
            p.state.wire_name(),
            p.restarts
        );
        match p.exit {
            Some(ExitStatus::Code(code)) => {
                let _ = write!(line, " exit {code}");
            }
            Some(ExitStatus::Signal { number, core }) => {
                match wire::signal_name(number) {
                    Some(name) => line.push_str(&format!(" {name}")),
                    None => line.push_str(&format!(" sig {number}")),
                }
                if core {
                    line.push_str(" core");
                }
            }
            None => {}
        }
        if p.state == RunState::Started {
            let _ = write!(line, " pid {}", p.pid);
        }
        c.text(t, fit(line, chars), at, color)?;
        at.y += c.line();
    }
    Ok(())
}
