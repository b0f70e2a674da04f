//! Behaviour: the decisions that differ between the two versions, on every declared
//! platform and on attribute sets no declared platform has, each with a witness.
//!
//! Decisions are piecewise constant between region boundaries, so checking the first
//! address of every stretch of either table finds every address that changed.

use crate::attrs::Names;
use crate::kinds::{DECISION_CHANGED, DECISION_CHANGED_OFF_PLATFORM};
use crate::{Cell, Change, Witness};
use ccattr_core::matrix::{device_decision, ELSEWHERE};
use ccattr_core::model::Cond;
use ccattr_core::{Checked, Decision, DecisionTable, Span};
use ccattr_lint::reach::{influencing_bases, read_mask, MAX_ENUMERATED};
use std::collections::{BTreeSet, HashSet};

/// The first address of every stretch where either table's rule set changes.
fn candidates(base: &DecisionTable, head: &DecisionTable) -> Vec<u64> {
    let mut out = BTreeSet::from([0u64]);
    for t in [base, head] {
        for iv in &t.intervals {
            out.insert(iv.start);
            if let Some(next) = iv.last.checked_add(1) {
                out.insert(next);
            }
        }
    }
    out.into_iter().collect()
}

fn innermost(table: &DecisionTable, addr: u64) -> Option<usize> {
    table.rule_sets[table.segment_at(addr).rule_set]
        .devices
        .first()
        .copied()
}

/// A row of the matrix: a device by name, or elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Row {
    /// Index in [`Rows::names`], whose order is HEAD's devices, BASE-only devices,
    /// then elsewhere.
    index: usize,
}

struct Rows {
    names: Vec<String>,
    head: Vec<Option<usize>>,
    base: Vec<Option<usize>>,
}

impl Rows {
    fn new(base: &DecisionTable, head: &DecisionTable) -> Rows {
        let mut names: Vec<String> = head.devices.iter().map(|d| d.name.clone()).collect();
        names.extend(
            base.devices
                .iter()
                .filter(|d| !head.devices.iter().any(|h| h.name == d.name))
                .map(|d| d.name.clone()),
        );
        let find = |t: &DecisionTable, n: &str| t.devices.iter().position(|d| d.name == n);
        let head_ids = names.iter().map(|n| find(head, n)).chain([None]).collect();
        let base_ids = names.iter().map(|n| find(base, n)).chain([None]).collect();
        names.push(ELSEWHERE.to_string());
        Rows {
            names,
            head: head_ids,
            base: base_ids,
        }
    }

    /// The row an address belongs to: its innermost device in HEAD; for an address
    /// outside every device in HEAD, its innermost device in BASE if HEAD lost that
    /// device; else elsewhere.
    fn of(&self, base: &DecisionTable, head: &DecisionTable, addr: u64) -> Row {
        let pick = |ids: &[Option<usize>], d: usize| ids.iter().position(|&x| x == Some(d));
        if let Some(d) = innermost(head, addr) {
            if let Some(index) = pick(&self.head, d) {
                return Row { index };
            }
        }
        if let Some(d) = innermost(base, addr) {
            if let Some(index) = pick(&self.base, d).filter(|&i| self.head[i].is_none()) {
                return Row { index };
            }
        }
        Row {
            index: self.names.len() - 1,
        }
    }

    fn cell(
        &self,
        row: &Row,
        table: &DecisionTable,
        ids: &[Option<usize>],
        full: u64,
    ) -> Option<Decision> {
        let elsewhere = row.index == self.names.len() - 1;
        match ids[row.index] {
            Some(d) => Some(device_decision(table, Some(d), full)),
            None if elsewhere => Some(device_decision(table, None, full)),
            None => None,
        }
    }
}

fn arrow(d: Option<Decision>) -> String {
    d.map_or("(absent)".to_string(), |d| d.as_str().to_string())
}

