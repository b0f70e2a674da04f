//! Decision tables for the emitters' tests: the shipped Hyper-V vTOM example and two
//! test specs (`test-support/specs/`), compiled from their text like any input;
//! queries and attribute sets that walk every boundary of a table; and, behind the
//! `arb` feature, random tables for property tests.

use ccattr_core::DecisionTable;

/// `examples/hyperv_vtom.ccattr`.
pub fn vtom() -> DecisionTable {
    crate::example("hyperv_vtom.ccattr").table
}

/// `test-support/specs/odd.ccattr`: no prefix, nested devices, regions at both ends
/// of the address space, conditions of several terms, a deprecated attribute with
/// former names, and docs that need care (comment delimiters, long lines).
pub fn odd() -> DecisionTable {
    crate::checked("odd.ccattr", include_str!("../specs/odd.ccattr")).table
}

/// `test-support/specs/empty.ccattr`: no attributes, platforms, devices or rules.
pub fn empty() -> DecisionTable {
    crate::checked("empty.ccattr", include_str!("../specs/empty.ccattr")).table
}

/// `examples/tdisp.ccattr`: the version 2 example (a probed device, capabilities,
/// `refuse`).
pub fn tdisp() -> DecisionTable {
    crate::example("tdisp.ccattr").table
}

/// `test-support/specs/probed.ccattr`: several probed devices, capabilities whose
/// names meet once upper-cased, `refuse` in probed, fixed and default rules, and
/// refused addresses beside shared ones.
pub fn probed() -> DecisionTable {
    crate::checked("probed.ccattr", include_str!("../specs/probed.ccattr")).table
}

pub fn all() -> Vec<DecisionTable> {
    vec![vtom(), odd(), empty(), tdisp(), probed()]
}

