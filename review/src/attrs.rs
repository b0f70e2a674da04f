//! Attribute changes: which BASE attribute each HEAD attribute continues (same name,
//! or a `formerly` rename), and what changed about it.

use crate::kinds::*;
use crate::Change;
use ccattr_core::model::{Atom, Attr, AttrId, AttrKind, Model};
use ccattr_core::Checked;
use std::collections::{BTreeSet, HashMap, HashSet};

/// How attributes correspond between BASE and HEAD.
pub struct Names {
    /// For each BASE attribute, the HEAD attribute it became.
    pub base_to_head: Vec<Option<AttrId>>,
    /// For each HEAD attribute, the BASE attributes it continues.
    pub head_from: Vec<Vec<AttrId>>,
    renamed: HashMap<String, String>,
}

impl Names {
    /// The HEAD name of a BASE attribute name (itself when it was not renamed).
    pub fn head_name_of<'a>(&'a self, base_name: &'a str) -> &'a str {
        self.renamed
            .get(base_name)
            .map_or(base_name, String::as_str)
    }

    /// The name to show for a BASE attribute: its HEAD name if it has one.
    pub fn base_attr<'m>(&'m self, base: &'m Model, id: AttrId) -> &'m str {
        self.head_name_of(&base.attrs[id].name)
    }
}

pub fn match_attrs(base: &Model, head: &Model) -> Names {
    let mut base_to_head = vec![None; base.attrs.len()];
    let mut head_from = vec![Vec::new(); head.attrs.len()];
    let mut renamed = HashMap::new();
    for (b, ba) in base.attrs.iter().enumerate() {
        let found = head
            .attrs
            .iter()
            .position(|h| h.name == ba.name)
            .or_else(|| {
                head.attrs
                    .iter()
                    .position(|h| h.formerly.iter().any(|(f, _)| *f == ba.name))
            });
        if let Some(h) = found {
            base_to_head[b] = Some(h);
            head_from[h].push(b);
            if head.attrs[h].name != ba.name {
                renamed.insert(ba.name.clone(), head.attrs[h].name.clone());
            }
        }
    }
    Names {
        base_to_head,
        head_from,
        renamed,
    }
}

/// An attribute's definition as one line, with attribute names given by `name`.
fn definition(model: &Model, a: &Attr, name: &dyn Fn(AttrId) -> String) -> String {
    match &a.kind {
        AttrKind::Base { implies } if implies.is_empty() => "base attribute".to_string(),
        AttrKind::Base { implies } => {
            let list: Vec<String> = implies.iter().map(|&i| name(i)).collect();
            format!("implies {}", list.join(", "))
        }
        AttrKind::Derived { cond } => {
            let names: Vec<String> = (0..model.attrs.len()).map(name).collect();
            format!(
                "= {}",
                cond.display(&|a| match a {
                    Atom::Attr(i) => names[i].as_str(),
                    Atom::Cap(c) => model.caps[c].name.as_str(),
                })
            )
        }
    }
}

/// Where an attribute is used, by name: for guessing renames.
#[derive(Default)]
struct Uses {
    platforms: BTreeSet<String>,
    devices: BTreeSet<String>,
    readers: BTreeSet<String>,
    derivation: Option<String>,
    doc: String,
}

fn uses(model: &Model, id: AttrId, name: &dyn Fn(AttrId) -> String) -> Uses {
    let mut u = Uses {
        doc: model.attrs[id]
            .doc
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        ..Uses::default()
    };
    for p in &model.platforms {
        if p.sets.contains(&id) {
            u.platforms.insert(p.name.clone());
        }
    }
    for r in &model.rules {
        let mut read = Vec::new();
        if let Some(c) = &r.cond {
            c.attrs(&mut read);
        }
        if read.contains(&id) {
            u.devices
                .insert(r.device.map_or("default rules".to_string(), |d| {
                    model.devices[d].name.clone()
                }));
        }
    }
    for (i, a) in model.attrs.iter().enumerate() {
        if let AttrKind::Derived { cond } = &a.kind {
            let mut read = Vec::new();
            cond.attrs(&mut read);
            if read.contains(&id) {
                u.readers.insert(name(i));
            }
        }
    }
    if let AttrKind::Derived { .. } = model.attrs[id].kind {
        u.derivation = Some(definition(model, &model.attrs[id], name));
    }
    u
}

