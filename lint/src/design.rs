//! The design rules: unused attributes, rules that never decide, devices without
//! rules, unaligned regions and platforms that cannot be told apart.

use crate::catalogue::*;
use crate::reach;
use crate::{Finding, Input, Subject};
use ccattr_core::model::{AttrKind, Cond, Model, Rule};
use ccattr_core::{Decision, Diagnostic};

/// The most condition evaluations the rule checks make for one rule.
const MAX_EVALUATIONS: usize = 1 << 22;

/// The kernel maps whole pages of this size.
pub const PAGE_SIZE: u64 = 4096;

pub fn check(input: &Input<'_>, out: &mut Vec<Finding>) {
    unused_attributes(&input.spec.model, out);
    unused_capabilities(&input.spec.model, out);
    rules(input, out);
    devices_without_rules(&input.spec.model, out);
    unaligned_regions(&input.spec.model, out);
    start_address(input, out);
    same_platforms(input, out);
}

fn unused_attributes(model: &Model, out: &mut Vec<Finding>) {
    let mut used = vec![false; model.attrs.len()];
    let mut read = Vec::new();
    for r in &model.rules {
        if let Some(c) = &r.cond {
            c.attrs(&mut read);
        }
    }
    for a in &model.attrs {
        match &a.kind {
            AttrKind::Derived { cond } => cond.attrs(&mut read),
            AttrKind::Base { implies } => read.extend(implies),
        }
    }
    for p in &model.platforms {
        read.extend(&p.sets);
    }
    for a in read {
        used[a] = true;
    }
    for (a, _) in model
        .attrs
        .iter()
        .zip(&used)
        .filter(|(a, u)| !**u && a.deprecated.is_none())
    {
        out.push(Finding::new(
            Diagnostic::warning(UNUSED_ATTRIBUTE, format!("attribute `{}` is never used", a.name), a.span)
                .with_label("no rule or derivation reads it, no platform sets it, nothing implies it")
                .with_help("remove it, use it, or mark it `deprecated \"reason\";` if code outside the spec needs the name"),
            vec![Subject::Attr(a.name.clone())],
        ));
    }
}

fn unused_capabilities(model: &Model, out: &mut Vec<Finding>) {
    let mut read = Vec::new();
    for c in model.rules.iter().filter_map(|r| r.cond.as_ref()) {
        c.caps(&mut read);
    }
    for (id, c) in model.caps.iter().enumerate() {
        if read.contains(&id) {
            continue;
        }
        out.push(Finding::new(
            Diagnostic::warning(
                UNUSED_CAPABILITY,
                format!("capability `{}` is never read", c.name),
                c.span,
            )
            .with_label("no `map` rule of a probed device names it")
            .with_note(
                "the generated code still defines its bit, which callers then report for nothing",
            )
            .with_help("remove it, or name it in the rules of the probed device that reports it"),
            vec![Subject::Capability(c.name.clone())],
        ));
    }
}

