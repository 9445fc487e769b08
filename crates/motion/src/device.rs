//! The MPU-6050 as a [`SensorDevice`]: the `sensors` driver over any I2C
//! bus (the simulated part or a Linux bus), with the settings commands
//! change kept across re-inits.

use std::fmt::{self, Display};
use std::num::NonZeroU16;
use std::time::Duration;

use embedded_hal::i2c::I2c;
use sensor_node::{DeviceError, Fault, Refusal, Reply, SensorDevice};
use sensors::mpu6050::{
    AccelRange, Address, Axes, CalibrationProgress, Config, Dlpf, Error, GyroCalibration,
    GyroRange, InterruptPin, Mpu6050, SelfTestFailure,
};
use wire::{CommandOp, ErrorCode, ImuSample};

/// Samples a gyroscope calibration (`cal`) averages: half a second at
/// the default 100 Hz.
pub const CALIBRATION_SAMPLES: NonZeroU16 = match NonZeroU16::new(50) {
    Some(n) => n,
    None => panic!("50 is not zero"),
};

/// Sample rates `rate hz=N` accepts (the MPU-6050 with its low-pass
/// filter on divides 1 kHz).
pub const RATE_HZ: std::ops::RangeInclusive<u32> = 1..=1000;

/// An MPU-6050 behind the sensor loop.
///
/// `start` checks WHO_AM_I and resets the part (then the loop waits
/// 100 ms); `finish_start` configures it (rate, ±g and °/s ranges, DLPF
/// 44 Hz, data-ready interrupt as a 50 µs pulse) and the loop waits the
/// gyroscope's 30 ms start-up. `sample` reads the 14-byte burst and
/// subtracts the gyroscope bias; after a range change it first waits for
/// DATA_RDY (INT_STATUS), so no sample is converted at the wrong scale.
/// `cal` and `selftest` are answered from later samples. The rate and
/// ranges set by commands, and the bias, survive a re-init.
#[derive(Debug)]
pub struct MotionDevice<I2C> {
    driver: Mpu6050<I2C>,
    label: String,
    rate_hz: u16,
    accel_range: AccelRange,
    gyro_range: GyroRange,
    calibration: Option<GyroCalibration>,
    /// `selftest` runs on the next fresh sample.
    self_test_due: bool,
    /// Data-ready events in a row that found no new sample.
    quiet_ticks: u32,
    finished: Option<Result<(), Refusal>>,
}

/// Data-ready events without a new sample after which the part's
/// configuration is read back: a part that was reset (brown-out, a glitch
/// on its supply) sleeps with its power-on registers and would otherwise
/// go quiet for ever. A few periods, so the timer's jitter against the
/// part's own clock never triggers it.
pub(crate) const QUIET_TICKS_BEFORE_CHECK: u32 = 5;

