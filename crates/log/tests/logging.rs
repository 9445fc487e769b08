//! The real `appliance-log` on a real pipe: lines, rotation, stopping,
//! full disks and I/O errors, bad command lines.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use nix::sys::signal::Signal;

fn dir_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The bodies in the log, waiting until the last IMU line has `seq`.
fn wait_for_seq(logs: &Path, seq: u32) {
    assert!(
        within(DEADLINE, || imu_seqs(&log_lines(logs)).last() == Some(&seq)),
        "IMU seq {seq} was not logged within {DEADLINE:?}; lines: {:?}",
        log_lines(logs).len()
    );
}

#[test]
fn each_good_frame_becomes_one_line_as_received() {
    let scratch = Scratch::new("lines");
    let logs = scratch.logs();
    let pipe = SharedPipe::new();
    let mut child = start_log(&pipe, &logs, &[]);
    let mut stderr = stderr_lines(&mut child);
    stderr.wait_for("logging --rx");
    let frames: [&[u8]; 6] = [
        &imu(7),
        b"noise\r\n",
        b"\rHB name=motion seq=1 up=5\n",                         // no checksum
        b"\rIMU seq=8 t=1 *00\n",                                   // bad checksum: left out
        b"\rSTATE name=gui pid=321 st=exited sig=SIGSEGV core=1 ran=2500000 restarts=3 next=400000 *13\n",
        b"\rGESTURE kind=tap t=5 \x01\n",                          // bad byte: left out
    ];
    for f in frames {
        pipe.send(f);
    }
    pipe.send(&imu(9));
    wait_for_seq(&logs, 9);
    assert_eq!(terminate(&mut child).code(), Some(0));

    let lines = log_lines(&logs);
    let bodies = bodies(&lines);
    assert_eq!(
        bodies,
        [
            body(&imu(7)),
            b"HB name=motion seq=1 up=5".as_slice(),
            b"STATE name=gui pid=321 st=exited sig=SIGSEGV core=1 ran=2500000 restarts=3 next=400000 *13",
            body(&imu(9)),
        ]
    );
    for line in &lines {
        let (time, _) = appliance_log::split_line(line).unwrap();
        // 2024-05-01T12:34:56.123456Z
        let t = time.as_bytes();
        assert_eq!(t.len(), 27);
        for (i, &b) in t.iter().enumerate() {
            let expected_digit = !matches!(i, 4 | 7 | 10 | 13 | 16 | 19 | 26);
            assert_eq!(b.is_ascii_digit(), expected_digit, "{time}");
        }
        assert_eq!(
            (t[4], t[10], t[19], t[26]),
            (b'-', b'T', b'.', b'Z'),
            "{time}"
        );
    }
    let stop = stderr.wait_for("stopping on SIGTERM");
    assert!(stop.contains("4 frames written, 0 lost"), "{stop}");
    assert!(stop.contains("3 dropped by the decoder"), "{stop}");
}

#[test]
fn rotation_keeps_n_files_of_bounded_size() {
    let scratch = Scratch::new("rotate");
    let logs = scratch.logs();
    let pipe = SharedPipe::new();
    let mut child = start_log(&pipe, &logs, &["--max-bytes", "2048", "--keep", "3"]);
    for seq in 0..200 {
        pipe.send(&imu(seq));
    }
    wait_for_seq(&logs, 199);
    assert_eq!(terminate(&mut child).code(), Some(0));

    let files = log_files(&logs);
    let names: Vec<_> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["appliance.log.2", "appliance.log.1", "appliance.log"]
    );
    for f in &files {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len <= 2048, "{} has {len} bytes", f.display());
    }
    // What is kept is the newest run of frames, whole and in order.
    let seqs = imu_seqs(&log_lines(&logs));
    let first = seqs[0];
    assert_eq!(seqs, (first..200).collect::<Vec<_>>());
    // Two rotated files are full: a third line would not have fitted.
    for f in &files[..2] {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len + 101 > 2048, "{} has only {len} bytes", f.display());
    }
}

