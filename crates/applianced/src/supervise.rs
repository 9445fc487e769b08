//! The supervisor's event loop: start every process, watch them without
//! polling, log why each one died, restart it by its policy, and stop
//! them all in order on SIGTERM or SIGINT.
//!
//! One `poll` waits on a signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP), a
//! timerfd that is armed only while a restart, a hold or a stop timeout is
//! pending, and each child's output pipe. Nothing wakes it while nothing
//! happens. Every pipe of the topology is created here, both ends kept open
//! for the supervisor's whole life, so data waiting in a pipe outlives the
//! process on either side.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, killpg, sigprocmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::time::TimeSpec;
use nix::sys::timer::Expiration;
use nix::sys::timerfd::{ClockId, TimerFd, TimerFlags, TimerSetTimeFlags};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::spawn::{FdPlan, Recipe, SpawnError, lift, spawn};
use crate::topology::{IntensityAction, RestartPolicy, Topology};

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

/// Where a supervised process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not started yet, or stopped for good.
    Down,
    /// Running since `since`.
    Running { pid: Pid, since: Instant },
    /// To be restarted at `at`.
    Pending { at: Instant },
    /// Restarted too often: held off until `until`.
    Held { until: Instant },
    /// Sent its stop signal; SIGKILL at `deadline`.
    Stopping { pid: Pid, deadline: Instant },
}

struct Child {
    name: String,
    recipe: Recipe,
    /// (supervisor fd, child fd number) of each pipe end.
    plan: Vec<(i32, i32)>,
    /// stdout and stderr go here; the supervisor keeps both ends.
    output_r: OwnedFd,
    output_w: OwnedFd,
    partial: Vec<u8>,
    state: State,
    /// The pid of the last run, for output that arrives after its death.
    last_pid: Option<Pid>,
    restarts: u32,
    /// Restarts in the current crash loop (resets after a stable run).
    in_loop: u32,
    /// When recent restarts happened, for the intensity limit.
    recent: VecDeque<Instant>,
}

/// The running supervisor.
pub struct Supervisor {
    topology: Topology,
    /// Both ends of every topology pipe, kept open for good.
    _pipes: Vec<(OwnedFd, OwnedFd)>,
    state_fd: Option<OwnedFd>,
    devnull: OwnedFd,
    children: Vec<Child>,
    signals: SignalFd,
    timer: TimerFd,
    log: Log,
    /// Set once SIGTERM or SIGINT arrived.
    stopping: bool,
    state_frames_dropped: u64,
}

/// The supervisor's log: stderr, one line per event, with the time since
/// start.
struct Log {
    start: Instant,
}

impl Log {
    fn line(&self, text: &str) {
        let t = self.start.elapsed();
        let mut line = String::with_capacity(text.len() + 32);
        let _ = writeln!(line, "[{:>5}.{:03}] {text}", t.as_secs(), t.subsec_millis());
        // Nowhere to report a failing stderr; never panic over it.
        let _ = io::stderr().lock().write_all(line.as_bytes());
    }
}

/// What the core pattern says about where cores go, read once.
fn core_pattern() -> String {
    std::fs::read_to_string("/proc/sys/kernel/core_pattern")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn nonblocking(fd: &OwnedFd) -> nix::Result<()> {
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).map(drop)
}

/// A pipe lifted above the children's fds; the read end non-blocking, and
/// the write end too when `nonblocking_write` (the topology's pipes, as in
/// the seed). A child's stdout and stderr stay blocking: programs expect
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

/// The end of the appliance when the supervisor is PID 1: sync the disks
/// and power off. Never returns: if power-off fails it says so and waits,
/// since PID 1 must not exit.
pub fn power_off(code: std::process::ExitCode) -> ! {
    let log = Log {
        start: Instant::now(),
    };
    log.line(&format!(
        "PID 1 is done ({code:?}): syncing and powering off"
    ));
    nix::unistd::sync();
    let Err(e) = nix::sys::reboot::reboot(nix::sys::reboot::RebootMode::RB_POWER_OFF);
    log.line(&format!(
        "power off failed: {e}; waiting (PID 1 must not exit)"
    ));
    loop {
        nix::unistd::pause();
    }
}

