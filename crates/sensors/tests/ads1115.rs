//! ADS1115 driver: the exact bus traffic of every public operation, and
//! its errors.

mod common;

use core::time::Duration;

use common::{NACK, ads::*};
use embedded_hal::i2c::{Error as _, ErrorKind};
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use sensors::ads1115::convert::{Divider, LdrModel, ldr_reading};
use sensors::ads1115::{Address, Ads1115, Channel, Config, DataRate, Error, Pga, ReadyPolarity};

fn adc(transactions: &[Transaction]) -> Ads1115<Mock> {
    Ads1115::new(Mock::new(transactions), Address::Gnd)
}

/// The config word `configure(&Config::default())` writes: single-shot,
/// AIN0, ±4.096 V, 128 SPS, comparator off.
const DEFAULT_WORD: u16 = MODE_SINGLE | MUX_A0 | PGA_4_096 | DR_128 | COMP_QUE_OFF;

#[test]
fn new_and_destroy_send_nothing() {
    adc(&[]).destroy().done();
}

#[test]
fn configure_default() {
    assert_eq!(DEFAULT_WORD, 0x4383);
    let mut dev = adc(&[write(CONFIG, DEFAULT_WORD)]);
    dev.configure(&Config::default()).unwrap();
    assert_eq!(dev.config_word(), DEFAULT_WORD);
    assert_eq!(dev.pga(), Pga::Fsr4_096V);
    assert_eq!(dev.data_rate(), DataRate::Sps128);
    dev.destroy().done();
}

#[test]
fn configure_with_ready_pin_writes_the_thresholds_first() {
    let config = Config {
        channel: Channel::A2MinusA3,
        pga: Pga::Fsr0_256V,
        data_rate: DataRate::Sps860,
        ready_pin: Some(ReadyPolarity::ActiveHigh),
    };
    let word = MODE_SINGLE | MUX_A2_A3 | PGA_0_256 | DR_860 | COMP_POL_HIGH | COMP_QUE_ONE;
    let mut dev = adc(&[
        write(HI_THRESH, 0x8000),
        write(LO_THRESH, 0x0000),
        write(CONFIG, word),
    ]);
    dev.configure(&config).unwrap();
    dev.destroy().done();
}

#[test]
fn the_addr_scl_address_is_used() {
    let mut dev = Ads1115::new(
        Mock::new(&[write_at(ADDR_SCL, CONFIG, DEFAULT_WORD)]),
        Address::Scl,
    );
    dev.configure(&Config::default()).unwrap();
    dev.destroy().done();
}

#[test]
fn verify_config_ignores_the_os_bit() {
    let mut dev = adc(&[
        write(CONFIG, DEFAULT_WORD),
        read(CONFIG, DEFAULT_WORD | OS), // idle
        read(CONFIG, DEFAULT_WORD),      // converting
    ]);
    dev.configure(&Config::default()).unwrap();
    dev.verify_config().unwrap();
    dev.verify_config().unwrap();
    dev.destroy().done();
}

#[test]
fn verify_config_catches_another_part() {
    let mut dev = adc(&[write(CONFIG, DEFAULT_WORD), read(CONFIG, 0x8583)]);
    dev.configure(&Config::default()).unwrap();
    let err = dev.verify_config().unwrap_err();
    assert_eq!(
        err,
        Error::ConfigMismatch {
            written: 0x4383,
            read: 0x8583
        }
    );
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(
        err.to_string(),
        "ADS1115: config register reads 0x8583 after 0x4383 was written: check the address and the part"
    );
    dev.destroy().done();
}

