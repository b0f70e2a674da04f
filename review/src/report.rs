//! A review as text, as a pull-request comment in Markdown, as JSON, as GitHub
//! workflow commands and as SARIF.

use crate::kinds::{self, Class};
use crate::{Change, Review, Witness};
use ccattr_core::diagnostics::{escape_data, escape_property, json_one};
use ccattr_core::{Diagnostic, Source, Span};
use ccattr_lint::sarif::{self, ResultLevel, SarifResult};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The two sources a review was made from, for line numbers.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    pub base: &'a Source,
    pub head: &'a Source,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Names,
    Positions,
    Mappings,
    OffPlatform,
    Lint,
    Structure,
}

fn section(c: &Change) -> Section {
    match c.kind {
        kinds::ATTR_MOVED => Section::Positions,
        kinds::DECISION_CHANGED | kinds::REFUSAL_DROPPED => Section::Mappings,
        kinds::DECISION_CHANGED_OFF_PLATFORM | kinds::REFUSAL_DROPPED_OFF_PLATFORM => {
            Section::OffPlatform
        }
        k if k.starts_with("ATTR_") => Section::Names,
        _ if c.finding.is_some() => Section::Lint,
        _ => Section::Structure,
    }
}

fn summary_counts(r: &Review, strong: &dyn Fn(String) -> String) -> String {
    let parts: Vec<String> = r
        .counted_classes()
        .map(|c| {
            let s = format!("{} {}", r.count(c), c.as_str());
            if r.count(c) > 0 && c >= Class::Behaviour {
                strong(s)
            } else {
                s
            }
        })
        .collect();
    parts.join(", ")
}

fn place(source: &Source, span: Option<Span>) -> Option<String> {
    span.map(|s| source.location(s.start))
}

/// The column head for witnesses' places: `Address`, or `Address or capabilities`
/// when a probed device's witness is among them.
fn at_header(changes: &[&Change]) -> &'static str {
    if changes
        .iter()
        .any(|c| c.witness.as_ref().is_some_and(|w| w.caps.is_some()))
    {
        "Address or capabilities"
    } else {
        "Address"
    }
}

/// Where a witness decides: its address, or for a probed device the capabilities
/// the device reports (`caps [TDISP_RUN]`, `no capabilities`).
fn witness_at(w: &Witness) -> String {
    match &w.caps {
        None => format!("{:#X}", w.addr),
        Some(c) if c.is_empty() => "no capabilities".to_string(),
        Some(c) => format!("caps [{}]", c.join(", ")),
    }
}

fn witness_text(w: &Witness) -> String {
    let set = if w.reported.is_empty() {
        "no attributes".to_string()
    } else {
        w.reported.join(", ")
    };
    match &w.platform {
        Some(p) => format!("{} on {p} (reports {set})", witness_at(w)),
        None => format!("{} when platform code reports {set}", witness_at(w)),
    }
}

/// The sentence that says no decision changed, and how far that was checked.
fn no_behaviour_change(r: &Review) -> &'static str {
    if r.exhaustive {
        "No mapping decision changed: every device and `(elsewhere)` decides the same on \
         every platform declared in both versions and on every other attribute set."
    } else {
        "No mapping decision changed on the platforms declared in both versions, nor on \
         the small attribute sets (one or two attributes) that were tried."
    }
}

