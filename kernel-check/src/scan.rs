//! A small C scanner for the two kernel files kernel-check reads.
//!
//! Why a scanner of our own: no crate parses kernel-doc, and a C parser would need
//! the kernel's preprocessor, configuration and headers to read a file that
//! `cc_platform.h` and `arch/x86/coco/core.c` use only a sliver of. What
//! kernel-check needs is tokens with their byte spans, the `/** ... */` comments in
//! their place among the tokens, and preprocessor lines out of the way. That is what
//! this file does, in one linear pass over text that [`crate::tree`] has bounded in
//! size ([`MAX_FILE_BYTES`]).
//!
//! It never panics on any input: every split is at an ASCII byte (so every span is on
//! a character boundary), an unterminated comment, string or directive ends at the
//! end of the text, and bytes that are not ASCII are skipped like white space.

use ccattr_core::Span;

/// The largest kernel file read (`cc_platform.h` is about 3 KiB, `core.c` about 8).
pub const MAX_FILE_BYTES: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `[A-Za-z_][A-Za-z0-9_]*`
    Ident,
    /// A digit and what follows it of `[A-Za-z0-9_.]`.
    Number,
    /// A string or character literal.
    Literal,
    /// `==`, `!=`, `&&`, `||`, or one other ASCII character.
    Punct,
    /// A `/** ... */` comment (kernel-doc), whole.
    DocComment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Span,
}

impl Token {
    /// The token's text in `text` (empty if the span is not in it).
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.start..self.span.end).unwrap_or("")
    }

    pub fn is(&self, text: &str, what: &str) -> bool {
        self.text(text) == what
    }
}

/// What happens to code between preprocessor conditionals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branches {
    /// Every branch is scanned; directive lines alone are left out (the header's
    /// enum, whose members are all the kernel has).
    All,
    /// Only the first branch of each `#if`/`#ifdef`/`#ifndef` is scanned; `#elif` and
    /// `#else` branches are skipped (a function read with its configuration option
    /// on, as `#ifdef CONFIG_AMD_MEM_ENCRYPT` ... `#else return false;` is written).
    First,
}

const TWO_CHAR: [&[u8; 2]; 4] = [b"==", b"!=", b"&&", b"||"];

/// The tokens of `text`, comments other than kernel-doc and directive lines left out.
pub fn tokens(text: &str, branches: Branches) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // One entry per open conditional: whether its current branch is skipped.
    let mut skipping: Vec<bool> = Vec::new();
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() || !c.is_ascii() {
            i += 1;
            continue;
        }
        if c == b'#' && line_start {
            let (end, name) = directive(b, i);
            if branches == Branches::First {
                follow(&mut skipping, name);
            }
            i = end;
            continue;
        }
        line_start = false;
        if b[i..].starts_with(b"//") {
            i = line_end(b, i);
            continue;
        }
        if b[i..].starts_with(b"/*") {
            let end = comment_end(b, i);
            let doc = b[i..].starts_with(b"/**") && !b[i..].starts_with(b"/**/");
            if doc && !skipping.contains(&true) {
                out.push(Token {
                    kind: Kind::DocComment,
                    span: Span::new(i, end),
                });
            }
            i = end;
            continue;
        }
        let (kind, end) = if c == b'"' || c == b'\'' {
            (Kind::Literal, literal_end(b, i))
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let n = b[i..]
                .iter()
                .take_while(|x| x.is_ascii_alphanumeric() || **x == b'_')
                .count();
            (Kind::Ident, i + n)
        } else if c.is_ascii_digit() {
            let n = b[i..]
                .iter()
                .take_while(|x| x.is_ascii_alphanumeric() || **x == b'_' || **x == b'.')
                .count();
            (Kind::Number, i + n)
        } else if TWO_CHAR.iter().any(|p| b[i..].starts_with(*p)) {
            (Kind::Punct, i + 2)
        } else {
            (Kind::Punct, i + 1)
        };
        if !skipping.contains(&true) {
            out.push(Token {
                kind,
                span: Span::new(i, end),
            });
        }
        i = end;
    }
    out
}

/// Track a directive's effect on which branches are scanned.
fn follow(skipping: &mut Vec<bool>, name: &[u8]) {
    match name {
        b"if" | b"ifdef" | b"ifndef" => skipping.push(false),
        b"elif" | b"elifdef" | b"elifndef" | b"else" => {
            if let Some(top) = skipping.last_mut() {
                *top = true;
            }
        }
        b"endif" => {
            skipping.pop();
        }
        _ => {}
    }
}

