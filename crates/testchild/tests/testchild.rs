//! The real `appliance-testchild` binary, run as `applianced` runs it:
//! pipe ends placed at fds 3 and up, named in argv. Every wait has a
//! deadline; nothing sleeps and hopes.

use std::io::{Read, Write};
use std::os::fd::{OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::sys::stat::fstat;
use nix::unistd::Pid;
use test_support::{DEADLINE, Lines, TempDir, WithEnds, encode, procfs, wait_exit, within};
use wire::{FrameDecoder, Hello, ImuSample, Level, LogLine, Message, Text, Token};

const BIN: &str = env!("CARGO_BIN_EXE_appliance-testchild");

/// Spawns the child with `args` and `fds` at fds 3, 4, ... (in order).
fn spawn(args: &[&str], fds: Vec<OwnedFd>) -> Child {
    WithEnds::new(fds).spawn_piped(BIN, args)
}

/// A new pipe: (read end, write end).
fn pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    std::io::pipe().expect("pipe")
}

/// The lines of the child's stdout, as they come.
fn stdout_lines(child: &mut Child) -> Lines {
    Lines::new(child.stdout.take().expect("piped stdout"))
}

/// Everything left on a pipe (call once the child has exited).
fn read_all(mut r: impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf).expect("read");
    buf
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The decoded text of every `LOG` frame from `name`.
fn log_texts(bytes: &[u8], name: &str) -> Vec<String> {
    let mut out = Vec::new();
    FrameDecoder::new().decode_messages(bytes, |m| {
        if let Ok(Message::Log(LogLine {
            name: n,
            level: Level::Info,
            text,
        })) = m
        {
            assert_eq!(n.as_str(), name);
            out.push(text.bytes().map(char::from).collect());
        }
    });
    out
}

/// What the child wrote to stdout (call once it has exited).
fn stdout_text(child: &mut Child) -> String {
    text(&read_all(child.stdout.take().expect("piped stdout")))
}

/// Waits for a `--report-fds` child to succeed: its stdout lines, and
/// the report in them as (N, TARGET).
fn fd_report_of(child: &mut Child) -> (Vec<String>, Vec<(RawFd, String)>) {
    assert!(wait_exit(child).success());
    let out: Vec<String> = stdout_text(child).lines().map(str::to_owned).collect();
    let report = fd_report(&out);
    (out, report)
}

/// `fd N -> TARGET` lines up to `fds end`, as (N, TARGET).
fn fd_report(lines: &[String]) -> Vec<(RawFd, String)> {
    let end = lines
        .iter()
        .position(|l| l == "fds end")
        .expect("`fds end` line");
    lines[..end]
        .iter()
        .map(|l| {
            let rest = l.strip_prefix("fd ").expect("`fd N -> TARGET`");
            let (n, target) = rest.split_once(" -> ").expect("`fd N -> TARGET`");
            (n.parse().expect("fd number"), target.to_owned())
        })
        .collect()
}

fn pipe_name(fd: &impl std::os::fd::AsFd) -> String {
    format!("pipe:[{}]", fstat(fd).expect("fstat").st_ino)
}

fn imu(seq: u32) -> Message<'static> {
    Message::Imu(ImuSample {
        seq,
        t_us: 1000 * u64::from(seq),
        accel_mg: [1, -2, 1000],
        gyro_mdps: [0, 5, -5],
        temp_cc: 2500,
    })
}

#[test]
fn exit_code_is_the_one_asked_for() {
    for code in [0, 3, 255] {
        let mut child = spawn(&["--exit", &code.to_string()], vec![]);
        assert_eq!(wait_exit(&mut child).code(), Some(code));
    }
}

#[test]
fn actions_after_exit_do_not_run() {
    let mut child = spawn(&["--print", "one", "--exit", "5", "--print", "two"], vec![]);
    assert_eq!(wait_exit(&mut child).code(), Some(5));
    assert_eq!(stdout_text(&mut child), "one\n");
}

#[test]
fn the_environment_variable_replaces_argv_as_for_runsv_and_s6() {
    // s6-supervise starts `./run SERVICEDIR`: the variable wins over argv.
    let mut cmd = Command::new(BIN);
    cmd.arg("/some/service/dir")
        .env("APPLIANCE_TESTCHILD_ARGS", "--print from-env --exit 7")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    assert_eq!(wait_exit(&mut child).code(), Some(7));
    assert_eq!(stdout_text(&mut child), "from-env\n");
    // Without it the same argv is an unknown argument (the control).
    let mut child = spawn(&["/some/service/dir"], vec![]);
    assert_eq!(wait_exit(&mut child).code(), Some(64));
}

