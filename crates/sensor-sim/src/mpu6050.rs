//! The MPU-6050 motion sensor (InvenSense PS-MPU-6000A rev 3.4 and
//! RM-MPU-6000A rev 4.2), at register level.

use std::sync::Arc;
use std::time::Duration;

use crate::bus::{AddressError, Handle, RegisterModel, sim_i2c_device};
use crate::clock::SimClock;
use crate::noise::{Channel, Noise, unit_noise};
use crate::scenario::{Device, Scenario};

const SMPLRT_DIV: u8 = 0x19;
const CONFIG: u8 = 0x1A;
const GYRO_CONFIG: u8 = 0x1B;
const ACCEL_CONFIG: u8 = 0x1C;
const INT_PIN_CFG: u8 = 0x37;
const INT_ENABLE: u8 = 0x38;
const INT_STATUS: u8 = 0x3A;
const ACCEL_XOUT_H: u8 = 0x3B;
/// Last of the read-only data registers (EXT_SENS_DATA_23).
const EXT_SENS_DATA_23: u8 = 0x60;
const PWR_MGMT_1: u8 = 0x6B;
const WHO_AM_I: u8 = 0x75;

const DEVICE_RESET: u8 = 0x80;
const SLEEP: u8 = 0x40;
const INT_LEVEL_ACTIVE_LOW: u8 = 0x80;
const LATCH_INT_EN: u8 = 0x20;
const INT_RD_CLEAR: u8 = 0x10;
const DATA_RDY_EN: u8 = 0x01;
const DATA_RDY_INT: u8 = 0x01;
const DLPF_CFG: u8 = 0x07;

/// WHO_AM_I holds bits 6:1 of the address with AD0 low, whatever AD0 is.
const WHO_AM_I_VALUE: u8 = 0x68;
/// Width of the INT pulse when LATCH_INT_EN = 0 (register map, INT_PIN_CFG).
const INT_PULSE: Duration = Duration::from_micros(50);
/// Gyroscope LSB per degree/s for FS_SEL 0..3.
const GYRO_LSB_PER_DPS: [f64; 4] = [131.0, 65.5, 32.8, 16.4];

/// A simulated MPU-6050 on I2C address 0x68 (AD0 low) or 0x69 (AD0 high).
///
/// It behaves as the datasheet says where a driver can tell:
/// - power-on: every register 0 except PWR_MGMT_1 = 0x40 (asleep) and
///   WHO_AM_I = 0x68; asleep, the data registers do not update;
///   PWR_MGMT_1 bit 7 (DEVICE_RESET) restores all of that;
/// - the sample rate is the gyro output rate (8 kHz with DLPF_CFG 0 or 7,
///   else 1 kHz) / (1 + SMPLRT_DIV); samples fall on whole multiples of the
///   sample period of the model clock, the first one strictly after waking
///   or a rate change; the data registers 0x3B..=0x48 (accel x y z,
///   temperature, gyro x y z, big-endian) hold the latest sample, scaled by
///   ACCEL_CONFIG / GYRO_CONFIG full scale and saturated at i16;
///   temperature raw = (T - 36.53) * 340;
/// - INT_STATUS bit 0 (DATA_RDY_INT) is set by every new sample and
///   cleared by reading INT_STATUS (or by any read with INT_RD_CLEAR);
/// - the INT pin: with INT_ENABLE bit 0, a 50 µs pulse per sample, or with
///   LATCH_INT_EN held until the status is cleared; INT_LEVEL inverts it.
///   [`int_pin_high`](Self::int_pin_high) and
///   [`take_int_edges`](Self::take_int_edges) let a simulation drive a
///   data-ready GPIO from it;
/// - register reads and writes auto-increment the register pointer.
///
/// Not modelled: the DLPF's filtering, FIFO, self test, motion interrupts,
/// the auxiliary I2C master, standby bits of PWR_MGMT_2, clock source and
/// the 30 ms gyro start-up (those registers read back what was written).
///
/// Clones are handles to the same chip: give one to the driver and keep one
/// to watch the INT pin.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use embedded_hal::i2c::I2c;
/// use sensor_sim::{ManualClock, Mpu6050Model, Noise, Scenario};
///
/// let clock = ManualClock::new();
/// let scenario = Arc::new(Scenario::parse("0s imu orientation roll=0")?);
/// let mut imu = Mpu6050Model::new(0x68, scenario, clock.clone())?.with_noise(Noise::NONE);
/// imu.write(0x68, &[0x6B, 0x00])?; // wake up
/// clock.advance(Duration::from_millis(2));
/// let mut accel = [0u8; 6];
/// imu.write_read(0x68, &[0x3B], &mut accel)?;
/// assert_eq!(i16::from_be_bytes([accel[4], accel[5]]), 16384); // +1 g on z, ±2 g range
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Mpu6050Model {
    handle: Handle<Mpu6050>,
}

