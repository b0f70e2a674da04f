//! Structural changes: the spec's name and prefix, devices and their regions,
//! platforms, and rules (compared per device, in order, with renames followed).

use crate::attrs::Names;
use crate::kinds::*;
use crate::Change;
use ccattr_core::model::{Atom, Model, Region, Rule};
use ccattr_core::Checked;
use similar::{capture_diff_slices, Algorithm, DiffOp};

pub fn spec(base: &Checked, head: &Checked, out: &mut Vec<Change>) {
    let (b, h) = (&base.model, &head.model);
    if b.name != h.name {
        out.push(
            Change::new(SPEC_RENAMED, &h.name, format!("the spec was renamed from `{}` to `{}`", b.name, h.name))
                .head(h.name_span)
                .base(b.name_span)
                .values(b.name.clone(), h.name.clone())
                .note("the generated file names, include guard, C functions and Rust module change with it"),
        );
    }
    if b.naming.prefix != h.naming.prefix {
        let show = |p: &Option<String>| p.clone().unwrap_or_else(|| "(none)".to_string());
        let mut c = Change::new(
            PREFIX_CHANGED,
            show(&h.naming.prefix),
            format!(
                "the naming prefix changed from `{}` to `{}`",
                show(&b.naming.prefix),
                show(&h.naming.prefix)
            ),
        )
        .values(show(&b.naming.prefix), show(&h.naming.prefix))
        .note("the generated C enum and Rust enum are named from the prefix");
        if let Some(s) = h.naming.span {
            c = c.head(s);
        }
        if let Some(s) = b.naming.span {
            c = c.base(s);
        }
        out.push(c);
    }
}

fn show_region(r: &Region) -> String {
    format!("mmio {:#X} size {:#X}", r.start, r.size())
}

pub fn devices(base: &Checked, head: &Checked, out: &mut Vec<Change>) {
    let (bm, hm) = (&base.model, &head.model);
    for d in &bm.devices {
        if !hm.devices.iter().any(|h| h.name == d.name) {
            let regions: Vec<String> = d.regions.iter().map(show_region).collect();
            out.push(
                Change::new(
                    DEVICE_REMOVED,
                    &d.name,
                    format!("device `{}` was removed", d.name),
                )
                .base(d.span)
                .values(regions.join("; "), ""),
            );
        }
    }
    for h in &hm.devices {
        let Some(b) = bm.devices.iter().find(|b| b.name == h.name) else {
            let regions: Vec<String> = h.regions.iter().map(show_region).collect();
            out.push(
                Change::new(
                    DEVICE_ADDED,
                    &h.name,
                    format!("device `{}` was added", h.name),
                )
                .head(h.span)
                .values("", regions.join("; ")),
            );
            continue;
        };
        if b.doc != h.doc {
            out.push(
                Change::new(
                    DEVICE_DOC_CHANGED,
                    &h.name,
                    format!("the documentation of device `{}` changed", h.name),
                )
                .head(h.span)
                .base(b.span)
                .values(b.doc.join("\n"), h.doc.join("\n")),
            );
        }
        let same = |x: &Region, y: &Region| x.start == y.start && x.last == y.last;
        let gone: Vec<&Region> = b
            .regions
            .iter()
            .filter(|r| !h.regions.iter().any(|n| same(r, n)))
            .collect();
        let new: Vec<&Region> = h
            .regions
            .iter()
            .filter(|r| !b.regions.iter().any(|o| same(r, o)))
            .collect();
        if gone.len() == 1 && new.len() == 1 {
            out.push(
                Change::new(
                    REGION_CHANGED,
                    &h.name,
                    format!(
                        "a region of device `{}` changed from `{}` to `{}`",
                        h.name,
                        show_region(gone[0]),
                        show_region(new[0])
                    ),
                )
                .head(new[0].span)
                .base(gone[0].span)
                .values(show_region(gone[0]), show_region(new[0])),
            );
            continue;
        }
        for r in gone {
            out.push(
                Change::new(
                    REGION_REMOVED,
                    &h.name,
                    format!("device `{}` lost the region `{}`", h.name, show_region(r)),
                )
                .head(h.span)
                .base(r.span)
                .values(show_region(r), ""),
            );
        }
        for r in new {
            out.push(
                Change::new(
                    REGION_ADDED,
                    &h.name,
                    format!("device `{}` gained the region `{}`", h.name, show_region(r)),
                )
                .head(r.span)
                .values("", show_region(r)),
            );
        }
    }
}

