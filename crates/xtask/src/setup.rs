//! Installing what stages need. Each stage declares its [`Needs`]; before
//! running, the union of the selected stages' needs is checked and only what
//! is missing is installed, so a fresh Debian 12 machine with rustup can run
//! `cargo xtask ci` and a prepared one pays only for a few quick checks.
//!
//! A need that cannot be set up fails only the stages that declared it.

use std::env;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::Cmd;
use crate::error::Error;

/// What a stage needs besides the pinned toolchain itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needs {
    /// rustup components of the pinned toolchain, e.g. `clippy`.
    pub(crate) rustup_components: &'static [&'static str],
    /// Whether a nightly toolchain must be installed.
    pub(crate) nightly: bool,
    /// rustup targets of the pinned toolchain, e.g. `aarch64-unknown-linux-musl`.
    pub(crate) rustup_targets: &'static [&'static str],
    /// Debian packages, e.g. `qemu-user-static`.
    pub(crate) apt: &'static [&'static str],
    /// Cargo subcommands as (binary, crate to `cargo install`).
    pub(crate) cargo_tools: &'static [(&'static str, &'static str)],
}

impl Needs {
    /// Nothing beyond the pinned toolchain.
    pub(crate) const NONE: Needs = Needs {
        rustup_components: &[],
        nightly: false,
        rustup_targets: &[],
        apt: &[],
        cargo_tools: &[],
    };

    /// The needs one by one, in the order they are installed.
    pub(crate) fn items(&self) -> Vec<Need> {
        let mut items = Vec::new();
        items.extend(self.rustup_components.iter().map(|&c| Need::Component(c)));
        items.extend(self.rustup_targets.iter().map(|&t| Need::Target(t)));
        if self.nightly {
            items.push(Need::Nightly);
        }
        items.extend(self.apt.iter().map(|&p| Need::Apt(p)));
        items.extend(
            self.cargo_tools
                .iter()
                .map(|&(bin, krate)| Need::CargoTool { bin, krate }),
        );
        items
    }
}

/// One thing a stage needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// A rustup component of the pinned toolchain.
    Component(&'static str),
    /// A rustup target of the pinned toolchain.
    Target(&'static str),
    /// A nightly toolchain.
    Nightly,
    /// A Debian package.
    Apt(&'static str),
    /// A cargo subcommand installed with `cargo install`.
    CargoTool {
        /// The binary, e.g. `cargo-fuzz`.
        bin: &'static str,
        /// The crate that provides it.
        krate: &'static str,
    },
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Component(c) => write!(f, "rustup component {c}"),
            Need::Target(t) => write!(f, "rustup target {t}"),
            Need::Nightly => write!(f, "the nightly toolchain"),
            Need::Apt(p) => write!(f, "apt package {p}"),
            Need::CargoTool { bin, .. } => write!(f, "{bin}"),
        }
    }
}

/// The union of several stages' needs, without duplicates, grouped by kind
/// in installation order (apt before `cargo install`, which may need it).
pub(crate) fn union<'a>(needs: impl IntoIterator<Item = &'a Needs>) -> Vec<Need> {
    let mut all: Vec<Need> = needs.into_iter().flat_map(Needs::items).collect();
    // Stable sort on the kind only, so each kind keeps declaration order.
    all.sort_by_key(|need| match need {
        Need::Component(_) => 0,
        Need::Target(_) => 1,
        Need::Nightly => 2,
        Need::Apt(_) => 3,
        Need::CargoTool { .. } => 4,
    });
    let mut seen = Vec::new();
    all.retain(|need| {
        let new = !seen.contains(need);
        seen.push(*need);
        new
    });
    all
}

/// What [`ensure`] could not set up.
#[derive(Debug, Default)]
pub(crate) struct Report {
    failed: Vec<(Need, String)>,
}

impl Report {
    /// `Ok` if everything in `needs` is there, otherwise the reason why not.
    pub(crate) fn ready(&self, needs: &Needs) -> Result<(), Error> {
        for need in needs.items() {
            if let Some((_, cause)) = self.failed.iter().find(|(n, _)| *n == need) {
                return Err(Error::NotReady {
                    need: need.to_string(),
                    cause: cause.clone(),
                });
            }
        }
        Ok(())
    }

    /// `Ok` if everything was set up, otherwise the first failure.
    pub(crate) fn all_ready(&self) -> Result<(), Error> {
        match self.failed.first() {
            None => Ok(()),
            Some((need, cause)) => Err(Error::NotReady {
                need: need.to_string(),
                cause: cause.clone(),
            }),
        }
    }

