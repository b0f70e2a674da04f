//! Writing generated files as build tools expect: atomically (a temporary file in the
//! same directory, then a rename), only when the bytes change, and never over a file
//! the generator did not write. `ccattr build`, `ccattr fmt` and [`crate::Config`]
//! all write through here.

use ccattr_core::compile::io_reason;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Why a file could not be written (or read, to compare): the path, and what went
/// wrong. Its message names the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub kind: FileErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileErrorKind {
    /// The file name is longer than [`MAX_FILE_NAME`] bytes.
    NameTooLong { len: usize },
    /// The path is a directory.
    IsDirectory,
    /// The old file could not be read to look for the generator's marker.
    Read {
        io: std::io::ErrorKind,
        reason: String,
    },
    /// The directory to write into could not be created.
    CreateDirectory {
        io: std::io::ErrorKind,
        reason: String,
    },
    /// Writing failed; `step` says where, when it was not the write itself.
    Write {
        step: Option<&'static str>,
        io: std::io::ErrorKind,
        reason: String,
    },
}

impl FileError {
    fn new(path: &Path, kind: FileErrorKind) -> FileError {
        FileError {
            path: path.to_path_buf(),
            kind,
        }
    }

    /// The output directory `dir` could not be created.
    pub fn create_dir(dir: &Path, e: &std::io::Error) -> FileError {
        FileError::new(
            dir,
            FileErrorKind::CreateDirectory {
                io: e.kind(),
                reason: io_reason(e),
            },
        )
    }

    fn write(path: &Path, step: Option<&'static str>, e: &std::io::Error) -> FileError {
        FileError::new(
            path,
            FileErrorKind::Write {
                step,
                io: e.kind(),
                reason: io_reason(e),
            },
        )
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            FileErrorKind::NameTooLong { len } => write!(
                f,
                "cannot write {}: the file name is {len} bytes, longer than the {MAX_FILE_NAME} that can be written \
                 (the name comes from the spec's `spec NAME;`)",
                short_display(&self.path)
            ),
            FileErrorKind::IsDirectory => {
                write!(f, "cannot write {}: it is a directory", self.path.display())
            }
            FileErrorKind::CreateDirectory { reason, .. } => write!(
                f,
                "cannot create output directory {}: {reason}",
                self.path.display()
            ),
            FileErrorKind::Read { reason, .. } => {
                write!(f, "cannot read {}: {reason}", self.path.display())
            }
            FileErrorKind::Write { step, reason, .. } => match step {
                Some(step) => write!(f, "cannot write {}: {step}: {reason}", self.path.display()),
                None => write!(f, "cannot write {}: {reason}", self.path.display()),
            },
        }
    }
}

impl std::error::Error for FileError {}

/// For the command line, whose commands fail with a message.
impl From<FileError> for String {
    fn from(e: FileError) -> String {
        e.to_string()
    }
}

/// What [`write_if_changed`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file already held exactly these bytes; it was not touched (its
    /// modification time is unchanged).
    Unchanged,
    /// The file was created or replaced.
    Written,
}

/// The longest file name written: 255 bytes (the limit of Linux and most file
/// systems) less room for the suffix of the temporary file written first.
pub const MAX_FILE_NAME: usize = 255 - 32;

