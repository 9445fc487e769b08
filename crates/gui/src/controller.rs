//! The controller's decisions, without I/O: it takes in received messages
//! and the time, keeps the [`State`] and the [`Dashboard`] up to date, runs
//! the gesture detector on the samples, and queues the commands to send.
//! The run loop does the reading, writing and waiting.
//!
//! What gestures do:
//!
//! | gesture | action |
//! |---|---|
//! | shake | `CMD op=cal` to motion (calibrate the gyroscope at rest) |
//! | double tap | next page |
//! | tilt right | next page |
//! | tilt left | previous page |
//! | wave (over the light sensor) | dim the display, or undim it |
//! | tap, flip | shown in the banner only |
//!
//! The page sets the IMU's sample rate: `rate hz=100` to motion on the
//! motion page (smooth traces), `rate hz=50` on the others (the traces are
//! not shown; 50 Hz is the lowest rate the gesture detectors are made for:
//! a tap lasts 15-40 ms).
//!
//! ```
//! use embedded_graphics::prelude::*;
//! use gui::controller::Controller;
//! use gui::dashboard::Page;
//! use gui::state::{Sensor, StateConfig};
//! use wire::{CommandOp, GestureKind};
//!
//! let mut c = Controller::new(Size::new(320, 240), StateConfig::default());
//! c.start();
//! let sent: Vec<_> = c.take_commands().map(|(to, cmd)| (to, cmd.op)).collect();
//! assert_eq!(sent[0], (Sensor::Motion, CommandOp::Hello));
//! c.on_gesture(GestureKind::DoubleTap, 0);
//! assert_eq!(c.dashboard().page(), Page::Light);
//! ```

use embedded_graphics::prelude::Size;
use wire::{Command, CommandOp, GestureKind, Message};

use crate::dashboard::{Dashboard, Page};
use crate::state::{Changes, Sensor, State, StateConfig};

/// The IMU sample rate on the motion page, hertz.
pub const MOTION_PAGE_HZ: u32 = 100;
/// The IMU sample rate on the other pages, hertz: the lowest the gesture
/// detectors work at (see the `gestures` crate).
pub const OTHER_PAGES_HZ: u32 = 50;

/// What a gesture makes the controller do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Send `cal` to the motion sensor.
    Calibrate,
    /// Show the next page.
    NextPage,
    /// Show the previous page.
    PreviousPage,
    /// Dim or undim.
    ToggleDim,
    /// Only show it.
    None,
}

/// The action of each gesture (the table in the module documentation).
pub fn action_for(kind: GestureKind) -> Action {
    match kind {
        GestureKind::Shake => Action::Calibrate,
        GestureKind::DoubleTap | GestureKind::TiltRight => Action::NextPage,
        GestureKind::TiltLeft => Action::PreviousPage,
        GestureKind::Wave => Action::ToggleDim,
        GestureKind::Tap | GestureKind::FlipDown => Action::None,
    }
}

/// The controller: model, dashboard, gesture detector, command queue.
pub struct Controller {
    state: State,
    dashboard: Dashboard,
    detector: gestures::Detector,
    next_id: u32,
    outbox: Vec<(Sensor, Command)>,
    /// Motion's `seq` restarts seen so far: a restarted sensor's stream
    /// starts over, and so does the detector.
    motion_resets: u64,
    /// Gestures recognised so far.
    gestures: u64,
    last_gesture: Option<GestureKind>,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("page", &self.dashboard.page())
            .field("next_id", &self.next_id)
            .field("outbox", &self.outbox)
            .finish_non_exhaustive()
    }
}

impl Controller {
    /// A controller drawing on a screen of `size`.
    pub fn new(size: Size, config: StateConfig) -> Self {
        Controller {
            state: State::new(config),
            dashboard: Dashboard::new(size),
            detector: gestures::Detector::new(gestures::Config::default()),
            next_id: 1,
            outbox: Vec::new(),
            motion_resets: 0,
            gestures: 0,
            last_gesture: None,
        }
    }

    /// The model.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The dashboard.
    pub fn dashboard(&self) -> &Dashboard {
        &self.dashboard
    }

    /// The model and the dashboard, to draw the one on the other.
    pub fn parts(&mut self) -> (&State, &mut Dashboard) {
        (&self.state, &mut self.dashboard)
    }

