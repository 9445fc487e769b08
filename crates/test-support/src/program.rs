//! The workspace's binaries, located next to the running test and built
//! when they are missing (see the crate docs).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// One builder at a time in this process; cargo's lock orders processes.
static BUILDING: Mutex<()> = Mutex::new(());

/// The path of the workspace binary `name` (`appliance-testchild`, ...)
/// for this test's profile and target, built first if it is missing.
#[track_caller]
pub fn program(name: &str) -> PathBuf {
    programs(&[name]).remove(0)
}

/// [`program`] for several binaries, the missing ones built with one
/// cargo run.
#[track_caller]
pub fn programs(names: &[&str]) -> Vec<PathBuf> {
    let output = Output::of_this_test();
    let paths: Vec<PathBuf> = names.iter().map(|n| output.dir.join(n)).collect();
    let _one_builder = BUILDING.lock().unwrap_or_else(PoisonError::into_inner);
    let missing: Vec<&str> = names
        .iter()
        .zip(&paths)
        .filter(|(_, path)| !path.exists())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        output.build(&missing);
    }
    paths
}

/// Where cargo put this test, and so the binaries of its build.
struct Output {
    /// `TARGET[/TRIPLE]/PROFILE-DIR`: the binaries.
    dir: PathBuf,
    /// `TARGET`.
    target_dir: PathBuf,
    /// The target triple, when the build named one (`--target`).
    triple: Option<OsString>,
    /// The cargo profile (`dev` builds into `debug`).
    profile: OsString,
}

impl Output {
    #[track_caller]
    fn of_this_test() -> Output {
        let exe = std::env::current_exe().expect("the test's own path");
        let dir = exe
            .parent()
            .filter(|deps| deps.ends_with("deps"))
            .and_then(Path::parent)
            .unwrap_or_else(|| {
                panic!(
                    "{} is not in TARGET/PROFILE/deps, where cargo puts tests: \
                     run it with cargo test",
                    exe.display()
                )
            })
            .to_path_buf();
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev".into(),
            Some(other) => other.into(),
            None => panic!("{}: no profile directory", dir.display()),
        };
        let above = dir.parent().expect("a target directory");
        // A target directory holds CACHEDIR.TAG; so does a triple's
        // directory inside one (TARGET/TRIPLE/PROFILE).
        let (target_dir, triple) = match above.parent() {
            Some(target) if target.join("CACHEDIR.TAG").exists() => (
                target.to_path_buf(),
                above.file_name().map(ToOwned::to_owned),
            ),
            _ => (above.to_path_buf(), None),
        };
        Output {
            dir,
            target_dir,
            triple,
            profile,
        }
    }

    /// Builds `names` with `cargo build`, as the test was built.
    #[track_caller]
    fn build(&self, names: &[&str]) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .arg("build")
            .arg("--manifest-path")
            .arg(crate::repository().join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target_dir)
            .arg("--profile")
            .arg(&self.profile);
        if let Some(triple) = &self.triple {
            command.arg("--target").arg(triple);
        }
        for name in names {
            command.arg("--bin").arg(name);
        }
        eprintln!("test-support: {names:?} not built yet: {command:?}");
        let status = command
            .status()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        assert!(
            status.success(),
            "{command:?} failed ({status}): the test needs {names:?}; run it by hand to see why"
        );
        for name in names {
            let path = self.dir.join(name);
            assert!(
                path.exists(),
                "{command:?} succeeded but left no {}",
                path.display()
            );
        }
    }
}
