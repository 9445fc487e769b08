//! The process around the adapters: [`run`] takes the pipe ends, opens
//! the device (a Linux I2C bus or the simulated board) and hands its
//! adapter to the shared loop.

use std::path::Path;
use std::sync::Arc;

use board_io::{Edge, I2cBus, ReadySource};
use cli::exit::{EX_OK, EX_UNAVAILABLE, EX_USAGE};
use pipe_ends::{End, PipeEnd};
use sensor_node::{DataReady, DeviceSpec, Node, NodeConfig, Output, SensorDevice};
use sensor_sim::{Ads1115Model, LdrCircuit, MonotonicClock, Scenario, Veml7700Model};
use sensors::ads1115::{Address, ReadyPolarity};

use crate::ads1115::{Ads1115Light, Ads1115Settings};
use crate::args::{Options, Part, READY_EDGE};
use crate::veml7700::{Veml7700Light, Veml7700Settings};
use crate::{InvalidSetting, PROGRAM, report};

/// Why the process could not get going; each is one line on stderr.
#[derive(Debug, thiserror::Error)]
enum SetupError {
    #[error("{0}")]
    PipeEnd(#[from] pipe_ends::PipeEndError),
    #[error("--device: {0}")]
    Scenario(#[from] sensor_sim::LoadError),
    #[error("--device: {0}")]
    SimAddress(#[from] sensor_sim::AddressError),
    #[error("{0}")]
    Setting(#[from] InvalidSetting),
    #[error("{0}")]
    Bus(#[from] board_io::I2cOpenError),
    #[error("--ready: {0}")]
    Ready(#[from] board_io::ReadyError),
}

impl SetupError {
    fn exit_code(&self) -> u8 {
        match self {
            // A scenario that cannot be read is a simulated device that is
            // absent, as a missing /dev/i2c-N is; one that does not parse is
            // a bad argument (the same rule in appliance-motion).
            SetupError::Scenario(sensor_sim::LoadError::Read { .. })
            | SetupError::Bus(_)
            | SetupError::Ready(_) => EX_UNAVAILABLE,
            SetupError::PipeEnd(_)
            | SetupError::Scenario(_)
            | SetupError::SimAddress(_)
            | SetupError::Setting(_) => EX_USAGE,
        }
    }
}

/// Runs the process until SIGTERM or SIGINT; returns the exit code (see
/// the crate docs). Every failure is reported in one line on stderr.
pub fn run(options: &Options) -> u8 {
    match setup_and_serve(options) {
        Ok(code) => code,
        Err(e) => {
            report(format_args!("{e}"));
            e.exit_code()
        }
    }
}

fn setup_and_serve(options: &Options) -> Result<u8, SetupError> {
    let rx = PipeEnd::from_arg("--rx", &options.rx, End::Read)?;
    let tx = PipeEnd::from_arg("--tx", &options.tx, End::Write)?;
    let pipes = Pipes { rx, tx };
    let bus_name = options.device.to_string();
    match (&options.device, options.part) {
        (DeviceSpec::Sim(path), part) => {
            let scenario = Arc::new(Scenario::load(path)?);
            let clock = MonotonicClock::start_now();
            let hint = sim_hint(path);
            Ok(match part {
                Part::Ads1115 => {
                    let settings = ads1115_settings(options);
                    let model =
                        Ads1115Model::new(options.address, scenario, clock)?.with_ldr(LdrCircuit {
                            supply_uv: options.divider.vdd_uv,
                            fixed_ohms: options.divider.fixed_ohm,
                            r10_ohms: options.ldr.r10_ohm(),
                            gamma: f64::from(options.ldr.gamma()),
                        });
                    let sensor = Ads1115Light::new(model, &bus_name, settings)?;
                    serve(options, pipes, sensor, hint, DataReady::Timer)
                }
                Part::Veml7700 => {
                    let model = Veml7700Model::new(scenario, clock);
                    let sensor = Veml7700Light::new(model, &bus_name, veml7700_settings(options))?;
                    serve(options, pipes, sensor, hint, DataReady::Timer)
                }
            })
        }
        (DeviceSpec::I2c(path), Part::Ads1115) => {
            let settings = ads1115_settings(options);
            let sensor =
                Ads1115Light::new(I2cBus::open(path, options.address)?, &bus_name, settings)?;
            let ready = match &options.ready {
                Some(line) => {
                    let edge = line.edge_or(READY_EDGE);
                    DataReady::Source(ReadySource::gpio_edge(&line.chip, line.line, edge)?)
                }
                None => DataReady::Timer,
            };
            let hint = bus_hint("ADS1115", path, options.address);
            Ok(serve(options, pipes, sensor, hint, ready))
        }
        (DeviceSpec::I2c(path), Part::Veml7700) => {
            let bus = I2cBus::open(path, options.address)?;
            let sensor = Veml7700Light::new(bus, &bus_name, veml7700_settings(options))?;
            let hint = bus_hint("VEML7700", path, options.address);
            Ok(serve(options, pipes, sensor, hint, DataReady::Timer))
        }
    }
}

struct Pipes {
    rx: PipeEnd,
    tx: PipeEnd,
}

/// Runs the loop; the exit code. `check` says what to check when the part
/// does not answer.
fn serve<D: SensorDevice>(
    options: &Options,
    pipes: Pipes,
    device: D,
    check: String,
    ready: DataReady,
) -> u8 {
    let config = NodeConfig {
        name: options.name.clone(),
        program: PROGRAM,
        check: Some(check),
        outputs: vec![Output::new("--tx", pipes.tx)],
        commands: Some(pipes.rx.into()),
        ready,
        heartbeat: options.heartbeat,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ..NodeConfig::default()
    };
    let result = Node::new(device, config).and_then(|mut node| node.run());
    match result {
        Ok(_signal) => EX_OK,
        Err(e) => {
            report(format_args!("{e}"));
            e.exit_code()
        }
    }
}

fn ads1115_settings(options: &Options) -> Ads1115Settings {
    Ads1115Settings {
        // The address was checked against the part by the parser.
        address: Address::try_from(options.address).unwrap_or_default(),
        divider: options.divider,
        ldr: options.ldr,
        rate_hz: options.rate_hz,
        ready_pin: options
            .ready
            .as_ref()
            .map(|line| match line.edge_or(READY_EDGE) {
                Edge::Falling => ReadyPolarity::ActiveLow,
                Edge::Rising => ReadyPolarity::ActiveHigh,
            }),
    }
}

fn veml7700_settings(options: &Options) -> Veml7700Settings {
    Veml7700Settings {
        rate_hz: options.rate_hz,
        ..Veml7700Settings::default()
    }
}

fn sim_hint(scenario: &Path) -> String {
    format!(
        "the simulated part is off the bus: check the faults in {}",
        scenario.display()
    )
}

fn bus_hint(part: &str, bus: &Path, address: u8) -> String {
    format!(
        "check that the {part} is powered and wired to {} and answers at {address:#04x} \
         (i2cdetect lists it), or fix --device/--address",
        bus.display()
    )
}
