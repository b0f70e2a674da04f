//! The neutral diagnostic type every phase reports with; renderers live at the edge.

use std::fmt;

/// A byte range `[start, end)` in a spec's source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary place that matters to a diagnostic ("first declared here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding: a stable code, a message, a primary span, secondary labels and help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Text shown under the caret of the primary span.
    pub label: String,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A spec's text with its name, its file table and a line index for turning spans
/// into positions.
///
/// A spec of several files (`include`) keeps the text of every file in one buffer,
/// one after the other, each followed by a line feed of its own, so that a [`Span`]
/// stays a byte range and still knows its file: [`Source::file_at`].
#[derive(Clone, Debug)]
pub struct Source {
    /// The root file's name as shown.
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    files: Vec<SourceFile>,
}

/// One file of a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// As diagnostics show it: the root as it was named, an included file joined to
    /// the folder of the name of the file that includes it.
    pub name: String,
    /// Relative to the root file's folder, with `/` between folders: what outputs
    /// print, the same wherever the checkout and whatever the current directory.
    pub path: String,
    /// Where its text lies in [`Source::text`].
    pub start: usize,
    pub end: usize,
    /// The `include` that first read it (`None` for the root).
    pub included_at: Option<Span>,
    /// The index in the line table of its first line.
    first_line: usize,
}

/// A 1-based line and column (the column counts characters, as editors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The last part of a path as written (after the last `/` or `\\`).
fn file_name_of(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

impl Source {
    /// A spec of one file.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let name = name.into();
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let file = SourceFile {
            path: file_name_of(&name).to_string(),
            name: name.clone(),
            start: 0,
            end: text.len(),
            included_at: None,
            first_line: 0,
        };
        Source {
            name,
            text,
            line_starts,
            files: vec![file],
        }
    }

    /// Append another file, included at `included_at`; returns its index. Its text
    /// starts on a line of its own, after a line feed that belongs to no file.
    pub fn push_file(
        &mut self,
        name: String,
        path: String,
        text: &str,
        included_at: Span,
    ) -> usize {
        self.text.push('\n');
        self.line_starts.push(self.text.len());
        let start = self.text.len();
        let first_line = self.line_starts.len() - 1;
        self.text.push_str(text);
        self.line_starts
            .extend(text.match_indices('\n').map(|(i, _)| start + i + 1));
        self.files.push(SourceFile {
            name,
            path,
            start,
            end: self.text.len(),
            included_at: Some(included_at),
            first_line,
        });
        self.files.len() - 1
    }

    /// Every file, the root first, in the order they were read.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Every file's name as shown, the root first.
    pub fn file_names(&self) -> Vec<&str> {
        self.files.iter().map(|f| f.name.as_str()).collect()
    }

    /// Whether the spec is more than one file.
    pub fn has_includes(&self) -> bool {
        self.files.len() > 1
    }

    /// The index of the file that holds the byte at `offset` (or ends there).
    pub fn file_index(&self, offset: usize) -> usize {
        self.files
            .partition_point(|f| f.start <= offset)
            .saturating_sub(1)
    }

    /// The file that holds the byte at `offset`.
    pub fn file_at(&self, offset: usize) -> &SourceFile {
        &self.files[self.file_index(offset)]
    }

    /// The `include` in the root file through which the byte at `offset` was read
    /// (`None` for a byte of the root).
    pub fn root_include(&self, offset: usize) -> Option<Span> {
        let mut at = self.files[self.file_index(offset)].included_at?;
        while let Some(up) = self.files[self.file_index(at.start)].included_at {
            at = up;
        }
        Some(at)
    }

    /// The text of one file.
    pub fn file_text(&self, file: usize) -> &str {
        let f = &self.files[file];
        &self.text[f.start..f.end]
    }

    /// Line and column of a byte offset in its file (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let file = self.file_at(offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        Position {
            line: line - file.first_line + 1,
            column,
        }
    }

    /// The 1-based line number of a byte offset, in its file.
    pub fn line_of(&self, offset: usize) -> usize {
        self.position(offset).line
    }

    /// `FILE:LINE` of a byte offset, the file as shown.
    pub fn location(&self, offset: usize) -> String {
        format!("{}:{}", self.file_at(offset).name, self.line_of(offset))
    }

    /// The text of the line that holds `offset`, without its line end.
    pub fn line_text_at(&self, offset: usize) -> &str {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_per_file() {
        let mut s = Source::new("dir/root.ccattr", "spec a;\ninclude \"b\";\n");
        let inc = Span::new(8, 20);
        let b = s.push_file(
            "dir/b.ccattr".into(),
            "b.ccattr".into(),
            "attr X;\nattr Y;",
            inc,
        );
        let in_b = Span::new(s.files()[1].start, s.files()[1].start + 1);
        let c = s.push_file("dir/c.ccattr".into(), "c.ccattr".into(), "", in_b);
        assert_eq!((b, c), (1, 2));
        let y = s.text.find("attr Y").unwrap();
        assert_eq!(s.file_at(y).name, "dir/b.ccattr");
        assert_eq!(s.position(y), Position { line: 2, column: 1 });
        assert_eq!(s.location(y), "dir/b.ccattr:2");
        assert_eq!(s.line_text_at(y + 2), "attr Y;");
        // The end of a file is still in it, on its last line.
        let end_b = s.files()[1].end;
        assert_eq!(s.file_index(end_b), 1);
        assert_eq!(s.position(end_b), Position { line: 2, column: 8 });
        // An empty file is a file of one empty line.
        assert_eq!(s.file_index(s.files()[2].start), 2);
        assert_eq!(s.position(s.files()[2].start).line, 1);
        assert_eq!(s.files()[0].path, "root.ccattr");
        assert_eq!(s.file_text(1), "attr X;\nattr Y;");
        assert_eq!(s.position(s.text.find("include").unwrap()).line, 2);
        // A file included by an included one was read through the root's include.
        assert_eq!(s.root_include(s.files()[2].start), Some(inc));
        assert_eq!(s.root_include(y), Some(inc));
        assert_eq!(s.root_include(0), None);
    }
}
