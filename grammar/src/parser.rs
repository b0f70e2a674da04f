//! The parser: lexical checks, then the pest grammar one item at a time, then the
//! syntax tree. Nesting is bounded here, before pest recurses, so the limit does not
//! depend on the thread's stack.

use crate::ast::*;
use crate::{fast, Diagnostic, Span};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "ccattr.pest"]
struct Grammar;

/// The deepest an expression may nest (parentheses and `!`), per LANGUAGE.md.
pub const MAX_NESTING: usize = 256;
/// After this many syntax errors the parser stops reporting more.
pub const MAX_SYNTAX_ERRORS: usize = 20;

/// The stack the grammar runs on: enough for [`MAX_NESTING`] levels with room to
/// spare, whatever the caller's thread has (pest recurses once per level).
pub const PARSER_STACK_BYTES: usize = 32 << 20;

/// Parse a spec's text into items. Every syntax error is reported; items that do not
/// parse are left out, and parsing resumes at the next item.
///
/// The work runs on a thread of its own with [`PARSER_STACK_BYTES`] of stack, so the
/// result never depends on the stack of the calling thread (a test thread, a build
/// script, a proc macro inside rustc).
pub fn parse(text: &str) -> (SpecFile, Vec<Diagnostic>) {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("ccattr-parse".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || parse_here(text));
        match worker {
            Ok(worker) => worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: parse here, on the caller's stack.
            Err(_) => parse_here(text),
        }
    })
}

fn parse_here(text: &str) -> (SpecFile, Vec<Diagnostic>) {
    parse_items(text, true)
}

/// The parser proper. With `use_fast`, items that [`fast::item`] accepts skip pest; the
/// tests run both ways and compare.
pub(crate) fn parse_items(text: &str, use_fast: bool) -> (SpecFile, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let scan = crate::lexical::scan(text, text_start, &mut diags);
    // Every item ends with `;` or `}`: room for all of them at once spares a large
    // spec the copies (and the doubled memory) of a growing vector.
    let ends = text.bytes().filter(|&b| b == b';' || b == b'}').count();
    let mut file = SpecFile {
        items: Vec::with_capacity(ends + 1),
        text_start,
    };
    let mut pos = text_start;
    let mut syntax_errors = 0;
    while pos < text.len() {
        let end = crate::lexical::item_end(text, pos);
        if scan.poisoned(pos, end) {
            // Already reported by the lexical scan; pest never sees it.
            pos = end;
            continue;
        }
        if let Some((item, item_end)) = use_fast.then(|| fast::item(text, pos)).flatten() {
            file.items.push(item);
            pos = item_end;
            continue;
        }
        match Grammar::parse(Rule::item_at, &text[pos..]) {
            Ok(mut pairs) => {
                let Some(item_at) = pairs.next() else { break };
                let consumed = item_at.as_span().end();
                let mut b = Builder {
                    base: pos,
                    diags: &mut diags,
                };
                let mut inner = item_at.into_inner();
                let first = inner.next();
                match first {
                    Some(p) if p.as_rule() == Rule::item => {
                        if let Some(item) = b.item(p) {
                            file.items.push(item);
                        }
                    }
                    Some(p) if p.as_rule() == Rule::doc => {
                        let span = b.span(&p);
                        diags.push(
                            Diagnostic::warning(
                                "W0001",
                                "doc comment at the end of the file documents nothing",
                                span,
                            )
                            .with_label("nothing follows this doc comment")
                            .with_help("use `//` for a plain comment"),
                        );
                        break;
                    }
                    _ => break, // only the end of the file was left
                }
                if consumed == 0 {
                    break;
                }
                pos += consumed;
            }
            Err(e) => {
                syntax_errors += 1;
                if syntax_errors > MAX_SYNTAX_ERRORS {
                    diags.push(Diagnostic::error(
                        "E0003",
                        format!("too many syntax errors; stopped after {MAX_SYNTAX_ERRORS}"),
                        Span::new(pos, pos),
                    ));
                    break;
                }
                diags.push(syntax_error(text, pos, &e));
                if end <= pos {
                    break;
                }
                pos = end;
            }
        }
    }
    (file, diags)
}

