//! The supervisor's event loop: start every process, watch them without
//! polling, log why each one died, restart it by its policy, and stop
//! them all in order on SIGTERM or SIGINT.
//!
//! The loop only does I/O: it turns what happens (a reaped pid, a timer
//! expiry, a signal) into [`policy`](crate::policy) events, and carries out
//! the effects the policy answers with (spawn, signal a process group, log,
//! STATE frames). One `poll` waits on the stop signals' signalfd
//! (SIGCHLD, SIGTERM, SIGINT, SIGHUP), a timer that is armed only while a
//! restart, a hold or a stop timeout is pending, and each child's output
//! pipe. Nothing wakes it while nothing happens. Every pipe of the topology
//! is created here, both ends kept open for the supervisor's whole life,
//! so data waiting in a pipe outlives the process on either side.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use event_loop::{PollSet, StopSignals, Timer};
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::log::Log;
use crate::pid1;
use crate::policy::{Effect, Event, Record, Rules, Secs, State};
use crate::spawn::{ChildStack, FdPlan, Recipe, SpawnError, lift, spawn};
use crate::topology::Topology;

/// Why the supervisor could not start.
#[derive(Debug, thiserror::Error)]
pub enum SuperviseError {
    /// A system call needed to set up failed.
    #[error("{what}: {source}")]
    Setup {
        /// What was being set up.
        what: String,
        /// The error.
        source: io::Error,
    },
    /// A process's recipe could not be prepared.
    #[error(transparent)]
    Recipe(#[from] SpawnError),
}

fn setup<T>(
    what: impl Into<String>,
    r: Result<T, impl Into<io::Error>>,
) -> Result<T, SuperviseError> {
    r.map_err(|e| SuperviseError::Setup {
        what: what.into(),
        source: e.into(),
    })
}

/// One supervised process: its policy record and its plumbing.
struct Child {
    name: String,
    rules: Rules,
    record: Record,
    recipe: Recipe,
    /// (supervisor fd, child fd number) of each pipe end.
    plan: Vec<(i32, i32)>,
    /// stdout and stderr go here; the supervisor keeps both ends.
    output_r: OwnedFd,
    output_w: OwnedFd,
    partial: Vec<u8>,
    /// The pid of the last run, for output that arrives after its death.
    last_pid: Option<Pid>,
    /// Why the last spawn failed, for the log line of the decision.
    spawn_error: Option<SpawnError>,
    /// How the last run ended (the log's words and the STATE frame's).
    exit: Option<(String, wire::ExitStatus)>,
}

/// The running supervisor.
pub struct Supervisor {
    topology: Topology,
    /// Both ends of every topology pipe, kept open for good.
    _pipes: Vec<(OwnedFd, OwnedFd)>,
    state_fd: Option<OwnedFd>,
    devnull: OwnedFd,
    stack: ChildStack,
    children: Vec<Child>,
    signals: StopSignals,
    timer: Timer,
    log: Log,
    /// Set once the appliance is stopping (a signal, or an intensity
    /// action of `shutdown`).
    stopping: bool,
    state_frames_dropped: u64,
}

fn nonblocking(fd: &OwnedFd) -> nix::Result<()> {
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).map(drop)
}

/// A pipe lifted above the children's fds; the read end non-blocking, and
/// the write end too when `nonblocking_write` (the topology's pipes: a
/// writer meeting a full pipe drops its frame rather than block). A child's stdout and stderr stay blocking: programs expect
/// that, and the flag is shared with the child through dup2.
fn pipe_pair(what: &str, nonblocking_write: bool) -> Result<(OwnedFd, OwnedFd), SuperviseError> {
    let (r, w) = setup(
        format!("{what}: pipe"),
        nix::unistd::pipe2(OFlag::O_CLOEXEC),
    )?;
    let r = setup(format!("{what}: moving fds"), lift(r))?;
    let w = setup(format!("{what}: moving fds"), lift(w))?;
    setup(format!("{what}: O_NONBLOCK"), nonblocking(&r))?;
    if nonblocking_write {
        setup(format!("{what}: O_NONBLOCK"), nonblocking(&w))?;
    }
    Ok((r, w))
}

/// A write end of the same pipe as `w` in an open file description of its
/// own, non-blocking: children share the descriptions of the ends they are
/// given, and one that clears O_NONBLOCK on its end must not make the
/// supervisor's STATE writes block. Reopened through /proc; without /proc,
/// a duplicate (shared flags) and a warning.
fn own_description(w: &OwnedFd, log: &Log) -> io::Result<OwnedFd> {
    let path = format!("/proc/self/fd/{}", w.as_raw_fd());
    let reopened = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(OFlag::O_NONBLOCK.bits())
        .open(&path);
    match reopened {
        Ok(f) => lift(f.into()),
        Err(e) => {
            log.line(&format!(
                "state pipe: cannot reopen {path} ({e}): sharing the children's flags"
            ));
            lift(w.try_clone()?)
        }
    }
}

