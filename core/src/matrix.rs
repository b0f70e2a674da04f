//! The platform-by-device matrix: what each device's own addresses decide on each
//! declared platform, read from the decision table.

use crate::table::{Decision, DecisionTable};

/// The decision of device `device` (`None`: addresses outside every device) under a
/// full attribute set: the common decision of every address where it is the
/// innermost device, or `mixed`.
pub fn device_decision(table: &DecisionTable, device: Option<usize>, attrs: u64) -> Decision {
    let mut answer: Option<Decision> = None;
    let merge = |answer: &mut Option<Decision>, d: Decision| {
        *answer = Some(match *answer {
            None => d,
            Some(a) if a == d => a,
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

/// The matrix: one row per device and a last row for elsewhere, one cell per platform.
pub struct Matrix {
    pub platforms: Vec<String>,
    /// (row name, cells in platform order).
    pub rows: Vec<(String, Vec<Decision>)>,
}

pub const ELSEWHERE: &str = "(elsewhere)";

pub fn matrix(table: &DecisionTable) -> Matrix {
    let platforms: Vec<String> = table.platforms.iter().map(|p| p.name.clone()).collect();
    let mut rows = Vec::new();
    let devices = (0..table.devices.len()).map(Some).chain([None]);
    for d in devices {
        let name = d.map_or(ELSEWHERE.to_string(), |d| table.devices[d].name.clone());
        let cells = table
            .platforms
            .iter()
            .map(|p| device_decision(table, d, p.full))
            .collect();
        rows.push((name, cells));
    }
    Matrix { platforms, rows }
}
