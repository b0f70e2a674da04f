//! `ccattr kernel-check`: a checked spec held against a kernel tree.
//!
//! The spec's `CC_ATTR_` attributes (those whose names start with `CC_ATTR_`) are
//! compared with the members of the kernel's `enum cc_attr` in
//! `include/linux/cc_platform.h` ([`header`]): members missing on either side,
//! positions, kernel-doc text and `@` tags. Where the tree has
//! `arch/x86/coco/core.c`, each platform whose doc comment names a vendor
//! (`/// kernel: intel`) is compared with what that vendor's `cc_platform_has()`
//! returns ([`vendor`]). The findings ([`rules`]) are ordinary diagnostics, located in
//! the spec or in the kernel's file, and [`report`] renders them as `check` and `lint`
//! do. docs/kernel.md says exactly what is compared.

pub mod header;
pub mod report;
pub mod rules;
pub mod scan;
pub mod tree;
pub mod vendor;

use ccattr_core::{Checked, Diagnostic, Severity, Source, Span};
use header::{KernelEnum, Member};
use rules::*;
use std::collections::HashMap;
use tree::{KernelFile, Tree};
use vendor::{Answer, CoreC, Said};

/// The prefix of the attributes held against the kernel's enum.
pub const KERNEL_PREFIX: &str = "CC_ATTR_";

/// The vendors a platform may name, and the function of core.c that answers for each.
pub const VENDORS: [(&str, &str); 3] = [
    ("intel", "intel_cc_platform_has"),
    ("amd", "amd_cc_platform_has"),
    ("hyperv", "hyperv_cc_platform_has"),
];

/// Where a finding is located.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Spec,
    Header,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub place: Place,
    pub diagnostic: Diagnostic,
}

/// A platform that names a vendor, and whether it was compared with core.c.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorPlatform {
    pub platform: String,
    pub vendor: String,
    pub compared: bool,
}

/// What kernel-check found.
pub struct Report {
    /// In a fixed order: the spec's attributes (spec order), the kernel's members
    /// (kernel order), then the platforms (spec order).
    pub findings: Vec<Finding>,
    /// The kernel's enum as read (`None` when the header has none).
    pub kernel: Option<KernelEnum>,
    pub platforms: Vec<VendorPlatform>,
}

impl Report {
    /// Whether the spec and the kernel agree: no finding is an error.
    pub fn agrees(&self) -> bool {
        !self.findings.iter().any(|f| f.diagnostic.is_error())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.severity == severity)
            .count()
    }
}

/// One of the spec's `CC_ATTR_` attributes, with its position among them.
struct SpecAttr<'s> {
    id: usize,
    position: usize,
    attr: &'s ccattr_core::model::Attr,
}

/// Hold `spec` against `tree`.
pub fn check(spec: &Checked, tree: &Tree) -> Report {
    let mut out = Vec::new();
    let hdr = &tree.header;
    let kernel = header::parse(&hdr.source.text);
    let attrs: Vec<SpecAttr<'_>> = spec
        .model
        .attrs
        .iter()
        .enumerate()
        .filter(|(_, a)| a.name.starts_with(KERNEL_PREFIX))
        .enumerate()
        .map(|(position, (id, attr))| SpecAttr { id, position, attr })
        .collect();
    // The kernel member each spec attribute is paired with, by spec attribute id.
    let mut paired: HashMap<usize, usize> = HashMap::new();
    match &kernel {
        None => out.push(Finding {
            place: Place::Header,
            diagnostic: Diagnostic::error(
                KERNEL_ENUM_MISSING,
                format!("{} has no `enum cc_attr {{ ... }}`", hdr.path.display()),
                Span::new(0, 0),
            )
            .with_label("no enum cc_attr in this file")
            .with_help(help(KERNEL_ENUM_MISSING)),
        }),
        Some(k) => {
            paired = pair(&attrs, k);
            enum_findings(spec, hdr, &attrs, k, &paired, &mut out);
        }
    }
    let platforms = platform_findings(spec, tree, &attrs, kernel.as_ref(), &paired, &mut out);
    Report {
        findings: out,
        kernel,
        platforms,
    }
}

