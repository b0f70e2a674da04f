//! `arch/x86/coco/core.c`: what each vendor's `cc_platform_has()` answers.
//!
//! A vendor's function (`intel_cc_platform_has()`, `amd_cc_platform_has()`,
//! `hyperv_cc_platform_has()` in 6.1) is read for what it returns for each attribute:
//! true whatever the run-time state ([`Answer::Always`]), false likewise
//! ([`Answer::Never`]), an expression of run-time state such as AMD's
//! `sev_status & MSR_AMD64_SEV_ENABLED` ([`Answer::Depends`], never guessed), or
//! something this reader does not follow ([`Answer::Unread`]).
//!
//! The shapes read, which are the shapes the kernel writes these functions in:
//! - `switch (attr) { case A: case B: return EXPR; ... default: return EXPR; }`, a
//!   case that ends in `break;` going on after the switch;
//! - `return attr == A || attr == B;`, and `return true;` or `return false;`;
//! - `if (COND) return EXPR;` before the rest (AMD's vTOM guests since v6.4), which
//!   makes an attribute depend on COND where the two ways answer differently;
//! - `return other(attr);` and `case A: return other(attr);`, for a function of the
//!   same file;
//! - declarations and other statements without `return`, which are passed over.
//!
//! `EXPR` is `true`, `false`, a number, such a call, or else an expression of
//! run-time state. The first branch of every `#if` is read ([`Branches::First`]), as
//! if the vendor's configuration option were on. Anything else makes what follows
//! from it [`Answer::Unread`].

use crate::scan::{self, Branches, Kind, Token};
use std::collections::{BTreeMap, HashMap};

/// How deep calls between functions of the file are followed.
const MAX_CALL_DEPTH: usize = 16;

/// What a vendor's function returns for one attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Always,
    Never,
    /// Decided by run-time state: the expression (or `COND ? A : B`) as written.
    Depends(String),
    /// Not read: why.
    Unread(String),
}

/// An answer and the line of core.c that gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub answer: Answer,
    pub line: usize,
}

impl Said {
    /// The answer as C reads: `true`, `false`, or the expression.
    pub fn text(&self) -> String {
        match &self.answer {
            Answer::Always => "true".into(),
            Answer::Never => "false".into(),
            Answer::Depends(e) => e.clone(),
            Answer::Unread(why) => format!("({why})"),
        }
    }
}

/// What a function returns for every attribute: those its code names, and the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meaning {
    pub named: BTreeMap<String, Said>,
    pub rest: Said,
}

impl Meaning {
    fn all(answer: Answer, line: usize) -> Meaning {
        Meaning {
            named: BTreeMap::new(),
            rest: Said { answer, line },
        }
    }

    /// What it returns for the member `name`.
    pub fn answer(&self, name: &str) -> &Said {
        self.named.get(name).unwrap_or(&self.rest)
    }
}

/// A function definition of the file.
#[derive(Clone, Debug)]
struct Function {
    /// The name of its last parameter (`attr`), if it has one.
    param: Option<String>,
    /// Its body's tokens, without the outer braces: `[start, end)` in the file's tokens.
    body: (usize, usize),
    line: usize,
}

/// A vendor's function, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorFn {
    pub name: String,
    /// Where it is defined.
    pub line: usize,
    pub meaning: Meaning,
}

/// `arch/x86/coco/core.c`, scanned.
pub struct CoreC<'t> {
    text: &'t str,
    toks: Vec<Token>,
    functions: HashMap<String, Function>,
    line_starts: Vec<usize>,
}

impl<'t> CoreC<'t> {
    pub fn new(text: &'t str) -> CoreC<'t> {
        let toks = scan::tokens(text, Branches::First);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut core = CoreC {
            text,
            toks,
            functions: HashMap::new(),
            line_starts,
        };
        core.functions = core.definitions();
        core
    }

    fn line(&self, tok: usize) -> usize {
        let off = self.toks.get(tok).map_or(self.text.len(), |t| t.span.start);
        self.line_starts.partition_point(|&s| s <= off)
    }

    fn is(&self, tok: usize, what: &str) -> bool {
        self.toks.get(tok).is_some_and(|t| t.is(self.text, what))
    }

    fn text_of(&self, tok: usize) -> &'t str {
        self.toks.get(tok).map_or("", |t| t.text(self.text))
    }