/// The signals the loop takes from its signalfd.
const SIGNALS: [Signal; 4] = [
    Signal::SIGCHLD,
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGHUP,
];

impl Supervisor {
    /// Sets up everything before the first child: core limit, subreaper,
    /// signals, pipes, recipes.
    pub fn new(topology: Topology) -> Result<Supervisor, SuperviseError> {
        let log = Log::new();
        log.line(&format!(
            "applianced {} (pid {}) with {}",
            env!("CARGO_PKG_VERSION"),
            std::process::id(),
            topology.path.display()
        ));
        log.line(&pid1::raise_core_limit());
        log.line(&format!("core pattern: {}", pid1::core_pattern()));
        setup("prctl(PR_SET_CHILD_SUBREAPER)", pid1::adopt_orphans())?;
        let signals = setup("signalfd", StopSignals::block(&SIGNALS))?;
        let timer = setup("timerfd", Timer::new())?;
        let stack = setup("the child stack (mmap)", ChildStack::new())?;
        let devnull: OwnedFd = setup("open /dev/null", std::fs::File::open("/dev/null"))?.into();
        let devnull = setup("moving /dev/null", lift(devnull))?;

        let mut pipes = Vec::new();
        for pipe in &topology.pipes {
            let (r, w) = pipe_pair(&format!("pipe {}", pipe.name), true)?;
            if let Some(capacity) = pipe.capacity {
                // The topology checks the capacity: a power of two up to 1 MiB.
                let size = i32::try_from(capacity).unwrap_or(i32::MAX);
                setup(
                    format!("pipe {}: F_SETPIPE_SZ {capacity}", pipe.name),
                    fcntl(&w, FcntlArg::F_SETPIPE_SZ(size)),
                )?;
            }
            pipes.push((r, w));
        }
        let state_fd = match topology.state_pipe {
            Some(i) => Some(setup("state pipe", own_description(&pipes[i].1, &log))?),
            None => None,
        };
        let mut children = Vec::new();
        for p in &topology.processes {
            let (output_r, output_w) = pipe_pair(&format!("{}: output pipe", p.name), false)?;
            let plan = p
                .fds
                .iter()
                .map(|f| {
                    let (r, w) = &pipes[f.pipe];
                    let source = match f.end {
                        crate::topology::End::Read => r,
                        crate::topology::End::Write => w,
                    };
                    (source.as_raw_fd(), f.fd)
                })
                .collect();
            children.push(Child {
                name: p.name.clone(),
                rules: Rules::of(p),
                record: Record::new(),
                recipe: Recipe::new(p)?,
                plan,
                output_r,
                output_w,
                partial: Vec::new(),
                last_pid: None,
                spawn_error: None,
                exit: None,
            });
        }
        Ok(Supervisor {
            topology,
            _pipes: pipes,
            state_fd,
            devnull,
            stack,
            children,
            signals,
            timer,
            log,
            stopping: false,
            state_frames_dropped: 0,
        })
    }

    /// Starts every process, then runs until every process has stopped
    /// after SIGTERM or SIGINT (or an intensity action of `shutdown`).
    pub fn run(mut self) -> Result<(), SuperviseError> {
        for i in 0..self.children.len() {
            self.apply(i, Event::Up);
        }
        loop {
            if self.stopping && self.children.iter().all(|c| c.record.state == State::Down) {
                self.log.line("every process has stopped; exiting");
                return Ok(());
            }
            self.arm_timer();
            let ready = {
                let mut set = PollSet::new();
                let signals = set.add(self.signals.as_fd());
                let timer = set.add(self.timer.as_fd());
                let outputs: Vec<_> = self
                    .children
                    .iter()
                    .map(|c| set.add(c.output_r.as_fd()))
                    .collect();
                let ready = setup("poll", set.wait(None))?;
                let outputs: Vec<bool> = outputs.into_iter().map(|s| ready.fired(s)).collect();
                (ready.fired(signals), ready.fired(timer), outputs)
            };
            let (signals, timer, outputs) = ready;
            for (i, _) in outputs.iter().enumerate().filter(|(_, r)| **r) {
                self.drain_output(i);
            }
            if signals {
                self.on_signals();
            }
            if timer {
                let _ = self.timer.take();
            }
            self.on_time();
        }
    }

    /// Arms the timer for the earliest deadline of any process, or disarms
    /// it.
    fn arm_timer(&self) {
        let next = self
            .children
            .iter()
            .filter_map(|c| c.record.deadline())
            .min();
        let _ = match next {
            Some(at) => self.timer.arm_at(at),
            None => self.timer.disarm(),
        };
    }

