//! Restarts from states a kill leaves, made by hand so each is certain:
//! a line torn in the middle, frames written but not taken out of the
//! pipe, a frame half in the pipe, a sender that restarted its `seq`.

mod common;

use std::path::Path;

use common::*;
use nix::sys::signal::Signal;

const TIME: &[u8] = b"2024-05-01T12:34:56.123456Z ";

/// A log file holding `bodies` as lines, then `torn` (a line cut short).
fn seed_log(dir: &Path, bodies: &[Vec<u8>], torn: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut bytes = Vec::new();
    for b in bodies {
        bytes.extend_from_slice(TIME);
        bytes.extend_from_slice(b);
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(torn);
    std::fs::write(dir.join("appliance.log"), bytes).unwrap();
}

fn imu_body(seq: u32) -> Vec<u8> {
    body(&imu(seq)).to_vec()
}

/// A STATE frame (no `seq`: nothing tells two equal ones apart).
fn state(pid: u32) -> Vec<u8> {
    let msg = wire::Message::State(wire::ProcessState {
        name: wire::Token::new("motion").unwrap(),
        pid,
        state: wire::RunState::Started,
        exit: None,
        ran_us: None,
        restarts: 0,
        next_us: None,
    });
    encode(&msg)
}

/// Runs the logger over what the pipe holds, then stops it; returns the
/// bodies of all lines and the logger's stderr.
fn log_and_stop(scratch: &Scratch, pipe: &SharedPipe) -> (Vec<Vec<u8>>, Vec<String>) {
    let logs = scratch.logs();
    let mut child = start_log(pipe, &logs, &[]);
    let mut lines = stderr_lines(&mut child);
    pipe.wait_drained();
    let status = terminate(&mut child);
    let stderr = lines.rest();
    assert_eq!(status.code(), Some(0), "{stderr:#?}");
    (bodies(&log_lines(&logs)), stderr)
}

#[test]
fn a_torn_line_is_cut_and_its_frame_written_whole() {
    let scratch = Scratch::new("torn");
    let logs = scratch.logs();
    // Killed while writing: 0..=9 whole, frame 10 half written; 5..=10
    // were not taken out of the pipe yet.
    let line_10 = [TIME, imu_body(10).as_slice()].concat();
    let written: Vec<_> = (0..10).map(imu_body).collect();
    seed_log(&logs, &written, &line_10[..40]);
    let pipe = SharedPipe::new();
    for seq in 5..20 {
        pipe.send(&imu(seq));
    }
    let (bodies, stderr) = log_and_stop(&scratch, &pipe);
    let expected: Vec<_> = (0..20).map(imu_body).collect();
    assert_eq!(bodies, expected);
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("cut off a torn last line (40 bytes)")),
        "{stderr:#?}"
    );
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("resuming: the first 5 frames ")),
        "{stderr:#?}"
    );
}

#[test]
fn frames_after_the_last_sample_of_the_batch_are_skipped_too() {
    let scratch = Scratch::new("after");
    let mut written: Vec<_> = (0..5).map(imu_body).collect();
    written.push(body(&state(77)).to_vec());
    seed_log(&scratch.logs(), &written, b"");
    let pipe = SharedPipe::new();
    // IMU 3, 4 and the STATE were written, not taken out.
    for frame in [imu(3), imu(4), state(77), imu(5), state(78)] {
        pipe.send(&frame);
    }
    let (bodies, stderr) = log_and_stop(&scratch, &pipe);
    let mut expected = written.clone();
    expected.push(imu_body(5));
    expected.push(body(&state(78)).to_vec());
    assert_eq!(bodies, expected);
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("resuming: the first 3 frames ")),
        "{stderr:#?}"
    );
}

#[test]
fn an_equal_state_frame_with_no_sample_after_it_is_kept() {
    // The documented at-least-once case: the file ends with a STATE after
    // its last sample, and the pipe starts with an equal STATE. It may be
    // the same frame (written, not taken out) or a new one; it is kept.
    let scratch = Scratch::new("state");
    let written = vec![imu_body(0), body(&state(9)).to_vec()];
    seed_log(&scratch.logs(), &written, b"");
    let pipe = SharedPipe::new();
    pipe.send(&state(9));
    pipe.send(&imu(1));
    let (bodies, _) = log_and_stop(&scratch, &pipe);
    let mut expected = written.clone();
    expected.push(body(&state(9)).to_vec());
    expected.push(imu_body(1));
    assert_eq!(bodies, expected);
}

