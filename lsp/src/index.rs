//! Where each name of a spec is declared and used, read from the syntax tree that the
//! compiler's parser builds (so it exists for half-typed specs too): what go to
//! definition, find references, rename and hover look names up in.

use ccattr_grammar::ast::{AttrDef, AttrStmt, Expr, ExprKind, Ident, ItemKind, SpecFile};
use ccattr_grammar::Span;
use std::collections::BTreeMap;

/// The namespaces of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Attr,
    /// A former name of an attribute (`formerly OLD;`).
    Former,
    Capability,
    Platform,
    Device,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Attr => "attribute",
            Kind::Former => "former attribute name",
            Kind::Capability => "capability",
            Kind::Platform => "platform",
            Kind::Device => "device",
        }
    }

    /// [`Kind::describe`] with its article.
    pub fn with_article(self) -> String {
        let d = self.describe();
        let article = if d.starts_with('a') { "an" } else { "a" };
        format!("{article} {d}")
    }
}

/// A named thing: its namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol {
    pub kind: Kind,
    pub name: String,
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub symbol: Symbol,
    pub span: Span,
    /// Whether this is where the name is declared.
    pub is_decl: bool,
}

/// What is known of one declaration.
#[derive(Clone, Debug)]
pub struct Decl {
    /// The name in the declaration.
    pub span: Span,
    /// The whole item, from its keyword to its `;` or `}`.
    pub item: Span,
    /// For a former name: the attribute it is a former name of.
    pub current: Option<String>,
}

/// Every name of a spec, declared or used, in source order.
#[derive(Default)]
pub struct Index {
    pub occurrences: Vec<Occurrence>,
    /// The first declaration of each symbol.
    pub decls: BTreeMap<Symbol, Decl>,
    /// The attribute names in declaration order.
    pub attrs: Vec<String>,
}

impl Index {
    pub fn new(file: &SpecFile) -> Index {
        let mut ix = Index::default();
        // Declarations first, so that uses resolve whatever their order.
        for item in &file.items {
            match &item.kind {
                ItemKind::Attr(a) => {
                    ix.attrs.push(a.name.name.clone());
                    ix.declare(Kind::Attr, &a.name, item.span, None);
                    for old in a.formerly() {
                        ix.declare(Kind::Former, old, item.span, Some(&a.name.name));
                    }
                }
                ItemKind::Platform(p) => ix.declare(Kind::Platform, &p.name, item.span, None),
                ItemKind::Device(d) => ix.declare(Kind::Device, &d.name, item.span, None),
                ItemKind::Capability(c) => ix.declare(Kind::Capability, c, item.span, None),
                ItemKind::Spec(_)
                | ItemKind::Naming(_)
                | ItemKind::Rule(_)
                | ItemKind::Include(_) => {}
            }
        }
        for item in &file.items {
            match &item.kind {
                ItemKind::Attr(a) => match &a.def {
                    AttrDef::Base { implies } => implies.iter().for_each(|i| ix.use_attr(i)),
                    AttrDef::Derived(e) => ix.use_expr(e),
                },
                ItemKind::Platform(p) => p.sets().for_each(|i| ix.use_attr(i)),
                ItemKind::Rule(r) => {
                    if let Some(d) = &r.device {
                        ix.use_name(Kind::Device, d);
                    }
                    if let Some(e) = &r.when {
                        ix.use_expr(e);
                    }
                }
                _ => {}
            }
        }
        ix.occurrences.sort_by_key(|o| (o.span.start, o.span.end));
        ix
    }

    fn declare(&mut self, kind: Kind, name: &Ident, item: Span, current: Option<&str>) {
        let symbol = Symbol {
            kind,
            name: name.name.clone(),
        };
        self.occurrences.push(Occurrence {
            symbol: symbol.clone(),
            span: name.span,
            is_decl: true,
        });
        self.decls.entry(symbol).or_insert(Decl {
            span: name.span,
            item,
            current: current.map(str::to_string),
        });
    }

    fn use_name(&mut self, kind: Kind, name: &Ident) {
        self.occurrences.push(Occurrence {
            symbol: Symbol {
                kind,
                name: name.name.clone(),
            },
            span: name.span,
            is_decl: false,
        });
    }

    /// A name where an attribute is expected: an attribute, a former name, or (in a
    /// probed device's rule) a capability; unknown names count as attributes.
    fn use_attr(&mut self, name: &Ident) {
        let kind = [Kind::Attr, Kind::Former, Kind::Capability]
            .into_iter()
            .find(|&kind| {
                self.decls.contains_key(&Symbol {
                    kind,
                    name: name.name.clone(),
                })
            })
            .unwrap_or(Kind::Attr);
        self.use_name(kind, name);
    }

    /// Every name in an expression; a work list, since expressions nest deep.
    fn use_expr(&mut self, e: &Expr) {
        let mut work = vec![e];
        while let Some(e) = work.pop() {
            match &e.kind {
                ExprKind::Bool(_) => {}
                ExprKind::Attr(i) => self.use_attr(i),
                ExprKind::Not(inner) => work.push(inner),
                ExprKind::And(v) | ExprKind::Or(v) => work.extend(v.iter()),
            }
        }
    }

    /// The name written at byte `offset` (or just before it, for a cursor at a name's
    /// end).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let i = self.occurrences.partition_point(|o| o.span.end < offset);
        self.occurrences[i..]
            .iter()
            .take_while(|o| o.span.start <= offset)
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// Every place `symbol` is written, declarations included.
    pub fn references<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences.iter().filter(move |o| &o.symbol == symbol)
    }

    pub fn is_declared(&self, kind: Kind, name: &str) -> bool {
        self.decls.contains_key(&Symbol {
            kind,
            name: name.to_string(),
        })
    }

    /// The names declared in one namespace, sorted.
    pub fn names(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.decls
            .keys()
            .filter(move |s| s.kind == kind)
            .map(|s| s.name.as_str())
    }
}

/// The statements of an attribute's block that list former names: for rename.
pub fn formerly_stmts(a: &ccattr_grammar::ast::AttrDecl) -> Vec<&[Ident]> {
    a.block
        .iter()
        .flatten()
        .filter_map(|s| match &s.body {
            AttrStmt::Formerly(names) => Some(names.as_slice()),
            AttrStmt::Deprecated(_) => None,
        })
        .collect()
}
