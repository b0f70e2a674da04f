//! The naming rules: the `naming` block's rules and the rules about how attribute
//! names read (similar names, two subjects, mechanisms where behaviour is meant).

use crate::catalogue::*;
use crate::{Finding, Input, Subject};
use ccattr_core::model::{Attr, Model};
use ccattr_core::{Diagnostic, Span};

/// Words that name a vendor, a product or a mechanism rather than a behaviour
/// (NAMING_MECHANISM). Compared with whole words of a name, ignoring case.
pub const MECHANISM_WORDS: &[&str] = &[
    // Vendors and hypervisors.
    "AMD",
    "INTEL",
    "ARM",
    "IBM",
    "HYPERV",
    "MICROSOFT",
    "VMWARE",
    "KVM",
    "XEN",
    "QEMU",
    // Products and technologies.
    "SEV",
    "SNP",
    "SME",
    "TDX",
    "TME",
    "MKTME",
    "SGX",
    "CCA",
    "RME",
    "REALM",
    "PEF",
    "SVSM",
    "TDISP",
    // Mechanisms.
    "PARAVISOR",
    "HYPERVISOR",
    "VTOM",
    "VMPL",
    "GHCB",
    "HYPERCALL",
    "TDCALL",
    "MSR",
    "EMULATED",
    "EMULATION",
    "PARAVIRT",
    "ENLIGHTENED",
];

/// Names longer than this are not compared letter by letter (NAMING_NEAR_DUPLICATE).
pub const MAX_COMPARED_LENGTH: usize = 256;

/// Words that join two subjects into one name (NAMING_TWO_SUBJECTS).
pub const JOINING_WORDS: &[&str] = &["AND", "OR", "PLUS"];

/// The words of a name after the prefix, each with its byte offset in the name.
pub fn words<'n>(name: &'n str, prefix: Option<&str>) -> Vec<(usize, &'n str)> {
    let start = prefix
        .filter(|p| !p.is_empty() && name.starts_with(p))
        .map_or(0, str::len);
    let mut out = Vec::new();
    let mut offset = start;
    for w in name[start..].split('_') {
        if !w.is_empty() {
            out.push((offset, w));
        }
        offset += w.len() + 1;
    }
    out
}

fn word_span(attr: &Attr, offset: usize, len: usize) -> Span {
    Span::new(attr.span.start + offset, attr.span.start + offset + len)
}

/// Whether `name` is UPPER_SNAKE_CASE: capitals and digits, single underscores
/// between words, starting with a capital.
pub fn is_upper_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The name in UPPER_SNAKE_CASE: a new word at each lower-to-upper change.
pub fn to_upper_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    let trimmed = out.trim_matches('_');
    let mut collapsed = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if !(c == '_' && collapsed.ends_with('_')) {
            collapsed.push(c);
        }
    }
    collapsed
}

