//! The parser: lexical checks, then the pest grammar one item at a time, then the
//! syntax tree. Nesting is bounded here, before pest recurses, so the limit does not
//! depend on the thread's stack.

use crate::ast::*;
use crate::{Diagnostic, Span};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "ccattr.pest"]
struct Grammar;

/// Held while pest records the tokens it tries (its switch for that is global).
static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// After this many syntax errors the parser stops reporting more.
pub const MAX_SYNTAX_ERRORS: usize = 20;

/// The stack the grammar runs on: enough for [`MAX_NESTING`](crate::MAX_NESTING) levels with room to
/// spare, whatever the caller's thread has (pest recurses once per level).
pub const PARSER_STACK_BYTES: usize = 32 << 20;

/// Parse a spec's text into items. Every syntax error is reported; items that do not
/// parse are left out, and parsing resumes at the next item.
///
/// The work runs on a thread of its own with [`PARSER_STACK_BYTES`] of stack, so the
/// result never depends on the stack of the calling thread (a test thread, a build
/// script, a proc macro inside rustc).
pub fn parse(text: &str) -> (SpecFile, Vec<Diagnostic>) {
    parse_part(text, 0, text.len())
}

/// [`parse`] the file `text[from..to]`, one of the files of a spec held in one
/// buffer: its spans are offsets in the whole `text`.
pub fn parse_part(text: &str, from: usize, to: usize) -> (SpecFile, Vec<Diagnostic>) {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("ccattr-parse".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || parse_here(text, from, to));
        match worker {
            Ok(worker) => worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: parse here, on the caller's stack.
            Err(_) => parse_here(text, from, to),
        }
    })
}

fn parse_here(text: &str, from: usize, to: usize) -> (SpecFile, Vec<Diagnostic>) {
    let text_start = if text[from..to].starts_with('\u{feff}') {
        from + 3
    } else {
        from
    };
    if let Some(halves) = parse_halves(text, text_start, to) {
        return halves;
    }
    let mut diags = Vec::new();
    let scan = crate::lexical::scan(text, text_start, to, &mut diags);
    let (file, more) =
        parse_range(text, text_start, text_start, to, &scan, true).unwrap_or_default();
    diags.extend(more);
    (file, diags)
}

/// Specs at least this large are parsed in two halves at once, when there are two
/// cores.
pub const PARALLEL_BYTES: usize = 1 << 20;

/// Parse a large spec in two halves on two threads: the second half from where an
/// item may start near the middle ([`boundary_after`]), the first half up to there, each half scanned and parsed on its thread. The split holds only
/// if the first half, read by the grammar, ends exactly there with a whole item, and
/// neither half has a diagnostic from the scan or a syntax error; otherwise `None`,
/// and the spec is read in one piece.
fn parse_halves(text: &str, text_start: usize, to: usize) -> Option<(SpecFile, Vec<Diagnostic>)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if to - text_start < PARALLEL_BYTES || cores < 2 {
        return None;
    }
    let mid = boundary_after(&text[..to], text_start + (to - text_start) / 2)?;
    // A half whose scan has anything to say is read again in one piece.
    let half = |from: usize, to: usize| {
        let mut diags = Vec::new();
        let scan = crate::lexical::scan(text, from, to, &mut diags);
        if diags.is_empty() {
            parse_range(text, text_start, from, to, &scan, false)
        } else {
            None
        }
    };
    let (first, second) = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("ccattr-parse-2".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || half(mid, to))
            .ok()?;
        let first = half(text_start, mid);
        let second = worker.join().ok()?;
        Some((first?, second?))
    })?;
    let errors = |d: &[Diagnostic]| d.iter().any(|d| d.code == "E0003");
    let ((mut a, mut ad), (b, bd)) = (first, second);
    if errors(&ad) || errors(&bd) || a.end_doc.is_some() {
        return None;
    }
    // Exactly the room needed: growing by doubling would leave up to half of a large
    // spec's items unused.
    let (mut b_items, mut b_comments) = (b.items, b.comments);
    a.items.reserve_exact(b_items.len());
    a.items.append(&mut b_items);
    drop(b_items);
    a.comments.reserve_exact(b_comments.len());
    a.comments.append(&mut b_comments);
    a.end_doc = b.end_doc;
    ad.extend(bd);
    Some((a, ad))
}

/// The pest input a chunk is cut to, about: large enough that the calls cost nothing,
/// small enough that a chunk's pairs take a few megabytes.
pub const CHUNK_BYTES: usize = 256 << 10;

