//! Behaviour: the decisions that differ between the two versions, on every declared
//! platform and on attribute sets no declared platform has, each with a witness.
//!
//! Decisions are piecewise constant between region boundaries, so checking the first
//! address of every stretch of either table finds every address that changed.

use crate::attrs::Names;
use crate::kinds::{
    DECISION_CHANGED, DECISION_CHANGED_OFF_PLATFORM, REFUSAL_DROPPED, REFUSAL_DROPPED_OFF_PLATFORM,
};
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

/// Whether a change from `before` to `after` drops a refusal: what had to fail is now
/// mapped (or left to the kernel's default) without a word.
fn fails_open(before: Decision, after: Decision) -> bool {
    before == Decision::Refused && after != Decision::Refused
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
        // One change per row, and one more where the row also drops a refusal.
        let mut seen: HashSet<(Row, bool)> = HashSet::new();
        for &addr in &addrs {
            let (before, after) = (bt.decide(bp.full, addr, 1), ht.decide(hp.full, addr, 1));
            if before == after {
                continue;
            }
            let row = rows.of(bt, ht, addr);
            let open = fails_open(before, after);
            if !seen.insert((row.clone(), open)) {
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
                caps: None,
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
                if open {
                    REFUSAL_DROPPED
                } else {
                    DECISION_CHANGED
                },
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

/// The bits of the base attribute named `name` (by its HEAD name, renames followed)
/// in BASE and in HEAD; 0 where a version has no such base attribute.
fn base_attr_bits(base: &Checked, head: &Checked, names: &Names, name: &str) -> (u64, u64) {
    let (bt, ht) = (&base.table, &head.table);
    let in_base = (0..bt.attrs.len())
        .filter(|&i| bt.attrs[i].base && names.base_attr(&base.model, i) == name)
        .fold(0, |m, i| m | 1 << i);
    let in_head = ht
        .attr_index(name)
        .filter(|&i| ht.attrs[i].base)
        .map_or(0, |i| 1 << i);
    (in_base, in_head)
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
    let (base_bits, head_bits): (Vec<u64>, Vec<u64>) = attrs
        .iter()
        .map(|n| base_attr_bits(base, head, names, n))
        .unzip();
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
            let kind = if fails_open(before, after) {
                REFUSAL_DROPPED_OFF_PLATFORM
            } else {
                DECISION_CHANGED_OFF_PLATFORM
            };
            let mut c = Change::new(
                kind,
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
                caps: None,
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

/// An attribute state a probed device is compared under: the platform (indices in
/// BASE and HEAD) or `None` off the declared platforms, the base attributes that
/// platform code reports, and the full sets in BASE and HEAD.
type State = (Option<(usize, usize)>, Vec<String>, u64, u64);

/// The most capability combinations tried per probed device, platform and version.
const MAX_CAP_COMBINATIONS: usize = 1 << 12;

/// The decisions of probed devices (version 2) that differ, on every platform
/// declared in both versions, for every combination of the capabilities the
/// device's rules read in either version: each change names the capabilities.
pub fn probed_changes(base: &Checked, head: &Checked, names: &Names, out: &mut Vec<Change>) {
    let (bt, ht) = (&base.table, &head.table);
    for (hd, dev) in ht.probed_devices() {
        let Some(bd) = bt
            .devices
            .iter()
            .position(|d| d.name == dev.name && d.probed.is_some())
        else {
            continue;
        };
        // The capabilities either version reads for this device, by name.
        let mut caps: Vec<String> = Vec::new();
        for (t, d) in [(ht, hd), (bt, bd)] {
            let rs = t.devices[d].probed.unwrap_or_default();
            for n in t.cap_names(t.caps_read(rs)) {
                if !caps.iter().any(|c| c == n) {
                    caps.push(n.to_string());
                }
            }
        }
        let bits = |t: &DecisionTable, subset: &[usize]| -> u32 {
            subset
                .iter()
                .filter_map(|&i| t.cap_index(&caps[i]))
                .fold(0, |m, b| m | 1 << b)
        };
        let combinations = cap_combinations(caps.len());
        let mut states: Vec<State> = Vec::new();
        for (hi, hp) in ht.platforms.iter().enumerate() {
            if let Some(bi) = bt.platforms.iter().position(|p| p.name == hp.name) {
                let reported = ht
                    .attr_names(hp.sets)
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                states.push((Some((bi, hi)), reported, bt.platforms[bi].full, hp.full));
            }
        }
        // Off the declared platforms: each base attribute alone, and none, by name in
        // both versions, where it gives a set no declared platform has.
        let declared: HashSet<(u64, u64)> = states.iter().map(|s| (s.2, s.3)).collect();
        let mut singles: Vec<Option<String>> = vec![None];
        singles.extend(
            ht.attrs
                .iter()
                .filter(|a| a.base)
                .map(|a| Some(a.name.clone())),
        );
        for name in singles {
            let (bf, hf) = match &name {
                None => (bt.close(0), ht.close(0)),
                Some(n) => {
                    let (bb, hb) = base_attr_bits(base, head, names, n);
                    (bt.close(bb), ht.close(hb))
                }
            };
            if declared.contains(&(bf, hf))
                || states
                    .iter()
                    .any(|s| s.0.is_none() && (s.2, s.3) == (bf, hf))
            {
                continue;
            }
            states.push((None, name.into_iter().collect(), bf, hf));
        }
        for (platform, reported, bf, hf) in states {
            // On a platform: the first combination that changes, and the first that
            // drops a refusal; off them, the first of each pair of decisions.
            let mut seen: HashSet<(bool, Option<(Decision, Decision)>)> = HashSet::new();
            for subset in &combinations {
                let (bc, hc) = (bits(bt, subset), bits(ht, subset));
                let before = bt
                    .decide_probed(bf, bd, bc)
                    .unwrap_or(Decision::Unspecified);
                let after = ht
                    .decide_probed(hf, hd, hc)
                    .unwrap_or(Decision::Unspecified);
                let pair = platform.is_none().then_some((before, after));
                if before == after || !seen.insert((fails_open(before, after), pair)) {
                    continue;
                }
                let reported_caps: Vec<String> = subset.iter().map(|&i| caps[i].clone()).collect();
                let shown = if reported_caps.is_empty() {
                    "no capabilities".to_string()
                } else {
                    reported_caps.join(", ")
                };
                let open = fails_open(before, after);
                let (kind, message) = match platform {
                    Some((_, hi)) => (
                        if open { REFUSAL_DROPPED } else { DECISION_CHANGED },
                        format!(
                            "`{}` on `{}`: {before} -> {after} when the device reports {shown}",
                            dev.name, ht.platforms[hi].name
                        ),
                    ),
                    None => (
                        if open { REFUSAL_DROPPED_OFF_PLATFORM } else { DECISION_CHANGED_OFF_PLATFORM },
                        format!(
                            "`{}`: {before} -> {after} when platform code reports {} (no declared platform has this set) and the device reports {shown}",
                            dev.name,
                            if reported.is_empty() { "no attributes".to_string() } else { reported.join(", ") }
                        ),
                    ),
                };
                let mut c = Change::new(kind, dev.name.clone(), message)
                    .values(before.as_str(), after.as_str());
                c.head_span = Some(head.model.devices[hd].span);
                c.base_span = Some(base.model.devices[bd].span);
                let platform_name = platform.map(|(_, hi)| ht.platforms[hi].name.clone());
                c.cell = Some(Cell {
                    row: dev.name.clone(),
                    platform: platform_name.clone(),
                    before: Some(before),
                    after: Some(after),
                });
                c.witness = Some(Witness {
                    addr: 0,
                    caps: Some(reported_caps),
                    platform: platform_name,
                    reported: reported.clone(),
                    base_full: bt.attr_names(bf).iter().map(|s| s.to_string()).collect(),
                    head_full: ht.attr_names(hf).iter().map(|s| s.to_string()).collect(),
                    before,
                    after,
                });
                out.push(c);
            }
        }
    }
}

/// The subsets of `n` capabilities to try, by index, smallest first: all of them
/// when there are at most [`MAX_CAP_COMBINATIONS`], else none, each alone, and
/// each pair.
fn cap_combinations(n: usize) -> Vec<Vec<usize>> {
    if 1usize
        .checked_shl(n as u32)
        .is_some_and(|c| c <= MAX_CAP_COMBINATIONS)
    {
        let mut masks: Vec<u32> = (0..1u32 << n).collect();
        masks.sort_by_key(|m| (m.count_ones(), *m));
        return masks
            .into_iter()
            .map(|m| (0..n).filter(|&i| m >> i & 1 == 1).collect())
            .collect();
    }
    let mut v: Vec<Vec<usize>> = vec![Vec::new()];
    v.extend((0..n).map(|i| vec![i]));
    for i in 0..n {
        v.extend((i + 1..n).map(|j| vec![i, j]));
    }
    v
}