/// Raises RLIMIT_CORE: soft to hard, and hard to unlimited when allowed.
/// Returns what happened, for the log.
pub fn raise_core_limit() -> String {
    use nix::sys::resource::{RLIM_INFINITY, Resource, getrlimit, setrlimit};
    let show = |v: nix::sys::resource::rlim_t| {
        if v == RLIM_INFINITY {
            "unlimited".to_owned()
        } else {
            v.to_string()
        }
    };
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_CORE) else {
        return "core limit: cannot read RLIMIT_CORE".to_owned();
    };
    if setrlimit(Resource::RLIMIT_CORE, RLIM_INFINITY, RLIM_INFINITY).is_ok() {
        return format!(
            "core limit: unlimited (was {} soft, {} hard)",
            show(soft),
            show(hard)
        );
    }
    match setrlimit(Resource::RLIMIT_CORE, hard, hard) {
        Ok(()) => format!(
            "core limit: {} (the hard limit; raising it needs privilege; was {} soft)",
            show(hard),
            show(soft)
        ),
        Err(e) => format!("core limit: left at {} soft: {e}", show(soft)),
    }
}

impl Supervisor {
    /// Sets up everything before the first child: core limit, subreaper,
    /// signals, pipes, recipes.
    pub fn new(topology: Topology) -> Result<Supervisor, SuperviseError> {
        let log = Log {
            start: Instant::now(),
        };
        log.line(&format!(
            "applianced {} (pid {}) with {}",
            env!("CARGO_PKG_VERSION"),
            std::process::id(),
            topology.path.display()
        ));
        log.line(&raise_core_limit());
        log.line(&format!("core pattern: {}", core_pattern()));
        // Orphaned grandchildren are reparented to us, and reaped.
        setup(
            "prctl(PR_SET_CHILD_SUBREAPER)",
            nix::sys::prctl::set_child_subreaper(true),
        )?;

        let mut mask = SigSet::empty();
        for s in [
            Signal::SIGCHLD,
            Signal::SIGTERM,
            Signal::SIGINT,
            Signal::SIGHUP,
        ] {
            mask.add(s);
        }
        setup(
            "sigprocmask",
            sigprocmask(SigmaskHow::SIG_BLOCK, Some(&mask), None),
        )?;
        let signals = setup(
            "signalfd",
            SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC),
        )?;
        let timer = setup(
            "timerfd",
            TimerFd::new(
                ClockId::CLOCK_MONOTONIC,
                TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
            ),
        )?;
        let devnull: OwnedFd = setup("open /dev/null", std::fs::File::open("/dev/null"))?.into();
        let devnull = setup("moving /dev/null", lift(devnull))?;

