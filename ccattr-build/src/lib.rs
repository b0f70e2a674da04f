//! Generate ccattr's outputs from a Cargo build script, in the shape of prost-build.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), ccattr_build::Error> {
//!     ccattr_build::compile_specs(&["specs/hyperv_vtom.ccattr"])
//! }
//! ```
//!
//! and in the crate, for `spec hyperv_vtom;`:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/hyperv_vtom.rs"));
//! ```
//!
//! [`Config`] chooses the outputs (`Target::Rust` by default; the C header and the
//! JSON table too if asked) and the directory (`OUT_DIR` by default). It prints
//! `cargo:rerun-if-changed` for every spec, writes a file only when its bytes
//! change (so nothing downstream rebuilds for a comment edit), and turns spec errors
//! into an [`Error`] whose text shows each diagnostic with its source line.
//!
//! [`files`] is the file writing that the `ccattr` command line shares: atomic
//! replace, write-if-changed, the generator-marker check, diffs and depfiles.

pub mod files;

pub use ccattr_codegen::{Target, GENERATED_MARKER};
pub use files::Outcome;

use ccattr_core::{diagnostics, Diagnostic, Severity, Source};
use std::fmt;
use std::path::{Path, PathBuf};

/// Which specs to compile, into what, and where: the builder a build script uses.
#[derive(Clone, Debug)]
pub struct Config {
    specs: Vec<PathBuf>,
    targets: Vec<Target>,
    out_dir: Option<PathBuf>,
    cargo_metadata: bool,
    force: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// One file that [`Config::compile`] generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The spec it was generated from, as given to [`Config::spec`].
    pub spec: PathBuf,
    pub target: Target,
    /// Where it is: the output directory joined with `SPEC_NAME.EXT`.
    pub path: PathBuf,
    /// Whether it was written or already held these bytes.
    pub outcome: Outcome,
}

impl Config {
    /// No specs yet; the Rust module only; the output directory from `OUT_DIR`;
    /// `cargo:` lines on.
    pub fn new() -> Config {
        Config {
            specs: Vec::new(),
            targets: vec![Target::Rust],
            out_dir: None,
            cargo_metadata: true,
            force: false,
        }
    }

    /// Add a spec. A relative path is relative to the current directory, which for a
    /// build script is the package's root.
    pub fn spec(&mut self, path: impl AsRef<Path>) -> &mut Config {
        self.specs.push(path.as_ref().to_path_buf());
        self
    }

