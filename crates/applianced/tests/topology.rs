//! Parsing, checking and resolving topologies: the fd plan, the defaults,
//! and every diagnostic with its exact place.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use std::time::Duration;
use test_support::TempDir;

use applianced::topology::{
    Backoff, ChildFd, End, Intensity, IntensityAction, Issue, RestartPolicy, Rlimit,
    RlimitResource, RlimitValue, Signal, Topology, TopologyError,
};

/// Parses `text` as if read from `topo.toml` in the current directory.
fn parse(text: &str) -> Topology {
    match Topology::parse(text, "topo.toml") {
        Ok(t) => t,
        Err(e) => panic!("expected a valid topology, got:\n{e}"),
    }
}

/// The diagnostics for `text`, one line each.
fn errors(text: &str) -> Vec<String> {
    match Topology::parse(text, "topo.toml") {
        Ok(t) => panic!("expected errors, got a topology: {t:?}"),
        Err(e) => e.diagnostics().iter().map(|d| d.to_string()).collect(),
    }
}

/// The single diagnostic for `text`.
fn error(text: &str) -> String {
    let mut all = errors(text);
    assert_eq!(all.len(), 1, "expected one error, got {all:#?}");
    all.remove(0)
}

/// Asserts `line` starts with `topo.toml:AT: ` and contains every phrase.
#[track_caller]
fn assert_error(line: &str, at: &str, phrases: &[&str]) {
    let prefix = format!("topo.toml:{at}: ");
    assert!(
        line.starts_with(&prefix),
        "{line:?} should start with {prefix:?}"
    );
    for phrase in phrases {
        assert!(line.contains(phrase), "{line:?} should contain {phrase:?}");
    }
    assert!(!line.contains('\n'), "{line:?} should be one line");
}

/// Writes a file with permission bits `mode`.
fn write_file(path: &Path, text: &str, mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A topology of one pipe `p` from `a` to `b` with `extra` lines added to
/// process `a` (which starts at line 4, its `extra` at line 7).
fn one_pipe(extra: &str) -> String {
    format!(
        "[pipes.p]\n\n\
         [[process]]\n\
         name = \"a\"\n\
         exec = \"/bin/true\"\n\
         args = [\"{{pipe.p.write}}\"]\n\
         {extra}\n\n\
         [[process]]\n\
         name = \"b\"\n\
         exec = \"/bin/true\"\n\
         args = [\"{{pipe.p.read}}\"]\n"
    )
}

// ---------------------------------------------------------------- valid --

#[test]
fn the_fixture_resolves_completely() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good.toml");
    let t = Topology::load(path).unwrap();
    let names: Vec<_> = t.pipes.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["to_gui", "to_motion", "to_light"]);
    assert_eq!(t.state_pipe, Some(0));
    let to_gui = &t.pipes[0];
    assert_eq!(to_gui.capacity, Some(65536));
    assert_eq!(to_gui.readers, [0]);
    assert_eq!(to_gui.writers, [1, 2]);
    assert!(to_gui.supervisor_writes);
    assert_eq!(t.pipes[1].capacity, None);
    assert!(!t.pipes[1].supervisor_writes);

    let gui = t.process("gui").unwrap();
    assert!(gui.exec.is_absolute());
    assert!(gui.exec.ends_with("true"));
    assert_eq!(gui.args, ["--rx", "3", "--tx-motion", "4", "--tx-light=5"]);
    assert_eq!(
        gui.fds,
        [
            ChildFd {
                fd: 3,
                pipe: 0,
                end: End::Read
            },
            ChildFd {
                fd: 4,
                pipe: 1,
                end: End::Write
            },
            ChildFd {
                fd: 5,
                pipe: 2,
                end: End::Write
            },
        ]
    );
    assert_eq!(gui.env, [("RUST_LOG".to_owned(), "info".to_owned())]);
    assert_eq!(gui.cwd, Path::new("/"));
    assert_eq!(gui.stop_timeout, Duration::from_secs(2));
    assert_eq!(
        gui.rlimits,
        [
            Rlimit {
                resource: RlimitResource::Nofile,
                value: RlimitValue::Limit(256)
            },
            Rlimit {
                resource: RlimitResource::Core,
                value: RlimitValue::Unlimited
            },
            Rlimit {
                resource: RlimitResource::Nproc,
                value: RlimitValue::Limit(64)
            },
            Rlimit {
                resource: RlimitResource::As,
                value: RlimitValue::Unlimited
            },
            Rlimit {
                resource: RlimitResource::Stack,
                value: RlimitValue::Limit(8_388_608)
            },
            Rlimit {
                resource: RlimitResource::Memlock,
                value: RlimitValue::Limit(0)
            },
        ]
    );

    let light = t.process("light").unwrap();
    assert_eq!(light.args, ["--rx=3", "--tx=4", "--again=3"]);
    assert_eq!(light.restart, RestartPolicy::OnFailure);
    assert_eq!(
        light.stop_signal,
        Signal {
            number: 2,
            name: "SIGINT"
        }
    );
    assert_eq!(light.stop_timeout, Duration::from_millis(250));
    assert_eq!(
        light.backoff,
        Backoff {
            initial: Duration::from_millis(100),
            step: Duration::from_millis(100),
            factor: 1.5,
            max: Duration::from_secs(60),
            reset_after: Duration::from_secs(10),
        }
    );
    assert_eq!(
        light.intensity,
        Intensity {
            restarts: 3,
            within: Duration::from_secs(60),
            action: IntensityAction::Shutdown,
        }
    );
}