fn rule_name(r: &Rule) -> String {
    let s = match r {
        Rule::EOI => "end of file",
        Rule::ident => "an identifier",
        Rule::int => "an integer",
        Rule::string => "a string",
        Rule::doc | Rule::doc_line => "a doc comment",
        Rule::item => "a declaration (`attr`, `platform`, `device`, `map`, `default`, `naming`)",
        Rule::spec_decl | Rule::kw_spec => "`spec`",
        Rule::naming_block | Rule::kw_naming => "`naming`",
        Rule::attr_decl | Rule::kw_attr => "`attr`",
        Rule::platform_decl | Rule::kw_platform => "`platform`",
        Rule::device_decl | Rule::kw_device => "`device`",
        Rule::map_rule | Rule::kw_map => "`map`",
        Rule::default_rule | Rule::kw_default => "`default`",
        Rule::implies_clause | Rule::kw_implies => "`implies`",
        Rule::derive_clause => "`=`",
        Rule::attr_block => "`{`",
        Rule::attr_stmt => "`formerly` or `deprecated`",
        Rule::formerly_stmt | Rule::kw_formerly => "`formerly`",
        Rule::deprecated_stmt | Rule::kw_deprecated => "`deprecated`",
        Rule::sets_stmt | Rule::kw_sets => "`sets`",
        Rule::mmio_stmt | Rule::kw_mmio => "`mmio`",
        Rule::kw_size => "`size`",
        Rule::mapping | Rule::kw_encrypted | Rule::kw_decrypted => "`encrypted` or `decrypted`",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::expr | Rule::and_expr | Rule::unary | Rule::primary => "an expression",
        Rule::not_op => "`!`",
        Rule::boolean | Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::value | Rule::list => "a value",
        Rule::naming_entry => "a naming key",
        Rule::ident_list => "a list of names",
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
    let found = crate::lexical::token_at(text, at);
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().map(rule_name).collect();
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
    let mut d = Diagnostic::error("E0003", message, span).with_label("unexpected here");
    if crate::lexical::is_keyword(found) && expected.contains("identifier") {
        d = d.with_help(format!(
            "`{found}` is a keyword and cannot be used as a name"
        ));
    }
    d
}

struct Builder<'d> {
    base: usize,
    diags: &'d mut Vec<Diagnostic>,
}

