//! Where the dashboard goes: a Linux framebuffer (`fb:/dev/fb0`, optionally
//! with the console on a tty switched to graphics mode) or a PNG file
//! (`headless:PATH.png`). Either way the dashboard is drawn off screen into
//! a [`HeadlessScreen`]; a display then takes the rectangles that changed.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use framebuffer::{Framebuffer, KdMode};

use crate::args::SPEC;
use crate::headless::HeadlessScreen;
use crate::pixel::{FormatError, PixelFormat};

/// Which display `--display` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisplaySpec {
    /// `headless:PATH.png`: the screen is written to PATH as a PNG.
    Headless {
        /// The PNG file, replaced atomically at each refresh.
        path: PathBuf,
    },
    /// `fb:DEVICE[:tty=TTY]`: a framebuffer device; with `tty=`, that
    /// console is put in graphics mode while the GUI runs.
    Framebuffer {
        /// The device, e.g. `/dev/fb0`.
        device: PathBuf,
        /// The console tty, e.g. `/dev/tty1`.
        tty: Option<PathBuf>,
    },
}

impl DisplaySpec {
    /// Parses `headless:PATH` or `fb:DEVICE[:tty=TTY]`.
    pub fn parse(s: &str) -> Result<DisplaySpec, String> {
        if let Some(path) = s.strip_prefix("headless:") {
            if path.is_empty() {
                return Err("headless: needs a PNG path, e.g. headless:/tmp/screen.png".into());
            }
            return Ok(DisplaySpec::Headless { path: path.into() });
        }
        if let Some(rest) = s.strip_prefix("fb:") {
            let (device, tty) = match rest.split_once(":tty=") {
                Some((device, tty)) if !tty.is_empty() => (device, Some(PathBuf::from(tty))),
                Some(_) => return Err("tty= needs a path, e.g. fb:/dev/fb0:tty=/dev/tty1".into()),
                None => (rest, None),
            };
            if device.is_empty() {
                return Err("fb: needs a device, e.g. fb:/dev/fb0".into());
            }
            return Ok(DisplaySpec::Framebuffer {
                device: device.into(),
                tty,
            });
        }
        Err(format!(
            "`{s}` is not a display: use headless:PATH.png or fb:/dev/fb0[:tty=/dev/tty1]"
        ))
    }
}

impl std::str::FromStr for DisplaySpec {
    type Err = String;

    fn from_str(s: &str) -> Result<DisplaySpec, String> {
        DisplaySpec::parse(s)
    }
}

/// Why a display cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DisplayError {
    /// The framebuffer device does not exist.
    #[error(
        "framebuffer {}: {source}: is the display driver loaded (e.g. `modprobe virtio_gpu`)? or use --display headless:PATH.png",
        .path.display()
    )]
    NoDevice {
        /// The device.
        path: PathBuf,
        /// What stat said.
        source: std::io::Error,
    },
    /// The device exists but cannot be opened, queried or mapped.
    #[error("framebuffer {}: {details}", .path.display())]
    Open {
        /// The device.
        path: PathBuf,
        /// What the framebuffer crate said.
        details: String,
    },
    /// Its pixel format is not one this GUI draws.
    #[error("framebuffer {}: {source}", .path.display())]
    Format {
        /// The device.
        path: PathBuf,
        /// What is wrong with it.
        source: FormatError,
    },
    /// The mapping is smaller than the screen it describes.
    #[error("framebuffer {}: mapped {mapped} bytes, the visible screen needs {needed}", .path.display())]
    Mapping {
        /// The device.
        path: PathBuf,
        /// Bytes mapped.
        mapped: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// The console could not be switched to graphics mode.
    #[error("console {}: KDSETMODE: {details}; run as root or without tty=", .tty.display())]
    Console {
        /// The tty.
        tty: PathBuf,
        /// What the ioctl said.
        details: String,
    },
    /// The PNG file could not be written.
    #[error("{}: {source}", .path.display())]
    Png {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The console in graphics mode (`KD_GRAPHICS`: no text cursor drawn over
/// the dashboard) for as long as this lives; dropping it, or a panic
/// anywhere, puts it back in text mode. SIGTERM reaches the drop because
/// the main loop reads signals from a signalfd and returns.
#[derive(Debug)]
pub struct GraphicsConsole {
    tty: PathBuf,
}

/// The tty to restore on a panic (a `panic = "abort"` build runs the panic
/// hook but no destructors).
static PANIC_RESTORE: Mutex<Option<PathBuf>> = Mutex::new(None);

impl GraphicsConsole {
    /// Switches `tty` to graphics mode.
    pub fn enter(tty: &Path) -> Result<GraphicsConsole, DisplayError> {
        Framebuffer::set_kd_mode_ex(tty, KdMode::Graphics).map_err(|e| DisplayError::Console {
            tty: tty.to_owned(),
            details: e.details,
        })?;
        *PANIC_RESTORE.lock().unwrap_or_else(PoisonError::into_inner) = Some(tty.to_owned());
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let tty = PANIC_RESTORE.lock().ok().and_then(|mut t| t.take());
                if let Some(tty) = tty {
                    let _ = Framebuffer::set_kd_mode_ex(tty, KdMode::Text);
                }
                previous(info);
            }));
        });
        Ok(GraphicsConsole {
            tty: tty.to_owned(),
        })
    }
}