impl<I2C> MotionDevice<I2C>
where
    I2C: I2c,
    I2C::Error: Display,
{
    /// The part at `address` on `i2c`, named `label` in errors (`sim:demo.scenario
    /// MPU-6050 at 0x68`, `MPU-6050 on /dev/i2c-1 at 0x68`). Sends nothing.
    /// Defaults: 100 Hz, ±4 g, ±500 °/s.
    pub fn new(i2c: I2C, address: Address, label: impl Into<String>) -> Self {
        let defaults = Config::default();
        MotionDevice {
            driver: Mpu6050::new(i2c, address),
            label: label.into(),
            rate_hz: defaults.sample_rate_hz,
            accel_range: defaults.accel_range,
            gyro_range: defaults.gyro_range,
            calibration: None,
            self_test_due: false,
            quiet_ticks: 0,
            finished: None,
        }
    }

    /// The sample rate (1..=1000 Hz; others are clamped).
    pub fn with_rate_hz(mut self, hz: u16) -> Self {
        self.rate_hz = hz.clamp(1, 1000);
        self
    }

    /// The gyroscope bias subtracted from samples, milli-degrees/s.
    pub fn gyro_bias(&self) -> Axes<i32> {
        self.driver.gyro_bias()
    }

    /// A driver error at `operation` as a device error of this part.
    fn device_error(&self, operation: &'static str, error: Error<I2C::Error>) -> DeviceError {
        match error {
            Error::WrongIdentity { found } => DeviceError::new(
                &self.label,
                operation,
                Fault::WrongPart {
                    detail: format!(
                        "WHO_AM_I read {found:#04x}, expected 0x68: the part at this address \
                         is not an MPU-6050; check --address and the board"
                    ),
                },
            ),
            Error::I2c(e) => DeviceError::bus(&self.label, operation, e),
            other => DeviceError::bus(&self.label, operation, DriverError(&other)),
        }
    }

    /// A driver error while doing a command: `ERR code=io` saying so.
    fn refusal(&self, operation: &'static str, error: Error<I2C::Error>) -> Refusal {
        self.device_error(operation, error).into()
    }

    fn set_range(&mut self, accel_g: Option<u16>, gyro_dps: Option<u16>) -> Result<Reply, Refusal> {
        // Both checked before either is applied.
        let accel = match accel_g {
            Some(g) => Some(
                u8::try_from(g)
                    .ok()
                    .and_then(AccelRange::from_full_scale_g)
                    .ok_or_else(|| {
                        Refusal::bad_argument(format!("accel must be 2, 4, 8 or 16 (g), got {g}"))
                    })?,
            ),
            None => None,
        };
        let gyro = match gyro_dps {
            Some(dps) => Some(GyroRange::from_full_scale_dps(dps).ok_or_else(|| {
                Refusal::bad_argument(format!(
                    "gyro must be 250, 500, 1000 or 2000 (dps), got {dps}"
                ))
            })?),
            None => None,
        };
        if let Some(range) = accel {
            self.driver
                .set_accel_range(range)
                .map_err(|e| self.refusal("set accel range", e))?;
            self.accel_range = range;
        }
        if let Some(range) = gyro {
            self.driver
                .set_gyro_range(range)
                .map_err(|e| self.refusal("set gyro range", e))?;
            self.gyro_range = range;
        }
        // Clears DATA_RDY: the data registers hold a sample at the old scale
        // until the part takes its next one, and `sample` sends only samples
        // whose DATA_RDY is set, so the next one sent is at the new scale.
        self.driver
            .data_ready()
            .map_err(|e| self.refusal("read INT_STATUS", e))?;
        Ok(Reply::Done)
    }

    fn self_test(&mut self) -> Result<(), Refusal> {
        match self.driver.self_test() {
            Ok(_) => Ok(()),
            Err(Error::SelfTest(failure)) => {
                // Movement may pass; a sleeping or overheated part will not.
                let code = match failure {
                    SelfTestFailure::Acceleration { .. } | SelfTestFailure::AngularRate { .. } => {
                        ErrorCode::Busy
                    }
                    SelfTestFailure::Asleep | SelfTestFailure::Temperature { .. } => ErrorCode::Io,
                };
                Err(Refusal::new(code, format!("self-test failed: {failure}")))
            }
            Err(e @ Error::WrongIdentity { .. }) => Err(Refusal::new(
                ErrorCode::NoDevice,
                self.device_error("self-test", e).to_string(),
            )),
            Err(e) => Err(self.refusal("self-test", e)),
        }
    }

    /// Feeds the calibration in progress with one unbiased reading.
    fn calibrate(&mut self, gyro_mdps: Axes<i32>) {
        let Some(calibration) = &mut self.calibration else {
            return;
        };
        match calibration.add(gyro_mdps) {
            Ok(CalibrationProgress::Collecting { .. }) => {}
            Ok(CalibrationProgress::Done(bias)) => {
                self.driver.set_gyro_bias(bias);
                self.calibration = None;
                self.finished = Some(Ok(()));
            }
            Err(moved) => {
                let s = moved.spread_mdps;
                self.calibration = None;
                self.finished = Some(Err(Refusal::new(
                    ErrorCode::Busy,
                    format!(
                        "the device moved during the gyro calibration (spread x={} y={} z={} mdps, \
                         at most {} allowed): keep it still and retry",
                        s.x, s.y, s.z, moved.max_spread_mdps
                    ),
                )));
            }
        }
    }
}

