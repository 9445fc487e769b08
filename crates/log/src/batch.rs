//! One chunk of the pipe's bytes as frames to log: where the chunk may be
//! cut without cutting a frame that is still arriving, and each frame's
//! body (as received), place in the chunk and identity.

use std::ops::Range;

use wire::{CR, Event, Frame, FrameDecoder, LF, MAX_BODY_LEN, checksum, is_printable};

/// How many leading bytes of `chunk` are settled: everything except a
/// frame at the end that may still be arriving, that is a last CR followed
/// by no LF and by at most [`MAX_BODY_LEN`] printable bytes. Whatever else
/// follows a last CR (an LF, a byte that is not printable, too many bytes)
/// decides that frame's fate already, so the whole chunk is settled.
///
/// The unsettled rest stays in the pipe, to be read again with what comes
/// after it: a frame is never split between two reads of the pipe.
pub(crate) fn settled_len(chunk: &[u8]) -> usize {
    let Some(last_cr) = chunk.iter().rposition(|&b| b == CR) else {
        return chunk.len();
    };
    let rest = &chunk[last_cr + 1..];
    let may_grow =
        rest.len() <= MAX_BODY_LEN && !rest.contains(&LF) && rest.iter().all(|&b| is_printable(b));
    if may_grow { last_cr } else { chunk.len() }
}

/// Whether frames of this TYPE identify themselves: a sample carries its
/// sender's `seq` and monotonic time `t`, so two samples are never equal
/// byte for byte. Restarts resume after the last such line.
pub(crate) fn is_sample_type(msg_type: &str) -> bool {
    matches!(msg_type, "IMU" | "LIGHT")
}

/// The TYPE of a frame body as received (checksum included), if it is one.
pub(crate) fn body_type(body: &[u8]) -> Option<&str> {
    Frame::parse(body).ok().map(|f| f.msg_type())
}

/// One good frame of a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrameInfo {
    /// Offset of its CR in the chunk.
    pub(crate) start: usize,
    /// Its body in [`Batch`]'s store.
    body: Range<usize>,
    /// Whether it is a sample ([`is_sample_type`]).
    pub(crate) sample: bool,
    /// The `seq` of an `IMU` frame.
    pub(crate) imu_seq: Option<u32>,
}

impl FrameInfo {
    /// Length of the body.
    pub(crate) fn body_len(&self) -> usize {
        self.body.len()
    }
}

/// The good frames of one chunk, in order. Reused from chunk to chunk.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    bodies: Vec<u8>,
    frames: Vec<FrameInfo>,
}

impl Batch {
    /// Decodes `chunk`, the next bytes of the stream `decoder` has seen so
    /// far, and keeps its good frames (the decoder counts the others).
    pub(crate) fn fill(&mut self, decoder: &mut FrameDecoder, chunk: &[u8]) {
        self.bodies.clear();
        self.frames.clear();
        let base = decoder.offset();
        let (bodies, frames) = (&mut self.bodies, &mut self.frames);
        decoder.decode_events(chunk, |event| {
            if let Event::Frame { at, frame } = event {
                let from = bodies.len();
                push_body(bodies, &frame);
                let start = usize::try_from(at.saturating_sub(base)).unwrap_or(usize::MAX);
                let msg_type = frame.msg_type();
                frames.push(FrameInfo {
                    start: start.min(chunk.len()),
                    body: from..bodies.len(),
                    sample: is_sample_type(msg_type),
                    imu_seq: if msg_type == "IMU" {
                        frame.field("seq").and_then(|v| v.parse().ok())
                    } else {
                        None
                    },
                });
            }
        });
    }

    /// The frames, in stream order.
    pub(crate) fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }

    /// A frame's body, exactly as it was between CR and LF.
    pub(crate) fn body(&self, frame: &FrameInfo) -> &[u8] {
        self.bodies.get(frame.body.clone()).unwrap_or_default()
    }

    /// Every frame's body, in order.
    pub(crate) fn bodies(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.frames.iter().map(|f| self.body(f))
    }
}

