//! `appliance-log` is the appliance's logging process: it reads the frames
//! that MOTION (IMU samples), `applianced` (process STATE) and others write
//! into its pipe, and appends each as one line to `DIR/appliance.log`,
//! rotated by size into `appliance.log.1` ... and kept to a number of
//! files. It must never slow down or stall its writers, must survive a
//! full disk, and must not lose or repeat IMU samples when it is killed,
//! SIGKILL included, and restarted by the supervisor.
//!
//! ```text
//! appliance-log --rx 3 --dir /var/log/appliance [--max-bytes 1048576] [--keep 5]
//!               [--fsync-frames 100] [--fsync-ms 1000] [--name log]
//! ```
//!
//! # The log
//!
//! One line per good frame (bad ones are counted by the `wire` decoder and
//! left out): the receive time as ISO-8601 UTC with microseconds (why wall
//! time: see [`WallTime`]), a space, the frame body exactly as received,
//! checksum included:
//!
//! ```text
//! 2024-05-01T12:34:56.123456Z IMU seq=7 t=1250000 ax=-12 ay=4 az=1003 gx=150 gy=-20 gz=0 tc=2512 *78
//! ```
//!
//! A line that would take `appliance.log` past `--max-bytes` first rotates
//! it (`appliance.log.{N-2}` -> `.{N-1}`, ..., `appliance.log` -> `.1`), so
//! `--keep N` files of at most `--max-bytes` each are kept. Lines are
//! fsynced (`fdatasync`) once `--fsync-frames` frames are unsynced or
//! `--fsync-ms` after the first unsynced one, after each rotation (the old
//! file), and at SIGTERM/SIGINT. An fsync comes after the batch is taken
//! out of the pipe: it protects against power loss, not against a kill
//! (written data outlives the process), so the pipe does not wait for it.
//!
//! # Exactly once, SIGKILL included
//!
//! `applianced` holds both ends of the pipe, so what is in it outlives the
//! logger; the hard part is what the logger has read but not yet written
//! when it dies. So it never takes out of the pipe what it has not
//! written: each batch is copied with `tee(2)` into a private pipe (the
//! shared pipe keeps it), decoded, written, and only then exactly those
//! bytes are read out of the shared pipe. A frame still arriving at the
//! end of a batch stays in the pipe for the next one. A kill at any point
//! leaves in the pipe everything not yet written, plus possibly a run of
//! frames written but not yet taken out; on start, the logger finds that
//! run by the newest file's last sample line (`IMU` or `LIGHT`: their
//! `seq` and sender time make each one unique) and skips it, after cutting
//! off a last line the kill tore. Hence:
//!
//! - **IMU and LIGHT samples** that reached the pipe are logged exactly
//!   once, in pipe order, across any number of kills and restarts.
//! - **Other frames** (STATE, HB, LOG, ...) are logged at least once: one
//!   that came after the last sample of the batch being written when the
//!   logger was killed may be logged twice, since an identical frame could
//!   as well be a new one (see `resume.rs`).
//!
//! Power loss is another matter: it takes the pipe too, and the fsync
//! policy bounds what the files lose.
//!
//! # Full disk, I/O errors
//!
//! A failed write does not stop the logger: it keeps reading the pipe (so
//! writers never meet a full pipe because of it), counts the frames it
//! cannot write, retries with backoff (100 ms doubling to 2 s), and when a
//! write works again writes one marker line first, a [`Loss`]:
//!
//! ```text
//! 2024-05-01T12:35:02.000100Z LOST name=log frames=120 imu=118 seq_first=5000 seq_last=5117 err=ENOSPC since=2024-05-01T12:34:56.123456Z *5A
//! ```
//!
//! SIGXFSZ is blocked, so a file size limit is an `EFBIG` like the others.
//!
//! # Exit codes
//!
//! | code | when |
//! |---|---|
//! | 0 | SIGTERM or SIGINT (after a last batch and fsync), or every writer closed the pipe |
//! | 64 (`EX_USAGE`) | a bad argument or `--rx` pipe end (stderr names it) |
//! | 71 (`EX_OSERR`) | signalfd, timerfd or poll failed |
//! | 73 (`EX_CANTCREAT`) | the log directory cannot be created or opened, or the log file cannot be opened for a reason other than room or I/O (permissions, read-only) |
//! | 74 (`EX_IOERR`) | reading the pipe failed |
//!
//! The codes are `cli::exit`'s. `--help` lists the arguments ([`HELP`]);
//! each takes its value as `--flag VALUE` or `--flag=VALUE`, once;
//! `--version` prints `appliance-log VERSION`.
//!
//! `--unsafe-read` is for tests only: it reads (consumes) the pipe first
//! and keeps lines in memory until the next fsync, as a naive logger
//! would; the tests show that loses frames under SIGKILL.

mod args;
mod batch;
mod clock;
mod files;
mod line;
mod pipe;
mod resume;
mod run;
mod sink;

pub use args::{
    Config, FsyncPolicy, HELP, MAX_FSYNC_FRAMES, MAX_FSYNC_MS, MAX_KEEP, MAX_MAX_BYTES,
    MIN_MAX_BYTES, SPEC, parse,
};
pub use clock::{TIMESTAMP_LEN, WallTime};
pub use files::{CURRENT, FileError};
pub use line::{BODY_OFFSET, Loss, MAX_LINE_LEN, split_line};
pub use pipe::PipeError;
pub use run::{RunError, Stop, run};

/// The program name, at the start of every line on stderr.
pub const PROGRAM: &str = "appliance-log";

/// Writes `appliance-log: MESSAGE` and a newline to stderr in one write
/// ([`cli::Spec::report`]). Errors are ignored: with nowhere to report
/// them, they must not stop the logger.
pub fn report(message: std::fmt::Arguments<'_>) {
    SPEC.report(&message);
}
