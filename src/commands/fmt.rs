//! `ccattr fmt`: print specs in the canonical layout (docs/fmt.md), in place, as a
//! check for CI, or from standard input to standard output for editors.

use super::print_text;
use super::{require_format, CmdResult};
use crate::out::{errln, out, outln};
use crate::{Format, EXIT_FAILED};
use ccattr_build::files::{self, Outcome};
use ccattr_core::compile::io_reason;
use ccattr_core::{diagnostics, Diagnostic, Source};
use ccattr_grammar::printer::{self, FormatError};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The name diagnostics give standard input.
const STDIN_NAME: &str = "<stdin>";

/// What happened to one spec.
enum Status {
    /// Already in the canonical layout.
    Formatted,
    /// Rewritten in place (or, with `--check`, would be).
    Changed { diff: String },
    /// Not formatted: syntax errors, or the formatter refused.
    Failed,
}

pub fn run(specs: &[PathBuf], check: bool, stdin: bool, format: Format) -> CmdResult {
    require_format(format, &[Format::Text, Format::Json], "fmt")?;
    let dash = specs.iter().any(|p| p.as_os_str() == "-");
    if stdin || dash {
        if specs.len() > usize::from(dash) {
            return Err("`-` (standard input) cannot be combined with spec files".into());
        }
        if format != Format::Text {
            return Err(
                "`fmt -` writes the spec to standard output; it supports --format text only".into(),
            );
        }
        return run_stdin(check);
    }

    let mut rows = Vec::new();
    let mut diagnostics: Vec<(Source, Vec<Diagnostic>)> = Vec::new();
    for path in specs {
        let bytes = ccattr_core::compile::read(path).map_err(|e| e.to_string())?;
        let name = path.display().to_string();
        let (status, diags) = match ccattr_grammar::load(&name, &bytes) {
            Err(e) => (Status::Failed, Some((e.source, vec![e.diagnostic]))),
            Ok(source) => match printer::format(&source.text) {
                Ok(formatted) if formatted == source.text => (Status::Formatted, None),
                Ok(formatted) => {
                    let diff = files::labelled_diff(
                        path,
                        &source.text,
                        &formatted,
                        "original",
                        "formatted",
                    );
                    if !check {
                        write_spec(path, &formatted)?;
                    }
                    (Status::Changed { diff }, None)
                }
                Err(FormatError::Syntax(d)) => (Status::Failed, Some((source, d))),
                Err(e @ FormatError::Internal(_)) => {
                    errln!("error: {name}: {e}");
                    (Status::Failed, None)
                }
            },
        };
        if let Some(d) = diags {
            diagnostics.push(d);
        }
        rows.push((name, status));
    }

    let failed = rows.iter().any(|(_, s)| matches!(s, Status::Failed));
    let changed: Vec<&str> = rows
        .iter()
        .filter(|(_, s)| matches!(s, Status::Changed { .. }))
        .map(|(n, _)| n.as_str())
        .collect();
    match format {
        Format::Json => {
            let files: Vec<_> = rows
                .iter()
                .map(|(name, s)| {
                    let (status, diff) = match s {
                        Status::Formatted => ("formatted", None),
                        Status::Changed { diff } if check => ("unformatted", Some(diff.as_str())),
                        Status::Changed { .. } => ("reformatted", None),
                        Status::Failed => ("failed", None),
                    };
                    let mut row = serde_json::json!({"path": name, "status": status});
                    if let Some(d) = diff {
                        row["diff"] = d.into();
                    }
                    row
                })
                .collect();
            let diags: Vec<_> = diagnostics.iter().map(|(s, d)| (s, d.as_slice())).collect();
            let mut report = diagnostics::json(&diags);
            report["files"] = files.into();
            outln!("{report:#}");
        }
        _ => {
            for (source, d) in &diagnostics {
                print_text(source, d);
            }
            for (name, s) in &rows {
                match s {
                    Status::Changed { diff } if check => {
                        out!("{diff}");
                        errln!("{name}: not formatted");
                    }
                    Status::Changed { .. } => errln!("formatted {name}"),
                    Status::Failed => errln!("{name}: not formatted (it has syntax errors)"),
                    Status::Formatted => {}
                }
            }
            if check && !changed.is_empty() {
                errln!(
                    "error: {} spec(s) not formatted; run: ccattr fmt {}",
                    changed.len(),
                    changed.join(" ")
                );
            }
        }
    }
    Ok(if failed || (check && !changed.is_empty()) {
        EXIT_FAILED
    } else {
        0
    })
}

/// Standard input to standard output; with `--check`, a diff and exit 1 instead.
fn run_stdin(check: bool) -> CmdResult {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {}", io_reason(&e)))?;
    let source = match ccattr_grammar::load(STDIN_NAME, &bytes) {
        Ok(s) => s,
        Err(e) => {
            print_text(&e.source, std::slice::from_ref(&e.diagnostic));
            return Ok(EXIT_FAILED);
        }
    };
    match printer::format(&source.text) {
        Ok(formatted) if check => {
            if formatted == source.text {
                return Ok(0);
            }
            let diff = files::labelled_diff(
                Path::new(STDIN_NAME),
                &source.text,
                &formatted,
                "original",
                "formatted",
            );
            out!("{diff}");
            errln!("{STDIN_NAME}: not formatted");
            Ok(EXIT_FAILED)
        }
        Ok(formatted) => {
            out!("{formatted}");
            Ok(0)
        }
        Err(FormatError::Syntax(d)) => {
            print_text(&source, &d);
            Ok(EXIT_FAILED)
        }
        Err(e @ FormatError::Internal(_)) => {
            errln!("error: {STDIN_NAME}: {e}");
            Ok(EXIT_FAILED)
        }
    }
}

/// Replace the spec atomically, keeping its permissions; through a symbolic link,
/// replace the file it points to, so the link stays a link.
fn write_spec(path: &Path, text: &str) -> Result<Outcome, String> {
    let target = std::fs::canonicalize(path)
        .map_err(|e| format!("cannot resolve {}: {}", path.display(), io_reason(&e)))?;
    files::write_if_changed(&target, text.as_bytes()).map_err(String::from)
}
