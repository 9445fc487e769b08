//! Codec benchmarks: decode throughput on a realistic mixed stream and on
//! pure noise, beside a naive framer as the reference, and encode cost per
//! frame. `cargo bench -p wire --bench codec`; method and results in
//! docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use wire::{
    ErrorCode, ErrorReport, FrameBuf, FrameDecoder, Heartbeat, ImuSample, LightSample, Message,
    ProcessState, RunState, Text, Token,
};

/// About 1 MiB of what a GUI pipe carries: IMU at 20x the rate of LIGHT,
/// heartbeats, and now and then a state change or an error.
fn realistic_stream() -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    let mut buf = FrameBuf::new();
    let name = Token::new("motion").unwrap();
    let mut seq = 0u32;
    while out.len() < 1 << 20 {
        seq += 1;
        let t = u64::from(seq) * 1000 + 1_700_000_000;
        let wobble = i32::try_from(seq % 97).expect("below 97") - 48;
        let msg = match seq % 100 {
            0..=4 => Message::Light(LightSample {
                seq,
                t_us: t,
                lux_milli: 312_000 + seq % 1000,
                raw: 12_345,
            }),
            5 => Message::Heartbeat(Heartbeat {
                name,
                seq,
                uptime_us: t,
            }),
            6 if seq % 1000 == 6 => Message::State(ProcessState {
                name,
                pid: 1234,
                state: RunState::Exited,
                exit: Some(wire::ExitStatus::Signal {
                    number: 11,
                    core: true,
                }),
                ran_us: Some(t),
                restarts: 3,
                next_us: Some(0),
            }),
            7 if seq % 1000 == 7 => Message::Error(ErrorReport {
                name: Some(name),
                id: None,
                code: ErrorCode::Io,
                text: Text::new("i2c-1 0x68: remote I/O error, retrying"),
            }),
            _ => Message::Imu(ImuSample {
                seq,
                t_us: t,
                accel_mg: [wobble, -wobble * 2, 1000 + wobble],
                gyro_mdps: [wobble * 150, -1200, 35_000 + wobble],
                temp_cc: 2512,
            }),
        };
        out.extend_from_slice(buf.encode(&msg).unwrap());
    }
    out
}

/// Deterministic pseudo-random bytes (xorshift), no CR-free cheating.
fn noise(len: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// The reference point from the project's anchors: a naive framer that
/// finds CR and LF with memchr, checks printability and verifies the
/// checksum, and nothing else (no counters, no chunking, no grammar). Its
/// checks are written so the compiler can vectorise them.
fn naive_frames(mut input: &[u8], mut on_frame: impl FnMut(&[u8])) {
    while let Some(start) = memchr_cr(input) {
        input = &input[start + 1..];
        let Some(end) = memchr::memchr(b'\n', input) else {
            return;
        };
        let body = &input[..end];
        input = &input[end + 1..];
        let printable = body
            .iter()
            .fold(true, |ok, b| ok & (0x20..0x7F).contains(b));
        if printable && let [content @ .., b' ', b'*', h, l] = body {
            let sum = content.iter().fold(0u8, |a, b| a ^ b);
            let hex = |c: u8| u8::try_from((c as char).to_digit(16).unwrap_or(99)).unwrap_or(99);
            if hex(*h) << 4 | hex(*l) == sum {
                on_frame(content);
            }
        }
    }
}

fn memchr_cr(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'\r', b)
}

fn decode(c: &mut Criterion) {
    let stream = realistic_stream();
    let frames = {
        let mut d = FrameDecoder::new();
        let mut n = 0u64;
        d.decode(&stream, |_| n += 1);
        n
    };
    let noise = noise(1 << 20);

    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("realistic/frames", |b| {
        b.iter(|| {
            let mut d = FrameDecoder::new();
            let mut n = 0u64;
            // 64 KiB chunks, as a reader gets them from a pipe.
            for chunk in stream.chunks(64 * 1024) {
                d.decode(black_box(chunk), |f| n += f.type_bytes().len() as u64);
            }
            assert_eq!(d.counters().frames, frames);
            n
        })
    });
    g.bench_function("realistic/messages", |b| {
        b.iter(|| {
            let mut d = FrameDecoder::new();
            let mut n = 0u64;
            for chunk in stream.chunks(64 * 1024) {
                d.decode_messages(black_box(chunk), |m| {
                    if let Ok(Message::Imu(s)) = m {
                        n += u64::from(s.seq);
                    }
                });
            }
            assert_eq!(d.counters().malformed, 0);
            n
        })
    });
    g.bench_function("realistic/naive-framer", |b| {
        b.iter(|| {
            let mut n = 0u64;
            naive_frames(black_box(&stream), |f| n += u64::from(f[0]));
            n
        })
    });
    g.throughput(Throughput::Bytes(noise.len() as u64));
    g.bench_function("noise/frames", |b| {
        b.iter(|| {
            let mut d = FrameDecoder::new();
            for chunk in noise.chunks(64 * 1024) {
                d.decode(black_box(chunk), |_| {});
            }
            d.counters().dropped()
        })
    });
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(1));
    let mut buf = FrameBuf::new();
    let mut seq = 0u32;
    g.bench_function("imu", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            let msg = Message::Imu(ImuSample {
                seq,
                t_us: 1_700_000_000_000 + u64::from(seq),
                accel_mg: [-12, 34, 1002],
                gyro_mdps: [-1500, 250, 35_000],
                temp_cc: 2512,
            });
            buf.encode(black_box(&msg)).map(<[u8]>::len)
        })
    });
    let text = "i2c-1 0x68: remote I/O error (121), retry 3 of 5 in 40 ms";
    g.bench_function("error-with-text", |b| {
        b.iter(|| {
            let msg = Message::Error(ErrorReport {
                name: None,
                id: Some(7),
                code: ErrorCode::Io,
                text: Text::new(black_box(text)),
            });
            buf.encode(&msg).map(<[u8]>::len)
        })
    });
    g.finish();
}

criterion_group!(benches, decode, encode);

/// `WIRE_CODEC_ONCE=frames|messages|naive|setup`: decode the realistic
/// stream ten times and exit, for counting instructions with
/// `valgrind --tool=callgrind` (repeatable on a noisy machine; `setup`
/// is the baseline to subtract).
fn once(which: &str) {
    let stream = realistic_stream();
    let mut n = 0u64;
    for _ in 0..10 {
        match which {
            "frames" => {
                FrameDecoder::new().decode(black_box(&stream), |f| n += f.type_bytes().len() as u64)
            }
            "messages" => FrameDecoder::new()
                .decode_messages(black_box(&stream), |m| n += u64::from(m.is_ok())),
            "naive" => naive_frames(black_box(&stream), |f| n += u64::from(f[0])),
            _ => {}
        }
    }
    let mut d = FrameDecoder::new();
    d.decode(&stream, |_| {});
    println!(
        "{which}: {} bytes, {} frames per pass, checksum {n}",
        stream.len(),
        d.counters().frames
    );
}

fn main() {
    if let Ok(which) = std::env::var("WIRE_CODEC_ONCE") {
        once(&which);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
