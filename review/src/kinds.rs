//! The kinds of change a review reports: stable IDs, classes and help texts.

use ccattr_lint::catalogue::{Level, RuleInfo};

/// How much a change matters, from least to most: the order `--fail-on` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Worth knowing; nothing breaks and no decision changes.
    Info,
    /// HEAD introduces a lint finding.
    Naming,
    /// A mapping decision changes.
    Behaviour,
    /// A name that users compile against disappears (or changes meaning).
    Breaking,
    /// A mapping that was refused is now made silently (version 2): the kernel maps
    /// shared, or as it defaults, what it had to refuse.
    FailOpen,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::FailOpen,
        Class::Breaking,
        Class::Behaviour,
        Class::Naming,
        Class::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Info => "info",
            Class::Naming => "naming",
            Class::Behaviour => "behaviour",
            Class::Breaking => "breaking",
            Class::FailOpen => "fail-open",
        }
    }

    /// Parse a `--fail-on` class (`behavior` is accepted too).
    pub fn parse(s: &str) -> Option<Class> {
        match s {
            "info" => Some(Class::Info),
            "naming" => Some(Class::Naming),
            "behaviour" | "behavior" => Some(Class::Behaviour),
            "breaking" => Some(Class::Breaking),
            "fail-open" => Some(Class::FailOpen),
            _ => None,
        }
    }
}

pub const SPEC_RENAMED: &str = "SPEC_RENAMED";
pub const PREFIX_CHANGED: &str = "PREFIX_CHANGED";
pub const ATTR_ADDED: &str = "ATTR_ADDED";
pub const ATTR_REMOVED: &str = "ATTR_REMOVED";
pub const ATTR_RENAMED: &str = "ATTR_RENAMED";
pub const ATTR_ALIAS_REMOVED: &str = "ATTR_ALIAS_REMOVED";
pub const ATTR_DOC_CHANGED: &str = "ATTR_DOC_CHANGED";
pub const ATTR_DEFINITION_CHANGED: &str = "ATTR_DEFINITION_CHANGED";
pub const ATTR_DEPRECATED: &str = "ATTR_DEPRECATED";
pub const ATTR_MOVED: &str = "ATTR_MOVED";
pub const DEVICE_ADDED: &str = "DEVICE_ADDED";
pub const DEVICE_REMOVED: &str = "DEVICE_REMOVED";
pub const DEVICE_DOC_CHANGED: &str = "DEVICE_DOC_CHANGED";
pub const REGION_ADDED: &str = "REGION_ADDED";
pub const REGION_REMOVED: &str = "REGION_REMOVED";
pub const REGION_CHANGED: &str = "REGION_CHANGED";
pub const PLATFORM_ADDED: &str = "PLATFORM_ADDED";
pub const PLATFORM_REMOVED: &str = "PLATFORM_REMOVED";
pub const PLATFORM_CHANGED: &str = "PLATFORM_CHANGED";
pub const RULE_ADDED: &str = "RULE_ADDED";
pub const RULE_REMOVED: &str = "RULE_REMOVED";
pub const RULE_CHANGED: &str = "RULE_CHANGED";
pub const DECISION_CHANGED: &str = "DECISION_CHANGED";
pub const DECISION_CHANGED_OFF_PLATFORM: &str = "DECISION_CHANGED_OFF_PLATFORM";
pub const REFUSAL_DROPPED: &str = "REFUSAL_DROPPED";
pub const REFUSAL_DROPPED_OFF_PLATFORM: &str = "REFUSAL_DROPPED_OFF_PLATFORM";

/// A change kind: its SARIF metadata and its class.
pub struct Kind {
    pub info: RuleInfo,
    pub class: Class,
}

const fn kind(
    id: &'static str,
    class: Class,
    summary: &'static str,
    rationale: &'static str,
    help: &'static str,
) -> Kind {
    let level = match class {
        Class::Breaking | Class::FailOpen => Level::Deny,
        _ => Level::Warn,
    };
    Kind {
        info: RuleInfo::new(id, summary, rationale, help, level, false),
        class,
    }
}

