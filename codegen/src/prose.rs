//! Prose in generated comments: the documentation both emitters derive from a
//! table, and wrapping to the kernel's (and rustfmt's) 100 columns.

use ccattr_core::table::TableAttr;
use ccattr_core::DecisionTable;
use std::borrow::Cow;

/// The line limit of kernel code and of rustfmt.
pub const MAX_COLUMNS: usize = 100;
/// Where comment text that does not fit in [`MAX_COLUMNS`] is wrapped.
pub const PROSE_COLUMNS: usize = 80;
const TAB: usize = 8;

/// The display width of a line, with tabs to the next multiple of 8.
pub fn columns(s: &str) -> usize {
    s.chars().fold(0, |col, c| {
        if c == '\t' {
            (col / TAB + 1) * TAB
        } else {
            col + 1
        }
    })
}

/// Keep `text` whole if it fits in 100 columns after `indent`; else break it at spaces
/// into pieces that fit in 80, each keeping the text's own leading blanks. A word
/// longer than the line stays whole.
pub fn wrap(indent: &str, text: &str) -> Vec<String> {
    if columns(&format!("{indent}{text}")) <= MAX_COLUMNS {
        return vec![text.to_string()];
    }
    reflow(indent, text)
}

/// Break `text` at spaces into pieces that fit in 80 columns after `indent`, each
/// keeping the text's own leading blanks. A word longer than the line stays whole.
pub fn reflow(indent: &str, text: &str) -> Vec<String> {
    let lead_len = text.len() - text.trim_start().len();
    let lead = &text[..lead_len];
    let room = PROSE_COLUMNS.saturating_sub(columns(indent) + columns(lead));
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > room {
            out.push(format!("{lead}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(format!("{lead}{line}"));
    out
}

/// How a generated comment quotes a name or an expression from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// As is (C comments).
    Plain,
    /// As Markdown code (rustdoc).
    Code,
}

impl Quote {
    pub fn apply(self, s: &str) -> String {
        match self {
            Quote::Plain => s.to_string(),
            Quote::Code => format!("`{s}`"),
        }
    }
}

/// What the generated docs say about an attribute beyond its own doc comment: what it
/// implies or how it is derived, its former names and its deprecation.
pub fn attr_notes(table: &DecisionTable, attr: &TableAttr, quote: Quote) -> Vec<String> {
    let mut notes = Vec::new();
    if attr.base {
        if !attr.implies.is_empty() {
            let implied: Vec<String> = attr
                .implies
                .iter()
                .map(|&i| quote.apply(&table.attrs[i].name))
                .collect();
            notes.push(format!("Implies {}.", implied.join(", ")));
        }
    } else {
        notes.push(format!(
            "Derived, never reported by platform code: present when {}.",
            quote.apply(&attr.derivation)
        ));
    }
    if !attr.formerly.is_empty() {
        let former: Vec<String> = attr.formerly.iter().map(|f| quote.apply(f)).collect();
        notes.push(format!("Formerly {}.", former.join(", ")));
    }
    if let Some(reason) = &attr.deprecated {
        notes.push(deprecation(reason));
    }
    notes
}

/// `Deprecated: REASON.` (or `Deprecated.` without a reason).
pub fn deprecation(reason: &str) -> String {
    let reason = reason.trim();
    if reason.is_empty() {
        "Deprecated.".to_string()
    } else if reason.ends_with('.') {
        format!("Deprecated: {reason}")
    } else {
        format!("Deprecated: {reason}.")
    }
}

/// The first paragraph of an attribute's documentation (its own, or what kind of
/// attribute it is) and the lines after it.
pub fn attr_summary(attr: &TableAttr) -> (Vec<String>, &[String]) {
    let start = attr
        .doc
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(attr.doc.len());
    let doc = &attr.doc[start..];
    if doc.is_empty() {
        let kind = if attr.base {
            "Reported by platform code."
        } else {
            "Computed from other attributes."
        };
        return (vec![kind.to_string()], &[]);
    }
    let end = doc
        .iter()
        .position(|l| l.trim().is_empty())
        .unwrap_or(doc.len());
    let summary = doc[..end]
        .iter()
        .map(|l| l.trim_end().to_string())
        .collect();
    (summary, &doc[end..])
}

/// The names of the attributes in `set`, comma-separated, or `none`.
pub fn attr_list(table: &DecisionTable, set: u64, quote: Quote) -> String {
    let names: Vec<String> = table
        .attr_names(set)
        .into_iter()
        .map(|n| quote.apply(n))
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Where the addresses of a rule set lie: the devices that contain them, innermost
/// first, or outside every device.
pub fn rule_set_place(table: &DecisionTable, rule_set: usize) -> String {
    let devices = &table.rule_sets[rule_set].devices;
    if devices.is_empty() {
        "outside every device".to_string()
    } else {
        let names: Vec<&str> = devices
            .iter()
            .map(|&d| table.devices[d].name.as_str())
            .collect();
        names.join(" in ")
    }
}

/// Whether `c` may not appear as itself in a generated file: a control character
/// other than tab and line feed (a terminal would act on it, rustc rejects a bare
/// carriage return in a doc comment), or a bidirectional control or invisible
/// character (the code would display other than it compiles; rustc denies them).
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || ccattr_grammar::lexical::hidden_char(c).is_some()
}

/// `s` with every [`is_unsafe_char`] written out as `<U+XXXX>`.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The table with its prose (doc comments, deprecation reasons) passed through
/// [`visible`], for the emitters that print prose into comments and literals. Borrowed
/// when no prose needs it.
pub fn visible_prose(table: &DecisionTable) -> Cow<'_, DecisionTable> {
    let lines = |doc: &[String]| doc.iter().any(|l| l.chars().any(is_unsafe_char));
    let needs = lines(&table.doc)
        || table.attrs.iter().any(|a| {
            lines(&a.doc)
                || a.deprecated
                    .as_deref()
                    .is_some_and(|r| r.chars().any(is_unsafe_char))
        })
        || table.platforms.iter().any(|p| lines(&p.doc))
        || table.devices.iter().any(|d| lines(&d.doc));
    if !needs {
        return Cow::Borrowed(table);
    }
    let fix = |doc: &mut Vec<String>| {
        for l in doc {
            *l = visible(l).into_owned();
        }
    };
    let mut t = table.clone();
    fix(&mut t.doc);
    for a in &mut t.attrs {
        fix(&mut a.doc);
        if let Some(r) = &mut a.deprecated {
            *r = visible(r).into_owned();
        }
    }
    for p in &mut t.platforms {
        fix(&mut p.doc);
    }
    for d in &mut t.devices {
        fix(&mut d.doc);
    }
    Cow::Owned(t)
}

/// Paragraphs as lines: runs of blank lines become one, and none lead or trail.
pub fn paragraphs(lines: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let line = line.trim_end().to_string();
        if !line.is_empty() || out.last().is_some_and(|l| !l.is_empty()) {
            out.push(line);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Append `value` in decimal, as `format!("{value}")` would.
pub fn push_dec(out: &mut String, value: u64) {
    let mut buf = [0u8; 20];
    let mut n = 0;
    let mut v = value;
    loop {
        buf[19 - n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &b in &buf[20 - n..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_only_what_does_not_fit() {
        assert_eq!(wrap("\t", "short"), ["short"]);
        let long = "word ".repeat(30);
        let lines = wrap("\t * ", long.trim());
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|l| columns(&format!("\t * {l}")) <= PROSE_COLUMNS));
        let indented = wrap("", &format!("  - {}", "x ".repeat(60)));
        assert!(indented.iter().all(|l| l.starts_with("  ")));
    }

    #[test]
    fn numbers_print_as_format_does() {
        for v in [
            0,
            1,
            9,
            10,
            0xf,
            0x10,
            0xfec0_0000,
            u64::MAX,
            1 << 63,
            12_345_678_901,
        ] {
            let mut dec = String::new();
            push_dec(&mut dec, v);
            assert_eq!(dec, v.to_string());
        }
    }

    #[test]
    fn tabs_count_to_the_next_stop() {
        assert_eq!(columns("\t"), 8);
        assert_eq!(columns("ab\tc"), 9);
        assert_eq!(columns("\t\t * x"), 20);
    }

    #[test]
    fn paragraphs_collapse_blank_runs() {
        let lines = ["", "a", "", "", "b", ""].map(String::from);
        assert_eq!(paragraphs(lines), ["a", "", "b"]);
    }

    #[test]
    fn prose_shows_hidden_and_control_characters() {
        assert_eq!(visible("plain — text\twith tab"), "plain — text\twith tab");
        assert_eq!(
            visible("a\u{202E}b\u{200B}c\rd\u{1B}[0m"),
            "a<U+202E>b<U+200B>c<U+000D>d<U+001B>[0m"
        );
    }

    #[test]
    fn deprecations() {
        assert_eq!(deprecation(""), "Deprecated.");
        assert_eq!(deprecation("use X"), "Deprecated: use X.");
        assert_eq!(deprecation("use X."), "Deprecated: use X.");
    }
}
