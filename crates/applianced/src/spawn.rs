//! Starting one child process, with care: the only place in the supervisor
//! that creates processes.
//!
//! Everything the child needs (C strings for the path, argv, envp and cwd;
//! the pointer arrays `execve` takes; the fd plan; the rlimits) is prepared
//! before the child exists, once per process, in a [`Recipe`]. The child is
//! made vfork-style, as `posix_spawn` makes it: `clone(CLONE_VM |
//! CLONE_VFORK)` on a stack of its own, so no page table is copied and
//! none torn down at `execve`, and the supervisor is suspended until the
//! child has exec'd or exited. Between clone and `execve` the child makes
//! raw syscalls only, all async-signal-safe: no allocation, no lock, no
//! logging. It resets every signal disposition that is not the default,
//! then the signal mask, leads its own process group, puts stdin, stdout,
//! stderr and its pipe ends at their numbers, changes directory, sets its
//! rlimits and execs. If a step fails it writes the step and `errno` into a
//! report in the memory it shares with the supervisor (the only shared
//! memory it writes) and exits 127; when the supervisor resumes the report
//! is final, so an exec failure is reported as `exec PATH: reason`, not as
//! a mystery exit 127. (`posix_spawn` reports the same way; a close-on-exec
//! error pipe, the classic fork-era channel, would add a blocking read and
//! a wakeup to every restart.)
//!
//! The fd plan cannot clobber itself: every fd the supervisor owns is kept
//! at or above [`FD_FLOOR`] ([`lift`]), and children's fds are below it.

#![allow(
    unsafe_code,
    reason = "clone, execve and the raw syscalls between them have no safe wrappers that avoid allocation"
)]

use std::ffi::{CString, OsStr};
use std::io;
use std::num::NonZeroUsize;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};
use nix::libc;
use nix::sched::CloneFlags;
use nix::sys::mman;
use nix::unistd::Pid;

use crate::topology::{Process, RlimitResource, RlimitValue};

/// Every fd the supervisor hands to children lives at or above this
/// number; children get theirs below it (0, 1, 2, then 3 and up).
pub const FD_FLOOR: RawFd = 64;

/// The most pipe ends one child can get: fds 3 up to [`FD_FLOOR`] - 1.
pub const MAX_CHILD_FDS: usize = (FD_FLOOR - 3) as usize;

/// Moves `fd` to the lowest free number at or above [`FD_FLOOR`],
/// close-on-exec.
pub fn lift(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() >= FD_FLOOR {
        return Ok(fd);
    }
    let raw = fcntl(&fd, FcntlArg::F_DUPFD_CLOEXEC(FD_FLOOR))?;
    // SAFETY: F_DUPFD_CLOEXEC returned a new fd that nothing else owns.
    Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) })
}

/// The step of the child's set-up that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    /// `setpgid`: leading its own process group.
    ProcessGroup = 1,
    /// `dup2`: putting an fd at its number.
    Fds = 2,
    /// `chdir` to the working directory.
    Chdir = 3,
    /// `setrlimit`.
    Rlimit = 4,
    /// `execve` itself.
    Exec = 5,
}

impl Stage {
    fn from_byte(b: u8) -> Option<Stage> {
        [
            Stage::ProcessGroup,
            Stage::Fds,
            Stage::Chdir,
            Stage::Rlimit,
            Stage::Exec,
        ]
        .into_iter()
        .find(|s| *s as u8 == b)
    }
}

/// Why a child did not start.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// `clone` failed (no memory, or the process limit).
    #[error("{name}: cannot start a process: {source}")]
    Fork {
        /// The process.
        name: String,
        /// The error.
        source: io::Error,
    },
    /// A step in the child failed: `exec PATH: No such file or directory`.
    #[error("{name}: {}", describe(*.stage, .path, .cwd, *.errno))]
    Child {
        /// The process.
        name: String,
        /// The child that failed (already reaped).
        pid: Pid,
        /// Its program.
        path: String,
        /// Its working directory.
        cwd: String,
        /// The failed step.
        stage: Stage,
        /// Its errno.
        errno: Errno,
    },
    /// An argument, environment entry or path holds a NUL byte.
    #[error("{name}: {what} contains a NUL byte")]
    Nul {
        /// The process.
        name: String,
        /// Which value.
        what: String,
    },
}

