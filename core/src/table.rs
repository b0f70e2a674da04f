//! The decision table: the one lowered form that every output prints.
//!
//! Attributes become bits; each derived attribute a list of terms; the nesting of
//! MMIO regions becomes sorted, disjoint intervals, each pointing at a rule set whose
//! rows already include the enclosing devices' rules and the default rules.

use crate::dnf::{self, is_zero, Term};
use crate::model::{AttrKind, DeviceId, Mapping, Model};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The answer for an address or a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Unspecified = 0,
    Encrypted = 1,
    Decrypted = 2,
    Mixed = 3,
    Invalid = 4,
    /// The mapping must fail (version 2): a `refuse` rule decided, for at least one
    /// byte of the range.
    Refused = 5,
}

impl Decision {
    pub const ALL: [Decision; 6] = [
        Decision::Unspecified,
        Decision::Encrypted,
        Decision::Decrypted,
        Decision::Mixed,
        Decision::Invalid,
        Decision::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Unspecified => "unspecified",
            Decision::Encrypted => "encrypted",
            Decision::Decrypted => "decrypted",
            Decision::Mixed => "mixed",
            Decision::Invalid => "invalid",
            Decision::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl From<Mapping> for Decision {
    fn from(m: Mapping) -> Self {
        match m {
            Mapping::Encrypted => Decision::Encrypted,
            Mapping::Decrypted => Decision::Decrypted,
            Mapping::Refuse => Decision::Refused,
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableAttr {
    pub name: String,
    pub doc: Vec<String>,
    /// `true` for a base attribute, `false` for a derived one.
    pub base: bool,
    /// The attributes named by `implies`, as written.
    pub implies: Vec<usize>,
    /// For a base attribute: its own bit and every bit it implies, transitively.
    #[serde(with = "crate::hex::u64")]
    pub implies_mask: u64,
    /// For a derived attribute: it is present when any term matches.
    pub terms: Vec<Term>,
    /// The derivation as written (empty for a base attribute).
    pub derivation: String,
    pub formerly: Vec<String>,
    pub deprecated: Option<String>,
    /// The file it is written in, an index into [`DecisionTable::files`] (0, the
    /// root file, is not written).
    #[serde(default, skip_serializing_if = "is_zero_index")]
    pub file: usize,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePlatform {
    pub name: String,
    pub doc: Vec<String>,
    /// The base attributes it sets, as written.
    #[serde(with = "crate::hex::u64")]
    pub sets: u64,
    /// Its full attribute set (closed).
    #[serde(with = "crate::hex::u64")]
    pub full: u64,
    /// The file it is written in, an index into [`DecisionTable::files`] (0, the
    /// root file, is not written).
    #[serde(default, skip_serializing_if = "is_zero_index")]
    pub file: usize,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRegion {
    #[serde(with = "crate::hex::u64")]
    pub start: u64,
    /// The last byte (inclusive), so that a region may end at 2^64.
    #[serde(with = "crate::hex::u64")]
    pub last: u64,
    /// The file it is written in, an index into [`DecisionTable::files`] (0, the
    /// root file, is not written).
    #[serde(default, skip_serializing_if = "is_zero_index")]
    pub file: usize,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDevice {
    pub name: String,
    pub doc: Vec<String>,
    /// Its fixed regions; none for a probed device.
    pub regions: Vec<TableRegion>,
    /// For a probed device (version 2): the rule set that decides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probed: Option<usize>,
    /// The file it is written in, an index into [`DecisionTable::files`] (0, the
    /// root file, is not written).
    #[serde(default, skip_serializing_if = "is_zero_index")]
    pub file: usize,
    pub line: usize,
}

/// A device capability (version 2): bit i of a capability set is capability i.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCap {
    pub name: String,
    pub doc: Vec<String>,
    /// The file it is written in, an index into [`DecisionTable::files`] (0, the
    /// root file, is not written).
    #[serde(default, skip_serializing_if = "is_zero_index")]
    pub file: usize,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRule {
    /// The device of a `map` rule; `None` for a `default` rule.
    pub device: Option<usize>,
    pub decision: Decision,
    /// The rule as written in canonical form.
    pub text: String,
    /// The file it is written in, an index into [`DecisionTable::files`] (0, the
    /// root file, is not written).
    #[serde(default, skip_serializing_if = "is_zero_index")]
    pub file: usize,
    pub line: usize,
}

/// One row: it matches a full attribute set `s` and a capability set `c` when
/// `s & mask == value` and `c & cap_mask == cap_value` (the capability mask is 0
/// outside the rule sets of probed devices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Row {
    #[serde(with = "crate::hex::u64")]
    pub mask: u64,
    #[serde(with = "crate::hex::u64")]
    pub value: u64,
    #[serde(default, skip_serializing_if = "is_zero", with = "crate::hex::u32")]
    pub cap_mask: u32,
    #[serde(default, skip_serializing_if = "is_zero", with = "crate::hex::u32")]
    pub cap_value: u32,
    pub decision: Decision,
    /// The index of the rule this row came from.
    pub rule: usize,
}

impl Row {
    /// The row of rule `rule`'s term `t`.
    pub fn of(t: Term, decision: Decision, rule: usize) -> Row {
        Row {
            mask: t.mask,
            value: t.value,
            cap_mask: t.cap_mask,
            cap_value: t.cap_value,
            decision,
            rule,
        }
    }

    /// The term it tests.
    pub fn term(&self) -> Term {
        Term {
            mask: self.mask,
            value: self.value,
            cap_mask: self.cap_mask,
            cap_value: self.cap_value,
        }
    }

    /// Whether it matches a full attribute set, with no capability reported.
    pub fn matches(&self, attrs: u64) -> bool {
        self.matches_with(attrs, 0)
    }

    pub fn matches_with(&self, attrs: u64, caps: u32) -> bool {
        attrs & self.mask == self.value && caps & self.cap_mask == self.cap_value
    }
}

/// The ordered rows that decide an address inside a given chain of devices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// The devices containing the addresses, innermost first (empty: elsewhere).
    pub devices: Vec<usize>,
    pub rows: Vec<Row>,
}

/// A maximal run of addresses `[start, last]` inside the same devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    #[serde(with = "crate::hex::u64")]
    pub start: u64,
    #[serde(with = "crate::hex::u64")]
    pub last: u64,
    pub rule_set: usize,
}

/// The lowered spec. Rule set 0 is the one for addresses outside every device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionTable {
    pub spec: String,
    /// The files of a spec with includes (version 2), the root first, each relative
    /// to the root file's folder; empty for a spec of one file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    pub doc: Vec<String>,
    /// The `naming` prefix, if the spec sets one (it names the generated enum).
    pub prefix: Option<String>,
    pub attrs: Vec<TableAttr>,
    /// Every base attribute's bit.
    #[serde(with = "crate::hex::u64")]
    pub base_mask: u64,
    /// Derived attributes in evaluation order.
    pub derive_order: Vec<usize>,
    pub platforms: Vec<TablePlatform>,
    pub devices: Vec<TableDevice>,
    /// Device capabilities (version 2), in declaration order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<TableCap>,
    pub rules: Vec<TableRule>,
    /// Whether any rule refuses (version 2): a range query then looks at every byte
    /// before it answers `mixed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refuses: bool,
    pub rule_sets: Vec<RuleSet>,
    pub intervals: Vec<Interval>,
}

/// Where the rows of every rule set come from: each rule's terms and decision, and
/// the rules of each device. [`DecisionTable::build`] makes the rule sets with it, and
/// the JSON reader makes them again from a compact table, which stores only each
/// rule set's devices (format version 3, docs/table-format.md).
pub struct RuleRows<'a> {
    terms: &'a [Vec<Term>],
    decisions: Vec<Decision>,
    device_rules: Vec<Vec<usize>>,
    default_rules: Vec<usize>,
}

impl<'a> RuleRows<'a> {
    /// `terms[r]` are the terms of rule `r`, in order; every device a rule names is
    /// below `devices`.
    pub fn new(rules: &[TableRule], devices: usize, terms: &'a [Vec<Term>]) -> RuleRows<'a> {
        // Each device's rules and the default rules, in source order.
        let mut device_rules: Vec<Vec<usize>> = vec![Vec::new(); devices];
        let mut default_rules = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            match rule.device {
                Some(d) => device_rules[d].push(r),
                None => default_rules.push(r),
            }
        }
        RuleRows {
            terms,
            decisions: rules.iter().map(|r| r.decision).collect(),
            device_rules,
            default_rules,
        }
    }

    /// The rows of the rule set of `chain` (devices, innermost first): its devices'
    /// rules in order, then the default rules, up to the first row that always
    /// matches.
    pub fn rows(&self, chain: &[usize]) -> Vec<Row> {
        let mut rows = Vec::new();
        let chain_rules = chain
            .iter()
            .flat_map(|&d| self.device_rules[d].iter().copied());
        for r in chain_rules.chain(self.default_rules.iter().copied()) {
            for t in &self.terms[r] {
                rows.push(Row::of(*t, self.decisions[r], r));
                if t.always() {
                    // Always matches: nothing after it can decide.
                    return rows;
                }
            }
        }
        rows
    }
}

/// A rule's canonical text: `map DEVICE MAPPING[ when CONDITION];`, or `default
/// MAPPING[ when CONDITION];` without a device.
pub fn rule_text(device: Option<&str>, decision: Decision, when: Option<&str>) -> String {
    // Pieces pushed onto one string: a table of 100,000 devices has 300,000 rules.
    let mut out = String::with_capacity(64);
    match device {
        Some(d) => {
            out.push_str("map ");
            out.push_str(d);
            out.push(' ');
        }
        None => out.push_str("default "),
    }
    out.push_str(match decision {
        Decision::Refused => Mapping::Refuse.as_str(),
        d => d.as_str(),
    });
    if let Some(c) = when {
        out.push_str(" when ");
        out.push_str(c);
    }
    out.push(';');
    out
}

impl TableRule {
    /// The condition of the rule, as its text writes it (after `when`).
    pub fn when(&self) -> Option<&str> {
        let text = self.text.strip_suffix(';').unwrap_or(&self.text);
        // Names hold no space: the first ` when ` ends the device and the mapping.
        text.split_once(" when ").map(|(_, c)| c)
    }
}

impl DecisionTable {
    /// The terms of each rule, as the rule sets' rows show them: the rows of a rule
    /// are the same in every rule set that has them (a rule belongs to one device, or
    /// is a default rule, and its rows stop only at one that always matches). A rule
    /// that no rule set reaches has none, which changes no answer. With these,
    /// [`RuleRows::rows`] gives back every rule set's rows.
    pub fn rule_terms(&self) -> Vec<Vec<Term>> {
        let mut terms: Vec<Vec<Term>> = vec![Vec::new(); self.rules.len()];
        let mut seen = vec![false; self.rules.len()];
        for rs in &self.rule_sets {
            for run in rs.rows.chunk_by(|a, b| a.rule == b.rule) {
                let r = run[0].rule;
                if r < seen.len() && !seen[r] {
                    seen[r] = true;
                    terms[r] = run.iter().map(Row::term).collect();
                }
            }
        }
        terms
    }
}

/// One stretch of a range query: the addresses `[start, last]` share a rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stretch {
    pub start: u64,
    pub last: u64,
    pub rule_set: usize,
}

impl DecisionTable {
    /// Lower a checked model: the closure of `implies`, the attributes, then the rule
    /// sets and the address intervals they decide. `at` maps a byte offset to its
    /// file (an index into `files`) and 1-based line; `files` is empty for a spec of
    /// one file, else every file's path relative to the root file's folder.
    pub fn build(
        model: &Model,
        at: &dyn Fn(usize) -> (usize, usize),
        files: Vec<String>,
    ) -> DecisionTable {
        let (base_mask, closed) = implies_closure(model);
        let attrs = table_attrs(model, &closed, at);
        let mut table = DecisionTable {
            spec: model.name.clone(),
            files,
            doc: model.doc.clone(),
            prefix: model.naming.prefix.clone(),
            attrs,
            base_mask,
            derive_order: model.derive_order.clone(),
            platforms: Vec::new(),
            devices: model
                .devices
                .iter()
                .map(|d| TableDevice {
                    name: d.name.clone(),
                    doc: d.doc.clone(),
                    regions: d
                        .regions
                        .iter()
                        .map(|r| TableRegion {
                            start: r.start,
                            last: r.last,
                            file: at(r.span.start).0,
                            line: at(r.span.start).1,
                        })
                        .collect(),
                    probed: None,
                    file: at(d.span.start).0,
                    line: at(d.span.start).1,
                })
                .collect(),
            caps: model
                .caps
                .iter()
                .map(|c| TableCap {
                    name: c.name.clone(),
                    doc: c.doc.clone(),
                    file: at(c.span.start).0,
                    line: at(c.span.start).1,
                })
                .collect(),
            rules: model
                .rules
                .iter()
                .map(|r| TableRule {
                    device: r.device,
                    decision: r.mapping.into(),
                    text: model.rule_text(r),
                    file: at(r.span.start).0,
                    line: at(r.span.start).1,
                })
                .collect(),
            refuses: model.rules.iter().any(|r| r.mapping == Mapping::Refuse),
            rule_sets: Vec::new(),
            intervals: Vec::new(),
        };
        table.platforms = model
            .platforms
            .iter()
            .map(|p| {
                let sets = p.sets.iter().fold(0u64, |m, &a| m | 1 << a);
                TablePlatform {
                    name: p.name.clone(),
                    doc: p.doc.clone(),
                    sets,
                    full: table.close(sets),
                    file: at(p.span.start).0,
                    line: at(p.span.start).1,
                }
            })
            .collect();

        table.build_rule_sets(model);
        table
    }

    /// The rule set of every chain of devices (innermost first) and the intervals of
    /// the address space each decides: a chain's rule set is its devices' `map` rules
    /// in order, then the `default` rules, as rows, up to the first that always holds.
    fn build_rule_sets(&mut self, model: &Model) {
        let rule_terms: Vec<Vec<Term>> = model
            .rules
            .iter()
            .map(|r| match &r.cond {
                Some(c) => dnf::terms(c),
                None => vec![Term::TRUE],
            })
            .collect();
        let source = RuleRows::new(&self.rules, self.devices.len(), &rule_terms);
        let mut sets: BTreeMap<Vec<DeviceId>, usize> = BTreeMap::new();
        let mut rule_set_of = |chain: Vec<DeviceId>, table: &mut DecisionTable| -> usize {
            if let Some(&i) = sets.get(&chain) {
                return i;
            }
            let rows = source.rows(&chain);
            let i = table.rule_sets.len();
            table.rule_sets.push(RuleSet {
                devices: chain.clone(),
                rows,
            });
            sets.insert(chain, i);
            i
        };
        rule_set_of(Vec::new(), self);
        // A probed device has no address: its rule set is its own rules and the
        // default rules, looked up by device.
        for (d, dev) in model.devices.iter().enumerate() {
            if dev.probed {
                self.devices[d].probed = Some(rule_set_of(vec![d], self));
            }
        }
        for (start, last, chain) in nesting_segments(model) {
            let rs = rule_set_of(chain, self);
            match self.intervals.last_mut() {
                Some(prev) if prev.rule_set == rs && prev.last.checked_add(1) == Some(start) => {
                    prev.last = last;
                }
                _ => self.intervals.push(Interval {
                    start,
                    last,
                    rule_set: rs,
                }),
            }
        }
    }

    /// The full attribute set for the base attributes a platform reports.
    /// Bits that are not base attributes are ignored; derived bits are recomputed.
    pub fn close(&self, base: u64) -> u64 {
        let mut set = 0u64;
        let mut bits = base & self.base_mask;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            set |= self.attrs[i].implies_mask;
        }
        for &d in &self.derive_order {
            if self.attrs[d].terms.iter().any(|t| set & t.mask == t.value) {
                set |= 1 << d;
            }
        }
        set
    }

    /// The index of the first row of `rule_set` that matches `attrs`.
    pub fn first_match(&self, rule_set: usize, attrs: u64) -> Option<usize> {
        self.first_match_with(rule_set, attrs, 0)
    }

    /// The index of the first row of `rule_set` that matches `attrs` and `caps`.
    pub fn first_match_with(&self, rule_set: usize, attrs: u64, caps: u32) -> Option<usize> {
        self.rule_sets[rule_set]
            .rows
            .iter()
            .position(|r| r.matches_with(attrs, caps))
    }

    /// The decision of a rule set under a full attribute set.
    pub fn eval_rule_set(&self, rule_set: usize, attrs: u64) -> Decision {
        self.eval_rule_set_with(rule_set, attrs, 0)
    }

    /// The decision of a rule set under a full attribute set and a capability set.
    pub fn eval_rule_set_with(&self, rule_set: usize, attrs: u64, caps: u32) -> Decision {
        match self.first_match_with(rule_set, attrs, caps) {
            Some(i) => self.rule_sets[rule_set].rows[i].decision,
            None => Decision::Unspecified,
        }
    }

    /// The decision for a probed device under a full attribute set and the
    /// capabilities the caller reports for it; `None` when `device` is not probed.
    /// Capability bits the spec does not declare are ignored.
    pub fn decide_probed(&self, attrs: u64, device: usize, caps: u32) -> Option<Decision> {
        let rs = self.devices.get(device)?.probed?;
        Some(self.eval_rule_set_with(rs, attrs, caps & self.cap_mask()))
    }

    /// Every declared capability's bit.
    pub fn cap_mask(&self) -> u32 {
        match self.caps.len() {
            32.. => u32::MAX,
            n => (1u32 << n) - 1,
        }
    }

    /// The probed devices, in declaration order.
    pub fn probed_devices(&self) -> impl Iterator<Item = (usize, &TableDevice)> {
        self.devices
            .iter()
            .enumerate()
            .filter(|(_, d)| d.probed.is_some())
    }

    /// The capabilities the rule set of a probed device reads, as a mask.
    pub fn caps_read(&self, rule_set: usize) -> u32 {
        self.rule_sets[rule_set]
            .rows
            .iter()
            .fold(0, |m, r| m | r.cap_mask)
    }

    pub fn cap_index(&self, name: &str) -> Option<usize> {
        self.caps.iter().position(|c| c.name == name)
    }

    /// The names of the capabilities in a set, in declaration order.
    pub fn cap_names(&self, set: u32) -> Vec<&str> {
        (0..self.caps.len())
            .filter(|&i| set >> i & 1 == 1)
            .map(|i| self.caps[i].name.as_str())
            .collect()
    }

    /// Whether the table uses anything of version 2: it is then written in the
    /// second format version, and the generated code has the version 2 API.
    pub fn uses_v2(&self) -> bool {
        !self.caps.is_empty() || self.devices.iter().any(|d| d.probed.is_some()) || self.refuses
    }

    /// The format version the table is written in: 1 for a spec of version 1, whose
    /// table keeps its bytes, and 2 when it has capabilities, probed devices or rules
    /// that refuse.
    pub fn format_version(&self) -> u32 {
        if self.uses_v2() || !self.files.is_empty() {
            2
        } else {
            1
        }
    }

    /// The stretch of addresses around `addr` that shares its rule set: an interval,
    /// or the gap between two intervals (rule set 0).
    pub fn segment_at(&self, addr: u64) -> Stretch {
        let idx = self.intervals.partition_point(|iv| iv.start <= addr);
        if idx > 0 {
            let iv = self.intervals[idx - 1];
            if iv.last >= addr {
                return Stretch {
                    start: iv.start,
                    last: iv.last,
                    rule_set: iv.rule_set,
                };
            }
        }
        let start = if idx > 0 {
            self.intervals[idx - 1].last + 1
        } else {
            0
        };
        let last = match self.intervals.get(idx) {
            Some(iv) => iv.start - 1,
            None => u64::MAX,
        };
        Stretch {
            start,
            last,
            rule_set: 0,
        }
    }

    /// The segments that a valid range `[addr, addr + size)` touches, clipped to it.
    /// Returns `None` for an invalid range (size 0 or past 2^64).
    pub fn segments(&self, addr: u64, size: u64) -> Option<Vec<Stretch>> {
        let last = range_last(addr, size)?;
        let mut out = Vec::new();
        let mut cur = addr;
        loop {
            let mut seg = self.segment_at(cur);
            seg.start = cur;
            let done = seg.last >= last;
            seg.last = seg.last.min(last);
            out.push(seg);
            if done {
                return Some(out);
            }
            cur = seg.last + 1;
        }
    }

    /// The decision for `[addr, addr + size)` under a full attribute set.
    pub fn decide(&self, attrs: u64, addr: u64, size: u64) -> Decision {
        match range_last(addr, size) {
            Some(last) => self.decide_span(attrs, addr, last),
            None => Decision::Invalid,
        }
    }

    /// The decision for the bytes `[start, last]` (`start <= last`): `refused` if
    /// any byte is refused (fail closed), else `mixed` if two bytes differ, else the
    /// bytes' common decision.
    pub fn decide_span(&self, attrs: u64, start: u64, last: u64) -> Decision {
        let mut cur = start;
        let mut answer = None;
        loop {
            let seg = self.segment_at(cur);
            let d = self.eval_rule_set(seg.rule_set, attrs);
            if d == Decision::Refused {
                return d;
            }
            match answer {
                None => answer = Some(d),
                Some(a) if a != d && !self.refuses => return Decision::Mixed,
                Some(a) if a != d => answer = Some(Decision::Mixed),
                Some(_) => {}
            }
            if seg.last >= last {
                return answer.unwrap_or(d);
            }
            cur = seg.last + 1;
        }
    }

    /// Whether the byte at `addr` is mapped encrypted (the kernel's `is_private_mmio`).
    /// The decision of `[addr, addr + size)` as x86's `ioremap()` makes it: the
    /// decision of its first byte, applied to the whole range; `Invalid` when `size`
    /// is 0 or the range runs past 2^64, as for [`DecisionTable::decide`].
    pub fn decide_start(&self, attrs: u64, addr: u64, size: u64) -> Decision {
        if range_last(addr, size).is_none() {
            return Decision::Invalid;
        }
        self.decide(attrs, addr, 1)
    }

    pub fn is_private_mmio(&self, attrs: u64, addr: u64) -> bool {
        self.decide(attrs, addr, 1) == Decision::Encrypted
    }

    pub fn attr_index(&self, name: &str) -> Option<usize> {
        self.attrs.iter().position(|a| a.name == name)
    }

    pub fn platform(&self, name: &str) -> Option<&TablePlatform> {
        self.platforms.iter().find(|p| p.name == name)
    }

    /// The names of the attributes in a set, in enum order.
    pub fn attr_names(&self, set: u64) -> Vec<&str> {
        (0..self.attrs.len())
            .filter(|&i| set >> i & 1 == 1)
            .map(|i| self.attrs[i].name.as_str())
            .collect()
    }

    /// Every region boundary: starts, lasts and the bytes just past them.
    pub fn boundaries(&self) -> Vec<u64> {
        let mut out = Vec::new();
        for iv in &self.intervals {
            out.push(iv.start);
            out.push(iv.last);
            out.extend(iv.start.checked_sub(1));
            out.extend(iv.last.checked_add(1));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The base attributes' mask, and for each attribute what it brings with it: itself
/// and everything it implies, transitively (derived attributes bring nothing).
fn implies_closure(model: &Model) -> (u64, Vec<u64>) {
    let n = model.attrs.len();
    let mut base_mask = 0u64;
    let mut direct = vec![0u64; n];
    for (i, a) in model.attrs.iter().enumerate() {
        if let AttrKind::Base { implies } = &a.kind {
            base_mask |= 1 << i;
            direct[i] = 1 << i;
            for &j in implies {
                direct[i] |= 1 << j;
            }
        }
    }
    // Transitive closure of `implies` (at most 64 rounds; usually two).
    let mut closed = direct.clone();
    loop {
        let mut changed = false;
        for i in 0..n {
            let mut m = closed[i];
            let mut bits = closed[i];
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                m |= closed[j];
            }
            if m != closed[i] {
                closed[i] = m;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (base_mask, closed)
}

/// The attributes as the table keeps them: names, docs, what they imply (closed),
/// derived attributes' terms and how they are written.
fn table_attrs(
    model: &Model,
    closed: &[u64],
    at: &dyn Fn(usize) -> (usize, usize),
) -> Vec<TableAttr> {
    model
        .attrs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (implies, terms, derivation) = match &a.kind {
                AttrKind::Base { implies } => (implies.clone(), Vec::new(), String::new()),
                AttrKind::Derived { cond } => (
                    Vec::new(),
                    dnf::terms(cond),
                    cond.display(&|x| model.atom_name(x)),
                ),
            };
            TableAttr {
                name: a.name.clone(),
                doc: a.doc.clone(),
                base: a.is_base(),
                implies,
                implies_mask: closed[i],
                terms,
                derivation,
                formerly: a.formerly.iter().map(|(f, _)| f.clone()).collect(),
                deprecated: a.deprecated.clone(),
                file: at(a.span.start).0,
                line: at(a.span.start).1,
            }
        })
        .collect()
}

/// The last byte of `[addr, addr + size)`, or `None` when the range is invalid.
pub fn range_last(addr: u64, size: u64) -> Option<u64> {
    if size == 0 {
        return None;
    }
    addr.checked_add(size - 1)
}

/// Cut the nesting of all regions into disjoint runs, each with the devices that
/// contain it, innermost first. Runs outside every region are left out.
fn nesting_segments(model: &Model) -> Vec<(u64, u64, Vec<DeviceId>)> {
    let mut regions: Vec<(u64, u64, DeviceId)> = model
        .devices
        .iter()
        .enumerate()
        .flat_map(|(d, dev)| dev.regions.iter().map(move |r| (r.start, r.last, d)))
        .collect();
    // Outer regions first where two start together.
    regions.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = Vec::new();
    let mut stack: Vec<(u64, DeviceId)> = Vec::new(); // (last, device)
    let mut pos: u128 = 0; // next address not yet covered by an emitted run
    let chain = |stack: &[(u64, DeviceId)]| stack.iter().rev().map(|&(_, d)| d).collect();
    let close_until =
        |stack: &mut Vec<(u64, DeviceId)>, pos: &mut u128, bound: u128, out: &mut Vec<_>| {
            while let Some(&(last, _)) = stack.last() {
                if u128::from(last) >= bound {
                    break;
                }
                if *pos <= u128::from(last) {
                    out.push((*pos as u64, last, chain(stack)));
                }
                *pos = u128::from(last) + 1;
                stack.pop();
            }
        };
    for (start, last, d) in regions {
        close_until(&mut stack, &mut pos, u128::from(start), &mut out);
        if !stack.is_empty() && pos < u128::from(start) {
            out.push((pos as u64, start - 1, chain(&stack)));
        }
        pos = u128::from(start);
        stack.push((last, d));
    }
    close_until(&mut stack, &mut pos, u128::MAX, &mut out);
    out
}

/// serde: whether a file index is the root's (0), which is not written.
fn is_zero_index(i: &usize) -> bool {
    *i == 0
}
