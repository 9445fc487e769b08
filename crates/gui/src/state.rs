//! The dashboard's model: what the controller knows, built from decoded
//! [`wire::Message`]s. Pure: no I/O, no clock of its own. Every call takes
//! `now_us`, the controller's monotonic time in microseconds, so tests drive
//! time by hand.
//!
//! ```
//! use gui::state::{Sensor, State, StateConfig};
//! use wire::{ImuSample, Message};
//!
//! let mut state = State::new(StateConfig::default());
//! let imu = ImuSample { seq: 1, t_us: 0, accel_mg: [0, 0, 1000], gyro_mdps: [0; 3], temp_cc: 2500 };
//! let changed = state.apply(&Message::Imu(imu), 1_000);
//! assert!(changed.contains(gui::state::Changes::MOTION));
//! assert!(!state.link(Sensor::Motion).is_stale(1_000, state.config().stale_after_us));
//! ```

use wire::{
    Ack, CommandOp, ErrorCode, ErrorReport, ExitStatus, GestureKind, Hello, ImuSample, Level,
    LightSample, Message, OpKind, ProcessState, RunState, Stats,
};

/// A fixed-capacity history: the newest `N` values, oldest first.
#[derive(Debug, Clone)]
pub struct Ring<T: Copy + Default, const N: usize> {
    buf: [T; N],
    /// Index the next value goes to.
    head: usize,
    len: usize,
}

impl<T: Copy + Default, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Ring {
            buf: [T::default(); N],
            head: 0,
            len: 0,
        }
    }
}

impl<T: Copy + Default, const N: usize> Ring<T, N> {
    /// How many values it holds at most.
    pub const CAPACITY: usize = N;

    /// Adds `value`, forgetting the oldest one when full.
    pub fn push(&mut self, value: T) {
        if N == 0 {
            return;
        }
        self.buf[self.head] = value;
        self.head = (self.head + 1) % N;
        self.len = (self.len + 1).min(N);
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.len = 0;
        self.head = 0;
    }

    /// The newest value.
    pub fn latest(&self) -> Option<T> {
        (self.len > 0).then(|| self.buf[(self.head + N - 1) % N])
    }

    /// The values, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = T> + ExactSizeIterator + '_ {
        let start = (self.head + N - self.len) % N.max(1);
        (0..self.len).map(move |i| self.buf[(start + i) % N])
    }

    /// The newest `n` values (or all, if fewer), oldest first.
    pub fn last(&self, n: usize) -> impl ExactSizeIterator<Item = T> + '_ {
        self.iter().skip(self.len.saturating_sub(n))
    }
}

/// Points of history kept per sensor: at 100 Hz, 5 s of motion; at 20 Hz,
/// 25 s of light. Enough for a trace 512 pixels wide at one point a pixel.
pub const HISTORY_LEN: usize = 512;

/// The two sensor links the controller talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sensor {
    /// `appliance-motion`, the IMU.
    Motion,
    /// `appliance-light`, the ambient light sensor.
    Light,
}

impl Sensor {
    /// Both sensors.
    pub const ALL: [Sensor; 2] = [Sensor::Motion, Sensor::Light];

    /// The process name it uses in HELLO, HB and STATS (`motion`, `light`).
    pub const fn process_name(self) -> &'static str {
        match self {
            Sensor::Motion => "motion",
            Sensor::Light => "light",
        }
    }

    /// The sensor whose process is called `name`.
    pub fn from_process_name(name: &str) -> Option<Sensor> {
        Sensor::ALL.into_iter().find(|s| s.process_name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The counters of the last `STATS` frame of a process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Frames written.
    pub sent: u64,
    /// Frames dropped on a full pipe.
    pub dropped: u64,
    /// Frames received.
    pub received: u64,
    /// Frames rejected by its decoder.
    pub rejected: u64,
    /// Device or I/O errors.
    pub errors: u64,
}

impl From<&Stats<'_>> for StatsSnapshot {
    fn from(s: &Stats<'_>) -> Self {
        StatsSnapshot {
            sent: s.sent,
            dropped: s.dropped,
            received: s.received,
            rejected: s.rejected,
            errors: s.errors,
        }
    }
}

/// The last error a sensor reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    /// Its class.
    pub code: ErrorCode,
    /// Its text (decoded, lossy UTF-8, at most [`MAX_TEXT`] bytes).
    pub text: String,
    /// The command it answered, if any.
    pub op: Option<OpKind>,
}

/// Longest text kept from a frame, marker included: the banner shows this
/// much whole at every layout size (it wraps, up to half the screen).
pub const MAX_TEXT: usize = 120;