    fn kind(&self, tok: usize) -> Option<Kind> {
        self.toks.get(tok).map(|t| t.kind)
    }

    /// The source text of tokens `[a, b)`, white space made single spaces.
    fn source(&self, a: usize, b: usize) -> String {
        match (
            self.toks.get(a),
            b.checked_sub(1).and_then(|l| self.toks.get(l)),
        ) {
            (Some(first), Some(last)) if a < b => scan::normalize(
                self.text
                    .get(first.span.start..last.span.end)
                    .unwrap_or_default(),
            ),
            _ => String::new(),
        }
    }

    /// Every function definition at file level: `NAME ( ... ) { ... }`.
    fn definitions(&self) -> HashMap<String, Function> {
        let mut out = HashMap::new();
        let mut i = 0;
        while i < self.toks.len() {
            if self.is(i, "{") {
                // A brace at file level that is no function's: an initializer or a
                // struct; pass over it.
                i = scan::matching(&self.toks, self.text, i).map_or(self.toks.len(), |c| c + 1);
                continue;
            }
            let named = self.kind(i) == Some(Kind::Ident) && self.is(i + 1, "(");
            if !named {
                i += 1;
                continue;
            }
            let Some(close) = scan::matching(&self.toks, self.text, i + 1) else {
                break;
            };
            if !self.is(close + 1, "{") {
                i = close + 1;
                continue;
            }
            let Some(end) = scan::matching(&self.toks, self.text, close + 1) else {
                break;
            };
            let param = (i + 2..close)
                .rev()
                .find(|&p| self.kind(p) == Some(Kind::Ident))
                .map(|p| self.text_of(p).to_string())
                .filter(|p| p != "void");
            out.entry(self.text_of(i).to_string()).or_insert(Function {
                param,
                body: (close + 2, end),
                line: self.line(i),
            });
            i = end + 1;
        }
        out
    }

    /// The function `name` (`intel_cc_platform_has`), read; `None` if the file does
    /// not define it.
    pub fn vendor(&self, name: &str) -> Option<VendorFn> {
        let f = self.functions.get(name)?;
        let mut reader = Reader {
            core: self,
            done: HashMap::new(),
            open: Vec::new(),
        };
        Some(VendorFn {
            name: name.to_string(),
            line: f.line,
            meaning: reader.meaning(name),
        })
    }
}

/// One statement of a body, as far as it matters to the answer.
enum Stmt {
    /// `return EXPR;`: the expression's tokens.
    Return(usize, usize),
    /// `if (COND) return EXPR;`: the condition's and the expression's tokens.
    IfReturn((usize, usize), (usize, usize)),
    /// `switch (ON) { ... }`: what it switches on, and its body's tokens.
    Switch(String, (usize, usize)),
    /// A statement without `return`: no effect on the answer.
    Plain,
    /// A statement this reader does not follow.
    Unread(String),
}

struct Reader<'c, 't> {
    core: &'c CoreC<'t>,
    done: HashMap<String, Meaning>,
    /// The functions being read, innermost last (for recursion and depth).
    open: Vec<String>,
}

impl Reader<'_, '_> {
    fn meaning(&mut self, name: &str) -> Meaning {
        if let Some(m) = self.done.get(name) {
            return m.clone();
        }
        let Some(f) = self.core.functions.get(name).cloned() else {
            return Meaning::all(Answer::Unread(format!("{name}() is not in this file")), 0);
        };
        if self.open.iter().any(|o| o == name) {
            return Meaning::all(Answer::Unread(format!("{name}() calls itself")), f.line);
        }
        if self.open.len() >= MAX_CALL_DEPTH {
            return Meaning::all(Answer::Unread("calls nested too deep".into()), f.line);
        }
        self.open.push(name.to_string());
        let m = self.body(&f);
        self.open.pop();
        self.done.insert(name.to_string(), m.clone());
        m
    }

