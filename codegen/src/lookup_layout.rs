//! The decision table in the shape that the generated lookups print.
//!
//! Both emitters walk the same arrays the same way, so they agree with each other
//! and with [`DecisionTable::decide`] by construction:
//!
//! - The address space is cut into *runs*: the table's intervals and the gaps
//!   between them. Run 0 starts at 0 and the
//!   last one runs to 2^64 - 1. The run of an address is the number of runs whose last
//!   byte lies below it, and a range walks forward from there, run by run.
//! - How that number is found depends on the size ([`Layout`]). A table of at most
//!   [`SCAN_MAX_RUNS`] runs lists them in address order and counts without a branch;
//!   `is_private_mmio` then only tests the few runs whose rules can map encrypted,
//!   which the compiler folds into a handful of compares, as a hand-written check
//!   would be. A larger table keeps the runs' last bytes in Eytzinger order (the
//!   breadth-first order of a complete binary search tree) and descends it without a
//!   branch: a few cache lines per lookup, whatever the table's size
//!   (docs/performance.md).
//! - A rule set's decision is that of its first row that matches, else
//!   `unspecified`. The C header stores the rows of all rule sets one after another
//!   and ends each set with a row that always matches (a rule without a condition,
//!   or a row that answers `unspecified`), so its scan needs no bound; the Rust
//!   module keeps one slice per rule set and scans it to its end.
//! - Closing a set of base attributes ORs in what each present base attribute
//!   implies, then evaluates the derived attributes' terms in dependency order.
//! - A probed device (version 2) has no address: its rule set is not among the
//!   address rows (it has none there) but in [`Lookup::probed`], one per probed
//!   device in declaration order, whose rows also match the capability set.

use ccattr_core::table::Decision;
use ccattr_core::DecisionTable;

/// Tables with at most this many runs are scanned; larger ones are searched.
pub const SCAN_MAX_RUNS: usize = 16;

/// How the generated code finds the run of an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The runs in address order, counted one by one.
    Scan,
    /// The runs' last bytes in Eytzinger order, searched.
    Search,
}

/// A run of addresses `[start, next run's start)` decided by one rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub start: u64,
    pub rule_set: usize,
}

/// One row of a rule set: it matches a full set `s` and a capability set `c` when
/// `s & mask == value` and `c & cap_mask == cap_value` (the capability mask is 0 in
/// the rows of addresses, which are decided without capabilities).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LookupRow {
    pub mask: u64,
    pub value: u64,
    pub cap_mask: u32,
    pub cap_value: u32,
    pub decision: Decision,
    /// The table's rule this row comes from; `None` for the closing `unspecified` row.
    pub rule: Option<usize>,
}

/// One term of a derived attribute: the attribute is present when any of its terms
/// matches the set computed so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DerivedTerm {
    pub attr: usize,
    pub mask: u64,
    pub value: u64,
}

/// The smallest unsigned type that holds every value of an index array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndexType {
    U8,
    U16,
    U32,
    U64,
}

/// A rule set's rows as the lookups print them: closed by a row that always matches
/// (one that answers `unspecified`) unless the last one already does.
fn closed_rows(rows: &[ccattr_core::table::Row]) -> Vec<LookupRow> {
    let mut out: Vec<LookupRow> = rows
        .iter()
        .map(|r| LookupRow {
            mask: r.mask,
            value: r.value,
            cap_mask: r.cap_mask,
            cap_value: r.cap_value,
            decision: r.decision,
            rule: Some(r.rule),
        })
        .collect();
    if rows.last().is_none_or(|r| r.mask != 0 || r.cap_mask != 0) {
        out.push(LookupRow {
            mask: 0,
            value: 0,
            cap_mask: 0,
            cap_value: 0,
            decision: Decision::Unspecified,
            rule: None,
        });
    }
    out
}

impl IndexType {
    pub fn for_max(max: usize) -> IndexType {
        match u64::try_from(max).unwrap_or(u64::MAX) {
            0..=0xff => IndexType::U8,
            0x100..=0xffff => IndexType::U16,
            0x1_0000..=0xffff_ffff => IndexType::U32,
            _ => IndexType::U64,
        }
    }

    /// The kernel type name (`u8`), which is also the Rust one.
    pub fn name(self) -> &'static str {
        match self {
            IndexType::U8 => "u8",
            IndexType::U16 => "u16",
            IndexType::U32 => "u32",
            IndexType::U64 => "u64",
        }
    }
}

/// The rule set of a probed device (version 2): its rows end with one that always
/// matches, like those of the address rule sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbedSet {
    /// The device's index in the table.
    pub device: usize,
    /// Its rule set's index in the table.
    pub rule_set: usize,
    pub rows: Vec<LookupRow>,
}

