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

/// The largest spec accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 16 << 20;

/// A file that could not become a [`Source`]: the diagnostic, and a source holding
/// what could be read, for showing it.
#[derive(Debug)]
pub struct LoadError {
    pub source: Source,
    pub diagnostic: Diagnostic,
}

/// Turn a file's bytes into a [`Source`]: checks size and UTF-8.
pub fn load(name: &str, bytes: &[u8]) -> Result<Source, Box<LoadError>> {
    if bytes.len() > MAX_SOURCE_BYTES {
        let prefix = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).into_owned();
        let src = Source::new(name, prefix);
        let d = Diagnostic::error(
            "E0007",
            format!(
                "spec is larger than the limit of {MAX_SOURCE_BYTES} bytes ({} MiB)",
                MAX_SOURCE_BYTES >> 20
            ),
            Span::new(0, 0),
        )
        .with_label("file too large");
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