/// The first place at or after `at` where an item may start: a line that starts with
/// a declaration's first letter or a doc comment, after a line that is not a doc
/// comment. Only a guess: whoever cuts the text there checks with the grammar that the
/// text before it ends with a whole item.
fn boundary_after(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    if at >= b.len() {
        return None;
    }
    let mut line = at.checked_sub(1).map_or(0, |at| {
        b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |n| at + n + 1)
    });
    let mut prev_doc = false;
    if line > 0 {
        let prev = text[..line - 1].rfind('\n').map_or(0, |p| p + 1);
        prev_doc = text[prev..].starts_with("///");
    }
    while line < b.len() {
        let doc = text[line..].starts_with("///");
        if !prev_doc && (doc || b"dmapsci".contains(&b[line])) {
            return Some(line);
        }
        prev_doc = doc;
        line += b[line..].iter().position(|&c| c == b'\n')? + 1;
    }
    None
}

/// Parse `text[from..to]`, part of the file that starts at `file_start` (spans are
/// offsets in the whole text). Items the lexical
/// `scan` found errors in are skipped. With `report`, syntax errors are reported and
/// skipped; without, the first one gives `None` (a half of a split spec).
///
/// The text is read in chunks of about [`CHUNK_BYTES`], cut where an item may start
/// ([`boundary_after`]); a chunk that does not parse as whole items, because it holds
/// a syntax error or was cut inside an item, is read again one item at a time.
fn parse_range(
    text: &str,
    file_start: usize,
    from: usize,
    to: usize,
    scan: &crate::lexical::Scan,
    report: bool,
) -> Option<(SpecFile, Vec<Diagnostic>)> {
    let mut diags = Vec::new();
    let mut b = Builder {
        text,
        base: 0,
        file_start,
        diags: &mut diags,
        comments: Vec::new(),
        bad: false,
    };
    let mut items = Vec::new();
    let mut end_doc = None;
    let mut pos = from;
    let mut syntax_errors = 0;
    // Text with a lexical error is read one item at a time, and the items holding
    // one are skipped: the grammar never sees what the scan reported.
    let by_chunks = !scan.has_errors();
    'file: while pos < to {
        // Where one-item-at-a-time reading may go back to chunks.
        let mut until = to;
        if by_chunks {
            let end = boundary_after(text, pos + CHUNK_BYTES)
                .filter(|&e| e < to)
                .unwrap_or(to);
            if let Ok(mut pairs) = Grammar::parse(Rule::chunk, &text[pos..end]) {
                let chunk = pairs.next()?;
                // A doc comment before the cut belongs to the item after it.
                let whole =
                    end == to || chunk.clone().into_inner().all(|p| p.as_rule() != Rule::doc);
                if whole {
                    b.base = pos;
                    b.top_level(chunk, &mut items, &mut end_doc);
                    pos = end;
                    continue;
                }
            }
            if !report {
                return None;
            }
            until = end;
        }
        // One item at a time, to the end of the chunk that did not parse.
        while pos < until {
            if pos >= to {
                break 'file;
            }
            if !by_chunks {
                let end = recover_end(&text[..to], pos);
                if scan.poisoned(pos, end) {
                    // Already reported by the lexical scan; pest never sees it.
                    if end <= pos {
                        break 'file;
                    }
                    pos = end;
                    continue;
                }
            }
            match Grammar::parse(Rule::item_at, &text[pos..to]) {
                Ok(mut pairs) => {
                    let item_at = pairs.next()?;
                    let consumed = item_at.as_span().end();
                    b.base = pos;
                    let at_end = b.top_level(item_at, &mut items, &mut end_doc);
                    if at_end || consumed == 0 {
                        break 'file;
                    }
                    pos += consumed;
                }
                Err(_) => {
                    // Again, recording the tokens pest tried, for the message (slower,
                    // so only here).
                    // pest's switch is global: one detailed parse at a time, so that
                    // another thread cannot turn it off halfway.
                    let detailed = {
                        let _one = DETAIL.lock().unwrap_or_else(|e| e.into_inner());
                        pest::set_error_detail(true);
                        let e = Grammar::parse(Rule::item_at, &text[pos..to]).err();
                        pest::set_error_detail(false);
                        e
                    };
                    let Some(e) = detailed else { break 'file };
                    let end = recover_end(&text[..to], pos);
                    syntax_errors += 1;
                    if syntax_errors > MAX_SYNTAX_ERRORS {
                        b.diags.push(Diagnostic::error(
                            "E0003",
                            format!("too many syntax errors; stopped after {MAX_SYNTAX_ERRORS}"),
                            Span::new(pos, pos),
                        ));
                        break 'file;
                    }
                    b.diags.push(syntax_error(&text[..to], pos, &e));
                    if end <= pos {
                        break 'file;
                    }
                    pos = end;
                }
            }
        }
    }
    let comments = std::mem::take(&mut b.comments);
    let file = SpecFile {
        items,
        comments,
        end_doc,
        text_start: from,
    };
    Some((file, diags))
}

