//! Byte offsets in a spec's text to LSP positions and back: lines end at `\n`, `\r\n`
//! or a lone `\r`, and columns count UTF-16 code units, as the protocol says.

use ccattr_grammar::Span;
use lsp_types::{Position, Range};

/// Where each line of a text starts.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// The position of byte `offset` (clamped to the text, and back to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        let start = self.position(text, span.start);
        let end = self.position(text, span.end.max(span.start));
        Range::new(start, end)
    }

    /// The byte offset of `pos`: a line past the end is the end of the text, a column
    /// past the end of its line is the end of the line, and a column inside a
    /// surrogate pair is the start of its character.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let line = pos.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self.line_end(text, line);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// The end of line `line`'s text, before its line break.
    fn line_end(&self, text: &str, line: usize) -> usize {
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let b = text.as_bytes();
        if end > self.starts[line] && end <= b.len() && line + 1 < self.starts.len() {
            if b[end - 1] == b'\n' {
                end -= 1;
            }
            if end > self.starts[line] && b[end - 1] == b'\r' {
                end -= 1;
            }
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "a\u{e9}\u{1F600}x\r\nsecond\rthird\n";
        let ix = LineIndex::new(text);
        // `x` comes after a (1), é (1) and the emoji (2 units).
        let x = text.find('x').unwrap();
        assert_eq!(ix.position(text, x), Position::new(0, 4));
        assert_eq!(ix.offset(text, Position::new(0, 4)), x);
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('\u{1F600}').unwrap();
        assert_eq!(ix.offset(text, Position::new(0, 3)), emoji);
        assert_eq!(ix.position(text, emoji + 1), Position::new(0, 2));
        let third = text.find("third").unwrap();
        assert_eq!(ix.position(text, third), Position::new(2, 0));
        assert_eq!(
            ix.offset(text, Position::new(1, 99)),
            text.find('\r').unwrap() + 8
        );
        assert_eq!(ix.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(ix.position(text, 999), Position::new(3, 0));
    }
}

/// The path of a `file:` URI, percent-escapes decoded (`None` for another scheme, or a
/// path that is not UTF-8 once decoded).
pub fn file_path(uri: &lsp_types::Uri) -> Option<std::path::PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file:///p` or `file://localhost/p`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'?' | b'#', ..) => break,
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok().map(std::path::PathBuf::from)
}

/// The `file:` URI of an absolute path, every byte but the unreserved ones and `/`
/// percent-escaped.
pub fn file_uri(path: &std::path::Path) -> Option<lsp_types::Uri> {
    let text = path.to_str()?;
    if !text.starts_with('/') {
        return None;
    }
    let mut s = String::from("file://");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().ok()
}

#[cfg(test)]
mod uri_tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let p = std::path::Path::new("/work/a b/ü.ccattr");
        let uri = file_uri(p).expect("a file URI");
        assert_eq!(uri.as_str(), "file:///work/a%20b/%C3%BC.ccattr");
        assert_eq!(file_path(&uri).as_deref(), Some(p));
        let other: lsp_types::Uri = "untitled:Untitled-1".parse().expect("a URI");
        assert_eq!(file_path(&other), None);
    }
}