fn describe(stage: Stage, path: &str, cwd: &str, errno: Errno) -> String {
    let reason = io::Error::from(errno);
    match stage {
        Stage::Exec => format!("exec {path}: {reason}"),
        Stage::Chdir => format!("chdir {cwd}: {reason}"),
        Stage::ProcessGroup => format!("setpgid: {reason}"),
        Stage::Fds => format!("dup2 of an inherited fd: {reason}"),
        Stage::Rlimit => format!("setrlimit: {reason}"),
    }
}

/// What a child needs, prepared before the child exists and reused for every restart.
pub struct Recipe {
    name: String,
    path: CString,
    cwd: CString,
    // The pointer arrays point into these; CString's heap data does not
    // move when the Vec does, and neither is changed after construction.
    _argv: Vec<CString>,
    _envp: Vec<CString>,
    argv_ptrs: Vec<*const libc::c_char>,
    envp_ptrs: Vec<*const libc::c_char>,
    rlimits: Vec<(nix::sys::resource::Resource, nix::sys::resource::rlim_t)>,
}

fn cstring(name: &str, what: &str, bytes: &[u8]) -> Result<CString, SpawnError> {
    CString::new(bytes).map_err(|_| SpawnError::Nul {
        name: name.to_owned(),
        what: what.to_owned(),
    })
}

fn resource(r: RlimitResource) -> nix::sys::resource::Resource {
    use nix::sys::resource::Resource as R;
    match r {
        RlimitResource::As => R::RLIMIT_AS,
        RlimitResource::Core => R::RLIMIT_CORE,
        RlimitResource::Cpu => R::RLIMIT_CPU,
        RlimitResource::Data => R::RLIMIT_DATA,
        RlimitResource::Fsize => R::RLIMIT_FSIZE,
        RlimitResource::Locks => R::RLIMIT_LOCKS,
        RlimitResource::Memlock => R::RLIMIT_MEMLOCK,
        RlimitResource::Msgqueue => R::RLIMIT_MSGQUEUE,
        RlimitResource::Nice => R::RLIMIT_NICE,
        RlimitResource::Nofile => R::RLIMIT_NOFILE,
        RlimitResource::Nproc => R::RLIMIT_NPROC,
        RlimitResource::Rss => R::RLIMIT_RSS,
        RlimitResource::Rtprio => R::RLIMIT_RTPRIO,
        RlimitResource::Rttime => R::RLIMIT_RTTIME,
        RlimitResource::Sigpending => R::RLIMIT_SIGPENDING,
        RlimitResource::Stack => R::RLIMIT_STACK,
    }
}

impl Recipe {
    /// Prepares `process` (`argv[0]` is its program path).
    pub fn new(process: &Process) -> Result<Recipe, SpawnError> {
        let name = &process.name;
        let path = cstring(name, "exec", process.exec.as_os_str().as_bytes())?;
        let cwd = cstring(name, "cwd", process.cwd.as_os_str().as_bytes())?;
        let mut argv = vec![path.clone()];
        for (i, arg) in process.args.iter().enumerate() {
            argv.push(cstring(
                name,
                &format!("argument {}", i + 1),
                arg.as_bytes(),
            )?);
        }
        let mut envp = Vec::new();
        for (key, value) in &process.env {
            envp.push(cstring(
                name,
                &format!("env {key}"),
                format!("{key}={value}").as_bytes(),
            )?);
        }
        let ptrs = |v: &[CString]| {
            v.iter()
                .map(|c| c.as_ptr())
                .chain(std::iter::once(std::ptr::null()))
                .collect()
        };
        let rlimits = process
            .rlimits
            .iter()
            .map(|r| {
                let value = match r.value {
                    RlimitValue::Limit(n) => n as nix::sys::resource::rlim_t,
                    RlimitValue::Unlimited => nix::sys::resource::RLIM_INFINITY,
                };
                (resource(r.resource), value)
            })
            .collect();
        Ok(Recipe {
            name: name.clone(),
            argv_ptrs: ptrs(&argv),
            envp_ptrs: ptrs(&envp),
            _argv: argv,
            _envp: envp,
            path,
            cwd,
            rlimits,
        })
    }

    /// The program path, for messages.
    pub fn path(&self) -> &Path {
        Path::new(OsStr::from_bytes(self.path.as_bytes()))
    }
}

/// The fds a child gets: `stdio` becomes 0, 1, 2; each `(source, target)`
/// of `pipes` puts the supervisor's `source` at the child's `target`.
pub struct FdPlan<'a> {
    /// stdin, stdout, stderr.
    pub stdio: [RawFd; 3],
    /// Pipe ends: (the supervisor's fd, the child's fd number).
    pub pipes: &'a [(RawFd, RawFd)],
}