    fn fail(&mut self, needs: impl IntoIterator<Item = Need>, error: &Error) {
        eprintln!("setup: {error}");
        self.failed
            .extend(needs.into_iter().map(|need| (need, error.to_string())));
    }
}

/// Checks every need and installs what is missing, printing what it
/// installs. Never stops early: whatever fails is recorded in the report.
pub(crate) fn ensure(needs: &[Need], toolchain: &str) -> Report {
    let mut report = Report::default();
    let mut components = Vec::new();
    let mut targets = Vec::new();
    let mut apt = Vec::new();
    for &need in needs {
        match need {
            Need::Component(name) => components.push(name),
            Need::Target(name) => targets.push(name),
            Need::Apt(name) => apt.push(name),
            Need::Nightly | Need::CargoTool { .. } => {}
        }
    }
    // Kinds are installed in [`union`] order; each kind in one command.
    ensure_group(
        &mut report,
        &components,
        Need::Component,
        |c| missing_components(c, toolchain),
        |c| install_rustup(&["component", "add", "--toolchain", toolchain], c),
    );
    ensure_group(
        &mut report,
        &targets,
        Need::Target,
        |t| missing_targets(t, toolchain),
        |t| install_rustup(&["target", "add", "--toolchain", toolchain], t),
    );
    if needs.contains(&Need::Nightly)
        && let Err(e) = ensure_nightly()
    {
        report.fail([Need::Nightly], &e);
    }
    ensure_group(&mut report, &apt, Need::Apt, missing_apt, install_apt);
    for &need in needs {
        if let Need::CargoTool { bin, krate } = need
            && let Err(e) = ensure_cargo_tool(bin, krate)
        {
            report.fail([need], &e);
        }
    }
    report
}

