//! The decoder's rules, one test each, fed whole and in every split.

use wire::{Counters, DecodeError, DropReason, Event, FrameDecoder, MAX_BODY_LEN, checksum};

/// Body with its checksum, framed.
fn framed(body: &str) -> Vec<u8> {
    format!("\r{body} *{:02X}\n", checksum(body.as_bytes())).into_bytes()
}

/// Decodes `input` in one piece; returns the frames' contents and counters.
fn decode(input: &[u8]) -> (Vec<String>, Counters) {
    let mut dec = FrameDecoder::new();
    let mut frames = Vec::new();
    dec.decode(input, |f| frames.push(f.content().to_owned()));
    dec.finish();
    (frames, *dec.counters())
}

/// The same result whatever the chunking: one piece, every single split
/// point, and one byte at a time.
fn decode_all_ways(input: &[u8]) -> (Vec<String>, Counters) {
    let whole = decode(input);
    for split in 0..=input.len() {
        let mut dec = FrameDecoder::new();
        let mut frames = Vec::new();
        dec.decode(&input[..split], |f| frames.push(f.content().to_owned()));
        dec.decode(&input[split..], |f| frames.push(f.content().to_owned()));
        dec.finish();
        assert_eq!((frames, *dec.counters()), whole, "split at {split}");
    }
    let mut dec = FrameDecoder::new();
    let mut frames = Vec::new();
    for b in input {
        dec.decode(std::slice::from_ref(b), |f| {
            frames.push(f.content().to_owned())
        });
    }
    dec.finish();
    assert_eq!((frames, *dec.counters()), whole, "byte by byte");
    whole
}

#[test]
fn a_frame_with_and_without_checksum() {
    let mut input = framed("HB name=a seq=1 up=2");
    input.extend_from_slice(b"\rHB name=a seq=2 up=3\n");
    let (frames, c) = decode_all_ways(&input);
    assert_eq!(frames, ["HB name=a seq=1 up=2", "HB name=a seq=2 up=3"]);
    assert_eq!(c.frames, 2);
    assert_eq!(c.dropped(), 0);
}

#[test]
fn bytes_before_a_cr_are_noise_including_bare_lf() {
    let mut input = b"garbage\n\x00\xff\n".to_vec();
    input.extend(framed("A"));
    input.extend_from_slice(b"\n\ntail");
    let (frames, c) = decode_all_ways(&input);
    assert_eq!(frames, ["A"]);
    assert_eq!(c.noise_bytes, 11 + 6);
    assert_eq!(c.dropped(), 0);
}

#[test]
fn a_cr_inside_a_frame_restarts_it_and_counts_the_cut_one() {
    let mut input = b"\rIMU seq=1 t=".to_vec();
    input.extend(framed("B"));
    let (frames, c) = decode_all_ways(&input);
    assert_eq!(frames, ["B"]);
    assert_eq!(c.truncated, 1);
    assert_eq!(c.noise_bytes, 0);
}

#[test]
fn a_non_printable_byte_drops_the_frame_up_to_the_next_cr() {
    // The LF after the bad byte does not end a frame: the skip runs to CR.
    let mut input = b"\rA x=1\x01 y=2\nstill skipped".to_vec();
    input.extend(framed("B"));
    input.extend_from_slice(b"\rC\x7f\n");
    input.extend_from_slice(b"\rD \xc3\xa9\n");
    let (frames, c) = decode_all_ways(&input);
    assert_eq!(frames, ["B"]);
    assert_eq!(c.bad_byte, 3);
    assert_eq!(
        c.noise_bytes, 0,
        "skipped bytes belong to the dropped frame"
    );
}

#[test]
fn the_longest_frame_passes_and_one_byte_more_is_dropped_up_to_cr_or_lf() {
    let longest = format!("T v={}", "x".repeat(MAX_BODY_LEN - 4 - 4));
    let longest = framed(&longest);
    assert_eq!(longest.len(), wire::MAX_FRAME_LEN);
    let (frames, c) = decode_all_ways(&longest);
    assert_eq!((frames.len(), c.oversize), (1, 0));

    // 511 body bytes, then more, then LF: dropped; the next frame is fine.
    let mut input = format!("\rT v={}\n", "y".repeat(600)).into_bytes();
    input.extend(framed("AFTERLF"));
    // Oversize ended by a CR: that CR starts the next frame.
    input.extend(format!("\rT v={}", "z".repeat(MAX_BODY_LEN)).into_bytes());
    input.extend(framed("AFTERCR"));
    let (frames, c) = decode_all_ways(&input);
    assert_eq!(frames, ["AFTERLF", "AFTERCR"]);
    assert_eq!(c.oversize, 2);
    assert_eq!(c.noise_bytes, 0);
}

