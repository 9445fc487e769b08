//! `cargo xtask ci`: the whole test suite, as stages. A stage is one
//! function plus a declaration of what it needs; `ci` installs the union of
//! the selected stages' needs, runs every selected stage even after one
//! fails (so one run shows every problem), and ends with a summary whose
//! last line, `ci: N passed, M failed`, is parsed by the CI system.

use std::env;
use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cmd::{Cmd, Stopwatch};
use crate::error::Error;
use crate::fuzz;
use crate::setup::{self, Needs};

/// One step of CI.
#[derive(Debug)]
pub(crate) struct Stage {
    /// The name used by `--only` and `--skip`.
    pub(crate) name: &'static str,
    /// One line saying what it checks.
    pub(crate) about: &'static str,
    /// What must be installed before it runs.
    pub(crate) needs: Needs,
    /// Runs it.
    pub(crate) run: fn(&Ctx) -> Result<(), Error>,
}

/// What stages get to know about the run.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Seconds per fuzz target (`XTASK_FUZZ_SECONDS`, default 30).
    pub(crate) fuzz_seconds: u64,
}

/// Every stage, in the order they run.
pub(crate) const STAGES: &[Stage] = &[
    Stage {
        name: "fmt",
        about: "rustfmt check of the workspace and of every cargo-fuzz project",
        needs: Needs {
            rustup_components: &["rustfmt"],
            ..Needs::NONE
        },
        run: fmt,
    },
    Stage {
        name: "clippy",
        about: "clippy on every crate and target (and wire without std), warnings denied",
        needs: Needs {
            rustup_components: &["clippy"],
            ..Needs::NONE
        },
        run: clippy,
    },
    Stage {
        name: "deny",
        about: "cargo-deny (deny.toml): the licence, ban and source of every dependency, offline",
        needs: Needs {
            cargo_tools: &[("cargo-deny", "cargo-deny")],
            ..Needs::NONE
        },
        run: deny,
    },
    Stage {
        name: "test",
        about: "unit, integration and doc tests (benches run once in test mode)",
        needs: Needs::NONE,
        run: test,
    },
    Stage {
        name: "doc",
        about: "rustdoc of every crate, warnings denied",
        needs: Needs::NONE,
        run: doc,
    },
    Stage {
        name: "fuzz",
        about: "every cargo-fuzz target for XTASK_FUZZ_SECONDS seconds (default 30)",
        needs: fuzz::NEEDS,
        run: fuzz_stage,
    },
];

/// Seconds per fuzz target in CI unless `XTASK_FUZZ_SECONDS` says otherwise.
const FUZZ_SECONDS: u64 = 30;

fn fmt(_: &Ctx) -> Result<(), Error> {
    // Fuzz projects are excluded from the workspace, so `--all` misses them.
    let mut cmds = vec![Cmd::cargo(["fmt", "--all", "--", "--check"])];
    for project in fuzz::projects()? {
        cmds.push(Cmd::cargo([
            "fmt",
            "--manifest-path",
            &project.manifest(),
            "--",
            "--check",
        ]));
    }
    run_all(cmds)
}