        let mut pipes = Vec::new();
        for pipe in &topology.pipes {
            let (r, w) = pipe_pair(&format!("pipe {}", pipe.name), true)?;
            if let Some(capacity) = pipe.capacity {
                setup(
                    format!("pipe {}: F_SETPIPE_SZ {capacity}", pipe.name),
                    fcntl(&w, FcntlArg::F_SETPIPE_SZ(capacity as i32)),
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
                recipe: Recipe::new(p)?,
                plan,
                output_r,
                output_w,
                partial: Vec::new(),
                state: State::Down,
                last_pid: None,
                restarts: 0,
                in_loop: 0,
                recent: VecDeque::new(),
            });
        }
        Ok(Supervisor {
            topology,
            _pipes: pipes,
            state_fd,
            devnull,
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
            self.start(i);
        }
        loop {
            self.arm_timer();
            if self.stopping && self.children.iter().all(|c| c.state == State::Down) {
                self.log.line("every process has stopped; exiting");
                return Ok(());
            }
            let mut fds = vec![
                PollFd::new(self.signals.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.timer.as_fd(), PollFlags::POLLIN),
            ];
            fds.extend(
                self.children
                    .iter()
                    .map(|c| PollFd::new(c.output_r.as_fd(), PollFlags::POLLIN)),
            );
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return setup("poll", Err(e)),
            }
            let ready: Vec<bool> = fds
                .iter()
                .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            drop(fds);
            for (i, _) in ready.iter().enumerate().skip(2).filter(|(_, r)| **r) {
                self.drain_output(i - 2);
            }
            if ready[0] {
                self.on_signals();
            }
            if ready[1] {
                let _ = self.timer.wait();
            }
            self.on_time();
        }
    }

    /// Arms the timer for the earliest pending deadline, or disarms it.
    fn arm_timer(&self) {
        let next = self
            .children
            .iter()
            .filter_map(|c| match c.state {
                State::Pending { at } => Some(at),
                State::Held { until } => Some(until),
                State::Stopping { deadline, .. } => Some(deadline),
                _ => None,
            })
            .min();
        let _ = match next {
            Some(at) => {
                // A zero one-shot disarms: wait at least a nanosecond.
                let delay = at
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_nanos(1));
                self.timer.set(
                    Expiration::OneShot(TimeSpec::from_duration(delay)),
                    TimerSetTimeFlags::empty(),
                )
            }
            None => self.timer.unset(),
        };
    }

    fn start(&mut self, i: usize) {
        let stdio = {
            let c = &self.children[i];
            [
                self.devnull.as_raw_fd(),
                c.output_w.as_raw_fd(),
                c.output_w.as_raw_fd(),
            ]
        };
        let c = &self.children[i];
        match spawn(
            &c.recipe,
            &FdPlan {
                stdio,
                pipes: &c.plan,
            },
        ) {
            Ok(pid) => {
                let args = self.topology.processes[i].args.join(" ");
                self.log.line(&format!(
                    "{}[{pid}] started: {} {args}",
                    c.name,
                    c.recipe.path().display()
                ));
                let c = &mut self.children[i];
                c.state = State::Running {
                    pid,
                    since: Instant::now(),
                };
                c.last_pid = Some(pid);
                self.send_state(i, wire::RunState::Started, None, None, None);
            }
            Err(e) => {
                // A start that failed counts as a run that failed at once.
                let next = self.after_exit(i, Duration::ZERO, true);
                self.log.line(&format!("{e}; {}", next.text));
                if next.failed {
                    self.send_state(i, wire::RunState::Failed, None, None, next.delay);
                }
                if next.shutdown {
                    self.stop_next();
                }
            }
        }
    }

    fn on_signals(&mut self) {
        while let Ok(Some(info)) = self.signals.read_signal() {
            match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGCHLD) => self.reap(),
                Ok(Signal::SIGINT) if self.stopping => {
                    self.log.line("second SIGINT: killing every process now");
                    for c in &mut self.children {
                        if let State::Running { pid, .. } | State::Stopping { pid, .. } = c.state {
                            let _ = killpg(pid, Signal::SIGKILL);
                            c.state = State::Stopping {
                                pid,
                                deadline: Instant::now() + Duration::from_secs(3600),
                            };
                        }
                    }
                }
                Ok(s @ (Signal::SIGTERM | Signal::SIGINT)) => {
                    self.log
                        .line(&format!("{s}: stopping every process, last started first"));
                    self.stopping = true;
                    self.stop_next();
                }
                Ok(s) => self.log.line(&format!("{s}: ignored")),
                Err(_) => {}
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
            // One reading of the status: the log's words, whether it failed,
            // and the STATE frame's exit.
            let (pid, how, failed, exit) = match status {
                WaitStatus::Exited(pid, code) => (
                    pid,
                    format!("exited with code {code}"),
                    code != 0,
                    wire::ExitStatus::Code(code as u8),
                ),
                WaitStatus::Signaled(pid, signal, core) => {
                    let dumped = if core {
                        format!(" (core dumped; core pattern: {})", core_pattern())
                    } else {
                        String::new()
                    };
                    let exit = wire::ExitStatus::Signal {
                        number: signal as i32 as u8,
                        core,
                    };
                    (pid, format!("killed by {signal}{dumped}"), true, exit)
                }
                _ => continue,
            };
            let exit = Some(exit);
            let found = self.children.iter().position(|c| {
                matches!(c.state, State::Running { pid: p, .. } | State::Stopping { pid: p, .. } if p == pid)
            });
            let Some(i) = found else {
                self.log.line(&format!("reaped orphan {pid}: {how}"));
                continue;
            };
            self.drain_output(i);
            let ran = match self.children[i].state {
                State::Running { since, .. } => since.elapsed(),
                _ => Duration::ZERO,
            };
            let name = self.children[i].name.clone();
            if let State::Stopping { .. } = self.children[i].state {
                self.log.line(&format!("{name}[{pid}] {how}; stopped"));
                self.children[i].state = State::Down;
                self.send_state(i, wire::RunState::Stopped, exit, Some(ran), None);
                self.stop_next();
                continue;
            }
            let next = self.after_exit(i, ran, failed);
            self.log.line(&format!(
                "{name}[{pid}] {how} after {}; {}",
                secs(ran),
                next.text
            ));
            self.send_state(i, wire::RunState::Exited, exit, Some(ran), next.delay);
            if next.failed {
                self.send_state(i, wire::RunState::Failed, None, None, next.delay);
            }
            if next.shutdown {
                self.stop_next();
            }
        }
    }

    /// Decides what follows an exit (or a failed start): a restart after
    /// the backoff delay, a hold, a shutdown, or nothing; sets the state
    /// and says what it decided.
    fn after_exit(&mut self, i: usize, ran: Duration, failed: bool) -> Next {
        let p = &self.topology.processes[i];
        let c = &mut self.children[i];
        c.state = State::Down;
        let mut next = Next::default();
        if self.stopping {
            next.text = "not restarted: stopping".to_owned();
            return next;
        }
        let restart = match p.restart {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => failed,
            RestartPolicy::Never => false,
        };
        if !restart {
            next.text = format!(
                "not restarted (restart = {}; {} before)",
                p.restart.as_str(),
                plural(c.restarts, "restart")
            );
            return next;
        }
        let now = Instant::now();
        if ran >= p.backoff.reset_after {
            c.in_loop = 0;
        }
        while c
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > p.intensity.within)
        {
            c.recent.pop_front();
        }
        if c.recent.len() >= p.intensity.restarts as usize {
            let said = format!(
                "FAILED: restarted {} within {}",
                plural(c.recent.len() as u32, "time"),
                secs(p.intensity.within)
            );
            c.recent.clear();
            c.in_loop = 0;
            next.failed = true;
            match p.intensity.action {
                IntensityAction::Hold(hold) => {
                    c.state = State::Held { until: now + hold };
                    next.delay = Some(hold);
                    next.text = format!("{said}; holding it {} before trying again", secs(hold));
                }
                IntensityAction::Shutdown => {
                    next.text = format!("{said}; shutting the appliance down (intensity action)");
                    next.shutdown = true;
                    self.stopping = true;
                }
            }
            return next;
        }
        let delay = p.backoff.delay(c.in_loop);
        c.in_loop += 1;
        c.restarts += 1;
        c.recent.push_back(now);
        c.state = State::Pending { at: now + delay };
        next.delay = Some(delay);
        next.text = format!("restart {} in {}", c.restarts, secs(delay));
        next
    }

    /// Starts what is due, ends holds, escalates stop timeouts.
    fn on_time(&mut self) {
        let now = Instant::now();
        for i in 0..self.children.len() {
            match self.children[i].state {
                State::Pending { at } | State::Held { until: at }
                    if at <= now && !self.stopping =>
                {
                    self.start(i);
                }
                State::Stopping { pid, deadline } if deadline <= now => {
                    let c = &mut self.children[i];
                    self.log.line(&format!(
                        "{}[{pid}] still running after its stop timeout: SIGKILL",
                        c.name
                    ));
                    let _ = killpg(pid, Signal::SIGKILL);
                    c.state = State::Stopping {
                        pid,
                        deadline: now + Duration::from_secs(3600),
                    };
                }
                _ => {}
            }
        }
    }

    /// Stops the last-started running process, if none is stopping yet.
    fn stop_next(&mut self) {
        for c in &mut self.children {
            if let State::Pending { .. } | State::Held { .. } = c.state {
                c.state = State::Down;
            }
        }
        if self
            .children
            .iter()
            .any(|c| matches!(c.state, State::Stopping { .. }))
        {
            return;
        }
        let Some(i) = self
            .children
            .iter()
            .rposition(|c| matches!(c.state, State::Running { .. }))
        else {
            return;
        };
        let p = &self.topology.processes[i];
        let c = &mut self.children[i];
        let State::Running { pid, .. } = c.state else {
            return;
        };
        let signal = Signal::try_from(p.stop_signal.number).unwrap_or(Signal::SIGTERM);
        self.log.line(&format!(
            "{}[{pid}] stopping: {} to its process group, SIGKILL in {}",
            c.name,
            p.stop_signal.name,
            secs(p.stop_timeout)
        ));
        let _ = killpg(pid, signal);
        c.state = State::Stopping {
            pid,
            deadline: Instant::now() + p.stop_timeout,
        };
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
        let who = match c.last_pid {
            Some(pid) => format!("{}[{pid}]", c.name),
            None => c.name.clone(),
        };
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
        let pid = c.last_pid.map_or(0, |p| p.as_raw() as u32);
        let msg = wire::Message::State(wire::ProcessState {
            name,
            pid,
            state,
            exit,
            ran_us: ran.map(|d| d.as_micros() as u64),
            restarts: c.restarts,
            next_us: next.map(|d| d.as_micros() as u64),
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

/// What follows an exit, for the log line and the STATE frames.
#[derive(Default)]
struct Next {
    text: String,
    delay: Option<Duration>,
    failed: bool,
    shutdown: bool,
}

fn plural(n: u32, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A duration for the log: `0s`, `250ms`, `1.500s`.
fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}.{:03}s", d.as_secs(), d.subsec_millis())
    }
}
