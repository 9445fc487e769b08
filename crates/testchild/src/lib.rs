//! `appliance-testchild` is the process `applianced`'s tests start in place
//! of a real appliance program. The supervisor hands it pipe ends by fd
//! number in argv, as it does every child, and the test scripts what the
//! child then does: say HELLO with its pid, list its open fds, print,
//! sleep, wait for a signal, exit with a code, die of a signal (dumping
//! core if allowed), ignore SIGTERM, leave an orphan behind, echo frames or
//! count them. Each behaviour is one argument, and the actions run in
//! argument order, so a test composes exactly the child it needs
//! (`--ignore-term --print ready --pause`: the line says the disposition is
//! set; `--hello --count-frames 3 --exit 0`).
//! It depends on nothing but the appliance's own `wire` and `pipe-ends`
//! crates and `nix`, so it builds wherever the supervisor does.
//!
//! # Arguments
//!
//! Settings, which apply wherever they stand in argv, each given at most
//! once (every flag takes `--flag VALUE` or `--flag=VALUE`):
//!
//! | argument | meaning |
//! |---|---|
//! | `--rx FD` | read end of a pipe (taken with `pipe-ends`, made non-blocking) |
//! | `--tx FD` | write end of a pipe (taken with `pipe-ends`, left blocking) |
//! | `--tx-nonblock` | make `--tx` non-blocking: a frame that meets a full pipe is dropped, with a line on stderr |
//! | `--name NAME` | the name in frames (a wire token; default `testchild`) |
//!
//! Actions, run in argument order, each as often as given:
//!
//! | action | what it does |
//! |---|---|
//! | `--hello` | sends `HELLO name=NAME ver=pid-PID proto=1` on `--tx` (needs `--tx`) |
//! | `--report-fds` | prints `fd N -> TARGET` per open fd (from `/proc/self/fd`, sorted, without the directory's own fd), then `fds end`; with `--tx`, the same lines as `LOG name=NAME lvl=info text=...` frames |
//! | `--print TEXT` | writes TEXT and a newline to stdout |
//! | `--eprint TEXT` | writes TEXT and a newline to stderr |
//! | `--sleep-ms N` | sleeps N milliseconds |
//! | `--notify-fd N` | writes a newline to fd N (a pipe's write end, checked with `pipe-ends`) and closes it: s6-supervise's readiness notification |
//! | `--pause` | waits for a signal to end the process (`pause(2)` in a loop) |
//! | `--exit N` | exits with code N (0-255) at once |
//! | `--signal SIG` | raises SIG (`SIGTERM`, `TERM` or `15`) at itself; fault signals (SEGV, BUS, ILL, FPE, ABRT, TRAP, SYS) are first reset to `SIG_DFL`, others keep their disposition, so `--ignore-term --signal TERM` survives and goes on |
//! | `--core` | raises the soft `RLIMIT_CORE` to the hard limit, then `--signal SIGABRT` |
//! | `--ignore-term` | sets SIGTERM and SIGINT to `SIG_IGN` |
//! | `--fork-orphan MS` | forks a grandchild that sleeps MS ms, writes `orphan ends: its parent had exited` (or `... is alive`) on stdout and exits 0, prints `orphan PID` (and sends it as a `LOG` with `--tx`); does not wait for it. The grandchild keeps this process's open fds (stdout, the pipes) until it exits, as a real orphan would |
//! | `--echo` | sends back every good frame read from `--rx` on `--tx` (same TYPE and fields, with a checksum) until `--rx` reaches end of file; then the next action runs (needs both) |
//! | `--count-frames N` | reads `--rx` until N more good frames arrived, then prints `got N` and sends `LOG ... text=got%20N` with `--tx` (needs `--rx`); frames beyond N count towards the next `--count-frames` |
//! | `--print-frames N` | prints every good frame read from `--rx` as `frame BODY` (TYPE and fields, without CR, LF and checksum) until at least N were printed (needs `--rx`) |
//! | `--send BODY` | writes CR BODY LF on `--tx` in one `write(2)`, exactly as given: no checksum is added and nothing is checked, so a test can send hostile frames too (needs `--tx`) |
//! | `-h`, `--help` | prints the usage |
//! | `--version` | prints `appliance-testchild VERSION` |
//!
//! A line that goes both to stdout and as a `LOG` frame is written to
//! `--tx` first: once a test has read the line, the frame is in the pipe.
//!
//! When the environment variable `APPLIANCE_TESTCHILD_ARGS` ([`ARGS_ENV`])
//! is set, its words (split at spaces) replace the arguments: runsv starts
//! `./run` without arguments and s6-supervise with the service directory,
//! and the restart benchmark links `run` to this program so that no shell
//! stands between supervisor and child.
//!
//! When the actions are done the process exits 0. Exit codes: N for
//! `--exit N`; 64 (`EX_USAGE`) for an unknown argument, a bad value or
//! a bad pipe end (the message on stderr names it); 1 (`EXIT_FAILURE`)
//! when an action fails (a read error, `--rx` ending before `--count-frames`
//! is satisfied). Writes to stdout and stderr ignore errors (a test may have
//! closed its end), and failed frame sends are reported on stderr and do
//! not stop the script.

mod args;
mod out;
mod run;
mod sys;

pub use args::{Action, Config, HELP, MAX_FRAMES, MAX_SLEEP_MS, SPEC, parse};
pub use run::{RunError, run};

/// The environment variable whose words, when it is set, replace argv.
pub const ARGS_ENV: &str = "APPLIANCE_TESTCHILD_ARGS";

/// The program name, at the start of every diagnostic.
pub const PROGRAM: &str = "appliance-testchild";
