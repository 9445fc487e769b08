//! The ADS1115 16-bit ADC (TI SBAS444D) with the board's light-dependent
//! resistor on AIN0, at register level.

use std::sync::Arc;
use std::time::Duration;

use crate::bus::{AddressError, Handle, RegisterModel, sim_i2c_device};
use crate::clock::SimClock;
use crate::noise::{Channel, Noise, unit_noise};
use crate::scenario::{Device, Scenario};

const CONVERSION: u8 = 0x00;
const CONFIG: u8 = 0x01;
const LO_THRESH: u8 = 0x02;
const HI_THRESH: u8 = 0x03;

const OS: u16 = 0x8000;
const MODE_SINGLE_SHOT: u16 = 0x0100;
const COMP_POL_ACTIVE_HIGH: u16 = 0x0008;
const COMP_QUE_DISABLE: u16 = 0x0003;

const CONFIG_RESET: u16 = 0x8583;
const LO_THRESH_RESET: u16 = 0x8000;
const HI_THRESH_RESET: u16 = 0x7FFF;

/// Full-scale range per PGA code, microvolts.
const FULL_SCALE_UV: [f64; 8] = [
    6_144_000.0,
    4_096_000.0,
    2_048_000.0,
    1_024_000.0,
    512_000.0,
    256_000.0,
    256_000.0,
    256_000.0,
];
/// Samples per second per DR code.
const DATA_RATE_SPS: [u32; 8] = [8, 16, 32, 64, 128, 250, 475, 860];
/// Positive and negative inputs per MUX code (`None`: GND).
const MUX_INPUTS: [(usize, Option<usize>); 8] = [
    (0, Some(1)),
    (0, Some(3)),
    (1, Some(3)),
    (2, Some(3)),
    (0, None),
    (1, None),
    (2, None),
    (3, None),
];
/// Conversion-ready pulse width in continuous mode (datasheet: about 8 µs).
const READY_PULSE: Duration = Duration::from_micros(8);

/// The divider that turns light into a voltage on AIN0: an LDR from the
/// supply to AIN0 and a fixed resistor from AIN0 to GND, so more light
/// (lower LDR resistance) gives a higher voltage.
/// `R_ldr(lux) = R10 * (lux / 10)^(-gamma)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LdrCircuit {
    /// Supply across the divider, microvolts.
    pub supply_uv: u32,
    /// The fixed resistor, ohms.
    pub fixed_ohms: u32,
    /// LDR resistance at 10 lux, ohms.
    pub r10_ohms: u32,
    /// LDR gamma: the log-log slope of resistance against illuminance.
    pub gamma: f64,
}

impl LdrCircuit {
    /// The board's default: GL5528 (R10 = 15 kΩ, gamma 0.7) with 10 kΩ at
    /// 3.3 V.
    pub const GL5528_10K_3V3: LdrCircuit = LdrCircuit {
        supply_uv: 3_300_000,
        fixed_ohms: 10_000,
        r10_ohms: 15_000,
        gamma: 0.7,
    };

    /// The AIN0 voltage at an illuminance, microvolts.
    ///
    /// ```
    /// use sensor_sim::LdrCircuit;
    /// // At 10 lux the LDR is 15 kΩ: 3.3 V * 10 / (10 + 15).
    /// assert_eq!(LdrCircuit::GL5528_10K_3V3.ain0_uv(10_000), 1_320_000);
    /// assert_eq!(LdrCircuit::GL5528_10K_3V3.ain0_uv(0), 0);
    /// ```
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the voltage is 0..=supply_uv, a u32"
    )]
    pub fn ain0_uv(&self, illuminance_mlx: u64) -> u32 {
        self.ain0_uv_at(illuminance_mlx as f64 / 1000.0).round() as u32
    }

    fn ain0_uv_at(&self, lux: f64) -> f64 {
        if lux.is_nan() || lux <= 0.0 {
            return 0.0;
        }
        let ldr_ohms = f64::from(self.r10_ohms) * (lux / 10.0).powf(-self.gamma);
        let fixed = f64::from(self.fixed_ohms);
        let uv = f64::from(self.supply_uv) * fixed / (fixed + ldr_ohms);
        if uv.is_finite() { uv } else { 0.0 }
    }
}

impl Default for LdrCircuit {
    fn default() -> Self {
        Self::GL5528_10K_3V3
    }
}

