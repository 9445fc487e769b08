//! Lines into the log files: appending, rotating, fsyncing by policy, and
//! what happens when the disk says no.
//!
//! While writes fail (full disk, I/O error, file size limit), frames keep
//! coming and are counted as lost ([`Loss`]) without being written, so the
//! pipe keeps flowing; the file is closed, and reopened on a retry timer
//! with backoff. The retry that works writes the `LOST` marker first, then
//! lines flow again. A write cut short leaves no torn line: the file is
//! cut back to its last whole line (or, if that fails too, on reopening).

use std::fs::File;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use crate::args::FsyncPolicy;
use crate::clock::WallTime;
use crate::files::{Current, FileError, LogFiles, errno_of};
use crate::line::{Loss, push_line};
use crate::report;

/// Lines are written when this many bytes are pending (and at the end of
/// each batch).
const FLUSH_AT: usize = 64 * 1024;
/// The first retry after a failure comes this soon; each failed retry
/// doubles the wait, up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(100);
/// The longest wait between retries.
const RETRY_MAX: Duration = Duration::from_secs(2);

/// What the sink has done, for the report at exit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SinkStats {
    /// Frames written to the files.
    pub(crate) written: u64,
    /// Frames that could not be written.
    pub(crate) lost: u64,
    /// `LOST` marker lines written.
    pub(crate) markers: u64,
    /// Successful fsyncs.
    pub(crate) fsyncs: u64,
    /// Rotations.
    pub(crate) rotations: u64,
}

/// A line waiting to be written.
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// Where it ends in the output buffer.
    end: usize,
    imu_seq: Option<u32>,
    received: WallTime,
}

#[derive(Debug)]
enum Health {
    /// Writing works; the current file is open.
    Writing(Current),
    /// Writing failed: counting what cannot be written until a retry works.
    Failing {
        loss: Loss,
        backoff: Duration,
        retry_at: Instant,
    },
}

/// Settings of a [`Sink`].
#[derive(Debug, Clone)]
pub(crate) struct SinkConfig {
    pub(crate) files: LogFiles,
    pub(crate) max_bytes: u64,
    pub(crate) fsync: FsyncPolicy,
    pub(crate) name: String,
    /// Write only at fsync points (the naive mode).
    pub(crate) defer_writes: bool,
}

/// The writing end of the logger.
#[derive(Debug)]
pub(crate) struct Sink {
    config: SinkConfig,
    health: Health,
    out: Vec<u8>,
    pending: Vec<Pending>,
    /// Frames appended since the last fsync.
    unsynced: u64,
    sync_due: Option<Instant>,
    /// A rotation made or renamed files since the directory's last fsync.
    dir_dirty: bool,
    /// The file before the last rotation, until it is fsynced.
    retired: Option<File>,
    /// An fsync error was reported (reported once per run of them).
    fsync_failing: bool,
    stats: SinkStats,
}

/// Whether an error opening the log file at start is worth retrying
/// (the disk may get room, the device may come back) rather than a setup
/// problem (permissions, a read-only file system, a path that is wrong).
fn is_transient(errno: Errno) -> bool {
    matches!(
        errno,
        Errno::ENOSPC
            | Errno::EDQUOT
            | Errno::EIO
            | Errno::EFBIG
            | Errno::EMFILE
            | Errno::ENFILE
            | Errno::ENOMEM
            | Errno::EINTR
    )
}

impl Sink {
    /// Opens `appliance.log`. A full disk or an I/O error is no reason not
    /// to start (the sink starts failing, and retries); anything else is
    /// returned.
    pub(crate) fn open(config: SinkConfig, now: Instant) -> Result<Sink, FileError> {
        let health = match config.files.open_current() {
            Ok(current) => {
                report_cut(&config.files, &current);
                Health::Writing(current)
            }
            Err(e) if is_transient(e.errno) => {
                report(format_args!("{e}; counting lost frames and retrying"));
                Health::Failing {
                    loss: Loss::new(e.errno, WallTime::now()),
                    backoff: RETRY_FIRST,
                    retry_at: now + RETRY_FIRST,
                }
            }
            Err(e) => return Err(e),
        };
        Ok(Sink {
            config,
            health,
            out: Vec::with_capacity(FLUSH_AT + crate::line::MAX_LINE_LEN),
            pending: Vec::new(),
            unsynced: 0,
            sync_due: None,
            dir_dirty: false,
            retired: None,
            fsync_failing: false,
            stats: SinkStats::default(),
        })
    }

    /// What the sink has done.
    pub(crate) fn stats(&self) -> SinkStats {
        self.stats
    }

    /// Whether frames are being counted as lost rather than written.
    pub(crate) fn is_failing(&self) -> bool {
        matches!(self.health, Health::Failing { .. })
    }

    /// Whether a line of `len` bytes fits in the current file. When it
    /// does not, the caller flushes, commits what is written, and calls
    /// [`Sink::rotate`] before appending it.
    pub(crate) fn fits(&self, len: usize) -> bool {
        match &self.health {
            Health::Writing(current) => {
                let used = current.size + self.out.len() as u64;
                used == 0 || used + len as u64 <= self.config.max_bytes
            }
            Health::Failing { .. } => true,
        }
    }

