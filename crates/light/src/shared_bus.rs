//! One I2C bus, two users: the VEML7700 driver owns one handle, the
//! adapter keeps another for the registers the driver does not read
//! (ID, and ALS_CONF_0 for the read-back checks).

use std::cell::RefCell;
use std::rc::Rc;

use embedded_hal::i2c::{ErrorType, I2c, Operation, SevenBitAddress};

/// A handle to a bus shared within one thread. Clones are handles to the
/// same bus; each transaction borrows it for its duration only.
#[derive(Debug)]
pub(crate) struct SharedBus<I2C> {
    bus: Rc<RefCell<I2C>>,
}

impl<I2C> SharedBus<I2C> {
    pub(crate) fn new(bus: I2C) -> Self {
        Self {
            bus: Rc::new(RefCell::new(bus)),
        }
    }
}

impl<I2C> Clone for SharedBus<I2C> {
    fn clone(&self) -> Self {
        Self {
            bus: Rc::clone(&self.bus),
        }
    }
}

impl<I2C: ErrorType> ErrorType for SharedBus<I2C> {
    type Error = I2C::Error;
}

/// Each call goes to the same call of the bus, so the access pattern a
/// driver uses (which an SMBus-only adapter depends on) is kept.
impl<I2C: I2c> I2c for SharedBus<I2C> {
    // The borrows cannot conflict: each lasts for one call, the type is not
    // Sync, and no bus call re-enters another.

    fn read(&mut self, address: SevenBitAddress, read: &mut [u8]) -> Result<(), Self::Error> {
        self.bus.borrow_mut().read(address, read)
    }

    fn write(&mut self, address: SevenBitAddress, write: &[u8]) -> Result<(), Self::Error> {
        self.bus.borrow_mut().write(address, write)
    }

    fn write_read(
        &mut self,
        address: SevenBitAddress,
        write: &[u8],
        read: &mut [u8],
    ) -> Result<(), Self::Error> {
        self.bus.borrow_mut().write_read(address, write, read)
    }

    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        self.bus.borrow_mut().transaction(address, operations)
    }
}
