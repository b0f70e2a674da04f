//! `ccattr lint`: naming and design lints; every finding prints its rule ID.

use super::{require_format, CmdResult};
use crate::load::{self, Loaded};
use crate::out::{out, outln};
use crate::{Format, EXIT_FAILED};
use ccattr_core::{render, Diagnostic};
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
        .map(|p| load::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Per spec: what to show (its errors when it has any, else its active findings)
    // and every finding (suppressed ones included, for SARIF and JSON).
    let mut spec_errors = false;
    let mut shown: Vec<(&Loaded, Vec<Diagnostic>, Vec<Finding>)> = Vec::new();
    for l in &loaded {
        match (&l.compiled.model, &l.compiled.table) {
            (Some(model), Some(table)) if !l.compiled.has_errors() => {
                // The compiler's warnings go to standard error, as for every command.
                load::print_text(&l.source, &l.compiled.diagnostics);
                let findings = lint(&Input {
                    source: &l.source,
                    model,
                    table,
                    previous: None,
                });
                shown.push((l, ccattr_lint::active_diagnostics(&findings), findings));
            }
            _ => {
                spec_errors = true;
                shown.push((l, l.compiled.diagnostics.clone(), Vec::new()));
            }
        }
    }
    match format {
        Format::Json => {
            let files: Vec<_> = shown
                .iter()
                .map(|(l, d, _)| (&l.source, d.as_slice()))
                .collect();
            let mut doc = render::json(&files);
            let suppressed: Vec<serde_json::Value> = shown
                .iter()
                .flat_map(|(l, _, findings)| {
                    findings.iter().filter_map(|f| {
                        let reason = f.suppressed.as_ref()?;
                        let mut v = render::json_one(&l.source, &f.diagnostic);
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
                out!("{}", render::github(&l.source, d));
            }
        }
        Format::Sarif => {
            // Findings with their suppressions; a spec's errors as results too.
            let errors: Vec<(&Loaded, &[Diagnostic])> = shown
                .iter()
                .filter(|(_, _, f)| f.is_empty())
                .map(|(l, d, _)| (*l, d.as_slice()))
                .collect();
            let mut results: Vec<SarifResult<'_>> = shown
                .iter()
                .flat_map(|(l, _, findings)| {
                    findings.iter().map(|f| SarifResult {
                        suppressed: f.suppressed.as_deref(),
                        ..SarifResult::new(&l.source, &f.diagnostic)
                    })
                })
                .collect();
            for (l, ds) in errors {
                results.extend(ds.iter().map(|d| SarifResult::new(&l.source, d)));
            }
            outln!("{:#}", sarif::render(ccattr_lint::RULES, &results));
        }
        _ => {
            for (l, d, findings) in &shown {
                load::print_text(&l.source, d);
                if findings.is_empty() && l.compiled.has_errors() {
                    continue;
                }
                let suppressed = findings.len() - d.len();
                let what = if d.len() == 1 { "finding" } else { "findings" };
                eprintln!(
                    "{}: {} lint {what} ({suppressed} suppressed)",
                    l.source.name,
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
