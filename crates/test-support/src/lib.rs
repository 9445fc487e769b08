//! What the workspace's tests share, so that each thing is done one way:
//!
//! - [`program`]: the path of a workspace binary, built first if it is not;
//! - [`WithEnds`]: start a program as `applianced` starts its children,
//!   with pipe ends at fds 3, 4, ...; [`pid_of`] a child, to signal it;
//! - [`Appliance`]: the real supervisor on a topology, with its log, and
//!   waits for lines in it;
//! - [`Frames`] and [`Lines`]: what a process writes to a pipe, read back
//!   with a deadline, as owned messages ([`Got`]) or as lines; [`encode`]
//!   for what a test writes;
//! - [`eventually`], [`within`], [`wait_exit`]: waits for a condition, with
//!   a deadline ([`DEADLINE`]), never a sleep that hopes;
//! - [`TempDir`]: a directory removed after a passing test and kept (its
//!   path printed) after a failing one; [`fifo`];
//! - [`procfs`]: what `/proc` says about a process (fds, children,
//!   zombies, state, context switches, where it sleeps);
//! - [`datasheet`]: the I2C parts' register maps from their datasheets,
//!   for the drivers' and the models' tests;
//! - [`position_in`]: whether a parser's `line:column` is in its text.
//!
//! Tests take it as a dev-dependency, fuzz projects by path: no program
//! of the appliance links it.
//!
//! # Where the programs come from
//!
//! A test that runs another package's binary (the supervisor's tests run
//! `appliance-testchild`, the system tests run every program) asks
//! [`program`] for it. Cargo puts a test in `TARGET/PROFILE/deps/` and the
//! workspace's binaries in `TARGET/PROFILE/`, so `program` looks there. A
//! binary that is missing (`cargo test -p applianced` on a fresh target
//! directory builds applianced's binaries only) is built then, with
//! `cargo build --bin NAME` on this workspace, for the same profile, target
//! directory and target triple as the test; the cargo is the one that runs
//! the test (the `CARGO` variable cargo sets), else `cargo` from `PATH`.
//! The build takes cargo's own lock on the build directory. The
//! `cargo test` that runs the test does not hold it while tests run, so
//! the nested build does not wait for its parent (checked with cargo 1.95:
//! `cargo test -p applianced` on a fresh target directory builds
//! `appliance-testchild` from inside its tests and goes on); builders in
//! several test processes take turns on that lock, and within one test
//! process a lock of this crate lets one build at a time.
//!
//! A binary that exists is used as it is. After changing a program, build
//! it (`cargo build`, or `cargo test --workspace`, which builds every
//! binary) before running another package's tests with it. Doc tests run
//! from a temporary directory and cannot use [`program`].

mod appliance;
mod argv;
pub mod datasheet;
mod frames;
mod lines;
mod position;
pub mod procfs;
mod program;
mod spawn;
mod temp;
mod wait;

pub use appliance::{Appliance, contains_in_order, expand, pid_in, repository};
pub use argv::{argv, to_run};
pub use frames::{Frames, Got, encode};
pub use lines::Lines;
pub use position::position_in;
pub use program::{program, programs};
pub use spawn::{WithEnds, pid_of};
pub use temp::{TempDir, fifo};
pub use wait::{DEADLINE, eventually, wait_exit, within};