/// What the controller knows about one sensor link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkHealth {
    /// When its last frame of any kind arrived, on the controller's clock.
    pub last_frame_us: Option<u64>,
    /// The `seq` of its last sample.
    pub last_seq: Option<u32>,
    /// Samples received.
    pub samples: u64,
    /// Samples lost: the sum of the gaps in `seq`.
    pub lost: u64,
    /// Times `seq` went backwards (the sensor process restarted).
    pub seq_resets: u64,
    /// `ERR` frames attributed to it.
    pub errors: u64,
    /// The last of them.
    pub last_error: Option<LastError>,
    /// Its last `STATS` frame.
    pub stats: Option<StatsSnapshot>,
    /// The version from its last `HELLO`.
    pub version: Option<String>,
    /// Commands sent to it that could not be written (full or closed pipe).
    pub commands_unsent: u64,
}

impl LinkHealth {
    /// Microseconds since its last frame, if it sent one.
    pub fn age_us(&self, now_us: u64) -> Option<u64> {
        self.last_frame_us.map(|t| now_us.saturating_sub(t))
    }

    /// Whether it has been silent for `threshold_us` or longer (or never spoke).
    pub fn is_stale(&self, now_us: u64, threshold_us: u64) -> bool {
        self.age_us(now_us).is_none_or(|age| age >= threshold_us)
    }

    /// Counts a sample with `seq`: gaps are lost samples; a `seq` that goes
    /// backwards (or jumps by more than half the range) is a restart.
    fn sample(&mut self, seq: u32) {
        if let Some(last) = self.last_seq {
            let gap = seq.wrapping_sub(last).wrapping_sub(1);
            if gap < u32::MAX / 2 {
                self.lost += u64::from(gap);
            } else if seq != last {
                self.seq_resets += 1;
            }
        }
        self.last_seq = Some(seq);
        self.samples += 1;
    }
}

/// A supervised process as the last `STATE` frame described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessEntry {
    /// Its name in the topology.
    pub name: String,
    /// Its pid.
    pub pid: u32,
    /// Its state.
    pub state: RunState,
    /// How it ended, when it did.
    pub exit: Option<ExitStatus>,
    /// Restarts so far.
    pub restarts: u32,
}

/// Most processes listed (a topology has a handful).
pub const MAX_PROCESSES: usize = 16;

/// What a banner is about: its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    /// A gesture was recognised.
    Gesture,
    /// Something went right (a command was acknowledged).
    Info,
    /// Something went wrong.
    Error,
}

/// A line shown across the bottom of every page until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// What it is about.
    pub kind: BannerKind,
    /// The line.
    pub text: String,
    /// When it goes away, on the controller's clock.
    pub expires_us: u64,
}

/// One IMU sample as the motion page plots it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MotionPoint {
    /// Acceleration, milli-g.
    pub accel_mg: [i32; 3],
    /// Angular rate, milli-degrees per second.
    pub gyro_mdps: [i32; 3],
}

/// What a call changed, so the dashboard redraws only the widgets that
/// show it. A small bit set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes(u8);

impl Changes {
    /// Nothing changed.
    pub const NONE: Changes = Changes(0);
    /// A new IMU sample.
    pub const MOTION: Changes = Changes(1);
    /// A new LIGHT sample.
    pub const LIGHT: Changes = Changes(1 << 1);
    /// Link health: losses, errors, stats, staleness, versions.
    pub const LINKS: Changes = Changes(1 << 2);
    /// Process states.
    pub const PROCESSES: Changes = Changes(1 << 3);
    /// The banner appeared, changed or expired.
    pub const BANNER: Changes = Changes(1 << 4);
    /// Everything.
    pub const ALL: Changes = Changes(0x1F);

    /// Whether every change in `other` is in `self`.
    pub const fn contains(self, other: Changes) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any change in `other` is in `self`.
    pub const fn intersects(self, other: Changes) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether nothing changed.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl core::ops::BitOr for Changes {
    type Output = Changes;
    fn bitor(self, rhs: Changes) -> Changes {
        Changes(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for Changes {
    fn bitor_assign(&mut self, rhs: Changes) {
        self.0 |= rhs.0;
    }
}

/// Tunables of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateConfig {
    /// A sensor silent this long is stale, microseconds.
    pub stale_after_us: u64,
    /// How long a banner stays, microseconds.
    pub banner_us: u64,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            stale_after_us: 2_000_000,
            banner_us: 3_000_000,
        }
    }
}

/// A command sent and not yet answered: an `ERR` or `ACK` with its id is
/// about this sensor and op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    id: u32,
    sensor: Sensor,
    op: OpKind,
    /// A `hello`: whether the sensor has sent a `HELLO` since it was sent.
    hello_seen: bool,
}