impl Drop for GraphicsConsole {
    fn drop(&mut self) {
        PANIC_RESTORE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Err(e) = Framebuffer::set_kd_mode_ex(&self.tty, KdMode::Text) {
            SPEC.report(&format_args!(
                "console {}: back to text mode: {}",
                self.tty.display(),
                e.details
            ));
        }
    }
}

/// A framebuffer device, mapped, with its pixel format.
pub struct FbDisplay {
    path: PathBuf,
    fb: Framebuffer,
    format: PixelFormat,
    /// Byte offset of the visible screen in the mapping (the panning
    /// offsets the driver reports).
    origin: usize,
    // Declared last: dropped after the mapping, so the console returns to
    // text mode once the dashboard is no longer being drawn.
    _console: Option<GraphicsConsole>,
}

impl std::fmt::Debug for FbDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FbDisplay")
            .field("path", &self.path)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl FbDisplay {
    /// Opens and maps `device`, checks its format, and switches `tty` (if
    /// given) to graphics mode.
    pub fn open(device: &Path, tty: Option<&Path>) -> Result<FbDisplay, DisplayError> {
        let path = device.to_owned();
        std::fs::metadata(device).map_err(|source| DisplayError::NoDevice {
            path: path.clone(),
            source,
        })?;
        let fb = Framebuffer::new(device).map_err(|e| DisplayError::Open {
            path: path.clone(),
            details: e.details,
        })?;
        let format = PixelFormat::from_screen_info(&fb.var_screen_info, &fb.fix_screen_info)
            .map_err(|source| DisplayError::Format {
                path: path.clone(),
                source,
            })?;
        let var = &fb.var_screen_info;
        let origin = var.yoffset as usize * format.line_length as usize
            + var.xoffset as usize * format.bytes_per_pixel as usize;
        let needed = origin + format.frame_len();
        if fb.frame.len() < needed {
            return Err(DisplayError::Mapping {
                path,
                mapped: fb.frame.len(),
                needed,
            });
        }
        let console = tty.map(GraphicsConsole::enter).transpose()?;
        Ok(FbDisplay {
            path,
            fb,
            format,
            origin,
            _console: console,
        })
    }

    /// The visible size.
    pub fn size(&self) -> Size {
        Size::new(self.format.width, self.format.height)
    }

    /// The pixel format.
    pub fn format(&self) -> &PixelFormat {
        &self.format
    }

    /// Copies the `damage` rectangles of `screen` to the framebuffer.
    pub fn present(&mut self, screen: &HeadlessScreen, damage: &[Rectangle]) {
        let memory = &mut self.fb.frame[self.origin..];
        for area in damage {
            // `open` checked the mapping holds the visible screen.
            let _ = self.format.copy_rect(screen, area, memory);
        }
    }
}

/// A display the run loop draws to.
#[derive(Debug)]
pub enum Display {
    /// A PNG file, refreshed at most every `min_interval_us`.
    Png {
        /// The file.
        path: PathBuf,
        /// Shortest time between two writes, microseconds.
        min_interval_us: u64,
        /// When it was last written.
        last_write_us: Option<u64>,
        /// Whether the screen changed since.
        pending: bool,
    },
    /// A framebuffer.
    Framebuffer(Box<FbDisplay>),
}

impl Display {
    /// Opens the display `spec` names; a headless one is `headless_size`.
    pub fn open(spec: &DisplaySpec, png_every_us: u64) -> Result<Display, DisplayError> {
        match spec {
            DisplaySpec::Headless { path } => Ok(Display::Png {
                path: path.clone(),
                min_interval_us: png_every_us,
                last_write_us: None,
                pending: false,
            }),
            DisplaySpec::Framebuffer { device, tty } => {
                FbDisplay::open(device, tty.as_deref()).map(|fb| Display::Framebuffer(Box::new(fb)))
            }
        }
    }

