//! Data-ready events for a sensor process's poll loop: a GPIO line edge
//! (the sensor's interrupt pin) or a periodic timer (sensors without one).
//!
//! Both are an fd to poll for `POLLIN` plus a non-blocking
//! [`drain`](ReadySource::drain) that says how many events happened since
//! the last drain: more than one means samples were missed (an overrun).

use std::fmt;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use event_loop::Timer;
use gpio_cdev::{Chip, EventRequestFlags, LineEventHandle, LineRequestFlags};
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};

/// The consumer label the kernel shows for our GPIO lines (`gpioinfo`).
pub const GPIO_CONSUMER: &str = "appliance";

/// A sample rate in millihertz, checked: not zero, at most
/// [`SampleRate::MAX_HZ`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SampleRate {
    millihertz: u32,
}

impl SampleRate {
    /// The fastest rate accepted. Sensor reads over a 400 kHz I2C bus top
    /// out near 1 kHz; anything above 10 kHz is a unit mistake, and would
    /// only burn the CPU on timer wakeups.
    pub const MAX_HZ: u32 = 10_000;

    /// A rate of `hz` samples per second.
    pub fn from_hz(hz: u32) -> Result<Self, RateError> {
        Self::from_millihertz(hz.saturating_mul(1000))
    }

    /// A rate of `millihertz` / 1000 samples per second (e.g. 12_500 for
    /// 12.5 Hz, 500 for one sample every 2 s).
    pub fn from_millihertz(millihertz: u32) -> Result<Self, RateError> {
        if millihertz == 0 {
            Err(RateError::Zero)
        } else if millihertz > Self::MAX_HZ * 1000 {
            Err(RateError::TooHigh { millihertz })
        } else {
            Ok(Self { millihertz })
        }
    }

    /// The rate in millihertz.
    pub fn millihertz(self) -> u32 {
        self.millihertz
    }

    /// The time between two samples, rounded down to the nanosecond.
    pub fn period(self) -> Duration {
        // 1 s = 10^9 ns, 1 Hz = 1000 mHz: period = 10^12 / mHz nanoseconds.
        Duration::from_nanos(1_000_000_000_000 / u64::from(self.millihertz))
    }
}

/// `100 Hz`, `12.5 Hz`, `0.001 Hz`.
impl fmt::Display for SampleRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.millihertz / 1000;
        let fraction = self.millihertz % 1000;
        if fraction == 0 {
            write!(f, "{whole} Hz")
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{whole}.{} Hz", digits.trim_end_matches('0'))
        }
    }
}

/// Why a sample rate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// A rate of zero: the timer would never fire.
    #[error("a sample rate of 0 Hz: give a rate above zero (e.g. 1 Hz)")]
    Zero,
    /// A rate above [`SampleRate::MAX_HZ`].
    #[error(
        "a sample rate of {} mHz is above the {} Hz limit: check the unit (rates are in Hz)",
        millihertz,
        SampleRate::MAX_HZ
    )]
    TooHigh {
        /// The rate asked for, in millihertz (saturated at `u32::MAX`).
        millihertz: u32,
    },
}

/// Which GPIO edge is a data-ready event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edge {
    /// Low to high: an active-high interrupt pin (MPU-6050 default).
    Rising,
    /// High to low: an active-low pin (ADS1115 ALERT/RDY by default).
    Falling,
}

impl Edge {
    fn request_flags(self) -> EventRequestFlags {
        match self {
            Edge::Rising => EventRequestFlags::RISING_EDGE,
            Edge::Falling => EventRequestFlags::FALLING_EDGE,
        }
    }
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Edge::Rising => "rising",
            Edge::Falling => "falling",
        })
    }
}