impl<I2C> SensorDevice for MotionDevice<I2C>
where
    I2C: I2c,
    I2C::Error: Display,
{
    type Sample = ImuSample;

    fn start(&mut self) -> Result<Duration, DeviceError> {
        // The loop has answered a pending command already.
        self.calibration = None;
        self.self_test_due = false;
        self.finished = None;
        self.driver
            .reset()
            .map_err(|e| self.device_error("reset", e))
    }

    fn finish_start(&mut self) -> Result<Duration, DeviceError> {
        let config = Config {
            sample_rate_hz: self.rate_hz,
            dlpf: Dlpf::Hz44,
            gyro_range: self.gyro_range,
            accel_range: self.accel_range,
            data_ready_interrupt: true,
            interrupt_pin: InterruptPin::default(),
        };
        self.driver
            .configure(&config)
            .map(|applied| applied.settle)
            .map_err(|e| self.device_error("configure", e))
    }

    fn sample_rate_hz(&self) -> u32 {
        u32::from(self.rate_hz)
    }

    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<ImuSample>, DeviceError> {
        // INT_STATUS and the data in one burst: only new samples are sent
        // (a stuck or sleeping part sends nothing rather than repeats),
        // and after a range change the first new one is at the new scale.
        let (fresh, raw) = self
            .driver
            .read_fresh_raw()
            .map_err(|e| self.device_error("read sample", e))?;
        if !fresh {
            self.quiet_ticks += 1;
            if self.quiet_ticks.is_multiple_of(QUIET_TICKS_BEFORE_CHECK) {
                let intact = self
                    .driver
                    .configuration_intact()
                    .map_err(|e| self.device_error("check its configuration", e))?;
                if !intact {
                    return Err(DeviceError::new(
                        &self.label,
                        "read sample",
                        Fault::Stalled {
                            periods: self.quiet_ticks,
                        },
                    ));
                }
            }
            return Ok(None);
        }
        self.quiet_ticks = 0;
        let sample = raw.convert(self.driver.accel_range(), self.driver.gyro_range());
        self.calibrate(sample.gyro_mdps);
        if self.self_test_due {
            self.self_test_due = false;
            self.finished = Some(self.self_test());
        }
        let a = sample.accel_mg;
        let g = sample.gyro_mdps;
        let bias = self.driver.gyro_bias();
        Ok(Some(ImuSample {
            seq,
            t_us,
            accel_mg: [a.x, a.y, a.z],
            gyro_mdps: [
                g.x.saturating_sub(bias.x),
                g.y.saturating_sub(bias.y),
                g.z.saturating_sub(bias.z),
            ],
            temp_cc: sample.temp_centi_celsius,
        }))
    }

    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal> {
        match *op {
            CommandOp::SetRate { hz } => {
                let Some(hz16) = u16::try_from(hz).ok().filter(|_| RATE_HZ.contains(&hz)) else {
                    return Err(Refusal::bad_argument(format!(
                        "rate must be {}..={} Hz, got {hz}",
                        RATE_HZ.start(),
                        RATE_HZ.end()
                    )));
                };
                self.driver
                    .set_sample_rate(hz16)
                    .map_err(|e| self.refusal("set rate", e))?;
                self.rate_hz = hz16;
                Ok(Reply::Done)
            }
            CommandOp::SetRange { accel_g, gyro_dps } => self.set_range(accel_g, gyro_dps),
            CommandOp::SetGain { .. } | CommandOp::AutoGain => Err(Refusal::unsupported(
                "motion has no gain: set its full scale with `range accel=G gyro=DPS`",
            )),
            CommandOp::Calibrate => {
                self.calibration = Some(GyroCalibration::new(CALIBRATION_SAMPLES));
                Ok(Reply::Pending)
            }
            CommandOp::SelfTest => {
                // On the next fresh sample: right after a range change the
                // data registers still hold one scaled for the old range.
                self.self_test_due = true;
                Ok(Reply::Pending)
            }
            CommandOp::Hello | CommandOp::Stats => Err(Refusal::not_a_device_command(op)),
        }
    }

    fn finished(&mut self) -> Option<Result<(), Refusal>> {
        self.finished.take()
    }
}

/// The driver's own errors, without its `MPU-6050: ` prefix (the label
/// names the part).
struct DriverError<'a, E>(&'a Error<E>);

