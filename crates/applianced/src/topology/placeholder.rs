//! Arguments with placeholders: `{pipe.NAME.read}` and `{pipe.NAME.write}`
//! stand for the fd of that pipe end in the child; `{{` and `}}` are
//! literal braces; any other brace is an error.

use super::End;

/// One piece of an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Text copied as it is (a `{{` gives the text `{`).
    Text(&'a str),
    /// A pipe end, replaced by its fd number.
    Pipe {
        /// The pipe's name (not yet checked against the topology).
        name: &'a str,
        /// Which end.
        end: End,
        /// Byte offset of the `{` in the argument.
        at: usize,
    },
}

/// Why an argument does not parse; `at` is the byte offset of the
/// offending brace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// A `{` with no `}` before the end or the next `{`.
    Unclosed {
        /// Byte offset of the `{`.
        at: usize,
    },
    /// A `}` with no `{` before it.
    Unopened {
        /// Byte offset of the `}`.
        at: usize,
    },
    /// `{...}` that is not `{pipe.NAME.END}`.
    NotAPlaceholder {
        /// Byte offset of the `{`.
        at: usize,
        /// The whole placeholder, braces included.
        text: String,
    },
    /// `{pipe.NAME.END}` with an END other than `read` or `write`
    /// (or none: `{pipe.NAME}`).
    BadEnd {
        /// Byte offset of the `{`.
        at: usize,
        /// The whole placeholder, braces included.
        text: String,
    },
}

/// Splits `arg` into text and pipe-end placeholders.
pub(crate) fn parse(arg: &str) -> Result<Vec<Segment<'_>>, TemplateError> {
    let bytes = arg.as_bytes();
    let mut segments = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    // Braces are ASCII, so every index stopped at below is a char boundary.
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'{', Some(b'{')) | (b'}', Some(b'}')) => {
                // Keep the first brace of the pair as text, skip the second.
                push_text(&mut segments, &arg[text_start..=i]);
                i += 2;
                text_start = i;
            }
            (b'{', _) => {
                push_text(&mut segments, &arg[text_start..i]);
                let close = match arg[i + 1..].find(['{', '}']) {
                    Some(j) if bytes[i + 1 + j] == b'}' => i + 1 + j,
                    _ => return Err(TemplateError::Unclosed { at: i }),
                };
                segments.push(placeholder(&arg[i..=close], i)?);
                i = close + 1;
                text_start = i;
            }
            (b'}', _) => return Err(TemplateError::Unopened { at: i }),
            _ => i += 1,
        }
    }
    push_text(&mut segments, &arg[text_start..]);
    Ok(segments)
}

/// Adds `s` as text unless it is empty.
fn push_text<'a>(segments: &mut Vec<Segment<'a>>, s: &'a str) {
    if !s.is_empty() {
        segments.push(Segment::Text(s));
    }
}

/// Reads `{pipe.NAME.END}` (braces included in `text`).
fn placeholder(text: &str, at: usize) -> Result<Segment<'_>, TemplateError> {
    let inner = &text[1..text.len() - 1];
    let not_a_placeholder = || TemplateError::NotAPlaceholder {
        at,
        text: text.to_owned(),
    };
    let rest = inner.strip_prefix("pipe.").ok_or_else(not_a_placeholder)?;
    let bad_end = || TemplateError::BadEnd {
        at,
        text: text.to_owned(),
    };
    let (name, end) = rest.rsplit_once('.').ok_or_else(bad_end)?;
    if name.is_empty() {
        return Err(not_a_placeholder());
    }
    let end = match end {
        "read" => End::Read,
        "write" => End::Write,
        _ => return Err(bad_end()),
    };
    Ok(Segment::Pipe { name, end, at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::{Pipe, Text};

    #[test]
    fn plain_text_is_one_segment() {
        assert_eq!(parse("--verbose"), Ok(vec![Text("--verbose")]));
        assert_eq!(parse(""), Ok(vec![]));
        assert_eq!(parse("é{{ü"), Ok(vec![Text("é{"), Text("ü")]));
    }

    #[test]
    fn a_whole_argument_placeholder() {
        assert_eq!(
            parse("{pipe.to_gui.read}"),
            Ok(vec![Pipe {
                name: "to_gui",
                end: End::Read,
                at: 0
            }])
        );
    }

    #[test]
    fn placeholders_inside_text_and_two_in_one_argument() {
        assert_eq!(
            parse("--fds={pipe.a.read},{pipe.b-2.write}!"),
            Ok(vec![
                Text("--fds="),
                Pipe {
                    name: "a",
                    end: End::Read,
                    at: 6
                },
                Text(","),
                Pipe {
                    name: "b-2",
                    end: End::Write,
                    at: 20
                },
                Text("!"),
            ])
        );
    }

    #[test]
    fn doubled_braces_are_literal() {
        assert_eq!(parse("{{}}"), Ok(vec![Text("{"), Text("}")]));
        assert_eq!(
            parse("{{pipe.a.read}}"),
            Ok(vec![Text("{"), Text("pipe.a.read}")])
        );
        // `{{{pipe.a.read}}}`: a literal brace, a placeholder, a literal brace.
        assert_eq!(
            parse("{{{pipe.a.read}}}"),
            Ok(vec![
                Text("{"),
                Pipe {
                    name: "a",
                    end: End::Read,
                    at: 2
                },
                Text("}"),
            ])
        );
        assert_eq!(
            parse("json={{\"a\":1}}"),
            Ok(vec![Text("json={"), Text("\"a\":1}")])
        );
    }

    #[test]
    fn unbalanced_braces() {
        assert_eq!(parse("{"), Err(TemplateError::Unclosed { at: 0 }));
        assert_eq!(
            parse("x{pipe.a.read"),
            Err(TemplateError::Unclosed { at: 1 })
        );
        assert_eq!(parse("{pipe{a}"), Err(TemplateError::Unclosed { at: 0 }));
        assert_eq!(parse("}"), Err(TemplateError::Unopened { at: 0 }));
        assert_eq!(parse("ab}c"), Err(TemplateError::Unopened { at: 2 }));
        // The placeholder closes at the first `}`; the second is lone.
        assert_eq!(
            parse("{pipe.a.read}}"),
            Err(TemplateError::Unopened { at: 13 })
        );
    }

    #[test]
    fn not_placeholders() {
        for (arg, text) in [
            ("{}", "{}"),
            ("{x}", "{x}"),
            ("a{pipes.a.read}", "{pipes.a.read}"),
            ("{ pipe.a.read }", "{ pipe.a.read }"),
            ("{pipe..read}", "{pipe..read}"),
            ("{PIPE.a.read}", "{PIPE.a.read}"),
        ] {
            let at = arg.find('{').unwrap();
            assert_eq!(
                parse(arg),
                Err(TemplateError::NotAPlaceholder {
                    at,
                    text: text.to_owned()
                }),
                "{arg}"
            );
        }
    }

    #[test]
    fn wrong_or_missing_end() {
        for arg in [
            "{pipe.a.reed}",
            "{pipe.a}",
            "{pipe.a.}",
            "{pipe.a.READ}",
            "{pipe.a.rw}",
        ] {
            assert_eq!(
                parse(arg),
                Err(TemplateError::BadEnd {
                    at: 0,
                    text: arg.to_owned()
                }),
                "{arg}"
            );
        }
    }
}
