//! Reading a kernel tree: `include/linux/cc_platform.h`, which must be there, and
//! `arch/x86/coco/core.c`, which may be (a headers tree has none).

use crate::scan::MAX_FILE_BYTES;
use ccattr_core::compile::{read, ReadError};
use ccattr_core::Source;
use std::fmt;
use std::path::{Path, PathBuf};

/// The header, relative to the tree.
pub const HEADER: &str = "include/linux/cc_platform.h";
/// The x86 vendors' `cc_platform_has()`, relative to the tree.
pub const CORE_C: &str = "arch/x86/coco/core.c";

/// A kernel file, read: its path as shown, and its text (bytes that are not UTF-8
/// replaced by U+FFFD).
pub struct KernelFile {
    pub path: PathBuf,
    pub source: Source,
}

pub struct Tree {
    pub dir: PathBuf,
    pub header: KernelFile,
    pub core: Option<KernelFile>,
}

/// Why a tree cannot be read (exit status 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeError(pub String);

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TreeError {}

/// Read the tree at `dir`.
pub fn read_tree(dir: &Path) -> Result<Tree, TreeError> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(TreeError(format!(
            "kernel tree {} is not a directory; give the top of a kernel source or headers tree",
            dir.display()
        )))
        }
        Err(e) => {
            return Err(TreeError(format!(
                "cannot read kernel tree {}: {}",
                dir.display(),
                ccattr_core::compile::io_reason(&e)
            )))
        }
    }
    let header_path = dir.join(HEADER);
    let header = match file(&header_path)? {
        Some(h) => h,
        None => {
            return Err(TreeError(format!(
                "kernel tree {} has no {HEADER} (looked for {}); give the top of a kernel \
                 source tree, or of a headers tree such as /usr/src/linux-headers-VERSION-common",
                dir.display(),
                header_path.display()
            )))
        }
    };
    let core = file(&dir.join(CORE_C))?;
    Ok(Tree {
        dir: dir.to_path_buf(),
        header,
        core,
    })
}

/// Read one file: `None` if there is none at `path`.
fn file(path: &Path) -> Result<Option<KernelFile>, TreeError> {
    let bytes = match read(path) {
        Ok(b) => b,
        Err(ReadError {
            kind: std::io::ErrorKind::NotFound,
            ..
        }) => return Ok(None),
        Err(e) => return Err(TreeError(e.to_string())),
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(TreeError(format!(
            "cannot read {}: it is larger than {} KiB, which no kernel's is",
            path.display(),
            MAX_FILE_BYTES >> 10
        )));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Some(KernelFile {
        path: path.to_path_buf(),
        source: Source::new(path.display().to_string(), text),
    }))
}