#[derive(Debug)]
pub struct Lookup {
    /// Sorted by start; the first starts at 0.
    pub runs: Vec<Run>,
    /// For each rule set, the index of its first row in `rows`. A probed device's rule
    /// set has no rows there (its entry is where the next set starts).
    pub first_row: Vec<usize>,
    pub rows: Vec<LookupRow>,
    /// The rule sets of the probed devices, in declaration order.
    pub probed: Vec<ProbedSet>,
    /// For each attribute, the bits its presence in a base set adds (0 for a derived
    /// attribute, which a base set cannot carry).
    pub implies: Vec<u64>,
    /// The derived attributes' terms, in evaluation order.
    pub derived: Vec<DerivedTerm>,
}

impl Lookup {
    pub fn new(table: &DecisionTable) -> Lookup {
        let mut runs = Vec::with_capacity(table.intervals.len() * 2 + 1);
        let mut next: Option<u64> = Some(0); // first address not yet covered
        for iv in &table.intervals {
            if let Some(pos) = next {
                if pos < iv.start {
                    runs.push(Run {
                        start: pos,
                        rule_set: 0,
                    });
                }
            }
            runs.push(Run {
                start: iv.start,
                rule_set: iv.rule_set,
            });
            next = iv.last.checked_add(1);
        }
        if let Some(pos) = next {
            runs.push(Run {
                start: pos,
                rule_set: 0,
            });
        }

        let probed: Vec<ProbedSet> = table
            .probed_devices()
            .filter_map(|(device, d)| {
                let rule_set = d.probed.filter(|&rs| rs < table.rule_sets.len())?;
                Some(ProbedSet {
                    device,
                    rule_set,
                    rows: closed_rows(&table.rule_sets[rule_set].rows),
                })
            })
            .collect();
        let mut first_row = Vec::with_capacity(table.rule_sets.len());
        let mut rows = Vec::new();
        for (i, rs) in table.rule_sets.iter().enumerate() {
            first_row.push(rows.len());
            if !probed.iter().any(|p| p.rule_set == i) {
                rows.extend(closed_rows(&rs.rows));
            }
        }

        let implies = table
            .attrs
            .iter()
            .map(|a| if a.base { a.implies_mask } else { 0 })
            .collect();
        let derived = table
            .derive_order
            .iter()
            .flat_map(|&attr| {
                table.attrs[attr].terms.iter().map(move |t| DerivedTerm {
                    attr,
                    mask: t.mask,
                    value: t.value,
                })
            })
            .collect();

        Lookup {
            runs,
            first_row,
            rows,
            probed,
            implies,
            derived,
        }
    }

    /// Whether a range can be refused: some rule set of addresses has a row that
    /// refuses. The lookups then walk a range to its end (a refused byte refuses it
    /// all) instead of stopping at the first difference.
    pub fn ranges_refuse(&self) -> bool {
        self.rows.iter().any(|r| r.decision == Decision::Refused)
    }

    /// How the generated code finds the run of an address.
    pub fn layout(&self) -> Layout {
        if self.runs.len() <= SCAN_MAX_RUNS {
            Layout::Scan
        } else {
            Layout::Search
        }
    }

    /// The last byte of run `i`.
    pub fn last(&self, i: usize) -> u64 {
        self.runs.get(i + 1).map_or(u64::MAX, |next| next.start - 1)
    }

    /// The rows of rule set `rs`, its closing row included.
    pub fn rule_set_rows(&self, rs: usize) -> &[LookupRow] {
        let end = self
            .first_row
            .get(rs + 1)
            .copied()
            .unwrap_or(self.rows.len());
        &self.rows[self.first_row[rs]..end]
    }

    /// The runs whose rule set has a row that maps encrypted: the only places
    /// where `is_private_mmio` can answer true.
    pub fn private_runs(&self) -> Vec<usize> {
        (0..self.runs.len())
            .filter(|&i| {
                self.rule_set_rows(self.runs[i].rule_set)
                    .iter()
                    .any(|r| r.decision == Decision::Encrypted)
            })
            .collect()
    }

    /// The runs in Eytzinger order: slot `k >= 1` holds the run whose last
    /// byte is the key of node `k` of a complete binary search tree over the last
    /// bytes of all runs but the final one (children `2k` and `2k + 1`); slot 0
    /// holds the final run, which ends at 2^64 - 1 and is where a search that
    /// never turns left ends.
    pub fn eytzinger(&self) -> Vec<usize> {
        let keys = self.runs.len() - 1;
        let mut slots = vec![0; keys + 1];
        slots[0] = keys;
        // An in-order walk of the implicit tree hands out the runs in order.
        let mut next = 0;
        let mut stack = Vec::new();
        let mut k = 1;
        while k <= keys || !stack.is_empty() {
            while k <= keys {
                stack.push(k);
                k *= 2;
            }
            let Some(top) = stack.pop() else { break };
            slots[top] = next;
            next += 1;
            k = 2 * top + 1;
        }
        slots
    }

