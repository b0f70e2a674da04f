//! The findings of kernel-check in every format, through the renderers `check` and
//! `lint` use: rustc-like text, the JSON diagnostics shape, GitHub workflow commands
//! and SARIF. Each finding is shown against the file it is located in: the spec or the
//! kernel's header (findings about core.c are the platforms', and name its lines).

use crate::tree::Tree;
use crate::{member_json, Finding, Place, Report};
use ccattr_core::{diagnostics, Severity, Source};
use ccattr_lint::sarif::{self, SarifResult};
use serde_json::{json, Value};

/// The files a report's findings are located in.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    pub spec: &'a Source,
    pub tree: &'a Tree,
}

impl<'a> Sources<'a> {
    fn of(&self, f: &Finding) -> &'a Source {
        match f.place {
            Place::Spec => self.spec,
            Place::Header => &self.tree.header.source,
        }
    }
}

/// Every finding as rustc-like text (for standard error).
pub fn text(r: &Report, src: Sources<'_>) -> String {
    r.findings
        .iter()
        .map(|f| diagnostics::text(src.of(f), std::slice::from_ref(&f.diagnostic)))
        .collect()
}

/// The last line of the text output: whether they agree, and what was compared.
pub fn summary(r: &Report, src: Sources<'_>) -> String {
    let errors = r.count(Severity::Error);
    let warnings = r.count(Severity::Warning);
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let header = src.tree.header.path.display();
    let mut s = if errors == 0 {
        format!("{}: agrees with {header}", src.spec.name)
    } else {
        format!(
            "{}: {} against {header}",
            src.spec.name,
            plural(errors, "finding", "findings")
        )
    };
    s.push_str(&format!(" ({})", plural(warnings, "warning", "warnings")));
    let compared = r.platforms.iter().filter(|p| p.compared).count();
    let uncompared = r.platforms.len() - compared;
    if let Some(core) = &src.tree.core {
        s.push_str(&format!(
            "; {} compared with {}",
            plural(compared, "platform", "platforms"),
            core.path.display()
        ));
    } else if uncompared > 0 {
        s.push_str(&format!(
            "; {} a vendor, but the tree has no {}, so none was compared",
            plural(uncompared, "platform names", "platforms name"),
            crate::tree::CORE_C
        ));
    }
    s.push('\n');
    s
}

/// `{"diagnostics": [...], "agrees", "spec", "header", "core", "enum_doc", "members",
/// "platforms"}`.
pub fn json(r: &Report, src: Sources<'_>) -> Value {
    let diagnostics: Vec<Value> = r
        .findings
        .iter()
        .map(|f| diagnostics::json_one(src.of(f), &f.diagnostic))
        .collect();
    let hdr = &src.tree.header;
    let members: Vec<Value> = r.kernel.as_ref().map_or_else(Vec::new, |k| {
        k.members
            .iter()
            .enumerate()
            .map(|(i, m)| member_json(hdr, i, m))
            .collect()
    });
    let platforms: Vec<Value> = r
        .platforms
        .iter()
        .map(|p| json!({"platform": p.platform, "vendor": p.vendor, "compared": p.compared}))
        .collect();
    json!({
        "diagnostics": diagnostics,
        "agrees": r.agrees(),
        "spec": src.spec.name,
        "header": hdr.source.name,
        "core": src.tree.core.as_ref().map(|c| c.source.name.clone()),
        "enum_doc": r.kernel.as_ref().and_then(|k| k.doc.as_ref()).map(|d| d.text.clone()),
        "members": members,
        "platforms": platforms,
    })
}

/// GitHub workflow commands, one line per finding.
pub fn github(r: &Report, src: Sources<'_>) -> String {
    r.findings
        .iter()
        .map(|f| diagnostics::github(src.of(f), std::slice::from_ref(&f.diagnostic)))
        .collect()
}

/// A SARIF 2.1.0 log with kernel-check's codes as rules.
pub fn sarif(r: &Report, src: Sources<'_>) -> Value {
    let results: Vec<SarifResult<'_>> = r
        .findings
        .iter()
        .map(|f| SarifResult::new(src.of(f), &f.diagnostic))
        .collect();
    sarif::render(crate::rules::RULES, &results)
}