pub fn check(input: &Input<'_>, out: &mut Vec<Finding>) {
    let model = &input.spec.model;
    let naming = &model.naming;
    let prefix = naming.prefix.as_deref();
    for a in &model.attrs {
        let subject = || vec![Subject::Attr(a.name.clone())];
        if let Some(p) = prefix {
            if !p.is_empty() && !a.name.starts_with(p) {
                let fixed = format!("{p}{}", a.name);
                out.push(Finding::new(
                    Diagnostic::warning(
                        NAMING_PREFIX,
                        format!(
                            "attribute `{}` does not start with the prefix `{p}`",
                            a.name
                        ),
                        a.span,
                    )
                    .with_label(format!("expected `{p}...`"))
                    .with_secondary(
                        naming.span.unwrap_or(a.span),
                        "the prefix is configured here",
                    )
                    .with_help(format!("rename it, for example to `{fixed}`")),
                    subject(),
                ));
            }
        }
        if !is_upper_snake(&a.name) {
            out.push(Finding::new(
                Diagnostic::warning(
                    NAMING_CASE,
                    format!("attribute `{}` is not in UPPER_SNAKE_CASE", a.name),
                    a.span,
                )
                .with_label("attribute names are C enum members and macros")
                .with_help(format!("write it as `{}`", to_upper_snake(&a.name))),
                subject(),
            ));
        }
        if let Some(max) = naming.max_length {
            let len = a.name.chars().count() as u64;
            if len > max {
                out.push(Finding::new(
                    Diagnostic::warning(
                        NAMING_MAX_LENGTH,
                        format!(
                            "attribute `{}` is {len} characters long; the limit is {max}",
                            a.name
                        ),
                        a.span,
                    )
                    .with_label(format!("{} characters too many", len - max))
                    .with_help("name the behaviour in fewer words"),
                    subject(),
                ));
            }
        }
        let ws = words(&a.name, prefix);
        for (forbidden, forbidden_span) in &naming.forbid_words {
            let fw: Vec<String> = forbidden
                .split('_')
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_uppercase)
                .collect();
            if fw.is_empty() || fw.len() > ws.len() {
                continue;
            }
            let hit = (0..=ws.len() - fw.len()).find(|&i| {
                ws[i..i + fw.len()]
                    .iter()
                    .zip(&fw)
                    .all(|((_, w), f)| w.eq_ignore_ascii_case(f))
            });
            if let Some(i) = hit {
                let (start, _) = ws[i];
                let (last_off, last) = ws[i + fw.len() - 1];
                let span = word_span(a, start, last_off + last.len() - start);
                out.push(Finding::new(
                    Diagnostic::warning(
                        NAMING_FORBIDDEN_WORD,
                        format!(
                            "attribute `{}` contains the forbidden word `{forbidden}`",
                            a.name
                        ),
                        span,
                    )
                    .with_label("forbidden by `forbid_words`")
                    .with_secondary(*forbidden_span, "forbidden here")
                    .with_help(
                        "name the behaviour that code relies on, not what the platform is or has",
                    ),
                    vec![
                        Subject::Attr(a.name.clone()),
                        Subject::Text(forbidden.clone()),
                    ],
                ));
            }
        }
        if let Some(i) = ws
            .iter()
            .position(|(_, w)| JOINING_WORDS.iter().any(|j| w.eq_ignore_ascii_case(j)))
        {
            if i > 0 && i + 1 < ws.len() {
                out.push(two_subjects(a, &ws, i, prefix));
            }
        }
    }
    capabilities(model, out);
    missing_docs(model, out);
    similar_names(model, prefix, out);
    mechanisms(model, prefix, out);
}

fn two_subjects(a: &Attr, ws: &[(usize, &str)], i: usize, prefix: Option<&str>) -> Finding {
    let (off, joiner) = ws[i];
    let join = |parts: &[&str]| format!("{}{}", prefix.unwrap_or(""), parts.join("_"));
    let left: Vec<&str> = ws[..i].iter().map(|(_, w)| *w).collect();
    let right: Vec<&str> = ws[i + 1..].iter().map(|(_, w)| *w).collect();
    // ACCESS IOAPIC AND TPM ENCRYPTED: the subjects are the words around the joiner,
    // the words before and after them are shared.
    let (shared_head, first) = left.split_at(left.len() - 1);
    let (second, shared_tail) = right.split_at(1);
    let one: Vec<&str> = shared_head
        .iter()
        .chain(first)
        .chain(shared_tail)
        .copied()
        .collect();
    let two: Vec<&str> = shared_head
        .iter()
        .chain(second)
        .chain(shared_tail)
        .copied()
        .collect();
    Finding::new(
        Diagnostic::warning(
            NAMING_TWO_SUBJECTS,
            format!(
                "attribute `{}` joins two subjects with `{joiner}`: `{}` and `{}`",
                a.name, first[0], second[0]
            ),
            word_span(a, off, joiner.len()),
        )
        .with_label("one attribute for two subjects is too narrow to grow and cannot split")
        .with_help(format!(
            "declare `{}` and `{}`, or name the behaviour both share",
            join(&one),
            join(&two)
        )),
        vec![Subject::Attr(a.name.clone())],
    )
}

