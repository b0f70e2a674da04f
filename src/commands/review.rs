//! `ccattr review BASE HEAD`: what changed between two versions of a spec, in the
//! class CI can fail on. With `--base-rev REV`, BASE is HEAD's path at git revision REV.

use super::{load, print_text, report, require_format, CmdResult, Compiled};
use crate::out::{out, outln};
use crate::{Format, EXIT_FAILED};
use ccattr_core::compile::{compile_with, io_reason};
use ccattr_core::load::{Files, Root};
use ccattr_core::ReadError;
use ccattr_review::report::{self, Sources};
use ccattr_review::{review, Class};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `--fail-on` values: a class (and every more severe one), or never.
pub const FAIL_ON: [&str; 6] = [
    "fail-open",
    "breaking",
    "behaviour",
    "behavior",
    "naming",
    "never",
];

pub fn run(specs: &[PathBuf], base_rev: Option<&str>, fail_on: &str, format: Format) -> CmdResult {
    require_format(
        format,
        &[
            Format::Text,
            Format::Json,
            Format::Markdown,
            Format::Github,
            Format::Sarif,
        ],
        "review",
    )?;
    let (base, head) = match (base_rev, specs) {
        (Some(rev), [head]) => (from_git(rev, head)?, load(head)?),
        (Some(_), _) => return Err("with --base-rev, give only the HEAD spec".to_string()),
        (None, [base, head]) => (load(base)?, load(head)?),
        (None, _) => {
            return Err("`review` takes BASE and HEAD (or HEAD with --base-rev REV)".to_string())
        }
    };
    let (Ok(b), Ok(h)) = (&base, &head) else {
        let fmt = if format == Format::Json {
            Format::Json
        } else {
            Format::Text
        };
        report(&[base, head], fmt);
        return Ok(EXIT_FAILED);
    };
    for c in [b, h] {
        print_text(&c.source, &c.warnings);
    }
    let r = review(b, h);
    let src = Sources {
        base: &b.source,
        head: &h.source,
    };
    let head_spec = h.model.name_span;
    match format {
        Format::Json => outln!("{:#}", report::json(&r, src)),
        Format::Markdown => out!("{}", report::markdown(&r, src)),
        Format::Github => out!("{}", report::github(&r, src, head_spec)),
        Format::Sarif => outln!("{:#}", report::sarif(&r, src, head_spec)),
        _ => out!("{}", report::text(&r, src)),
    }
    let threshold = Class::parse(fail_on);
    Ok(if r.fails(threshold) { EXIT_FAILED } else { 0 })
}

/// Read HEAD's path as of git revision `rev`, and every file it includes at that
/// revision (`git show REV:./FILE` in each file's directory, so that each path is
/// resolved from the repository root).
fn from_git(rev: &str, head: &Path) -> Result<Compiled, String> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(':') {
        return Err(format!("--base-rev `{rev}` is not a git revision"));
    }
    let git = GitRevision { rev };
    let bytes = git.read(head).map_err(|e| e.reason)?;
    let name = format!("{rev}:{}", head.display());
    let root = Root {
        name: &name,
        bytes: &bytes,
        path: Some(head),
    };
    Ok(compile_with(root, &git, &ccattr_codegen::C_HEADER))
}

/// The files of a git revision, read with `git show`.
struct GitRevision<'r> {
    rev: &'r str,
}

impl Files for GitRevision<'_> {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let fail = |reason: String| ReadError {
            path: path.to_path_buf(),
            kind: std::io::ErrorKind::NotFound,
            reason,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file = path
            .file_name()
            .ok_or_else(|| fail(format!("{} is not a file", path.display())))?
            .to_string_lossy();
        let object = format!("{}:./{file}", self.rev);
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["show", "--no-textconv", &object])
            .output()
            .map_err(|e| fail(format!("cannot run git: {}", io_reason(&e))))?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            return Err(fail(format!(
                "cannot read {} at revision {}: {}",
                path.display(),
                self.rev,
                why.trim()
            )));
        }
        Ok(out.stdout)
    }

    /// The path as written, `.` and `folder/..` taken out: the revision's files are
    /// not on the disk to be canonicalized.
    fn key(&self, path: &Path) -> PathBuf {
        PathBuf::from(ccattr_core::load::join("", &path.to_string_lossy()))
    }
}