    /// Steps process `i`'s policy with `event` now, and carries out what it
    /// says.
    fn apply(&mut self, i: usize, event: Event) {
        let now = Instant::now();
        let c = &mut self.children[i];
        let (record, effects) = std::mem::take(&mut c.record).step(event, now, &c.rules);
        c.record = record;
        for effect in effects {
            self.carry_out(i, effect);
        }
    }

    fn carry_out(&mut self, i: usize, effect: Effect) {
        match effect {
            Effect::Spawn => self.spawn(i),
            Effect::Started { pid } => {
                let c = &mut self.children[i];
                c.last_pid = Some(pid);
                let args = self.topology.processes[i].args.join(" ");
                self.log.line(&format!(
                    "{}[{pid}] started: {} {args}",
                    c.name,
                    c.recipe.path().display()
                ));
                self.send_state(i, wire::RunState::Started, None, None, None);
            }
            Effect::Ended { ran, next } => {
                let c = &mut self.children[i];
                let delay = next.delay();
                if let Some(error) = c.spawn_error.take() {
                    // A start that failed: no run, no exit status.
                    self.log.line(&format!("{error}; {next}"));
                } else {
                    let (how, exit) = c.exit.take().unzip();
                    let who = who(&c.name, c.last_pid);
                    let how = how.unwrap_or_default();
                    self.log
                        .line(&format!("{who} {how} after {}; {next}", Secs(ran)));
                    self.send_state(i, wire::RunState::Exited, exit, Some(ran), delay);
                }
                if next.failed() {
                    self.send_state(i, wire::RunState::Failed, None, None, delay);
                }
            }
            Effect::Stopped { ran } => {
                let c = &mut self.children[i];
                let (how, exit) = c.exit.take().unzip();
                let who = who(&c.name, c.last_pid);
                self.log
                    .line(&format!("{who} {}; stopped", how.unwrap_or_default()));
                self.send_state(i, wire::RunState::Stopped, exit, Some(ran), None);
                self.stop_next();
            }
            Effect::SendStop {
                pid,
                signal,
                timeout,
            } => {
                self.log.line(&format!(
                    "{}[{pid}] stopping: {} to its process group, SIGKILL in {}",
                    self.children[i].name,
                    signal.name,
                    Secs(timeout)
                ));
                let signal = Signal::try_from(signal.number).unwrap_or(Signal::SIGTERM);
                let _ = killpg(pid, signal);
            }
            Effect::Kill { pid, timed_out } => {
                if timed_out {
                    self.log.line(&format!(
                        "{}[{pid}] still running after its stop timeout: SIGKILL",
                        self.children[i].name
                    ));
                }
                let _ = killpg(pid, Signal::SIGKILL);
            }
            Effect::Cancelled => {
                let name = &self.children[i].name;
                self.log
                    .line(&format!("{name}: restart cancelled: stopping"));
            }
            Effect::ShutDown => self.stop_all(),
        }
    }

    /// Spawns process `i` and tells its policy how that went.
    fn spawn(&mut self, i: usize) {
        let c = &self.children[i];
        let stdio = [
            self.devnull.as_raw_fd(),
            c.output_w.as_raw_fd(),
            c.output_w.as_raw_fd(),
        ];
        let fds = FdPlan {
            stdio,
            pipes: &c.plan,
        };
        match spawn(&c.recipe, &fds, &mut self.stack) {
            Ok(pid) => self.apply(i, Event::Spawned(pid)),
            Err(e) => {
                self.children[i].spawn_error = Some(e);
                self.apply(i, Event::SpawnFailed);
            }
        }
    }

    /// The appliance stops: nothing is restarted any more, and the
    /// processes stop one by one, last started first.
    fn stop_all(&mut self) {
        self.stopping = true;
        for i in 0..self.children.len() {
            self.apply(i, Event::Down);
        }
        self.stop_next();
    }

    /// Asks the last-started running process to stop, unless one is
    /// stopping already.
    fn stop_next(&mut self) {
        if !self.stopping {
            return;
        }
        let busy = self.children.iter().any(|c| {
            matches!(
                c.record.state,
                State::Stopping { .. } | State::Killing { .. }
            )
        });
        if busy {
            return;
        }
        if let Some(i) = self
            .children
            .iter()
            .rposition(|c| matches!(c.record.state, State::Running { .. }))
        {
            self.apply(i, Event::Stop);
        }
    }

    fn on_signals(&mut self) {
        while let Ok(Some(signal)) = self.signals.take() {
            match signal {
                Signal::SIGCHLD => self.reap(),
                Signal::SIGINT if self.stopping => {
                    self.log.line("second SIGINT: killing every process now");
                    for i in 0..self.children.len() {
                        self.apply(i, Event::Kill);
                    }
                }
                Signal::SIGTERM | Signal::SIGINT => {
                    self.log.line(&format!(
                        "{signal}: stopping every process, last started first"
                    ));
                    self.stop_all();
                }
                other => self.log.line(&format!("{other}: ignored")),
            }
        }
    }

