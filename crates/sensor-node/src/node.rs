//! The loop: one `poll(2)` over the signalfd, the command pipe, the
//! data-ready source, the heartbeat timer and (while the device is being
//! brought up) the bring-up timer.

use std::collections::VecDeque;
use std::fmt;
use std::io::Write as _;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use board_io::{ReadySource, SampleRate};
use event_loop::{PollSet, StopSignals, Timer};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::time::clock_gettime;
use wire::{
    Ack, Command, CommandOp, ErrorCode, ErrorReport, FrameBuf, FrameReader, FrameWriter, Heartbeat,
    Hello, Message, OpKind, PROTOCOL_VERSION, ReadStatus, Ready, Stats, Text, Token,
};

use crate::backoff::{Backoff, Retry};
use crate::device::{DeviceError, Reply, SensorDevice};
use crate::error::{Checked, NodeError};

/// The bytes of the longest `ERR` frame the loop sends, besides its name
/// and its text: the rest of the text's room (after percent-encoding) is
/// what [`Node::send_error`] keeps of a text, so the frame stays within
/// [`wire::MAX_FRAME_LEN`].
const ERR_FRAME_OVERHEAD: usize = "\rERR name= id=4294967295 code=unsupported text= *HH\n".len();

/// A pipe the loop writes every frame to.
#[derive(Debug)]
pub struct Output {
    label: String,
    fd: OwnedFd,
}

impl Output {
    /// The write end `fd` of a pipe, named `label` in errors (the flag it
    /// came with: `--tx`, `--log-tx`). The loop makes it non-blocking.
    pub fn new(label: impl Into<String>, fd: impl Into<OwnedFd>) -> Self {
        Output {
            label: label.into(),
            fd: fd.into(),
        }
    }
}

/// Where the loop learns that a sample is ready.
#[derive(Debug, Default)]
pub enum DataReady {
    /// A timerfd at [`SensorDevice::sample_rate_hz`], made by the loop when
    /// the device is up, reprogrammed after a rate change, dropped while the
    /// device is being re-initialised.
    #[default]
    Timer,
    /// A source the caller opened: the sensor's interrupt line
    /// ([`ReadySource::gpio_edge`]). Polled only while the device is up;
    /// events queued meanwhile are discarded.
    Source(ReadySource),
}

/// What the loop needs besides the device.
#[derive(Debug)]
pub struct NodeConfig {
    /// The process name in frames (`motion`, `light`; `--name`): a wire
    /// token.
    pub name: String,
    /// The program, at the start of every line the loop writes to stderr
    /// (`appliance-motion`), as the program's own lines start.
    pub program: &'static str,
    /// What to check when the device does not answer (a [`Fault::Bus`]):
    /// it follows such a fault in the log line, the `ERR` text and the
    /// exit line (`check the wiring and --address`).
    ///
    /// [`Fault::Bus`]: crate::Fault::Bus
    pub check: Option<String>,
    /// Every frame goes to each of these (samples, heartbeats, answers).
    pub outputs: Vec<Output>,
    /// The read end of the pipe commands (`CMD` frames) come on, if any.
    pub commands: Option<OwnedFd>,
    /// The data-ready source.
    pub ready: DataReady,
    /// The `HB` interval; `None` sends no heartbeat.
    pub heartbeat: Option<Duration>,
    /// How many times `start()` may fail with an I/O error when the process
    /// starts before it gives up (exit code 69); at least 1. Re-inits after
    /// an I/O error later on retry for ever.
    pub start_attempts: u32,
    /// Delays between attempts.
    pub backoff: Backoff,
    /// The program version sent in `HELLO` (a wire token).
    pub version: String,
}

