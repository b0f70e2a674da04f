//! Rendering diagnostics at the edge: rustc-like text, JSON, GitHub workflow commands.

use ccattr_grammar::{Diagnostic, Severity, Source};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde_json::{json, Value};
use std::borrow::Cow;

/// rustc-like text: the code, message, source line with a caret, labels and help.
///
/// The text goes to a terminal, so nothing from the spec reaches it as a control
/// character: in the source lines shown, each is replaced by `?` (byte for byte, so
/// spans stay put), and in messages it is written as an escape (`\u{1b}`). A spec
/// cannot retitle, recolour or overwrite the terminal of whoever checks it.
pub fn text(source: &Source, diags: &[Diagnostic]) -> String {
    // Each file of the spec as shown: its name and its text, terminal-safe.
    let mut files = SimpleFiles::new();
    for (i, f) in source.files().iter().enumerate() {
        let name = printable(&f.name).into_owned();
        let shown = terminal_safe_source(source.file_text(i)).into_owned();
        files.add(name, shown);
    }
    let config = term::Config::default();
    let mut out = String::new();
    for d in diags {
        let d = &printable_diagnostic(d);
        // A span as its file and the byte range in that file.
        let place = |s: ccattr_grammar::Span| {
            let file = source.file_index(s.start);
            let f = &source.files()[file];
            let start = s.start.clamp(f.start, f.end);
            (file, start - f.start..s.end.clamp(start, f.end) - f.start)
        };
        let (file, range) = place(d.span);
        let mut labels = vec![cs::Label::primary(file, range).with_message(&d.label)];
        labels.extend(d.secondary.iter().map(|l| {
            let (file, range) = place(l.span);
            cs::Label::secondary(file, range).with_message(&l.message)
        }));
        let mut notes: Vec<String> = d.notes.clone();
        if let Some(h) = &d.help {
            notes.push(format!("help: {h}"));
        }
        let diag = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        }
        .with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes);
        match term::emit_into_string(&config, &files, &diag) {
            Ok(s) => out.push_str(&s),
            Err(_) => {
                let p = source.position(d.span.start);
                out.push_str(&format!(
                    "{}[{}]: {}\n  --> {}:{}:{}\n",
                    d.severity,
                    d.code,
                    d.message,
                    printable(&source.file_at(d.span.start).name),
                    p.line,
                    p.column
                ));
            }
        }
    }
    out
}

/// Whether a terminal would act on `c` rather than show it: a control character other
/// than tab and line feed.
fn acts_on_terminal(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// `s` with every character a terminal would act on written as an escape.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if acts_on_terminal(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// The source as the text renderer shows it: each character a terminal would act on
/// replaced by as many `?` as it has bytes, except the carriage return of a CRLF.
fn terminal_safe_source(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let harmless =
        |i: usize, c: char| !acts_on_terminal(c) || (c == '\r' && bytes.get(i + 1) == Some(&b'\n'));
    if text.char_indices().all(|(i, c)| harmless(i, c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if harmless(i, c) {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    Cow::Owned(out)
}

/// A diagnostic whose texts are [`printable`].
fn printable_diagnostic(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    d.message = printable(&d.message).into_owned();
    d.label = printable(&d.label).into_owned();
    for l in &mut d.secondary {
        l.message = printable(&l.message).into_owned();
    }
    d.help = d.help.as_deref().map(|h| printable(h).into_owned());
    for n in &mut d.notes {
        *n = printable(n).into_owned();
    }
    d
}

/// One diagnostic in the JSON shape the README documents (and a few extra keys).
pub fn json_one(source: &Source, d: &Diagnostic) -> Value {
    let p = source.position(d.span.start);
    let e = source.position(d.span.end);
    json!({
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": source.file_at(d.span.start).name,
        "line": p.line,
        "column": p.column,
        "end_line": e.line,
        "end_column": e.column,
        "label": d.label,
        "related": d.secondary.iter().map(|l| {
            let q = source.position(l.span.start);
            json!({
                "message": l.message,
                "file": source.file_at(l.span.start).name,
                "line": q.line,
                "column": q.column,
            })
        }).collect::<Vec<_>>(),
        "help": d.help,
        "notes": d.notes,
    })
}

/// `{"diagnostics": [...]}` for several files.
pub fn json(files: &[(&Source, &[Diagnostic])]) -> Value {
    let all: Vec<Value> = files
        .iter()
        .flat_map(|(s, ds)| ds.iter().map(move |d| json_one(s, d)))
        .collect();
    json!({ "diagnostics": all })
}

/// GitHub Actions workflow commands, one line each.
pub fn github(source: &Source, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let p = source.position(d.span.start);
        let e = source.position(d.span.end);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!(
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&source.file_at(d.span.start).name),
            p.line,
            p.column,
            e.line,
            e.column,
            escape_property(d.code),
            escape_data(&msg)
        ));
    }
    out
}

/// Escape a workflow command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