/// The ADS1115 inputs other than AIN0 (which is the LDR divider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedInput {
    /// AIN1.
    Ain1,
    /// AIN2.
    Ain2,
    /// AIN3.
    Ain3,
}

impl FixedInput {
    fn index(self) -> usize {
        match self {
            FixedInput::Ain1 => 1,
            FixedInput::Ain2 => 2,
            FixedInput::Ain3 => 3,
        }
    }
}

/// A simulated ADS1115 on I2C address 0x48..=0x4B (ADDR to GND, VDD,
/// SDA, SCL), with the scenario's light on AIN0 through an [`LdrCircuit`]
/// and fixed voltages (default 0 V) on AIN1..AIN3.
///
/// Registers as in the datasheet: a write `[pointer]` selects a register,
/// `[pointer, msb, lsb]` also writes it; a read returns the selected
/// register MSB first (longer reads repeat it: the pointer does not
/// auto-increment). Power-on: conversion 0x0000, config 0x8583, Lo_thresh
/// 0x8000, Hi_thresh 0x7FFF, single-shot and powered down.
///
/// - Single-shot (MODE = 1): writing OS = 1 starts a conversion that ends
///   1/DR later (rounded up to the nanosecond); until then OS reads 0, then
///   1 with the result in the conversion register. OS = 1 while busy is
///   ignored, as on the part.
/// - Continuous (MODE = 0): a conversion ends every 1/DR from the config
///   write that started the mode or changed the configuration; OS reads 0.
/// - Codes: (V+ − V−) / FS × 32768 rounded, saturated at 0x7FFF / 0x8000;
///   the input is taken at the end of the conversion.
/// - ALERT/RDY in conversion-ready mode (Hi_thresh MSB 1, Lo_thresh MSB 0,
///   COMP_QUE ≠ 11): an 8 µs pulse after each continuous conversion, or
///   held active after a single-shot conversion until the next one starts;
///   COMP_POL = 0 is active low. With COMP_QUE = 11 the pin is high
///   impedance and reads high (pulled up). The threshold comparator itself
///   is not modelled: outside conversion-ready mode the pin stays inactive.
///
/// Clones are handles to the same chip.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use embedded_hal::i2c::I2c;
/// use sensor_sim::{Ads1115Model, ManualClock, Noise, Scenario};
///
/// let clock = ManualClock::new();
/// let scenario = Arc::new(Scenario::parse("0s light level lux=10")?);
/// let mut adc = Ads1115Model::new(0x48, scenario, clock.clone())?.with_noise(Noise::NONE);
/// // AIN0 to GND, ±4.096 V, single shot, 128 SPS, start.
/// adc.write(0x48, &[0x01, 0xC3, 0x83])?;
/// clock.advance(Duration::from_millis(8));
/// let mut code = [0u8; 2];
/// adc.write_read(0x48, &[0x00], &mut code)?;
/// // 1.32 V / 4.096 V * 32768
/// assert_eq!(i16::from_be_bytes(code), 10560);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Ads1115Model {
    handle: Handle<Ads1115>,
}

sim_i2c_device!(Ads1115Model);

impl Ads1115Model {
    /// A chip at `address` (0x48..=0x4B) in its power-on state, with the
    /// default LDR circuit and realistic noise.
    ///
    /// # Errors
    /// [`AddressError`] for any other address.
    pub fn new(
        address: u8,
        scenario: Arc<Scenario>,
        clock: impl SimClock + 'static,
    ) -> Result<Self, AddressError> {
        if !(0x48..=0x4B).contains(&address) {
            return Err(AddressError {
                part: Ads1115::PART,
                address,
                allowed: "0x48 (ADDR to GND), 0x49 (VDD), 0x4A (SDA) and 0x4B (SCL)",
            });
        }
        Ok(Self {
            handle: Handle::new(Ads1115::new(), address, scenario, Arc::new(clock)),
        })
    }

    /// The same chip with another divider on AIN0.
    #[must_use]
    pub fn with_ldr(self, ldr: LdrCircuit) -> Self {
        self.handle.configure(|m| m.ldr = ldr);
        self
    }

    /// Sets the fixed voltage on AIN1..AIN3, microvolts (from now on).
    pub fn set_input_uv(&self, input: FixedInput, microvolts: i32) {
        self.handle
            .configure(|m| m.fixed_uv[input.index()] = f64::from(microvolts));
    }

    /// The electrical level of ALERT/RDY now (`true` = high).
    #[must_use]
    pub fn alert_pin_high(&self) -> bool {
        self.handle.with_model(|m, now| m.alert_pin_high(now))
    }