/// Starts one child by `recipe` with `fds`. Returns its pid once `execve`
/// has succeeded; a failed set-up or exec is an error, and that child has
/// been reaped.
pub fn spawn(recipe: &Recipe, fds: &FdPlan<'_>, stack: &mut ChildStack) -> Result<Pid, SpawnError> {
    let fork_error = |source: io::Error| SpawnError::Fork {
        name: recipe.name.clone(),
        source,
    };
    debug_assert!(
        fds.stdio
            .iter()
            .chain(fds.pipes.iter().map(|(s, _)| s))
            .all(|&fd| fd >= FD_FLOOR),
        "sources must be lifted above FD_FLOOR"
    );
    let to_reset = signals_to_reset();
    let report = Report::default();

    // SAFETY: the supervisor is single-threaded. With CLONE_VM the child
    // shares this address space and with CLONE_VFORK this thread waits
    // until the child has exec'd or exited, so nothing changes under it.
    // The child runs `in_child` on `stack`, which is large enough for it
    // (a few syscall wrappers deep, no recursion; an overflow would hit
    // its guard page and fault, not corrupt memory), and makes
    // async-signal-safe syscalls only: no allocation, no lock; the only
    // shared memory it writes is `report` (and errno, which the parent
    // does not read after a successful clone).
    let child = unsafe {
        nix::sched::clone(
            Box::new(|| in_child(recipe, fds, to_reset, &report)),
            stack.as_mut_slice(),
            CloneFlags::CLONE_VM | CloneFlags::CLONE_VFORK,
            Some(libc::SIGCHLD),
        )
    }
    .map_err(|e| fork_error(e.into()))?;
    // Also set in the parent: whichever runs first, the group exists
    // before anyone signals it. EACCES after exec is harmless.
    let _ = nix::unistd::setpgid(child, child);
    // CLONE_VFORK: the child has exec'd or exited by now, so the report is
    // final.
    match report.read() {
        None => Ok(child),
        Some((stage, errno)) => {
            // It exits at once; reap it here so no zombie is left.
            let _ = nix::sys::wait::waitpid(child, None);
            Err(SpawnError::Child {
                name: recipe.name.clone(),
                pid: child,
                path: recipe.path().display().to_string(),
                cwd: String::from_utf8_lossy(recipe.cwd.as_bytes()).into_owned(),
                stage,
                errno,
            })
        }
    }
}

/// What a failed child leaves for the supervisor: the step and its errno,
/// written by the child into memory it shares with the supervisor
/// (CLONE_VM) before it exits; untouched when `execve` succeeds. This is
/// how `posix_spawn` reports, and it needs no pipe and no second wakeup.
#[derive(Default)]
struct Report {
    stage: AtomicU8,
    errno: AtomicI32,
}

impl Report {
    fn write(&self, stage: Stage, errno: i32) {
        self.errno.store(errno, Ordering::SeqCst);
        self.stage.store(stage as u8, Ordering::SeqCst);
    }

    fn read(&self) -> Option<(Stage, Errno)> {
        let stage = Stage::from_byte(self.stage.load(Ordering::SeqCst))?;
        Some((stage, Errno::from_raw(self.errno.load(Ordering::SeqCst))))
    }
}

/// The child's stack between clone and exec: `in_child` needs a few KiB.
const CHILD_STACK: usize = 64 * 1024;

/// The stack a child runs on between clone and exec: 64 KiB (`CHILD_STACK`)
/// of anonymous memory with an inaccessible guard page below them (stacks
/// grow down), so an overflow faults in the child instead of writing over
/// the supervisor's heap, which the child shares until it execs. Made once
/// and reused for every spawn: with CLONE_VFORK only one child runs on it
/// at a time.
pub struct ChildStack {
    /// The whole mapping: the guard page, then the stack.
    base: NonNull<libc::c_void>,
    guard: usize,
}

