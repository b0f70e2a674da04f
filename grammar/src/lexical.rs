//! Lexical checks made before the grammar runs: characters that may not appear,
//! invisible or bidirectional characters, and the nesting limit.

use crate::{Diagnostic, Span};

/// The deepest an expression may nest (parentheses and `!`), per docs/language.md ("Limits").
pub const MAX_NESTING: usize = 256;

/// What the scan found that the grammar must not see.
#[derive(Debug, Default)]
pub struct Scan {
    /// Offsets of errors that would derail the grammar (sorted).
    poison: Vec<usize>,
}

impl Scan {
    /// Whether the scan found any error that would derail the grammar.
    pub fn has_errors(&self) -> bool {
        !self.poison.is_empty()
    }

    /// Whether an error lies in `[start, end)`.
    pub fn poisoned(&self, start: usize, end: usize) -> bool {
        let i = self.poison.partition_point(|&p| p < start);
        self.poison.get(i).is_some_and(|&p| p < end)
    }
}

/// Bidirectional controls that can make text display in another order than it parses
/// (CVE-2021-42574), and invisible characters that make two names look alike. The
/// emitters write these out visibly wherever spec text reaches generated files.
pub fn hidden_char(c: char) -> Option<&'static str> {
    match c {
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => Some("bidirectional control character"),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {
            Some("invisible character")
        }
        _ => None,
    }
}

/// The ASCII character that `c` is easily mistaken for, if any: Cyrillic and Greek
/// letters shaped like Latin ones, fullwidth forms, and a few look-alike letters and
/// punctuation (a small table after Unicode's confusables.txt, TR39; it is not the
/// whole of it).
#[rustfmt::skip]
pub fn confusable(c: char) -> Option<char> {
    let ascii = match c {
        // Fullwidth ASCII.
        '\u{FF01}'..='\u{FF5E}' => return char::from_u32(u32::from(c) - 0xFEE0),
        // Cyrillic.
        'А' => 'A', 'В' => 'B', 'С' => 'C', 'Е' => 'E', 'Н' => 'H', 'І' => 'I', 'Ј' => 'J',
        'К' => 'K', 'М' => 'M', 'О' => 'O', 'Р' => 'P', 'Ѕ' => 'S', 'Т' => 'T', 'Х' => 'X',
        'У' | 'Ү' => 'Y', 'Ԛ' => 'Q', 'Ԝ' => 'W', 'Ӏ' => 'I', 'Ԁ' => 'D',
        'а' => 'a', 'с' => 'c', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'х' => 'x', 'у' => 'y',
        'і' => 'i', 'ј' => 'j', 'ѕ' => 's', 'ԁ' => 'd', 'ԛ' => 'q', 'ԝ' => 'w', 'һ' => 'h',
        'ӏ' => 'l',
        // Greek.
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K',
        'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T', 'Υ' => 'Y', 'Χ' => 'X',
        'ο' => 'o', 'ν' => 'v',
        // Latin look-alikes and punctuation.
        'ı' => 'i', 'ȷ' => 'j', 'ɡ' => 'g', 'ǀ' => 'l', 'ǃ' => '!', '\u{037E}' => ';',
        '\u{2215}' | '\u{2044}' => '/', '\u{A789}' => ':',
        _ => return None,
    };
    Some(ascii)
}

/// At most this many diagnostics of one code about single characters (E0002, E0005,
/// W0002, W0003) are reported; the last one says how many more there were. A spec of
/// 16 MiB of NUL bytes gives 20 errors, not 16 million.
pub const MAX_CHAR_DIAGNOSTICS: usize = 20;

/// Counts per-character diagnostics and holds back the ones past the limit.
#[derive(Default)]
struct CharDiags {
    counts: Vec<(&'static str, usize, usize)>, // (code, reported, index of the last)
}

impl CharDiags {
    fn push(&mut self, diags: &mut Vec<Diagnostic>, d: Diagnostic) {
        let entry = match self.counts.iter_mut().find(|e| e.0 == d.code) {
            Some(e) => e,
            None => {
                self.counts.push((d.code, 0, 0));
                self.counts.last_mut().expect("just pushed")
            }
        };
        entry.1 += 1;
        if entry.1 <= MAX_CHAR_DIAGNOSTICS {
            entry.2 = diags.len();
            diags.push(d);
        }
    }