    /// Gestures recognised so far.
    pub fn gestures_seen(&self) -> u64 {
        self.gestures
    }

    /// The last gesture recognised, if any.
    pub fn last_gesture(&self) -> Option<GestureKind> {
        self.last_gesture
    }

    /// Queues what the controller says at start: `hello` to both sensors,
    /// then the motion page's sample rate.
    pub fn start(&mut self) {
        for sensor in Sensor::ALL {
            self.queue(sensor, CommandOp::Hello);
        }
        self.queue_rate();
    }

    /// Queues `stats` to both sensors.
    pub fn query_stats(&mut self) {
        for sensor in Sensor::ALL {
            self.queue(sensor, CommandOp::Stats);
        }
    }

    /// The commands queued since the last call, in order.
    pub fn take_commands(&mut self) -> impl Iterator<Item = (Sensor, Command)> + '_ {
        self.outbox.drain(..)
    }

    /// A queued command could not be written to `sensor`.
    pub fn command_unsent(&mut self, sensor: Sensor) {
        let changed = self.state.command_unsent(sensor);
        self.dashboard.invalidate(changed);
    }

    /// The controller's decoder rejected `rejected` frames so far.
    pub fn set_rx_rejected(&mut self, rejected: u64) {
        let changed = self.state.set_rx_rejected(rejected);
        self.dashboard.invalidate(changed);
    }

    /// Takes in one received message at `now_us`.
    pub fn on_message(&mut self, msg: &Message<'_>, now_us: u64) {
        let changed = self.state.apply(msg, now_us);
        self.dashboard.invalidate(changed);
        let gesture = match msg {
            Message::Imu(s) => {
                let resets = self.state.link(Sensor::Motion).seq_resets;
                if resets != self.motion_resets {
                    self.motion_resets = resets;
                    self.detector.reset();
                }
                self.detector.on_imu(s)
            }
            Message::Light(s) => self.detector.on_light(s),
            _ => None,
        };
        if let Some(kind) = gesture {
            self.on_gesture(kind, now_us);
        }
    }

    /// Acts on a recognised gesture (see the table in the module docs).
    pub fn on_gesture(&mut self, kind: GestureKind, now_us: u64) {
        self.gestures += 1;
        self.last_gesture = Some(kind);
        let changed = self.state.show_gesture(kind, now_us);
        self.dashboard.invalidate(changed);
        match action_for(kind) {
            Action::Calibrate => self.queue(Sensor::Motion, CommandOp::Calibrate),
            Action::NextPage => self.show_page(self.dashboard.page().next()),
            Action::PreviousPage => self.show_page(self.dashboard.page().previous()),
            Action::ToggleDim => {
                let dim = !self.dashboard.is_dim();
                self.dashboard.set_dim(dim);
            }
            Action::None => {}
        }
    }

    /// Shows `page` and sets the IMU rate it needs.
    pub fn show_page(&mut self, page: Page) {
        if self.dashboard.set_page(page) {
            self.queue_rate();
        }
    }

    /// Lets time pass (banner expiry, staleness).
    pub fn tick(&mut self, now_us: u64) -> Changes {
        let changed = self.state.tick(now_us);
        self.dashboard.invalidate(changed);
        changed
    }

    /// When [`Controller::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<u64> {
        self.state.next_deadline()
    }

    fn queue_rate(&mut self) {
        let hz = if self.dashboard.page() == Page::Motion {
            MOTION_PAGE_HZ
        } else {
            OTHER_PAGES_HZ
        };
        self.queue(Sensor::Motion, CommandOp::SetRate { hz });
    }

    fn queue(&mut self, sensor: Sensor, op: CommandOp) {
        let id = self.next_id;
        // Ids only need to be unique among recent commands; skip 0.
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        self.state.command_sent(sensor, id, &op);
        self.outbox.push((sensor, Command { id, op }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::{Ack, ImuSample, OpKind};

    fn controller() -> Controller {
        Controller::new(Size::new(320, 240), StateConfig::default())
    }

    fn ops(c: &mut Controller) -> Vec<(Sensor, CommandOp)> {
        c.take_commands().map(|(s, cmd)| (s, cmd.op)).collect()
    }

    #[test]
    fn start_says_hello_to_both_and_sets_the_motion_rate() {
        let mut c = controller();
        c.start();
        let sent: Vec<_> = c.take_commands().collect();
        let ids: Vec<u32> = sent.iter().map(|(_, cmd)| cmd.id).collect();
        assert_eq!(ids, [1, 2, 3]);
        let ops: Vec<_> = sent.iter().map(|(s, cmd)| (*s, cmd.op)).collect();
        assert_eq!(
            ops,
            [
                (Sensor::Motion, CommandOp::Hello),
                (Sensor::Light, CommandOp::Hello),
                (Sensor::Motion, CommandOp::SetRate { hz: 100 }),
            ]
        );
        assert_eq!(c.take_commands().count(), 0, "taken once");
    }

    #[test]
    fn gestures_map_to_their_actions() {
        let mut c = controller();
        c.on_gesture(GestureKind::Shake, 0);
        assert_eq!(ops(&mut c), [(Sensor::Motion, CommandOp::Calibrate)]);
        assert_eq!(c.state().banner().unwrap().text, "gesture: shake");
        c.on_gesture(GestureKind::DoubleTap, 0);
        assert_eq!(c.dashboard().page(), Page::Light);
        assert_eq!(
            ops(&mut c),
            [(Sensor::Motion, CommandOp::SetRate { hz: OTHER_PAGES_HZ })]
        );
        c.on_gesture(GestureKind::TiltRight, 0);
        assert_eq!(c.dashboard().page(), Page::Health);
        assert_eq!(
            ops(&mut c),
            [(Sensor::Motion, CommandOp::SetRate { hz: OTHER_PAGES_HZ })]
        );
        c.on_gesture(GestureKind::TiltLeft, 0);
        c.on_gesture(GestureKind::TiltLeft, 0);
        assert_eq!(c.dashboard().page(), Page::Motion);
        assert_eq!(
            ops(&mut c),
            [
                (Sensor::Motion, CommandOp::SetRate { hz: OTHER_PAGES_HZ }),
                (Sensor::Motion, CommandOp::SetRate { hz: 100 })
            ]
        );
        c.on_gesture(GestureKind::Wave, 0);
        assert!(c.dashboard().is_dim());
        c.on_gesture(GestureKind::Wave, 0);
        assert!(!c.dashboard().is_dim());
        c.on_gesture(GestureKind::Tap, 0);
        c.on_gesture(GestureKind::FlipDown, 0);
        assert!(ops(&mut c).is_empty());
        assert_eq!(c.dashboard().page(), Page::Motion);
        assert_eq!(c.gestures_seen(), 9);
    }

    #[test]
    fn the_calibration_ack_is_matched_to_its_command() {
        let mut c = controller();
        c.on_gesture(GestureKind::Shake, 0);
        let (_, cmd) = c.take_commands().next().unwrap();
        let ack = Message::Ack(Ack {
            id: cmd.id,
            op: OpKind::Calibrate,
        });
        c.on_message(&ack, 10);
        assert_eq!(c.state().banner().unwrap().text, "motion: calibrated");
    }

    #[test]
    fn a_shaken_imu_stream_queues_a_calibration() {
        // 100 Hz, lying flat, then swings of +-1.5 g on x every 100 ms.
        let mut c = controller();
        let mut seq = 0;
        let mut sample = |ax: i32| {
            seq += 1;
            ImuSample {
                seq,
                t_us: u64::from(seq) * 10_000,
                accel_mg: [ax, 0, 1000],
                gyro_mdps: [0; 3],
                temp_cc: 2500,
            }
        };
        let mut stream = Vec::new();
        for _ in 0..100 {
            stream.push(sample(0));
        }
        for swing in 0..12 {
            let ax = if swing % 2 == 0 { 1500 } else { -1500 };
            for _ in 0..10 {
                stream.push(sample(ax));
            }
        }
        for _ in 0..100 {
            stream.push(sample(0));
        }
        for s in &stream {
            c.on_message(&Message::Imu(*s), s.t_us);
        }
        assert!(c.gestures_seen() >= 1);
        assert!(
            ops(&mut c).contains(&(Sensor::Motion, CommandOp::Calibrate)),
            "a shake calibrates the IMU"
        );
    }

    #[test]
    fn command_ids_wrap_past_zero() {
        let mut c = controller();
        c.next_id = u32::MAX;
        c.query_stats();
        let ids: Vec<u32> = c.take_commands().map(|(_, cmd)| cmd.id).collect();
        assert_eq!(ids, [u32::MAX, 1]);
    }
}