/// `path` for a message, its middle left out when it is very long.
pub fn short_display(path: &Path) -> String {
    let s = path.display().to_string();
    if s.len() <= 160 {
        return s;
    }
    let cut = |mut i: usize| {
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    format!(
        "{}...{} ({} bytes)",
        &s[..cut(100)],
        &s[cut(s.len() - 40)..],
        s.len()
    )
}

/// Refuse a file name longer than [`MAX_FILE_NAME`] before the file system does, with
/// a message that does not repeat all of it.
fn check_name(path: &Path) -> Result<(), FileError> {
    let len = path.file_name().map_or(0, |n| n.len());
    if len > MAX_FILE_NAME {
        return Err(FileError::new(path, FileErrorKind::NameTooLong { len }));
    }
    Ok(())
}

/// How far into a file [`may_replace`] looks for the marker.
const MARKER_WINDOW: usize = 4096;

/// Whether `path` may be replaced: it does not exist, or its first 4 KiB carry
/// `marker`.
pub fn may_replace(path: &Path, marker: &str) -> Result<bool, FileError> {
    check_name(path)?;
    let head = fs::File::open(path).and_then(|f| {
        use std::io::Read as _;
        let mut head = Vec::with_capacity(MARKER_WINDOW);
        f.take(MARKER_WINDOW as u64).read_to_end(&mut head)?;
        Ok(head)
    });
    match head {
        Ok(head) => Ok(String::from_utf8_lossy(&head).contains(marker)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(FileError::new(
            path,
            FileErrorKind::Read {
                io: e.kind(),
                reason: io_reason(&e),
            },
        )),
    }
}

/// Replace `path` with `contents` unless it already holds exactly those bytes. A
/// path that is not a regular file (`/dev/null`, a FIFO, a terminal) is written to,
/// never read or replaced.
pub fn write_if_changed(path: &Path, contents: &[u8]) -> Result<Outcome, FileError> {
    if is_special(path)? {
        write_atomic(path, contents)?;
        return Ok(Outcome::Written);
    }
    if let Ok(old) = fs::read(path) {
        if old == contents {
            return Ok(Outcome::Unchanged);
        }
    }
    write_atomic(path, contents)?;
    Ok(Outcome::Written)
}

/// Write a temporary file beside `path`, flush it to disk, and rename it over `path`:
/// a reader sees the whole old file or the whole new one, never a part. A file that
/// is replaced keeps its permissions. `path` itself is replaced: if it is a symbolic
/// link to a regular file, the link (not its target) becomes a regular file. A path
/// that is not a regular file (a device such as `/dev/null`, a FIFO) is written to
/// in place: renaming over it would replace the device with a file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    check_name(path)?;
    if is_special(path)? {
        return write_in_place(path, &mut |w| w.write_all(contents));
    }
    let mut temp = Temp::create(path)?;
    match temp.file.write_all(contents) {
        Ok(()) => temp.commit(),
        Err(e) => Err(temp.fail("writing the temporary file failed", e)),
    }
}

/// [`write_if_changed`] with the bytes that `write` writes, as it writes them: into a
/// temporary file beside `path`, which replaces `path` as [`write_atomic`] does unless
/// `path` already holds exactly those bytes (then it is removed, and `path` keeps its
/// modification time). The contents are never all in memory here.
pub fn write_streamed(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<Outcome, FileError> {
    check_name(path)?;
    if is_special(path)? {
        write_in_place(path, write)?;
        return Ok(Outcome::Written);
    }
    let mut temp = Temp::create(path)?;
    if let Err(e) = write(&mut temp.file) {
        return Err(temp.fail("writing the temporary file failed", e));
    }
    if same_contents(&temp.tmp, path) {
        temp.discard();
        return Ok(Outcome::Unchanged);
    }
    temp.commit()?;
    Ok(Outcome::Written)
}

/// Write to a path that is not a regular file, in place.
fn write_in_place(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|mut f| write(&mut f))
        .map_err(|e| FileError::write(path, None, &e))
}

/// Whether the files `a` and `b` both exist and hold the same bytes.
fn same_contents(a: &Path, b: &Path) -> bool {
    use std::io::Read as _;
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    if !mb.is_file() || ma.len() != mb.len() {
        return false;
    }
    let (Ok(fa), Ok(fb)) = (fs::File::open(a), fs::File::open(b)) else {
        return false;
    };
    let (mut fa, mut fb) = (
        std::io::BufReader::with_capacity(1 << 16, fa),
        std::io::BufReader::with_capacity(1 << 16, fb),
    );
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = match fa.read(&mut ba) {
            Ok(0) => return fb.read(&mut bb[..1]).is_ok_and(|m| m == 0),
            Ok(n) => n,
            Err(_) => return false,
        };
        if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

/// A temporary file beside the file it will replace.
struct Temp {
    /// The file it replaces.
    path: PathBuf,
    tmp: PathBuf,
    dir: PathBuf,
    file: fs::File,
    /// The permissions of the file it replaces, which it keeps.
    permissions: Option<fs::Permissions>,
}

impl Temp {
    fn create(path: &Path) -> Result<Temp, FileError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let permissions = fs::metadata(path).ok().map(|m| m.permissions());
        let mut attempt = 0u32;
        loop {
            let tmp = dir.join(format!(
                ".{name}.ccattr-tmp.{}.{attempt}",
                std::process::id()
            ));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(file) => {
                    return Ok(Temp {
                        path: path.to_path_buf(),
                        tmp,
                        dir,
                        file,
                        permissions,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1
                }
                Err(e) => {
                    return Err(FileError::write(
                        path,
                        Some("cannot create a temporary file"),
                        &e,
                    ))
                }
            }
        }
    }

    /// Remove the temporary file; the error of `step`.
    fn fail(self, step: &'static str, e: std::io::Error) -> FileError {
        let err = FileError::write(&self.path, Some(step), &e);
        self.discard();
        err
    }

    fn discard(self) {
        drop(self.file);
        let _ = fs::remove_file(&self.tmp);
    }

    /// Flush the temporary file to disk and rename it over the file it replaces.
    fn commit(self) -> Result<(), FileError> {
        let fail =
            |step: &'static str, e: std::io::Error| FileError::write(&self.path, Some(step), &e);
        let result = match &self.permissions {
            Some(p) => self.file.set_permissions(p.clone()),
            None => Ok(()),
        }
        .and_then(|()| self.file.sync_all())
        .map_err(|e| fail("writing the temporary file failed", e))
        .and_then(|()| {
            fs::rename(&self.tmp, &self.path)
                .map_err(|e| fail("renaming the temporary file failed", e))
        });
        if result.is_err() {
            self.discard();
        } else {
            drop(self.file);
            // Make the rename itself durable where the platform allows it; a failure
            // here loses nothing that was not already at risk.
            if let Ok(d) = fs::File::open(&self.dir) {
                let _ = d.sync_all();
            }
        }
        result
    }
}

/// Whether `path` exists and is neither a regular file nor a directory (following
/// symbolic links). A directory is an error: nothing can be written there.
fn is_special(path: &Path) -> Result<bool, FileError> {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(FileError::new(path, FileErrorKind::IsDirectory)),
        Ok(m) => Ok(!m.is_file()),
        Err(_) => Ok(false),
    }
}

/// A unified diff from the file on disk to what it should be, with `path` in both
/// headers (`(on disk)` and `(generated)`).
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    labelled_diff(path, old, new, "on disk", "generated")
}