/// Why a data-ready source could not be set up or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadyError {
    /// No GPIO chip at this path.
    #[error("{}: no such device: check the board profile's chip name", path.display())]
    NoSuchChip {
        /// The chip path given.
        path: Arc<Path>,
    },
    /// The process may not open the chip.
    #[error(
        "{}: permission denied: run as root or add the user to the gpio group",
        path.display()
    )]
    ChipPermissionDenied {
        /// The chip path.
        path: Arc<Path>,
    },
    /// The path opened but is not a GPIO character device.
    #[error(
        "{}: not a GPIO chip ({source}): check the board profile's chip name (gpiodetect lists the chips)",
        path.display()
    )]
    NotAGpioChip {
        /// The path given.
        path: Arc<Path>,
        /// The failed chip-info ioctl.
        source: gpio_cdev::Error,
    },
    /// Opening the chip failed otherwise.
    #[error("{}: cannot open the GPIO chip: {source}", path.display())]
    OpenChip {
        /// The chip path.
        path: Arc<Path>,
        /// The error from gpio-cdev.
        source: gpio_cdev::Error,
    },
    /// The chip has no line with this offset.
    #[error(
        "{}: no line {offset}, the chip has {lines} lines: check the board profile's line offset",
        path.display()
    )]
    NoSuchLine {
        /// The chip path.
        path: Arc<Path>,
        /// The line offset given.
        offset: u32,
        /// How many lines the chip has.
        lines: u32,
    },
    /// Another consumer (a kernel driver or a process) holds the line.
    #[error(
        "{} line {offset}: busy, held by {}: stop the other user, or remove the overlay or \
         driver that claims the line",
        path.display(),
        consumer.as_deref().map_or_else(|| "an unnamed consumer".to_owned(), |name| format!("\"{name}\""))
    )]
    LineBusy {
        /// The chip path.
        path: Arc<Path>,
        /// The line offset.
        offset: u32,
        /// The holder's consumer label, if it set one.
        consumer: Option<String>,
    },
    /// Requesting the line's edge events failed (or reading its state).
    #[error("{} line {offset}: cannot request {edge} edge events: {source}", path.display())]
    RequestLine {
        /// The chip path.
        path: Arc<Path>,
        /// The line offset.
        offset: u32,
        /// The edge asked for.
        edge: Edge,
        /// The error from gpio-cdev.
        source: gpio_cdev::Error,
    },
    /// Making the event fd non-blocking failed.
    #[error("{} line {offset}: cannot make the event fd non-blocking: {source}", path.display())]
    NonBlocking {
        /// The chip path.
        path: Arc<Path>,
        /// The line offset.
        offset: u32,
        /// The errno of `fcntl`.
        source: Errno,
    },
    /// Reading the line's events failed.
    #[error("{} line {offset}: cannot read edge events: {source}", path.display())]
    ReadEvents {
        /// The chip path.
        path: Arc<Path>,
        /// The line offset.
        offset: u32,
        /// The error from `read(2)`.
        source: io::Error,
    },
    /// The kernel returned part of an event record (never expected).
    #[error(
        "{} line {offset}: read {bytes} bytes, not a whole number of {EVENT_SIZE}-byte events",
        path.display()
    )]
    PartialEvent {
        /// The chip path.
        path: Arc<Path>,
        /// The line offset.
        offset: u32,
        /// Bytes read.
        bytes: usize,
    },
    /// A refused sample rate.
    #[error(transparent)]
    Rate(#[from] RateError),
    /// A timerfd call failed.
    #[error("timerfd: {operation} failed: {source}")]
    Timer {
        /// `timerfd_create`, `timerfd_settime` or `read`.
        operation: &'static str,
        /// The errno.
        source: Errno,
    },
}

impl ReadyError {
    /// Classifies an error from opening a chip. gpio-cdev's error hides its
    /// kind; its `source` is an `io::Error` only when `open(2)` failed, and
    /// a nix errno when the chip-info ioctl failed (a file that is not a
    /// GPIO chip).
    fn from_chip_open(path: Arc<Path>, source: gpio_cdev::Error) -> Self {
        use std::error::Error as _;
        let open_error = source
            .source()
            .and_then(|inner| inner.downcast_ref::<io::Error>())
            .map(|inner| inner.raw_os_error().map(Errno::from_raw));
        match open_error {
            Some(Some(Errno::ENOENT | Errno::ENODEV | Errno::ENXIO)) => {
                ReadyError::NoSuchChip { path }
            }
            Some(Some(Errno::EACCES | Errno::EPERM)) => ReadyError::ChipPermissionDenied { path },
            Some(_) => ReadyError::OpenChip { path, source },
            None => ReadyError::NotAGpioChip { path, source },
        }
    }
}