    /// How many times ALERT/RDY became active since the last call (the
    /// pending edges of a GPIO watching it), counting up to now.
    pub fn take_alert_edges(&self) -> u32 {
        self.handle
            .with_model(|m, _| std::mem::take(&mut m.alert_edges))
    }
}

#[derive(Debug, Clone, Copy)]
struct SingleShot {
    end: Duration,
    mux: usize,
    pga: usize,
}

/// The chip's state.
struct Ads1115 {
    /// Config bits 14:0 as written; OS is computed on read.
    config: u16,
    lo_thresh: u16,
    hi_thresh: u16,
    conversion: u16,
    pointer: u8,
    single_shot: Option<SingleShot>,
    /// Start of the current run of continuous conversions.
    continuous_since: Option<Duration>,
    last_continuous_end: Option<Duration>,
    /// ALERT/RDY held active after a single-shot conversion.
    ready_held: bool,
    alert_edges: u32,
    last: Duration,
    /// AIN1..AIN3, microvolts (index 0 unused: AIN0 is the LDR).
    fixed_uv: [f64; 4],
    ldr: LdrCircuit,
    noise: Noise,
}

impl Ads1115 {
    fn new() -> Self {
        let mut chip = Self {
            config: 0,
            lo_thresh: 0,
            hi_thresh: 0,
            conversion: 0,
            pointer: 0,
            single_shot: None,
            continuous_since: None,
            last_continuous_end: None,
            ready_held: false,
            alert_edges: 0,
            last: Duration::ZERO,
            fixed_uv: [0.0; 4],
            ldr: LdrCircuit::default(),
            noise: Noise::default(),
        };
        chip.power_on_reset(Duration::ZERO);
        chip
    }

    fn mux(config: u16) -> usize {
        usize::from((config >> 12) & 7)
    }

    fn pga(config: u16) -> usize {
        usize::from((config >> 9) & 7)
    }

    fn conversion_ns(config: u16) -> u128 {
        let sps = u128::from(DATA_RATE_SPS[usize::from((config >> 5) & 7)]);
        1_000_000_000u128.div_ceil(sps)
    }

    fn single_shot_mode(&self) -> bool {
        self.config & MODE_SINGLE_SHOT != 0
    }

    /// Hi_thresh MSB 1, Lo_thresh MSB 0 and the comparator enabled.
    fn conversion_ready_mode(&self) -> bool {
        self.hi_thresh & 0x8000 != 0
            && self.lo_thresh & 0x8000 == 0
            && self.config & COMP_QUE_DISABLE != COMP_QUE_DISABLE
    }

    fn alert_pin_high(&self, now: Duration) -> bool {
        if self.config & COMP_QUE_DISABLE == COMP_QUE_DISABLE {
            return true;
        }
        let active = self.conversion_ready_mode()
            && if self.single_shot_mode() {
                self.ready_held
            } else {
                self.last_continuous_end
                    .is_some_and(|e| now.saturating_sub(e) < READY_PULSE)
            };
        let active_high = self.config & COMP_POL_ACTIVE_HIGH != 0;
        active == active_high
    }

    fn input_uv(&self, input: usize, at: Duration, scenario: &Scenario) -> f64 {
        if input == 0 {
            let noise = f64::from(self.noise.illuminance_ppm) / 1e6
                * unit_noise(self.noise.seed, Channel::Illuminance, at);
            let lux = scenario.illuminance_lux(at) * (1.0 + noise);
            self.ldr.ain0_uv_at(lux)
        } else {
            self.fixed_uv.get(input).copied().unwrap_or(0.0)
        }
    }