sim_i2c_device!(Mpu6050Model);

impl Mpu6050Model {
    /// A chip at `address` (0x68 or 0x69) in its power-on state, feeling
    /// `scenario` at the times `clock` gives, with realistic noise.
    ///
    /// # Errors
    /// [`AddressError`] for any other address.
    pub fn new(
        address: u8,
        scenario: Arc<Scenario>,
        clock: impl SimClock + 'static,
    ) -> Result<Self, AddressError> {
        if !matches!(address, 0x68 | 0x69) {
            return Err(AddressError {
                part: Mpu6050::PART,
                address,
                allowed: "0x68 (AD0 low) and 0x69 (AD0 high)",
            });
        }
        Ok(Self {
            handle: Handle::new(Mpu6050::new(), address, scenario, Arc::new(clock)),
        })
    }

    /// The electrical level of the INT pin now (`true` = high), after
    /// INT_LEVEL: idle high when INT is active low.
    #[must_use]
    pub fn int_pin_high(&self) -> bool {
        self.handle.with_model(|m, now| {
            let active_low = m.regs[usize::from(INT_PIN_CFG)] & INT_LEVEL_ACTIVE_LOW != 0;
            m.int_asserted(now) != active_low
        })
    }

    /// How many times INT became active since the last call (what an edge
    /// event queue on the data-ready GPIO would hold), counting up to now.
    pub fn take_int_edges(&self) -> u32 {
        self.handle
            .with_model(|m, _| std::mem::take(&mut m.int_edges))
    }
}

/// The chip's state.
struct Mpu6050 {
    regs: [u8; 128],
    pointer: u8,
    noise: Noise,
    /// State is up to date until here.
    last: Duration,
    /// Samples fall strictly after this time (wake or rate change).
    grid_since: Duration,
    data_ready: bool,
    /// INT held active (LATCH_INT_EN) until the status is cleared.
    int_held: bool,
    latest_sample: Option<Duration>,
    int_edges: u32,
}

impl Mpu6050 {
    fn new() -> Self {
        let mut chip = Self {
            regs: [0; 128],
            pointer: 0,
            noise: Noise::default(),
            last: Duration::ZERO,
            grid_since: Duration::ZERO,
            data_ready: false,
            int_held: false,
            latest_sample: None,
            int_edges: 0,
        };
        chip.power_on_reset(Duration::ZERO);
        chip
    }

    fn reg(&self, reg: u8) -> u8 {
        self.regs[usize::from(reg & 0x7F)]
    }

    fn asleep(&self) -> bool {
        self.reg(PWR_MGMT_1) & SLEEP != 0
    }

    fn sample_period_ns(&self) -> u128 {
        let gyro_output_ns = match self.reg(CONFIG) & DLPF_CFG {
            0 | 7 => 125_000,
            _ => 1_000_000,
        };
        (1 + u128::from(self.reg(SMPLRT_DIV))) * gyro_output_ns
    }

    fn int_asserted(&self, now: Duration) -> bool {
        if self.asleep() || self.reg(INT_ENABLE) & DATA_RDY_EN == 0 {
            return false;
        }
        if self.reg(INT_PIN_CFG) & LATCH_INT_EN != 0 {
            self.int_held
        } else {
            self.latest_sample
                .is_some_and(|q| now.saturating_sub(q) < INT_PULSE)
        }
    }

    /// The sample instant whose values the data registers show for a sample
    /// at `q`: `q` itself, or while the scenario holds the data stuck, the
    /// last sample before it got stuck (`None`: keep what is there).
    fn data_instant(&self, q: Duration, scenario: &Scenario) -> Option<Duration> {
        let Some(since) = scenario.fault_at(Device::Imu, q).stuck_since else {
            return Some(q);
        };
        let period = self.sample_period_ns();
        let since = since.as_nanos().checked_sub(1)?;
        let before = from_nanos(since / period * period);
        (before > self.grid_since && before <= q).then_some(before)
    }