/// One `struct gpioevent_data` (GPIO v1 uAPI): `__u64 timestamp; __u32 id;`
/// padded to the u64 alignment: 16 bytes, 12 on i386.
pub(crate) const EVENT_SIZE: usize = (8 + 4usize).next_multiple_of(align_of::<u64>());

/// How many whole events `bytes` bytes from the event fd hold.
fn whole_events(bytes: usize) -> Option<u64> {
    if bytes.is_multiple_of(EVENT_SIZE) {
        u64::try_from(bytes / EVENT_SIZE).ok()
    } else {
        None
    }
}

/// Why [`drain_events`] stopped.
#[derive(Debug)]
enum DrainFailure {
    Read(io::Error),
    PartialEvent(usize),
}

/// Reads every event record queued on a non-blocking event fd and counts
/// them; 0 when none is queued.
fn drain_events(mut events: impl Read) -> Result<u64, DrainFailure> {
    let mut buf = [0u8; 16 * EVENT_SIZE];
    let mut total = 0u64;
    loop {
        match events.read(&mut buf) {
            Ok(bytes) => {
                let count = whole_events(bytes).ok_or(DrainFailure::PartialEvent(bytes))?;
                total = total.saturating_add(count);
                // A read that did not fill the buffer emptied the queue.
                if bytes < buf.len() {
                    return Ok(total);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(total),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(DrainFailure::Read(error)),
        }
    }
}

/// Edge events of one GPIO line, requested as an input with the consumer
/// label [`GPIO_CONSUMER`].
#[derive(Debug)]
pub struct GpioEdgeSource {
    events: LineEventHandle,
    chip: Arc<Path>,
    offset: u32,
    edge: Edge,
}

impl GpioEdgeSource {
    /// Requests `edge` events of line `offset` on the chip at `chip`
    /// (`/dev/gpiochipN`). Fails with a [`ReadyError`] naming the chip and
    /// line: no such chip, not a chip, no such line, line busy (with its
    /// holder).
    pub fn open(chip: impl AsRef<Path>, offset: u32, edge: Edge) -> Result<Self, ReadyError> {
        let path: Arc<Path> = Arc::from(chip.as_ref());
        let mut gpio_chip = Chip::new(&path)
            .map_err(|source| ReadyError::from_chip_open(Arc::clone(&path), source))?;
        let lines = gpio_chip.num_lines();
        if offset >= lines {
            return Err(ReadyError::NoSuchLine {
                path,
                offset,
                lines,
            });
        }
        let request_error = |source| ReadyError::RequestLine {
            path: Arc::clone(&path),
            offset,
            edge,
            source,
        };
        let line = gpio_chip.get_line(offset).map_err(request_error)?;
        // gpio-cdev's error does not expose EBUSY; asking the kernel who
        // holds the line first gives a better message anyway.
        let info = line.info().map_err(request_error)?;
        if info.is_used() {
            return Err(ReadyError::LineBusy {
                path,
                offset,
                consumer: info.consumer().map(str::to_owned),
            });
        }
        let events = line
            .events(LineRequestFlags::INPUT, edge.request_flags(), GPIO_CONSUMER)
            .map_err(request_error)?;
        set_nonblocking(events.file()).map_err(|source| ReadyError::NonBlocking {
            path: Arc::clone(&path),
            offset,
            source,
        })?;
        Ok(Self {
            events,
            chip: path,
            offset,
            edge,
        })
    }

    /// How many edges happened since the last drain; 0 when none is
    /// pending. Never blocks. The kernel queues at most 16 events per line
    /// (v1 uAPI) and drops newer ones, so a count of 16 means "16 or more".
    pub fn drain(&mut self) -> Result<u64, ReadyError> {
        drain_events(self.events.file()).map_err(|failure| match failure {
            DrainFailure::Read(source) => ReadyError::ReadEvents {
                path: Arc::clone(&self.chip),
                offset: self.offset,
                source,
            },
            DrainFailure::PartialEvent(bytes) => ReadyError::PartialEvent {
                path: Arc::clone(&self.chip),
                offset: self.offset,
                bytes,
            },
        })
    }

    /// The chip path.
    pub fn chip(&self) -> &Path {
        &self.chip
    }

    /// The line offset.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The edge that counts as an event.
    pub fn edge(&self) -> Edge {
        self.edge
    }
}

impl AsFd for GpioEdgeSource {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.events.as_fd()
    }
}

fn set_nonblocking(file: &std::fs::File) -> Result<(), Errno> {
    let flags = OFlag::from_bits_truncate(fcntl(file, FcntlArg::F_GETFL)?);
    fcntl(file, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).map(drop)
}

/// A periodic `CLOCK_MONOTONIC` timerfd: a data-ready event every period of
/// the sample rate, for sensors without an interrupt line.
#[derive(Debug)]
pub struct TimerSource {
    timer: Timer,
    rate: SampleRate,
}

/// A timer call's error, named.
fn timer_error(operation: &'static str) -> impl FnOnce(Errno) -> ReadyError {
    move |source| ReadyError::Timer { operation, source }
}

impl TimerSource {
    /// Starts a timer firing at `rate`; the first event comes one period
    /// from now.
    pub fn new(rate: SampleRate) -> Result<Self, ReadyError> {
        let timer = Timer::new().map_err(timer_error("timerfd_create"))?;
        let source = Self { timer, rate };
        source.arm(rate)?;
        Ok(source)
    }

    /// Changes the rate (when the sensor's sample rate changes). The next
    /// event comes one new period from now, and expirations not yet
    /// drained are discarded (the kernel resets the count).
    pub fn set_rate(&mut self, rate: SampleRate) -> Result<(), ReadyError> {
        self.arm(rate)?;
        self.rate = rate;
        Ok(())
    }

    /// The current rate.
    pub fn rate(&self) -> SampleRate {
        self.rate
    }

    /// The period the kernel has programmed, read back (`timerfd_gettime`).
    pub fn programmed_period(&self) -> Result<Option<Duration>, ReadyError> {
        self.timer.period().map_err(timer_error("timerfd_gettime"))
    }

    /// How many periods expired since the last drain (or the last rate
    /// change); 0 when none has. Never blocks.
    pub fn drain(&mut self) -> Result<u64, ReadyError> {
        self.timer.take().map_err(timer_error("read"))
    }

    fn arm(&self, rate: SampleRate) -> Result<(), ReadyError> {
        self.timer
            .arm_every(rate.period())
            .map_err(timer_error("timerfd_settime"))
    }
}

impl AsFd for TimerSource {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.timer.as_fd()
    }
}

