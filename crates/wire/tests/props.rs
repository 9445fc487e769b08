//! Property tests: round trips of every message, byte soup, and good frames
//! recovered from garbage, in arbitrary chunks.

use proptest::prelude::*;
use wire::{
    Ack, Command, CommandOp, ErrorCode, ErrorReport, Event, ExitStatus, FrameBuf, FrameDecoder,
    Gesture, GestureKind, Heartbeat, Hello, ImuSample, Level, LightSample, LogLine, Message,
    OpKind, ProcessState, Ready, RunState, Stats, Text, Token,
};

/// Raw material for one message; [`build`] borrows the strings from it.
#[derive(Debug, Clone)]
struct Raw {
    kind: u8,
    name: String,
    text: String,
    n: [u64; 8],
    i: [i32; 7],
    pick: [usize; 4],
    some: [bool; 3],
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        0u8..20,
        "[\\x21-\\x29\\x2B-\\x7E]{1,24}",
        any::<String>().prop_map(|s| s.chars().take(40).collect()),
        any::<[u64; 8]>(),
        any::<[i32; 7]>(),
        any::<[usize; 4]>(),
        any::<[bool; 3]>(),
    )
        .prop_map(|(kind, name, text, n, i, pick, some)| Raw {
            kind,
            name,
            text,
            n,
            i,
            pick,
            some,
        })
}

/// Narrower fields from random numbers: the low bits of a random number are
/// random.
#[allow(
    clippy::cast_possible_truncation,
    reason = "dropping the high bits of a random number is the intent"
)]
mod low_bits {
    pub(super) fn u8(n: u64) -> u8 {
        n as u8
    }
    pub(super) fn u16(n: u64) -> u16 {
        n as u16
    }
    pub(super) fn u32(n: u64) -> u32 {
        n as u32
    }
}

/// `x` reduced to an index below `len`.
fn index_below(x: u64, len: usize) -> usize {
    usize::try_from(x % len as u64).expect("below len, a usize")
}

fn pick<T: Copy>(all: &[T], i: usize) -> T {
    all[i % all.len()]
}

fn build(r: &Raw) -> Message<'_> {
    let name = Token::new(&r.name).unwrap();
    let text = Text::new(&r.text);
    let [n0, n1, n2, n3, n4, n5, _, _] = r.n;
    let opt = |on: bool, v: u64| on.then_some(v);
    match r.kind {
        0 => Message::Hello(Hello {
            name,
            version: name,
            protocol: low_bits::u16(n0),
        }),
        1 => Message::Ready(Ready { name }),
        2 => Message::Heartbeat(Heartbeat {
            name,
            seq: low_bits::u32(n0),
            uptime_us: n1,
        }),
        3 => Message::Imu(ImuSample {
            seq: low_bits::u32(n0),
            t_us: n1,
            accel_mg: [r.i[0], r.i[1], r.i[2]],
            gyro_mdps: [r.i[3], r.i[4], r.i[5]],
            temp_cc: r.i[6],
        }),
        4 => Message::Light(LightSample {
            seq: low_bits::u32(n0),
            t_us: n1,
            lux_milli: low_bits::u32(n2),
            raw: low_bits::u32(n3),
        }),
        5..=11 => {
            let op = match r.kind {
                5 => CommandOp::Hello,
                6 => CommandOp::Stats,
                7 => CommandOp::SetRate {
                    hz: low_bits::u32(n1).max(1),
                },
                8 => CommandOp::SetRange {
                    accel_g: Some(low_bits::u16(n1)),
                    gyro_dps: opt(r.some[0], n2).map(low_bits::u16),
                },
                9 => CommandOp::SetGain {
                    fullscale_mv: opt(r.some[0], n1).map(low_bits::u16),
                    gain_milli: opt(r.some[1], n2).map(low_bits::u32),
                    integration_ms: Some(low_bits::u16(n3)),
                },
                10 if r.some[2] => CommandOp::AutoGain,
                10 => CommandOp::Calibrate,
                _ => CommandOp::SelfTest,
            };
            Message::Command(Command {
                id: low_bits::u32(n0),
                op,
            })
        }
        12 => Message::Ack(Ack {
            id: low_bits::u32(n0),
            op: pick(OpKind::ALL, r.pick[0]),
        }),
        13 => Message::Error(ErrorReport {
            name: r.some[1].then_some(name),
            id: opt(r.some[0], n0).map(low_bits::u32),
            code: pick(ErrorCode::ALL, r.pick[0]),
            text,
        }),
        14 => Message::Stats(Stats {
            name,
            id: opt(r.some[0], n0).map(low_bits::u32),
            sent: n1,
            dropped: n2,
            received: n3,
            rejected: n4,
            errors: n5,
        }),
        15 | 16 => Message::State(ProcessState {
            name,
            pid: low_bits::u32(n0),
            state: pick(RunState::ALL, r.pick[0]),
            exit: match r.pick[1] % 3 {
                0 => None,
                1 => Some(ExitStatus::Code(low_bits::u8(n1))),
                _ => Some(ExitStatus::Signal {
                    number: (n1 % 64) as u8 + 1,
                    core: r.some[1],
                }),
            },
            ran_us: opt(r.some[0], n2),
            restarts: low_bits::u32(n3),
            next_us: opt(r.some[2], n4),
        }),
        17 => Message::Gesture(Gesture {
            kind: pick(GestureKind::ALL, r.pick[0]),
            t_us: n0,
        }),
        _ => Message::Log(LogLine {
            name,
            level: pick(Level::ALL, r.pick[0]),
            text,
        }),
    }
}

