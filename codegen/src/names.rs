//! The identifiers of generated code, derived from a spec's names.
//!
//! Every name here is checked to be a valid identifier of the target language, so
//! that no spec, however odd, makes an emitter produce code that does not parse.

use ccattr_core::DecisionTable;
use std::collections::HashSet;

/// Whether `s` is an ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`), as the spec language
/// and C both define it.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The C name of the attribute enum: the `naming` prefix lower-cased without its
/// trailing underscores (`CC_ATTR_` gives `cc_attr`); without a prefix, `cc_attr` when
/// an attribute or former name is a `CC_ATTR_` name (the kernel's enum), else
/// `<spec>_attr` (also with a prefix that does not make an identifier).
pub fn c_attr_enum(table: &DecisionTable) -> String {
    let names = table
        .attrs
        .iter()
        .flat_map(|a| std::iter::once(&a.name).chain(&a.formerly))
        .map(String::as_str);
    // A spec without a prefix that names the kernel's attributes describes the
    // kernel's enum: its header must not redeclare them in a kernel build.
    if table.prefix.is_none() && ccattr_core::check::kernel_enum(None, names) {
        return "cc_attr".to_string();
    }
    if let Some(prefix) = &table.prefix {
        let name = prefix.trim_end_matches('_').to_ascii_lowercase();
        if is_identifier(&name) {
            return name;
        }
    }
    format!("{}_attr", table.spec)
}

/// `lower_snake` or `UPPER_SNAKE` (or `mixedCase`) as `UpperCamelCase`: words split at
/// underscores and at lower-to-upper case changes, each word capitalised. Characters
/// other than ASCII letters and digits separate words and are dropped.
pub fn upper_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start_word = true;
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            start_word = true;
            prev_lower = false;
            continue;
        }
        if prev_lower && c.is_ascii_uppercase() {
            start_word = true;
        }
        if start_word {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
        start_word = false;
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

/// Names that a generated Rust type or variant may not take: keywords that are
/// capitalised, and the module's own items.
const RUST_RESERVED_TYPES: &[&str] = &["Self", "AttrSet", "MapDecision"];

/// Whether `s` can name a Rust type or variant in UpperCamelCase without a warning.
fn is_rust_camel(s: &str) -> bool {
    is_identifier(s)
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && !s.contains('_')
        && !RUST_RESERVED_TYPES.contains(&s)
}

/// The Rust names of one spec: the attribute enum, its variants and the aliases for
/// former names.
#[derive(Debug)]
pub struct RustNames {
    /// The attribute enum (`CcAttr`).
    pub attr_enum: String,
    /// One variant per attribute, in declaration order.
    pub variants: Vec<String>,
    /// Per attribute, one associated constant per former name (same order).
    pub former: Vec<Vec<String>>,
}

impl RustNames {
    /// Variants drop the `naming` prefix (`CC_ATTR_ACCESS_TPM_ENCRYPTED` gives
    /// `AccessTpmEncrypted`). Where that would not make a valid, unique name (the
    /// prefix is absent from a name, or the rest starts with a digit, or two names
    /// meet), the whole name is used, and then a numeric suffix.
    pub fn new(table: &DecisionTable) -> RustNames {
        let prefix = table.prefix.as_deref().unwrap_or("");
        let from_prefix = upper_camel(prefix);
        let attr_enum = if !prefix.is_empty() && is_rust_camel(&from_prefix) {
            from_prefix
        } else {
            // Without its underscores the spec's name may start with a digit
            // (`spec _1;`): then `Attr` leads, as for variants.
            let from_spec = format!("{}Attr", upper_camel(&table.spec));
            if is_rust_camel(&from_spec) {
                from_spec
            } else {
                format!("Attr{from_spec}")
            }
        };

        let mut taken: HashSet<String> = HashSet::new();
        let mut pick = |name: &str| -> String {
            let short = upper_camel(name.strip_prefix(prefix).unwrap_or(name));
            let whole = upper_camel(name);
            // Always a valid name: an ASCII letter, then ASCII letters and digits.
            let base = if is_rust_camel(&whole) {
                whole
            } else {
                format!("Attr{whole}")
            };
            let chosen = if is_rust_camel(&short) && !taken.contains(&short) {
                short
            } else if !taken.contains(&base) {
                base
            } else {
                let mut n = 2u32;
                loop {
                    let numbered = format!("{base}{n}");
                    if !taken.contains(&numbered) {
                        break numbered;
                    }
                    n += 1;
                }
            };
            taken.insert(chosen.clone());
            chosen
        };
        let variants: Vec<String> = table.attrs.iter().map(|a| pick(&a.name)).collect();
        let former = table
            .attrs
            .iter()
            .map(|a| a.formerly.iter().map(|f| pick(f)).collect())
            .collect();
        RustNames {
            attr_enum,
            variants,
            former,
        }
    }
}

/// The words of an `UpperCamelCase` name, split before each capital letter.
fn camel_words(s: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&s[start..i]);
            start = i;
        }
    }
    words.push(&s[start..]);
    words
}

