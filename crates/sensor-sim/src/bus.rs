//! What the models share: the I2C error, fault injection, a lock around the
//! chip state, and [`SimBus`], several models on one simulated bus.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation};

use crate::clock::SimClock;
use crate::scenario::{Device, Scenario};

/// A failed transaction on a simulated bus.
///
/// Every variant is, to a driver, what real hardware shows: its
/// [`kind`](embedded_hal::i2c::Error::kind) is
/// `NoAcknowledge(NoAcknowledgeSource::Address)`. The variants say why,
/// for people reading logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// No simulated device has this address.
    #[error("no device answers at address {address:#04x}")]
    NoDevice {
        /// The 7-bit address.
        address: u8,
    },
    /// The scenario's `fault nack count=N` is NACKing this transaction.
    #[error("{part} at {address:#04x} did not acknowledge (scenario fault nack)")]
    InjectedNack {
        /// The part's name.
        part: &'static str,
        /// Its address.
        address: u8,
    },
    /// The scenario's `fault vanish` has taken the device off the bus.
    #[error("{part} at {address:#04x} did not acknowledge (scenario fault vanish)")]
    Vanished {
        /// The part's name.
        part: &'static str,
        /// Its address.
        address: u8,
    },
}

impl embedded_hal::i2c::Error for BusError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    }
}

/// A part was given an address it cannot have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{part} cannot have address {address:#04x}; its addresses are {allowed}")]
pub struct AddressError {
    /// The part's name.
    pub part: &'static str,
    /// The address asked for.
    pub address: u8,
    /// What the part's address pins allow.
    pub allowed: &'static str,
}

/// Two devices were attached to a [`SimBus`] at the same address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("address {address:#04x} is already taken by another device on this bus")]
pub struct AddressInUse {
    /// The address.
    pub address: u8,
}

/// A simulated device that can sit on a [`SimBus`].
pub trait SimDevice: Send {
    /// Its 7-bit address.
    fn address(&self) -> u8;

    /// Runs one I2C transaction addressed to it (the bus has already
    /// matched the address).
    ///
    /// # Errors
    /// As [`embedded_hal::i2c::I2c::transaction`]: a NACK when a scenario
    /// fault says so.
    fn transaction(&mut self, operations: &mut [Operation<'_>]) -> Result<(), BusError>;
}

/// Several simulated devices on one bus, routed by address; any other
/// address is NACKed, as on a real bus.
///
/// ```
/// use std::sync::Arc;
/// use embedded_hal::i2c::I2c;
/// use sensor_sim::{Ads1115Model, ManualClock, Scenario, SimBus, Veml7700Model};
///
/// let scenario = Arc::new(Scenario::parse("0s light level lux=300")?);
/// let clock = ManualClock::new();
/// let mut bus = SimBus::new();
/// bus.attach(Ads1115Model::new(0x48, scenario.clone(), clock.clone())?)?;
/// bus.attach(Veml7700Model::new(scenario, clock))?;
/// let mut config = [0u8; 2];
/// bus.write_read(0x48, &[0x01], &mut config)?;
/// assert_eq!(config, [0x85, 0x83]);
/// assert!(bus.write(0x23, &[0x00]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct SimBus {
    devices: Vec<Box<dyn SimDevice>>,
}

impl SimBus {
    /// An empty bus.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts a device on the bus.
    ///
    /// # Errors
    /// [`AddressInUse`] if a device with the same address is already there.
    pub fn attach(&mut self, device: impl SimDevice + 'static) -> Result<&mut Self, AddressInUse> {
        let address = device.address();
        if self.devices.iter().any(|d| d.address() == address) {
            return Err(AddressInUse { address });
        }
        self.devices.push(Box::new(device));
        Ok(self)
    }
}

impl std::fmt::Debug for SimBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addresses: Vec<u8> = self.devices.iter().map(|d| d.address()).collect();
        f.debug_struct("SimBus")
            .field("addresses", &addresses)
            .finish()
    }
}