    /// The meaning of a body, read from its last statement back to its first.
    fn body(&mut self, f: &Function) -> Meaning {
        let (start, end) = f.body;
        let stmts = self.statements(start, end);
        let end_line = self.core.line(end);
        let mut m = Meaning::all(
            Answer::Unread("the function can end without a return".into()),
            end_line,
        );
        for (at, stmt) in stmts.into_iter().rev() {
            m = match stmt {
                Stmt::Plain => m,
                Stmt::Return(a, b) => self.expr(f, a, b, self.core.line(at)),
                Stmt::IfReturn((ca, cb), (ea, eb)) => {
                    let then = self.expr(f, ea, eb, self.core.line(at));
                    combine(&self.core.source(ca, cb), self.core.line(at), &then, &m)
                }
                Stmt::Switch(on, body) => {
                    if f.param.as_deref() == Some(on.as_str()) {
                        self.switch(f, body, m)
                    } else {
                        Meaning::all(
                            Answer::Unread(format!("a switch on `{on}`")),
                            self.core.line(at),
                        )
                    }
                }
                Stmt::Unread(what) => Meaning::all(Answer::Unread(what), self.core.line(at)),
            };
        }
        m
    }

    /// The statements of `[start, end)`, each with the index of its first token.
    fn statements(&self, start: usize, end: usize) -> Vec<(usize, Stmt)> {
        let c = self.core;
        let mut out = Vec::new();
        let mut i = start;
        while i < end {
            let at = i;
            let (stmt, next) = if c.is(i, ";") {
                (Stmt::Plain, i + 1)
            } else if c.is(i, "return") {
                let semi = self.semicolon(i + 1, end);
                (Stmt::Return(i + 1, semi), semi + 1)
            } else if c.is(i, "switch") && c.is(i + 1, "(") {
                match self.bracketed(i + 1, end) {
                    Some(close) if c.is(close + 1, "{") => match self.bracketed(close + 1, end) {
                        Some(body_end) => (
                            Stmt::Switch(c.source(i + 2, close), (close + 2, body_end)),
                            body_end + 1,
                        ),
                        None => (Stmt::Unread("an unclosed switch".into()), end),
                    },
                    _ => (Stmt::Unread("a switch it cannot read".into()), end),
                }
            } else if c.is(i, "if") && c.is(i + 1, "(") {
                self.if_return(i, end)
            } else if c.is(i, "{") {
                let close = self.bracketed(i, end).unwrap_or(end);
                (Stmt::Unread("a block".into()), close + 1)
            } else {
                let semi = self.semicolon(i, end);
                let has_return = (i..semi).any(|t| c.is(t, "return"));
                let control = ["else", "for", "while", "do", "goto", "case", "default"]
                    .iter()
                    .any(|k| c.is(i, k));
                let stmt = if has_return || control {
                    Stmt::Unread(format!("`{}`", c.source(i, semi.min(i + 8))))
                } else {
                    Stmt::Plain
                };
                (stmt, semi + 1)
            };
            out.push((at, stmt));
            i = next.max(i + 1);
        }
        out
    }