/// Whether clippy's `enum_variant_names` may fault these variants: one starts or
/// ends with the enum's name, or three or more share a first or last word. (A spec
/// without a prefix whose names all start with `CC_ATTR_` gives `CcAttr...` variants.)
pub fn clippy_faults_variants(enum_name: &str, variants: &[String]) -> bool {
    // A string test, which also catches what clippy's word test does (`CcAttr1G`).
    let by_name = variants
        .iter()
        .any(|v| v.starts_with(enum_name) || v.ends_with(enum_name));
    let words: Vec<Vec<&str>> = variants.iter().map(|v| camel_words(v)).collect();
    let all_same = |of: Vec<Option<&str>>| of.len() >= 3 && of.iter().all(|w| *w == of[0]);
    by_name
        || all_same(words.iter().map(|w| w.first().copied()).collect())
        || all_same(words.iter().map(|w| w.last().copied()).collect())
}

/// A name upper-cased (`bare_metal` gives `BARE_METAL`).
pub fn upper(name: &str) -> String {
    name.to_ascii_uppercase()
}

/// The name of each platform's constant: its name upper-cased (`bare_metal` gives
/// `BARE_METAL`), as in `NAME_PLATFORM_BARE_METAL` and `platforms::BARE_METAL`.
/// Where two names meet once upper-cased, or a name is `_` (which Rust cannot name
/// a constant), the later one gets its position as a suffix (`_1`).
pub fn platform_consts(table: &DecisionTable) -> Vec<String> {
    upper_consts(table.platforms.iter().map(|p| p.name.as_str()))
}

/// The name of each capability's constant (version 2), made like
/// [`platform_consts`]: `TDISP_RUN` in `NAME_CAP_TDISP_RUN` and `caps::TDISP_RUN`.
pub fn cap_consts(table: &DecisionTable) -> Vec<String> {
    upper_consts(table.caps.iter().map(|c| c.name.as_str()))
}

/// The C name of each probed device (version 2), in declaration order, made like
/// [`platform_consts`]: `PCI_BAR` in `NAME_PROBED_PCI_BAR`.
pub fn probed_consts(table: &DecisionTable) -> Vec<String> {
    upper_consts(table.probed_devices().map(|(_, d)| d.name.as_str()))
}

