//! The event loop: one `poll(2)` over a signalfd (SIGTERM, SIGINT), the
//! shared pipe, and a timerfd that is in the set only while an fsync, a
//! write retry or a recheck of a frame still arriving is pending.
//!
//! Each time the pipe is readable, one *batch*: look at what the pipe holds
//! (`tee`, nothing taken out), cut it before a frame still arriving,
//! decode, skip what a predecessor wrote already (first batch only), write
//! the lines, take exactly the written bytes out of the pipe. A rotation
//! inside a batch first takes out what went into the old file, so what is
//! written but not taken out is always in the newest file, where a
//! restarted logger looks for it.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use cli::exit::{EX_CANTCREAT, EX_IOERR, EX_OSERR, EX_USAGE};
use event_loop::{PollSet, StopSignals, Timer};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use pipe_ends::{End, PipeEnd, PipeEndError};
use wire::FrameDecoder;

use crate::args::Config;
use crate::batch::{Batch, settled_len};
use crate::clock::WallTime;
use crate::files::{FileError, LogFiles};
use crate::line::BODY_OFFSET;
use crate::pipe::{Peek, PipeError, SharedPipe};
use crate::report;
use crate::resume::Resume;
use crate::sink::{Sink, SinkConfig};

/// While a frame at the head of the pipe is still arriving and nothing
/// else comes, the pipe is looked at again this often (it stays readable,
/// so polling it would spin).
const PARTIAL_RECHECK: Duration = Duration::from_millis(20);

/// A frame still arriving after this long, with nothing behind it, is
/// given up as truncated (writers send each frame in one `write(2)`, so
/// this is a broken writer).
const PARTIAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Why the logger stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// `--rx` is not a usable pipe end.
    #[error(transparent)]
    PipeEnd(#[from] PipeEndError),
    /// The log directory cannot be created or opened, or the log file
    /// cannot be opened for a reason other than room or I/O.
    #[error("log directory: {0}")]
    LogDir(FileError),
    /// A system call the loop needs (signalfd, timerfd, poll) failed.
    #[error("{what}: {errno}")]
    System {
        /// The call.
        what: &'static str,
        /// Its error.
        errno: Errno,
    },
    /// Reading the pipe failed.
    #[error("pipe: {0}")]
    Pipe(#[from] PipeError),
}

impl RunError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::PipeEnd(_) => EX_USAGE,
            RunError::LogDir(_) => EX_CANTCREAT,
            RunError::System { .. } => EX_OSERR,
            RunError::Pipe(_) => EX_IOERR,
        }
    }
}

fn system(what: &'static str) -> impl FnOnce(Errno) -> RunError {
    move |errno| RunError::System { what, errno }
}

/// Why the logger stopped without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM or SIGINT.
    Signal(Signal),
    /// Every write end of the pipe is closed and all of it was logged.
    Eof,
}

/// Runs the logger until SIGTERM, SIGINT or the pipe's end, and returns
/// the exit code (0, or [`RunError::exit_code`] after reporting the error
/// on stderr).
pub fn run(config: &Config) -> u8 {
    match Logger::start(config).and_then(|mut logger| logger.run()) {
        Ok(_) => 0,
        Err(e) => {
            report(format_args!("{e}"));
            e.exit_code()
        }
    }
}

/// A frame at the head of the pipe that is still arriving.
#[derive(Debug, Clone, Copy)]
struct Partial {
    /// What the pipe held when it was left there (the frame so far).
    held: usize,
    /// When it was left there.
    since: Instant,
    /// Nothing came since: the pipe is not polled until `recheck_at`.
    recheck_at: Option<Instant>,
}

enum Flow {
    Continue,
    Eof,
}

struct Logger {
    pipe: SharedPipe,
    naive: bool,
    decoder: FrameDecoder,
    batch: Batch,
    sink: Sink,
    /// What the predecessor left, until the first batch is looked at.
    resume: Option<Resume>,
    signals: StopSignals,
    timer: Timer,
    armed: Option<Instant>,
    partial: Option<Partial>,
    /// Frames skipped as written by a predecessor.
    skipped: u64,
    diverged_reported: bool,
}