#[test]
fn notify_fd_writes_one_newline_and_closes_the_pipe() {
    let (r, w) = pipe();
    let mut child = spawn(
        &["--notify-fd", "3", "--print", "notified"],
        vec![OwnedFd::from(w)],
    );
    assert!(wait_exit(&mut child).success());
    assert_eq!(stdout_text(&mut child), "notified\n");
    // End of file after the newline: the child closed its end.
    assert_eq!(read_all(r), b"\n");
    // A read end is refused with the usage exit code.
    let (r, _w) = pipe();
    let mut child = spawn(&["--notify-fd", "3"], vec![OwnedFd::from(r)]);
    assert_eq!(wait_exit(&mut child).code(), Some(64));
}

#[test]
fn send_writes_the_body_exactly_as_given() {
    let (r, w) = pipe();
    let mut child = spawn(
        &[
            "--tx",
            "3",
            "--send",
            "HB name=x seq=1 up=0",
            "--send",
            "not *ZZ",
        ],
        vec![OwnedFd::from(w)],
    );
    assert!(wait_exit(&mut child).success());
    assert_eq!(read_all(r), b"\rHB name=x seq=1 up=0\n\rnot *ZZ\n");
}

#[test]
fn print_frames_prints_good_frames_and_skips_garbage() {
    let (r, mut w) = pipe();
    w.write_all(b"noise\rIMU bad\x01\n").unwrap();
    w.write_all(&encode(&imu(1))).unwrap();
    w.write_all(b"\rHB name=a seq=2 up=5\n").unwrap();
    drop(w);
    let mut child = spawn(
        &["--rx", "3", "--print-frames", "2"],
        vec![OwnedFd::from(r)],
    );
    assert!(wait_exit(&mut child).success());
    let out = stdout_text(&mut child);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("frame IMU seq=1 "), "{out}");
    assert_eq!(lines[1], "frame HB name=a seq=2 up=5");
}

#[test]
fn print_and_eprint_go_to_their_streams_in_order() {
    let mut child = spawn(
        &["--print", "a b", "--eprint", "to err", "--print", "c"],
        vec![],
    );
    assert!(wait_exit(&mut child).success());
    assert_eq!(stdout_text(&mut child), "a b\nc\n");
    assert_eq!(text(&read_all(child.stderr.take().unwrap())), "to err\n");
}

#[test]
fn signals_kill_it_by_that_signal() {
    for (name, sig) in [
        ("SIGSEGV", Signal::SIGSEGV),
        ("SIGTERM", Signal::SIGTERM),
        ("SIGKILL", Signal::SIGKILL),
        ("ABRT", Signal::SIGABRT),
        ("7", Signal::SIGBUS),
    ] {
        let mut child = spawn(&["--signal", name, "--exit", "0"], vec![]);
        let status = wait_exit(&mut child);
        assert_eq!(
            status.signal(),
            Some(sig as i32),
            "--signal {name}: {status}"
        );
    }
}

#[test]
fn core_dies_of_sigabrt() {
    // The hook set the hard core limit to 0: no core file is left behind.
    let mut child = spawn(&["--core", "--exit", "0"], vec![]);
    let status = wait_exit(&mut child);
    assert_eq!(status.signal(), Some(Signal::SIGABRT as i32), "{status}");
}

#[test]
fn sleep_ms_sleeps_at_least_that_long() {
    let start = Instant::now();
    let mut child = spawn(&["--sleep-ms", "50"], vec![]);
    assert!(wait_exit(&mut child).success());
    assert!(start.elapsed() >= Duration::from_millis(50));
}

/// Spawns the child and sends it SIGTERM once it printed `ready`.
fn term_when_ready(args: &[&str]) -> Child {
    let mut child = spawn(args, vec![]);
    assert_eq!(stdout_lines(&mut child).next_line(), "ready");
    kill(test_support::pid_of(&child), Signal::SIGTERM).expect("kill -TERM");
    child
}

#[test]
fn ignore_term_survives_sigterm_and_dies_of_sigkill() {
    let mut child = term_when_ready(&["--ignore-term", "--print", "ready", "--pause"]);
    // An ignored signal is discarded when sent, so a death would come at
    // once; 300 ms of life is plenty of evidence.
    let died = within(Duration::from_millis(300), || {
        child.try_wait().expect("try_wait").is_some()
    });
    assert!(!died, "died despite --ignore-term: {:?}", child.try_wait());
    kill(test_support::pid_of(&child), Signal::SIGKILL).expect("kill -KILL");
    let status = wait_exit(&mut child);
    assert_eq!(status.signal(), Some(Signal::SIGKILL as i32), "{status}");
}