#[test]
fn a_restarted_sender_is_not_mistaken_for_a_replay() {
    // MOTION restarted: its seq starts again at 0, its monotonic t does
    // not. Frames with a seq already in the file are new frames.
    let scratch = Scratch::new("reseq");
    let written: Vec<_> = (0..5).map(imu_body).collect();
    seed_log(&scratch.logs(), &written, b"");
    let pipe = SharedPipe::new();
    let restarted = |seq: u32| {
        let msg = wire::Message::Imu(wire::ImuSample {
            seq,
            t_us: 900_000_000 + u64::from(seq),
            accel_mg: [0, 0, 1000],
            gyro_mdps: [0, 0, 0],
            temp_cc: 2500,
        });
        encode(&msg)
    };
    for seq in 0..6 {
        pipe.send(&restarted(seq));
    }
    let (bodies, stderr) = log_and_stop(&scratch, &pipe);
    let mut expected = written.clone();
    expected.extend((0..6).map(|s| body(&restarted(s)).to_vec()));
    assert_eq!(bodies, expected);
    assert!(
        !stderr.iter().any(|l| l.contains("resuming")),
        "{stderr:#?}"
    );
}

/// A writer that sends a frame in two writes (the protocol forbids it;
/// the logger must still not lose it): the logger is stopped with
/// `stop` while only the first half is in the pipe, and restarted.
fn half_frame_across_a_restart(stop: Signal) {
    let scratch = Scratch::new("half");
    let logs = scratch.logs();
    let pipe = SharedPipe::new();
    let mut child = start_log(&pipe, &logs, &[]);
    let mut lines = stderr_lines(&mut child);
    lines.wait_for("logging --rx");
    let frame1 = imu(1);
    pipe.send(&imu(0));
    pipe.send(&frame1[..30]);
    assert!(
        within(DEADLINE, || imu_seqs(&log_lines(&logs)) == [0]),
        "frame 0 was not logged"
    );
    // The half frame stays in the pipe: the logger left it there.
    assert_eq!(pipe.head_frames(), Vec::<Vec<u8>>::new());
    assert!(pipe.holds_data());
    signal(&child, stop);
    let status = wait_exit(&mut child);
    if stop == Signal::SIGTERM {
        assert_eq!(status.code(), Some(0));
    }
    assert!(pipe.holds_data(), "the half frame must outlive the logger");

    let mut child = start_log(&pipe, &logs, &[]);
    let mut lines = stderr_lines(&mut child);
    lines.wait_for("logging --rx");
    pipe.send(&frame1[30..]);
    pipe.send(&imu(2));
    pipe.wait_drained();
    assert_eq!(terminate(&mut child).code(), Some(0));
    assert_eq!(imu_seqs(&log_lines(&logs)), [0, 1, 2]);
    let stderr = lines.rest();
    assert!(
        !stderr.iter().any(|l| l.contains("dropping")),
        "{stderr:#?}"
    );
}

#[test]
fn a_frame_half_in_the_pipe_survives_a_kill() {
    half_frame_across_a_restart(Signal::SIGKILL);
}

#[test]
fn a_frame_half_in_the_pipe_stays_there_over_a_sigterm() {
    half_frame_across_a_restart(Signal::SIGTERM);
}

#[test]
fn a_frame_that_never_completes_is_dropped_and_logging_goes_on() {
    let scratch = Scratch::new("never");
    let logs = scratch.logs();
    let pipe = SharedPipe::new();
    let mut child = start_log(&pipe, &logs, &[]);
    let mut lines = stderr_lines(&mut child);
    lines.wait_for("logging --rx");
    pipe.send(&imu(0)[..30]);
    // After a second with nothing behind it, the piece is given up.
    lines.wait_for("dropping a frame that did not complete (30 bytes) within 1 s");
    pipe.wait_drained();
    pipe.send(&imu(1));
    pipe.wait_drained();
    assert_eq!(terminate(&mut child).code(), Some(0));
    assert_eq!(imu_seqs(&log_lines(&logs)), [1]);
    let stop = lines.wait_for("stopping on");
    assert!(stop.contains("1 dropped by the decoder"), "{stop}");
}
