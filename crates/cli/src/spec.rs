//! What a program's command line has ([`Spec`], [`Flag`]), and the lexer
//! that turns argv into [`Args`] by it.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::os::unix::ffi::OsStrExt;

use crate::args::Place;
use crate::exit::{EX_IOERR, EX_OK, EX_USAGE};
use crate::{Args, UsageError};

/// One flag of a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// Its name, with the dashes: `--rate`.
    pub name: &'static str,
    /// A short form (`q` for `-q`, an ASCII letter or digit), taken alone
    /// only: no clusters, no `-qVALUE`.
    pub short: Option<u8>,
    /// Whether it takes a value (`--rate 5`, `--rate=5`) or is a switch.
    pub takes_value: bool,
    /// Whether it may be given more than once (a script of actions, a
    /// list); every other flag given twice is an error.
    pub repeats: bool,
}

impl Flag {
    /// A flag that takes a value.
    pub const fn value(name: &'static str) -> Flag {
        Flag {
            name,
            short: None,
            takes_value: true,
            repeats: false,
        }
    }

    /// A switch: present or not, no value.
    pub const fn switch(name: &'static str) -> Flag {
        Flag {
            takes_value: false,
            ..Flag::value(name)
        }
    }

    /// The same flag, which may be given more than once.
    pub const fn repeatable(self) -> Flag {
        Flag {
            repeats: true,
            ..self
        }
    }

    /// The same flag, also spelt `-` and `short` (`b'q'`: `-q`).
    pub const fn short(self, short: u8) -> Flag {
        Flag {
            short: Some(short),
            ..self
        }
    }
}

/// `a` then `b`, as one array of `N` flags (`N` must be their sum): for
/// a program that has the flags of its kind (the sensor processes'
/// `sensor_node::FLAGS`) and its own.
///
/// ```
/// use cli::{Flag, join};
///
/// const COMMON: [Flag; 2] = [Flag::value("--rx"), Flag::value("--tx")];
/// const MINE: [Flag; 3] = join(&COMMON, &[Flag::switch("--quiet")]);
/// assert_eq!(MINE[2].name, "--quiet");
/// ```
pub const fn join<const A: usize, const B: usize, const N: usize>(
    a: &[Flag; A],
    b: &[Flag; B],
) -> [Flag; N] {
    assert!(A + B == N, "join: N is not the number of flags");
    let mut all = [Flag::switch(""); N];
    let mut i = 0;
    while i < A {
        all[i] = a[i];
        i += 1;
    }
    while i < N {
        all[i] = b[i - A];
        i += 1;
    }
    all
}

/// A program's command line: its name and version (for `--version` and
/// the start of its messages), its help text, its flags, and how many
/// operands (arguments that are not flags, such as files) it takes.
///
/// Every program answers `-h`/`--help` (the help text on stdout) and
/// `--version` (`NAME VERSION` on stdout), wherever they stand among
/// valid arguments: argv is read from the start, so an unknown flag or a
/// flag without its value before them is reported instead, and after
/// `--help` nothing more is read. A value that looks like a flag is a
/// value (`--print --help` prints `--help`). Values are typed after
/// lexing, so a bad value is not reported when `--help` follows it.
///
/// Lexing: `--flag value` and `--flag=value` both; a value may be empty
/// (`--flag=`), start with `-`, and be any bytes (not only UTF-8). `--`
/// ends the flags: everything after it is an operand. `-` alone is an
/// operand (standard input, by convention).
#[derive(Debug, PartialEq, Eq)]
pub struct Spec {
    /// The program's name: `appliance-motion`.
    pub name: &'static str,
    /// Its version, `env!("CARGO_PKG_VERSION")` of the binary's crate.
    pub version: &'static str,
    /// The text `--help` prints; it lists `-h, --help` and `--version`
    /// too ([`Spec::problems`] checks that it names every flag).
    pub help: &'static str,
    /// The flags, besides `--help` and `--version`.
    pub flags: &'static [Flag],
    /// How many operands it takes at most: 0 for none, `usize::MAX` for
    /// any number.
    pub operands: usize,
}

