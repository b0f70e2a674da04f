//! The Rust module (`NAME.rs`): built as tokens with `quote!`, checked by parsing
//! with `syn` and printed by `prettyplease`.
//!
//! The file works both as a module (`mod x86_coco;`) and through `include!`: it has
//! no inner attributes and no `//!` comments, uses only `core`, and has no `unsafe`
//! and no allocation. Apart from the public API, its only items are associated or
//! local to functions, so two specs can be included side by side in separate modules.
//!
//! Former attribute names become deprecated associated constants of the attribute
//! enum, spelled as the variant would have been (`CcAttr::HasParavisor`), so code
//! written against the old name still builds, with a deprecation warning.

use crate::lookup_layout::{IndexType, Layout, Lookup};
use crate::names::{self, RustNames};
use crate::prose::{self, Quote, MAX_COLUMNS};
use crate::Provenance;
use ccattr_core::table::{Decision, Row};
use ccattr_core::DecisionTable;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use std::collections::HashSet;

pub(crate) fn emit(table: &DecisionTable, lookup: &Lookup, source: &Provenance) -> String {
    let mut splices = Splices::default();
    let tokens = module(table, lookup, &mut splices);
    // The tokens are built from valid identifiers and literals only; a parse failure
    // would be a bug in this module, not something a spec can cause.
    let file = syn::parse2::<syn::File>(tokens).expect("generated Rust parses");
    let mut out = String::new();
    for line in source.header() {
        out.push_str(&format!("// {line}\n"));
    }
    if !table.doc.is_empty() {
        out.push_str("//\n");
        for line in &table.doc {
            let line = line.trim_end();
            out.push_str(if line.is_empty() { "//" } else { "// " });
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&space_items(&prettyplease::unparse(&file)));
    splices.apply(out)
}

/// Put a blank line between consecutive items, and between a function's local items
/// and the statements after them, as rustfmt keeps them in hand-written code
/// (prettyplease prints none).
fn space_items(code: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl ", "impl<", "const ", "static ", "type ", "fn ", "mod ",
        "enum ", "struct ", "use ",
    ];
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    // The indentation of the items that enclose the current line, innermost last.
    let mut items: Vec<usize> = Vec::new();
    let mut prev_ends_item = false;
    for line in code.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        while items.last().is_some_and(|&i| i > indent) {
            items.pop();
        }
        let blank = if ITEM_STARTS.iter().any(|s| trimmed.starts_with(s)) {
            if items.last() != Some(&indent) {
                items.push(indent);
            }
            prev_ends_item
        } else if items.last() == Some(&indent) && !trimmed.starts_with(['}', ']', ')']) {
            // A statement after a function's local items.
            items.pop();
            prev_ends_item
        } else {
            false
        };
        if blank {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        prev_ends_item = !trimmed.starts_with("//") && trimmed.ends_with(['}', ';']);
    }
    out
}