/// Report every changed decision. Returns whether the search off the declared
/// platforms was exhaustive.
pub fn changes(base: &Checked, head: &Checked, names: &Names, out: &mut Vec<Change>) -> bool {
    let (bt, ht) = (&base.table, &head.table);
    let addrs = candidates(bt, ht);
    let rows = Rows::new(bt, ht);
    let row_span = |v: &Checked, ids: &[Option<usize>], row: &Row| -> Option<Span> {
        ids[row.index].map(|d| v.model.devices[d].span)
    };

    // Declared platforms (present in both versions).
    for (hi, hp) in ht.platforms.iter().enumerate() {
        let Some(bi) = bt.platforms.iter().position(|p| p.name == hp.name) else {
            continue;
        };
        let bp = &bt.platforms[bi];
        let mut seen: HashSet<Row> = HashSet::new();
        for &addr in &addrs {
            let (before, after) = (bt.decide(bp.full, addr, 1), ht.decide(hp.full, addr, 1));
            if before == after {
                continue;
            }
            let row = rows.of(bt, ht, addr);
            if !seen.insert(row.clone()) {
                continue;
            }
            let cell = Cell {
                row: rows.names[row.index].clone(),
                platform: Some(hp.name.clone()),
                before: rows.cell(&row, bt, &rows.base, bp.full),
                after: rows.cell(&row, ht, &rows.head, hp.full),
            };
            let witness = Witness {
                addr,
                platform: Some(hp.name.clone()),
                reported: ht
                    .attr_names(hp.sets)
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                base_full: bt
                    .attr_names(bp.full)
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                head_full: ht
                    .attr_names(hp.full)
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                before,
                after,
            };
            let mut c = Change::new(
                DECISION_CHANGED,
                cell.row.clone(),
                if cell.before == Some(before) && cell.after == Some(after) {
                    format!(
                        "`{}` on `{}`: {before} -> {after} (witness: {addr:#X})",
                        cell.row, hp.name
                    )
                } else {
                    format!(
                        "`{}` on `{}`: {} -> {} (at {addr:#X}: {before} -> {after})",
                        cell.row,
                        hp.name,
                        arrow(cell.before),
                        arrow(cell.after)
                    )
                },
            )
            .values(arrow(cell.before), arrow(cell.after));
            c.head_span = row_span(head, &rows.head, &row).or(Some(head.model.platforms[hi].span));
            c.base_span = row_span(base, &rows.base, &row).or(Some(base.model.platforms[bi].span));
            c.cell = Some(cell);
            c.witness = Some(witness);
            out.push(c);
        }
    }

    off_platform(base, head, names, &addrs, &rows, out)
}

/// The most single-address decisions the search off the declared platforms makes
/// per version before it stops trying every attribute set.
const MAX_DECISIONS: usize = 1 << 24;

fn rule_conds(v: &Checked) -> Vec<Cond> {
    v.model
        .rules
        .iter()
        .map(|r| r.cond.clone().unwrap_or(Cond::Const(true)))
        .collect()
}

