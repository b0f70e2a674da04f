//! The syntax tree: what was written, with byte spans, before any name is resolved.
//! It holds the comments and where empty lines were, so that the formatter prints
//! from it and lint reads suppressions from it.

use crate::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// Consecutive `///` lines, text after the slashes (one leading space removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub lines: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntLit {
    pub value: u64,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(StrLit),
    Int(IntLit),
    Bool(bool, Span),
    List(Vec<Value>, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Str(s) => s.span,
            Value::Int(i) => i.span,
            Value::Bool(_, s) | Value::List(_, s) => *s,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Bool(..) => "a boolean",
            Value::List(..) => "a list",
        }
    }
}

/// A `//` comment (not a doc comment), from `//` to the end of its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// Whether only white space comes before it on its line.
    pub own_line: bool,
    /// Whether an empty line comes before it.
    pub blank_before: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamingEntry {
    /// A doc comment on a naming key documents nothing (W0001), but is kept.
    pub doc: Option<Doc>,
    pub key: Ident,
    pub value: Value,
    /// From the doc comment, if any, to the `;`.
    pub span: Span,
    /// Whether an empty line comes before the entry.
    pub blank_before: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    Bool(bool),
    Attr(Ident),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// How many pairs of parentheses it was written in (its span includes them).
    pub parens: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrDef {
    Base { implies: Vec<Ident> },
    Derived(Expr),
}

/// A statement inside a block: what it says, with the doc comment written before it
/// (which documents nothing, W0001, but is kept) and its layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt<T> {
    pub doc: Option<Doc>,
    pub body: T,
    /// From the doc comment, if any, to the `;`.
    pub span: Span,
    /// Whether an empty line comes before the statement.
    pub blank_before: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrStmt {
    Formerly(Vec<Ident>),
    Deprecated(StrLit),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrDecl {
    pub name: Ident,
    pub def: AttrDef,
    /// The statements of its block, if it has one (`None` for `attr X;`).
    pub block: Option<Vec<Stmt<AttrStmt>>>,
}

impl AttrDecl {
    /// The former names, from every `formerly` statement in order.
    pub fn formerly(&self) -> impl Iterator<Item = &Ident> {
        self.block.iter().flatten().flat_map(|s| match &s.body {
            AttrStmt::Formerly(names) => names.as_slice(),
            AttrStmt::Deprecated(_) => &[],
        })
    }

    /// The deprecation message: the last `deprecated` statement's.
    pub fn deprecated(&self) -> Option<&StrLit> {
        self.block
            .iter()
            .flatten()
            .rev()
            .find_map(|s| match &s.body {
                AttrStmt::Deprecated(m) => Some(m),
                AttrStmt::Formerly(_) => None,
            })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformDecl {
    pub name: Ident,
    /// The `sets` statements.
    pub lines: Vec<Stmt<Vec<Ident>>>,
}

impl PlatformDecl {
    /// Every attribute the platform sets, in the order written.
    pub fn sets(&self) -> impl Iterator<Item = &Ident> {
        self.lines.iter().flat_map(|l| &l.body)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionDecl {
    pub base: IntLit,
    pub size: IntLit,
    /// From the doc comment, if any, to the `;`.
    pub span: Span,
    /// A doc comment on an `mmio` line documents nothing (W0001), but is kept.
    pub doc: Option<Doc>,
    /// Whether an empty line comes before the line.
    pub blank_before: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceDecl {
    pub name: Ident,
    pub regions: Vec<RegionDecl>,
    /// The `probed;` statements (version 2): a device found at run time has one, and
    /// no regions.
    pub probed: Vec<Stmt<()>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    Encrypted,
    Decrypted,
    /// The mapping must fail (version 2).
    Refuse,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDecl {
    /// The device of a `map` rule; `None` for a `default` rule.
    pub device: Option<Ident>,
    pub mapping: Mapping,
    pub mapping_span: Span,
    pub when: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Spec(Ident),
    Naming(Vec<NamingEntry>),
    Attr(AttrDecl),
    Platform(PlatformDecl),
    Device(DeviceDecl),
    Rule(RuleDecl),
    /// `capability NAME;` (version 2).
    Capability(Ident),
    /// `include "PATH";` (version 2): the loader splices the file's items in here.
    Include(StrLit),
}

impl ItemKind {
    pub fn describe(&self) -> &'static str {
        match self {
            ItemKind::Spec(_) => "a `spec` declaration",
            ItemKind::Naming(_) => "a `naming` block",
            ItemKind::Attr(_) => "an `attr` declaration",
            ItemKind::Platform(_) => "a `platform` declaration",
            ItemKind::Device(_) => "a `device` declaration",
            ItemKind::Rule(r) if r.device.is_some() => "a `map` rule",
            ItemKind::Rule(_) => "a `default` rule",
            ItemKind::Capability(_) => "a `capability` declaration",
            ItemKind::Include(_) => "an `include`",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub doc: Option<Doc>,
    pub kind: ItemKind,
    /// From the keyword to the closing `;` or `}` (the doc comment excluded).
    pub span: Span,
    /// Whether an empty line comes before the item (after the comments before it).
    pub blank_before: bool,
}

/// A parsed spec file: its items in source order, and its comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecFile {
    pub items: Vec<Item>,
    /// Every `//` comment, in source order.
    pub comments: Vec<Comment>,
    /// A doc comment after the last item, which documents nothing (W0001).
    pub end_doc: Option<Doc>,
    /// Where the text starts (3 after a byte-order mark).
    pub text_start: usize,
}

/// What a tool needs of a spec's layout once its tree is gone: the comments, and
/// where the items and doc comments are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Every `//` comment, in source order.
    pub comments: Vec<Comment>,
    /// Each item, from its keyword to its `;` or `}`, in source order; empty when the
    /// spec has no comments.
    pub items: Vec<Span>,
    /// Each doc comment, in source order; empty when the spec has no comments.
    pub docs: Vec<Span>,
}

impl Layout {
    /// Where the first code at or after `at` starts: past white space, comments and
    /// doc comments (the end of the text if there is none).
    pub fn code_after(&self, text: &str, mut at: usize) -> usize {
        let b = text.as_bytes();
        loop {
            while at < b.len() && b[at].is_ascii_whitespace() {
                at += 1;
            }
            let comment = self.comments.binary_search_by_key(&at, |c| c.span.start);
            let doc = self.docs.binary_search_by_key(&at, |d| d.start);
            match (comment, doc) {
                (Ok(i), _) => at = self.comments[i].span.end,
                (_, Ok(i)) => at = self.docs[i].end,
                _ => return at.min(b.len()),
            }
        }
    }
}

impl SpecFile {
    /// The layout to keep when the tree is dropped.
    pub fn layout(&self) -> Layout {
        if self.comments.is_empty() {
            return Layout::default();
        }
        let mut docs = Vec::new();
        let mut push = |d: &Option<Doc>| docs.extend(d.as_ref().map(|d| d.span));
        for item in &self.items {
            push(&item.doc);
            match &item.kind {
                ItemKind::Naming(entries) => entries.iter().for_each(|e| push(&e.doc)),
                ItemKind::Attr(a) => a.block.iter().flatten().for_each(|s| push(&s.doc)),
                ItemKind::Platform(p) => p.lines.iter().for_each(|s| push(&s.doc)),
                ItemKind::Device(d) => {
                    d.regions.iter().for_each(|r| push(&r.doc));
                    d.probed.iter().for_each(|p| push(&p.doc));
                }
                ItemKind::Spec(_)
                | ItemKind::Rule(_)
                | ItemKind::Capability(_)
                | ItemKind::Include(_) => {}
            }
        }
        push(&self.end_doc);
        // A device's `mmio` and `probed` lines may interleave.
        docs.sort_unstable_by_key(|d| d.start);
        Layout {
            comments: self.comments.clone(),
            // In the order of the text: a spec's included items stand where their
            // `include` is, but their text follows the root's.
            items: {
                let mut items: Vec<Span> = self.items.iter().map(|i| i.span).collect();
                items.sort_unstable_by_key(|s| s.start);
                items
            },
            docs,
        }
    }

    /// The tree without its layout: every span, empty line and comment position
    /// cleared, and the comments' texts in order beside it. Two texts that differ
    /// only in layout (as a spec and its formatted text do) give equal results.
    pub fn without_layout(&self, text: &str) -> (SpecFile, Vec<String>) {
        let comments = self
            .comments
            .iter()
            .map(|c| text[c.span.start..c.span.end].trim_end().to_string())
            .collect();
        let mut file = self.clone();
        file.comments.clear();
        file.text_start = 0;
        if let Some(d) = &mut file.end_doc {
            d.span = Span::default();
        }
        for item in &mut file.items {
            item.span = Span::default();
            item.blank_before = false;
            clear_doc(&mut item.doc);
            match &mut item.kind {
                ItemKind::Spec(n) | ItemKind::Capability(n) => n.span = Span::default(),
                ItemKind::Include(path) => path.span = Span::default(),
                ItemKind::Naming(entries) => {
                    for e in entries {
                        clear_doc(&mut e.doc);
                        e.key.span = Span::default();
                        clear_value(&mut e.value);
                        e.span = Span::default();
                        e.blank_before = false;
                    }
                }
                ItemKind::Attr(a) => {
                    a.name.span = Span::default();
                    match &mut a.def {
                        AttrDef::Base { implies } => implies.iter_mut().for_each(clear_ident),
                        AttrDef::Derived(e) => clear_expr(e),
                    }
                    for s in a.block.iter_mut().flatten() {
                        clear_stmt(s);
                        match &mut s.body {
                            AttrStmt::Formerly(names) => names.iter_mut().for_each(clear_ident),
                            AttrStmt::Deprecated(m) => m.span = Span::default(),
                        }
                    }
                }
                ItemKind::Platform(p) => {
                    p.name.span = Span::default();
                    for l in &mut p.lines {
                        clear_stmt(l);
                        l.body.iter_mut().for_each(clear_ident);
                    }
                }
                ItemKind::Device(d) => {
                    d.name.span = Span::default();
                    for r in &mut d.regions {
                        clear_doc(&mut r.doc);
                        r.base.span = Span::default();
                        r.size.span = Span::default();
                        r.span = Span::default();
                        r.blank_before = false;
                    }
                    d.probed.iter_mut().for_each(clear_stmt);
                }
                ItemKind::Rule(r) => {
                    if let Some(d) = &mut r.device {
                        clear_ident(d);
                    }
                    r.mapping_span = Span::default();
                    if let Some(e) = &mut r.when {
                        clear_expr(e);
                    }
                }
            }
        }
        (file, comments)
    }
}

fn clear_ident(i: &mut Ident) {
    i.span = Span::default();
}

fn clear_doc(d: &mut Option<Doc>) {
    if let Some(d) = d {
        d.span = Span::default();
    }
}

fn clear_stmt<T>(s: &mut Stmt<T>) {
    clear_doc(&mut s.doc);
    s.span = Span::default();
    s.blank_before = false;
}

fn clear_value(v: &mut Value) {
    match v {
        Value::Str(s) => s.span = Span::default(),
        Value::Int(i) => i.span = Span::default(),
        Value::Bool(_, s) => *s = Span::default(),
        Value::List(items, s) => {
            *s = Span::default();
            items.iter_mut().for_each(clear_value);
        }
    }
}

/// Clears spans through the whole expression; a loop over a work list, since an
/// expression may nest as deep as the language allows.
fn clear_expr(e: &mut Expr) {
    let mut work = vec![e];
    while let Some(e) = work.pop() {
        e.span = Span::default();
        match &mut e.kind {
            ExprKind::Bool(_) => {}
            ExprKind::Attr(i) => clear_ident(i),
            ExprKind::Not(inner) => work.push(inner),
            ExprKind::And(v) | ExprKind::Or(v) => work.extend(v.iter_mut()),
        }
    }
}
