//! From statements to the timeline: lines sorted by time, the loop
//! checked, the moving quantities ramped without overlap, impulses, hands
//! and faults collected.

use std::time::Duration;

use super::{ParseError, Problem};
use crate::scenario::{
    Device, Fault, FaultKind, Hand, INITIAL_TEMPERATURE_C, Impulse, Ramp, Scenario,
};

/// What a line does, once its words are checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Action {
    Orientation {
        roll: Option<f64>,
        pitch: Option<f64>,
    },
    Tilt {
        roll: Option<f64>,
        pitch: Option<f64>,
        over: Duration,
        hold: Option<Duration>,
    },
    Flip {
        over: Duration,
        hold: Option<Duration>,
    },
    /// A tap or a shake, from the line's time.
    Impulse(Impulse),
    Temperature {
        celsius: f64,
        over: Duration,
    },
    Level {
        lux: f64,
        over: Duration,
    },
    /// From the line's time.
    Hand(Hand),
    Fault(FaultKind),
    Loop,
}

impl Action {
    /// When the line's effect ends (its start for instantaneous ones).
    fn end(&self, at: Duration) -> Duration {
        match *self {
            Action::Orientation { .. } | Action::Loop => at,
            Action::Tilt { over, hold, .. } | Action::Flip { over, hold } => match hold {
                Some(hold) => at + over + hold + over,
                None => at + over,
            },
            Action::Impulse(Impulse::Tap {
                width, count, gap, ..
            }) => at + gap * count.saturating_sub(1) + width,
            Action::Impulse(Impulse::Shake { lasting, .. })
            | Action::Hand(Hand { lasting, .. }) => at + lasting,
            Action::Temperature { over, .. } | Action::Level { over, .. } => at + over,
            Action::Fault(kind) => match kind {
                FaultKind::Stuck {
                    lasting: Some(lasting),
                }
                | FaultKind::Vanish {
                    lasting: Some(lasting),
                } => at + lasting,
                _ => at,
            },
        }
    }
}

/// What a line is for: a device, or the whole scenario (`*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    Device(Device),
    All,
}

/// One line, read.
#[derive(Debug, Clone)]
pub(super) struct Statement {
    pub(super) line: usize,
    /// Of its time, where a problem of the whole line is reported.
    pub(super) column: usize,
    pub(super) at: Duration,
    pub(super) target: Target,
    /// Its event, for messages.
    pub(super) event: &'static str,
    pub(super) action: Action,
}

impl Statement {
    /// `problem` with this line.
    fn error(&self, problem: Problem) -> ParseError {
        ParseError {
            line: self.line,
            column: self.column,
            problem,
        }
    }
}

/// Roll after a flip: face up becomes face down and back, without the angle
/// growing from flip to flip.
fn flipped_roll(roll: f64) -> f64 {
    if roll.to_radians().cos() >= 0.0 {
        roll + 180.0
    } else {
        roll - 180.0
    }
}

/// One smoothly moving quantity (orientation, temperature, light level):
/// its ramps, and which line is still moving it until when.
struct Mover<const N: usize> {
    ramps: Vec<Ramp<N>>,
    current: [f64; N],
    busy: Option<(Duration, usize, &'static str)>,
}

impl<const N: usize> Mover<N> {
    fn new(initial: [f64; N]) -> Self {
        Self {
            ramps: Vec::new(),
            current: initial,
            busy: None,
        }
    }

    /// Moves to `target` over `over`, optionally holding it for `hold` and
    /// moving back.
    fn go(
        &mut self,
        s: &Statement,
        target: [f64; N],
        over: Duration,
        hold: Option<Duration>,
    ) -> Result<(), ParseError> {
        if let Some((until, other_line, other)) = self.busy
            && s.at < until
        {
            return Err(s.error(Problem::Overlap {
                event: s.event,
                at: s.at,
                other,
                other_line,
                until,
            }));
        }
        let from = self.current;
        self.ramps.push(Ramp {
            start: s.at,
            end: s.at + over,
            from,
            to: target,
        });
        match hold {
            Some(hold) => {
                let back = s.at + over + hold;
                self.ramps.push(Ramp {
                    start: back,
                    end: back + over,
                    from: target,
                    to: from,
                });
            }
            None => self.current = target,
        }
        self.busy = Some((s.action.end(s.at), s.line, s.event));
        Ok(())
    }
}

/// The timeline of `statements`, or the first line that does not fit in it.
pub(super) fn compile(mut statements: Vec<Statement>) -> Result<Scenario, ParseError> {
    // Stable: lines at the same time keep their order in the file.
    statements.sort_by_key(|s| s.at);

    let mut loop_at: Option<(Duration, usize)> = None;
    for s in statements.iter().filter(|s| s.action == Action::Loop) {
        if let Some((_, first_line)) = loop_at {
            return Err(s.error(Problem::DuplicateLoop { first_line }));
        }
        if s.at.is_zero() {
            return Err(s.error(Problem::LoopAtZero));
        }
        loop_at = Some((s.at, s.line));
    }
    if let Some((loop_time, loop_line)) = loop_at {
        for s in statements.iter().filter(|s| s.action != Action::Loop) {
            if s.at >= loop_time {
                return Err(s.error(Problem::AfterLoop {
                    at: s.at,
                    loop_at: loop_time,
                    loop_line,
                }));
            }
            let until = s.action.end(s.at);
            if until > loop_time {
                return Err(s.error(Problem::OutlastsLoop {
                    event: s.event,
                    until,
                    loop_at: loop_time,
                    loop_line,
                }));
            }
        }
    }

    let mut orientation = Mover::new([0.0, 0.0]);
    let mut temperature = Mover::new([INITIAL_TEMPERATURE_C]);
    let mut level = Mover::new([0.0]);
    let mut scenario = Scenario {
        loop_period: loop_at.map(|(at, _)| at),
        ..Scenario::default()
    };
    for s in &statements {
        match s.action {
            Action::Orientation { roll, pitch } => {
                let [r, p] = orientation.current;
                let target = [roll.unwrap_or(r), pitch.unwrap_or(p)];
                orientation.go(s, target, Duration::ZERO, None)?;
            }
            Action::Tilt {
                roll,
                pitch,
                over,
                hold,
            } => {
                let [r, p] = orientation.current;
                let target = [roll.unwrap_or(r), pitch.unwrap_or(p)];
                orientation.go(s, target, over, hold)?;
            }
            Action::Flip { over, hold } => {
                let [r, p] = orientation.current;
                orientation.go(s, [flipped_roll(r), p], over, hold)?;
            }
            Action::Temperature { celsius, over } => temperature.go(s, [celsius], over, None)?,
            Action::Level { lux, over } => level.go(s, [lux], over, None)?,
            Action::Impulse(impulse) => scenario.impulses.push(impulse),
            Action::Hand(hand) => scenario.hands.push(hand),
            Action::Fault(kind) => {
                let fault = Fault { at: s.at, kind };
                match s.target {
                    Target::Device(Device::Imu) => scenario.imu_faults.push(fault),
                    Target::Device(Device::Light) => scenario.light_faults.push(fault),
                    Target::All => {}
                }
            }
            Action::Loop => {}
        }
    }
    scenario.orientation = orientation.ramps;
    scenario.temperature = temperature.ramps;
    scenario.level = level.ramps;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flips_alternate_between_face_up_and_face_down() {
        assert_eq!(flipped_roll(0.0), 180.0);
        assert_eq!(flipped_roll(180.0), 0.0);
        assert_eq!(flipped_roll(-30.0), 150.0);
    }
}