/// Plain text, grouped by class, most severe first.
pub fn text(r: &Review, src: Sources<'_>) -> String {
    let mut out = format!(
        "ccattr review: {} -> {}\n{}\n",
        r.base_name,
        r.head_name,
        summary_counts(r, &|s| s)
    );
    if r.changes.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    for class in Class::ALL {
        let changes: Vec<&Change> = r.changes.iter().filter(|c| c.class == class).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:", class.as_str());
        for c in changes {
            if let Some(d) = &c.finding {
                out.push_str(&indent(&ccattr_core::diagnostics::text(
                    src.head,
                    std::slice::from_ref(d),
                )));
                continue;
            }
            let at = place(src.head, c.head_span).or_else(|| place(src.base, c.base_span));
            let _ = write!(out, "  [{}] {}", c.kind, c.message);
            if let Some(at) = at {
                let _ = write!(out, " ({at})");
            }
            out.push('\n');
            if let Some(w) = &c.witness {
                let _ = writeln!(out, "      witness: {}", witness_text(w));
                let _ = writeln!(
                    out,
                    "      full set in base: {}",
                    list_or_none(&w.base_full)
                );
                let _ = writeln!(
                    out,
                    "      full set in head: {}",
                    list_or_none(&w.head_full)
                );
            }
            for n in &c.notes {
                let _ = writeln!(out, "      note: {n}");
            }
        }
    }
    if r.changes
        .iter()
        .all(|c| !matches!(c.class, Class::Behaviour | Class::FailOpen))
    {
        let _ = writeln!(out, "\n{}", no_behaviour_change(r));
    }
    if !r.exhaustive {
        out.push_str("\nnote: too many attributes influence the rules to try every attribute set; only small sets (one or two attributes) were tried\n");
    }
    out
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

/// A Markdown table cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

fn code(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("`{}`", s.replace('`', "'"))
    }
}

/// A section of changes as a Markdown table of class, kind and message; nothing when
/// the section is empty.
fn changes_table(out: &mut String, title: &str, changes: &[&Change]) {
    if changes.is_empty() {
        return;
    }
    let _ = write!(out, "\n#### {title}\n\n");
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            vec![
                c.class.as_str().to_string(),
                code(c.kind),
                c.message.clone(),
            ]
        })
        .collect();
    table(out, &["Class", "Change", "What changed"], &rows);
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

