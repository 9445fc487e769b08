//! Taking the pipe ends, opening the device, running the loop.

use std::fmt::Display;
use std::sync::Arc;

use board_io::{I2cBus, I2cOpenError, ReadyError, ReadySource};
use cli::exit::{EX_OK, EX_OSERR, EX_UNAVAILABLE, EX_USAGE};
use embedded_hal::i2c::I2c;
use nix::errno::Errno;
use pipe_ends::{End, PipeEnd, PipeEndError};
use sensor_node::{DataReady, DeviceSpec, Node, NodeConfig, NodeError, Output, SensorDevice};
use sensor_sim::{AddressError, LoadError, MonotonicClock, Mpu6050Model, Scenario};

use crate::PROGRAM;
use crate::args::{Config, READY_EDGE};
use crate::device::MotionDevice;

/// Why the process stopped other than by a signal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// `--rx`, `--tx` or `--log-tx` is not a usable pipe end. Exit 64.
    #[error(transparent)]
    PipeEnd(#[from] PipeEndError),
    /// The scenario of `--device sim:PATH` cannot be loaded. Exit 69.
    #[error("--device sim: {0}")]
    Scenario(LoadError),
    /// The simulated part cannot have the address. Exit 69.
    #[error("--device sim: {0}")]
    SimAddress(AddressError),
    /// The I2C bus cannot be opened. Exit 69.
    #[error("--device: {0}")]
    Bus(I2cOpenError),
    /// The `--ready` GPIO line cannot be had. Exit 69.
    #[error("--ready: {0}")]
    Ready(ReadyError),
    /// SIGTERM and SIGINT could not be blocked. Exit 71.
    #[error("blocking SIGTERM and SIGINT: {0}")]
    Signals(Errno),
    /// The loop stopped: see [`NodeError::exit_code`].
    #[error(transparent)]
    Node(#[from] NodeError),
}

impl RunError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            // A scenario that does not parse is a bad argument; one that
            // cannot be read is a simulated device that is absent, as a
            // missing /dev/i2c-N is (the same rule in appliance-light).
            RunError::PipeEnd(_) | RunError::Scenario(LoadError::Parse { .. }) => EX_USAGE,
            RunError::Scenario(_)
            | RunError::SimAddress(_)
            | RunError::Bus(_)
            | RunError::Ready(_) => EX_UNAVAILABLE,
            RunError::Signals(_) => EX_OSERR,
            RunError::Node(e) => e.exit_code(),
        }
    }
}

/// Runs the process as `config` says until SIGTERM or SIGINT (0) or an
/// error, reported in one line on stderr (its [`RunError::exit_code`]).
pub fn run(config: &Config) -> u8 {
    match serve(config) {
        Ok(signal) => {
            cli::say(&format_args!("{PROGRAM}: {signal}: stopping"));
            EX_OK
        }
        Err(e) => {
            cli::say(&format_args!("{PROGRAM}: {e}"));
            e.exit_code()
        }
    }
}

fn serve(config: &Config) -> Result<nix::sys::signal::Signal, RunError> {
    // From here a SIGTERM waits for the loop's signalfd.
    sensor_node::block_stop_signals().map_err(RunError::Signals)?;
    let rx = PipeEnd::from_arg("--rx", &config.rx, End::Read)?;
    let tx = PipeEnd::from_arg("--tx", &config.tx, End::Write)?;
    let mut outputs = vec![Output::new("--tx", tx)];
    if let Some(log_tx) = &config.log_tx {
        outputs.push(Output::new(
            "--log-tx",
            PipeEnd::from_arg("--log-tx", log_tx, End::Write)?,
        ));
    }
    let ready = match &config.ready {
        Some(gpio) => DataReady::Source(
            ReadySource::gpio_edge(&gpio.chip, gpio.line, gpio.edge_or(READY_EDGE))
                .map_err(RunError::Ready)?,
        ),
        None => DataReady::Timer,
    };
    let mut node_config = NodeConfig {
        name: config.name.clone(),
        program: PROGRAM,
        outputs,
        commands: Some(rx.into_owned_fd()),
        ready,
        heartbeat: config.heartbeat,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ..NodeConfig::default()
    };
    let address = config.address;
    match &config.device {
        DeviceSpec::Sim(path) => {
            let scenario = Scenario::load(path).map_err(RunError::Scenario)?;
            // Scenario time 0 is now: the process start.
            let model = Mpu6050Model::new(
                address.bits(),
                Arc::new(scenario),
                MonotonicClock::start_now(),
            )
            .map_err(RunError::SimAddress)?;
            let label = format!("sim:{} MPU-6050 at {:#04x}", path.display(), address.bits());
            node_config.check = Some("check the scenario's `imu fault` lines".to_owned());
            serve_with(
                MotionDevice::new(model, address, label),
                config,
                node_config,
            )
        }
        DeviceSpec::I2c(path) => {
            let bus = I2cBus::open(path, address.bits()).map_err(RunError::Bus)?;
            let label = format!("MPU-6050 on {} at {:#04x}", path.display(), address.bits());
            serve_with(MotionDevice::new(bus, address, label), config, node_config)
        }
    }
}

fn serve_with<I2C>(
    device: MotionDevice<I2C>,
    config: &Config,
    node_config: NodeConfig,
) -> Result<nix::sys::signal::Signal, RunError>
where
    I2C: I2c,
    I2C::Error: Display,
{
    let device = device.with_rate_hz(config.rate_hz);
    Ok(run_node(device, node_config)?)
}

fn run_node<D: SensorDevice>(
    device: D,
    config: NodeConfig,
) -> Result<nix::sys::signal::Signal, NodeError> {
    Node::new(device, config)?.run()
}
