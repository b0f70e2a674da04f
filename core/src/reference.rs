//! The reference evaluator: docs/language.md's "Meaning" section, step by step, over the
//! checked model. It shares nothing with the decision table, so tests can set one
//! against the other.

use crate::model::{AttrKind, Model};
use crate::table::Decision;

/// The full set: the input's base attributes closed under `implies` to a fixed
/// point, then every derived attribute evaluated in dependency order.
pub fn close(model: &Model, base: u64) -> u64 {
    let mut set = 0u64;
    for (i, a) in model.attrs.iter().enumerate() {
        if a.is_base() && base >> i & 1 == 1 {
            set |= 1 << i;
        }
    }
    loop {
        let before = set;
        for (i, a) in model.attrs.iter().enumerate() {
            if let AttrKind::Base { implies } = &a.kind {
                if set >> i & 1 == 1 {
                    for &j in implies {
                        set |= 1 << j;
                    }
                }
            }
        }
        if set == before {
            break;
        }
    }
    for &d in &model.derive_order {
        if let AttrKind::Derived { cond } = &model.attrs[d].kind {
            if cond.eval(set) {
                set |= 1 << d;
            }
        }
    }
    set
}

/// The decision for one byte, under a full attribute set.
pub fn decide_byte(model: &Model, attrs: u64, addr: u64) -> Decision {
    // 1. The devices whose regions contain the address, innermost (smallest) first
    //    (a probed device has no region).
    let mut containing: Vec<(u128, usize)> = model
        .devices
        .iter()
        .enumerate()
        .flat_map(|(d, dev)| {
            dev.regions
                .iter()
                .filter(move |r| r.contains(addr))
                .map(move |r| (r.size(), d))
        })
        .collect();
    containing.sort();
    // 2. Each device's rules in source order: the first that holds decides.
    for (_, d) in containing {
        for rule in model.rules.iter().filter(|r| r.device == Some(d)) {
            if rule.cond.as_ref().is_none_or(|c| c.eval(attrs)) {
                return rule.mapping.into();
            }
        }
    }
    // 3. The default rules in source order.
    for rule in model.rules.iter().filter(|r| r.device.is_none()) {
        if rule.cond.as_ref().is_none_or(|c| c.eval(attrs)) {
            return rule.mapping.into();
        }
    }
    // 4. Nothing decided.
    Decision::Unspecified
}

/// The decision for a probed device under a full attribute set and the capabilities
/// the caller reports: its `map` rules in source order, then the `default` rules; the
/// first whose condition holds in both sets decides. `None` when the device is not
/// probed.
pub fn decide_probed(model: &Model, attrs: u64, device: usize, caps: u32) -> Option<Decision> {
    if !model.devices.get(device)?.probed {
        return None;
    }
    let mine = model.rules.iter().filter(|r| r.device == Some(device));
    let defaults = model.rules.iter().filter(|r| r.device.is_none());
    for rule in mine.chain(defaults) {
        if rule.cond.as_ref().is_none_or(|c| c.eval_with(attrs, caps)) {
            return Some(rule.mapping.into());
        }
    }
    Some(Decision::Unspecified)
}

/// The decision for `[addr, addr + size)`: `refused` if any byte is refused, else the
/// common decision of every byte, or `mixed`; `invalid` for size 0 or a range past
/// 2^64.
pub fn decide(model: &Model, attrs: u64, addr: u64, size: u64) -> Decision {
    if size == 0 || addr.checked_add(size - 1).is_none() {
        return Decision::Invalid;
    }
    let last = addr + (size - 1);
    // Every byte between two consecutive region edges answers alike, so it is enough
    // to ask the first byte of the range and the first byte of each region edge in it.
    let mut probes = vec![addr];
    for dev in &model.devices {
        for r in &dev.regions {
            for p in [Some(r.start), r.last.checked_add(1)].into_iter().flatten() {
                if p > addr && p <= last {
                    probes.push(p);
                }
            }
        }
    }
    let answers: Vec<Decision> = probes
        .iter()
        .map(|&p| decide_byte(model, attrs, p))
        .collect();
    if answers.contains(&Decision::Refused) {
        return Decision::Refused;
    }
    if answers.iter().any(|&d| d != answers[0]) {
        return Decision::Mixed;
    }
    answers[0]
}
