//! The ccattr spec language: the pest grammar (`ccattr.pest`), the syntax tree
//! with byte spans, the parser, and the neutral diagnostic type.

// pest's generated parser names `alloc` when pest is built without `std`.
extern crate alloc;

pub mod ast;
mod diag;
pub mod lexical;
pub mod parser;
pub mod printer;

pub use diag::{Diagnostic, Label, Position, Severity, Source, SourceFile, Span};
pub use lexical::MAX_NESTING;
pub use parser::{is_keyword, parse, parse_part};

/// The largest spec accepted by default, in bytes: the size of [`max_source_bytes`]
/// unless [`MAX_SOURCE_BYTES_VAR`] sets another.
pub const MAX_SOURCE_BYTES: usize = 16 << 20;

/// The environment variable that sets the largest spec accepted, in bytes (a number
/// as the language writes one: decimal or `0x` hex, `_` between digits, a `K`, `M`
/// or `G` suffix), from 1 to [`MAX_SOURCE_BYTES_CEILING`]: for specs generated from
/// inventories larger than 16 MiB (a million devices is some 165 MB).
pub const MAX_SOURCE_BYTES_VAR: &str = "CCATTR_MAX_SOURCE_BYTES";

/// The most that [`MAX_SOURCE_BYTES_VAR`] may set: 4 GiB.
pub const MAX_SOURCE_BYTES_CEILING: usize = 4 << 30;

/// The largest spec accepted, in bytes: [`MAX_SOURCE_BYTES`], or what
/// [`MAX_SOURCE_BYTES_VAR`] says (read once). A value that is not a number in range
/// leaves the default; the command line refuses it first ([`source_limit_from_env`]).
pub fn max_source_bytes() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        source_limit_from_env()
            .ok()
            .flatten()
            .unwrap_or(MAX_SOURCE_BYTES)
    })
}

/// What [`MAX_SOURCE_BYTES_VAR`] sets: `None` when it is not set, an error that says
/// why when it is not a number from 1 to [`MAX_SOURCE_BYTES_CEILING`].
pub fn source_limit_from_env() -> Result<Option<usize>, String> {
    let Some(raw) = std::env::var_os(MAX_SOURCE_BYTES_VAR) else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    let value = text.trim();
    // What the grammar's `int` reads (int_value takes only that): digits first.
    let valid = value.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match valid.then(|| parser::int_value(value)).flatten() {
        Some(n) if (1..=MAX_SOURCE_BYTES_CEILING as u128).contains(&n) => Ok(Some(n as usize)),
        _ => Err(format!(
            "{MAX_SOURCE_BYTES_VAR}={text:?} is not a size from 1 to {MAX_SOURCE_BYTES_CEILING} bytes \
             (a number, as 64M or 0x4000000)"
        )),
    }
}

/// A file that could not become a [`Source`]: the diagnostic, and a source holding
/// what could be read, for showing it.
#[derive(Debug)]
pub struct LoadError {
    pub source: Source,
    pub diagnostic: Diagnostic,
}

/// The message of a spec over the size limit: "WHAT larger than the limit of N bytes
/// (M MiB)".
pub fn too_large(what: &str, limit: usize) -> String {
    let (mib, kib) = (1usize << 20, 1usize << 10);
    let unit = if limit % mib == 0 {
        format!(" ({} MiB)", limit / mib)
    } else if limit > mib {
        format!(" ({:.1} MiB)", limit as f64 / mib as f64)
    } else if limit % kib == 0 {
        format!(" ({} KiB)", limit / kib)
    } else {
        String::new()
    };
    format!("{what} larger than the limit of {limit} bytes{unit}")
}

/// Turn a file's bytes into a [`Source`]: checks size and UTF-8.
pub fn load(name: &str, bytes: &[u8]) -> Result<Source, Box<LoadError>> {
    let limit = max_source_bytes();
    if bytes.len() > limit {
        let prefix = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).into_owned();
        let src = Source::new(name, prefix);
        let d = Diagnostic::error("E0007", too_large("spec is", limit), Span::new(0, 0))
            .with_label("file too large")
            .with_help(format!(
                "{MAX_SOURCE_BYTES_VAR} sets another limit (as {MAX_SOURCE_BYTES_VAR}=256M)"
            ));
        return Err(Box::new(LoadError {
            source: src,
            diagnostic: d,
        }));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(name, text)),
        Err(e) => {
            let at = e.valid_up_to();
            let bad = &bytes[at..(at + e.error_len().unwrap_or(1)).min(bytes.len())];
            let hex: Vec<String> = bad.iter().map(|b| format!("0x{b:02X}")).collect();
            let src = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
            let d = Diagnostic::error(
                "E0001",
                format!(
                    "spec is not valid UTF-8: invalid byte {} at offset {at}",
                    hex.join(" ")
                ),
                Span::new(at, at + 1),
            )
            .with_label("not UTF-8")
            .with_help("save the spec as UTF-8");
            Err(Box::new(LoadError {
                source: src,
                diagnostic: d,
            }))
        }
    }
}