#[test]
fn fds_follow_first_appearance_and_repeat() {
    let t = parse(
        r#"
[pipes.a]
[pipes.b]
[pipes.c]

[[process]]
name = "x"
exec = "/bin/true"
args = ["{pipe.c.write}", "-v", "{pipe.a.read}:{pipe.c.write}", "{pipe.b.write}{pipe.a.read}", "{pipe.c.read}"]

[[process]]
name = "y"
exec = "/bin/true"
args = ["--in={pipe.b.read}", "--out={pipe.a.write}"]
"#,
    );
    let x = &t.processes[0];
    assert_eq!(x.args, ["3", "-v", "4:3", "54", "6"]);
    assert_eq!(
        x.fds,
        [
            ChildFd {
                fd: 3,
                pipe: 2,
                end: End::Write
            },
            ChildFd {
                fd: 4,
                pipe: 0,
                end: End::Read
            },
            ChildFd {
                fd: 5,
                pipe: 1,
                end: End::Write
            },
            // Both ends of one pipe in one process: legal, two fds.
            ChildFd {
                fd: 6,
                pipe: 2,
                end: End::Read
            },
        ]
    );
    // Each process numbers its own fds from 3.
    let y = &t.processes[1];
    assert_eq!(y.args, ["--in=3", "--out=4"]);
    // A process counts once however often it names an end.
    assert_eq!(t.pipes[0].readers, [0]);
    assert_eq!(t.pipes[2].writers, [0]);
    assert_eq!(t.pipes[2].readers, [0]);
}

