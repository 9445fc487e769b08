//! Exactly once across restarts, SIGKILL included: the test is the
//! supervisor. It makes the pipe and holds both ends; a writer thread sends
//! 20,000 IMU frames with consecutive `seq` (blocking writes: none is
//! dropped at the writer); the test SIGKILLs `appliance-log` at random
//! moments (seeded) 40 times and restarts it on the same pipe; after a
//! final SIGTERM the files together must hold each `seq` exactly once, in
//! order. Some kills are aimed: the logger is stopped (SIGSTOP) at random
//! moments until the test sees it between writing lines and taking their
//! frames out of the pipe, the hard case; the restart must then say it
//! skipped exactly those frames, and the run goes on (up to 80 lives)
//! until at least one kill landed there. The same run with
//! `--unsafe-read` (a naive logger) must fail the check, which shows the
//! check catches what it is for.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::*;
use nix::sys::signal::Signal;

const FRAMES: u32 = 20_000;
/// Kills at least; more (up to [`MAX_LIVES`]) until one kill was made in
/// the window between writing and taking out, when the run asks for one.
const KILLS: usize = 40;
const MAX_LIVES: usize = 80;

/// What a run of the kill harness left.
struct KillRun {
    seqs: Vec<u32>,
    markers: Vec<String>,
    /// Kills made while the newest file's last line was still in the pipe
    /// (written, not yet taken out), each followed by a restart that said
    /// it skipped exactly those frames.
    in_window: usize,
    /// Restarts that said they skipped frames already written.
    resumed: usize,
    /// Restarts that cut off a line torn by the kill.
    torn: usize,
    kills: usize,
}

/// How the test kills one life of the logger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    /// 0-4 ms after exec: start-up, resuming, cutting a torn line.
    Early,
    /// 0-25 ms after it says it is logging.
    Random,
    /// Stopped (SIGSTOP) at random moments until one finds it between
    /// writing lines and taking their frames out of the pipe, then killed.
    InWindow,
}

/// Frames at the head of the pipe that are already in the newest log file,
/// judged by its last line (call with the logger stopped or dead).
fn written_not_taken(logs: &std::path::Path, pipe: &SharedPipe) -> usize {
    let Ok(bytes) = std::fs::read(logs.join("appliance.log")) else {
        return 0;
    };
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let Some(last) = bytes[..whole]
        .split(|&b| b == b'\n')
        .rfind(|l| !l.is_empty())
    else {
        return 0;
    };
    let (_, last) = appliance_log::split_line(last).expect("a log line");
    pipe.head_frames()
        .iter()
        .position(|f| f == last)
        .map_or(0, |i| i + 1)
}

fn kill_harness(extra: &[&str], seed: u64, want_window: bool) -> KillRun {
    let scratch = Scratch::new("kill");
    let logs = scratch.logs();
    let mut args = vec!["--max-bytes", "65536", "--keep", "1000"];
    args.extend_from_slice(extra);
    let pipe = SharedPipe::new();
    let mut rng = Rng::new(seed);

    // The writer sends bursts when told to, so that every life of the
    // logger has frames arriving while it runs. A burst that does not fit
    // in the pipe blocks the writer until a logger takes some out.
    let (go, bursts) = mpsc::channel::<u32>();
    let (done_tx, done) = mpsc::channel();
    let writer = pipe.w.try_clone().expect("dup write end");
    std::thread::spawn(move || {
        let mut seq = 0;
        while let Ok(n) = bursts.recv() {
            for _ in 0..n {
                if seq == FRAMES {
                    break;
                }
                let frame = imu(seq);
                let written = std::io::Write::write(&mut &writer, &frame).expect("write");
                assert_eq!(written, frame.len());
                seq += 1;
            }
        }
        let _ = done_tx.send(seq);
    });
    // Not a multiple of the default fsync count, so a naive logger holds
    // unwritten lines between bursts.
    const BURST: u32 = 250;
    // A kill in the window is hunted with small bursts: each is one short
    // batch, most of whose time is writing and taking out.
    const TRICKLE: u32 = 10;

    let mut stderr = Vec::new();
    let mut in_window = 0;
    // Frames the previous kill left written but not taken out.
    let mut pending_skip: Option<usize> = None;
    let mut kills = 0;
    for life in 0..MAX_LIVES {
        let window_seen = in_window > 0 || pending_skip.is_some();
        if life >= KILLS && (window_seen || !want_window) {
            break;
        }
        let mut how = match rng.below(3) {
            _ if life >= KILLS => Kill::InWindow,
            0 => Kill::Early,
            1 => Kill::Random,
            _ => Kill::InWindow,
        };
        if how != Kill::InWindow {
            go.send(BURST).expect("writer alive");
        }
        let mut child = start_log(&pipe, &logs, &args);
        let mut lines = stderr_lines(&mut child);
        if let Some(k) = pending_skip.take() {
            // The restart must skip exactly what its predecessor wrote.
            stderr.push(lines.wait_for(&format!("resuming: the first {k} frames ")));
            in_window += 1;
            how = if how == Kill::Early {
                Kill::Random
            } else {
                how
            };
        } else if how != Kill::Early {
            stderr.push(lines.wait_for("logging --rx"));
        }
        match how {
            Kill::Early => std::thread::sleep(Duration::from_micros(rng.below(4_000))),
            Kill::Random => std::thread::sleep(Duration::from_micros(rng.below(25_000))),
            Kill::InWindow => {
                for _ in 0..50 {
                    go.send(TRICKLE).expect("writer alive");
                    std::thread::sleep(Duration::from_micros(rng.below(300)));
                    freeze(&child);
                    let k = written_not_taken(&logs, &pipe);
                    if k > 0 {
                        pending_skip = Some(k);
                        break;
                    }
                    signal(&child, Signal::SIGCONT);
                }
            }
        }
        signal(&child, Signal::SIGKILL);
        kills += 1;
        let status = wait_exit(&mut child);
        stderr.extend(lines.rest());
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(Signal::SIGKILL as i32),
            "life {life} ({how:?}): the logger ended by itself: {status}; stderr: {stderr:#?}"
        );
    }

    // The last life: everything left, then a clean stop.
    let mut child = start_log(&pipe, &logs, &args);
    let mut lines = stderr_lines(&mut child);
    if let Some(k) = pending_skip {
        stderr.push(lines.wait_for(&format!("resuming: the first {k} frames ")));
        in_window += 1;
    }
    go.send(FRAMES).expect("writer alive");
    drop(go);
    let sent = done.recv_timeout(DEADLINE).expect("writer done");
    assert_eq!(sent, FRAMES);
    pipe.wait_drained();
    let status = terminate(&mut child);
    stderr.extend(lines.rest());
    assert_eq!(status.code(), Some(0), "stderr: {stderr:#?}");

    let lines = log_lines(&logs);
    let count = |needle: &str| stderr.iter().filter(|l| l.contains(needle)).count();
    KillRun {
        seqs: imu_seqs(&lines),
        markers: markers(&lines),
        in_window,
        resumed: count("resuming:"),
        torn: count("torn last line"),
        kills,
    }
}