/// Most commands awaiting an answer; older ones are forgotten (a sensor
/// that never answers must not grow the list).
const MAX_PENDING: usize = 32;

/// What the controller knows.
#[derive(Debug, Clone)]
pub struct State {
    config: StateConfig,
    imu: Option<ImuSample>,
    motion_history: Ring<MotionPoint, HISTORY_LEN>,
    light: Option<LightSample>,
    /// Milli-lux, oldest first.
    light_history: Ring<u32, HISTORY_LEN>,
    links: [LinkHealth; 2],
    /// Whether each link was stale at the last [`State::tick`].
    stale: [bool; 2],
    processes: Vec<ProcessEntry>,
    banner: Option<Banner>,
    pending: Vec<Pending>,
    /// ERR frames from no sensor: they name none (or another process), and
    /// answer no command of ours.
    unattributed_errors: u64,
    /// Frames the controller's own decoder rejected (set by the caller).
    rx_rejected: u64,
}

impl State {
    /// An empty model: no samples, both links stale.
    pub fn new(config: StateConfig) -> Self {
        State {
            config,
            imu: None,
            motion_history: Ring::default(),
            light: None,
            light_history: Ring::default(),
            links: [LinkHealth::default(), LinkHealth::default()],
            stale: [true, true],
            processes: Vec::new(),
            banner: None,
            pending: Vec::new(),
            unattributed_errors: 0,
            rx_rejected: 0,
        }
    }

    /// The tunables.
    pub fn config(&self) -> &StateConfig {
        &self.config
    }

    /// The latest IMU sample.
    pub fn imu(&self) -> Option<&ImuSample> {
        self.imu.as_ref()
    }

    /// Recent IMU samples, oldest first.
    pub fn motion_history(&self) -> &Ring<MotionPoint, HISTORY_LEN> {
        &self.motion_history
    }

    /// The latest LIGHT sample.
    pub fn light(&self) -> Option<&LightSample> {
        self.light.as_ref()
    }

    /// Recent illuminance, milli-lux, oldest first.
    pub fn light_history(&self) -> &Ring<u32, HISTORY_LEN> {
        &self.light_history
    }

    /// A sensor link's health.
    pub fn link(&self, sensor: Sensor) -> &LinkHealth {
        &self.links[sensor.index()]
    }

    /// Whether `sensor` was stale at the last [`State::tick`] (or has not
    /// spoken since).
    pub fn is_stale(&self, sensor: Sensor) -> bool {
        self.stale[sensor.index()]
    }

    /// Supervised processes, by name.
    pub fn processes(&self) -> &[ProcessEntry] {
        &self.processes
    }

    /// The banner, while it has not expired.
    pub fn banner(&self) -> Option<&Banner> {
        self.banner.as_ref()
    }

    /// ERR frames from no sensor: they name none (or another process), and
    /// answer no command of ours.
    pub fn unattributed_errors(&self) -> u64 {
        self.unattributed_errors
    }

    /// Frames the controller's decoder rejected.
    pub fn rx_rejected(&self) -> u64 {
        self.rx_rejected
    }

    /// Records the controller's decoder counter of rejected frames.
    pub fn set_rx_rejected(&mut self, rejected: u64) -> Changes {
        if rejected == self.rx_rejected {
            return Changes::NONE;
        }
        self.rx_rejected = rejected;
        Changes::LINKS
    }

    /// Takes in one received message at `now_us`; returns what changed.
    pub fn apply(&mut self, msg: &Message<'_>, now_us: u64) -> Changes {
        match msg {
            Message::Imu(s) => {
                let mut changed = self.heard(Sensor::Motion, now_us) | Changes::MOTION;
                let link = &mut self.links[Sensor::Motion.index()];
                let lost = link.lost;
                link.sample(s.seq);
                if link.lost != lost {
                    changed |= Changes::LINKS;
                }
                self.imu = Some(*s);
                self.motion_history.push(MotionPoint {
                    accel_mg: s.accel_mg,
                    gyro_mdps: s.gyro_mdps,
                });
                changed
            }
            Message::Light(s) => {
                let mut changed = self.heard(Sensor::Light, now_us) | Changes::LIGHT;
                let link = &mut self.links[Sensor::Light.index()];
                let lost = link.lost;
                link.sample(s.seq);
                if link.lost != lost {
                    changed |= Changes::LINKS;
                }
                self.light = Some(*s);
                self.light_history.push(s.lux_milli);
                changed
            }
            Message::Hello(h) => {
                let name = h.name.as_str();
                for p in &mut self.pending {
                    if p.op == OpKind::Hello && p.sensor.process_name() == name {
                        p.hello_seen = true;
                    }
                }
                self.named(name, now_us, |link| {
                    link.version = Some(truncated(h.version.as_str()));
                })
            }
            Message::Heartbeat(h) => self.named(h.name.as_str(), now_us, |_| {}),
            Message::Ready(r) => self.named(r.name.as_str(), now_us, |_| {}),
            Message::Stats(s) => {
                if let Some(id) = s.id {
                    self.answered(id);
                }
                self.named(s.name.as_str(), now_us, |link| {
                    link.stats = Some(StatsSnapshot::from(s));
                })
            }
            Message::Ack(a) => self.ack(a, now_us),
            Message::Error(e) => self.error(e, now_us),
            Message::State(p) => self.process_state(p),
            Message::Log(l) if l.level == Level::Error => {
                let text = format!("{}: {}", l.name, lossy(&l.text));
                self.show_banner(BannerKind::Error, &text, now_us)
            }
            // A GESTURE from elsewhere: show it, as our own would be.
            Message::Gesture(g) => self.show_gesture(g.kind, now_us),
            Message::Log(_) | Message::Command(_) | Message::Unknown(_) => Changes::NONE,
        }
    }

