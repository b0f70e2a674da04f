//! The full attribute sets that platform code can produce, restricted to the
//! attributes a question depends on: every subset of the base attributes that can
//! influence it, closed by the decision table.

use ccattr_core::model::{AttrKind, Cond, Model};
use ccattr_core::DecisionTable;

/// The largest number of influencing base attributes enumerated exhaustively
/// (2^16 closures).
pub const MAX_ENUMERATED: usize = 16;

/// The attributes `conds` read, with every attribute that a derived one among them
/// reads, transitively, as a bit mask.
pub fn read_mask(model: &Model, conds: &[&Cond]) -> u64 {
    let mut stack = Vec::new();
    for c in conds {
        c.attrs(&mut stack);
    }
    let mut mask = 0u64;
    while let Some(a) = stack.pop() {
        if mask >> a & 1 == 1 {
            continue;
        }
        mask |= 1 << a;
        if let AttrKind::Derived { cond } = &model.attrs[a].kind {
            cond.attrs(&mut stack);
        }
    }
    mask
}

/// The base attributes whose presence can change an attribute of `mask`: those that
/// imply (or are) one of its base attributes, and, when `mask` holds derived attributes,
/// those they read.
pub fn influencing_bases(table: &DecisionTable, mask: u64) -> Vec<usize> {
    (0..table.attrs.len())
        .filter(|&b| table.attrs[b].base && table.attrs[b].implies_mask & mask != 0)
        .collect()
}

/// Every full set reachable by turning the base attributes `bases` on and off (the
/// others off), closed by the table, deduplicated, in enumeration order. `None` when
/// there are more than [`MAX_ENUMERATED`] of them.
pub fn full_sets(table: &DecisionTable, bases: &[usize]) -> Option<Vec<u64>> {
    if bases.len() > MAX_ENUMERATED {
        return None;
    }
    let mut out = Vec::with_capacity(1 << bases.len());
    for subset in 0u64..(1 << bases.len()) {
        let base = bases
            .iter()
            .enumerate()
            .filter(|&(i, _)| subset >> i & 1 == 1)
            .fold(0u64, |m, (_, &b)| m | 1 << b);
        out.push(table.close(base));
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The full sets that decide the conditions `conds`: `None` when too many base
/// attributes influence them to enumerate.
pub fn sets_for(model: &Model, table: &DecisionTable, conds: &[&Cond]) -> Option<Vec<u64>> {
    let mask = read_mask(model, conds);
    full_sets(table, &influencing_bases(table, mask))
}