    /// The narrowest unsigned type that holds every row's mask and value.
    pub fn bits_type(&self) -> IndexType {
        let widest = self.rows.iter().fold(0u64, |m, r| m | r.mask | r.value);
        match 64 - widest.leading_zeros() {
            0..=8 => IndexType::U8,
            9..=16 => IndexType::U16,
            17..=32 => IndexType::U32,
            _ => IndexType::U64,
        }
    }

    pub fn rule_set_type(&self) -> IndexType {
        IndexType::for_max(self.first_row.len().saturating_sub(1))
    }

    pub fn row_type(&self) -> IndexType {
        IndexType::for_max(self.rows.len().saturating_sub(1))
    }

    /// The decision of `[addr, addr + size)` computed over these arrays, exactly as
    /// the generated code computes it in `layout`. Tests compare it with the table.
    #[cfg(test)]
    pub fn decide_in(&self, layout: Layout, attrs: u64, addr: u64, size: u64) -> Decision {
        let Some(last) = ccattr_core::table::range_last(addr, size) else {
            return Decision::Invalid;
        };
        let eval = |rule_set: usize| {
            let mut i = self.first_row[rule_set];
            while attrs & self.rows[i].mask != self.rows[i].value {
                i += 1;
            }
            self.rows[i].decision
        };
        // With rows that refuse, a range is walked to its end (or to a refused run).
        let refuse = self.ranges_refuse();
        match layout {
            Layout::Scan => {
                // The run: how many runs end below `addr`.
                let n = self.runs.len();
                let mut run = (0..n - 1).filter(|&i| self.last(i) < addr).count();
                let first = eval(self.runs[run].rule_set);
                walk(first, refuse, || {
                    (self.last(run) < last).then(|| {
                        run += 1;
                        eval(self.runs[run].rule_set)
                    })
                })
            }
            Layout::Search => {
                let slots = self.eytzinger();
                let key = |k: usize| self.last(slots[k]);
                let mut k = 1;
                while k < slots.len() {
                    k = 2 * k + usize::from(key(k) < addr);
                }
                k >>= k.trailing_ones() + 1;
                let first = eval(self.runs[slots[k]].rule_set);
                walk(first, refuse, || {
                    (key(k) < last).then(|| {
                        // The next slot in order: right once then left to the end, or
                        // up past every right turn and one left turn.
                        if 2 * k + 1 < slots.len() {
                            k = 2 * k + 1;
                            while 2 * k < slots.len() {
                                k *= 2;
                            }
                        } else {
                            k >>= k.trailing_ones() + 1;
                        }
                        eval(self.runs[slots[k]].rule_set)
                    })
                })
            }
        }
    }

    /// The decision of the `n`-th probed device computed over these arrays, as the
    /// generated code computes it: `invalid` when there is no such device.
    #[cfg(test)]
    pub fn decide_probed_in(&self, attrs: u64, n: usize, caps: u32) -> Decision {
        let Some(set) = self.probed.get(n) else {
            return Decision::Invalid;
        };
        let mut i = 0;
        while attrs & set.rows[i].mask != set.rows[i].value
            || caps & set.rows[i].cap_mask != set.rows[i].cap_value
        {
            i += 1;
        }
        set.rows[i].decision
    }

    /// `is_private_mmio` as the scanned layout computes it: only the private runs
    /// are tested.
    #[cfg(test)]
    pub fn is_private_mmio_scan(&self, attrs: u64, addr: u64) -> bool {
        self.private_runs().into_iter().any(|i| {
            let first = self.runs[i].start;
            let inside = addr.wrapping_sub(first) <= self.last(i) - first;
            let rows = self.rule_set_rows(self.runs[i].rule_set);
            let decision = rows
                .iter()
                .find(|r| attrs & r.mask == r.value)
                .map(|r| r.decision);
            inside && decision == Some(Decision::Encrypted)
        })
    }

    /// The full set for `base`, computed over these arrays as the generated code does.
    #[cfg(test)]
    pub fn close(&self, base: u64) -> u64 {
        let mut set = 0;
        for (i, implied) in self.implies.iter().enumerate() {
            if base >> i & 1 == 1 {
                set |= implied;
            }
        }
        for t in &self.derived {
            if set & t.mask == t.value {
                set |= 1 << t.attr;
            }
        }
        set
    }
}