#[test]
fn sigterm_takes_what_the_pipe_holds_and_fsyncs() {
    let scratch = Scratch::new("term");
    let logs = scratch.logs();
    let pipe = SharedPipe::new();
    // No fsync by count or time: only the one at SIGTERM.
    let mut child = start_log(&pipe, &logs, &["--fsync-frames", "0", "--fsync-ms", "0"]);
    let mut stderr = stderr_lines(&mut child);
    stderr.wait_for("logging --rx");
    for seq in 0..50 {
        pipe.send(&imu(seq));
    }
    // No wait: whatever the logger has not looked at yet goes in before
    // it exits.
    let status = terminate(&mut child);
    assert_eq!(status.code(), Some(0));
    assert!(!pipe.holds_data(), "frames were left in the pipe");
    assert_eq!(imu_seqs(&log_lines(&logs)), (0..50).collect::<Vec<_>>());
    let stop = stderr.wait_for("stopping on SIGTERM");
    assert!(stop.contains("50 frames written"), "{stop}");
    assert!(
        stop.contains(" 1 fsyncs") && stop.ends_with("file synced"),
        "{stop}"
    );
}

#[test]
fn sigint_stops_it_too() {
    let scratch = Scratch::new("int");
    let pipe = SharedPipe::new();
    let mut child = start_log(&pipe, &scratch.logs(), &[]);
    let mut stderr = stderr_lines(&mut child);
    stderr.wait_for("logging --rx");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child).code(), Some(0));
    stderr.wait_for("stopping on SIGINT");
}

#[test]
fn the_end_of_the_pipe_ends_it_after_logging_everything() {
    let scratch = Scratch::new("eof");
    let logs = scratch.logs();
    let (r, w) = std::io::pipe().unwrap();
    pipe_ends::set_nonblocking(&r, true).unwrap();
    let mut child = spawn_log(&r, &["--dir", dir_arg(&logs)], &Setup::Nothing).unwrap();
    drop(r);
    for seq in 0..10 {
        std::io::Write::write_all(&mut &w, &imu(seq)).unwrap();
    }
    // Half a frame, then every writer is gone: it can never complete.
    std::io::Write::write_all(&mut &w, &imu(10)[..20]).unwrap();
    drop(w);
    let mut stderr = stderr_lines(&mut child);
    assert_eq!(wait_exit(&mut child).code(), Some(0));
    assert_eq!(imu_seqs(&log_lines(&logs)), (0..10).collect::<Vec<_>>());
    let stderr = stderr.rest();
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("stopping on end of the pipe")),
        "{stderr:#?}"
    );
}

#[test]
fn dev_full_counts_what_it_cannot_write_and_marks_the_recovery() {
    let scratch = Scratch::new("full");
    let logs = scratch.logs();
    std::fs::create_dir_all(&logs).unwrap();
    symlink("/dev/full", logs.join("appliance.log")).unwrap();
    let pipe = SharedPipe::new();
    let mut child = start_log(&pipe, &logs, &["--name", "logger"]);
    let mut stderr = stderr_lines(&mut child);
    stderr.wait_for("logging --rx");
    for seq in 0..50 {
        pipe.send(&imu(seq));
    }
    pipe.send(b"\rHB name=motion seq=1 up=5\n");
    stderr.wait_for("No space left on device; counting lost frames");
    // It keeps reading: the pipe never fills up behind it.
    pipe.wait_drained();
    for seq in 50..100 {
        pipe.send(&imu(seq));
    }
    pipe.wait_drained();
    assert!(child.try_wait().unwrap().is_none(), "it must keep running");

    // The disk has room again: a regular file in place of the link.
    std::fs::remove_file(logs.join("appliance.log")).unwrap();
    stderr.wait_for("writing works again: 101 frames were lost (100 IMU samples, seq 0..=99)");
    for seq in 100..110 {
        pipe.send(&imu(seq));
    }
    wait_for_seq(&logs, 109);
    assert_eq!(terminate(&mut child).code(), Some(0));

    let lines = log_lines(&logs);
    let markers = markers(&lines);
    assert_eq!(markers.len(), 1, "{markers:?}");
    let m = &markers[0];
    assert_eq!(field(m, "name").as_deref(), Some("logger"));
    assert_eq!(field(m, "frames").as_deref(), Some("101"));
    assert_eq!(field(m, "imu").as_deref(), Some("100"));
    assert_eq!(field(m, "seq_first").as_deref(), Some("0"));
    assert_eq!(field(m, "seq_last").as_deref(), Some("99"));
    assert_eq!(field(m, "err").as_deref(), Some("ENOSPC"));
    // The marker comes first, then the frames after the recovery.
    assert!(bodies(&lines)[0].starts_with(b"LOST "));
    assert_eq!(imu_seqs(&lines), (100..110).collect::<Vec<_>>());
}

