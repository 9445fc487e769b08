//! What the command-line fuzz targets share (this project's `cli` and
//! `tests/fuzz`'s `argv`): the argument vector a fuzzer input stands for,
//! and the check that an error names an argument.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// The arguments in `bytes`: split at NUL bytes (none for no bytes), any
/// other bytes kept, UTF-8 or not.
pub fn argv(bytes: &[u8]) -> Vec<OsString> {
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == 0)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect()
}

/// Whether usage error `message` names an argument: a flag, or one of
/// `argv` as the engine quotes it (`` `arg` `` lossily, or `{:?}`).
pub fn names_an_argument(message: &str, argv: &[OsString]) -> bool {
    message.contains("--")
        || argv.iter().any(|a| {
            message.contains(&format!("{a:?}"))
                || message.contains(&format!("`{}`", a.to_string_lossy()))
        })
}
