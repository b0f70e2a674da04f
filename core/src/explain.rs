//! `explain`: the decision for an address or range with the steps that led to it,
//! read from the decision table (the same form every generated output prints).

use crate::table::{Decision, DecisionTable};
use serde_json::{json, Value};

/// At most this many segments of a range are traced one by one.
pub const MAX_TRACED_SEGMENTS: usize = 256;

/// A rule that was tried for a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleStep {
    pub rule: usize,
    pub holds: bool,
}

/// One stretch of the query that lies in the same devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentTrace {
    pub start: u64,
    pub last: u64,
    /// The devices containing it, innermost first, each with the region that does.
    pub devices: Vec<(usize, usize)>,
    /// The rules tried, in order; the last one holds if any did.
    pub rules: Vec<RuleStep>,
    pub decision: Decision,
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub addr: u64,
    pub size: u64,
    pub base: u64,
    pub attrs: u64,
    pub platform: Option<String>,
    pub decision: Decision,
    pub segments: Vec<SegmentTrace>,
    /// Segments of the range left out of `segments` past the trace limit.
    pub untraced: usize,
}

/// Explain `[addr, addr + size)` under the base attributes `base` (closed here).
pub fn explain(
    table: &DecisionTable,
    platform: Option<&str>,
    base: u64,
    addr: u64,
    size: u64,
) -> Explanation {
    let attrs = table.close(base);
    let decision = table.decide(attrs, addr, size);
    let mut segments = Vec::new();
    let mut untraced = 0;
    for seg in table.segments(addr, size).unwrap_or_default() {
        if segments.len() == MAX_TRACED_SEGMENTS {
            untraced += 1;
            continue;
        }
        let set = &table.rule_sets[seg.rule_set];
        let devices = set
            .devices
            .iter()
            .map(|&d| {
                let region = table.devices[d]
                    .regions
                    .iter()
                    .position(|r| r.start <= seg.start && seg.start <= r.last)
                    .unwrap_or(0);
                (d, region)
            })
            .collect();
        let candidates = set
            .devices
            .iter()
            .flat_map(|&d| {
                (0..table.rules.len()).filter(move |&r| table.rules[r].device == Some(d))
            })
            .chain((0..table.rules.len()).filter(|&r| table.rules[r].device.is_none()));
        let mut rules = Vec::new();
        for r in candidates {
            let holds = set
                .rows
                .iter()
                .any(|row| row.rule == r && row.matches(attrs));
            rules.push(RuleStep { rule: r, holds });
            if holds {
                break;
            }
        }
        segments.push(SegmentTrace {
            start: seg.start,
            last: seg.last,
            devices,
            rules,
            decision: table.eval_rule_set(seg.rule_set, attrs),
        });
    }
    Explanation {
        addr,
        size,
        base,
        attrs,
        platform: platform.map(str::to_string),
        decision,
        segments,
        untraced,
    }
}

impl Explanation {
    /// The JSON form the README documents: `decision`, `attrs` and `trace`, and more.
    pub fn to_json(&self, table: &DecisionTable) -> Value {
        let mut trace = Vec::new();
        let many = self.segments.len() > 1;
        for seg in &self.segments {
            if many {
                trace.push(json!({
                    "step": "segment",
                    "start": hex(seg.start),
                    "last": hex(seg.last),
                    "decision": seg.decision,
                }));
            }
            for &(d, r) in &seg.devices {
                let dev = &table.devices[d];
                let region = &dev.regions[r];
                let mut step = json!({
                    "step": "device",
                    "device": dev.name,
                    "line": region.line,
                    "region": {"start": hex(region.start), "last": hex(region.last)},
                });
                with_file(&mut step, table, region.file);
                trace.push(step);
            }
            trace.extend(rule_steps_json(table, &seg.rules));
            if !seg.rules.iter().any(|s| s.holds) {
                trace.push(json!({"step": "unspecified", "line": Value::Null}));
            }
        }
        json!({
            "spec": table.spec,
            "addr": hex(self.addr),
            "size": hex(self.size),
            "platform": self.platform,
            "base_attrs": table.attr_names(self.base),
            "attrs": table.attr_names(self.attrs),
            "decision": self.decision,
            "is_private_mmio": table.is_private_mmio(self.attrs, self.addr),
            "start_decision": table.decide_start(self.attrs, self.addr, self.size),
            "segments": self.segments.iter().map(|s| json!({
                "start": hex(s.start),
                "last": hex(s.last),
                "decision": s.decision,
                "devices": s.devices.iter().map(|&(d, _)| table.devices[d].name.as_str()).collect::<Vec<_>>(),
                "rule_line": s.rules.iter().find(|r| r.holds).map(|r| table.rules[r.rule].line),
            })).collect::<Vec<_>>(),
            "untraced_segments": self.untraced,
            "trace": trace,
        })
    }