/// NAMING_CAPABILITY: capability names in UPPER_SNAKE_CASE, with the configured
/// `capability_prefix`, within `max_length`. One finding per capability, naming every
/// way the name is off, so that the help can show the one name that fixes them all.
fn capabilities(model: &Model, out: &mut Vec<Finding>) {
    let naming = &model.naming;
    let prefix = naming.capability_prefix.as_ref();
    for c in &model.caps {
        let mut wrong = Vec::new();
        let mut fixed = c.name.clone();
        if !is_upper_snake(&c.name) {
            wrong.push("is not in UPPER_SNAKE_CASE".to_string());
            fixed = to_upper_snake(&fixed);
        }
        if let Some((p, _)) = prefix.filter(|(p, _)| !p.is_empty()) {
            if !c.name.starts_with(p.as_str()) {
                wrong.push(format!("does not start with the prefix `{p}`"));
                if !fixed.starts_with(p.as_str()) {
                    fixed = format!("{p}{fixed}");
                }
            }
        }
        if let Some(max) = naming.max_length {
            let len = c.name.chars().count() as u64;
            if len > max {
                wrong.push(format!("is {len} characters long, over the limit of {max}"));
            }
        }
        if wrong.is_empty() {
            continue;
        }
        let mut d = Diagnostic::warning(
            NAMING_CAPABILITY,
            format!("capability `{}` {}", c.name, wrong.join(" and ")),
            c.span,
        )
        .with_label(
            "a capability becomes a C macro `<SPEC>_CAP_<NAME>` and a Rust constant `caps::<NAME>`",
        );
        if let Some((_, span)) = prefix {
            d = d.with_secondary(*span, "the capability prefix is configured here");
        }
        let help = if fixed != c.name
            && naming
                .max_length
                .is_none_or(|m| fixed.chars().count() as u64 <= m)
        {
            format!("rename it, for example to `{fixed}`")
        } else {
            "rename it to a short UPPER_SNAKE_CASE name for what the device reports".to_string()
        };
        out.push(Finding::new(
            d.with_help(help),
            vec![Subject::Capability(c.name.clone())],
        ));
    }
}

fn missing_docs(model: &Model, out: &mut Vec<Finding>) {
    if !model.naming.require_doc {
        return;
    }
    let mut missing = |what: &str, name: &str, span: Span, subject: Subject| {
        out.push(Finding::new(
            Diagnostic::warning(
                NAMING_MISSING_DOC,
                format!("{what} `{name}` has no doc comment"),
                span,
            )
            .with_label("`require_doc = true` asks for a `///` comment")
            .with_help(format!(
                "add a `///` line above the {what} saying what code may rely on"
            )),
            vec![subject],
        ));
    };
    if model.doc.is_empty() {
        missing(
            "spec",
            &model.name,
            model.name_span,
            Subject::Text(model.name.clone()),
        );
    }
    for a in model.attrs.iter().filter(|a| a.doc.is_empty()) {
        missing("attribute", &a.name, a.span, Subject::Attr(a.name.clone()));
    }
    for c in model.caps.iter().filter(|c| c.doc.is_empty()) {
        missing(
            "capability",
            &c.name,
            c.span,
            Subject::Capability(c.name.clone()),
        );
    }
    for p in model.platforms.iter().filter(|p| p.doc.is_empty()) {
        missing(
            "platform",
            &p.name,
            p.span,
            Subject::Platform(p.name.clone()),
        );
    }
    for d in model.devices.iter().filter(|d| d.doc.is_empty()) {
        missing("device", &d.name, d.span, Subject::Device(d.name.clone()));
    }
}