#[test]
fn a_full_tmpfs_counts_what_it_cannot_write_and_marks_the_recovery() {
    // A 64 KiB tmpfs in a mount namespace of the logger's own (needs
    // CAP_SYS_ADMIN: root, as in CI's container). The test reaches the
    // files through /proc/PID/root.
    let scratch = Scratch::new("tmpfs");
    let logs = scratch.logs();
    std::fs::create_dir_all(&logs).unwrap();
    let pipe = SharedPipe::new();
    let setup = Setup::PrivateTmpfs {
        dir: logs.clone(),
        size: "64k",
    };
    let args = [
        "--dir",
        dir_arg(&logs),
        "--max-bytes",
        "16384",
        "--keep",
        "10",
    ];
    if !can_mount_private_tmpfs(&logs) {
        eprintln!(
            "skipped: mounting a tmpfs in a mount namespace is not permitted here; ENOSPC is tested with /dev/full and EFBIG instead"
        );
        return;
    }
    let mut child = spawn_log(&pipe.r, &args, &setup).expect("spawn appliance-log");
    let inside = Path::new("/proc")
        .join(child.id().to_string())
        .join("root")
        .join(logs.strip_prefix("/").unwrap());
    let mut stderr = stderr_lines(&mut child);
    stderr.wait_for("logging --rx");
    // 1000 lines of ~101 bytes do not fit in 64 KiB.
    for seq in 0..1000 {
        pipe.send(&imu(seq));
    }
    stderr.wait_for("No space left on device; counting lost frames");
    pipe.wait_drained();
    let before = log_lines(&inside);
    let written = imu_seqs(&before);
    let last = *written.last().expect("some lines fit");
    assert_eq!(written, (written[0]..=last).collect::<Vec<_>>());
    assert!(last < 999);

    // Room again: remove the oldest files.
    for f in &log_files(&inside)[..2] {
        std::fs::remove_file(f).unwrap();
    }
    let lost = 999 - last;
    stderr.wait_for(&format!(
        "writing works again: {lost} frames were lost ({lost} IMU samples, seq {}..=999)",
        last + 1
    ));
    pipe.send(&imu(1000));
    wait_for_seq(&inside, 1000);
    let after = log_lines(&inside);
    let markers = markers(&after);
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert_eq!(field(&markers[0], "frames"), Some(lost.to_string()));
    assert_eq!(
        field(&markers[0], "seq_first"),
        Some((last + 1).to_string())
    );
    assert_eq!(field(&markers[0], "seq_last").as_deref(), Some("999"));
    assert_eq!(field(&markers[0], "err").as_deref(), Some("ENOSPC"));
    // No line was torn by the full disk.
    for f in log_files(&inside) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            bytes.is_empty() || bytes.ends_with(b"\n"),
            "{}",
            f.display()
        );
    }
    assert_eq!(terminate(&mut child).code(), Some(0));
}

