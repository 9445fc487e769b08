//! Frames per second through a real pipe between two processes: the wire
//! stack (encode + one `write(2)` per frame; `poll` + `FrameReader` +
//! typed decode) against a raw `write(2)`/`read(2)` of the same bytes, in
//! the same run, rounds interleaved so machine noise hits both alike.
//!
//! `cargo bench -p wire --bench pipe` (under `cargo test` it runs a small
//! smoke round). Method and results: docs/benchmarks.md.

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::Instant;

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use wire::{FrameBuf, FrameReader, FrameWriter, ImuSample, Message, ReadStatus};

const ROLE: &str = "WIRE_PIPE_BENCH_ROLE";

fn sample(seq: u32) -> Message<'static> {
    let w = i32::try_from(seq % 97).expect("below 97") - 48;
    Message::Imu(ImuSample {
        seq,
        t_us: 1_700_000_000 + u64::from(seq) * 1000,
        accel_mg: [w, -w * 2, 1000 + w],
        gyro_mdps: [w * 150, -1200, 35_000 + w],
        temp_cc: 2512,
    })
}

/// The writer process: `frames` frames to stdout (a blocking pipe).
fn writer(kind: &str, frames: u32) {
    let stdout = std::io::stdout();
    match kind {
        "wire" => {
            let mut w = FrameWriter::new(stdout.as_fd());
            for seq in 0..frames {
                w.send(&sample(seq)).expect("send");
            }
        }
        _ => {
            // The same bytes as the wire writer's typical frame, one
            // write(2) each, no encoding.
            let mut buf = FrameBuf::new();
            let frame = buf.encode(&sample(frames / 2)).unwrap().to_vec();
            for _ in 0..frames {
                let n = nix::unistd::write(stdout.as_fd(), &frame).expect("write");
                assert_eq!(n, frame.len());
            }
        }
    }
}

fn spawn_writer(kind: &str, frames: u32) -> (std::process::Child, OwnedFd) {
    let child = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, format!("{kind}:{frames}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    let out: OwnedFd = child.stdout.take().unwrap().into();
    (child, out)
}

/// One run; returns frames per second as seen by the reader.
fn run(kind: &str, frames: u32) -> f64 {
    let start = Instant::now();
    let (mut child, rx) = spawn_writer(kind, frames);
    if kind == "wire" {
        fcntl(&rx, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
        let mut reader = FrameReader::new(rx);
        let mut next = 0u32;
        loop {
            let mut fds = [PollFd::new(reader.get_ref().as_fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::NONE).unwrap();
            let status = reader
                .read_messages(|m| {
                    if let Ok(Message::Imu(s)) = m {
                        assert_eq!(s.seq, next, "lost or reordered");
                        next += 1;
                    }
                })
                .unwrap();
            if status == ReadStatus::Eof {
                break;
            }
        }
        assert_eq!(next, frames);
        assert_eq!(reader.counters().dropped(), 0);
    } else {
        let mut f = std::fs::File::from(rx);
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0usize;
        loop {
            let n = f.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n;
        }
        assert!(total > 0);
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert!(child.wait().unwrap().success());
    f64::from(frames) / elapsed
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if let Ok(role) = std::env::var(ROLE) {
        let (kind, n) = role.split_once(':').unwrap();
        writer(kind, n.parse().unwrap());
        return;
    }
    // `cargo bench` passes --bench; `cargo test` does not: smoke run only.
    let full = std::env::args().any(|a| a == "--bench");
    let (frames, rounds) = if full { (1_000_000, 7) } else { (10_000, 1) };
    let frame_len = FrameBuf::new().encode(&sample(frames / 2)).unwrap().len();
    let (mut raw, mut wire) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        raw.push(run("raw", frames));
        wire.push(run("wire", frames));
    }
    let (r, w) = (median(&mut raw), median(&mut wire));
    println!(
        "pipe: {frames} IMU frames of ~{frame_len} B, {rounds} interleaved rounds, medians:\n  \
         raw write/read   {:>6.3} M frames/s  {:>6.1} MB/s\n  \
         wire send/decode {:>6.3} M frames/s  {:>6.1} MB/s\n  \
         ratio wire/raw   {:.3}",
        r / 1e6,
        r * frame_len as f64 / 1e6,
        w / 1e6,
        w * frame_len as f64 / 1e6,
        w / r
    );
}
