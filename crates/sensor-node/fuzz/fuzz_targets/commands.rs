//! Fuzzes a sensor process's command pipe: arbitrary bytes go to a
//! [`Node`] on a fake device (in this process, over real pipes), and the
//! loop must answer every frame exactly once. A `CMD` that decodes, or a
//! malformed one whose `id` parses, gets one `ACK` or `ERR` with that id;
//! any other frame gets one `ERR` without an id. The expected answers are
//! worked out independently by decoding the same bytes with `wire`. Every
//! frame the loop writes must decode, and nothing may panic.

#![no_main]

use std::collections::BTreeMap;
use std::io::{PipeReader, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use nix::fcntl::{FcntlArg, fcntl};
use sensor_node::{
    Backoff, DataReady, DeviceError, Flow, Node, NodeConfig, Output, Refusal, Reply, SensorDevice,
};
use wire::{CommandOp, FrameDecoder, FrameReader, ImuSample, Message, ReadStatus};

/// The longest input tried: its answers fit the enlarged output pipe.
const MAX_INPUT: usize = 8 * 1024;

/// The output pipe's size, so answers are not dropped on a full pipe
/// while this target is not reading (the usual unprivileged maximum).
const OUTPUT_PIPE_BYTES: i32 = 1 << 20;

/// How long the loop may take to answer everything before the target
/// calls it a hang: far more than it needs (a few ms).
const HANG: Duration = Duration::from_secs(10);

/// A device that always works: it takes rates up to 1000 Hz (but keeps
/// sampling at 1000 Hz so a run stays short), ranges, and a calibration
/// that finishes at the next sample; it refuses gains and fails
/// self-tests.
#[derive(Default)]
struct Fake {
    calibrating: bool,
    finished: Option<Result<(), Refusal>>,
}

impl SensorDevice for Fake {
    type Sample = ImuSample;

    fn start(&mut self) -> Result<Duration, DeviceError> {
        self.calibrating = false;
        Ok(Duration::ZERO)
    }

    fn sample_rate_hz(&self) -> u32 {
        1000
    }

    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<ImuSample>, DeviceError> {
        if std::mem::take(&mut self.calibrating) {
            self.finished = Some(Ok(()));
        }
        Ok(Some(ImuSample {
            seq,
            t_us,
            accel_mg: [0, 0, 1000],
            gyro_mdps: [0; 3],
            temp_cc: 2500,
        }))
    }

    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal> {
        match *op {
            CommandOp::SetRate { hz } if hz == 0 || hz > 1000 => Err(Refusal::bad_argument(
                format!("hz must be 1..=1000, got {hz}"),
            )),
            CommandOp::SetRate { .. } | CommandOp::SetRange { .. } => Ok(Reply::Done),
            CommandOp::SetGain { .. } | CommandOp::AutoGain => {
                Err(Refusal::unsupported("fake has no gain"))
            }
            CommandOp::Calibrate => {
                self.calibrating = true;
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

/// Answers counted by the id they carry (`None`: an `ERR` without one).
type Answers = BTreeMap<Option<u32>, u64>;

/// The answers the command pipe's `bytes` call for, from `wire` alone.
fn expected_answers(bytes: &[u8]) -> Answers {
    let mut expected = Answers::new();
    let mut decoder = FrameDecoder::new();
    decoder.decode_messages(bytes, |m| {
        let id = match m {
            Ok(Message::Command(command)) => Some(command.id),
            Err(bad) if bad.frame.msg_type() == "CMD" => {
                bad.frame.field("id").and_then(|v| v.parse().ok())
            }
            Ok(_) | Err(_) => None,
        };
        *expected.entry(id).or_default() += 1;
    });
    decoder.finish();
    expected
}

/// Reads what the loop wrote and counts its `ACK`s and `ERR`s.
fn read_answers(out: &mut FrameReader<PipeReader>, got: &mut Answers) {
    let status = out
        .read_messages(
            |m| match m.expect("the loop wrote a frame that does not decode") {
                Message::Ack(ack) => *got.entry(Some(ack.id)).or_default() += 1,
                Message::Error(err) => *got.entry(err.id).or_default() += 1,
                _ => {}
            },
        )
        .expect("read the output pipe");
    assert_eq!(status, ReadStatus::Open);
}

fuzz_target!(|bytes: &[u8]| {
    if bytes.len() > MAX_INPUT {
        return;
    }
    let expected = expected_answers(bytes);

    let (out_r, out_w) = std::io::pipe().expect("pipe");
    let (cmd_r, mut cmd_w) = std::io::pipe().expect("pipe");
    // Best effort: if the kernel refuses, a dropped answer is seen below.
    let _ = fcntl(out_w.as_fd(), FcntlArg::F_SETPIPE_SZ(OUTPUT_PIPE_BYTES));
    let mut node = Node::new(
        Fake::default(),
        NodeConfig {
            name: "fake".to_owned(),
            program: "fuzz-commands",
            check: None,
            outputs: vec![Output::new("--tx", out_w)],
            commands: Some(OwnedFd::from(cmd_r)),
            ready: DataReady::Timer,
            heartbeat: None,
            start_attempts: 1,
            backoff: Backoff::default(),
            version: "0.0.0".to_owned(),
        },
    )
    .expect("node");
    // The input fits the command pipe (64 KiB); closing it is the EOF.
    cmd_w.write_all(bytes).expect("write the command pipe");
    drop(cmd_w);
    pipe_ends::set_nonblocking(&out_r, true).expect("O_NONBLOCK");
    let mut out = FrameReader::new(out_r);

    let mut got = Answers::new();
    let start = Instant::now();
    while got != expected {
        assert_eq!(node.poll_once().expect("poll_once"), Flow::Continue);
        read_answers(&mut out, &mut got);
        if node.stats().dropped > 0 {
            // The output pipe filled up: answers were lost by design.
            return;
        }
        for (id, &n) in &got {
            let want = expected.get(id).copied().unwrap_or(0);
            assert!(n <= want, "id {id:?} answered {n} times, expected {want}");
        }
        assert!(
            start.elapsed() < HANG,
            "not every frame answered: got {got:?}, expected {expected:?}, stats {:?}",
            node.stats()
        );
    }
    assert_eq!(node.stats().unencodable, 0);
});