impl Logger {
    fn start(config: &Config) -> Result<Logger, RunError> {
        let rx = PipeEnd::from_arg("--rx", &config.rx, End::Read)?;

        // SIGXFSZ too: blocked, a write past RLIMIT_FSIZE fails with EFBIG
        // (a loss, counted) instead of killing the process.
        let signals = StopSignals::block(&[Signal::SIGTERM, Signal::SIGINT, Signal::SIGXFSZ])
            .map_err(system("signalfd"))?;
        let timer = Timer::new().map_err(system("timerfd_create"))?;

        let (pipe, short) = SharedPipe::new(rx)?;
        if let Some((wanted, got)) = short {
            report(format_args!(
                "the private copy pipe holds {got} bytes, the --rx pipe {wanted}: \
                 each batch sees at most {got} bytes"
            ));
        }

        let files = LogFiles::new(&config.dir, config.keep);
        files.create_dir().map_err(RunError::LogDir)?;
        // What a killed predecessor wrote but did not take out of the pipe
        // is its last batch: at most one look (`capacity` bytes of frames),
        // and a frame of n >= 3 bytes makes a line of n + 27 <= 10 n.
        let resume = if config.unsafe_read {
            None
        } else {
            let window = 10 * pipe.capacity() as u64;
            // Read before opening for writing, which cuts a torn line: the
            // same cut is made here by ignoring a last line without LF.
            match files.read_tail(window) {
                Ok(Some((mut tail, cut_start))) => {
                    let whole = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                    tail.truncate(whole);
                    Resume::from_tail(&tail, cut_start)
                }
                Ok(None) => None,
                Err(e) => {
                    report(format_args!(
                        "{e}: cannot tell what a predecessor wrote; frames at the head \
                         of the pipe may be logged twice"
                    ));
                    None
                }
            }
        };
        let now = Instant::now();
        let sink = Sink::open(
            SinkConfig {
                files: files.clone(),
                max_bytes: config.max_bytes,
                fsync: config.fsync,
                name: config.name.clone(),
                defer_writes: config.unsafe_read,
            },
            now,
        )
        .map_err(RunError::LogDir)?;
        report(format_args!(
            "logging --rx {} to {} ({} bytes x {} files{})",
            config.rx,
            files.path(0).display(),
            config.max_bytes,
            config.keep,
            if config.unsafe_read {
                "; UNSAFE READ: frames are lost on SIGKILL"
            } else {
                ""
            }
        ));
        Ok(Logger {
            pipe,
            naive: config.unsafe_read,
            decoder: FrameDecoder::new(),
            batch: Batch::default(),
            sink,
            resume,
            signals,
            timer,
            armed: None,
            partial: None,
            skipped: 0,
            diverged_reported: false,
        })
    }

    fn run(&mut self) -> Result<Stop, RunError> {
        loop {
            let now = Instant::now();
            self.sink.on_time(now);
            if let Some(p) = &mut self.partial
                && p.recheck_at.is_some_and(|at| at <= now)
            {
                p.recheck_at = None;
            }
            self.arm_timer(now)?;

            let poll_rx = self.partial.is_none_or(|p| p.recheck_at.is_none());
            let (signal, rx, timer) = {
                let mut set = PollSet::new();
                let signal = set.add(self.signals.as_fd());
                let rx = set.add_some(poll_rx.then(|| self.pipe.fd()));
                let timer = set.add_some(self.armed.map(|_| self.timer.as_fd()));
                let ready = set.wait(None).map_err(system("poll"))?;
                let rx = rx.filter(|&rx| ready.fired(rx)).map(|rx| ready.hung_up(rx));
                (ready.fired(signal), rx, ready.fired_some(timer))
            };

            if signal && let Some(signal) = self.take_signal()? {
                // What the pipe holds now goes in before the last fsync
                // (a frame still arriving stays there for a successor).
                self.batch(Instant::now(), false)?;
                self.stop(&format!("{signal}"));
                return Ok(Stop::Signal(signal));
            }
            if let Some(hup) = rx
                && let Flow::Eof = self.batch(Instant::now(), hup)?
            {
                self.stop("end of the pipe (every writer closed it)");
                return Ok(Stop::Eof);
            }
            if timer {
                // One-shot: it has fired; the next pass arms what is due.
                let _ = self.timer.take();
                self.armed = None;
            }
        }
    }

