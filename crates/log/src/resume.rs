//! Where a restarted logger picks up after its predecessor died.
//!
//! The predecessor took nothing out of the pipe before it had written it
//! (see `pipe.rs`), so the pipe's head holds everything not yet logged,
//! preceded by what it wrote but had no time to take out: a run of the
//! newest file's last lines. That run is found by its last *sample*
//! (`IMU`, `LIGHT`), which names itself (sender's `seq` and monotonic `t`)
//! and so appears once in the stream: if the pipe's head holds a copy of
//! the newest file's last sample line, that frame, every frame before it,
//! and the frames after it that equal the lines after it in the file, are
//! in the file already.
//!
//! Other frames have no such name. One after the last sample of a batch
//! may be written again after a restart (at least once): an identical
//! frame at the pipe's head could as well be a new one, and dropping a new
//! frame would be worse than writing an old one twice.

use crate::batch::{body_type, is_sample_type};
use crate::line::split_line;

/// The newest log file's last sample line and the lines after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    /// The body of the last sample line.
    anchor: Vec<u8>,
    /// The bodies of the lines after it, in order.
    after: Vec<Vec<u8>>,
}

impl Resume {
    /// From the end of the newest log file, `tail`: whole lines, except
    /// that the first one is cut when `cut_start` (the tail started inside
    /// the file). `None` when it has no sample line.
    pub(crate) fn from_tail(tail: &[u8], cut_start: bool) -> Option<Resume> {
        let mut lines = tail.split(|&b| b == b'\n');
        if cut_start {
            lines.next();
        }
        let mut after = Vec::new();
        for line in lines.rev() {
            let Some((_, body)) = split_line(line) else {
                continue;
            };
            if body_type(body).is_some_and(is_sample_type) {
                after.reverse();
                return Some(Resume {
                    anchor: body.to_vec(),
                    after,
                });
            }
            after.push(body.to_vec());
        }
        None
    }

    /// How many of the frames at the head of the pipe (`bodies`, in order)
    /// are in the log already.
    pub(crate) fn already_logged<'a>(&self, bodies: impl IntoIterator<Item = &'a [u8]>) -> usize {
        let mut bodies = bodies.into_iter();
        let Some(at) = bodies.by_ref().position(|b| b == self.anchor.as_slice()) else {
            return 0;
        };
        let following = bodies
            .zip(&self.after)
            .take_while(|(frame, line)| *frame == line.as_slice())
            .count();
        at + 1 + following
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imu(seq: u32) -> Vec<u8> {
        format!(
            "IMU seq={seq} t={} ax=0 ay=0 az=1000 gx=0 gy=0 gz=0 tc=2500",
            1000 * seq
        )
        .into_bytes()
    }

    fn state(n: u32) -> Vec<u8> {
        format!("STATE name=motion pid={n} st=started restarts=0").into_bytes()
    }

    fn file(bodies: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for b in bodies {
            out.extend_from_slice(b"2024-05-01T12:34:56.123456Z ");
            out.extend_from_slice(b);
            out.push(b'\n');
        }
        out
    }

    fn logged(resume: &Resume, head: &[Vec<u8>]) -> usize {
        resume.already_logged(head.iter().map(Vec::as_slice))
    }

    #[test]
    fn finds_the_last_sample_and_what_follows() {
        let tail = file(&[imu(1), state(1), imu(2), state(2), state(3)]);
        let r = Resume::from_tail(&tail, false).unwrap();
        assert_eq!(r.anchor, imu(2));
        assert_eq!(r.after, [state(2), state(3)]);
        assert_eq!(Resume::from_tail(&file(&[state(1)]), false), None);
        assert_eq!(Resume::from_tail(b"", false), None);
    }

    #[test]
    fn a_cut_first_line_is_ignored() {
        let tail = file(&[imu(1), state(1)]);
        // Cut inside the IMU line's body: it must not be taken as a line.
        let cut = &tail[40..];
        assert_eq!(Resume::from_tail(cut, true), None);
        assert!(Resume::from_tail(&tail, true).is_none());
        let two = file(&[imu(1), imu(2)]);
        assert_eq!(Resume::from_tail(&two, true).unwrap().anchor, imu(2));
    }

    #[test]
    fn skips_the_written_run_at_the_pipe_head() {
        let r = Resume::from_tail(&file(&[imu(1), imu(2), imu(3), state(7)]), false).unwrap();
        // Killed after writing 2, 3, STATE 7 and before consuming them.
        let head = [imu(2), imu(3), state(7), imu(4), state(8)];
        assert_eq!(logged(&r, &head), 3);
        // Killed after consuming: nothing at the head is in the file.
        assert_eq!(logged(&r, &[imu(4), state(8)]), 0);
        // An identical STATE after the anchor's batch was consumed: kept.
        assert_eq!(logged(&r, &[state(7), imu(4)]), 0);
        // Only part of what followed the anchor is at the head.
        assert_eq!(logged(&r, &[imu(3), imu(4)]), 1);
        assert_eq!(logged(&r, &[]), 0);
    }

    #[test]
    fn a_sample_is_matched_whole_not_by_seq() {
        let r = Resume::from_tail(&file(&[imu(9)]), false).unwrap();
        // The sender restarted: its seq starts again, its time does not.
        let restarted = b"IMU seq=9 t=77 ax=0 ay=0 az=1000 gx=0 gy=0 gz=0 tc=2500".to_vec();
        assert_eq!(logged(&r, &[restarted, imu(10)]), 0);
    }
}