fn help(code: &str) -> String {
    RULES
        .iter()
        .find(|r| r.id == code)
        .map_or_else(String::new, |r| r.help.to_string())
}

/// `PATH:LINE` of an offset in a kernel file.
fn at(file: &KernelFile, offset: usize) -> String {
    format!("{}:{}", file.path.display(), file.source.line_of(offset))
}

/// Pair each spec attribute with the kernel member of its name, or else of one of its
/// former names; each member is paired at most once (its first declaration).
fn pair(attrs: &[SpecAttr<'_>], k: &KernelEnum) -> HashMap<usize, usize> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, m) in k.members.iter().enumerate() {
        index.entry(m.name.as_str()).or_insert(i);
    }
    let mut taken = vec![false; k.members.len()];
    let mut paired = HashMap::new();
    // Current names first, so that a former name never takes a member from one.
    for s in attrs {
        if let Some(&i) = index.get(s.attr.name.as_str()) {
            taken[i] = true;
            paired.insert(s.id, i);
        }
    }
    for s in attrs {
        if paired.contains_key(&s.id) {
            continue;
        }
        let former = s
            .attr
            .formerly
            .iter()
            .filter_map(|(f, _)| index.get(f.as_str()).copied())
            .find(|&i| !taken[i]);
        if let Some(i) = former {
            taken[i] = true;
            paired.insert(s.id, i);
        }
    }
    paired
}