/// Rules that can never hold, and rules that an earlier rule of the same device (or an
/// earlier `default` rule) always decides before.
fn rules(input: &Input<'_>, out: &mut Vec<Finding>) {
    let model = &input.spec.model;
    let always = Cond::Const(true);
    let cond_of = |r: &Rule| -> Cond { r.cond.clone().unwrap_or(always.clone()) };
    for (i, rule) in model.rules.iter().enumerate() {
        let cond = cond_of(rule);
        let earlier: Vec<(usize, Cond)> = model.rules[..i]
            .iter()
            .enumerate()
            .filter(|(_, e)| e.device == rule.device)
            .map(|(j, e)| (j, cond_of(e)))
            .collect();
        let text = model.rule_text(rule);
        // An earlier rule that always holds, or holds exactly when this one does,
        // shadows it whatever the attributes: no need to enumerate.
        let same: Vec<usize> = earlier
            .iter()
            .filter(|(_, c)| *c == always || (*c == cond && cond != Cond::Const(false)))
            .map(|(j, _)| *j)
            .collect();
        if !same.is_empty() {
            out.push(shadowed(model, rule, &same, text));
            continue;
        }
        let mut conds: Vec<&Cond> = vec![&cond];
        conds.extend(earlier.iter().map(|(_, c)| c));
        // The capabilities the conditions read (only a probed device's rules read
        // any): every subset of them is a state the caller can report.
        let cap_sets = cap_subsets(&conds);
        // Too many influencing attributes to enumerate, or too much work: stay silent
        // rather than guess.
        let bases = reach::influencing_bases(&input.spec.table, reach::read_mask(model, &conds));
        let work = 1usize
            .checked_shl(bases.len() as u32)
            .and_then(|sets| sets.checked_mul(cap_sets.len()))
            .map(|states| states.saturating_mul(conds.len()));
        if work.is_none_or(|w| w > MAX_EVALUATIONS) {
            continue;
        }
        let Some(sets) = reach::full_sets(&input.spec.table, &bases) else {
            continue;
        };
        let holding: Vec<(u64, u32)> = sets
            .into_iter()
            .flat_map(|s| cap_sets.iter().map(move |&c| (s, c)))
            .filter(|&(s, c)| cond.eval_with(s, c))
            .collect();
        if holding.is_empty() {
            let (label, note) = if cap_sets.len() > 1 {
                (
                    "false on every attribute set that platform code can report, whatever capabilities the device reports",
                    "conditions are evaluated on full sets (`implies` and derivations applied) and every combination of the capabilities the rules read",
                )
            } else {
                (
                    "false on every attribute set that platform code can report",
                    "conditions are evaluated on full sets: `implies` and derivations applied",
                )
            };
            out.push(Finding::new(
                Diagnostic::warning(
                    RULE_NEVER_HOLDS,
                    "this rule's condition never holds",
                    rule.span,
                )
                .with_label(label)
                .with_note(note)
                .with_help("fix the condition or remove the rule"),
                vec![Subject::Text(text)],
            ));
            continue;
        }
        if earlier.is_empty() {
            continue;
        }
        let decided_first = holding
            .iter()
            .all(|&(s, c)| earlier.iter().any(|(_, e)| e.eval_with(s, c)));
        if !decided_first {
            continue;
        }
        let deciders: Vec<usize> = earlier
            .iter()
            .filter(|(_, e)| holding.iter().any(|&(s, c)| e.eval_with(s, c)))
            .map(|(j, _)| *j)
            .collect();
        out.push(shadowed(model, rule, &deciders, text));
    }
}

/// Every subset of the capabilities the conditions read, as capability masks; just
/// the empty set when they read none.
fn cap_subsets(conds: &[&Cond]) -> Vec<u32> {
    let mut read = Vec::new();
    for c in conds {
        c.caps(&mut read);
    }
    let mask = read.iter().fold(0u32, |m, &c| m | 1 << c);
    // The subsets of `mask`, by the usual walk down from the mask itself.
    let mut out = vec![0];
    let mut sub = mask;
    while sub != 0 {
        out.push(sub);
        sub = (sub - 1) & mask;
    }
    out
}

fn shadowed(model: &Model, rule: &Rule, deciders: &[usize], text: String) -> Finding {
    let owner = match rule.device {
        Some(d) => format!("an earlier rule of device `{}`", model.devices[d].name),
        None => "an earlier `default` rule".to_string(),
    };
    let mut d = Diagnostic::warning(RULE_SHADOWED, "this rule never decides", rule.span)
        .with_label(format!(
            "whenever it holds, {owner} holds too and decides first"
        ))
        .with_help("remove it, move it before the rule that shadows it, or narrow that rule");
    for &j in deciders {
        d = d.with_secondary(model.rules[j].span, "decides first");
    }
    Finding::new(d, vec![Subject::Text(text)])
}

fn devices_without_rules(model: &Model, out: &mut Vec<Finding>) {
    for (id, dev) in model.devices.iter().enumerate() {
        if model.rules.iter().any(|r| r.device == Some(id)) {
            continue;
        }
        let defaults = model.rules.iter().any(|r| r.device.is_none());
        let fallback = if defaults {
            "its addresses are decided by the enclosing device or the `default` rules"
        } else {
            "its addresses are decided by the enclosing device, or left unspecified"
        };
        out.push(Finding::new(
            Diagnostic::warning(DEVICE_WITHOUT_RULE, format!("device `{}` has no `map` rule", dev.name), dev.span)
                .with_label(fallback)
                .with_help(format!(
                    "add `map {} encrypted|decrypted when ...;`, or suppress with the reason the defaults are right",
                    dev.name
                )),
            vec![Subject::Device(dev.name.clone())],
        ));
    }
}