#[test]
fn every_channel_selects_its_mux() {
    let cases = [
        (Channel::A0MinusA1, MUX_A0_A1),
        (Channel::A0MinusA3, MUX_A0_A3),
        (Channel::A1MinusA3, MUX_A1_A3),
        (Channel::A2MinusA3, MUX_A2_A3),
        (Channel::A0, MUX_A0),
        (Channel::A1, MUX_A1),
        (Channel::A2, MUX_A2),
        (Channel::A3, MUX_A3),
    ];
    let base = DEFAULT_WORD & !MUX_A3;
    let mut t = vec![write(CONFIG, DEFAULT_WORD)];
    t.extend(cases.iter().map(|&(_, mux)| write(CONFIG, base | mux)));
    let mut dev = adc(&t);
    dev.configure(&Config::default()).unwrap();
    for (channel, _) in cases {
        dev.set_channel(channel).unwrap();
    }
    dev.destroy().done();
}

#[test]
fn every_pga_and_some_data_rates() {
    let pgas = [
        (Pga::Fsr6_144V, PGA_6_144),
        (Pga::Fsr4_096V, PGA_4_096),
        (Pga::Fsr2_048V, PGA_2_048),
        (Pga::Fsr1_024V, PGA_1_024),
        (Pga::Fsr0_512V, PGA_0_512),
        (Pga::Fsr0_256V, PGA_0_256),
    ];
    let rates = [
        (DataRate::Sps8, DR_8),
        (DataRate::Sps250, DR_250),
        (DataRate::Sps860, DR_860),
    ];
    let no_pga = DEFAULT_WORD & !pga(0b111);
    let mut t = vec![write(CONFIG, DEFAULT_WORD)];
    t.extend(pgas.iter().map(|&(_, bits)| write(CONFIG, no_pga | bits)));
    // The last PGA (±0.256 V) stays while the data rate changes.
    let no_dr = (no_pga | PGA_0_256) & !dr(0b111);
    t.extend(rates.iter().map(|&(_, bits)| write(CONFIG, no_dr | bits)));
    let mut dev = adc(&t);
    dev.configure(&Config::default()).unwrap();
    for (p, _) in pgas {
        dev.set_pga(p).unwrap();
        assert_eq!(dev.pga(), p);
    }
    for (rate, _) in rates {
        dev.set_data_rate(rate).unwrap();
        assert_eq!(dev.data_rate(), rate);
    }
    dev.destroy().done();
}

#[test]
fn ready_pin_on_and_off() {
    let mut dev = adc(&[
        write(CONFIG, DEFAULT_WORD),
        write(HI_THRESH, 0x8000),
        write(LO_THRESH, 0x0000),
        write(CONFIG, (DEFAULT_WORD & !COMP_QUE_OFF) | COMP_QUE_ONE), // active low
        write(CONFIG, DEFAULT_WORD),
    ]);
    dev.configure(&Config::default()).unwrap();
    dev.enable_ready_pin(ReadyPolarity::ActiveLow).unwrap();
    dev.disable_ready_pin().unwrap();
    dev.destroy().done();
}

#[test]
fn single_shot_start_poll_read() {
    let word = DEFAULT_WORD & !MUX_A3 | MUX_A1;
    let mut dev = adc(&[
        write(CONFIG, DEFAULT_WORD),
        write(CONFIG, word | OS),
        read(CONFIG, word),      // OS 0: converting
        read(CONFIG, word | OS), // done
        read(CONVERSION, 0xFF38),
    ]);
    dev.configure(&Config::default()).unwrap();
    let wait = dev.start_single_shot(Channel::A1).unwrap();
    assert_eq!(wait, Duration::from_micros(8594)); // 1/128 s + 10 %
    assert_eq!(dev.poll_single_shot().unwrap(), None);
    assert_eq!(dev.poll_single_shot().unwrap(), Some(-200));
    // The result was taken: polling again needs a new start.
    assert_eq!(dev.poll_single_shot(), Err(Error::NoConversionStarted));
    assert_eq!(dev.config_word(), word);
    dev.destroy().done();
}

#[test]
fn poll_without_start_sends_nothing() {
    let mut dev = adc(&[]);
    let err = dev.poll_single_shot().unwrap_err();
    assert_eq!(err, Error::NoConversionStarted);
    assert_eq!(err.i2c_error_kind(), None);
    assert!(err.to_string().contains("start_single_shot"));
    dev.destroy().done();
}