fn clippy(_: &Ctx) -> Result<(), Error> {
    run_all([
        Cmd::cargo([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
        // The protocol codec also builds without std (for small targets).
        Cmd::cargo([
            "clippy",
            "--package",
            "wire",
            "--lib",
            "--no-default-features",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    ])
}

fn deny(_: &Ctx) -> Result<(), Error> {
    // `--frozen`: the lock file as committed and no network. The advisory
    // check needs the RustSec database from GitHub: see deny.toml.
    Cmd::cargo(["deny", "--frozen", "check", "licenses", "bans", "sources"]).run()
}

fn test(_: &Ctx) -> Result<(), Error> {
    // `--all-targets` leaves out doc tests, hence the second run.
    run_all([
        Cmd::cargo(["test", "--workspace", "--all-targets", "--locked"]),
        Cmd::cargo(["test", "--workspace", "--doc", "--locked"]),
    ])
}

fn doc(_: &Ctx) -> Result<(), Error> {
    Cmd::cargo(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()
}

fn fuzz_stage(ctx: &Ctx) -> Result<(), Error> {
    fuzz::run_targets(None, ctx.fuzz_seconds)
}

/// Runs every command, even after one fails, and reports all failures.
fn run_all(cmds: impl IntoIterator<Item = Cmd>) -> Result<(), Error> {
    Error::collect(cmds.into_iter().filter_map(|cmd| cmd.run().err()).collect())
}

/// Options of `cargo xtask ci`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CiArgs {
    /// Print the stages instead of running them.
    pub(crate) list: bool,
    /// Run only these stages (all if empty).
    pub(crate) only: Vec<String>,
    /// Do not run these stages.
    pub(crate) skip: Vec<String>,
}

/// `cargo xtask ci`. Returns the exit code: success only if every selected
/// stage passed.
pub(crate) fn main(args: &CiArgs) -> Result<ExitCode, Error> {
    let stages = select(STAGES, &args.only, &args.skip)?;
    if args.list {
        print!("{}", list(&stages));
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = Ctx {
        fuzz_seconds: fuzz_seconds(env::var("XTASK_FUZZ_SECONDS").ok().as_deref())?,
    };
    let toolchain = setup::pinned_toolchain()?;

    eprintln!("==> setup: checking what the stages need");
    let report = setup::ensure(&setup::union(stages.iter().map(|s| &s.needs)), &toolchain);
    match report.all_ready() {
        Ok(()) => eprintln!("==> setup: ok"),
        Err(_) => {
            eprintln!("==> setup: incomplete; the stages that need what is missing will fail")
        }
    }

    let mut outcomes = Vec::new();
    for stage in stages {
        eprintln!("\n==> {}: {}", stage.name, stage.about);
        let clock = Stopwatch::start();
        let result = report.ready(&stage.needs).and_then(|()| (stage.run)(&ctx));
        let seconds = clock.elapsed().as_secs_f64();
        match &result {
            Ok(()) => eprintln!("==> {}: ok ({seconds:.1} s)", stage.name),
            Err(e) => eprintln!("==> {}: FAILED ({seconds:.1} s): {e}", stage.name),
        }
        outcomes.push(Outcome {
            stage: stage.name,
            error: result.err(),
            seconds,
        });
    }
    eprintln!();
    print!("{}", summary(&outcomes));
    let all_passed = outcomes.iter().all(|o| o.error.is_none());
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The stages to run, in [`STAGES`] order: those in `only` (all if it is
/// empty) minus those in `skip`.
fn select<'a>(
    stages: &'a [Stage],
    only: &[String],
    skip: &[String],
) -> Result<Vec<&'a Stage>, Error> {
    for name in only.iter().chain(skip) {
        if !stages.iter().any(|s| s.name == name) {
            let valid: Vec<&str> = stages.iter().map(|s| s.name).collect();
            return Err(Error::Usage(format!(
                "unknown stage `{name}`; the stages are: {}",
                valid.join(", ")
            )));
        }
    }
    let chosen: Vec<&Stage> = stages
        .iter()
        .filter(|s| only.is_empty() || only.iter().any(|n| n == s.name))
        .filter(|s| !skip.iter().any(|n| n == s.name))
        .collect();
    if chosen.is_empty() {
        return Err(Error::Usage(
            "--only and --skip leave no stage to run".into(),
        ));
    }
    Ok(chosen)
}

/// `XTASK_FUZZ_SECONDS`, if set, as a positive number of seconds.
fn fuzz_seconds(var: Option<&str>) -> Result<u64, Error> {
    match var {
        None => Ok(FUZZ_SECONDS),
        Some(text) => text.trim().parse().ok().filter(|&s| s > 0).ok_or_else(|| {
            Error::Usage(format!(
                "XTASK_FUZZ_SECONDS={text} is not a positive whole number"
            ))
        }),
    }
}

/// `--list`: each stage with what it checks and what it needs.
fn list(stages: &[&Stage]) -> String {
    let width = stages.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for stage in stages {
        let _ = writeln!(out, "{:width$}  {}", stage.name, stage.about);
        let needs: Vec<String> = stage
            .needs
            .items()
            .iter()
            .map(ToString::to_string)
            .collect();
        if !needs.is_empty() {
            let _ = writeln!(out, "{:width$}  needs: {}", "", needs.join(", "));
        }
    }
    out
}

/// How one stage went.
#[derive(Debug)]
struct Outcome {
    stage: &'static str,
    error: Option<Error>,
    seconds: f64,
}

/// The table printed after all stages, then the line the CI system parses.
fn summary(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    for outcome in &failed {
        if let Some(error) = &outcome.error {
            let _ = writeln!(out, "{} failed: {error}", outcome.stage);
        }
    }
    let width = outcomes
        .iter()
        .map(|o| o.stage.len())
        .max()
        .unwrap_or(0)
        .max("stage".len());
    let _ = writeln!(out, "{:width$}  result  seconds", "stage");
    for outcome in outcomes {
        let result = if outcome.error.is_none() {
            "ok"
        } else {
            "FAILED"
        };
        let _ = writeln!(
            out,
            "{:width$}  {result:6}  {:7.1}",
            outcome.stage, outcome.seconds
        );
    }
    let _ = writeln!(
        out,
        "ci: {} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(stages: &[&Stage]) -> Vec<&'static str> {
        stages.iter().map(|s| s.name).collect()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    #[test]
    fn stages_run_in_the_documented_order() {
        let all: Vec<&Stage> = STAGES.iter().collect();
        assert_eq!(
            names(&all),
            ["fmt", "clippy", "deny", "test", "doc", "fuzz"]
        );
    }

    #[test]
    fn select_only_and_skip_keep_stage_order() {
        assert_eq!(select(STAGES, &[], &[]).unwrap().len(), STAGES.len());
        let only = select(STAGES, &strings(&["test", "fmt"]), &[]).unwrap();
        assert_eq!(names(&only), ["fmt", "test"]);
        let skip = select(STAGES, &[], &strings(&["fuzz", "doc"])).unwrap();
        assert_eq!(names(&skip), ["fmt", "clippy", "deny", "test"]);
        let both = select(STAGES, &strings(&["fmt", "test"]), &strings(&["test"])).unwrap();
        assert_eq!(names(&both), ["fmt"]);
    }

    #[test]
    fn select_rejects_unknown_names_and_empty_selections() {
        let error = select(STAGES, &strings(&["lint"]), &[])
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(
            "unknown stage `lint`; the stages are: fmt, clippy, deny, test, doc, fuzz"
        ));
        assert!(select(STAGES, &[], &strings(&["fmt", "fuzzz"])).is_err());
        assert!(select(STAGES, &strings(&["fmt"]), &strings(&["fmt"])).is_err());
    }

    #[test]
    fn fuzz_seconds_default_and_override() {
        assert_eq!(fuzz_seconds(None).unwrap(), 30);
        assert_eq!(fuzz_seconds(Some("5")).unwrap(), 5);
        assert!(fuzz_seconds(Some("0")).is_err());
        assert!(fuzz_seconds(Some("ten")).is_err());
    }

    #[test]
    fn list_shows_about_and_needs() {
        let text = list(&select(STAGES, &[], &[]).unwrap());
        assert!(text.contains("fmt     rustfmt check"), "{text}");
        assert!(
            text.contains("needs: the nightly toolchain, apt package g++, cargo-fuzz"),
            "{text}"
        );
    }

    #[test]
    fn summary_ends_with_the_parsed_line() {
        let outcomes = [
            Outcome {
                stage: "fmt",
                error: None,
                seconds: 0.3,
            },
            Outcome {
                stage: "clippy",
                error: Some(Error::Usage("x".into())),
                seconds: 12.0,
            },
        ];
        let text = summary(&outcomes);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.last(), Some(&"ci: 1 passed, 1 failed"));
        assert!(lines.contains(&"fmt     ok          0.3"), "{text}");
        assert!(lines.contains(&"clippy  FAILED     12.0"), "{text}");
        assert!(lines[0].starts_with("clippy failed: "), "{text}");
    }
}
