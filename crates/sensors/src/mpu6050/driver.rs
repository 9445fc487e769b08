//! The MPU-6050 driver: identity, reset, configuration, and reading
//! samples with the gyroscope bias removed.

use core::time::Duration;

use embedded_hal::i2c::I2c;

use super::register as reg;
use super::{
    AccelRange, Address, Applied, Axes, Config, Dlpf, Error, GYRO_STARTUP_TIME, GyroRange,
    InterruptPin, RESET_TIME, RawSample, Sample, SampleRate,
};

/// The MPU-6050 driver. It remembers the settings it wrote (ranges, DLPF,
/// rate), so it converts samples without reading them back.
#[derive(Debug)]
pub struct Mpu6050<I2C> {
    i2c: I2C,
    address: u8,
    settings: Settings,
    /// Subtracted from every sample: see `calibration`.
    pub(super) gyro_bias_mdps: Axes<i32>,
}

/// The settings the driver last wrote.
#[derive(Debug, Clone, Copy)]
struct Settings {
    dlpf: Dlpf,
    requested_rate_hz: u16,
    sample_rate: SampleRate,
    gyro_range: GyroRange,
    accel_range: AccelRange,
}

impl Settings {
    /// The registers' power-on and reset values: DLPF off, divider 0
    /// (8 kHz), ±250 °/s, ±2 g.
    const RESET: Self = Self {
        dlpf: Dlpf::Hz260,
        requested_rate_hz: 8000,
        sample_rate: SampleRate {
            divider: 0,
            gyro_output_rate_hz: 8000,
        },
        gyro_range: GyroRange::Dps250,
        accel_range: AccelRange::G2,
    };
}

impl<I2C: I2c> Mpu6050<I2C> {
    /// A driver for the part at `address`. Sends nothing; the settings it
    /// assumes are the power-on ones until [`Mpu6050::configure`].
    pub fn new(i2c: I2C, address: Address) -> Self {
        Self {
            i2c,
            address: address.bits(),
            settings: Settings::RESET,
            gyro_bias_mdps: Axes::default(),
        }
    }

    /// Hands the bus back.
    pub fn destroy(self) -> I2C {
        self.i2c
    }

    /// Reads WHO_AM_I (0x68 on an MPU-6050).
    pub fn who_am_i(&mut self) -> Result<u8, Error<I2C::Error>> {
        self.read_register(reg::WHO_AM_I)
    }

    /// Reads WHO_AM_I and fails with [`Error::WrongIdentity`] unless it is 0x68.
    pub fn check_identity(&mut self) -> Result<(), Error<I2C::Error>> {
        match self.who_am_i()? {
            reg::WHO_AM_I_VALUE => Ok(()),
            found => Err(Error::WrongIdentity { found }),
        }
    }

    /// Checks the identity, then resets every register (PWR_MGMT_1
    /// DEVICE_RESET). Returns the wait ([`RESET_TIME`]) before
    /// [`Mpu6050::configure`]. The part is asleep after a reset.
    pub fn reset(&mut self) -> Result<Duration, Error<I2C::Error>> {
        self.check_identity()?;
        self.write_register(reg::PWR_MGMT_1, reg::pwr_mgmt_1::DEVICE_RESET)?;
        // The gyroscope bias is the part's, not a register: it is kept.
        self.settings = Settings::RESET;
        Ok(RESET_TIME)
    }

    /// Wakes the part with the PLL (X gyroscope) as clock, then writes the
    /// filter, sample rate divider, ranges, INT pin and interrupt enable,
    /// in that order. Returns the sample rate achieved and the wait before
    /// the gyroscope is settled.
    pub fn configure(&mut self, config: &Config) -> Result<Applied, Error<I2C::Error>> {
        let sample_rate = SampleRate::nearest(config.sample_rate_hz, config.dlpf).ok_or(
            Error::InvalidSampleRate {
                requested_hz: config.sample_rate_hz,
            },
        )?;
        // Clearing SLEEP and choosing the clock is one write.
        self.write_register(reg::PWR_MGMT_1, reg::pwr_mgmt_1::CLKSEL_PLL_XGYRO)?;
        self.write_register(reg::CONFIG, config.dlpf.bits())?;
        self.settings.dlpf = config.dlpf;
        self.write_register(reg::SMPLRT_DIV, sample_rate.divider)?;
        self.settings.sample_rate = sample_rate;
        self.settings.requested_rate_hz = config.sample_rate_hz;
        self.set_gyro_range(config.gyro_range)?;
        self.set_accel_range(config.accel_range)?;
        self.set_interrupts(config.data_ready_interrupt, config.interrupt_pin)?;
        Ok(Applied {
            sample_rate,
            settle: GYRO_STARTUP_TIME,
        })
    }

    /// Sets the sample rate nearest to `hz` with the current filter and
    /// returns what was achieved.
    pub fn set_sample_rate(&mut self, hz: u16) -> Result<SampleRate, Error<I2C::Error>> {
        let sample_rate = SampleRate::nearest(hz, self.settings.dlpf)
            .ok_or(Error::InvalidSampleRate { requested_hz: hz })?;
        self.write_register(reg::SMPLRT_DIV, sample_rate.divider)?;
        self.settings.sample_rate = sample_rate;
        self.settings.requested_rate_hz = hz;
        Ok(sample_rate)
    }

    /// Sets the low-pass filter. The filter sets the divider's input rate
    /// (8 or 1 kHz), so the divider is recomputed for the last requested
    /// rate and written too; returns the rate achieved.
    pub fn set_dlpf(&mut self, dlpf: Dlpf) -> Result<SampleRate, Error<I2C::Error>> {
        self.write_register(reg::CONFIG, dlpf.bits())?;
        self.settings.dlpf = dlpf;
        self.set_sample_rate(self.settings.requested_rate_hz)
    }

