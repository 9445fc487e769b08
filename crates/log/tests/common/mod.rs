//! What the integration tests share. The test plays `applianced`: it
//! creates the pipe, keeps both ends, and starts the real `appliance-log`
//! with the read end at fd 3. Every wait has a deadline; nothing sleeps
//! and hopes.

#![allow(dead_code, reason = "each test file uses part of the helpers")]

use std::io::{PipeReader, PipeWriter, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;

use nix::fcntl::{SpliceFFlags, tee};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::resource::Resource;
use nix::sys::signal::{Signal, kill};
pub(crate) use test_support::{DEADLINE, Lines, encode, wait_exit, within};
use test_support::{TempDir, WithEnds, procfs};
use wire::{ImuSample, Message};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_appliance-log");

/// A test's directory (removed after a passing test) with `logs/` in it
/// for the logger.
pub(crate) struct Scratch(TempDir);

impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        Scratch(TempDir::new(&format!("log-{name}")))
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.path()
    }

    pub(crate) fn logs(&self) -> PathBuf {
        self.0.join("logs")
    }
}

/// A pipe as `applianced` makes it: the read end non-blocking, both ends
/// held by the test for the pipe's whole life.
pub(crate) struct SharedPipe {
    pub(crate) r: PipeReader,
    pub(crate) w: PipeWriter,
}

impl SharedPipe {
    pub(crate) fn new() -> SharedPipe {
        let (r, w) = std::io::pipe().expect("pipe");
        pipe_ends::set_nonblocking(&r, true).expect("O_NONBLOCK");
        SharedPipe { r, w }
    }

    /// Writes one frame with one `write(2)` (blocking: nothing is dropped).
    pub(crate) fn send(&self, frame: &[u8]) {
        let n = (&self.w).write(frame).expect("write frame");
        assert_eq!(n, frame.len(), "a frame goes in one write");
    }

