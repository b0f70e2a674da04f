//! The finding codes of `ccattr kernel-check`: stable IDs, severities and the texts
//! SARIF shows (docs/kernel.md has the long form).

use ccattr_lint::catalogue::{Level, RuleInfo};

pub const KERNEL_ENUM_MISSING: &str = "KERNEL_ENUM_MISSING";
pub const KERNEL_ATTR_MISSING: &str = "KERNEL_ATTR_MISSING";
pub const KERNEL_ATTR_RENAMED: &str = "KERNEL_ATTR_RENAMED";
pub const KERNEL_MEMBER_UNDECLARED: &str = "KERNEL_MEMBER_UNDECLARED";
pub const KERNEL_POSITION_DIFFERS: &str = "KERNEL_POSITION_DIFFERS";
pub const KERNEL_DOC_DIFFERS: &str = "KERNEL_DOC_DIFFERS";
pub const KERNEL_DOC_TAG_MISMATCH: &str = "KERNEL_DOC_TAG_MISMATCH";
pub const KERNEL_VENDOR_UNKNOWN: &str = "KERNEL_VENDOR_UNKNOWN";
pub const KERNEL_VENDOR_ABSENT: &str = "KERNEL_VENDOR_ABSENT";
pub const KERNEL_PLATFORM_LACKS: &str = "KERNEL_PLATFORM_LACKS";
pub const KERNEL_PLATFORM_EXTRA: &str = "KERNEL_PLATFORM_EXTRA";
pub const KERNEL_VENDOR_RUNTIME: &str = "KERNEL_VENDOR_RUNTIME";
pub const KERNEL_VENDOR_UNREAD: &str = "KERNEL_VENDOR_UNREAD";

const fn error(
    id: &'static str,
    summary: &'static str,
    rationale: &'static str,
    help: &'static str,
) -> RuleInfo {
    RuleInfo::new(id, summary, rationale, help, Level::Deny, false)
}

const fn warning(
    id: &'static str,
    summary: &'static str,
    rationale: &'static str,
    help: &'static str,
) -> RuleInfo {
    RuleInfo::new(id, summary, rationale, help, Level::Warn, false)
}

/// Every code, in the order docs/kernel.md lists them. Errors (`Deny`) make
/// kernel-check exit 1; warnings do not.
pub const RULES: &[RuleInfo] = &[
    error(
        KERNEL_ENUM_MISSING,
        "The kernel's cc_platform.h has no `enum cc_attr { ... }`.",
        "Without the enum there is nothing to hold the spec against.",
        "Give the top of a kernel tree whose include/linux/cc_platform.h declares enum cc_attr (v5.16 and later).",
    ),
    error(
        KERNEL_ATTR_MISSING,
        "A CC_ATTR_ attribute of the spec is not a member of the kernel's enum cc_attr.",
        "Code that passes it to cc_platform_has() does not build against this kernel.",
        "Remove the attribute, or hold the spec against the kernel that has it.",
    ),
    error(
        KERNEL_ATTR_RENAMED,
        "The kernel has a spec attribute under one of its former names.",
        "The spec and the kernel call the same member by different names.",
        "Hold the spec against the kernel that has the new name, or keep the kernel's name in the spec.",
    ),
    error(
        KERNEL_MEMBER_UNDECLARED,
        "A member of the kernel's enum cc_attr is not declared in the spec.",
        "The spec does not describe this kernel's enum whole.",
        "Declare the member in the kernel's order, or hold the spec against the kernel it describes.",
    ),
    error(
        KERNEL_POSITION_DIFFERS,
        "An attribute's position among the spec's CC_ATTR_ attributes is not its position in the kernel's enum.",
        "Members carry no values: a member's value is its position, and a mirror of the enum with other positions has other values.",
        "Declare the spec's CC_ATTR_ attributes in the kernel's order.",
    ),
    error(
        KERNEL_DOC_DIFFERS,
        "An attribute's doc comment is not the text of the member's kernel-doc (white space aside).",
        "The generated kernel-doc is then not the kernel's own.",
        "Copy the kernel-doc text after `@CC_ATTR_X:` into the attribute's doc comment.",
    ),
    warning(
        KERNEL_DOC_TAG_MISMATCH,
        "A kernel-doc block's `@` tag does not name the member it documents.",
        "kernel-doc reports it; the block's text is compared all the same. It is the kernel's to fix (6.1 has `@CC_ATTR_SEV_SNP` over CC_ATTR_GUEST_SEV_SNP).",
        "Nothing in the spec; the kernel fixed it in later releases.",
    ),
    error(
        KERNEL_VENDOR_UNKNOWN,
        "A platform's `kernel:` doc line does not name a vendor kernel-check knows.",
        "The platform cannot be compared with the kernel's cc_platform_has().",
        "Write `/// kernel: intel`, `/// kernel: amd` or `/// kernel: hyperv`, once per platform.",
    ),
    error(
        KERNEL_VENDOR_ABSENT,
        "The tree's arch/x86/coco/core.c has no cc_platform_has() function for the platform's vendor.",
        "This kernel does not answer for that vendor (CC_VENDOR_HYPERV was gone by v6.4).",
        "Name the vendor this kernel uses for the platform, or hold the spec against an older tree.",
    ),
    error(
        KERNEL_PLATFORM_LACKS,
        "The vendor's cc_platform_has() returns true for an attribute unconditionally, and the platform's full set lacks it.",
        "On that platform the kernel reports the attribute and the spec says it is absent.",
        "Add the attribute to the platform's `sets` (or to what they imply).",
    ),
    error(
        KERNEL_PLATFORM_EXTRA,
        "The platform's full set has an attribute the vendor's cc_platform_has() never returns true for.",
        "On that platform the kernel never reports the attribute and the spec says it is present.",
        "Drop it from the platform's `sets`, or from what they imply.",
    ),
    warning(
        KERNEL_VENDOR_RUNTIME,
        "The vendor's cc_platform_has() decides some attributes from run-time state: they are not compared.",
        "Which of them a machine reports depends on registers and flags read at boot (AMD's sev_status); kernel-check does not guess.",
        "Check the listed conditions against what the platform stands for.",
    ),
    warning(
        KERNEL_VENDOR_UNREAD,
        "Part of the vendor's cc_platform_has() is not in a form kernel-check reads: the attributes it decides are not compared.",
        "kernel-check reads switch statements, `attr == X` and early `if (...) return` (docs/kernel.md); other code it does not guess at.",
        "Compare the listed attributes by hand.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_not_lint_rules() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES[..i].iter().all(|o| o.id != r.id),
                "duplicate {}",
                r.id
            );
            assert!(
                ccattr_lint::RULES.iter().all(|l| l.id != r.id),
                "{} is a lint rule",
                r.id
            );
        }
        assert_eq!(RULES.len(), 13);
    }
}
