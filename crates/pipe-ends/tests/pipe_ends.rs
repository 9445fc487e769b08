//! Taking pipe ends from arguments, with real pipes, files and fds.
//!
//! Fd numbers taken successfully stay recorded for the life of the process,
//! so every test leaks ([`keep`]) what it takes: closing it would let a
//! later test's `pipe()` reuse the number and find it "already taken".

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::path::Path;

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::stat::Mode;
use nix::unistd::{mkfifo, pipe};
use pipe_ends::{End, PipeEnd, PipeEndError, set_nonblocking};

/// Keeps `value` (and its fd) open for the rest of the test process.
fn keep<T>(value: T) {
    std::mem::forget(value);
}

/// A new pipe, its ends as numbers for `from_arg` (ownership given up).
fn raw_pipe() -> (String, String) {
    let (r, w) = pipe().unwrap();
    (r.into_raw_fd().to_string(), w.into_raw_fd().to_string())
}

#[test]
fn both_ends_carry_data() {
    let (r, w) = raw_pipe();
    let mut rx = PipeEnd::read_from_arg("--rx", &r).unwrap();
    let mut tx = PipeEnd::write_from_arg("--tx", &w).unwrap();
    tx.write_all(b"\rHELLO\n").unwrap();
    let mut buf = [0u8; 7];
    rx.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"\rHELLO\n");
    keep((rx, tx));
}

#[test]
fn from_arg_reports_the_end_and_fd() {
    let (r, w) = raw_pipe();
    let rx = PipeEnd::from_arg("--rx", &r, End::Read).unwrap();
    assert_eq!(rx.end(), End::Read);
    assert_eq!(rx.as_raw_fd().to_string(), r);
    let tx = PipeEnd::from_arg("--tx", &w, End::Write).unwrap();
    assert_eq!(tx.end(), End::Write);
    keep((rx, tx));
}

#[test]
fn wrong_direction_is_refused_and_leaves_the_fd_alone() {
    let (r, w) = pipe().unwrap();
    let (r_num, w_num) = (r.as_raw_fd(), w.as_raw_fd());
    let e = PipeEnd::write_from_arg("--tx", &r_num.to_string()).unwrap_err();
    assert_eq!(
        e,
        PipeEndError::WrongEnd {
            flag: "--tx".into(),
            fd: r_num,
            wanted: End::Write,
            found: "the read end"
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "fd {r_num} given for --tx is the read end, but --tx needs the write end: check the topology gives {{pipe.NAME.write}} here"
        )
    );
    let e = PipeEnd::read_from_arg("--rx", &w_num.to_string()).unwrap_err();
    assert!(
        matches!(
            e,
            PipeEndError::WrongEnd {
                found: "the write end",
                wanted: End::Read,
                ..
            }
        ),
        "{e:?}"
    );
    // Nothing was taken or closed: the right calls still work.
    let rx = PipeEnd::read_from_arg("--rx", &r.into_raw_fd().to_string()).unwrap();
    let tx = PipeEnd::write_from_arg("--tx", &w.into_raw_fd().to_string()).unwrap();
    keep((rx, tx));
}

#[test]
fn a_regular_file_or_a_device_is_not_a_pipe() {
    let file = File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pipe_ends.rs")).unwrap();
    let fd = file.as_raw_fd();
    let e = PipeEnd::read_from_arg("--rx", &fd.to_string()).unwrap_err();
    assert_eq!(
        e,
        PipeEndError::NotAPipe {
            flag: "--rx".into(),
            fd,
            kind: "a regular file"
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "fd {fd} given for --rx is a regular file, not a pipe: pass a pipe end (applianced's topology gives one)"
        )
    );
    let null = File::open("/dev/null").unwrap();
    let e = PipeEnd::read_from_arg("--rx", &null.as_raw_fd().to_string()).unwrap_err();
    assert!(
        matches!(
            e,
            PipeEndError::NotAPipe {
                kind: "a character device",
                ..
            }
        ),
        "{e:?}"
    );
    let dir = File::open("/").unwrap();
    let e = PipeEnd::read_from_arg("--rx", &dir.as_raw_fd().to_string()).unwrap_err();
    assert!(
        matches!(
            e,
            PipeEndError::NotAPipe {
                kind: "a directory",
                ..
            }
        ),
        "{e:?}"
    );
    // Still ours, still open.
    let mut text = String::new();
    (&file).read_to_string(&mut text).unwrap();
    assert!(text.contains("a_regular_file_or_a_device_is_not_a_pipe"));
}

