//! The loop with a fake device, in this process, over real pipes: commands
//! and their answers, drops on a full pipe and the seq gap they leave, an
//! I/O error episode and its recovery, start failures, heartbeats,
//! signals. Every wait has a deadline; nothing sleeps and hopes.

use std::collections::VecDeque;
use std::io::{PipeReader, PipeWriter, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};
use nix::sys::pthread::{pthread_kill, pthread_self};
use nix::sys::signal::Signal;
use sensor_node::{
    Backoff, DataReady, DeviceError, Fault, Flow, Node, NodeConfig, NodeError, Output, Refusal,
    Reply, SensorDevice,
};
use test_support::{Frames, Got, encode};
use wire::{Command, CommandOp, ErrorCode, ImuSample, Message, OpKind};

/// Long enough for a loaded CI machine; conditions usually hold in ms.
const DEADLINE: Duration = Duration::from_secs(10);

const IO_ERROR: &str = "fake 0x00: read sample: NACK";

/// What the rig's loop is told to check after a bus fault.
const CHECK: &str = "check the wiring";

/// A failed reset, as the fake's re-inits fail in a NACK burst.
fn reset_nack() -> Result<Duration, DeviceError> {
    Err(DeviceError::bus("fake", "reset", "NACK"))
}

/// A device whose every outcome the test scripts.
struct Fake {
    rate_hz: u32,
    /// Outcomes of the next `start()` calls; `Ok(0)` once empty.
    start_script: VecDeque<Result<Duration, DeviceError>>,
    /// When each `start()` was called.
    start_calls: Vec<Instant>,
    /// `finish_start()` calls.
    finish_calls: u32,
    /// The next this many `sample()` calls fail with an I/O error.
    failing_samples: u32,
    /// When the last sample failed.
    failed_at: Option<Instant>,
    /// Samples left before a calibration finishes.
    calibration_left: Option<u32>,
    /// Samples a calibration takes.
    calibration_samples: u32,
    finished: Option<Result<(), Refusal>>,
}

impl Fake {
    fn new(rate_hz: u32) -> Self {
        Fake {
            rate_hz,
            start_script: VecDeque::new(),
            start_calls: Vec::new(),
            finish_calls: 0,
            failing_samples: 0,
            failed_at: None,
            calibration_left: None,
            calibration_samples: 3,
            finished: None,
        }
    }
}

impl SensorDevice for Fake {
    type Sample = ImuSample;

    fn start(&mut self) -> Result<Duration, DeviceError> {
        self.start_calls.push(Instant::now());
        self.calibration_left = None;
        self.start_script.pop_front().unwrap_or(Ok(Duration::ZERO))
    }

    fn finish_start(&mut self) -> Result<Duration, DeviceError> {
        self.finish_calls += 1;
        Ok(Duration::from_millis(1))
    }

    fn sample_rate_hz(&self) -> u32 {
        self.rate_hz
    }

    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<ImuSample>, DeviceError> {
        if self.failing_samples > 0 {
            self.failing_samples -= 1;
            self.failed_at = Some(Instant::now());
            return Err(DeviceError::bus("fake 0x00", "read sample", "NACK"));
        }
        if let Some(left) = &mut self.calibration_left {
            *left -= 1;
            if *left == 0 {
                self.calibration_left = None;
                self.finished = Some(Ok(()));
            }
        }
        Ok(Some(ImuSample {
            seq,
            t_us,
            accel_mg: [0, 0, 1000],
            gyro_mdps: [0, 0, 0],
            temp_cc: 2500,
        }))
    }

    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal> {
        match *op {
            CommandOp::SetRate { hz } if hz > 1000 => Err(Refusal::bad_argument(format!(
                "hz must be 1..=1000, got {hz}"
            ))),
            CommandOp::SetRate { hz } => {
                self.rate_hz = hz;
                Ok(Reply::Done)
            }
            CommandOp::SetRange { .. } => Ok(Reply::Done),
            CommandOp::SetGain { .. } | CommandOp::AutoGain => {
                Err(Refusal::unsupported("fake has no gain"))
            }
            CommandOp::Calibrate => {
                self.calibration_left = Some(self.calibration_samples);
                Ok(Reply::Pending)
            }
            CommandOp::SelfTest => Err(Refusal::io("self-test failed: fake is fake")),
            CommandOp::Hello | CommandOp::Stats => Err(Refusal::not_a_device_command(op)),
        }
    }