#[test]
fn literal_braces_and_args_without_placeholders() {
    let t = parse(&one_pipe(r#"env = { "X" = "{pipe.p.read}" }"#));
    assert_eq!(
        t.processes[0].env[0].1, "{pipe.p.read}",
        "no placeholders in env"
    );
    let t = parse(
        r#"
[pipes.p]
[[process]]
name = "a"
exec = "/bin/true"
args = ["{{", "}}", "{{pipe.p.read}}", "json={{\"fd\":{pipe.p.read}}}", "", "{pipe.p.write}"]
"#,
    );
    assert_eq!(
        t.processes[0].args,
        ["{", "}", "{pipe.p.read}", "json={\"fd\":3}", "", "4"]
    );
}

#[test]
fn defaults() {
    let t = parse(&one_pipe(""));
    let a = &t.processes[0];
    assert_eq!(a.restart, RestartPolicy::Always);
    assert_eq!(
        a.stop_signal,
        Signal {
            number: 15,
            name: "SIGTERM"
        }
    );
    assert_eq!(a.stop_timeout, Duration::from_secs(5));
    // The defaults as docs/topology.md writes them out.
    let documented = parse(&one_pipe(
        r#"backoff = { initial = "0s", step = "100ms", factor = 2.0, max = "30s", reset_after = "10s" }
intensity = { restarts = 5, within = "10s", action = "hold", hold = "60s" }"#,
    ));
    assert_eq!(a.backoff, documented.processes[0].backoff);
    assert_eq!(a.intensity, documented.processes[0].intensity);
    assert_eq!(a.cwd, Path::new("/"));
    assert!(a.env.is_empty());
    assert!(a.rlimits.is_empty());
    assert_eq!(t.state_pipe, None);
    assert_eq!(t.pipes[0].capacity, None);

    // Partial tables keep the other defaults.
    let t = parse(&one_pipe(
        "backoff = { factor = 3 }\nintensity = { action = \"hold\", restarts = 0 }",
    ));
    let a = &t.processes[0];
    assert_eq!(a.backoff.factor, 3.0);
    assert_eq!(a.backoff.max, Duration::from_secs(30));
    assert_eq!(a.intensity.restarts, 0);
    assert_eq!(
        a.intensity.action,
        IntensityAction::Hold(Duration::from_secs(60))
    );
}

#[test]
fn relative_paths_start_at_the_topology_directory() {
    let dir = TempDir::new("topology-relative");
    write_file(&dir.join("bin/prog"), "#!/bin/sh\n", 0o755);
    fs::create_dir_all(dir.join("work")).unwrap();
    let file = dir.join("conf/topo.toml");
    write_file(
        &file,
        "[[process]]\nname = \"a\"\nexec = \"../bin/prog\"\ncwd = \"../work\"\n",
        0o644,
    );
    let t = Topology::load(&file).unwrap();
    let dir = fs::canonicalize(dir.path()).unwrap();
    assert_eq!(t.processes[0].exec, dir.join("bin/prog"));
    assert_eq!(t.processes[0].cwd, dir.join("work"));
}

#[test]
fn exec_keeps_a_symlinks_name() {
    let dir = TempDir::new("topology-symlink");
    write_file(&dir.join("busybox"), "#!/bin/sh\n", 0o755);
    std::os::unix::fs::symlink("busybox", dir.join("ls")).unwrap();
    let file = dir.join("topo.toml");
    write_file(&file, "[[process]]\nname = \"a\"\nexec = \"./ls\"\n", 0o644);
    let t = Topology::load(&file).unwrap();
    assert_eq!(
        t.processes[0].exec,
        fs::canonicalize(dir.path()).unwrap().join("ls")
    );
}

// --------------------------------------------------------------- errors --

#[test]
fn unreadable_file() {
    let e = Topology::load("/nonexistent/topo.toml").unwrap_err();
    assert!(matches!(e, TopologyError::Read { .. }));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/topo.toml: cannot read")
    );
    assert!(e.diagnostics().is_empty());
}

#[test]
fn toml_syntax_error_stops_at_its_place() {
    let e = error("[pipes.p]\n\n[[process]]\nname = \"a\nexec = 1\n");
    assert_error(&e, "4:10", &["string"]);
    let e = error("[pipes.p\n");
    assert_error(&e, "1:9", &[]);
}

#[test]
fn unknown_keys_name_the_allowed_ones() {
    let e = error("pipe = 1\n");
    assert_error(&e, "1:1", &["unknown field `pipe`", "`pipes`", "`process`"]);
    let e = error(&one_pipe("stop_timout = \"1s\""));
    assert_error(
        &e,
        "7:1",
        &["unknown field `stop_timout`", "`stop_timeout`", "`exec`"],
    );
    let e = error(&one_pipe("backoff = { inital = \"1s\" }"));
    assert_error(
        &e,
        "7:13",
        &["unknown field `inital`", "`initial`", "`reset_after`"],
    );
    let e = error(&one_pipe("intensity = { restart = 1 }"));
    assert_error(&e, "7:15", &["unknown field `restart`", "`restarts`"]);
    let e = error("[pipes.p]\nsize = 4096\n");
    assert_error(&e, "2:1", &["unknown field `size`", "`capacity`"]);
    let e = error("[supervisor]\nstate = \"p\"\n");
    assert_error(&e, "2:1", &["unknown field `state`", "`state_pipe`"]);
}

#[test]
fn wrong_types_say_what_is_expected() {
    let e = error(&one_pipe("stop_timeout = 5"));
    assert_error(
        &e,
        "7:16",
        &["integer `5`", "a duration in quotes", "\"5s\""],
    );
    let e = error("[pipes.p]\ncapacity = \"64k\"\n");
    assert_error(&e, "2:12", &["expected an integer"]);
    let e = error(&one_pipe("backoff = { factor = \"2\" }"));
    assert_error(&e, "7:22", &["expected a number"]);
    let e = error("[[process]]\nname = 5\n");
    assert_error(&e, "2:8", &["expected a string"]);
    let e = error("[[process]]\nargs = \"--rx 3\"\n");
    assert_error(
        &e,
        "2:8",
        &["string \"--rx 3\"", "expected an array of strings"],
    );
    let e = error("[[process]]\nenv = { A = 1 }\n");
    assert_error(&e, "2:13", &["expected a string"]);
}

#[test]
fn missing_name_and_exec_point_at_the_table() {
    let text = "[[process]]\nargs = []\n";
    let all = errors(text);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_error(&all[0], "1:1", &["no name", "add name = "]);
    assert_error(&all[1], "1:1", &["no exec", "add exec = "]);
}

#[test]
fn bad_names() {
    let e = error(
        "[pipes.Big]\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nargs = [\"{pipe.Big.read}\", \"{pipe.Big.write}\"]\n",
    );
    assert_error(&e, "1:8", &["pipe name `Big`", "a-z 0-9 _ -"]);
    let e = error("[[process]]\nname = \"my gui\"\nexec = \"/bin/true\"\n");
    assert_error(&e, "2:8", &["process name `my gui`", "1-32 of a-z"]);
    let long = "x".repeat(33);
    let e = error(&format!(
        "[[process]]\nname = \"{long}\"\nexec = \"/bin/true\"\n"
    ));
    assert_error(&e, "2:8", &["is not allowed"]);
}

#[test]
fn duplicate_process_points_at_the_second_and_names_the_first() {
    let text = "[[process]]\nname = \"a\"\nexec = \"/bin/true\"\n\n[[process]]\nexec = \"/bin/true\"\n  name = \"a\"\n";
    let e = error(text);
    assert_error(
        &e,
        "7:10",
        &["process `a` is already defined at line 2", "its own name"],
    );
}

#[test]
fn unused_pipes_point_at_the_pipe() {
    let text = "[pipes.to_gui]\n[pipes.to_light]\n\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nargs = [\"{pipe.to_gui.read}\", \"{pipe.to_light.read}\"]\n";
    let all = errors(text);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_error(
        &all[0],
        "1:8",
        &[
            "pipe `to_gui` has no writer",
            "add `{pipe.to_gui.write}` to a process's args, or remove the pipe",
        ],
    );
    assert_error(&all[1], "2:8", &["pipe `to_light` has no writer"]);
    let text = "[pipes.to_light]\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nargs = [\"{pipe.to_light.write}\"]\n";
    let e = error(text);
    assert_error(
        &e,
        "1:8",
        &[
            "pipe `to_light` has no reader: add `{pipe.to_light.read}` to a process's args, or remove the pipe",
        ],
    );
}

#[test]
fn the_supervisor_counts_as_a_writer() {
    let text = "[supervisor]\nstate_pipe = \"s\"\n[pipes.s]\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nargs = [\"{pipe.s.read}\"]\n";
    let t = parse(text);
    assert_eq!(t.state_pipe, Some(0));
    assert!(t.pipes[0].writers.is_empty());
    // ... but not as a reader.
    let text = "[supervisor]\nstate_pipe = \"s\"\n[pipes.s]\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\n";
    assert_error(&error(text), "3:8", &["pipe `s` has no reader"]);
}

#[test]
fn state_pipe_must_exist() {
    let text = format!("[supervisor]\nstate_pipe = \"gui\"\n{}", one_pipe(""));
    let e = error(&text);
    assert_error(
        &e,
        "2:14",
        &["state_pipe names no pipe `gui`", "the pipes are `p`"],
    );
}

#[test]
fn no_processes() {
    assert_error(
        &error(""),
        "1:1",
        &["no processes", "add a [[process]] table"],
    );
    // Pipes are not reported unused as well.
    assert_error(&error("[pipes.a]\n[pipes.b]\n"), "1:1", &["no processes"]);
}

#[test]
fn placeholder_errors_point_into_the_argument() {
    let at = |arg: &str| -> String {
        let text = format!(
            "[pipes.to_gui]\n[pipes.to_motion]\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nargs = [\"{{pipe.to_gui.read}}\", \"{{pipe.to_gui.write}}\", \"{{pipe.to_motion.read}}\", \"{{pipe.to_motion.write}}\", {arg}]\n"
        );
        error(&text)
    };
    // Line 6; the last argument starts at column 105, its text at 106.
    let e = at(r#""--tx={pipe.to_moton.write}""#);
    assert_error(
        &e,
        "6:111",
        &[
            "no pipe named `to_moton`",
            "the pipes are `to_gui`, `to_motion`",
        ],
    );
    let e = at(r#""x{pipe.to_gui.reed}""#);
    assert_error(
        &e,
        "6:107",
        &[
            "`{pipe.to_gui.reed}` names no pipe end",
            "use .read or .write",
        ],
    );
    let e = at(r#""{pipe.to_gui}""#);
    assert_error(&e, "6:106", &["names no pipe end", ".read or .write"]);
    let e = at(r#""ab{pipe.to_gui.read""#);
    assert_error(&e, "6:108", &["unclosed `{`", "`{{` for a literal brace"]);
    let e = at(r#""a}b""#);
    assert_error(
        &e,
        "6:107",
        &["`}` without `{`", "`}}` for a literal brace"],
    );
    let e = at(r#""{fd}""#);
    assert_error(
        &e,
        "6:106",
        &["`{fd}` is not a placeholder", "{pipe.NAME.read}"],
    );
    // Literal strings have no escapes either.
    let e = at(r#"'--{x}'"#);
    assert_error(&e, "6:108", &["`{x}` is not a placeholder"]);
    // With an escape before it, the place is the string's start.
    let e = at(r#""\t{x}""#);
    assert_error(&e, "6:105", &["`{x}` is not a placeholder"]);
    // Non-ASCII text before: columns count characters.
    let e = at(r#""héllo{x}""#);
    assert_error(&e, "6:111", &["`{x}`"]);
}

#[test]
fn unknown_pipe_with_no_pipes_at_all() {
    let e = error("[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nargs = [\"{pipe.p.read}\"]\n");
    assert_error(
        &e,
        "4:10",
        &[
            "no pipe named `p`",
            "there are no pipes; add a [pipes.p] table",
        ],
    );
}

#[test]
fn exec_problems() {
    let dir = TempDir::new("topology-exec");
    write_file(&dir.join("plain"), "data\n", 0o644);
    fs::create_dir_all(dir.join("sub")).unwrap();
    let file = dir.join("topo.toml");
    let check = |exec: &str| -> String {
        write_file(
            &file,
            &format!("[[process]]\nname = \"a\"\nexec = \"{exec}\"\n"),
            0o644,
        );
        let e = Topology::load(&file).unwrap_err();
        let all = e.diagnostics();
        assert_eq!(all.len(), 1, "{e}");
        let line = all[0].to_string();
        let prefix = format!("{}:3:8: ", file.display());
        assert!(line.starts_with(&prefix), "{line}");
        line[prefix.len()..].to_owned()
    };
    let e = check("appliance-gui");
    assert!(
        e.contains("bare name")
            && e.contains("no PATH search")
            && e.contains("\"./appliance-gui\""),
        "{e}"
    );
    let e = check("./missing");
    assert!(
        e.contains("/missing cannot be found") && e.contains("No such file"),
        "{e}"
    );
    let e = check("./sub");
    assert!(e.contains("/sub is not a regular file"), "{e}");
    let e = check("./plain");
    assert!(
        e.contains("/plain is not executable (mode 644): chmod +x it"),
        "{e}"
    );
    let e = check("/bin/true/");
    assert!(
        e.contains("cannot be found") || e.contains("not a regular file"),
        "{e}"
    );
}

#[test]
fn cwd_problems() {
    let e = error(&one_pipe("cwd = \"/nonexistent-dir\""));
    assert_error(
        &e,
        "7:7",
        &["cwd /nonexistent-dir cannot be found", "existing directory"],
    );
    let e = error(&one_pipe("cwd = \"/bin/true\""));
    assert_error(&e, "7:7", &["is not a directory"]);
}

#[test]
fn nul_characters() {
    let e = error(&one_pipe("env = { A = \"x\\u0000y\" }"));
    assert_error(&e, "7:13", &["environment variable contains a NUL"]);
    let e = error("[[process]]\nname = \"a\"\nexec = \"/bin/\\u0000true\"\n");
    assert_error(&e, "3:8", &["exec contains a NUL"]);
}

#[test]
fn env_names() {
    let all = errors(&one_pipe(
        "env = { \"A=B\" = \"x\", \"\" = \"y\", OK = \"z\" }",
    ));
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_error(
        &all[0],
        "7:9",
        &["environment variable name `A=B`", "without `=`"],
    );
    assert_error(&all[1], "7:22", &["environment variable name ``"]);
}

#[test]
fn bad_durations() {
    for (value, col) in [
        ("\"5\"", 16),
        ("\"5 s\"", 16),
        ("\"-1s\"", 16),
        ("\"1.5sec\"", 16),
        ("\"\"", 16),
    ] {
        let e = error(&one_pipe(&format!("stop_timeout = {value}")));
        assert_error(
            &e,
            &format!("7:{col}"),
            &["is not a duration", "a number and a unit", "\"250ms\""],
        );
    }
    let all = errors(&one_pipe(
        "backoff = { initial = \"1\", max = \"2x\", reset_after = \"3\" }\nintensity = { within = \"4\", hold = \"5\" }",
    ));
    assert_eq!(all.len(), 5, "{all:#?}");
    assert_error(&all[0], "7:23", &["initial = \"1\" is not a duration"]);
    assert_error(&all[1], "7:34", &["max = \"2x\""]);
    assert_error(&all[2], "7:54", &["reset_after = \"3\""]);
    assert_error(&all[3], "8:24", &["within = \"4\""]);
    assert_error(&all[4], "8:36", &["hold = \"5\""]);
}

#[test]
fn bad_signals() {
    let e = error(&one_pipe("stop_signal = \"TERM\""));
    assert_error(
        &e,
        "7:15",
        &["unknown signal `TERM`", "did you mean SIGTERM?"],
    );
    let e = error(&one_pipe("stop_signal = \"sigint\""));
    assert_error(&e, "7:15", &["did you mean SIGINT?"]);
    let e = error(&one_pipe("stop_signal = \"SIGFOO\""));
    assert_error(
        &e,
        "7:15",
        &[
            "unknown signal `SIGFOO`",
            "use a Linux signal name such as SIGTERM",
        ],
    );
    let e = error(&one_pipe("stop_signal = \"SIGRTMIN\""));
    assert_error(&e, "7:15", &["unknown signal"]);
    let e = error(&one_pipe("stop_signal = \"SIGSTOP\""));
    assert_error(&e, "7:15", &["SIGSTOP pauses a process", "use SIGTERM"]);
    let t = parse(&one_pipe("stop_signal = \"SIGKILL\""));
    assert_eq!(
        t.processes[0].stop_signal,
        Signal {
            number: 9,
            name: "SIGKILL"
        }
    );
    let t = parse(&one_pipe("stop_signal = \"SIGUSR1\""));
    assert_eq!(t.processes[0].stop_signal.number, 10);
}

#[test]
fn bad_restart_and_action() {
    let e = error(&one_pipe("restart = \"on_failure\""));
    assert_error(
        &e,
        "7:11",
        &["restart = \"on_failure\" is not a policy", "\"on-failure\""],
    );
    let e = error(&one_pipe("intensity = { action = \"stop\" }"));
    assert_error(
        &e,
        "7:24",
        &[
            "action = \"stop\" is not an action",
            "\"hold\" or \"shutdown\"",
        ],
    );
    let e = error(&one_pipe(
        "intensity = { action = \"shutdown\", hold = \"5s\" }",
    ));
    assert_error(
        &e,
        "7:43",
        &["hold only applies to action = \"hold\"", "remove hold"],
    );
    let t = parse(&one_pipe("restart = \"never\""));
    assert_eq!(t.processes[0].restart, RestartPolicy::Never);
}

#[test]
fn capacities() {
    let pipe = |capacity: &str| {
        format!(
            "[pipes.p]\ncapacity = {capacity}\n{}",
            one_pipe("").replace("[pipes.p]\n", "")
        )
    };
    for bad in ["5000", "2048", "2097152", "-4096", "0"] {
        let e = error(&pipe(bad));
        assert_error(
            &e,
            "2:12",
            &[&format!(
                "capacity {bad} is not a power of two between 4096 and 1048576"
            )],
        );
    }
    for good in [4096, 65536, 1_048_576] {
        assert_eq!(
            parse(&pipe(&good.to_string())).pipes[0].capacity,
            Some(good)
        );
    }
}

#[test]
fn backoff_and_intensity_numbers() {
    let e = error(&one_pipe("backoff = { factor = 0.5 }"));
    assert_error(
        &e,
        "7:22",
        &["backoff factor 0.5 would shrink the delay", "at least 1.0"],
    );
    let e = error(&one_pipe("backoff = { factor = nan }"));
    assert_error(&e, "7:22", &["backoff factor NaN"]);
    assert_eq!(
        parse(&one_pipe("backoff = { factor = 1.0 }")).processes[0]
            .backoff
            .factor,
        1.0
    );
    let e = error(&one_pipe("backoff = { initial = \"1m\", max = \"30s\" }"));
    assert_error(
        &e,
        "7:35",
        &[
            "backoff max 30s is less than initial 60s",
            "raise max or lower initial",
        ],
    );
    let e = error(&one_pipe("backoff = { initial = \"1m\" }"));
    assert_error(&e, "7:23", &["max 30s is less than initial 60s"]);
    let e = error(&one_pipe("intensity = { restarts = -1 }"));
    assert_error(
        &e,
        "7:26",
        &["restarts = -1 is out of range", "0 to 4294967295"],
    );
    let e = error(&one_pipe("intensity = { within = \"0s\" }"));
    assert_error(&e, "7:24", &["within = \"0s\" counts no restarts"]);
}

#[test]
fn rlimits() {
    let all = errors(&one_pipe(
        "rlimits = { files = 10, nofile = -1, core = \"infinite\", stack = true, nproc = 1.5 }",
    ));
    assert_eq!(all.len(), 5, "{all:#?}");
    assert_error(
        &all[0],
        "7:13",
        &["unknown rlimit `files`", "as core cpu", "nofile"],
    );
    assert_error(
        &all[1],
        "7:34",
        &[
            "rlimit nofile = -1 is not a limit",
            "non-negative integer or \"unlimited\"",
        ],
    );
    assert_error(&all[2], "7:45", &["rlimit core = \"infinite\""]);
    assert_error(&all[3], "7:65", &["rlimit stack = true"]);
    assert_error(&all[4], "7:79", &["rlimit nproc = 1.5"]);
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad.toml");
    let e = Topology::load(path).unwrap_err();
    let places: Vec<_> = e.diagnostics().iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(
        places,
        [
            (2, 12),
            (3, 8),
            (3, 8),
            (7, 8),
            (8, 45),
            (9, 15),
            (12, 8),
            (15, 16)
        ]
    );
    assert!(matches!(
        e.diagnostics()[0].issue,
        Issue::BadCapacity { value: 5000 }
    ));
    assert!(matches!(e.diagnostics()[1].issue, Issue::NoReader { .. }));
    assert!(matches!(e.diagnostics()[2].issue, Issue::NoWriter { .. }));
    assert!(matches!(e.diagnostics()[3].issue, Issue::BareExec { .. }));
    assert!(matches!(
        e.diagnostics()[4].issue,
        Issue::UnknownPipe { .. }
    ));
    assert!(matches!(
        e.diagnostics()[5].issue,
        Issue::UnknownSignal {
            suggestion: Some("SIGTERM"),
            ..
        }
    ));
    assert!(matches!(
        e.diagnostics()[6].issue,
        Issue::DuplicateProcess { first_line: 6, .. }
    ));
    assert!(matches!(
        e.diagnostics()[7].issue,
        Issue::BadDuration {
            key: "stop_timeout",
            ..
        }
    ));
    // Displayed as one line per problem.
    assert_eq!(e.to_string().lines().count(), 8);
}

#[test]
fn the_check_output() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good.toml");
    let t = Topology::load(path).unwrap();
    let text = t.to_string();
    let exec = t.processes[0].exec.display().to_string();
    let expected_gui = format!(
        "process gui: {exec} --rx 3 --tx-motion 4 --tx-light=5
  fd 3  read end of pipe to_gui
  fd 4  write end of pipe to_motion
  fd 5  write end of pipe to_light
  restart always (backoff 0s then 100ms x2.0 up to 30s, reset after 10s; at most 5 restarts in 10s, then hold 60s); stop SIGTERM, 2s
  cwd /
  env RUST_LOG=info
  rlimits nofile=256 core=unlimited nproc=64 as=unlimited stack=8388608 memlock=0
"
    );
    assert!(text.contains(&expected_gui), "{text}");
    assert!(text.contains("pipe to_gui: capacity 65536; read by gui; written by motion, light, applianced (state_pipe)\n"), "{text}");
    assert!(
        text.contains("pipe to_motion: capacity default (65536); read by motion; written by gui\n"),
        "{text}"
    );
    assert!(text.contains("restart on-failure (backoff 100ms then 100ms x1.5 up to 60s, reset after 10s; at most 3 restarts in 60s, then shut down); stop SIGINT, 250ms\n"), "{text}");

    // Words a shell would split or misread are quoted; restart never has
    // no backoff to show.
    let t = parse(
        "[pipes.p]\n[[process]]\nname = \"a\"\nexec = \"/bin/true\"\nrestart = \"never\"\nstop_signal = \"SIGQUIT\"\n\
         args = [\"it's\", \"a b\", \"\", \"{pipe.p.read}\", \"{pipe.p.write}\"]\n",
    );
    let text = t.to_string();
    let expected = format!(
        "process a: {} 'it'\\''s' 'a b' '' 3 4
  fd 3  read end of pipe p
  fd 4  write end of pipe p
  restart never; stop SIGQUIT, 5s
  cwd /
  env empty (nothing is inherited)
  rlimits as applianced's
",
        t.processes[0].exec.display()
    );
    assert!(text.ends_with(&expected), "{text}");
    assert!(text.starts_with("topology topo.toml: 1 pipe, 1 process\npipe p: capacity default (65536); read by a; written by a\n"), "{text}");
}
