//! Suppression comments: `// ccattr: allow(RULE_ID, ...) because REASON`.
//!
//! Comments are not in the syntax tree, so the source text is scanned (outside strings
//! and doc comments). A comment alone on its line covers the next line that holds
//! code; a comment after code covers its own line. When a top-level declaration
//! starts on the covered line, the whole declaration is covered, through its closing
//! `;` or `}`. A finding is covered when its primary span starts in the covered range.

use crate::catalogue::{
    rule_info, RULES, SUPPRESSION_MALFORMED, SUPPRESSION_UNUSED, SUPPRESSION_WITHOUT_REASON,
};
use crate::{Finding, Subject};
use ccattr_core::check::did_you_mean;
use ccattr_core::{Diagnostic, Source, Span};

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
pub fn scan(source: &Source) -> (Vec<Suppression>, Vec<Finding>) {
    let text = source.text.as_str();
    let (ast, _) = ccattr_grammar::parse(text);
    let item_spans: Vec<Span> = ast.items.iter().map(|i| i.span).collect();
    let code = code_lines(text);
    let mut sups = Vec::new();
    let mut findings = Vec::new();
    for comment in comments(text) {
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
        let covers = coverage(text, &code, &item_spans, comment.start, comment.own_line);
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

/// The `//` comments of a spec, outside strings, without doc comments (`///`).
fn comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut in_string = false;
    let mut line_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            in_string = false;
            line_start = i + 1;
            i += 1;
            continue;
        }
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let mut end = text[i..].find('\n').map_or(bytes.len(), |e| i + e);
            let next = end;
            if end > i && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            let body = i + 2;
            let doc = bytes.get(body) == Some(&b'/') && bytes.get(body + 1) != Some(&b'/');
            if !doc {
                out.push(Comment {
                    start: i,
                    body: body.min(end),
                    end,
                    own_line: text[line_start..i].trim().is_empty(),
                });
            }
            i = next;
            continue;
        }
        i += 1;
    }
    out
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

/// The start of every line that holds code: not blank, not only a comment or a doc
/// comment.
fn code_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim();
        if !content.is_empty() && !content.starts_with("//") {
            out.push(start);
        }
        start += line.len();
    }
    out
}

/// The byte range a suppression at `at` covers (see the module documentation).
/// `code` is [`code_lines`]; `items` are the top-level declarations in source order.
fn coverage(
    text: &str,
    code: &[usize],
    items: &[Span],
    at: usize,
    own_line: bool,
) -> (usize, usize) {
    let this_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let start = if own_line {
        // The next line that holds code.
        match code.get(code.partition_point(|&l| l <= this_start)) {
            Some(&l) => l,
            None => return (text.len(), text.len()),
        }
    } else {
        this_start
    };
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let first = items.partition_point(|s| s.start < start);
    match items.get(first).filter(|s| s.start < end.max(start + 1)) {
        Some(item) => (start, end.max(item.end)),
        None => (start, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(text: &str) -> Vec<(String, String)> {
        let (sups, _) = scan(&Source::new("t", text));
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
        let (sups, findings) = scan(&Source::new("t", text));
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
