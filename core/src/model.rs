//! The checked model: names resolved to indices, every rule of the language verified.

use ccattr_grammar::Span;

/// Index of an attribute; also its enum value and its bit in an attribute set.
pub type AttrId = usize;
pub type DeviceId = usize;
/// Index of a capability (version 2); also its bit in a capability set.
pub type CapId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mapping {
    Encrypted,
    Decrypted,
    /// The mapping must fail (version 2).
    Refuse,
}

impl Mapping {
    pub fn as_str(self) -> &'static str {
        match self {
            Mapping::Encrypted => "encrypted",
            Mapping::Decrypted => "decrypted",
            Mapping::Refuse => "refuse",
        }
    }
}

/// A name a condition reads: an attribute of the full set, or (in the rules of a
/// probed device) a capability the caller reports for the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    Attr(AttrId),
    Cap(CapId),
}

/// A condition over the full attribute set (and, for a probed device's rules, the
/// capability set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    Const(bool),
    Attr(AttrId),
    /// A capability (version 2): only in the `map` rules of probed devices.
    Cap(CapId),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    /// Evaluate directly over a full attribute set (bit i = attribute i), with no
    /// capability reported.
    pub fn eval(&self, set: u64) -> bool {
        self.eval_with(set, 0)
    }

    /// Evaluate over a full attribute set and a capability set (bit i = capability i).
    pub fn eval_with(&self, set: u64, caps: u32) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Attr(a) => set >> a & 1 == 1,
            Cond::Cap(c) => caps >> c & 1 == 1,
            Cond::Not(c) => !c.eval_with(set, caps),
            Cond::And(cs) => cs.iter().all(|c| c.eval_with(set, caps)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval_with(set, caps)),
        }
    }

    /// Every attribute the condition mentions, in order of appearance.
    pub fn attrs(&self, out: &mut Vec<AttrId>) {
        match self {
            Cond::Const(_) | Cond::Cap(_) => {}
            Cond::Attr(a) => out.push(*a),
            Cond::Not(c) => c.attrs(out),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.attrs(out)),
        }
    }

    /// Every capability the condition mentions, in order of appearance.
    pub fn caps(&self, out: &mut Vec<CapId>) {
        match self {
            Cond::Const(_) | Cond::Attr(_) => {}
            Cond::Cap(c) => out.push(*c),
            Cond::Not(c) => c.caps(out),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.caps(out)),
        }
    }

    /// Print with the language's precedence, naming attributes and capabilities
    /// through `names`.
    pub fn display<'n>(&self, names: &dyn Fn(Atom) -> &'n str) -> String {
        fn go<'n>(c: &Cond, names: &dyn Fn(Atom) -> &'n str, prec: u8, out: &mut String) {
            // prec: 0 = inside ||, 1 = inside &&, 2 = operand of !
            match c {
                Cond::Const(b) => out.push_str(if *b { "true" } else { "false" }),
                Cond::Attr(a) => out.push_str(names(Atom::Attr(*a))),
                Cond::Cap(k) => out.push_str(names(Atom::Cap(*k))),
                Cond::Not(inner) => {
                    out.push('!');
                    go(inner, names, 2, out);
                }
                Cond::And(cs) | Cond::Or(cs) => {
                    let (op, mine) = if matches!(c, Cond::And(_)) {
                        (" && ", 1)
                    } else {
                        (" || ", 0)
                    };
                    let paren = prec > mine;
                    if paren {
                        out.push('(');
                    }
                    for (i, sub) in cs.iter().enumerate() {
                        if i > 0 {
                            out.push_str(op);
                        }
                        go(sub, names, mine + 1, out);
                    }
                    if paren {
                        out.push(')');
                    }
                }
            }
        }
        let mut out = String::new();
        go(self, names, 0, &mut out);
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrKind {
    /// Reported by platform code; forces the listed (base) attributes.
    Base { implies: Vec<AttrId> },
    /// Computed from other attributes.
    Derived { cond: Cond },
}

#[derive(Clone, Debug)]
pub struct Attr {
    pub name: String,
    pub span: Span,
    pub decl_span: Span,
    pub doc: Vec<String>,
    pub kind: AttrKind,
    pub formerly: Vec<(String, Span)>,
    pub deprecated: Option<String>,
}

