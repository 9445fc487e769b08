//! The `key=value` words after an event, checked against what it takes,
//! and each value read with its reader from `value`.

use super::lex::Token;
use super::{Event, ParseError, Problem};

/// The `key=value` words of one line, checked against what the event takes.
pub(super) struct Fields<'a> {
    line: usize,
    event: &'static str,
    usage: &'static str,
    /// The event word, where a missing key is reported.
    anchor: Token<'a>,
    items: Vec<Field<'a>>,
}

struct Field<'a> {
    key: &'a str,
    value: &'a str,
    value_column: usize,
}

impl<'a> Fields<'a> {
    /// The words after `e`'s event word, each checked to be one of `keys`
    /// once; `event` and `usage` name the event and what it takes, for
    /// messages.
    pub(super) fn new(
        e: &Event<'a>,
        event: &'static str,
        usage: &'static str,
        keys: &[&str],
    ) -> Result<Self, ParseError> {
        let mut items: Vec<Field<'a>> = Vec::with_capacity(e.rest.len());
        for token in e.rest {
            let err = |problem| e.error(token.column, problem);
            let key_value = token.text.split_once('=');
            let Some((key, value)) = key_value.filter(|(k, v)| !k.is_empty() && !v.is_empty())
            else {
                return Err(err(Problem::NotKeyValue {
                    found: token.text.to_owned(),
                    event,
                    usage,
                }));
            };
            if !keys.contains(&key) {
                return Err(err(Problem::UnknownKey {
                    key: key.to_owned(),
                    event,
                    usage,
                }));
            }
            if items.iter().any(|f| f.key == key) {
                return Err(err(Problem::DuplicateKey {
                    key: key.to_owned(),
                }));
            }
            items.push(Field {
                key,
                value,
                value_column: token.column + key.chars().count() + 1,
            });
        }
        Ok(Self {
            line: e.line,
            event,
            usage,
            anchor: e.word,
            items,
        })
    }

    fn field(&self, key: &str) -> Option<&Field<'a>> {
        self.items.iter().find(|f| f.key == key)
    }

    pub(super) fn get<T>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Result<Option<T>, ParseError> {
        let Some(field) = self.field(key) else {
            return Ok(None);
        };
        parse(field.value).map(Some).map_err(|expected| ParseError {
            line: self.line,
            column: field.value_column,
            problem: Problem::BadValue {
                key,
                found: field.value.to_owned(),
                expected,
            },
        })
    }

    pub(super) fn require<T>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Result<T, ParseError> {
        self.get(key, parse)?.ok_or_else(|| self.missing(key))
    }

    pub(super) fn missing(&self, key: &'static str) -> ParseError {
        ParseError {
            line: self.line,
            column: self.anchor.column,
            problem: Problem::MissingKey {
                key,
                event: self.event,
                usage: self.usage,
            },
        }
    }

    /// A value that is fine alone but not with the others on its line.
    pub(super) fn bad(&self, key: &'static str, expected: &'static str) -> ParseError {
        let (column, found) = match self.field(key) {
            Some(f) => (f.value_column, f.value.to_owned()),
            None => (self.anchor.column, String::new()),
        };
        ParseError {
            line: self.line,
            column,
            problem: Problem::BadValue {
                key,
                found,
                expected,
            },
        }
    }
}
