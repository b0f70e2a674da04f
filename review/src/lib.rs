//! ccattr's review of two versions of a spec: which names changed, which structure
//! changed, which mapping decisions changed (each with a witness), and which lint
//! findings the new version introduces, each change in a class that CI can fail on.
//!
//! Behaviour is compared through the decision tables (`DecisionTable::decide`,
//! `close` and `ccattr_core::matrix`), never re-derived.

mod attrs;
mod behaviour;
pub mod kinds;
pub mod report;
mod structure;

use ccattr_core::{Checked, Decision, Diagnostic, Span};
pub use kinds::{Class, KINDS};

/// A place where two versions decide differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The address; 0 for a probed device, which is decided by `caps` instead.
    pub addr: u64,
    /// For a probed device (version 2): the capabilities the device reports, by
    /// name; `None` for an address.
    pub caps: Option<Vec<String>>,
    /// The declared platform whose attribute set this is, if any.
    pub platform: Option<String>,
    /// The base attributes that platform code reports (names as in HEAD where the
    /// attribute exists there).
    pub reported: Vec<String>,
    /// The full attribute set in BASE and in HEAD.
    pub base_full: Vec<String>,
    pub head_full: Vec<String>,
    /// The decision of the byte at `addr`.
    pub before: Decision,
    pub after: Decision,
}

/// A changed cell of the platform-by-device matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The device, or `(elsewhere)`.
    pub row: String,
    /// `None` for an attribute set that no declared platform has.
    pub platform: Option<String>,
    /// The matrix cell in BASE and HEAD (`None` where the row does not exist).
    pub before: Option<Decision>,
    pub after: Option<Decision>,
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// A change kind ([`KINDS`]) or, for a new lint finding, the lint rule's ID.
    pub kind: &'static str,
    pub class: Class,
    /// What changed, by name (an attribute, device, platform, rule...).
    pub subject: String,
    pub message: String,
    /// Where in HEAD, if it is there.
    pub head_span: Option<Span>,
    /// Where in BASE, if it was there.
    pub base_span: Option<Span>,
    /// The old and new values, where they fit in a table cell.
    pub before: Option<String>,
    pub after: Option<String>,
    pub notes: Vec<String>,
    pub cell: Option<Cell>,
    pub witness: Option<Witness>,
    /// For a new lint finding: the finding, as `ccattr lint` shows it.
    pub finding: Option<Diagnostic>,
}

impl Change {
    pub(crate) fn new(
        kind: &'static str,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Change {
        Change {
            kind,
            class: kinds::kind_of(kind).map_or(Class::Info, |k| k.class),
            subject: subject.into(),
            message: message.into(),
            head_span: None,
            base_span: None,
            before: None,
            after: None,
            notes: Vec::new(),
            cell: None,
            witness: None,
            finding: None,
        }
    }

    pub(crate) fn head(mut self, span: Span) -> Change {
        self.head_span = Some(span);
        self
    }

    pub(crate) fn base(mut self, span: Span) -> Change {
        self.base_span = Some(span);
        self
    }

    pub(crate) fn values(mut self, before: impl Into<String>, after: impl Into<String>) -> Change {
        self.before = Some(before.into());
        self.after = Some(after.into());
        self
    }

    pub(crate) fn note(mut self, note: impl Into<String>) -> Change {
        self.notes.push(note.into());
        self
    }
}

/// The review of BASE against HEAD.
#[derive(Clone, Debug)]
pub struct Review {
    pub base_name: String,
    pub head_name: String,
    pub changes: Vec<Change>,
    /// Whether the search for decisions that change off the declared platforms tried
    /// every relevant attribute set.
    pub exhaustive: bool,
    /// Whether BASE has a `refuse` rule, so that a change can fail open: only then
    /// do the text and markdown summaries count the `fail-open` class.
    pub base_refuses: bool,
    /// The address maps (`ccattr map`) of the platforms declared in both versions
    /// whose maps differ, line by line.
    pub maps: Vec<MapDiff>,
}

/// The address map of one platform before and after: the lines of `ccattr map`'s
/// text, each kept (`' '`), only in BASE (`'-'`) or only in HEAD (`'+'`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapDiff {
    pub platform: String,
    pub lines: Vec<(char, String)>,
}