/// A unified diff from `old` to `new` whose headers read `PATH (old_label)` and
/// `PATH (new_label)`.
pub fn labelled_diff(
    path: &Path,
    old: &str,
    new: &str,
    old_label: &str,
    new_label: &str,
) -> String {
    let p = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{p} ({old_label})"), &format!("{p} ({new_label})"))
        .missing_newline_hint(true)
        .to_string()
}

/// Escape a path for a Make rule.
pub fn make_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '$' => out.push_str("$$"),
            _ => out.push(c),
        }
    }
    out
}

/// A Make depfile: one rule naming the `targets` (the outputs, or a stamp) and every
/// input as a prerequisite, paths escaped for Make; then, as gcc's `-MP` does, an
/// empty rule for each input after the first (the spec), so that Make does not stop
/// when an included file is deleted along with its `include`.
pub fn depfile(targets: &[PathBuf], inputs: &[PathBuf]) -> String {
    let join = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| make_escape(&p.display().to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut text = format!("{}: {}\n", join(targets), join(inputs));
    for input in inputs.iter().skip(1) {
        text.push_str(&format!(
            "\n{}:\n",
            make_escape(&input.display().to_string())
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn write_if_changed_keeps_an_unchanged_file_and_its_mtime() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.h");
        assert_eq!(write_if_changed(&path, b"one\n"), Ok(Outcome::Written));
        let before = fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(write_if_changed(&path, b"one\n"), Ok(Outcome::Unchanged));
        let after = fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(before, after);
        assert_eq!(write_if_changed(&path, b"two\n"), Ok(Outcome::Written));
        assert_eq!(fs::read(&path).expect("read"), b"two\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["x.h"], "no temporary file is left behind");
    }

    #[test]
    fn streamed_writes_replace_only_what_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        // Written in many small pieces, as a serializer writes.
        let pieces = |text: &'static str| {
            move |w: &mut dyn std::io::Write| {
                for b in text.as_bytes() {
                    w.write_all(std::slice::from_ref(b))?;
                }
                Ok(())
            }
        };
        let mtime = || {
            fs::metadata(&path)
                .and_then(|m| m.modified())
                .expect("mtime")
        };
        assert_eq!(
            write_streamed(&path, &mut pieces("one\n")),
            Ok(Outcome::Written)
        );
        let before = mtime();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            write_streamed(&path, &mut pieces("one\n")),
            Ok(Outcome::Unchanged)
        );
        assert_eq!(before, mtime());
        // The same length, other bytes; then longer; then shorter.
        for text in ["two\n", "three\n", "4\n"] {
            assert_eq!(
                write_streamed(&path, &mut pieces(text)),
                Ok(Outcome::Written)
            );
            assert_eq!(fs::read_to_string(&path).expect("read"), text);
        }
        // A writer that fails leaves the old file and no temporary file.
        let err = write_streamed(&path, &mut |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("the emitter failed"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("the emitter failed"), "{err}");
        assert_eq!(fs::read_to_string(&path).expect("read"), "4\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["x.json"], "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("spec.ccattr");
        fs::write(&path, "old").expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&path, b"new").expect("write_atomic");
        let mode = fs::metadata(&path).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(fs::read(&path).expect("read"), b"new");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A directory in the way: refused, and no temporary file is left.
        let path = dir.path().join("taken");
        fs::create_dir_all(path.join("inner")).expect("mkdir");
        let err = write_atomic(&path, b"x").expect_err("cannot replace a directory");
        assert_eq!(err.kind, FileErrorKind::IsDirectory);
        assert!(err.to_string().contains("it is a directory"), "{err}");
        let err = write_if_changed(&path, b"x").expect_err("cannot replace a directory");
        assert_eq!(err.kind, FileErrorKind::IsDirectory);
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["taken"]);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_to_not_replaced() {
        use std::os::unix::fs::FileTypeExt as _;
        let null = Path::new("/dev/null");
        if !fs::metadata(null).is_ok_and(|m| m.file_type().is_char_device()) {
            return; // no /dev/null device here to check against
        }
        assert_eq!(write_if_changed(null, b"depfile\n"), Ok(Outcome::Written));
        write_atomic(null, b"x").expect("write to /dev/null");
        let m = fs::metadata(null).expect("metadata");
        assert!(
            m.file_type().is_char_device(),
            "/dev/null is still a device"
        );
    }

    #[test]
    fn only_marked_files_may_be_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.h");
        assert_eq!(may_replace(&path, "MARK"), Ok(true), "a missing file");
        fs::write(&path, "/* MARK */\nint x;\n").expect("write");
        assert_eq!(may_replace(&path, "MARK"), Ok(true));
        fs::write(&path, "/* hand-written */\n").expect("write");
        assert_eq!(may_replace(&path, "MARK"), Ok(false));
        let mut late = vec![b' '; MARKER_WINDOW];
        late.extend_from_slice(b"MARK");
        fs::write(&path, late).expect("write");
        assert_eq!(
            may_replace(&path, "MARK"),
            Ok(false),
            "the marker must be in the head"
        );
    }

    #[test]
    fn over_long_names_are_refused_with_a_short_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ok = dir.path().join("n".repeat(MAX_FILE_NAME));
        assert_eq!(
            write_atomic(&ok, b"x"),
            Ok(()),
            "the longest name is written"
        );
        let long = dir.path().join(format!("{}.h", "S".repeat(1 << 20)));
        for err in [
            write_atomic(&long, b"x").expect_err("too long"),
            may_replace(&long, "M").expect_err("too long"),
        ] {
            assert_eq!(err.kind, FileErrorKind::NameTooLong { len: 1048578 });
            let err = err.to_string();
            assert!(err.contains("the file name is 1048578 bytes"), "{err}");
            assert!(err.len() < 400, "the message is short: {} bytes", err.len());
        }
    }

    #[test]
    fn depfiles_escape_make_syntax() {
        assert_eq!(make_escape("a b#c$d\\e"), "a\\ b\\#c$$d\\\\e");
        let text = depfile(
            &[PathBuf::from("out/x.h"), PathBuf::from("out dir/x.rs")],
            &[PathBuf::from("specs/x.ccattr")],
        );
        assert_eq!(text, "out/x.h out\\ dir/x.rs: specs/x.ccattr\n");
        let text = depfile(
            &[PathBuf::from("out/.x.stamp")],
            &[PathBuf::from("x.ccattr"), PathBuf::from("attrs/a b.ccattr")],
        );
        assert_eq!(
            text,
            "out/.x.stamp: x.ccattr attrs/a\\ b.ccattr\n\nattrs/a\\ b.ccattr:\n"
        );
    }

    #[test]
    fn diffs_name_the_file() {
        let d = unified_diff(Path::new("out/x.h"), "a\nb\n", "a\nc\n");
        assert!(d.contains("--- out/x.h (on disk)"), "{d}");
        assert!(d.contains("+++ out/x.h (generated)"), "{d}");
        assert!(d.contains("-b\n+c\n"), "{d}");
        assert_eq!(unified_diff(Path::new("x"), "same\n", "same\n"), "");
    }
}
