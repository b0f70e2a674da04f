//! The formatter: prints a spec in its one canonical layout (docs/fmt.md), keeping
//! every comment and doc comment where it was.
//!
//! The syntax tree has no comments, so the printer works from the tokens: it scans
//! the text into tokens, attaches each comment to a token (a comment on the same line
//! after a token trails it; any other comment leads the next token), rebuilds the
//! layout from the grammar's structure, and renders it with a small Wadler-style
//! pretty printer at [`WIDTH`] columns. Before it returns, it checks its own work:
//! the result must parse, and its tokens and comments must be the input's, in the
//! same order. A spec with syntax errors is not formatted.

use crate::Diagnostic;

/// The width the printer fills lines to.
pub const WIDTH: usize = 100;
/// Spaces per indentation level.
pub const INDENT: usize = 4;

/// Why a spec was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The spec has syntax errors (the diagnostics); it is left as it is.
    Syntax(Vec<Diagnostic>),
    /// The printer would have lost or reordered a token or comment. This is a bug
    /// in the formatter; the spec is left as it is.
    Internal(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(d) => write!(f, "the spec has {} syntax error(s)", d.len()),
            FormatError::Internal(m) => write!(
                f,
                "the formatter failed to keep the spec's tokens and comments ({m}); \
                 the spec was left as it is; please report this with the spec"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Format a spec's text. A leading byte-order mark and carriage returns are dropped;
/// a non-empty result ends with exactly one newline.
pub fn format(text: &str) -> Result<String, FormatError> {
    let (file, diags) = crate::parse(text);
    let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let lexed = lex(text, file.text_start).map_err(FormatError::Internal)?;
    let doc = Layout {
        toks: &lexed.toks,
        pos: 0,
    }
    .file(&lexed.tail)
    .map_err(FormatError::Internal)?;
    let mut out = render(&doc);
    if !out.is_empty() {
        out.push('\n');
    }
    verify(&lexed, &out).map_err(FormatError::Internal)?;
    Ok(out)
}

/// The formatted text must parse, and hold the same tokens and comments in the same
/// order as the input.
fn verify(before: &Lexed<'_>, out: &str) -> Result<(), String> {
    let (_, diags) = crate::parse(out);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(format!("the result does not parse: {}", d.message));
    }
    let after = lex(out, 0)?;
    let (a, b) = (signature(before), signature(&after));
    if a != b {
        let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        return Err(format!(
            "token {at} changed from {:?} to {:?}",
            a.get(at).map(String::as_str).unwrap_or("end of file"),
            b.get(at).map(String::as_str).unwrap_or("end of file")
        ));
    }
    Ok(())
}

/// The tokens and comments in order, as the layout may not change them: doc lines
/// by their text, and without a list's optional trailing comma.
fn signature(lexed: &Lexed<'_>) -> Vec<String> {
    let mut sig = Vec::new();
    for (i, t) in lexed.toks.iter().enumerate() {
        sig.extend(t.leading.iter().map(|c| format!("comment {}", c.text)));
        let trailing_comma = t.text == "," && lexed.toks.get(i + 1).is_some_and(|n| n.text == "]");
        if !trailing_comma {
            sig.push(format!("{:?} {}", t.kind, t.printed()));
        }
        sig.extend(t.trailing.map(|c| format!("comment {c}")));
    }
    sig.extend(lexed.tail.iter().map(|c| format!("comment {}", c.text)));
    sig
}

// ---------------------------------------------------------------------------------
// Tokens with their comments.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Int,
    Str,
    Punct,
    Doc,
}

#[derive(Clone, Copy, Debug)]
struct Comment<'a> {
    /// From `//` to the end of the line, trailing white space removed.
    text: &'a str,
    /// Whether an empty line comes before it.
    blank_before: bool,
}

#[derive(Debug)]
struct Tok<'a> {
    kind: Kind,
    /// The token as written (a doc line: from `///` to the end of the line).
    text: &'a str,
    /// Comments on lines of their own before the token.
    leading: Vec<Comment<'a>>,
    /// A comment after the token on the same line.
    trailing: Option<&'a str>,
    /// Whether an empty line comes before the token (after its leading comments).
    blank_before: bool,
}

impl Tok<'_> {
    /// The token as printed: a doc line with exactly one space after `///` (the space
    /// the parser drops), so its text, and the spec's meaning, stay the same.
    fn printed(&self) -> String {
        if self.kind != Kind::Doc {
            return self.text.to_string();
        }
        let rest = &self.text[3..];
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        if rest.is_empty() {
            "///".to_string()
        } else {
            format!("/// {rest}")
        }
    }
}