impl Builder<'_> {
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn idents(&self, p: Pair<Rule>) -> Vec<Ident> {
        p.into_inner().map(|i| self.ident(i)).collect()
    }

    fn doc(&self, p: Pair<Rule>) -> Doc {
        let span = self.span(&p);
        let lines = p
            .into_inner()
            .map(|l| {
                let t = l.as_str().trim_end_matches('\r');
                let t = &t[3..];
                t.strip_prefix(' ').unwrap_or(t).to_string()
            })
            .collect();
        Doc { lines, span }
    }

    /// A doc comment inside a block documents nothing: warn, and keep going.
    fn stray_doc(&mut self, p: &Pair<Rule>, what: &str) {
        let span = self.span(p);
        self.diags.push(
            Diagnostic::warning(
                "W0001",
                format!("doc comment on {what} documents nothing"),
                span,
            )
            .with_label("this doc comment is dropped")
            .with_help(
                "doc comments attach to `spec`, `attr`, `platform` and `device`; use `//` here",
            ),
        );
    }

    fn item(&mut self, p: Pair<Rule>) -> Option<Item> {
        let mut inner = p.into_inner().peekable();
        let doc = match inner.peek() {
            Some(d) if d.as_rule() == Rule::doc => inner.next().map(|d| self.doc(d)),
            _ => None,
        };
        let decl = inner.next()?;
        let span = self.span(&decl);
        let kind = match decl.as_rule() {
            Rule::spec_decl => ItemKind::Spec(self.ident(decl.into_inner().nth(1)?)),
            Rule::naming_block => {
                let mut entries = Vec::new();
                for e in decl.into_inner().skip(1) {
                    let espan = self.span(&e);
                    let mut parts = e.into_inner().peekable();
                    if let Some(d) = parts.next_if(|d| d.as_rule() == Rule::doc) {
                        self.stray_doc(&d, "a naming key");
                    }
                    let key = self.ident(parts.next()?);
                    let value = self.value(parts.next()?)?;
                    entries.push(NamingEntry {
                        key,
                        value,
                        span: espan,
                    });
                }
                ItemKind::Naming(entries)
            }
            Rule::attr_decl => ItemKind::Attr(self.attr(decl)?),
            Rule::platform_decl => {
                let mut parts = decl.into_inner().skip(1);
                let name = self.ident(parts.next()?);
                let mut sets = Vec::new();
                for s in parts {
                    for part in s.into_inner() {
                        match part.as_rule() {
                            Rule::doc => self.stray_doc(&part, "a `sets` line"),
                            Rule::ident_list => sets.extend(self.idents(part)),
                            _ => {}
                        }
                    }
                }
                ItemKind::Platform(PlatformDecl { name, sets })
            }
            Rule::device_decl => {
                let mut parts = decl.into_inner().skip(1);
                let name = self.ident(parts.next()?);
                let mut regions = Vec::new();
                for m in parts {
                    let mspan = self.span(&m);
                    let mut ints = Vec::new();
                    for part in m.into_inner() {
                        match part.as_rule() {
                            Rule::doc => self.stray_doc(&part, "an `mmio` line"),
                            Rule::int => ints.push(self.int(part)?),
                            _ => {}
                        }
                    }
                    let size = ints.pop()?;
                    let base = ints.pop()?;
                    regions.push(RegionDecl {
                        base,
                        size,
                        span: mspan,
                    });
                }
                ItemKind::Device(DeviceDecl { name, regions })
            }
            Rule::map_rule | Rule::default_rule => {
                let is_map = decl.as_rule() == Rule::map_rule;
                let mut parts = decl.into_inner().skip(1);
                let device = if is_map {
                    Some(self.ident(parts.next()?))
                } else {
                    None
                };
                let m = parts.next()?;
                let mapping_span = self.span(&m);
                let mapping = match m.into_inner().next()?.as_rule() {
                    Rule::kw_encrypted => Mapping::Encrypted,
                    _ => Mapping::Decrypted,
                };
                let when = match parts.next() {
                    Some(w) => Some(self.expr(w.into_inner().nth(1)?)?),
                    None => None,
                };
                ItemKind::Rule(RuleDecl {
                    device,
                    mapping,
                    mapping_span,
                    when,
                })
            }
            _ => return None,
        };
        Some(Item { doc, kind, span })
    }

    fn attr(&mut self, decl: Pair<Rule>) -> Option<AttrDecl> {
        let mut parts = decl.into_inner().skip(1);
        let name = self.ident(parts.next()?);
        let mut def = AttrDef::Base {
            implies: Vec::new(),
        };
        let mut formerly = Vec::new();
        let mut deprecated = None;
        for part in parts {
            match part.as_rule() {
                Rule::implies_clause => {
                    def = AttrDef::Base {
                        implies: self.idents(part.into_inner().nth(1)?),
                    }
                }
                Rule::derive_clause => {
                    def = AttrDef::Derived(self.expr(part.into_inner().next()?)?)
                }
                Rule::attr_block => {
                    for stmt in part.into_inner() {
                        for s in stmt.into_inner() {
                            match s.as_rule() {
                                Rule::doc => self.stray_doc(&s, "a statement in an `attr` block"),
                                Rule::formerly_stmt => {
                                    formerly.extend(self.idents(s.into_inner().nth(1)?))
                                }
                                Rule::deprecated_stmt => {
                                    deprecated = Some(self.string(s.into_inner().nth(1)?))
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Some(AttrDecl {
            name,
            def,
            formerly,
            deprecated,
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

    fn int(&mut self, p: Pair<Rule>) -> Option<IntLit> {
        let span = self.span(&p);
        let text = p.as_str();
        match u64::try_from(int_value(text)?) {
            Ok(value) => Some(IntLit { value, span }),
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0004",
                        format!("integer `{text}` does not fit in 64 bits"),
                        span,
                    )
                    .with_label("larger than 2^64 - 1")
                    .with_help("the largest value is 0xFFFF_FFFF_FFFF_FFFF"),
                );
                Some(IntLit { value: 0, span })
            }
        }
    }

    fn value(&mut self, p: Pair<Rule>) -> Option<Value> {
        let span = self.span(&p);
        let inner = p.into_inner().next()?;
        Some(match inner.as_rule() {
            Rule::list => {
                let mut items = Vec::new();
                for v in inner.into_inner() {
                    items.push(self.scalar(v)?);
                }
                Value::List(items, span)
            }
            _ => self.scalar(inner)?,
        })
    }

    fn scalar(&mut self, p: Pair<Rule>) -> Option<Value> {
        let span = self.span(&p);
        Some(match p.as_rule() {
            Rule::string => Value::Str(self.string(p)),
            Rule::int => Value::Int(self.int(p)?),
            Rule::boolean => Value::Bool(p.as_str() == "true", span),
            _ => return None,
        })
    }

    /// Build an expression. Recursion follows parentheses only, whose depth the
    /// lexical scan has bounded; `!` chains and operator lists are loops.
    fn expr(&mut self, p: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&p);
        let mut ors = Vec::new();
        for and_pair in p.into_inner() {
            let aspan = self.span(&and_pair);
            let mut ands = Vec::new();
            for unary in and_pair.into_inner() {
                ands.push(self.unary(unary)?);
            }
            ors.push(collapse(ands, aspan, ExprKind::And));
        }
        Some(collapse(ors, span, ExprKind::Or))
    }

    fn unary(&mut self, p: Pair<Rule>) -> Option<Expr> {
        let mut nots = Vec::new();
        let mut primary = None;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::not_op => nots.push(self.span(&part).start),
                _ => primary = Some(part),
            }
        }
        let primary = primary?;
        let pspan = self.span(&primary);
        let inner = primary.into_inner().next()?;
        let mut e = match inner.as_rule() {
            Rule::boolean => Expr {
                kind: ExprKind::Bool(inner.as_str() == "true"),
                span: pspan,
                parens: false,
            },
            Rule::ident => Expr {
                kind: ExprKind::Attr(self.ident(inner)),
                span: pspan,
                parens: false,
            },
            _ => {
                let mut e = self.expr(inner)?;
                e.span = pspan;
                e.parens = true;
                e
            }
        };
        for start in nots.into_iter().rev() {
            let span = Span::new(start, e.span.end);
            e = Expr {
                kind: ExprKind::Not(Box::new(e)),
                span,
                parens: false,
            };
        }
        Some(e)
    }
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
    Expr {
        kind: make(parts),
        span,
        parens: false,
    }
}
