//! The formatter: prints a spec in its one canonical layout (docs/fmt.md), keeping
//! every comment and doc comment where it was.
//!
//! It prints from the syntax tree: the items and statements with their doc comments
//! and empty lines, and the comments the parser collected. Each comment is printed
//! with the token it belongs to: a comment after a token on the same line trails it;
//! any other comment leads the next token. Tokens the tree has no span for (keywords
//! and punctuation inside an item) are found after the token before them, past white
//! space and comments. The layout is rendered by a small Wadler-style pretty printer
//! at [`WIDTH`] columns. Before it returns, the formatter checks its own work: the
//! result must parse to the same tree, with the same comments in the same order. A
//! spec with syntax errors is not formatted.

use crate::ast::*;
use crate::parser::newlines_before;
use crate::{Diagnostic, Span};

/// A line of a device's block.
enum DeviceLine<'a> {
    Mmio(&'a RegionDecl),
    Probed(&'a Stmt<()>),
}

impl DeviceLine<'_> {
    fn span(&self) -> Span {
        match self {
            DeviceLine::Mmio(r) => r.span,
            DeviceLine::Probed(p) => p.span,
        }
    }
}

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
    let doc = Printer {
        text,
        comments: &file.comments,
        next: 0,
    }
    .file(&file);
    let mut out = render(&doc);
    if !out.is_empty() {
        out.push('\n');
    }
    verify(&file, text, &out).map_err(FormatError::Internal)?;
    Ok(out)
}

/// The formatted text must parse to the same tree, and hold the same comments in
/// the same order.
fn verify(before: &SpecFile, text: &str, out: &str) -> Result<(), String> {
    let (after, diags) = crate::parse(out);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(format!("the result does not parse: {}", d.message));
    }
    let (a, ac) = before.without_layout(text);
    let (b, bc) = after.without_layout(out);
    if ac != bc {
        let at = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
        return Err(format!(
            "comment {at} changed from {:?} to {:?}",
            ac.get(at).map(String::as_str).unwrap_or("none"),
            bc.get(at).map(String::as_str).unwrap_or("none")
        ));
    }
    if a.items.len() != b.items.len() {
        return Err(format!("{} items became {}", a.items.len(), b.items.len()));
    }
    if let Some(i) = a.items.iter().zip(&b.items).position(|(x, y)| x != y) {
        return Err(format!("item {i} changed"));
    }
    if a.end_doc != b.end_doc {
        return Err("the doc comment at the end changed".to_string());
    }
    Ok(())
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

/// An operator chain from [`Printer::and_parts`]: a group, its breaks indented once
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

/// Prints the tree; `next` is the first comment not yet printed.
struct Printer<'t> {
    text: &'t str,
    comments: &'t [Comment],
    next: usize,
}

