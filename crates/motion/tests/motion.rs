//! The real `appliance-motion` binary on the simulated IMU, run as
//! `applianced` runs it: pipe ends placed at fds 3 and up, named in argv.
//! Every wait has a deadline; nothing sleeps and hopes.

use std::io::{PipeReader, PipeWriter, Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use wire::{CommandOp, ErrorCode, FrameBuf, FrameReader, Message, OpKind, ReadStatus};

const BIN: &str = env!("CARGO_BIN_EXE_appliance-motion");

/// Long enough for a loaded CI machine; conditions usually hold in ms.
const DEADLINE: Duration = Duration::from_secs(20);

/// Most pipe ends one child gets (fds 3, 4, ...).
const MAX_FDS: usize = 4;

/// `--device` for the board's demo scenario.
fn demo_device() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../board/sim/demo.scenario");
    format!("sim:{}", path.display())
}

/// A scenario file in the temp directory, removed on drop.
struct TempScenario(PathBuf);

impl TempScenario {
    fn new(tag: &str, text: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("motion-test-{}-{tag}.scenario", std::process::id()));
        std::fs::write(&path, text).expect("write scenario");
        TempScenario(path)
    }

    fn device(&self) -> String {
        format!("sim:{}", self.0.display())
    }
}

impl Drop for TempScenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Spawns the binary with `args`, `fds` placed at fds 3, 4, ... (in
/// order), every other inherited fd above 2 closed on exec, no core dumps,
/// stdin null, stdout and stderr piped.
fn spawn(args: &[&str], fds: Vec<OwnedFd>) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    place_fds(&mut cmd, &fds);
    let child = cmd.spawn().expect("spawn appliance-motion");
    drop(fds);
    child
}

/// Installs the hook that gives the child exactly fds 0-2 and `fds`.
#[allow(
    unsafe_code,
    reason = "placing pipe ends at fixed fd numbers in the child needs a pre_exec hook and raw fd calls"
)]
fn place_fds(cmd: &mut Command, fds: &[OwnedFd]) {
    assert!(fds.len() <= MAX_FDS);
    let mut sources: [RawFd; MAX_FDS] = [-1; MAX_FDS];
    for (slot, fd) in sources.iter_mut().zip(fds) {
        *slot = fd.as_raw_fd();
    }
    let count = fds.len();
    let hook = move || -> std::io::Result<()> {
        use nix::libc;
        // Runs between fork and exec: only async-signal-safe calls, no
        // allocation (errors are `Os` errors built from errno).
        nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0)?;
        // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets a flag
        // on fds; it reads no memory of ours.
        let r = unsafe { libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as _) };
        if r == -1 {
            return Err(std::io::Error::last_os_error());
        }
        // First move every source out of the way of the targets 3..3+n,
        // then put each at its target (dup2 clears close-on-exec there).
        let mut high: [RawFd; MAX_FDS] = [-1; MAX_FDS];
        for (to, &from) in high.iter_mut().zip(&sources).take(count) {
            // SAFETY: F_DUPFD_CLOEXEC on an fd number takes and returns
            // plain ints; a bad fd is EBADF, not undefined behaviour.
            *to = unsafe { libc::fcntl(from, libc::F_DUPFD_CLOEXEC, 100) };
            if *to == -1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        for (i, &from) in high.iter().enumerate().take(count) {
            let target = 3 + i as RawFd;
            // SAFETY: dup2 of plain fd numbers; it replaces whatever was
            // at `target` in this (child) process only, and that was an
            // fd marked close-on-exec above, which exec would close.
            if unsafe { libc::dup2(from, target) } == -1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    };
    // SAFETY: the hook only makes async-signal-safe system calls
    // (setrlimit, close_range, fcntl, dup2) on copied integers, and
    // allocates nothing.
    unsafe { cmd.pre_exec(hook) };
}

/// Waits for `child` to exit; kills it and fails after [`DEADLINE`].
fn wait_exit(child: &mut Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child {} did not exit within {DEADLINE:?}", child.id());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn read_all(mut r: impl Read) -> String {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf).expect("read");
    String::from_utf8_lossy(&buf).into_owned()
}

