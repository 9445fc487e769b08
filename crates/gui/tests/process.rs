//! The real `appliance-gui` binary, started as `applianced` starts it: its
//! pipe ends at fds 3, 4 and 5, named in argv, a headless display. Every
//! wait has a deadline; the one fixed wait is the idle test's measuring
//! window, which is what that test is about.

mod common;

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use wire::{FrameBuf, FrameDecoder, ImuSample, LightSample, Message};

const BIN: &str = env!("CARGO_BIN_EXE_appliance-gui");

/// Long enough for a loaded CI machine; conditions usually hold in ms.
const DEADLINE: Duration = Duration::from_secs(15);

/// Spawns the GUI with `args`, `fds` placed at fds 3, 4, 5 (in order),
/// every other inherited fd above 2 closed on exec.
fn spawn(args: &[&str], fds: Vec<OwnedFd>) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    place_fds(&mut cmd, &fds);
    let child = cmd.spawn().expect("spawn appliance-gui");
    drop(fds);
    child
}

/// Installs the hook that gives the child exactly fds 0-2 and `fds`
/// (as crates/testchild's tests do).
#[allow(
    unsafe_code,
    reason = "placing pipe ends at fixed fd numbers in the child needs a pre_exec hook and raw fd calls"
)]
fn place_fds(cmd: &mut Command, fds: &[OwnedFd]) {
    const MAX_FDS: usize = 3;
    assert!(fds.len() <= MAX_FDS);
    let mut sources: [RawFd; MAX_FDS] = [-1; MAX_FDS];
    for (slot, fd) in sources.iter_mut().zip(fds) {
        *slot = fd.as_raw_fd();
    }
    let count = fds.len();
    let hook = move || -> std::io::Result<()> {
        use nix::libc;
        // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets a flag on
        // fds; it reads no memory of ours.
        let r = unsafe { libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as _) };
        if r == -1 {
            return Err(std::io::Error::last_os_error());
        }
        let mut high: [RawFd; MAX_FDS] = [-1; MAX_FDS];
        for (to, &from) in high.iter_mut().zip(&sources).take(count) {
            // SAFETY: F_DUPFD_CLOEXEC on an fd number takes and returns
            // plain ints; a bad fd is EBADF.
            *to = unsafe { libc::fcntl(from, libc::F_DUPFD_CLOEXEC, 100) };
            if *to == -1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        for (i, &from) in high.iter().enumerate().take(count) {
            // SAFETY: dup2 of plain fd numbers in the child only; the
            // target was marked close-on-exec above.
            if unsafe { libc::dup2(from, 3 + i as RawFd) } == -1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    };
    // SAFETY: the hook makes only async-signal-safe system calls on copied
    // integers, and allocates nothing.
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
            panic!("appliance-gui did not exit within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls `cond` every few ms until it holds or [`DEADLINE`] passes.
fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

/// The frame bodies arriving on `r`, read by a thread.
fn frames(mut r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut decoder = FrameDecoder::new();
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = r.read(&mut buf) {
            let mut out = Vec::new();
            decoder.decode(&buf[..n], |f| out.push(f.content().to_owned()));
            for body in out {
                if tx.send(body).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// Receives bodies until one starts with `prefix` (and contains `has`);
/// returns every body seen up to it.
fn expect(rx: &Receiver<String>, prefix: &str, has: &str) -> Vec<String> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while let Some(left) = DEADLINE.checked_sub(start.elapsed()) {
        match rx.recv_timeout(left) {
            Ok(body) => {
                let hit = body.starts_with(prefix) && body.contains(has);
                seen.push(body);
                if hit {
                    return seen;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no `{prefix} ... {has}` within {DEADLINE:?}; got {seen:?}");
}

fn encode(msg: &Message<'_>) -> Vec<u8> {
    FrameBuf::new().encode(msg).expect("encode").to_vec()
}

/// 100 Hz at rest, a vigorous shake on x, at rest again.
fn shake_trace(first_seq: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut seq = first_seq;
    let mut push = |ax: i32| {
        let s = ImuSample {
            seq,
            t_us: u64::from(seq) * 10_000,
            accel_mg: [ax, 0, 1000],
            gyro_mdps: [0; 3],
            temp_cc: 2500,
        };
        bytes.extend(encode(&Message::Imu(s)));
        seq += 1;
    };
    (0..100).for_each(|_| push(0));
    for swing in 0..12 {
        let ax = if swing % 2 == 0 { 1500 } else { -1500 };
        (0..10).for_each(|_| push(ax));
    }
    (0..100).for_each(|_| push(0));
    bytes
}

struct Gui {
    child: Child,
    to_gui: std::io::PipeWriter,
    motion: Receiver<String>,
    light: Receiver<String>,
    png: PathBuf,
    dir: PathBuf,
}

impl Gui {
    fn start(name: &str, extra: &[&str]) -> Gui {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("screen.png");
        let (gui_rx, to_gui) = std::io::pipe().unwrap();
        let (motion_rx, motion_tx) = std::io::pipe().unwrap();
        let (light_rx, light_tx) = std::io::pipe().unwrap();
        let display = format!("headless:{}", png.display());
        let mut args = vec![
            "--rx",
            "3",
            "--tx-motion",
            "4",
            "--tx-light",
            "5",
            "--display",
            &display,
            "--size",
            "320x240",
            "--png-every-ms",
            "50",
        ];
        args.extend_from_slice(extra);
        let child = spawn(
            &args,
            vec![gui_rx.into(), motion_tx.into(), light_tx.into()],
        );
        Gui {
            child,
            to_gui,
            motion: frames(motion_rx),
            light: frames(light_rx),
            png,
            dir,
        }
    }

    fn screen(&self) -> Option<Vec<u8>> {
        std::fs::read(&self.png).ok()
    }

    /// Context switches of the process so far (voluntary + involuntary).
    fn context_switches(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
            .sum()
    }

    fn terminate(mut self) -> ExitStatus {
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).unwrap();
        wait_exit(&mut self.child)
    }
}

impl Drop for Gui {
    /// A failed test must not leave the GUI running (it holds the test
    /// runner's stderr open).
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn png_is_valid(bytes: &[u8], size: (u32, u32)) -> bool {
    common::decode_png(bytes).is_ok_and(|s| {
        use embedded_graphics::prelude::OriginDimensions;
        s.size() == embedded_graphics::prelude::Size::new(size.0, size.1)
    })
}

#[test]
fn says_hello_calibrates_on_a_shake_redraws_and_exits_0_on_sigterm() {
    let mut gui = Gui::start("shake", &["--stats-every-ms", "60000"]);
    let motion = expect(&gui.motion, "CMD", "op=hello");
    assert!(motion[0].starts_with("CMD id=1 op=hello"), "{motion:?}");
    expect(&gui.motion, "CMD", "op=rate hz=100");
    expect(&gui.light, "CMD", "op=hello");
    assert!(eventually(|| gui.screen().is_some()), "no PNG written");
    let first = gui.screen().unwrap();
    assert!(png_is_valid(&first, (320, 240)));

    gui.to_gui.write_all(&shake_trace(1)).unwrap();
    // The shake gets a `cal`; a sensor that came alive, a stats query.
    let mut seen = expect(&gui.motion, "CMD", "op=cal");
    if !seen.iter().any(|b| b.contains("op=stats")) {
        seen = expect(&gui.motion, "CMD", "op=stats");
    }
    assert!(
        seen.iter().all(|b| !b.contains("op=hello")),
        "one hello: {seen:?}"
    );
    assert!(
        eventually(|| gui.screen().is_some_and(|now| now != first)),
        "the PNG did not change after the samples"
    );
    let status = gui.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn page_gestures_change_the_sample_rate() {
    let mut gui = Gui::start("rate", &["--stats-every-ms", "60000"]);
    expect(&gui.motion, "CMD", "op=rate hz=100");
    // Tilting right for 0.5 s is the next page: light, where motion
    // samples at 50 Hz.
    let mut bytes = Vec::new();
    let roll_30 = [0, 500, 866]; // 30 degrees right side down: atan2(ay, az)
    for seq in 0..200u32 {
        let accel = if seq < 50 { [0, 0, 1000] } else { roll_30 };
        let s = ImuSample {
            seq,
            t_us: u64::from(seq) * 10_000,
            accel_mg: accel,
            gyro_mdps: [0; 3],
            temp_cc: 2500,
        };
        bytes.extend(encode(&Message::Imu(s)));
    }
    gui.to_gui.write_all(&bytes).unwrap();
    expect(&gui.motion, "CMD", "op=rate hz=50");
    assert_eq!(gui.terminate().code(), Some(0));
}

#[test]
fn an_idle_gui_does_not_wake_up() {
    let mut gui = Gui::start("idle", &["--stale-ms", "300", "--stats-every-ms", "100"]);
    expect(&gui.light, "CMD", "op=hello");
    // One sample makes light fresh: stats are queried while it stays so.
    let light = LightSample {
        seq: 1,
        t_us: 0,
        lux_milli: 5_000,
        raw: 10,
    };
    gui.to_gui
        .write_all(&encode(&Message::Light(light)))
        .unwrap();
    expect(&gui.light, "CMD", "op=stats");
    // 300 ms later light is stale: the staleness deadline, the stats
    // query and the frame pacing are disarmed, the last PNG is written
    // 50 ms after. Give it that and a margin, then measure.
    std::thread::sleep(Duration::from_millis(800));
    while gui.light.try_recv().is_ok() {}
    let before = gui.context_switches();
    std::thread::sleep(Duration::from_secs(3));
    let after = gui.context_switches();
    assert_eq!(
        after,
        before,
        "the idle GUI woke up {} times in 3 s",
        after - before
    );
    assert!(
        gui.light.try_recv().is_err(),
        "no stats query while light is stale"
    );
    assert!(png_is_valid(&gui.screen().unwrap(), (320, 240)));
    assert_eq!(gui.terminate().code(), Some(0));
}

#[test]
fn a_missing_framebuffer_is_a_clear_error_and_bad_arguments_exit_64() {
    let out = Command::new(BIN)
        .args(["--display", "fb:/dev/no-such-fb7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/dev/no-such-fb7") && err.contains("headless"),
        "{err}"
    );
    let out = Command::new(BIN).args(["--fps", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64));
    let out = Command::new(BIN).args(["--rx", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "fd 2 is no pipe end");
    assert!(Path::new(BIN).exists());
}
