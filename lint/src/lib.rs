//! ccattr's lints: a catalogue of rules with stable IDs over a checked spec, their
//! configuration in the `naming` block, suppression comments, and SARIF output.
//!
//! Findings are ordinary [`Diagnostic`]s whose `code` is the rule ID, so the renderers
//! of `ccattr_core::diagnostics` print them like compiler diagnostics.

pub mod catalogue;
mod config;
mod design;
mod history;
mod naming;
pub mod reach;
pub mod sarif;
mod suppress;

pub use catalogue::{rule_info, Level, RuleInfo, RULES};
use catalogue::{UNUSED_ATTRIBUTE, UNUSED_CAPABILITY};
use ccattr_core::{Checked, Diagnostic, Model, Severity};
pub use naming::{JOINING_WORDS, MECHANISM_WORDS};

/// What a finding is about, by name: stable across versions of a spec, so that a
/// review can tell the findings a change introduces from those it already had.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Attr(String),
    Platform(String),
    Device(String),
    Capability(String),
    /// A rule, a region, a word or a comment, as written.
    Text(String),
}

/// One lint finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// `code` is the rule ID; `severity` follows the rule's configured level.
    pub diagnostic: Diagnostic,
    pub subjects: Vec<Subject>,
    /// The reason given by the suppression comment that covers it, if one does.
    pub suppressed: Option<String>,
}

impl Finding {
    pub(crate) fn new(diagnostic: Diagnostic, subjects: Vec<Subject>) -> Finding {
        Finding {
            diagnostic,
            subjects,
            suppressed: None,
        }
    }

    pub fn rule(&self) -> &'static str {
        self.diagnostic.code
    }

    pub fn is_suppressed(&self) -> bool {
        self.suppressed.is_some()
    }
}

/// What the lints read: a checked spec, and for the rules that compare with history
/// an earlier version of it (`ccattr review`'s BASE).
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub spec: &'a Checked,
    pub previous: Option<&'a Model>,
}

impl<'a> Input<'a> {
    /// A spec with no history.
    pub fn new(spec: &'a Checked) -> Input<'a> {
        Input {
            spec,
            previous: None,
        }
    }
}

/// Every finding of every rule at its configured level, in source order. Findings of
/// allowed rules are left out; suppressed findings are kept, marked, so that SARIF can
/// report them as suppressed.
pub fn lint(input: &Input<'_>) -> Vec<Finding> {
    let mut raw = Vec::new();
    naming::check(input, &mut raw);
    design::check(input, &mut raw);
    history::check(input, &mut raw);
    // A file included by the spec is shared: the attributes and capabilities it
    // declares are there for every spec that includes it, so whether this spec uses
    // them is no finding (as a C compiler says nothing of a header's unused
    // declarations).
    let source = &input.spec.source;
    raw.retain(|f| {
        !(matches!(f.rule(), UNUSED_ATTRIBUTE | UNUSED_CAPABILITY)
            && source.file_index(f.diagnostic.span.start) != 0)
    });

    let (suppressions, mut meta) = suppress::scan(&input.spec.source, &input.spec.layout);
    suppress::apply(&suppressions, &mut raw, &mut meta);
    let (levels, config_findings) = config::levels(&input.spec.model.naming);
    meta.extend(config_findings);

    let mut out: Vec<Finding> = raw
        .into_iter()
        .chain(meta)
        .filter_map(|mut f| {
            let level = levels.level(f.rule());
            match level {
                Level::Allow => None,
                Level::Warn => {
                    f.diagnostic.severity = Severity::Warning;
                    Some(f)
                }
                Level::Deny => {
                    f.diagnostic.severity = Severity::Error;
                    Some(f)
                }
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.diagnostic.span.start, a.diagnostic.span.end, a.rule()).cmp(&(
            b.diagnostic.span.start,
            b.diagnostic.span.end,
            b.rule(),
        ))
    });
    out
}

/// The findings that count: not suppressed.
pub fn active(findings: &[Finding]) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(|f| !f.is_suppressed())
}

/// The diagnostics of the findings that count, for the renderers.
pub fn active_diagnostics(findings: &[Finding]) -> Vec<Diagnostic> {
    active(findings).map(|f| f.diagnostic.clone()).collect()
}
