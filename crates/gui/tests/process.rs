//! The real `appliance-gui` binary, started as `applianced` starts it: its
//! pipe ends at fds 3, 4 and 5, named in argv, a headless display. Every
//! wait has a deadline; the one fixed wait is the idle test's measuring
//! window, which is what that test is about.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use test_support::{Frames, Got, TempDir, WithEnds, encode, eventually, procfs, wait_exit};
use wire::{CommandOp, ImuSample, LightSample, Message};

const BIN: &str = env!("CARGO_BIN_EXE_appliance-gui");

/// Whether `got` is the command `op` (any id).
fn command(op: CommandOp) -> impl Fn(&Got) -> bool {
    move |got| matches!(got, Got::Command { op: o, .. } if *o == op)
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
    motion: Frames,
    light: Frames,
    png: PathBuf,
    _dir: TempDir,
}

impl Gui {
    fn start(name: &str, extra: &[&str]) -> Gui {
        let dir = TempDir::new(&format!("gui-{name}"));
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
        // Its stderr is the test's: what it says shows with a failure.
        let child = WithEnds::new([gui_rx.into(), motion_tx.into(), light_tx.into()])
            .spawn(
                Command::new(BIN)
                    .args(&args)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::inherit()),
            )
            .expect("spawn appliance-gui");
        Gui {
            child,
            to_gui,
            motion: Frames::new(motion_rx),
            light: Frames::new(light_rx),
            png,
            _dir: dir,
        }
    }

    fn screen(&self) -> Option<Vec<u8>> {
        std::fs::read(&self.png).ok()
    }

    fn pid(&self) -> Pid {
        test_support::pid_of(&self.child)
    }

    fn terminate(mut self) -> ExitStatus {
        kill(self.pid(), Signal::SIGTERM).unwrap();
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
    let (hello, before) = gui.motion.next("hello", command(CommandOp::Hello));
    assert!(
        before.is_empty()
            && hello
                == Got::Command {
                    id: 1,
                    op: CommandOp::Hello
                },
        "the first command: {before:?} {hello:?}"
    );
    gui.motion
        .next("rate 100", command(CommandOp::SetRate { hz: 100 }));
    gui.light.next("hello", command(CommandOp::Hello));
    eventually("a PNG written", || gui.screen().is_some());
    let first = gui.screen().unwrap();
    assert!(png_is_valid(&first, (320, 240)));

    gui.to_gui.write_all(&shake_trace(1)).unwrap();
    // The shake gets a `cal`; a sensor that came alive, a stats query.
    let (cal, mut seen) = gui.motion.next("cal", command(CommandOp::Calibrate));
    seen.push(cal);
    if !seen.iter().any(command(CommandOp::Stats)) {
        let (stats, before) = gui.motion.next("stats", command(CommandOp::Stats));
        seen = before;
        seen.push(stats);
    }
    assert!(
        !seen.iter().any(command(CommandOp::Hello)),
        "one hello: {seen:?}"
    );
    eventually("the PNG changes after the samples", || {
        gui.screen().is_some_and(|now| now != first)
    });
    let status = gui.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn page_gestures_change_the_sample_rate() {
    let mut gui = Gui::start("rate", &["--stats-every-ms", "60000"]);
    gui.motion
        .next("rate 100", command(CommandOp::SetRate { hz: 100 }));
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
    gui.motion
        .next("rate 50", command(CommandOp::SetRate { hz: 50 }));
    assert_eq!(gui.terminate().code(), Some(0));
}

#[test]
fn an_idle_gui_does_not_wake_up() {
    let mut gui = Gui::start("idle", &["--stale-ms", "300", "--stats-every-ms", "100"]);
    gui.light.next("hello", command(CommandOp::Hello));
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
    gui.light.next("stats", command(CommandOp::Stats));
    // 300 ms later light is stale: the staleness deadline, the stats
    // query and the frame pacing are disarmed, the last PNG is written
    // 50 ms after, and then it polls without a timeout. Measure from there.
    eventually("the GUI asleep in poll without a timeout", || {
        procfs::sleeps_in_poll_without_timeout(gui.pid())
    });
    gui.light.read_now();
    let queries = gui.light.got().len();
    let before = procfs::context_switches(gui.pid());
    std::thread::sleep(Duration::from_secs(3));
    let after = procfs::context_switches(gui.pid());
    assert_eq!(
        after,
        before,
        "the idle GUI woke up {} times in 3 s",
        after - before
    );
    gui.light.read_now();
    assert_eq!(
        gui.light.got().len(),
        queries,
        "no stats query while light is stale: {:?}",
        gui.light.tail()
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
