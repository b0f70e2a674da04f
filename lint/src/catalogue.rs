//! The catalogue of lint rules: stable IDs, default levels and the texts every output shows.

/// How a rule reports: not at all, as a warning, or as an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// One rule of the catalogue. The texts are plain sentences; docs/lints.md has the
/// long form with examples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The stable ID, in SCREAMING_SNAKE case: what findings print and configs name.
    pub id: &'static str,
    /// What the rule finds, in one line.
    pub summary: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix a finding.
    pub help: &'static str,
    pub default_level: Level,
    /// Whether a `// ccattr: allow(ID) because ...` comment can suppress a finding.
    pub suppressible: bool,
}

impl RuleInfo {
    /// A rule of any catalogue (lint rules, review's change kinds, kernel-check's
    /// findings): the texts, the default level and whether a comment suppresses it.
    pub const fn new(
        id: &'static str,
        summary: &'static str,
        rationale: &'static str,
        help: &'static str,
        default_level: Level,
        suppressible: bool,
    ) -> RuleInfo {
        RuleInfo {
            id,
            summary,
            rationale,
            help,
            default_level,
            suppressible,
        }
    }

    /// The rule's name in UpperCamelCase (SARIF's `name`).
    pub fn camel_name(&self) -> String {
        self.id
            .split('_')
            .map(|w| {
                let mut cs = w.chars();
                match cs.next() {
                    Some(first) => first.to_string() + &cs.as_str().to_ascii_lowercase(),
                    None => String::new(),
                }
            })
            .collect()
    }
}

const fn rule(
    id: &'static str,
    summary: &'static str,
    rationale: &'static str,
    help: &'static str,
) -> RuleInfo {
    RuleInfo::new(id, summary, rationale, help, Level::Warn, true)
}

const fn meta(
    id: &'static str,
    summary: &'static str,
    rationale: &'static str,
    help: &'static str,
) -> RuleInfo {
    RuleInfo {
        suppressible: false,
        ..rule(id, summary, rationale, help)
    }
}

pub const NAMING_PREFIX: &str = "NAMING_PREFIX";
pub const NAMING_CASE: &str = "NAMING_CASE";
pub const NAMING_MAX_LENGTH: &str = "NAMING_MAX_LENGTH";
pub const NAMING_FORBIDDEN_WORD: &str = "NAMING_FORBIDDEN_WORD";
pub const NAMING_MISSING_DOC: &str = "NAMING_MISSING_DOC";
pub const NAMING_WORD_ORDER: &str = "NAMING_WORD_ORDER";
pub const NAMING_NEAR_DUPLICATE: &str = "NAMING_NEAR_DUPLICATE";
pub const NAMING_TWO_SUBJECTS: &str = "NAMING_TWO_SUBJECTS";
pub const NAMING_MECHANISM: &str = "NAMING_MECHANISM";
pub const NAMING_CAPABILITY: &str = "NAMING_CAPABILITY";
pub const UNUSED_ATTRIBUTE: &str = "UNUSED_ATTRIBUTE";
pub const UNUSED_CAPABILITY: &str = "UNUSED_CAPABILITY";
pub const RULE_SHADOWED: &str = "RULE_SHADOWED";
pub const RULE_NEVER_HOLDS: &str = "RULE_NEVER_HOLDS";
pub const DEVICE_WITHOUT_RULE: &str = "DEVICE_WITHOUT_RULE";
pub const REGION_UNALIGNED: &str = "REGION_UNALIGNED";
pub const START_ADDRESS_DIFFERS: &str = "START_ADDRESS_DIFFERS";
pub const PLATFORM_SAME_SET: &str = "PLATFORM_SAME_SET";
pub const FORMER_NAME_REUSED: &str = "FORMER_NAME_REUSED";
pub const LINT_CONFIG: &str = "LINT_CONFIG";
pub const SUPPRESSION_MALFORMED: &str = "SUPPRESSION_MALFORMED";
pub const SUPPRESSION_WITHOUT_REASON: &str = "SUPPRESSION_WITHOUT_REASON";
pub const SUPPRESSION_UNUSED: &str = "SUPPRESSION_UNUSED";