    /// `if (COND) return EXPR;` or `if (COND) { return EXPR; }`, without `else`.
    fn if_return(&self, i: usize, end: usize) -> (Stmt, usize) {
        let c = self.core;
        let Some(close) = self.bracketed(i + 1, end) else {
            return (Stmt::Unread("an unclosed `if`".into()), end);
        };
        let cond = (i + 2, close);
        let (ret, stmt_end) = if c.is(close + 1, "{") {
            let block_end = self.bracketed(close + 1, end).unwrap_or(end);
            ((close + 2, block_end), block_end + 1)
        } else {
            let semi = self.semicolon(close + 1, end);
            ((close + 1, semi + 1), semi + 1)
        };
        let (a, b) = ret;
        let semi = self.semicolon(a, b);
        let simple = c.is(a, "return") && semi + 1 == b.min(end) && !c.is(stmt_end, "else");
        let braced_simple =
            c.is(a, "return") && c.is(semi, ";") && semi + 1 == b && !c.is(stmt_end, "else");
        if simple || braced_simple {
            (Stmt::IfReturn(cond, (a + 1, semi)), stmt_end)
        } else {
            let what = format!(
                "`if ({})` that does more than return",
                c.source(cond.0, cond.1)
            );
            (Stmt::Unread(what), stmt_end)
        }
    }

    /// The `;` that ends the statement from `i` (brackets skipped), or `end`.
    fn semicolon(&self, mut i: usize, end: usize) -> usize {
        while i < end {
            if self.core.is(i, ";") {
                return i;
            }
            if ["(", "[", "{"].iter().any(|b| self.core.is(i, b)) {
                i = self.bracketed(i, end).unwrap_or(end);
            }
            i += 1;
        }
        end
    }

    /// The bracket closing the one at `open`, if it closes before `end`.
    fn bracketed(&self, open: usize, end: usize) -> Option<usize> {
        scan::matching(
            &self.core.toks[..end.min(self.core.toks.len())],
            self.core.text,
            open,
        )
    }

    /// The meaning of `return EXPR;` with EXPR the tokens `[a, b)`.
    fn expr(&mut self, f: &Function, a: usize, b: usize, line: usize) -> Meaning {
        let c = self.core;
        let text = c.source(a, b);
        let constant = |answer| Meaning::all(answer, line);
        match text.as_str() {
            "true" | "1" => return constant(Answer::Always),
            "false" | "0" => return constant(Answer::Never),
            _ => {}
        }
        if b == a + 1 && c.kind(a) == Some(Kind::Number) {
            // A number as a `bool`: zero is false, anything else true.
            if let Some(n) = ccattr_core::parse_u64(&text) {
                return constant(if n == 0 {
                    Answer::Never
                } else {
                    Answer::Always
                });
            }
        }
        // `other(attr)` for a function of this file.
        if let Some(param) = &f.param {
            let call = b == a + 4
                && c.kind(a) == Some(Kind::Ident)
                && c.is(a + 1, "(")
                && c.is(a + 2, param)
                && c.is(a + 3, ")")
                && c.functions.contains_key(c.text_of(a));
            if call {
                return self.meaning(c.text_of(a));
            }
            if let Some(names) = self.equalities(a, b, param) {
                let mut m = Meaning::all(Answer::Never, line);
                for n in names {
                    m.named.insert(
                        n,
                        Said {
                            answer: Answer::Always,
                            line,
                        },
                    );
                }
                return m;
            }
        }
        constant(Answer::Depends(format!("`{text}`")))
    }

    /// `attr == A || B == attr || ...`: the names compared with the parameter.
    fn equalities(&self, a: usize, b: usize, param: &str) -> Option<Vec<String>> {
        let c = self.core;
        let mut names = Vec::new();
        let mut i = a;
        loop {
            let (x, y) = (i, i + 2);
            if y >= b || !c.is(x + 1, "==") {
                return None;
            }
            let other = if c.is(x, param) {
                y
            } else if c.is(y, param) {
                x
            } else {
                return None;
            };
            if c.kind(other) != Some(Kind::Ident) {
                return None;
            }
            names.push(c.text_of(other).to_string());
            i = y + 1;
            if i == b {
                return Some(names);
            }
            if !c.is(i, "||") {
                return None;
            }
            i += 1;
        }
    }