impl Spec {
    /// The spec of program `name` at `version` (its crate's
    /// `CARGO_PKG_VERSION`), with this help text and these flags, taking
    /// no operands.
    pub const fn new(
        name: &'static str,
        version: &'static str,
        help: &'static str,
        flags: &'static [Flag],
    ) -> Spec {
        Spec {
            name,
            version,
            help,
            flags,
            operands: 0,
        }
    }

    /// The same spec, taking at most `operands` operands (`usize::MAX`:
    /// any number).
    pub const fn operands(self, operands: usize) -> Spec {
        Spec { operands, ..self }
    }
}

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<T> {
    /// `-h` or `--help`: print [`Spec::help`].
    Help,
    /// `--version`: print `NAME VERSION`.
    Version,
    /// Run with this configuration.
    Run(T),
}

impl<T> Command<T> {
    /// The configuration of [`Command::Run`], `None` for help and version.
    pub fn run(self) -> Option<T> {
        match self {
            Command::Run(config) => Some(config),
            Command::Help | Command::Version => None,
        }
    }
}

/// The lexer's result, before the program's types.
enum Lexed {
    Help,
    Version,
    Run(Args),
}

impl Spec {
    /// The flag spelt `name` (long or short).
    pub(crate) fn flag(&self, name: &[u8]) -> Option<&'static Flag> {
        let short = match name {
            [b'-', c] => Some(*c),
            _ => None,
        };
        BUILT_IN
            .iter()
            .chain(self.flags)
            .find(|f| f.name.as_bytes() == name || (short.is_some() && f.short == short))
    }

    /// Parses `argv` (without the program name): lexes it by this spec,
    /// then, unless it asks for help or the version, builds the program's
    /// configuration with `build`, which types the values
    /// ([`Args::number`], [`Args::required`], ...) and checks the flags
    /// against each other.
    pub fn parse<T>(
        &'static self,
        argv: impl IntoIterator<Item = OsString>,
        build: impl FnOnce(&Args) -> Result<T, UsageError>,
    ) -> Result<Command<T>, UsageError> {
        match self.lex(argv.into_iter().collect())? {
            Lexed::Help => Ok(Command::Help),
            Lexed::Version => Ok(Command::Version),
            Lexed::Run(args) => build(&args).map(Command::Run),
        }
    }

    /// [`Spec::parse`], and answers what is not a run: prints the help
    /// text or the version on stdout, or the usage error as one line
    /// `NAME: ERROR` on stderr. `Break` carries the exit code for those:
    /// 0, or 64 (`EX_USAGE`) for a usage error (74, `EX_IOERR`, when stdout
    /// cannot be written, unless its reader is gone).
    pub fn parse_or_answer<T>(
        &'static self,
        argv: impl IntoIterator<Item = OsString>,
        build: impl FnOnce(&Args) -> Result<T, UsageError>,
    ) -> ControlFlow<u8, T> {
        match self.parse(argv, build) {
            Ok(Command::Run(config)) => ControlFlow::Continue(config),
            Ok(other) => ControlFlow::Break(self.answer(&other)),
            Err(e) => {
                self.report(&e);
                ControlFlow::Break(EX_USAGE)
            }
        }
    }

    /// Prints the help text (for [`Command::Help`]) or `NAME VERSION` (for
    /// [`Command::Version`]) on stdout; the exit code: 0, or 74
    /// (`EX_IOERR`) when stdout cannot be written, unless because its
    /// reader is gone. Nothing for [`Command::Run`] (0).
    pub fn answer<T>(&self, command: &Command<T>) -> u8 {
        let pieces: &[&str] = match command {
            Command::Help => &[self.help],
            Command::Version => &[self.name, " ", self.version, "\n"],
            Command::Run(_) => return EX_OK,
        };
        // Stdout is line-buffered and the text ends in a newline: written
        // whole.
        let mut out = io::stdout().lock();
        match pieces.iter().try_for_each(|p| out.write_all(p.as_bytes())) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => EX_IOERR,
            _ => EX_OK,
        }
    }

    /// Writes `NAME: MESSAGE` and a newline to stderr in one write
    /// ([`crate::say`]).
    // One copy for every call site: a program reports from many places.
    #[inline(never)]
    pub fn report(&self, message: &dyn fmt::Display) {
        crate::say(&format_args!("{}: {message}", self.name));
    }

    fn lex(&'static self, argv: Vec<OsString>) -> Result<Lexed, UsageError> {
        let mut given: Vec<(&'static Flag, Option<Place>)> = Vec::new();
        let mut operands = Vec::new();
        let mut flags_ended = false;
        let mut next = 0;
        while let Some(arg) = argv.get(next) {
            let at = next;
            next += 1;
            let bytes = arg.as_bytes();
            if flags_ended || bytes.len() < 2 || bytes[0] != b'-' {
                if operands.len() >= self.operands {
                    return Err(UsageError::Unexpected(arg.clone()));
                }
                operands.push(at);
                continue;
            }
            if bytes == b"--" {
                flags_ended = true;
                continue;
            }
            let (name, inline) = match bytes.iter().position(|&b| b == b'=') {
                Some(i) if bytes.starts_with(b"--") => (&bytes[..i], Some(i + 1)),
                _ => (bytes, None),
            };
            let flag = self
                .flag(name)
                .ok_or_else(|| UsageError::Unknown(OsStr::from_bytes(name).to_owned()))?;
            let value = match (flag.takes_value, inline) {
                (true, Some(start)) => Some(Place { arg: at, start }),
                (true, None) if next < argv.len() => {
                    next += 1;
                    Some(Place {
                        arg: next - 1,
                        start: 0,
                    })
                }
                (true, None) => return Err(UsageError::MissingValue(flag.name)),
                (false, Some(start)) => {
                    return Err(UsageError::NoValue {
                        flag: flag.name,
                        value: OsStr::from_bytes(&bytes[start..]).to_owned(),
                    });
                }
                (false, None) => None,
            };
            if std::ptr::eq(flag, &BUILT_IN[HELP]) {
                return Ok(Lexed::Help);
            }
            if std::ptr::eq(flag, &BUILT_IN[VERSION]) {
                return Ok(Lexed::Version);
            }
            if !flag.repeats && given.iter().any(|&(seen, _)| std::ptr::eq(seen, flag)) {
                return Err(UsageError::Twice(flag.name));
            }
            given.push((flag, value));
        }
        Ok(Lexed::Run(Args {
            spec: self,
            argv,
            given,
            operands,
        }))
    }

    /// What is wrong with this spec, for each program's tests: every flag
    /// is spelt `--name` (a short form `-x`), none twice, none is
    /// `--help` or `--version`, and the help text names each of them and
    /// `--help` and `--version`, and ends in a newline. Empty when it is
    /// sound.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, flag) in self.flags.iter().enumerate() {
            let long =
                flag.name.len() > 2 && flag.name.starts_with("--") && !flag.name.contains('=');
            if !long {
                problems.push(format!("{}: not spelt --NAME", flag.name));
            }
            if let Some(short) = flag.short
                && !short.is_ascii_alphanumeric()
            {
                problems.push(format!(
                    "{}: short form {short:?} is not a letter or digit",
                    flag.name
                ));
            }
            for other in &self.flags[..i] {
                if other.name == flag.name || (flag.short.is_some() && other.short == flag.short) {
                    problems.push(format!("{}: spelt like {}", flag.name, other.name));
                }
            }
            if BUILT_IN
                .iter()
                .any(|b| b.name == flag.name || (b.short.is_some() && b.short == flag.short))
            {
                problems.push(format!("{}: built in, not a flag to declare", flag.name));
            }
            if !self.help.contains(flag.name) {
                problems.push(format!("{}: not in the help text", flag.name));
            }
        }
        for built_in in ["--help", "--version"] {
            if !self.help.contains(built_in) {
                problems.push(format!("{built_in}: not in the help text"));
            }
        }
        if !self.help.ends_with('\n') {
            problems.push("the help text does not end in a newline".to_owned());
        }
        problems
    }
}

/// The flags every program has, looked up before its own.
static BUILT_IN: [Flag; 2] = [
    Flag::switch("--help").short(b'h'),
    Flag::switch("--version"),
];
const HELP: usize = 0;
const VERSION: usize = 1;
