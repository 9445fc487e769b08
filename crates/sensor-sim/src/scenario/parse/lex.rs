//! Lines into words: each word with its column, up to a `#` comment.

/// One word of a line and where it starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) text: &'a str,
    /// In characters, from 1.
    pub(super) column: usize,
}

impl Token<'_> {
    /// The column just after this word, where a missing word is reported.
    pub(super) fn column_after(&self) -> usize {
        self.column + self.text.chars().count()
    }
}

/// Words of a line up to a `#` comment, with their columns (characters).
pub(super) fn tokenize(line: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut end = line.len();
    for (column, (i, c)) in (1..).zip(line.char_indices()) {
        if c == '#' {
            end = i;
            break;
        }
        if c.is_whitespace() {
            if let Some((b, col)) = start.take() {
                tokens.push(Token {
                    text: &line[b..i],
                    column: col,
                });
            }
        } else if start.is_none() {
            start = Some((i, column));
        }
    }
    if let Some((b, col)) = start {
        tokens.push(Token {
            text: &line[b..end],
            column: col,
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_character_columns_and_stop_at_comments() {
        let t = tokenize("  1.5s\timu  tap axis=z # peak=9g");
        let words: Vec<(&str, usize)> = t.iter().map(|t| (t.text, t.column)).collect();
        assert_eq!(
            words,
            [("1.5s", 3), ("imu", 8), ("tap", 13), ("axis=z", 17)]
        );
        let t = tokenize("é 0s#x");
        assert_eq!(t[1].text, "0s");
        assert_eq!(t[1].column, 3);
    }
}
