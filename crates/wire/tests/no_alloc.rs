//! The decoder and encoder never allocate: counted by a global allocator
//! that tallies this thread's allocations.

#![allow(
    unsafe_code,
    reason = "a GlobalAlloc wrapper is the only way to count allocations"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use wire::{FrameBuf, FrameDecoder, ImuSample, LogLine, Message, Text, Token};

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: forwards every call unchanged to the system allocator; the count
// is a const-initialised thread-local Cell, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn decoding_and_encoding_never_allocate() {
    // Prepare the input (allocates, before counting starts).
    let mut stream = Vec::new();
    let mut buf = FrameBuf::new();
    for seq in 0..5000u32 {
        let imu = Message::Imu(ImuSample {
            seq,
            t_us: u64::from(seq) * 1000,
            accel_mg: [1, -2, 1000],
            gyro_mdps: [10, 20, -30],
            temp_cc: 2500,
        });
        stream.extend_from_slice(buf.encode(&imu).unwrap());
        // Every kind of trouble, now and then.
        match seq % 7 {
            0 => stream.extend_from_slice(b"noise\n"),
            1 => stream.extend_from_slice(b"\rIMU seq=1 t="),
            2 => stream.extend_from_slice(b"\rA\x01\n"),
            3 => stream.extend_from_slice(&[b'x'; 600]),
            4 => stream.extend_from_slice(b"\rIMU seq=x\n"),
            5 => stream.extend_from_slice(b"\rFUTURE a=1\n"),
            _ => stream.extend_from_slice(b"\rHB name=a seq=1 up=1 *00\n"),
        }
    }
    let mut decoder = FrameDecoder::new();
    let text = "a log line with spaces, 100% and * in it";

    let before = allocations();
    let mut messages = 0;
    for chunk in stream.chunks(777) {
        decoder.decode_messages(chunk, |m| {
            if m.is_ok() {
                messages += 1;
            }
        });
    }
    let log = Message::Log(LogLine {
        name: Token::new("log").unwrap(),
        level: wire::Level::Info,
        text: Text::new(text),
    });
    for _ in 0..1000 {
        let frame = buf.encode(&log).unwrap();
        decoder.decode_messages(frame, |m| {
            // Decoding a percent-encoded text and showing it allocates nothing either.
            if let Ok(Message::Log(l)) = m {
                assert!(l.text.bytes().eq(text.bytes()));
            }
        });
    }
    let after = allocations();

    assert_eq!(after - before, 0, "allocations while decoding and encoding");
    let c = decoder.counters();
    assert!(messages > 5000, "{messages} messages; {c}");
    assert!(
        c.truncated > 0 && c.bad_byte > 0 && c.malformed > 0 && c.bad_checksum > 0,
        "{c}"
    );
}