    /// A human-readable account, one step a line.
    pub fn to_text(&self, table: &DecisionTable, files: &[&str]) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let range = if self.size == 1 {
            hex(self.addr)
        } else {
            match crate::table::range_last(self.addr, self.size) {
                Some(last) => format!("[{}, {}] ({} bytes)", hex(self.addr), hex(last), self.size),
                None => format!("{} + {}", hex(self.addr), hex(self.size)),
            }
        };
        let _ = writeln!(s, "{range}: {}", self.decision);
        attrs_lines(
            &mut s,
            table,
            self.platform.as_deref(),
            self.base,
            self.attrs,
        );
        if self.decision == Decision::Invalid {
            let why = if self.size == 0 {
                "the size is 0"
            } else {
                "the range runs past 2^64"
            };
            let _ = writeln!(s, "  invalid: {why}");
            return s;
        }
        let many = self.segments.len() > 1;
        for seg in &self.segments {
            let indent = if many {
                let _ = writeln!(
                    s,
                    "  [{}, {}]: {}",
                    hex(seg.start),
                    hex(seg.last),
                    seg.decision
                );
                "    "
            } else {
                "  "
            };
            if seg.devices.is_empty() {
                let _ = writeln!(s, "{indent}in no device");
            }
            for &(d, r) in &seg.devices {
                let dev = &table.devices[d];
                let reg = &dev.regions[r];
                let _ = writeln!(
                    s,
                    "{indent}in device {} [{}, {}] ({})",
                    dev.name,
                    hex(reg.start),
                    hex(reg.last),
                    place(files, reg.file, reg.line)
                );
            }
            rule_steps_text(&mut s, table, &seg.rules, files, indent);
        }
        if self.untraced > 0 {
            let _ = writeln!(s, "  ... and {} more segments not traced", self.untraced);
        }
        if many && self.decision == Decision::Mixed {
            let _ = writeln!(
                s,
                "  the bytes of the range differ: mixed (refuse the mapping)"
            );
        }
        if many && self.decision == Decision::Refused {
            let _ = writeln!(
                s,
                "  a byte of the range is refused: refused (the mapping must fail)"
            );
        }
        let start = table.decide_start(self.attrs, self.addr, self.size);
        if start != self.decision {
            let _ = writeln!(
                s,
                "  x86 ioremap() asks about the start address only: it maps the whole range {start} (arm64 realms check every page)"
            );
        }
        s
    }
}

/// The lines under an explanation's first: the platform (or the base set asked
/// about), then the full set.
fn attrs_lines(
    s: &mut String,
    table: &DecisionTable,
    platform: Option<&str>,
    base: u64,
    attrs: u64,
) {
    use std::fmt::Write as _;
    let _ = match platform {
        Some(p) => writeln!(s, "  platform  {p}"),
        None => writeln!(s, "  base      {}", names(table, base)),
    };
    let _ = writeln!(s, "  attrs     {}", names(table, attrs));
}

fn names(table: &DecisionTable, set: u64) -> String {
    let n = table.attr_names(set);
    if n.is_empty() {
        "(none)".to_string()
    } else {
        n.join(", ")
    }
}

pub fn hex(v: u64) -> String {
    format!("{v:#x}")
}

/// The decision for a probed device (version 2), with the rules tried.
#[derive(Clone, Debug)]
pub struct ProbedExplanation {
    pub device: usize,
    /// The capabilities the caller reports (declared ones only).
    pub caps: u32,
    pub base: u64,
    pub attrs: u64,
    pub platform: Option<String>,
    pub decision: Decision,
    /// The rules tried, in order: the device's `map` rules, then the `default` rules;
    /// the last one holds if any did.
    pub rules: Vec<RuleStep>,
}

/// Explain probed device `device` under the base attributes `base` (closed here) and
/// the capability set `caps`; `None` when the device is not probed.
pub fn explain_probed(
    table: &DecisionTable,
    platform: Option<&str>,
    base: u64,
    device: usize,
    caps: u32,
) -> Option<ProbedExplanation> {
    let rs = table.devices.get(device)?.probed?;
    let attrs = table.close(base);
    let caps = caps & table.cap_mask();
    let decision = table.decide_probed(attrs, device, caps)?;
    let set = &table.rule_sets[rs];
    let candidates = (0..table.rules.len())
        .filter(|&r| table.rules[r].device == Some(device))
        .chain((0..table.rules.len()).filter(|&r| table.rules[r].device.is_none()));
    let mut rules = Vec::new();
    for r in candidates {
        let holds = set
            .rows
            .iter()
            .any(|row| row.rule == r && row.matches_with(attrs, caps));
        rules.push(RuleStep { rule: r, holds });
        if holds {
            break;
        }
    }
    Some(ProbedExplanation {
        device,
        caps,
        base,
        attrs,
        platform: platform.map(str::to_string),
        decision,
        rules,
    })
}