/// The end of the directive starting at `at` (its `#`), past backslash-continued
/// lines and comments that start on it, and the directive's name.
fn directive(b: &[u8], at: usize) -> (usize, &[u8]) {
    let mut n = at + 1;
    while n < b.len() && (b[n] == b' ' || b[n] == b'\t') {
        n += 1;
    }
    let name_start = n;
    while n < b.len() && b[n].is_ascii_alphabetic() {
        n += 1;
    }
    let name = &b[name_start..n];
    let mut i = n;
    while i < b.len() && b[i] != b'\n' {
        if b[i..].starts_with(b"/*") {
            i = comment_end(b, i);
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b'\n') {
            i += 2;
        } else if b[i..].starts_with(b"\\\r\n") {
            i += 3;
        } else {
            i += 1;
        }
    }
    (i, name)
}

fn line_end(b: &[u8], at: usize) -> usize {
    b[at..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| at + n)
}

/// The end of the `/* ... */` comment at `at` (the end of the text if unterminated).
fn comment_end(b: &[u8], at: usize) -> usize {
    let body = at + 2;
    b.get(body..)
        .and_then(|rest| rest.windows(2).position(|w| w == b"*/"))
        .map_or(b.len(), |n| body + n + 2)
}

/// The end of the string or character literal at `at`: its closing quote, or the end
/// of its line when it has none.
fn literal_end(b: &[u8], at: usize) -> usize {
    let quote = b[at];
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() && b[i + 1] != b'\n' => i += 2,
            b'\n' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The index of the token that closes the bracket at `open` (`(`, `[` or `{`),
/// counting only brackets of its kind; `None` if it is never closed.
pub fn matching(toks: &[Token], text: &str, open: usize) -> Option<usize> {
    let (o, c) = match toks.get(open)?.text(text) {
        "(" => ("(", ")"),
        "[" => ("[", "]"),
        "{" => ("{", "}"),
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.kind != Kind::Punct {
            continue;
        }
        let s = t.text(text);
        if s == o {
            depth += 1;
        } else if s == c {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// A kernel-doc comment's text: `/**` and `*/` dropped, and from each line its
/// leading blanks, one `*` and the blank after it.
pub fn doc_lines(comment: &str) -> Vec<&str> {
    let inner = comment.strip_prefix("/**").unwrap_or(comment);
    let inner = inner.strip_suffix("*/").unwrap_or(inner);
    inner
        .split('\n')
        .map(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix('*').unwrap_or(l);
            l.strip_prefix([' ', '\t']).unwrap_or(l).trim_end()
        })
        .collect()
}

/// Text with every run of white space made one space, and none at the ends.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, branches: Branches) -> Vec<&str> {
        tokens(src, branches).iter().map(|t| t.text(src)).collect()
    }

    #[test]
    fn comments_directives_and_operators() {
        let src =
            "#include <x.h>\n/* no */ // nor this\n/** doc */ a==b && c\n#define X \\\n  y\nz;";
        assert_eq!(
            texts(src, Branches::All),
            ["/** doc */", "a", "==", "b", "&&", "c", "z", ";"]
        );
    }

    #[test]
    fn first_branch_only() {
        let src = "#ifdef A\na;\n#if B\nb;\n#else\nc;\n#endif\n#else\nd;\n#endif\ne;";
        assert_eq!(texts(src, Branches::First), ["a", ";", "b", ";", "e", ";"]);
        assert_eq!(texts(src, Branches::All).len(), 10);
    }

    #[test]
    fn unterminated_things_end_at_the_end() {
        for src in [
            "/** never closed",
            "\"open string",
            "#if",
            "'",
            "/*",
            "a /",
            "#",
        ] {
            let _ = tokens(src, Branches::All);
            let _ = tokens(src, Branches::First);
        }
        assert_eq!(texts("x /** open", Branches::All), ["x", "/** open"]);
    }

    #[test]
    fn non_ascii_is_skipped_and_spans_stay_on_boundaries() {
        let src = "é a\u{202e}b ü";
        assert_eq!(texts(src, Branches::All), ["a", "b"]);
    }

    #[test]
    fn doc_lines_and_normalize() {
        let lines = doc_lines("/**\n\t * @X: one\n\t *\n\t *   two\n\t */");
        assert_eq!(lines, ["", "@X: one", "", "  two", ""]);
        assert_eq!(normalize(" a \n\t b  "), "a b");
    }

    #[test]
    fn matching_brackets() {
        let src = "f(a, (b)) { { } }";
        let toks = tokens(src, Branches::All);
        assert_eq!(matching(&toks, src, 1), Some(7));
        assert_eq!(matching(&toks, src, 8), Some(11));
        assert_eq!(matching(&toks, src, 9), Some(10));
        assert_eq!(matching(&toks, src, 0), None);
        let open = "{ {";
        assert_eq!(matching(&tokens(open, Branches::All), open, 0), None);
    }
}
