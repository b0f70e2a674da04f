//! Suppression comments: `// ccattr: allow(RULE_ID, ...) because REASON`.
//!
//! The comments come from the syntax tree (the checked spec's
//! [`Layout`](ccattr_grammar::ast::Layout)). A comment alone on its line covers the next
//! line that holds code; a comment after code covers its own line. When a top-level declaration
//! starts on the covered line, the whole declaration is covered, through its closing
//! `;` or `}`. A finding is covered when its primary span starts in the covered range.

use crate::catalogue::{
    rule_info, RULES, SUPPRESSION_MALFORMED, SUPPRESSION_UNUSED, SUPPRESSION_WITHOUT_REASON,
};
use crate::{Finding, Subject};
use ccattr_core::check::did_you_mean;
use ccattr_core::{Diagnostic, Source, Span};
use ccattr_grammar::ast::Layout;

/// A suppression that gives a reason: it suppresses its rules in `covers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The whole comment.
    pub span: Span,
    /// The rules it names, each with the span of its ID.
    pub rules: Vec<(&'static str, Span)>,
    pub reason: String,
    /// The byte range `[start, end)` it covers.
    pub covers: (usize, usize),
}

/// Find every `// ccattr:` comment. Returns the suppressions that apply, and the
/// findings about those that are malformed or give no reason.
pub fn scan(source: &Source, layout: &Layout) -> (Vec<Suppression>, Vec<Finding>) {
    let text = source.text.as_str();
    let mut sups = Vec::new();
    let mut findings = Vec::new();
    for comment in comments(text, layout) {
        let body = &text[comment.body..comment.end];
        let Some(directive) = body.trim_start().strip_prefix("ccattr:") else {
            continue;
        };
        let directive_at = comment.body + (body.len() - body.trim_start().len()) + "ccattr:".len();
        let span = Span::new(comment.start, comment.end);
        let subject = || {
            vec![Subject::Text(
                text[comment.start..comment.end].trim_end().to_string(),
            )]
        };
        let parsed = match parse(directive, directive_at) {
            Ok(p) => p,
            Err(message) => {
                findings.push(Finding::new(
                    Diagnostic::warning(SUPPRESSION_MALFORMED, message, span)
                        .with_label("this suppression suppresses nothing")
                        .with_help("write `// ccattr: allow(RULE_ID) because REASON`"),
                    subject(),
                ));
                continue;
            }
        };
        let mut rules = Vec::new();
        for (id, id_span) in parsed.ids {
            match rule_info(&id) {
                Some(info) if info.suppressible => rules.push((info.id, id_span)),
                Some(info) => findings.push(Finding::new(
                    Diagnostic::warning(
                        SUPPRESSION_MALFORMED,
                        format!("`{}` cannot be suppressed by a comment", info.id),
                        id_span,
                    )
                    .with_label(
                        "findings about suppressions and configuration are not suppressible",
                    )
                    .with_help(format!(
                        "fix the cause, or add `allow = [\"{}\"];` to the `naming` block",
                        info.id
                    )),
                    subject(),
                )),
                None => {
                    let mut d = Diagnostic::warning(
                        SUPPRESSION_MALFORMED,
                        format!("unknown lint rule `{id}`"),
                        id_span,
                    )
                    .with_label("no rule has this ID")
                    .with_note("the rules are listed in docs/lints.md");
                    if let Some(s) = did_you_mean(&id, RULES.iter().map(|r| r.id)) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    findings.push(Finding::new(d, subject()));
                }
            }
        }
        let Some(reason) = parsed.reason else {
            findings.push(Finding::new(
                Diagnostic::warning(
                    SUPPRESSION_WITHOUT_REASON,
                    "suppression without a reason",
                    span,
                )
                .with_label("a suppression must say why the finding does not apply")
                .with_note("it suppresses nothing until it gives a reason")
                .with_help("end the comment with `because REASON`"),
                subject(),
            ));
            continue;
        };
        if rules.is_empty() {
            continue;
        }
        // A suppression covers code of its own file only.
        let file_end = source.files()[source.file_index(comment.start)].end;
        let covers = coverage(&text[..file_end], layout, &comment);
        sups.push(Suppression {
            span,
            rules,
            reason,
            covers,
        });
    }
    (sups, findings)
}

/// Mark the findings that a suppression covers; report the named rules that covered
/// no finding.
pub fn apply(sups: &[Suppression], findings: &mut [Finding], out: &mut Vec<Finding>) {
    for s in sups {
        for &(id, id_span) in &s.rules {
            let mut used = false;
            for f in findings.iter_mut() {
                let at = f.diagnostic.span.start;
                if f.rule() == id && s.covers.0 <= at && at < s.covers.1 {
                    used = true;
                    if f.suppressed.is_none() {
                        f.suppressed = Some(s.reason.clone());
                    }
                }
            }
            if !used {
                out.push(Finding::new(
                    Diagnostic::warning(
                        SUPPRESSION_UNUSED,
                        format!("`{id}` does not fire where this suppression applies"),
                        id_span,
                    )
                    .with_label("suppresses nothing")
                    .with_secondary(
                        Span::new(s.covers.0, s.covers.1),
                        "the suppression covers this",
                    )
                    .with_help(format!("remove `{id}` from the suppression")),
                    vec![Subject::Text(id.to_string())],
                ));
            }
        }
    }
}

struct Comment {
    /// Where `//` starts.
    start: usize,
    /// Where the text after `//` starts.
    body: usize,
    /// The end of the line (before `\n`, and before a `\r` that ends it).
    end: usize,
    /// Whether only whitespace precedes it on its line.
    own_line: bool,
}

