//! Conditions as an OR of ANDs of (possibly negated) attributes: rows of a table.

use crate::model::Cond;
use serde::{Deserialize, Serialize};

/// One AND of literals: it holds for a set `s` when `s & mask == value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Term {
    #[serde(with = "crate::hex::u64")]
    pub mask: u64,
    #[serde(with = "crate::hex::u64")]
    pub value: u64,
}

impl Term {
    pub const TRUE: Term = Term { mask: 0, value: 0 };

    pub fn holds(&self, set: u64) -> bool {
        set & self.mask == self.value
    }

    /// The conjunction, or `None` when the two contradict each other.
    fn and(self, other: Term) -> Option<Term> {
        if self.mask & other.mask & (self.value ^ other.value) != 0 {
            return None;
        }
        Some(Term {
            mask: self.mask | other.mask,
            value: self.value | other.value,
        })
    }

    /// Whether every set this term holds for, `other` holds for too.
    fn implies(self, other: Term) -> bool {
        other.mask & self.mask == other.mask && self.value & other.mask == other.value
    }
}

/// An upper bound on the number of terms of a condition and of its negation,
/// computed without expanding anything (saturating).
pub fn term_bound(c: &Cond) -> (u64, u64) {
    match c {
        Cond::Const(true) => (1, 0),
        Cond::Const(false) => (0, 1),
        Cond::Attr(_) => (1, 1),
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
                prop_assert_eq!(ts.iter().any(|t| t.holds(set)), c.eval(set), "set {:#x}", set);
            }
        }
    }

    #[test]
    fn contradictions_vanish() {
        let c = Cond::And(vec![Cond::Attr(0), Cond::Not(Box::new(Cond::Attr(0)))]);
        assert!(terms(&c).is_empty());
    }
}