/// Where a sensor process learns that a sample is ready: its interrupt
/// line, or a timer at the sample rate.
///
/// ```no_run
/// use std::os::fd::AsFd;
/// use board_io::{ReadySource, SampleRate};
/// use event_loop::PollSet;
///
/// let mut ready = ReadySource::timer(SampleRate::from_hz(100)?)?;
/// loop {
///     let mut set = PollSet::new();
///     set.add(ready.as_fd());
///     set.wait(None)?;
///     let events = ready.drain()?;
///     if events > 1 {
///         eprintln!("{ready}: {} samples missed", events - 1);
///     }
///     // read the sensor
/// #   break;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub enum ReadySource {
    /// Edges of the sensor's interrupt/data-ready GPIO line.
    GpioEdge(GpioEdgeSource),
    /// A periodic timer.
    Timer(TimerSource),
}

impl ReadySource {
    /// Edge events of a GPIO line; see [`GpioEdgeSource::open`].
    pub fn gpio_edge(chip: impl AsRef<Path>, offset: u32, edge: Edge) -> Result<Self, ReadyError> {
        GpioEdgeSource::open(chip, offset, edge).map(ReadySource::GpioEdge)
    }

    /// A periodic timer at `rate`; see [`TimerSource::new`].
    pub fn timer(rate: SampleRate) -> Result<Self, ReadyError> {
        TimerSource::new(rate).map(ReadySource::Timer)
    }

