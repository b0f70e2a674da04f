//! The loader: a spec's root file and every file it includes (`include "PATH";`,
//! version 2), read once each, into one [`Source`] with a file table and one syntax
//! tree in which each `include` is replaced by the items of its file.
//!
//! Every front end loads through here ([`crate::compile`]); where the files come
//! from is a [`Files`]: the disk, a revision of a git repository (`review
//! --base-rev`), or an editor's open documents (the language server).

use crate::compile::ReadError;
use ccattr_grammar::ast::{Item, ItemKind, SpecFile};
use ccattr_grammar::{Diagnostic, Source, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// At most this many files in one spec, the root included.
pub const MAX_FILES: usize = 256;
/// At most this many includes deep (the root's includes are depth 1).
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// Where the loader reads included files from.
pub trait Files {
    /// The bytes of the file at `path` (at most one byte more than the size limit,
    /// [`ccattr_grammar::max_source_bytes`], which all the files of a spec together
    /// are held to as one file is).
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError>;

    /// A key that is the same for every path of one file (for files reached twice,
    /// and for cycles).
    fn key(&self, path: &Path) -> PathBuf;
}

/// The file system: only regular files, keyed by their canonical path.
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        crate::compile::read(path)
    }

    fn key(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    }
}

/// No files at all: every `include` is an error (for text that must not reach the
/// disk, such as a fuzzer's input).
pub struct NoFiles;

impl Files for NoFiles {
    fn key(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        Err(ReadError {
            path: path.to_path_buf(),
            kind: std::io::ErrorKind::NotFound,
            reason: "includes are not read here".into(),
        })
    }
}

/// A loaded spec: the source of every file, the tree of all of them, and what the
/// loader and the parser found.
#[derive(Debug)]
pub struct Loaded {
    pub source: Source,
    pub file: SpecFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// The root file as it was read: its name as shown, its bytes, and its path on the
/// disk (or in the [`Files`]) if it has one, which its includes are relative to.
pub struct Root<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub path: Option<&'a Path>,
}

/// Load the root and every file it includes. A root that is not text (too large, not
/// UTF-8) gives its one diagnostic and an empty tree.
pub fn load(root: Root<'_>, files: &dyn Files) -> Loaded {
    let mut source = match ccattr_grammar::load(root.name, root.bytes) {
        Ok(source) => source,
        Err(e) => {
            return Loaded {
                source: e.source,
                file: SpecFile::default(),
                diagnostics: vec![e.diagnostic],
            }
        }
    };
    let text_len = source.text.len();
    let (file, diagnostics) = ccattr_grammar::parse_part(&source.text, 0, text_len);
    if !file
        .items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Include(_)))
    {
        // One file, as every version 1 spec is.
        return Loaded {
            source,
            file,
            diagnostics,
        };
    }
    let real_dir = root
        .path
        .map(|p| p.parent().unwrap_or(Path::new("")).to_path_buf())
        .unwrap_or_default();
    let root_key = root.path.map(|p| files.key(p));
    let mut loader = Loader {
        files,
        total: root.bytes.len(),
        keys: HashMap::new(),
        root_key,
        stack: Vec::new(),
        diagnostics,
    };
    let at = Here {
        file: 0,
        real_dir,
        shown_dir: parent(root.name).to_string(),
        rel_dir: String::new(),
    };
    let SpecFile {
        items: root_items,
        comments,
        end_doc,
        text_start,
    } = file;
    let mut tree = SpecFile {
        items: Vec::with_capacity(root_items.len()),
        comments,
        end_doc,
        text_start,
    };
    loader.splice(&mut source, &at, root_items, &mut tree);
    // Comments in the order of the text (the files' texts follow one another).
    tree.comments.sort_by_key(|c| c.span.start);
    Loaded {
        source,
        file: tree,
        diagnostics: loader.diagnostics,
    }
}

/// Where the loader is: the file whose items it splices, and the folders its
/// includes are relative to.
struct Here {
    file: usize,
    /// Its folder, to read from.
    real_dir: PathBuf,
    /// Its folder as diagnostics show it.
    shown_dir: String,
    /// Its folder relative to the root file's.
    rel_dir: String,
}