#[test]
fn pause_without_ignore_term_dies_of_sigterm() {
    // The negative control of the test above.
    let mut child = term_when_ready(&["--print", "ready", "--pause"]);
    let status = wait_exit(&mut child);
    assert_eq!(status.signal(), Some(Signal::SIGTERM as i32), "{status}");
}

#[test]
fn report_fds_lists_only_the_standard_streams() {
    let mut child = spawn(&["--report-fds"], vec![]);
    let (out, report) = fd_report_of(&mut child);
    let fds: Vec<RawFd> = report.iter().map(|&(fd, _)| fd).collect();
    assert_eq!(fds, [0, 1, 2], "{out:?}");
    assert_eq!(report[0].1, "/dev/null");
    assert!(report[1].1.starts_with("pipe:["), "{out:?}");
    assert_eq!(out.last().map(String::as_str), Some("fds end"));
}

#[test]
fn report_fds_shows_the_pipe_ends_on_stdout_and_as_frames() {
    let (child_rx, _keep_writer) = pipe();
    let (our_rx, child_tx) = pipe();
    let rx_name = pipe_name(&child_rx);
    let tx_name = pipe_name(&child_tx);
    let mut child = spawn(
        &["--rx", "3", "--tx", "4", "--name", "fds", "--report-fds"],
        vec![child_rx.into(), child_tx.into()],
    );
    let (out, report) = fd_report_of(&mut child);
    let fds: Vec<RawFd> = report.iter().map(|&(fd, _)| fd).collect();
    assert_eq!(fds, [0, 1, 2, 3, 4], "{out:?}");
    assert_eq!(report[3].1, rx_name);
    assert_eq!(report[4].1, tx_name);

    let logs = log_texts(&read_all(our_rx), "fds");
    assert_eq!(logs, out, "the frames say what stdout says");
}

#[test]
fn hello_carries_the_pid() {
    let (our_rx, child_tx) = pipe();
    let mut child = spawn(
        &["--tx", "3", "--name", "imu", "--hello"],
        vec![child_tx.into()],
    );
    let pid = child.id();
    assert!(wait_exit(&mut child).success());
    let bytes = read_all(our_rx);
    let version = format!("pid-{pid}");
    let want = Message::Hello(Hello {
        name: Token::new("imu").unwrap(),
        version: Token::new(&version).unwrap(),
        protocol: wire::PROTOCOL_VERSION,
    });
    assert_eq!(bytes, encode(&want), "{}", text(&bytes));
}

#[test]
fn echo_sends_back_good_frames_until_eof() {
    let (child_rx, mut our_tx) = pipe();
    let (our_rx, child_tx) = pipe();
    let mut child = spawn(
        &["--rx", "3", "--tx", "4", "--echo", "--print", "echo done"],
        vec![child_rx.into(), child_tx.into()],
    );
    let log = Message::Log(LogLine {
        name: Token::new("t").unwrap(),
        level: Level::Warn,
        text: Text::new("50% * done"),
    });
    let mut input = Vec::new();
    input.extend(encode(&imu(1)));
    input.extend(b"noise \rIMU seq=2 *00\n"); // bad checksum: dropped
    input.extend(encode(&log));
    input.extend(b"\rFOO a=1\n"); // unknown TYPE, no checksum: echoed with one
    our_tx.write_all(&input).unwrap();
    drop(our_tx);

    let status = wait_exit(&mut child);
    assert!(status.success(), "{status}");
    let echoed = read_all(our_rx);
    let mut want = encode(&imu(1));
    want.extend(encode(&log));
    want.extend(format!("\rFOO a=1 *{:02X}\n", wire::checksum(b"FOO a=1")).as_bytes());
    assert_eq!(text(&echoed), text(&want));
    assert_eq!(stdout_text(&mut child), "echo done\n");
}

#[test]
fn count_frames_reports_without_waiting_for_eof() {
    let (child_rx, mut our_tx) = pipe();
    let (our_rx, child_tx) = pipe();
    let mut child = spawn(
        &["--rx", "3", "--tx", "4", "--count-frames", "3", "--pause"],
        vec![child_rx.into(), child_tx.into()],
    );
    let mut out = stdout_lines(&mut child);
    for seq in 0..3 {
        our_tx.write_all(&encode(&imu(seq))).unwrap();
    }
    // The write end stays open: the count alone ends the wait.
    assert_eq!(out.next_line(), "got 3");
    child.kill().unwrap();
    wait_exit(&mut child);
    assert_eq!(log_texts(&read_all(our_rx), "testchild"), ["got 3"]);
    drop(our_tx);
}

