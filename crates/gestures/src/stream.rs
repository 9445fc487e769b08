//! What every sample stream shares: telling a sample in sequence from a
//! duplicate, a gap or a restart, and first-order low-pass filters on the
//! samples' own time stamps.

/// How one sample relates to the previous one of its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// No history: the first sample, or the first after a reset, a gap
    /// longer than `max_gap`, or a restarted sender. Start from here.
    Fresh,
    /// The next sample, `dt_us` after the previous one, with `lost`
    /// samples missing in between (a sequence gap within `max_gap`).
    Next { dt_us: u64, lost: u32 },
    /// The previous sample again (same `seq`): ignore it.
    Duplicate,
}

/// The last sample's number and time, per stream.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StreamClock {
    last: Option<(u32, u64)>,
}

impl StreamClock {
    /// Classifies a sample and remembers it (unless it is a duplicate).
    pub(crate) fn arrive(&mut self, seq: u32, t_us: u64, max_gap_us: u64) -> Arrival {
        let Some((last_seq, last_t)) = self.last else {
            self.last = Some((seq, t_us));
            return Arrival::Fresh;
        };
        let step = seq.wrapping_sub(last_seq);
        if step == 0 {
            return Arrival::Duplicate;
        }
        self.last = Some((seq, t_us));
        // `seq` wraps at 2^32; a step of more than half the range is a
        // number going backwards: the sender restarted.
        let backwards = step > u32::MAX / 2;
        match t_us.checked_sub(last_t) {
            Some(dt_us) if !backwards && dt_us <= max_gap_us => Arrival::Next {
                dt_us,
                lost: step - 1,
            },
            _ => Arrival::Fresh,
        }
    }

    /// Forgets the last sample: the next one is [`Arrival::Fresh`].
    pub(crate) fn reset(&mut self) {
        self.last = None;
    }
}

/// Weight of a new sample in a first-order low-pass with time constant
/// `tau_us`, `dt_us` after the previous sample: `dt / (tau + dt)`, the
/// backward-Euler step, which stays in 0..=1 for any gap and so keeps the
/// filter stable at every sample rate.
#[allow(
    clippy::cast_possible_truncation,
    reason = "a ratio in 0..=1: the f32 drops precision only"
)]
pub(crate) fn smoothing(dt_us: u64, tau_us: u64) -> f32 {
    let total = tau_us.saturating_add(dt_us);
    if total == 0 {
        1.0
    } else {
        (dt_us as f64 / total as f64) as f32
    }
}

/// One low-pass step towards `x`.
pub(crate) fn follow(state: f32, x: f32, weight: f32) -> f32 {
    state + (x - state) * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_gaps_within_max_gap_are_bridged() {
        let mut clock = StreamClock::default();
        assert_eq!(clock.arrive(10, 1_000, 250_000), Arrival::Fresh);
        assert_eq!(
            clock.arrive(11, 11_000, 250_000),
            Arrival::Next {
                dt_us: 10_000,
                lost: 0
            }
        );
        assert_eq!(
            clock.arrive(14, 41_000, 250_000),
            Arrival::Next {
                dt_us: 30_000,
                lost: 2
            }
        );
        assert_eq!(clock.arrive(14, 41_000, 250_000), Arrival::Duplicate);
    }

    #[test]
    fn long_gaps_time_going_back_and_restarts_start_afresh() {
        let mut clock = StreamClock::default();
        clock.arrive(1, 1_000_000, 250_000);
        assert_eq!(clock.arrive(2, 1_250_001, 250_000), Arrival::Fresh);
        assert_eq!(clock.arrive(3, 1_000_000, 250_000), Arrival::Fresh);
        // A restarted sender counts from 0 again on the same clock.
        assert_eq!(clock.arrive(0, 1_010_000, 250_000), Arrival::Fresh);
        assert_eq!(
            clock.arrive(1, 1_020_000, 250_000),
            Arrival::Next {
                dt_us: 10_000,
                lost: 0
            }
        );
        clock.reset();
        assert_eq!(clock.arrive(2, 1_030_000, 250_000), Arrival::Fresh);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut clock = StreamClock::default();
        clock.arrive(u32::MAX, 5_000, 250_000);
        assert_eq!(
            clock.arrive(0, 6_000, 250_000),
            Arrival::Next {
                dt_us: 1_000,
                lost: 0
            }
        );
    }

    #[test]
    fn smoothing_is_rate_independent_and_bounded() {
        // Ten 1 ms steps and one 10 ms step move a filter about as far.
        let mut fine = 0.0;
        for _ in 0..10 {
            fine = follow(fine, 1.0, smoothing(1_000, 100_000));
        }
        let coarse = follow(0.0, 1.0, smoothing(10_000, 100_000));
        assert!((fine - coarse).abs() < 0.01, "{fine} vs {coarse}");
        assert_eq!(smoothing(0, 0), 1.0);
        assert_eq!(smoothing(u64::MAX, 5), 1.0);
        assert_eq!(smoothing(0, 100), 0.0);
    }
}
