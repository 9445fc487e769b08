//! Tap and double tap: short spikes of dynamic acceleration between quiet.

use wire::GestureKind;

use crate::config::Params;

/// A spike in progress: non-quiet samples, and quiet shorter than
/// `tap_quiet_time` between them (a knock rings: the case swings back
/// through zero once or twice).
#[derive(Debug, Clone, Copy)]
struct Spike {
    start_us: u64,
    /// Last non-quiet sample.
    last_us: u64,
    peak_sq: f32,
    /// The board was quiet for `tap_quiet_time` before the spike.
    quiet_before: bool,
}

/// Tap and double-tap recognition over the squared dynamic acceleration
/// `|a − g|²`, mg².
#[derive(Debug, Clone, Default)]
pub(crate) struct TapDetector {
    /// Time of the previous sample.
    last_us: Option<u64>,
    /// First sample of the current quiet run; `None` while not quiet or
    /// when it is unknown (after a reset or lost samples).
    quiet_since_us: Option<u64>,
    spike: Option<Spike>,
    /// Start of a confirmed tap, waiting to see whether a second follows.
    pending_us: Option<u64>,
}

impl TapDetector {
    /// Feeds one sample; `suppressed` while a shake is going on (its
    /// swings are not taps).
    pub(crate) fn on_sample(
        &mut self,
        p: &Params,
        t_us: u64,
        dynamic_sq: f32,
        suppressed: bool,
    ) -> Option<GestureKind> {
        let mut found = None;
        if dynamic_sq >= p.tap_quiet_sq {
            match &mut self.spike {
                Some(spike) => {
                    spike.last_us = t_us;
                    spike.peak_sq = spike.peak_sq.max(dynamic_sq);
                }
                None => {
                    let quiet_before = match (self.quiet_since_us, self.last_us) {
                        (Some(since), Some(last)) => {
                            last.saturating_sub(since) >= p.tap_quiet_time_us
                        }
                        _ => false,
                    };
                    self.spike = Some(Spike {
                        start_us: t_us,
                        last_us: t_us,
                        peak_sq: dynamic_sq,
                        quiet_before,
                    });
                }
            }
            self.quiet_since_us = None;
        } else {
            let quiet_since = *self.quiet_since_us.get_or_insert(t_us);
            let quiet_after = t_us.saturating_sub(quiet_since) >= p.tap_quiet_time_us;
            if quiet_after && let Some(spike) = self.spike.take() {
                let short = spike.last_us.saturating_sub(spike.start_us) <= p.tap_max_duration_us;
                if spike.quiet_before && short && spike.peak_sq >= p.tap_threshold_sq {
                    found = self.confirm(p, spike.start_us, suppressed);
                }
            }
        }
        if found.is_none() {
            found = self.expire(p, t_us, suppressed);
        }
        self.last_us = Some(t_us);
        found
    }

    /// A tap that started at `start_us` is confirmed.
    fn confirm(&mut self, p: &Params, start_us: u64, suppressed: bool) -> Option<GestureKind> {
        if suppressed {
            self.pending_us = None;
            return None;
        }
        let Some(first) = self.pending_us else {
            self.pending_us = Some(start_us);
            return None;
        };
        let gap = start_us.saturating_sub(first);
        if gap < p.double_tap_min_gap_us {
            // The first tap's bounce: it stays the one tap.
            None
        } else if gap <= p.double_tap_max_gap_us {
            self.pending_us = None;
            Some(GestureKind::DoubleTap)
        } else {
            // Only when the expiry could not run (same sample).
            self.pending_us = Some(start_us);
            Some(GestureKind::Tap)
        }
    }

    /// Reports a pending tap as single once its double-tap window passed,
    /// unless a spike that started inside the window may still be the
    /// second tap.
    fn expire(&mut self, p: &Params, t_us: u64, suppressed: bool) -> Option<GestureKind> {
        let first = self.pending_us?;
        let deadline = first.saturating_add(p.double_tap_max_gap_us);
        if t_us <= deadline {
            return None;
        }
        // A spike already too long to be a tap decides nothing.
        let undecided = self.spike.is_some_and(|s| {
            s.start_us <= deadline && s.last_us.saturating_sub(s.start_us) <= p.tap_max_duration_us
        });
        if undecided {
            return None;
        }
        self.pending_us = None;
        (!suppressed).then_some(GestureKind::Tap)
    }

    /// Samples were lost: whatever was in progress may have been missed
    /// (a tap's end, a second tap), so nothing in progress is reported.
    pub(crate) fn on_lost_samples(&mut self) {
        self.quiet_since_us = None;
        self.spike = None;
        self.pending_us = None;
    }

    /// A shake was recognised: its first swings were not taps.
    pub(crate) fn cancel(&mut self) {
        self.spike = None;
        self.pending_us = None;
    }
}