#[test]
fn a_file_size_limit_is_an_error_like_a_full_disk() {
    // RLIMIT_FSIZE: a write past it fails with EFBIG (SIGXFSZ, which
    // would kill the process, is blocked by the logger).
    let scratch = Scratch::new("fsize");
    let logs = scratch.logs();
    let pipe = SharedPipe::new();
    let args = ["--dir", dir_arg(&logs), "--max-bytes", "65536"];
    let mut child = spawn_log(&pipe.r, &args, &Setup::FileSizeLimit(8192)).unwrap();
    let mut stderr = stderr_lines(&mut child);
    stderr.wait_for("logging --rx");
    for seq in 0..150 {
        pipe.send(&imu(seq));
    }
    stderr.wait_for("File too large; counting lost frames");
    pipe.wait_drained();
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGXFSZ must not kill it"
    );
    let written = imu_seqs(&log_lines(&logs));
    let last = *written.last().unwrap();
    assert_eq!(written, (0..=last).collect::<Vec<_>>());
    let current = logs.join("appliance.log");
    let size = std::fs::metadata(&current).unwrap().len();
    assert!(size <= 8192 && std::fs::read(&current).unwrap().ends_with(b"\n"));

    // An operator moves the file away: the new one starts at 0 bytes.
    std::fs::rename(&current, scratch.path().join("saved.log")).unwrap();
    let lost = 149 - last;
    stderr.wait_for(&format!(
        "writing works again: {lost} frames were lost ({lost} IMU samples, seq {}..=149)",
        last + 1
    ));
    pipe.send(&imu(150));
    wait_for_seq(&logs, 150);
    assert_eq!(terminate(&mut child).code(), Some(0));
    let lines = log_lines(&logs);
    let markers = markers(&lines);
    assert_eq!(field(&markers[0], "err").as_deref(), Some("EFBIG"));
    assert_eq!(field(&markers[0], "frames"), Some(lost.to_string()));
    assert_eq!(imu_seqs(&lines), [150]);
}

// The command line and the start.

fn run_bare(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run appliance-log");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_prints_the_usage() {
    let (code, out, _) = run_bare(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("usage: appliance-log --rx FD --dir DIR"),
        "{out}"
    );
    assert!(out.contains("--fsync-ms N"));
}

#[test]
fn usage_errors_exit_64_naming_the_argument() {
    for (args, needle) in [
        (&[][..], "--rx is required"),
        (&["--rx", "3"][..], "--dir is required"),
        (
            &["--rx", "3", "--dir", "d", "--max-bytes", "10"][..],
            "--max-bytes `10`",
        ),
        (
            &["--rx", "3", "--dir", "d", "--keep", "none"][..],
            "--keep `none`",
        ),
        (
            &["--rx", "3", "--dir", "d", "--fsync-ms", "-1"][..],
            "--fsync-ms `-1`",
        ),
        (
            &["--rx", "3", "--dir", "d", "--bogus"][..],
            "unknown argument `--bogus`",
        ),
        (
            &["--rx", "3", "--dir", "d", "--name"][..],
            "--name needs a value",
        ),
        // Not open in this process (no pre_exec placed it).
        (
            &["--rx", "9", "--dir", "d"][..],
            "fd 9 given for --rx is not open",
        ),
        (
            &["--rx", "1", "--dir", "d"][..],
            "fd 1 given for --rx is standard output",
        ),
    ] {
        let (code, _, err) = run_bare(args);
        assert_eq!(code, Some(64), "{args:?}: {err}");
        assert!(err.starts_with("appliance-log: "), "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn rx_must_be_the_read_end_of_a_pipe() {
    let scratch = Scratch::new("wrongend");
    let pipe = SharedPipe::new();
    let mut child = spawn_log(
        &pipe.w,
        &["--dir", dir_arg(&scratch.logs())],
        &Setup::Nothing,
    )
    .unwrap();
    let mut stderr = stderr_lines(&mut child);
    assert_eq!(wait_exit(&mut child).code(), Some(64));
    let err = stderr.rest().join("\n");
    assert!(err.contains("--rx needs the read end"), "{err}");
}

#[test]
fn a_log_directory_that_cannot_be_made_exits_73() {
    let scratch = Scratch::new("nodir");
    let plain = scratch.path().join("plain");
    std::fs::write(&plain, b"").unwrap();
    for dir in [plain.clone(), plain.join("sub")] {
        let pipe = SharedPipe::new();
        let mut child = start_log(&pipe, &dir, &[]);
        let mut stderr = stderr_lines(&mut child);
        assert_eq!(wait_exit(&mut child).code(), Some(73), "{}", dir.display());
        let err = stderr.rest().join("\n");
        assert!(
            err.contains("log directory:") && err.contains(dir_arg(&plain)),
            "{err}"
        );
    }
}
