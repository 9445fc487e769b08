//! The log files: `DIR/appliance.log` and its rotated elders
//! `appliance.log.1` (newest) to `appliance.log.{keep-1}` (oldest).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;

/// The name of the file being written.
pub const CURRENT: &str = "appliance.log";

/// A file operation that failed, with the file and the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{op} {}: {}", path.display(), errno.desc())]
pub struct FileError {
    /// What was being done: `"open"`, `"write"`, `"rename"`, ...
    pub op: &'static str,
    /// The file.
    pub path: PathBuf,
    /// The error.
    pub errno: Errno,
}

impl FileError {
    pub(crate) fn new(op: &'static str, path: &Path, error: &io::Error) -> Self {
        FileError {
            op,
            path: path.to_owned(),
            errno: errno_of(error),
        }
    }
}

/// The errno behind an `io::Error` (`EIO` for errors that have none).
pub(crate) fn errno_of(error: &io::Error) -> Errno {
    Errno::from_raw(error.raw_os_error().unwrap_or(Errno::EIO as i32))
}

/// The current file, open for appending.
#[derive(Debug)]
pub(crate) struct Current {
    pub(crate) file: File,
    /// Its size (0 for a device such as `/dev/full`).
    pub(crate) size: u64,
    /// Bytes of a torn last line that opening it cut off.
    pub(crate) cut: u64,
}

/// The set of log files in one directory.
#[derive(Debug, Clone)]
pub(crate) struct LogFiles {
    dir: PathBuf,
    keep: u32,
}

impl LogFiles {
    /// The files in `dir`, `keep` of them at most (`appliance.log`
    /// included; at least 1).
    pub(crate) fn new(dir: impl Into<PathBuf>, keep: u32) -> Self {
        LogFiles {
            dir: dir.into(),
            keep: keep.max(1),
        }
    }

    /// File `index`: 0 is `appliance.log`, N is `appliance.log.N`.
    pub(crate) fn path(&self, index: u32) -> PathBuf {
        match index {
            0 => self.dir.join(CURRENT),
            n => self.dir.join(format!("{CURRENT}.{n}")),
        }
    }

