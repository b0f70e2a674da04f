//! `include/linux/cc_platform.h`: `enum cc_attr`, its members in order, and their
//! kernel-doc.
//!
//! The kernel documents the enum with a block `/** enum cc_attr - ... */` before it and
//! an in-line block `/** @CC_ATTR_X: short text ... */` before each member. Members
//! carry no values, so a member's value is its position. Preprocessor lines are left
//! out and every conditional branch is read: a member under `#ifdef` is still one of
//! the enum's.

use crate::scan::{self, Branches, Kind, Token};
use ccattr_core::Span;

/// A kernel-doc block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelDoc {
    /// The whole `/** ... */` comment.
    pub span: Span,
    /// The `@NAME` that a member's block starts with: the name, and the span of
    /// `@NAME` in the header.
    pub tag: Option<(String, Span)>,
    /// The block's text after the tag (or after `enum cc_attr -`), its white space
    /// normalized to single spaces.
    pub text: String,
}

/// One member of `enum cc_attr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub span: Span,
    /// The kernel-doc block written right before it, if any.
    pub doc: Option<KernelDoc>,
}

/// The kernel's `enum cc_attr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelEnum {
    /// From `enum` to `cc_attr`.
    pub span: Span,
    /// The block `/** enum cc_attr - ... */` right before the enum.
    pub doc: Option<KernelDoc>,
    /// The members in declaration order: a member's index is its value.
    pub members: Vec<Member>,
    /// Whether the enum's `}` was found (the members are read to the end otherwise).
    pub closed: bool,
}

/// Read the first `enum cc_attr { ... }` of `text`; `None` if it has none.
pub fn parse(text: &str) -> Option<KernelEnum> {
    let toks = scan::tokens(text, Branches::All);
    let at = toks
        .windows(3)
        .position(|w| w[0].is(text, "enum") && w[1].is(text, "cc_attr") && w[2].is(text, "{"))?;
    let open = at + 2;
    let doc = at
        .checked_sub(1)
        .and_then(|i| toks.get(i))
        .filter(|t| t.kind == Kind::DocComment)
        .and_then(|t| enum_doc(text, t));
    let close = scan::matching(&toks, text, open);
    let end = close.unwrap_or(toks.len());
    let mut members = Vec::new();
    let mut pending: Option<KernelDoc> = None;
    let mut expect_member = true;
    let mut j = open + 1;
    while j < end {
        let t = toks[j];
        match (t.kind, t.text(text)) {
            (Kind::DocComment, _) => pending = Some(member_doc(text, &t)),
            (Kind::Ident, name) if expect_member => {
                members.push(Member {
                    name: name.to_string(),
                    span: t.span,
                    doc: pending.take(),
                });
                expect_member = false;
            }
            (Kind::Punct, ",") => expect_member = true,
            // A value's brackets: `X = (1 << 2),`.
            (Kind::Punct, "(" | "[" | "{") => j = scan::matching(&toks, text, j).unwrap_or(end),
            _ => {}
        }
        j += 1;
    }
    Some(KernelEnum {
        span: Span::new(toks[at].span.start, toks[at + 1].span.end),
        doc,
        members,
        closed: close.is_some(),
    })
}

/// The block before the enum, if it is the enum's: its first line names it.
fn enum_doc(text: &str, t: &Token) -> Option<KernelDoc> {
    let lines = scan::doc_lines(t.text(text));
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let head = lines[first].trim().strip_prefix("enum cc_attr")?;
    let head = head.trim_start().strip_prefix('-').unwrap_or(head);
    let mut all = vec![head];
    all.extend(&lines[first + 1..]);
    Some(KernelDoc {
        span: t.span,
        tag: None,
        text: scan::normalize(&all.join("\n")),
    })
}

/// A member's in-line block: `@NAME:` and its text, or text alone without a tag.
pub fn member_doc(text: &str, t: &Token) -> KernelDoc {
    let comment = t.text(text);
    let lines = scan::doc_lines(comment);
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return KernelDoc {
            span: t.span,
            tag: None,
            text: String::new(),
        };
    };
    let head = lines[first].trim();
    let tag = head.strip_prefix('@').map(|rest| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = rest[name.len()..].trim_start();
        (name, after.strip_prefix(':').unwrap_or(after))
    });
    let (tag, head) = match tag {
        Some((name, after)) => {
            // The tag's place: its `@` is the first in the comment.
            let at = comment.find('@').unwrap_or(0);
            let start = t.span.start + at;
            let span = Span::new(start, start + 1 + name.len());
            (Some((name, span)), after)
        }
        None => (None, head),
    };
    let mut all = vec![head];
    all.extend(&lines[first + 1..]);
    KernelDoc {
        span: t.span,
        tag,
        text: scan::normalize(&all.join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "/* x */\n\
/**\n * enum cc_attr - Attributes\n *\n * More.\n */\n\
enum cc_attr {\n\
\t/**\n\t * @CC_ATTR_A: First\n\t *                one\n\t *\n\t * Body.\n\t */\n\
\tCC_ATTR_A,\n\
#ifdef CONFIG_X\n\
\t/** @CC_ATTR_C: Tag of another */\n\
\tCC_ATTR_B = (1 << 2),\n\
#endif\n\
\tCC_ATTR_D\n\
};\n";

    #[test]
    fn members_in_order_with_their_blocks() {
        let e = parse(SMALL).expect("the enum");
        let names: Vec<&str> = e.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["CC_ATTR_A", "CC_ATTR_B", "CC_ATTR_D"]);
        assert!(e.closed);
        assert_eq!(e.doc.expect("enum doc").text, "Attributes More.");
        let a = e.members[0].doc.as_ref().expect("doc of A");
        assert_eq!(a.text, "First one Body.");
        let (tag, span) = a.tag.clone().expect("tag");
        assert_eq!(tag, "CC_ATTR_A");
        assert_eq!(&SMALL[span.start..span.end], "@CC_ATTR_A");
        let b = e.members[1].doc.as_ref().expect("doc of B");
        assert_eq!(b.tag.as_ref().map(|t| t.0.as_str()), Some("CC_ATTR_C"));
        assert_eq!(b.text, "Tag of another");
        assert_eq!(e.members[2].doc, None);
        assert_eq!(
            &SMALL[e.members[2].span.start..e.members[2].span.end],
            "CC_ATTR_D"
        );
    }

    #[test]
    fn no_enum_or_a_broken_one() {
        assert_eq!(parse("enum other { A };"), None);
        assert_eq!(parse(""), None);
        let open = parse("enum cc_attr { A, /** @B: b */ B").expect("read to the end");
        assert!(!open.closed);
        assert_eq!(open.members.len(), 2);
        let e = parse("enum cc_attr { A = (, B };").expect("unclosed value");
        assert_eq!(e.members.len(), 1);
        let e = parse("/** */ enum cc_attr {}").expect("empty");
        assert!(e.members.is_empty() && e.doc.is_none());
    }

    #[test]
    fn a_block_without_a_tag() {
        let e = parse("enum cc_attr {\n/**\n * Just text\n */\nA,\n/***/ B, /** @ */ C };")
            .expect("enum");
        let a = e.members[0].doc.as_ref().expect("doc");
        assert_eq!((a.tag.clone(), a.text.as_str()), (None, "Just text"));
        assert_eq!(e.members[1].doc.as_ref().map(|d| d.text.as_str()), Some(""));
        let c = e.members[2].doc.as_ref().expect("doc");
        assert_eq!(c.tag.as_ref().map(|t| t.0.as_str()), Some(""));
    }
}
