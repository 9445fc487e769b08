//! Fuzzes the decoder with arbitrary bytes in arbitrary chunks and checks
//! what must hold for any input: no panic, the same result however the
//! input is cut, every frame within the rules, and every message that
//! decodes re-encodes to a frame that decodes to the same message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wire::{Event, FrameBuf, FrameDecoder, MAX_BODY_LEN, Message};

/// Everything the decoder reports, as text, for comparison.
fn run(data: &[u8], cuts: &[usize]) -> (Vec<String>, wire::Counters) {
    let mut dec = FrameDecoder::new();
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&data.len())) {
        let end = cut.clamp(start, data.len());
        dec.decode_events(&data[start..end], |e| match e {
            Event::Frame { at, frame } => out.push(format!("F {at} {}", frame.content())),
            Event::Dropped { at, reason, .. } => out.push(format!("D {at} {reason:?}")),
            Event::Noise { .. } => {}
        });
        start = end;
    }
    dec.finish();
    (out, *dec.counters())
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks a chunk size; the rest is the stream.
    let Some((&step, data)) = input.split_first() else {
        return;
    };
    let step = usize::from(step % 64) + 1;
    let cuts: Vec<usize> = (step..data.len()).step_by(step).collect();
    let whole = run(data, &[]);
    let chunked = run(data, &cuts);
    assert_eq!(whole, chunked, "chunking changed the result");

    let mut dec = FrameDecoder::new();
    let mut buf = FrameBuf::new();
    let mut frames = 0u64;
    dec.decode(data, |frame| {
        frames += 1;
        let content = frame.content().as_bytes();
        assert!(content.len() <= MAX_BODY_LEN);
        assert!(content.iter().all(|b| (0x20..0x7F).contains(b)));
        if let Ok(msg) = Message::decode(frame)
            && let Ok(bytes) = buf.encode(&msg)
        {
            let bytes = bytes.to_vec();
            let mut again = FrameDecoder::new();
            let mut n = 0;
            again.decode_messages(&bytes, |m| {
                n += 1;
                assert_eq!(
                    m.map_err(|e| e.error),
                    Ok(msg),
                    "re-encoded message differs"
                );
            });
            assert_eq!(n, 1);
        }
    });
    assert_eq!(frames, whole.1.frames);

    // Nothing is lost unaccounted: every CR starts a frame that is
    // delivered or counted as dropped.
    let crs = data.iter().filter(|&&b| b == b'\r').count() as u64;
    assert_eq!(whole.1.frames + whole.1.dropped(), crs);
    let mut dec = FrameDecoder::new();
    dec.decode_messages(data, |_| {});
    dec.finish();
    assert_eq!(dec.counters().frames + dec.counters().dropped(), crs);
});