impl embedded_hal::i2c::ErrorType for SimBus {
    type Error = BusError;
}

impl embedded_hal::i2c::I2c for SimBus {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        match self.devices.iter_mut().find(|d| d.address() == address) {
            Some(device) => device.transaction(operations),
            None => Err(BusError::NoDevice { address }),
        }
    }
}

/// The register-level behaviour of one part, driven by [`Chip`].
///
/// Time only moves forward: every call gets a `now` at least as late as
/// the one before.
pub(crate) trait RegisterModel: Send + 'static {
    /// Name for messages.
    const PART: &'static str;
    /// Which scenario device drives it.
    const DEVICE: Device;

    /// Back to the power-on state at `now` (registers, conversions, pins);
    /// circuit properties (inputs, noise) are kept.
    fn power_on_reset(&mut self, now: Duration);

    /// Brings samples, conversions and pins up to `now`.
    fn advance(&mut self, now: Duration, scenario: &Scenario);

    /// The bytes of one write (address already acknowledged); `now` has
    /// been advanced to.
    fn write(&mut self, now: Duration, bytes: &[u8], scenario: &Scenario);

    /// Fills one read; `now` has been advanced to.
    fn read(&mut self, now: Duration, buf: &mut [u8], scenario: &Scenario);
}

/// A part's state plus what the scenario's faults have done to it so far.
struct Chip<M> {
    model: M,
    /// Latest time the state was brought up to.
    synced: Option<Duration>,
    /// Time of the latest transaction, for `fault nack` occurrences.
    last_transaction: Option<Duration>,
    /// Transactions still to NACK.
    nacks_pending: u32,
}

impl<M: RegisterModel> Chip<M> {
    /// Applies resets and advances the model to `now`; returns the time
    /// actually used (never earlier than before).
    fn sync(&mut self, now: Duration, scenario: &Scenario) -> Duration {
        let now = self.synced.map_or(now, |s| s.max(now));
        if let Some(reset) = scenario.last_reset_between(M::DEVICE, self.synced, now) {
            self.model.advance(reset, scenario);
            self.model.power_on_reset(reset);
        }
        self.model.advance(now, scenario);
        self.synced = Some(now);
        now
    }
}

/// A shared, lockable part: what the public model types wrap. Clones are
/// handles to the same chip.
pub(crate) struct Handle<M> {
    inner: Arc<Inner<M>>,
}

struct Inner<M> {
    chip: Mutex<Chip<M>>,
    scenario: Arc<Scenario>,
    clock: Arc<dyn SimClock>,
    address: u8,
}

