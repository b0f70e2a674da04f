//! Format version 3 of the JSON table: the compact form of a large table
//! (docs/table-format.md, "Version 3: columns").
//!
//! Version 1 and 2 write every rule set with all its rows, so a row is repeated in
//! every rule set whose chain of devices has its rule: the rows of an outer device and
//! the default rules appear once per interval nested in it. Version 3 writes each
//! rule's terms once (as indices into one list of distinct terms) and each rule set as
//! its chain of devices only; the reader makes the rows again with
//! [`RuleRows::rows`], the function that made them in [`DecisionTable::build`]. The
//! elements of devices, regions, rules, rule sets and intervals are written as
//! columns, one JSON array per field, and a region or an interval as its start and
//! its extent (`last - start`), which is short in hex where `last` is not.

use super::TableError::{self, Malformed};
use ccattr_core::dnf::Term;
use ccattr_core::table::{
    rule_text, Interval, RuleRows, RuleSet, TableAttr, TableCap, TableDevice, TablePlatform,
    TableRegion, TableRule,
};
use ccattr_core::{Decision, DecisionTable};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;

/// The table as version 3 writes it: the table, its distinct terms, and each rule's
/// terms as indices into them.
pub(super) struct Compact<'a> {
    table: &'a DecisionTable,
    terms: Vec<Term>,
    rule_terms: Vec<Vec<usize>>,
}

impl<'a> Compact<'a> {
    /// The compact form of `table`, if reading it back gives `table` again: always for
    /// a table that [`DecisionTable::build`] made, whose rows follow from its rules.
    pub(super) fn new(table: &'a DecisionTable) -> Option<Compact<'a>> {
        // A rule's text must follow from its device, decision and condition.
        let plain = table.rules.iter().all(|r| {
            let device = r
                .device
                .map(|d| table.devices.get(d).map(|d| d.name.as_str()));
            letter(r.decision).is_some()
                && device != Some(None)
                && rule_text(device.flatten(), r.decision, r.when()) == r.text
        });
        if !plain {
            return None;
        }
        let per_rule = table.rule_terms();
        let source = RuleRows::new(&table.rules, table.devices.len(), &per_rule);
        if table
            .rule_sets
            .iter()
            .any(|rs| source.rows(&rs.devices) != rs.rows)
        {
            return None;
        }
        let mut terms = Vec::new();
        let mut index: HashMap<Term, usize> = HashMap::new();
        let rule_terms = per_rule
            .iter()
            .map(|ts| {
                ts.iter()
                    .map(|t| {
                        *index.entry(*t).or_insert_with(|| {
                            terms.push(*t);
                            terms.len() - 1
                        })
                    })
                    .collect()
            })
            .collect();
        Some(Compact {
            table,
            terms,
            rule_terms,
        })
    }
}

/// A column: the values `.0` yields, as a JSON array, written as they come.
struct Col<F>(F);

impl<F, I> Serialize for Col<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// A 64-bit number, as `0x` and lower-case hex digits.
#[derive(Clone, Copy)]
struct Hex(u64);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ccattr_core::hex::u64::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hex, D::Error> {
        ccattr_core::hex::u64::deserialize(d).map(Hex)
    }
}

/// The letter of a rule's decision in the `decision` column.
fn letter(d: Decision) -> Option<char> {
    match d {
        Decision::Encrypted => Some('e'),
        Decision::Decrypted => Some('d'),
        Decision::Refused => Some('r'),
        _ => None,
    }
}

impl Serialize for Compact<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.table;
        let files = !t.files.is_empty();
        let mut m = s.serialize_struct("table", 16)?;
        m.serialize_field("spec", &t.spec)?;
        if files {
            m.serialize_field("files", &t.files)?;
        }
        m.serialize_field("doc", &t.doc)?;
        m.serialize_field("prefix", &t.prefix)?;
        m.serialize_field("attrs", &t.attrs)?;
        m.serialize_field("base_mask", &Hex(t.base_mask))?;
        m.serialize_field("derive_order", &t.derive_order)?;
        m.serialize_field("platforms", &t.platforms)?;
        m.serialize_field("devices", &Devices(t))?;
        if !t.caps.is_empty() {
            m.serialize_field("caps", &t.caps)?;
        }
        m.serialize_field("regions", &Regions(t))?;
        m.serialize_field("terms", &Terms(&self.terms))?;
        m.serialize_field("rules", &Rules(t, &self.rule_terms))?;
        if t.refuses {
            m.serialize_field("refuses", &true)?;
        }
        m.serialize_field("rule_sets", &RuleSets(t))?;
        m.serialize_field("intervals", &Intervals(t))?;
        m.end()
    }
}

