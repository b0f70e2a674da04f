//! Rule levels from the `naming` block's `allow`, `warn` and `deny` lists.

use crate::catalogue::{rule_info, Level, LINT_CONFIG, RULES};
use crate::{Finding, Subject};
use ccattr_core::check::did_you_mean;
use ccattr_core::model::Naming;
use ccattr_core::{Diagnostic, Span};
use std::collections::HashMap;

/// The level of every rule: its default unless the spec configures it.
pub struct Levels {
    configured: HashMap<&'static str, Level>,
}

impl Levels {
    pub fn level(&self, id: &str) -> Level {
        self.configured
            .get(id)
            .copied()
            .or_else(|| rule_info(id).map(|r| r.default_level))
            .unwrap_or(Level::Warn)
    }
}

/// Read the lists. A rule named in two lists takes the strongest level
/// (`deny` over `warn` over `allow`) and is reported, like an unknown rule ID.
pub fn levels(naming: &Naming) -> (Levels, Vec<Finding>) {
    let mut configured: HashMap<&'static str, Level> = HashMap::new();
    let mut first: HashMap<&'static str, (Level, Span)> = HashMap::new();
    let mut findings = Vec::new();
    let lists = [
        (Level::Allow, &naming.allow),
        (Level::Warn, &naming.warn),
        (Level::Deny, &naming.deny),
    ];
    for (level, list) in lists {
        for (id, span) in list {
            let Some(info) = rule_info(id) else {
                let mut d =
                    Diagnostic::warning(LINT_CONFIG, format!("unknown lint rule `{id}`"), *span)
                        .with_label(format!("in the `{}` list", level.as_str()))
                        .with_note("the rules are listed in docs/lints.md");
                if let Some(s) = did_you_mean(id, RULES.iter().map(|r| r.id)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                findings.push(Finding::new(d, vec![Subject::Text(id.clone())]));
                continue;
            };
            if let Some(&(prev, prev_span)) = first.get(info.id) {
                let same = prev == level;
                let message = if same {
                    format!("lint rule `{id}` is listed twice in `{}`", level.as_str())
                } else {
                    format!(
                        "lint rule `{id}` is listed in both `{}` and `{}`",
                        prev.as_str(),
                        level.as_str()
                    )
                };
                let d = Diagnostic::warning(LINT_CONFIG, message, *span)
                    .with_label("listed again here")
                    .with_secondary(prev_span, "first listed here")
                    .with_help(format!(
                        "name each rule once; `{}` applies",
                        prev.max(level).as_str()
                    ));
                findings.push(Finding::new(d, vec![Subject::Text(id.clone())]));
            } else {
                first.insert(info.id, (level, *span));
            }
            let entry = configured.entry(info.id).or_insert(level);
            *entry = (*entry).max(level);
        }
    }
    (Levels { configured }, findings)
}
