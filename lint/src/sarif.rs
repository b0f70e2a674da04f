//! SARIF 2.1.0: findings with rule metadata and help, for code-scanning tools.
//!
//! Generic over the rule catalogue, so that `ccattr review` reports its change kinds
//! with the same renderer.

use crate::catalogue::{Level, RuleInfo};
use ccattr_core::{Diagnostic, Severity, Source, Span};
use serde_json::{json, Value};

pub const SARIF_VERSION: &str = "2.1.0";
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF's `level` of a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultLevel {
    Error,
    Warning,
    Note,
}

impl ResultLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultLevel::Error => "error",
            ResultLevel::Warning => "warning",
            ResultLevel::Note => "note",
        }
    }
}

impl From<Severity> for ResultLevel {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
        }
    }
}

/// One result: a diagnostic in a source, with its level and, when a suppression
/// comment covers it, the reason given.
pub struct SarifResult<'a> {
    pub source: &'a Source,
    pub diagnostic: &'a Diagnostic,
    pub level: ResultLevel,
    pub suppressed: Option<&'a str>,
}

impl<'a> SarifResult<'a> {
    pub fn new(source: &'a Source, diagnostic: &'a Diagnostic) -> Self {
        SarifResult {
            source,
            diagnostic,
            level: diagnostic.severity.into(),
            suppressed: None,
        }
    }
}

fn default_level(level: Level) -> &'static str {
    match level {
        Level::Allow => "none",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

/// Rule metadata for `tool.driver.rules`.
pub fn rule_descriptor(rule: &RuleInfo) -> Value {
    let text = format!(
        "{}\n\nWhy: {}\n\nFix: {}",
        rule.summary, rule.rationale, rule.help
    );
    let markdown = format!(
        "**{}**: {}\n\n**Why it matters.** {}\n\n**How to fix.** {}",
        rule.id, rule.summary, rule.rationale, rule.help
    );
    json!({
        "id": rule.id,
        "name": rule.camel_name(),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": default_level(rule.default_level)},
    })
}

/// A path as a URI: a relative reference for a relative path (what code scanning
/// resolves against the repository), `file://` for an absolute one; `/` separators,
/// other reserved bytes escaped.
pub fn path_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(source: &Source, span: Span) -> Value {
    let start = source.position(span.start);
    let mut end = source.position(span.end.max(span.start));
    if end.line == start.line && end.column <= start.column {
        end.column = start.column + 1;
    }
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "snippet": {"text": source.line_text_at(span.start)},
    })
}

fn physical(source: &Source, span: Span) -> Value {
    json!({
        "artifactLocation": {"uri": path_uri(&source.file_at(span.start).name)},
        "region": region(source, span),
    })
}

fn result(rules: &[RuleInfo], r: &SarifResult<'_>) -> Value {
    let d = r.diagnostic;
    let mut text = d.message.clone();
    if !d.label.is_empty() {
        text.push_str(&format!(": {}", d.label));
    }
    for note in &d.notes {
        text.push_str(&format!("\nnote: {note}"));
    }
    if let Some(h) = &d.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    let mut v = json!({
        "ruleId": d.code,
        "level": r.level.as_str(),
        "message": {"text": text},
        "locations": [{"physicalLocation": physical(r.source, d.span)}],
    });
    if let Some(i) = rules.iter().position(|x| x.id == d.code) {
        v["ruleIndex"] = json!(i);
    }
    if !d.secondary.is_empty() {
        v["relatedLocations"] = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "id": i,
                    "physicalLocation": physical(r.source, l.span),
                    "message": {"text": l.message},
                })
            })
            .collect();
    }
    if let Some(reason) = r.suppressed {
        v["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
    }
    v
}

/// A SARIF log with one run of `ccattr`: `rules` describes every rule a result may
/// name (results whose code is not among them carry no `ruleIndex`).
pub fn render(rules: &[RuleInfo], results: &[SarifResult<'_>]) -> Value {
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "ccattr",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results.iter().map(|r| result(rules, r)).collect::<Vec<_>>(),
        }],
    })
}

/// The SARIF log of lint findings from several files; suppressed findings are
/// included, marked as suppressed in source.
pub fn lint_log(files: &[(&Source, &[crate::Finding])]) -> Value {
    let results: Vec<SarifResult<'_>> = files
        .iter()
        .flat_map(|(source, findings)| {
            findings.iter().map(move |f| SarifResult {
                suppressed: f.suppressed.as_deref(),
                ..SarifResult::new(source, &f.diagnostic)
            })
        })
        .collect();
    render(crate::RULES, &results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(path_uri("./specs/a b.ccattr"), "specs/a%20b.ccattr");
        assert_eq!(path_uri("dir\\x#y"), "dir/x%23y");
        assert_eq!(path_uri("/abs/p.ccattr"), "file:///abs/p.ccattr");
    }
}