impl Default for NodeConfig {
    /// The name `sensor`, this crate's name as the program, nothing to
    /// check, no outputs, no commands, a timer at the device's rate, a
    /// heartbeat every second, 5 start attempts, the default backoff, this
    /// crate's version.
    fn default() -> Self {
        NodeConfig {
            name: "sensor".to_owned(),
            program: env!("CARGO_PKG_NAME"),
            check: None,
            outputs: Vec::new(),
            commands: None,
            ready: DataReady::Timer,
            heartbeat: Some(Duration::from_secs(1)),
            start_attempts: 5,
            backoff: Backoff::default(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// What the loop has done, for `STATS` and for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeStats {
    /// Frame writes that succeeded, summed over the outputs (a frame sent
    /// to two outputs counts twice). `STATS sent`.
    pub sent: u64,
    /// Frame writes dropped because an output pipe was full, summed over
    /// the outputs. `STATS drop`.
    pub dropped: u64,
    /// Good frames read from the command pipe. `STATS recv`.
    pub received: u64,
    /// Frames the command pipe's decoder dropped (every reason, malformed
    /// included). `STATS rej`.
    pub rejected: u64,
    /// Failed device operations: samples, start attempts. `STATS err`.
    pub errors: u64,
    /// I/O error episodes (each sent one `ERR code=io`).
    pub episodes: u64,
    /// Re-init attempts in episodes that came as quick retries
    /// ([`Backoff::quick_retries`]).
    pub quick_retries: u64,
    /// Re-init attempts in episodes that waited a step of the exponential
    /// backoff.
    pub backoff_steps: u64,
    /// Sample frames made (each consumed a seq).
    pub samples: u64,
    /// Data-ready events that came while the loop was busy and were
    /// merged with a later one (each consumed a seq: the reader sees the
    /// samples lost).
    pub missed: u64,
    /// Frames that could not be encoded (a bug; reported on stderr).
    pub unencodable: u64,
}

/// What [`Node::poll_once`] returned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep calling.
    Continue,
    /// SIGTERM or SIGINT arrived: stop (exit code 0).
    Stop(Signal),
}

/// Where the device is.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Before the first [`Node::poll_once`]: nothing sent yet.
    Init,
    /// Being brought up (at start, or after an I/O error).
    BringUp(BringUp),
    /// Up and sampling.
    Running,
}

#[derive(Debug, Clone, Copy)]
struct BringUp {
    /// What to do when the bring-up timer fires (or at once).
    next: Step,
    /// Failed attempts in a row (in recovery, the sample that failed
    /// counts as the first).
    failures: u32,
    /// In recovery: the retries so far that were quick, and those that
    /// waited a backoff step.
    quick: u32,
    steps: u32,
    /// Monotonic µs of the first attempt.
    since_us: u64,
    /// After an I/O error: retry for ever (at start: give up after
    /// `start_attempts`).
    recovering: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Call `start()`.
    Start,
    /// Call `finish_start()`.
    Finish,
    /// The device is up: start sampling.
    Sample,
}

/// A command the device is still working on.
#[derive(Debug, Clone, Copy)]
struct Pending {
    id: u32,
    op: OpKind,
}

/// A frame from the command pipe, owned so it outlives the reader's borrow.
enum Incoming {
    Command(Command),
    Bad { id: Option<u32>, text: String },
}

struct OutputWriter {
    label: String,
    writer: FrameWriter<OwnedFd>,
}

/// The output pipes and the buffer frames are encoded in, apart from the
/// rest of the node so a message may borrow the node's name while sent.
struct Outputs {
    writers: Vec<OutputWriter>,
    buf: FrameBuf,
    unencodable: u64,
}

impl Outputs {
    /// Encodes `msg` once and writes it to every output; a full pipe drops
    /// the frame for that output (counted by its writer), any other failure
    /// ends the loop.
    fn send(&mut self, program: &str, msg: &Message<'_>) -> Result<(), NodeError> {
        let frame = match self.buf.encode(msg) {
            Ok(frame) => frame,
            Err(e) => {
                self.unencodable += 1;
                log(program, format_args!("internal error: {e}"));
                return Ok(());
            }
        };
        for out in &mut self.writers {
            match out.writer.send_encoded(frame) {
                Ok(()) => {}
                Err(e) if e.is_would_block() => {}
                Err(source) => {
                    return Err(NodeError::Output {
                        output: out.label.clone(),
                        source,
                    });
                }
            }
        }
        Ok(())
    }
}

/// One sensor process's loop around its device; see the crate docs.
///
/// Create it on the main thread before any other thread starts: it blocks
/// SIGTERM and SIGINT in the calling thread and reads them from a
/// signalfd.
pub struct Node<D: SensorDevice> {
    device: D,
    name: String,
    program: &'static str,
    check: Option<String>,
    version: String,
    out: Outputs,
    commands: Option<FrameReader<OwnedFd>>,
    /// False once the command pipe reached end of file (no writer left):
    /// it is no longer polled (it would poll readable for ever).
    commands_open: bool,
    timer_paced: bool,
    ready: Option<ReadySource>,
    heartbeat: Option<Timer>,
    heartbeat_seq: u32,
    signals: StopSignals,
    bringup_timer: Option<Timer>,
    phase: Phase,
    seq: u32,
    pending: Option<Pending>,
    /// Device commands that came while the device was being brought up
    /// or a pending command ran: run in order once it can take them.
    deferred: VecDeque<Command>,
    stats: NodeStats,
    start_attempts: u32,
    backoff: Backoff,
    born_us: u64,
}

impl<D: SensorDevice> fmt::Debug for Node<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name)
            .field("phase", &self.phase)
            .field("seq", &self.seq)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<D: SensorDevice> Node<D> {
    /// Sets the loop up: checks the name, makes the pipes non-blocking,
    /// blocks SIGTERM and SIGINT in this thread and opens a signalfd for
    /// them, creates the heartbeat timer. Sends nothing and does not touch
    /// the device: the first [`Node::poll_once`] (or [`Node::run`]) does.
    pub fn new(device: D, config: NodeConfig) -> Result<Self, NodeError> {
        let name = config.name;
        if Token::new(&name).is_err() {
            return Err(NodeError::BadName(name));
        }
        let version = if Token::new(&config.version).is_ok() {
            config.version
        } else {
            env!("CARGO_PKG_VERSION").to_owned()
        };
        let sys = |call: &'static str| move |errno| NodeError::Sys { call, errno };
        let mut outputs = Vec::with_capacity(config.outputs.len());
        for output in config.outputs {
            pipe_ends::set_nonblocking(&output.fd, true).map_err(sys("fcntl(O_NONBLOCK)"))?;
            outputs.push(OutputWriter {
                label: output.label,
                writer: FrameWriter::new(output.fd),
            });
        }
        let commands = match config.commands {
            Some(fd) => {
                pipe_ends::set_nonblocking(&fd, true).map_err(sys("fcntl(O_NONBLOCK)"))?;
                Some(FrameReader::new(fd))
            }
            None => None,
        };
        let (timer_paced, ready) = match config.ready {
            DataReady::Timer => (true, None),
            DataReady::Source(source) => (false, Some(source)),
        };
        // Uptime counts from before the heartbeat timer is armed.
        let born_us = monotonic_us();
        let signals = StopSignals::block(&STOP_SIGNALS).map_err(sys("signalfd"))?;
        let heartbeat = match config.heartbeat.filter(|d| !d.is_zero()) {
            Some(period) => {
                let timer = Timer::new().map_err(sys("timerfd_create"))?;
                timer.arm_every(period).map_err(sys("timerfd_settime"))?;
                Some(timer)
            }
            None => None,
        };
        Ok(Node {
            device,
            name,
            program: config.program,
            check: config.check,
            version,
            out: Outputs {
                writers: outputs,
                buf: FrameBuf::new(),
                unencodable: 0,
            },
            commands_open: commands.is_some(),
            commands,
            timer_paced,
            ready,
            heartbeat,
            heartbeat_seq: 0,
            signals,
            bringup_timer: None,
            phase: Phase::Init,
            seq: 0,
            pending: None,
            deferred: VecDeque::new(),
            stats: NodeStats::default(),
            start_attempts: config.start_attempts.max(1),
            backoff: config.backoff,
            born_us,
        })
    }

    /// Runs until SIGTERM or SIGINT (returned: exit code 0) or an error
    /// (its [`NodeError::exit_code`]).
    pub fn run(&mut self) -> Result<Signal, NodeError> {
        loop {
            if let Flow::Stop(signal) = self.poll_once()? {
                // What the command pipe brought, by reason, for the log.
                if let Some(reader) = &self.commands {
                    self.log(format_args!("command pipe: {}", reader.counters()));
                }
                return Ok(signal);
            }
        }
    }

    /// One turn of the loop: the first call sends `HELLO` and starts the
    /// device; every call then sleeps in `poll(2)` until something happens
    /// and handles it.
    pub fn poll_once(&mut self) -> Result<Flow, NodeError> {
        if let Phase::Init = self.phase {
            let hello = hello(&self.name, &self.version);
            self.out.send(self.program, &Message::Hello(hello))?;
            self.phase = Phase::BringUp(BringUp {
                next: Step::Start,
                failures: 0,
                quick: 0,
                steps: 0,
                since_us: monotonic_us(),
                recovering: false,
            });
            self.bring_up()?;
        }
        let running = matches!(self.phase, Phase::Running);
        let (signal, commands, ready, heartbeat, bringup) = {
            let mut set = PollSet::new();
            let signal = set.add(self.signals.as_fd());
            let commands = set.add_some(
                self.commands
                    .as_ref()
                    .filter(|_| self.commands_open)
                    .map(|r| r.get_ref().as_fd()),
            );
            let ready = set.add_some(self.ready.as_ref().filter(|_| running).map(AsFd::as_fd));
            let heartbeat = set.add_some(self.heartbeat.as_ref().map(AsFd::as_fd));
            let bringup = set.add_some(self.bringup_timer.as_ref().map(AsFd::as_fd));
            let fired = set.wait(None).map_err(|errno| self.sys("poll", errno))?;
            if fired.is_empty() {
                // Interrupted (EINTR): turn again.
                return Ok(Flow::Continue);
            }
            (
                fired.fired(signal),
                fired.fired_some(commands),
                fired.fired_some(ready),
                fired.fired_some(heartbeat),
                fired.fired_some(bringup),
            )
        };
        // The time of the data-ready event, as close to the wakeup as we get.
        let now_us = monotonic_us();
        if signal && let Some(signal) = self.take_signal()? {
            return Ok(Flow::Stop(signal));
        }
        if ready {
            self.on_data_ready(now_us)?;
        }
        if bringup {
            self.on_bringup_timer()?;
        }
        if commands {
            self.on_commands()?;
        }
        if heartbeat {
            self.on_heartbeat(now_us)?;
        }
        Ok(Flow::Continue)
    }

    /// The device.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// The device, mutably (tests use it to inject faults).
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    /// What the loop has done so far.
    pub fn stats(&self) -> NodeStats {
        let mut stats = self.stats;
        stats.unencodable = self.out.unencodable;
        for out in &self.out.writers {
            stats.sent += out.writer.stats().sent;
            stats.dropped += out.writer.stats().dropped_full;
        }
        if let Some(reader) = &self.commands {
            stats.received = reader.counters().frames;
            stats.rejected = reader.counters().dropped();
        }
        stats
    }

    /// Whether the device is up and sampling.
    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running)
    }

    /// The seq the next sample frame gets.
    pub fn next_seq(&self) -> u32 {
        self.seq
    }

    /// The period the kernel has programmed on the sample timer (read
    /// back), when the loop paces sampling with a timer and the device is
    /// up.
    pub fn sample_timer_period(&self) -> Option<Duration> {
        match &self.ready {
            Some(ReadySource::Timer(timer)) => timer.programmed_period().ok().flatten(),
            _ => None,
        }
    }

    /// Runs bring-up steps until one needs a wait (the bring-up timer is
    /// armed) or the device is up.
    fn bring_up(&mut self) -> Result<(), NodeError> {
        loop {
            let Phase::BringUp(mut state) = self.phase else {
                return Ok(());
            };
            let result = match state.next {
                Step::Start => self.device.start().map(|wait| (Step::Finish, wait)),
                Step::Finish => self.device.finish_start().map(|wait| (Step::Sample, wait)),
                Step::Sample => return self.enter_running(state),
            };
            let wait = match result {
                Ok((next, wait)) => {
                    state.next = next;
                    wait
                }
                Err(error) if error.is_wrong_part() => return Err(self.wrong_device(error)),
                Err(error) => {
                    self.stats.errors += 1;
                    state.failures += 1;
                    if !state.recovering && state.failures >= self.start_attempts {
                        return Err(self.unavailable(state, error));
                    }
                    state.next = Step::Start;
                    if state.recovering {
                        self.retry_delay(&mut state)
                    } else {
                        self.backoff.delay(state.failures)
                    }
                }
            };
            self.phase = Phase::BringUp(state);
            if !wait.is_zero() {
                return self.arm_bringup_timer(wait);
            }
        }
    }

    fn arm_bringup_timer(&mut self, wait: Duration) -> Result<(), NodeError> {
        let timer = match self.bringup_timer.take() {
            Some(timer) => timer,
            None => Timer::new().map_err(|e| self.sys("timerfd_create", e))?,
        };
        timer
            .arm_after(wait)
            .map_err(|e| self.sys("timerfd_settime", e))?;
        self.bringup_timer = Some(timer);
        Ok(())
    }

    fn on_bringup_timer(&mut self) -> Result<(), NodeError> {
        let Some(timer) = &self.bringup_timer else {
            return Ok(());
        };
        if timer.take().map_err(|e| self.sys("read(timerfd)", e))? == 0 {
            return Ok(());
        }
        self.bring_up()
    }

    fn enter_running(&mut self, state: BringUp) -> Result<(), NodeError> {
        self.bringup_timer = None;
        if self.timer_paced {
            let rate = SampleRate::from_hz(self.device.sample_rate_hz())
                .map_err(|e| self.ready_error(e.into()))?;
            self.ready = Some(ReadySource::timer(rate).map_err(|e| self.ready_error(e))?);
        } else if let Some(source) = &mut self.ready {
            // Edges from before the device was configured mean nothing.
            if let Err(e) = source.drain() {
                return Err(self.ready_error(e));
            }
        }
        self.phase = Phase::Running;
        if state.recovering {
            let took_ms = monotonic_us().saturating_sub(state.since_us) / 1000;
            self.log(format_args!(
                "device back after {} failures in {took_ms} ms ({} quick retries, {} backoff steps)",
                state.failures, state.quick, state.steps
            ));
        }
        let ready = Message::Ready(Ready {
            name: token(&self.name),
        });
        self.out.send(self.program, &ready)?;
        self.run_deferred()
    }

    fn on_data_ready(&mut self, t_us: u64) -> Result<(), NodeError> {
        let Some(source) = &mut self.ready else {
            return Ok(());
        };
        let events = match source.drain() {
            Ok(events) => events,
            Err(e) => return Err(self.ready_error(e)),
        };
        if events == 0 {
            return Ok(());
        }
        // Events merged while the loop was late are samples lost: their
        // seqs are skipped so the reader sees the gap.
        let missed = events - 1;
        self.stats.missed += missed;
        #[allow(
            clippy::cast_possible_truncation,
            reason = "seqs count modulo 2^32: the count's low bits advance it the same"
        )]
        let skipped = missed as u32;
        self.seq = self.seq.wrapping_add(skipped);
        match self.device.sample(self.seq, t_us) {
            Ok(Some(sample)) => {
                let frame: Message<'static> = sample.into();
                // A frame dropped on a full pipe keeps its seq too.
                self.seq = self.seq.wrapping_add(1);
                self.stats.samples += 1;
                self.out.send(self.program, &frame)?;
            }
            Ok(None) => {}
            Err(error) if error.is_wrong_part() => return Err(self.wrong_device(error)),
            Err(error) => return self.begin_recovery(&error),
        }
        self.check_finished()
    }

    /// An I/O error while running: one `ERR code=io`, sampling paused, the
    /// first re-init after the first retry delay.
    fn begin_recovery(&mut self, error: &DeviceError) -> Result<(), NodeError> {
        self.stats.errors += 1;
        self.stats.episodes += 1;
        if self.timer_paced {
            self.ready = None;
        }
        let mut state = BringUp {
            next: Step::Start,
            failures: 1,
            quick: 0,
            steps: 0,
            since_us: monotonic_us(),
            recovering: true,
        };
        let delay = self.retry_delay(&mut state);
        let text = Checked {
            error,
            check: self.check.as_deref(),
        }
        .to_string();
        self.log(format_args!(
            "{text}: re-initialising (first retry in {} ms)",
            delay.as_millis()
        ));
        let report = format!("{text}: re-initialising");
        self.send_error(None, ErrorCode::Io, &report)?;
        if let Some(pending) = self.pending.take() {
            let text = format!("{} interrupted: {text}", pending.op);
            self.send_error(Some(pending.id), ErrorCode::Io, &text)?;
        }
        self.phase = Phase::BringUp(state);
        self.arm_bringup_timer(delay)
    }

    /// The wait before the next re-init in an episode after
    /// `state.failures` failures, counted as a quick retry or a backoff
    /// step.
    fn retry_delay(&mut self, state: &mut BringUp) -> Duration {
        match self.backoff.recovery_delay(state.failures) {
            Retry::Quick(delay) => {
                state.quick += 1;
                self.stats.quick_retries += 1;
                delay
            }
            Retry::Backoff(delay) => {
                state.steps += 1;
                self.stats.backoff_steps += 1;
                delay
            }
        }
    }

    fn check_finished(&mut self) -> Result<(), NodeError> {
        let Some(pending) = self.pending else {
            return Ok(());
        };
        match self.device.finished() {
            None => return Ok(()),
            Some(Ok(())) => {
                self.pending = None;
                self.send_ack(pending.id, pending.op)?;
            }
            Some(Err(refusal)) => {
                self.pending = None;
                self.send_error(Some(pending.id), refusal.code, &refusal.text)?;
            }
        }
        self.run_deferred()
    }

    /// Keeps a device command for later; past [`MAX_DEFERRED`] waiting
    /// ones it is refused with `ERR code=busy`.
    fn defer(&mut self, command: Command) -> Result<(), NodeError> {
        if self.deferred.len() < MAX_DEFERRED {
            self.deferred.push_back(command);
            return Ok(());
        }
        let text = format!(
            "{MAX_DEFERRED} commands are already waiting for the device (being brought up, or running command {}): try again later",
            self.pending
                .map_or_else(|| "none".to_owned(), |p| p.id.to_string())
        );
        self.send_error(Some(command.id), ErrorCode::Busy, &text)
    }

    /// Runs the waiting commands in order while the device can take them.
    fn run_deferred(&mut self) -> Result<(), NodeError> {
        while self.is_running() && self.pending.is_none() {
            let Some(command) = self.deferred.pop_front() else {
                break;
            };
            self.on_command(command)?;
        }
        Ok(())
    }

    fn on_commands(&mut self) -> Result<(), NodeError> {
        let Some(reader) = &mut self.commands else {
            return Ok(());
        };
        let mut incoming = Vec::new();
        let status = reader.read_messages(|m| incoming.push(Incoming::from(m)));
        let status = match status {
            Ok(status) => status,
            Err(source) => return Err(NodeError::Commands { source }),
        };
        if status == ReadStatus::Eof {
            self.commands_open = false;
        }
        for item in incoming {
            match item {
                Incoming::Command(command) => self.on_command(command)?,
                Incoming::Bad { id, text } => {
                    self.send_error(id, ErrorCode::BadCommand, &text)?;
                }
            }
        }
        Ok(())
    }

    fn on_command(&mut self, command: Command) -> Result<(), NodeError> {
        let Command { id, op } = command;
        let kind = op.kind();
        match op {
            CommandOp::Hello => {
                let hello = hello(&self.name, &self.version);
                self.out.send(self.program, &Message::Hello(hello))?;
                self.send_ack(id, kind)
            }
            CommandOp::Stats => {
                let s = self.stats();
                let stats = Message::Stats(Stats {
                    name: token(&self.name),
                    id: Some(id),
                    sent: s.sent,
                    dropped: s.dropped,
                    received: s.received,
                    rejected: s.rejected,
                    errors: s.errors,
                });
                self.out.send(self.program, &stats)?;
                self.send_ack(id, kind)
            }
            // The controller and the sensors start together: a command
            // that comes while the device is brought up (or recovers, or
            // runs a pending command) waits for it rather than bouncing.
            _ if !self.is_running() || self.pending.is_some() => self.defer(command),
            _ => match self.device.command(&op) {
                Ok(Reply::Done) => {
                    if let CommandOp::SetRate { .. } = op
                        && let Err(text) = self.retime()
                    {
                        return self.send_error(Some(id), ErrorCode::Internal, &text);
                    }
                    self.send_ack(id, kind)
                }
                Ok(Reply::Pending) => {
                    self.pending = Some(Pending { id, op: kind });
                    Ok(())
                }
                Err(refusal) => self.send_error(Some(id), refusal.code, &refusal.text),
            },
        }
    }

    /// Follows a rate change on the sample timer.
    fn retime(&mut self) -> Result<(), String> {
        let hz = self.device.sample_rate_hz();
        let Some(source) = &mut self.ready else {
            return Ok(());
        };
        let rate = SampleRate::from_hz(hz).map_err(|e| format!("sample timer: {e}"))?;
        source
            .set_rate(rate)
            .map_err(|e| format!("sample timer: {e}"))
    }

    fn on_heartbeat(&mut self, now_us: u64) -> Result<(), NodeError> {
        let Some(timer) = &self.heartbeat else {
            return Ok(());
        };
        if timer.take().map_err(|e| self.sys("read(timerfd)", e))? == 0 {
            return Ok(());
        }
        let seq = self.heartbeat_seq;
        self.heartbeat_seq = seq.wrapping_add(1);
        let beat = Message::Heartbeat(Heartbeat {
            name: token(&self.name),
            seq,
            uptime_us: now_us.saturating_sub(self.born_us),
        });
        self.out.send(self.program, &beat)
    }

    fn take_signal(&mut self) -> Result<Option<Signal>, NodeError> {
        self.signals
            .take()
            .map_err(|errno| self.sys("read(signalfd)", errno))
    }

    fn send_ack(&mut self, id: u32, op: OpKind) -> Result<(), NodeError> {
        self.out.send(self.program, &Message::Ack(Ack { id, op }))
    }

    fn send_error(
        &mut self,
        id: Option<u32>,
        code: ErrorCode,
        text: &str,
    ) -> Result<(), NodeError> {
        let report = Message::Error(ErrorReport {
            name: Some(token(&self.name)),
            id,
            code,
            text: Text::new(fit_text(text, error_text_room(&self.name))),
        });
        self.out.send(self.program, &report)
    }

    fn unavailable(&mut self, state: BringUp, error: DeviceError) -> NodeError {
        let waited = Duration::from_micros(monotonic_us().saturating_sub(state.since_us));
        let e = NodeError::DeviceUnavailable {
            attempts: state.failures,
            waited,
            error,
            check: self.check.clone(),
        };
        self.last_word(&e);
        e
    }

    fn wrong_device(&mut self, error: DeviceError) -> NodeError {
        let e = NodeError::WrongDevice(error);
        self.last_word(&e);
        e
    }

    /// Tells the readers why the process is about to exit (best effort:
    /// the exit itself is what the supervisor sees).
    fn last_word(&mut self, e: &NodeError) {
        let text = e.to_string();
        while let Some(waiting) = self.deferred.pop_front() {
            let _ = self.send_error(Some(waiting.id), ErrorCode::NoDevice, &text);
        }
        let _ = self.send_error(None, ErrorCode::NoDevice, &text);
    }

    fn ready_error(&self, source: board_io::ReadyError) -> NodeError {
        NodeError::Ready { source }
    }

    fn sys(&self, call: &'static str, errno: Errno) -> NodeError {
        NodeError::Sys { call, errno }
    }

    fn log(&self, line: fmt::Arguments<'_>) {
        log(self.program, line);
    }
}