    /// Count `n` more diagnostics of `code` that were never made.
    fn skipped(&mut self, code: &'static str, n: usize) {
        if let Some(e) = self.counts.iter_mut().find(|e| e.0 == code) {
            e.1 += n;
        }
    }

    fn finish(self, diags: &mut [Diagnostic]) {
        for (_, count, last) in self.counts {
            if count > MAX_CHAR_DIAGNOSTICS {
                let more = count - MAX_CHAR_DIAGNOSTICS;
                diags[last]
                    .notes
                    .push(format!("{more} more like this in the spec are not shown"));
            }
        }
    }
}

/// How a character is written in a message: itself when it shows, else its escape.
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() || hidden_char(c).is_some() {
        c.escape_default().to_string()
    } else {
        c.to_string()
    }
}

/// The word of a comment or string being read, for the confusable check.
#[derive(Default)]
struct Word {
    /// The word has an ASCII letter, digit or `_`.
    ascii: bool,
    /// The word has a non-ASCII letter that is not a confusable.
    other: bool,
    /// Its first confusable characters: offset, character, the ASCII one it looks
    /// like; at most as many as can be reported.
    confusables: Vec<(usize, char, char)>,
    /// Confusable characters past those.
    more: usize,
}

impl Word {
    fn add(&mut self, at: usize, c: char) -> bool {
        if !(c.is_alphanumeric() || c == '_') {
            return false;
        }
        if c.is_ascii() {
            self.ascii = true;
        } else if let Some(a) = confusable(c) {
            if self.confusables.len() < MAX_CHAR_DIAGNOSTICS {
                self.confusables.push((at, c, a));
            } else {
                self.more += 1;
            }
        } else {
            self.other = true;
        }
        true
    }