struct Devices<'a>(&'a DecisionTable);

impl Serialize for Devices<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = &self.0.devices;
        let mut m = s.serialize_struct("devices", 6)?;
        m.serialize_field("name", &Col(|| d.iter().map(|d| &d.name)))?;
        m.serialize_field("doc", &Col(|| d.iter().map(|d| &d.doc)))?;
        if !self.0.files.is_empty() {
            m.serialize_field("file", &Col(|| d.iter().map(|d| d.file)))?;
        }
        m.serialize_field("line", &Col(|| d.iter().map(|d| d.line)))?;
        m.serialize_field("regions", &Col(|| d.iter().map(|d| d.regions.len())))?;
        let probed = || {
            d.iter()
                .enumerate()
                .filter_map(|(i, d)| d.probed.map(|rs| [i, rs]))
        };
        m.serialize_field("probed", &Col(probed))?;
        m.end()
    }
}

struct Regions<'a>(&'a DecisionTable);

impl Serialize for Regions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let all = || self.0.devices.iter().flat_map(|d| &d.regions);
        let mut m = s.serialize_struct("regions", 4)?;
        m.serialize_field("start", &Col(|| all().map(|r| Hex(r.start))))?;
        m.serialize_field("extent", &Col(|| all().map(|r| Hex(r.last - r.start))))?;
        if !self.0.files.is_empty() {
            m.serialize_field("file", &Col(|| all().map(|r| r.file)))?;
        }
        m.serialize_field("line", &Col(|| all().map(|r| r.line)))?;
        m.end()
    }
}

struct Terms<'a>(&'a [Term]);

impl Serialize for Terms<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let caps = t.iter().any(|t| t.cap_mask != 0);
        let mut m = s.serialize_struct("terms", 4)?;
        m.serialize_field("mask", &Col(|| t.iter().map(|t| Hex(t.mask))))?;
        m.serialize_field("value", &Col(|| t.iter().map(|t| Hex(t.value))))?;
        if caps {
            let mask = || t.iter().map(|t| Hex(t.cap_mask.into()));
            m.serialize_field("cap_mask", &Col(mask))?;
            let value = || t.iter().map(|t| Hex(t.cap_value.into()));
            m.serialize_field("cap_value", &Col(value))?;
        }
        m.end()
    }
}

struct Rules<'a>(&'a DecisionTable, &'a [Vec<usize>]);

impl Serialize for Rules<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0.rules;
        // Compact::new saw a letter for each.
        let letters: String = r.iter().filter_map(|r| letter(r.decision)).collect();
        let mut m = s.serialize_struct("rules", 6)?;
        m.serialize_field("device", &Col(|| r.iter().map(|r| r.device)))?;
        m.serialize_field("decision", &letters)?;
        m.serialize_field("when", &Col(|| r.iter().map(TableRule::when)))?;
        m.serialize_field("terms", self.1)?;
        if !self.0.files.is_empty() {
            m.serialize_field("file", &Col(|| r.iter().map(|r| r.file)))?;
        }
        m.serialize_field("line", &Col(|| r.iter().map(|r| r.line)))?;
        m.end()
    }
}

struct RuleSets<'a>(&'a DecisionTable);

impl Serialize for RuleSets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("rule_sets", 1)?;
        let sets = &self.0.rule_sets;
        m.serialize_field("devices", &Col(|| sets.iter().map(|rs| &rs.devices)))?;
        m.end()
    }
}

struct Intervals<'a>(&'a DecisionTable);

impl Serialize for Intervals<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let iv = &self.0.intervals;
        let mut m = s.serialize_struct("intervals", 3)?;
        m.serialize_field("start", &Col(|| iv.iter().map(|i| Hex(i.start))))?;
        m.serialize_field("extent", &Col(|| iv.iter().map(|i| Hex(i.last - i.start))))?;
        m.serialize_field("rule_set", &Col(|| iv.iter().map(|i| i.rule_set)))?;
        m.end()
    }
}