/// Every capability set of a probed device's rule set that its rules can tell
/// apart: every subset of the capabilities they read (all of them when there are
/// few), each also with every undeclared bit set.
pub fn cap_sets(table: &DecisionTable, rule_set: usize) -> Vec<u32> {
    let read = table.caps_read(rule_set);
    let bits: Vec<u32> = (0..32).filter(|i| read >> i & 1 == 1).collect();
    let n = bits.len().min(10);
    let mut out = Vec::new();
    for subset in 0..1u32 << n {
        let set = (0..n)
            .filter(|&j| subset >> j & 1 == 1)
            .fold(0, |m, j| m | 1 << bits[j]);
        out.push(set);
        out.push(set | !table.cap_mask());
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Every subset of the base attributes when there are few, plus a few stray bits.
pub fn attr_sets(table: &DecisionTable) -> Vec<u64> {
    let n = table.attrs.len().min(10);
    let mut out: Vec<u64> = (0..1u64 << n).map(|s| s & table.base_mask).collect();
    out.extend([u64::MAX, 1 << 63]);
    out.extend(table.platforms.iter().map(|p| p.sets));
    out.sort_unstable();
    out.dedup();
    out
}

/// Single bytes and ranges at and across every boundary, plus invalid ranges.
pub fn queries(table: &DecisionTable) -> Vec<(u64, u64)> {
    let mut points = table.boundaries();
    points.extend([0, 1, u64::MAX - 1, u64::MAX]);
    let sizes = [0, 1, 2, 0x1000, 0x1001, 0x10_0000, u64::MAX];
    let mut out = Vec::new();
    for &p in &points {
        for &s in &sizes {
            out.push((p, s));
            out.push((p.saturating_sub(s / 2), s));
        }
        for &q in &points {
            if q >= p {
                out.push((p, (q - p).wrapping_add(1)));
            }
        }
    }
    out
}

/// Building blocks for models written out in full ([`arb`]).
#[cfg(feature = "arb")]
mod model {
    use ccattr_core::model::*;
    use ccattr_core::{DecisionTable, Span};

    /// A span whose start is the line number, so that `build` reports it as the line.
    pub(super) fn at(line: usize) -> Span {
        Span::new(line, line)
    }

    pub(super) fn doc(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    pub(super) fn base(name: &str, line: usize, docs: &[&str], implies: Vec<usize>) -> Attr {
        Attr {
            name: name.into(),
            span: at(line),
            decl_span: at(line),
            doc: doc(docs),
            kind: AttrKind::Base { implies },
            formerly: Vec::new(),
            deprecated: None,
        }
    }

    pub(super) fn derived(name: &str, line: usize, docs: &[&str], cond: Cond) -> Attr {
        Attr {
            kind: AttrKind::Derived { cond },
            ..base(name, line, docs, Vec::new())
        }
    }

    pub(super) fn platform(name: &str, line: usize, docs: &[&str], sets: Vec<usize>) -> Platform {
        Platform {
            name: name.into(),
            span: at(line),
            doc: doc(docs),
            sets,
        }
    }

    pub(super) fn device(name: &str, line: usize, docs: &[&str], regions: &[(u64, u64)]) -> Device {
        Device {
            name: name.into(),
            span: at(line),
            doc: doc(docs),
            regions: regions
                .iter()
                .map(|&(start, last)| Region {
                    start,
                    last,
                    span: at(line),
                })
                .collect(),
            probed: false,
        }
    }

    pub(super) fn rule(
        device: Option<usize>,
        mapping: Mapping,
        cond: Option<Cond>,
        line: usize,
    ) -> Rule {
        Rule {
            device,
            mapping,
            cond,
            span: at(line),
        }
    }

    pub(super) fn lower(model: &Model) -> DecisionTable {
        DecisionTable::build(model, &|offset| (0, offset), Vec::new())
    }
}

#[cfg(feature = "arb")]
/// Random models whose names are chosen to trip the emitters: Rust keywords and the
/// generated module's own names, names without the prefix or with nothing after it,
/// names that meet once camel-cased. Regions nest; derived attributes read only
/// earlier ones.
///
/// These stay models, not spec text: many of the names (a prefix of `-`, `Self`,
/// names the checker refuses) cannot be written in a spec that checks, and the
/// emitters must still print them safely from any table they are given.
pub mod arb {
    use super::model::*;
    use ccattr_core::model::{Cond, Device, Mapping, Model, Naming};
    use ccattr_core::DecisionTable;
    use proptest::prelude::*;
    use proptest::sample::subsequence;

    const SPECS: &[&str] = &["x86_coco", "Self", "a", "_x", "map_decision"];
    const PREFIXES: &[Option<&str>] = &[
        None,
        Some("CC_ATTR_"),
        Some("SELF_"),
        Some("ATTR_SET_"),
        Some("-"),
        Some("_"),
    ];
    const ATTRS: &[&str] = &[
        "CC_ATTR_MEM_ENCRYPT",
        "CC_ATTR_",
        "CC_ATTR_1G",
        "CC_ATTR_SELF",
        "Self",
        "SELF",
        "_",
        "__",
        "AttrSet",
        "ATTR_SET",
        "MAP_DECISION",
        "MemEncrypt",
        "MEM_ENCRYPT",
        "fooBar",
        "FOO_BAR",
        "x86",
    ];
    const FORMER: &[&str] = &["OLD_A", "CC_ATTR_OLD", "OLD_SELF", "Old_A", "OLD__A"];
    const PLATFORMS: &[&str] = &["bare_metal", "_", "Mixed_Case", "x", "X_"];
    const DEVICES: &[&str] = &[
        "ioapic",
        "runs",
        "outside",
        "rule_set_1",
        "_",
        "a_in_b",
        "a",
        "b",
    ];
    const POINTS: &[u64] = &[0, 0xfff, 0x1000, 0x1fff, 0x2000, 0xffff, 1 << 63, u64::MAX];

    fn cond(attrs: usize) -> BoxedStrategy<Cond> {
        let leaf = if attrs == 0 {
            any::<bool>().prop_map(Cond::Const).boxed()
        } else {
            prop_oneof![
                any::<bool>().prop_map(Cond::Const),
                (0..attrs).prop_map(Cond::Attr),
            ]
            .boxed()
        };
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
                prop::collection::vec(inner.clone(), 1..3).prop_map(Cond::And),
                prop::collection::vec(inner, 1..3).prop_map(Cond::Or),
            ]
        })
        .boxed()
    }

    fn regions() -> impl Strategy<Value = Vec<(u64, u64)>> {
        prop::collection::vec((0..POINTS.len(), 0..POINTS.len()), 0..8).prop_map(|pairs| {
            let mut kept: Vec<(u64, u64)> = Vec::new();
            for (a, b) in pairs {
                let (start, last) = (POINTS[a.min(b)], POINTS[a.max(b)]);
                let nests = kept.iter().all(|&(s, l)| {
                    last < s || l < start || (s <= start && last <= l) || (start <= s && l <= last)
                });
                if nests && !kept.contains(&(start, last)) {
                    kept.push((start, last));
                }
            }
            kept
        })
    }

    pub fn table() -> impl Strategy<Value = DecisionTable> {
        (
            prop::sample::select(SPECS),
            prop::sample::select(PREFIXES),
            subsequence(ATTRS, 0..8),
            regions(),
        )
            .prop_flat_map(|(spec, prefix, attr_names, regions)| {
                let n = attr_names.len();
                let kinds = prop::collection::vec(
                    prop_oneof![
                        prop::collection::vec(0..n.max(1), 0..3).prop_map(Ok),
                        Just(Err(())),
                    ],
                    n,
                );
                let conds: Vec<BoxedStrategy<Cond>> = (0..n).map(cond).collect();
                let formerly = prop::collection::vec(subsequence(FORMER, 0..2), n);
                let platforms = subsequence(PLATFORMS, 0..3).prop_flat_map(move |names| {
                    let sets = prop::collection::vec(any::<u64>(), names.len());
                    (Just(names), sets)
                });
                let devices = subsequence(DEVICES, 0..5);
                let rules = prop::collection::vec(
                    (
                        prop::option::of(0..8usize),
                        any::<bool>(),
                        prop::option::of(cond(n)),
                    ),
                    0..6,
                );
                (
                    Just((spec, prefix, attr_names, regions)),
                    kinds,
                    conds,
                    formerly,
                    platforms,
                    devices,
                    rules,
                    any::<bool>(),
                )
            })
            .prop_map(
                |(
                    (spec, prefix, attr_names, regions),
                    kinds,
                    conds,
                    formerly,
                    (platform_names, sets),
                    device_names,
                    rules,
                    deprecate,
                )| {
                    let n = attr_names.len();
                    let is_base: Vec<bool> = kinds.iter().map(|k| k.is_ok()).collect();
                    let base_bits: u64 = (0..n).filter(|&i| is_base[i]).map(|i| 1 << i).sum();
                    let attrs = attr_names
                        .iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let mut a = match &kinds[i] {
                                Ok(implies) => {
                                    let implies =
                                        implies.iter().copied().filter(|&j| is_base[j] && j != i);
                                    base(name, i + 2, &[], implies.collect())
                                }
                                Err(()) => derived(name, i + 2, &[], conds[i].clone()),
                            };
                            a.formerly = formerly[i]
                                .iter()
                                .map(|f| (format!("{f}{i}"), at(i + 2)))
                                .collect();
                            if deprecate && i == 0 {
                                a.deprecated = Some(String::new());
                            }
                            a
                        })
                        .collect();
                    let derive_order = (0..n).filter(|&i| !is_base[i]).collect();
                    let devices: Vec<Device> = device_names
                        .iter()
                        .enumerate()
                        .map(|(d, name)| {
                            let mine: Vec<(u64, u64)> = regions
                                .iter()
                                .enumerate()
                                .filter(|(r, _)| r % device_names.len() == d)
                                .map(|(_, &r)| r)
                                .collect();
                            device(name, 40 + d, &[], &mine)
                        })
                        .filter(|d| !d.regions.is_empty())
                        .collect();
                    let rules = rules
                        .into_iter()
                        .enumerate()
                        .map(|(i, (device, encrypted, cond))| {
                            let device = device.filter(|&d| d < devices.len());
                            let mapping = if encrypted {
                                Mapping::Encrypted
                            } else {
                                Mapping::Decrypted
                            };
                            rule(device, mapping, cond, 60 + i)
                        })
                        .collect();
                    let model = Model {
                        name: spec.to_string(),
                        name_span: at(1),
                        doc: Vec::new(),
                        naming: Naming {
                            prefix: prefix.map(str::to_string),
                            ..Naming::default()
                        },
                        attrs,
                        platforms: platform_names
                            .iter()
                            .zip(sets)
                            .enumerate()
                            .map(|(i, (name, set))| {
                                let sets = (0..n).filter(|&b| set & base_bits >> b & 1 == 1);
                                platform(name, 30 + i, &[], sets.collect())
                            })
                            .collect(),
                        devices,
                        caps: Vec::new(),
                        rules,
                        derive_order,
                    };
                    lower(&model)
                },
            )
    }
}