    /// Records that a command `id` with `op` went to `sensor`, so that its
    /// answer (ACK or ERR) is attributed to it.
    pub fn command_sent(&mut self, sensor: Sensor, id: u32, op: &CommandOp) {
        if self.pending.len() == MAX_PENDING {
            self.pending.remove(0);
        }
        self.pending.push(Pending {
            id,
            sensor,
            op: op.kind(),
            hello_seen: false,
        });
    }

    /// Whether `hello` repeats what the sensor said already: it answers our
    /// `hello` after the sensor's own `HELLO` (a sensor introduces itself
    /// when it starts, and answers `hello` the same way), so it is not a
    /// new start. Ask before [`State::apply`] takes it in.
    pub fn repeats_hello(&self, hello: &Hello<'_>) -> bool {
        self.pending.iter().any(|p| {
            p.op == OpKind::Hello && p.hello_seen && p.sensor.process_name() == hello.name.as_str()
        })
    }

    /// Records that a command to `sensor` could not be written.
    pub fn command_unsent(&mut self, sensor: Sensor) -> Changes {
        self.links[sensor.index()].commands_unsent += 1;
        Changes::LINKS
    }

    /// Shows the banner for a recognised gesture.
    pub fn show_gesture(&mut self, kind: GestureKind, now_us: u64) -> Changes {
        let text = format!("gesture: {}", gesture_label(kind));
        self.show_banner(BannerKind::Gesture, &text, now_us)
    }

    /// Shows `text` in the banner until `now_us` plus the banner time.
    pub fn show_banner(&mut self, kind: BannerKind, text: &str, now_us: u64) -> Changes {
        self.banner = Some(Banner {
            kind,
            text: truncated(text),
            expires_us: now_us.saturating_add(self.config.banner_us),
        });
        Changes::BANNER
    }

    /// Lets time pass: expires the banner, marks links that went silent as
    /// stale. Call it at [`State::next_deadline`] (or any time).
    pub fn tick(&mut self, now_us: u64) -> Changes {
        let mut changed = Changes::NONE;
        if self.banner.as_ref().is_some_and(|b| now_us >= b.expires_us) {
            self.banner = None;
            changed |= Changes::BANNER;
        }
        for sensor in Sensor::ALL {
            let stale = self.links[sensor.index()].is_stale(now_us, self.config.stale_after_us);
            if stale != self.stale[sensor.index()] {
                self.stale[sensor.index()] = stale;
                changed |= Changes::LINKS;
            }
        }
        changed
    }

    /// The next time at which [`State::tick`] would change something by
    /// itself (a banner expires, a fresh link goes stale); `None` when
    /// nothing will change until a frame arrives.
    pub fn next_deadline(&self) -> Option<u64> {
        let banner = self.banner.as_ref().map(|b| b.expires_us);
        let stale = Sensor::ALL
            .into_iter()
            .filter(|s| !self.stale[s.index()])
            .filter_map(|s| self.links[s.index()].last_frame_us)
            .map(|t| t.saturating_add(self.config.stale_after_us));
        banner.into_iter().chain(stale).min()
    }

    /// Whether any sensor is fresh (spoke within the stale time at the last
    /// tick): the controller asks for stats only then.
    pub fn any_fresh(&self) -> bool {
        self.stale.iter().any(|s| !s)
    }

    /// Forgets the sample histories (after a calibration, say).
    pub fn clear_histories(&mut self) -> Changes {
        self.motion_history.clear();
        self.light_history.clear();
        Changes::MOTION | Changes::LIGHT
    }