    /// Sets the gyroscope full scale (the self-test bits stay 0).
    pub fn set_gyro_range(&mut self, range: GyroRange) -> Result<(), Error<I2C::Error>> {
        let value = range.bits() << reg::gyro_config::FS_SEL_SHIFT;
        self.write_register(reg::GYRO_CONFIG, value)?;
        self.settings.gyro_range = range;
        Ok(())
    }

    /// Sets the accelerometer full scale (the self-test bits stay 0).
    pub fn set_accel_range(&mut self, range: AccelRange) -> Result<(), Error<I2C::Error>> {
        let value = range.bits() << reg::accel_config::AFS_SEL_SHIFT;
        self.write_register(reg::ACCEL_CONFIG, value)?;
        self.settings.accel_range = range;
        Ok(())
    }

    /// Writes INT_PIN_CFG, then INT_ENABLE (DATA_RDY_EN when `data_ready`).
    pub fn set_interrupts(
        &mut self,
        data_ready: bool,
        pin: InterruptPin,
    ) -> Result<(), Error<I2C::Error>> {
        self.write_register(reg::INT_PIN_CFG, pin.bits())?;
        let enable = if data_ready {
            reg::int_enable::DATA_RDY_EN
        } else {
            0
        };
        self.write_register(reg::INT_ENABLE, enable)
    }

    /// Reads INT_STATUS: true when a new sample is ready. The read clears
    /// the status (and a latched INT pin).
    pub fn data_ready(&mut self) -> Result<bool, Error<I2C::Error>> {
        let status = self.read_register(reg::INT_STATUS)?;
        Ok(status & reg::int_status::DATA_RDY_INT != 0)
    }

    /// Reads the 14 data registers in one burst.
    pub fn read_raw(&mut self) -> Result<RawSample, Error<I2C::Error>> {
        let mut buf = [0u8; reg::DATA_LEN];
        self.i2c
            .write_read(self.address, &[reg::ACCEL_XOUT_H], &mut buf)
            .map_err(Error::I2c)?;
        Ok(RawSample::from_bytes(&buf))
    }

    /// Reads INT_STATUS and the 14 data registers in one 15-byte burst
    /// from INT_STATUS: whether the sample is new (DATA_RDY, which this
    /// read clears) and the sample. A timer-paced reader uses it to send
    /// only new samples at the cost of one byte more per read.
    pub fn read_fresh_raw(&mut self) -> Result<(bool, RawSample), Error<I2C::Error>> {
        let mut buf = [0u8; 1 + reg::DATA_LEN];
        self.i2c
            .write_read(self.address, &[reg::INT_STATUS], &mut buf)
            .map_err(Error::I2c)?;
        let fresh = buf[0] & reg::int_status::DATA_RDY_INT != 0;
        let mut data = [0u8; reg::DATA_LEN];
        data.copy_from_slice(&buf[1..]);
        Ok((fresh, RawSample::from_bytes(&data)))
    }

    /// Whether the part still holds what [`Mpu6050::configure`] wrote:
    /// awake on the PLL clock and at the sample rate divider set last.
    /// False after a reset or a brown-out, which leave the part asleep
    /// with its power-on registers (and its data registers still).
    pub fn configuration_intact(&mut self) -> Result<bool, Error<I2C::Error>> {
        let power = self.read_register(reg::PWR_MGMT_1)?;
        let divider = self.read_register(reg::SMPLRT_DIV)?;
        Ok(power == reg::pwr_mgmt_1::CLKSEL_PLL_XGYRO
            && divider == self.settings.sample_rate.divider)
    }

    /// Reads one sample and converts it at the current ranges, with the
    /// gyroscope bias subtracted (saturating).
    pub fn read_sample(&mut self) -> Result<Sample, Error<I2C::Error>> {
        let mut sample = self.read_unbiased()?;
        let bias = self.gyro_bias_mdps;
        sample.gyro_mdps = Axes {
            x: sample.gyro_mdps.x.saturating_sub(bias.x),
            y: sample.gyro_mdps.y.saturating_sub(bias.y),
            z: sample.gyro_mdps.z.saturating_sub(bias.z),
        };
        Ok(sample)
    }

    /// The sample rate last set.
    pub fn sample_rate(&self) -> SampleRate {
        self.settings.sample_rate
    }

    /// The gyroscope full scale last set.
    pub fn gyro_range(&self) -> GyroRange {
        self.settings.gyro_range
    }

    /// The accelerometer full scale last set.
    pub fn accel_range(&self) -> AccelRange {
        self.settings.accel_range
    }

    /// The low-pass filter last set.
    pub fn dlpf(&self) -> Dlpf {
        self.settings.dlpf
    }

    /// Reads one sample and converts it at the current ranges, the
    /// gyroscope bias not removed.
    pub(super) fn read_unbiased(&mut self) -> Result<Sample, Error<I2C::Error>> {
        Ok(self
            .read_raw()?
            .convert(self.settings.accel_range, self.settings.gyro_range))
    }

    fn write_register(&mut self, register: u8, value: u8) -> Result<(), Error<I2C::Error>> {
        self.i2c
            .write(self.address, &[register, value])
            .map_err(Error::I2c)
    }

    pub(super) fn read_register(&mut self, register: u8) -> Result<u8, Error<I2C::Error>> {
        let mut buf = [0u8; 1];
        self.i2c
            .write_read(self.address, &[register], &mut buf)
            .map_err(Error::I2c)?;
        Ok(buf[0])
    }
}