/// A frame read back, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Hello(String),
    Ready,
    Heartbeat,
    Imu(wire::ImuSample),
    Ack {
        id: u32,
        op: OpKind,
    },
    Err {
        id: Option<u32>,
        code: ErrorCode,
        text: String,
    },
    Stats {
        id: Option<u32>,
        drop: u64,
        err: u64,
    },
    Other(String),
}

impl Got {
    fn from_message(m: &Message<'_>) -> Got {
        match m {
            Message::Hello(h) => Got::Hello(h.name.to_string()),
            Message::Ready(_) => Got::Ready,
            Message::Heartbeat(_) => Got::Heartbeat,
            Message::Imu(s) => Got::Imu(*s),
            Message::Ack(a) => Got::Ack { id: a.id, op: a.op },
            Message::Error(e) => Got::Err {
                id: e.id,
                code: e.code,
                text: String::from_utf8_lossy(&e.text.bytes().collect::<Vec<u8>>()).into_owned(),
            },
            Message::Stats(s) => Got::Stats {
                id: s.id,
                drop: s.dropped,
                err: s.errors,
            },
            other => Got::Other(format!("{other:?}")),
        }
    }
}

/// Our end of one of the child's output pipes.
struct Reader {
    frames: FrameReader<PipeReader>,
    got: Vec<Got>,
}

impl Reader {
    fn new(pipe: PipeReader) -> Self {
        pipe_ends::set_nonblocking(&pipe, true).expect("O_NONBLOCK");
        Reader {
            frames: FrameReader::new(pipe),
            got: Vec::new(),
        }
    }

    /// Reads what is there now; false at end of file.
    fn read_now(&mut self) -> bool {
        let got = &mut self.got;
        let status = self
            .frames
            .read_messages(|m| got.push(Got::from_message(&m.expect("a well-formed frame"))))
            .expect("read");
        status == ReadStatus::Open
    }

    /// Reads until `cond` holds, or fails after [`DEADLINE`].
    fn until(&mut self, what: &str, mut cond: impl FnMut(&[Got]) -> bool) {
        let start = Instant::now();
        loop {
            let open = self.read_now();
            if cond(&self.got) {
                return;
            }
            assert!(open, "{what}: the pipe ended; got {:?}", self.tail());
            let left = DEADLINE.checked_sub(start.elapsed()).unwrap_or_else(|| {
                panic!("{what}: not within {DEADLINE:?}; got {:?}", self.tail())
            });
            let mut fds = [PollFd::new(
                self.frames.get_ref().as_fd(),
                PollFlags::POLLIN,
            )];
            let timeout = PollTimeout::try_from(left.min(Duration::from_millis(500))).unwrap();
            let _ = poll(&mut fds, timeout);
        }
    }

    fn tail(&self) -> &[Got] {
        &self.got[self.got.len().saturating_sub(30)..]
    }

    fn imus(&self) -> Vec<wire::ImuSample> {
        imus(&self.got)
    }

    fn answers(&self, id: u32) -> Vec<Got> {
        answers(&self.got, id)
    }
}

