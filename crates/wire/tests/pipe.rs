//! Frames over real pipes: whole or not at all on a full pipe, and several
//! writer processes sharing one pipe without interleaving.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::unistd::pipe2;
use wire::{Frame, FrameBuf, FrameReader, FrameWriter, ImuSample, Message, ReadStatus, SendError};

/// A frame of `len` bytes in all (18..=512) carrying `writer` and `seq`.
fn sized_frame(buf: &mut FrameBuf, writer: u32, seq: u32, len: usize) -> Vec<u8> {
    let head = format!("TEST w={writer} seq={seq} pad=");
    let pad = len.saturating_sub(head.len() + 2 + 5).max(1);
    let body = format!("{head}{}", "p".repeat(pad));
    let frame = Frame::parse(body.as_bytes()).unwrap();
    buf.encode(&Message::Unknown(frame)).unwrap().to_vec()
}

/// Frame lengths that do not divide the pipe size, so frames meet its end
/// at every offset.
fn length_for(seq: u32) -> usize {
    40 + (seq as usize * 97) % 473
}

#[test]
fn on_a_full_pipe_a_frame_is_written_whole_or_not_at_all() {
    let (rx, tx) = pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).unwrap();
    // One page: the pipe is full after a few frames, at ever other offsets.
    fcntl(&tx, FcntlArg::F_SETPIPE_SZ(4096)).unwrap();
    let mut writer = FrameWriter::new(tx);
    let mut reader = FrameReader::new(rx);
    let mut buf = FrameBuf::new();
    let (mut sent, mut refused, mut received) = (0u32, 0u32, 0u32);
    let mut seq = 0;
    for _round in 0..200 {
        // Fill until the pipe refuses three frames in a row.
        let mut in_a_row = 0;
        while in_a_row < 3 {
            let frame = sized_frame(&mut buf, 0, seq, length_for(seq));
            match writer.send_encoded(&frame) {
                Ok(()) => {
                    sent += 1;
                    seq += 1;
                    in_a_row = 0;
                }
                Err(SendError::WouldBlock { .. }) => {
                    refused += 1;
                    in_a_row += 1;
                    seq += 1; // a dropped frame leaves a gap, as in the appliance
                }
                Err(e) => panic!("{e}"),
            }
        }
        let status = reader
            .read_frames(|f| {
                assert_eq!(f.msg_type(), "TEST");
                received += 1;
            })
            .unwrap();
        assert_eq!(status, ReadStatus::Open);
    }
    let c = reader.counters();
    assert_eq!(received, sent, "every frame written arrived");
    assert_eq!(
        (c.dropped(), c.noise_bytes),
        (0, 0),
        "and nothing partial: {c}"
    );
    assert!(refused >= 600, "the pipe was full {refused} times");
    assert_eq!(writer.stats().sent, u64::from(sent));
    assert_eq!(writer.stats().dropped_full, u64::from(refused));
}

const WRITERS: u32 = 4;
const FRAMES_PER_WRITER: u32 = 20_000;

/// The child side of the test below: started as this test binary with
/// `WIRE_TEST_WRITER` set; the shared pipe's write end is its stdin.
#[test]
#[ignore = "entry point of the writer processes of several_writer_processes_never_interleave"]
fn writer_process() {
    let Ok(id) = std::env::var("WIRE_TEST_WRITER") else {
        return;
    };
    let id: u32 = id.parse().unwrap();
    let stdin = std::io::stdin();
    let mut writer = FrameWriter::new(stdin.as_fd());
    let mut buf = FrameBuf::new();
    for seq in 0..FRAMES_PER_WRITER {
        // Blocking pipe: each write waits for room, then goes in whole.
        writer
            .send_encoded(&sized_frame(&mut buf, id, seq, length_for(seq + id)))
            .unwrap();
    }
}

#[test]
fn several_writer_processes_never_interleave() {
    let (rx, tx) = pipe2(OFlag::O_CLOEXEC).unwrap();
    fcntl(&rx, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut children = Vec::new();
    for id in 0..WRITERS {
        let end: OwnedFd = tx.try_clone().unwrap();
        children.push(
            Command::new(&exe)
                .args(["--ignored", "--exact", "writer_process", "--test-threads=1"])
                .env("WIRE_TEST_WRITER", id.to_string())
                .stdin(Stdio::from(end))
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    drop(tx); // EOF once every writer has exited

    let mut reader = FrameReader::new(rx);
    let mut next_seq: BTreeMap<u32, u32> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "writers did not finish in time");
        let mut fds = [PollFd::new(reader.get_ref().as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(1000u16)).unwrap();
        let status = reader
            .read_frames(|f| {
                let w: u32 = f.field("w").unwrap().parse().unwrap();
                let seq: u32 = f.field("seq").unwrap().parse().unwrap();
                let next = next_seq.entry(w).or_default();
                assert_eq!(seq, *next, "writer {w}: frames in order, none lost");
                *next += 1;
            })
            .unwrap();
        if status == ReadStatus::Eof {
            break;
        }
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let c = reader.counters();
    assert_eq!(c.frames, u64::from(WRITERS * FRAMES_PER_WRITER), "{c}");
    assert_eq!(
        (c.dropped(), c.noise_bytes),
        (0, 0),
        "no frame was cut or mixed: {c}"
    );
    assert_eq!(next_seq.len(), WRITERS as usize);
    assert!(next_seq.values().all(|&n| n == FRAMES_PER_WRITER));
}

#[test]
fn typed_messages_cross_a_pipe_and_eof_is_reported() {
    let (rx, tx) = pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).unwrap();
    let mut writer = FrameWriter::new(tx);
    let sample = |seq| {
        Message::Imu(ImuSample {
            seq,
            t_us: u64::from(seq) * 1000,
            accel_mg: [0, 0, 1000],
            gyro_mdps: [0; 3],
            temp_cc: 2500,
        })
    };
    for seq in 0..100 {
        writer.send(&sample(seq)).unwrap();
    }
    // A partial frame, then the writer goes away.
    writer.send_encoded(b"\rIMU seq=100 t=").unwrap();
    drop(writer);
    let mut reader = FrameReader::new(rx);
    let mut got = Vec::new();
    let mut status = ReadStatus::Open;
    while status == ReadStatus::Open {
        status = reader
            .read_messages(|m| got.push(m.unwrap() == sample(u32::try_from(got.len()).unwrap())))
            .unwrap();
    }
    assert_eq!(got.len(), 100);
    assert!(got.iter().all(|&same| same));
    assert_eq!(
        reader.counters().truncated,
        1,
        "the cut frame is counted at EOF"
    );
}

#[test]
fn writing_without_a_reader_is_an_error_naming_the_fd() {
    let (rx, tx) = pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).unwrap();
    drop(rx);
    let mut writer = FrameWriter::new(tx);
    let err = writer.send_encoded(b"\rA\n").unwrap_err();
    assert!(matches!(err, SendError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("Broken pipe"), "{err}");
    assert_eq!(writer.stats().errors, 1);
}