/// Why an added attribute may be a removed one renamed; empty when nothing matches.
fn rename_reasons(old: &Uses, new: &Uses) -> Vec<String> {
    let mut out = Vec::new();
    if !old.doc.is_empty() && old.doc == new.doc {
        out.push("the same documentation".to_string());
    }
    let both = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> Vec<String> {
        a.intersection(b).map(|s| format!("`{s}`")).collect()
    };
    let p = both(&old.platforms, &new.platforms);
    if !p.is_empty() {
        out.push(format!("set by {}", p.join(", ")));
    }
    let d = both(&old.devices, &new.devices);
    if !d.is_empty() {
        out.push(format!("read by the rules of {}", d.join(", ")));
    }
    let r = both(&old.readers, &new.readers);
    if !r.is_empty() {
        out.push(format!("read by {}", r.join(", ")));
    }
    if old.derivation.is_some() && old.derivation == new.derivation {
        out.push("the same derivation".to_string());
    }
    out
}

pub fn changes(base: &Checked, head: &Checked, names: &Names, out: &mut Vec<Change>) {
    let (bm, hm) = (&base.model, &head.model);
    let base_name = |i: AttrId| names.base_attr(bm, i).to_string();
    let head_name = |i: AttrId| hm.attrs[i].name.clone();

    // Every name HEAD still answers to.
    let head_names: HashSet<&str> = hm
        .attrs
        .iter()
        .flat_map(|a| {
            std::iter::once(a.name.as_str()).chain(a.formerly.iter().map(|(f, _)| f.as_str()))
        })
        .collect();

    let removed: Vec<AttrId> = (0..bm.attrs.len())
        .filter(|&b| names.base_to_head[b].is_none())
        .collect();
    let added: Vec<AttrId> = (0..hm.attrs.len())
        .filter(|&h| names.head_from[h].is_empty())
        .collect();
    let removed_uses: Vec<Uses> = removed.iter().map(|&b| uses(bm, b, &base_name)).collect();
    let added_uses: Vec<Uses> = added.iter().map(|&h| uses(hm, h, &head_name)).collect();

    for (k, &b) in removed.iter().enumerate() {
        let a = &bm.attrs[b];
        let mut candidates: Vec<(usize, &str, Vec<String>)> = added
            .iter()
            .zip(&added_uses)
            .map(|(&h, u)| {
                (
                    h,
                    hm.attrs[h].name.as_str(),
                    rename_reasons(&removed_uses[k], u),
                )
            })
            .filter(|(_, _, why)| !why.is_empty())
            .collect();
        candidates.sort_by_key(|(h, _, why)| (std::cmp::Reverse(why.len()), *h));
        let aliases: Vec<String> = a
            .formerly
            .iter()
            .filter(|(f, _)| !head_names.contains(f.as_str()))
            .map(|(f, _)| format!("`{f}`"))
            .collect();
        let mut message = format!("`{}` was removed without a `formerly` alias", a.name);
        if !aliases.is_empty() {
            let what = if aliases.len() == 1 { "name" } else { "names" };
            message.push_str(&format!(
                ", and with it its former {what} {}",
                aliases.join(", ")
            ));
        }
        if let Some((_, new, _)) = candidates.first() {
            message.push_str(&format!(" (possible rename to `{new}`?)"));
        }
        let mut c = Change::new(ATTR_REMOVED, &a.name, message)
            .base(a.span)
            .note("code that names it no longer compiles");
        for (_, new, why) in &candidates {
            c = c.note(format!(
                "`{new}` may be its new name: {}; if so, add `formerly {};` to it",
                why.join("; "),
                a.name
            ));
        }
        out.push(c);
    }
    for (k, &h) in added.iter().enumerate() {
        let a = &hm.attrs[h];
        let mut message = format!("`{}` was added", a.name);
        let candidates: Vec<String> = removed
            .iter()
            .zip(&removed_uses)
            .filter(|(_, u)| !rename_reasons(u, &added_uses[k]).is_empty())
            .map(|(&b, _)| format!("`{}`", bm.attrs[b].name))
            .collect();
        if !candidates.is_empty() {
            message.push_str(&format!(
                " (possible rename of {}?)",
                candidates.join(" or ")
            ));
        }
        let kind = if a.is_base() { "base" } else { "derived" };
        out.push(
            Change::new(ATTR_ADDED, &a.name, message)
                .head(a.span)
                .values("", definition(hm, a, &head_name))
                .note(format!("a {kind} attribute at position {h}")),
        );
    }

    for (b, ba) in bm.attrs.iter().enumerate() {
        let Some(h) = names.base_to_head[b] else {
            continue;
        };
        let ha = &hm.attrs[h];
        if ha.name != ba.name {
            out.push(
                Change::new(
                    ATTR_RENAMED,
                    &ha.name,
                    format!("`{}` was renamed to `{}`", ba.name, ha.name),
                )
                .head(ha.span)
                .base(ba.span)
                .values(ba.name.clone(), ha.name.clone())
                .note(format!(
                    "`formerly {}` keeps `#define {} {}`, so old code still compiles",
                    ba.name, ba.name, ha.name
                )),
            );
        }
        for (f, _) in &ba.formerly {
            if !head_names.contains(f.as_str()) {
                out.push(
                    Change::new(
                        ATTR_ALIAS_REMOVED,
                        &ha.name,
                        format!(
                            "former name `{f}` of `{}` was dropped: its alias disappears",
                            ha.name
                        ),
                    )
                    .head(ha.span)
                    .base(ba.span)
                    .values(f.clone(), "")
                    .note(format!("code that still uses `{f}` no longer compiles")),
                );
            }
        }
        let doc = |a: &Attr| a.doc.join("\n");
        if doc(ba) != doc(ha) {
            out.push(
                Change::new(
                    ATTR_DOC_CHANGED,
                    &ha.name,
                    format!("the documentation of `{}` changed", ha.name),
                )
                .head(ha.span)
                .base(ba.span)
                .values(doc(ba), doc(ha)),
            );
        }
        let (before, after) = (
            definition(bm, ba, &base_name),
            definition(hm, ha, &head_name),
        );
        if before != after {
            out.push(
                Change::new(
                    ATTR_DEFINITION_CHANGED,
                    &ha.name,
                    format!("the definition of `{}` changed", ha.name),
                )
                .head(ha.span)
                .base(ba.span)
                .values(before, after),
            );
        }
        if ba.deprecated != ha.deprecated {
            let message = match (&ba.deprecated, &ha.deprecated) {
                (None, Some(_)) => format!("`{}` was deprecated", ha.name),
                (Some(_), None) => format!("`{}` is no longer deprecated", ha.name),
                _ => format!("the deprecation reason of `{}` changed", ha.name),
            };
            out.push(
                Change::new(ATTR_DEPRECATED, &ha.name, message)
                    .head(ha.span)
                    .base(ba.span)
                    .values(
                        ba.deprecated.clone().unwrap_or_default(),
                        ha.deprecated.clone().unwrap_or_default(),
                    ),
            );
        }
        if b != h {
            out.push(
                Change::new(
                    ATTR_MOVED,
                    &ha.name,
                    if ha.name == ba.name {
                        format!("`{}` moved from enum position {b} to {h}", ha.name)
                    } else {
                        format!("`{}` (now `{}`) moved from enum position {b} to {h}", ba.name, ha.name)
                    },
                )
                .head(ha.span)
                .base(ba.span)
                .values(b.to_string(), h.to_string())
                .note("the kernel keys on names, but anything built against the old positions breaks (compiled objects, stored attribute masks, readers of the JSON table): rebuild it"),
            );
        }
    }
}
