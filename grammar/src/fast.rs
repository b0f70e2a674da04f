//! A hand-written fast path for the items that make up large specs: `spec`, `attr`
//! without a block, `platform`, `device`, `map` and `default`, each with an optional
//! doc comment before it.
//!
//! It parses what the pest grammar (`ccattr.pest`) accepts for those items and builds
//! the same syntax tree, spans included, some fifty times faster. Anything else it
//! declines (returns `None`) without a word: a syntax error, an integer that does
//! not fit in 64 bits, a doc comment inside a block, a `naming` block, an `attr`
//! block, the end of the file. The parser then hands that item to pest, which stays
//! the one source of every syntax diagnostic. The tests check that both paths give
//! the same tree for every input the fast path accepts.

use crate::ast::*;
use crate::lexical::is_keyword;
use crate::parser::{int_value, MAX_NESTING};
use crate::Span;

/// Parse the item at `pos` (after any whitespace and comments): the item and the
/// offset just past it, as pest's `item_at` would consume it.
pub(crate) fn item(text: &str, pos: usize) -> Option<(Item, usize)> {
    let mut c = Cursor {
        text,
        bytes: text.as_bytes(),
        pos,
        depth: 0,
    };
    c.skip();
    let doc = if c.at_doc_line() {
        let doc = c.doc();
        c.skip();
        Some(doc)
    } else {
        None
    };
    let (keyword, kw_span) = c.word()?;
    let kind = match keyword {
        "spec" => {
            let name = c.next_ident()?;
            c.next_punct(";")?;
            ItemKind::Spec(name)
        }
        "attr" => ItemKind::Attr(c.attr()?),
        "platform" => ItemKind::Platform(c.platform()?),
        "device" => ItemKind::Device(c.device()?),
        "map" => {
            let device = c.next_ident()?;
            ItemKind::Rule(c.rule(Some(device))?)
        }
        "default" => ItemKind::Rule(c.rule(None)?),
        _ => return None,
    };
    let span = Span::new(kw_span.start, c.pos);
    Some((Item { doc, kind, span }, c.pos))
}

struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Open parentheses around the expression being parsed.
    depth: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Cursor<'a> {
    fn peek(&self, at: usize) -> Option<u8> {
        self.bytes.get(self.pos + at).copied()
    }

    /// Whether a doc line (`///` not followed by a fourth `/`) starts here.
    fn at_doc_line(&self) -> bool {
        self.bytes[self.pos..].starts_with(b"///") && self.peek(3) != Some(b'/')
    }

    /// Skip whitespace and `//` comments (pest's implicit `WHITESPACE | COMMENT`).
    fn skip(&mut self) {
        loop {
            match self.peek(0) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'/') if self.peek(1) == Some(b'/') && !self.at_doc_line() => {
                    self.pos += 2;
                    self.skip_line();
                }
                _ => return,
            }
        }
    }

    fn skip_line(&mut self) {
        self.pos = match self.bytes[self.pos..].iter().position(|&b| b == b'\n') {
            Some(n) => self.pos + n,
            None => self.bytes.len(),
        };
    }

    /// Doc lines, with whitespace and comments between them, as one doc comment.
    ///
    /// pest reads `doc_line+` as `doc_line ~ skip ~ doc_line*`, so the span of a doc
    /// comment of one line takes in the whitespace and comments after it, and that of
    /// a longer one ends with its last line. The span here is the same.
    fn doc(&mut self) -> Doc {
        let start = self.pos;
        let mut lines = vec![self.doc_line()];
        self.skip();
        let mut end = self.pos;
        while self.at_doc_line() {
            lines.push(self.doc_line());
            end = self.pos;
            self.skip();
        }
        self.pos = end;
        Doc {
            lines,
            span: Span::new(start, end),
        }
    }

    /// One doc line's text, without `///`, one space after it and a final `\r`.
    fn doc_line(&mut self) -> String {
        let line_start = self.pos;
        self.skip_line();
        let line = self.text[line_start..self.pos].trim_end_matches('\r');
        let line = &line[3..];
        line.strip_prefix(' ').unwrap_or(line).to_string()
    }

    /// A word (`[A-Za-z_][A-Za-z0-9_]*`) after whitespace, keyword or not.
    fn word(&mut self) -> Option<(&'a str, Span)> {
        self.skip();
        let start = self.pos;
        if !self.peek(0).is_some_and(is_ident_start) {
            return None;
        }
        self.pos += 1;
        while self.peek(0).is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Some((&self.text[start..self.pos], Span::new(start, self.pos)))
    }

    fn next_ident(&mut self) -> Option<Ident> {
        let (name, span) = self.word()?;
        if is_keyword(name) {
            return None;
        }
        Some(Ident {
            name: name.to_string(),
            span,
        })
    }

    fn next_keyword(&mut self, keyword: &str) -> Option<Span> {
        let (word, span) = self.word()?;
        (word == keyword).then_some(span)
    }

    fn next_punct(&mut self, punct: &str) -> Option<Span> {
        self.skip();
        if !self.bytes[self.pos..].starts_with(punct.as_bytes()) {
            return None;
        }
        let start = self.pos;
        self.pos += punct.len();
        Some(Span::new(start, self.pos))
    }

    /// Whether `punct` comes next (after whitespace); consumes nothing.
    fn sees(&mut self, punct: &str) -> bool {
        let at = self.pos;
        self.skip();
        let seen = self.bytes[self.pos..].starts_with(punct.as_bytes());
        self.pos = at;
        seen
    }

    /// `ident ("," ident)*`
    fn ident_list(&mut self) -> Option<Vec<Ident>> {
        let mut out = vec![self.next_ident()?];
        while self.sees(",") {
            self.next_punct(",")?;
            out.push(self.next_ident()?);
        }
        Some(out)
    }

    /// An integer literal as the grammar's `int` reads it; `None` also when it does not
    /// fit in 64 bits (the builder reports that).
    fn int(&mut self) -> Option<IntLit> {
        self.skip();
        let start = self.pos;
        let end = start
            + self.bytes[start..]
                .iter()
                .take_while(|&&b| is_ident_char(b))
                .count();
        let word = &self.bytes[start..end];
        let (digits, hex) = match word {
            [b'0', b'x' | b'X', rest @ ..] => (rest, true),
            _ => (word, false),
        };
        let digits = match digits.last() {
            Some(b'K' | b'M' | b'G') => &digits[..digits.len() - 1],
            _ => digits,
        };
        let is_digit = |b: &u8| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        };
        // Digits, with single `_`s between them.
        let valid = digits.first().is_some_and(is_digit)
            && digits.last().is_some_and(is_digit)
            && digits.iter().all(|b| *b == b'_' || is_digit(b))
            && !digits.windows(2).any(|w| w == b"__");
        if !valid {
            return None;
        }
        let value = u64::try_from(int_value(&self.text[start..end])?).ok()?;
        self.pos = end;
        Some(IntLit {
            value,
            span: Span::new(start, end),
        })
    }

    fn attr(&mut self) -> Option<AttrDecl> {
        let name = self.next_ident()?;
        let def = if self.sees(";") {
            AttrDef::Base {
                implies: Vec::new(),
            }
        } else if self.sees("=") {
            self.next_punct("=")?;
            AttrDef::Derived(self.expr()?)
        } else {
            self.next_keyword("implies")?;
            AttrDef::Base {
                implies: self.ident_list()?,
            }
        };
        self.next_punct(";")?;
        Some(AttrDecl {
            name,
            def,
            formerly: Vec::new(),
            deprecated: None,
        })
    }

    fn platform(&mut self) -> Option<PlatformDecl> {
        let name = self.next_ident()?;
        self.next_punct("{")?;
        let mut sets = Vec::new();
        while !self.sees("}") {
            self.next_keyword("sets")?;
            sets.extend(self.ident_list()?);
            self.next_punct(";")?;
        }
        self.next_punct("}")?;
        Some(PlatformDecl { name, sets })
    }

    fn device(&mut self) -> Option<DeviceDecl> {
        let name = self.next_ident()?;
        self.next_punct("{")?;
        let mut regions = Vec::new();
        while !self.sees("}") {
            let start = self.next_keyword("mmio")?.start;
            let base = self.int()?;
            self.next_keyword("size")?;
            let size = self.int()?;
            let end = self.next_punct(";")?.end;
            regions.push(RegionDecl {
                base,
                size,
                span: Span::new(start, end),
            });
        }
        self.next_punct("}")?;
        Some(DeviceDecl { name, regions })
    }

    /// The rest of a `map` or `default` rule: `encrypted|decrypted [when EXPR];`
    fn rule(&mut self, device: Option<Ident>) -> Option<RuleDecl> {
        let (word, mapping_span) = self.word()?;
        let mapping = match word {
            "encrypted" => Mapping::Encrypted,
            "decrypted" => Mapping::Decrypted,
            _ => return None,
        };
        let when = if self.sees(";") {
            None
        } else {
            self.next_keyword("when")?;
            Some(self.expr()?)
        };
        self.next_punct(";")?;
        Some(RuleDecl {
            device,
            mapping,
            mapping_span,
            when,
        })
    }

    /// `and_expr ("||" and_expr)*`
    fn expr(&mut self) -> Option<Expr> {
        let first = self.and_expr()?;
        let start = first.span.start;
        let mut parts = vec![first];
        while self.sees("||") {
            self.next_punct("||")?;
            parts.push(self.and_expr()?);
        }
        Some(collapse(parts, start, ExprKind::Or))
    }

    /// `unary ("&&" unary)*`
    fn and_expr(&mut self) -> Option<Expr> {
        let first = self.unary()?;
        let start = first.span.start;
        let mut parts = vec![first];
        while self.sees("&&") {
            self.next_punct("&&")?;
            parts.push(self.unary()?);
        }
        Some(collapse(parts, start, ExprKind::And))
    }

    /// `"!"* primary`
    fn unary(&mut self) -> Option<Expr> {
        let mut nots = Vec::new();
        while self.sees("!") {
            nots.push(self.next_punct("!")?.start);
        }
        let mut e = if self.sees("(") {
            if self.depth >= MAX_NESTING {
                return None;
            }
            let open = self.next_punct("(")?.start;
            self.depth += 1;
            let mut inner = self.expr()?;
            self.depth -= 1;
            let close = self.next_punct(")")?.end;
            inner.span = Span::new(open, close);
            inner.parens = true;
            inner
        } else {
            let (word, span) = self.word()?;
            let kind = match word {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ if is_keyword(word) => return None,
                _ => ExprKind::Attr(Ident {
                    name: word.to_string(),
                    span,
                }),
            };
            Expr {
                kind,
                span,
                parens: false,
            }
        };
        for start in nots.into_iter().rev() {
            let span = Span::new(start, e.span.end);
            e = Expr {
                kind: ExprKind::Not(Box::new(e)),
                span,
                parens: false,
            };
        }
        Some(e)
    }
}

