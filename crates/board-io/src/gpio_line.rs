//! A GPIO line named on a command line: `gpio:CHIP:LINE[:rising|falling]`,
//! one grammar for every sensor process's `--ready`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::Edge;

/// A GPIO line and, if given, the edge that means an event:
/// `gpio:CHIP:LINE[:rising|falling]`.
///
/// - `CHIP` is `gpiochipN` (the device `/dev/gpiochipN`) or an absolute
///   path under `/dev/` (`/dev/gpiochip0`, a udev link).
/// - `LINE` is the line's offset on the chip: decimal digits only (no
///   sign), `0` the chip's first line.
/// - The edge is optional: the program that reads the line knows which
///   edge its sensor drives (an MPU-6050's INT pin rises, an ADS1115's
///   ALERT/RDY pin falls) and supplies it with [`GpioLine::edge_or`].
///
/// ```
/// use board_io::{Edge, GpioLine};
///
/// let line: GpioLine = "gpio:gpiochip0:17".parse()?;
/// assert_eq!(line.chip, std::path::Path::new("/dev/gpiochip0"));
/// assert_eq!((line.line, line.edge_or(Edge::Rising)), (17, Edge::Rising));
/// let line: GpioLine = "gpio:/dev/gpiochip1:4:falling".parse()?;
/// assert_eq!(line.to_string(), "gpio:/dev/gpiochip1:4:falling");
/// # Ok::<(), board_io::GpioLineError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GpioLine {
    /// The chip's device, e.g. `/dev/gpiochip0`.
    pub chip: PathBuf,
    /// The line's offset on the chip.
    pub line: u32,
    /// The edge given, if one was.
    pub edge: Option<Edge>,
}

impl GpioLine {
    /// The edge given, else `default` (the edge the program's sensor
    /// drives).
    pub fn edge_or(&self, default: Edge) -> Edge {
        self.edge.unwrap_or(default)
    }
}

/// Why a text is not a [`GpioLine`]; each says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GpioLineError {
    /// Not `gpio:` and two or three `:`-separated parts.
    #[error("expected gpio:CHIP:LINE or gpio:CHIP:LINE:rising|falling, e.g. gpio:gpiochip0:17")]
    Form,
    /// The chip is neither `gpiochipN` nor a `/dev/` path.
    #[error("chip `{0}`: expected gpiochipN or a path under /dev/, e.g. gpiochip0")]
    Chip(String),
    /// The line is not a number.
    #[error("line `{0}`: expected the line's offset on the chip, digits only, e.g. 17")]
    Line(String),
    /// The edge is neither `rising` nor `falling`.
    #[error("edge `{0}`: expected rising or falling")]
    Edge(String),
}

impl FromStr for GpioLine {
    type Err = GpioLineError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(':');
        let (Some("gpio"), Some(chip), Some(line)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(GpioLineError::Form);
        };
        let edge = parts.next();
        if parts.next().is_some() {
            return Err(GpioLineError::Form);
        }
        let chip = match chip.strip_prefix("gpiochip") {
            Some(n) if is_digits(n) => PathBuf::from("/dev").join(chip),
            _ if chip.len() > "/dev/".len() && chip.starts_with("/dev/") => PathBuf::from(chip),
            _ => return Err(GpioLineError::Chip(chip.to_owned())),
        };
        let offset = is_digits(line)
            .then(|| line.parse().ok())
            .flatten()
            .ok_or_else(|| GpioLineError::Line(line.to_owned()))?;
        let edge = match edge {
            None => None,
            Some("rising") => Some(Edge::Rising),
            Some("falling") => Some(Edge::Falling),
            Some(other) => return Err(GpioLineError::Edge(other.to_owned())),
        };
        Ok(GpioLine {
            chip,
            line: offset,
            edge,
        })
    }
}

/// `gpio:/dev/gpiochip0:17`, with `:rising` or `:falling` when an edge
/// was given: text that parses back to the same line.
impl fmt::Display for GpioLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gpio:{}:{}", self.chip.display(), self.line)?;
        match self.edge {
            Some(edge) => write!(f, ":{edge}"),
            None => Ok(()),
        }
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Result<GpioLine, GpioLineError> {
        text.parse()
    }

    #[test]
    fn the_grammar() {
        let l = line("gpio:gpiochip0:17").unwrap();
        assert_eq!(
            l,
            GpioLine {
                chip: "/dev/gpiochip0".into(),
                line: 17,
                edge: None
            }
        );
        assert_eq!(
            (l.edge_or(Edge::Rising), l.edge_or(Edge::Falling)),
            (Edge::Rising, Edge::Falling)
        );
        let l = line("gpio:/dev/gpiochip12:0:rising").unwrap();
        assert_eq!(
            (l.chip.to_str(), l.line, l.edge),
            (Some("/dev/gpiochip12"), 0, Some(Edge::Rising))
        );
        assert_eq!(l.edge_or(Edge::Falling), Edge::Rising);
        let l = line("gpio:/dev/gpio/by-name/imu:4:falling").unwrap();
        assert_eq!(l.chip, PathBuf::from("/dev/gpio/by-name/imu"));
        assert_eq!(line("gpio:gpiochip2:4294967295").unwrap().line, u32::MAX);
    }

    #[test]
    fn every_bad_part_is_named() {
        for (text, want) in [
            ("gpio:gpiochip0", GpioLineError::Form),
            ("gpio", GpioLineError::Form),
            ("spi:gpiochip0:1", GpioLineError::Form),
            ("gpio:gpiochip0:1:rising:x", GpioLineError::Form),
            ("gpio::3", GpioLineError::Chip(String::new())),
            ("gpio:chip:3", GpioLineError::Chip("chip".into())),
            ("gpio:gpiochip:3", GpioLineError::Chip("gpiochip".into())),
            ("gpio:gpiochipA:3", GpioLineError::Chip("gpiochipA".into())),
            (
                "gpio:dev/gpiochip0:3",
                GpioLineError::Chip("dev/gpiochip0".into()),
            ),
            ("gpio:/tmp/chip:3", GpioLineError::Chip("/tmp/chip".into())),
            ("gpio:/dev/:3", GpioLineError::Chip("/dev/".into())),
            ("gpio:gpiochip0:+17", GpioLineError::Line("+17".into())),
            ("gpio:gpiochip0:-1", GpioLineError::Line("-1".into())),
            ("gpio:gpiochip0:", GpioLineError::Line(String::new())),
            ("gpio:gpiochip0:x", GpioLineError::Line("x".into())),
            (
                "gpio:gpiochip0:4294967296",
                GpioLineError::Line("4294967296".into()),
            ),
            ("gpio:gpiochip0:1:both", GpioLineError::Edge("both".into())),
            ("gpio:gpiochip0:1:", GpioLineError::Edge(String::new())),
        ] {
            assert_eq!(line(text), Err(want), "{text}");
        }
        assert_eq!(
            line("gpio:gpiochip0:1:up").unwrap_err().to_string(),
            "edge `up`: expected rising or falling"
        );
    }

    #[test]
    fn display_parses_back() {
        for text in ["gpio:/dev/gpiochip0:17", "gpio:/dev/gpiochip3:0:falling"] {
            assert_eq!(line(text).unwrap().to_string(), text);
        }
        let short = line("gpio:gpiochip1:2:rising").unwrap();
        assert_eq!(line(&short.to_string()), Ok(short));
    }
}
