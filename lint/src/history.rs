//! FORMER_NAME_REUSED: former names must keep naming the attribute they named.

use crate::catalogue::FORMER_NAME_REUSED;
use crate::{Finding, Input, Subject};
use ccattr_core::model::{Attr, Model};
use ccattr_core::Diagnostic;
use std::collections::HashMap;

pub fn check(input: &Input<'_>, out: &mut Vec<Finding>) {
    let model = &input.spec.model;
    case_collisions(model, out);
    if let Some(previous) = input.previous {
        reused_since(previous, model, out);
    }
}

/// A former name that differs only in case from another attribute's name or former
/// name (the checker rejects exact reuse).
fn case_collisions(model: &Model, out: &mut Vec<Finding>) {
    for (i, a) in model.attrs.iter().enumerate() {
        for (old, span) in &a.formerly {
            let other = model.attrs.iter().enumerate().find_map(|(j, b)| {
                if i == j {
                    return None;
                }
                if b.name.eq_ignore_ascii_case(old) {
                    return Some((b, b.span, "the name"));
                }
                b.formerly
                    .iter()
                    .find(|(f, _)| f.eq_ignore_ascii_case(old))
                    .map(|(_, s)| (b, *s, "a former name"))
            });
            if let Some((b, at, what)) = other {
                out.push(Finding::new(
                    Diagnostic::warning(
                        FORMER_NAME_REUSED,
                        format!(
                            "former name `{old}` of `{}` differs only in case from {what} of `{}`",
                            a.name, b.name
                        ),
                        *span,
                    )
                    .with_label("old code that spells it either way gets a different attribute")
                    .with_secondary(at, format!("{what} of `{}`", b.name))
                    .with_help("keep one spelling per attribute"),
                    vec![Subject::Attr(a.name.clone()), Subject::Text(old.clone())],
                ));
            }
        }
    }
}

/// A name (current or former) that named a different attribute in `previous`.
fn reused_since(previous: &Model, model: &Model, out: &mut Vec<Finding>) {
    let mut before: HashMap<&str, (&Attr, bool)> = HashMap::new();
    for p in &previous.attrs {
        before.insert(&p.name, (p, true));
        for (f, _) in &p.formerly {
            before.insert(f, (p, false));
        }
    }
    for h in &model.attrs {
        let same = |p: &Attr| p.name == h.name || h.formerly.iter().any(|(f, _)| *f == p.name);
        let names = std::iter::once((&h.name, h.span, true))
            .chain(h.formerly.iter().map(|(f, s)| (f, *s, false)));
        for (name, span, current) in names {
            let Some(&(p, was_current)) = before.get(name.as_str()) else {
                continue;
            };
            if same(p) {
                continue;
            }
            let then = if was_current {
                format!("`{name}` was the attribute `{}`", p.name)
            } else {
                format!("`{name}` was a former name of `{}`", p.name)
            };
            let now = if current {
                format!("it now names attribute `{}`", h.name)
            } else {
                format!("it is now a former name of `{}`", h.name)
            };
            out.push(Finding::new(
                Diagnostic::warning(
                    FORMER_NAME_REUSED,
                    format!("{then} in the base version; {now}"),
                    span,
                )
                .with_label("code written against the old name now gets a different attribute")
                .with_help(format!(
                    "keep `{name}` with the attribute it named, or give `{}` a new name",
                    h.name
                )),
                vec![Subject::Attr(h.name.clone()), Subject::Text(name.clone())],
            ));
        }
    }
}