    /// The next SIGTERM or SIGINT, if one is pending.
    fn take_signal(&mut self) -> Result<Option<Signal>, RunError> {
        loop {
            match self.signals.take().map_err(system("read(signalfd)"))? {
                Some(s @ (Signal::SIGTERM | Signal::SIGINT)) => return Ok(Some(s)),
                // SIGXFSZ: the write that caused it reports EFBIG.
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    /// Arms the timer for the earliest pending deadline, or disarms it.
    fn arm_timer(&mut self, now: Instant) -> Result<(), RunError> {
        let recheck = self.partial.and_then(|p| p.recheck_at);
        let want = match (self.sink.deadline(), recheck) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if want == self.armed {
            return Ok(());
        }
        match want {
            Some(at) => self.timer.arm_after(at.saturating_duration_since(now)),
            None => self.timer.disarm(),
        }
        .map_err(system("timerfd_settime"))?;
        self.armed = want;
        Ok(())
    }

    /// One batch: look, cut, decode, skip, write, take out. `hung_up`:
    /// every writer has closed the pipe, so a frame still arriving will
    /// not complete.
    fn batch(&mut self, now: Instant, hung_up: bool) -> Result<Flow, RunError> {
        let peek = if self.naive {
            self.pipe.read_consuming()?
        } else {
            self.pipe.peek()?
        };
        match peek {
            Peek::Data => {}
            Peek::Empty => {
                // An empty pipe holds nothing a predecessor wrote.
                self.resume = None;
                self.partial = None;
                return Ok(Flow::Continue);
            }
            Peek::Eof => return Ok(Flow::Eof),
        }
        let held = self.pipe.peeked().len();
        let mut settled = if self.naive {
            held
        } else {
            settled_len(self.pipe.peeked())
        };
        let mut give_up = false;
        if settled < held
            && let Some(p) = &mut self.partial
            && p.held == held
        {
            // Nothing came behind the frame still arriving.
            if hung_up || now.duration_since(p.since) >= PARTIAL_TIMEOUT {
                give_up = true;
                settled = held;
                report(format_args!(
                    "dropping a frame that did not complete ({} bytes){}",
                    held,
                    if hung_up {
                        ": every writer closed the pipe"
                    } else {
                        " within 1 s"
                    }
                ));
            } else {
                p.recheck_at = Some(now + PARTIAL_RECHECK);
                return Ok(Flow::Continue);
            }
        }

        self.batch
            .fill(&mut self.decoder, &self.pipe.peeked()[..settled]);
        if give_up {
            self.decoder.finish();
        }
        let skip = self
            .resume
            .take()
            .map_or(0, |r| r.already_logged(self.batch.bodies()));
        if skip > 0 {
            self.skipped += skip as u64;
            report(format_args!(
                "resuming: the first {skip} frames in the pipe were written before the restart"
            ));
        }
        let received = WallTime::now();
        for frame in self.batch.frames().get(skip..).unwrap_or_default() {
            if !self.sink.fits(BODY_OFFSET + frame.body_len() + 1) {
                self.sink.flush(now);
                if !self.naive {
                    self.pipe.consume_to(frame.start)?;
                }
                self.sink.rotate(now);
            }
            self.sink
                .append_frame(now, received, self.batch.body(frame), frame.imu_seq);
        }
        if !self.naive {
            self.sink.flush(now);
            self.pipe.consume_to(settled)?;
        }
        if self.pipe.diverged() > 0 && !self.diverged_reported {
            self.diverged_reported = true;
            report(format_args!(
                "the bytes taken out of --rx differ from those logged: another process reads the pipe"
            ));
        }
        self.partial = (settled < held).then(|| Partial {
            held: held - settled,
            since: now,
            recheck_at: None,
        });
        Ok(Flow::Continue)
    }

    /// Last fsync, and a line on stderr with the counts.
    fn stop(&mut self, why: &str) {
        self.sink.shutdown(Instant::now());
        let s = self.sink.stats();
        let c = self.decoder.counters();
        report(format_args!(
            "stopping on {why}: {} frames written, {} lost, {} skipped as written before a restart, \
             {} dropped by the decoder, {} fsyncs, {} rotations; {}",
            s.written,
            s.lost,
            self.skipped,
            c.dropped(),
            s.fsyncs,
            s.rotations,
            if self.sink.is_failing() {
                "writing fails, nothing to sync"
            } else {
                "file synced"
            }
        ));
        report(format_args!("pipe: {c}"));
    }
}