/// The newlines in the white space just before `at`: 2 or more is an empty line, 1
/// or more puts what is at `at` on a line of its own. The start of the text counts as
/// a newline.
pub(crate) fn newlines_before(text: &str, at: usize) -> usize {
    let mut n = 0;
    for &c in text.as_bytes()[..at].iter().rev() {
        match c {
            b'\n' => n += 1,
            b' ' | b'\t' | b'\r' => {}
            _ => return n,
        }
    }
    n + 1
}

/// Where the item at `pos` that did not parse ends (the grammar's `recover`).
fn recover_end(text: &str, pos: usize) -> usize {
    match Grammar::parse(Rule::recover, &text[pos..]) {
        Ok(mut pairs) => pairs.next().map_or(text.len(), |p| pos + p.as_span().end()),
        // Braces nested past what the stack allows: nothing after is read.
        Err(_) => text.len(),
    }
}

/// The token at `at`, for a message (the grammar's `found`), at most 64 bytes.
fn found_at(text: &str, at: usize) -> &str {
    match Grammar::parse(Rule::found, &text[at..]) {
        Ok(mut pairs) => pairs.next().map_or("", |p| {
            let s = p.as_str();
            let mut n = s.len().min(64);
            while !s.is_char_boundary(n) {
                n -= 1;
            }
            &s[..n]
        }),
        Err(_) => "",
    }
}

/// W0001: the doc comment at `span`, on `what` (inside a block, or on an item that
/// takes none), documents nothing.
pub fn stray_doc_warning(what: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "W0001",
        format!("doc comment on {what} documents nothing"),
        span,
    )
    .with_label("this doc comment is dropped")
    .with_help(
        "doc comments attach to `spec`, `attr`, `capability`, `platform` and `device`; use `//` here",
    )
}

/// Whether `s` is one of the language's keywords (docs/language.md).
pub fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "spec"
            | "naming"
            | "attr"
            | "implies"
            | "formerly"
            | "deprecated"
            | "platform"
            | "sets"
            | "device"
            | "mmio"
            | "size"
            | "map"
            | "default"
            | "when"
            | "encrypted"
            | "decrypted"
            | "true"
            | "false"
    )
}

fn rule_name(r: &Rule) -> String {
    let s = match r {
        Rule::EOI => "end of file",
        Rule::ident => "an identifier",
        Rule::int => "an integer",
        Rule::string => "a string",
        Rule::doc | Rule::doc_line => "a doc comment",
        Rule::item | Rule::chunk | Rule::item_at => {
            "a declaration (`attr`, `platform`, `device`, `map`, `default`, `naming`, `capability`, `include`)"
        }
        Rule::spec_decl | Rule::kw_spec => "`spec`",
        Rule::naming_block | Rule::kw_naming => "`naming`",
        Rule::attr_decl | Rule::kw_attr => "`attr`",
        Rule::platform_decl | Rule::kw_platform => "`platform`",
        Rule::device_decl => "`device`",
        Rule::map_rule => "`map`",
        Rule::default_rule => "`default`",
        Rule::kw_implies => "`implies`",
        Rule::formerly_stmt | Rule::kw_formerly => "`formerly`",
        Rule::deprecated_stmt | Rule::kw_deprecated => "`deprecated`",
        Rule::sets_stmt | Rule::kw_sets => "`sets`",
        Rule::mmio_stmt => "`mmio`",
        Rule::mapping => "`encrypted`, `decrypted` or `refuse`",
        Rule::capability_decl => "`capability`",
        Rule::include_decl => "`include`",
        Rule::probed_stmt => "`probed`",
        Rule::expr | Rule::paren => "an expression",
        Rule::not_op => "`!`",
        Rule::or_op => "`||`",
        Rule::boolean => "`true` or `false`",
        Rule::list => "a value",
        Rule::naming_entry => "a naming key",
        _ => return format!("{r:?}"),
    };
    s.to_string()
}