/// Names upper-cased, each made unique by its position where it meets an earlier
/// one or is `_`.
fn upper_consts<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = HashSet::new();
    names
        .enumerate()
        .map(|(i, n)| {
            let mut name = upper(n);
            while name == "_" || taken.contains(&name) {
                name = format!("{name}_{i}");
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// The variant of `enum Probed` for each probed device (version 2), in declaration
/// order: the device's name in UpperCamelCase (`pci_bar` gives `PciBar`). A name
/// that does not make a variant (`_1` gives `1`) gets `Device` in front; where two
/// meet (`pci_bar` and `pciBar`), the later one gets its position as a suffix.
pub fn probed_variants(table: &DecisionTable) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    table
        .probed_devices()
        .enumerate()
        .map(|(i, (_, d))| {
            let camel = upper_camel(&d.name);
            let mut name = if is_rust_camel(&camel) {
                camel
            } else {
                format!("Device{camel}")
            };
            while taken.contains(&name) {
                name = format!("{name}{i}");
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case() {
        assert_eq!(upper_camel("ACCESS_TPM_ENCRYPTED"), "AccessTpmEncrypted");
        assert_eq!(upper_camel("CC_ATTR_"), "CcAttr");
        assert_eq!(upper_camel("x86_coco"), "X86Coco");
        assert_eq!(upper_camel("GUEST_SEV_SNP2"), "GuestSevSnp2");
        assert_eq!(upper_camel("memEncrypt"), "MemEncrypt");
        assert_eq!(upper_camel("__A__B__"), "AB");
    }

    #[test]
    fn platform_names_stay_distinct() {
        let mut table = ccattr_test_support::tables::empty();
        for name in ["foo", "FOO", "_", "Foo"] {
            let mut p = ccattr_test_support::tables::vtom().platforms[0].clone();
            p.name = name.into();
            table.platforms.push(p);
        }
        assert_eq!(platform_consts(&table), ["FOO", "FOO_1", "__2", "FOO_3"]);
    }

    #[test]
    fn capability_and_probed_names_stay_distinct() {
        let table = ccattr_test_support::tables::probed();
        assert_eq!(cap_consts(&table), ["RUN", "RUN_1", "MSIX", "SPARE"]);
        assert_eq!(
            probed_consts(&table),
            ["PCI_BAR", "PCIBAR", "PLAIN", "ALWAYS"]
        );
        assert_eq!(
            probed_variants(&table),
            ["PciBar", "PciBar1", "Plain", "Always"]
        );

        let mut table = ccattr_test_support::tables::tdisp();
        let cap = table.caps[0].clone();
        let bar = table.devices[0].clone();
        for name in ["_", "Tdisp_Run", "_1"] {
            table.caps.push(ccattr_core::table::TableCap {
                name: name.into(),
                ..cap.clone()
            });
            table.devices.push(ccattr_core::table::TableDevice {
                name: name.into(),
                ..bar.clone()
            });
        }
        assert_eq!(
            cap_consts(&table),
            ["TDISP_RUN", "MSIX_BAR", "__2", "TDISP_RUN_3", "_1"]
        );
        assert_eq!(probed_consts(&table), ["PCI_BAR", "__1", "TDISP_RUN", "_1"]);
        assert_eq!(
            probed_variants(&table),
            ["PciBar", "Device", "TdispRun", "Device1"]
        );
        assert!(probed_variants(&table).iter().all(|v| is_rust_camel(v)));
    }

    #[test]
    fn variant_name_lints() {
        let v = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(!clippy_faults_variants(
            "CcAttr",
            &v(&["MemEncrypt", "GuestMemEncrypt"])
        ));
        assert!(clippy_faults_variants("CcAttr", &v(&["CcAttr1G"])));
        assert!(clippy_faults_variants("CcAttr", &v(&["FooCcAttr"])));
        let same_start = v(&["CcAttrA", "CcAttrB", "CcAttrC"]);
        assert!(clippy_faults_variants("LinuxAttr", &same_start));
        assert!(!clippy_faults_variants("LinuxAttr", &same_start[..2]));
        assert!(clippy_faults_variants(
            "X",
            &v(&["AEncrypt", "BEncrypt", "CEncrypt"])
        ));
    }

    #[test]
    fn attr_enum_from_a_spec_name_that_starts_with_a_digit() {
        let mut table = ccattr_test_support::tables::empty();
        table.prefix = None;
        for (spec, name) in [("_1", "Attr1Attr"), ("__0x", "Attr0xAttr"), ("_", "Attr")] {
            table.spec = spec.into();
            assert_eq!(RustNames::new(&table).attr_enum, name);
        }
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("_X"));
        assert!(is_identifier("cc_attr"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("cc-attr"));
        assert!(!is_rust_camel("Self"));
        assert!(!is_rust_camel("AttrSet"));
        assert!(!is_rust_camel("X_1"));
    }
}