fn enum_findings(
    spec: &Checked,
    hdr: &KernelFile,
    attrs: &[SpecAttr<'_>],
    k: &KernelEnum,
    paired: &HashMap<usize, usize>,
    out: &mut Vec<Finding>,
) {
    let spec_at = |position: usize| attrs.get(position).map(|s| s.attr.name.as_str());
    let spec_finding = |d: Diagnostic| Finding {
        place: Place::Spec,
        diagnostic: d,
    };
    for s in attrs {
        let name = &s.attr.name;
        let Some(&ki) = paired.get(&s.id) else {
            let names: Vec<&str> = k.members.iter().map(|m| m.name.as_str()).collect();
            out.push(spec_finding(
                Diagnostic::error(
                    KERNEL_ATTR_MISSING,
                    format!("`{name}` is not a member of the kernel's enum cc_attr"),
                    s.attr.span,
                )
                .with_label("declared here, absent from the kernel")
                .with_note(format!(
                    "{}: the kernel's enum cc_attr has {} members: {}",
                    at(hdr, k.span.start),
                    names.len(),
                    names.join(", ")
                ))
                .with_help(help(KERNEL_ATTR_MISSING)),
            ));
            continue;
        };
        let m = &k.members[ki];
        if m.name != *name {
            out.push(spec_finding(
                Diagnostic::error(
                    KERNEL_ATTR_RENAMED,
                    format!("the kernel calls `{name}` by its former name `{}`", m.name),
                    s.attr.span,
                )
                .with_label(format!("formerly `{}`", m.name))
                .with_note(format!(
                    "{}: `{}` is member {ki} of the kernel's enum",
                    at(hdr, m.span.start),
                    m.name
                ))
                .with_help(help(KERNEL_ATTR_RENAMED)),
            ));
        }
        if ki != s.position {
            let theirs = match k.members.get(s.position) {
                Some(o) => format!("whose position {} is `{}`", s.position, o.name),
                None => format!("which has no position {}", s.position),
            };
            let ours = match spec_at(ki) {
                Some(o) => format!("the spec has `{o}` at position {ki}"),
                None => format!("the spec has no CC_ATTR_ attribute at position {ki}"),
            };
            out.push(spec_finding(
                Diagnostic::error(
                    KERNEL_POSITION_DIFFERS,
                    format!(
                        "`{name}` is at position {} in the spec but {ki} in the kernel, {theirs}",
                        s.position
                    ),
                    s.attr.span,
                )
                .with_label(format!(
                    "position {} among the spec's CC_ATTR_ attributes",
                    s.position
                ))
                .with_note(format!(
                    "{}: `{}` is member {ki} of the kernel's enum; {ours}",
                    at(hdr, m.span.start),
                    m.name
                ))
                .with_help(help(KERNEL_POSITION_DIFFERS)),
            ));
        }
        let spec_doc = scan::normalize(&s.attr.doc.join("\n"));
        let kernel_doc = m.doc.as_ref().map_or("", |d| d.text.as_str());
        if spec_doc != kernel_doc {
            let shown = |t: &str| {
                if t.is_empty() {
                    "(none)".to_string()
                } else {
                    t.to_string()
                }
            };
            let where_ = m.doc.as_ref().map_or(m.span.start, |d| d.span.start);
            let mut d = Diagnostic::error(
                KERNEL_DOC_DIFFERS,
                format!("the doc comment of `{name}` is not the kernel's kernel-doc"),
                s.attr.span,
            )
            .with_label(format!(
                "its doc comment differs from the kernel-doc at {}",
                at(hdr, where_)
            ))
            .with_note(format!("spec:   {}", shown(&spec_doc)))
            .with_note(format!("kernel: {}", shown(kernel_doc)));
            if let Some(n) = first_difference(&spec_doc, kernel_doc) {
                d = d.with_note(n);
            }
            out.push(spec_finding(d.with_help(help(KERNEL_DOC_DIFFERS))));
        }
    }
    let is_paired: Vec<bool> = {
        let mut v = vec![false; k.members.len()];
        paired.values().for_each(|&i| v[i] = true);
        v
    };
    let former_of = |n: &str| {
        spec.model
            .attrs
            .iter()
            .find(|a| a.formerly.iter().any(|(f, _)| f == n))
            .map(|a| a.name.clone())
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, m) in k.members.iter().enumerate() {
        let first = *seen.entry(m.name.as_str()).or_insert(i);
        if !is_paired[i] {
            let header_finding = if first != i {
                Diagnostic::error(
                    KERNEL_MEMBER_UNDECLARED,
                    format!(
                        "the kernel's enum declares `{}` a second time (position {i}; first at {first})",
                        m.name
                    ),
                    m.span,
                )
                .with_label("declared again here")
            } else {
                let mut d = Diagnostic::error(
                    KERNEL_MEMBER_UNDECLARED,
                    format!(
                        "the kernel's `{}` (position {i}) is not declared in the spec",
                        m.name
                    ),
                    m.span,
                )
                .with_label(format!("member {i}, absent from {}", spec.source.name))
                .with_help(help(KERNEL_MEMBER_UNDECLARED));
                if let Some(now) = former_of(&m.name) {
                    d = d.with_note(format!(
                        "it is a former name of `{now}`, which the kernel has under its own name"
                    ));
                }
                d
            };
            out.push(Finding {
                place: Place::Header,
                diagnostic: header_finding,
            });
        }
        if let Some((tag, span)) = m.doc.as_ref().and_then(|d| d.tag.as_ref()) {
            if *tag != m.name {
                out.push(Finding {
                    place: Place::Header,
                    diagnostic: Diagnostic::warning(
                        KERNEL_DOC_TAG_MISMATCH,
                        format!(
                            "the kernel-doc tag `@{tag}` does not name its member `{}`",
                            m.name
                        ),
                        *span,
                    )
                    .with_label(format!("over `{}`", m.name))
                    .with_note(
                        "this is in the kernel's header; the block's text is compared with the \
                         spec's doc comment all the same",
                    ),
                });
            }
        }
    }
}

/// Where two normalized texts first differ, with a few words of each around it.
fn first_difference(a: &str, b: &str) -> Option<String> {
    let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let n = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    if n == ac.len() && n == bc.len() {
        return None;
    }
    let around = |cs: &[char]| -> String {
        let start = n.saturating_sub(12);
        let end = (n + 12).min(cs.len());
        let s: String = cs[start.min(end)..end].iter().collect();
        let mut shown = String::new();
        if start > 0 {
            shown.push_str("...");
        }
        shown.push_str(&s);
        if end < cs.len() {
            shown.push_str("...");
        }
        if shown.is_empty() {
            "(the end)".into()
        } else {
            format!("`{shown}`")
        }
    };
    Some(format!(
        "they differ from character {}: spec {}, kernel {}",
        n + 1,
        around(&ac),
        around(&bc)
    ))
}

/// A platform's `kernel:` doc lines: the text after `kernel:`, and the span of the
/// line in the spec (the platform's name when the line cannot be found).
fn vendor_lines(spec: &Source, doc: &[String], item: Span) -> Vec<(String, Span)> {
    let values: Vec<String> = doc
        .iter()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("kernel:")
                .map(|v| v.trim().to_string())
        })
        .collect();
    if values.is_empty() {
        return Vec::new();
    }
    // The doc comment's lines in the source: the `///` lines right above the item's
    // line (plain `//` comments among them passed over).
    let text = &spec.text;
    let mut spans = Vec::new();
    let mut end = text[..item.start.min(text.len())].rfind('\n').unwrap_or(0);
    while end > 0 {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end];
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("///") {
            if rest.trim().starts_with("kernel:") {
                let lead = line.len() - t.len();
                spans.push(Span::new(start + lead, start + line.trim_end().len()));
            }
        } else if !t.starts_with("//") {
            break;
        }
        end = start.saturating_sub(1);
    }
    spans.reverse();
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (v, spans.get(i).copied().unwrap_or(item)))
        .collect()
}

