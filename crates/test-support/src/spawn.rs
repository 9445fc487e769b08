//! Starting a program as `applianced` starts its children: the pipe ends
//! its argv names at fds 3, 4, ...

use std::ffi::OsStr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use nix::libc;
use nix::sys::resource::{Resource, rlim_t, setrlimit};
use nix::unistd::Pid;

/// Where the ends are parked in the child on their way to 3, 4, ...: above
/// any target, so that placing one never overwrites another.
const PARKING: RawFd = 100;

/// Pipe ends to place at fds 3, 4, ... (in order) in a child, and the
/// resource limits it starts with. The child gets exactly fds 0-2 and these
/// (every other fd above 2 is closed on exec) and no core dumps.
///
/// ```no_run
/// use std::process::{Command, Stdio};
/// use test_support::WithEnds;
///
/// let (rx, _tx) = std::io::pipe().unwrap();
/// let child = WithEnds::new([rx.into()])
///     .spawn(Command::new("appliance-log").args(["--rx", "3", "--dir", "logs"]).stdin(Stdio::null()))
///     .unwrap();
/// # drop(child);
/// ```
#[derive(Debug)]
pub struct WithEnds {
    ends: Vec<OwnedFd>,
    limits: Vec<(Resource, rlim_t)>,
}

impl WithEnds {
    /// `ends` for fds 3, 4, ...
    pub fn new(ends: impl IntoIterator<Item = OwnedFd>) -> WithEnds {
        let ends: Vec<OwnedFd> = ends.into_iter().collect();
        assert!(
            ends.len() < (PARKING - 3) as usize,
            "{} pipe ends: too many",
            ends.len()
        );
        WithEnds {
            ends,
            limits: vec![(Resource::RLIMIT_CORE, 0)],
        }
    }

    /// Sets `resource` (soft and hard) to `value` in the child.
    pub fn limit(mut self, resource: Resource, value: rlim_t) -> WithEnds {
        self.limits.push((resource, value));
        self
    }

    /// Spawns `program ARGS` with the ends in place, stdin null, stdout and
    /// stderr piped; panics if it cannot be started.
    #[track_caller]
    pub fn spawn_piped(self, program: impl AsRef<OsStr>, args: &[&str]) -> Child {
        let program = program.as_ref();
        self.spawn(
            Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()))
    }

    /// Spawns `command` with the ends in place; the ends are closed here
    /// once the child has them.
    pub fn spawn(self, command: &mut Command) -> std::io::Result<Child> {
        let sources: Vec<RawFd> = self.ends.iter().map(AsRawFd::as_raw_fd).collect();
        // Allocated here: the hook runs between fork and exec and must not.
        let parked = vec![-1; sources.len()];
        install(command, sources, parked, self.limits);
        let child = command.spawn();
        drop(self.ends);
        child
    }
}

/// Installs the hook that does the child's side of [`WithEnds`].
#[allow(
    unsafe_code,
    reason = "placing pipe ends at fixed fd numbers in the child needs a pre_exec hook and raw fd calls"
)]
fn install(
    command: &mut Command,
    sources: Vec<RawFd>,
    mut parked: Vec<RawFd>,
    limits: Vec<(Resource, rlim_t)>,
) {
    let hook = move || -> std::io::Result<()> {
        // Between fork and exec: async-signal-safe system calls only, on
        // values prepared before the fork; errors are `Os` errors built
        // from errno, without allocating.
        for &(resource, value) in &limits {
            setrlimit(resource, value, value)?;
        }
        // The flags argument is a c_int; the flag bits are the same.
        let flags = libc::CLOSE_RANGE_CLOEXEC.cast_signed();
        // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets a flag on
        // fds; it reads no memory of ours.
        let r = unsafe { libc::close_range(3, libc::c_uint::MAX, flags) };
        if r == -1 {
            return Err(std::io::Error::last_os_error());
        }
        for (to, &from) in parked.iter_mut().zip(&sources) {
            // SAFETY: F_DUPFD_CLOEXEC on an fd number takes and returns
            // plain integers; a bad fd is EBADF, not undefined behaviour.
            *to = unsafe { libc::fcntl(from, libc::F_DUPFD_CLOEXEC, PARKING) };
            if *to == -1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        for (target, &from) in (3..).zip(&parked) {
            // SAFETY: dup2 of plain fd numbers in this (child) process; the
            // target held nothing or an fd marked close-on-exec above, and
            // dup2 clears close-on-exec on the copy.
            if unsafe { libc::dup2(from, target) } == -1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    };
    // SAFETY: the hook makes only async-signal-safe system calls
    // (setrlimit, close_range, fcntl, dup2) on values it owns, and
    // allocates nothing.
    unsafe { command.pre_exec(hook) };
}

/// The pid of `child`, as nix takes it (Linux pids are below 2^22).
pub fn pid_of(child: &Child) -> Pid {
    Pid::from_raw(i32::try_from(child.id()).expect("a pid fits in i32"))
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::fd::OwnedFd;

    use super::WithEnds;

    #[test]
    fn the_child_gets_stdio_and_the_ends_in_order_and_nothing_else() {
        let (first, _first_w) = std::io::pipe().unwrap();
        let (_second_r, second) = std::io::pipe().unwrap();
        let names: Vec<String> = [
            OwnedFd::from(first.try_clone().unwrap()),
            second.try_clone().unwrap().into(),
        ]
        .iter()
        .map(|fd| {
            let n = std::os::fd::AsRawFd::as_raw_fd(fd);
            std::fs::read_link(format!("/proc/self/fd/{n}"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
        // Decoys: open here, not for the child.
        let _decoy = std::fs::File::open("/dev/null").unwrap();
        let mut child = WithEnds::new([first.into(), second.into()])
            .spawn_piped("/bin/sh", &["-c", "ls -l /proc/self/fd/ | tail -n +2"]);
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(child.wait().unwrap().success());
        // ls itself opens the directory it lists: skip that one.
        let fds: Vec<(&str, &str)> = out
            .lines()
            .filter_map(|l| l.split_once(" -> "))
            .map(|(left, target)| (left.rsplit(' ').next().unwrap(), target))
            .filter(|(_, target)| !target.starts_with("/proc/"))
            .collect();
        let numbers: Vec<&str> = fds.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, ["0", "1", "2", "3", "4"], "{out}");
        assert_eq!(fds[3].1, names[0], "{out}");
        assert_eq!(fds[4].1, names[1], "{out}");
    }
}
