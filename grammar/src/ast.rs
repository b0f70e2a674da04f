//! The syntax tree: what was written, with byte spans, before any name is resolved.

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamingEntry {
    pub key: Ident,
    pub value: Value,
    pub span: Span,
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
    /// Whether the expression was written inside parentheses.
    pub parens: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrDef {
    Base { implies: Vec<Ident> },
    Derived(Expr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrDecl {
    pub name: Ident,
    pub def: AttrDef,
    pub formerly: Vec<Ident>,
    pub deprecated: Option<StrLit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformDecl {
    pub name: Ident,
    pub sets: Vec<Ident>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionDecl {
    pub base: IntLit,
    pub size: IntLit,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceDecl {
    pub name: Ident,
    pub regions: Vec<RegionDecl>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    Encrypted,
    Decrypted,
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
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub doc: Option<Doc>,
    pub kind: ItemKind,
    /// From the keyword to the closing `;` or `}` (the doc comment excluded).
    pub span: Span,
}

/// A parsed spec file: its items in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecFile {
    pub items: Vec<Item>,
    /// Where the text starts (3 after a byte-order mark).
    pub text_start: usize,
}
