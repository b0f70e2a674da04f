//! `include_spec!`: expand a ccattr spec into its Rust module at compile time.
//!
//! ```ignore
//! mod x86_coco {
//!     ccattr_macros::include_spec!("specs/hyperv_vtom.ccattr");
//! }
//!
//! let attrs = x86_coco::platforms::HYPERV_VTOM_PARAVISOR;
//! assert!(x86_coco::is_private_mmio(attrs, 0xFED4_0000));
//! ```
//!
//! The macro expands to the same items as the `NAME.rs` that `ccattr build` writes
//! (so it can be used inside a module, as `include!` is). The path is relative to the
//! crate's root (`CARGO_MANIFEST_DIR`). The spec becomes a tracked input of the
//! crate: Cargo rebuilds it when the spec changes. A spec with errors becomes one
//! compile error per diagnostic, showing the spec's file, line, column, code,
//! message and source line.

use ccattr_core::{Diagnostic, Source};
use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use std::path::{Path, PathBuf};
use syn::{parse_macro_input, LitStr};

/// When set, this directory takes `CARGO_MANIFEST_DIR`'s place as the base of
/// relative paths: for test harnesses (trybuild) that build a crate's test cases
/// from another directory.
const BASE_DIR_OVERRIDE: &str = "CCATTR_INCLUDE_SPEC_DIR";

/// Expand the spec at the given path (relative to the crate's root) into its Rust
/// module: the attribute enum, `AttrSet`, `MapDecision`, `decide`,
/// `is_private_mmio` and the `platforms` constants.
#[proc_macro]
pub fn include_spec(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    match expand(&lit) {
        Ok(tokens) | Err(tokens) => tokens.into(),
    }
}

fn expand(lit: &LitStr) -> Result<TokenStream2, TokenStream2> {
    let span = lit.span();
    let written = lit.value();
    let path = resolve(&written).map_err(|m| error(span, &m))?;
    let bytes = ccattr_core::compile::read(&path).map_err(|e| {
        error(
            span,
            &format!(
                "cannot read spec `{written}` (paths are relative to the crate's root): {}",
                e.reason
            ),
        )
    })?;
    let path_text = path.to_str().ok_or_else(|| {
        error(
            span,
            &format!("the path of spec `{written}` is not UTF-8, so it cannot be tracked"),
        )
    })?;
    let root = ccattr_core::load::Root {
        name: &written,
        bytes: &bytes,
        path: Some(&path),
    };
    let compiled = ccattr_core::compile::compile_with(
        root,
        &ccattr_core::load::Disk,
        &ccattr_codegen::C_HEADER,
    );
    // Track the spec and every file it includes, even when it has errors, so that
    // fixing one triggers a rebuild.
    let folder = Path::new(path_text).parent().unwrap_or(Path::new(""));
    let mut tracked = TokenStream2::new();
    for file in ccattr_core::compile::source(&compiled).files() {
        let real = folder.join(&file.path);
        let real = real.to_string_lossy();
        tracked.extend(quote_spanned! {span=> const _: &[u8] = ::core::include_bytes!(#real); });
    }

    let table = match compiled {
        Ok(checked) => checked.table,
        Err(rejected) => {
            let mut out = tracked;
            for d in rejected.diagnostics.iter().filter(|d| d.is_error()) {
                out.extend(error(span, &render(&rejected.source, d)));
            }
            return Err(out);
        }
    };

    let file_name = Path::new(&written)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| written.clone());
    let outputs = ccattr_codegen::emit(&table, &file_name, &[ccattr_codegen::Target::Rust]);
    let Some(module) = outputs.first() else {
        return Err(error(
            span,
            "ccattr generated no Rust module (a bug in ccattr)",
        ));
    };
    let items: TokenStream2 = module.contents.parse().map_err(|e| {
        error(
            span,
            &format!("the generated Rust module does not parse (a bug in ccattr): {e}"),
        )
    })?;
    Ok(quote! {
        #tracked
        #items
    })
}

/// The spec's absolute path.
fn resolve(written: &str) -> Result<PathBuf, String> {
    let path = Path::new(written);
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let base = std::env::var_os(BASE_DIR_OVERRIDE)
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .ok_or_else(|| {
            format!("cannot find spec `{written}`: CARGO_MANIFEST_DIR is not set (build with Cargo, or give an absolute path)")
        })?;
    Ok(PathBuf::from(base).join(path))
}

fn error(span: Span, message: &str) -> TokenStream2 {
    quote_spanned! {span=> ::core::compile_error! { #message } }
}

/// A diagnostic as a compile error shows it: code and message, then where, the
/// source line with a caret under the cause, and the help.
fn render(source: &Source, d: &Diagnostic) -> String {
    let at = source.position(d.span.start);
    let line_text = source.line_text_at(d.span.start);
    let file = &source.file_at(d.span.start).name;
    let gutter = at.line.to_string().len();
    let pad = " ".repeat(gutter);
    // The caret goes under the span's characters on its first line (at least one).
    let before: String = line_text
        .chars()
        .take(at.column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let end = if source.line_of(d.span.end) == at.line
        && source.file_index(d.span.end) == source.file_index(d.span.start)
    {
        source.position(d.span.end).column
    } else {
        line_text.chars().count() + 1
    };
    let carets = "^".repeat(end.saturating_sub(at.column).max(1));
    let mut out = format!(
        "spec {}[{}]: {}\n{pad}--> {}:{}:{}\n{pad} |\n{} | {line_text}\n{pad} | {before}{carets}",
        d.severity, d.code, d.message, file, at.line, at.column, at.line
    );
    if !d.label.is_empty() {
        out.push(' ');
        out.push_str(&d.label);
    }
    for l in &d.secondary {
        let p = source.position(l.span.start);
        out.push_str(&format!(
            "\n{pad} = note: {} ({}:{}:{})",
            l.message,
            source.file_at(l.span.start).name,
            p.line,
            p.column
        ));
    }
    for n in &d.notes {
        out.push_str(&format!("\n{pad} = note: {n}"));
    }
    if let Some(h) = &d.help {
        out.push_str(&format!("\n{pad} = help: {h}"));
    }
    out
}
