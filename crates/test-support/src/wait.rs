//! Waiting for a condition with a deadline.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// How long a condition may take on a loaded machine; it usually holds in
/// milliseconds. Every wait of this crate ends there, with a panic that
/// says what did not happen.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// How often a condition without a wakeup of its own is looked at.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// Whether `cond` holds within `limit`, looked at every few milliseconds
/// (and once more at the end).
pub fn within(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// Waits until `cond` holds; panics after [`DEADLINE`] saying `what` did
/// not happen.
#[track_caller]
pub fn eventually(what: &str, cond: impl FnMut() -> bool) {
    assert!(within(DEADLINE, cond), "{what}: not within {DEADLINE:?}");
}

/// Waits for `child` to exit; kills it and panics after [`DEADLINE`].
#[track_caller]
pub fn wait_exit(child: &mut Child) -> ExitStatus {
    let mut status = None;
    let exited = within(DEADLINE, || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    if !exited {
        let _ = child.kill();
        let _ = child.wait();
        panic!("child {} did not exit within {DEADLINE:?}", child.id());
    }
    status.expect("exited")
}
