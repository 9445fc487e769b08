//! The faults of either device: nack, stuck, vanish, reset.

use super::compile::Action;
use super::fields::Fields;
use super::value::{nack_count, positive_duration};
use super::{Event, ParseError, Problem};
use crate::scenario::FaultKind;

const NACK_USAGE: &str = "count=N";
const LASTING_USAGE: &str = "optional for=DURATION (default: for ever, or until the loop)";

/// Reads `fault KIND [KEY=VALUE ...]`: `e.word` is `fault`.
pub(super) fn read(e: &Event<'_>) -> Result<Action, ParseError> {
    let Some((&word, rest)) = e.rest.split_first() else {
        return Err(e.error(e.word.column_after(), Problem::MissingFault));
    };
    let e = &Event { word, rest, ..*e };
    let fault = match word.text {
        "nack" => {
            let f = Fields::new(e, "fault nack", NACK_USAGE, &["count"])?;
            FaultKind::Nack {
                count: f.require("count", nack_count)?,
            }
        }
        "stuck" => {
            let f = Fields::new(e, "fault stuck", LASTING_USAGE, &["for"])?;
            FaultKind::Stuck {
                lasting: f.get("for", positive_duration)?,
            }
        }
        "vanish" => {
            let f = Fields::new(e, "fault vanish", LASTING_USAGE, &["for"])?;
            FaultKind::Vanish {
                lasting: f.get("for", positive_duration)?,
            }
        }
        "reset" => {
            Fields::new(e, "fault reset", "no keys", &[])?;
            FaultKind::Reset
        }
        other => {
            let found = other.to_owned();
            return Err(e.error(word.column, Problem::UnknownFault { found }));
        }
    };
    Ok(Action::Fault(fault))
}

/// The event name of a fault line, for messages.
pub(super) fn name(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::Nack { .. } => "fault nack",
        FaultKind::Stuck { .. } => "fault stuck",
        FaultKind::Vanish { .. } => "fault vanish",
        FaultKind::Reset => "fault reset",
    }
}