    /// The meaning of a `switch` on the parameter, with `after` what follows it.
    fn switch(&mut self, f: &Function, (start, end): (usize, usize), after: Meaning) -> Meaning {
        let c = self.core;
        // Groups of labels, each with the tokens of the statements under it.
        let mut groups: Vec<(Vec<Option<String>>, usize, usize, usize)> = Vec::new();
        let mut labels: Vec<Option<String>> = Vec::new();
        let mut label_line = 0;
        let mut i = start;
        while i < end {
            let label = if c.is(i, "case") && c.is(i + 2, ":") {
                Some(Some(c.text_of(i + 1).to_string()))
            } else if c.is(i, "default") && c.is(i + 1, ":") {
                Some(None)
            } else {
                None
            };
            if let Some(l) = label {
                if labels.is_empty() {
                    label_line = c.line(i);
                }
                labels.push(l);
                i += if c.is(i, "case") { 3 } else { 2 };
                continue;
            }
            if c.is(i, "case") {
                return Meaning::all(
                    Answer::Unread(format!("the label `case {}`", c.source(i + 1, i + 4))),
                    c.line(i),
                );
            }
            // Statements up to the next label at this level.
            let body_start = i;
            while i < end && !(c.is(i, "case") || (c.is(i, "default") && c.is(i + 1, ":"))) {
                if ["(", "[", "{"].iter().any(|b| c.is(i, b)) {
                    i = self.bracketed(i, end).unwrap_or(end);
                }
                i += 1;
            }
            let labels_now = std::mem::take(&mut labels);
            if labels_now.is_empty() {
                return Meaning::all(
                    Answer::Unread("code before the switch's first label".into()),
                    c.line(body_start),
                );
            }
            groups.push((labels_now, body_start, i.min(end), label_line));
        }
        if !labels.is_empty() {
            // Labels at the end with nothing under them go on after the switch.
            groups.push((labels, end, end, label_line));
        }
        let mut m = after.clone();
        let mut named: Vec<(String, Said)> = Vec::new();
        for (labels, a, b, line) in groups {
            let group = self.case_body(f, a, b, line, &after);
            for l in labels {
                match l {
                    Some(name) => named.push((name.clone(), group.answer(&name).clone())),
                    None => m = group.clone(),
                }
            }
        }
        for (name, said) in named {
            m.named.insert(name, said);
        }
        m
    }

    /// What the statements under a group of labels return: `return EXPR;` or
    /// `break;` (what follows the switch).
    fn case_body(
        &mut self,
        f: &Function,
        a: usize,
        b: usize,
        line: usize,
        after: &Meaning,
    ) -> Meaning {
        let c = self.core;
        if a == b {
            return after.clone();
        }
        let stmts = self.statements(a, b);
        match stmts.first() {
            Some((at, Stmt::Return(ea, eb))) if stmts.len() == 1 => {
                self.expr(f, *ea, *eb, c.line(*at))
            }
            Some((at, Stmt::Plain)) if stmts.len() == 1 && c.is(*at, "break") => after.clone(),
            _ => Meaning::all(
                Answer::Unread("a case that does more than return".into()),
                line,
            ),
        }
    }
}