    /// Creates the directory if needed and checks it is one.
    pub(crate) fn create_dir(&self) -> Result<(), FileError> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| FileError::new("create directory", &self.dir, &e))?;
        let meta =
            std::fs::metadata(&self.dir).map_err(|e| FileError::new("stat", &self.dir, &e))?;
        if !meta.is_dir() {
            return Err(FileError {
                op: "use as directory",
                path: self.dir.clone(),
                errno: Errno::ENOTDIR,
            });
        }
        Ok(())
    }

    /// Opens `appliance.log` for appending, creating it. A last line
    /// without its LF (the write was cut by a kill or a full disk) is cut
    /// off first: its frame is still in the pipe and will be written again
    /// whole.
    pub(crate) fn open_current(&self) -> Result<Current, FileError> {
        let path = self.path(0);
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o644)
            .open(&path)
            .map_err(|e| FileError::new("open", &path, &e))?;
        let meta = file
            .metadata()
            .map_err(|e| FileError::new("stat", &path, &e))?;
        if !meta.is_file() {
            // A device (tests use /dev/full) or a FIFO: nothing to cut.
            return Ok(Current {
                file,
                size: 0,
                cut: 0,
            });
        }
        let len = meta.len();
        let keep = whole_lines_len(&file, len).map_err(|e| FileError::new("read", &path, &e))?;
        if keep < len {
            file.set_len(keep)
                .map_err(|e| FileError::new("truncate", &path, &e))?;
        }
        Ok(Current {
            file,
            size: keep,
            cut: len - keep,
        })
    }

    /// Shifts the files one place: `appliance.log` becomes
    /// `appliance.log.1`, which becomes `appliance.log.2`, and so on up to
    /// the first number that is free, or up to `appliance.log.{keep-1}`,
    /// which the one before replaces (the oldest goes). Only the files
    /// that exist are renamed, and a gap (a rotation cut short by a kill)
    /// ends the shift there, which closes it. With `keep` 1,
    /// `appliance.log` goes. The caller then opens a new `appliance.log`.
    pub(crate) fn rotate(&self) -> Result<(), FileError> {
        if self.keep == 1 {
            let path = self.path(0);
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    Err(FileError::new("remove", &path, &e))
                }
                _ => Ok(()),
            };
        }
        let free = (1..self.keep)
            .find(|&n| std::fs::symlink_metadata(self.path(n)).is_err())
            .unwrap_or(self.keep - 1);
        for to in (1..=free).rev() {
            let from = self.path(to - 1);
            match std::fs::rename(&from, self.path(to)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(FileError::new("rename", &from, &e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The last `max` bytes of `appliance.log` (all of it if shorter), and
    /// whether they start inside it. `None` when there is no such file.
    pub(crate) fn read_tail(&self, max: u64) -> Result<Option<(Vec<u8>, bool)>, FileError> {
        let path = self.path(0);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(FileError::new("open", &path, &e)),
        };
        let meta = file
            .metadata()
            .map_err(|e| FileError::new("stat", &path, &e))?;
        if !meta.is_file() {
            return Ok(None);
        }
        let start = meta.len().saturating_sub(max);
        let mut tail = vec![0; usize::try_from(meta.len() - start).unwrap_or(0)];
        file.read_exact_at(&mut tail, start)
            .map_err(|e| FileError::new("read", &path, &e))?;
        Ok(Some((tail, start > 0)))
    }

    /// Makes renames and new files in the directory durable.
    pub(crate) fn sync_dir(&self) -> Result<(), FileError> {
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| FileError::new("fsync", &self.dir, &e))
    }
}

/// Length of the part of `file` (`len` bytes) that ends with its last LF.
fn whole_lines_len(file: &File, len: u64) -> io::Result<u64> {
    let mut end = len;
    let mut buf = [0u8; 4096];
    while end > 0 {
        // A buffer's worth, or what is left before `end`.
        let n = usize::try_from(end).map_or(buf.len(), |end| end.min(buf.len()));
        let start = end - n as u64;
        let chunk = &mut buf[..n];
        file.read_exact_at(chunk, start)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A fresh directory under the target's temporary directory.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("appliance-log-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_torn_last_line_is_cut_on_open() {
        let dir = scratch("torn");
        let files = LogFiles::new(&dir, 3);
        files.create_dir().unwrap();
        std::fs::write(files.path(0), b"line one\nline two\nline thr").unwrap();
        let current = files.open_current().unwrap();
        assert_eq!((current.size, current.cut), (18, 8));
        assert_eq!(
            std::fs::read(files.path(0)).unwrap(),
            b"line one\nline two\n"
        );

        // No LF at all: nothing whole is left.
        std::fs::write(files.path(0), vec![b'x'; 10_000]).unwrap();
        let mut current = files.open_current().unwrap();
        assert_eq!((current.size, current.cut), (0, 10_000));
        current.file.write_all(b"next\n").unwrap();
        assert_eq!(std::fs::read(files.path(0)).unwrap(), b"next\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rotation_shifts_and_drops_the_oldest() {
        let dir = scratch("rotate");
        let files = LogFiles::new(&dir, 3);
        files.create_dir().unwrap();
        for generation in 0..5 {
            std::fs::write(files.path(0), format!("{generation}\n")).unwrap();
            files.rotate().unwrap();
        }
        let read = |i| std::fs::read_to_string(files.path(i)).ok();
        assert_eq!(read(0), None);
        assert_eq!(read(1).as_deref(), Some("4\n"));
        assert_eq!(read(2).as_deref(), Some("3\n"));
        assert_eq!(read(3), None);

        // A gap left by a rotation cut short is closed by the next one.
        let files = LogFiles::new(&dir, 6);
        // Cut short after moving .2 to .3: .2 is missing.
        std::fs::rename(files.path(2), files.path(3)).unwrap();
        std::fs::write(files.path(0), "5\n").unwrap();
        files.rotate().unwrap();
        assert_eq!(read(1).as_deref(), Some("5\n"));
        assert_eq!(read(2).as_deref(), Some("4\n"));
        assert_eq!(read(3).as_deref(), Some("3\n"));
        std::fs::write(files.path(0), "6\n").unwrap();
        files.rotate().unwrap();
        let all: Vec<_> = (0..6).map(read).collect();
        assert_eq!(
            all,
            [
                None,
                Some("6\n".into()),
                Some("5\n".into()),
                Some("4\n".into()),
                Some("3\n".into()),
                None
            ]
        );

        let one = LogFiles::new(&dir, 1);
        std::fs::write(one.path(0), "x\n").unwrap();
        one.rotate().unwrap();
        assert!(!one.path(0).exists());
        one.rotate().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tails() {
        let dir = scratch("tail");
        let files = LogFiles::new(&dir, 2);
        files.create_dir().unwrap();
        assert_eq!(files.read_tail(10).unwrap(), None);
        std::fs::write(files.path(0), b"0123456789").unwrap();
        assert_eq!(files.read_tail(4).unwrap(), Some((b"6789".to_vec(), true)));
        assert_eq!(
            files.read_tail(40).unwrap(),
            Some((b"0123456789".to_vec(), false))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_in_the_way_of_the_directory() {
        let dir = scratch("notdir");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("plain");
        std::fs::write(&file, b"").unwrap();
        let err = LogFiles::new(&file, 2).create_dir().unwrap_err();
        assert_eq!(err.path, file);
        let err = LogFiles::new(file.join("sub"), 2).create_dir().unwrap_err();
        assert_eq!(err.errno, Errno::ENOTDIR);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