/// Checks one kind of need with `missing` and installs what is missing
/// with `install`; records in `report` what is still missing after that.
fn ensure_group(
    report: &mut Report,
    names: &[&'static str],
    need: fn(&'static str) -> Need,
    missing: impl FnOnce(&[&'static str]) -> Result<Vec<&'static str>, Error>,
    install: impl FnOnce(&[&'static str]) -> Result<(), Error>,
) {
    if names.is_empty() {
        return;
    }
    let (failed, error) = match missing(names) {
        Ok(missing) if missing.is_empty() => return,
        Ok(missing) => match install(&missing) {
            Ok(()) => return,
            Err(error) => (missing, error),
        },
        // Could not even check: count them all as missing.
        Err(error) => (names.to_vec(), error),
    };
    report.fail(failed.into_iter().map(need), &error);
}

/// The channel pinned in `rust-toolchain.toml` at the workspace root.
pub(crate) fn pinned_toolchain() -> Result<String, Error> {
    let path = Path::new("rust-toolchain.toml");
    let text = fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    toolchain_channel(&text).ok_or_else(|| Error::Setup {
        what: "rust-toolchain.toml has no `channel = \"...\"` in its [toolchain] table".into(),
        fix: "pin the toolchain there, e.g. `channel = \"1.95.0\"`".into(),
    })
}

/// Reads `channel` from the `[toolchain]` table of a rust-toolchain.toml.
/// Enough TOML for that file; no dependency for a full parser.
fn toolchain_channel(toml: &str) -> Option<String> {
    let mut in_toolchain = false;
    for line in toml.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_toolchain = line == "[toolchain]";
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if in_toolchain && key.trim() == "channel" {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))?;
            return Some(unquoted.to_owned()).filter(|c| !c.is_empty());
        }
    }
    None
}

fn missing_components(names: &[&'static str], toolchain: &str) -> Result<Vec<&'static str>, Error> {
    let listing = Cmd::new("rustup")
        .args(["component", "list", "--installed", "--toolchain", toolchain])
        .stdout()?;
    let rustc = Cmd::new("rustc").arg("-vV").stdout()?;
    let host = host_triple(&rustc).unwrap_or_default();
    Ok(names
        .iter()
        .copied()
        .filter(|c| !component_installed(&listing, c, host))
        .collect())
}

/// `rustup <args> <names>`, e.g. `rustup target add --toolchain 1.95.0 T`.
fn install_rustup(args: &[&str], names: &[&str]) -> Result<(), Error> {
    eprintln!("setup: installing {}", names.join(" "));
    let add = Cmd::new("rustup").args(args).args(names);
    add.run().map_err(|e| Error::Setup {
        what: e.to_string(),
        fix: format!("run `{add}` by hand"),
    })
}

/// Whether `rustup component list --installed` lists `name`; it lists
/// host components with the host triple appended (`clippy-x86_64-...`).
fn component_installed(listing: &str, name: &str, host: &str) -> bool {
    listing.lines().map(str::trim).any(|line| {
        line == name || line.strip_prefix(name).and_then(|r| r.strip_prefix('-')) == Some(host)
    })
}

/// The `host:` line of `rustc -vV`.
fn host_triple(rustc_vv: &str) -> Option<&str> {
    rustc_vv
        .lines()
        .find_map(|line| line.strip_prefix("host:"))
        .map(str::trim)
}

fn missing_targets(names: &[&'static str], toolchain: &str) -> Result<Vec<&'static str>, Error> {
    let listing = Cmd::new("rustup")
        .args(["target", "list", "--installed", "--toolchain", toolchain])
        .stdout()?;
    Ok(names
        .iter()
        .copied()
        .filter(|t| !listing.lines().any(|l| l.trim() == *t))
        .collect())
}

fn ensure_nightly() -> Result<(), Error> {
    let listing = Cmd::new("rustup").args(["toolchain", "list"]).stdout()?;
    if has_nightly(&listing) {
        return Ok(());
    }
    eprintln!("setup: installing the nightly toolchain (cargo-fuzz builds with it)");
    let install =
        Cmd::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]);
    install.run().map_err(|e| Error::Setup {
        what: format!("the nightly toolchain is missing and installing it failed: {e}"),
        fix: format!("the nightly toolchain is needed by cargo-fuzz; install it with `{install}`"),
    })
}

/// Whether `rustup toolchain list` shows a nightly toolchain.
fn has_nightly(toolchain_list: &str) -> bool {
    toolchain_list
        .lines()
        .any(|line| line.trim_start().starts_with("nightly"))
}

fn missing_apt(packages: &[&'static str]) -> Result<Vec<&'static str>, Error> {
    let mut missing = Vec::new();
    for &package in packages {
        // Exit status 1 with "no packages found" means not installed at all.
        let output = Cmd::new("dpkg-query")
            .args(["-W", "-f=${Status}", package])
            .output()?;
        if !dpkg_installed(&String::from_utf8_lossy(&output.stdout)) {
            missing.push(package);
        }
    }
    Ok(missing)
}

fn install_apt(missing: &[&str]) -> Result<(), Error> {
    let list = missing.join(" ");
    let by_hand = format!(
        "apt-get update && DEBIAN_FRONTEND=noninteractive \
         apt-get install -y --no-install-recommends {list}"
    );
    // Root runs apt-get directly; anyone else only through sudo that needs
    // no password (CI cannot type one).
    let sudo = if is_root() {
        false
    } else if on_path("sudo").is_some() {
        true
    } else {
        return Err(Error::Setup {
            what: format!("apt packages {list} are missing and this is not root"),
            fix: format!("run as root: `{by_hand}`"),
        });
    };
    let apt_get = |args: &[&str]| {
        let cmd = if sudo {
            Cmd::new("sudo").args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"])
        } else {
            Cmd::new("apt-get").env("DEBIAN_FRONTEND", "noninteractive")
        };
        cmd.args(args)
    };
    eprintln!("setup: installing apt packages: {list}");
    let install = apt_get(&["install", "-y", "--no-install-recommends"]).args(missing);
    // All missing packages go in one install, so the update runs once per run.
    apt_get(&["update"])
        .run()
        .and_then(|()| install.run())
        .map_err(|e| Error::Setup {
            what: e.to_string(),
            fix: format!("run it by hand as root: `{by_hand}`"),
        })
}

/// Whether `dpkg-query -W -f='${Status}'` output means installed, e.g.
/// "install ok installed" (or "hold ok installed"), but not
/// "deinstall ok config-files".
fn dpkg_installed(status: &str) -> bool {
    let words: Vec<&str> = status.split_whitespace().collect();
    matches!(words.as_slice(), [_, "ok", "installed"])
}

fn is_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .stdout()
        .is_ok_and(|uid| uid.trim() == "0")
}

fn ensure_cargo_tool(bin: &str, krate: &str) -> Result<(), Error> {
    if on_path(bin).is_some() {
        return Ok(());
    }
    eprintln!("setup: installing {bin} with cargo install (a few minutes on 2 cores)");
    // Unoptimised: these tools drive cargo and read metadata, so their own
    // speed hardly shows, and a debug build compiles in about half the
    // time (cargo-deny: 2.0 instead of 4.2 CPU minutes, measured here).
    let install = Cmd::cargo(["install", "--locked", "--debug", krate]);
    install.run().map_err(|e| Error::Setup {
        what: format!("{bin} is missing and installing it failed: {e}"),
        fix: format!("run `{install}` by hand"),
    })
}

/// Where `bin` is, on PATH or in cargo's bin directory (which cargo searches
/// for subcommands even when it is not on PATH).
fn on_path(bin: &str) -> Option<PathBuf> {
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(cargo_home.map(|home| home.join("bin")))
        .map(|dir| dir.join(bin))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FMT: Needs = Needs {
        rustup_components: &["rustfmt"],
        ..Needs::NONE
    };
    const FUZZ: Needs = Needs {
        nightly: true,
        apt: &["g++"],
        cargo_tools: &[("cargo-fuzz", "cargo-fuzz")],
        ..Needs::NONE
    };
    const CROSS: Needs = Needs {
        rustup_components: &["clippy", "rustfmt"],
        rustup_targets: &["aarch64-unknown-linux-musl"],
        apt: &["qemu-user-static", "g++"],
        ..Needs::NONE
    };

    #[test]
    fn union_dedups_and_orders_by_kind() {
        assert_eq!(union([&Needs::NONE]), vec![]);
        assert_eq!(
            union([&FUZZ, &FMT, &CROSS]),
            vec![
                Need::Component("rustfmt"),
                Need::Component("clippy"),
                Need::Target("aarch64-unknown-linux-musl"),
                Need::Nightly,
                Need::Apt("g++"),
                Need::Apt("qemu-user-static"),
                Need::CargoTool {
                    bin: "cargo-fuzz",
                    krate: "cargo-fuzz"
                },
            ]
        );
    }

    #[test]
    fn report_fails_only_stages_with_a_failed_need() {
        let mut report = Report::default();
        assert!(report.all_ready().is_ok());
        let error = Error::Setup {
            what: "no network".into(),
            fix: "retry".into(),
        };
        report.fail([Need::Nightly], &error);
        assert!(report.ready(&FMT).is_ok());
        let not_ready = report.ready(&FUZZ).unwrap_err().to_string();
        assert_eq!(
            not_ready,
            "not run: needs the nightly toolchain, which could not be set up: no network; retry"
        );
        assert!(report.all_ready().is_err());
    }

    #[test]
    fn channel_is_read_from_the_toolchain_table() {
        let file =
            "[toolchain]\n# pinned\nchannel = \"1.95.0\" # why\ncomponents = [\"rustfmt\"]\n";
        assert_eq!(toolchain_channel(file).as_deref(), Some("1.95.0"));
        assert_eq!(
            toolchain_channel("[toolchain]\nchannel='nightly'").as_deref(),
            Some("nightly")
        );
        assert_eq!(toolchain_channel("[other]\nchannel = \"1.0\"\n"), None);
        assert_eq!(
            toolchain_channel("[toolchain]\nprofile = \"minimal\"\n"),
            None
        );
        assert_eq!(toolchain_channel("[toolchain]\nchannel = \"\"\n"), None);
        let real = include_str!("../../../rust-toolchain.toml");
        assert!(toolchain_channel(real).is_some());
    }

    #[test]
    fn components_match_with_or_without_the_host_suffix() {
        let host = "x86_64-unknown-linux-gnu";
        let listing = "cargo-x86_64-unknown-linux-gnu\nrust-docs-x86_64-unknown-linux-gnu\n\
                       rustfmt-x86_64-unknown-linux-gnu\nrust-src\n";
        assert!(component_installed(listing, "rustfmt", host));
        assert!(component_installed(listing, "rust-src", host));
        assert!(!component_installed(listing, "clippy", host));
        // "rust" is a prefix of "rust-docs-..." but not that component.
        assert!(!component_installed(listing, "rust", host));
        let rustc =
            "rustc 1.95.0\nbinary: rustc\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\n";
        assert_eq!(host_triple(rustc), Some(host));
    }

    #[test]
    fn nightly_is_found_in_the_toolchain_list() {
        assert!(has_nightly(
            "stable-x86_64-unknown-linux-gnu (default)\nnightly-x86_64-unknown-linux-gnu\n"
        ));
        assert!(!has_nightly("1.95.0-x86_64-unknown-linux-gnu (active)\n"));
    }

    #[test]
    fn dpkg_status_installed_only_when_unpacked_and_configured() {
        assert!(dpkg_installed("install ok installed"));
        assert!(dpkg_installed("hold ok installed\n"));
        assert!(!dpkg_installed("deinstall ok config-files"));
        assert!(!dpkg_installed("install ok half-configured"));
        assert!(!dpkg_installed(""));
    }
}