fn platform_findings(
    spec: &Checked,
    tree: &Tree,
    attrs: &[SpecAttr<'_>],
    kernel: Option<&KernelEnum>,
    paired: &HashMap<usize, usize>,
    out: &mut Vec<Finding>,
) -> Vec<VendorPlatform> {
    let core = tree.core.as_ref().map(|f| (f, CoreC::new(&f.source.text)));
    let mut platforms = Vec::new();
    for (p, tp) in spec.model.platforms.iter().zip(&spec.table.platforms) {
        let lines = vendor_lines(&spec.source, &p.doc, p.span);
        let Some((word, line_span)) = lines.first() else {
            continue;
        };
        let known = VENDORS.iter().find(|(w, _)| w == word);
        let (vendor, function) = match (known, lines.len()) {
            (Some(&(v, f)), 1) => (v, f),
            (_, n) => {
                let message = if n > 1 {
                    format!("platform `{}` names its vendor {n} times", p.name)
                } else {
                    format!("platform `{}` names an unknown vendor `{word}`", p.name)
                };
                let span = if n > 1 { lines[1].1 } else { *line_span };
                out.push(Finding {
                    place: Place::Spec,
                    diagnostic: Diagnostic::error(KERNEL_VENDOR_UNKNOWN, message, span)
                        .with_label("a `kernel:` line names one of intel, amd, hyperv")
                        .with_help(help(KERNEL_VENDOR_UNKNOWN)),
                });
                continue;
            }
        };
        let Some((core_file, core)) = &core else {
            platforms.push(VendorPlatform {
                platform: p.name.clone(),
                vendor: vendor.to_string(),
                compared: false,
            });
            continue;
        };
        platforms.push(VendorPlatform {
            platform: p.name.clone(),
            vendor: vendor.to_string(),
            compared: true,
        });
        let Some(f) = core.vendor(function) else {
            out.push(Finding {
                place: Place::Spec,
                diagnostic: Diagnostic::error(
                    KERNEL_VENDOR_ABSENT,
                    format!(
                        "platform `{}` names vendor `{vendor}`, but {} has no {function}()",
                        p.name,
                        core_file.path.display()
                    ),
                    *line_span,
                )
                .with_label(format!("this kernel does not answer for `{vendor}`"))
                .with_help(help(KERNEL_VENDOR_ABSENT)),
            });
            continue;
        };
        let Some(k) = kernel else { continue };
        let mut runtime = Vec::new();
        let mut unread = Vec::new();
        for s in attrs {
            let Some(&ki) = paired.get(&s.id) else {
                continue;
            };
            let member = &k.members[ki].name;
            let said = f.meaning.answer(member);
            let has = tp.full >> s.id & 1 == 1;
            let how = if tp.sets >> s.id & 1 == 1 {
                "it sets it"
            } else {
                "implied by what it sets"
            };
            let where_ = format!("{}:{}", core_file.path.display(), said.line);
            let name = &s.attr.name;
            match (&said.answer, has) {
                (Answer::Always, false) => out.push(Finding {
                    place: Place::Spec,
                    diagnostic: Diagnostic::error(
                        KERNEL_PLATFORM_LACKS,
                        format!(
                            "platform `{}` lacks `{name}`, which {}() always returns true for",
                            p.name, f.name
                        ),
                        p.span,
                    )
                    .with_label(format!("kernel: {vendor}"))
                    .with_note(format!("{where_}: returns true for `{member}`"))
                    .with_help(help(KERNEL_PLATFORM_LACKS)),
                }),
                (Answer::Never, true) => out.push(Finding {
                    place: Place::Spec,
                    diagnostic: Diagnostic::error(
                        KERNEL_PLATFORM_EXTRA,
                        format!(
                            "platform `{}` has `{name}` ({how}), which {}() never returns true for",
                            p.name, f.name
                        ),
                        p.span,
                    )
                    .with_label(format!("kernel: {vendor}"))
                    .with_note(format!("{where_}: returns false for `{member}`"))
                    .with_help(help(KERNEL_PLATFORM_EXTRA)),
                }),
                (Answer::Depends(_), _) => runtime.push((name, has, said.clone())),
                (Answer::Unread(_), _) => unread.push((name, has, said.clone())),
                _ => {}
            }
        }
        let list = |items: &[(&String, bool, Said)]| -> Vec<String> {
            items
                .iter()
                .map(|(n, has, said)| {
                    let side = if *has {
                        "the platform has it"
                    } else {
                        "the platform lacks it"
                    };
                    format!(
                        "`{n}` ({side}): {}:{}: {}",
                        core_file.path.display(),
                        said.line,
                        said.text()
                    )
                })
                .collect()
        };
        for (code, items, what) in [
            (
                KERNEL_VENDOR_RUNTIME,
                &runtime,
                "decides from run-time state",
            ),
            (
                KERNEL_VENDOR_UNREAD,
                &unread,
                "answers in code kernel-check does not read",
            ),
        ] {
            if items.is_empty() {
                continue;
            }
            let names: Vec<&str> = items.iter().map(|(n, _, _)| n.as_str()).collect();
            let mut d = Diagnostic::warning(
                code,
                format!(
                    "platform `{}`: {}() {what} for {}; not compared",
                    p.name,
                    f.name,
                    names.join(", ")
                ),
                p.span,
            )
            .with_label(format!("kernel: {vendor}"));
            for n in list(items) {
                d = d.with_note(n);
            }
            out.push(Finding {
                place: Place::Spec,
                diagnostic: d.with_help(help(code)),
            });
        }
    }
    platforms
}

/// Members of the kernel's enum as JSON shows them.
pub fn member_json(hdr: &KernelFile, position: usize, m: &Member) -> serde_json::Value {
    serde_json::json!({
        "name": m.name,
        "position": position,
        "line": hdr.source.line_of(m.span.start),
        "tag": m.doc.as_ref().and_then(|d| d.tag.as_ref()).map(|t| t.0.clone()),
        "doc": m.doc.as_ref().map(|d| d.text.clone()),
    })
}