#[derive(Debug)]
struct Lexed<'a> {
    toks: Vec<Tok<'a>>,
    /// Comments after the last token.
    tail: Vec<Comment<'a>>,
}

/// Scan `text` from `start` into tokens and comments. The text has parsed, so this
/// only has to tell the kinds of token apart.
fn lex(text: &str, start: usize) -> Result<Lexed<'_>, String> {
    let b = text.as_bytes();
    let mut toks: Vec<Tok<'_>> = Vec::new();
    let mut pending: Vec<Comment<'_>> = Vec::new();
    let mut newlines = 0usize;
    let mut token_on_line = false;
    let mut i = start;
    let line_end = |from: usize| {
        b[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |n| from + n)
    };
    while i < b.len() {
        let c = b[i];
        let (kind, end) = match c {
            b'\n' => {
                newlines += 1;
                token_on_line = false;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = line_end(i);
                let raw = &text[i..end];
                if raw.starts_with("///") && !raw.starts_with("////") {
                    (Kind::Doc, i + raw.trim_end_matches('\r').len())
                } else {
                    let comment = raw.trim_end();
                    match toks.last_mut() {
                        Some(last) if token_on_line => last.trailing = Some(comment),
                        _ => pending.push(Comment {
                            text: comment,
                            blank_before: newlines >= 2,
                        }),
                    }
                    newlines = 0;
                    i = end;
                    continue;
                }
            }
            b'"' => {
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        Some(b'"') => break,
                        Some(b'\\') => j += 2,
                        Some(b'\n') | None => {
                            return Err(format!("unterminated string at byte {i}"))
                        }
                        Some(_) => j += 1,
                    }
                }
                (Kind::Str, j + 1)
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c.is_ascii_digit() => {
                let n = b[i..]
                    .iter()
                    .position(|&x| !(x.is_ascii_alphanumeric() || x == b'_'))
                    .unwrap_or(b.len() - i);
                let kind = if c.is_ascii_digit() {
                    Kind::Int
                } else {
                    Kind::Word
                };
                (kind, i + n)
            }
            b'&' | b'|' if b.get(i + 1) == Some(&c) => (Kind::Punct, i + 2),
            b'{' | b'}' | b'(' | b')' | b';' | b',' | b'=' | b'!' | b'[' | b']' => {
                (Kind::Punct, i + 1)
            }
            _ => return Err(format!("unexpected character at byte {i}")),
        };
        toks.push(Tok {
            kind,
            text: &text[i..end],
            leading: std::mem::take(&mut pending),
            trailing: None,
            blank_before: newlines >= 2,
        });
        newlines = 0;
        token_on_line = true;
        i = end;
    }
    Ok(Lexed {
        toks,
        tail: pending,
    })
}

// ---------------------------------------------------------------------------------
// The layout language and its renderer.