fn syntax_error(text: &str, base: usize, e: &pest::error::Error<Rule>) -> Diagnostic {
    let at = base
        + match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
    let at = at.min(text.len());
    let found = found_at(text, at);
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives
                .iter()
                .filter(|r| !matches!(r, Rule::COMMENT | Rule::WHITESPACE))
                .map(rule_name)
                .collect();
            // The literal keywords and punctuation tried where the error is.
            if let Some(attempts) = e.parse_attempts().filter(|a| base + a.max_position == at) {
                // (pest shows a literal as itself, and ranges and built-in rules,
                // which the rule names cover, otherwise.)
                for t in attempts.expected_tokens() {
                    let token = t.to_string();
                    let literal = token.len() <= 12
                        && !token.contains("..")
                        && token.bytes().all(|b| b.is_ascii_graphic())
                        && !matches!(token.as_str(), "//" | "///" | "/" | "BUILTIN_RULE")
                        // Tried inside a rule whose name says more.
                        && !matches!(
                            token.as_str(),
                            "0x" | "0X" | "_" | "K" | "M" | "G" | "\"" | "true" | "false"
                                | "encrypted" | "decrypted" | "!" | "("
                        );
                    if literal {
                        names.push(format!("`{token}`"));
                    }
                }
            }
            // A name that covers others stands for them.
            let covers: &[(&str, &[&str])] = &[
                (
                    "a value",
                    &["`[`", "a string", "an integer", "`true` or `false`"],
                ),
                (
                    "an expression",
                    &["`!`", "`true` or `false`", "an identifier"],
                ),
            ];
            for (general, parts) in covers {
                if names.iter().any(|n| n == general) {
                    names.retain(|n| !parts.contains(&n.as_str()));
                }
            }
            names.sort();
            names.dedup();
            match names.len() {
                0 => String::new(),
                1 => names[0].clone(),
                _ => {
                    let last = names.pop().unwrap_or_default();
                    format!("{} or {last}", names.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    let span = Span::new(at, (at + found.len()).min(text.len()));
    let found_text = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("syntax error: unexpected {found_text}")
    } else {
        format!("syntax error: expected {expected}, found {found_text}")
    };
    Diagnostic::error("E0003", message, span).with_label("unexpected here")
}

/// Builds the syntax tree from the grammar's pairs. Every function visits every
/// child pair in order, so that the comments (`COMMENT` pairs, wherever the grammar
/// skipped white space) are collected in source order.
struct Builder<'t, 'd> {
    text: &'t str,
    /// Where the text the pairs were parsed from starts.
    base: usize,
    /// Where the file starts (what came before it is another file's).
    file_start: usize,
    diags: &'d mut Vec<Diagnostic>,
    comments: Vec<Comment>,
    /// Whether the item being built has an error (a keyword used as a name): it is
    /// left out of the tree.
    bad: bool,
}

impl Builder<'_, '_> {
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn newlines_before(&self, at: usize) -> usize {
        newlines_before(&self.text[self.file_start..], at - self.file_start)
    }

    fn blank_before(&self, at: usize) -> bool {
        self.newlines_before(at) >= 2
    }

    fn comment(&mut self, p: &Pair<Rule>) {
        let span = self.span(p);
        let n = self.newlines_before(span.start);
        self.comments.push(Comment {
            span,
            own_line: n >= 1,
            blank_before: n >= 2,
        });
    }

    /// An identifier used as a name: a keyword is an error.
    fn name(&mut self, p: Pair<Rule>) -> Ident {
        let span = self.span(&p);
        let name = p.as_str();
        if is_keyword(name) {
            self.bad = true;
            self.diags.push(
                Diagnostic::error(
                    "E0003",
                    format!("syntax error: expected an identifier, found `{name}`"),
                    span,
                )
                .with_label("unexpected here")
                .with_help(format!(
                    "`{name}` is a keyword and cannot be used as a name"
                )),
            );
        }
        Ident {
            name: name.to_string(),
            span,
        }
    }

    fn doc(&mut self, p: Pair<Rule>) -> Doc {
        let span = self.span(&p);
        let mut lines = Vec::new();
        for l in p.into_inner() {
            if l.as_rule() == Rule::COMMENT {
                self.comment(&l);
                continue;
            }
            let t = l.as_str().trim_end_matches('\r');
            let t = &t[3..];
            lines.push(t.strip_prefix(' ').unwrap_or(t).to_string());
        }
        Doc { lines, span }
    }

    fn end_doc(&mut self, p: Pair<Rule>) -> Doc {
        let doc = self.doc(p);
        self.diags.push(
            Diagnostic::warning(
                "W0001",
                "doc comment at the end of the file documents nothing",
                doc.span,
            )
            .with_label("nothing follows this doc comment")
            .with_help("use `//` for a plain comment"),
        );
        doc
    }

    /// A doc comment inside a block documents nothing: warn, and keep it.
    fn stray_doc(&mut self, p: Pair<Rule>, what: &str) -> Doc {
        let doc = self.doc(p);
        self.diags.push(stray_doc_warning(what, doc.span));
        doc
    }

    /// The items, comments and closing doc comment of a `chunk` or `item_at`;
    /// whether it reached the end of the file.
    fn top_level(
        &mut self,
        p: Pair<Rule>,
        items: &mut Vec<Item>,
        end_doc: &mut Option<Doc>,
    ) -> bool {
        let mut at_end = false;
        for p in p.into_inner() {
            match p.as_rule() {
                Rule::item => items.extend(self.item(p)),
                Rule::doc => *end_doc = Some(self.end_doc(p)),
                Rule::COMMENT => self.comment(&p),
                Rule::EOI => at_end = true,
                _ => {}
            }
        }
        at_end
    }

    fn item(&mut self, p: Pair<Rule>) -> Option<Item> {
        self.bad = false;
        let mut doc = None;
        let mut out = None;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::doc => doc = Some(self.doc(part)),
                Rule::COMMENT => self.comment(&part),
                _ => {
                    let span = self.span(&part);
                    let kind = self.decl(part);
                    out = kind.map(|kind| (kind, span));
                }
            }
        }
        let (kind, span) = out?;
        if self.bad {
            return None;
        }
        let blank_before = self.blank_before(doc.as_ref().map_or(span.start, |d| d.span.start));
        Some(Item {
            doc,
            kind,
            span,
            blank_before,
        })
    }

    /// The name of a declaration that is a keyword and a name (`spec NAME;`,
    /// `capability NAME;`), keeping its comments.
    fn named(&mut self, decl: Pair<Rule>) -> Option<Ident> {
        let mut name = None;
        for part in decl.into_inner() {
            match part.as_rule() {
                Rule::ident => name = Some(self.name(part)),
                Rule::COMMENT => self.comment(&part),
                _ => {}
            }
        }
        name
    }

    fn decl(&mut self, decl: Pair<Rule>) -> Option<ItemKind> {
        Some(match decl.as_rule() {
            Rule::spec_decl => ItemKind::Spec(self.named(decl)?),
            Rule::naming_block => {
                let mut entries = Vec::new();
                for part in decl.into_inner() {
                    match part.as_rule() {
                        Rule::naming_entry => entries.extend(self.naming_entry(part)),
                        Rule::COMMENT => self.comment(&part),
                        _ => {}
                    }
                }
                ItemKind::Naming(entries)
            }
            Rule::attr_decl => ItemKind::Attr(self.attr(decl)?),
            Rule::platform_decl => {
                let mut name = None;
                let mut lines = Vec::new();
                for part in decl.into_inner() {
                    match part.as_rule() {
                        Rule::ident => name = Some(self.name(part)),
                        Rule::sets_stmt => {
                            let span = self.span(&part);
                            let mut doc = None;
                            let mut names = Vec::new();
                            for s in part.into_inner() {
                                match s.as_rule() {
                                    Rule::doc => doc = Some(self.stray_doc(s, "a `sets` line")),
                                    Rule::ident => names.push(self.name(s)),
                                    Rule::COMMENT => self.comment(&s),
                                    _ => {}
                                }
                            }
                            lines.push(self.stmt(doc, names, span));
                        }
                        Rule::COMMENT => self.comment(&part),
                        _ => {}
                    }
                }
                ItemKind::Platform(PlatformDecl { name: name?, lines })
            }
            Rule::device_decl => {
                let mut name = None;
                let mut regions = Vec::new();
                let mut probed = Vec::new();
                for part in decl.into_inner() {
                    match part.as_rule() {
                        Rule::ident => name = Some(self.name(part)),
                        Rule::mmio_stmt => regions.extend(self.mmio(part)),
                        Rule::probed_stmt => {
                            let span = self.span(&part);
                            let mut doc = None;
                            for s in part.into_inner() {
                                match s.as_rule() {
                                    Rule::doc => doc = Some(self.stray_doc(s, "a `probed` line")),
                                    Rule::COMMENT => self.comment(&s),
                                    _ => {}
                                }
                            }
                            probed.push(self.stmt(doc, (), span));
                        }
                        Rule::COMMENT => self.comment(&part),
                        _ => {}
                    }
                }
                // Most devices have one region: no room left over from growing.
                regions.shrink_to_fit();
                ItemKind::Device(DeviceDecl {
                    name: name?,
                    regions,
                    probed,
                })
            }
            Rule::map_rule | Rule::default_rule => {
                let mut device = None;
                let mut mapping = None;
                let mut when = None;
                for part in decl.into_inner() {
                    match part.as_rule() {
                        Rule::ident => device = Some(self.name(part)),
                        Rule::mapping => {
                            let m = match part.as_str().as_bytes()[0] {
                                b'e' => Mapping::Encrypted,
                                b'd' => Mapping::Decrypted,
                                _ => Mapping::Refuse,
                            };
                            mapping = Some((m, self.span(&part)));
                        }
                        Rule::expr => when = Some(self.expr(part)?),
                        Rule::COMMENT => self.comment(&part),
                        _ => {}
                    }
                }
                let (mapping, mapping_span) = mapping?;
                ItemKind::Rule(RuleDecl {
                    device,
                    mapping,
                    mapping_span,
                    when,
                })
            }
            Rule::capability_decl => ItemKind::Capability(self.named(decl)?),
            Rule::include_decl => {
                let mut path = None;
                for part in decl.into_inner() {
                    match part.as_rule() {
                        Rule::string => path = Some(self.string(part)),
                        Rule::COMMENT => self.comment(&part),
                        _ => {}
                    }
                }
                ItemKind::Include(path?)
            }
            _ => return None,
        })
    }

    fn stmt<T>(&self, doc: Option<Doc>, body: T, span: Span) -> Stmt<T> {
        let blank_before = self.blank_before(span.start);
        Stmt {
            doc,
            body,
            span,
            blank_before,
        }
    }

    fn naming_entry(&mut self, e: Pair<Rule>) -> Option<NamingEntry> {
        let span = self.span(&e);
        let mut doc = None;
        let mut key = None;
        let mut value = None;
        for part in e.into_inner() {
            match part.as_rule() {
                Rule::doc => doc = Some(self.stray_doc(part, "a naming key")),
                Rule::ident if key.is_none() => key = Some(self.name(part)),
                Rule::COMMENT => self.comment(&part),
                _ => value = Some(self.value(part)?),
            }
        }
        Some(NamingEntry {
            doc,
            key: key?,
            value: value?,
            span,
            blank_before: self.blank_before(span.start),
        })
    }

    fn mmio(&mut self, m: Pair<Rule>) -> Option<RegionDecl> {
        let span = self.span(&m);
        let mut doc = None;
        let mut ints = Vec::with_capacity(2);
        for part in m.into_inner() {
            match part.as_rule() {
                Rule::doc => doc = Some(self.stray_doc(part, "an `mmio` line")),
                Rule::int => ints.push(self.int(part)),
                Rule::COMMENT => self.comment(&part),
                _ => {}
            }
        }
        let size = ints.pop()?;
        let base = ints.pop()?;
        Some(RegionDecl {
            base,
            size,
            span,
            doc,
            blank_before: self.blank_before(span.start),
        })
    }

    fn attr(&mut self, decl: Pair<Rule>) -> Option<AttrDecl> {
        // `attr X { }` has a block with no statements; `attr X;` has none.
        let mut block = decl.as_str().ends_with('}').then(Vec::new);
        let mut name = None;
        let mut def = AttrDef::Base {
            implies: Vec::new(),
        };
        for part in decl.into_inner() {
            match part.as_rule() {
                Rule::ident if name.is_none() => name = Some(self.name(part)),
                Rule::ident => {
                    let implied = self.name(part);
                    if let AttrDef::Base { implies } = &mut def {
                        implies.push(implied);
                    }
                }
                Rule::expr => def = AttrDef::Derived(self.expr(part)?),
                Rule::formerly_stmt | Rule::deprecated_stmt => {
                    let is_formerly = part.as_rule() == Rule::formerly_stmt;
                    let span = self.span(&part);
                    let mut doc = None;
                    let mut names = Vec::new();
                    let mut message = None;
                    for s in part.into_inner() {
                        match s.as_rule() {
                            Rule::doc => {
                                doc = Some(self.stray_doc(s, "a statement in an `attr` block"))
                            }
                            Rule::ident => names.push(self.name(s)),
                            Rule::string => message = Some(self.string(s)),
                            Rule::COMMENT => self.comment(&s),
                            _ => {}
                        }
                    }
                    let body = if is_formerly {
                        AttrStmt::Formerly(names)
                    } else {
                        AttrStmt::Deprecated(message?)
                    };
                    let stmt = self.stmt(doc, body, span);
                    block.get_or_insert_with(Vec::new).push(stmt);
                }
                Rule::COMMENT => self.comment(&part),
                _ => {}
            }
        }
        Some(AttrDecl {
            name: name?,
            def,
            block,
        })
    }

    fn string(&self, p: Pair<Rule>) -> StrLit {
        let span = self.span(&p);
        let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                value.extend(chars.next());
            } else {
                value.push(c);
            }
        }
        StrLit { value, span }
    }

    fn int(&mut self, p: Pair<Rule>) -> IntLit {
        let span = self.span(&p);
        let text = p.as_str();
        match int_value(text).map(u64::try_from) {
            Some(Ok(value)) => IntLit { value, span },
            _ => {
                self.bad = true;
                self.diags.push(
                    Diagnostic::error(
                        "E0004",
                        format!("integer `{text}` does not fit in 64 bits"),
                        span,
                    )
                    .with_label("larger than 2^64 - 1")
                    .with_help("the largest value is 0xFFFF_FFFF_FFFF_FFFF"),
                );
                IntLit { value: 0, span }
            }
        }
    }

    fn value(&mut self, p: Pair<Rule>) -> Option<Value> {
        let span = self.span(&p);
        Some(match p.as_rule() {
            Rule::list => {
                let mut items = Vec::new();
                for v in p.into_inner() {
                    if v.as_rule() == Rule::COMMENT {
                        self.comment(&v);
                    } else {
                        items.push(self.value(v)?);
                    }
                }
                Value::List(items, span)
            }
            Rule::string => Value::Str(self.string(p)),
            Rule::int => Value::Int(self.int(p)),
            Rule::boolean => Value::Bool(p.as_str() == "true", span),
            _ => return None,
        })
    }

    /// Build an expression from the flat list of operands and operators the grammar
    /// gives: `||` splits the list into terms, `&&` each term into operands, and the
    /// `!`s before an operand apply to it. Recursion follows parentheses only, whose
    /// depth the lexical scan has bounded.
    fn expr(&mut self, p: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&p);
        let mut ors: Vec<Expr> = Vec::new();
        let mut ands: Vec<Expr> = Vec::new();
        let mut nots: Vec<usize> = Vec::new();
        for part in p.into_inner() {
            let operand = match part.as_rule() {
                Rule::not_op => {
                    nots.push(self.span(&part).start);
                    continue;
                }
                Rule::or_op => {
                    ors.push(and_of(std::mem::take(&mut ands)));
                    continue;
                }
                Rule::COMMENT => {
                    self.comment(&part);
                    continue;
                }
                Rule::boolean => Expr {
                    kind: ExprKind::Bool(part.as_str() == "true"),
                    span: self.span(&part),
                    parens: 0,
                },
                Rule::ident => {
                    let id = self.name(part);
                    Expr {
                        span: id.span,
                        kind: ExprKind::Attr(id),
                        parens: 0,
                    }
                }
                Rule::paren => {
                    let pspan = self.span(&part);
                    let mut inner = None;
                    for q in part.into_inner() {
                        match q.as_rule() {
                            Rule::expr => inner = Some(self.expr(q)?),
                            Rule::COMMENT => self.comment(&q),
                            _ => {}
                        }
                    }
                    let mut e = inner?;
                    e.span = pspan;
                    e.parens += 1;
                    e
                }
                _ => continue,
            };
            let mut e = operand;
            for start in nots.drain(..).rev() {
                e = Expr {
                    span: Span::new(start, e.span.end),
                    kind: ExprKind::Not(Box::new(e)),
                    parens: 0,
                };
            }
            ands.push(e);
        }
        ors.push(and_of(ands));
        Some(collapse(ors, span, ExprKind::Or))
    }
}

