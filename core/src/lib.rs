//! ccattr's core: the pipeline ([`compile`]), the checked model, the decision table every output prints,
//! the reference evaluator, `explain`, and the rendering of diagnostics.

pub mod addrmap;
pub mod check;
pub mod compile;
pub mod diagnostics;
pub mod dnf;
pub mod explain;
pub mod hex;
pub mod load;
pub mod matrix;
pub mod model;
pub mod reference;
pub mod table;

pub use ccattr_grammar::{Diagnostic, Severity, Source, Span};
pub use compile::{compile, Checked, ReadError, Rejected};
pub use model::Model;
pub use table::{Decision, DecisionTable};

/// The format of the JSON decision table (`"format"` in `SPEC.json`).
pub const TABLE_FORMAT: &str = "ccattr-decision-table";
/// The newest version of the format (`"version"` in `SPEC.json`): a table is written
/// in the oldest version that holds it ([`DecisionTable::format_version`]), or in the
/// compact form of version 3 when it is large, and the reader reads every version up
/// to this one.
pub const TABLE_VERSION: u32 = 3;

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