fn off_platform(
    base: &Checked,
    head: &Checked,
    names: &Names,
    addrs: &[u64],
    rows: &Rows,
    out: &mut Vec<Change>,
) -> bool {
    let (bt, ht) = (&base.table, &head.table);
    let (bconds, hconds) = (rule_conds(base), rule_conds(head));
    let base_rel = read_mask(&base.model, &bconds.iter().collect::<Vec<_>>());
    let head_rel = read_mask(&head.model, &hconds.iter().collect::<Vec<_>>());

    // The base attributes (by HEAD name where they have one) that can change a decision.
    let mut attrs: Vec<String> = Vec::new();
    for b in influencing_bases(ht, head_rel) {
        attrs.push(ht.attrs[b].name.clone());
    }
    for b in influencing_bases(bt, base_rel) {
        let n = names.base_attr(&base.model, b).to_string();
        if !attrs.contains(&n) {
            attrs.push(n);
        }
    }
    let head_bits: Vec<u64> = attrs
        .iter()
        .map(|n| {
            ht.attr_index(n)
                .filter(|&i| ht.attrs[i].base)
                .map_or(0, |i| 1 << i)
        })
        .collect();
    let base_bits: Vec<u64> = attrs
        .iter()
        .map(|n| {
            (0..bt.attrs.len())
                .filter(|&i| bt.attrs[i].base && names.base_attr(&base.model, i) == n)
                .fold(0, |m, i| m | 1 << i)
        })
        .collect();
    let n = attrs.len();
    // Exhaustive when the work is bounded; else every set of at most two attributes
    // (or one, for very large specs).
    let budget = |sets: usize| sets.saturating_mul(addrs.len().max(1)) <= MAX_DECISIONS;
    let exhaustive = n <= MAX_ENUMERATED && budget(1 << n);
    let subsets: Vec<Vec<usize>> = if exhaustive {
        let mut masks: Vec<u32> = (0..1u32 << n).collect();
        masks.sort_by_key(|m| (m.count_ones(), *m));
        masks
            .into_iter()
            .map(|m| (0..n).filter(|&i| m >> i & 1 == 1).collect())
            .collect()
    } else {
        let mut v: Vec<Vec<usize>> = vec![Vec::new()];
        v.extend((0..n).map(|i| vec![i]));
        if budget(n * n / 2 + n + 1) {
            for i in 0..n {
                v.extend((i + 1..n).map(|j| vec![i, j]));
            }
        }
        v
    };

    let head_platforms: HashSet<u64> = ht.platforms.iter().map(|p| p.full & head_rel).collect();
    let base_platforms: HashSet<u64> = bt.platforms.iter().map(|p| p.full & base_rel).collect();
    let mut tried: HashSet<(u64, u64)> = HashSet::new();
    let mut seen: HashSet<(Row, Decision, Decision)> = HashSet::new();
    for s in subsets {
        let pick = |bits: &[u64]| s.iter().fold(0u64, |m, &i| m | bits[i]);
        let (bf, hf) = (bt.close(pick(&base_bits)), ht.close(pick(&head_bits)));
        // A declared platform's set in both versions: the platform comparison covers it.
        if head_platforms.contains(&(hf & head_rel)) && base_platforms.contains(&(bf & base_rel)) {
            continue;
        }
        // Sets that close to the same pair decide alike: the first (smallest) stands for them.
        if !tried.insert((bf, hf)) {
            continue;
        }
        for &addr in addrs {
            let (before, after) = (bt.decide(bf, addr, 1), ht.decide(hf, addr, 1));
            if before == after {
                continue;
            }
            let row = rows.of(bt, ht, addr);
            if !seen.insert((row.clone(), before, after)) {
                continue;
            }
            let reported: Vec<String> = s.iter().map(|&i| attrs[i].clone()).collect();
            let shown = if reported.is_empty() {
                "no attributes".to_string()
            } else {
                reported.join(", ")
            };
            let row_name = rows.names[row.index].clone();
            let mut c = Change::new(
                DECISION_CHANGED_OFF_PLATFORM,
                row_name.clone(),
                format!("`{row_name}`: {before} -> {after} when platform code reports {shown} (no declared platform has this set), at {addr:#X}"),
            )
            .values(before.as_str(), after.as_str());
            c.head_span = rows.head[row.index].map(|d| head.model.devices[d].span);
            c.base_span = rows.base[row.index].map(|d| base.model.devices[d].span);
            c.cell = Some(Cell {
                row: row_name,
                platform: None,
                before: Some(before),
                after: Some(after),
            });
            c.witness = Some(Witness {
                addr,
                platform: None,
                reported,
                base_full: bt.attr_names(bf).iter().map(|s| s.to_string()).collect(),
                head_full: ht.attr_names(hf).iter().map(|s| s.to_string()).collect(),
                before,
                after,
            });
            out.push(c);
        }
    }
    exhaustive
}
