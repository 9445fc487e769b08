//! The process: one `poll` loop over the receive pipe and a signalfd.
//!
//! There is no periodic tick. Each turn computes the earliest thing it has
//! to do by itself, and polls with that as the timeout, or with none:
//! - the next frame, at most `--fps` a second, only while something is
//!   dirty;
//! - the next PNG write (headless), only while one is pending;
//! - the moment a fresh sensor becomes stale, or the banner expires;
//! - the next `stats` query, only while some sensor is alive.
//!
//! So a GUI with silent sensors sleeps in `poll` without waking. Commands
//! go out on non-blocking pipes: a full pipe drops the command (counted on
//! the health page) instead of stalling the display. SIGTERM, SIGINT and
//! SIGHUP end the loop through the signalfd, so every destructor runs and
//! the console returns to text mode.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use event_loop::{PollSet, StopSignals};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use pipe_ends::{End, PipeEnd, PipeEndError};
use wire::{FrameReader, FrameWriter, Message, ReadStatus, SendError};

use crate::args::{Options, SPEC};
use crate::controller::Controller;
use crate::display::{Display, DisplayError};
use crate::headless::HeadlessScreen;
use crate::state::{Sensor, State, StateConfig};

/// Why the GUI stopped other than by a signal.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A pipe end from argv is unusable.
    #[error(transparent)]
    PipeEnd(#[from] PipeEndError),
    /// The display cannot be used.
    #[error(transparent)]
    Display(#[from] DisplayError),
    /// Blocking the signals or creating the signalfd failed.
    #[error("signalfd: {0}")]
    Signals(Errno),
    /// `poll` failed.
    #[error("poll: {0}")]
    Poll(Errno),
    /// Reading `--rx` failed.
    #[error("--rx: {0}")]
    Read(#[from] wire::ReadError),
}

impl RunError {
    /// The exit code: 64 (`EX_USAGE`) for a bad pipe end, 1
    /// (`EXIT_FAILURE`) otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::PipeEnd(_) => cli::exit::EX_USAGE,
            _ => cli::exit::EXIT_FAILURE,
        }
    }
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// By this signal.
    Signal(Signal),
}

/// The signals that end the GUI cleanly.
const STOP_SIGNALS: [Signal; 3] = [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP];

/// Takes a pipe end from a flag's value, non-blocking.
fn pipe_end(flag: &str, value: &Option<String>, end: End) -> Result<Option<PipeEnd>, RunError> {
    let Some(value) = value else { return Ok(None) };
    let pipe = PipeEnd::from_arg(flag, value, end)?;
    pipe.set_nonblocking(true)?;
    Ok(Some(pipe))
}