    fn load_sample(&mut self, at: Duration, scenario: &Scenario) {
        let physics = scenario.imu_physics(at);
        let noise = self.noise;
        let accel_lsb_per_g = 16_384.0 / f64::from(1u16 << ((self.reg(ACCEL_CONFIG) >> 3) & 3));
        let gyro_lsb_per_dps = GYRO_LSB_PER_DPS[usize::from((self.reg(GYRO_CONFIG) >> 3) & 3)];
        let mut words = [0i16; 7];
        for axis in 0..3 {
            let accel_g = physics.accel_g[axis]
                + f64::from(noise.accel_mg) / 1000.0
                    * unit_noise(noise.seed, Channel::Accel(axis), at);
            words[axis] = saturate_i16(accel_g * accel_lsb_per_g);
            let gyro_dps = physics.gyro_dps[axis]
                + f64::from(noise.gyro_mdps) / 1000.0
                    * unit_noise(noise.seed, Channel::Gyro(axis), at);
            words[4 + axis] = saturate_i16(gyro_dps * gyro_lsb_per_dps);
        }
        words[3] = saturate_i16((physics.temp_c - 36.53) * 340.0);
        let base = usize::from(ACCEL_XOUT_H);
        for (i, word) in words.iter().enumerate() {
            self.regs[base + 2 * i..base + 2 * i + 2].copy_from_slice(&word.to_be_bytes());
        }
    }

    fn write_register(&mut self, now: Duration, reg: u8, value: u8) {
        let index = usize::from(reg & 0x7F);
        match reg {
            PWR_MGMT_1 if value & DEVICE_RESET != 0 => self.power_on_reset(now),
            PWR_MGMT_1 => {
                let was_asleep = self.asleep();
                self.regs[index] = value;
                if was_asleep && !self.asleep() {
                    self.grid_since = now;
                }
            }
            SMPLRT_DIV | CONFIG => {
                let before = self.sample_period_ns();
                self.regs[index] = value;
                if self.sample_period_ns() != before {
                    self.grid_since = now;
                }
            }
            INT_PIN_CFG => {
                self.regs[index] = value;
                if value & LATCH_INT_EN == 0 {
                    self.int_held = false;
                }
            }
            // Read-only: status, sensor data, identity.
            INT_STATUS | ACCEL_XOUT_H..=EXT_SENS_DATA_23 | WHO_AM_I => {}
            _ => self.regs[index] = value,
        }
    }
}

impl RegisterModel for Mpu6050 {
    const PART: &'static str = "MPU-6050";
    const DEVICE: Device = Device::Imu;

    fn power_on_reset(&mut self, now: Duration) {
        self.regs = [0; 128];
        self.regs[usize::from(PWR_MGMT_1)] = SLEEP;
        self.regs[usize::from(WHO_AM_I)] = WHO_AM_I_VALUE;
        self.pointer = 0;
        self.last = now;
        self.grid_since = now;
        self.data_ready = false;
        self.int_held = false;
        self.latest_sample = None;
    }

    fn advance(&mut self, now: Duration, scenario: &Scenario) {
        if now <= self.last {
            return;
        }
        if !self.asleep() {
            let period = self.sample_period_ns();
            let from = self.last.max(self.grid_since).as_nanos() / period;
            let to = now.as_nanos() / period;
            if to > from {
                let q = from_nanos(to * period);
                self.data_ready = true;
                self.latest_sample = Some(q);
                if let Some(at) = self.data_instant(q, scenario) {
                    self.load_sample(at, scenario);
                }
                if self.reg(INT_ENABLE) & DATA_RDY_EN != 0 {
                    if self.reg(INT_PIN_CFG) & LATCH_INT_EN != 0 {
                        if !self.int_held {
                            self.int_held = true;
                            self.int_edges = self.int_edges.saturating_add(1);
                        }
                    } else {
                        let samples = u32::try_from(to - from).unwrap_or(u32::MAX);
                        self.int_edges = self.int_edges.saturating_add(samples);
                    }
                }
            }
        }
        self.last = now;
    }

    fn write(&mut self, now: Duration, bytes: &[u8], _scenario: &Scenario) {
        let Some((&reg, data)) = bytes.split_first() else {
            return;
        };
        self.pointer = reg & 0x7F;
        for &value in data {
            self.write_register(now, self.pointer, value);
            self.pointer = (self.pointer + 1) & 0x7F;
        }
    }

    fn read(&mut self, _now: Duration, buf: &mut [u8], _scenario: &Scenario) {
        if buf.is_empty() {
            return;
        }
        let mut status_read = false;
        for byte in buf.iter_mut() {
            *byte = if self.pointer == INT_STATUS {
                status_read = true;
                if self.data_ready { DATA_RDY_INT } else { 0 }
            } else {
                self.reg(self.pointer)
            };
            self.pointer = (self.pointer + 1) & 0x7F;
        }
        if status_read || self.reg(INT_PIN_CFG) & INT_RD_CLEAR != 0 {
            self.data_ready = false;
            self.int_held = false;
        }
    }
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "`as` saturates at the i16 range, as the part's output does"
)]
fn saturate_i16(x: f64) -> i16 {
    x.round() as i16
}

fn from_nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}