/// A version 3 table as read, before its rows are made again.
#[derive(Deserialize)]
pub(super) struct Read {
    spec: String,
    #[serde(default)]
    files: Vec<String>,
    doc: Vec<String>,
    prefix: Option<String>,
    attrs: Vec<TableAttr>,
    base_mask: Hex,
    derive_order: Vec<usize>,
    platforms: Vec<TablePlatform>,
    devices: ReadDevices,
    #[serde(default)]
    caps: Vec<TableCap>,
    regions: ReadRegions,
    terms: ReadTerms,
    rules: ReadRules,
    #[serde(default)]
    refuses: bool,
    rule_sets: ReadRuleSets,
    intervals: ReadIntervals,
}

#[derive(Deserialize)]
struct ReadDevices {
    name: Vec<String>,
    doc: Vec<Vec<String>>,
    #[serde(default)]
    file: Option<Vec<usize>>,
    line: Vec<usize>,
    regions: Vec<usize>,
    probed: Vec<[usize; 2]>,
}

#[derive(Deserialize)]
struct ReadRegions {
    start: Vec<Hex>,
    extent: Vec<Hex>,
    #[serde(default)]
    file: Option<Vec<usize>>,
    line: Vec<usize>,
}

#[derive(Deserialize)]
struct ReadTerms {
    mask: Vec<Hex>,
    value: Vec<Hex>,
    #[serde(default)]
    cap_mask: Option<Vec<Hex>>,
    #[serde(default)]
    cap_value: Option<Vec<Hex>>,
}

#[derive(Deserialize)]
struct ReadRules {
    device: Vec<Option<usize>>,
    decision: String,
    when: Vec<Option<String>>,
    terms: Vec<Vec<usize>>,
    #[serde(default)]
    file: Option<Vec<usize>>,
    line: Vec<usize>,
}

#[derive(Deserialize)]
struct ReadRuleSets {
    devices: Vec<Vec<usize>>,
}

#[derive(Deserialize)]
struct ReadIntervals {
    start: Vec<Hex>,
    extent: Vec<Hex>,
    rule_set: Vec<usize>,
}

/// Check that the column `name` has `want` values.
fn length<T>(name: &str, column: &[T], want: usize) -> Result<(), TableError> {
    if column.len() == want {
        Ok(())
    } else {
        Err(Malformed(format!(
            "malformed decision table: {name} has {} values, expected {want}",
            column.len()
        )))
    }
}

/// The `file` column, or zeros where it is absent (every element in the root file).
fn files(name: &str, column: Option<Vec<usize>>, want: usize) -> Result<Vec<usize>, TableError> {
    match column {
        Some(c) => length(name, &c, want).map(|()| c),
        None => Ok(vec![0; want]),
    }
}

/// The last byte of what starts at `start` and extends `extent` bytes further.
fn last(name: &str, start: Hex, extent: Hex) -> Result<u64, TableError> {
    start.0.checked_add(extent.0).ok_or_else(|| {
        Malformed(format!(
            "inconsistent decision table: {name} at {:#x} ends past 2^64",
            start.0
        ))
    })
}

fn inconsistent(what: String) -> TableError {
    Malformed(format!("inconsistent decision table: {what}"))
}