    fn finished(&mut self) -> Option<Result<(), Refusal>> {
        self.finished.take()
    }
}

/// The frames the node wrote, read back.
struct Reader {
    frames: Frames,
}

impl Reader {
    fn new(pipe: PipeReader) -> Self {
        Reader {
            frames: Frames::new(pipe),
        }
    }

    /// Everything read so far.
    fn got(&self) -> &[Got] {
        self.frames.got()
    }

    /// Reads what is there.
    fn read(&mut self) {
        assert!(self.frames.read_now(), "the output pipe ended");
    }

    fn imu_seqs(&self) -> Vec<u32> {
        self.got()
            .iter()
            .filter_map(|g| match g {
                Got::Imu(s) => Some(s.seq),
                _ => None,
            })
            .collect()
    }

    fn count(&self, pred: impl Fn(&Got) -> bool) -> usize {
        self.got().iter().filter(|g| pred(g)).count()
    }

    /// The answers (ACK or ERR) carrying `id`.
    fn answers(&self, id: u32) -> Vec<&Got> {
        self.got().iter().filter(|g| g.answers(id)).collect()
    }
}

/// A node on a fake device with one output (and a command pipe), sampling
/// on a timer.
struct Rig {
    node: Node<Fake>,
    out: Reader,
    /// The command pipe's write end.
    cmd: Option<PipeWriter>,
    /// A second handle on the output pipe's write end (to fill it).
    out_writer: PipeWriter,
}

fn rig(device: Fake, heartbeat: Option<Duration>, start_attempts: u32) -> Rig {
    rig_with(device, heartbeat, start_attempts, Backoff::default())
}

fn rig_with(
    device: Fake,
    heartbeat: Option<Duration>,
    start_attempts: u32,
    backoff: Backoff,
) -> Rig {
    let (out_r, out_w) = std::io::pipe().expect("pipe");
    let (cmd_r, cmd_w) = std::io::pipe().expect("pipe");
    let out_writer = out_w.try_clone().expect("dup");
    let node = Node::new(
        device,
        NodeConfig {
            name: "fake".to_owned(),
            program: "node-test",
            check: Some(CHECK.to_owned()),
            outputs: vec![Output::new("--tx", out_w)],
            commands: Some(OwnedFd::from(cmd_r)),
            ready: DataReady::Timer,
            heartbeat,
            start_attempts,
            backoff,
            version: "9.9.9".to_owned(),
        },
    )
    .expect("node");
    Rig {
        node,
        out: Reader::new(out_r),
        cmd: Some(cmd_w),
        out_writer,
    }
}

