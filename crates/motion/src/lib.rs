//! `appliance-motion` is the appliance's motion sensor process: it reads an
//! MPU-6050 IMU (on an I2C bus, or simulated from a scenario) and sends an
//! `IMU` frame per sample to the GUI, and to the logger when given a second
//! pipe; it takes commands (`CMD` frames) from the GUI. The loop is the
//! shared one of [`sensor_node`]; this crate adds the device adapter
//! ([`MotionDevice`]) and the command line. `applianced` starts it with
//! its pipe ends named by fd number.
//!
//! # Arguments
//!
//! | argument | meaning |
//! |---|---|
//! | `--rx FD` | read end of the command pipe (from the GUI); required |
//! | `--tx FD` | write end of the sample pipe (to the GUI); required |
//! | `--log-tx FD` | write end of a second sample pipe (to the LOG process): every frame goes to both |
//! | `--device sim:SCENARIO` | the simulated MPU-6050 (`sensor-sim`), driven by the scenario file; its time 0 is the process start |
//! | `--device /dev/i2c-N` | a real MPU-6050 on this bus (`board-io`'s `I2cBus`: plain I2C or SMBus) |
//! | `--address 0x68\|0x69` | its address (AD0 low or high); default 0x68 |
//! | `--ready gpio:CHIP:LINE[:rising\|falling]` | data-ready from the INT pin on this GPIO line ([`board_io::GpioLine`]: `CHIP` is `gpiochipN` or a `/dev/` path; default edge rising, [`READY_EDGE`]); without it, a timer at the sample rate |
//! | `--rate HZ` | samples per second, 1 to 1000; default 100 |
//! | `--heartbeat-ms N` | `HB` interval, 1 to 3600000 ms, or 0 for no heartbeat; default 1000 |
//! | `--name NAME` | the name in frames; default `motion` |
//! | `-h`, `--help` | prints the usage ([`HELP`]) |
//! | `--version` | prints `appliance-motion VERSION` |
//!
//! Every flag takes its value as `--flag VALUE` or `--flag=VALUE`, once
//! (the shared `cli` crate reads them).
//!
//! # Commands
//!
//! `hello` and `stats` are the loop's. `rate hz=N` takes 1..=1000 (else
//! `ERR code=badarg` naming the range); `range accel=G gyro=DPS` takes
//! 2, 4, 8 or 16 g and 250, 500, 1000 or 2000 °/s (else `badarg` naming
//! them); `cal` averages the gyroscope over [`CALIBRATION_SAMPLES`]
//! samples at rest and answers when done (`ERR code=busy` if the device
//! moved); `selftest` runs the driver's plausibility self-test (`ACK`, or
//! `ERR` saying what failed); `gain` is `ERR code=unsupported`.
//!
//! # Exit codes
//!
//! | code | when |
//! |---|---|
//! | 0 | SIGTERM or SIGINT |
//! | 64 (`EX_USAGE`) | a bad or missing argument, a bad pipe end, a scenario that does not parse (the line names it) |
//! | 69 (`EX_UNAVAILABLE`) | the device is absent (no answer after 5 start attempts, the bus or GPIO line cannot be opened, the scenario cannot be read) or is not an MPU-6050 |
//! | 71 (`EX_OSERR`) | a system resource failed (signalfd, timerfd, poll) |
//! | 74 (`EX_IOERR`) | a pipe failed other than by being full (its reader is gone) |
//!
//! Each comes with one line on stderr saying what failed and what to check.

mod args;
mod device;
mod run;

pub use args::{Config, HELP, READY_EDGE, SPEC, parse};
pub use device::{CALIBRATION_SAMPLES, MotionDevice, RATE_HZ};
pub use run::{RunError, run};

/// The program name, at the start of every diagnostic.
pub const PROGRAM: &str = "appliance-motion";