impl ChildStack {
    /// Maps the stack and its guard page.
    pub fn new() -> io::Result<ChildStack> {
        let guard = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)?
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(4096);
        let len = NonZeroUsize::new(guard + CHILD_STACK).ok_or(io::ErrorKind::InvalidInput)?;
        // SAFETY: a new private anonymous mapping at an address the kernel
        // chooses: it aliases nothing; it is unmapped only by Drop.
        let base = unsafe {
            mman::mmap_anonymous(
                None,
                len,
                mman::ProtFlags::PROT_READ | mman::ProtFlags::PROT_WRITE,
                mman::MapFlags::MAP_PRIVATE | mman::MapFlags::MAP_STACK,
            )
        }?;
        // SAFETY: the first page of the mapping just made, which nothing
        // refers to yet; from now on any access to it faults.
        let guarded = unsafe { mman::mprotect(base, guard, mman::ProtFlags::PROT_NONE) };
        let stack = ChildStack { base, guard };
        guarded?;
        Ok(stack)
    }

    /// The usable stack, above the guard page.
    fn as_mut_slice(&mut self) -> &mut [u8] {
        let start = self.base.as_ptr().cast::<u8>().wrapping_add(self.guard);
        // SAFETY: `start` is `guard` bytes into the mapping, which is
        // guard + CHILD_STACK bytes, readable and writable above the guard
        // page, alive as long as `self`, and borrowed mutably through
        // `self` only.
        unsafe { std::slice::from_raw_parts_mut(start, CHILD_STACK) }
    }

    /// The address of the guard page's first byte (tests fault on it).
    pub fn guard_page(&self) -> *const u8 {
        self.base.as_ptr().cast::<u8>()
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping `new` made; no child runs on
        // it (spawn returns only once its child has exec'd or exited).
        let _ = unsafe { mman::munmap(self.base, self.guard + CHILD_STACK) };
    }
}

/// The signals whose disposition is not `SIG_DFL` in this process, read
/// once: an ignored signal stays ignored across exec, and a handler must
/// not run in a child that shares the supervisor's memory. The supervisor
/// never changes a disposition after it starts (it takes signals through a
/// signalfd), so the set read at the first spawn holds for every spawn.
fn signals_to_reset() -> &'static [libc::c_int] {
    static SET: std::sync::OnceLock<Vec<libc::c_int>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        (1..=LAST_SIGNAL)
            .filter(|&s| s != libc::SIGKILL && s != libc::SIGSTOP)
            .filter(|&s| sys::disposition_is_default(s) == Some(false))
            .collect()
    })
}

/// Linux signals are 1 to 64 on every architecture we build for.
const LAST_SIGNAL: libc::c_int = 64;

/// The child between clone and exec. Async-signal-safe syscalls only, each
/// behind a one-line wrapper below.
fn in_child(recipe: &Recipe, fds: &FdPlan<'_>, to_reset: &[libc::c_int], report: &Report) -> ! {
    let fail = |stage: Stage| -> ! {
        report.write(stage, Errno::last_raw());
        sys::exit(127)
    };
    // Default dispositions first (an ignored signal would stay ignored
    // across exec; a handler would run on shared memory), then an empty
    // mask (a blocked mask is inherited too).
    for &signal in to_reset {
        sys::default_disposition(signal);
    }
    let _ = nix::sys::signal::sigprocmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&nix::sys::signal::SigSet::empty()),
        None,
    );
    if nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0)).is_err() {
        fail(Stage::ProcessGroup);
    }
    // Nothing but the plan may reach the program: mark every fd from 3 up
    // close-on-exec (the supervisor may have inherited fds without it, such
    // as a jobserver's), then dup2 the plan, which clears the mark on each
    // target.
    if !sys::cloexec_from(3) {
        fail(Stage::Fds);
    }
    // Sources are all >= FD_FLOOR and targets below it, so no dup2
    // overwrites a source still to be copied; dup2 clears close-on-exec
    // on the target, and every source (close-on-exec) closes at exec.
    for (target, &source) in (0..).zip(&fds.stdio) {
        if !sys::dup2(source, target) {
            fail(Stage::Fds);
        }
    }
    for &(source, target) in fds.pipes {
        if !sys::dup2(source, target) {
            fail(Stage::Fds);
        }
    }
    if nix::unistd::chdir(recipe.cwd.as_c_str()).is_err() {
        fail(Stage::Chdir);
    }
    for &(resource, value) in &recipe.rlimits {
        if nix::sys::resource::setrlimit(resource, value, value).is_err() {
            fail(Stage::Rlimit);
        }
    }
    sys::execve(recipe);
    fail(Stage::Exec)
}

/// The raw syscalls the child needs that nix wraps only with allocation or
/// ownership rules that do not fit between clone and exec.
mod sys {
    use super::{Recipe, libc};
    use std::os::fd::RawFd;