/// Most device commands kept while the device cannot take them.
pub const MAX_DEFERRED: usize = 16;

/// One line on stderr (the supervisor logs it), after the program's name.
/// A closed stderr is no reason to stop, so the error is ignored.
fn log(program: &str, line: fmt::Arguments<'_>) {
    let text = format!("{program}: {line}\n");
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The `HELLO` of process `name`, program version `version`.
fn hello<'a>(name: &'a str, version: &'a str) -> Hello<'a> {
    Hello {
        name: token(name),
        version: token(version),
        protocol: PROTOCOL_VERSION,
    }
}

impl From<Result<Message<'_>, wire::Malformed<'_>>> for Incoming {
    fn from(m: Result<Message<'_>, wire::Malformed<'_>>) -> Self {
        match m {
            Ok(Message::Command(command)) => Incoming::Command(command),
            Ok(Message::Unknown(frame)) => Incoming::Bad {
                id: None,
                text: format!("expected a CMD frame, got {}", frame.msg_type()),
            },
            Ok(other) => Incoming::Bad {
                id: None,
                text: format!("expected a CMD frame, got {}", other.type_name()),
            },
            Err(bad) if bad.frame.msg_type() == "CMD" => {
                // The id, when it parses, lets the sender match the answer.
                let id = bad.frame.field("id").and_then(|v| v.parse().ok());
                let mut text = format!("bad CMD: {}", bad.error);
                if let wire::DecodeError::InvalidValue { key: "op", .. } = bad.error {
                    text.push_str(" (ops:");
                    for op in OpKind::ALL {
                        text.push(' ');
                        text.push_str(op.wire_name());
                    }
                    text.push(')');
                }
                Incoming::Bad { id, text }
            }
            Err(bad) => Incoming::Bad {
                id: None,
                text: format!(
                    "expected a CMD frame, got a malformed {}: {}",
                    bad.frame.msg_type(),
                    bad.error
                ),
            },
        }
    }
}

/// The room for the text of an `ERR` from process `name`, in bytes on the
/// wire.
fn error_text_room(name: &str) -> usize {
    wire::MAX_FRAME_LEN.saturating_sub(ERR_FRAME_OVERHEAD + name.len())
}

/// The longest prefix of `text` (at a char boundary) whose percent-encoded
/// form is at most `max` bytes.
pub(crate) fn fit_text(text: &str, max: usize) -> &str {
    let mut len = 0;
    for (i, c) in text.char_indices() {
        let mut bytes = [0u8; 4];
        let wire_len: usize = c
            .encode_utf8(&mut bytes)
            .bytes()
            .map(|b| {
                if wire::is_value_byte(b) && b != b'%' {
                    1
                } else {
                    3
                }
            })
            .sum();
        if len + wire_len > max {
            return &text[..i];
        }
        len += wire_len;
    }
    text
}

/// Stands in for a name that is not a token; [`Node::new`] checks the
/// name and the version, so it is never sent.
const NOT_A_TOKEN: Token<'static> = match Token::new("invalid") {
    Ok(token) => token,
    Err(_) => panic!("`invalid` is a token"),
};