impl Printer<'_> {
    fn comment_text(&self, c: &Comment) -> String {
        self.text[c.span.start..c.span.end].trim_end().to_string()
    }

    /// Where the next token after `at` starts: past white space and comments.
    fn after(&self, mut at: usize) -> usize {
        let b = self.text.as_bytes();
        loop {
            while at < b.len() && b[at].is_ascii_whitespace() {
                at += 1;
            }
            match self.comments.binary_search_by_key(&at, |c| c.span.start) {
                Ok(i) => at = self.comments[i].span.end,
                Err(_) => return at,
            }
        }
    }

    /// Where the last token before `at` ends, minus one: its last byte.
    fn before(&self, mut at: usize) -> usize {
        let b = self.text.as_bytes();
        loop {
            while at > 0 && b[at - 1].is_ascii_whitespace() {
                at -= 1;
            }
            match self.comments.binary_search_by_key(&at, |c| c.span.end) {
                Ok(i) => at = self.comments[i].span.start,
                Err(_) => return at.saturating_sub(1),
            }
        }
    }

    /// Where an expression starts inside all its parentheses.
    fn inside_parens(&self, e: &Expr) -> usize {
        let mut at = e.span.start;
        for _ in 0..e.parens {
            at = self.after(at + 1);
        }
        at
    }

    /// The comments not yet printed that start before `at`.
    fn leading(&mut self, at: usize) -> Vec<(String, bool)> {
        let mut v = Vec::new();
        while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < at) {
            v.push((self.comment_text(c), c.blank_before));
            self.next += 1;
        }
        v
    }

    /// A token's text, and the comment after it on its line, if any.
    fn word(&mut self, s: &str, end: usize) -> D {
        match self.trailing(end) {
            Some(c) => D::Cat(vec![text(s), c]),
            None => text(s),
        }
    }

    /// The comment after the token that ends at `end`, on the same line, if any:
    /// ` // comment` and the line break it forces.
    fn trailing(&mut self, end: usize) -> Option<D> {
        let c = self.comments.get(self.next).filter(|c| {
            !c.own_line
                && c.span.start >= end
                && self.text[end..c.span.start]
                    .bytes()
                    .all(|b| b == b' ' || b == b'\t')
        })?;
        let c = self.comment_text(c);
        self.next += 1;
        Some(D::Cat(vec![text(format!(" {c}")), D::Hard]))
    }

    /// A token inside a line: its leading comments each on a line of their own, then
    /// the token.
    fn mid(&mut self, s: &str, at: usize) -> D {
        let leading = self.leading(at);
        if leading.is_empty() {
            return self.word(s, at + s.len());
        }
        let mut v = Vec::new();
        for (c, _) in leading {
            v.push(D::Hard);
            v.push(text(c));
        }
        v.push(D::Hard);
        v.push(self.word(s, at + s.len()));
        D::Cat(v)
    }

    /// The source text of a spanned token, inside a line.
    fn spanned(&mut self, span: Span) -> D {
        let s = &self.text[span.start..span.end];
        self.mid(s, span.start)
    }

    /// A token that starts a line (the caller has broken the line): its leading
    /// comments on lines of their own, keeping empty lines as `blanks` allows.
    fn start(&mut self, s: &str, at: usize, end: usize, blank_before: bool, blanks: Blanks) -> D {
        let mut v = Vec::new();
        let mut allowed = blanks.first;
        for (c, blank) in self.leading(at) {
            if blank && allowed {
                v.push(D::Blank);
            }
            v.push(text(c));
            v.push(D::Hard);
            allowed = blanks.rest;
        }
        if blank_before && allowed {
            v.push(D::Blank);
        }
        v.push(self.word(s, end));
        D::Cat(v)
    }

    /// Doc lines, then the keyword (or key) that starts an item or statement.
    fn preamble(
        &mut self,
        doc: Option<&Doc>,
        keyword: &str,
        at: usize,
        blank_before: bool,
        blanks: Blanks,
    ) -> D {
        let mut v = Vec::new();
        let mut blanks = blanks;
        let mut blank_before = blank_before;
        if let Some(doc) = doc {
            v.push(self.doc(doc, blank_before, blanks));
            // Inside a doc comment, and between it and its declaration, no empty lines.
            blanks = NONE;
            blank_before = false;
        }
        v.push(self.start(keyword, at, at + keyword.len(), blank_before, blanks));
        D::Cat(v)
    }

    /// A doc comment's lines, each with exactly one space after `///` (the space the
    /// parser drops), so its text, and the spec's meaning, stay the same.
    fn doc(&mut self, doc: &Doc, blank_before: bool, blanks: Blanks) -> D {
        let mut v = Vec::new();
        for (i, line) in doc.lines.iter().enumerate() {
            let printed = if line.is_empty() {
                "///".to_string()
            } else {
                format!("/// {line}")
            };
            if i == 0 {
                v.push(self.start(
                    &printed,
                    doc.span.start,
                    doc.span.start,
                    blank_before,
                    blanks,
                ));
            } else {
                v.push(text(printed));
            }
            v.push(D::Hard);
        }
        D::Cat(v)
    }

    fn file(mut self, file: &SpecFile) -> D {
        let mut v = Vec::new();
        let mut first = true;
        for item in &file.items {
            v.push(D::Hard);
            v.push(self.item(item, if first { AFTER_OPEN } else { KEEP }));
            first = false;
        }
        if let Some(doc) = &file.end_doc {
            // A doc comment at the end of the file documents nothing (W0001); kept.
            v.push(D::Hard);
            let blank = newlines_before(self.text, doc.span.start) >= 2;
            let d = self.doc(doc, blank, if first { AFTER_OPEN } else { KEEP });
            // The doc ends with a line break; the file's end adds its own.
            if let D::Cat(mut parts) = d {
                parts.pop();
                v.push(D::Cat(parts));
            }
            first = false;
        }
        let mut allowed = !first;
        for (c, blank) in self.leading(usize::MAX) {
            v.push(D::Hard);
            if blank && allowed {
                v.push(D::Blank);
            }
            v.push(text(c));
            allowed = true;
        }
        D::Cat(v)
    }

    /// An item: its doc and keyword, the rest of its line (continuation lines indented
    /// once), and its block if it has one.
    fn item(&mut self, item: &Item, blanks: Blanks) -> D {
        let at = item.span.start;
        let semi = item.span.end - 1;
        let kw = match &item.kind {
            ItemKind::Spec(_) => "spec",
            ItemKind::Naming(_) => "naming",
            ItemKind::Attr(_) => "attr",
            ItemKind::Platform(_) => "platform",
            ItemKind::Device(_) => "device",
            ItemKind::Rule(r) if r.device.is_some() => "map",
            ItemKind::Rule(_) => "default",
            ItemKind::Capability(_) => "capability",
            ItemKind::Include(_) => "include",
        };
        let head = self.preamble(item.doc.as_ref(), kw, at, item.blank_before, blanks);
        let mut line = Vec::new();
        let mut block = None;
        match &item.kind {
            ItemKind::Spec(name) | ItemKind::Capability(name) => {
                line.push(self.spanned(name.span));
                line.push(self.mid(";", semi));
            }
            ItemKind::Include(path) => {
                line.push(self.spanned(path.span));
                line.push(self.mid(";", semi));
            }
            ItemKind::Naming(entries) => {
                let open = self.after(at + kw.len());
                block = Some(self.block(open, semi, entries, Self::naming_entry));
            }
            ItemKind::Attr(a) => {
                line.push(self.spanned(a.name.span));
                let mut end = a.name.span.end;
                match &a.def {
                    AttrDef::Base { implies } if !implies.is_empty() => {
                        line.push(D::Space);
                        let kw_at = self.after(end);
                        line.push(self.mid("implies", kw_at));
                        line.push(D::Space);
                        line.push(self.idents(implies));
                        end = implies.last().map_or(end, |i| i.span.end);
                    }
                    AttrDef::Base { .. } => {}
                    AttrDef::Derived(e) => {
                        line.push(D::Space);
                        let eq = self.after(end);
                        line.push(self.mid("=", eq));
                        line.push(D::Space);
                        line.push(self.expr(e, 0, false));
                        end = e.span.end;
                    }
                }
                match &a.block {
                    None => line.push(self.mid(";", semi)),
                    Some(stmts) => {
                        let open = self.after(end);
                        block = Some(self.block(open, semi, stmts, Self::attr_stmt));
                    }
                }
            }
            ItemKind::Platform(p) => {
                line.push(self.spanned(p.name.span));
                let open = self.after(p.name.span.end);
                block = Some(self.block(open, semi, &p.lines, Self::sets_stmt));
            }
            ItemKind::Device(d) => {
                line.push(self.spanned(d.name.span));
                let open = self.after(d.name.span.end);
                // `mmio` and `probed` lines in the order written.
                let mut lines: Vec<DeviceLine> = d.regions.iter().map(DeviceLine::Mmio).collect();
                lines.extend(d.probed.iter().map(DeviceLine::Probed));
                lines.sort_by_key(|l| l.span().start);
                block = Some(self.block(open, semi, &lines, Self::device_line));
            }
            ItemKind::Rule(r) => {
                if let Some(dev) = &r.device {
                    line.push(self.spanned(dev.span));
                    line.push(D::Space);
                }
                line.push(self.spanned(r.mapping_span));
                if let Some(e) = &r.when {
                    line.push(D::Space);
                    let when = self.after(r.mapping_span.end);
                    line.push(self.mid("when", when));
                    line.push(D::Space);
                    line.push(self.expr(e, 0, false));
                }
                line.push(self.mid(";", semi));
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
        D::Cat(v)
    }

    /// `{ statements }`: one statement per line, indented; `{}` when empty. `open` and
    /// `close` are where the braces are.
    fn block<T>(
        &mut self,
        open: usize,
        close: usize,
        stmts: &[T],
        stmt: fn(&mut Self, &T, Blanks) -> D,
    ) -> D {
        let open = self.mid("{", open);
        let mut inner = Vec::new();
        let mut blanks = AFTER_OPEN;
        for s in stmts {
            inner.push(D::Hard);
            inner.push(stmt(self, s, blanks));
            blanks = KEEP;
        }
        // Comments before the `}` belong inside the block.
        let mut allowed = blanks.first;
        for (c, blank) in self.leading(close) {
            inner.push(D::Hard);
            if blank && allowed {
                inner.push(D::Blank);
            }
            inner.push(text(c));
            allowed = true;
        }
        let close = self.word("}", close + 1);
        if inner.is_empty() {
            return D::Cat(vec![open, close]);
        }
        D::Cat(vec![open, nest(D::Cat(inner)), D::Hard, close])
    }

    /// Where a statement's keyword is: after its doc comment, if any.
    fn keyword_at(&self, doc: Option<&Doc>, span: Span) -> usize {
        doc.map_or(span.start, |d| self.after(d.span.end))
    }

    fn naming_entry(&mut self, e: &NamingEntry, blanks: Blanks) -> D {
        let key = &self.text[e.key.span.start..e.key.span.end];
        let head = self.preamble(
            e.doc.as_ref(),
            key,
            e.key.span.start,
            e.blank_before,
            blanks,
        );
        let eq_at = self.after(e.key.span.end);
        let eq = self.mid("=", eq_at);
        let value = self.value(&e.value);
        let semi = self.mid(";", e.span.end - 1);
        D::Cat(vec![head, D::Space, eq, D::Space, value, semi])
    }

    fn attr_stmt(&mut self, s: &Stmt<AttrStmt>, blanks: Blanks) -> D {
        let at = self.keyword_at(s.doc.as_ref(), s.span);
        let (kw, body) = match &s.body {
            AttrStmt::Formerly(names) => {
                let head = self.preamble(s.doc.as_ref(), "formerly", at, s.blank_before, blanks);
                (head, self.idents(names))
            }
            AttrStmt::Deprecated(m) => {
                let head = self.preamble(s.doc.as_ref(), "deprecated", at, s.blank_before, blanks);
                (head, self.spanned(m.span))
            }
        };
        let semi = self.mid(";", s.span.end - 1);
        D::Cat(vec![kw, D::Space, nest(D::Cat(vec![body, semi]))])
    }

    fn sets_stmt(&mut self, s: &Stmt<Vec<Ident>>, blanks: Blanks) -> D {
        let at = self.keyword_at(s.doc.as_ref(), s.span);
        let head = self.preamble(s.doc.as_ref(), "sets", at, s.blank_before, blanks);
        let names = self.idents(&s.body);
        let semi = self.mid(";", s.span.end - 1);
        D::Cat(vec![head, D::Space, nest(D::Cat(vec![names, semi]))])
    }

    fn device_line(&mut self, l: &DeviceLine, blanks: Blanks) -> D {
        match l {
            DeviceLine::Mmio(r) => self.mmio_stmt(r, blanks),
            DeviceLine::Probed(p) => {
                let at = self.keyword_at(p.doc.as_ref(), p.span);
                let head = self.preamble(p.doc.as_ref(), "probed", at, p.blank_before, blanks);
                let semi = self.mid(";", p.span.end - 1);
                D::Cat(vec![head, semi])
            }
        }
    }

    fn mmio_stmt(&mut self, r: &RegionDecl, blanks: Blanks) -> D {
        let at = self.keyword_at(r.doc.as_ref(), r.span);
        let head = self.preamble(r.doc.as_ref(), "mmio", at, r.blank_before, blanks);
        let base = self.spanned(r.base.span);
        let size_at = self.after(r.base.span.end);
        let size_kw = self.mid("size", size_at);
        let size = self.spanned(r.size.span);
        let semi = self.mid(";", r.span.end - 1);
        let rest = D::Cat(vec![base, D::Space, size_kw, D::Space, size, semi]);
        D::Cat(vec![head, D::Space, nest(rest)])
    }

    /// `A, B, C`: as many names on a line as fit (the caller indents the rest).
    fn idents(&mut self, names: &[Ident]) -> D {
        let mut parts = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let name = self.spanned(n.span);
            if i + 1 < names.len() {
                let at = self.after(n.span.end);
                let comma = self.mid(",", at);
                parts.push(D::Cat(vec![name, comma]));
                parts.push(D::Line);
            } else {
                parts.push(name);
            }
        }
        D::Fill(parts)
    }

    /// A naming value: a scalar, or a list on one line if it fits, else one element
    /// per line with a trailing comma.
    fn value(&mut self, v: &Value) -> D {
        let Value::List(items, span) = v else {
            return self.spanned(v.span());
        };
        let open = self.mid("[", span.start);
        let close_at = span.end - 1;
        if items.is_empty() {
            let close = self.mid("]", close_at);
            return D::Cat(vec![open, close]);
        }
        let mut inner = vec![D::SoftLine];
        for (i, item) in items.iter().enumerate() {
            inner.push(self.value(item));
            let comma_at = self.after(item.span().end);
            if i + 1 < items.len() {
                let comma = self.mid(",", comma_at);
                inner.push(comma);
                inner.push(D::Line);
            } else if self.text.as_bytes().get(comma_at) == Some(&b',') {
                // The optional trailing comma: printed when the list is broken; its
                // comments stay (and a comment breaks the list).
                let leading = self.leading(comma_at);
                for (c, _) in &leading {
                    inner.push(D::Hard);
                    inner.push(text(c.clone()));
                }
                if !leading.is_empty() {
                    inner.push(D::Hard);
                }
                inner.push(D::IfBreak(","));
                inner.extend(self.trailing(comma_at + 1));
            } else {
                inner.push(D::IfBreak(","));
            }
        }
        let close = self.mid("]", close_at);
        group(D::Cat(vec![open, nest(D::Cat(inner)), D::SoftLine, close]))
    }

    /// `A || B`: on one line if it fits, else one `|| term` per line; a term that
    /// does not fit breaks before its `&&`s, one level deeper. The caller indents the
    /// whole expression; `nested` indents its breaks once more (inside parentheses).
    /// `printed`: how many of `e`'s own parentheses are already printed.
    fn expr(&mut self, e: &Expr, printed: u32, nested: bool) -> D {
        let terms: Vec<(&Expr, u32)> = match &e.kind {
            ExprKind::Or(v) if printed == e.parens => v.iter().map(|t| (t, 0)).collect(),
            _ => vec![(e, printed)],
        };
        let mut parts = Vec::new();
        let mut ops = Vec::new();
        for (i, &(t, tb)) in terms.iter().enumerate() {
            if i > 0 {
                let at = self.after(terms[i - 1].0.span.end);
                ops.push(self.mid("||", at));
            }
            parts.push(self.and_parts(t, tb));
        }
        let mut parts = parts.into_iter();
        let Some(first) = parts.next() else {
            return D::Cat(Vec::new());
        };
        if ops.is_empty() {
            return chain(first, nested);
        }
        let mut rest = Vec::new();
        for (op, term) in ops.into_iter().zip(parts) {
            rest.extend([D::Line, op, D::Space, chain(term, true)]);
        }
        let rest = if nested {
            nest(D::Cat(rest))
        } else {
            D::Cat(rest)
        };
        group(D::Cat(vec![chain(first, true), rest]))
    }

    /// `A && !B`: the first operand, and each `&& operand` after it.
    fn and_parts(&mut self, e: &Expr, printed: u32) -> (D, Vec<D>) {
        let operands: Vec<(&Expr, u32)> = match &e.kind {
            ExprKind::And(v) if printed == e.parens => v.iter().map(|t| (t, 0)).collect(),
            _ => vec![(e, printed)],
        };
        let first = self.unary(operands[0].0, operands[0].1);
        let mut rest = Vec::new();
        for i in 1..operands.len() {
            let at = self.after(operands[i - 1].0.span.end);
            rest.push(D::Line);
            rest.push(self.mid("&&", at));
            rest.push(D::Space);
            rest.push(self.unary(operands[i].0, operands[i].1));
        }
        (first, rest)
    }

    fn unary(&mut self, e: &Expr, printed: u32) -> D {
        if printed < e.parens {
            // The outermost pair is at the ends of the span; each inner one is just
            // inside the one around it.
            let (mut open, mut close) = (e.span.start, e.span.end - 1);
            for _ in 0..printed {
                open = self.after(open + 1);
                close = self.before(close);
            }
            let open = self.mid("(", open);
            let inner = self.expr(e, printed + 1, true);
            let close = self.mid(")", close);
            return D::Cat(vec![open, inner, close]);
        }
        match &e.kind {
            ExprKind::Not(inner) => {
                let bang = self.mid("!", self.inside_parens(e));
                D::Cat(vec![bang, self.unary(inner, 0)])
            }
            ExprKind::Attr(id) => self.spanned(id.span),
            ExprKind::Bool(b) => {
                let at = self.inside_parens(e);
                self.mid(if *b { "true" } else { "false" }, at)
            }
            // An `||` or `&&` operand is always in parentheses.
            ExprKind::Or(_) | ExprKind::And(_) => self.expr(e, printed, true),
        }
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
    fn comments_between_parentheses_keep_their_place() {
        let expected = "spec x;\nattr A;\nmap d encrypted when !((A || A)\n    // c\n    );\n";
        check(
            "spec x;\nattr A;\nmap d encrypted when !((A || A)\n\n// c\n\n);\n",
            expected,
        );
        // The same with `\r\n` line ends: a comment ends before the `\r`.
        check(
            "spec x;\r\nattr A;\r\nmap d encrypted when !((A || A)\r\n\r\n// c\r\n\r\n);\r\n",
            expected,
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
        let (a, _) = crate::parse(input);
        let (b, _) = crate::parse(&out);
        assert_eq!(a.without_layout(input), b.without_layout(&out));
        assert!(
            out.contains("forbid_words = [\n        \"A\", // one\n    ];"),
            "{out}"
        );
    }
}
