//! One open document compiled: the text, the syntax tree's names, and the compiler's
//! verdict (the checked spec with its decision table, or the diagnostics), with the
//! lints of a spec that checks. Everything here comes from the CLI's own pipeline.

use crate::index::Index;
use crate::text::LineIndex;
use ccattr_core::{Checked, Diagnostic, Rejected, Severity};
use ccattr_grammar::ast::SpecFile;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri,
};

pub struct Analysis {
    pub text: String,
    pub lines: LineIndex,
    /// The syntax tree, as the compiler's parser reads the text (empty for a text the
    /// loader refused).
    pub file: SpecFile,
    pub index: Index,
    pub compiled: Result<Checked, Rejected>,
    /// The lints' findings that count, for a spec that checks.
    pub lints: Vec<Diagnostic>,
}

impl Analysis {
    pub fn new(name: &str, text: String) -> Analysis {
        let compiled = ccattr_codegen::compile(name, text.as_bytes());
        let lints = match &compiled {
            Ok(checked) => {
                let findings = ccattr_lint::lint(&ccattr_lint::Input::new(checked));
                ccattr_lint::active_diagnostics(&findings)
            }
            Err(_) => Vec::new(),
        };
        // The syntax tree, for the names of a spec that does not check too. A spec
        // the loader refused (too large) has none.
        let file = if compiled
            .as_ref()
            .err()
            .is_some_and(|r| r.source.text != text)
        {
            SpecFile::default()
        } else {
            ccattr_grammar::parse(&text).0
        };
        Analysis {
            lines: LineIndex::new(&text),
            text,
            index: Index::new(&file),
            file,
            compiled,
            lints,
        }
    }

    pub fn checked(&self) -> Option<&Checked> {
        self.compiled.as_ref().ok()
    }

    pub fn range(&self, span: ccattr_grammar::Span) -> Range {
        self.lines.range(&self.text, span)
    }

    /// The compiler's diagnostics (errors and warnings), then the lints'.
    pub fn diagnostics(&self) -> impl Iterator<Item = (&Diagnostic, &'static str)> {
        ccattr_core::compile::diagnostics(&self.compiled)
            .iter()
            .map(|d| (d, "ccattr"))
            .chain(self.lints.iter().map(|d| (d, "ccattr lint")))
    }

    /// The diagnostics as the protocol has them.
    pub fn lsp_diagnostics(&self, uri: &Uri) -> Vec<lsp_types::Diagnostic> {
        self.diagnostics()
            .map(|(d, source)| self.lsp_diagnostic(uri, d, source))
            .collect()
    }

    fn lsp_diagnostic(&self, uri: &Uri, d: &Diagnostic, source: &str) -> lsp_types::Diagnostic {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        for note in &d.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = d
            .secondary
            .iter()
            .map(|l| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), self.range(l.span)),
                message: l.message.clone(),
            })
            .collect();
        lsp_types::Diagnostic {
            range: self.range(d.span),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            source: Some(source.to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        }
    }
}

/// The name a diagnostic's help line offers instead of the one written: the
/// did-you-mean name, or the current name of a former one.
pub fn suggested_name(d: &Diagnostic) -> Option<&str> {
    let help = d.help.as_deref()?;
    let rest = help
        .strip_prefix("did you mean `")
        .or_else(|| help.strip_prefix("use the current name `"))?;
    let name = &rest[..rest.find('`')?];
    let ident = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ident.then_some(name)
}
