//! Hover: what a name is. An attribute's doc comment, kind, former names and bit; a
//! capability's bit; a platform's full set; a device's regions and its decision on
//! every platform. Bits, sets and decisions come from the decision table, so they
//! show when the spec checks.

use crate::analysis::Analysis;
use crate::index::Kind;
use ccattr_core::DecisionTable;
use ccattr_grammar::ast::{AttrDef, Doc, Item, ItemKind};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write as _;

pub fn hover(a: &Analysis, offset: usize) -> Option<Hover> {
    let o = a.index.at(offset)?;
    let decl = a.index.decls.get(&o.symbol)?;
    let table = a.checked().map(|c| &c.table);
    let item = a.file.items.iter().find(|i| i.span == decl.item)?;
    let mut md = String::new();
    match o.symbol.kind {
        Kind::Attr | Kind::Former => {
            let current = decl.current.as_deref().unwrap_or(&o.symbol.name);
            if o.symbol.kind == Kind::Former {
                let _ = writeln!(
                    md,
                    "`{}` is a former name of `{current}`\n\n---\n",
                    o.symbol.name
                );
            }
            attr(a, table, item, current, &mut md);
        }
        Kind::Capability => {
            let _ = write!(md, "**capability** `{}`", o.symbol.name);
            if let Some(bit) = table.and_then(|t| t.cap_index(&o.symbol.name)) {
                let _ = write!(md, " (bit {bit})");
            }
            md.push('\n');
            doc(&item.doc, &mut md);
        }
        Kind::Platform => platform(table, item, &o.symbol.name, &mut md),
        Kind::Device => device(table, item, &o.symbol.name, &mut md),
    }
    if table.is_none() {
        md.push_str("\n*The spec has errors: bits, sets and decisions show once it checks.*\n");
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(a.range(o.span)),
    })
}

fn doc(d: &Option<Doc>, md: &mut String) {
    if let Some(d) = d {
        md.push('\n');
        for line in &d.lines {
            md.push_str(line);
            md.push('\n');
        }
    }
}

/// The names of the attributes in a set.
fn set_names(t: &DecisionTable, set: u64) -> String {
    let names: Vec<String> = t
        .attrs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 64 && set & (1u64 << i) != 0)
        .map(|(_, x)| format!("`{}`", x.name))
        .collect();
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

fn attr(a: &Analysis, t: Option<&DecisionTable>, item: &Item, name: &str, md: &mut String) {
    let ItemKind::Attr(decl) = &item.kind else {
        return;
    };
    let row = t.and_then(|t| t.attrs.iter().position(|x| x.name == name).map(|i| (t, i)));
    let _ = write!(md, "**attribute** `{name}`");
    if let Some((_, bit)) = row {
        let _ = write!(md, " (bit {bit}, mask `{:#x}`)", 1u128 << bit);
    }
    md.push('\n');
    doc(&item.doc, md);
    md.push('\n');
    match &decl.def {
        AttrDef::Base { implies } if implies.is_empty() => {
            md.push_str("kind: **base** (reported by platform code)\n");
        }
        AttrDef::Base { implies } => {
            let names: Vec<String> = implies.iter().map(|i| format!("`{}`", i.name)).collect();
            let _ = writeln!(
                md,
                "kind: **implied**: base, and implies {}",
                names.join(", ")
            );
            if let Some((t, i)) = row {
                let _ = writeln!(
                    md,
                    "\nits closure: {}",
                    set_names(t, t.attrs[i].implies_mask)
                );
            }
        }
        AttrDef::Derived(e) => {
            let text = match row {
                Some((t, i)) => t.attrs[i].derivation.clone(),
                None => a
                    .text
                    .get(e.span.start..e.span.end)
                    .unwrap_or("")
                    .to_string(),
            };
            let _ = writeln!(md, "kind: **derived** `= {text}`");
        }
    }
    let former: Vec<String> = decl.formerly().map(|f| format!("`{}`", f.name)).collect();
    if !former.is_empty() {
        let _ = writeln!(md, "\nformerly: {}", former.join(", "));
    }
    if let Some(reason) = decl.deprecated() {
        let _ = writeln!(md, "\ndeprecated: {}", reason.value);
    }
}

fn platform(t: Option<&DecisionTable>, item: &Item, name: &str, md: &mut String) {
    let _ = writeln!(md, "**platform** `{name}`");
    doc(&item.doc, md);
    let ItemKind::Platform(p) = &item.kind else {
        return;
    };
    let sets: Vec<String> = p.sets().map(|i| format!("`{}`", i.name)).collect();
    let sets = if sets.is_empty() {
        "(none)".to_string()
    } else {
        sets.join(", ")
    };
    let _ = writeln!(md, "\nsets: {sets}");
    if let Some(t) = t {
        if let Some(row) = t.platforms.iter().find(|p| p.name == name) {
            let _ = writeln!(
                md,
                "\nfull set: {} (`{:#x}`)",
                set_names(t, row.full),
                row.full
            );
        }
    }
}

fn device(t: Option<&DecisionTable>, item: &Item, name: &str, md: &mut String) {
    let _ = writeln!(md, "**device** `{name}`");
    doc(&item.doc, md);
    let ItemKind::Device(d) = &item.kind else {
        return;
    };
    md.push('\n');
    if !d.probed.is_empty() {
        md.push_str("probed: its resources are found at run time\n");
    }
    for r in &d.regions {
        let last = u128::from(r.base.value) + u128::from(r.size.value);
        let _ = writeln!(
            md,
            "- mmio `{:#x}`..`{:#x}` (size `{:#x}`)",
            r.base.value,
            last.saturating_sub(1),
            r.size.value
        );
    }
    let Some(t) = t else {
        return;
    };
    let m = ccattr_core::matrix::matrix(t);
    let rows: Vec<_> = m.rows.iter().filter(|r| r.device == name).collect();
    if rows.is_empty() || m.platforms.is_empty() {
        return;
    }
    let probed = rows.iter().any(|r| r.caps.is_some());
    md.push_str("\n| platform |");
    if probed {
        for r in &rows {
            let label = r.caps.as_ref().map(|c| c.label()).unwrap_or_default();
            let _ = write!(md, " {} |", label.replace('|', "\\|"));
        }
    } else {
        md.push_str(" decision |");
    }
    md.push_str("\n|---|");
    for _ in &rows {
        md.push_str("---|");
    }
    md.push('\n');
    for (p, platform) in m.platforms.iter().enumerate() {
        let _ = write!(md, "| `{platform}` |");
        for r in &rows {
            let d = r.cells.get(p).map_or("", |d| d.as_str());
            let _ = write!(md, " {d} |");
        }
        md.push('\n');
    }
}