impl ProbedExplanation {
    /// The JSON form: the keys of an address's explanation that apply (`decision`,
    /// `attrs`, `trace`), and the device and its capabilities.
    pub fn to_json(&self, table: &DecisionTable) -> Value {
        let dev = &table.devices[self.device];
        let rs = dev.probed.unwrap_or(0);
        let mut trace = vec![json!({
            "step": "device",
            "device": dev.name,
            "line": dev.line,
            "probed": true,
            "caps": table.cap_names(self.caps),
        })];
        with_file(&mut trace[0], table, dev.file);
        trace.extend(rule_steps_json(table, &self.rules));
        if !self.rules.iter().any(|s| s.holds) {
            trace.push(json!({"step": "unspecified", "line": Value::Null}));
        }
        json!({
            "spec": table.spec,
            "device": dev.name,
            "probed": true,
            "caps": table.cap_names(self.caps),
            "caps_read": table.cap_names(table.caps_read(rs)),
            "platform": self.platform,
            "base_attrs": table.attr_names(self.base),
            "attrs": table.attr_names(self.attrs),
            "decision": self.decision,
            "rule_line": self.rules.iter().find(|r| r.holds).map(|r| table.rules[r.rule].line),
            "trace": trace,
        })
    }

    /// A human-readable account, one step a line.
    pub fn to_text(&self, table: &DecisionTable, files: &[&str]) -> String {
        use std::fmt::Write as _;
        let dev = &table.devices[self.device];
        let rs = dev.probed.unwrap_or(0);
        let mut s = String::new();
        let _ = writeln!(s, "probed device {}: {}", dev.name, self.decision);
        attrs_lines(
            &mut s,
            table,
            self.platform.as_deref(),
            self.base,
            self.attrs,
        );
        let _ = writeln!(s, "  caps      {}", cap_list(table, self.caps));
        let read = table.caps_read(rs);
        let _ = writeln!(s, "  its rules read {}", cap_list(table, read));
        let _ = writeln!(
            s,
            "  device {} is probed ({})",
            dev.name,
            place(files, dev.file, dev.line)
        );
        rule_steps_text(&mut s, table, &self.rules, files, "  ");
        if self.decision == Decision::Refused {
            let _ = writeln!(s, "  refused: the mapping must fail");
        }
        s
    }
}

fn cap_list(table: &DecisionTable, set: u32) -> String {
    let n = table.cap_names(set);
    if n.is_empty() {
        "(none)".to_string()
    } else {
        n.join(", ")
    }
}

/// The trace steps of the rules tried, as JSON.
fn rule_steps_json<'t>(
    table: &'t DecisionTable,
    steps: &'t [RuleStep],
) -> impl Iterator<Item = Value> + 't {
    steps.iter().map(move |step| {
        let rule = &table.rules[step.rule];
        let mut v = json!({
            "step": if rule.device.is_some() { "rule" } else { "default" },
            "device": rule.device.map(|d| table.devices[d].name.as_str()),
            "rule": rule.text,
            "line": rule.line,
            "holds": step.holds,
            "decision": if step.holds { rule.decision.as_str() } else { "none" },
        });
        with_file(&mut v, table, rule.file);
        v
    })
}

/// `FILE:LINE` of a place in the spec: `files` are the names of the table's files
/// as shown (the root's alone for a spec of one file).
pub fn place(files: &[&str], file: usize, line: usize) -> String {
    let name = files.get(file).or(files.first()).copied().unwrap_or("");
    format!("{name}:{line}")
}

/// A trace step's `"file"`: the file a line is in, relative to the root file's
/// folder, for a spec with includes (a spec of one file has no `"file"` keys).
fn with_file(step: &mut Value, table: &DecisionTable, file: usize) {
    if let (Some(path), Some(obj)) = (table.files.get(file), step.as_object_mut()) {
        obj.insert("file".into(), Value::from(path.as_str()));
    }
}

/// The rules tried, one a line, and what happens when none holds.
fn rule_steps_text(
    s: &mut String,
    table: &DecisionTable,
    steps: &[RuleStep],
    files: &[&str],
    indent: &str,
) {
    use std::fmt::Write as _;
    for step in steps {
        let rule = &table.rules[step.rule];
        let verdict = if step.holds {
            format!("holds -> {}", rule.decision)
        } else {
            "does not hold".to_string()
        };
        let at = place(files, rule.file, rule.line);
        let _ = writeln!(s, "{indent}{at}: {}  {verdict}", rule.text);
    }
    if !steps.iter().any(|r| r.holds) {
        let _ = writeln!(
            s,
            "{indent}no rule holds: unspecified (the caller's own logic applies)"
        );
    }
}
