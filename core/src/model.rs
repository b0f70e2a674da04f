//! The checked model: names resolved to indices, every rule of the language verified.

use ccattr_grammar::Span;

/// Index of an attribute; also its enum value and its bit in an attribute set.
pub type AttrId = usize;
pub type DeviceId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mapping {
    Encrypted,
    Decrypted,
}

impl Mapping {
    pub fn as_str(self) -> &'static str {
        match self {
            Mapping::Encrypted => "encrypted",
            Mapping::Decrypted => "decrypted",
        }
    }
}

/// A condition over the full attribute set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    Const(bool),
    Attr(AttrId),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    /// Evaluate directly over a full attribute set (bit i = attribute i).
    pub fn eval(&self, set: u64) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Attr(a) => set >> a & 1 == 1,
            Cond::Not(c) => !c.eval(set),
            Cond::And(cs) => cs.iter().all(|c| c.eval(set)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(set)),
        }
    }

    /// Every attribute the condition mentions, in order of appearance.
    pub fn attrs(&self, out: &mut Vec<AttrId>) {
        match self {
            Cond::Const(_) => {}
            Cond::Attr(a) => out.push(*a),
            Cond::Not(c) => c.attrs(out),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.attrs(out)),
        }
    }

    /// Print with the language's precedence, naming attributes through `name`.
    pub fn display<'n>(&self, names: &dyn Fn(AttrId) -> &'n str) -> String {
        fn go<'n>(c: &Cond, names: &dyn Fn(AttrId) -> &'n str, prec: u8, out: &mut String) {
            // prec: 0 = inside ||, 1 = inside &&, 2 = operand of !
            match c {
                Cond::Const(b) => out.push_str(if *b { "true" } else { "false" }),
                Cond::Attr(a) => out.push_str(names(*a)),
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
    pub regions: Vec<Region>,
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
    pub rules: Vec<Rule>,
    /// Derived attributes in an order where each comes after those it reads.
    pub derive_order: Vec<AttrId>,
}

impl Model {
    pub fn attr_name(&self, id: AttrId) -> &str {
        &self.attrs[id].name
    }

    /// A rule as it would be written in a spec.
    pub fn rule_text(&self, rule: &Rule) -> String {
        // Pieces pushed onto one string: a table of 100,000 devices has 300,000 rules.
        let mut out = String::with_capacity(64);
        match rule.device {
            Some(d) => {
                out.push_str("map ");
                out.push_str(&self.devices[d].name);
                out.push(' ');
            }
            None => out.push_str("default "),
        }
        out.push_str(rule.mapping.as_str());
        if let Some(c) = &rule.cond {
            out.push_str(" when ");
            out.push_str(&c.display(&|a| self.attr_name(a)));
        }
        out.push(';');
        out
    }
}