/// The `//` comments of the spec (doc comments are not comments).
fn comments(text: &str, layout: &Layout) -> Vec<Comment> {
    layout
        .comments
        .iter()
        .map(|c| {
            let end = c.span.start + text[c.span.start..c.span.end].trim_end_matches('\r').len();
            Comment {
                start: c.span.start,
                body: (c.span.start + 2).min(end),
                end,
                own_line: c.own_line,
            }
        })
        .collect()
}

struct Parsed {
    ids: Vec<(String, Span)>,
    reason: Option<String>,
}

/// Parse what follows `ccattr:`; `at` is its byte offset in the text.
fn parse(directive: &str, at: usize) -> Result<Parsed, String> {
    let lead = directive.len() - directive.trim_start().len();
    let rest = &directive[lead..];
    let Some(after_allow) = rest.strip_prefix("allow") else {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return Err(if word.is_empty() {
            "expected `allow(RULE_ID, ...)` after `ccattr:`".to_string()
        } else {
            format!("unknown directive `{word}`; expected `allow(RULE_ID, ...)`")
        });
    };
    let open_rel = after_allow.len() - after_allow.trim_start().len();
    let Some(list_and_tail) = after_allow[open_rel..].strip_prefix('(') else {
        return Err("expected `(` after `allow`".to_string());
    };
    let Some(close) = list_and_tail.find(')') else {
        return Err("expected `)` to close `allow(`".to_string());
    };
    let list_at = at + lead + "allow".len() + open_rel + 1;
    let mut ids = Vec::new();
    let mut offset = 0;
    for part in list_and_tail[..close].split(',') {
        let trimmed = part.trim();
        let start = list_at + offset + (part.len() - part.trim_start().len());
        if trimmed.is_empty()
            || !trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!(
                "expected rule IDs separated by commas in `allow(...)`, found `{}`",
                &list_and_tail[..close]
            ));
        }
        ids.push((trimmed.to_string(), Span::new(start, start + trimmed.len())));
        offset += part.len() + 1;
    }
    let tail = list_and_tail[close + 1..].trim();
    let reason = tail
        .strip_prefix("because")
        .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    Ok(Parsed { ids, reason })
}

/// The byte range a suppression comment covers (see the module documentation).
fn coverage(text: &str, layout: &Layout, comment: &Comment) -> (usize, usize) {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |p| p + 1);
    let start = if comment.own_line {
        // The line of the next code.
        let code = layout.code_after(text, comment.end);
        if code >= text.len() {
            return (text.len(), text.len());
        }
        line_start(code)
    } else {
        line_start(comment.start)
    };
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let items = &layout.items;
    let first = items.partition_point(|s| s.start < start);
    match items.get(first).filter(|s| s.start < end.max(start + 1)) {
        Some(item) => (start, end.max(item.end)),
        None => (start, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str) -> Layout {
        ccattr_grammar::parse(text).0.layout()
    }

    fn covered(text: &str) -> Vec<(String, String)> {
        let (sups, _) = scan(&Source::new("t", text), &layout(text));
        sups.iter()
            .map(|s| {
                (
                    s.rules.iter().map(|r| r.0).collect::<Vec<_>>().join(","),
                    text[s.covers.0..s.covers.1].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn own_line_covers_next_declaration() {
        let text = "spec t;\n// ccattr: allow(UNUSED_ATTRIBUTE) because kept for old code\n/// Doc.\n\nattr X {\n  formerly Y;\n}\nattr Z;\n";
        assert_eq!(
            covered(text),
            [(
                "UNUSED_ATTRIBUTE".to_string(),
                "attr X {\n  formerly Y;\n}".to_string()
            )]
        );
    }

    #[test]
    fn trailing_covers_its_line() {
        let text = "spec t;\ndevice d {\n  mmio 0x10 size 0x10; // ccattr: allow(REGION_UNALIGNED) because test\n}\n";
        assert_eq!(
            covered(text),
            [(
                "REGION_UNALIGNED".to_string(),
                "  mmio 0x10 size 0x10; // ccattr: allow(REGION_UNALIGNED) because test"
                    .to_string()
            )]
        );
    }

    #[test]
    fn comments_in_strings_and_docs_are_not_suppressions() {
        let text = "spec t;\nnaming { forbid_words = [\"// ccattr: allow(NAMING_CASE) because x\"]; }\n/// ccattr: allow(NAMING_CASE) because x\nattr a;\n";
        let (sups, findings) = scan(&Source::new("t", text), &layout(text));
        assert!(sups.is_empty() && findings.is_empty());
    }

    #[test]
    fn reasons() {
        let p = |s: &str| parse(s, 0).map(|p| p.reason);
        assert_eq!(p(" allow(A) because it is"), Ok(Some("it is".to_string())));
        assert_eq!(p(" allow(A)"), Ok(None));
        assert_eq!(p(" allow(A) because   "), Ok(None));
        assert_eq!(p(" allow(A) becausex"), Ok(None));
        assert!(p(" deny(A) because x").is_err());
        assert!(p(" allow(A because x").is_err());
        assert!(p(" allow() because x").is_err());
        let ids = parse(" allow(A, BB) because x", 10).map(|p| p.ids);
        assert_eq!(
            ids,
            Ok(vec![
                ("A".to_string(), Span::new(17, 18)),
                ("BB".to_string(), Span::new(20, 22))
            ])
        );
    }
}