#[test]
fn count_frames_carries_extra_frames_to_the_next_count() {
    let (child_rx, mut our_tx) = pipe();
    let mut child = spawn(
        &["--rx", "3", "--count-frames", "2", "--count-frames", "3"],
        vec![child_rx.into()],
    );
    // Five frames and some garbage in one write: one read gets them all.
    let mut input = Vec::new();
    for seq in 0..5 {
        input.extend(encode(&imu(seq)));
        input.extend(b"junk");
    }
    our_tx.write_all(&input).unwrap();
    let status = wait_exit(&mut child);
    assert!(status.success(), "{status}");
    assert_eq!(stdout_text(&mut child), "got 2\ngot 3\n");
    drop(our_tx);
}

#[test]
fn count_frames_fails_when_rx_ends_first() {
    let (child_rx, mut our_tx) = pipe();
    let mut child = spawn(&["--rx", "3", "--count-frames", "3"], vec![child_rx.into()]);
    our_tx.write_all(&encode(&imu(1))).unwrap();
    our_tx.write_all(&encode(&imu(2))).unwrap();
    drop(our_tx);
    assert_eq!(wait_exit(&mut child).code(), Some(1));
    let err = text(&read_all(child.stderr.take().unwrap()));
    assert!(
        err.contains("--count-frames 3: --rx reached end of file after 2 frames"),
        "{err}"
    );
}

#[test]
fn fork_orphan_leaves_a_live_grandchild_that_later_exits() {
    let mut child = spawn(&["--fork-orphan", "2000", "--print", "parent done"], vec![]);
    let mut out = stdout_lines(&mut child);
    let line = out.next_line();
    let pid: u32 = line
        .strip_prefix("orphan ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("`orphan PID`, got {line:?}"));
    assert_ne!(pid, child.id());
    let proc_state = || procfs::state(Pid::from_raw(i32::try_from(pid).unwrap()));
    assert_eq!(out.next_line(), "parent done");
    assert!(wait_exit(&mut child).success());
    // The parent is gone and did not wait: the grandchild outlives it, and
    // says so at its end (it was reparented), however late this test runs.
    assert_eq!(out.next_line(), "orphan ends: its parent had exited");
    // Then it exits (reaped by init or a subreaper, or a zombie meanwhile).
    assert!(
        within(DEADLINE, || matches!(proc_state(), None | Some('Z'))),
        "orphan {pid} did not exit"
    );
}

#[test]
fn help_prints_usage() {
    let mut child = spawn(&["--help"], vec![]);
    assert!(wait_exit(&mut child).success());
    assert!(stdout_text(&mut child).starts_with("usage: appliance-testchild"));
}

#[test]
fn bad_arguments_exit_64_naming_them() {
    for (args, said) in [
        (&["--bogus"][..], "`--bogus`"),
        (&["--exit", "x"], "--exit `x`"),
        (&["--signal", "SIGNOPE"], "--signal `SIGNOPE`"),
        (&["--hello"], "--hello needs --tx"),
        // Not open (the hook closed every fd above 2 on exec).
        (
            &["--rx", "3", "--count-frames", "1"],
            "fd 3 given for --rx is not open",
        ),
        (
            &["--tx", "1", "--hello"],
            "fd 1 given for --tx is standard output",
        ),
    ] {
        let mut child = spawn(args, vec![]);
        assert_eq!(wait_exit(&mut child).code(), Some(64), "{args:?}");
        let err = text(&read_all(child.stderr.take().unwrap()));
        assert!(err.contains(said), "{args:?}: {err}");
    }
}

#[test]
fn a_read_end_given_as_tx_is_refused() {
    let (child_rx, _keep_writer) = pipe();
    let mut child = spawn(&["--tx", "3", "--hello"], vec![child_rx.into()]);
    assert_eq!(wait_exit(&mut child).code(), Some(64));
    let err = text(&read_all(child.stderr.take().unwrap()));
    assert!(err.contains("--tx needs the write end"), "{err}");
}

#[test]
fn write_pid_writes_the_pid_and_a_newline() {
    let dir = TempDir::new("write-pid");
    let path = dir.join("pid");
    std::fs::write(&path, "").unwrap();
    let mut child = spawn(
        &["--write-pid", path.to_str().unwrap(), "--exit", "0"],
        vec![],
    );
    let pid = child.id();
    assert_eq!(wait_exit(&mut child).code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{pid}\n"));
    let mut bad = spawn(&["--write-pid", "/nonexistent/dir/pid"], vec![]);
    assert_eq!(wait_exit(&mut bad).code(), Some(1));
}