    /// Whether the pipe holds data.
    pub(crate) fn holds_data(&self) -> bool {
        let mut fds = [PollFd::new(self.r.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::ZERO).expect("poll");
        fds[0]
            .revents()
            .is_some_and(|r| r.contains(PollFlags::POLLIN))
    }

    /// The bodies of the whole frames at the head of the pipe, looked at
    /// with `tee(2)`: nothing is taken out.
    pub(crate) fn head_frames(&self) -> Vec<Vec<u8>> {
        let (copy_r, copy_w) = std::io::pipe().expect("pipe");
        let n = match tee(&self.r, &copy_w, 1 << 20, SpliceFFlags::SPLICE_F_NONBLOCK) {
            Ok(n) => n,
            Err(nix::errno::Errno::EAGAIN) => 0,
            Err(e) => panic!("tee: {e}"),
        };
        drop(copy_w);
        let mut bytes = Vec::with_capacity(n);
        (&copy_r).read_to_end(&mut bytes).expect("read the copy");
        assert_eq!(bytes.len(), n);
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes[..whole]
            .split(|&b| b == b'\n')
            .filter_map(|f| f.strip_prefix(b"\r"))
            .map(<[u8]>::to_vec)
            .collect()
    }

    /// Waits until the logger has taken everything out of the pipe.
    pub(crate) fn wait_drained(&self) {
        assert!(
            within(DEADLINE, || !self.holds_data()),
            "the logger did not drain the pipe within {DEADLINE:?}"
        );
    }
}

/// What to set up for the child.
#[derive(Debug, Clone, Default)]
pub(crate) enum Setup {
    #[default]
    Nothing,
    /// `RLIMIT_FSIZE` at this many bytes.
    FileSizeLimit(u64),
    /// A private mount namespace with a tmpfs of `size` over `dir`: the
    /// logger is started by util-linux's `unshare` and a shell that mounts
    /// it (see [`can_mount_private_tmpfs`]).
    PrivateTmpfs { dir: PathBuf, size: &'static str },
}

/// `unshare`, `sh` and `mount`, mounting a tmpfs of `size` over `dir` in a
/// mount namespace of their own, then running `program ARGS` there (the
/// same process: each execs the next).
fn in_private_tmpfs(dir: &Path, size: &str, program: &str) -> Command {
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(r#"mount -t tmpfs -o "size=$0" tmpfs "$1" && shift && exec "$@""#)
        .arg(size)
        .arg(dir)
        .arg(program);
    command
}

/// Whether this machine lets the test mount a tmpfs in a private mount
/// namespace (it needs CAP_SYS_ADMIN: root, as in CI's container).
pub(crate) fn can_mount_private_tmpfs(dir: &Path) -> bool {
    in_private_tmpfs(dir, "4k", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts `appliance-log --rx 3 ARGS` with `rx` at fd 3 (every other fd
/// above 2 closed), stdin null, stdout and stderr piped.
pub(crate) fn spawn_log(rx: &impl AsFd, args: &[&str], setup: &Setup) -> std::io::Result<Child> {
    let mut command = match setup {
        Setup::PrivateTmpfs { dir, size } => in_private_tmpfs(dir, size, BIN),
        Setup::Nothing | Setup::FileSizeLimit(_) => Command::new(BIN),
    };
    command
        .arg("--rx")
        .arg("3")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut with_ends = WithEnds::new([rx.as_fd().try_clone_to_owned()?]);
    if let Setup::FileSizeLimit(limit) = setup {
        with_ends = with_ends.limit(Resource::RLIMIT_FSIZE, *limit);
    }
    with_ends.spawn(&mut command)
}

/// [`spawn_log`] on `pipe` with `--dir logs` and `more`, that must work.
pub(crate) fn start_log(pipe: &SharedPipe, logs: &Path, more: &[&str]) -> Child {
    let dir = logs.to_str().expect("UTF-8 path");
    let args: Vec<&str> = ["--dir", dir]
        .into_iter()
        .chain(more.iter().copied())
        .collect();
    spawn_log(&pipe.r, &args, &Setup::Nothing).expect("spawn appliance-log")
}

/// Sends `signal` to `child`.
pub(crate) fn signal(child: &Child, signal: Signal) {
    kill(test_support::pid_of(child), signal).expect("kill");
}

/// Stops `child` with SIGSTOP and waits until it is stopped: its system
/// calls are complete, the files and the pipe hold still.
pub(crate) fn freeze(child: &Child) {
    signal(child, Signal::SIGSTOP);
    // Stopping takes microseconds: spin rather than sleep between looks.
    let start = Instant::now();
    let pid = test_support::pid_of(child);
    while procfs::state(pid) != Some('T') {
        assert!(start.elapsed() < DEADLINE, "appliance-log did not stop");
        std::thread::yield_now();
    }
}

/// SIGTERM, then the exit status.
pub(crate) fn terminate(child: &mut Child) -> ExitStatus {
    signal(child, Signal::SIGTERM);
    wait_exit(child)
}

/// The stderr lines of `child`, as they come.
pub(crate) fn stderr_lines(child: &mut Child) -> Lines {
    Lines::new(child.stderr.take().expect("piped stderr"))
}

/// An IMU frame with this `seq`, as MOTION encodes it.
pub(crate) fn imu(seq: u32) -> Vec<u8> {
    let msg = Message::Imu(ImuSample {
        seq,
        t_us: 1_000_000 + 5_000 * u64::from(seq),
        accel_mg: [-12, 4, 1003],
        gyro_mdps: [150, -20, 0],
        temp_cc: 2512,
    });
    encode(&msg)
}

/// A frame's body: without CR and LF.
pub(crate) fn body(frame: &[u8]) -> &[u8] {
    &frame[1..frame.len() - 1]
}

/// The log files in `dir`, oldest first: `appliance.log.N` by falling N,
/// then `appliance.log`.
pub(crate) fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut rotated: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| {
                    let path = e.ok()?.path();
                    let name = path.file_name()?.to_str()?.to_owned();
                    let n = name.strip_prefix("appliance.log.")?.parse().ok()?;
                    Some((n, path))
                })
                .collect()
        })
        .unwrap_or_default();
    rotated.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let mut files: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    let current = dir.join("appliance.log");
    if current.exists() {
        files.push(current);
    }
    files
}

/// The lines of every log file in `dir`, oldest first.
pub(crate) fn log_lines(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for path in log_files(dir) {
        let bytes = std::fs::read(&path).expect("read log file");
        assert!(
            bytes.is_empty() || bytes.ends_with(b"\n"),
            "{} ends inside a line",
            path.display()
        );
        out.extend(
            bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec),
        );
    }
    out
}

/// The bodies of `lines`; each line must be `TIMESTAMP BODY`.
pub(crate) fn bodies(lines: &[Vec<u8>]) -> Vec<Vec<u8>> {
    lines
        .iter()
        .map(|l| {
            let (_, body) = appliance_log::split_line(l)
                .unwrap_or_else(|| panic!("not a log line: {}", String::from_utf8_lossy(l)));
            body.to_vec()
        })
        .collect()
}

/// The `seq` of every IMU line, in order.
pub(crate) fn imu_seqs(lines: &[Vec<u8>]) -> Vec<u32> {
    bodies(lines)
        .iter()
        .filter_map(|b| {
            let frame = wire::Frame::parse(b).ok()?;
            (frame.msg_type() == "IMU").then(|| frame.field("seq")?.parse().ok())?
        })
        .collect()
}

/// The `LOST` marker lines' bodies.
pub(crate) fn markers(lines: &[Vec<u8>]) -> Vec<String> {
    bodies(lines)
        .into_iter()
        .filter(|b| b.starts_with(b"LOST "))
        .map(|b| String::from_utf8(b).expect("ASCII"))
        .collect()
}

/// A field of a body (`key=value`), parsed as wire fields.
pub(crate) fn field(body: &str, key: &str) -> Option<String> {
    wire::Frame::parse(body.as_bytes())
        .ok()?
        .field(key)
        .map(str::to_owned)
}

/// What is wrong with a sequence of `seq` that should be 0..total, each
/// once, in order.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SeqProblems {
    /// `seq` that never appear.
    pub(crate) missing: Vec<u32>,
    /// `seq` that appear more than once (once per extra copy).
    pub(crate) duplicated: Vec<u32>,
    /// `seq` that appear (first) after a larger one.
    pub(crate) out_of_order: Vec<u32>,
    /// `seq` outside 0..total.
    pub(crate) unexpected: Vec<u32>,
}

/// Checks that `seqs` is exactly 0, 1, ..., total-1.
pub(crate) fn check_exactly_once(seqs: &[u32], total: u32) -> Result<(), SeqProblems> {
    let mut problems = SeqProblems::default();
    let mut seen = vec![false; total as usize];
    let mut highest: Option<u32> = None;
    for &s in seqs {
        let Some(slot) = seen.get_mut(s as usize) else {
            problems.unexpected.push(s);
            continue;
        };
        if *slot {
            problems.duplicated.push(s);
            continue;
        }
        *slot = true;
        if highest.is_some_and(|h| s < h) {
            problems.out_of_order.push(s);
        }
        highest = highest.max(Some(s));
    }
    problems.missing = (0..total).filter(|&s| !seen[s as usize]).collect();
    if problems == SeqProblems::default() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A small seeded generator (xorshift64*), so a failing run can be rerun.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}
