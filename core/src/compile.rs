//! The pipeline in one screen: a spec's bytes in; the checked spec (source, model,
//! decision table, warnings) or its diagnostics out. Every front end (the command
//! line, `ccattr-build`, `include_spec!`, the fuzz targets, the tests) compiles
//! through [`compile`]; the emitters take a [`Checked`] spec's table from here.

use crate::check::{self, ReservedNames};
use crate::load::{self, Disk, Files, Loaded, Root};
use crate::{DecisionTable, Diagnostic, Model, Source};
use std::fmt;
use std::path::{Path, PathBuf};

/// A spec that checked: no errors.
#[derive(Debug)]
pub struct Checked {
    pub source: Source,
    pub model: Model,
    pub table: DecisionTable,
    /// The warnings, in source order.
    pub warnings: Vec<Diagnostic>,
    /// The comments, and where items and doc comments are (for lint's suppressions).
    pub layout: ccattr_grammar::ast::Layout,
}

/// A spec that did not check: what could be read of it, and every diagnostic
/// (errors and warnings) in source order; at least one is an error.
#[derive(Debug)]
pub struct Rejected {
    pub source: Source,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse, check and lower the spec `bytes`, read from a file shown as `name`; its
/// includes are read from the disk, relative to `name`'s folder. The outputs'
/// `reserved` names are refused (`ccattr_codegen::compile` passes the C header's).
pub fn compile(
    name: &str,
    bytes: &[u8],
    reserved: &dyn ReservedNames,
) -> Result<Checked, Rejected> {
    let root = Root {
        name,
        bytes,
        path: Some(Path::new(name)),
    };
    compile_with(root, &Disk, reserved)
}

/// [`compile`] a root whose includes come from `files`.
pub fn compile_with(
    root: Root<'_>,
    files: &dyn Files,
    reserved: &dyn ReservedNames,
) -> Result<Checked, Rejected> {
    // 1. Bytes to text (size limit, UTF-8, byte-order mark) and text to syntax tree,
    // for the root and every file it includes.
    let Loaded {
        source,
        file: ast,
        mut diagnostics,
    } = load::load(root, files);
    // 2. Syntax tree to checked model.
    let model = check::check(&ast, &mut diagnostics, reserved);
    // The model holds all it needs: free the syntax tree before the table is built.
    let layout = ast.layout();
    drop(ast);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    match model {
        Some(model) if !diagnostics.iter().any(Diagnostic::is_error) => {
            // 3. Model to decision table, the form every output prints.
            let files = if source.has_includes() {
                source.files().iter().map(|f| f.path.clone()).collect()
            } else {
                Vec::new()
            };
            let at = |off| (source.file_index(off), source.line_of(off));
            let table = DecisionTable::build(&model, &at, files);
            Ok(Checked {
                source,
                model,
                table,
                warnings: diagnostics,
                layout,
            })
        }
        _ => Err(Rejected {
            source,
            diagnostics,
        }),
    }
}

/// Read the spec file at `path` and [`compile`] it under the name `path` shows.
pub fn compile_file(
    path: &Path,
    reserved: &dyn ReservedNames,
) -> Result<Result<Checked, Rejected>, ReadError> {
    let bytes = read(path)?;
    Ok(compile(&path.display().to_string(), &bytes, reserved))
}

/// Read a file whole, with an error that names it.
///
/// Only a regular file is read (a FIFO would block, `/dev/zero` never end), and at
/// most one byte more than the size limit ([`ccattr_grammar::max_source_bytes`]),
/// enough for [`compile`] to report a spec that is too large (E0007).
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let fail = |e: &std::io::Error| ReadError {
        path: path.to_path_buf(),
        kind: e.kind(),
        reason: io_reason(e),
    };
    // Asked before opening: opening a FIFO blocks until something writes to it.
    let meta = std::fs::metadata(path).map_err(|e| fail(&e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        return Err(ReadError {
            path: path.to_path_buf(),
            kind: std::io::ErrorKind::InvalidInput,
            reason: format!("it is {what}; a spec is a regular file"),
        });
    }
    let limit = ccattr_grammar::max_source_bytes() as u64 + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| fail(&e))?;
    Ok(bytes)
}

/// The diagnostics of a compiled spec, whether it checked or not: warnings only for
/// a checked one.
pub fn diagnostics(result: &Result<Checked, Rejected>) -> &[Diagnostic] {
    match result {
        Ok(c) => &c.warnings,
        Err(r) => &r.diagnostics,
    }
}

/// The source of a compiled spec, whether it checked or not.
pub fn source(result: &Result<Checked, Rejected>) -> &Source {
    match result {
        Ok(c) => &c.source,
        Err(r) => &r.source,
    }
}

/// A file that could not be read: its path and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub path: PathBuf,
    pub kind: std::io::ErrorKind,
    /// The error as [`io_reason`] says it.
    pub reason: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for ReadError {}

/// An I/O error as messages say it: the common kinds in plain words, without the
/// `(os error 2)` that `io::Error`'s own text adds.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