fn imus(got: &[Got]) -> Vec<wire::ImuSample> {
    got.iter()
        .filter_map(|g| match g {
            Got::Imu(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn answers(got: &[Got], id: u32) -> Vec<Got> {
    got.iter()
        .filter(|g| matches!(g, Got::Ack { id: i, .. } | Got::Err { id: Some(i), .. } if *i == id))
        .cloned()
        .collect()
}

fn count(got: &[Got], pred: impl Fn(&Got) -> bool) -> usize {
    got.iter().filter(|g| pred(g)).count()
}

/// A running `appliance-motion` with its command pipe and output pipes.
struct Motion {
    child: Child,
    cmd: PipeWriter,
    gui: Reader,
    log: Option<Reader>,
}

impl Motion {
    /// Starts it on `device` with `extra` arguments; with `log`, a
    /// `--log-tx` pipe too. `gui_pipe_size` shrinks the GUI pipe.
    fn start(device: &str, extra: &[&str], log: bool, gui_pipe_size: Option<i32>) -> Motion {
        let (cmd_r, cmd_w) = std::io::pipe().expect("pipe");
        let (gui_r, gui_w) = std::io::pipe().expect("pipe");
        if let Some(size) = gui_pipe_size {
            fcntl(&gui_r, FcntlArg::F_SETPIPE_SZ(size)).expect("F_SETPIPE_SZ");
        }
        let mut args = vec!["--rx", "3", "--tx", "4", "--device", device];
        let mut fds: Vec<OwnedFd> = vec![cmd_r.into(), gui_w.into()];
        let log = if log {
            let (log_r, log_w) = std::io::pipe().expect("pipe");
            args.extend(["--log-tx", "5"]);
            fds.push(log_w.into());
            Some(Reader::new(log_r))
        } else {
            None
        };
        args.extend_from_slice(extra);
        let child = spawn(&args, fds);
        Motion {
            child,
            cmd: cmd_w,
            gui: Reader::new(gui_r),
            log,
        }
    }

    fn command(&mut self, id: u32, op: CommandOp) {
        let frame = FrameBuf::new()
            .encode(&Message::Command(wire::Command { id, op }))
            .expect("encode")
            .to_vec();
        self.cmd.write_all(&frame).expect("write command");
    }

    fn send(&mut self, bytes: &[u8]) {
        self.cmd.write_all(bytes).expect("write command");
    }

    /// SIGTERM; it must exit 0.
    fn stop(mut self) -> String {
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).expect("kill -TERM");
        let status = wait_exit(&mut self.child);
        let stderr = read_all(self.child.stderr.take().unwrap());
        assert_eq!(status.code(), Some(0), "{status}; stderr: {stderr}");
        stderr
    }
}

impl Drop for Motion {
    fn drop(&mut self) {
        // A failed test must not leave the process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Seqs go up by one but where samples were lost.
fn assert_seqs_increase(samples: &[wire::ImuSample]) {
    assert!(
        samples
            .windows(2)
            .all(|w| w[1].seq > w[0].seq && w[1].t_us > w[0].t_us),
        "{samples:?}"
    );
}

#[test]
fn frames_flow_with_increasing_seq_and_a_board_lying_flat() {
    let mut m = Motion::start(&demo_device(), &["--heartbeat-ms", "200"], false, None);
    m.gui.until("50 samples and a heartbeat", |g| {
        imus(g).len() >= 50 && g.contains(&Got::Heartbeat)
    });
    assert_eq!(m.gui.got[0], Got::Hello("motion".into()));
    assert_eq!(m.gui.got[1], Got::Ready);
    let samples = m.gui.imus();
    assert_eq!(samples[0].seq, 0);
    assert_seqs_increase(&samples);
    // The demo's first seconds: flat, face up, still, 24 °C (noise: 5 mg,
    // 50 m°/s rms, never beyond 3.5 of them).
    for s in &samples {
        let [ax, ay, az] = s.accel_mg;
        assert!((950..=1050).contains(&az), "{s:?}");
        assert!(ax.abs() <= 50 && ay.abs() <= 50, "{s:?}");
        assert!(s.gyro_mdps.iter().all(|g| g.abs() <= 500), "{s:?}");
        assert!((2350..=2450).contains(&s.temp_cc), "{s:?}");
    }
    // Sample times are this machine's CLOCK_MONOTONIC.
    let now_us = {
        let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).unwrap();
        t.tv_sec() as u64 * 1_000_000 + t.tv_nsec() as u64 / 1000
    };
    assert!(samples.last().unwrap().t_us <= now_us);
    let stderr = m.stop();
    // The command pipe's counters (nothing came), then the stop.
    assert_eq!(
        stderr,
        "appliance-motion: command pipe: 0 frames, 0 dropped, 0 noise bytes, 0 unknown TYPE\n\
         appliance-motion: SIGTERM: stopping\n"
    );
}

#[test]
fn every_command_is_answered_with_its_id() {
    let mut m = Motion::start(&demo_device(), &["--heartbeat-ms", "0"], false, None);
    m.gui.until("ready", |g| g.contains(&Got::Ready));
    m.command(1, CommandOp::Hello);
    m.command(2, CommandOp::Stats);
    m.command(3, CommandOp::SetRate { hz: 200 });
    m.command(
        4,
        CommandOp::SetRange {
            accel_g: Some(8),
            gyro_dps: Some(1000),
        },
    );
    m.command(
        5,
        CommandOp::SetRange {
            accel_g: Some(3),
            gyro_dps: None,
        },
    );
    m.command(
        6,
        CommandOp::SetRange {
            accel_g: None,
            gyro_dps: Some(300),
        },
    );
    m.command(7, CommandOp::SetRate { hz: 5000 });
    m.command(
        8,
        CommandOp::SetGain {
            fullscale_mv: None,
            gain_milli: Some(125),
            integration_ms: None,
        },
    );
    m.command(9, CommandOp::SelfTest);
    m.send(b"\rCMD id=10 op=rate\n");
    m.send(b"\rCMD id=11 op=dance\n");
    m.gui.until("every answer", |g| {
        (1..=11).all(|id| !answers(g, id).is_empty())
    });
    // One pending command at a time: the self-test (on the next fresh
    // sample) is done, so the calibration may start.
    m.command(12, CommandOp::Calibrate);
    m.gui.until("cal", |g| !answers(g, 12).is_empty());
    let one = |id: u32| {
        let a = m.gui.answers(id);
        assert_eq!(a.len(), 1, "id {id}: {a:?}");
        a[0].clone()
    };
    let ack = |id, op| assert_eq!(one(id), Got::Ack { id, op });
    let err = |id, code: ErrorCode, says: &str| match one(id) {
        Got::Err { code: c, text, .. } if c == code && text.contains(says) => {}
        other => panic!("id {id}: want {code} saying {says:?}, got {other:?}"),
    };
    ack(1, OpKind::Hello);
    ack(2, OpKind::Stats);
    ack(3, OpKind::Rate);
    ack(4, OpKind::Range);
    err(
        5,
        ErrorCode::BadArgument,
        "accel must be 2, 4, 8 or 16 (g), got 3",
    );
    err(
        6,
        ErrorCode::BadArgument,
        "gyro must be 250, 500, 1000 or 2000 (dps), got 300",
    );
    err(
        7,
        ErrorCode::BadArgument,
        "rate must be 1..=1000 Hz, got 5000",
    );
    err(8, ErrorCode::Unsupported, "motion has no gain");
    ack(9, OpKind::SelfTest);
    err(10, ErrorCode::BadCommand, "missing field `hz`");
    err(11, ErrorCode::BadCommand, "field `op`: unknown name");
    ack(12, OpKind::Calibrate);
    assert!(
        m.gui
            .got
            .iter()
            .any(|g| matches!(g, Got::Stats { id: Some(2), .. }))
    );
    assert_eq!(count(&m.gui.got, |g| matches!(g, Got::Hello(_))), 2);
    // At ±8 g the board still weighs 1 g.
    let ranged = m
        .gui
        .got
        .iter()
        .position(|g| {
            g == &Got::Ack {
                id: 4,
                op: OpKind::Range,
            }
        })
        .unwrap();
    let after = imus(&m.gui.got[ranged..]);
    assert!(!after.is_empty());
    for s in after {
        assert!((950..=1050).contains(&s.accel_mg[2]), "{s:?}");
    }
    m.stop();
}

#[test]
fn cal_refuses_a_device_that_turns() {
    // Rolling back and forth, never still for 50 samples.
    let scenario = TempScenario::new(
        "turning",
        "0s imu tilt roll=90 over=1s\n1s imu tilt roll=0 over=1s\n2s * loop\n",
    );
    let mut m = Motion::start(&scenario.device(), &["--heartbeat-ms", "0"], false, None);
    m.gui.until("ready", |g| g.contains(&Got::Ready));
    m.command(1, CommandOp::Calibrate);
    m.gui.until("cal answered", |g| !answers(g, 1).is_empty());
    match &m.gui.answers(1)[..] {
        [
            Got::Err {
                code: ErrorCode::Busy,
                text,
                ..
            },
        ] => {
            assert!(text.contains("moved during the gyro calibration"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    m.stop();
}

#[test]
fn a_nack_burst_gives_one_err_io_then_ready_and_samples_again() {
    let scenario = TempScenario::new(
        "nack",
        "0s imu orientation roll=0\n500ms imu fault nack count=3\n",
    );
    let mut m = Motion::start(&scenario.device(), &["--heartbeat-ms", "0"], false, None);
    m.gui.until("recovered with samples", |g| {
        let second = g
            .iter()
            .enumerate()
            .filter(|(_, g)| **g == Got::Ready)
            .nth(1);
        second.is_some_and(|(i, _)| imus(&g[i..]).len() >= 10)
    });
    let io: Vec<&Got> = m
        .gui
        .got
        .iter()
        .filter(|g| {
            matches!(
                g,
                Got::Err {
                    code: ErrorCode::Io,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(io.len(), 1, "{:?}", m.gui.got);
    match io[0] {
        Got::Err { id: None, text, .. } => assert!(
            text.contains("MPU-6050 at 0x68: read sample:")
                && text.contains("scenario fault nack")
                && text.ends_with("re-initialising"),
            "{text}"
        ),
        other => panic!("{other:?}"),
    }
    assert_seqs_increase(&m.gui.imus());
    m.command(1, CommandOp::Stats);
    m.gui.until("stats", |g| !answers(g, 1).is_empty());
    // The failed sample and two failed re-inits (the third NACK).
    assert!(
        m.gui.got.iter().any(|g| matches!(
            g,
            Got::Stats {
                id: Some(1),
                err: 3,
                ..
            }
        )),
        "{:?}",
        m.gui.tail()
    );
    let stderr = m.stop();
    assert!(stderr.contains("re-initialising"), "{stderr}");
    assert!(
        stderr.contains("device back after 3 failures in "),
        "{stderr}"
    );
}

#[test]
fn a_device_that_vanishes_for_a_while_comes_back() {
    let scenario = TempScenario::new("vanish", "300ms imu fault vanish for=700ms\n");
    let mut m = Motion::start(&scenario.device(), &["--heartbeat-ms", "100"], false, None);
    m.gui.until("recovered with samples", |g| {
        let second = g
            .iter()
            .enumerate()
            .filter(|(_, g)| **g == Got::Ready)
            .nth(1);
        second.is_some_and(|(i, _)| imus(&g[i..]).len() >= 10)
    });
    let io = count(&m.gui.got, |g| {
        matches!(
            g,
            Got::Err {
                code: ErrorCode::Io,
                ..
            }
        )
    });
    assert_eq!(io, 1, "one ERR for the episode: {:?}", m.gui.got);
    let err_at = m
        .gui
        .got
        .iter()
        .position(|g| matches!(g, Got::Err { .. }))
        .unwrap();
    match &m.gui.got[err_at] {
        Got::Err { text, .. } => assert!(text.contains("scenario fault vanish"), "{text}"),
        _ => unreachable!(),
    }
    // Heartbeats went on while the device was away.
    let ready_at = m.gui.got.iter().rposition(|g| *g == Got::Ready).unwrap();
    assert!(count(&m.gui.got[err_at..ready_at], |g| *g == Got::Heartbeat) >= 1);
    assert!(imus(&m.gui.got[err_at..ready_at]).is_empty());
    assert_seqs_increase(&m.gui.imus());
    m.stop();
}

#[test]
fn a_device_gone_from_the_start_exits_69_with_one_line() {
    let scenario = TempScenario::new("gone", "0s imu fault vanish\n");
    let mut m = Motion::start(&scenario.device(), &[], false, None);
    let status = wait_exit(&mut m.child);
    assert_eq!(status.code(), Some(69), "{status}");
    let stderr = read_all(m.child.stderr.take().unwrap());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("appliance-motion: device unavailable: 5 start attempts over ")
            && stderr.contains("MPU-6050 at 0x68: reset: MPU-6050 at 0x68 did not acknowledge (scenario fault vanish): check the scenario's `imu fault` lines"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("sim:{}", scenario.0.display())),
        "{stderr}"
    );
    assert_eq!(read_all(m.child.stdout.take().unwrap()), "");
    // The readers were told too.
    m.gui.until("the end", |g| {
        g.iter().any(|g| {
            matches!(
                g,
                Got::Err {
                    code: ErrorCode::NoDevice,
                    ..
                }
            )
        })
    });
    assert!(!m.gui.got.contains(&Got::Ready));
}

#[test]
fn log_tx_gets_the_same_imu_frames() {
    let mut m = Motion::start(&demo_device(), &["--rate", "200"], true, None);
    m.gui.until("100 samples", |g| imus(g).len() >= 100);
    let gui = m.gui.imus();
    let log = m.log.as_mut().unwrap();
    log.until("the same 100 samples", |g| imus(g).len() >= 100);
    assert_eq!(log.imus()[..100], gui[..100]);
    m.stop();
}

#[test]
fn a_full_gui_pipe_drops_and_counts_while_the_log_pipe_gets_every_frame() {
    let mut m = Motion::start(
        &demo_device(),
        &["--rate", "1000", "--heartbeat-ms", "0"],
        true,
        Some(4096),
    );
    // Nobody reads the GUI pipe (4 KiB: full after ~45 frames); the log
    // pipe is read and keeps getting frames.
    let log = m.log.as_mut().unwrap();
    log.until("1000 samples on the log pipe", |g| imus(g).len() >= 1000);
    // Now read the GUI pipe: what fitted, then frames again after the gap;
    // then ask for the counters there.
    m.gui.read_now();
    let fitted = m.gui.imus().len();
    m.gui
        .until("samples after the gap", |g| imus(g).len() >= fitted + 5);
    m.command(1, CommandOp::Stats);
    m.gui.until("stats", |g| !answers(g, 1).is_empty());
    let drop = m
        .gui
        .got
        .iter()
        .find_map(|g| match g {
            Got::Stats {
                id: Some(1), drop, ..
            } => Some(*drop),
            _ => None,
        })
        .expect("STATS id=1");
    // The GUI's samples written before the STATS: every drop among them
    // happened before STATS counted.
    let stats_at = m
        .gui
        .got
        .iter()
        .position(|g| matches!(g, Got::Stats { id: Some(1), .. }))
        .unwrap();
    let gui = imus(&m.gui.got[..stats_at]);
    let last = gui.last().expect("samples before the STATS").seq;
    let log = m.log.as_mut().unwrap();
    log.until("the log pipe past the GUI's last sample", |g| {
        imus(g).last().is_some_and(|s| s.seq >= last)
    });
    let log = log.imus();
    assert_seqs_increase(&gui);
    assert_seqs_increase(&log);
    // Every seq the GUI missed in its range, the log pipe has: those are
    // the frames dropped on the full GUI pipe, and STATS counted them.
    let gui_seqs: std::collections::BTreeSet<u32> = gui.iter().map(|s| s.seq).collect();
    let missing_on_gui = log
        .iter()
        .filter(|s| s.seq <= last && !gui_seqs.contains(&s.seq))
        .count() as u64;
    assert!(missing_on_gui >= 900, "{missing_on_gui} of {}", log.len());
    assert!(
        drop >= missing_on_gui,
        "STATS drop={drop}, missing {missing_on_gui}"
    );
    // And the GUI sees the gap.
    assert!(gui.windows(2).any(|w| w[1].seq - w[0].seq > 100));
    m.stop();
}

#[test]
fn sigint_stops_it_cleanly_too() {
    let mut m = Motion::start(&demo_device(), &[], false, None);
    m.gui.until("ready", |g| g.contains(&Got::Ready));
    kill(Pid::from_raw(m.child.id() as i32), Signal::SIGINT).expect("kill -INT");
    let status = wait_exit(&mut m.child);
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn help_prints_the_usage_and_exit_codes() {
    let mut child = spawn(&["--help"], vec![]);
    assert!(wait_exit(&mut child).success());
    let out = read_all(child.stdout.take().unwrap());
    assert!(out.starts_with("usage: appliance-motion"), "{out}");
    assert!(out.contains("exit codes: 0 on SIGTERM"), "{out}");
}

#[test]
fn bad_arguments_exit_64_naming_them() {
    let sim = demo_device();
    for (args, said) in [
        (vec!["--bogus"], "unknown argument `--bogus`"),
        (
            vec!["--rx", "3", "--tx", "4", "--device", &sim, "--rate", "0"],
            "--rate `0`",
        ),
        (vec!["--rx", "3", "--tx", "4"], "--device is required"),
        (
            vec![
                "--rx",
                "3",
                "--tx",
                "4",
                "--device",
                &sim,
                "--address",
                "0x20",
            ],
            "--address `0x20`",
        ),
        // Not open (the hook closed every fd above 2 on exec).
        (
            vec!["--rx", "3", "--tx", "4", "--device", &sim],
            "fd 3 given for --rx is not open",
        ),
    ] {
        let mut child = spawn(&args, vec![]);
        assert_eq!(wait_exit(&mut child).code(), Some(64), "{args:?}");
        let err = read_all(child.stderr.take().unwrap());
        assert!(
            err.starts_with("appliance-motion: ") && err.contains(said),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_scenario_that_does_not_parse_is_a_usage_error() {
    let dir = std::env::temp_dir().join(format!("motion-bad-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.scenario");
    std::fs::write(&path, "0s imu wobble hard\n").expect("write");
    let device = format!("sim:{}", path.display());
    let (cmd_r, _cmd_w) = std::io::pipe().expect("pipe");
    let (_gui_r, gui_w) = std::io::pipe().expect("pipe");
    let mut child = spawn(
        &["--rx", "3", "--tx", "4", "--device", &device],
        vec![cmd_r.into(), gui_w.into()],
    );
    assert_eq!(wait_exit(&mut child).code(), Some(64));
    let err = read_all(child.stderr.take().unwrap());
    assert!(err.contains("bad.scenario:1:"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_bus_or_scenario_exits_69() {
    for (device, said) in [
        ("/dev/i2c-no-such-bus", "/dev/i2c-no-such-bus"),
        (
            "sim:/no/such/file.scenario",
            "cannot read scenario /no/such/file.scenario",
        ),
    ] {
        let (cmd_r, _cmd_w) = std::io::pipe().expect("pipe");
        let (_gui_r, gui_w) = std::io::pipe().expect("pipe");
        let mut child = spawn(
            &["--rx", "3", "--tx", "4", "--device", device],
            vec![cmd_r.into(), gui_w.into()],
        );
        assert_eq!(wait_exit(&mut child).code(), Some(69), "{device}");
        let err = read_all(child.stderr.take().unwrap());
        assert!(
            err.contains(said) && err.lines().count() == 1,
            "{device}: {err}"
        );
    }
}

#[test]
fn a_reader_gone_from_the_gui_pipe_is_exit_74() {
    let mut m = Motion::start(&demo_device(), &[], false, None);
    m.gui.until("ready", |g| g.contains(&Got::Ready));
    // Close our read end: the next frame meets EPIPE.
    let (spare, _spare_w) = std::io::pipe().expect("pipe");
    drop(std::mem::replace(&mut m.gui, Reader::new(spare)));
    let status = wait_exit(&mut m.child);
    assert_eq!(status.code(), Some(74), "{status}");
    let stderr = read_all(m.child.stderr.take().unwrap());
    assert!(
        stderr.starts_with("appliance-motion: writing --tx: write to fd 4: Broken pipe"),
        "{stderr}"
    );
}