    /// End the word: warn (W0003) about its confusables when it mixes them with ASCII,
    /// or, in a string, when they are all it has besides ASCII.
    fn end(&mut self, in_string: bool, diags: &mut Vec<Diagnostic>, limit: &mut CharDiags) {
        let place = if in_string { "string" } else { "comment" };
        if !self.confusables.is_empty() && (self.ascii || (in_string && !self.other)) {
            for &(at, c, a) in &self.confusables {
                let d = Diagnostic::warning(
                    "W0003",
                    format!(
                        "`{c}` (U+{:04X}) in a {place} looks like the ASCII `{a}`",
                        u32::from(c)
                    ),
                    Span::new(at, at + c.len_utf8()),
                )
                .with_label(format!("not `{a}`"))
                .with_help(format!(
                    "write `{a}` if that is meant; names and `naming` values compare as ASCII"
                ));
                limit.push(diags, d);
            }
            limit.skipped("W0003", self.more);
        }
        *self = Word::default();
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    Comment,
    Str,
}

/// Check every character of `text[start..end]` and the nesting of expressions.
pub fn scan(text: &str, start: usize, end: usize, diags: &mut Vec<Diagnostic>) -> Scan {
    let mut out = Scan::default();
    let mut state = State::Code;
    // Nesting: open parentheses each count one, plus the `!`s written before them;
    // `pending` counts the `!`s whose operand has not started yet.
    let mut frames: Vec<usize> = Vec::new();
    let mut open = 0usize;
    let mut pending = 0usize;
    let mut too_deep_reported = false;
    let mut limit = CharDiags::default();
    let mut word = Word::default();
    let mut chars = text[start..end].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = start + i;
        if state != State::Code && !word.add(at, c) {
            word.end(state == State::Str, diags, &mut limit);
        }
        if c == '\0' {
            limit.push(
                diags,
                Diagnostic::error("E0002", "NUL byte in spec", Span::new(at, at + 1))
                    .with_label("a NUL byte")
                    .with_help("a spec is text; remove the NUL byte"),
            );
            out.poison.push(at);
            continue;
        }
        match state {
            State::Comment => {
                if c == '\n' {
                    state = State::Code;
                } else if let Some(what) = odd_char(c, chars.peek().map(|&(_, n)| n)) {
                    limit.push(diags, hidden_warning(c, what, at, "comment"));
                }
            }
            State::Str => match c {
                '"' => state = State::Code,
                '\\' => {
                    chars.next_if(|&(_, n)| n == '"' || n == '\\');
                }
                '\n' => state = State::Code, // unterminated: the grammar reports it
                _ => {
                    if let Some(what) = odd_char(c, chars.peek().map(|&(_, n)| n)) {
                        limit.push(diags, hidden_warning(c, what, at, "string"));
                    }
                }
            },
            State::Code => match c {
                '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => state = State::Comment,
                '"' => state = State::Str,
                '(' | '!' => {
                    if c == '(' {
                        frames.push(pending);
                        open += 1 + pending;
                        pending = 0;
                    } else {
                        pending += 1;
                    }
                    if open + pending > MAX_NESTING {
                        out.poison.push(at);
                        if !too_deep_reported {
                            too_deep_reported = true;
                            diags.push(
                                Diagnostic::error(
                                    "E0006",
                                    format!("expression nested more than {MAX_NESTING} deep"),
                                    Span::new(at, at + 1),
                                )
                                .with_label(format!("nesting level {} starts here", open + pending))
                                .with_help("parentheses and `!` each add a level; simplify the expression or split it into derived attributes"),
                            );
                        }
                    }
                }
                ')' => {
                    if let Some(nots) = frames.pop() {
                        open -= 1 + nots;
                    }
                    pending = 0;
                }
                ';' | '{' | '}' => {
                    // An expression never spans these: reset after any unbalanced text.
                    frames.clear();
                    open = 0;
                    pending = 0;
                    too_deep_reported = false;
                }
                c if c.is_ascii_alphanumeric() || c == '_' => pending = 0,
                c if c.is_ascii() => {}
                c => {
                    let end = at + c.len_utf8();
                    out.poison.push(at);
                    let in_word =
                        |o: Option<char>| o.is_some_and(|x| x.is_ascii_alphanumeric() || x == '_');
                    let before = text[..at].chars().next_back();
                    let after = text[end..].chars().next();
                    let d = if in_word(before) || in_word(after) {
                        Diagnostic::error(
                            "E0005",
                            format!(
                                "non-ASCII character `{}` (U+{:04X}) in an identifier",
                                shown(c),
                                u32::from(c)
                            ),
                            Span::new(at, end),
                        )
                        .with_label("identifiers are ASCII letters, digits and `_`")
                    } else {
                        Diagnostic::error(
                            "E0005",
                            format!(
                                "unexpected non-ASCII character `{}` (U+{:04X})",
                                shown(c),
                                u32::from(c)
                            ),
                            Span::new(at, end),
                        )
                        .with_label("outside a comment or string")
                    };
                    let d = match (hidden_char(c), confusable(c)) {
                        (Some(what), _) => {
                            d.with_note(format!("this is a {what}, invisible in most editors"))
                        }
                        (None, Some(a)) => {
                            d.with_note(format!("`{c}` looks like the ASCII `{a}` but is not"))
                        }
                        (None, None) => d,
                    };
                    limit.push(diags, d);
                }
            },
        }
    }
    word.end(state == State::Str, diags, &mut limit);
    limit.finish(diags);
    out.poison.sort_unstable();
    out
}

/// A character in a comment or string that W0002 warns about: a bidirectional control
/// or invisible character, or a control character other than tab (a carriage return
/// only when no line feed follows it: some editors and viewers start a new line there,
/// so text after it would show as code while the compiler reads it as comment).
fn odd_char(c: char, next: Option<char>) -> Option<&'static str> {
    match c {
        '\t' => None,
        '\r' if next == Some('\n') => None,
        '\r' => Some("carriage return without a line feed"),
        c if c.is_control() => Some("control character"),
        c => hidden_char(c),
    }
}

fn hidden_warning(c: char, what: &str, at: usize, place: &str) -> Diagnostic {
    Diagnostic::warning(
        "W0002",
        format!("{what} U+{:04X} in a {place}", u32::from(c)),
        Span::new(at, at + c.len_utf8()),
    )
    .with_label("the text may display differently from how it is read")
    .with_help("remove it, or write the text without it")
}