    /// The framebuffer's size; `None` for a PNG (any size will do).
    pub fn native_size(&self) -> Option<Size> {
        match self {
            Display::Png { .. } => None,
            Display::Framebuffer(fb) => Some(fb.size()),
        }
    }

    /// Takes the rectangles of `screen` that changed at `now_us`.
    pub fn present(
        &mut self,
        screen: &HeadlessScreen,
        damage: &[Rectangle],
        now_us: u64,
    ) -> Result<(), DisplayError> {
        match self {
            Display::Framebuffer(fb) => {
                fb.present(screen, damage);
                Ok(())
            }
            Display::Png { pending, .. } => {
                *pending |= !damage.is_empty();
                self.flush(screen, now_us)
            }
        }
    }

    /// Writes a pending PNG if its interval has passed.
    pub fn flush(&mut self, screen: &HeadlessScreen, now_us: u64) -> Result<(), DisplayError> {
        if let Display::Png {
            path,
            min_interval_us,
            last_write_us,
            pending,
        } = self
        {
            let due = last_write_us.is_none_or(|t| now_us >= t.saturating_add(*min_interval_us));
            if *pending && due {
                screen.write_png(path).map_err(|source| DisplayError::Png {
                    path: path.clone(),
                    source,
                })?;
                *pending = false;
                *last_write_us = Some(now_us);
            }
        }
        Ok(())
    }

    /// When [`Display::flush`] has work to do, if ever.
    pub fn next_deadline(&self) -> Option<u64> {
        match self {
            Display::Png {
                min_interval_us,
                last_write_us,
                pending: true,
                ..
            } => Some(last_write_us.map_or(0, |t| t.saturating_add(*min_interval_us))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_specs_parse_and_bad_ones_say_what_to_write() {
        assert_eq!(
            DisplaySpec::parse("headless:/tmp/s.png").unwrap(),
            DisplaySpec::Headless {
                path: "/tmp/s.png".into()
            }
        );
        assert_eq!(
            DisplaySpec::parse("fb:/dev/fb0").unwrap(),
            DisplaySpec::Framebuffer {
                device: "/dev/fb0".into(),
                tty: None
            }
        );
        assert_eq!(
            DisplaySpec::parse("fb:/dev/fb1:tty=/dev/tty1").unwrap(),
            DisplaySpec::Framebuffer {
                device: "/dev/fb1".into(),
                tty: Some("/dev/tty1".into())
            }
        );
        for bad in ["", "fb:", "headless:", "fb:/dev/fb0:tty=", "vnc:1"] {
            let e = DisplaySpec::parse(bad).unwrap_err();
            assert!(
                e.contains("e.g.") || e.contains("use headless:"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_missing_device_is_a_clear_error() {
        let e = FbDisplay::open(Path::new("/dev/no-such-fb9"), None).unwrap_err();
        assert!(matches!(e, DisplayError::NoDevice { .. }));
        let text = e.to_string();
        assert!(
            text.contains("/dev/no-such-fb9") && text.contains("headless"),
            "{text}"
        );
    }

    #[test]
    fn a_file_that_is_not_a_framebuffer_is_an_open_error() {
        let e = FbDisplay::open(Path::new("/dev/null"), None).unwrap_err();
        assert!(matches!(e, DisplayError::Open { .. }), "{e}");
        assert!(e.to_string().starts_with("framebuffer /dev/null: "), "{e}");
    }

    #[test]
    fn png_writes_are_paced() {
        let dir = std::env::temp_dir().join(format!("gui-display-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.png");
        let spec = DisplaySpec::Headless { path: path.clone() };
        let mut d = Display::open(&spec, 500).unwrap();
        let screen = HeadlessScreen::new(Size::new(2, 2));
        let all = [Rectangle::new(Point::zero(), Size::new(2, 2))];
        assert_eq!(d.next_deadline(), None);
        d.present(&screen, &all, 1_000).unwrap();
        assert!(path.exists(), "the first frame is written at once");
        std::fs::remove_file(&path).unwrap();
        d.present(&screen, &all, 1_200).unwrap();
        assert!(!path.exists(), "too soon");
        assert_eq!(d.next_deadline(), Some(1_500));
        d.flush(&screen, 1_500).unwrap();
        assert!(path.exists());
        assert_eq!(d.next_deadline(), None, "nothing pending: no deadline");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