    /// How many events (edges or timer expirations) happened since the
    /// last drain; 0 when none is pending. Never blocks; call it when the
    /// fd polls readable. More than 1 means samples were missed.
    pub fn drain(&mut self) -> Result<u64, ReadyError> {
        match self {
            ReadySource::GpioEdge(gpio) => gpio.drain(),
            ReadySource::Timer(timer) => timer.drain(),
        }
    }

    /// Follows a sample rate change: a timer is reprogrammed; a GPIO source
    /// is paced by the sensor itself (its driver sets the rate), so there is
    /// nothing to do.
    pub fn set_rate(&mut self, rate: SampleRate) -> Result<(), ReadyError> {
        match self {
            ReadySource::GpioEdge(_) => Ok(()),
            ReadySource::Timer(timer) => timer.set_rate(rate),
        }
    }
}

impl AsFd for ReadySource {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            ReadySource::GpioEdge(gpio) => gpio.as_fd(),
            ReadySource::Timer(timer) => timer.as_fd(),
        }
    }
}

/// `GPIO /dev/gpiochip0 line 17, rising edges` or `timer at 100 Hz`.
impl fmt::Display for ReadySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadySource::GpioEdge(gpio) => write!(
                f,
                "GPIO {} line {}, {} edges",
                gpio.chip.display(),
                gpio.offset,
                gpio.edge
            ),
            ReadySource::Timer(timer) => write!(f, "timer at {}", timer.rate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_checked() {
        assert_eq!(SampleRate::from_hz(0), Err(RateError::Zero));
        assert_eq!(SampleRate::from_millihertz(0), Err(RateError::Zero));
        assert_eq!(
            SampleRate::from_hz(SampleRate::MAX_HZ + 1),
            Err(RateError::TooHigh {
                millihertz: 10_001_000
            })
        );
        // hz * 1000 overflows u32: still refused, not wrapped to a small rate.
        assert_eq!(
            SampleRate::from_hz(u32::MAX),
            Err(RateError::TooHigh {
                millihertz: u32::MAX
            })
        );
        assert_eq!(
            SampleRate::from_hz(SampleRate::MAX_HZ).map(SampleRate::millihertz),
            Ok(10_000_000)
        );
        assert_eq!(
            SampleRate::from_millihertz(1).map(SampleRate::millihertz),
            Ok(1)
        );
    }

    #[test]
    fn periods() {
        let rate = |mhz| SampleRate::from_millihertz(mhz).expect("valid rate");
        assert_eq!(rate(100_000).period(), Duration::from_millis(10));
        assert_eq!(rate(500).period(), Duration::from_secs(2));
        assert_eq!(rate(1).period(), Duration::from_secs(1000));
        assert_eq!(rate(10_000_000).period(), Duration::from_micros(100));
        // 3 Hz: rounded down to the nanosecond.
        assert_eq!(rate(3000).period(), Duration::from_nanos(333_333_333));
    }

    #[test]
    fn rates_display_in_hz() {
        let shown = |mhz| SampleRate::from_millihertz(mhz).expect("valid").to_string();
        assert_eq!(shown(100_000), "100 Hz");
        assert_eq!(shown(12_500), "12.5 Hz");
        assert_eq!(shown(1), "0.001 Hz");
        assert_eq!(shown(1_050), "1.05 Hz");
    }

    #[test]
    fn rate_errors_say_what_to_do() {
        assert_eq!(
            RateError::Zero.to_string(),
            "a sample rate of 0 Hz: give a rate above zero (e.g. 1 Hz)"
        );
        assert_eq!(
            ReadyError::from(RateError::TooHigh {
                millihertz: 50_000_000
            })
            .to_string(),
            "a sample rate of 50000000 mHz is above the 10000 Hz limit: check the unit (rates are in Hz)"
        );
    }

    #[test]
    fn event_records_are_counted_whole() {
        assert_eq!(EVENT_SIZE, if cfg!(target_arch = "x86") { 12 } else { 16 });
        assert_eq!(whole_events(0), Some(0));
        assert_eq!(whole_events(EVENT_SIZE), Some(1));
        assert_eq!(whole_events(16 * EVENT_SIZE), Some(16));
        assert_eq!(whole_events(EVENT_SIZE + 3), None);
    }

    /// A non-blocking pipe stands in for the GPIO event fd: same read
    /// semantics (EAGAIN when empty), records written whole.
    fn event_pipe() -> (io::PipeReader, io::PipeWriter) {
        let (reader, writer) = io::pipe().expect("pipe");
        let flags = OFlag::from_bits_truncate(fcntl(&reader, FcntlArg::F_GETFL).expect("F_GETFL"));
        fcntl(&reader, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)).expect("O_NONBLOCK");
        (reader, writer)
    }

    fn queue_bytes(writer: &mut io::PipeWriter, bytes: usize) {
        use std::io::Write as _;
        writer.write_all(&vec![0u8; bytes]).expect("queue events");
    }

    #[test]
    fn drain_counts_queued_events_then_finds_none() {
        let (mut reader, mut writer) = event_pipe();
        assert_eq!(drain_events(&mut reader).expect("empty"), 0);
        queue_bytes(&mut writer, 3 * EVENT_SIZE);
        assert_eq!(drain_events(&mut reader).expect("three"), 3);
        assert_eq!(drain_events(&mut reader).expect("drained"), 0);
    }

    #[test]
    fn drain_reads_past_one_buffer() {
        let (mut reader, mut writer) = event_pipe();
        // Exactly one buffer: the second read meets EAGAIN.
        queue_bytes(&mut writer, 16 * EVENT_SIZE);
        assert_eq!(drain_events(&mut reader).expect("sixteen"), 16);
        // More than two buffers' worth.
        queue_bytes(&mut writer, 40 * EVENT_SIZE);
        assert_eq!(drain_events(&mut reader).expect("forty"), 40);
        assert_eq!(drain_events(&mut reader).expect("drained"), 0);
    }

    #[test]
    fn drain_refuses_a_partial_record() {
        let (mut reader, mut writer) = event_pipe();
        queue_bytes(&mut writer, EVENT_SIZE + 5);
        assert!(matches!(
            drain_events(&mut reader),
            Err(DrainFailure::PartialEvent(bytes)) if bytes == EVENT_SIZE + 5
        ));
    }

    #[test]
    fn chip_open_errors_are_classified() {
        let path = || Arc::from(Path::new("/dev/gpiochip9"));
        let io_error =
            |errno: Errno| gpio_cdev::Error::from(io::Error::from_raw_os_error(errno as i32));

        let missing = ReadyError::from_chip_open(path(), io_error(Errno::ENOENT));
        assert_eq!(
            missing.to_string(),
            "/dev/gpiochip9: no such device: check the board profile's chip name"
        );
        let denied = ReadyError::from_chip_open(path(), io_error(Errno::EACCES));
        assert_eq!(
            denied.to_string(),
            "/dev/gpiochip9: permission denied: run as root or add the user to the gpio group"
        );
        assert!(matches!(
            ReadyError::from_chip_open(path(), io_error(Errno::EIO)),
            ReadyError::OpenChip { .. }
        ));
    }

    #[test]
    fn busy_line_names_its_holder() {
        let busy = |consumer: Option<&str>| ReadyError::LineBusy {
            path: Arc::from(Path::new("/dev/gpiochip0")),
            offset: 17,
            consumer: consumer.map(str::to_owned),
        };
        assert_eq!(
            busy(Some("spi0 CS1")).to_string(),
            "/dev/gpiochip0 line 17: busy, held by \"spi0 CS1\": stop the other user, or remove \
             the overlay or driver that claims the line"
        );
        assert!(
            busy(None)
                .to_string()
                .contains("held by an unnamed consumer")
        );
    }
}