/// Markdown for a pull-request comment: one summary line, then tables; long details
/// are folded in `<details>`.
pub fn markdown(r: &Review, src: Sources<'_>) -> String {
    let mut out = format!(
        "**ccattr review** {} → {}: ",
        code(&r.base_name),
        code(&r.head_name)
    );
    if r.changes.is_empty() {
        out.push_str("no changes.\n");
        return out;
    }
    out.push_str(&summary_counts(r, &|s| format!("**{s}**")));
    out.push_str(".\n");
    let of =
        |s: Section| -> Vec<&Change> { r.changes.iter().filter(|c| section(c) == s).collect() };
    // `line N`, or `FILE:N` when the spec is more than one file.
    let line = |source: &Source, span: Option<Span>| {
        span.map_or(String::new(), |s| {
            if source.has_includes() {
                source.location(s.start)
            } else {
                format!("line {}", source.line_of(s.start))
            }
        })
    };

    changes_table(&mut out, "Names", &of(Section::Names));

    let mappings = of(Section::Mappings);
    if mappings.is_empty() && of(Section::OffPlatform).is_empty() {
        let _ = writeln!(out, "\n{}", no_behaviour_change(r));
    }
    if !mappings.is_empty() {
        out.push_str("\n#### Mappings\n\n");
        let rows: Vec<Vec<String>> = mappings
            .iter()
            .filter_map(|c| {
                let (cl, w) = (c.cell.as_ref()?, c.witness.as_ref()?);
                let show = |d: Option<ccattr_core::Decision>| {
                    d.map_or("(absent)".to_string(), |d| d.as_str().to_string())
                };
                Some(vec![
                    code(&cl.row),
                    code(cl.platform.as_deref().unwrap_or("")),
                    show(cl.before),
                    show(cl.after),
                    format!("{} {} → {}", code(&witness_at(w)), w.before, w.after),
                ])
            })
            .collect();
        table(
            &mut out,
            &["Device", "Platform", "Before", "After", "Witness"],
            &rows,
        );
        out.push_str("\n<details><summary>Witness attribute sets</summary>\n\n");
        let rows: Vec<Vec<String>> = mappings
            .iter()
            .filter_map(|c| {
                let w = c.witness.as_ref()?;
                Some(vec![
                    code(w.platform.as_deref().unwrap_or("")),
                    code(&witness_at(w)),
                    list_or_none(&w.base_full),
                    list_or_none(&w.head_full),
                ])
            })
            .collect();
        table(
            &mut out,
            &[
                "Platform",
                at_header(&mappings),
                "Full set in base",
                "Full set in head",
            ],
            &rows,
        );
        out.push_str("\n</details>\n");
    }

    let off = of(Section::OffPlatform);
    if !off.is_empty() || !r.exhaustive {
        let _ = write!(
            out,
            "\n<details><summary>{} decision change{} on attribute sets no declared platform has</summary>\n\n",
            off.len(),
            if off.len() == 1 { "" } else { "s" }
        );
        let rows: Vec<Vec<String>> = off
            .iter()
            .filter_map(|c| {
                let w = c.witness.as_ref()?;
                let cl = c.cell.as_ref()?;
                Some(vec![
                    code(&cl.row),
                    list_or_none(&w.reported),
                    code(&witness_at(w)),
                    w.before.to_string(),
                    w.after.to_string(),
                ])
            })
            .collect();
        if !rows.is_empty() {
            table(
                &mut out,
                &[
                    "Device",
                    "Platform code reports",
                    at_header(&off),
                    "Before",
                    "After",
                ],
                &rows,
            );
        }
        if !r.exhaustive {
            out.push_str("\nToo many attributes influence the rules to try every set: only small sets (one or two attributes) were tried.\n");
        }
        out.push_str("\n</details>\n");
    }

    let lint = of(Section::Lint);
    if !lint.is_empty() {
        out.push_str("\n#### New lint findings\n\n");
        let rows: Vec<Vec<String>> = lint
            .iter()
            .map(|c| {
                let help = c
                    .finding
                    .as_ref()
                    .and_then(|d| d.help.clone())
                    .unwrap_or_default();
                vec![
                    c.class.as_str().to_string(),
                    code(c.kind),
                    line(src.head, c.head_span),
                    if help.is_empty() {
                        c.message.clone()
                    } else {
                        format!("{}<br>help: {help}", c.message)
                    },
                ]
            })
            .collect();
        table(&mut out, &["Class", "Rule", "Where", "Finding"], &rows);
    }

    changes_table(&mut out, "Structure", &of(Section::Structure));

    if !r.maps.is_empty() {
        let _ = write!(
            out,
            "\n<details><summary>Address maps of {} platform{}, before (-) and after (+)</summary>\n\n",
            r.maps.len(),
            if r.maps.len() == 1 { "" } else { "s" }
        );
        for m in &r.maps {
            out.push_str("```diff\n");
            for (mark, line) in &m.lines {
                let _ = writeln!(out, "{mark}{line}");
            }
            out.push_str("```\n");
        }
        out.push_str("\n</details>\n");
    }

    let details: Vec<&Change> = r
        .changes
        .iter()
        .filter(|c| section(c) == Section::Names && (!c.notes.is_empty() || c.before.is_some()))
        .collect();
    if !details.is_empty() {
        out.push_str("\n<details><summary>Details of the name changes</summary>\n\n");
        let rows: Vec<Vec<String>> = details
            .iter()
            .map(|c| {
                vec![
                    code(&c.subject),
                    code(c.kind),
                    c.before.clone().unwrap_or_default(),
                    c.after.clone().unwrap_or_default(),
                    c.notes.join("<br>"),
                ]
            })
            .collect();
        table(
            &mut out,
            &["Attribute", "Change", "Before", "After", "Notes"],
            &rows,
        );
        out.push_str("\n</details>\n");
    }

    let moved = of(Section::Positions);
    if !moved.is_empty() {
        let _ = write!(
            out,
            "\n<details><summary>{} enum position{} moved</summary>\n\n",
            moved.len(),
            if moved.len() == 1 { "" } else { "s" }
        );
        let rows: Vec<Vec<String>> = moved
            .iter()
            .map(|c| {
                vec![
                    c.message.clone(),
                    c.before.clone().unwrap_or_default(),
                    c.after.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(&mut out, &["Attribute", "Before", "After"], &rows);
        out.push_str(
            "\nThe kernel keys on names, but anything built against the old positions breaks \
             (compiled objects, stored attribute masks, readers of the JSON table): rebuild it.\n",
        );
        out.push_str("\n</details>\n");
    }
    out
}

fn position(source: &Source, span: Option<Span>) -> Value {
    match span {
        Some(s) => {
            let p = source.position(s.start);
            json!({"file": source.file_at(s.start).name, "line": p.line, "column": p.column})
        }
        None => Value::Null,
    }
}

/// JSON: the summary and every change.
pub fn json(r: &Review, src: Sources<'_>) -> Value {
    let changes: Vec<Value> = r
        .changes
        .iter()
        .map(|c| {
            json!({
                "kind": c.kind,
                "class": c.class.as_str(),
                "subject": c.subject,
                "message": c.message,
                "before": c.before,
                "after": c.after,
                "notes": c.notes,
                "head": position(src.head, c.head_span),
                "base": position(src.base, c.base_span),
                "cell": c.cell.as_ref().map(|cl| json!({
                    "device": cl.row,
                    "platform": cl.platform,
                    "before": cl.before.map(|d| d.as_str()),
                    "after": cl.after.map(|d| d.as_str()),
                })),
                "witness": c.witness.as_ref().map(|w| json!({
                    "address": w.caps.is_none().then(|| format!("{:#x}", w.addr)),
                    "caps": w.caps,
                    "platform": w.platform,
                    "reported": w.reported,
                    "base_full": w.base_full,
                    "head_full": w.head_full,
                    "before": w.before.as_str(),
                    "after": w.after.as_str(),
                })),
                "finding": c.finding.as_ref().map(|d| json_one(src.head, d)),
            })
        })
        .collect();
    let summary: serde_json::Map<String, Value> = Class::ALL
        .iter()
        .map(|&c| (c.as_str().to_string(), json!(r.count(c))))
        .collect();
    json!({
        "base": r.base_name,
        "head": r.head_name,
        "summary": summary,
        "exhaustive": r.exhaustive,
        "changes": changes,
    })
}

/// The span a change is shown at in HEAD: its own, or the `spec` line for things that
/// are only in BASE.
fn head_span(r: &Change, head_spec: Span) -> Span {
    r.head_span.unwrap_or(head_spec)
}

fn github_level(c: Class) -> &'static str {
    match c {
        Class::Breaking | Class::FailOpen => "error",
        Class::Behaviour | Class::Naming => "warning",
        Class::Info => "notice",
    }
}

/// GitHub workflow commands, one per change, on HEAD's lines.
pub fn github(r: &Review, src: Sources<'_>, head_spec: Span) -> String {
    let mut out = String::new();
    for c in &r.changes {
        let s = head_span(c, head_spec);
        let (p, e) = (src.head.position(s.start), src.head.position(s.end));
        let mut msg = c.message.clone();
        if c.head_span.is_none() {
            if let Some(at) = place(src.base, c.base_span) {
                msg.push_str(&format!(" (was at {at})"));
            }
        }
        for n in &c.notes {
            msg.push_str(&format!("\n{n}"));
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            github_level(c.class),
            escape_property(&src.head.file_at(s.start).name),
            p.line,
            p.column,
            e.line,
            e.column,
            escape_property(&format!("{} ({})", c.kind, c.class.as_str())),
            escape_data(&msg)
        );
    }
    out
}

/// SARIF 2.1.0 with the change kinds and the lint rules as rule metadata.
pub fn sarif(r: &Review, src: Sources<'_>, head_spec: Span) -> Value {
    let diagnostics: Vec<(Diagnostic, ResultLevel)> = r
        .changes
        .iter()
        .map(|c| {
            let level = match c.class {
                Class::Breaking | Class::FailOpen => ResultLevel::Error,
                Class::Behaviour | Class::Naming => ResultLevel::Warning,
                Class::Info => ResultLevel::Note,
            };
            let d = match &c.finding {
                Some(d) => d.clone(),
                None => {
                    let mut d =
                        Diagnostic::warning(c.kind, c.message.clone(), head_span(c, head_spec));
                    if c.head_span.is_none() {
                        if let Some(at) = place(src.base, c.base_span) {
                            d = d.with_note(format!("was at {at}"));
                        }
                    }
                    if let Some(w) = &c.witness {
                        d = d.with_note(format!("witness: {}", witness_text(w)));
                    }
                    for n in &c.notes {
                        d = d.with_note(n.clone());
                    }
                    d
                }
            };
            (d, level)
        })
        .collect();
    let results: Vec<SarifResult<'_>> = diagnostics
        .iter()
        .map(|(d, level)| SarifResult {
            level: *level,
            ..SarifResult::new(src.head, d)
        })
        .collect();
    sarif::render(&kinds::sarif_rules(), &results)
}