impl<M> Clone for Handle<M> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<M: RegisterModel> Handle<M> {
    pub(crate) fn new(
        model: M,
        address: u8,
        scenario: Arc<Scenario>,
        clock: Arc<dyn SimClock>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                chip: Mutex::new(Chip {
                    model,
                    synced: None,
                    last_transaction: None,
                    nacks_pending: 0,
                }),
                scenario,
                clock,
                address,
            }),
        }
    }

    pub(crate) fn address(&self) -> u8 {
        self.inner.address
    }

    /// Runs `f` on the model brought up to the current time.
    pub(crate) fn with_model<R>(&self, f: impl FnOnce(&mut M, Duration) -> R) -> R {
        let mut chip = self.lock();
        let now = chip.sync(self.inner.clock.now(), &self.inner.scenario);
        f(&mut chip.model, now)
    }

    /// Runs `f` on the model without advancing it (configuration).
    pub(crate) fn configure(&self, f: impl FnOnce(&mut M)) {
        f(&mut self.lock().model);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Chip<M>> {
        // A panic elsewhere while holding the lock leaves consistent
        // register state; keep simulating rather than propagate it.
        self.inner
            .chip
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// One I2C transaction: address match, faults, then the operations,
    /// with consecutive writes (and consecutive reads) merged as one
    /// bus phase, as an I2C controller sends them.
    pub(crate) fn transaction(
        &self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), BusError> {
        let own = self.inner.address;
        if address != own {
            return Err(BusError::NoDevice { address });
        }
        let scenario = &*self.inner.scenario;
        let mut chip = self.lock();
        let now = chip.sync(self.inner.clock.now(), scenario);

        if let Some(count) = scenario.nack_burst_between(M::DEVICE, chip.last_transaction, now) {
            // Overlapping bursts cover the same next transactions.
            chip.nacks_pending = chip.nacks_pending.max(count);
        }
        chip.last_transaction = Some(now);
        if scenario.fault_at(M::DEVICE, now).vanished {
            return Err(BusError::Vanished {
                part: M::PART,
                address: own,
            });
        }
        if chip.nacks_pending > 0 {
            chip.nacks_pending -= 1;
            return Err(BusError::InjectedNack {
                part: M::PART,
                address: own,
            });
        }

        let mut i = 0;
        while i < operations.len() {
            let is_write = matches!(operations[i], Operation::Write(_));
            let phase_end = operations[i..]
                .iter()
                .position(|op| matches!(op, Operation::Write(_)) != is_write)
                .map_or(operations.len(), |n| i + n);
            let phase = &mut operations[i..phase_end];
            if is_write {
                let bytes: Vec<u8> = phase
                    .iter()
                    .flat_map(|op| match op {
                        Operation::Write(b) => b.iter().copied(),
                        Operation::Read(_) => [].iter().copied(),
                    })
                    .collect();
                chip.model.write(now, &bytes, scenario);
            } else {
                let total: usize = phase
                    .iter()
                    .map(|op| match op {
                        Operation::Read(b) => b.len(),
                        Operation::Write(_) => 0,
                    })
                    .sum();
                let mut bytes = vec![0u8; total];
                chip.model.read(now, &mut bytes, scenario);
                let mut from = bytes.as_slice();
                for op in phase.iter_mut() {
                    if let Operation::Read(buf) = op {
                        let (head, tail) = from.split_at(buf.len());
                        buf.copy_from_slice(head);
                        from = tail;
                    }
                }
            }
            i = phase_end;
        }
        Ok(())
    }
}

/// What every model type shares, all through its `handle`: the
/// `embedded-hal` and [`SimDevice`] impls, `Debug`, `with_noise` (the
/// chip's state has a `noise` field) and `address`.
macro_rules! sim_i2c_device {
    ($model:ty) => {
        impl $model {
            /// The same chip with another noise level; the part takes from
            /// [`Noise`](crate::Noise) the amounts of what it measures
            /// (acceleration and rotation, or illuminance).
            #[must_use]
            pub fn with_noise(self, noise: $crate::Noise) -> Self {
                self.handle.configure(|m| m.noise = noise);
                self
            }

            /// Its I2C address.
            #[must_use]
            pub fn address(&self) -> u8 {
                self.handle.address()
            }
        }

        impl embedded_hal::i2c::ErrorType for $model {
            type Error = $crate::bus::BusError;
        }

        impl embedded_hal::i2c::I2c for $model {
            fn transaction(
                &mut self,
                address: u8,
                operations: &mut [embedded_hal::i2c::Operation<'_>],
            ) -> Result<(), Self::Error> {
                self.handle.transaction(address, operations)
            }
        }

        impl $crate::bus::SimDevice for $model {
            fn address(&self) -> u8 {
                self.handle.address()
            }

            fn transaction(
                &mut self,
                operations: &mut [embedded_hal::i2c::Operation<'_>],
            ) -> Result<(), $crate::bus::BusError> {
                let address = self.handle.address();
                self.handle.transaction(address, operations)
            }
        }

        impl std::fmt::Debug for $model {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($model))
                    .field("address", &self.handle.address())
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use sim_i2c_device;