/// Bytes that hit every path of the decoder: CR, LF, printable, other.
fn soup(max: usize) -> impl Strategy<Value = Vec<u8>> {
    // One byte of entropy a byte, mapped so a third are frame-significant.
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(|v| {
        v.into_iter()
            .map(|b| match b % 12 {
                0 => b'\r',
                1 => b'\n',
                2 => b'*',
                3 => b,
                _ => 0x20 + b % 0x5F,
            })
            .collect()
    })
}

/// Feeds `input` cut at `cuts` (taken modulo its length) and records
/// every event as text.
fn events_in_chunks(input: &[u8], cuts: &[usize]) -> (Vec<String>, wire::Counters) {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.push(0);
    points.push(input.len());
    points.sort_unstable();
    let mut dec = FrameDecoder::new();
    let mut out = Vec::new();
    for w in points.windows(2) {
        dec.decode_events(&input[w[0]..w[1]], |e| match e {
            Event::Frame { frame: f, .. } => out.push(format!("F {}", f.content())),
            Event::Dropped { at, reason, .. } => out.push(format!("D {at} {reason:?}")),
            // Noise runs split where the chunks split; count bytes instead.
            Event::Noise { .. } => {}
        });
    }
    dec.finish();
    (out, *dec.counters())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_message_round_trips_exactly(r in raw()) {
        let msg = build(&r);
        let mut buf = FrameBuf::new();
        match buf.encode(&msg) {
            Ok(bytes) => {
                let bytes = bytes.to_vec();
                prop_assert!(bytes.len() <= wire::MAX_FRAME_LEN);
                let mut dec = FrameDecoder::new();
                let mut got = Vec::new();
                dec.decode_messages(&bytes, |m| got.push(m.map(|m| m == msg).map_err(|e| e.error)));
                prop_assert_eq!(got, vec![Ok(true)]);
                prop_assert_eq!(dec.counters().dropped(), 0);
                prop_assert_eq!(dec.counters().noise_bytes, 0);
            }
            Err(wire::EncodeError::TooLong { len, .. }) => prop_assert!(len > wire::MAX_FRAME_LEN),
        }
    }

    #[test]
    fn byte_soup_never_panics_and_chunking_changes_nothing(
        input in soup(3000),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = events_in_chunks(&input, &[]);
        let chunked = events_in_chunks(&input, &cuts);
        prop_assert_eq!(&whole, &chunked);
        let c = whole.1;
        prop_assert!(c.noise_bytes <= input.len() as u64);
        // Nothing is lost unaccounted: every CR starts a frame that is
        // delivered or counted as dropped, and every other byte outside a
        // frame is noise.
        let crs = input.iter().filter(|&&b| b == b'\r').count() as u64;
        prop_assert_eq!(c.frames + c.dropped(), crs);
        // The same holds for message decoding, where malformed fields drop.
        let mut dec = FrameDecoder::new();
        let mut delivered = 0;
        dec.decode_messages(&input, |m| delivered += u64::from(m.is_ok()));
        dec.finish();
        let m = dec.counters();
        prop_assert_eq!(m.frames, delivered);
        prop_assert_eq!(m.frames + m.dropped(), crs);
    }

    #[test]
    fn good_frames_in_lf_free_garbage_are_all_recovered_and_nothing_else(
        parts in proptest::collection::vec((soup(80), raw()), 1..12),
        tail in soup(40),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut stream = Vec::new();
        let mut want = Vec::new();
        let mut buf = FrameBuf::new();
        for (garbage, r) in &parts {
            stream.extend(garbage.iter().filter(|&&b| b != b'\n'));
            if let Ok(bytes) = buf.encode(&build(r)) {
                want.push(String::from_utf8_lossy(&bytes[1..bytes.len() - 5]).into_owned());
                stream.extend_from_slice(bytes);
            }
        }
        stream.extend(tail.iter().filter(|&&b| b != b'\n'));
        let (events, _) = events_in_chunks(&stream, &cuts);
        let frames: Vec<String> = events
            .iter()
            .filter_map(|e| e.strip_prefix("F ").map(str::to_owned))
            .collect();
        prop_assert_eq!(frames, want);
    }

    #[test]
    fn good_frames_in_any_garbage_come_out_in_order(
        parts in proptest::collection::vec((soup(80), raw()), 1..12),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut stream = Vec::new();
        let mut want = Vec::new();
        let mut buf = FrameBuf::new();
        for (garbage, r) in &parts {
            stream.extend_from_slice(garbage);
            if let Ok(bytes) = buf.encode(&build(r)) {
                want.push(format!("F {}", String::from_utf8_lossy(&bytes[1..bytes.len() - 5])));
                stream.extend_from_slice(bytes);
            }
        }
        // Garbage may itself hold frames: the good ones are a subsequence.
        let (events, _) = events_in_chunks(&stream, &cuts);
        let mut it = events.iter();
        for w in &want {
            prop_assert!(it.any(|e| e == w), "lost {}", w);
        }
    }
}