/// `s` as a token (checked in [`Node::new`]).
fn token(s: &str) -> Token<'_> {
    Token::new(s).unwrap_or(NOT_A_TOKEN)
}

/// The signals that end a sensor process's loop cleanly.
const STOP_SIGNALS: [Signal; 2] = [Signal::SIGTERM, Signal::SIGINT];

/// Blocks SIGTERM and SIGINT in the calling thread. [`Node::new`] does
/// it; a program calls it first thing in `main` too, so that a SIGTERM
/// during its setup (opening the bus, loading a scenario) waits for the
/// loop instead of killing the process. The mask outlives the signalfd
/// made here; the node's own signalfd then takes the signal.
pub fn block_stop_signals() -> Result<(), Errno> {
    StopSignals::block(&STOP_SIGNALS).map(drop)
}

/// CLOCK_MONOTONIC in microseconds, the clock of every `t` and `up`.
pub fn monotonic_us() -> u64 {
    // CLOCK_MONOTONIC cannot fail on Linux; 0 would only make `t` odd.
    clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).map_or(0, |t| {
        // Neither field of a CLOCK_MONOTONIC time is negative.
        let seconds = u64::try_from(t.tv_sec()).unwrap_or(0);
        let nanoseconds = u64::try_from(t.tv_nsec()).unwrap_or(0);
        seconds * 1_000_000 + nanoseconds / 1000
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_text_counts_escapes_and_keeps_whole_chars() {
        assert_eq!(fit_text("abc", 3), "abc");
        assert_eq!(fit_text("abcd", 3), "abc");
        // A space is `%20` on the wire: 3 bytes.
        assert_eq!(fit_text("a b", 3), "a");
        assert_eq!(fit_text("a b", 4), "a ");
        assert_eq!(fit_text("a b", 5), "a b");
        // `é` is two UTF-8 bytes, 6 on the wire: never cut in half.
        assert_eq!(fit_text("é", 5), "");
        assert_eq!(fit_text("é", 6), "é");
        assert_eq!(fit_text("50%", 4), "50");
    }

    #[test]
    fn the_longest_error_text_still_fits_a_frame() {
        let text = " ".repeat(1000);
        for name in ["motion", &"n".repeat(100)] {
            let report = Message::Error(ErrorReport {
                name: Some(Token::new(name).unwrap()),
                id: Some(u32::MAX),
                code: ErrorCode::Unsupported,
                text: Text::new(fit_text(&text, error_text_room(name))),
            });
            let frame = FrameBuf::new().encode(&report).map(<[u8]>::len);
            // Full to the last byte but for the one a `%20` does not fit in.
            assert!(
                frame.is_ok_and(|len| len > wire::MAX_FRAME_LEN - 3),
                "{frame:?}"
            );
        }
    }
}