impl Rig {
    /// Runs the loop until `cond` holds on what was read, or fails after
    /// [`DEADLINE`].
    fn pump_until(&mut self, what: &str, mut cond: impl FnMut(&Rig) -> bool) {
        let start = Instant::now();
        loop {
            self.out.read();
            if cond(self) {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{what}: not within {DEADLINE:?}; got {:?}, stats {:?}",
                self.out.got(),
                self.node.stats()
            );
            assert_eq!(self.node.poll_once().expect("poll_once"), Flow::Continue);
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.cmd
            .as_mut()
            .expect("command pipe open")
            .write_all(bytes)
            .expect("write command");
    }

    fn command(&mut self, id: u32, op: CommandOp) {
        self.send(&encode(&Message::Command(Command { id, op })));
    }
}

/// Every IMU seq is one more than the last, except where the loop says it
/// dropped or missed samples: the gaps add up to exactly those.
fn assert_seq_accounting(seqs: &[u32], lost: u64) {
    assert!(!seqs.is_empty());
    let mut gaps = 0u64;
    for pair in seqs.windows(2) {
        assert!(pair[1] > pair[0], "seqs go up: {seqs:?}");
        gaps += u64::from(pair[1] - pair[0] - 1);
    }
    assert_eq!(gaps + u64::from(seqs[0]), lost, "gaps in {seqs:?}");
}

#[test]
fn hello_then_ready_then_samples_with_consecutive_seqs() {
    let mut rig = rig(Fake::new(500), None, 5);
    rig.pump_until("10 samples", |r| r.out.imu_seqs().len() >= 10);
    assert_eq!(rig.out.got()[0], Got::hello("fake"));
    assert_eq!(rig.out.got()[1], Got::ready("fake"));
    // Then the samples: seq 0 first, unless the loop was late for the first
    // ticks (a loaded machine), which it counts as missed; the accounting
    // below checks the first seq against that count.
    assert!(
        matches!(rig.out.got()[2], Got::Imu(_)),
        "{:?}",
        rig.out.got()
    );
    let stats = rig.node.stats();
    assert_eq!(stats.dropped, 0);
    assert_seq_accounting(&rig.out.imu_seqs(), stats.missed);
    // The bring-up ran both steps once.
    assert_eq!(rig.node.device().start_calls.len(), 1);
    assert_eq!(rig.node.device().finish_calls, 1);
    // Sample times are CLOCK_MONOTONIC µs, in order.
    let times: Vec<u64> = rig
        .out
        .got()
        .iter()
        .filter_map(|g| match g {
            Got::Imu(s) => Some(s.t_us),
            _ => None,
        })
        .collect();
    assert!(times.windows(2).all(|w| w[1] > w[0]), "{times:?}");
    assert!(*times.last().unwrap() <= sensor_node::monotonic_us());
    assert_eq!(
        rig.node.sample_timer_period(),
        Some(Duration::from_millis(2))
    );
}

#[test]
fn every_command_is_answered_once_with_its_id() {
    let mut rig = rig(Fake::new(200), None, 5);
    rig.pump_until("ready", |r| r.out.got().contains(&Got::ready("fake")));
    rig.command(1, CommandOp::Hello);
    rig.command(2, CommandOp::Stats);
    rig.command(3, CommandOp::SetRate { hz: 500 });
    rig.command(4, CommandOp::SetRate { hz: 5000 });
    rig.command(
        5,
        CommandOp::SetRange {
            accel_g: Some(4),
            gyro_dps: None,
        },
    );
    rig.command(
        6,
        CommandOp::SetGain {
            fullscale_mv: Some(4096),
            gain_milli: None,
            integration_ms: None,
        },
    );
    rig.command(7, CommandOp::SelfTest);
    rig.command(8, CommandOp::Calibrate);
    // While the calibration runs, another device command waits for it.
    rig.command(9, CommandOp::SelfTest);
    // Malformed and unknown commands, typed by hand (no checksum).
    rig.send(b"\rCMD id=10 op=rate\n");
    rig.send(b"\rCMD id=11 op=dance\n");
    rig.send(b"\rCMD id=12 op=rate hz=abc\n");
    rig.send(b"\rCMD op=hello\n");
    rig.send(b"\rHB name=gui seq=1 up=5\n");
    // A bad checksum: dropped by the decoder, so nothing to answer.
    rig.send(b"\rCMD id=13 op=hello *00\n");
    rig.pump_until("every answer", |r| {
        (1..=12).all(|id| !r.out.answers(id).is_empty())
            && r.out.count(|g| matches!(g, Got::Err { id: None, .. })) >= 2
    });
    // A last stats, to see the counters after all that.
    rig.command(20, CommandOp::Stats);
    rig.pump_until("stats 20", |r| !r.out.answers(20).is_empty());

    for id in 1..=12 {
        assert_eq!(rig.out.answers(id).len(), 1, "id {id}: {:?}", rig.out.got());
    }
    assert!(rig.out.answers(13).is_empty());
    // Every ERR names its sender.
    assert!(
        rig.out
            .got()
            .iter()
            .all(|g| !matches!(g, Got::Err { name, .. } if name.as_deref() != Some("fake"))),
        "{:?}",
        rig.out.got()
    );
    let answer = |id| rig.out.answers(id)[0].clone();
    let ack = |op| move |g: Got| matches!(g, Got::Ack { op: o, .. } if o == op);
    let err = |code: ErrorCode, says: &'static str| move |g: Got| matches!(g, Got::Err { code: c, text, .. } if c == code && text.contains(says));
    assert!(ack(OpKind::Hello)(answer(1)));
    assert!(ack(OpKind::Stats)(answer(2)));
    assert!(ack(OpKind::Rate)(answer(3)));
    assert!(err(ErrorCode::BadArgument, "1..=1000")(answer(4)));
    assert!(ack(OpKind::Range)(answer(5)));
    assert!(err(ErrorCode::Unsupported, "no gain")(answer(6)));
    assert!(err(ErrorCode::Io, "self-test failed")(answer(7)));
    assert!(ack(OpKind::Calibrate)(answer(8)));
    assert!(err(ErrorCode::Io, "self-test failed")(answer(9)));
    let at = |id| rig.out.got().iter().position(|g| g.answers(id)).unwrap();
    assert!(
        at(9) > at(8),
        "9 ran after the calibration ended: {:?}",
        rig.out.got()
    );
    assert!(err(ErrorCode::BadCommand, "missing field `hz`")(answer(10)));
    assert!(err(ErrorCode::BadCommand, "field `op`: unknown name")(
        answer(11)
    ));
    assert!(err(ErrorCode::BadCommand, "ops: hello stats rate")(answer(
        11
    )));
    assert!(err(
        ErrorCode::BadCommand,
        "field `hz`: not a decimal integer"
    )(answer(12)));
    let idless: Vec<&Got> = rig
        .out
        .got()
        .iter()
        .filter(|g| matches!(g, Got::Err { id: None, .. }))
        .collect();
    assert_eq!(idless.len(), 2, "{idless:?}");
    assert!(err(ErrorCode::BadCommand, "missing field `id`")(
        idless[0].clone()
    ));
    assert!(err(ErrorCode::BadCommand, "expected a CMD frame, got HB")(
        idless[1].clone()
    ));

    // hello: a HELLO right before its ACK; stats: a STATS with the id.
    let at = |want: &Got| rig.out.got().iter().position(|g| g == want).unwrap();
    let ack1 = at(&Got::Ack {
        id: 1,
        op: OpKind::Hello,
    });
    assert!(matches!(rig.out.got()[ack1 - 1], Got::Hello { .. }));
    let stats2 = rig
        .out
        .got()
        .iter()
        .position(|g| matches!(g, Got::Stats { id: Some(2), .. }))
        .expect("STATS id=2");
    assert!(
        stats2
            < at(&Got::Ack {
                id: 2,
                op: OpKind::Stats
            })
    );
    // The rate change reprogrammed the sample timer.
    assert_eq!(
        rig.node.sample_timer_period(),
        Some(Duration::from_millis(2))
    );
    // recv: 8 good CMDs + HB + the last stats; rej: 4 malformed + 1 bad checksum.
    let last = rig
        .out
        .got()
        .iter()
        .find(|g| matches!(g, Got::Stats { id: Some(20), .. }))
        .expect("STATS id=20");
    assert!(
        matches!(
            last,
            Got::Stats {
                id: Some(20),
                received: 11,
                rejected: 5,
                errors: 0,
                dropped: 0,
                ..
            }
        ),
        "{last:?}"
    );
}

#[test]
fn device_commands_while_recovering_wait_and_a_pending_one_gets_io() {
    let mut fake = Fake::new(500);
    fake.calibration_samples = 1_000_000;
    let mut rig = rig(fake, None, 5);
    rig.pump_until("ready", |r| r.out.got().contains(&Got::ready("fake")));
    rig.command(1, CommandOp::Calibrate);
    rig.pump_until("a sample after cal", |r| {
        r.node.stats().received == 1 && r.out.imu_seqs().len() > 2
    });
    {
        let fake = rig.node.device_mut();
        fake.failing_samples = 1;
        for _ in 0..3 {
            fake.start_script.push_back(reset_nack());
        }
    }
    rig.pump_until("ERR io", |r| !r.out.answers(1).is_empty());
    assert!(!rig.node.is_running());
    rig.command(2, CommandOp::SetRate { hz: 100 });
    rig.command(3, CommandOp::Stats);
    // stats is the loop's own: answered at once; rate waits for the device.
    rig.pump_until("stats", |r| !r.out.answers(3).is_empty());
    assert!(
        matches!(rig.out.answers(1)[0], Got::Err { code: ErrorCode::Io, text, .. } if text.starts_with("cal interrupted: "))
    );
    assert!(matches!(rig.out.answers(3)[0], Got::Ack { .. }));
    assert!(
        rig.out.answers(2).is_empty(),
        "rate waits: {:?}",
        rig.out.got()
    );
    rig.pump_until("ready again", |r| {
        r.out.count(|g| g == &Got::ready("fake")) == 2
    });
    rig.pump_until("the waiting rate", |r| !r.out.answers(2).is_empty());
    assert!(matches!(rig.out.answers(2)[0], Got::Ack { .. }));
    rig.command(4, CommandOp::SetRate { hz: 100 });
    rig.pump_until("rate", |r| !r.out.answers(4).is_empty());
    assert!(matches!(rig.out.answers(4)[0], Got::Ack { .. }));
}

#[test]
fn a_full_output_drops_and_counts_never_blocks_and_leaves_a_seq_gap() {
    let mut rig = rig(Fake::new(1000), None, 5);
    // One page: quick to fill.
    fcntl(rig.out.frames.pipe(), FcntlArg::F_SETPIPE_SZ(4096)).expect("F_SETPIPE_SZ");
    rig.pump_until("samples", |r| r.out.imu_seqs().len() >= 5);
    // Nobody reads: fill the pipe to the last byte.
    pipe_ends::set_nonblocking(&rig.out_writer, true).expect("O_NONBLOCK");
    loop {
        match nix::unistd::write(rig.out_writer.as_fd(), b"x") {
            Ok(_) => {}
            Err(Errno::EAGAIN) => break,
            Err(e) => panic!("fill: {e}"),
        }
    }
    let start = Instant::now();
    while rig.node.stats().dropped < 50 {
        assert!(start.elapsed() < DEADLINE, "{:?}", rig.node.stats());
        assert_eq!(rig.node.poll_once().expect("poll_once"), Flow::Continue);
    }
    // Room again: frames flow, after a gap.
    let before = rig.out.imu_seqs().len();
    rig.pump_until("samples after the gap", |r| {
        r.out.imu_seqs().len() >= before + 5
    });
    let stats = rig.node.stats();
    assert!(stats.dropped >= 50, "{stats:?}");
    let seqs = rig.out.imu_seqs();
    // Every seq the loop made was received, dropped or missed.
    assert_seq_accounting(&seqs, stats.dropped + stats.missed);
    assert!(
        seqs.windows(2).any(|w| w[1] - w[0] > 1),
        "a gap where frames were dropped: {seqs:?}"
    );
    // Sent or dropped: every frame but HELLO and READY is a sample.
    assert_eq!(stats.samples + 2, stats.sent + stats.dropped);
    assert_eq!(stats.samples + stats.missed, u64::from(rig.node.next_seq()));
    assert_eq!(
        stats.samples,
        seqs.len() as u64 + stats.dropped,
        "each sample frame was read or dropped"
    );
}

#[test]
fn an_io_error_episode_sends_one_err_then_backs_off_and_comes_back() {
    let mut rig = rig(Fake::new(500), None, 5);
    rig.pump_until("samples", |r| r.out.imu_seqs().len() >= 3);
    {
        let fake = rig.node.device_mut();
        fake.failing_samples = 1;
        for _ in 0..3 {
            fake.start_script.push_back(reset_nack());
        }
    }
    rig.pump_until("ready again and samples", |r| {
        let second_ready = r.out.got().iter().rposition(|g| g == &Got::ready("fake"));
        r.out.count(|g| g == &Got::ready("fake")) == 2
            && second_ready.is_some_and(|i| {
                r.out.got()[i..]
                    .iter()
                    .filter(|g| matches!(g, Got::Imu(_)))
                    .count()
                    >= 3
            })
    });
    let io_errors: Vec<usize> = (0..rig.out.got().len())
        .filter(|&i| {
            matches!(
                rig.out.got()[i],
                Got::Err {
                    code: ErrorCode::Io,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(
        io_errors.len(),
        1,
        "one ERR per episode: {:?}",
        rig.out.got()
    );
    let err_at = io_errors[0];
    assert!(
        matches!(&rig.out.got()[err_at], Got::Err { name: Some(name), id: None, text, .. }
            if name == "fake" && *text == format!("{IO_ERROR}: {CHECK}: re-initialising")),
        "{:?}",
        rig.out.got()[err_at]
    );
    // Nothing was sampled between the error and READY.
    let ready_at = rig
        .out
        .got()
        .iter()
        .rposition(|g| g == &Got::ready("fake"))
        .unwrap();
    assert!(ready_at > err_at);
    assert!(
        rig.out.got()[err_at..ready_at]
            .iter()
            .all(|g| !matches!(g, Got::Imu(_)))
    );
    let stats = rig.node.stats();
    assert_eq!((stats.errors, stats.episodes), (4, 1), "{stats:?}");
    // Three quick retries, then the backoff's first step.
    assert_eq!(
        (stats.quick_retries, stats.backoff_steps),
        (3, 1),
        "{stats:?}"
    );
    assert_seq_accounting(&rig.out.imu_seqs(), stats.missed);
    // Re-inits at least 1, 1, 1 then 10 ms apart (timers never fire early).
    let fake = rig.node.device();
    let calls = &fake.start_calls;
    assert_eq!(calls.len(), 5, "the first start and four re-inits");
    let failed_at = fake.failed_at.expect("the sample failed");
    let mut last = failed_at;
    for (call, min_ms) in calls[1..].iter().zip([1, 1, 1, 10]) {
        assert!(
            *call - last >= Duration::from_millis(min_ms),
            "{min_ms} ms backoff: {:?}",
            *call - last
        );
        last = *call;
    }
    assert_eq!(fake.finish_calls, 2);
}

/// A NACK burst of three transactions (the sample, then two re-inits) in
/// an episode, with `backoff`; the loop's counters once the device is back.
fn ride_out_a_burst_of_three(backoff: Backoff) -> sensor_node::NodeStats {
    let mut rig = rig_with(Fake::new(500), None, 5, backoff);
    rig.pump_until("samples", |r| r.out.imu_seqs().len() >= 3);
    {
        let fake = rig.node.device_mut();
        fake.failing_samples = 1;
        fake.start_script.push_back(reset_nack());
        fake.start_script.push_back(reset_nack());
    }
    rig.pump_until("ready again", |r| {
        r.out.count(|g| g == &Got::ready("fake")) == 2
    });
    // The first start, then a re-init per failure: the third one works.
    assert_eq!(rig.node.device().start_calls.len(), 4);
    rig.node.stats()
}

#[test]
fn a_nack_burst_is_ridden_out_by_quick_retries_before_any_backoff() {
    let stats = ride_out_a_burst_of_three(Backoff::default());
    assert_eq!((stats.errors, stats.episodes), (3, 1), "{stats:?}");
    assert_eq!(
        (stats.quick_retries, stats.backoff_steps),
        (3, 0),
        "{stats:?}"
    );
    // Without quick retries every failure waits a step of the backoff
    // (10, 20, 40 ms), and each step doubles the wait.
    let stats = ride_out_a_burst_of_three(Backoff {
        quick_retries: 0,
        ..Backoff::default()
    });
    assert_eq!(
        (stats.quick_retries, stats.backoff_steps),
        (0, 3),
        "{stats:?}"
    );
}

#[test]
fn start_failures_give_up_after_the_attempts_with_exit_69() {
    let mut fake = Fake::new(100);
    for _ in 0..3 {
        fake.start_script
            .push_back(Err(DeviceError::bus("fake 0x00", "read WHO_AM_I", "NACK")));
    }
    let mut rig = rig(fake, None, 3);
    let start = Instant::now();
    let error = loop {
        assert!(start.elapsed() < DEADLINE);
        match rig.node.poll_once() {
            Ok(Flow::Continue) => {}
            Ok(flow) => panic!("{flow:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(error.exit_code(), 69);
    assert!(matches!(
        error,
        NodeError::DeviceUnavailable { attempts: 3, .. }
    ));
    let line = error.to_string();
    assert!(
        line.starts_with("device unavailable: 3 start attempts over ")
            && line.ends_with("the last with: fake 0x00: read WHO_AM_I: NACK: check the wiring"),
        "{line}"
    );
    assert!(!line.contains('\n'));
    assert_eq!(rig.node.device().start_calls.len(), 3);
    assert_eq!(rig.node.stats().errors, 3);
    rig.out.read();
    assert!(matches!(rig.out.got()[0], Got::Hello { .. }));
    assert!(!rig.out.got().contains(&Got::ready("fake")));
    assert!(
        matches!(rig.out.got().last(), Some(Got::Err { code: ErrorCode::NoDevice, text, .. }) if *text == line)
    );
}

#[test]
fn a_wrong_identity_gives_up_at_once() {
    let mut fake = Fake::new(100);
    fake.start_script.push_back(Err(DeviceError::new(
        "fake 0x00",
        "read WHO_AM_I",
        Fault::WrongPart {
            detail: "0x70, expected 0x68".into(),
        },
    )));
    let mut rig = rig(fake, None, 5);
    let error = rig.node.poll_once().expect_err("wrong device");
    assert_eq!(error.exit_code(), 69);
    // No bus fault: nothing to check about the wiring.
    assert_eq!(
        error.to_string(),
        "wrong device: fake 0x00: read WHO_AM_I: 0x70, expected 0x68"
    );
    assert_eq!(rig.node.device().start_calls.len(), 1);
}

#[test]
fn a_start_that_fails_then_works_is_ready() {
    let mut fake = Fake::new(100);
    fake.start_script.push_back(reset_nack());
    fake.start_script.push_back(Ok(Duration::from_millis(5)));
    let mut rig = rig(fake, None, 2);
    rig.pump_until("ready", |r| r.out.got().contains(&Got::ready("fake")));
    assert_eq!(rig.node.stats().errors, 1);
    // No ERR for a failed start attempt: only for episodes while running.
    assert_eq!(rig.out.count(|g| matches!(g, Got::Err { .. })), 0);
}

#[test]
fn heartbeats_arrive_with_consecutive_seqs() {
    let mut rig = rig(Fake::new(10), Some(Duration::from_millis(20)), 5);
    rig.pump_until("3 heartbeats", |r| {
        r.out.count(|g| matches!(g, Got::Heartbeat { .. })) >= 3
    });
    let beats: Vec<(u32, u64)> = rig
        .out
        .got()
        .iter()
        .filter_map(|g| match g {
            Got::Heartbeat { seq, uptime_us } => Some((*seq, *uptime_us)),
            _ => None,
        })
        .collect();
    assert_eq!(
        beats.iter().map(|b| b.0).collect::<Vec<_>>(),
        (0..u32::try_from(beats.len()).unwrap()).collect::<Vec<_>>()
    );
    // Beat N comes N+1 intervals after the start at the earliest (timers
    // never fire early).
    for &(seq, up_us) in &beats {
        assert!(up_us >= u64::from(seq + 1) * 20_000, "{beats:?}");
    }
}

#[test]
fn sigterm_stops_the_loop() {
    let mut rig = rig(Fake::new(100), Some(Duration::from_millis(50)), 5);
    rig.pump_until("ready", |r| r.out.got().contains(&Got::ready("fake")));
    // The node blocked SIGTERM in this thread: it waits in its signalfd.
    pthread_kill(pthread_self(), Signal::SIGTERM).expect("pthread_kill");
    assert_eq!(rig.node.run().expect("run"), Signal::SIGTERM);
    pthread_kill(pthread_self(), Signal::SIGINT).expect("pthread_kill");
    assert_eq!(rig.node.run().expect("run"), Signal::SIGINT);
}

#[test]
fn a_closed_command_pipe_is_left_alone() {
    let mut rig = rig(Fake::new(200), None, 5);
    rig.pump_until("ready", |r| r.out.got().contains(&Got::ready("fake")));
    rig.command(1, CommandOp::Hello);
    drop(rig.cmd.take());
    let mut turns = 0u32;
    let start = Instant::now();
    while rig.out.imu_seqs().len() < 20 {
        assert!(start.elapsed() < DEADLINE);
        assert_eq!(rig.node.poll_once().expect("poll_once"), Flow::Continue);
        turns += 1;
        rig.out.read();
    }
    assert_eq!(rig.out.answers(1).len(), 1);
    // Each turn was a sample tick or the one read that saw end of file: a
    // loop spinning on the hung-up pipe would take thousands.
    assert!(turns <= 20 + 5, "{turns} turns for 20 samples");
}

#[test]
fn a_name_that_is_not_a_token_is_refused() {
    let config = NodeConfig {
        name: "two words".to_owned(),
        ..NodeConfig::default()
    };
    let error = Node::new(Fake::new(1), config).expect_err("bad name");
    assert!(matches!(error, NodeError::BadName(ref n) if n == "two words"));
}
