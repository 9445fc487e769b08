//! Running the script: take the pipe ends, then each action in order.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

use cli::exit::{EX_USAGE, EXIT_FAILURE};
use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::{Signal, raise};
use nix::sys::stat::Mode;
use pipe_ends::{End, PipeEnd, PipeEndError};
use wire::{
    FrameReader, FrameWriter, Hello, Level, LogLine, Message, PROTOCOL_VERSION, ReadError,
    ReadStatus, Text, Token,
};

use crate::PROGRAM;
use crate::args::{Action, Config};
use crate::out::{stderr_line, stdout_line};
use crate::sys::{Disposition, fork_orphan, set_disposition};

/// Why the script stopped before its end.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError {
    /// `--rx` or `--tx` is not a usable pipe end.
    PipeEnd(PipeEndError),
    /// The name is not a wire token (a [`Config`] not made by
    /// [`crate::parse`]).
    Name(String),
    /// Setting `O_NONBLOCK` on `--rx` or `--tx` failed.
    NonBlocking(PipeEndError),
    /// `poll` on `--rx` failed.
    Poll {
        /// The action waiting.
        action: &'static str,
        /// The error.
        errno: Errno,
    },
    /// Reading `--rx` failed.
    Read {
        /// The action reading.
        action: &'static str,
        /// The error.
        source: ReadError,
    },
    /// `--rx` reached end of file before `--count-frames` was satisfied.
    RxEnded {
        /// Frames wanted.
        wanted: u64,
        /// Frames that came.
        got: u64,
    },
    /// `/proc/self/fd` could not be listed.
    ListFds(Errno),
    /// `fork` failed.
    Fork(Errno),
    /// `--notify-fd N` could not write its newline.
    Notify(std::io::Error),
    /// `--write-pid PATH` could not write.
    WritePid {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl RunError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::PipeEnd(_) | RunError::Name(_) => EX_USAGE,
            _ => EXIT_FAILURE,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::PipeEnd(e) | RunError::NonBlocking(e) => write!(f, "{e}"),
            RunError::Name(name) => write!(f, "--name `{name}`: not a wire token"),
            RunError::Poll { action, errno } => write!(f, "{action}: poll on --rx: {errno}"),
            RunError::Read { action, source } => write!(f, "{action}: {source}"),
            RunError::RxEnded { wanted, got } => write!(
                f,
                "--count-frames {wanted}: --rx reached end of file after {got} frames"
            ),
            RunError::ListFds(errno) => write!(f, "--report-fds: /proc/self/fd: {errno}"),
            RunError::Fork(errno) => write!(f, "--fork-orphan: fork: {errno}"),
            RunError::WritePid { path, source } => write!(f, "--write-pid {path}: {source}"),
            RunError::Notify(source) => write!(f, "--notify-fd: {source}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::PipeEnd(e) | RunError::NonBlocking(e) => Some(e),
            RunError::Read { source, .. } => Some(source),
            RunError::Poll { errno, .. } | RunError::ListFds(errno) | RunError::Fork(errno) => {
                Some(errno)
            }
            RunError::WritePid { source, .. } | RunError::Notify(source) => Some(source),
            RunError::RxEnded { .. } | RunError::Name(_) => None,
        }
    }
}

/// Runs `config`'s script and returns the exit code: 0 when every action
/// is done, N for `--exit N`, [`RunError::exit_code`] after reporting an
/// error on stderr. Actions that end the process (`--pause`, a fatal
/// `--signal`) do not return.
pub fn run(config: &Config) -> u8 {
    match Child::new(config).and_then(|mut child| child.run(&config.actions)) {
        Ok(code) => code,
        Err(e) => {
            stderr_line(format_args!("{PROGRAM}: {e}"));
            e.exit_code()
        }
    }
}

/// The process's state between actions.
struct Child<'c> {
    name: Token<'c>,
    rx: Option<FrameReader<PipeEnd>>,
    tx: Option<FrameWriter<PipeEnd>>,
    /// Good frames read from `--rx` that no `--count-frames` has counted.
    uncounted: u64,
}

impl<'c> Child<'c> {
    fn new(config: &'c Config) -> Result<Self, RunError> {
        let name = Token::new(&config.name).map_err(|_| RunError::Name(config.name.clone()))?;
        let rx = match &config.rx {
            Some(v) => {
                let end = PipeEnd::from_arg("--rx", v, End::Read).map_err(RunError::PipeEnd)?;
                end.set_nonblocking(true).map_err(RunError::NonBlocking)?;
                Some(FrameReader::new(end))
            }
            None => None,
        };
        let tx = match &config.tx {
            Some(v) => {
                let end = PipeEnd::from_arg("--tx", v, End::Write).map_err(RunError::PipeEnd)?;
                end.set_nonblocking(config.tx_nonblock)
                    .map_err(RunError::NonBlocking)?;
                Some(FrameWriter::new(end))
            }
            None => None,
        };
        Ok(Child {
            name,
            rx,
            tx,
            uncounted: 0,
        })
    }