/// Every change kind, in the order docs/review.md describes them.
pub const KINDS: &[Kind] = &[
    kind(
        SPEC_RENAMED,
        Class::Breaking,
        "The `spec` name changed.",
        "It names the generated files, the C include guard, the C functions and the Rust module: every includer breaks.",
        "Keep the spec name, or update every user in the same change.",
    ),
    kind(
        PREFIX_CHANGED,
        Class::Breaking,
        "The `naming` block's `prefix` changed.",
        "The prefix names the generated C enum and the Rust enum type.",
        "Keep the prefix, or update every user in the same change.",
    ),
    kind(
        ATTR_ADDED,
        Class::Info,
        "An attribute was added.",
        "New names are what reviewers argue about; the lint findings of the change are listed too.",
        "Check the name against docs/lints.md.",
    ),
    kind(
        ATTR_REMOVED,
        Class::Breaking,
        "An attribute was removed without a `formerly` alias on another attribute.",
        "Code that names it no longer compiles. When an added attribute has the same documentation or is used in the same places, the review asks whether it is a rename.",
        "If it was renamed, add `formerly OLD_NAME;` to the new attribute, which keeps `#define OLD_NAME NEW_NAME`.",
    ),
    kind(
        ATTR_RENAMED,
        Class::Info,
        "An attribute was renamed; `formerly` keeps the old name as an alias.",
        "Old code still compiles through the alias.",
        "Nothing to do; remove the `formerly` alias once no code uses the old name.",
    ),
    kind(
        ATTR_ALIAS_REMOVED,
        Class::Breaking,
        "A former name (`formerly`) was dropped: its compatibility alias disappears.",
        "Code that still uses the old name no longer compiles.",
        "Keep the `formerly` entry until no code uses the old name.",
    ),
    kind(
        ATTR_DOC_CHANGED,
        Class::Info,
        "An attribute's documentation changed.",
        "The doc comment is the kernel-doc of the enum member: a change of meaning shows here first.",
        "Check that the attribute still means what its users rely on.",
    ),
    kind(
        ATTR_DEFINITION_CHANGED,
        Class::Info,
        "An attribute's implications or derivation changed, or it changed between base and derived.",
        "The full attribute sets change; the decisions that change with them are reported as behaviour.",
        "Check the behaviour section of the review.",
    ),
    kind(
        ATTR_DEPRECATED,
        Class::Info,
        "An attribute was deprecated, undeprecated, or its deprecation reason changed.",
        "Users should hear about it before the attribute goes.",
        "Nothing to do.",
    ),
    kind(
        ATTR_MOVED,
        Class::Info,
        "An attribute's enum position (its value and bit) moved.",
        "The kernel keys on names and the generated code is rebuilt with the spec, but anything built against the old positions breaks: compiled objects, stored attribute masks, readers of the JSON table that index by position.",
        "Rebuild everything built against the old header or table; add new attributes at the end to keep positions.",
    ),
    kind(
        DEVICE_ADDED,
        Class::Info,
        "A device was added.",
        "Its addresses may now decide differently; see the behaviour section.",
        "Nothing to do.",
    ),
    kind(
        DEVICE_REMOVED,
        Class::Info,
        "A device was removed.",
        "Its addresses now fall to an enclosing device or the defaults; see the behaviour section.",
        "Nothing to do.",
    ),
    kind(
        DEVICE_DOC_CHANGED,
        Class::Info,
        "A device's documentation changed.",
        "Documentation is what reviewers read.",
        "Nothing to do.",
    ),
    kind(
        REGION_ADDED,
        Class::Info,
        "A device gained an MMIO region.",
        "Decisions for those addresses may change; see the behaviour section.",
        "Nothing to do.",
    ),
    kind(
        REGION_REMOVED,
        Class::Info,
        "A device lost an MMIO region.",
        "Decisions for those addresses may change; see the behaviour section.",
        "Nothing to do.",
    ),
    kind(
        REGION_CHANGED,
        Class::Info,
        "A device's MMIO region moved or changed size.",
        "Decisions for those addresses may change; see the behaviour section.",
        "Nothing to do.",
    ),
    kind(
        PLATFORM_ADDED,
        Class::Info,
        "A platform was added.",
        "It gets a `NAME_PLATFORM_...` macro and a Rust constant.",
        "Nothing to do.",
    ),
    kind(
        PLATFORM_REMOVED,
        Class::Breaking,
        "A platform was removed.",
        "Its `NAME_PLATFORM_...` macro and Rust constant disappear: code that names them no longer compiles.",
        "Keep the platform, or update every user in the same change.",
    ),
    kind(
        PLATFORM_CHANGED,
        Class::Info,
        "A platform sets different attributes, or its documentation changed.",
        "Its full attribute set changes; the decisions that change with it are reported as behaviour.",
        "Check the behaviour section of the review.",
    ),
    kind(
        RULE_ADDED,
        Class::Info,
        "A `map` or `default` rule was added.",
        "Rules decide mappings; the decisions that change are reported as behaviour.",
        "Check the behaviour section of the review.",
    ),
    kind(
        RULE_REMOVED,
        Class::Info,
        "A `map` or `default` rule was removed.",
        "Rules decide mappings; the decisions that change are reported as behaviour.",
        "Check the behaviour section of the review.",
    ),
    kind(
        RULE_CHANGED,
        Class::Info,
        "A `map` or `default` rule changed its mapping or condition.",
        "Rules decide mappings; the decisions that change are reported as behaviour.",
        "Check the behaviour section of the review.",
    ),
    kind(
        DECISION_CHANGED,
        Class::Behaviour,
        "The decision of a device (or of addresses outside every device) changed on a platform declared in both versions.",
        "Mapping MMIO encrypted that the host emulates, or decrypted that the paravisor emulates, breaks the device. The witness is an address and the platform's attribute set where the two versions decide differently.",
        "Make sure the change is intended; `ccattr explain` with the witness shows why each version decides as it does.",
    ),
    kind(
        DECISION_CHANGED_OFF_PLATFORM,
        Class::Behaviour,
        "A decision changed for an attribute set that no declared platform has.",
        "Platforms not in the spec (or not yet written) get the new answer too. The witness is the base attributes that platform code would report and an address.",
        "Make sure the change is intended, or declare the platform the attribute set stands for.",
    ),
    kind(
        REFUSAL_DROPPED,
        Class::FailOpen,
        "A mapping that BASE refuses is made silently in HEAD (encrypted, decrypted or unspecified) on a platform declared in both versions.",
        "`refuse` is how a spec says `ioremap()` must fail rather than map private device MMIO shared (the IORES_MUST_ENCRYPT proposal); dropping it lets a BAR of a device the guest has not accepted be mapped without anyone noticing. The witness is an address, or for a probed device the capabilities it reports, and the platform.",
        "Keep the `refuse` rule before the rule that now decides, or make sure, with the TSM and PCI maintainers, that the mapping is safe; `ccattr explain` with the witness shows which rule decides.",
    ),
    kind(
        REFUSAL_DROPPED_OFF_PLATFORM,
        Class::FailOpen,
        "A mapping that BASE refuses is made silently in HEAD for an attribute set that no declared platform has.",
        "Platforms not in the spec get the silent mapping too.",
        "Keep the `refuse` rule, or declare the platform the attribute set stands for and check it.",
    ),
];

pub fn kind_of(id: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.info.id == id)
}

/// Rule metadata for SARIF: the change kinds and then the lint rules.
pub fn sarif_rules() -> Vec<RuleInfo> {
    KINDS
        .iter()
        .map(|k| k.info)
        .chain(ccattr_lint::RULES.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_do_not_collide_with_lint_rules() {
        let rules = sarif_rules();
        for (i, r) in rules.iter().enumerate() {
            assert!(
                rules[..i].iter().all(|o| o.id != r.id),
                "duplicate {}",
                r.id
            );
        }
    }

    #[test]
    fn classes_parse() {
        for c in Class::ALL {
            assert_eq!(Class::parse(c.as_str()), Some(c));
        }
        assert_eq!(Class::parse("behavior"), Some(Class::Behaviour));
        assert!(Class::Breaking > Class::Behaviour && Class::Behaviour > Class::Naming);
    }
}