pub fn platforms(base: &Checked, head: &Checked, names: &Names, out: &mut Vec<Change>) {
    let (bm, hm) = (&base.model, &head.model);
    for p in &bm.platforms {
        if !hm.platforms.iter().any(|h| h.name == p.name) {
            out.push(
                Change::new(PLATFORM_REMOVED, &p.name, format!("platform `{}` was removed", p.name))
                    .base(p.span)
                    .note("its `_PLATFORM_` macro and Rust constant disappear: code that names them no longer compiles"),
            );
        }
    }
    for h in &hm.platforms {
        let head_sets: Vec<String> = h.sets.iter().map(|&a| hm.attrs[a].name.clone()).collect();
        let Some(b) = bm.platforms.iter().find(|b| b.name == h.name) else {
            out.push(
                Change::new(
                    PLATFORM_ADDED,
                    &h.name,
                    format!("platform `{}` was added", h.name),
                )
                .head(h.span)
                .values("", sets_text(&head_sets)),
            );
            continue;
        };
        let base_sets: Vec<String> = b
            .sets
            .iter()
            .map(|&a| names.base_attr(bm, a).to_string())
            .collect();
        let mut sorted_b = base_sets.clone();
        let mut sorted_h = head_sets.clone();
        sorted_b.sort();
        sorted_h.sort();
        if sorted_b != sorted_h {
            let now: Vec<String> = head_sets
                .iter()
                .filter(|a| !base_sets.contains(a))
                .map(|a| format!("`{a}`"))
                .collect();
            let no_longer: Vec<String> = base_sets
                .iter()
                .filter(|a| !head_sets.contains(a))
                .map(|a| format!("`{a}`"))
                .collect();
            let mut what = Vec::new();
            if !now.is_empty() {
                what.push(format!("now sets {}", now.join(", ")));
            }
            if !no_longer.is_empty() {
                what.push(format!("no longer sets {}", no_longer.join(", ")));
            }
            out.push(
                Change::new(
                    PLATFORM_CHANGED,
                    &h.name,
                    format!("platform `{}` {}", h.name, what.join(" and ")),
                )
                .head(h.span)
                .base(b.span)
                .values(sets_text(&base_sets), sets_text(&head_sets)),
            );
        }
        if b.doc != h.doc {
            out.push(
                Change::new(
                    PLATFORM_CHANGED,
                    &h.name,
                    format!("the documentation of platform `{}` changed", h.name),
                )
                .head(h.span)
                .base(b.span)
                .values(b.doc.join("\n"), h.doc.join("\n")),
            );
        }
    }
}

fn sets_text(sets: &[String]) -> String {
    if sets.is_empty() {
        "sets nothing".to_string()
    } else {
        format!("sets {}", sets.join(", "))
    }
}

/// A rule as written, with attribute names given by `name`.
fn rule_text(model: &Model, rule: &Rule, name: &dyn Fn(usize) -> String) -> String {
    let names: Vec<String> = (0..model.attrs.len()).map(name).collect();
    let head = match rule.device {
        Some(d) => format!("map {} {}", model.devices[d].name, rule.mapping.as_str()),
        None => format!("default {}", rule.mapping.as_str()),
    };
    match &rule.cond {
        Some(c) => format!(
            "{head} when {};",
            c.display(&|a| match a {
                Atom::Attr(i) => names[i].as_str(),
                Atom::Cap(c) => model.caps[c].name.as_str(),
            })
        ),
        None => format!("{head};"),
    }
}

pub fn rules(base: &Checked, head: &Checked, names: &Names, out: &mut Vec<Change>) {
    let (bm, hm) = (&base.model, &head.model);
    let group_of = |m: &Model, r: &Rule| r.device.map(|d| m.devices[d].name.clone());
    // Groups in HEAD order, then the groups only BASE has.
    let mut groups: Vec<Option<String>> = Vec::new();
    for (m, rules) in [(hm, &hm.rules), (bm, &bm.rules)] {
        for r in rules {
            let g = group_of(m, r);
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    for g in groups {
        // (text with BASE names followed to HEAD, for comparing; text as written; span)
        let pick = |m: &'_ Model,
                    name: &dyn Fn(usize) -> String|
         -> Vec<(String, String, ccattr_core::Span)> {
            m.rules
                .iter()
                .filter(|r| group_of(m, r) == g)
                .map(|r| (rule_text(m, r, name), m.rule_text(r), r.span))
                .collect()
        };
        let before = pick(bm, &|i| names.base_attr(bm, i).to_string());
        let after = pick(hm, &|i| hm.attrs[i].name.clone());
        let bt: Vec<&str> = before.iter().map(|(t, _, _)| t.as_str()).collect();
        let at: Vec<&str> = after.iter().map(|(t, _, _)| t.as_str()).collect();
        let subject = g.clone().unwrap_or_else(|| "default rules".to_string());
        let removed = |i: usize| {
            Change::new(
                RULE_REMOVED,
                &subject,
                format!("rule `{}` was removed", before[i].1),
            )
            .base(before[i].2)
            .values(before[i].1.clone(), "")
        };
        let added = |i: usize| {
            Change::new(
                RULE_ADDED,
                &subject,
                format!("rule `{}` was added", after[i].1),
            )
            .head(after[i].2)
            .values("", after[i].1.clone())
        };
        for op in capture_diff_slices(Algorithm::Myers, &bt, &at) {
            match op {
                DiffOp::Equal { .. } => {}
                DiffOp::Delete {
                    old_index, old_len, ..
                } => out.extend((old_index..old_index + old_len).map(removed)),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => out.extend((new_index..new_index + new_len).map(added)),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let paired = old_len.min(new_len);
                    for k in 0..paired {
                        let (o, n) = (&before[old_index + k], &after[new_index + k]);
                        out.push(
                            Change::new(
                                RULE_CHANGED,
                                &subject,
                                format!("rule `{}` became `{}`", o.1, n.1),
                            )
                            .head(n.2)
                            .base(o.2)
                            .values(o.1.clone(), n.1.clone()),
                        );
                    }
                    out.extend((old_index + paired..old_index + old_len).map(removed));
                    out.extend((new_index + paired..new_index + new_len).map(added));
                }
            }
        }
    }
}