impl<E: fmt::Debug> Display for DriverError<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        f.write_str(text.strip_prefix("MPU-6050: ").unwrap_or(&text))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use sensor_sim::{ManualClock, Mpu6050Model, Noise, Scenario};

    use super::*;

    /// A device on a noiseless simulated part whose time moves by hand.
    fn sim(scenario: &str) -> (MotionDevice<Mpu6050Model>, ManualClock) {
        let clock = ManualClock::new();
        let scenario = Arc::new(Scenario::parse(scenario).expect("scenario"));
        let model = Mpu6050Model::new(0x68, scenario, clock.clone())
            .expect("model")
            .with_noise(Noise::NONE);
        let device = MotionDevice::new(model, Address::Ad0Low, "sim:test MPU-6050 at 0x68");
        (device, clock)
    }

    /// Brings the device up as the loop does, moving the clock through
    /// the waits.
    fn bring_up(device: &mut MotionDevice<Mpu6050Model>, clock: &ManualClock) {
        let reset = device.start().expect("start");
        assert_eq!(reset, Duration::from_millis(100));
        clock.advance(reset);
        let settle = device.finish_start().expect("finish_start");
        assert_eq!(settle, Duration::from_millis(30));
        clock.advance(settle);
    }

    fn imu(sample: Option<ImuSample>) -> ImuSample {
        sample.expect("a new sample")
    }

    #[test]
    fn a_flat_board_reads_one_g_on_z_with_the_loops_seq_and_time() {
        let (mut device, clock) = sim("0s imu orientation roll=0");
        bring_up(&mut device, &clock);
        clock.advance(Duration::from_millis(10));
        let s = imu(device.sample(7, 123_456).expect("sample"));
        assert_eq!((s.seq, s.t_us), (7, 123_456));
        assert_eq!(s.accel_mg, [0, 0, 1000]);
        assert_eq!(s.gyro_mdps, [0, 0, 0]);
        assert_eq!(s.temp_cc, 2500);
        assert_eq!(device.sample_rate_hz(), 100);
    }

    #[test]
    fn a_range_change_waits_for_a_sample_at_the_new_scale() {
        let (mut device, clock) = sim("0s imu orientation roll=0");
        bring_up(&mut device, &clock);
        clock.advance(Duration::from_millis(10));
        assert_eq!(imu(device.sample(0, 0).unwrap()).accel_mg[2], 1000);
        let range = CommandOp::SetRange {
            accel_g: Some(16),
            gyro_dps: Some(2000),
        };
        assert_eq!(device.command(&range), Ok(Reply::Done));
        // The registers still hold the ±4 g sample: nothing to send yet.
        assert_eq!(device.sample(1, 0).unwrap(), None);
        clock.advance(Duration::from_millis(10));
        assert_eq!(imu(device.sample(1, 0).unwrap()).accel_mg[2], 1000);
    }

    #[test]
    fn bad_arguments_name_what_is_allowed() {
        let (mut device, clock) = sim("");
        bring_up(&mut device, &clock);
        let refused = |device: &mut MotionDevice<_>, op| device.command(&op).unwrap_err();
        let r = refused(&mut device, CommandOp::SetRate { hz: 1001 });
        assert_eq!(r.code, ErrorCode::BadArgument);
        assert_eq!(r.text, "rate must be 1..=1000 Hz, got 1001");
        let r = refused(&mut device, CommandOp::SetRate { hz: u32::MAX });
        assert_eq!(r.code, ErrorCode::BadArgument);
        let r = refused(
            &mut device,
            CommandOp::SetRange {
                accel_g: Some(4),
                gyro_dps: Some(90),
            },
        );
        assert_eq!(r.text, "gyro must be 250, 500, 1000 or 2000 (dps), got 90");
        let r = refused(
            &mut device,
            CommandOp::SetRange {
                accel_g: Some(256),
                gyro_dps: None,
            },
        );
        assert_eq!(r.text, "accel must be 2, 4, 8 or 16 (g), got 256");
        let r = refused(
            &mut device,
            CommandOp::SetGain {
                fullscale_mv: Some(4096),
                gain_milli: None,
                integration_ms: None,
            },
        );
        assert_eq!(r.code, ErrorCode::Unsupported);
        // A refused range changed nothing: ±4 g is still what converts.
        clock.advance(Duration::from_millis(10));
        assert_eq!(imu(device.sample(0, 0).unwrap()).accel_mg[2], 1000);
    }

    #[test]
    fn rate_and_ranges_survive_a_re_init() {
        let (mut device, clock) = sim("0s imu orientation roll=0");
        bring_up(&mut device, &clock);
        assert_eq!(
            device.command(&CommandOp::SetRate { hz: 1000 }),
            Ok(Reply::Done)
        );
        assert_eq!(
            device.command(&CommandOp::SetRange {
                accel_g: Some(2),
                gyro_dps: None
            }),
            Ok(Reply::Done)
        );
        bring_up(&mut device, &clock);
        assert_eq!(device.sample_rate_hz(), 1000);
        clock.advance(Duration::from_millis(1));
        assert_eq!(imu(device.sample(0, 0).unwrap()).accel_mg[2], 1000);
        assert_eq!(device.driver.accel_range(), AccelRange::G2);
    }

    #[test]
    fn cal_and_selftest_finish_on_later_samples() {
        let (mut device, clock) = sim("0s imu orientation roll=0");
        bring_up(&mut device, &clock);
        assert_eq!(device.command(&CommandOp::SelfTest), Ok(Reply::Pending));
        assert_eq!(device.finished(), None);
        clock.advance(Duration::from_millis(10));
        device.sample(0, 0).unwrap();
        assert_eq!(device.finished(), Some(Ok(())));
        assert_eq!(device.finished(), None, "reported once");

        assert_eq!(device.command(&CommandOp::Calibrate), Ok(Reply::Pending));
        for i in 0..CALIBRATION_SAMPLES.get() {
            assert_eq!(device.finished(), None, "after {i} samples");
            clock.advance(Duration::from_millis(10));
            device.sample(u32::from(i), 0).unwrap();
        }
        assert_eq!(device.finished(), Some(Ok(())));
        assert_eq!(device.gyro_bias(), Axes { x: 0, y: 0, z: 0 });
    }

    #[test]
    fn a_turning_board_fails_cal_with_busy() {
        // Turning at a varying rate all the time.
        let (mut device, clock) =
            sim("0s imu tilt roll=90 over=1s\n1s imu tilt roll=0 over=1s\n2s * loop");
        bring_up(&mut device, &clock);
        assert_eq!(device.command(&CommandOp::Calibrate), Ok(Reply::Pending));
        for i in 0..CALIBRATION_SAMPLES.get() {
            clock.advance(Duration::from_millis(10));
            device.sample(u32::from(i), 0).unwrap();
        }
        let refusal = device.finished().expect("done").expect_err("moved");
        assert_eq!(refusal.code, ErrorCode::Busy);
        assert!(
            refusal.text.contains("keep it still and retry"),
            "{}",
            refusal.text
        );
    }

    #[test]
    fn io_errors_name_the_device_and_the_operation() {
        let (mut device, clock) = sim("200ms imu fault nack count=1");
        bring_up(&mut device, &clock);
        clock.advance(Duration::from_millis(100));
        let error = device.sample(0, 0).expect_err("a NACK");
        assert_eq!(
            error,
            DeviceError::bus(
                "sim:test MPU-6050 at 0x68",
                "read sample",
                "MPU-6050 at 0x68 did not acknowledge (scenario fault nack)"
            )
        );
        assert!(device.sample(0, 0).is_ok());
    }

    #[test]
    fn a_reset_part_is_noticed_when_it_goes_quiet() {
        let (mut device, clock) = sim("200ms imu fault reset");
        bring_up(&mut device, &clock);
        clock.advance(Duration::from_millis(300));
        let error = (0..QUIET_TICKS_BEFORE_CHECK)
            .find_map(|_| device.sample(0, 0).err())
            .expect("the check fails");
        assert_eq!(
            error.fault,
            Fault::Stalled {
                periods: QUIET_TICKS_BEFORE_CHECK
            }
        );
        assert!(!error.is_wrong_part());
    }

    #[test]
    fn another_part_is_an_identity_error() {
        let bus = Mock::new(&[Transaction::write_read(0x68, vec![0x75], vec![0x70])]);
        let mut device = MotionDevice::new(bus, Address::Ad0Low, "MPU-6050 on /dev/i2c-1 at 0x68");
        let error = device.start().expect_err("another part");
        assert!(error.is_wrong_part(), "{error:?}");
        assert_eq!(
            error.to_string(),
            "MPU-6050 on /dev/i2c-1 at 0x68: reset: WHO_AM_I read 0x70, expected 0x68: the \
             part at this address is not an MPU-6050; check --address and the board"
        );
        device.driver.destroy().done();
    }
}
