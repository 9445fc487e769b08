//! The log file format: one line per frame, `TIMESTAMP BODY\n`, and the
//! `LOST` marker line written after frames could not be written.

use nix::errno::Errno;

use crate::clock::{TIMESTAMP_LEN, WallTime};

/// Where the body starts in a line: after the timestamp and one space.
pub const BODY_OFFSET: usize = TIMESTAMP_LEN + 1;

/// The longest line: a timestamp, a space, a 510-byte body, LF.
pub const MAX_LINE_LEN: usize = BODY_OFFSET + wire::MAX_BODY_LEN + 1;

/// Splits a log line (without its LF) into its timestamp and its body.
/// `None` when it is not `TIMESTAMP BODY` (a line cut short, say).
///
/// ```
/// let line = b"2024-05-01T12:34:56.123456Z HB name=motion seq=1 up=5";
/// let (time, body) = appliance_log::split_line(line).unwrap();
/// assert_eq!(time, "2024-05-01T12:34:56.123456Z");
/// assert_eq!(body, b"HB name=motion seq=1 up=5");
/// ```
pub fn split_line(line: &[u8]) -> Option<(&str, &[u8])> {
    let (time, rest) = line.split_at_checked(TIMESTAMP_LEN)?;
    let body = rest.strip_prefix(b" ")?;
    let time = std::str::from_utf8(time).ok()?;
    let shape_ok = time.ends_with('Z') && time.as_bytes().get(10) == Some(&b'T');
    (shape_ok && !body.is_empty()).then_some((time, body))
}

/// Appends one line: `time`, a space, `body`, LF.
pub(crate) fn push_line(out: &mut Vec<u8>, time: WallTime, body: &[u8]) {
    time.write_iso8601(out);
    out.push(b' ');
    out.extend_from_slice(body);
    out.push(b'\n');
}

/// Frames that could not be written, counted from the first failed write
/// until a write works again; then written as one marker line, e.g.
///
/// ```text
/// 2024-05-01T12:35:02.000100Z LOST name=log frames=120 imu=118 seq_first=5000 seq_last=5117 err=ENOSPC since=2024-05-01T12:34:56.123456Z *5A
/// ```
///
/// `frames` counts every frame, `imu` the IMU samples among them, and
/// `seq_first`/`seq_last` are the first and last of their `seq` (left out
/// when no IMU sample was lost). `err` is the error of the first failure,
/// `since` the receive time of the first frame lost. The body follows the
/// wire grammar (TYPE `LOST`, with a checksum), so `wire` tools read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loss {
    /// Frames not written.
    pub frames: u64,
    /// IMU samples among them.
    pub imu: u64,
    /// The `seq` of the first and the last IMU sample lost.
    pub imu_seq: Option<(u32, u32)>,
    /// When the first lost frame was received.
    pub since: WallTime,
    /// The error that started the loss.
    pub error: Errno,
}

impl Loss {
    /// Nothing lost yet; the loss starts at `since` with `error`.
    pub fn new(error: Errno, since: WallTime) -> Self {
        Loss {
            frames: 0,
            imu: 0,
            imu_seq: None,
            since,
            error,
        }
    }

    /// Counts one lost frame, with its `seq` if it is an IMU sample.
    pub fn count(&mut self, imu_seq: Option<u32>) {
        self.frames += 1;
        if let Some(seq) = imu_seq {
            self.imu += 1;
            self.imu_seq = Some(match self.imu_seq {
                Some((first, _)) => (first, seq),
                None => (seq, seq),
            });
        }
    }

    /// Appends the marker body: `LOST name=NAME frames=N imu=K
    /// [seq_first=A seq_last=B] err=ERRNO since=TIME *HH`.
    pub fn write_body(&self, name: &str, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let start = out.len();
        // Writing to a Vec cannot fail.
        let _ = write!(
            out,
            "LOST name={name} frames={} imu={}",
            self.frames, self.imu
        );
        if let Some((first, last)) = self.imu_seq {
            let _ = write!(out, " seq_first={first} seq_last={last}");
        }
        let _ = write!(out, " err={:?} since={}", self.error, self.since);
        let sum = wire::checksum(&out[start..]);
        let _ = write!(out, " *{sum:02X}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::Frame;

    #[test]
    fn lines_round_trip() {
        let mut out = Vec::new();
        push_line(
            &mut out,
            WallTime {
                unix_us: 1_714_566_896_123_456,
            },
            b"HB name=m seq=1 up=5",
        );
        assert_eq!(out, b"2024-05-01T12:34:56.123456Z HB name=m seq=1 up=5\n");
        let (time, body) = split_line(&out[..out.len() - 1]).unwrap();
        assert_eq!(time, "2024-05-01T12:34:56.123456Z");
        assert_eq!(body, b"HB name=m seq=1 up=5");
    }

    #[test]
    fn cut_lines_do_not_split() {
        let line = b"2024-05-01T12:34:56.123456Z HB name=m seq=1 up=5";
        for cut in 0..=BODY_OFFSET {
            assert_eq!(split_line(&line[..cut]), None, "cut at {cut}");
        }
        assert_eq!(split_line(&line[3..]), None);
        assert!(split_line(&line[..BODY_OFFSET + 1]).is_some());
    }

    #[test]
    fn the_marker_is_a_wire_frame() {
        let mut loss = Loss::new(Errno::ENOSPC, WallTime { unix_us: 0 });
        loss.count(Some(5000));
        loss.count(None);
        loss.count(Some(5001));
        loss.count(Some(5003));
        let mut body = Vec::new();
        loss.write_body("log", &mut body);
        let text = std::str::from_utf8(&body).unwrap();
        assert!(text.starts_with(
            "LOST name=log frames=4 imu=3 seq_first=5000 seq_last=5003 err=ENOSPC since=1970-01-01T00:00:00.000000Z *"
        ), "{text}");
        let frame = Frame::parse(&body).expect("a valid frame");
        assert!(frame.had_checksum());
        assert_eq!(frame.field("frames"), Some("4"));
        frame.validate_fields().unwrap();

        let mut body = Vec::new();
        Loss::new(Errno::EIO, WallTime { unix_us: 0 }).write_body("x", &mut body);
        let frame = Frame::parse(&body).unwrap();
        assert_eq!(frame.field("seq_first"), None);
        assert_eq!(frame.field("err"), Some("EIO"));
    }
}
