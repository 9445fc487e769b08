//! Tilt and flip: orientations held for a while, from the low-passed
//! acceleration (gravity's direction while the board is held still).

use wire::GestureKind;

use crate::config::Params;

/// Which way the board is tilted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Roll negative: left side down.
    Left,
    /// Roll positive: right side down.
    Right,
}

impl Side {
    fn gesture(self) -> GestureKind {
        match self {
            Side::Left => GestureKind::TiltLeft,
            Side::Right => GestureKind::TiltRight,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum TiltState {
    /// Waiting for the board to be level: after a reported tilt, and
    /// after a reset (a tilt held through a gap may have been reported).
    #[default]
    WaitLevel,
    /// Level seen: a tilt may start.
    Armed,
    /// Tilted to `side` since `since_us`, not yet long enough.
    Holding { side: Side, since_us: u64 },
}

/// Tilt left / right, held, reported once per hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct TiltDetector {
    state: TiltState,
}

impl TiltDetector {
    /// Feeds the low-passed acceleration (mg); `moving` while a shake goes
    /// on (a shaken board is not holding a tilt).
    pub(crate) fn on_sample(
        &mut self,
        p: &Params,
        t_us: u64,
        accel_mg: [f32; 3],
        moving: bool,
    ) -> Option<GestureKind> {
        let [_, y, z] = accel_mg;
        // Roll is only a tilt while the face points up: face down, or on
        // its side, atan2 runs to ±180° and means something else.
        let face_up = z > 0.0;
        let roll = libm::atan2f(y, z).to_degrees();
        let level = face_up && roll.abs() < p.tilt_exit_deg;
        let side = if !face_up || moving {
            None
        } else if roll > p.tilt_enter_deg && roll < p.tilt_max_deg {
            Some(Side::Right)
        } else if roll < -p.tilt_enter_deg && roll > -p.tilt_max_deg {
            Some(Side::Left)
        } else {
            None
        };
        match (self.state, side) {
            (TiltState::WaitLevel, _) => {
                if level {
                    self.state = TiltState::Armed;
                }
                None
            }
            (
                TiltState::Holding {
                    side: held,
                    since_us,
                },
                Some(now),
            ) if held == now => {
                if t_us.saturating_sub(since_us) >= p.tilt_hold_us {
                    self.state = TiltState::WaitLevel;
                    Some(held.gesture())
                } else {
                    None
                }
            }
            (_, Some(now)) => {
                self.state = TiltState::Holding {
                    side: now,
                    since_us: t_us,
                };
                None
            }
            (_, None) => {
                // Back towards level, past the limit, or shaken: the hold
                // is broken; the board was level before, so stay armed.
                self.state = TiltState::Armed;
                None
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum FlipState {
    /// Waiting to see the board face up.
    #[default]
    WaitFaceUp,
    /// Face up seen; face down has not started.
    FaceUpSeen,
    /// Face down since `since_us`, not yet long enough.
    FaceDown { since_us: u64 },
}

/// Flip from face up to face down, held; reported once, re-armed by
/// face up.
#[derive(Debug, Clone, Default)]
pub(crate) struct FlipDetector {
    state: FlipState,
}

impl FlipDetector {
    /// Feeds the low-passed acceleration (mg).
    pub(crate) fn on_sample(
        &mut self,
        p: &Params,
        t_us: u64,
        accel_mg: [f32; 3],
    ) -> Option<GestureKind> {
        let z = accel_mg[2];
        let face_up = z > p.flip_level_mg;
        let face_down = z < -p.flip_level_mg;
        match self.state {
            FlipState::WaitFaceUp => {
                if face_up {
                    self.state = FlipState::FaceUpSeen;
                }
                None
            }
            FlipState::FaceUpSeen => {
                if face_down {
                    self.state = FlipState::FaceDown { since_us: t_us };
                }
                None
            }
            FlipState::FaceDown { since_us } => {
                if !face_down {
                    // Not held: it was face up before, so a flip may
                    // still complete.
                    self.state = FlipState::FaceUpSeen;
                    None
                } else if t_us.saturating_sub(since_us) >= p.flip_hold_us {
                    self.state = FlipState::WaitFaceUp;
                    Some(GestureKind::FlipDown)
                } else {
                    None
                }
            }
        }
    }
}
