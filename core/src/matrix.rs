//! The platform-by-device matrix: what each device's own addresses decide on each
//! declared platform, read from the decision table.

use crate::table::{Decision, DecisionTable};

/// The decision of device `device` (`None`: addresses outside every device) under a
/// full attribute set: the common decision of every address where it is the
/// innermost device, or `mixed`.
pub fn device_decision(table: &DecisionTable, device: Option<usize>, attrs: u64) -> Decision {
    let mut answer: Option<Decision> = None;
    // A refused address makes the device refused (fail closed), as for a range.
    let merge = |answer: &mut Option<Decision>, d: Decision| {
        *answer = Some(match *answer {
            None => d,
            Some(a) if a == d => a,
            Some(Decision::Refused) => Decision::Refused,
            Some(_) if d == Decision::Refused => d,
            Some(_) => Decision::Mixed,
        });
    };
    match device {
        None => {
            if has_gap(table) {
                merge(&mut answer, table.eval_rule_set(0, attrs));
            }
        }
        Some(dev) => {
            for iv in &table.intervals {
                if table.rule_sets[iv.rule_set].devices.first() == Some(&dev) {
                    merge(&mut answer, table.eval_rule_set(iv.rule_set, attrs));
                }
            }
            if answer.is_none() {
                // Every byte lies in a nested device: answer for the regions whole.
                for r in &table.devices[dev].regions {
                    merge(&mut answer, table.decide_span(attrs, r.start, r.last));
                }
            }
        }
    }
    answer.unwrap_or(Decision::Unspecified)
}

/// Whether some address lies outside every device.
pub fn has_gap(table: &DecisionTable) -> bool {
    let mut next: u128 = 0;
    for iv in &table.intervals {
        if u128::from(iv.start) > next {
            return true;
        }
        next = u128::from(iv.last) + 1;
    }
    next <= u128::from(u64::MAX)
}

/// The matrix: one row per fixed device, one per capability case of each probed
/// device, and a last row for elsewhere; one cell per platform.
pub struct Matrix {
    pub platforms: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

pub struct MatrixRow {
    /// The device's name, or [`ELSEWHERE`].
    pub device: String,
    /// The device's index in the table (`None` for elsewhere).
    pub index: Option<usize>,
    /// For a probed device: the capabilities of this row.
    pub caps: Option<CapCase>,
    /// The decisions, in platform order.
    pub cells: Vec<Decision>,
}

/// The capabilities of a probed device's row: those present and those absent, of the
/// ones its rules read. A row of a pattern ([`MAX_CASES_LISTED`]) leaves the others
/// free: it stands for every capability set with `with` and without `without`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapCase {
    pub with: Vec<String>,
    pub without: Vec<String>,
    pub pattern: bool,
    /// Whether every capability set of the row decides as shown. Only a pattern past
    /// [`MAX_PATTERNS`] cubes is not exact: it shows the set with exactly `with`.
    pub exact: bool,
}

impl CapCase {
    /// `[A !B]`: the capabilities present, then the absent ones with `!`.
    pub fn label(&self) -> String {
        let mut parts: Vec<String> = self.with.clone();
        parts.extend(self.without.iter().map(|c| format!("!{c}")));
        format!("[{}]", parts.join(" "))
    }
}

pub const ELSEWHERE: &str = "(elsewhere)";

/// A probed device whose rules read more capabilities than this many combinations
/// is shown as patterns: the capability sets that decide alike on every platform,
/// merged.
pub const MAX_CASES_LISTED: usize = 64;

/// At most this many cubes are split out for a probed device's patterns; the rest
/// are shown unsplit, and not exact.
pub const MAX_PATTERNS: usize = 4096;

/// A set of capability sets: those `c` with `c & mask == value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cube {
    mask: u32,
    value: u32,
}

pub fn matrix(table: &DecisionTable) -> Matrix {
    let platforms: Vec<String> = table.platforms.iter().map(|p| p.name.clone()).collect();
    let mut rows = Vec::new();
    for (d, dev) in table.devices.iter().enumerate() {
        match dev.probed {
            None => rows.push(MatrixRow {
                device: dev.name.clone(),
                index: Some(d),
                caps: None,
                cells: table
                    .platforms
                    .iter()
                    .map(|p| device_decision(table, Some(d), p.full))
                    .collect(),
            }),
            Some(rs) => rows.extend(probed_rows(table, d, rs)),
        }
    }
    rows.push(MatrixRow {
        device: ELSEWHERE.to_string(),
        index: None,
        caps: None,
        cells: table
            .platforms
            .iter()
            .map(|p| device_decision(table, None, p.full))
            .collect(),
    });
    Matrix { platforms, rows }
}