#[derive(Clone, Debug)]
enum D {
    Text(String),
    /// A space, dropped at the end of a line.
    Space,
    /// A space, or a line break in a broken group.
    Line,
    /// Nothing, or a line break in a broken group.
    SoftLine,
    /// Always a line break (so the groups around it break).
    Hard,
    /// An empty line.
    Blank,
    /// Text printed only when the enclosing group is broken.
    IfBreak(&'static str),
    /// One more indentation level for the line breaks inside.
    Nest(Box<D>),
    /// Printed flat if it fits, else with its line breaks. The flag: it holds a hard
    /// line break, so it never fits.
    Group(Box<D>, bool),
    /// Items and separators alternating; each separator breaks only if the next item
    /// would not fit on the line.
    Fill(Vec<D>),
    Cat(Vec<D>),
}

fn text(s: impl Into<String>) -> D {
    D::Text(s.into())
}

fn nest(d: D) -> D {
    D::Nest(Box::new(d))
}

fn group(d: D) -> D {
    let hard = has_hard(&d);
    D::Group(Box::new(d), hard)
}

fn has_hard(d: &D) -> bool {
    match d {
        D::Hard | D::Blank => true,
        D::Group(_, hard) => *hard,
        D::Nest(x) => has_hard(x),
        D::Cat(v) | D::Fill(v) => v.iter().any(has_hard),
        D::Text(_) | D::Space | D::Line | D::SoftLine | D::IfBreak(_) => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

#[derive(Clone, Copy)]
enum Cmd<'d> {
    Doc(usize, Mode, &'d D),
    /// The rest of a fill, from an item.
    Fill(usize, Mode, &'d [D]),
}

struct Out {
    buf: String,
    at_line_start: bool,
    pending_space: bool,
    indent: usize,
    col: usize,
}

impl Out {
    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.at_line_start {
            self.buf.extend(std::iter::repeat_n(' ', self.indent));
            self.col = self.indent;
            self.at_line_start = false;
        } else if self.pending_space {
            self.buf.push(' ');
            self.col += 1;
        }
        self.pending_space = false;
        self.buf.push_str(s);
        self.col += width(s);
    }

    fn space(&mut self) {
        if !self.at_line_start {
            self.pending_space = true;
        }
    }

    fn newline(&mut self, indent: usize) {
        if !self.at_line_start && !self.buf.is_empty() {
            self.buf.push('\n');
            self.at_line_start = true;
        }
        self.indent = indent;
        self.pending_space = false;
    }

    fn blank(&mut self, indent: usize) {
        if self.buf.is_empty() {
            return;
        }
        self.newline(indent);
        if !self.buf.ends_with("\n\n") {
            self.buf.push('\n');
        }
    }

    /// Columns left on the current line.
    fn remaining(&self) -> isize {
        let used = if self.at_line_start {
            self.indent
        } else {
            self.col + usize::from(self.pending_space)
        };
        WIDTH as isize - used as isize
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn render(doc: &D) -> String {
    let mut out = Out {
        buf: String::new(),
        at_line_start: true,
        pending_space: false,
        indent: 0,
        col: 0,
    };
    let mut stack = vec![Cmd::Doc(0, Mode::Break, doc)];
    while let Some(cmd) = stack.pop() {
        match cmd {
            Cmd::Doc(ind, mode, d) => match d {
                D::Text(s) => out.text(s),
                D::Space => out.space(),
                D::Line if mode == Mode::Flat => out.space(),
                D::Line | D::SoftLine if mode == Mode::Break => out.newline(ind),
                D::Line | D::SoftLine => {}
                D::Hard => out.newline(ind),
                D::Blank => out.blank(ind),
                D::IfBreak(s) => {
                    if mode == Mode::Break {
                        out.text(s)
                    }
                }
                D::Nest(x) => stack.push(Cmd::Doc(ind + INDENT, mode, x)),
                D::Group(x, hard) => {
                    let flat = mode == Mode::Flat
                        || (!hard
                            && fits(out.remaining(), &[Cmd::Doc(ind, Mode::Flat, x)], &stack));
                    let m = if flat { Mode::Flat } else { Mode::Break };
                    stack.push(Cmd::Doc(ind, m, x));
                }
                D::Fill(parts) => stack.push(Cmd::Fill(ind, mode, parts)),
                D::Cat(v) => stack.extend(v.iter().rev().map(|x| Cmd::Doc(ind, mode, x))),
            },
            Cmd::Fill(ind, mode, parts) => {
                let Some(content) = parts.first() else {
                    continue;
                };
                let rem = out.remaining();
                let content_cmd = Cmd::Doc(ind, Mode::Flat, content);
                let content_mode = if fits(rem, &[content_cmd], &[]) {
                    Mode::Flat
                } else {
                    Mode::Break
                };
                if let (Some(sep), Some(next)) = (parts.get(1), parts.get(2)) {
                    let pair = [
                        content_cmd,
                        Cmd::Doc(ind, Mode::Flat, sep),
                        Cmd::Doc(ind, Mode::Flat, next),
                    ];
                    // The last item must leave room for what follows the fill too.
                    let rest: &[Cmd<'_>] = if parts.len() == 3 { &stack } else { &[] };
                    let sep_mode = if fits(rem, &pair, rest) {
                        Mode::Flat
                    } else {
                        Mode::Break
                    };
                    stack.push(Cmd::Fill(ind, mode, &parts[2..]));
                    stack.push(Cmd::Doc(ind, sep_mode, sep));
                } else if let Some(sep) = parts.get(1) {
                    stack.push(Cmd::Doc(ind, content_mode, sep));
                }
                stack.push(Cmd::Doc(ind, content_mode, content));
            }
        }
    }
    out.buf
}

/// Whether `cmds`, and then the commands on `rest` up to the next line break, fit in
/// `rem` columns.
fn fits<'d>(mut rem: isize, cmds: &[Cmd<'d>], rest: &[Cmd<'d>]) -> bool {
    fn push<'d>(work: &mut Vec<(usize, Mode, &'d D)>, cmd: &Cmd<'d>) {
        match *cmd {
            Cmd::Doc(i, m, d) => work.push((i, m, d)),
            Cmd::Fill(i, m, parts) => work.extend(parts.iter().rev().map(|d| (i, m, d))),
        }
    }
    let mut work: Vec<(usize, Mode, &'d D)> = Vec::new();
    for cmd in cmds.iter().rev() {
        push(&mut work, cmd);
    }
    let mut rest_left = rest.len();
    loop {
        let Some((ind, mode, d)) = work.pop() else {
            if rest_left == 0 {
                return true;
            }
            rest_left -= 1;
            push(&mut work, &rest[rest_left]);
            continue;
        };
        match d {
            D::Text(s) => rem -= width(s) as isize,
            D::Space => rem -= 1,
            D::Line if mode == Mode::Flat => rem -= 1,
            D::Line | D::SoftLine if mode == Mode::Break => return true,
            D::Line | D::SoftLine => {}
            D::Hard | D::Blank => return true,
            D::IfBreak(s) => {
                if mode == Mode::Break {
                    rem -= width(s) as isize
                }
            }
            D::Nest(x) => work.push((ind + INDENT, mode, x)),
            D::Group(x, hard) => work.push((ind, if *hard { Mode::Break } else { mode }, x)),
            D::Fill(v) | D::Cat(v) => work.extend(v.iter().rev().map(|x| (ind, mode, x))),
        }
        if rem < 0 {
            return false;
        }
    }
}

// ---------------------------------------------------------------------------------
// The layout of each construct, following the grammar (ccattr.pest).

/// An operator chain from [`Layout::and_parts`]: a group, its breaks indented once
/// more when `nested`.
fn chain((first, rest): (D, Vec<D>), nested: bool) -> D {
    if rest.is_empty() {
        return first;
    }
    let rest = if nested {
        nest(D::Cat(rest))
    } else {
        D::Cat(rest)
    };
    group(D::Cat(vec![first, rest]))
}

type R<T> = Result<T, String>;

/// Where empty lines from the source are kept: before the first element of a run of
/// comments and tokens at the start of a line, and before the others.
#[derive(Clone, Copy)]
struct Blanks {
    first: bool,
    rest: bool,
}

const KEEP: Blanks = Blanks {
    first: true,
    rest: true,
};
const AFTER_OPEN: Blanks = Blanks {
    first: false,
    rest: true,
};
const NONE: Blanks = Blanks {
    first: false,
    rest: false,
};

struct Layout<'t, 'a> {
    toks: &'t [Tok<'a>],
    pos: usize,
}

impl<'a> Layout<'_, 'a> {
    fn peek(&self) -> Option<&Tok<'a>> {
        self.toks.get(self.pos)
    }

    fn peek_is(&self, s: &str) -> bool {
        self.peek().is_some_and(|t| t.text == s)
    }

    fn peek_kind(&self) -> Option<Kind> {
        self.peek().map(|t| t.kind)
    }

    fn at(&self) -> String {
        match self.peek() {
            Some(t) => format!("`{}` (token {})", t.text, self.pos),
            None => "the end of the file".to_string(),
        }
    }

    /// Take the next token, which must be `s` (or any token if `s` is empty).
    fn take(&mut self, s: &str) -> R<usize> {
        match self.peek() {
            Some(t) if s.is_empty() || t.text == s => {
                self.pos += 1;
                Ok(self.pos - 1)
            }
            _ => Err(format!("expected `{s}` at {}", self.at())),
        }
    }

    /// A token's text and its trailing comment.
    fn word(&self, i: usize) -> D {
        let t = &self.toks[i];
        match t.trailing {
            Some(c) => D::Cat(vec![text(t.printed()), text(format!(" {c}")), D::Hard]),
            None => text(t.printed()),
        }
    }

    /// A token inside a line: its leading comments each on a line of their own, then
    /// the token.
    fn mid(&self, i: usize) -> D {
        let t = &self.toks[i];
        if t.leading.is_empty() {
            return self.word(i);
        }
        let mut v = Vec::new();
        for c in &t.leading {
            v.push(D::Hard);
            v.push(text(c.text));
        }
        v.push(D::Hard);
        v.push(self.word(i));
        D::Cat(v)
    }

    /// The next token, inside a line.
    fn next_mid(&mut self, s: &str) -> R<D> {
        let i = self.take(s)?;
        Ok(self.mid(i))
    }

    /// A token that starts a line (the caller has broken the line): its leading
    /// comments on lines of their own, keeping empty lines as `blanks` allows.
    fn start(&self, i: usize, blanks: Blanks) -> D {
        let t = &self.toks[i];
        let mut v = Vec::new();
        let mut allowed = blanks.first;
        for c in &t.leading {
            if c.blank_before && allowed {
                v.push(D::Blank);
            }
            v.push(text(c.text));
            v.push(D::Hard);
            allowed = blanks.rest;
        }
        if t.blank_before && allowed {
            v.push(D::Blank);
        }
        v.push(self.word(i));
        D::Cat(v)
    }

    /// Doc lines, then the keyword that starts an item or statement.
    fn preamble(&mut self, blanks: Blanks) -> R<(D, String)> {
        let mut v = Vec::new();
        let mut blanks = blanks;
        while self.peek_kind() == Some(Kind::Doc) {
            let i = self.take("")?;
            v.push(self.start(i, blanks));
            v.push(D::Hard);
            // Inside a doc comment, and between it and its declaration, no empty lines.
            blanks = NONE;
        }
        if self.peek().is_none() {
            // A doc comment at the end of the file documents nothing (W0001); kept.
            return Ok((D::Cat(v), String::new()));
        }
        let i = self.take("")?;
        v.push(self.start(i, blanks));
        Ok((D::Cat(v), self.toks[i].text.to_string()))
    }

    fn file(mut self, tail: &[Comment<'a>]) -> R<D> {
        let mut v = Vec::new();
        let mut first = true;
        while self.peek().is_some() {
            v.push(D::Hard);
            v.push(self.item(if first { AFTER_OPEN } else { KEEP })?);
            first = false;
        }
        let mut allowed = !first;
        for c in tail {
            v.push(D::Hard);
            if c.blank_before && allowed {
                v.push(D::Blank);
            }
            v.push(text(c.text));
            allowed = true;
        }
        Ok(D::Cat(v))
    }

    /// An item: its doc and keyword, the rest of its line (continuation lines indented
    /// once), and its block if it has one.
    fn item(&mut self, blanks: Blanks) -> R<D> {
        let (head, keyword) = self.preamble(blanks)?;
        let mut line = Vec::new();
        let mut block = None;
        match keyword.as_str() {
            "" => return Ok(head),
            "spec" => {
                line.push(self.next_mid("")?);
                line.push(self.next_mid(";")?);
            }
            "naming" => block = Some(self.block(Self::naming_entry)?),
            "attr" => {
                line.push(self.next_mid("")?);
                if self.peek_is("implies") {
                    line.push(D::Space);
                    line.push(self.next_mid("implies")?);
                    line.push(D::Space);
                    line.push(self.idents()?);
                } else if self.peek_is("=") {
                    line.push(D::Space);
                    line.push(self.next_mid("=")?);
                    line.push(D::Space);
                    line.push(self.expr(false)?);
                }
                if self.peek_is(";") {
                    line.push(self.next_mid(";")?);
                } else {
                    block = Some(self.block(Self::attr_stmt)?);
                }
            }
            "platform" => {
                line.push(self.next_mid("")?);
                block = Some(self.block(Self::sets_stmt)?);
            }
            "device" => {
                line.push(self.next_mid("")?);
                block = Some(self.block(Self::mmio_stmt)?);
            }
            "map" | "default" => {
                if keyword == "map" {
                    line.push(self.next_mid("")?);
                    line.push(D::Space);
                }
                line.push(self.next_mid("")?);
                if self.peek_is("when") {
                    line.push(D::Space);
                    line.push(self.next_mid("when")?);
                    line.push(D::Space);
                    line.push(self.expr(false)?);
                }
                line.push(self.next_mid(";")?);
            }
            other => {
                return Err(format!(
                    "unexpected `{other}` at the start of a declaration"
                ))
            }
        }
        let mut v = vec![head];
        if !line.is_empty() {
            v.push(D::Space);
            v.push(nest(D::Cat(line)));
        }
        if let Some(b) = block {
            v.push(D::Space);
            v.push(b);
        }
        Ok(D::Cat(v))
    }

    /// `{ statements }`: one statement per line, indented; `{}` when empty.
    fn block(&mut self, stmt: fn(&mut Self, Blanks) -> R<D>) -> R<D> {
        let open = self.next_mid("{")?;
        let mut inner = Vec::new();
        let mut blanks = AFTER_OPEN;
        while !self.peek_is("}") {
            if self.peek().is_none() {
                return Err("unclosed block".to_string());
            }
            inner.push(D::Hard);
            inner.push(stmt(self, blanks)?);
            blanks = KEEP;
        }
        let close = self.take("}")?;
        // Comments before the `}` belong inside the block.
        let mut allowed = blanks.first;
        for c in &self.toks[close].leading {
            inner.push(D::Hard);
            if c.blank_before && allowed {
                inner.push(D::Blank);
            }
            inner.push(text(c.text));
            allowed = true;
        }
        if inner.is_empty() {
            return Ok(D::Cat(vec![open, self.word(close)]));
        }
        Ok(D::Cat(vec![
            open,
            nest(D::Cat(inner)),
            D::Hard,
            self.word(close),
        ]))
    }

    fn naming_entry(&mut self, blanks: Blanks) -> R<D> {
        let (head, _) = self.preamble(blanks)?;
        let eq = self.next_mid("=")?;
        let value = self.value()?;
        let semi = self.next_mid(";")?;
        Ok(D::Cat(vec![head, D::Space, eq, D::Space, value, semi]))
    }

    fn attr_stmt(&mut self, blanks: Blanks) -> R<D> {
        let (head, keyword) = self.preamble(blanks)?;
        let body = match keyword.as_str() {
            "formerly" => self.idents()?,
            "deprecated" => self.next_mid("")?,
            other => return Err(format!("unexpected `{other}` in an `attr` block")),
        };
        let semi = self.next_mid(";")?;
        Ok(D::Cat(vec![head, D::Space, nest(D::Cat(vec![body, semi]))]))
    }

    fn sets_stmt(&mut self, blanks: Blanks) -> R<D> {
        let (head, keyword) = self.preamble(blanks)?;
        if keyword != "sets" {
            return Err(format!("unexpected `{keyword}` in a `platform` block"));
        }
        let names = self.idents()?;
        let semi = self.next_mid(";")?;
        Ok(D::Cat(vec![
            head,
            D::Space,
            nest(D::Cat(vec![names, semi])),
        ]))
    }

    fn mmio_stmt(&mut self, blanks: Blanks) -> R<D> {
        let (head, keyword) = self.preamble(blanks)?;
        if keyword != "mmio" {
            return Err(format!("unexpected `{keyword}` in a `device` block"));
        }
        let base = self.next_mid("")?;
        let size_kw = self.next_mid("size")?;
        let size = self.next_mid("")?;
        let semi = self.next_mid(";")?;
        let rest = D::Cat(vec![base, D::Space, size_kw, D::Space, size, semi]);
        Ok(D::Cat(vec![head, D::Space, nest(rest)]))
    }

    /// `A, B, C`: as many names on a line as fit (the caller indents the rest).
    fn idents(&mut self) -> R<D> {
        let mut parts = Vec::new();
        loop {
            let name = self.next_mid("")?;
            if self.peek_is(",") {
                let comma = self.next_mid(",")?;
                parts.push(D::Cat(vec![name, comma]));
                parts.push(D::Line);
            } else {
                parts.push(name);
                break;
            }
        }
        Ok(D::Fill(parts))
    }

    /// A naming value: a scalar, or a list on one line if it fits, else one element
    /// per line with a trailing comma.
    fn value(&mut self) -> R<D> {
        if !self.peek_is("[") {
            return self.next_mid("");
        }
        let open = self.next_mid("[")?;
        if self.peek_is("]") {
            let close = self.next_mid("]")?;
            return Ok(D::Cat(vec![open, close]));
        }
        let mut inner = vec![D::SoftLine];
        loop {
            inner.push(self.next_mid("")?);
            if !self.peek_is(",") {
                inner.push(D::IfBreak(","));
                break;
            }
            let comma = self.take(",")?;
            if self.peek_is("]") {
                // The optional trailing comma: printed when the list is broken; its
                // comments stay (and a comment breaks the list).
                let t = &self.toks[comma];
                for c in &t.leading {
                    inner.push(D::Hard);
                    inner.push(text(c.text));
                }
                if !t.leading.is_empty() {
                    inner.push(D::Hard);
                }
                inner.push(D::IfBreak(","));
                if let Some(c) = t.trailing {
                    inner.push(text(format!(" {c}")));
                    inner.push(D::Hard);
                }
                break;
            }
            inner.push(self.mid(comma));
            inner.push(D::Line);
        }
        let close = self.next_mid("]")?;
        Ok(group(D::Cat(vec![
            open,
            nest(D::Cat(inner)),
            D::SoftLine,
            close,
        ])))
    }

    /// `A || B`: on one line if it fits, else one `|| term` per line; a term that
    /// does not fit breaks before its `&&`s, one level deeper. The caller indents the
    /// whole expression; `nested` indents its breaks once more (inside parentheses).
    fn expr(&mut self, nested: bool) -> R<D> {
        let mut terms = vec![self.and_parts()?];
        let mut ops = Vec::new();
        while self.peek_is("||") {
            ops.push(self.next_mid("||")?);
            terms.push(self.and_parts()?);
        }
        let mut terms = terms.into_iter();
        let Some(first) = terms.next() else {
            return Err("empty expression".to_string());
        };
        if ops.is_empty() {
            return Ok(chain(first, nested));
        }
        let mut rest = Vec::new();
        for (op, term) in ops.into_iter().zip(terms) {
            rest.extend([D::Line, op, D::Space, chain(term, true)]);
        }
        let rest = if nested {
            nest(D::Cat(rest))
        } else {
            D::Cat(rest)
        };
        Ok(group(D::Cat(vec![chain(first, true), rest])))
    }

    /// `A && !B`: the first operand, and each `&& operand` after it.
    fn and_parts(&mut self) -> R<(D, Vec<D>)> {
        let first = self.unary()?;
        let mut rest = Vec::new();
        while self.peek_is("&&") {
            rest.push(D::Line);
            rest.push(self.next_mid("&&")?);
            rest.push(D::Space);
            rest.push(self.unary()?);
        }
        Ok((first, rest))
    }

    fn unary(&mut self) -> R<D> {
        let mut v = Vec::new();
        while self.peek_is("!") {
            v.push(self.next_mid("!")?);
        }
        if self.peek_is("(") {
            v.push(self.next_mid("(")?);
            v.push(self.expr(true)?);
            v.push(self.next_mid(")")?);
        } else {
            v.push(self.next_mid("")?);
        }
        Ok(D::Cat(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        match format(s) {
            Ok(out) => out,
            Err(e) => panic!("{e:?}\n{s}"),
        }
    }

    /// Formatting `input` gives `expected`, and formatting that gives it again.
    fn check(input: &str, expected: &str) {
        let out = fmt(input);
        assert_eq!(
            out, expected,
            "\n--- got ---\n{out}--- expected ---\n{expected}"
        );
        assert_eq!(fmt(&out), out, "not idempotent");
    }

    #[test]
    fn canonical_layout_of_every_construct() {
        check(
            "spec   x ;naming{prefix=\"X_\";max_length=48;forbid_words=[\"A\",\"B\",];require_doc=true;}\
             attr X_A;attr X_B implies X_A{formerly X_OLD,X_OLDER;deprecated \"gone\";}\
             attr X_C=X_A&&!(X_B||false);platform p{sets X_A,X_B;}platform q{}\
             device d{mmio 0xFEC0_0000 size 4K;mmio 0x1000 size 0x10;}\
             map d encrypted when X_C;default decrypted;",
            "spec x;\n\
             naming {\n    prefix = \"X_\";\n    max_length = 48;\n    forbid_words = [\"A\", \"B\"];\n    require_doc = true;\n}\n\
             attr X_A;\n\
             attr X_B implies X_A {\n    formerly X_OLD, X_OLDER;\n    deprecated \"gone\";\n}\n\
             attr X_C = X_A && !(X_B || false);\n\
             platform p {\n    sets X_A, X_B;\n}\n\
             platform q {}\n\
             device d {\n    mmio 0xFEC0_0000 size 4K;\n    mmio 0x1000 size 0x10;\n}\n\
             map d encrypted when X_C;\n\
             default decrypted;\n",
        );
    }

    #[test]
    fn empty_lines_between_items_are_kept_once() {
        check(
            "\n\n/// Doc.\n\n/// More.\n\nspec x;\n\n\n\nattr A;\nattr B;\n\n\n",
            "/// Doc.\n/// More.\nspec x;\n\nattr A;\nattr B;\n",
        );
    }

    #[test]
    fn comments_stay_in_place() {
        check(
            "// head\n\n/// Doc.\nspec x; // trailing\n// before A\nattr A ; // after A\n\n\
             platform p { // open\n  // inside\n  sets A; // set\n\n  // before close\n}\n\
             device d {\n// only a comment\n}\n// the end\n",
            "// head\n\n/// Doc.\nspec x; // trailing\n// before A\nattr A; // after A\n\n\
             platform p { // open\n    // inside\n    sets A; // set\n\n    // before close\n}\n\
             device d {\n    // only a comment\n}\n// the end\n",
        );
    }

    #[test]
    fn comments_inside_lines_break_them_and_stay() {
        check(
            "spec x;\nattr A;\nattr B;\nattr C = A // why A\n || B;\nplatform p { sets A, // first\n B; }\n",
            "spec x;\nattr A;\nattr B;\nattr C = A // why A\n    || B;\nplatform p {\n    sets A, // first\n        B;\n}\n",
        );
        check(
            "spec x;\nattr A;\nattr C =\n  // leading\n  A;\n",
            "spec x;\nattr A;\nattr C =\n    // leading\n    A;\n",
        );
    }

    #[test]
    fn doc_lines_get_one_space() {
        check(
            "///Doc.\n///\n///  indented\nspec x;\n",
            "/// Doc.\n///\n///  indented\nspec x;\n",
        );
        // Doc comments inside blocks document nothing, but are kept.
        check(
            "spec x;\nattr A;\nplatform p {\n///stray\nsets A;\n}\n",
            "spec x;\nattr A;\nplatform p {\n    /// stray\n    sets A;\n}\n",
        );
    }

    #[test]
    fn long_lines_wrap() {
        let names: Vec<String> = (0..8)
            .map(|i| format!("CC_ATTR_LONG_NAME_NUMBER_{i}"))
            .collect();
        let mut spec = String::from("spec x;\n");
        for n in &names {
            spec.push_str(&format!("attr {n};\n"));
        }
        spec.push_str(&format!("platform p {{ sets {}; }}\n", names.join(", ")));
        spec.push_str(&format!("map d encrypted when {};\n", names.join(" || ")));
        spec.push_str(&format!(
            "naming {{ forbid_words = [{}]; }}\n",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let out = fmt(&spec);
        assert_eq!(fmt(&out), out, "not idempotent");
        for line in out.lines() {
            assert!(width(line) <= WIDTH, "too long: {line}");
        }
        assert!(out.contains(
            "    sets CC_ATTR_LONG_NAME_NUMBER_0, CC_ATTR_LONG_NAME_NUMBER_1, CC_ATTR_LONG_NAME_NUMBER_2,\n        CC_ATTR_LONG_NAME_NUMBER_3,"
        ), "{out}");
        assert!(out.contains("map d encrypted when CC_ATTR_LONG_NAME_NUMBER_0\n    || CC_ATTR_LONG_NAME_NUMBER_1\n"), "{out}");
        assert!(
            out.contains("    forbid_words = [\n        \"CC_ATTR_LONG_NAME_NUMBER_0\",\n"),
            "{out}"
        );
        assert!(
            out.contains("        \"CC_ATTR_LONG_NAME_NUMBER_7\",\n    ];\n"),
            "{out}"
        );
    }

    #[test]
    fn a_doc_comment_at_the_end_is_kept() {
        check(
            "spec x;\nattr A; /// dangling\n///more\n\n// end\n",
            "spec x;\nattr A;\n/// dangling\n/// more\n\n// end\n",
        );
    }

    #[test]
    fn bom_and_crlf_are_dropped() {
        check(
            "\u{feff}/// Doc.\r\nspec x; // c \r\nattr A;\r\n",
            "/// Doc.\nspec x; // c\nattr A;\n",
        );
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
        check("// only\n\n\n// comments\n", "// only\n\n// comments\n");
    }

    #[test]
    fn syntax_errors_are_not_formatted() {
        match format("spec x;\nattr A\nattr B;\n") {
            Err(FormatError::Syntax(d)) => {
                assert!(!d.is_empty());
                assert!(d.iter().all(|d| d.code == "E0003"), "{d:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            format("spec x;\ndevice d { mmio 0x1_0000_0000_0000_0000 size 1; }\n"),
            Err(FormatError::Syntax(_))
        ));
    }

    #[test]
    fn the_layout_keeps_every_token_and_comment() {
        let input = "spec x; attr A; attr B = (A);\nnaming { forbid_words = [\"A\", // one\n]; }\n";
        let out = fmt(input);
        assert_eq!(
            signature(&lex(input, 0).expect("lex")),
            signature(&lex(&out, 0).expect("lex"))
        );
        assert!(
            out.contains("forbid_words = [\n        \"A\", // one\n    ];"),
            "{out}"
        );
    }
}