    fn code(&self, at: Duration, mux: usize, pga: usize, scenario: &Scenario) -> u16 {
        let (positive, negative) = MUX_INPUTS[mux & 7];
        let v = self.input_uv(positive, at, scenario)
            - negative.map_or(0.0, |n| self.input_uv(n, at, scenario));
        let code = (v / FULL_SCALE_UV[pga & 7] * 32_768.0).round();
        #[allow(
            clippy::cast_possible_truncation,
            reason = "`as` saturates: -32768..=32767, the part's output codes"
        )]
        let code = code as i16;
        // The conversion register holds the code in two's complement.
        code.cast_unsigned()
    }

    fn write_config(&mut self, now: Duration, value: u16) {
        let before = self.config;
        self.config = value & !OS;
        if value & MODE_SINGLE_SHOT == 0 {
            self.single_shot = None;
            self.ready_held = false;
            if self.continuous_since.is_none() || before != self.config {
                self.continuous_since = Some(now);
                self.last_continuous_end = None;
            }
        } else {
            self.continuous_since = None;
            self.last_continuous_end = None;
            if value & OS != 0 && self.single_shot.is_none() {
                self.single_shot = Some(SingleShot {
                    end: now + from_nanos(Self::conversion_ns(value)),
                    mux: Self::mux(value),
                    pga: Self::pga(value),
                });
                self.ready_held = false;
            }
        }
    }

    fn register(&self) -> u16 {
        match self.pointer {
            CONVERSION => self.conversion,
            CONFIG => {
                let idle = self.single_shot_mode() && self.single_shot.is_none();
                self.config | if idle { OS } else { 0 }
            }
            LO_THRESH => self.lo_thresh,
            // The pointer has two bits: nothing above HI_THRESH.
            HI_THRESH.. => self.hi_thresh,
        }
    }
}

impl RegisterModel for Ads1115 {
    const PART: &'static str = "ADS1115";
    const DEVICE: Device = Device::Light;

    fn power_on_reset(&mut self, now: Duration) {
        self.config = CONFIG_RESET & !OS;
        self.lo_thresh = LO_THRESH_RESET;
        self.hi_thresh = HI_THRESH_RESET;
        self.conversion = 0;
        self.pointer = CONVERSION;
        self.single_shot = None;
        self.continuous_since = None;
        self.last_continuous_end = None;
        self.ready_held = false;
        self.last = now;
    }

    fn advance(&mut self, now: Duration, scenario: &Scenario) {
        if now <= self.last {
            return;
        }
        if let Some(shot) = self.single_shot
            && shot.end <= now
        {
            self.single_shot = None;
            if scenario
                .fault_at(Device::Light, shot.end)
                .stuck_since
                .is_none()
            {
                self.conversion = self.code(shot.end, shot.mux, shot.pga, scenario);
            }
            if self.conversion_ready_mode() {
                self.ready_held = true;
                self.alert_edges = self.alert_edges.saturating_add(1);
            }
        }
        if let Some(start) = self.continuous_since {
            let period = Self::conversion_ns(self.config);
            let done_before = (self.last.saturating_sub(start)).as_nanos() / period;
            let done_now = (now - start).as_nanos() / period;
            if done_now > done_before {
                let end = start + from_nanos(done_now * period);
                self.last_continuous_end = Some(end);
                // While stuck, the register keeps the last conversion that
                // ended before the data got stuck.
                let source = match scenario.fault_at(Device::Light, end).stuck_since {
                    None => Some(end),
                    Some(since) => (since.saturating_sub(start).as_nanos())
                        .checked_sub(1)
                        .map(|n| n / period)
                        .filter(|&k| k >= 1)
                        .map(|k| start + from_nanos(k * period)),
                };
                if let Some(at) = source {
                    self.conversion =
                        self.code(at, Self::mux(self.config), Self::pga(self.config), scenario);
                }
                if self.conversion_ready_mode() {
                    let pulses = u32::try_from(done_now - done_before).unwrap_or(u32::MAX);
                    self.alert_edges = self.alert_edges.saturating_add(pulses);
                }
            }
        }
        self.last = now;
    }

    fn write(&mut self, now: Duration, bytes: &[u8], _scenario: &Scenario) {
        let Some((&pointer, data)) = bytes.split_first() else {
            return;
        };
        // P[7:2] are reserved zeros: only P[1:0] select a register.
        self.pointer = pointer & 0x03;
        // The part latches a register after its second data byte; a lone
        // byte is dropped and bytes after the second are ignored.
        let [msb, lsb, ..] = *data else {
            return;
        };
        let value = u16::from_be_bytes([msb, lsb]);
        match self.pointer {
            CONVERSION => {}
            CONFIG => self.write_config(now, value),
            LO_THRESH => self.lo_thresh = value,
            HI_THRESH.. => self.hi_thresh = value,
        }
    }

    fn read(&mut self, _now: Duration, buf: &mut [u8], _scenario: &Scenario) {
        let bytes = self.register().to_be_bytes();
        for (byte, value) in buf.iter_mut().zip(bytes.iter().cycle()) {
            *byte = *value;
        }
    }
}

fn from_nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}