struct Loader<'f> {
    files: &'f dyn Files,
    /// The bytes read so far.
    total: usize,
    /// Every file read, by key.
    keys: HashMap<PathBuf, usize>,
    /// The root file's key, when it has one.
    root_key: Option<PathBuf>,
    /// The includes being read, outermost first: the file's key, its index and the
    /// `include` that reads it.
    stack: Vec<(PathBuf, usize, Span)>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader<'_> {
    /// Put `items` into the tree, each `include` replaced by its file's items.
    fn splice(&mut self, source: &mut Source, at: &Here, items: Vec<Item>, tree: &mut SpecFile) {
        for item in items {
            match &item.kind {
                ItemKind::Include(path) => {
                    let (path, span) = (path.value.clone(), item.span);
                    self.include(source, at, &path, span, tree);
                }
                ItemKind::Spec(name) if at.file != 0 => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "E0132",
                            format!("an included file has a `spec` declaration (`{}`)", name.name),
                            item.span,
                        )
                        .with_label("only the root file names the spec")
                        .with_secondary(
                            self.stack.last().map_or(Span::default(), |s| s.2),
                            "included here",
                        )
                        .with_help("remove this line: the file is read as part of the spec that includes it"),
                    );
                }
                _ => tree.items.push(item),
            }
        }
    }

    fn include(
        &mut self,
        source: &mut Source,
        at: &Here,
        path: &str,
        span: Span,
        tree: &mut SpecFile,
    ) {
        let error = |code, message: String, label: &str| {
            Diagnostic::error(code, message, span).with_label(label.to_string())
        };
        if path.is_empty() || path.starts_with('/') || path.contains('\\') || path.contains('\0') {
            self.diagnostics.push(
                error(
                    "E0133",
                    format!("include path `{}` is not a relative path", path.escape_default()),
                    "not relative to this file's folder",
                )
                .with_help("write the path relative to the folder of the including file, with `/` between folders"),
            );
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            self.diagnostics.push(error(
                "E0135",
                format!("includes nested more than {MAX_INCLUDE_DEPTH} deep"),
                "one include too many",
            ));
            return;
        }
        let shown = join(&at.shown_dir, path);
        let real = at.real_dir.join(path);
        let bytes = match self.files.read(&real) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.diagnostics.push(
                    error(
                        "E0130",
                        format!("cannot read included file `{shown}`: {}", e.reason),
                        "included here",
                    )
                    .with_note(format!(
                        "the path is relative to the folder of {}",
                        source.file_at(span.start).name
                    )),
                );
                return;
            }
        };
        let key = self.files.key(&real);
        // A cycle: the file is the root or one of those being read.
        let cycle_from = if self.root_key.as_ref() == Some(&key) {
            Some(None)
        } else {
            self.stack.iter().position(|s| s.0 == key).map(Some)
        };
        if let Some(from) = cycle_from {
            let steps = &self.stack[from.unwrap_or(0)..];
            let mut names: Vec<&str> = Vec::new();
            if from.is_none() {
                names.push(&source.files()[0].name);
            }
            names.extend(steps.iter().map(|s| source.files()[s.1].name.as_str()));
            names.push(&shown);
            let mut d = error(
                "E0131",
                format!("include cycle: {}", names.join(" includes ")),
                "this include closes the cycle",
            );
            // The includes along the cycle, the first one where the cycle starts
            // excluded when that file is not the root (it is outside the cycle).
            let skip = usize::from(from.is_some());
            for s in steps.iter().skip(skip) {
                d = d.with_secondary(s.2, "included here");
            }
            self.diagnostics.push(d);
            return;
        }
        if self.keys.contains_key(&key) {
            // Reached before (a diamond): read once, its items stand where it was
            // first included.
            return;
        }
        if self.keys.len() + 1 >= MAX_FILES {
            self.diagnostics.push(error(
                "E0134",
                format!("more than {MAX_FILES} files in one spec"),
                "one file too many",
            ));
            return;
        }
        self.total += bytes.len();
        let limit = ccattr_grammar::max_source_bytes();
        if self.total > limit {
            self.diagnostics.push(error(
                "E0136",
                ccattr_grammar::too_large("the spec's files together are", limit),
                "this file would pass the limit",
            ));
            return;
        }
        let rel = join(&at.rel_dir, path);
        let (text, bad) = match ccattr_grammar::load(&shown, &bytes) {
            Ok(s) => (s.text, None),
            Err(e) => (e.source.text, Some(e.diagnostic)),
        };
        let file = source.push_file(shown.clone(), rel.clone(), &text, span);
        self.keys.insert(key.clone(), file);
        let (start, end) = (source.files()[file].start, source.files()[file].end);
        if let Some(mut d) = bad {
            d.span = Span::new(d.span.start + start, d.span.end + start);
            d = d.with_secondary(span, "included here");
            self.diagnostics.push(d);
            return;
        }
        let (parsed, diags) = ccattr_grammar::parse_part(&source.text, start, end);
        self.diagnostics.extend(diags);
        tree.comments.extend(parsed.comments);
        // A doc comment that ends the file: the parser warned about it (W0001), and
        // only the root's is kept in the tree.
        let here = Here {
            file,
            real_dir: real.parent().unwrap_or(Path::new("")).to_path_buf(),
            shown_dir: parent(&shown).to_string(),
            rel_dir: parent(&rel).to_string(),
        };
        self.stack.push((key, file, span));
        self.splice(source, &here, parsed.items, tree);
        self.stack.pop();
    }
}

/// The folder part of a `/`-separated path ("" for none).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir/path`, with `.` and `folder/..` taken out (as written: links are not
/// followed, so that the name shown is the one the user wrote).
pub fn join(dir: &str, path: &str) -> String {
    let absolute = dir.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn join_is_lexical() {
        assert_eq!(
            join("examples", "attrs/linux.ccattr"),
            "examples/attrs/linux.ccattr"
        );
        assert_eq!(join("", "a.ccattr"), "a.ccattr");
        assert_eq!(join("a/b", "../c.ccattr"), "a/c.ccattr");
        assert_eq!(join("a", "../../c.ccattr"), "../c.ccattr");
        assert_eq!(join("", "./x/./y.ccattr"), "x/y.ccattr");
        assert_eq!(join("/r/s", "../../../t.ccattr"), "/t.ccattr");
        assert_eq!(join("..", "../x"), "../../x");
    }
}