/// The rows of a probed device: one per combination of the capabilities its rules
/// read, or patterns where that would be more than [`MAX_CASES_LISTED`] rows.
fn probed_rows(table: &DecisionTable, device: usize, rs: usize) -> Vec<MatrixRow> {
    let read = table.caps_read(rs);
    let cells = |caps: u32| -> Vec<Decision> {
        table
            .platforms
            .iter()
            .map(|p| table.eval_rule_set_with(rs, p.full, caps))
            .collect()
    };
    let bits: Vec<u32> = (0..32).filter(|b| read >> b & 1 == 1).collect();
    let (cubes, exact) = if 1usize << bits.len().min(31) <= MAX_CASES_LISTED {
        // Every combination, counting up over the capabilities read.
        (0u32..1 << bits.len())
            .map(|n| Cube {
                mask: read,
                value: bits
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| n >> i & 1 == 1)
                    .fold(0, |v, (_, b)| v | 1 << b),
            })
            .map(|c| (c, true))
            .collect::<Vec<_>>()
            .into_iter()
            .unzip::<_, _, Vec<_>, Vec<_>>()
    } else {
        patterns(table, rs)
    };
    let names = |m: u32| table.cap_names(m).into_iter().map(str::to_string).collect();
    let pattern = cubes.iter().any(|c| c.mask != read);
    cubes
        .into_iter()
        .zip(exact)
        .map(|(c, exact)| MatrixRow {
            device: table.devices[device].name.clone(),
            index: Some(device),
            caps: Some(CapCase {
                with: names(c.value),
                without: names(c.mask & !c.value),
                pattern,
                exact,
            }),
            cells: cells(c.value),
        })
        .collect()
}

/// The capability sets as cubes on each of which every platform's decision is the
/// same: split on a capability where a row that matches the platform covers part of
/// the cube, then merge cubes that decide alike and differ in one capability.
fn patterns(table: &DecisionTable, rs: usize) -> (Vec<Cube>, Vec<bool>) {
    let rows = &table.rule_sets[rs].rows;
    // The capability to split a cube on, or `None` when every platform's decision
    // is the same on all of it.
    let split = |cube: Cube| -> Option<u32> {
        for p in &table.platforms {
            for row in rows.iter().filter(|r| p.full & r.mask == r.value) {
                let fixed = row.cap_mask & cube.mask;
                if (row.cap_value ^ cube.value) & fixed != 0 {
                    continue; // disjoint from the cube
                }
                let free = row.cap_mask & !cube.mask;
                if free == 0 {
                    break; // covers the cube: this platform decides alike on it
                }
                return Some(free.trailing_zeros());
            }
        }
        None
    };
    let mut done = Vec::new();
    let mut work = vec![Cube { mask: 0, value: 0 }];
    while let Some(cube) = work.pop() {
        if done.len() + work.len() >= MAX_PATTERNS {
            work.push(cube);
            break;
        }
        match split(cube) {
            Some(bit) => {
                let mask = cube.mask | 1 << bit;
                // Pushed so that the cube without the capability comes out first.
                work.push(Cube {
                    mask,
                    value: cube.value | 1 << bit,
                });
                work.push(Cube {
                    mask,
                    value: cube.value,
                });
            }
            None => done.push(cube),
        }
    }
    let decide = |c: Cube| -> Vec<Decision> {
        table
            .platforms
            .iter()
            .map(|p| table.eval_rule_set_with(rs, p.full, c.value))
            .collect()
    };
    // Merge two cubes that decide alike and differ in exactly one fixed capability.
    while work.is_empty() {
        let mut merged = false;
        'pairs: for i in 0..done.len() {
            for j in i + 1..done.len() {
                let (a, b) = (done[i], done[j]);
                let diff = a.value ^ b.value;
                if a.mask == b.mask && diff.count_ones() == 1 && decide(a) == decide(b) {
                    done[i] = Cube {
                        mask: a.mask & !diff,
                        value: a.value & !diff,
                    };
                    done.remove(j);
                    merged = true;
                    break 'pairs;
                }
            }
        }
        if !merged {
            break;
        }
    }
    let mut out: Vec<(Cube, bool)> = done.into_iter().map(|c| (c, true)).collect();
    out.extend(work.into_iter().map(|c| (c, false)));
    out.sort_by_key(|(c, _)| (c.mask.count_ones(), c.value, c.mask));
    out.into_iter().unzip()
}
