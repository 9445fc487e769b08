//! The real `appliance-motion` binary on the simulated IMU, run as
//! `applianced` runs it: pipe ends placed at fds 3 and up, named in argv.
//! Every wait has a deadline; nothing sleeps and hopes.

use std::io::{PipeWriter, Read, Write};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::process::Child;

use nix::fcntl::{FcntlArg, fcntl};
use nix::sys::signal::{Signal, kill};
use test_support::{Frames, Got, TempDir, WithEnds, encode, wait_exit};
use wire::{CommandOp, ErrorCode, Message, OpKind};

const BIN: &str = env!("CARGO_BIN_EXE_appliance-motion");

/// `--device` for the board's demo scenario.
fn demo_device() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../board/sim/demo.scenario");
    format!("sim:{}", path.display())
}

/// A scenario file in a temporary directory of its own.
struct TempScenario {
    dir: TempDir,
}

impl TempScenario {
    fn new(tag: &str, text: &str) -> Self {
        let dir = TempDir::new(&format!("motion-{tag}"));
        std::fs::write(dir.join("test.scenario"), text).expect("write scenario");
        TempScenario { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.join("test.scenario")
    }

    fn device(&self) -> String {
        format!("sim:{}", self.path().display())
    }
}

/// Spawns the binary with `args` and `fds` at fds 3, 4, ... (in order).
fn spawn(args: &[&str], fds: Vec<OwnedFd>) -> Child {
    WithEnds::new(fds).spawn_piped(BIN, args)
}

fn read_all(mut r: impl Read) -> String {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf).expect("read");
    String::from_utf8_lossy(&buf).into_owned()
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
    got.iter().filter(|g| g.answers(id)).cloned().collect()
}

fn count(got: &[Got], pred: impl Fn(&Got) -> bool) -> usize {
    got.iter().filter(|g| pred(g)).count()
}

/// An `ERR code=io`: the device failed.
fn is_err_io(g: &Got) -> bool {
    matches!(
        g,
        Got::Err {
            code: ErrorCode::Io,
            ..
        }
    )
}

/// Up again after a device fault: a second `READY`, and ten samples
/// after it.
fn recovered_with_samples(got: &[Got]) -> bool {
    let second = got
        .iter()
        .enumerate()
        .filter(|(_, g)| **g == Got::ready("motion"))
        .nth(1);
    second.is_some_and(|(i, _)| imus(&got[i..]).len() >= 10)
}