    fn run(&mut self, actions: &[Action]) -> Result<u8, RunError> {
        for action in actions {
            if let Some(code) = self.act(action)? {
                return Ok(code);
            }
        }
        Ok(0)
    }

    /// Does one action; `Some(code)` ends the process with `code`.
    fn act(&mut self, action: &Action) -> Result<Option<u8>, RunError> {
        match action {
            Action::Hello => {
                let version = format!("pid-{}", std::process::id());
                // `pid-` and digits always form a token.
                if let (Some(tx), Ok(version)) = (&mut self.tx, Token::new(&version)) {
                    let hello = Message::Hello(Hello {
                        name: self.name,
                        version,
                        protocol: PROTOCOL_VERSION,
                    });
                    send(tx, "--hello", &hello);
                }
            }
            Action::ReportFds => self.report_fds()?,
            Action::Print(text) => stdout_line(format_args!("{text}")),
            Action::Eprint(text) => stderr_line(format_args!("{text}")),
            Action::SleepMs(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Action::WritePid(path) => {
                // One write of a short line: whole, even with other writers.
                let line = format!("{}\n", std::process::id());
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()))
                    .map_err(|source| RunError::WritePid {
                        path: path.clone(),
                        source,
                    })?;
            }
            Action::NotifyFd(fd) => {
                let mut end =
                    PipeEnd::write_from_arg("--notify-fd", fd).map_err(RunError::PipeEnd)?;
                std::io::Write::write_all(&mut end, b"\n").map_err(RunError::Notify)?;
            }
            Action::Pause => loop {
                nix::unistd::pause();
            },
            Action::Exit(code) => return Ok(Some(*code)),
            Action::Signal(sig) => raise_signal(*sig),
            Action::Core => {
                allow_core_dump();
                raise_signal(Signal::SIGABRT);
            }
            Action::IgnoreTerm => {
                for sig in [Signal::SIGTERM, Signal::SIGINT] {
                    if let Err(e) = set_disposition(sig, Disposition::Ignore) {
                        stderr_line(format_args!("{PROGRAM}: --ignore-term: {sig}: {e}"));
                    }
                }
            }
            Action::ForkOrphan(ms) => {
                // Parsing capped MS at i32::MAX.
                let ms = i32::try_from(*ms).unwrap_or(i32::MAX);
                let pid = fork_orphan(ms).map_err(RunError::Fork)?;
                self.say("--fork-orphan", &format!("orphan {pid}"));
            }
            Action::Echo => self.echo()?,
            Action::CountFrames(n) => self.count_frames(*n)?,
            Action::PrintFrames(n) => self.print_frames(*n)?,
            Action::Send(body) => {
                if let Some(tx) = &mut self.tx {
                    let frame = format!("\r{body}\n");
                    if let Err(e) = tx.send_encoded(frame.as_bytes()) {
                        stderr_line(format_args!("{PROGRAM}: --send: {e}"));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Sends `line` as a `LOG` on `--tx` (if given), then prints it on
    /// stdout: a test that has read the line knows the frame is in the pipe.
    fn say(&mut self, action: &str, line: &str) {
        self.log(action, line);
        stdout_line(format_args!("{line}"));
    }

    /// Sends `text` as a `LOG` on `--tx`, if given.
    fn log(&mut self, action: &str, text: &str) {
        if let Some(tx) = &mut self.tx {
            let line = Message::Log(LogLine {
                name: self.name,
                level: Level::Info,
                text: Text::new(text),
            });
            send(tx, action, &line);
        }
    }

    fn report_fds(&mut self) -> Result<(), RunError> {
        for (fd, target) in open_fds().map_err(RunError::ListFds)? {
            self.say("--report-fds", &format!("fd {fd} -> {target}"));
        }
        self.say("--report-fds", "fds end");
        Ok(())
    }

    fn echo(&mut self) -> Result<(), RunError> {
        const ACTION: &str = "--echo";
        let (Some(rx), Some(tx)) = (&mut self.rx, &mut self.tx) else {
            return Ok(()); // parse checked both are given
        };
        loop {
            wait_readable(rx.get_ref().as_fd(), ACTION)?;
            let status = rx
                .read_frames(|frame| send(tx, ACTION, &Message::Unknown(frame)))
                .map_err(|source| RunError::Read {
                    action: ACTION,
                    source,
                })?;
            if status == ReadStatus::Eof {
                return Ok(());
            }
        }
    }

    fn print_frames(&mut self, wanted: u64) -> Result<(), RunError> {
        const ACTION: &str = "--print-frames";
        let Some(rx) = &mut self.rx else {
            return Ok(()); // parse checked it is given
        };
        let mut printed = 0;
        while printed < wanted {
            wait_readable(rx.get_ref().as_fd(), ACTION)?;
            let status = rx
                .read_frames(|frame| {
                    stdout_line(format_args!("frame {}", frame.content()));
                    printed += 1;
                })
                .map_err(|source| RunError::Read {
                    action: ACTION,
                    source,
                })?;
            if status == ReadStatus::Eof && printed < wanted {
                return Err(RunError::RxEnded {
                    wanted,
                    got: printed,
                });
            }
        }
        Ok(())
    }

    fn count_frames(&mut self, wanted: u64) -> Result<(), RunError> {
        const ACTION: &str = "--count-frames";
        let Some(rx) = &mut self.rx else {
            return Ok(()); // parse checked it is given
        };
        let mut eof = false;
        while self.uncounted < wanted && !eof {
            wait_readable(rx.get_ref().as_fd(), ACTION)?;
            let uncounted = &mut self.uncounted;
            let status = rx
                .read_frames(|_| *uncounted += 1)
                .map_err(|source| RunError::Read {
                    action: ACTION,
                    source,
                })?;
            eof = status == ReadStatus::Eof;
        }
        if self.uncounted < wanted {
            return Err(RunError::RxEnded {
                wanted,
                got: self.uncounted,
            });
        }
        self.uncounted -= wanted;
        self.say(ACTION, &format!("got {wanted}"));
        Ok(())
    }
}

/// Sends `msg`; a failure is reported on stderr and the script goes on.
fn send(tx: &mut FrameWriter<PipeEnd>, action: &str, msg: &Message<'_>) {
    if let Err(e) = tx.send(msg) {
        stderr_line(format_args!("{PROGRAM}: {action}: {e}"));
    }
}

/// Waits until `fd` is readable or hung up.
fn wait_readable(fd: BorrowedFd<'_>, action: &'static str) -> Result<(), RunError> {
    loop {
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => {}
            Err(errno) => return Err(RunError::Poll { action, errno }),
        }
    }
}

/// Raises `sig` at this process. Fault signals get their default
/// disposition first, so the process dies of them even where the runtime
/// catches them; other signals keep theirs (an ignored one is discarded
/// and the script goes on).
fn raise_signal(sig: Signal) {
    const FAULTS: [Signal; 7] = [
        Signal::SIGSEGV,
        Signal::SIGBUS,
        Signal::SIGILL,
        Signal::SIGFPE,
        Signal::SIGABRT,
        Signal::SIGTRAP,
        Signal::SIGSYS,
    ];
    if FAULTS.contains(&sig)
        && let Err(e) = set_disposition(sig, Disposition::Default)
    {
        stderr_line(format_args!("{PROGRAM}: --signal {sig}: SIG_DFL: {e}"));
    }
    if let Err(e) = raise(sig) {
        stderr_line(format_args!("{PROGRAM}: --signal {sig}: raise: {e}"));
    }
}

/// Raises the soft core size limit to the hard limit; failures are
/// reported and the abort goes ahead.
fn allow_core_dump() {
    let raised = getrlimit(Resource::RLIMIT_CORE)
        .and_then(|(_, hard)| setrlimit(Resource::RLIMIT_CORE, hard, hard));
    if let Err(e) = raised {
        stderr_line(format_args!("{PROGRAM}: --core: RLIMIT_CORE: {e}"));
    }
}

/// This process's open fds and what each is (`readlink` of its
/// `/proc/self/fd` entry), sorted, without the fd of the listing itself.
fn open_fds() -> Result<Vec<(RawFd, String)>, Errno> {
    let mut dir = Dir::open(
        "/proc/self/fd",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let own = dir.as_raw_fd();
    let mut fds = Vec::new();
    for entry in dir.iter() {
        let entry = entry?;
        // `.`, `..` and anything else that is not a number are skipped.
        let Some(fd) = entry
            .file_name()
            .to_str()
            .ok()
            .and_then(|n| n.parse::<RawFd>().ok())
        else {
            continue;
        };
        if fd == own {
            continue;
        }
        let target = match std::fs::read_link(format!("/proc/self/fd/{fd}")) {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(e) => format!("? ({e})"),
        };
        fds.push((fd, target));
    }
    fds.sort_unstable_by_key(|&(fd, _)| fd);
    Ok(fds)
}