    /// Appends the line of one frame received at `received`, or counts it
    /// as lost while writing fails.
    pub(crate) fn append_frame(
        &mut self,
        now: Instant,
        received: WallTime,
        body: &[u8],
        imu_seq: Option<u32>,
    ) {
        if let Health::Failing { loss, .. } = &mut self.health {
            count_lost(loss, received, imu_seq);
            self.stats.lost += 1;
            return;
        }
        push_line(&mut self.out, received, body);
        self.pending.push(Pending {
            end: self.out.len(),
            imu_seq,
            received,
        });
        self.unsynced += 1;
        if self.sync_due.is_none() {
            self.sync_due = self.config.fsync.after.map(|after| now + after);
        }
        if self.config.fsync.frames.is_some_and(|n| self.unsynced >= n) {
            if self.config.defer_writes {
                // The naive logger writes and syncs right here.
                self.sync(now);
            } else {
                // After the batch is taken out of the pipe: an fsync is
                // no protection against a kill (written data outlives the
                // process), and the pipe should not wait for the disk.
                self.sync_due = Some(now);
            }
        }
        if !self.config.defer_writes && self.out.len() >= FLUSH_AT {
            self.flush(now);
        }
    }

    /// Writes the pending lines. A failure moves the sink to counting
    /// losses: the lines not written whole are the first lost.
    pub(crate) fn flush(&mut self, now: Instant) {
        if self.out.is_empty() {
            return;
        }
        let Health::Writing(current) = &mut self.health else {
            // Cannot happen: appends while failing are counted, not kept.
            self.out.clear();
            self.pending.clear();
            return;
        };
        let (written, error) = write_counting(&mut current.file, &self.out);
        let whole = match error {
            None => self.pending.len(),
            Some(_) => self.pending.partition_point(|p| p.end <= written),
        };
        let kept = whole.checked_sub(1).map_or(0, |i| self.pending[i].end);
        if written > kept {
            // A torn line: cut it off. If that fails, reopening will.
            let _ = current.file.set_len(current.size + kept as u64);
        }
        current.size += kept as u64;
        self.stats.written += whole as u64;
        if let Some(error) = error {
            let path = self.config.files.path(0);
            let lost: Vec<Pending> = self.pending.drain(whole..).collect();
            self.fail(now, FileError::new("write", &path, &error), &lost);
        }
        self.out.clear();
        self.pending.clear();
    }

    /// Flushes and fsyncs the current file (and the directory after a
    /// rotation). `fdatasync(2)`: an append changes the size, which it
    /// writes too; the timestamps it skips do not matter here.
    pub(crate) fn sync(&mut self, now: Instant) {
        self.flush(now);
        self.unsynced = 0;
        self.sync_due = None;
        if let Some(old) = self.retired.take() {
            self.note_sync(old.sync_data());
        }
        if let Health::Writing(current) = &self.health {
            let result = current.file.sync_data();
            self.note_sync(result);
        }
        if self.dir_dirty {
            self.dir_dirty = false;
            if let Err(e) = self.config.files.sync_dir() {
                report(format_args!("{e}"));
            }
        }
    }

    /// Counts an `fdatasync(2)`; reports errors once per run of them.
    fn note_sync(&mut self, result: io::Result<()>) {
        match result {
            Ok(()) => {
                self.stats.fsyncs += 1;
                self.fsync_failing = false;
            }
            // A device or file system that cannot sync (/dev/full).
            Err(e) if matches!(errno_of(&e), Errno::EINVAL | Errno::EROFS) => {}
            Err(e) => {
                if !self.fsync_failing {
                    let path = self.config.files.path(0);
                    report(format_args!("{}", FileError::new("fsync", &path, &e)));
                }
                self.fsync_failing = true;
            }
        }
    }

    /// Starts a new `appliance.log`: shifts the files and opens a new one.
    /// Call it with nothing pending (after [`Sink::flush`]) and what is
    /// written taken out of the pipe. The old file is fsynced at the next
    /// [`Sink::on_time`], after the batch: the pipe does not wait for the
    /// disk.
    pub(crate) fn rotate(&mut self, now: Instant) {
        if !matches!(self.health, Health::Writing(_)) {
            return;
        }
        let files = &self.config.files;
        match files.rotate().and_then(|()| files.open_current()) {
            Ok(new) => {
                if let Health::Writing(old) =
                    std::mem::replace(&mut self.health, Health::Writing(new))
                    && let Some(older) = self.retired.replace(old.file)
                {
                    // Two rotations in one batch (a tiny --max-bytes).
                    self.note_sync(older.sync_data());
                }
                self.stats.rotations += 1;
                self.dir_dirty = true;
                self.sync_due = Some(now);
            }
            Err(e) => self.fail(now, e, &[]),
        }
    }