/// A running `appliance-motion` with its command pipe and output pipes.
struct Motion {
    child: Child,
    cmd: PipeWriter,
    gui: Frames,
    log: Option<Frames>,
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
            Some(Frames::new(log_r))
        } else {
            None
        };
        args.extend_from_slice(extra);
        let child = spawn(&args, fds);
        Motion {
            child,
            cmd: cmd_w,
            gui: Frames::new(gui_r),
            log,
        }
    }

    fn command(&mut self, id: u32, op: CommandOp) {
        let frame = encode(&Message::Command(wire::Command { id, op }));
        self.cmd.write_all(&frame).expect("write command");
    }

    fn send(&mut self, bytes: &[u8]) {
        self.cmd.write_all(bytes).expect("write command");
    }

    /// SIGTERM; it must exit 0.
    fn stop(mut self) -> String {
        kill(test_support::pid_of(&self.child), Signal::SIGTERM).expect("kill -TERM");
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
        imus(g).len() >= 50 && g.iter().any(|g| matches!(g, Got::Heartbeat { .. }))
    });
    assert_eq!(m.gui.got()[0], Got::hello("motion"));
    assert_eq!(m.gui.got()[1], Got::ready("motion"));
    let samples = imus(m.gui.got());
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
        let seconds = u64::try_from(t.tv_sec()).expect("CLOCK_MONOTONIC is not negative");
        let nanoseconds = u64::try_from(t.tv_nsec()).expect("tv_nsec is 0..1e9");
        seconds * 1_000_000 + nanoseconds / 1000
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
    m.gui.until("ready", |g| g.contains(&Got::ready("motion")));
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
        let a = answers(m.gui.got(), id);
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
            .got()
            .iter()
            .any(|g| matches!(g, Got::Stats { id: Some(2), .. }))
    );
    assert_eq!(count(m.gui.got(), |g| matches!(g, Got::Hello { .. })), 2);
    // At ±8 g the board still weighs 1 g.
    let ranged = m
        .gui
        .got()
        .iter()
        .position(|g| {
            g == &Got::Ack {
                id: 4,
                op: OpKind::Range,
            }
        })
        .unwrap();
    let after = imus(&m.gui.got()[ranged..]);
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
    m.gui.until("ready", |g| g.contains(&Got::ready("motion")));
    m.command(1, CommandOp::Calibrate);
    m.gui.until("cal answered", |g| !answers(g, 1).is_empty());
    match &answers(m.gui.got(), 1)[..] {
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
    m.gui
        .until("recovered with samples", recovered_with_samples);
    let io: Vec<&Got> = m.gui.got().iter().filter(|g| is_err_io(g)).collect();
    assert_eq!(io.len(), 1, "{:?}", m.gui.got());
    match io[0] {
        Got::Err { id: None, text, .. } => assert!(
            text.contains("MPU-6050 at 0x68: read sample:")
                && text.contains("scenario fault nack")
                && text.ends_with("re-initialising"),
            "{text}"
        ),
        other => panic!("{other:?}"),
    }
    assert_seqs_increase(&imus(m.gui.got()));
    m.command(1, CommandOp::Stats);
    m.gui.until("stats", |g| !answers(g, 1).is_empty());
    // The failed sample and two failed re-inits (the third NACK).
    assert!(
        m.gui.got().iter().any(|g| matches!(
            g,
            Got::Stats {
                id: Some(1),
                errors: 3,
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
    m.gui
        .until("recovered with samples", recovered_with_samples);
    let io = count(m.gui.got(), is_err_io);
    assert_eq!(io, 1, "one ERR for the episode: {:?}", m.gui.got());
    let err_at = m
        .gui
        .got()
        .iter()
        .position(|g| matches!(g, Got::Err { .. }))
        .unwrap();
    match &m.gui.got()[err_at] {
        Got::Err { text, .. } => assert!(text.contains("scenario fault vanish"), "{text}"),
        _ => unreachable!(),
    }
    // Heartbeats went on while the device was away.
    let ready_at = m
        .gui
        .got()
        .iter()
        .rposition(|g| *g == Got::ready("motion"))
        .unwrap();
    assert!(
        count(&m.gui.got()[err_at..ready_at], |g| matches!(
            g,
            Got::Heartbeat { .. }
        )) >= 1
    );
    assert!(imus(&m.gui.got()[err_at..ready_at]).is_empty());
    assert_seqs_increase(&imus(m.gui.got()));
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
        stderr.contains(&format!("sim:{}", scenario.path().display())),
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
    assert!(!m.gui.got().contains(&Got::ready("motion")));
}

#[test]
fn log_tx_gets_the_same_imu_frames() {
    let mut m = Motion::start(&demo_device(), &["--rate", "200"], true, None);
    m.gui.until("100 samples", |g| imus(g).len() >= 100);
    let gui = imus(m.gui.got());
    let log = m.log.as_mut().unwrap();
    log.until("the same 100 samples", |g| imus(g).len() >= 100);
    assert_eq!(imus(log.got())[..100], gui[..100]);
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
    let fitted = imus(m.gui.got()).len();
    m.gui
        .until("samples after the gap", |g| imus(g).len() >= fitted + 5);
    m.command(1, CommandOp::Stats);
    m.gui.until("stats", |g| !answers(g, 1).is_empty());
    let drop = m
        .gui
        .got()
        .iter()
        .find_map(|g| match g {
            Got::Stats {
                id: Some(1),
                dropped,
                ..
            } => Some(*dropped),
            _ => None,
        })
        .expect("STATS id=1");
    // The GUI's samples written before the STATS: every drop among them
    // happened before STATS counted.
    let stats_at = m
        .gui
        .got()
        .iter()
        .position(|g| matches!(g, Got::Stats { id: Some(1), .. }))
        .unwrap();
    let gui = imus(&m.gui.got()[..stats_at]);
    let last = gui.last().expect("samples before the STATS").seq;
    let log = m.log.as_mut().unwrap();
    log.until("the log pipe past the GUI's last sample", |g| {
        imus(g).last().is_some_and(|s| s.seq >= last)
    });
    let log = imus(log.got());
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
    m.gui.until("ready", |g| g.contains(&Got::ready("motion")));
    kill(test_support::pid_of(&m.child), Signal::SIGINT).expect("kill -INT");
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
    let dir = TempDir::new("motion-bad-scenario");
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
    m.gui.until("ready", |g| g.contains(&Got::ready("motion")));
    // Close our read end: the next frame meets EPIPE.
    let (spare, _spare_w) = std::io::pipe().expect("pipe");
    drop(std::mem::replace(&mut m.gui, Frames::new(spare)));
    let status = wait_exit(&mut m.child);
    assert_eq!(status.code(), Some(74), "{status}");
    let stderr = read_all(m.child.stderr.take().unwrap());
    assert!(
        stderr.starts_with("appliance-motion: writing --tx: write to fd 4: Broken pipe"),
        "{stderr}"
    );
}