    /// Reaps every child that has ended, ours or orphans, until none is left.
    fn reap(&mut self) {
        loop {
            let status = match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => return,
                Ok(s) => s,
                Err(Errno::EINTR) => continue,
                Err(e) => {
                    self.log.line(&format!("waitpid: {e}"));
                    return;
                }
            };
            let Some((pid, how, failed, exit)) = ending(status) else {
                continue;
            };
            let Some(i) = self
                .children
                .iter()
                .position(|c| c.record.pid() == Some(pid))
            else {
                self.log.line(&format!("reaped orphan {pid}: {how}"));
                continue;
            };
            // Its last words before the line about its end.
            self.drain_output(i);
            self.children[i].exit = Some((how, exit));
            self.apply(i, Event::Exited { failed });
        }
    }

    /// Tells every process's policy that time has passed: restarts and
    /// holds that are due start, stop timeouts that are over escalate.
    fn on_time(&mut self) {
        for i in 0..self.children.len() {
            self.apply(i, Event::Tick);
        }
    }

    /// Logs each complete line a child wrote, prefixed with its name and pid.
    fn drain_output(&mut self, i: usize) {
        let c = &mut self.children[i];
        let mut buf = [0u8; 4096];
        loop {
            match nix::unistd::read(c.output_r.as_fd(), &mut buf) {
                Ok(0) | Err(Errno::EAGAIN) => break,
                Ok(n) => c.partial.extend_from_slice(&buf[..n]),
                Err(Errno::EINTR) => continue,
                Err(_) => break,
            }
        }
        let who = who(&c.name, c.last_pid);
        let mut start = 0;
        while let Some(n) = c.partial[start..].iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&c.partial[start..start + n]);
            self.log.line(&format!("{who}: {line}"));
            start += n + 1;
        }
        c.partial.drain(..start);
        // A line longer than a page is logged in pieces.
        if c.partial.len() >= buf.len() {
            let line = String::from_utf8_lossy(&c.partial);
            self.log.line(&format!("{who}: {line}"));
            c.partial.clear();
        }
    }

    /// Sends a STATE frame to the state pipe, if the topology names one.
    fn send_state(
        &mut self,
        i: usize,
        state: wire::RunState,
        exit: Option<wire::ExitStatus>,
        ran: Option<Duration>,
        next: Option<Duration>,
    ) {
        let Some(fd) = self.state_fd.as_ref() else {
            return;
        };
        let c = &self.children[i];
        let Ok(name) = wire::Token::new(&c.name) else {
            return;
        };
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let msg = wire::Message::State(wire::ProcessState {
            name,
            pid: c
                .last_pid
                .map_or(0, |p| u32::try_from(p.as_raw()).unwrap_or(0)),
            state,
            exit,
            ran_us: ran.map(micros),
            restarts: c.record.restarts,
            next_us: next.map(micros),
        });
        let mut buf = wire::FrameBuf::new();
        let sent = buf
            .encode(&msg)
            .ok()
            .map(|frame| wire::write_frame(fd.as_fd(), frame));
        if !matches!(sent, Some(Ok(()))) {
            self.state_frames_dropped += 1;
            if self.state_frames_dropped.is_power_of_two() {
                self.log.line(&format!(
                    "state pipe full or closed: {} STATE frames dropped so far",
                    self.state_frames_dropped
                ));
            }
        }
    }
}

/// `NAME[PID]`, or `NAME` before its first run.
fn who(name: &str, pid: Option<Pid>) -> String {
    match pid {
        Some(pid) => format!("{name}[{pid}]"),
        None => name.to_owned(),
    }
}

/// One reading of a wait status: the pid, the log's words, whether it is
/// a failure, and the STATE frame's exit; `None` for a stop or continue.
fn ending(status: WaitStatus) -> Option<(Pid, String, bool, wire::ExitStatus)> {
    match status {
        WaitStatus::Exited(pid, code) => Some((
            pid,
            format!("exited with code {code}"),
            code != 0,
            // An exit code is 0 to 255.
            wire::ExitStatus::Code(u8::try_from(code).unwrap_or(u8::MAX)),
        )),
        WaitStatus::Signaled(pid, signal, core) => {
            let dumped = if core {
                format!(" (core dumped; core pattern: {})", pid1::core_pattern())
            } else {
                String::new()
            };
            let exit = wire::ExitStatus::Signal {
                number: u8::try_from(signal as i32).unwrap_or(u8::MAX),
                core,
            };
            Some((pid, format!("killed by {signal}{dumped}"), true, exit))
        }
        _ => None,
    }
}
