//! Temporary directories that outlive only a failing test, and files in
//! them.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system's temporary directory
/// (`appliance-test-NAME.PID.N`), removed when dropped after a passing
/// test. When the test is failing (the drop happens while it panics) the
/// directory is kept, to look at, and its path goes to stderr.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates the directory; `name` says which test it is for.
    #[track_caller]
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("appliance-test-{name}.{}.{n}", std::process::id()));
        // Left by an earlier process with the same pid.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        TempDir { path }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path inside it.
    pub fn join(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.path.join(relative)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "test-support: kept {} of the failed test",
                self.path.display()
            );
        } else if let Err(e) = std::fs::remove_dir_all(&self.path) {
            eprintln!("test-support: cannot remove {}: {e}", self.path.display());
        }
    }
}

/// A new FIFO at `path` (mode 0600), opened read-write: it never reads end
/// of file, however many writers come and go.
#[track_caller]
pub fn fifo(path: &Path) -> File {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600))
        .unwrap_or_else(|e| panic!("mkfifo {}: {e}", path.display()));
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::TempDir;

    #[test]
    fn a_passing_test_leaves_nothing_and_a_failing_one_keeps_its_directory() {
        let passing = TempDir::new("passing");
        std::fs::write(passing.join("file"), "x").unwrap();
        let path = passing.path().to_path_buf();
        drop(passing);
        assert!(!path.exists(), "{} is left", path.display());

        let failing = std::thread::spawn(|| {
            let dir = TempDir::new("failing");
            let path = dir.path().to_path_buf();
            std::panic::panic_any(path);
        })
        .join()
        .expect_err("the thread panics");
        let path = failing.downcast::<std::path::PathBuf>().expect("its path");
        assert!(path.exists(), "{} was removed", path.display());
        std::fs::remove_dir_all(*path).unwrap();
    }
}