#[test]
fn a_bad_checksum_drops_the_frame() {
    let mut input = framed("HB name=a seq=1 up=2");
    let n = input.len();
    input[n - 2] ^= 1; // flip the last hex digit (still a hex digit)
    input.extend(framed("OK"));
    let (frames, c) = decode_all_ways(&input);
    assert_eq!(frames, ["OK"]);
    assert_eq!(c.bad_checksum, 1);
}

#[test]
fn a_bad_type_is_malformed_at_the_framing() {
    let (frames, c) = decode_all_ways(b"\r\n\rimu x=1\n\rTOOLONGTYPE\n\r A\n");
    assert!(frames.is_empty());
    assert_eq!(c.malformed, 4);
}

#[test]
fn the_end_of_the_stream_inside_a_frame_is_truncation() {
    let (frames, c) = decode_all_ways(b"\rHB name=a seq=1");
    assert!(frames.is_empty());
    assert_eq!(c.truncated, 1);
}

#[test]
fn events_carry_offsets_reasons_and_content() {
    let mut input = b"xx".to_vec(); // noise at 0
    input.extend(b"\rA\x02\n"); // bad byte, frame at 2
    let good_at = input.len();
    input.extend(framed("OK")); // frame
    let mut dec = FrameDecoder::new();
    let mut events = Vec::new();
    dec.decode_events(&input, |e| {
        events.push(match e {
            Event::Frame { frame: f, .. } => format!("frame {}", f.content()),
            Event::Noise { at, len } => format!("noise {at} {len}"),
            Event::Dropped {
                at,
                reason,
                content,
            } => format!("drop {at} {reason:?} {}", String::from_utf8_lossy(content)),
        })
    });
    assert_eq!(
        events,
        ["noise 0 2", "drop 2 BadByte(2) A", "frame OK"],
        "good frame at {good_at}"
    );
    assert_eq!(dec.offset(), input.len() as u64);
}

#[test]
fn malformed_fields_and_unknown_types_are_counted_by_the_message_decoder() {
    let mut input = framed("IMU seq=1");
    input.extend(framed("FUTURE x=1 y=two"));
    input.extend(framed("FUTURE x=1  y=2"));
    input.extend(framed("READY name=gui"));
    let mut dec = FrameDecoder::new();
    let mut got = Vec::new();
    dec.decode_messages(&input, |m| {
        got.push(match m {
            Ok(m) => format!("ok {}", m.type_name()),
            Err(e) => format!("err {} {}", e.frame.msg_type(), e.error),
        })
    });
    assert_eq!(
        got,
        [
            "err IMU missing field `t`",
            "ok ?",
            &format!("err FUTURE {}", DecodeError::BadKey { index: 1 }),
            "ok READY"
        ]
    );
    let c = dec.counters();
    assert_eq!((c.frames, c.malformed, c.unknown_type), (2, 2, 1));
    assert_eq!(c.dropped(), 2);
}

#[test]
fn drop_reasons_render_for_people() {
    let r = DropReason::BadChecksum {
        stated: 0x4F,
        computed: 0x50,
    };
    assert_eq!(r.to_string(), "bad checksum: frame says 4F, body gives 50");
    let mut c = Counters {
        frames: 120,
        noise_bytes: 13,
        truncated: 2,
        bad_checksum: 1,
        ..Counters::default()
    };
    assert_eq!(
        c.to_string(),
        "120 frames, 3 dropped (2 truncated, 1 bad checksum), 13 noise bytes, 0 unknown TYPE"
    );
    c.truncated = 0;
    c.bad_checksum = 0;
    assert_eq!(
        c.to_string(),
        "120 frames, 0 dropped, 13 noise bytes, 0 unknown TYPE"
    );
}
