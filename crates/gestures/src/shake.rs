//! Shake: large swings of dynamic acceleration alternating in direction
//! on one axis.

use crate::config::{MAX_SHAKE_EXCURSIONS, Params};

/// One axis: the swing in progress and the run of alternating swings.
#[derive(Debug, Clone, Copy, Default)]
struct AxisSwings {
    /// Direction of the swing in progress (+1 / −1), if the axis is
    /// beyond the threshold now.
    current: Option<i8>,
    /// Direction of the last swing counted in the run.
    last_direction: i8,
    /// Start times of the run's last swings (a ring).
    starts_us: [u64; MAX_SHAKE_EXCURSIONS],
    /// Where the next start goes in `starts_us`.
    next: usize,
    /// Swings in the run, at most `MAX_SHAKE_EXCURSIONS`.
    len: usize,
}

impl AxisSwings {
    /// Feeds one dynamic acceleration; returns the direction of a swing
    /// that starts at this sample.
    fn swing_starts(&mut self, p: &Params, dynamic_mg: f32) -> Option<i8> {
        let threshold = p.shake_threshold_mg;
        let direction = if dynamic_mg > threshold {
            Some(1)
        } else if dynamic_mg < -threshold {
            Some(-1)
        } else {
            None
        };
        match (self.current, direction) {
            (_, Some(d)) if self.current != Some(d) => {
                self.current = Some(d);
                Some(d)
            }
            // Hysteresis: a swing ends only well inside the threshold, so
            // noise at the peak does not make two swings of one.
            (Some(_), None) if dynamic_mg.abs() < threshold / 2.0 => {
                self.current = None;
                None
            }
            _ => None,
        }
    }

    /// Adds a swing to the run; returns the run's length.
    fn count(&mut self, p: &Params, direction: i8, t_us: u64) -> usize {
        let previous = self.last_start();
        match previous {
            Some(prev) if t_us.saturating_sub(prev) > p.shake_max_half_period_us => self.clear(),
            // Same direction again, or a reversal too fast for a hand
            // (ringing of the case): not a new half-period.
            Some(prev)
                if direction == self.last_direction
                    || t_us.saturating_sub(prev) < p.shake_min_half_period_us =>
            {
                return self.len;
            }
            _ => {}
        }
        self.last_direction = direction;
        if let Some(slot) = self.starts_us.get_mut(self.next) {
            *slot = t_us;
        }
        self.next = (self.next + 1) % MAX_SHAKE_EXCURSIONS;
        self.len = (self.len + 1).min(MAX_SHAKE_EXCURSIONS);
        self.len
    }

    fn last_start(&self) -> Option<u64> {
        self.start_back(1)
    }

    /// Start of the `n`th last swing of the run (1: the last).
    fn start_back(&self, n: usize) -> Option<u64> {
        if n == 0 || n > self.len {
            return None;
        }
        let index = (self.next + MAX_SHAKE_EXCURSIONS - n) % MAX_SHAKE_EXCURSIONS;
        self.starts_us.get(index).copied()
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

/// Shake recognition over the dynamic acceleration `a − g`, mg, per axis.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShakeDetector {
    axes: [AxisSwings; 3],
    /// A shake was reported and is still going on.
    active: bool,
    /// Start of the latest swing on any axis.
    last_swing_us: Option<u64>,
}

impl ShakeDetector {
    /// Feeds one sample; true when a shake is recognised at it.
    pub(crate) fn on_sample(&mut self, p: &Params, t_us: u64, dynamic_mg: [f32; 3]) -> bool {
        let mut recognised = false;
        for (axis, d) in self.axes.iter_mut().zip(dynamic_mg) {
            let Some(direction) = axis.swing_starts(p, d) else {
                continue;
            };
            self.last_swing_us = Some(t_us);
            let run = axis.count(p, direction, t_us);
            let within_window = axis
                .start_back(p.shake_excursions)
                .is_some_and(|first| t_us.saturating_sub(first) <= p.shake_window_us);
            if !self.active && run >= p.shake_excursions && within_window {
                recognised = true;
            }
        }
        if recognised {
            self.active = true;
            for axis in &mut self.axes {
                axis.clear();
            }
        } else if self.active
            && self
                .last_swing_us
                .is_none_or(|last| t_us.saturating_sub(last) > p.shake_rearm_us)
        {
            self.active = false;
        }
        recognised
    }

    /// A shake was reported and the board has not calmed down since.
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }
}
