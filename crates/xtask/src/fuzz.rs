//! cargo-fuzz projects: finding them (every `crates/*/fuzz` and
//! `tests/fuzz` with a `Cargo.toml`, each target a file in its
//! `fuzz_targets/`) and running
//! their targets. A target's seed inputs, kept in the repository, are the
//! files in `fuzz/seeds/TARGET/` when there is one (`fuzz/corpus/`, where
//! libFuzzer keeps what it finds, is not committed). The `fuzz` stage of `cargo xtask ci` (short runs) and
//! `cargo xtask fuzz` (longer local runs) both go through [`run_targets`].

use std::fs;
use std::path::Path;

use crate::cmd::Cmd;
use crate::error::Error;
use crate::setup::{self, Needs};

/// What fuzzing needs: cargo-fuzz builds with nightly, and libfuzzer-sys
/// compiles libFuzzer's C++ sources.
pub(crate) const NEEDS: Needs = Needs {
    nightly: true,
    apt: &["g++"],
    cargo_tools: &[("cargo-fuzz", "cargo-fuzz")],
    ..Needs::NONE
};

/// Seconds per target for `cargo xtask fuzz`.
pub(crate) const LOCAL_SECONDS: u64 = 60;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FuzzArgs {
    /// Only this target (by name); all targets if `None`.
    pub(crate) target: Option<String>,
    /// How long to fuzz each target.
    pub(crate) seconds: u64,
}

/// One cargo-fuzz project, excluded from the workspace (it builds with
/// nightly and has its own lock file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Project {
    /// Its directory relative to the workspace root, e.g. `crates/wire/fuzz`.
    pub(crate) dir: String,
    /// Its targets: the file stems in `fuzz_targets/`, sorted.
    pub(crate) targets: Vec<String>,
}

impl Project {
    /// Its manifest, relative to the workspace root.
    pub(crate) fn manifest(&self) -> String {
        format!("{}/Cargo.toml", self.dir)
    }
}

/// `cargo xtask fuzz`: sets up what fuzzing needs, then fuzzes.
pub(crate) fn main(args: &FuzzArgs) -> Result<(), Error> {
    // A misspelt target should fail before minutes of installing.
    if args.target.is_some() {
        select(&projects()?, args.target.as_deref())?;
    }
    let toolchain = setup::pinned_toolchain()?;
    setup::ensure(&setup::union([&NEEDS]), &toolchain).all_ready()?;
    run_targets(args.target.as_deref(), args.seconds)
}

/// Fuzzes every target (or only those named `filter`) for `seconds` each.
/// All run even if one finds a crash; every failure is reported.
pub(crate) fn run_targets(filter: Option<&str>, seconds: u64) -> Result<(), Error> {
    let projects = projects()?;
    if projects.is_empty() && filter.is_none() {
        eprintln!(
            "no cargo-fuzz project (crates/*/fuzz/Cargo.toml, tests/fuzz/Cargo.toml) yet: nothing to fuzz"
        );
        return Ok(());
    }
    let runs = select(&projects, filter)?;
    let mut errors = Vec::new();
    for (project, target) in runs {
        let seeds = format!("{}/seeds/{target}", project.dir);
        let seeds = Path::new(&seeds).is_dir().then_some(seeds);
        if seeds.is_some() {
            // libFuzzer refuses a corpus directory that does not exist.
            let corpus = Path::new(&project.dir).join("corpus").join(target);
            fs::create_dir_all(&corpus).map_err(|source| Error::Io {
                path: corpus,
                source,
            })?;
        }
        if let Err(e) = command(project, target, seconds, seeds.as_deref()).run() {
            // cargo-fuzz's own hint leaves out --fuzz-dir.
            eprintln!(
                "fuzz target {target} failed; its input is in {dir}/artifacts/{target}/, \
                 reproduce with `cargo +nightly fuzz run {target} --fuzz-dir {dir} FILE`",
                dir = project.dir
            );
            errors.push(e);
        }
    }
    Error::collect(errors)
}

/// Every cargo-fuzz project of the workspace: each crate's (sorted by
/// directory), then the system tests' (`tests/fuzz`, which may use every
/// program).
pub(crate) fn projects() -> Result<Vec<Project>, Error> {
    let mut dirs: Vec<String> = sorted_entries(Path::new("crates"))?
        .into_iter()
        .map(|crate_dir| format!("crates/{crate_dir}/fuzz"))
        .collect();
    dirs.push("tests/fuzz".to_owned());
    let mut projects = Vec::new();
    for dir in dirs {
        if !Path::new(&dir).join("Cargo.toml").is_file() {
            continue;
        }
        let targets_dir = Path::new(&dir).join("fuzz_targets");
        let targets = if targets_dir.is_dir() {
            sorted_entries(&targets_dir)?
                .into_iter()
                .filter_map(|file| file.strip_suffix(".rs").map(str::to_owned))
                .collect()
        } else {
            Vec::new()
        };
        projects.push(Project { dir, targets });
    }
    Ok(projects)
}