/// Every lint rule, in the order docs/lints.md describes them.
pub const RULES: &[RuleInfo] = &[
    rule(
        NAMING_PREFIX,
        "An attribute name does not start with the `naming` block's `prefix`.",
        "The prefix names the generated C enum and Rust type and keeps attribute names \
         recognisable in kernel code; a name without it looks like it belongs elsewhere.",
        "Rename the attribute so that it starts with the prefix; keep the old name with \
         `formerly` if anything uses it.",
    ),
    rule(
        NAMING_CASE,
        "An attribute name is not in UPPER_SNAKE_CASE.",
        "Attribute names become C enum members and macros, which the kernel writes in \
         upper snake case; the Rust variant names are derived from the words between \
         underscores.",
        "Write the name in capital letters, digits and single underscores between words.",
    ),
    rule(
        NAMING_MAX_LENGTH,
        "An attribute name is longer than the `naming` block's `max_length`.",
        "Long names push kernel lines past 100 columns and usually describe an \
         implementation rather than a behaviour.",
        "Shorten the name to the behaviour that code asks about.",
    ),
    rule(
        NAMING_FORBIDDEN_WORD,
        "An attribute name contains a word from the `naming` block's `forbid_words`.",
        "Projects forbid words that reviewers have rejected before (`HAS_`, `EMULATED`): \
         they name what a platform is or how it works instead of what code may rely on.",
        "Name the behaviour instead, for example `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED` rather \
         than `CC_ATTR_HAS_PARAVISOR`.",
    ),
    rule(
        NAMING_MISSING_DOC,
        "With `require_doc = true`, the spec, an attribute, a capability, a platform or a \
         device has no `///` doc comment.",
        "The doc comment becomes the kernel-doc of the generated enum member; an \
         undocumented attribute is one reviewers have to guess at.",
        "Add a `///` comment above the declaration that says what code may rely on.",
    ),
    rule(
        NAMING_WORD_ORDER,
        "Two attribute names consist of the same words in a different order.",
        "`CC_ATTR_GUEST_MEM_ENCRYPT` and `CC_ATTR_MEM_GUEST_ENCRYPT` are easy to confuse in \
         review and in code.",
        "Rename one of them so that the names differ in a word, not just in order; if \
         they mean the same, keep one.",
    ),
    rule(
        NAMING_NEAR_DUPLICATE,
        "Two attribute names differ by only one or two letters.",
        "A typo then compiles: code that asks for the wrong attribute builds and silently \
         gets the other answer.",
        "Rename one of them so that the names differ in a whole word.",
    ),
    rule(
        NAMING_TWO_SUBJECTS,
        "An attribute name joins two subjects with AND, OR or PLUS.",
        "A name like `CC_ATTR_ACCESS_IOAPIC_AND_TPM_ENCRYPTED` is too narrow: it cannot \
         grow with a third device and cannot split when the two devices diverge.",
        "Declare one attribute per subject, or name the behaviour the two subjects \
         share.",
    ),
    rule(
        NAMING_MECHANISM,
        "A mapping rule reads an attribute whose name names a vendor, a product or a \
         mechanism.",
        "Rules decide behaviour; a rule that reads `CC_ATTR_HAS_PARAVISOR` ties every \
         future platform to one vendor's implementation. Reviewers asked for names that \
         describe behaviour, not implementation.",
        "Declare an attribute that names the behaviour (`CC_ATTR_ACCESS_IOAPIC_ENCRYPTED`), \
         derive it from the mechanism (`= CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE`) and \
         let the rule read that.",
    ),
    rule(
        NAMING_CAPABILITY,
        "A capability name is not in UPPER_SNAKE_CASE, does not start with the `naming` \
         block's `capability_prefix`, or is longer than `max_length`.",
        "Capability names become C macros (`SPEC_CAP_<NAME>`) and Rust constants \
         (`caps::<NAME>`) that PCI code writes beside `CC_ATTR_*` names; a fixed style \
         keeps what a device reports apart from what a platform reports.",
        "Rename the capability in capital letters with the configured prefix, for example \
         `TDISP_RUN`, or `CAP_TDISP_RUN` with `capability_prefix = \"CAP_\"`.",
    ),
    rule(
        UNUSED_ATTRIBUTE,
        "An attribute is not read by any rule or derivation, set by no platform and \
         implied by no other attribute.",
        "An attribute that nothing uses is dead weight in a header that every caller \
         includes, and often the leftover of a rename.",
        "Remove it, use it, or mark it `deprecated \"reason\";` if code outside the spec \
         still needs the name.",
    ),
    rule(
        UNUSED_CAPABILITY,
        "A capability is named by no `map` rule of a probed device.",
        "Its bit is still generated, so PCI code computes and reports a capability that \
         decides nothing; usually the leftover of a rule that was changed.",
        "Remove the capability, or name it in the rules of the probed device that reports \
         it.",
    ),
    rule(
        RULE_SHADOWED,
        "A mapping rule can never decide: whenever its condition holds, an earlier rule \
         of the same device (or an earlier `default` rule) holds too and decides first.",
        "Rules are tried in source order and the first that holds decides; a shadowed \
         rule reads as policy but has no effect.",
        "Remove the rule, move it before the rule that shadows it, or narrow the earlier \
         rule's condition.",
    ),
    rule(
        RULE_NEVER_HOLDS,
        "A rule's condition holds on no attribute set that platform code can report, \
         once `implies` and derivations are applied (for a probed device, with any \
         capabilities the device reports).",
        "The rule is dead: `when A && !B` never holds when `A implies B`.",
        "Fix the condition, or remove the rule.",
    ),
    rule(
        DEVICE_WITHOUT_RULE,
        "A device has no `map` rule.",
        "Its addresses are decided by the `default` rules (or by an enclosing device), \
         which is rarely why a device was declared.",
        "Add a `map` rule for the device, or suppress with a reason when the defaults are \
         intended.",
    ),
    rule(
        REGION_UNALIGNED,
        "An MMIO region does not start or end on a 4 KiB page boundary.",
        "The kernel maps whole pages, and `is_private_mmio()` tests only the start \
         address: the decision for the region's page applies to the whole page, \
         including bytes outside the region.",
        "Align the region to 4 KiB, or declare the whole page.",
    ),
    rule(
        START_ADDRESS_DIFFERS,
        "On a platform, a device region's range decides otherwise than its start address: \
         x86's `ioremap()` of the whole region maps it all by the start address.",
        "`__ioremap_check_other()` asks `is_private_mmio()` about the first byte only, so a \
         driver that maps the region in one call gets every page mapped like the first \
         (the TPM TIS window: five pages encrypted where one is private). arm64 realms \
         check every page instead. The spec's `decide()` answers for the range; \
         `decide_start()` answers the kernel's question.",
        "Split the region into devices that each decide alike, make the rules agree with \
         the start address, or suppress with the reason the kernel's mapping is right.",
    ),
    rule(
        PLATFORM_SAME_SET,
        "Two platforms have the same full attribute set.",
        "Every decision is the same on both, so the spec cannot tell them apart; either \
         one is redundant or an attribute that distinguishes them is missing.",
        "Remove one platform, or declare and set the attribute that tells them apart.",
    ),
    rule(
        FORMER_NAME_REUSED,
        "A former name (`formerly`) is reused: it differs only in case from another \
         attribute's name or former name, or (in `ccattr review`) it named a different \
         attribute in the base version.",
        "A former name becomes a compatibility alias (`#define OLD NEW`); reusing it makes \
         old code silently ask for a different attribute.",
        "Keep each former name with the attribute it named; give the new attribute a new \
         name.",
    ),
    meta(
        LINT_CONFIG,
        "The `naming` block's `allow`, `warn` or `deny` list names an unknown rule, or \
         names a rule twice.",
        "A misspelt rule ID silently configures nothing.",
        "Use an ID from docs/lints.md, and name each rule in one list only.",
    ),
    meta(
        SUPPRESSION_MALFORMED,
        "A `// ccattr:` comment is not `// ccattr: allow(RULE_ID, ...) because REASON`, or \
         names an unknown rule.",
        "A suppression that does not parse suppresses nothing, so the finding it was \
         meant for comes back.",
        "Write `// ccattr: allow(RULE_ID) because REASON` with IDs from docs/lints.md.",
    ),
    meta(
        SUPPRESSION_WITHOUT_REASON,
        "A suppression comment gives no reason (`because ...`).",
        "A suppression without a reason cannot be reviewed; it does not suppress \
         anything until it gives one.",
        "Add `because` and the reason the finding does not apply here.",
    ),
    meta(
        SUPPRESSION_UNUSED,
        "A suppression comment names a rule that does not fire on the declaration it \
         covers.",
        "Stale suppressions hide future findings that nobody has reviewed.",
        "Remove the suppression, or the rule ID that no longer fires from it.",
    ),
];

/// The rule with this ID.
pub fn rule_info(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_screaming_snake() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                r.id.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{}",
                r.id
            );
            assert!(
                RULES[..i].iter().all(|o| o.id != r.id),
                "duplicate {}",
                r.id
            );
        }
    }

    #[test]
    fn camel_name() {
        assert_eq!(
            rule_info(NAMING_FORBIDDEN_WORD).map(RuleInfo::camel_name),
            Some("NamingForbiddenWord".to_string())
        );
    }
}