    /// A frame from `sensor` arrived at `now_us`.
    fn heard(&mut self, sensor: Sensor, now_us: u64) -> Changes {
        // Keep the latest: a caller replaying frames may pass older times.
        let last = &mut self.links[sensor.index()].last_frame_us;
        *last = Some(last.map_or(now_us, |t| t.max(now_us)));
        if std::mem::replace(&mut self.stale[sensor.index()], false) {
            Changes::LINKS
        } else {
            Changes::NONE
        }
    }

    /// A frame from the process `name` (if it is a sensor) at `now_us`.
    fn named(&mut self, name: &str, now_us: u64, update: impl FnOnce(&mut LinkHealth)) -> Changes {
        let Some(sensor) = Sensor::from_process_name(name) else {
            return Changes::NONE;
        };
        let changed = self.heard(sensor, now_us);
        update(&mut self.links[sensor.index()]);
        changed | Changes::LINKS
    }

    /// Takes the command `id` off the pending list.
    fn answered(&mut self, id: u32) -> Option<Pending> {
        self.answered_by(id, None)
    }

    /// Takes the command `id` off the pending list, if it went to `sensor`
    /// (any sensor when `None`).
    fn answered_by(&mut self, id: u32, sensor: Option<Sensor>) -> Option<Pending> {
        let i = self
            .pending
            .iter()
            .position(|p| p.id == id && sensor.is_none_or(|s| s == p.sensor))?;
        Some(self.pending.remove(i))
    }

    fn ack(&mut self, ack: &Ack, now_us: u64) -> Changes {
        let Some(pending) = self.answered(ack.id) else {
            return Changes::NONE;
        };
        let changed = self.heard(pending.sensor, now_us);
        if pending.op == OpKind::Calibrate {
            let text = format!("{}: calibrated", pending.sensor.process_name());
            return changed | self.show_banner(BannerKind::Info, &text, now_us);
        }
        changed
    }

    /// An `ERR` is the sender's it names; one without a name (from a
    /// sender that predates the field) is known by the command it answers.
    fn error(&mut self, e: &ErrorReport<'_>, now_us: u64) -> Changes {
        let text = lossy(&e.text);
        let named = e.name.map(|n| Sensor::from_process_name(n.as_str()));
        let pending = match (e.id, named) {
            // Another process's ERR answers none of our commands.
            (_, Some(None)) | (None, _) => None,
            (Some(id), Some(sensor)) => self.answered_by(id, sensor),
            (Some(id), None) => self.answered(id),
        };
        let op = pending.map(|p| p.op);
        let Some(sensor) = named.flatten().or(pending.map(|p| p.sensor)) else {
            self.unattributed_errors += 1;
            let sender = e.name.map(|n| truncated(n.as_str()));
            let line = join_error(sender.as_deref(), e.code, None, &text);
            return Changes::LINKS | self.show_banner(BannerKind::Error, &line, now_us);
        };
        let mut changed = self.heard(sensor, now_us) | Changes::LINKS;
        let link = &mut self.links[sensor.index()];
        link.errors += 1;
        link.last_error = Some(LastError {
            code: e.code,
            text: text.clone(),
            op,
        });
        let line = join_error(Some(sensor.process_name()), e.code, op, &text);
        changed |= self.show_banner(BannerKind::Error, &line, now_us);
        changed
    }

    fn process_state(&mut self, p: &ProcessState<'_>) -> Changes {
        let name = p.name.as_str();
        let entry = ProcessEntry {
            name: truncated(name),
            pid: p.pid,
            state: p.state,
            exit: p.exit,
            restarts: p.restarts,
        };
        match self
            .processes
            .binary_search_by(|e| e.name.as_str().cmp(name))
        {
            Ok(i) => self.processes[i] = entry,
            Err(i) if self.processes.len() < MAX_PROCESSES => self.processes.insert(i, entry),
            // A topology this large is not ours to show in full.
            Err(_) => return Changes::NONE,
        }
        Changes::PROCESSES
    }
}

/// `motion: cal failed: io (bus timeout)`.
fn join_error(sender: Option<&str>, code: ErrorCode, op: Option<OpKind>, text: &str) -> String {
    let mut line = String::new();
    if let Some(sender) = sender {
        line.push_str(sender);
        line.push_str(": ");
    }
    if let Some(op) = op {
        line.push_str(op.wire_name());
        line.push_str(" failed: ");
    } else {
        line.push_str("error: ");
    }
    line.push_str(code.wire_name());
    if !text.is_empty() {
        line.push_str(" (");
        line.push_str(text);
        line.push(')');
    }
    line
}