/// The body as received: the decoder hands out the content without its
/// checksum, and a checksum it accepted was ` *` and the two upper-case
/// hex digits of the content's XOR, so those are the bytes it had.
fn push_body(out: &mut Vec<u8>, frame: &Frame<'_>) {
    let content = frame.content().as_bytes();
    out.extend_from_slice(content);
    if frame.had_checksum() {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let sum = checksum(content);
        out.extend_from_slice(&[
            b' ',
            b'*',
            HEX[usize::from(sum >> 4)],
            HEX[usize::from(sum & 15)],
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMU: &[u8] =
        b"\rIMU seq=7 t=1250000 ax=-12 ay=4 az=1003 gx=150 gy=-20 gz=0 tc=2512 *78\n";

    #[test]
    fn whole_frames_and_noise_are_settled() {
        assert_eq!(settled_len(b""), 0);
        assert_eq!(settled_len(IMU), IMU.len());
        assert_eq!(settled_len(b"noise without a frame"), 21);
        let two = [IMU, IMU].concat();
        assert_eq!(settled_len(&two), two.len());
        // Stray LF after the last frame: noise, settled.
        let stray = [IMU, b"\n\n"].concat();
        assert_eq!(settled_len(&stray), stray.len());
    }

    #[test]
    fn a_frame_still_arriving_is_not() {
        for cut in 1..IMU.len() {
            let chunk = [IMU, &IMU[..cut]].concat();
            assert_eq!(settled_len(&chunk), IMU.len(), "cut at {cut}");
        }
        assert_eq!(settled_len(b"\r"), 0);
        // The longest body that can still end well: 510 bytes.
        let long = [b"\rA".as_slice(), &[b'a'; MAX_BODY_LEN - 1]].concat();
        assert_eq!(settled_len(&long), 0);
    }

    #[test]
    fn a_frame_already_dropped_is_settled() {
        let too_long = [b"\rA".as_slice(), &[b'a'; MAX_BODY_LEN]].concat();
        assert_eq!(settled_len(&too_long), too_long.len());
        assert_eq!(settled_len(b"\rIMU seq=1\x01 t=3"), 15);
        assert_eq!(settled_len(b"\rIMU seq=1\x7f"), 11);
    }

    #[test]
    fn bodies_are_kept_as_received() {
        let mut decoder = FrameDecoder::new();
        let mut batch = Batch::default();
        let chunk = [
            b"junk".as_slice(),
            IMU,
            b"\rHB name=motion seq=1 up=5\n",
            b"\rIMU seq=8 t=1 *00\n", // bad checksum: dropped
            b"\rLIGHT seq=3 t=9 lux=100 raw=5\n",
            b"\rIMU seq=x t=1\n", // malformed fields: still a frame
        ]
        .concat();
        batch.fill(&mut decoder, &chunk);
        let bodies: Vec<&[u8]> = batch.bodies().collect();
        assert_eq!(
            bodies,
            [
                &IMU[1..IMU.len() - 1],
                b"HB name=motion seq=1 up=5".as_slice(),
                b"LIGHT seq=3 t=9 lux=100 raw=5",
                b"IMU seq=x t=1",
            ]
        );
        let f = batch.frames();
        assert_eq!(f[0].start, 4);
        assert_eq!(f[1].start, 4 + IMU.len());
        assert_eq!(
            f.iter().map(|f| (f.sample, f.imu_seq)).collect::<Vec<_>>(),
            [(true, Some(7)), (false, None), (true, None), (true, None)]
        );
        assert_eq!(decoder.counters().bad_checksum, 1);

        // The next chunk continues the stream: offsets are the chunk's.
        batch.fill(&mut decoder, IMU);
        assert_eq!(batch.frames()[0].start, 0);
        assert_eq!(batch.frames()[0].body_len(), IMU.len() - 2);
    }

    #[test]
    fn body_types() {
        assert_eq!(body_type(&IMU[1..IMU.len() - 1]), Some("IMU"));
        assert_eq!(body_type(b"IMU seq=7 *00"), None);
        assert_eq!(body_type(b"lower case"), None);
        assert!(is_sample_type("LIGHT") && !is_sample_type("STATE"));
    }
}
