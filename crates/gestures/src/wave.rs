//! Wave: a hand passing over the light sensor, a short deep dip of the
//! light below its recent level.

use crate::config::Params;
use crate::stream::{follow, smoothing};

#[derive(Debug, Clone, Copy, PartialEq)]
enum WaveState {
    /// No history yet.
    Empty,
    /// Following the ambient light.
    Tracking { baseline: f32 },
    /// The light fell below the dip's edge at `start_us`; the baseline is
    /// held; `deepest` is the lowest light since.
    Dip {
        baseline: f32,
        start_us: u64,
        deepest: f32,
    },
}

/// Wave recognition over the illuminance, milli-lux.
#[derive(Debug, Clone)]
pub(crate) struct WaveDetector {
    state: WaveState,
}

impl Default for WaveDetector {
    fn default() -> Self {
        Self {
            state: WaveState::Empty,
        }
    }
}

impl WaveDetector {
    /// Feeds one light sample, `dt_us` after the previous one (ignored for
    /// the first); true when a wave ends at it.
    pub(crate) fn on_sample(&mut self, p: &Params, t_us: u64, dt_us: u64, lux: f32) -> bool {
        match self.state {
            WaveState::Empty => {
                self.state = WaveState::Tracking { baseline: lux };
                false
            }
            WaveState::Tracking { baseline } => {
                let bright_enough = baseline >= p.wave_min_baseline_milli_lux;
                if bright_enough && lux < baseline * p.wave_edge_fraction {
                    self.state = WaveState::Dip {
                        baseline,
                        start_us: t_us,
                        deepest: lux,
                    };
                } else {
                    let weight = smoothing(dt_us, p.wave_baseline_tau_us);
                    self.state = WaveState::Tracking {
                        baseline: follow(baseline, lux, weight),
                    };
                }
                false
            }
            WaveState::Dip {
                baseline,
                start_us,
                deepest,
            } => {
                let deepest = deepest.min(lux);
                let duration = t_us.saturating_sub(start_us);
                if lux >= baseline * p.wave_edge_fraction {
                    // Back: the light before the dip is still the baseline.
                    self.state = WaveState::Tracking { baseline };
                    let deep = deepest <= baseline * p.wave_deep_fraction;
                    let timely =
                        (p.wave_min_duration_us..=p.wave_max_duration_us).contains(&duration);
                    deep && timely
                } else if duration > p.wave_max_duration_us {
                    // Not coming back: the ambient light changed (dusk, a
                    // lamp, a hand that stays). Start again from here.
                    self.state = WaveState::Tracking { baseline: lux };
                    false
                } else {
                    self.state = WaveState::Dip {
                        baseline,
                        start_us,
                        deepest,
                    };
                    false
                }
            }
        }
    }
}