/// How a gesture reads in the banner.
pub fn gesture_label(kind: GestureKind) -> &'static str {
    match kind {
        GestureKind::Tap => "tap",
        GestureKind::DoubleTap => "double tap",
        GestureKind::Shake => "shake",
        GestureKind::TiltLeft => "tilt left",
        GestureKind::TiltRight => "tilt right",
        GestureKind::FlipDown => "flip",
        GestureKind::Wave => "wave",
    }
}

/// A wire text as a string: lossy UTF-8, [`truncated`].
fn lossy(text: &wire::Text<'_>) -> String {
    // One byte past the limit is enough to tell a cut from a fit.
    let bytes: Vec<u8> = text.bytes().take(MAX_TEXT + 1).collect();
    truncated(&String::from_utf8_lossy(&bytes))
}

/// What marks a text cut to fit [`MAX_TEXT`].
const CUT: &str = "...";

/// `s` if it fits in [`MAX_TEXT`] bytes; else cut at a character boundary
/// and ended with `...`, so the screen never shows a cut text as whole.
fn truncated(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_owned();
    }
    let mut end = MAX_TEXT - CUT.len();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{CUT}", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::{Hello, Text, Token};

    fn imu(seq: u32, ax: i32) -> Message<'static> {
        Message::Imu(ImuSample {
            seq,
            t_us: u64::from(seq) * 10_000,
            accel_mg: [ax, 0, 1000],
            gyro_mdps: [0, 0, 0],
            temp_cc: 2500,
        })
    }

    fn light(seq: u32, lux_milli: u32) -> Message<'static> {
        Message::Light(LightSample {
            seq,
            t_us: 0,
            lux_milli,
            raw: 0,
        })
    }

    fn state() -> State {
        State::new(StateConfig {
            stale_after_us: 1_000,
            banner_us: 500,
        })
    }

    #[test]
    fn ring_keeps_the_newest_values_oldest_first() {
        let mut ring: Ring<u32, 3> = Ring::default();
        assert!(ring.is_empty());
        assert_eq!(ring.latest(), None);
        for v in 1..=5 {
            ring.push(v);
        }
        assert_eq!(ring.iter().collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(ring.last(2).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(ring.last(9).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(ring.latest(), Some(5));
        ring.clear();
        assert_eq!(ring.len(), 0);
        ring.push(9);
        assert_eq!(ring.iter().collect::<Vec<_>>(), [9]);
    }

    #[test]
    fn samples_update_latest_history_and_freshness() {
        let mut s = state();
        assert!(s.is_stale(Sensor::Motion));
        let changed = s.apply(&imu(1, 10), 100);
        assert!(changed.contains(Changes::MOTION | Changes::LINKS));
        assert!(!s.is_stale(Sensor::Motion));
        assert_eq!(s.imu().unwrap().accel_mg[0], 10);
        // A second sample on a fresh link changes only the motion widgets.
        assert_eq!(s.apply(&imu(2, 20), 200), Changes::MOTION);
        assert_eq!(s.motion_history().len(), 2);
        assert!(s.apply(&light(1, 5_000), 200).contains(Changes::LIGHT));
        assert_eq!(s.light_history().latest(), Some(5_000));
        assert_eq!(s.link(Sensor::Motion).samples, 2);
    }

    #[test]
    fn seq_gaps_count_lost_samples_and_backward_seq_is_a_restart() {
        let mut s = state();
        s.apply(&imu(10, 0), 0);
        s.apply(&imu(11, 0), 0);
        let changed = s.apply(&imu(15, 0), 0);
        assert!(
            changed.contains(Changes::LINKS),
            "a loss changes the health view"
        );
        assert_eq!(s.link(Sensor::Motion).lost, 3);
        s.apply(&imu(0, 0), 0);
        assert_eq!(s.link(Sensor::Motion).lost, 3, "a restart is not a loss");
        assert_eq!(s.link(Sensor::Motion).seq_resets, 1);
        // A repeated seq is neither.
        s.apply(&imu(0, 0), 0);
        assert_eq!(s.link(Sensor::Motion).lost, 3);
        assert_eq!(s.link(Sensor::Motion).seq_resets, 1);
        assert_eq!(s.link(Sensor::Light).lost, 0);
        // Wrapping past u32::MAX is a gap like any other.
        let mut s = state();
        s.apply(&imu(u32::MAX - 1, 0), 0);
        s.apply(&imu(1, 0), 0);
        assert_eq!(s.link(Sensor::Motion).lost, 2);
        assert_eq!(s.link(Sensor::Motion).seq_resets, 0);
    }

    #[test]
    fn staleness_follows_the_injected_clock() {
        let mut s = state();
        assert_eq!(
            s.next_deadline(),
            None,
            "nothing heard: nothing to wait for"
        );
        s.apply(&imu(1, 0), 5_000);
        assert_eq!(s.next_deadline(), Some(6_000));
        assert_eq!(s.tick(5_999), Changes::NONE);
        assert!(!s.is_stale(Sensor::Motion));
        assert_eq!(s.tick(6_000), Changes::LINKS);
        assert!(s.is_stale(Sensor::Motion));
        assert!(!s.any_fresh());
        assert_eq!(s.next_deadline(), None, "stale links set no deadline");
        assert_eq!(s.tick(9_000), Changes::NONE);
        assert!(s.apply(&imu(2, 0), 9_000).contains(Changes::LINKS));
        assert!(s.any_fresh());
        assert_eq!(s.link(Sensor::Motion).age_us(9_250), Some(250));
    }

    #[test]
    fn process_states_are_kept_by_name() {
        let mut s = state();
        let st = |name: &'static str, state, restarts| {
            Message::State(ProcessState {
                name: Token::new(name).unwrap(),
                pid: 42,
                state,
                exit: None,
                ran_us: None,
                restarts,
                next_us: None,
            })
        };
        assert_eq!(
            s.apply(&st("motion", RunState::Started, 0), 0),
            Changes::PROCESSES
        );
        s.apply(&st("light", RunState::Started, 0), 0);
        s.apply(&st("motion", RunState::Exited, 3), 0);
        let names: Vec<_> = s.processes().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["light", "motion"]);
        assert_eq!(s.processes()[1].state, RunState::Exited);
        assert_eq!(s.processes()[1].restarts, 3);
        // STATE is from the supervisor: it says nothing about a link's freshness.
        assert!(s.is_stale(Sensor::Motion));
    }

    #[test]
    fn errors_without_a_sender_are_attributed_through_the_command_id() {
        let mut s = state();
        s.command_sent(Sensor::Motion, 7, &CommandOp::Calibrate);
        // As a sender that predates `name` sends it.
        let err = Message::Error(ErrorReport {
            name: None,
            id: Some(7),
            code: ErrorCode::Io,
            text: Text::new("bus timeout"),
        });
        let changed = s.apply(&err, 10);
        assert!(changed.contains(Changes::LINKS | Changes::BANNER));
        let link = s.link(Sensor::Motion);
        assert_eq!(link.errors, 1);
        let last = link.last_error.as_ref().unwrap();
        assert_eq!(
            (last.code, last.op),
            (ErrorCode::Io, Some(OpKind::Calibrate))
        );
        assert_eq!(
            s.banner().unwrap().text,
            "motion: cal failed: io (bus timeout)"
        );
        assert_eq!(s.banner().unwrap().kind, BannerKind::Error);
        // The same id again answers nothing of ours.
        s.apply(&err, 20);
        assert_eq!(s.link(Sensor::Motion).errors, 1);
        assert_eq!(s.unattributed_errors(), 1);
        assert_eq!(s.banner().unwrap().text, "error: io (bus timeout)");
    }

    #[test]
    fn errors_are_their_senders() {
        let mut s = state();
        s.command_sent(Sensor::Motion, 7, &CommandOp::Calibrate);
        let err = |name: &'static str, id| {
            Message::Error(ErrorReport {
                name: Some(Token::new(name).unwrap()),
                id,
                code: ErrorCode::Io,
                text: Text::new("bus timeout"),
            })
        };
        // An episode's ERR answers no command: it is still light's.
        s.apply(&err("light", None), 10);
        assert_eq!(s.link(Sensor::Light).errors, 1);
        assert_eq!(s.link(Sensor::Light).last_error.as_ref().unwrap().op, None);
        assert_eq!(s.banner().unwrap().text, "light: error: io (bus timeout)");
        // Light's ERR with the id of motion's command is light's, and
        // leaves motion's command waiting for its answer.
        s.apply(&err("light", Some(7)), 20);
        assert_eq!(s.link(Sensor::Light).errors, 2);
        assert_eq!(s.link(Sensor::Motion).errors, 0);
        s.apply(&err("motion", Some(7)), 30);
        let last = s.link(Sensor::Motion).last_error.clone().unwrap();
        assert_eq!(last.op, Some(OpKind::Calibrate));
        // Another process's ERR is nobody's link, but says who sent it.
        s.apply(&err("log", None), 40);
        assert_eq!(s.unattributed_errors(), 1);
        assert_eq!(s.banner().unwrap().text, "log: error: io (bus timeout)");
        assert_eq!(
            s.link(Sensor::Light).errors + s.link(Sensor::Motion).errors,
            3
        );
    }

    #[test]
    fn a_hello_that_answers_ours_after_the_sensors_own_repeats_it() {
        let mut s = state();
        s.command_sent(Sensor::Motion, 1, &CommandOp::Hello);
        let hello = Hello {
            name: Token::new("motion").unwrap(),
            version: Token::new("0.1.0").unwrap(),
            protocol: 1,
        };
        // The sensor's own HELLO as it starts, then its answer to ours.
        assert!(!s.repeats_hello(&hello));
        s.apply(&Message::Hello(hello), 10);
        assert!(s.repeats_hello(&hello));
        s.apply(&Message::Hello(hello), 11);
        s.apply(
            &Message::Ack(Ack {
                id: 1,
                op: OpKind::Hello,
            }),
            12,
        );
        // A sensor that starts again later introduces itself anew.
        assert!(!s.repeats_hello(&hello));
        // Light's HELLO is not motion's.
        s.command_sent(Sensor::Light, 2, &CommandOp::Hello);
        s.apply(&Message::Hello(hello), 20);
        let light = Hello {
            name: Token::new("light").unwrap(),
            ..hello
        };
        assert!(!s.repeats_hello(&light));
    }

    #[test]
    fn ack_of_a_calibration_shows_a_banner_that_expires() {
        let mut s = state();
        s.command_sent(Sensor::Motion, 3, &CommandOp::Calibrate);
        s.command_sent(Sensor::Light, 4, &CommandOp::SetRate { hz: 20 });
        let ack = |id| {
            Message::Ack(Ack {
                id,
                op: OpKind::Calibrate,
            })
        };
        assert!(s.apply(&ack(3), 100).contains(Changes::BANNER));
        assert_eq!(s.banner().unwrap().text, "motion: calibrated");
        assert_eq!(s.banner().unwrap().kind, BannerKind::Info);
        assert_eq!(
            s.next_deadline(),
            Some(600),
            "the banner expires before motion goes stale"
        );
        assert_eq!(s.tick(599), Changes::NONE);
        assert_eq!(s.tick(600), Changes::BANNER);
        assert!(s.banner().is_none());
        // An ACK of an unknown id changes nothing.
        assert_eq!(s.apply(&ack(99), 700), Changes::NONE);
    }

    #[test]
    fn pending_commands_are_bounded() {
        let mut s = state();
        for id in 0..(u32::try_from(MAX_PENDING).unwrap() + 5) {
            s.command_sent(Sensor::Light, id, &CommandOp::Stats);
        }
        let ack = |id| {
            Message::Ack(Ack {
                id,
                op: OpKind::Stats,
            })
        };
        assert_eq!(
            s.apply(&ack(0), 0),
            Changes::NONE,
            "the oldest was forgotten"
        );
        assert!(
            s.apply(&ack(u32::try_from(MAX_PENDING).unwrap() + 4), 0)
                .contains(Changes::LINKS)
        );
    }

    #[test]
    fn hello_and_stats_update_the_named_link_only() {
        let mut s = state();
        let hello = Message::Hello(Hello {
            name: Token::new("light").unwrap(),
            version: Token::new("0.1.0").unwrap(),
            protocol: 1,
        });
        assert!(s.apply(&hello, 0).contains(Changes::LINKS));
        assert_eq!(s.link(Sensor::Light).version.as_deref(), Some("0.1.0"));
        let stats = Message::Stats(Stats {
            name: Token::new("motion").unwrap(),
            id: None,
            sent: 10,
            dropped: 2,
            received: 3,
            rejected: 1,
            errors: 0,
        });
        s.apply(&stats, 0);
        assert_eq!(s.link(Sensor::Motion).stats.unwrap().dropped, 2);
        let other = Message::Stats(Stats {
            name: Token::new("log").unwrap(),
            ..match stats {
                Message::Stats(st) => st,
                _ => unreachable!(),
            }
        });
        assert_eq!(s.apply(&other, 0), Changes::NONE);
    }

    #[test]
    fn long_texts_are_cut_at_a_character_boundary_and_marked() {
        let long = "é".repeat(100);
        let cut = truncated(&long);
        assert!(cut.len() <= MAX_TEXT);
        let kept = cut.strip_suffix("...").expect("marked as cut");
        assert!(kept.chars().all(|c| c == 'é'));
        let fits = "x".repeat(MAX_TEXT);
        assert_eq!(truncated(&fits), fits, "a text that fits is whole");
        let wire = "y".repeat(MAX_TEXT + 50);
        let cut = lossy(&wire::Text::new(&wire));
        assert_eq!(cut.len(), MAX_TEXT);
        assert!(cut.ends_with("y..."), "{cut}");
    }
}