fn similar_names(model: &Model, prefix: Option<&str>, out: &mut Vec<Finding>) {
    let upper_words = |a: &Attr| -> Vec<String> {
        words(&a.name, prefix)
            .into_iter()
            .map(|(_, w)| w.to_ascii_uppercase())
            .collect()
    };
    let all: Vec<Vec<String>> = model.attrs.iter().map(upper_words).collect();
    for (j, b) in model.attrs.iter().enumerate() {
        for (i, a) in model.attrs[..j].iter().enumerate() {
            let subjects = vec![Subject::Attr(a.name.clone()), Subject::Attr(b.name.clone())];
            let (mut x, mut y) = (all[i].clone(), all[j].clone());
            if x != y && x.len() > 1 {
                x.sort();
                y.sort();
                if x == y {
                    out.push(Finding::new(
                        Diagnostic::warning(
                            NAMING_WORD_ORDER,
                            format!(
                                "attribute `{}` has the same words as `{}` in another order",
                                b.name, a.name
                            ),
                            b.span,
                        )
                        .with_label("easy to confuse with the other attribute")
                        .with_secondary(a.span, "the same words here")
                        .with_help("make the names differ in a word, or keep one attribute if they mean the same"),
                        subjects,
                    ));
                    continue;
                }
            }
            // The distance is at least the difference in length; long names are not
            // compared (the edit distance is quadratic in their length).
            let close =
                a.name.len().abs_diff(b.name.len()) <= 2 && a.name.len() <= MAX_COMPARED_LENGTH;
            let distance = if close {
                strsim::levenshtein(&a.name, &b.name)
            } else {
                usize::MAX
            };
            if (1..=2).contains(&distance) {
                let what = if distance == 1 {
                    "one letter"
                } else {
                    "two letters"
                };
                out.push(Finding::new(
                    Diagnostic::warning(
                        NAMING_NEAR_DUPLICATE,
                        format!("attribute `{}` differs from `{}` by {what}", b.name, a.name),
                        b.span,
                    )
                    .with_label("a typo here compiles and asks for the other attribute")
                    .with_secondary(a.span, "the similar name")
                    .with_help("make the names differ in a whole word"),
                    subjects,
                ));
            }
        }
    }
}

fn mechanisms(model: &Model, prefix: Option<&str>, out: &mut Vec<Finding>) {
    for (id, a) in model.attrs.iter().enumerate() {
        let reader = model.rules.iter().find(|r| {
            let mut read = Vec::new();
            if let Some(c) = &r.cond {
                c.attrs(&mut read);
            }
            read.contains(&id)
        });
        let Some(rule) = reader else { continue };
        let hit = words(&a.name, prefix)
            .into_iter()
            .find(|(_, w)| MECHANISM_WORDS.iter().any(|m| w.eq_ignore_ascii_case(m)));
        let Some((off, word)) = hit else { continue };
        out.push(Finding::new(
            Diagnostic::warning(
                NAMING_MECHANISM,
                format!(
                    "a mapping rule reads `{}`, whose name names the mechanism `{word}`",
                    a.name
                ),
                word_span(a, off, word.len()),
            )
            .with_label("names how a platform works, not what the rule relies on")
            .with_secondary(rule.span, "the rule that reads it")
            .with_help(format!(
                "declare an attribute that names the behaviour, derive it (`attr {}ACCESS_..._ENCRYPTED = {};`) and let the rule read that",
                prefix.unwrap_or(""),
                a.name
            )),
            vec![Subject::Attr(a.name.clone()), Subject::Text(word.to_ascii_uppercase())],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_after_prefix() {
        let ws = words("CC_ATTR_ACCESS_TPM", Some("CC_ATTR_"));
        assert_eq!(ws, [(8, "ACCESS"), (15, "TPM")]);
        assert_eq!(words("X__Y", None), [(0, "X"), (3, "Y")]);
    }

    #[test]
    fn upper_snake() {
        assert!(is_upper_snake("CC_ATTR_X1"));
        assert!(!is_upper_snake("CC_attr"));
        assert!(!is_upper_snake("CC__X"));
        assert!(!is_upper_snake("_CC"));
        assert_eq!(to_upper_snake("ccAttrGuestMem"), "CC_ATTR_GUEST_MEM");
        assert_eq!(to_upper_snake("cc__attr_"), "CC_ATTR");
    }
}
