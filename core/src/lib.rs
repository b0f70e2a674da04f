//! ccattr's core: the checked model, the decision table every output prints,
//! the reference evaluator, `explain`, and the rendering of diagnostics.

pub mod check;
pub mod cnames;
pub mod dnf;
pub mod explain;
pub mod hex;
pub mod matrix;
pub mod model;
pub mod reference;
pub mod render;
pub mod synth;
pub mod table;

pub use ccattr_grammar::{Diagnostic, Severity, Source, Span};
pub use model::Model;
pub use table::{Decision, DecisionTable};

/// The version of the JSON decision table format (`"version"` in `SPEC.json`).
pub const TABLE_FORMAT: &str = "ccattr-decision-table";
pub const TABLE_VERSION: u32 = 1;

/// The result of checking one spec.
#[derive(Debug)]
pub struct Compiled {
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when there were no errors.
    pub model: Option<Model>,
    /// Present when there were no errors.
    pub table: Option<DecisionTable>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse, check and lower a spec.
pub fn compile(source: &Source) -> Compiled {
    let (ast, mut diagnostics) = ccattr_grammar::parse(&source.text);
    let model = check::check(source, &ast, &mut diagnostics);
    // The model holds all it needs: free the syntax tree before the table is built.
    drop(ast);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let model = model.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    let table = model
        .as_ref()
        .map(|m| DecisionTable::build(m, &|off| source.line_of(off)));
    Compiled {
        diagnostics,
        model,
        table,
    }
}

/// Read a number in decimal or `0x` hex, with `_` between digits.
pub fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, radix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (s, 10),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    u64::from_str_radix(&digits.replace('_', ""), radix).ok()
}