    /// When [`Sink::on_time`] has something to do next.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        let retry = match &self.health {
            Health::Failing { retry_at, .. } => Some(*retry_at),
            Health::Writing(_) => None,
        };
        match (self.sync_due, retry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Does what is due at `now`: an fsync, a retry.
    pub(crate) fn on_time(&mut self, now: Instant) {
        if self.sync_due.is_some_and(|due| due <= now) {
            self.sync(now);
        }
        if let Health::Failing { retry_at, .. } = &self.health
            && *retry_at <= now
        {
            self.retry(now);
        }
    }

    /// At exit: one last retry if writing fails, then flush and fsync.
    pub(crate) fn shutdown(&mut self, now: Instant) {
        if self.is_failing() {
            self.retry(now);
        }
        self.sync(now);
        if let Health::Failing { loss, .. } = &self.health
            && loss.frames > 0
        {
            let mut body = Vec::new();
            loss.write_body(&self.config.name, &mut body);
            report(format_args!(
                "exiting with frames not written and no marker line: {}",
                String::from_utf8_lossy(&body)
            ));
        }
    }

    /// Moves to counting losses after `error`; `lost` were not written.
    fn fail(&mut self, now: Instant, error: FileError, lost: &[Pending]) {
        let mut loss = Loss::new(
            error.errno,
            lost.first().map_or_else(WallTime::now, |p| p.received),
        );
        for p in lost {
            count_lost(&mut loss, p.received, p.imu_seq);
        }
        self.stats.lost += lost.len() as u64;
        report(format_args!(
            "{error}; counting lost frames and retrying (every {}..{} ms)",
            RETRY_FIRST.as_millis(),
            RETRY_MAX.as_millis()
        ));
        // What was written before the failure: keep it if possible.
        if let Some(old) = self.retired.take() {
            let _ = old.sync_data();
        }
        if let Health::Writing(current) = &self.health {
            let _ = current.file.sync_data();
        }
        self.unsynced = 0;
        self.sync_due = None;
        self.health = Health::Failing {
            loss,
            backoff: RETRY_FIRST,
            retry_at: now + RETRY_FIRST,
        };
    }

    /// Reopens the file and writes the marker; on success lines flow
    /// again, on failure the next retry waits twice as long.
    fn retry(&mut self, now: Instant) {
        let Health::Failing { loss, backoff, .. } = &self.health else {
            return;
        };
        let (loss, backoff) = (*loss, *backoff);
        match self.write_marker(&loss) {
            Ok(current) => {
                if loss.frames > 0 {
                    self.stats.markers += 1;
                    report(format_args!(
                        "writing works again: {} frames were lost ({} IMU samples{})",
                        loss.frames,
                        loss.imu,
                        loss.imu_seq
                            .map(|(a, b)| format!(", seq {a}..={b}"))
                            .unwrap_or_default()
                    ));
                } else {
                    report(format_args!("writing works again; no frame was lost"));
                }
                self.health = Health::Writing(current);
                // The marker is fsynced at the next pass of the loop.
                self.sync_due = Some(now);
            }
            Err(_) => {
                let backoff = (backoff * 2).min(RETRY_MAX);
                self.health = Health::Failing {
                    loss,
                    backoff,
                    retry_at: now + backoff,
                };
            }
        }
    }

    /// Opens `appliance.log` (rotating first if the marker would not fit)
    /// and writes the marker line when frames were lost.
    fn write_marker(&mut self, loss: &Loss) -> Result<Current, FileError> {
        let files = &self.config.files;
        let mut current = files.open_current()?;
        report_cut(files, &current);
        if loss.frames == 0 {
            return Ok(current);
        }
        let mut body = Vec::new();
        loss.write_body(&self.config.name, &mut body);
        let mut line = Vec::new();
        push_line(&mut line, WallTime::now(), &body);
        if current.size > 0 && current.size + line.len() as u64 > self.config.max_bytes {
            drop(current);
            files.rotate()?;
            current = files.open_current()?;
            self.stats.rotations += 1;
            self.dir_dirty = true;
        }
        let (written, error) = write_counting(&mut current.file, &line);
        if let Some(error) = error {
            if written > 0 {
                let _ = current.file.set_len(current.size);
            }
            return Err(FileError::new("write", &files.path(0), &error));
        }
        current.size += line.len() as u64;
        Ok(current)
    }
}

fn count_lost(loss: &mut Loss, received: WallTime, imu_seq: Option<u32>) {
    if loss.frames == 0 {
        loss.since = received;
    }
    loss.count(imu_seq);
}

fn report_cut(files: &LogFiles, current: &Current) {
    if current.cut > 0 {
        report(format_args!(
            "{}: cut off a torn last line ({} bytes); its frame is still in the pipe",
            files.path(0).display(),
            current.cut
        ));
    }
}

/// Writes all of `bytes` (retrying short writes); returns how many bytes
/// were written and the error that stopped it, if one did.
fn write_counting(file: &mut File, bytes: &[u8]) -> (usize, Option<io::Error>) {
    let mut written = 0;
    while written < bytes.len() {
        match file.write(&bytes[written..]) {
            Ok(0) => return (written, Some(io::Error::from(io::ErrorKind::WriteZero))),
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (written, Some(e)),
        }
    }
    (written, None)
}