/// Runs the GUI until a stop signal; errors end it early.
pub fn run(options: &Options) -> Result<Stopped, RunError> {
    // Block the stop signals first: from here on they wait in the signalfd.
    let mut signals = StopSignals::block(&STOP_SIGNALS).map_err(RunError::Signals)?;
    let mut rx = pipe_end("--rx", &options.rx, End::Read)?.map(FrameReader::new);
    let mut tx = [
        pipe_end("--tx-motion", &options.tx_motion, End::Write)?.map(FrameWriter::new),
        pipe_end("--tx-light", &options.tx_light, End::Write)?.map(FrameWriter::new),
    ];
    let mut display = Display::open(&options.display, options.png_every_ms * 1_000)?;
    let size = display.native_size().unwrap_or(options.size);
    let mut screen = HeadlessScreen::new(size);
    let config = StateConfig {
        stale_after_us: options.stale_ms * 1_000,
        ..StateConfig::default()
    };
    let mut controller = Controller::new(size, config);
    let frame_us = 1_000_000 / u64::from(options.fps.max(1));
    let stats_us = options.stats_every_ms * 1_000;
    let clock = Instant::now();
    // Saturates after 584 000 years.
    let now = || u64::try_from(clock.elapsed().as_micros()).unwrap_or(u64::MAX);

    controller.start();
    let mut last_draw: Option<u64> = None;
    let mut next_stats: Option<u64> = None;
    loop {
        let t = now();
        controller.tick(t);
        // Stats are asked for only while a sensor is alive to answer.
        if controller.state().any_fresh() {
            let due = *next_stats.get_or_insert(t);
            if t >= due {
                controller.query_stats();
                next_stats = Some(t + stats_us);
            }
        } else {
            next_stats = None;
        }
        send_commands(&mut controller, &mut tx);
        let frame_due = last_draw.map_or(0, |d| d + frame_us);
        if controller.dashboard().is_dirty() && t >= frame_due {
            let (state, dashboard) = controller.parts();
            let Ok(damage) = dashboard.draw(state, &mut screen);
            display.present(&screen, damage, t)?;
            last_draw = Some(t);
        }
        display.flush(&screen, t)?;

        let deadline = [
            controller.next_deadline(),
            next_stats,
            controller
                .dashboard()
                .is_dirty()
                .then(|| last_draw.map_or(0, |d| d + frame_us)),
            display.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min();
        // Rounded up by the wait: waking a little late is fine, early
        // means a spin.
        let timeout = deadline.map(|d| Duration::from_micros(d.saturating_sub(now())));
        let (signal_ready, rx_ready) = {
            let mut set = PollSet::new();
            let signal = set.add(signals.as_fd());
            let rx = set.add_some(rx.as_ref().map(|rx| rx.get_ref().as_fd()));
            let ready = set.wait(timeout).map_err(RunError::Poll)?;
            (ready.fired(signal), ready.fired_some(rx))
        };
        if signal_ready && let Ok(Some(sig)) = signals.take() {
            // What the receive pipe brought, by reason, for the log.
            if let Some(reader) = &rx {
                SPEC.report(&format_args!("rx pipe: {}", reader.counters()));
            }
            return Ok(Stopped::Signal(sig));
        }
        if rx_ready && let Some(reader) = &mut rx {
            let t = now();
            let seen = controller.gestures_seen();
            let status = reader.read_messages(|m| {
                if let Ok(msg) = m {
                    note(&msg, controller.state());
                    controller.on_message(&msg, t);
                }
            })?;
            if controller.gestures_seen() != seen
                && let Some(kind) = controller.last_gesture()
            {
                SPEC.report(&format_args!("gesture {}", kind.wire_name()));
            }
            controller.set_rx_rejected(reader.counters().dropped());
            if status == ReadStatus::Eof {
                // Every writer is gone (the supervisor keeps its copies, so
                // in the appliance this does not happen): keep showing the
                // last state, stop polling a pipe that stays readable.
                rx = None;
            }
        }
    }
}

/// One line in the log (the supervisor's, through stderr) for what is
/// worth reading there: a sensor saying who it is (once per start: not
/// again when it answers the controller's `hello` right after), the
/// answers to the controller's commands (its counters, in STATS, among
/// them). Samples and heartbeats are not. `state` is the controller's
/// before it takes `msg` in.
fn note(msg: &Message<'_>, state: &State) {
    match msg {
        Message::Hello(h) if !state.repeats_hello(h) => SPEC.report(&format_args!(
            "{} is up: version {}, protocol {}",
            h.name, h.version, h.protocol
        )),
        Message::Ack(a) => SPEC.report(&format_args!("ACK id={} op={}", a.id, a.op.wire_name())),
        Message::Stats(s) => SPEC.report(&format_args!(
            "STATS name={} sent={} drop={} recv={} rej={} err={}",
            s.name, s.sent, s.dropped, s.received, s.rejected, s.errors
        )),
        Message::Error(e) => SPEC.report(&format_args!(
            "ERR{}{} code={}: {}",
            e.name.map(|n| format!(" name={n}")).unwrap_or_default(),
            e.id.map(|id| format!(" id={id}")).unwrap_or_default(),
            e.code.wire_name(),
            e.text
        )),
        _ => {}
    }
}

/// Writes the queued commands; one that cannot be written is counted.
fn send_commands(controller: &mut Controller, tx: &mut [Option<FrameWriter<PipeEnd>>; 2]) {
    let queued: Vec<_> = controller.take_commands().collect();
    for (sensor, command) in queued {
        let writer = match sensor {
            Sensor::Motion => &mut tx[0],
            Sensor::Light => &mut tx[1],
        };
        let Some(writer) = writer else { continue };
        match writer.send(&Message::Command(command)) {
            Ok(()) => {}
            Err(e) => {
                if !matches!(e, SendError::WouldBlock { .. }) {
                    SPEC.report(&format_args!("to {}: {e}", sensor.process_name()));
                }
                controller.command_unsent(sensor);
            }
        }
    }
}