/// One part stays itself; several become `make(parts)` spanning all of them.
fn collapse(mut parts: Vec<Expr>, start: usize, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if parts.len() == 1 {
        if let Some(e) = parts.pop() {
            return e;
        }
    }
    let end = parts.last().map_or(start, |e| e.span.end);
    Expr {
        kind: make(parts),
        span: Span::new(start, end),
        parens: false,
    }
}

#[cfg(test)]
mod tests {
    use crate::parser::parse_items;
    use proptest::prelude::*;

    /// Both paths give the same tree and the same diagnostics.
    fn same(text: &str) {
        let (fast_file, fast_diags) = parse_items(text, true);
        let (pest_file, pest_diags) = parse_items(text, false);
        assert_eq!(fast_file, pest_file, "{text:?}");
        assert_eq!(
            format!("{fast_diags:?}"),
            format!("{pest_diags:?}"),
            "{text:?}"
        );
    }

    /// How many items of `text` the fast path takes.
    fn taken(text: &str) -> usize {
        let mut pos = 0;
        let mut n = 0;
        while let Some((_, end)) = super::item(text, pos) {
            pos = end;
            n += 1;
        }
        n
    }

    #[test]
    fn examples_parse_the_same_both_ways() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut seen = 0;
        for dir in ["examples", "examples/history", "tests/c"] {
            let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "ccattr") {
                    same(&std::fs::read_to_string(&path).expect("readable"));
                    seen += 1;
                }
            }
        }
        assert!(seen >= 3, "found the examples");
    }

    #[test]
    fn the_common_items_take_the_fast_path() {
        let text = "/// Doc.\r\n// note\n/// more\nspec s;\nattr A;\nattr B implies A, C;\n\
                    attr D = !(A || B) && !!C;\nplatform p { sets A; sets B, C; }\nplatform q {}\n\
                    device d { mmio 0xFEC0_0000 size 4K; mmio 1_000 size 0x1G; }\n\
                    map d encrypted when A;\nmap d decrypted;\ndefault encrypted when true || false;\n";
        same(text);
        assert_eq!(taken(text), 10);
    }

    #[test]
    fn the_rest_is_left_to_pest() {
        for text in [
            "naming { prefix = \"X_\"; }",
            "attr A { formerly B; }",
            "device d { /// doc\n mmio 0 size 1; }",
            "device d { mmio 0x1_0000_0000_0000_0000 size 1; }",
            "device d { mmio 0x size 1; }",
            "device d { mmio 1__0 size 1; }",
            "device d { mmio 0x1Z size 1; }",
            "map d encrypted when map;",
            "map map encrypted;",
            "attr A = (B;",
            "/// trailing doc",
            "   ",
            "map d encrypted when A | B;",
            "spec 9s;",
        ] {
            assert_eq!(taken(text), 0, "{text:?}");
            same(text);
        }
    }

    #[test]
    fn doc_and_comment_slashes() {
        for text in [
            "//// four slashes is a comment\nspec s;",
            "///\nspec s;",
            "/// a\n\n/// b\nattr A;",
            "/// a\n// plain\n/// b\r\nattr A;",
            "///x\nmap d encrypted;",
            "spec s; // trailing\n/// dangling",
            "device d{mmio 0 size 1;}map d encrypted when(A)&&!(B||C);",
        ] {
            same(text);
        }
    }

    /// Pieces that make up valid and invalid items, joined with varied whitespace.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("spec".to_string()),
            Just("attr".to_string()),
            Just("platform".to_string()),
            Just("device".to_string()),
            Just("map".to_string()),
            Just("default".to_string()),
            Just("implies".to_string()),
            Just("sets".to_string()),
            Just("mmio".to_string()),
            Just("size".to_string()),
            Just("when".to_string()),
            Just("encrypted".to_string()),
            Just("decrypted".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("naming".to_string()),
            "[A-Za-z_][A-Za-z0-9_]{0,5}",
            "(0[xX])?[0-9A-Fa-f_]{1,6}[KMGZ]?",
            "[0-9]{1,25}",
            Just(";".to_string()),
            Just(",".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("!".to_string()),
            Just("&&".to_string()),
            Just("||".to_string()),
            Just("=".to_string()),
            Just("|".to_string()),
            Just("\"s\"".to_string()),
            Just("// c\n".to_string()),
            Just("/// d\n".to_string()),
            Just("//// e\n".to_string()),
        ]
    }

    fn item_text() -> impl Strategy<Value = String> {
        let sep = prop_oneof![Just(" "), Just(""), Just("\n"), Just("\r\n"), Just("\t")];
        proptest::collection::vec((piece(), sep), 1..14).prop_map(|parts| {
            parts
                .into_iter()
                .map(|(p, s)| format!("{p}{s}"))
                .collect::<String>()
        })
    }

    /// Well-formed items, so that the fast path's acceptance is exercised as much as
    /// its refusals.
    fn valid_item() -> impl Strategy<Value = String> {
        let name =
            "[a-z_][a-z0-9_]{0,4}".prop_filter("not a keyword", |s| !crate::lexical::is_keyword(s));
        let int = prop_oneof![
            "0x[0-9A-F]{1,4}(_[0-9A-F]{1,4}){0,2}",
            "[1-9][0-9]{0,5}[KMG]?"
        ];
        let expr = proptest::collection::vec(
            (
                prop_oneof![Just(""), Just("!"), Just("! !")],
                name.clone(),
                prop_oneof![
                    Just(" && "),
                    Just("||"),
                    Just(" || !("),
                    Just(")"),
                    Just(" && (")
                ],
            ),
            1..5,
        )
        .prop_map(|parts| {
            let mut out = String::new();
            for (not, n, op) in parts {
                out.push_str(&format!("{not}{n}{op}"));
            }
            out.push('x');
            out
        });
        prop_oneof![
            (
                name.clone(),
                prop_oneof![Just("encrypted"), Just("decrypted")],
                expr.clone()
            )
                .prop_map(|(d, m, e)| format!("map {d} {m} when {e};")),
            (name.clone(), int.clone(), int.clone())
                .prop_map(|(d, b, s)| format!("/// D.\ndevice {d} {{ mmio {b} size {s}; }}")),
            (name.clone(), expr).prop_map(|(a, e)| format!("attr {a} = {e};")),
            (name.clone(), name).prop_map(|(p, a)| format!("platform {p} {{ sets {a}, {a}; }}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_text_parses_the_same_both_ways(items in proptest::collection::vec(item_text(), 1..4)) {
            same(&items.join("\n"));
        }

        #[test]
        fn random_items_parse_the_same_both_ways(items in proptest::collection::vec(valid_item(), 1..6)) {
            let text = format!("spec s;\n{}", items.join("\n"));
            same(&text);
            // The devices and platforms are always well formed: the fast path takes them.
            if !items[0].starts_with("map") && !items[0].starts_with("attr") {
                prop_assert!(taken(&text) >= 2, "{}", text);
            }
        }
    }
}