#[test]
fn is_busy_reads_the_os_bit() {
    let mut dev = adc(&[read(CONFIG, 0x0583), read(CONFIG, 0x8583)]);
    assert!(dev.is_busy().unwrap());
    assert!(!dev.is_busy().unwrap());
    dev.destroy().done();
}

#[test]
fn conversion_register_is_big_endian_twos_complement() {
    let mut dev = adc(&[
        read(CONVERSION, 0x7FFF),
        read(CONVERSION, 0x8000),
        read(CONVERSION, 0x2940),
    ]);
    assert_eq!(dev.read_conversion().unwrap(), i16::MAX);
    assert_eq!(dev.read_conversion().unwrap(), i16::MIN);
    let counts = dev.read_conversion().unwrap();
    assert_eq!(counts, 10_560);
    // 10 560 counts through the default circuit is 10 lux.
    let r = ldr_reading(counts, Pga::Fsr4_096V, &Divider::DEFAULT, &LdrModel::GL5528);
    assert_eq!(r.millilux, 10_000);
    dev.destroy().done();
}

#[test]
fn continuous_start_and_stop() {
    let mut dev = adc(&[
        write(CONFIG, DEFAULT_WORD),
        write(CONFIG, DEFAULT_WORD & !MODE_SINGLE & !MUX_A3 | MUX_A0_A1),
        read(CONVERSION, 0x0100),
        write(CONFIG, DEFAULT_WORD & !MUX_A3 | MUX_A0_A1),
    ]);
    dev.configure(&Config::default()).unwrap();
    let wait = dev.start_continuous(Channel::A0MinusA1).unwrap();
    assert_eq!(wait, Duration::from_micros(8594));
    assert_eq!(dev.read_conversion().unwrap(), 256);
    // A single-shot poll is refused in continuous mode.
    assert_eq!(dev.poll_single_shot(), Err(Error::NoConversionStarted));
    dev.stop_continuous().unwrap();
    dev.destroy().done();
}

#[test]
fn nack_is_reported_with_its_kind() {
    let mut dev = adc(&[
        Transaction::write(ADDR_GND, vec![CONFIG, 0x43, 0x83]).with_error(NACK),
        Transaction::write_read(ADDR_GND, vec![CONVERSION], vec![0, 0])
            .with_error(ErrorKind::ArbitrationLoss),
    ]);
    let err = dev.configure(&Config::default()).unwrap_err();
    assert_eq!(err.i2c_error_kind(), Some(NACK));
    assert_eq!(err.kind(), NACK);
    let err = dev.read_conversion().unwrap_err();
    assert_eq!(err, Error::I2c(ErrorKind::ArbitrationLoss));
    assert_eq!(err.to_string(), "ADS1115: I2C bus error: ArbitrationLoss");
    dev.destroy().done();
}

#[test]
fn a_failed_write_leaves_the_remembered_config_unchanged() {
    let mut dev = adc(&[
        write(CONFIG, DEFAULT_WORD),
        Transaction::write(ADDR_GND, vec![CONFIG, 0x45, 0x83]).with_error(ErrorKind::Bus),
        write(CONFIG, DEFAULT_WORD & !dr(0b111) | DR_8),
    ]);
    dev.configure(&Config::default()).unwrap();
    assert!(dev.set_pga(Pga::Fsr2_048V).is_err());
    assert_eq!(dev.pga(), Pga::Fsr4_096V);
    // The next change builds on the old PGA.
    dev.set_data_rate(DataRate::Sps8).unwrap();
    dev.destroy().done();
}

#[test]
fn address_parses_from_a_number() {
    assert_eq!(Address::try_from(0x49), Ok(Address::Vdd));
    assert_eq!(Address::try_from(0x4A), Ok(Address::Sda));
    let err = Address::try_from(0x47).unwrap_err();
    assert_eq!(
        err.to_string(),
        "I2C address 0x47 is not an address of the ADS1115: use 0x48..=0x4B"
    );
}
