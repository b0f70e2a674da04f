//! One open document compiled: the text, the syntax tree's names, and the compiler's
//! verdict (the checked spec with its decision table, or the diagnostics), with the
//! lints of a spec that checks. Everything here comes from the CLI's own pipeline.

use crate::index::Index;
use crate::text::LineIndex;
use ccattr_core::compile::compile_with;
use ccattr_core::load::{Disk, Files, NoFiles, Root};
use ccattr_core::{Checked, Diagnostic, Rejected, Severity};
use ccattr_grammar::ast::SpecFile;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri,
};
use std::path::{Path, PathBuf};

pub struct Analysis {
    pub text: String,
    pub lines: LineIndex,
    /// The syntax tree, as the compiler's parser reads the text (empty for a text the
    /// loader refused).
    pub file: SpecFile,
    pub index: Index,
    pub compiled: Result<Checked, Rejected>,
    /// The document's folder on the disk, which its includes are relative to.
    pub folder: Option<PathBuf>,
    /// The lints' findings that count, for a spec that checks.
    pub lints: Vec<Diagnostic>,
}

impl Analysis {
    /// Compile `text`, the document shown as `name`, at `path` on the disk if it is a
    /// file there (its includes are read relative to it).
    pub fn new(name: &str, path: Option<&Path>, text: String) -> Analysis {
        let root = Root {
            name,
            bytes: text.as_bytes(),
            path: Some(path.unwrap_or(Path::new(name))),
        };
        let files: &dyn Files = if path.is_some() { &Disk } else { &NoFiles };
        let compiled = compile_with(root, files, &ccattr_codegen::C_HEADER);
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
            .is_some_and(|r| r.source.file_text(0) != text)
        {
            SpecFile::default()
        } else {
            ccattr_grammar::parse(&text).0
        };
        Analysis {
            folder: path.and_then(Path::parent).map(Path::to_path_buf),
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
        let mut related: Vec<DiagnosticRelatedInformation> = d
            .secondary
            .iter()
            .filter_map(|l| {
                Some(DiagnosticRelatedInformation {
                    location: self.location(uri, l.span)?,
                    message: l.message.clone(),
                })
            })
            .collect();
        // A diagnostic in an included file is shown on the `include` of this document
        // that reads that file, and points into the file.
        let mut range = self.range(d.span);
        if let Some(src) = self.included_source(d.span) {
            if let Some(include) = src.root_include(d.span.start) {
                range = self.range(include);
            }
            message = format!("in included file {}: {message}", src.location(d.span.start));
            if let Some(location) = self.location(uri, d.span) {
                related.insert(
                    0,
                    DiagnosticRelatedInformation {
                        location,
                        message: d.label.clone(),
                    },
                );
            }
        }
        lsp_types::Diagnostic {
            range,
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

    /// The compiled source, when `span` lies in a file this document includes.
    fn included_source(&self, span: ccattr_grammar::Span) -> Option<&ccattr_grammar::Source> {
        let src = ccattr_core::compile::source(&self.compiled);
        (src.file_index(span.start) != 0).then_some(src)
    }

    /// Where `symbol` is declared when that is in a file this document includes (the
    /// document's own declarations are in its index): from the checked spec.
    pub fn declared_elsewhere(
        &self,
        symbol: &crate::index::Symbol,
    ) -> Option<ccattr_grammar::Span> {
        use crate::index::Kind;
        let m = &self.checked()?.model;
        let name = symbol.name.as_str();
        let span = match symbol.kind {
            Kind::Attr => m.attrs.iter().find(|a| a.name == name)?.span,
            Kind::Former => {
                m.attrs
                    .iter()
                    .flat_map(|a| &a.formerly)
                    .find(|f| f.0 == name)?
                    .1
            }
            Kind::Capability => m.caps.iter().find(|c| c.name == name)?.span,
            Kind::Platform => m.platforms.iter().find(|p| p.name == name)?.span,
            Kind::Device => m.devices.iter().find(|d| d.name == name)?.span,
        };
        self.included_source(span).map(|_| span)
    }

    /// Where a span is: in this document, or in a file it includes (a `file:` URI).
    pub fn location(&self, uri: &Uri, span: ccattr_grammar::Span) -> Option<Location> {
        let Some(src) = self.included_source(span) else {
            return Some(Location::new(uri.clone(), self.range(span)));
        };
        let i = src.file_index(span.start);
        let f = &src.files()[i];
        let text = src.file_text(i);
        let local = ccattr_grammar::Span::new(span.start - f.start, span.end.min(f.end) - f.start);
        let path = self.folder.as_ref()?.join(&f.path);
        let file_uri = crate::text::file_uri(&path)?;
        Some(Location::new(
            file_uri,
            LineIndex::new(text).range(text, local),
        ))
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
