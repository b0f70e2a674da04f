//! `ccattr lint`: naming and design lints; every finding prints its rule ID.

use super::{load, print_text, require_format, CmdResult};
use crate::out::{errln, out, outln};
use crate::{Format, EXIT_FAILED};
use ccattr_core::{diagnostics, Diagnostic, Source};
use ccattr_lint::sarif::{self, SarifResult};
use ccattr_lint::{lint, Finding, Input};
use std::path::PathBuf;

/// When `lint` exits 1: on findings denied to errors (`error`), on any finding
/// (`warning`), or never.
pub const FAIL_ON: [&str; 3] = ["error", "warning", "never"];

pub fn run(specs: &[PathBuf], format: Format, fail_on: &str) -> CmdResult {
    require_format(
        format,
        &[Format::Text, Format::Json, Format::Github, Format::Sarif],
        "lint",
    )?;
    let loaded = specs
        .iter()
        .map(|p| load(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Per spec: what to show (its errors when it has any, else its active findings)
    // and every finding (suppressed ones included, for SARIF and JSON).
    let mut spec_errors = false;
    let mut shown: Vec<(&Source, Vec<Diagnostic>, Vec<Finding>)> = Vec::new();
    // A finding in a file that several of the specs include is reported once.
    let mut seen = std::collections::HashSet::new();
    for compiled in &loaded {
        match compiled {
            Ok(checked) => {
                // The compiler's warnings go to standard error, as for every command.
                print_text(&checked.source, &checked.warnings);
                let mut findings = lint(&Input::new(checked));
                findings.retain(|f| seen.insert(finding_key(&checked.source, &f.diagnostic)));
                let active = ccattr_lint::active_diagnostics(&findings);
                shown.push((&checked.source, active, findings));
            }
            Err(rejected) => {
                spec_errors = true;
                shown.push((&rejected.source, rejected.diagnostics.clone(), Vec::new()));
            }
        }
    }
    match format {
        Format::Json => {
            let files: Vec<_> = shown.iter().map(|(l, d, _)| (*l, d.as_slice())).collect();
            let mut doc = diagnostics::json(&files);
            let suppressed: Vec<serde_json::Value> = shown
                .iter()
                .flat_map(|(l, _, findings)| {
                    findings.iter().filter_map(|f| {
                        let reason = f.suppressed.as_ref()?;
                        let mut v = diagnostics::json_one(l, &f.diagnostic);
                        v["reason"] = serde_json::Value::from(reason.as_str());
                        Some(v)
                    })
                })
                .collect();
            doc["suppressed"] = serde_json::Value::from(suppressed);
            outln!("{doc:#}");
        }
        Format::Github => {
            for (l, d, _) in &shown {
                out!("{}", diagnostics::github(l, d));
            }
        }
        Format::Sarif => {
            // Findings with their suppressions; a spec's errors as results too.
            let errors: Vec<(&Source, &[Diagnostic])> = shown
                .iter()
                .filter(|(_, _, f)| f.is_empty())
                .map(|(l, d, _)| (*l, d.as_slice()))
                .collect();
            let mut results: Vec<SarifResult<'_>> = shown
                .iter()
                .flat_map(|(l, _, findings)| {
                    findings.iter().map(|f| SarifResult {
                        suppressed: f.suppressed.as_deref(),
                        ..SarifResult::new(l, &f.diagnostic)
                    })
                })
                .collect();
            for (l, ds) in errors {
                results.extend(ds.iter().map(|d| SarifResult::new(l, d)));
            }
            outln!("{:#}", sarif::render(ccattr_lint::RULES, &results));
        }
        _ => {
            for (l, d, findings) in &shown {
                print_text(l, d);
                if findings.is_empty() && d.iter().any(Diagnostic::is_error) {
                    continue;
                }
                let suppressed = findings.len() - d.len();
                let what = if d.len() == 1 { "finding" } else { "findings" };
                errln!(
                    "{}: {} lint {what} ({suppressed} suppressed)",
                    l.name,
                    d.len()
                );
            }
        }
    }
    let active = shown
        .iter()
        .filter(|(_, _, f)| !f.is_empty())
        .flat_map(|(_, d, _)| d);
    let failed = match fail_on {
        "never" => false,
        "warning" => active.count() > 0,
        _ => active.into_iter().any(Diagnostic::is_error),
    };
    Ok(if spec_errors || failed {
        EXIT_FAILED
    } else {
        0
    })
}

/// What makes two findings one: the file (its canonical path when it has one), the
/// place, the rule and the message.
fn finding_key(source: &Source, d: &Diagnostic) -> (PathBuf, usize, usize, &'static str, String) {
    let name = &source.file_at(d.span.start).name;
    let file = std::fs::canonicalize(name).unwrap_or_else(|_| PathBuf::from(name));
    let at = source.position(d.span.start);
    (file, at.line, at.column, d.code, d.message.clone())
}
