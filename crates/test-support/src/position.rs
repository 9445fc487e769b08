//! Where a parser's error points, checked against the text it read.

/// Whether 1-based `line`:`column` (counted in characters) is in `text`
/// or just past the end of one of its lines, where a diagnostic about
/// something unterminated points.
///
/// ```
/// use test_support::position_in;
///
/// assert!(position_in("ab\nc", 1, 3));
/// assert!(position_in("ab\nc", 2, 1));
/// assert!(!position_in("ab\nc", 2, 3));
/// assert!(!position_in("ab\nc", 3, 1));
/// assert!(!position_in("ab", 0, 1));
/// ```
#[must_use]
pub fn position_in(text: &str, line: usize, column: usize) -> bool {
    line >= 1
        && column >= 1
        && text
            .split('\n')
            .nth(line - 1)
            .is_some_and(|l| column <= l.chars().count() + 1)
}
