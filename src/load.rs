//! Reading spec files into sources, and reporting what went wrong.

use ccattr_core::{render, Compiled, Diagnostic, Source};
use std::path::Path;

/// A spec file read and compiled.
pub struct Loaded {
    pub source: Source,
    pub compiled: Compiled,
}

/// Read and compile a spec. `Err` carries a message for a file-system failure.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    Ok(load_bytes(&path.display().to_string(), &bytes))
}

/// Compile a spec's bytes read from somewhere (a file, a git revision) as `name`.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Loaded {
    let (source, compiled) = match ccattr_grammar::load(name, bytes) {
        Ok(source) => {
            let compiled = ccattr_core::compile(&source);
            (source, compiled)
        }
        Err(e) => (
            e.source,
            Compiled {
                diagnostics: vec![e.diagnostic],
                model: None,
                table: None,
            },
        ),
    };
    Loaded { source, compiled }
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Print diagnostics as text to standard error.
pub fn print_text(source: &Source, diags: &[Diagnostic]) {
    if !diags.is_empty() {
        eprint!("{}", render::text(source, diags));
    }
}

/// The file's base name, as generated files record it.
pub fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