/// START_ADDRESS_DIFFERS: a region whose range decision on some platform is not
/// its first byte's, which x86 applies to the whole range.
fn start_address(input: &Input<'_>, out: &mut Vec<Finding>) {
    let (model, table) = (&input.spec.model, &input.spec.table);
    for dev in &model.devices {
        for region in &dev.regions {
            let differs: Vec<(usize, Decision, Decision)> = table
                .platforms
                .iter()
                .enumerate()
                .filter_map(|(p, plat)| {
                    let range = table.decide_span(plat.full, region.start, region.last);
                    let start = table.decide(plat.full, region.start, 1);
                    (range != start).then_some((p, range, start))
                })
                .collect();
            let Some(&(first, range, start)) = differs.first() else {
                continue;
            };
            let shown = format!("[{:#x}, {:#x}]", region.start, region.last);
            let on: Vec<String> = differs
                .iter()
                .map(|&(p, range, start)| {
                    format!("`{}` ({range}, start {start})", table.platforms[p].name)
                })
                .collect();
            out.push(Finding::new(
                Diagnostic::warning(
                    START_ADDRESS_DIFFERS,
                    format!(
                        "region {shown} of device `{}` decides {range} on `{}`, but x86's ioremap() of it maps it all {start}",
                        dev.name, table.platforms[first].name
                    ),
                    region.span,
                )
                .with_label("ioremap() asks is_private_mmio() about the start address only")
                .with_note(format!("on {}", on.join(", ")))
                .with_note("decide() answers for the range, decide_start() as x86 maps it; arm64 realms check every page")
                .with_help("split the region into devices that each decide alike, or suppress with the reason the kernel's mapping is right"),
                vec![Subject::Device(dev.name.clone()), Subject::Text(shown)],
            ));
        }
    }
}

fn unaligned_regions(model: &Model, out: &mut Vec<Finding>) {
    let page = u128::from(PAGE_SIZE);
    for dev in &model.devices {
        for r in &dev.regions {
            let start = u128::from(r.start);
            let end = u128::from(r.last) + 1;
            if start % page == 0 && end % page == 0 {
                continue;
            }
            let first_page = start - start % page;
            let end_page = end.div_ceil(page) * page;
            let shown = format!("[{:#x}, {:#x})", start, end);
            out.push(Finding::new(
                Diagnostic::warning(
                    REGION_UNALIGNED,
                    format!("region {shown} of device `{}` is not aligned to 4 KiB pages", dev.name),
                    r.span,
                )
                .with_label(if start % page != 0 {
                    "starts inside a page"
                } else {
                    "ends inside a page"
                })
                .with_note(format!(
                    "the kernel maps whole pages: the decision applies to [{first_page:#x}, {end_page:#x})"
                ))
                .with_help(format!("declare the whole pages: `mmio {first_page:#X} size {:#X};`", end_page - first_page)),
                vec![Subject::Device(dev.name.clone()), Subject::Text(shown)],
            ));
        }
    }
}

fn same_platforms(input: &Input<'_>, out: &mut Vec<Finding>) {
    let table = &input.spec.table;
    let model = &input.spec.model;
    for (j, p) in table.platforms.iter().enumerate() {
        let Some(i) = table.platforms[..j].iter().position(|q| q.full == p.full) else {
            continue;
        };
        let names = table.attr_names(p.full);
        let set = if names.is_empty() {
            "the empty set".to_string()
        } else {
            names.join(", ")
        };
        out.push(Finding::new(
            Diagnostic::warning(
                PLATFORM_SAME_SET,
                format!(
                    "platform `{}` has the same full attribute set as `{}`",
                    p.name, table.platforms[i].name
                ),
                model.platforms[j].span,
            )
            .with_label("every decision is the same on both platforms")
            .with_secondary(model.platforms[i].span, "the same set here")
            .with_note(format!("both have: {set}"))
            .with_help("remove one, or declare and set the attribute that tells them apart"),
            vec![
                Subject::Platform(table.platforms[i].name.clone()),
                Subject::Platform(p.name.clone()),
            ],
        ));
    }
}