/// `&&` of operands, spanning from the first to the last.
fn and_of(parts: Vec<Expr>) -> Expr {
    let span = match (parts.first(), parts.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::new(0, 0),
    };
    collapse(parts, span, ExprKind::And)
}

/// The value of an integer literal that the grammar's `int` matched (digits, `_`s,
/// a `K`, `M` or `G` suffix), saturated at 2^128 - 1; `None` for a digit out of radix.
pub(crate) fn int_value(text: &str) -> Option<u128> {
    let (digits, mult) = match text.as_bytes().last() {
        Some(b'K') => (&text[..text.len() - 1], 1u128 << 10),
        Some(b'M') => (&text[..text.len() - 1], 1u128 << 20),
        Some(b'G') => (&text[..text.len() - 1], 1u128 << 30),
        _ => (text, 1u128),
    };
    let (digits, radix) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(h) => (h, 16u128),
        None => (digits, 10u128),
    };
    let mut v: u128 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = u128::from(c.to_digit(radix as u32)?);
        v = v.saturating_mul(radix).saturating_add(d);
    }
    Some(v.saturating_mul(mult))
}

fn collapse(mut parts: Vec<Expr>, span: Span, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if parts.len() == 1 {
        if let Some(e) = parts.pop() {
            return e;
        }
    }
    // A large spec has hundreds of thousands of these lists, most of two operands:
    // no room left over from growing them.
    parts.shrink_to_fit();
    Expr {
        kind: make(parts),
        span,
        parens: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(diags: &[Diagnostic]) -> Vec<(&'static str, String)> {
        diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code, d.message.clone()))
            .collect()
    }

    /// A spec of `n` devices and rules, with comments, doc comments and empty lines
    /// all the way through.
    fn big(n: usize) -> String {
        let mut s = String::from("spec big;\nattr A;\n");
        for i in 0..n {
            if i % 7 == 0 {
                s.push_str(&format!("// device {i}\n\n"));
            }
            s.push_str(&format!(
                "/// Device {i}.\ndevice d{i} {{ mmio 0x{:X} size 4K; }} // after\n",
                i * 4096
            ));
            s.push_str(&format!("map d{i} encrypted when A && !(A || false);\n"));
        }
        s
    }

    #[test]
    fn two_halves_read_what_one_piece_reads() {
        let text = big(20_000);
        assert!(text.len() > PARALLEL_BYTES);
        let halves = parse_halves(&text, 0, text.len()).expect("the spec is split");
        let mut diags = Vec::new();
        let scan = crate::lexical::scan(&text, 0, text.len(), &mut diags);
        let whole = parse_range(&text, 0, 0, text.len(), &scan, true).expect("reported");
        assert_eq!(halves.0, whole.0);
        assert_eq!(halves.1, whole.1);
        assert_eq!(whole.0.items.len(), 2 + 2 * 20_000);
        assert_eq!(whole.0.comments.len(), 20_000 + 20_000 / 7 + 1);
    }

    #[test]
    fn a_split_that_does_not_hold_falls_back() {
        // The middle of this spec is one long expression whose lines start with a
        // declaration's first letter: the split is tried there, the first half does
        // not end with a whole item, and the spec reads as one piece.
        let mut text = String::from("spec x;\nattr a;\nattr b = a &&\n");
        while text.len() < PARALLEL_BYTES + 100 {
            text.push_str("a &&\n");
        }
        text.push_str("a;\nattr c;\n");
        assert!(parse_halves(&text, 0, text.len()).is_none());
        let (file, diags) = parse(&text);
        assert!(errors(&diags).is_empty(), "{:?}", errors(&diags));
        assert_eq!(file.items.len(), 4);
    }

    #[test]
    fn a_chunk_cut_inside_an_item_is_read_again() {
        // Every line of these platforms starts with a declaration's first letter, so
        // chunks are cut inside items; each such chunk is read again item by item.
        let mut text = String::from("spec x;\nattr a;\nattr map_x;\n");
        let mut n = 0;
        while text.len() < 3 * CHUNK_BYTES {
            text.push_str(&format!("platform p{n} {{\nsets a,\nmap_x,\na;\n}}\n"));
            n += 1;
        }
        let (file, diags) = parse(&text);
        assert!(errors(&diags).is_empty(), "{:?}", errors(&diags));
        assert_eq!(file.items.len(), 3 + n);
        assert!(boundary_after(&text, CHUNK_BYTES).is_some());
    }

    #[test]
    fn errors_at_chunk_boundaries_are_each_reported_once() {
        // Long doc comments make the spec three chunks long.
        let mut text = String::from("spec x;\n");
        let pad = "x".repeat(200);
        for i in 1..3000 {
            text.push_str(&format!("/// {pad}\n"));
            if [1023, 1024, 2500].contains(&i) {
                text.push_str(&format!("attr A{i}\n"));
            } else {
                text.push_str(&format!("attr A{i};\n"));
            }
        }
        assert!(text.len() > 2 * CHUNK_BYTES);
        let (file, diags) = parse(&text);
        let errs = errors(&diags);
        // Each error skips through the next `;`: `A1023` to `A1025` are one error
        // (the second chunk starts inside it), `A2500` and `A2501` another.
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs
            .iter()
            .all(|(c, m)| *c == "E0003" && m.contains("found `///`")));
        assert_eq!(file.items.len(), 3000 - 5);
        let names: Vec<&str> = file
            .items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::Attr(a) => Some(a.name.name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(names[1020..1023], ["A1021", "A1022", "A1026"]);
    }

    #[test]
    fn a_keyword_is_not_a_name() {
        let (file, diags) = parse("spec x;\nattr map;\nattr B;\n");
        let d = diags.iter().find(|d| d.is_error()).expect("an error");
        assert_eq!(d.code, "E0003");
        assert_eq!(
            d.message,
            "syntax error: expected an identifier, found `map`"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("`map` is a keyword and cannot be used as a name")
        );
        assert_eq!(
            file.items.len(),
            2,
            "the item is left out, the rest is read"
        );
    }

    #[test]
    fn comments_are_in_the_tree_with_their_place() {
        let text = "// head\n\n// after a blank\nspec x; // trailing\nattr A = A // mid\n  || A;\n";
        let (file, _) = parse(text);
        let got: Vec<(&str, bool, bool)> = file
            .comments
            .iter()
            .map(|c| (&text[c.span.start..c.span.end], c.own_line, c.blank_before))
            .collect();
        assert_eq!(
            got,
            [
                ("// head", true, false),
                ("// after a blank", true, true),
                ("// trailing", false, false),
                ("// mid", false, false),
            ]
        );
        assert!(!file.items[0].blank_before && !file.items[1].blank_before);
    }

    #[test]
    fn a_lexical_error_is_reported_once_and_its_item_skipped() {
        let (file, diags) = parse("spec x;\nattr Aé;\nattr B;\n");
        let errs = errors(&diags);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].0, "E0005");
        assert_eq!(file.items.len(), 2);
    }

    #[test]
    fn parentheses_are_counted() {
        let (file, _) = parse("spec x;\nattr A;\nattr B = ((A)) && (!A);\n");
        let ItemKind::Attr(AttrDecl {
            def: AttrDef::Derived(e),
            ..
        }) = &file.items[2].kind
        else {
            panic!("{:?}", file.items[2]);
        };
        let ExprKind::And(parts) = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!((parts[0].parens, parts[1].parens), (2, 1));
    }
}