impl Read {
    /// The table, its rule sets' rows made again; the caller validates the rest.
    pub(super) fn into_table(self) -> Result<DecisionTable, TableError> {
        let d = self.devices;
        let n = d.name.len();
        length("devices.doc", &d.doc, n)?;
        length("devices.line", &d.line, n)?;
        length("devices.regions", &d.regions, n)?;
        let dev_files = files("devices.file", d.file, n)?;

        let r = self.regions;
        let regions = r.start.len();
        length("regions.extent", &r.extent, regions)?;
        length("regions.line", &r.line, regions)?;
        let reg_files = files("regions.file", r.file, regions)?;
        if d.regions.iter().try_fold(0usize, |a, &b| a.checked_add(b)) != Some(regions) {
            return Err(inconsistent(format!(
                "the devices have other than the {regions} regions listed"
            )));
        }
        let mut probed = vec![None; n];
        for &[dev, rs] in &d.probed {
            match probed.get_mut(dev) {
                Some(p) => *p = Some(rs),
                None => return Err(inconsistent(format!("probed names device {dev}"))),
            }
        }
        let mut next = 0;
        let mut devices = Vec::with_capacity(n);
        for (i, ((name, doc), count)) in d.name.into_iter().zip(d.doc).zip(d.regions).enumerate() {
            let range = next..next + count;
            let own = (r.start[range.clone()].iter().zip(&r.extent[range.clone()]))
                .zip(reg_files[range.clone()].iter().zip(&r.line[range]))
                .map(|((&start, &extent), (&file, &line))| {
                    Ok(TableRegion {
                        start: start.0,
                        last: last("a region", start, extent)?,
                        file,
                        line,
                    })
                })
                .collect::<Result<Vec<_>, TableError>>()?;
            next += count;
            devices.push(TableDevice {
                name,
                doc,
                regions: own,
                probed: probed[i],
                file: dev_files[i],
                line: d.line[i],
            });
        }

        let t = self.terms;
        let term_count = t.mask.len();
        length("terms.value", &t.value, term_count)?;
        let caps = |c: Option<Vec<Hex>>, name: &str| -> Result<Vec<u32>, TableError> {
            let Some(c) = c else {
                return Ok(vec![0; term_count]);
            };
            length(name, &c, term_count)?;
            c.into_iter()
                .map(|h| u32::try_from(h.0))
                .collect::<Result<_, _>>()
                .map_err(|_| inconsistent(format!("{name} has a value past 32 bits")))
        };
        let cap_mask = caps(t.cap_mask, "terms.cap_mask")?;
        let cap_value = caps(t.cap_value, "terms.cap_value")?;
        let terms: Vec<Term> = (0..term_count)
            .map(|i| Term {
                mask: t.mask[i].0,
                value: t.value[i].0,
                cap_mask: cap_mask[i],
                cap_value: cap_value[i],
            })
            .collect();

        let u = self.rules;
        let rule_count = u.device.len();
        let letters: Vec<char> = u.decision.chars().collect();
        length("rules.decision", &letters, rule_count)?;
        length("rules.when", &u.when, rule_count)?;
        length("rules.terms", &u.terms, rule_count)?;
        length("rules.line", &u.line, rule_count)?;
        let rule_files = files("rules.file", u.file, rule_count)?;
        let mut rules = Vec::with_capacity(rule_count);
        let mut rule_terms = Vec::with_capacity(rule_count);
        for (i, ((device, when), ts)) in u.device.into_iter().zip(u.when).zip(u.terms).enumerate() {
            let decision = match letters[i] {
                'e' => Decision::Encrypted,
                'd' => Decision::Decrypted,
                'r' => Decision::Refused,
                c => return Err(inconsistent(format!("rule {i} has decision {c:?}"))),
            };
            let name = match device {
                Some(dev) => Some(
                    devices
                        .get(dev)
                        .ok_or_else(|| inconsistent("a rule names an unknown device".into()))?
                        .name
                        .as_str(),
                ),
                None => None,
            };
            let own = ts
                .iter()
                .map(|&k| terms.get(k).copied())
                .collect::<Option<Vec<Term>>>()
                .ok_or_else(|| inconsistent(format!("rule {i} names an unknown term")))?;
            rule_terms.push(own);
            rules.push(TableRule {
                device,
                decision,
                text: rule_text(name, decision, when.as_deref()),
                file: rule_files[i],
                line: u.line[i],
            });
        }

        let source = RuleRows::new(&rules, devices.len(), &rule_terms);
        let mut rule_sets = Vec::with_capacity(self.rule_sets.devices.len());
        for chain in self.rule_sets.devices {
            if chain.iter().any(|&dev| dev >= devices.len()) {
                return Err(inconsistent(format!(
                    "rule set {} names an unknown device",
                    rule_sets.len()
                )));
            }
            rule_sets.push(RuleSet {
                rows: source.rows(&chain),
                devices: chain,
            });
        }

        let v = self.intervals;
        let count = v.start.len();
        length("intervals.extent", &v.extent, count)?;
        length("intervals.rule_set", &v.rule_set, count)?;
        let intervals = (0..count)
            .map(|i| {
                Ok(Interval {
                    start: v.start[i].0,
                    last: last("an interval", v.start[i], v.extent[i])?,
                    rule_set: v.rule_set[i],
                })
            })
            .collect::<Result<_, TableError>>()?;

        Ok(DecisionTable {
            spec: self.spec,
            files: self.files,
            doc: self.doc,
            prefix: self.prefix,
            attrs: self.attrs,
            base_mask: self.base_mask.0,
            derive_order: self.derive_order,
            platforms: self.platforms,
            devices,
            caps: self.caps,
            rules,
            refuses: self.refuses,
            rule_sets,
            intervals,
        })
    }
}
