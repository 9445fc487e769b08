//! What the supervisor's integration tests share.

use std::path::{Path, PathBuf};

/// The test child, built by `cargo test --workspace` (`cargo xtask ci`).
pub(crate) fn testchild() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join("appliance-testchild");
    assert!(
        path.exists(),
        "{} is not built: run `cargo build -p testchild` (or test the whole workspace)",
        path.display()
    );
    path
}