/// The maps of the platforms in both versions that differ.
fn map_diffs(base: &Checked, head: &Checked) -> Vec<MapDiff> {
    use ccattr_core::addrmap;
    let (bt, ht) = (&base.table, &head.table);
    let mut out = Vec::new();
    for (hi, hp) in ht.platforms.iter().enumerate() {
        let Some(bi) = bt.platforms.iter().position(|p| p.name == hp.name) else {
            continue;
        };
        let before = addrmap::text(bt, &[addrmap::platform_map(bt, bi)]);
        let after = addrmap::text(ht, &[addrmap::platform_map(ht, hi)]);
        if before == after {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&before, &after);
        let lines = diff
            .iter_all_changes()
            .map(|c| {
                let mark = match c.tag() {
                    similar::ChangeTag::Equal => ' ',
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                };
                (mark, c.value().trim_end_matches('\n').to_string())
            })
            .collect();
        out.push(MapDiff {
            platform: hp.name.clone(),
            lines,
        });
    }
    out
}

impl Review {
    /// The classes the summary counts, most severe first: all but `fail-open` when
    /// nothing in BASE refuses.
    pub fn counted_classes(&self) -> impl Iterator<Item = Class> + '_ {
        Class::ALL
            .into_iter()
            .filter(|&c| c != Class::FailOpen || self.base_refuses || self.count(c) > 0)
    }

    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// Whether a change of class `threshold` or more severe is present.
    pub fn fails(&self, threshold: Option<Class>) -> bool {
        threshold.is_some_and(|t| self.changes.iter().any(|c| c.class >= t))
    }

    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &Change> {
        let kind = kind.to_string();
        self.changes.iter().filter(move |c| c.kind == kind)
    }
}

/// Review two versions.
pub fn review(base: &Checked, head: &Checked) -> Review {
    let names = attrs::match_attrs(&base.model, &head.model);
    let mut changes = Vec::new();
    structure::spec(base, head, &mut changes);
    attrs::changes(base, head, &names, &mut changes);
    structure::devices(base, head, &mut changes);
    structure::platforms(base, head, &names, &mut changes);
    structure::rules(base, head, &names, &mut changes);
    let exhaustive = behaviour::changes(base, head, &names, &mut changes);
    behaviour::probed_changes(base, head, &names, &mut changes);
    lint_delta(base, head, &names, &mut changes);
    Review {
        base_name: base.source.name.clone(),
        head_name: head.source.name.clone(),
        changes,
        exhaustive,
        base_refuses: base.table.refuses,
        maps: map_diffs(base, head),
    }
}

/// The lint findings of HEAD that BASE did not have (by rule and subjects, with
/// renamed attributes followed).
fn lint_delta(base: &Checked, head: &Checked, names: &attrs::Names, out: &mut Vec<Change>) {
    use ccattr_lint::{lint, Input, Subject};
    let before = lint(&Input::new(base));
    let after = lint(&Input {
        spec: head,
        previous: Some(&base.model),
    });
    let key = |rule: &str, subjects: &[Subject], map: bool| -> (String, Vec<Subject>) {
        let subjects = subjects
            .iter()
            .map(|s| match s {
                Subject::Attr(n) if map => Subject::Attr(names.head_name_of(n).to_string()),
                other => other.clone(),
            })
            .collect();
        (rule.to_string(), subjects)
    };
    let had: std::collections::HashSet<_> = ccattr_lint::active(&before)
        .map(|f| key(f.rule(), &f.subjects, true))
        .collect();
    for f in ccattr_lint::active(&after) {
        if had.contains(&key(f.rule(), &f.subjects, false)) {
            continue;
        }
        let d = &f.diagnostic;
        let mut c =
            Change::new(f.rule(), subject_text(&f.subjects), d.message.clone()).head(d.span);
        c.class = if f.rule() == ccattr_lint::catalogue::FORMER_NAME_REUSED {
            Class::Breaking
        } else {
            Class::Naming
        };
        let mut d = d.clone();
        if c.class == Class::Breaking {
            d.severity = ccattr_core::Severity::Error;
        }
        c.finding = Some(d);
        if let Some(h) = c.finding.as_ref().and_then(|d| d.help.clone()) {
            c.notes.push(format!("help: {h}"));
        }
        out.push(c);
    }
}

fn subject_text(subjects: &[ccattr_lint::Subject]) -> String {
    use ccattr_lint::Subject;
    subjects
        .iter()
        .find_map(|s| match s {
            Subject::Attr(n)
            | Subject::Platform(n)
            | Subject::Device(n)
            | Subject::Capability(n) => Some(n.clone()),
            Subject::Text(_) => None,
        })
        .or_else(|| {
            subjects.first().map(|s| match s {
                Subject::Attr(n)
                | Subject::Platform(n)
                | Subject::Device(n)
                | Subject::Capability(n)
                | Subject::Text(n) => n.clone(),
            })
        })
        .unwrap_or_default()
}