    /// The kernel's `struct sigaction` as raw words, large enough on
    /// every target we build for: the handler is its first word there
    /// (x86_64, aarch64, arm), and all zeros is `SIG_DFL`, no flags, an
    /// empty mask. The raw syscall, not libc's `sigaction`, because libc
    /// refuses the signals it reserves (32 and 33 in glibc), and an
    /// ignored one of those stays ignored across exec too.
    type KernelSigaction = [libc::c_ulong; 8];

    /// Whether `signal`'s disposition is anything but `SIG_DFL` (ignored
    /// or handled), or `None` for a number the kernel refuses.
    pub(super) fn disposition_is_default(signal: libc::c_int) -> Option<bool> {
        let mut old: KernelSigaction = [0; 8];
        // SAFETY: rt_sigaction(2) with no new action writes the current
        // one into `old`, which is larger than the kernel's struct; the
        // sigset size is the kernel's (8 bytes).
        let done = unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                std::ptr::null::<KernelSigaction>(),
                &mut old,
                8usize,
            )
        } == 0;
        done.then_some(old[0] == 0)
    }

    pub(super) fn default_disposition(signal: libc::c_int) {
        let action: KernelSigaction = [0; 8];
        // SAFETY: rt_sigaction(2) from an all-zero kernel struct (SIG_DFL,
        // no flags, empty mask) and no old action.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                &action,
                std::ptr::null_mut::<KernelSigaction>(),
                8usize,
            )
        };
    }

    pub(super) fn dup2(source: RawFd, target: RawFd) -> bool {
        // SAFETY: dup2(2) on plain fd numbers; the target is one the child
        // owns by the plan, and no Rust object in the child refers to it.
        unsafe { libc::dup2(source, target) >= 0 }
    }

    /// Sets close-on-exec on every fd from `first` up: close_range(2) with
    /// CLOSE_RANGE_CLOEXEC (Linux 5.11), else fd by fd up to the fd limit.
    pub(super) fn cloexec_from(first: RawFd) -> bool {
        const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
        let Ok(from) = libc::c_uint::try_from(first) else {
            return false;
        };
        // SAFETY: close_range(2) only sets flags on this process's fds.
        let done = unsafe {
            libc::syscall(
                libc::SYS_close_range,
                from,
                libc::c_uint::MAX,
                CLOSE_RANGE_CLOEXEC,
            )
        } == 0;
        if done {
            return true;
        }
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit(2) into a local.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return false;
        }
        let last = RawFd::try_from(limit.rlim_cur.min(1 << 20)).unwrap_or(1 << 20);
        for fd in first..last {
            // SAFETY: fcntl(2) F_SETFD on a number; EBADF for closed fds.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        true
    }

    pub(super) fn exit(code: libc::c_int) -> ! {
        // SAFETY: _exit(2) ends the process without running atexit
        // handlers or destructors, which belong to the parent's state.
        unsafe { libc::_exit(code) }
    }

    pub(super) fn execve(recipe: &Recipe) {
        // SAFETY: path is a C string; argv and envp are null-terminated
        // arrays of pointers to C strings, all owned by `recipe`, built
        // before clone and unchanged since. Returns only on failure.
        unsafe {
            libc::execve(
                recipe.path.as_ptr(),
                recipe.argv_ptrs.as_ptr(),
                recipe.envp_ptrs.as_ptr(),
            )
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::{WaitStatus, waitpid};

    #[test]
    fn the_child_stack_has_a_guard_page_below_it_that_faults() {
        let mut stack = ChildStack::new().expect("mmap");
        let usable = stack.as_mut_slice();
        assert_eq!(usable.len(), CHILD_STACK);
        usable[0] = 1;
        let bottom = usable.as_ptr();
        let guard = stack.guard_page().cast_mut();
        assert!(guard < bottom.cast_mut());
        // SAFETY: the child of this multi-threaded test process only
        // writes to memory and exits, both async-signal-safe.
        match unsafe { nix::unistd::fork() }.expect("fork") {
            nix::unistd::ForkResult::Child => {
                // SAFETY: the write is the point: the guard page must fault.
                unsafe { std::ptr::write_volatile(guard, 1) };
                sys::exit(0)
            }
            nix::unistd::ForkResult::Parent { child } => {
                let status = waitpid(child, None).expect("waitpid");
                assert!(
                    matches!(
                        status,
                        WaitStatus::Signaled(pid, nix::sys::signal::Signal::SIGSEGV, _) if pid == child
                    ),
                    "{status:?}"
                );
            }
        }
    }
}
