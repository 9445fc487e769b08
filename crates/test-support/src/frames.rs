//! The frames a process writes to a pipe, read back with a deadline.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use wire::{
    CommandOp, Counters, ErrorCode, ExitStatus, FrameBuf, FrameReader, ImuSample, LightSample,
    Message, OpKind, ReadStatus, RunState,
};

use crate::DEADLINE;

/// `message` as one frame, as every process writes it.
pub fn encode(message: &Message<'_>) -> Vec<u8> {
    FrameBuf::new().encode(message).expect("encode").to_vec()
}

/// A message read back, owned: what a test compares and keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    /// `HELLO`.
    Hello {
        /// `name`.
        name: String,
        /// `proto`.
        protocol: u16,
    },
    /// `READY`.
    Ready {
        /// `name`.
        name: String,
    },
    /// `HB`.
    Heartbeat {
        /// `seq`.
        seq: u32,
        /// `up`, microseconds.
        uptime_us: u64,
    },
    /// `IMU`.
    Imu(ImuSample),
    /// `LIGHT`.
    Light(LightSample),
    /// `CMD`.
    Command {
        /// `id`.
        id: u32,
        /// `op` and its arguments.
        op: CommandOp,
    },
    /// `ACK`.
    Ack {
        /// `id`.
        id: u32,
        /// `op`.
        op: OpKind,
    },
    /// `ERR`.
    Err {
        /// `name`: the sender (absent from older senders).
        name: Option<String>,
        /// `id`, when it answers a command.
        id: Option<u32>,
        /// `code`.
        code: ErrorCode,
        /// `text`, decoded.
        text: String,
    },
    /// `STATS`.
    Stats {
        /// `id`, when it answers a command.
        id: Option<u32>,
        /// `sent`.
        sent: u64,
        /// `drop`.
        dropped: u64,
        /// `recv`.
        received: u64,
        /// `rej`.
        rejected: u64,
        /// `err`.
        errors: u64,
    },
    /// `STATE`, from the supervisor.
    State {
        /// `name`.
        name: String,
        /// `pid`.
        pid: u32,
        /// `st`.
        state: RunState,
        /// How it ended, when it did.
        exit: Option<ExitStatus>,
        /// `next`: microseconds to the next restart, if one is due.
        next_us: Option<u64>,
    },
    /// Any other message, as its `Debug` form.
    Other(String),
}

impl Got {
    /// The `HELLO` of process `name`, speaking this protocol version.
    pub fn hello(name: &str) -> Got {
        Got::Hello {
            name: name.to_owned(),
            protocol: wire::PROTOCOL_VERSION,
        }
    }

    /// The `READY` of process `name`.
    pub fn ready(name: &str) -> Got {
        Got::Ready {
            name: name.to_owned(),
        }
    }

    /// The owned form of `message`.
    pub fn of(message: &Message<'_>) -> Got {
        match message {
            Message::Hello(h) => Got::Hello {
                name: h.name.to_string(),
                protocol: h.protocol,
            },
            Message::Ready(r) => Got::Ready {
                name: r.name.to_string(),
            },
            Message::Heartbeat(h) => Got::Heartbeat {
                seq: h.seq,
                uptime_us: h.uptime_us,
            },
            Message::Imu(s) => Got::Imu(*s),
            Message::Light(s) => Got::Light(*s),
            Message::Command(c) => Got::Command { id: c.id, op: c.op },
            Message::Ack(a) => Got::Ack { id: a.id, op: a.op },
            Message::Error(e) => Got::Err {
                name: e.name.map(|n| n.to_string()),
                id: e.id,
                code: e.code,
                text: e.text.to_string(),
            },
            Message::Stats(s) => Got::Stats {
                id: s.id,
                sent: s.sent,
                dropped: s.dropped,
                received: s.received,
                rejected: s.rejected,
                errors: s.errors,
            },
            Message::State(s) => Got::State {
                name: s.name.to_string(),
                pid: s.pid,
                state: s.state,
                exit: s.exit,
                next_us: s.next_us,
            },
            other => Got::Other(format!("{other:?}")),
        }
    }