/// `if (cond) return <then>;` followed by `<otherwise>`, for every attribute.
fn combine(cond: &str, line: usize, then: &Meaning, otherwise: &Meaning) -> Meaning {
    let one = |t: &Said, o: &Said| match (&t.answer, &o.answer) {
        (Answer::Unread(_), _) => t.clone(),
        (_, Answer::Unread(_)) => o.clone(),
        (x, y) if x == y && matches!(x, Answer::Always | Answer::Never) => t.clone(),
        _ => Said {
            answer: Answer::Depends(format!("`{cond}` ? {} : {}", t.text(), o.text())),
            line,
        },
    };
    let mut named = BTreeMap::new();
    for name in then.named.keys().chain(otherwise.named.keys()) {
        named.insert(name.clone(), one(then.answer(name), otherwise.answer(name)));
    }
    Meaning {
        named,
        rest: one(&then.rest, &otherwise.rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &str, name: &str) -> Meaning {
        CoreC::new(src).vendor(name).expect("the function").meaning
    }

    fn answer(m: &Meaning, name: &str) -> Answer {
        m.answer(name).answer.clone()
    }

    #[test]
    fn a_switch_that_returns_true() {
        let m = read(
            "static bool intel_cc_platform_has(enum cc_attr attr)\n{\n\tswitch (attr) {\n\
             \tcase A:\n\tcase B:\n\t\treturn true;\n\tdefault:\n\t\treturn false;\n\t}\n}\n",
            "intel_cc_platform_has",
        );
        assert_eq!(answer(&m, "A"), Answer::Always);
        assert_eq!(answer(&m, "B"), Answer::Always);
        assert_eq!(answer(&m, "C"), Answer::Never);
        assert_eq!(m.answer("A").line, 6);
        assert_eq!(m.answer("C").line, 8);
    }

    #[test]
    fn equalities_and_conditions() {
        let m = read("bool h(int attr) { return attr == A || B == attr; }", "h");
        assert_eq!(
            (answer(&m, "A"), answer(&m, "B"), answer(&m, "C")),
            (Answer::Always, Answer::Always, Answer::Never)
        );
        let src = "static bool v(enum cc_attr attr) { switch (attr) { case A: case B: return true; default: return false; } }\n\
                   static bool amd(enum cc_attr attr) {\n#ifdef CONFIG_X\n const u64 s = get();\n if (s & VTOM)\n return v(attr);\n\
                   switch (attr) { case A: return m; case C: return (s & E) &&\n !(s & F); case D: break; default: return false; }\n\
                   return false;\n#else\n return false;\n#endif\n}";
        let m = read(src, "amd");
        assert_eq!(
            answer(&m, "A"),
            Answer::Depends("`s & VTOM` ? true : `m`".into())
        );
        assert_eq!(
            answer(&m, "B"),
            Answer::Depends("`s & VTOM` ? true : false".into())
        );
        assert_eq!(
            answer(&m, "C"),
            Answer::Depends("`s & VTOM` ? false : `(s & E) && !(s & F)`".into())
        );
        assert_eq!(answer(&m, "D"), Answer::Never);
        assert_eq!(answer(&m, "Z"), Answer::Never);
    }

    #[test]
    fn what_it_does_not_read() {
        let m = read("bool f(int attr) { for (;;) {} return true; }", "f");
        assert!(matches!(answer(&m, "A"), Answer::Unread(_)));
        let m = read(
            "bool f(int attr) { switch (x) { default: return true; } }",
            "f",
        );
        assert!(matches!(answer(&m, "A"), Answer::Unread(_)));
        let m = read("bool f(int attr) { }", "f");
        assert!(matches!(answer(&m, "A"), Answer::Unread(_)));
        let m = read("bool f(int attr) { return f(attr); }", "f");
        assert!(matches!(answer(&m, "A"), Answer::Unread(_)));
        let m = read(
            "bool f(int attr) { if (x) { y(); return true; } return false; }",
            "f",
        );
        assert!(matches!(answer(&m, "A"), Answer::Unread(_)));
        assert!(CoreC::new("bool f(int attr);").vendor("f").is_none());
        assert!(CoreC::new("").vendor("f").is_none());
    }

    #[test]
    fn broken_code_is_read_without_panicking() {
        for src in [
            "bool f(int attr) { switch (attr) { case",
            "bool f(int attr) { switch (attr) { case A: return",
            "bool f(int attr) { if (",
            "bool f(int attr) { if (x) return",
            "bool f(int attr) { switch (attr) { return 1; } }",
            "bool f(int attr) { switch (attr) { case A: } }",
            "bool f(int attr) { return attr == ; }",
            "bool f(int attr) { return attr == A || ; }",
            "f() { g() { } }",
            "bool f(int attr) { if (x) { return 1; } else return 0; }",
            "bool f(int attr) { switch (attr) { case 1 ... 3: return 1; } }",
            "bool f(int attr) { switch (attr) { case A: x; case",
        ] {
            if let Some(v) = CoreC::new(src).vendor("f") {
                let _ = v.meaning.answer("A");
            }
        }
    }
}
