//! Rename: every place a name is written, rewritten. An attribute keeps its old name
//! as a former one (`formerly OLD;`, in a block made for it when it has none), so
//! that `ccattr review` sees a rename, not a removal and an addition.

use crate::analysis::Analysis;
use crate::index::{formerly_stmts, Kind, Occurrence, Symbol};
use crate::server::Failure;
use ccattr_grammar::ast::{AttrDecl, AttrDef, ItemKind};
use ccattr_grammar::Span;
use lsp_server::ErrorCode;
use lsp_types::TextEdit;

/// The name under the cursor, if it can be renamed.
pub fn target(a: &Analysis, offset: usize) -> Result<&Occurrence, Failure> {
    let o = a.index.at(offset).ok_or_else(|| {
        Failure::failed("there is no attribute, capability, platform or device name here")
    })?;
    let decl = a.index.decls.get(&o.symbol).ok_or_else(|| {
        Failure::failed(format!(
            "`{}` is not declared: there is nothing to rename",
            o.symbol.name
        ))
    })?;
    if o.symbol.kind == Kind::Former {
        return Err(Failure::failed(format!(
            "`{}` is a former name of `{}`: rename `{}` instead",
            o.symbol.name,
            decl.current.as_deref().unwrap_or("?"),
            decl.current.as_deref().unwrap_or("?"),
        )));
    }
    Ok(o)
}

/// Whether `name` may name something: an identifier, and not a keyword.
fn check_name(name: &str) -> Result<(), Failure> {
    let mut chars = name.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ident {
        return Err(Failure(
            ErrorCode::InvalidParams,
            format!("`{name}` is not a name: a name is [A-Za-z_][A-Za-z0-9_]*"),
        ));
    }
    if ccattr_grammar::is_keyword(name) {
        return Err(Failure(
            ErrorCode::InvalidParams,
            format!("`{name}` is a keyword"),
        ));
    }
    Ok(())
}

/// The namespaces a new name must be free in: attributes, their former names and
/// capabilities exclude each other; platforms and devices have their own.
fn clashes(kind: Kind) -> &'static [Kind] {
    match kind {
        Kind::Attr | Kind::Former | Kind::Capability => {
            &[Kind::Attr, Kind::Former, Kind::Capability]
        }
        Kind::Platform => &[Kind::Platform],
        Kind::Device => &[Kind::Device],
    }
}

pub fn rename(a: &Analysis, offset: usize, new: &str) -> Result<Vec<TextEdit>, Failure> {
    let o = target(a, offset)?;
    check_name(new)?;
    let old = &o.symbol;
    if new == old.name {
        return Ok(Vec::new());
    }
    if let Some(&kind) = clashes(old.kind)
        .iter()
        .find(|&&k| a.index.is_declared(k, new))
    {
        return Err(Failure(
            ErrorCode::InvalidParams,
            format!("`{new}` is already the name of {}", kind.with_article()),
        ));
    }
    let mut edits: Vec<TextEdit> = a
        .index
        .references(old)
        .map(|o| TextEdit::new(a.range(o.span), new.to_string()))
        .collect();
    if old.kind == Kind::Attr {
        edits.push(keep_former_name(a, old)?);
    }
    Ok(edits)
}

/// The edit that adds `old` to its attribute's former names.
fn keep_former_name(a: &Analysis, old: &Symbol) -> Result<TextEdit, Failure> {
    let missing = || Failure::failed(format!("cannot find the declaration of `{}`", old.name));
    let decl = a.index.decls.get(old).ok_or_else(missing)?;
    let item = a
        .file
        .items
        .iter()
        .find(|i| i.span == decl.item)
        .ok_or_else(missing)?;
    let ItemKind::Attr(attr) = &item.kind else {
        return Err(missing());
    };
    let name = &old.name;
    let insert = |at: usize, text: String| {
        let r = a.range(Span::new(at, at));
        TextEdit::new(r, text)
    };
    if let Some(last) = formerly_stmts(attr).first().and_then(|s| s.last()) {
        return Ok(insert(last.span.end, format!(", {name}")));
    }
    match &attr.block {
        Some(_) => {
            let open = block_start(&a.text, def_end(attr), item.span.end).ok_or_else(missing)?;
            let empty = a.text[open + 1..].trim_start().starts_with('}');
            let text = if empty {
                format!("\n    formerly {name};\n")
            } else {
                format!("\n    formerly {name};")
            };
            Ok(insert(open + 1, text))
        }
        None => {
            let semi = item.span.end.checked_sub(1).ok_or_else(missing)?;
            if a.text.as_bytes().get(semi) != Some(&b';') {
                return Err(missing());
            }
            Ok(TextEdit::new(
                a.range(Span::new(semi, semi + 1)),
                format!(" {{\n    formerly {name};\n}}"),
            ))
        }
    }
}

/// Where an attribute's declaration ends before its block.
fn def_end(attr: &AttrDecl) -> usize {
    match &attr.def {
        AttrDef::Base { implies } => implies.last().map_or(attr.name.span.end, |i| i.span.end),
        AttrDef::Derived(e) => e.span.end,
    }
}

/// The `{` at or after `from` (before `end`), past white space and comments.
fn block_start(text: &str, from: usize, end: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i < end.min(b.len()) {
        match b[i] {
            b'{' => return Some(i),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => return None,
        }
    }
    None
}