#[test]
fn a_fifo_open_for_both_directions_is_neither_end() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fifo-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    mkfifo(&path, Mode::from_bits_truncate(0o600)).unwrap();
    // O_RDWR on a FIFO does not block on Linux.
    let both = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let fd = both.as_raw_fd();
    for end in [End::Read, End::Write] {
        let e = PipeEnd::from_arg("--io", &fd.to_string(), end).unwrap_err();
        assert!(
            matches!(
                e,
                PipeEndError::WrongEnd {
                    found: "open for reading and writing",
                    ..
                }
            ),
            "{e:?}"
        );
    }
    // A named FIFO opened one way is a pipe end like any other.
    let reader = OpenOptions::new().read(true).open(&path).unwrap();
    let rx =
        PipeEnd::read_from_arg("--rx", &OwnedFd::from(reader).into_raw_fd().to_string()).unwrap();
    keep(rx);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_closed_fd_is_not_open() {
    // Far above any fd this process has (the soft RLIMIT_NOFILE is lower).
    let fd = 1 << 30;
    let e = PipeEnd::read_from_arg("--rx", &fd.to_string()).unwrap_err();
    assert_eq!(
        e,
        PipeEndError::NotOpen {
            flag: "--rx".into(),
            fd
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "fd {fd} given for --rx is not open: start this program from applianced, or pass an open pipe"
        )
    );
}

#[test]
fn the_same_fd_is_taken_once() {
    let (r, w) = raw_pipe();
    let rx = PipeEnd::read_from_arg("--rx", &r).unwrap();
    let e = PipeEnd::read_from_arg("--rx2", &r).unwrap_err();
    let fd: i32 = r.parse().unwrap();
    assert_eq!(
        e,
        PipeEndError::AlreadyTaken {
            flag: "--rx2".into(),
            fd
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "fd {fd} given for --rx2 is already taken (given twice?): give each pipe end to one flag"
        )
    );
    // The first owner still has a working fd.
    let mut tx = PipeEnd::write_from_arg("--tx", &w).unwrap();
    tx.write_all(b"x").unwrap();
    let mut rx = rx;
    let mut byte = [0u8];
    rx.read_exact(&mut byte).unwrap();
    assert_eq!(&byte, b"x");
    keep((rx, tx));
}

#[test]
fn racing_threads_take_an_fd_once() {
    let (r, w) = raw_pipe();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| PipeEnd::read_from_arg("--rx", &r)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(ok.len(), 1);
    assert!(
        err.iter()
            .all(|e| matches!(e, Err(PipeEndError::AlreadyTaken { .. })))
    );
    keep((ok, PipeEnd::write_from_arg("--tx", &w).unwrap()));
}

#[test]
fn values_that_are_not_fd_numbers() {
    for value in [
        "",
        "abc",
        "-3",
        "+3",
        " 3",
        "3 ",
        "3.0",
        "0x3",
        "99999999999",
    ] {
        let e = PipeEnd::read_from_arg("--rx", value).unwrap_err();
        assert_eq!(
            e,
            PipeEndError::NotANumber {
                flag: "--rx".into(),
                value: value.into()
            },
            "{value:?}"
        );
    }
    let e = PipeEnd::read_from_arg("--rx", "abc").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`abc` given for --rx is not an fd number: pass the decimal number of an open pipe end (applianced puts it there)"
    );
}

#[test]
fn standard_streams_are_never_taken() {
    for (fd, name) in [(0, "input"), (1, "output"), (2, "error")] {
        let e = PipeEnd::read_from_arg("--rx", &fd.to_string()).unwrap_err();
        assert_eq!(
            e,
            PipeEndError::StandardStream {
                flag: "--rx".into(),
                fd
            }
        );
        assert!(
            e.to_string()
                .contains(&format!("is standard {name}: pipe ends are fds 3 and up"))
        );
    }
}

#[test]
fn nonblocking_on_and_off() {
    let (r, w) = raw_pipe();
    let rx = PipeEnd::from_arg("--rx", &r, End::Read).unwrap();
    let tx = PipeEnd::from_arg("--tx", &w, End::Write).unwrap();
    let nonblocking = |end: &PipeEnd| {
        OFlag::from_bits_retain(fcntl(end, FcntlArg::F_GETFL).unwrap()).contains(OFlag::O_NONBLOCK)
    };
    assert!(!nonblocking(&rx));
    rx.set_nonblocking(true).unwrap();
    assert!(nonblocking(&rx));
    assert!(!nonblocking(&tx), "only the one end changes");
    let mut reader = std::io::PipeReader::from(rx.into_owned_fd());
    let e = reader.read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock);
    set_nonblocking(&reader, false).unwrap();
    assert!(
        !OFlag::from_bits_retain(fcntl(&reader, FcntlArg::F_GETFL).unwrap())
            .contains(OFlag::O_NONBLOCK)
    );
    // The access mode is untouched.
    assert_eq!(
        OFlag::from_bits_retain(fcntl(&reader, FcntlArg::F_GETFL).unwrap()) & OFlag::O_ACCMODE,
        OFlag::O_RDONLY
    );
    keep((reader, tx));
}