#[test]
fn every_imu_frame_is_logged_exactly_once_across_sigkills() {
    let run = kill_harness(&[], 0x5EED_0001, true);
    eprintln!(
        "{} kills: {} in the window between writing and taking out (each restart \
         skipped exactly those frames); {} restarts skipped frames; {} cut a torn line",
        run.kills, run.in_window, run.resumed, run.torn
    );
    assert!(
        run.in_window > 0,
        "no kill landed between writing and taking out in {} tries",
        run.kills
    );
    assert_eq!(run.markers, Vec::<String>::new(), "no write failed");
    if let Err(problems) = check_exactly_once(&run.seqs, FRAMES) {
        panic!(
            "{} lines: {} missing (first {:?}), {} duplicated (first {:?}), {} out of order",
            run.seqs.len(),
            problems.missing.len(),
            problems.missing.first(),
            problems.duplicated.len(),
            problems.duplicated.first(),
            problems.out_of_order.len()
        );
    }
}

#[test]
fn negative_control_a_naive_logger_fails_the_same_check() {
    let run = kill_harness(&["--unsafe-read"], 0x5EED_0001, false);
    let problems = check_exactly_once(&run.seqs, FRAMES)
        .expect_err("reading before writing must lose frames under SIGKILL");
    eprintln!(
        "naive logger: {} of {FRAMES} seq missing",
        problems.missing.len()
    );
    assert!(!problems.missing.is_empty());
}

// The check itself, on logs with known faults.

fn lines_of(seqs: &[u32]) -> Vec<Vec<u8>> {
    seqs.iter()
        .map(|&s| {
            let mut line = b"2024-05-01T12:34:56.123456Z ".to_vec();
            line.extend_from_slice(body(&imu(s)));
            line
        })
        .collect()
}

#[test]
fn the_check_passes_a_good_log() {
    let seqs = imu_seqs(&lines_of(&[0, 1, 2, 3]));
    assert_eq!(seqs, [0, 1, 2, 3]);
    assert_eq!(check_exactly_once(&seqs, 4), Ok(()));
}

#[test]
fn the_check_catches_a_gap() {
    let seqs = imu_seqs(&lines_of(&[0, 1, 3, 4]));
    let p = check_exactly_once(&seqs, 5).unwrap_err();
    assert_eq!(p.missing, [2]);
    assert!(p.duplicated.is_empty() && p.out_of_order.is_empty());
    // A missing tail is a gap too.
    let p = check_exactly_once(&[0, 1], 4).unwrap_err();
    assert_eq!(p.missing, [2, 3]);
}

#[test]
fn the_check_catches_a_duplicate() {
    let seqs = imu_seqs(&lines_of(&[0, 1, 2, 2, 3]));
    let p = check_exactly_once(&seqs, 4).unwrap_err();
    assert_eq!(p.duplicated, [2]);
    assert!(p.missing.is_empty());
    // A replayed run, as a restart without the skip would write.
    let p = check_exactly_once(&[0, 1, 2, 1, 2, 3], 4).unwrap_err();
    assert_eq!(p.duplicated, [1, 2]);
}

#[test]
fn the_check_catches_disorder_and_strangers() {
    let p = check_exactly_once(&[0, 2, 1, 3], 4).unwrap_err();
    assert_eq!(p.out_of_order, [1]);
    let p = check_exactly_once(&[0, 1, 9], 2).unwrap_err();
    assert_eq!(p.unexpected, [9]);
}