    /// Add several specs.
    pub fn specs<I, P>(&mut self, paths: I) -> &mut Config
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        self.specs
            .extend(paths.into_iter().map(|p| p.as_ref().to_path_buf()));
        self
    }

    /// Which outputs to write, replacing the default (`[Target::Rust]`). Each is
    /// written once, in the order given.
    pub fn emit(&mut self, targets: &[Target]) -> &mut Config {
        self.targets = Vec::new();
        for &t in targets {
            if !self.targets.contains(&t) {
                self.targets.push(t);
            }
        }
        self
    }

    /// Write into `dir` (created if missing) instead of `OUT_DIR`.
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Config {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` and `cargo:warning` lines (on by
    /// default; turn off when calling from something other than a build script).
    pub fn cargo_metadata(&mut self, on: bool) -> &mut Config {
        self.cargo_metadata = on;
        self
    }

    /// Replace files in the output directory that do not carry the generator's
    /// header comment. Off by default: such a file is an [`Error::Refused`].
    pub fn force(&mut self, on: bool) -> &mut Config {
        self.force = on;
        self
    }

    /// Compile every spec and write the outputs.
    ///
    /// Every spec is named in a `cargo:rerun-if-changed` line first, so that a
    /// failed build is retried when a spec is fixed. If any spec has errors,
    /// nothing is written and the error shows every diagnostic. Warnings become
    /// `cargo:warning` lines. A file whose bytes would not change is left alone.
    pub fn compile(&self) -> Result<Vec<Generated>, Error> {
        if self.specs.is_empty() {
            return Err(Error::NoSpecs);
        }
        if self.targets.is_empty() {
            return Err(Error::NoTargets);
        }
        if self.cargo_metadata {
            for spec in &self.specs {
                println!("cargo:rerun-if-changed={}", spec.display());
            }
        }
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };

        // Compile everything before writing anything: a failure writes nothing.
        let mut failures = String::new();
        let mut failed_specs = 0;
        let mut planned: Vec<(PathBuf, Target, PathBuf, String)> = Vec::new();
        for spec in &self.specs {
            let compiled = ccattr_codegen::compile_file(spec).map_err(Error::Read)?;
            if self.cargo_metadata {
                let source = ccattr_core::compile::source(&compiled);
                // The files it includes (the spec itself is named above).
                for file in &source.files()[1..] {
                    println!("cargo:rerun-if-changed={}", file.name);
                }
                for d in ccattr_core::compile::diagnostics(&compiled)
                    .iter()
                    .filter(|d| d.severity == Severity::Warning)
                {
                    println!("cargo:warning={}", one_line(source, d));
                }
            }
            let checked = match compiled {
                Ok(checked) => checked,
                Err(rejected) => {
                    failed_specs += 1;
                    let errors: Vec<Diagnostic> = rejected
                        .diagnostics
                        .into_iter()
                        .filter(Diagnostic::is_error)
                        .collect();
                    failures.push_str(&diagnostics::text(&rejected.source, &errors));
                    continue;
                }
            };
            let source_name = spec
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| checked.source.name.clone());
            for (target, output) in self.targets.iter().zip(ccattr_codegen::emit(
                &checked.table,
                &source_name,
                &self.targets,
            )) {
                let path = out_dir.join(&output.file_name);
                if let Some((other, ..)) = planned.iter().find(|p| p.2 == path) {
                    return Err(Error::Clash {
                        path,
                        first: other.clone(),
                        second: spec.clone(),
                    });
                }
                planned.push((spec.clone(), *target, path, output.contents));
            }
        }
        if failed_specs > 0 {
            return Err(Error::Spec {
                specs: failed_specs,
                rendered: failures,
            });
        }

        std::fs::create_dir_all(&out_dir)
            .map_err(|e| Error::Write(files::FileError::create_dir(&out_dir, &e)))?;
        if !self.force {
            for (_, _, path, _) in &planned {
                if !files::may_replace(path, GENERATED_MARKER).map_err(Error::Write)? {
                    return Err(Error::Refused { path: path.clone() });
                }
            }
        }
        planned
            .into_iter()
            .map(|(spec, target, path, contents)| {
                let outcome =
                    files::write_if_changed(&path, contents.as_bytes()).map_err(Error::Write)?;
                Ok(Generated {
                    spec,
                    target,
                    path,
                    outcome,
                })
            })
            .collect()
    }
}

/// Compile `specs` into their Rust modules in `OUT_DIR`: [`Config::new`] with the
/// specs, then [`Config::compile`].
pub fn compile_specs<P: AsRef<Path>>(specs: &[P]) -> Result<(), Error> {
    Config::new().specs(specs).compile().map(|_| ())
}

/// A diagnostic on one line, as `cargo:warning` shows it.
fn one_line(source: &Source, d: &Diagnostic) -> String {
    let p = source.position(d.span.start);
    let mut line = format!(
        "{}:{}:{}: {}[{}]: {}",
        source.file_at(d.span.start).name,
        p.line,
        p.column,
        d.severity,
        d.code,
        d.message
    );
    if let Some(h) = &d.help {
        line.push_str(&format!(" (help: {h})"));
    }
    line.replace(['\n', '\r'], " ")
}

/// Why [`Config::compile`] failed. Its `Debug` form is its readable `Display` form,
/// so that `fn main() -> Result<(), ccattr_build::Error>` in a build script shows
/// the diagnostics as they are meant to be read.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No spec was given.
    NoSpecs,
    /// [`Config::emit`] was given no targets.
    NoTargets,
    /// No output directory: `OUT_DIR` is unset (not running as a build script) and
    /// [`Config::out_dir`] was not called.
    NoOutDir,
    /// A spec could not be read.
    Read(ccattr_core::ReadError),
    /// Specs have errors; `rendered` shows each with its source line.
    Spec { specs: usize, rendered: String },
    /// Two specs would write the same file (they declare the same `spec NAME;`).
    Clash {
        path: PathBuf,
        first: PathBuf,
        second: PathBuf,
    },
    /// A file in the output directory was not written by ccattr.
    Refused { path: PathBuf },
    /// Writing failed.
    Write(files::FileError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoSpecs => f.write_str("ccattr-build: no spec to compile (call Config::spec)"),
            Error::NoTargets => f.write_str("ccattr-build: no output selected (Config::emit was given none)"),
            Error::NoOutDir => f.write_str(
                "ccattr-build: OUT_DIR is not set (not running as a build script); call Config::out_dir",
            ),
            Error::Read(e) => write!(f, "ccattr-build: {e}"),
            Error::Spec { specs, rendered } => {
                let what = if *specs == 1 { "spec has" } else { "specs have" };
                write!(f, "ccattr-build: {specs} {what} errors; nothing was generated\n\n{rendered}")
            }
            Error::Clash {
                path,
                first,
                second,
            } => write!(
                f,
                "ccattr-build: {} and {} both generate {}; give them different `spec` names",
                first.display(),
                second.display(),
                path.display()
            ),
            Error::Refused { path } => write!(
                f,
                "ccattr-build: refusing to overwrite {}: it does not carry the `{GENERATED_MARKER}` header \
                 (remove it, or use Config::force)",
                path.display()
            ),
            Error::Write(e) => write!(f, "ccattr-build: {e}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const SPEC: &str = "/// A test spec.\nspec demo;\n/// A.\nattr A;\n/// B.\nattr B = A;\n\
                        /// P.\nplatform p { sets A; }\n/// D.\ndevice d { mmio 0x1000 size 4K; }\n\
                        map d encrypted when B;\n";

    fn quiet() -> Config {
        let mut c = Config::new();
        c.cargo_metadata(false);
        c
    }

    #[test]
    fn writes_the_rust_module_by_default_and_only_when_it_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("demo.ccattr");
        fs::write(&spec, SPEC).expect("write");
        let out = dir.path().join("out");
        let generated = quiet()
            .spec(&spec)
            .out_dir(&out)
            .compile()
            .expect("compiles");
        assert_eq!(generated.len(), 1);
        assert_eq!(generated[0].target, Target::Rust);
        assert_eq!(generated[0].path, out.join("demo.rs"));
        assert_eq!(generated[0].outcome, Outcome::Written);
        let text = fs::read_to_string(out.join("demo.rs")).expect("read");
        assert!(text.contains(GENERATED_MARKER), "{text}");
        assert!(text.contains("fn decide("), "{text}");

        let again = quiet()
            .spec(&spec)
            .out_dir(&out)
            .compile()
            .expect("compiles");
        assert_eq!(again[0].outcome, Outcome::Unchanged);

        // A comment-only change that moves no line leaves the bytes, and so the file,
        // as they were (generated comments cite spec lines).
        fs::write(&spec, SPEC.replace("attr A;", "attr A; // the base")).expect("write");
        let third = quiet()
            .spec(&spec)
            .out_dir(&out)
            .compile()
            .expect("compiles");
        assert_eq!(third[0].outcome, Outcome::Unchanged);
    }

    #[test]
    fn emits_every_target_asked_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("demo.ccattr");
        fs::write(&spec, SPEC).expect("write");
        let generated = quiet()
            .spec(&spec)
            .emit(&[Target::C, Target::Json, Target::C])
            .out_dir(dir.path())
            .compile()
            .expect("compiles");
        let names: Vec<_> = generated
            .iter()
            .map(|g| g.path.file_name().map(|n| n.to_owned()))
            .collect();
        assert_eq!(names, [Some("demo.h".into()), Some("demo.json".into())]);
        assert!(!dir.path().join("demo.rs").exists());
    }

    #[test]
    fn spec_errors_are_readable_and_write_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("good.ccattr");
        fs::write(&good, SPEC).expect("write");
        let bad = dir.path().join("bad.ccattr");
        fs::write(&bad, "spec bad;\nattr A;\nplatform p { sets NOPE; }\n").expect("write");
        let out = dir.path().join("out");
        let err = quiet()
            .spec(&good)
            .spec(&bad)
            .out_dir(&out)
            .compile()
            .expect_err("fails");
        let text = format!("{err:?}");
        assert!(
            text.contains("1 spec has errors; nothing was generated"),
            "{text}"
        );
        assert!(text.contains("error[E0105]"), "{text}");
        assert!(text.contains("bad.ccattr:3:19"), "{text}");
        assert!(
            text.contains("platform p { sets NOPE; }"),
            "the source line is shown: {text}"
        );
        assert!(
            !out.exists(),
            "nothing is written, not even the good spec's output"
        );
    }

    #[test]
    fn misuse_is_explained() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(quiet().out_dir(dir.path()).compile(), Err(Error::NoSpecs));
        assert_eq!(
            quiet()
                .spec("x.ccattr")
                .emit(&[])
                .out_dir(dir.path())
                .compile(),
            Err(Error::NoTargets)
        );
        let missing = dir.path().join("missing.ccattr");
        match quiet().spec(&missing).out_dir(dir.path()).compile() {
            Err(Error::Read(e)) => {
                assert_eq!(e.path, missing);
                assert_eq!(e.kind, std::io::ErrorKind::NotFound);
                assert!(
                    e.to_string().ends_with(": no such file or directory"),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn two_specs_with_one_name_clash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.ccattr");
        let b = dir.path().join("b.ccattr");
        fs::write(&a, SPEC).expect("write");
        fs::write(&b, SPEC).expect("write");
        let err = quiet()
            .spec(&a)
            .spec(&b)
            .out_dir(dir.path().join("out"))
            .compile();
        assert!(matches!(err, Err(Error::Clash { .. })), "{err:?}");
        assert!(!dir.path().join("out").exists());
    }

    #[test]
    fn foreign_files_are_not_overwritten_without_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("demo.ccattr");
        fs::write(&spec, SPEC).expect("write");
        let target = dir.path().join("demo.rs");
        fs::write(&target, "// mine\n").expect("write");
        let err = quiet().spec(&spec).out_dir(dir.path()).compile();
        assert_eq!(
            err,
            Err(Error::Refused {
                path: target.clone()
            })
        );
        assert_eq!(fs::read_to_string(&target).expect("read"), "// mine\n");
        let done = quiet()
            .spec(&spec)
            .out_dir(dir.path())
            .force(true)
            .compile()
            .expect("forced");
        assert_eq!(done[0].outcome, Outcome::Written);
        assert!(fs::read_to_string(&target)
            .expect("read")
            .contains(GENERATED_MARKER));
    }
}