/// The field grammar, written the plain way, byte by byte.
fn reference_fields(content: &str) -> Vec<Result<(String, String), wire::DecodeError>> {
    let type_end = content.find(' ').unwrap_or(content.len());
    let mut out = Vec::new();
    if type_end == content.len() {
        return out;
    }
    for (index, field) in content[type_end + 1..].split(' ').enumerate() {
        // The decoder's field index saturates at 255.
        let index = u8::try_from(index).unwrap_or(u8::MAX);
        let key_len = field.bytes().take_while(|&b| wire::is_key_byte(b)).count();
        if key_len == 0
            || key_len > wire::MAX_KEY_LEN
            || field.as_bytes().get(key_len) != Some(&b'=')
        {
            out.push(Err(wire::DecodeError::BadKey { index }));
            return out;
        }
        let value = &field[key_len + 1..];
        if value.is_empty() || value.contains('*') {
            out.push(Err(wire::DecodeError::BadValue { index }));
            return out;
        }
        out.push(Ok((field[..key_len].to_owned(), value.to_owned())));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn the_field_splitter_agrees_with_the_plain_grammar(
        fields in proptest::collection::vec("[a-c_0=* A%]{0,20}", 0..30),
    ) {
        let content = format!("T {}", fields.join(" "));
        let content = &content[..content.len().min(wire::MAX_BODY_LEN)];
        if let Ok(frame) = wire::Frame::parse(content.as_bytes()) {
            // (A body ending in " *HH" would be read as a checksum.)
            prop_assume!(frame.content() == content);
            let got: Vec<_> = frame
                .fields()
                .map(|f| f.map(|f| (f.key().to_owned(), f.value().to_owned())))
                .collect();
            prop_assert_eq!(got, reference_fields(content));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Frames from our encoder take the in-order fast path; the same fields
    /// shuffled, or with an unknown key added, take the field-by-field path.
    /// Both must give the same message.
    #[test]
    fn field_order_and_unknown_keys_do_not_change_the_message(
        r in raw(),
        seed in any::<u64>(),
        extra in any::<bool>(),
    ) {
        let msg = build(&r);
        let mut buf = FrameBuf::new();
        let Ok(bytes) = buf.encode(&msg) else { return Ok(()) };
        let frame = wire::Frame::parse(&bytes[1..bytes.len() - 1]).unwrap();
        let mut fields: Vec<String> = frame.fields().map(|f| {
            let f = f.unwrap();
            format!("{}={}", f.key(), f.value())
        }).collect();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..fields.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            fields.swap(i, index_below(x, i + 1));
        }
        if extra {
            fields.insert(index_below(x, fields.len() + 1), "zz_future=1".to_owned());
        }
        let body = format!("{} {}", frame.msg_type(), fields.join(" "));
        let body = body.trim_end();
        let shuffled = wire::Frame::parse(body.as_bytes()).unwrap();
        prop_assert_eq!(Message::decode(shuffled), Ok(msg));
    }
}
