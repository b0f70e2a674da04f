//! Conditions as an OR of ANDs of (possibly negated) attributes and capabilities:
//! rows of a table.

use crate::model::Cond;
use serde::{Deserialize, Serialize};

/// One AND of literals: it holds for an attribute set `s` and a capability set `c`
/// when `s & mask == value` and `c & cap_mask == cap_value`. Only the rules of probed
/// devices have capability literals; a term without any has `cap_mask == 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Term {
    #[serde(with = "crate::hex::u64")]
    pub mask: u64,
    #[serde(with = "crate::hex::u64")]
    pub value: u64,
    #[serde(default, skip_serializing_if = "is_zero", with = "crate::hex::u32")]
    pub cap_mask: u32,
    #[serde(default, skip_serializing_if = "is_zero", with = "crate::hex::u32")]
    pub cap_value: u32,
}

pub(crate) fn is_zero(v: &u32) -> bool {
    *v == 0
}

impl Term {
    pub const TRUE: Term = Term {
        mask: 0,
        value: 0,
        cap_mask: 0,
        cap_value: 0,
    };

    /// Whether it holds for an attribute set, with no capability reported.
    pub fn holds(&self, set: u64) -> bool {
        self.holds_with(set, 0)
    }

    /// Whether it holds for an attribute set and a capability set.
    pub fn holds_with(&self, set: u64, caps: u32) -> bool {
        set & self.mask == self.value && caps & self.cap_mask == self.cap_value
    }

    /// Whether it holds for every set.
    pub fn always(&self) -> bool {
        self.mask == 0 && self.cap_mask == 0
    }

    /// The conjunction, or `None` when the two contradict each other.
    fn and(self, other: Term) -> Option<Term> {
        if self.mask & other.mask & (self.value ^ other.value) != 0
            || self.cap_mask & other.cap_mask & (self.cap_value ^ other.cap_value) != 0
        {
            return None;
        }
        Some(Term {
            mask: self.mask | other.mask,
            value: self.value | other.value,
            cap_mask: self.cap_mask | other.cap_mask,
            cap_value: self.cap_value | other.cap_value,
        })
    }

    /// Whether every set this term holds for, `other` holds for too.
    fn implies(self, other: Term) -> bool {
        other.mask & self.mask == other.mask
            && self.value & other.mask == other.value
            && other.cap_mask & self.cap_mask == other.cap_mask
            && self.cap_value & other.cap_mask == other.cap_value
    }
}

/// An upper bound on the number of terms of a condition and of its negation,
/// computed without expanding anything (saturating).
pub fn term_bound(c: &Cond) -> (u64, u64) {
    match c {
        Cond::Const(true) => (1, 0),
        Cond::Const(false) => (0, 1),
        Cond::Attr(_) | Cond::Cap(_) => (1, 1),
        Cond::Not(inner) => {
            let (p, n) = term_bound(inner);
            (n, p)
        }
        Cond::And(cs) => cs.iter().map(term_bound).fold((1, 0), |(p, n), (cp, cn)| {
            (p.saturating_mul(cp), n.saturating_add(cn))
        }),
        Cond::Or(cs) => cs.iter().map(term_bound).fold((0, 1), |(p, n), (cp, cn)| {
            (p.saturating_add(cp), n.saturating_mul(cn))
        }),
    }
}

/// The condition as terms, without contradictions or terms implied by others,
/// in the order they are written. Callers bound the size with [`term_bound`] first.
pub fn terms(c: &Cond) -> Vec<Term> {
    let raw = expand(c, false);
    let mut out: Vec<Term> = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        // Drop t when another term is more general (or equal and earlier).
        let covered = raw
            .iter()
            .enumerate()
            .any(|(j, &o)| j != i && t.implies(o) && (!o.implies(*t) || j < i));
        if !covered {
            out.push(*t);
        }
    }
    out
}

fn expand(c: &Cond, negated: bool) -> Vec<Term> {
    match c {
        Cond::Const(b) => {
            if *b != negated {
                vec![Term::TRUE]
            } else {
                Vec::new()
            }
        }
        Cond::Attr(a) => {
            let bit = 1u64 << a;
            vec![Term {
                mask: bit,
                value: if negated { 0 } else { bit },
                ..Term::TRUE
            }]
        }
        Cond::Cap(k) => {
            let bit = 1u32 << k;
            vec![Term {
                cap_mask: bit,
                cap_value: if negated { 0 } else { bit },
                ..Term::TRUE
            }]
        }
        Cond::Not(inner) => expand(inner, !negated),
        Cond::And(cs) | Cond::Or(cs) => {
            let conjunction = matches!(c, Cond::And(_)) != negated;
            if conjunction {
                let mut acc = vec![Term::TRUE];
                for sub in cs {
                    let rhs = expand(sub, negated);
                    acc = acc
                        .iter()
                        .flat_map(|a| rhs.iter().filter_map(move |b| a.and(*b)))
                        .collect();
                    if acc.is_empty() {
                        break;
                    }
                }
                acc
            } else {
                cs.iter().flat_map(|sub| expand(sub, negated)).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_cond() -> impl Strategy<Value = Cond> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Cond::Const),
            (0usize..5).prop_map(Cond::Attr),
            (0usize..3).prop_map(Cond::Cap),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
                prop::collection::vec(inner.clone(), 1..4).prop_map(Cond::And),
                prop::collection::vec(inner, 1..4).prop_map(Cond::Or),
            ]
        })
    }

    proptest! {
        #[test]
        fn terms_agree_with_direct_evaluation(c in arb_cond()) {
            let ts = terms(&c);
            let (bound, _) = term_bound(&c);
            prop_assert!(ts.len() as u64 <= bound);
            for set in 0u64..32 {
                for caps in 0u32..8 {
                    prop_assert_eq!(
                        ts.iter().any(|t| t.holds_with(set, caps)),
                        c.eval_with(set, caps),
                        "set {:#x} caps {:#x}", set, caps
                    );
                }
            }
        }
    }

    #[test]
    fn contradictions_vanish() {
        let c = Cond::And(vec![Cond::Attr(0), Cond::Not(Box::new(Cond::Attr(0)))]);
        assert!(terms(&c).is_empty());
    }
}
