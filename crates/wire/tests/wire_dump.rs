//! The `wire-dump` tool on a capture with one of each kind of trouble.

use std::io::Write;
use std::process::{Command, Stdio};

const CAPTURE: &[u8] = b"boot noise\n\
    \rHB name=motion seq=1 up=1500000\n\
    \rIMU seq=7 t=1250000 ax=-12 ay=4 az=1003 gx=150 gy=-20 gz=0 tc=2512 *78\n\
    \rIMU seq=8 t=1251000 ax=-12 *00\n\
    \rSTATE name=gui pid=321 st=exited sig=SIGSEGV core=1 ran=2500000 restarts=3 next=400000\n\
    \rCMD id=1 op=dance\n\
    \rFUTURE x=1\n\
    \rLOG name=log lvl=warn text=disk%2095%25%20full\n\
    \rA\x01B\n\
    \rIMU seq=9 t=";

fn dump(args: &[&str], stdin: &[u8]) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wire-dump"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn a_capture_reads_as_one_line_per_frame_with_units_and_reasons() {
    let (out, err, code) = dump(&[], CAPTURE);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    let want = [
        "@0         NOISE    11 bytes",
        "@11        HB       motion #1 up 1.500000s",
        "@44        IMU      #7 at 1.250000s  accel (-0.012, 0.004, 1.003) g  gyro (0.150, -0.020, 0.000) °/s  25.12 °C",
        "@116       DROP     bad checksum: frame says 00, body gives 67 | IMU seq=8 t=1251000 ax=-12 *00",
        "@148       STATE    gui (pid 321) exited by SIGSEGV (core dumped) after 2.500000s, 3 restarts, next in 0.400000s",
        "@236       DROP     malformed: field `op`: unknown name | CMD id=1 op=dance",
        "@255       UNKNOWN  FUTURE x=1",
        "@267       LOG      log warn: disk 95% full",
        "@315       DROP     byte 0x01 is not printable ASCII | A",
        "@320       DROP     truncated: a new CR or the end of the stream came before LF | IMU seq=9 t=",
        "-- stdin: 5 frames, 4 dropped (1 truncated, 1 bad byte, 1 bad checksum, 1 malformed), 11 noise bytes, 1 unknown TYPE",
    ];
    assert_eq!(lines, want);
}

#[test]
fn quiet_prints_only_the_counters() {
    let (out, _, code) = dump(&["--quiet", "-"], CAPTURE);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1);
    assert!(out.starts_with("-- stdin: 5 frames, 4 dropped"), "{out}");
}

#[test]
fn a_missing_file_is_one_clear_error() {
    let (out, err, code) = dump(&["/nonexistent/capture"], b"");
    assert_eq!(code, 66);
    assert_eq!(out, "");
    assert_eq!(
        err.trim(),
        "wire-dump: cannot open /nonexistent/capture: No such file or directory (os error 2)"
    );
}

#[test]
fn an_unknown_option_is_a_usage_error() {
    let (_, err, code) = dump(&["--frobnicate"], b"");
    assert_eq!(code, 64);
    assert_eq!(
        err,
        "wire-dump: unknown argument `--frobnicate` (--help lists them)\n"
    );
}
