//! Simulated sensors for running the appliance without a board.
//!
//! This crate models the appliance's three I2C parts at register level —
//! the MPU-6050 IMU ([`Mpu6050Model`]), the ADS1115 ADC reading a
//! light-dependent resistor ([`Ads1115Model`]) and the VEML7700 ambient
//! light sensor ([`Veml7700Model`]) — each implementing
//! [`embedded_hal::i2c::I2c`], so the production drivers run unchanged on a
//! development machine and in tests. What the parts feel (orientation,
//! taps, shakes, light levels) and how they fail (NACKs, stuck data,
//! vanishing from the bus, power-on resets) comes from a [`Scenario`], a
//! small text script; time comes from a [`SimClock`]: [`MonotonicClock`]
//! for a running simulation, [`ManualClock`] for deterministic tests.
//! Register behaviour, timing and scaling follow the datasheets; each
//! model's documentation lists what it does and what it leaves out.
//!
//! Each model answers only its own address (anything else is NACKed) and
//! handles the access patterns drivers use: `write(addr, &[reg, data..])`,
//! `write(addr, &[reg])`, `write_read(addr, &[reg], &mut buf)`, `read`
//! from the current register, and the equivalent `transaction`s. Faults are
//! seen exactly as on hardware: every failed transaction's
//! [`kind`](embedded_hal::i2c::Error::kind) is
//! `NoAcknowledge(NoAcknowledgeSource::Address)`. A model is a handle:
//! clones share one chip, so a simulation can keep a clone to watch the
//! IMU's INT pin or the ADC's ALERT/RDY pin while the driver owns another.
//! [`SimBus`] puts several models on one bus.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use embedded_hal::i2c::I2c;
//! use sensor_sim::{ManualClock, Mpu6050Model, Noise, Scenario};
//!
//! let scenario = Arc::new(Scenario::parse(
//!     "0s imu flip over=1s   # turn face down over the first second",
//! )?);
//! let clock = ManualClock::new();
//! let mut imu = Mpu6050Model::new(0x68, scenario, clock.clone())?.with_noise(Noise::NONE);
//! imu.write(0x68, &[0x6B, 0x00])?; // PWR_MGMT_1: wake up
//! clock.set(Duration::from_secs(2));
//! let mut z = [0u8; 2];
//! imu.write_read(0x68, &[0x3F], &mut z)?; // ACCEL_ZOUT
//! assert_eq!(i16::from_be_bytes(z), -16384); // -1 g: face down
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Scenario format
//!
//! A scenario is UTF-8 text, one instruction per line:
//!
//! ```text
//! TIME DEVICE EVENT [KEY=VALUE ...]   # comment
//! ```
//!
//! - Blank lines and everything from `#` to the end of a line are ignored;
//!   words are separated by spaces or tabs.
//! - `TIME` is when the line takes effect, counted from the scenario's
//!   start: a duration, in the grammar the topology files use too
//!   (`docs/durations.md`: a number and a unit, `0s`, `1.5s`, `400ms`,
//!   `2min`, `1h`), at most `10000000s`. Lines need not be in time order;
//!   lines with the same time apply in file order.
//! - `DEVICE` is `imu`, `light` (whichever light sensor is fitted: the
//!   ADS1115 + LDR or the VEML7700) or `*` for the `loop` line.
//! - Durations (`over`, `for`, `width`, `gap`) use the time syntax.
//!   Accelerations need a unit (`2.5g`, `800mg`); angles are degrees
//!   (`30`, `-12.5deg`); frequencies `hz`; illuminance lux (`300`,
//!   `300lx`); fractions `0.9` or `90%`; temperatures degrees C (`25`,
//!   `25c`).
//!
//! Before any line the board lies flat, face up (+1 g on z), still, at
//! 25 °C, in the dark (0 lux).
//!
//! IMU events (orientation is roll about x then pitch about y, so a driver
//! recovers `roll = atan2(ay, az)`, `pitch = atan2(-ax, hypot(ay, az))`;
//! moves are smooth, and the gyroscope sees their rotation rate):
//!
//! | event | keys | meaning |
//! |---|---|---|
//! | `orientation` | `roll`, `pitch` (at least one) | jump to this orientation; a missing angle keeps its value |
//! | `tilt` | `roll`, `pitch` (at least one), `over=500ms`, `for` | turn to it over `over`; with `for`, hold it that long and turn back |
//! | `flip` | `over=500ms`, `for` | turn over about x (face up ↔ face down); with `for`, turn back after |
//! | `tap` | `axis`, `peak`, `width=15ms`, `count=1`, `gap=250ms` | half-sine acceleration pulses on `axis` (`x`, `y`, `z`), one every `gap`: `count=2` is a double tap |
//! | `shake` | `axis`, `amplitude`, `freq`, `for` | a sinusoidal acceleration on `axis` |
//! | `temperature` | `celsius`, `over=0s` | die temperature, stepping or ramping |
//!
//! Light events:
//!
//! | event | keys | meaning |
//! |---|---|---|
//! | `level` | `lux`, `over=0s` | illuminance, stepping or ramping smoothly |
//! | `hand` | `depth`, `for=400ms` | a hand passing over the sensor: a smooth dip blocking `depth` of the light at its deepest, and recovery |
//!
//! Two `orientation`/`tilt`/`flip` lines may not overlap in time (one must
//! end, including its way back, before the next starts); likewise
//! `temperature` lines and `level` lines. Taps, shakes and hands add up.
//!
//! Faults, for `imu` or `light` (both light sensors obey `light` faults),
//! seen through the I2C trait as on hardware:
//!
//! | event | keys | meaning |
//! |---|---|---|
//! | `fault nack` | `count` | the device NACKs its next `count` transactions (its address) |
//! | `fault stuck` | `for` (default: for ever) | the data registers stop updating: they keep the last sample before the fault |
//! | `fault vanish` | `for` (default: for ever) | the device NACKs every transaction |
//! | `fault reset` | — | the device loses power for a moment and is back in its power-on state (an MPU-6050 asleep, a VEML7700 shut down) |
//!
//! `* loop` at time T (T > 0, at most one) replays the scenario from time 0
//! every T: no line may be at or after T, or last past it; faults "for
//! ever" last until the loop restarts.
//!
//! ```text
//! # time   device  event ...
//! 0s       imu     orientation roll=0 pitch=0        # flat, face up
//! 0s       light   level lux=300
//! 1.5s     imu     tap axis=z peak=2.5g
//! 2s       imu     tap axis=z peak=2.5g count=2 gap=200ms   # double tap
//! 3s       imu     shake axis=x amplitude=1.5g freq=6hz for=1s
//! 5s       imu     tilt roll=30 for=2s                # tilt right, hold 2 s, back
//! 6s       light   hand depth=0.9 for=400ms
//! 8s       imu     flip                               # face down, held
//! 10s      imu     fault nack count=5
//! 12s      light   fault stuck for=2s
//! 14s      imu     fault vanish for=3s
//! 20s      *       loop
//! ```
//!
//! Errors name the line and column, what is wrong and what is allowed:
//!
//! ```text
//! 3:29: tap has no key `height`; tap takes axis=x|y|z, peak=ACCEL, ...
//! ```
//!
//! Parsing never panics, whatever the input.

mod ads1115;
mod bus;
mod clock;
mod mpu6050;
mod noise;
mod scenario;
mod veml7700;

pub use ads1115::{Ads1115Model, FixedInput, LdrCircuit};
pub use bus::{AddressError, AddressInUse, BusError, SimBus, SimDevice};
pub use clock::{ManualClock, MonotonicClock, SimClock};
pub use mpu6050::Mpu6050Model;
pub use noise::Noise;
pub use scenario::{
    Device, FaultState, ImuInputs, LightInputs, LoadError, ParseError, Problem, Scenario,
};
pub use veml7700::{LUX_PER_COUNT_GAIN2_800MS, Veml7700Model, WHITE_TO_ALS_RATIO};

#[cfg(test)]
mod tests {
    use super::*;

    /// Drivers may own a model in another thread than the simulation that
    /// watches its pins.
    #[test]
    fn models_and_scenarios_can_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Mpu6050Model>();
        send_sync::<Ads1115Model>();
        send_sync::<Veml7700Model>();
        send_sync::<Scenario>();
        send_sync::<BusError>();
        fn send<T: Send>() {}
        send::<SimBus>();
    }
}