    /// Whether this answers the command `id` (an `ACK` or an `ERR` with
    /// that id).
    pub fn answers(&self, id: u32) -> bool {
        matches!(self, Got::Ack { id: i, .. } | Got::Err { id: Some(i), .. } if *i == id)
    }
}

/// The read end of a pipe a process writes frames to, and every message
/// read from it so far. Reads never block; the waits poll the pipe until
/// their condition holds, with a deadline ([`DEADLINE`]). A malformed frame
/// fails the test: the processes write only well-formed ones.
pub struct Frames {
    reader: FrameReader<OwnedFd>,
    got: Vec<Got>,
    /// How many of `got` [`Frames::next`] has handed out.
    taken: usize,
    open: bool,
}

impl Frames {
    /// Reads `pipe` (made non-blocking here).
    pub fn new(pipe: impl Into<OwnedFd>) -> Frames {
        let pipe: OwnedFd = pipe.into();
        let flags = fcntl(&pipe, FcntlArg::F_GETFL).expect("F_GETFL");
        let flags = OFlag::from_bits_retain(flags) | OFlag::O_NONBLOCK;
        fcntl(&pipe, FcntlArg::F_SETFL(flags)).expect("F_SETFL O_NONBLOCK");
        Frames {
            reader: FrameReader::new(pipe),
            got: Vec::new(),
            taken: 0,
            open: true,
        }
    }

    /// Every message read so far.
    pub fn got(&self) -> &[Got] {
        &self.got
    }

    /// The last messages read, for a failure message.
    pub fn tail(&self) -> &[Got] {
        &self.got[self.got.len().saturating_sub(30)..]
    }

    /// The decoder's counters.
    pub fn counters(&self) -> &Counters {
        self.reader.counters()
    }

    /// The pipe.
    pub fn pipe(&self) -> &OwnedFd {
        self.reader.get_ref()
    }

    /// Reads what the pipe holds now; whether it is still open (false once
    /// every writer has closed it and everything was read).
    #[track_caller]
    pub fn read_now(&mut self) -> bool {
        if !self.open {
            return false;
        }
        let got = &mut self.got;
        let status = self
            .reader
            .read_messages(|m| match m {
                Ok(m) => got.push(Got::of(&m)),
                Err(bad) => panic!("a malformed frame: {bad:?}"),
            })
            .expect("read the pipe");
        self.open = status == ReadStatus::Open;
        self.open
    }

    /// Reads until `cond` holds on everything read so far; panics, naming
    /// `what`, at the end of the pipe or after [`DEADLINE`].
    #[track_caller]
    pub fn until(&mut self, what: &str, mut cond: impl FnMut(&[Got]) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let open = self.read_now();
            if cond(&self.got) {
                return;
            }
            self.wait_readable(what, open, deadline);
        }
    }

    /// The next message, after those handed out before, that `want`
    /// accepts, and the ones between; panics, naming `what`, at the end of
    /// the pipe or after [`DEADLINE`].
    #[track_caller]
    pub fn next(&mut self, what: &str, mut want: impl FnMut(&Got) -> bool) -> (Got, Vec<Got>) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let open = self.read_now();
            if let Some(i) = self.got[self.taken..].iter().position(&mut want) {
                let at = self.taken + i;
                let before = self.got[self.taken..at].to_vec();
                self.taken = at + 1;
                return (self.got[at].clone(), before);
            }
            self.wait_readable(what, open, deadline);
        }
    }

    /// Waits for the pipe to have data, or panics if it cannot come.
    #[track_caller]
    fn wait_readable(&self, what: &str, open: bool, deadline: Instant) {
        assert!(open, "{what}: the pipe ended; got {:?}", self.tail());
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_else(|| panic!("{what}: not within {DEADLINE:?}; got {:?}", self.tail()));
        let mut fds = [PollFd::new(self.pipe().as_fd(), PollFlags::POLLIN)];
        let timeout =
            PollTimeout::try_from(left.min(Duration::from_millis(500))).expect("at most 500 ms");
        let _ = poll(&mut fds, timeout);
    }
}