/// `#[doc = " line"]` attributes (printed as `///` lines), with generated prose that
/// does not fit wrapped.
fn doc(lines: &[String]) -> TokenStream {
    let mut out = TokenStream::new();
    for line in prose::paragraphs(lines.iter().cloned()) {
        for piece in prose::wrap("    /// ", &line) {
            let piece = if piece.is_empty() {
                String::new()
            } else {
                format!(" {piece}")
            };
            out.extend(quote!(#[doc = #piece]));
        }
    }
    out
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A hexadecimal literal, grouped by four digits past four (`0xfec0_0000`), padded to
/// `width` digits.
fn hex(value: u64, width: usize) -> TokenStream {
    let digits = format!("{value:0width$x}");
    let mut grouped = String::new();
    if digits.len() > 4 {
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 4 == 0 {
                grouped.push('_');
            }
            grouped.push(c);
        }
    } else {
        grouped = digits;
    }
    let lit = syn::LitInt::new(&format!("0x{grouped}"), Span::call_site());
    quote!(#lit)
}

fn decision(d: Decision) -> TokenStream {
    match d {
        Decision::Unspecified => quote!(MapDecision::Unspecified),
        Decision::Encrypted => quote!(MapDecision::Encrypted),
        Decision::Decrypted => quote!(MapDecision::Decrypted),
        Decision::Mixed => quote!(MapDecision::Mixed),
        Decision::Invalid => quote!(MapDecision::Invalid),
        Decision::Refused => quote!(MapDecision::Refused),
    }
}

fn module(table: &DecisionTable, lookup: &Lookup, splices: &mut Splices) -> TokenStream {
    let names = RustNames::new(table);
    let attr_enum = attr_enum(table, &names);
    let attr_set = attr_set(table, lookup, &names);
    let map_decision = map_decision(table.uses_v2());
    let decide = decide(table, lookup, splices);
    let decide_start = decide_start();
    let platforms = platforms(table);
    let probed = if table.uses_v2() {
        probed(table, lookup)
    } else {
        TokenStream::new()
    };
    let nr_attrs = Literal::usize_unsuffixed(table.attrs.len());
    quote! {
        #attr_enum

        /// The number of attributes: every attribute's value is below it.
        pub const NR_ATTRS: usize = #nr_attrs;

        #attr_set
        #platforms
        #map_decision
        #decide
        #decide_start
        #probed
    }
}

/// `decide_start`: the kernel's question on x86, the same in both layouts.
fn decide_start() -> TokenStream {
    quote! {
        /// Decide the MMIO range `[addr, addr + size)` as x86's `ioremap()` does: by its
        /// first byte alone, whose decision the kernel applies to the whole range
        /// (`__ioremap_check_other()` asks `is_private_mmio()` about `addr` only).
        ///
        /// Returns the decision of the byte at `addr`, and [`MapDecision::Invalid`]
        /// when `size` is 0 or the range runs past 2^64, like [`decide`]. Where the two
        /// differ, the bytes after the first are mapped as they would not be on their
        /// own (docs/kernel.md, "The start address").
        #[must_use]
        pub const fn decide_start(attrs: AttrSet, addr: u64, size: u64) -> MapDecision {
            if size == 0 || addr.checked_add(size - 1).is_none() {
                return MapDecision::Invalid;
            }
            decide(attrs, addr, 1)
        }
    }
}

/// What version 2 adds: `CapSet`, the `caps` module, `enum Probed` and
/// `decide_probed`.
fn probed(table: &DecisionTable, lookup: &Lookup) -> TokenStream {
    let cap_consts = table
        .caps
        .iter()
        .zip(names::cap_consts(table))
        .enumerate()
        .map(|(i, (c, name))| {
            let name = ident(&name);
            let mut lines = if c.doc.is_empty() {
                vec![format!("The capability `{}`.", c.name)]
            } else {
                c.doc.clone()
            };
            lines.push(String::new());
            lines.push(format!("Bit {i}."));
            let docs = doc(&lines);
            let bits = hex(1 << i, 0);
            quote! {
                #docs
                pub const #name: super::CapSet = super::CapSet::from_bits(#bits);
            }
        });
    let cap_set = quote! {
        /// A set of capabilities of a probed device, which the caller reports at run
        /// time: bit `i` is the capability of value `i` (see [`caps`]).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct CapSet(u32);

        impl CapSet {
            /// The set without capabilities.
            pub const EMPTY: Self = Self(0);

            /// The set whose bit `i` is the capability of value `i`.
            #[must_use]
            pub const fn from_bits(bits: u32) -> Self {
                Self(bits)
            }

            /// The set as bits: bit `i` is the capability of value `i`.
            #[must_use]
            pub const fn bits(self) -> u32 {
                self.0
            }

            /// Whether every capability of `caps` is in the set.
            #[must_use]
            pub const fn contains(self, caps: CapSet) -> bool {
                self.0 & caps.0 == caps.0
            }

            /// The set with the capabilities of `caps` added.
            #[must_use]
            pub const fn with(self, caps: CapSet) -> Self {
                Self(self.0 | caps.0)
            }
        }

        /// Each capability of the spec as a [`CapSet`] of one member.
        pub mod caps {
            #(#cap_consts)*
        }
    };
    if lookup.probed.is_empty() {
        return cap_set;
    }
    let variants = names::probed_variants(table);
    let members = lookup
        .probed
        .iter()
        .zip(&variants)
        .enumerate()
        .map(|(i, (p, v))| {
            let d = &table.devices[p.device];
            let lines = if d.doc.is_empty() {
                vec![format!("The device `{}`.", d.name)]
            } else {
                d.doc.clone()
            };
            let docs = doc(&lines);
            let v = ident(v);
            let i = Literal::u8_unsuffixed(i as u8);
            quote!(#docs #v = #i,)
        });
    let row_consts = names::probed_consts(table);
    let sets = lookup.probed.iter().zip(&row_consts).map(|(p, name)| {
        let d = &table.devices[p.device];
        let mut lines = vec![format!(
            "`{}`: its map rules, then the default rules.",
            d.name
        )];
        lines.push(String::new());
        let mut last_rule = None;
        for row in &p.rows {
            match row.rule {
                Some(rule) if last_rule != Some(rule) => {
                    last_rule = Some(rule);
                    lines.push(format!("- `{}`", table.rules[rule].text));
                }
                Some(_) => {}
                None => lines.push("- otherwise no rule decides.".to_string()),
            }
        }
        let docs = doc(&lines);
        let name = ident(name);
        let rows = p.rows.iter().map(|r| {
            let (mask, value) = (hex(r.mask, 0), hex(r.value, 0));
            let (cap_mask, cap_value) = (hex(r.cap_mask.into(), 0), hex(r.cap_value.into(), 0));
            let d = decision(r.decision);
            quote!((#mask, #value, #cap_mask, #cap_value, #d))
        });
        quote! {
            #docs
            const #name: &[Row] = &[#(#rows),*];
        }
    });
    let n_probed = Literal::usize_unsuffixed(variants.len());
    let all = variants.iter().map(|v| {
        let v = ident(v);
        quote!(Probed::#v)
    });
    let name_arms = lookup.probed.iter().zip(&variants).map(|(p, v)| {
        let v = ident(v);
        let name = &table.devices[p.device].name;
        quote!(Probed::#v => #name,)
    });
    let arms = variants.iter().zip(&row_consts).map(|(v, c)| {
        let (v, c) = (ident(v), ident(c));
        quote!(Probed::#v => #c,)
    });
    quote! {
        #cap_set

        /// The devices whose resources are found at run time, in declaration order:
        /// [`decide_probed`] decides them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Probed {
            #(#members)*
        }

        impl Probed {
            /// Every probed device, in declaration order.
            pub const ALL: [Probed; #n_probed] = [#(#all),*];

            /// The device's name in the spec.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    #(#name_arms)*
                }
            }
        }

        /// Decide how to map the MMIO of the probed device `dev` under `attrs`, a full
        /// set (see [`AttrSet::close`]), and `caps`, the capabilities the caller
        /// reports for it.
        ///
        /// The device's map rules, then the default rules, in source order: the first
        /// whose condition holds decides. [`MapDecision::Refused`] means the mapping
        /// must fail. Bits of `caps` that are not capabilities of the spec are
        /// ignored.
        #[must_use]
        pub const fn decide_probed(attrs: AttrSet, dev: Probed, caps: CapSet) -> MapDecision {
            /// A row of a rule set, `(mask, value, cap_mask, cap_value, decision)`: it
            /// matches a full set `s` and a capability set `c` when `s & mask == value`
            /// and `c & cap_mask == cap_value`. The last row of each set always matches.
            type Row = (u64, u64, u32, u32, MapDecision);

            #(#sets)*

            let rows = match dev {
                #(#arms)*
            };
            let mut i = 0;
            while attrs.bits() & rows[i].0 != rows[i].1 || caps.bits() & rows[i].2 != rows[i].3 {
                i += 1;
            }
            rows[i].4
        }
    }
}

fn attr_enum(table: &DecisionTable, names: &RustNames) -> TokenStream {
    let ty = ident(&names.attr_enum);
    let spec = &table.spec;
    let enum_doc = doc(&[
        format!("Confidential computing attributes of `{spec}`, in declaration order."),
        String::new(),
        "An attribute's value is its bit in an [`AttrSet`]. Values are positions, and \
         positions may move when the spec changes: key on names."
            .to_string(),
    ]);
    let allow_names = names::clippy_faults_variants(&names.attr_enum, &names.variants)
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let any_deprecated = table.attrs.iter().any(|a| a.deprecated.is_some());
    let allow_deprecated = any_deprecated.then(|| quote!(#[allow(deprecated)]));

    let mut variants = Vec::new();
    let mut all = Vec::new();
    let mut name_arms = Vec::new();
    let mut aliases = Vec::new();
    for (i, a) in table.attrs.iter().enumerate() {
        let variant = ident(&names.variants[i]);
        let (mut lines, rest) = prose::attr_summary(a);
        lines.extend(rest.iter().cloned());
        lines.push(String::new());
        lines.extend(prose::attr_notes(table, a, Quote::Code));
        let docs = doc(&lines);
        let deprecated = a.deprecated.as_ref().map(|reason| {
            let note = reason.trim();
            if note.is_empty() {
                quote!(#[deprecated])
            } else {
                quote!(#[deprecated(note = #note)])
            }
        });
        let value = Literal::u32_unsuffixed(i as u32);
        variants.push(quote! {
            #docs
            #deprecated
            #variant = #value,
        });
        all.push(quote!(Self::#variant));
        let name = &a.name;
        name_arms.push(quote!(Self::#variant => #name,));
        for (f, former) in a.formerly.iter().enumerate() {
            let alias = ident(&names.former[i][f]);
            let docs = doc(&[format!(
                "The former name of [`{}::{}`] (`{former}`, now `{}`).",
                names.attr_enum, names.variants[i], a.name
            )]);
            let note = format!("renamed to {}::{}", names.attr_enum, names.variants[i]);
            aliases.push(quote! {
                #docs
                #[deprecated(note = #note)]
                #[allow(non_upper_case_globals)]
                pub const #alias: Self = Self::#variant;
            });
        }
    }
    let n = Literal::usize_unsuffixed(table.attrs.len());
    // A zero-variant enum may not have a `repr`, and `self as u32` is not allowed on it.
    let (repr, bit_body, name_body) = if table.attrs.is_empty() {
        (quote!(), quote!(match self {}), quote!(match self {}))
    } else {
        (
            quote!(#[repr(u32)]),
            quote!(1 << (self as u32)),
            quote!(match self { #(#name_arms)* }),
        )
    };
    quote! {
        #enum_doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #repr
        #allow_names
        pub enum #ty {
            #(#variants)*
        }

        #allow_deprecated
        impl #ty {
            /// Every attribute, in declaration order (by value).
            pub const ALL: [Self; #n] = [#(#all),*];

            #(#aliases)*

            /// The attribute's name in the spec, which is also its name in C.
            #[must_use]
            pub const fn name(self) -> &'static str {
                #name_body
            }

            /// The attribute's bit in an [`AttrSet`].
            #[must_use]
            pub const fn bit(self) -> u64 {
                #bit_body
            }
        }
    }
}

fn attr_set(table: &DecisionTable, lookup: &Lookup, names: &RustNames) -> TokenStream {
    let ty = ident(&names.attr_enum);
    let implies = lookup.implies.iter().map(|&m| hex(m, 0));
    let n_terms = Literal::usize_unsuffixed(lookup.derived.len());
    let terms = lookup.derived.iter().map(|t| {
        let (mask, value) = (hex(t.mask, 0), hex(t.value, 0));
        let variant = ident(&names.variants[t.attr]);
        quote!((#mask, #value, #ty::#variant))
    });
    let derived_deprecated = lookup
        .derived
        .iter()
        .any(|t| table.attrs[t.attr].deprecated.is_some());
    let allow_deprecated = derived_deprecated.then(|| quote!(#[allow(deprecated)]));

    // Local items first, then the statements that read them.
    let implies_const = (!table.attrs.is_empty()).then(|| {
        quote! {
            /// Each attribute with what it implies, by value (nothing for derived ones).
            const IMPLIES: [u64; NR_ATTRS] = [#(#implies),*];
        }
    });
    let terms_const = (!lookup.derived.is_empty()).then(|| {
        quote! {
            /// The derived attributes' terms, in evaluation order: an attribute is
            /// present when `set & mask == value` for any of its terms.
            const TERMS: [(u64, u64, #ty); #n_terms] = [#(#terms),*];
        }
    });
    let implies_loop = implies_const.is_some().then(|| {
        quote! {
            let mut i = 0;
            while i < NR_ATTRS {
                if (self.0 >> i) & 1 == 1 {
                    set |= IMPLIES[i];
                }
                i += 1;
            }
        }
    });
    let terms_loop = terms_const.is_some().then(|| {
        quote! {
            let mut t = 0;
            while t < TERMS.len() {
                let (mask, value, attr) = TERMS[t];
                if set & mask == value {
                    set |= attr.bit();
                }
                t += 1;
            }
        }
    });
    let set_decl = if implies_loop.is_some() || terms_loop.is_some() {
        quote!(let mut set = 0;)
    } else {
        quote!(let set = 0;)
    };
    quote! {
        /// A set of attributes: bit `i` is the attribute whose value is `i`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct AttrSet(u64);

        impl AttrSet {
            /// The set without attributes.
            pub const EMPTY: Self = Self(0);

            /// The set whose bit `i` is the attribute whose value is `i`.
            #[must_use]
            pub const fn from_bits(bits: u64) -> Self {
                Self(bits)
            }

            /// The set as bits: bit `i` is the attribute whose value is `i`.
            #[must_use]
            pub const fn bits(self) -> u64 {
                self.0
            }

            /// Whether `attr` is in the set.
            #[must_use]
            pub const fn contains(self, attr: #ty) -> bool {
                self.0 & attr.bit() != 0
            }

            /// The set with `attr` added.
            #[must_use]
            pub const fn with(self, attr: #ty) -> Self {
                Self(self.0 | attr.bit())
            }

            /// The full set for the base attributes that platform code reports: adds
            /// what they imply, then computes the derived attributes. Bits that are not
            /// base attributes are ignored.
            #[must_use]
            #allow_deprecated
            pub const fn close(self) -> Self {
                #implies_const
                #terms_const
                #set_decl
                #implies_loop
                #terms_loop
                Self(set)
            }
        }
    }
}

fn map_decision(v2: bool) -> TokenStream {
    let refused = v2.then(|| {
        quote! {
            /// A rule refuses it: the mapping must fail.
            Refused = 5,
        }
    });
    quote! {
        /// How to map an MMIO range.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum MapDecision {
            /// No rule decides: the caller's own logic applies.
            Unspecified = 0,
            /// Map it encrypted (private).
            Encrypted = 1,
            /// Map it decrypted (shared).
            Decrypted = 2,
            /// Its bytes are decided differently: refuse the mapping.
            Mixed = 3,
            /// The range is empty or runs past 2^64.
            Invalid = 4,
            #refused
        }
    }
}

/// The name of each rule set's constant: where its addresses lie (`IOAPIC`,
/// `MSIX_IN_BAR`, `OUTSIDE`), or `RULE_SET_N` where that is not a unique name.
fn rule_set_consts(table: &DecisionTable) -> Vec<String> {
    let by_place: Vec<String> = table
        .rule_sets
        .iter()
        .map(|rs| {
            if rs.devices.is_empty() {
                "OUTSIDE".to_string()
            } else {
                let names: Vec<String> = rs
                    .devices
                    .iter()
                    .map(|&d| names::upper(&table.devices[d].name))
                    .collect();
                names.join("_IN_")
            }
        })
        .collect();
    let mut seen = HashSet::new();
    let repeated: HashSet<&String> = by_place.iter().filter(|n| !seen.insert(*n)).collect();
    by_place
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let usable = names::is_identifier(name)
                && name != "_"
                && name != "RUNS"
                && !name.starts_with("RULE_SET_")
                && !repeated.contains(name);
            if usable {
                name.clone()
            } else {
                format!("RULE_SET_{i}")
            }
        })
        .collect()
}

/// The doc comment of `decide`, the same in both layouts.
fn decide_doc(refuse: bool) -> TokenStream {
    if refuse {
        return quote! {
            /// Decide how to map the MMIO range `[addr, addr + size)` under `attrs`, a full
            /// set (see [`AttrSet::close`]).
            ///
            /// Returns the decision that every byte of the range shares;
            /// [`MapDecision::Refused`] when any byte is refused (whatever the others
            /// decide), else [`MapDecision::Mixed`] when they differ, and
            /// [`MapDecision::Invalid`] when `size` is 0 or the range runs past 2^64.
            #[must_use]
        };
    }
    quote! {
        /// Decide how to map the MMIO range `[addr, addr + size)` under `attrs`, a full
        /// set (see [`AttrSet::close`]).
        ///
        /// Returns the decision that every byte of the range shares;
        /// [`MapDecision::Mixed`] when they differ, and [`MapDecision::Invalid`] when
        /// `size` is 0 or the range runs past 2^64.
        #[must_use]
    }
}

/// The walk over the runs of a range after the first, in both layouts: `next` moves
/// to the next run and `eval` decides it. Without refusing rows it stops at the first
/// difference; with them it goes on to the end or to the first refused run, since a
/// refused byte refuses the range whatever the others decide.
fn range_walk(
    refuse: bool,
    more: TokenStream,
    next: TokenStream,
    eval: TokenStream,
) -> TokenStream {
    if refuse {
        quote! {
            let mut mixed = false;
            while #more && decision as u8 != MapDecision::Refused as u8 {
                #next
                let other = #eval;
                if other as u8 == MapDecision::Refused as u8 {
                    return MapDecision::Refused;
                }
                mixed |= other as u8 != decision as u8;
            }
            if mixed {
                MapDecision::Mixed
            } else {
                decision
            }
        }
    } else {
        quote! {
            while #more {
                #next
                if #eval as u8 != decision as u8 {
                    return MapDecision::Mixed;
                }
            }
            decision
        }
    }
}

/// The doc comment of `is_private_mmio`, the same in both layouts.
fn is_private_mmio_doc() -> TokenStream {
    quote! {
        /// Whether the byte at `addr` is mapped encrypted under `attrs`, a full set: the
        /// shape of the kernel's `x86_platform.hyper.is_private_mmio()` once `attrs` is
        /// bound.
        #[must_use]
    }
}

/// `decide` and `is_private_mmio`, in the layout that suits the table's size
/// ([`crate::lookup_layout::Layout`]). Large arrays are left as placeholders in `splices`.
fn decide(table: &DecisionTable, lookup: &Lookup, splices: &mut Splices) -> TokenStream {
    match lookup.layout() {
        Layout::Scan => decide_scan(table, lookup),
        Layout::Search => decide_search(lookup, splices),
    }
}

/// The rows of a rule set as `(mask, value, decision)` tuples.
fn row_tuples(rows: &[Row]) -> impl Iterator<Item = TokenStream> + '_ {
    rows.iter().map(|r| {
        let (mask, value, d) = (hex(r.mask, 0), hex(r.value, 0), decision(r.decision));
        quote!((#mask, #value, #d))
    })
}

/// A small table: named rule sets, runs in address order, counted without a branch;
/// `is_private_mmio` tests only the runs whose rules can map encrypted.
fn decide_scan(table: &DecisionTable, lookup: &Lookup) -> TokenStream {
    let const_names = rule_set_consts(table);
    // Rule set 0 has no run when the devices cover every address.
    let used: HashSet<usize> = lookup.runs.iter().map(|s| s.rule_set).collect();
    let rule_sets = table
        .rule_sets
        .iter()
        .enumerate()
        .filter(|(i, _)| used.contains(i));
    let rule_sets = rule_sets.map(|(i, rs)| {
        let name = ident(&const_names[i]);
        let mut lines = vec![
            format!("Rule set {i}: {}.", prose::rule_set_place(table, i)),
            String::new(),
        ];
        let mut last_rule = None;
        for row in &rs.rows {
            if last_rule != Some(row.rule) {
                last_rule = Some(row.rule);
                let rule = &table.rules[row.rule];
                lines.push(format!("- `{}`", rule.text));
            }
        }
        if rs.rows.is_empty() {
            lines.push("No rule decides.".to_string());
        } else if rs.rows.last().is_some_and(|r| r.mask != 0) {
            lines.push("- otherwise no rule decides.".to_string());
        }
        let docs = doc(&lines);
        let rows = row_tuples(&rs.rows);
        quote! {
            #docs
            const #name: &[Row] = &[#(#rows),*];
        }
    });
    let n_runs = Literal::usize_unsuffixed(lookup.runs.len());
    let runs = lookup.runs.iter().enumerate().map(|(i, s)| {
        let last = hex(lookup.last(i), 16);
        let rule_set = ident(&const_names[s.rule_set]);
        quote!((#last, #rule_set))
    });

    let private = lookup.private_runs();
    let places: Vec<String> = private
        .iter()
        .map(|&i| prose::rule_set_place(table, lookup.runs[i].rule_set))
        .collect();
    let n_private = Literal::usize_unsuffixed(private.len());
    let private_runs = private.iter().map(|&i| {
        let first = hex(lookup.runs[i].start, 16);
        let last = hex(lookup.last(i), 16);
        let rows = row_tuples(&table.rule_sets[lookup.runs[i].rule_set].rows);
        quote!((#first, #last, &[#(#rows),*]))
    });
    let private_doc = doc(&[format!(
        "The runs whose rules can map encrypted ({}): each run's first byte, its last \
         byte and its rule set's rows. Elsewhere no rule maps encrypted.",
        places.join("; ")
    )]);
    let decide_doc = decide_doc(lookup.ranges_refuse());
    let walk = range_walk(
        lookup.ranges_refuse(),
        quote!(RUNS[run].0 < last),
        quote!(run += 1;),
        quote!(MapDecision::first_match(RUNS[run].1, attrs.bits())),
    );
    let private_fn_doc = is_private_mmio_doc();
    let is_private_mmio = if private.is_empty() {
        quote! {
            #private_fn_doc
            pub const fn is_private_mmio(attrs: AttrSet, addr: u64) -> bool {
                let _ = (attrs, addr);
                false
            }
        }
    } else {
        quote! {
            #private_fn_doc
            pub const fn is_private_mmio(attrs: AttrSet, addr: u64) -> bool {
                /// A row of a rule set, `(mask, value, decision)`: it matches a full set
                /// `s` when `s & mask == value`.
                type Row = (u64, u64, MapDecision);

                #private_doc
                const PRIVATE: [(u64, u64, &[Row]); #n_private] = [#(#private_runs),*];

                let mut private = false;
                let mut i = 0;
                while i < PRIVATE.len() {
                    let (first, last, rows) = PRIVATE[i];
                    let inside = addr.wrapping_sub(first) <= last - first;
                    let decision = MapDecision::first_match(rows, attrs.bits());
                    private |= inside & matches!(decision, MapDecision::Encrypted);
                    i += 1;
                }
                private
            }
        }
    };
    quote! {
        impl MapDecision {
            /// The decision of a rule set's rows, `(mask, value, decision)`, under a full
            /// set: that of the first row with `attrs & mask == value`, else
            /// [`MapDecision::Unspecified`].
            const fn first_match(rows: &[(u64, u64, MapDecision)], attrs: u64) -> Self {
                let mut i = 0;
                while i < rows.len() {
                    let (mask, value, decision) = rows[i];
                    if attrs & mask == value {
                        return decision;
                    }
                    i += 1;
                }
                MapDecision::Unspecified
            }
        }

        #decide_doc
        pub const fn decide(attrs: AttrSet, addr: u64, size: u64) -> MapDecision {
            /// A row of a rule set, `(mask, value, decision)`: it matches a full set
            /// `s` when `s & mask == value`.
            type Row = (u64, u64, MapDecision);

            #(#rule_sets)*

            /// The address space in runs that lie inside the same devices, in address
            /// order: each run's last byte and its rule set.
            const RUNS: [(u64, &[Row]); #n_runs] = [#(#runs),*];

            if size == 0 {
                return MapDecision::Invalid;
            }
            let Some(last) = addr.checked_add(size - 1) else {
                return MapDecision::Invalid;
            };

            let mut run = 0;
            let mut i = 0;
            while i + 1 < RUNS.len() {
                run += (RUNS[i].0 < addr) as usize;
                i += 1;
            }

            let decision = MapDecision::first_match(RUNS[run].1, attrs.bits());
            #walk
        }

        #is_private_mmio
    }
}

/// A large table: the runs' last bytes in Eytzinger order, searched without a branch,
/// and every rule set's rows in one array.
fn decide_search(lookup: &Lookup, splices: &mut Splices) -> TokenStream {
    let slots = lookup.eytzinger();
    let bits = lookup.bits_type();
    let bits_ty = ident(bits.name());
    let bits_cast = (bits != IndexType::U64).then(|| quote!(as #bits_ty));
    let row_ty = ident(lookup.row_type().name());
    let n_slots = Literal::usize_unsuffixed(slots.len());
    let n_rows = Literal::usize_unsuffixed(lookup.rows.len());

    let number = |v: u64, hex: bool| {
        let mut item = String::with_capacity(20);
        if hex {
            ccattr_core::hex::push_hex(&mut item, v, 0);
        } else {
            prose::push_dec(&mut item, v);
        }
        item
    };
    let last = splices.add(slots.iter().map(|&seg| number(lookup.last(seg), true)));
    // Each slot names its rule set by the set's first row: one load less on the way
    // to the rows.
    let first_rows = splices.add(
        slots
            .iter()
            .map(|&seg| number(lookup.first_row[lookup.runs[seg].rule_set] as u64, false)),
    );
    let rows = splices.add(lookup.rows.iter().map(|r| {
        let mut item = String::with_capacity(32);
        item.push('(');
        ccattr_core::hex::push_hex(&mut item, r.mask, 0);
        item.push_str(", ");
        ccattr_core::hex::push_hex(&mut item, r.value, 0);
        item.push_str(match r.decision {
            Decision::Encrypted => ", E)",
            Decision::Decrypted => ", D)",
            Decision::Refused => ", R)",
            _ => ", U)",
        });
        item
    }));
    let bits_doc = format!(
        "A row of a rule set, `(mask, value, decision)`: it matches a full set `s` when \
         `s & mask == value` (every mask fits in `{}`).",
        bits.name()
    );
    let row_doc = doc(&[bits_doc]);
    let refuse = lookup.ranges_refuse();
    let decide_doc = decide_doc(refuse);
    let refused_const = refuse.then(|| {
        quote!(
            const R: MapDecision = MapDecision::Refused;
        )
    });
    let walk = range_walk(
        refuse,
        quote!(LAST.0[k] < last),
        quote!(k = next_slot(k);),
        quote!(rule_set_decide(FIRST_ROW[k] as usize, attrs)),
    );
    let private_fn_doc = is_private_mmio_doc();
    quote! {
        #decide_doc
        pub const fn decide(attrs: AttrSet, addr: u64, size: u64) -> MapDecision {
            #row_doc
            type Row = (#bits_ty, #bits_ty, MapDecision);

            /// An array aligned to a cache line: the eight keys three levels below a
            /// node of the search tree share one.
            #[repr(align(64))]
            struct CacheAligned<T>(T);

            const E: MapDecision = MapDecision::Encrypted;
            const D: MapDecision = MapDecision::Decrypted;
            const U: MapDecision = MapDecision::Unspecified;
            #refused_const

            /// The address space in runs that lie inside the same devices: the last
            /// byte of each run, in the breadth-first order of a complete binary search
            /// tree (node `k` has children `2k` and `2k + 1`), from slot 1. Slot 0 holds
            /// the last run, which ends at 2^64 - 1.
            const LAST: &CacheAligned<[u64; #n_slots]> = &CacheAligned(#last);

            /// The rule set of the run in each slot of `LAST`, given by its first row
            /// in `ROWS`.
            const FIRST_ROW: &[#row_ty; #n_slots] = &#first_rows;

            /// The rows of every rule set, one set after another. The last row of each
            /// set always matches.
            const ROWS: &[Row; #n_rows] = &#rows;

            /// The decision of the rule set whose first row is `first`: its first row
            /// that matches.
            const fn rule_set_decide(first: usize, attrs: #bits_ty) -> MapDecision {
                let mut i = first;
                while attrs & ROWS[i].0 != ROWS[i].1 {
                    i += 1;
                }
                ROWS[i].2
            }

            /// The slot of the run after the one in slot `k`: right once, then left to
            /// the end; or, without a right child, up past every right turn and one
            /// left turn.
            const fn next_slot(mut k: usize) -> usize {
                if 2 * k + 1 < LAST.0.len() {
                    k = 2 * k + 1;
                    while 2 * k < LAST.0.len() {
                        k *= 2;
                    }
                    k
                } else {
                    k >> (k.trailing_ones() + 1)
                }
            }

            if size == 0 {
                return MapDecision::Invalid;
            }
            let Some(last) = addr.checked_add(size - 1) else {
                return MapDecision::Invalid;
            };
            let attrs = attrs.bits() #bits_cast;

            let mut k = 1;
            while k < LAST.0.len() {
                k = 2 * k + (LAST.0[k] < addr) as usize;
            }
            k >>= k.trailing_ones() + 1;

            let decision = rule_set_decide(FIRST_ROW[k] as usize, attrs);
            #walk
        }

        #private_fn_doc
        pub const fn is_private_mmio(attrs: AttrSet, addr: u64) -> bool {
            matches!(decide(attrs, addr, 1), MapDecision::Encrypted)
        }
    }
}

/// Array literals too large to go through `syn` and `prettyplease` (a table of
/// 100,000 devices has a million items): the token stream holds a placeholder
/// identifier for each, and [`Splices::apply`] puts the printed array in its place.
#[derive(Default)]
struct Splices {
    arrays: Vec<Vec<String>>,
}

impl Splices {
    const PLACEHOLDER: &'static str = "__ccattr_splice_";

    /// Keep an array's items; returns the placeholder that stands for `[items]`.
    fn add(&mut self, items: impl Iterator<Item = String>) -> Ident {
        let id = ident(&format!("{}{}", Self::PLACEHOLDER, self.arrays.len()));
        self.arrays.push(items.collect());
        id
    }

    /// Replace each placeholder in printed code with its array, as many items to a
    /// line as fit in [`MAX_COLUMNS`], one level deeper than the line it is on.
    fn apply(self, code: String) -> String {
        if self.arrays.is_empty() {
            return code;
        }
        let size: usize = self.arrays.iter().flatten().map(|i| i.len() + 2).sum();
        let mut out = String::with_capacity(code.len() + size + size / 8);
        let mut rest = code.as_str();
        while let Some(at) = rest.find(Self::PLACEHOLDER) {
            let digits = rest[at + Self::PLACEHOLDER.len()..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let end = at + Self::PLACEHOLDER.len() + digits;
            let index: usize = rest[at + Self::PLACEHOLDER.len()..end]
                .parse()
                .expect("a placeholder has a number");
            let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
            let indent = rest[line_start..]
                .bytes()
                .take_while(|&b| b == b' ')
                .count();
            out.push_str(&rest[..at]);
            print_array(&mut out, &self.arrays[index], indent);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}

/// `[items]` over several lines: the items at `indent + 4` spaces, the `]` at `indent`.
fn print_array(out: &mut String, items: &[String], indent: usize) {
    let inner = indent + 4;
    out.push_str("[\n");
    let mut column = 0;
    for item in items {
        let width = item.len() + 1;
        if column > 0 && column + 1 + width > MAX_COLUMNS {
            out.push('\n');
            column = 0;
        }
        if column == 0 {
            out.extend(std::iter::repeat_n(' ', inner));
            column = inner;
        } else {
            out.push(' ');
            column += 1;
        }
        out.push_str(item);
        out.push(',');
        column += width;
    }
    if column > 0 {
        out.push('\n');
    }
    out.extend(std::iter::repeat_n(' ', indent));
    out.push(']');
}

fn platforms(table: &DecisionTable) -> TokenStream {
    let consts = table.platforms.iter().zip(names::platform_consts(table));
    let consts = consts.map(|(p, name)| {
        let name = ident(&name);
        let mut lines = if p.doc.is_empty() {
            vec![format!("The platform `{}`.", p.name)]
        } else {
            p.doc.clone()
        };
        lines.push(String::new());
        lines.push(format!(
            "Full set: {}.",
            prose::attr_list(table, p.full, Quote::Code)
        ));
        let docs = doc(&lines);
        let bits = hex(p.full, 0);
        quote! {
            #docs
            pub const #name: super::AttrSet = super::AttrSet::from_bits(#bits);
        }
    });
    quote! {
        /// The full attribute set of each known platform, as [`AttrSet::close`] gives it
        /// for the base attributes that the platform's code reports.
        pub mod platforms {
            #(#consts)*
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prose::MAX_COLUMNS;
    use ccattr_test_support::tables as fixtures;

    fn module_text(table: &DecisionTable) -> String {
        emit(
            table,
            &Lookup::new(table),
            &Provenance::new("fixture.ccattr"),
        )
    }

    // The vtom example's output is checked in as generated/hyperv_vtom.*, which
    // tests/cli.rs holds current; these snapshots cover the other fixtures.
    #[test]
    fn snapshot_odd() {
        insta::assert_snapshot!(module_text(&fixtures::odd()));
    }

    #[test]
    fn snapshot_empty() {
        insta::assert_snapshot!(module_text(&fixtures::empty()));
    }

    #[test]
    fn usable_through_include() {
        for table in fixtures::all() {
            let text = module_text(&table);
            assert!(!text.contains("//!"), "{}", table.spec);
            assert!(!text.contains("#!["), "{}", table.spec);
            assert!(!text.contains("unsafe"), "{}", table.spec);
            assert!(!text.contains("std::"), "{}", table.spec);
            for line in text.lines() {
                assert!(
                    prose::columns(line) <= MAX_COLUMNS,
                    "{}: {line}",
                    table.spec
                );
            }
        }
    }

    #[test]
    fn hex_literals() {
        assert_eq!(hex(0x1f, 0).to_string(), "0x1f");
        assert_eq!(hex(0xfec0_0000, 16).to_string(), "0x0000_0000_fec0_0000");
        assert_eq!(hex(0x1_0000, 0).to_string(), "0x1_0000");
    }
}