/// The names in a directory, sorted; names that are not UTF-8 are skipped
/// (no crate or target of ours has one).
fn sorted_entries(dir: &Path) -> Result<Vec<String>, Error> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        if let Ok(name) = entry.map_err(io)?.file_name().into_string() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The (project, target) pairs to fuzz; an unknown `filter` is an error
/// naming the targets there are.
fn select<'a>(
    projects: &'a [Project],
    filter: Option<&str>,
) -> Result<Vec<(&'a Project, &'a str)>, Error> {
    let all = projects
        .iter()
        .flat_map(|p| p.targets.iter().map(move |t| (p, t.as_str())));
    let chosen: Vec<_> = all
        .clone()
        .filter(|(_, t)| filter.is_none_or(|f| f == *t))
        .collect();
    match filter {
        Some(name) if chosen.is_empty() => {
            let known: Vec<String> = all.map(|(p, t)| format!("{t} ({})", p.dir)).collect();
            Err(Error::Usage(format!(
                "no fuzz target named `{name}`; the targets are: {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )))
        }
        _ => Ok(chosen),
    }
}

/// The command that fuzzes one target, run from the workspace root. With
/// a `seeds` directory, libFuzzer reads it too but writes new inputs to
/// the target's corpus directory (the first one given).
fn command(project: &Project, target: &str, seconds: u64, seeds: Option<&str>) -> Cmd {
    let mut cmd = Cmd::cargo([
        "+nightly",
        "fuzz",
        "run",
        target,
        "--fuzz-dir",
        &project.dir,
    ]);
    if let Some(seeds) = seeds {
        cmd = cmd
            .arg(format!("{}/corpus/{target}", project.dir))
            .arg(seeds);
    }
    cmd.arg("--").arg(format!("-max_total_time={seconds}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projects() -> Vec<Project> {
        vec![
            Project {
                dir: "crates/a/fuzz".into(),
                targets: vec!["decode".into(), "encode".into()],
            },
            Project {
                dir: "crates/b/fuzz".into(),
                targets: vec!["decode".into()],
            },
        ]
    }

    #[test]
    fn select_all_or_by_name() {
        let projects = projects();
        assert_eq!(select(&projects, None).unwrap().len(), 3);
        let decode = select(&projects, Some("decode")).unwrap();
        let dirs: Vec<&str> = decode.iter().map(|(p, _)| p.dir.as_str()).collect();
        assert_eq!(dirs, ["crates/a/fuzz", "crates/b/fuzz"]);
        let error = select(&projects, Some("nope")).unwrap_err().to_string();
        assert!(error.contains("no fuzz target named `nope`"), "{error}");
        assert!(error.contains("encode (crates/a/fuzz)"), "{error}");
        assert!(
            select(&[], Some("x"))
                .unwrap_err()
                .to_string()
                .contains("are: none")
        );
    }

    /// The `key = value` lines of a manifest's `[PREFIX.rust]` and
    /// `[PREFIX.clippy]` tables, each after its tool's name.
    fn lint_lines(manifest: &str, prefix: &str) -> Vec<String> {
        let mut tool = None;
        let mut lines = Vec::new();
        for line in manifest.lines().map(str::trim) {
            if let Some(table) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                tool = table
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .filter(|name| matches!(*name, "rust" | "clippy"))
                    .map(str::to_owned);
            } else if let Some(tool) = &tool
                && !line.is_empty()
                && !line.starts_with('#')
            {
                lines.push(format!("{tool}: {line}"));
            }
        }
        lines
    }

    /// A cargo-fuzz project is its own workspace and cannot inherit the
    /// workspace's lints: its manifest repeats them.
    #[test]
    fn every_fuzz_project_has_the_workspace_lints() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let read = |path: &Path| {
            fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let workspace = lint_lines(&read(&root.join("Cargo.toml")), "workspace.lints");
        assert!(
            workspace.contains(&"clippy: cast_sign_loss = \"warn\"".to_owned()),
            "{workspace:?}"
        );
        let mut manifests: Vec<_> = fs::read_dir(root.join("crates"))
            .unwrap()
            .map(|entry| entry.unwrap().path().join("fuzz/Cargo.toml"))
            .filter(|manifest| manifest.is_file())
            .collect();
        manifests.push(root.join("tests/fuzz/Cargo.toml"));
        for manifest in manifests {
            assert_eq!(
                lint_lines(&read(&manifest), "lints"),
                workspace,
                "the lints of {} differ from the workspace's",
                manifest.display()
            );
        }
    }

    #[test]
    fn command_points_cargo_fuzz_at_the_project() {
        let project = &projects()[0];
        assert_eq!(
            command(project, "decode", 30, None).to_string(),
            "cargo +nightly fuzz run decode --fuzz-dir crates/a/fuzz -- -max_total_time=30"
        );
        assert_eq!(
            command(project, "decode", 5, Some("crates/a/fuzz/seeds/decode")).to_string(),
            "cargo +nightly fuzz run decode --fuzz-dir crates/a/fuzz \
             crates/a/fuzz/corpus/decode crates/a/fuzz/seeds/decode -- -max_total_time=5"
        );
        assert_eq!(project.manifest(), "crates/a/fuzz/Cargo.toml");
    }
}