/// The walk over the runs of a range after the first, as the generated code makes
/// it in both layouts (codegen::rust::range_walk, the C template): `next` gives the
/// next run's decision until the range ends. Without refusing rows the first
/// difference is `mixed`; with them a refused run refuses the range and the walk
/// goes on to the end before it answers `mixed`.
#[cfg(test)]
fn walk(first: Decision, refuse: bool, mut next: impl FnMut() -> Option<Decision>) -> Decision {
    if first == Decision::Refused {
        return first;
    }
    let mut mixed = false;
    while let Some(d) = next() {
        match d {
            Decision::Refused if refuse => return Decision::Refused,
            d if d != first && !refuse => return Decision::Mixed,
            d => mixed |= d != first,
        }
    }
    if mixed {
        Decision::Mixed
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccattr_test_support::tables as fixtures;

    #[test]
    fn runs_cover_the_address_space() {
        let table = fixtures::vtom();
        let lookup = Lookup::new(&table);
        assert_eq!(lookup.runs[0].start, 0);
        assert!(lookup.runs.windows(2).all(|w| w[0].start < w[1].start));
        let starts: Vec<u64> = lookup.runs.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            // The IO-APIC page; the vTPM page inside the TPM window; the window.
            [
                0,
                0xfec0_0000,
                0xfec0_1000,
                0xfed4_0000,
                0xfed4_1000,
                0xfed4_5000
            ]
        );
    }

    #[test]
    fn every_rule_set_ends_with_a_row_that_matches() {
        for table in fixtures::all() {
            let lookup = Lookup::new(&table);
            for rs in 0..lookup.first_row.len() {
                let rows = lookup.rule_set_rows(rs);
                // A probed device's rule set has its rows in `probed` instead.
                let probed = lookup.probed.iter().find(|p| p.rule_set == rs);
                let rows = probed.map_or(rows, |p| &p.rows[..]);
                assert!(!rows.is_empty());
                assert_eq!(rows[rows.len() - 1].mask, 0);
                assert_eq!(rows[rows.len() - 1].cap_mask, 0);
            }
        }
    }

    #[test]
    fn agrees_with_the_table() {
        for table in fixtures::all() {
            let lookup = Lookup::new(&table);
            for base in fixtures::attr_sets(&table) {
                assert_eq!(lookup.close(base), table.close(base), "close({base:#x})");
                let attrs = table.close(base);
                for (addr, size) in fixtures::queries(&table) {
                    let expected = table.decide(attrs, addr, size);
                    for layout in [Layout::Scan, Layout::Search] {
                        assert_eq!(
                            lookup.decide_in(layout, attrs, addr, size),
                            expected,
                            "{} {layout:?} attrs {attrs:#x} addr {addr:#x} size {size:#x}",
                            table.spec
                        );
                    }
                    if size == 1 {
                        assert_eq!(
                            lookup.is_private_mmio_scan(attrs, addr),
                            expected == Decision::Encrypted,
                            "{} attrs {attrs:#x} addr {addr:#x}",
                            table.spec
                        );
                    }
                }
                for (n, (device, d)) in table.probed_devices().enumerate() {
                    for caps in fixtures::cap_sets(&table, d.probed.unwrap()) {
                        assert_eq!(
                            Some(lookup.decide_probed_in(attrs, n, caps)),
                            table.decide_probed(attrs, device, caps),
                            "{} probed {} attrs {attrs:#x} caps {caps:#x}",
                            table.spec,
                            d.name
                        );
                    }
                }
                let n = lookup.probed.len();
                assert_eq!(lookup.decide_probed_in(attrs, n, 0), Decision::Invalid);
            }
        }
    }

    #[test]
    fn eytzinger_order_is_a_search_tree() {
        for n in 1..40 {
            let lookup = Lookup {
                runs: (0..n as u64)
                    .map(|i| Run {
                        start: i * 10,
                        rule_set: 0,
                    })
                    .collect(),
                first_row: vec![0],
                rows: Vec::new(),
                probed: Vec::new(),
                implies: Vec::new(),
                derived: Vec::new(),
            };
            let slots = lookup.eytzinger();
            assert_eq!(slots.len(), n);
            assert_eq!(slots[0], n - 1, "slot 0 is the final run");
            let mut seen = slots.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "every run once");
            for k in 1..n {
                for (child, left) in [(2 * k, true), (2 * k + 1, false)] {
                    if child < n {
                        assert_eq!(slots[child] < slots[k], left, "n {n} node {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn index_types() {
        assert_eq!(IndexType::for_max(0), IndexType::U8);
        assert_eq!(IndexType::for_max(255), IndexType::U8);
        assert_eq!(IndexType::for_max(256), IndexType::U16);
        assert_eq!(IndexType::for_max(65_536), IndexType::U32);
    }
}