impl Attr {
    pub fn is_base(&self) -> bool {
        matches!(self.kind, AttrKind::Base { .. })
    }
}

#[derive(Clone, Debug)]
pub struct Platform {
    pub name: String,
    pub span: Span,
    pub doc: Vec<String>,
    /// The base attributes its code reports, as written.
    pub sets: Vec<AttrId>,
}

/// An MMIO region `[start, last]` (inclusive, so a region may end at 2^64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub start: u64,
    pub last: u64,
    pub span: Span,
}

impl Region {
    pub fn contains(&self, addr: u64) -> bool {
        self.start <= addr && addr <= self.last
    }

    /// Size in bytes (`last - start + 1`; 2^64 for the whole space).
    pub fn size(&self) -> u128 {
        u128::from(self.last - self.start) + 1
    }
}

#[derive(Clone, Debug)]
pub struct Device {
    pub name: String,
    pub span: Span,
    pub doc: Vec<String>,
    /// Its fixed regions; none for a probed device.
    pub regions: Vec<Region>,
    /// Found at run time (`probed;`, version 2): decided from the capabilities the
    /// caller reports, not from an address.
    pub probed: bool,
}

/// A device capability (version 2): a bit the caller reports for one device.
#[derive(Clone, Debug)]
pub struct Capability {
    pub name: String,
    pub span: Span,
    pub doc: Vec<String>,
}

/// A `map` rule (with a device) or a `default` rule (without).
#[derive(Clone, Debug)]
pub struct Rule {
    pub device: Option<DeviceId>,
    pub mapping: Mapping,
    /// `None` when the rule has no `when`: it always applies.
    pub cond: Option<Cond>,
    pub span: Span,
}

/// The `naming` block, as configured.
#[derive(Clone, Debug, Default)]
pub struct Naming {
    pub prefix: Option<String>,
    /// Where `prefix` is set.
    pub prefix_span: Option<Span>,
    /// The prefix every capability name must have (version 2; lint L-rule
    /// `capability-prefix`), with where it is set.
    pub capability_prefix: Option<(String, Span)>,
    pub max_length: Option<u64>,
    pub forbid_words: Vec<(String, Span)>,
    pub require_doc: bool,
    /// Lint rule IDs turned off, to warnings, or to errors (extensions to version 1).
    pub allow: Vec<(String, Span)>,
    pub warn: Vec<(String, Span)>,
    pub deny: Vec<(String, Span)>,
    pub span: Option<Span>,
}

/// A spec whose every rule of the language holds.
#[derive(Clone, Debug)]
pub struct Model {
    pub name: String,
    pub name_span: Span,
    pub doc: Vec<String>,
    pub naming: Naming,
    pub attrs: Vec<Attr>,
    pub platforms: Vec<Platform>,
    pub devices: Vec<Device>,
    /// Capabilities in declaration order (bit i is capability i).
    pub caps: Vec<Capability>,
    pub rules: Vec<Rule>,
    /// Derived attributes in an order where each comes after those it reads.
    pub derive_order: Vec<AttrId>,
}

impl Model {
    pub fn attr_name(&self, id: AttrId) -> &str {
        &self.attrs[id].name
    }

    /// The name of an attribute or a capability.
    pub fn atom_name(&self, atom: Atom) -> &str {
        match atom {
            Atom::Attr(a) => &self.attrs[a].name,
            Atom::Cap(c) => &self.caps[c].name,
        }
    }

    /// Whether the spec uses anything of version 2 (capabilities, probed devices,
    /// `refuse`). A spec that does not is emitted exactly as before.
    pub fn uses_v2(&self) -> bool {
        !self.caps.is_empty()
            || self.devices.iter().any(|d| d.probed)
            || self.rules.iter().any(|r| r.mapping == Mapping::Refuse)
    }

    /// A rule as it would be written in a spec.
    pub fn rule_text(&self, rule: &Rule) -> String {
        let cond = rule
            .cond
            .as_ref()
            .map(|c| c.display(&|a| self.atom_name(a)));
        crate::table::rule_text(
            rule.device.map(|d| self.devices[d].name.as_str()),
            rule.mapping.into(),
            cond.as_deref(),
        )
    }
}
