//! Completion: attribute names after `when`, `sets`, `implies` and inside
//! expressions (and capabilities in a `map` rule), device names after `map`, the
//! keywords that may start an item or a statement where one may start.

use crate::analysis::Analysis;
use crate::index::Kind;
use lsp_types::{CompletionItem, CompletionItemKind};

/// A token before the cursor, as much as completion needs to know of it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok<'t> {
    Word(&'t str),
    Punct(&'t str),
}

/// The keywords that start an item.
const ITEM_KEYWORDS: &[&str] = &[
    "spec",
    "naming",
    "attr",
    "capability",
    "platform",
    "device",
    "map",
    "default",
];

/// The tokens of `text`, without comments and strings; the word the cursor is in
/// (touching the end) is left out.
fn tokens(text: &str) -> Vec<Tok<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(Tok::Word("\"\""));
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() {
                out.push(Tok::Word(&text[start..i]));
            }
        } else if c.is_ascii_whitespace() || !c.is_ascii() {
            i += 1;
        } else {
            let two = text.get(i..i + 2);
            let len = if matches!(two, Some("&&" | "||")) {
                2
            } else {
                1
            };
            out.push(Tok::Punct(text.get(i..i + len).unwrap_or("")));
            i += len;
        }
    }
    out
}

/// What may be written at the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Want {
    /// Attribute names; capabilities too when `caps`.
    Attrs {
        caps: bool,
    },
    Devices,
    Keywords(&'static [&'static str]),
    Nothing,
}

fn want(toks: &[Tok<'_>]) -> Want {
    // The item the cursor is in: its first word, and the depth of braces.
    let mut item: Option<&str> = None;
    let mut depth = 0usize;
    let mut fresh = true;
    for t in toks {
        match t {
            Tok::Punct("{") => depth += 1,
            Tok::Punct("}") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    item = None;
                    fresh = true;
                    continue;
                }
            }
            Tok::Punct(";") if depth == 0 => {
                item = None;
                fresh = true;
                continue;
            }
            Tok::Word(w) if fresh => item = Some(w),
            _ => {}
        }
        fresh = false;
    }
    let is_map = item == Some("map");
    let prev = toks.last();
    match prev {
        None => return Want::Keywords(ITEM_KEYWORDS),
        Some(Tok::Punct(";" | "}")) if depth == 0 => return Want::Keywords(ITEM_KEYWORDS),
        Some(Tok::Punct(";" | "{")) if depth == 1 => {
            return match item {
                Some("attr") => Want::Keywords(&["formerly", "deprecated"]),
                Some("platform") => Want::Keywords(&["sets"]),
                Some("device") => Want::Keywords(&["mmio", "probed"]),
                _ => Want::Nothing,
            }
        }
        Some(Tok::Word("when")) => return Want::Attrs { caps: is_map },
        Some(Tok::Word("sets" | "implies")) => return Want::Attrs { caps: false },
        Some(Tok::Word("map")) => return Want::Devices,
        Some(Tok::Word("default")) => return Want::Keywords(&["encrypted", "decrypted", "refuse"]),
        Some(Tok::Word("encrypted" | "decrypted" | "refuse")) => return Want::Keywords(&["when"]),
        Some(Tok::Punct("&&" | "||" | "!" | "(")) => return Want::Attrs { caps: is_map },
        Some(Tok::Punct("=")) if item == Some("attr") && depth == 0 => {
            return Want::Attrs { caps: false }
        }
        _ => {}
    }
    if toks.len() >= 2 && toks[toks.len() - 2] == Tok::Word("map") {
        return Want::Keywords(&["encrypted", "decrypted", "refuse"]);
    }
    if prev == Some(&Tok::Punct(",")) {
        // A list: the word that started it decides.
        let mut i = toks.len() - 1;
        while i >= 2 && toks[i] == Tok::Punct(",") && matches!(toks[i - 1], Tok::Word(_)) {
            i -= 2;
        }
        if matches!(toks[i], Tok::Word("sets" | "implies")) {
            return Want::Attrs { caps: false };
        }
    }
    Want::Nothing
}

pub fn complete(a: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let mut end = offset.min(a.text.len());
    while !a.text.is_char_boundary(end) {
        end -= 1;
    }
    let toks = tokens(&a.text[..end]);
    let item = |label: &str, kind: CompletionItemKind, detail: &str| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..Default::default()
    };
    match want(&toks) {
        Want::Attrs { caps } => {
            let mut out: Vec<CompletionItem> = a
                .index
                .attrs
                .iter()
                .map(|n| item(n, CompletionItemKind::CONSTANT, "attribute"))
                .collect();
            if caps {
                out.extend(
                    a.index
                        .names(Kind::Capability)
                        .map(|n| item(n, CompletionItemKind::ENUM_MEMBER, "capability")),
                );
            }
            out
        }
        Want::Devices => a
            .index
            .names(Kind::Device)
            .map(|n| item(n, CompletionItemKind::STRUCT, "device"))
            .collect(),
        Want::Keywords(words) => words
            .iter()
            .map(|w| item(w, CompletionItemKind::KEYWORD, "keyword"))
            .collect(),
        Want::Nothing => Vec::new(),
    }
}
