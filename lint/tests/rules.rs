//! Every lint rule: a spec where it fires (with the line it points at) and one where
//! it stays silent. Configuration levels and suppression comments are tested here too.

use ccattr_core::{Severity, Source};
use ccattr_lint::catalogue::*;
use ccattr_lint::{lint, Finding, Input, RULES};
use ccattr_test_support::checked;

/// A spec with no finding at all; the tests add to it or change it.
const CLEAN: &str = r#"/// A test spec.
spec t;

naming {
    prefix = "CC_ATTR_";
    max_length = 40;
    forbid_words = ["HAS", "EMULATED"];
    require_doc = true;
}

/// Memory encryption is active.
attr CC_ATTR_MEM_ENCRYPT;

/// Guest memory is encrypted.
attr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;

/// A guest.
platform guest {
    sets CC_ATTR_GUEST_MEM_ENCRYPT;
}

/// No confidential computing.
platform bare_metal {}

/// The IO-APIC.
device ioapic {
    mmio 0xFEC00000 size 4K;
}

map ioapic encrypted when CC_ATTR_GUEST_MEM_ENCRYPT;
default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;
"#;

fn run(text: &str) -> Vec<Finding> {
    lint(&Input::new(&checked("t.ccattr", text)))
}

/// (rule, line, severity) of every finding that is not suppressed.
fn found(text: &str) -> Vec<(&'static str, usize, Severity)> {
    let src = Source::new("t.ccattr", text);
    run(text)
        .iter()
        .filter(|f| !f.is_suppressed())
        .map(|f| {
            (
                f.rule(),
                src.position(f.diagnostic.span.start).line,
                f.diagnostic.severity,
            )
        })
        .collect()
}

fn lines_of(text: &str, rule: &str) -> Vec<usize> {
    found(text)
        .into_iter()
        .filter(|f| f.0 == rule)
        .map(|f| f.1)
        .collect()
}

fn fires_at(text: &str, rule: &str, line: usize) {
    let got = found(text);
    assert!(
        got.iter().any(|f| f.0 == rule && f.1 == line),
        "expected {rule} at line {line}, got {got:?}\n{text}"
    );
}

fn silent(text: &str, rule: &str) {
    let got = lines_of(text, rule);
    assert!(
        got.is_empty(),
        "expected no {rule}, got it at lines {got:?}\n{text}"
    );
}

fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the spec"));
    text[..at].matches('\n').count() + 1
}

fn with(extra: &str) -> String {
    format!("{CLEAN}{extra}")
}

#[test]
fn the_clean_spec_is_clean() {
    assert_eq!(found(CLEAN), []);
}

#[test]
fn naming_prefix() {
    let t = with("/// X.\nattr GUEST_X;\n/// P.\nplatform p { sets GUEST_X; }\n");
    fires_at(&t, NAMING_PREFIX, line_of(&t, "attr GUEST_X"));
    silent(CLEAN, NAMING_PREFIX);
    // Without a prefix in the naming block, any name is fine.
    silent(&t.replace("prefix = \"CC_ATTR_\";", ""), NAMING_PREFIX);
}

#[test]
fn naming_case() {
    let t = with("/// X.\nattr CC_ATTR_Guest_x;\n/// P.\nplatform p { sets CC_ATTR_Guest_x; }\n");
    fires_at(&t, NAMING_CASE, line_of(&t, "attr CC_ATTR_Guest_x"));
    let help = run(&t)
        .into_iter()
        .find(|f| f.rule() == NAMING_CASE)
        .and_then(|f| f.diagnostic.help);
    assert_eq!(help.as_deref(), Some("write it as `CC_ATTR_GUEST_X`"));
    silent(
        &with("/// X.\nattr CC_ATTR_X1;\n/// P.\nplatform p { sets CC_ATTR_X1; }\n"),
        NAMING_CASE,
    );
}

#[test]
fn naming_max_length() {
    // 41 characters against a limit of 40, then exactly 40.
    let long = "CC_ATTR_ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDEF";
    assert_eq!(long.len(), 41);
    let t = with(&format!(
        "/// X.\nattr {long};\n/// P.\nplatform p {{ sets {long}; }}\n"
    ));
    fires_at(&t, NAMING_MAX_LENGTH, line_of(&t, long));
    silent(&t.replace(long, &long[..40]), NAMING_MAX_LENGTH);
}

#[test]
fn naming_forbidden_word() {
    let t = with(
        "/// X.\nattr CC_ATTR_HAS_PARAVISOR;\n/// P.\nplatform p { sets CC_ATTR_HAS_PARAVISOR; }\n",
    );
    fires_at(
        &t,
        NAMING_FORBIDDEN_WORD,
        line_of(&t, "attr CC_ATTR_HAS_PARAVISOR"),
    );
    // The caret is on the word itself.
    let src = Source::new("t", t.as_str());
    let f = run(&t)
        .into_iter()
        .find(|f| f.rule() == NAMING_FORBIDDEN_WORD)
        .map(|f| f.diagnostic.span);
    assert_eq!(f.map(|s| src.slice(s).to_string()), Some("HAS".to_string()));
    // A forbidden word inside another word is not that word.
    silent(
        &t.replace("HAS_PARAVISOR", "HASH_PARAVISOR"),
        NAMING_FORBIDDEN_WORD,
    );
    // Multi-word forbidden entries match consecutive words.
    let multi = t.replace(r#"["HAS", "EMULATED"]"#, r#"["HAS_PARA"]"#);
    silent(&multi, NAMING_FORBIDDEN_WORD);
    let multi = t.replace(r#"["HAS", "EMULATED"]"#, r#"["has_paravisor"]"#);
    fires_at(
        &multi,
        NAMING_FORBIDDEN_WORD,
        line_of(&t, "attr CC_ATTR_HAS_PARAVISOR"),
    );
}

#[test]
fn naming_missing_doc() {
    let t = CLEAN
        .replace("/// A guest.\n", "")
        .replace("/// The IO-APIC.\n", "")
        .replace("/// A test spec.\n", "")
        .replace("/// Memory encryption is active.\n", "");
    let got = lines_of(&t, NAMING_MISSING_DOC);
    assert_eq!(
        got,
        [
            line_of(&t, "spec t"),
            line_of(&t, "attr CC_ATTR_MEM_ENCRYPT"),
            line_of(&t, "platform guest"),
            line_of(&t, "device ioapic")
        ]
    );
    silent(
        &t.replace("require_doc = true;", "require_doc = false;"),
        NAMING_MISSING_DOC,
    );
    silent(CLEAN, NAMING_MISSING_DOC);
}

#[test]
fn naming_word_order() {
    let t = with("/// X.\nattr CC_ATTR_MEM_GUEST_ENCRYPT;\n/// P.\nplatform p { sets CC_ATTR_MEM_GUEST_ENCRYPT; }\n");
    fires_at(
        &t,
        NAMING_WORD_ORDER,
        line_of(&t, "attr CC_ATTR_MEM_GUEST_ENCRYPT"),
    );
    silent(&t, NAMING_NEAR_DUPLICATE);
    let other = t.replace("CC_ATTR_MEM_GUEST_ENCRYPT", "CC_ATTR_HOST_MEM_ENCRYPT");
    silent(&other, NAMING_WORD_ORDER);
}

#[test]
fn naming_near_duplicate() {
    let t = with("/// X.\nattr CC_ATTR_GUEST_MEM_DECRYPT;\n/// P.\nplatform p { sets CC_ATTR_GUEST_MEM_DECRYPT; }\n");
    fires_at(
        &t,
        NAMING_NEAR_DUPLICATE,
        line_of(&t, "attr CC_ATTR_GUEST_MEM_DECRYPT"),
    );
    // HOST and GUEST differ by more than two letters.
    silent(
        &t.replace("CC_ATTR_GUEST_MEM_DECRYPT", "CC_ATTR_HOST_MEM_ENCRYPT"),
        NAMING_NEAR_DUPLICATE,
    );
}

#[test]
fn naming_two_subjects() {
    let name = "CC_ATTR_ACCESS_IOAPIC_AND_TPM_ENCRYPTED";
    let t = with(&format!(
        "/// X.\nattr {name};\n/// P.\nplatform p {{ sets {name}; }}\n"
    ));
    fires_at(&t, NAMING_TWO_SUBJECTS, line_of(&t, name));
    let help = run(&t)
        .into_iter()
        .find(|f| f.rule() == NAMING_TWO_SUBJECTS)
        .and_then(|f| f.diagnostic.help);
    assert_eq!(
        help.as_deref(),
        Some("declare `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED` and `CC_ATTR_ACCESS_TPM_ENCRYPTED`, or name the behaviour both share")
    );
    // A joining word at the edge, or inside another word, joins nothing.
    silent(
        &t.replace(name, "CC_ATTR_AND_TPM_ENCRYPTED"),
        NAMING_TWO_SUBJECTS,
    );
    silent(
        &t.replace(name, "CC_ATTR_ANDROID_GUEST"),
        NAMING_TWO_SUBJECTS,
    );
}

#[test]
fn naming_mechanism() {
    let t = with(
        "/// X.\nattr CC_ATTR_GUEST_SEV_SNP;\n/// P.\nplatform p { sets CC_ATTR_GUEST_SEV_SNP; }\n\
         /// TPM.\ndevice tpm { mmio 0xFED40000 size 4K; }\nmap tpm encrypted when CC_ATTR_GUEST_SEV_SNP;\n",
    );
    fires_at(
        &t,
        NAMING_MECHANISM,
        line_of(&t, "attr CC_ATTR_GUEST_SEV_SNP"),
    );
    // Deriving a behaviour from the mechanism and reading that is the fix.
    let fixed = t.replace(
        "map tpm encrypted when CC_ATTR_GUEST_SEV_SNP;",
        "/// The TPM is accessed encrypted.\nattr CC_ATTR_ACCESS_TPM_ENCRYPTED = CC_ATTR_GUEST_SEV_SNP;\n\
         map tpm encrypted when CC_ATTR_ACCESS_TPM_ENCRYPTED;",
    );
    silent(&fixed, NAMING_MECHANISM);
    assert_eq!(found(&fixed), []);
}

#[test]
fn unused_attribute() {
    let t = with("/// X.\nattr CC_ATTR_GUEST_STATE_ENCRYPT;\n");
    fires_at(
        &t,
        UNUSED_ATTRIBUTE,
        line_of(&t, "attr CC_ATTR_GUEST_STATE_ENCRYPT"),
    );
    // Implied by another attribute (MEM_ENCRYPT in CLEAN), deprecated, or read by a
    // derivation: used.
    silent(CLEAN, UNUSED_ATTRIBUTE);
    silent(
        &t.replace(
            "attr CC_ATTR_GUEST_STATE_ENCRYPT;",
            "attr CC_ATTR_GUEST_STATE_ENCRYPT { deprecated \"gone\"; }",
        ),
        UNUSED_ATTRIBUTE,
    );
    let derived = t.replace(
        "attr CC_ATTR_GUEST_STATE_ENCRYPT;",
        "attr CC_ATTR_GUEST_STATE_ENCRYPT;\n/// D.\nattr CC_ATTR_STATE = CC_ATTR_GUEST_STATE_ENCRYPT;\nmap ioapic decrypted when CC_ATTR_STATE;",
    );
    silent(&derived, UNUSED_ATTRIBUTE);
}

#[test]
fn rule_shadowed() {
    let t = with(
        "/// S.\nattr CC_ATTR_GUEST_STATE_ENCRYPT implies CC_ATTR_GUEST_MEM_ENCRYPT;\n\
         /// P.\nplatform p { sets CC_ATTR_GUEST_STATE_ENCRYPT; }\n\
         map ioapic decrypted when CC_ATTR_GUEST_STATE_ENCRYPT;\n",
    );
    // GUEST_STATE implies GUEST_MEM, so the earlier `map ioapic encrypted when
    // CC_ATTR_GUEST_MEM_ENCRYPT` always decides first.
    fires_at(&t, RULE_SHADOWED, line_of(&t, "map ioapic decrypted"));
    // Before the general rule, the specific one decides.
    let reordered = t
        .replace(
            "map ioapic decrypted when CC_ATTR_GUEST_STATE_ENCRYPT;\n",
            "",
        )
        .replace(
            "map ioapic encrypted when",
            "map ioapic decrypted when CC_ATTR_GUEST_STATE_ENCRYPT;\nmap ioapic encrypted when",
        );
    silent(&reordered, RULE_SHADOWED);
    // A second default after an unconditional one.
    let defaults = with("default encrypted;\ndefault decrypted;\n");
    fires_at(
        &defaults,
        RULE_SHADOWED,
        line_of(&defaults, "default decrypted;"),
    );
}

#[test]
fn rule_never_holds() {
    let t = with("map ioapic decrypted when CC_ATTR_GUEST_MEM_ENCRYPT && !CC_ATTR_MEM_ENCRYPT;\n");
    fires_at(&t, RULE_NEVER_HOLDS, line_of(&t, "&& !CC_ATTR_MEM_ENCRYPT"));
    silent(&t, RULE_SHADOWED);
    let f = with("map ioapic decrypted when false;\n");
    fires_at(&f, RULE_NEVER_HOLDS, line_of(&f, "when false"));
    // MEM_ENCRYPT without GUEST_MEM_ENCRYPT can hold (an SME host).
    let ok = with("/// H.\nattr CC_ATTR_HOST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n/// P.\nplatform h { sets CC_ATTR_HOST_MEM_ENCRYPT; }\nmap ioapic decrypted when CC_ATTR_MEM_ENCRYPT && !CC_ATTR_GUEST_MEM_ENCRYPT;\n");
    silent(&ok, RULE_NEVER_HOLDS);
    silent(&ok, RULE_SHADOWED);
}

/// CLEAN with a probed device whose rules read two capabilities.
fn with_probed(rules: &str) -> String {
    with(&format!(
        "/// Locked and accepted.\ncapability TDISP_RUN;\n/// The MSI-X BAR.\ncapability MSIX_BAR;\n\
         /// A BAR.\ndevice bar {{ probed; }}\n{rules}"
    ))
}

#[test]
fn probed_rules_are_decided_over_capabilities() {
    let ok = with_probed(
        "map bar encrypted when CC_ATTR_GUEST_MEM_ENCRYPT && TDISP_RUN && !MSIX_BAR;\n\
         map bar decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n",
    );
    assert_eq!(
        found(&ok),
        [],
        "a spec whose rules read capabilities is clean"
    );
    // No capability is reported when a rule is considered: a rule that needs one
    // still holds when the device reports it.
    let needs = with_probed("map bar encrypted when TDISP_RUN && MSIX_BAR;\n");
    silent(&needs, RULE_NEVER_HOLDS);
    let never = with_probed(
        "map bar encrypted when TDISP_RUN && !TDISP_RUN;\nmap bar decrypted when MSIX_BAR;\n",
    );
    fires_at(
        &never,
        RULE_NEVER_HOLDS,
        line_of(&never, "when TDISP_RUN && !TDISP_RUN"),
    );
    // The second rule holds only where the first already decides, whatever the
    // device reports.
    let shadowed = with_probed(
        "map bar encrypted when TDISP_RUN;\nmap bar refuse when TDISP_RUN && !MSIX_BAR;\nmap bar decrypted when MSIX_BAR;\n",
    );
    fires_at(
        &shadowed,
        RULE_SHADOWED,
        line_of(&shadowed, "map bar refuse"),
    );
    // Reading another capability, it decides where the first does not.
    let apart = with_probed(
        "map bar encrypted when TDISP_RUN;\nmap bar refuse when !TDISP_RUN && !MSIX_BAR;\nmap bar decrypted when MSIX_BAR;\n",
    );
    silent(&apart, RULE_SHADOWED);
    silent(&apart, RULE_NEVER_HOLDS);
}

#[test]
fn naming_capability() {
    let lower = with_probed("map bar encrypted when tdisp_run && MSIX_BAR;\n")
        .replace("capability TDISP_RUN;", "capability tdisp_run;");
    fires_at(
        &lower,
        NAMING_CAPABILITY,
        line_of(&lower, "capability tdisp_run"),
    );
    let f = run(&lower);
    let d = &f
        .iter()
        .find(|f| f.rule() == NAMING_CAPABILITY)
        .unwrap()
        .diagnostic;
    assert!(d.message.contains("UPPER_SNAKE_CASE"), "{}", d.message);
    assert_eq!(
        d.help.as_deref(),
        Some("rename it, for example to `TDISP_RUN`")
    );
    // With `capability_prefix`, both capabilities lack it; the help adds it.
    let prefixed = with_probed("map bar encrypted when TDISP_RUN && MSIX_BAR;\n").replace(
        "require_doc = true;",
        "require_doc = true;\n    capability_prefix = \"CAP_\";",
    );
    assert_eq!(
        lines_of(&prefixed, NAMING_CAPABILITY).len(),
        2,
        "{:?}",
        found(&prefixed)
    );
    let f = run(&prefixed);
    let d = &f
        .iter()
        .find(|f| f.rule() == NAMING_CAPABILITY)
        .unwrap()
        .diagnostic;
    assert!(
        d.message.contains("does not start with the prefix `CAP_`"),
        "{}",
        d.message
    );
    assert_eq!(
        d.help.as_deref(),
        Some("rename it, for example to `CAP_TDISP_RUN`")
    );
    assert_eq!(
        d.secondary.len(),
        1,
        "the configured prefix is the second label: {d:?}"
    );
    let good = prefixed
        .replace("TDISP_RUN", "CAP_TDISP_RUN")
        .replace("MSIX_BAR", "CAP_MSIX_BAR");
    silent(&good, NAMING_CAPABILITY);
    // max_length applies to capabilities too.
    let long = with_probed("map bar encrypted when TDISP_RUN && MSIX_BAR;\n").replace(
        "TDISP_RUN",
        "TDISP_RUN_STATE_OF_THE_FUNCTION_LOCKED_AND_ACCEPTED",
    );
    fires_at(
        &long,
        NAMING_CAPABILITY,
        line_of(&long, "capability TDISP_RUN_STATE"),
    );
    // Level configuration reaches the new rule like any other.
    let denied = lower.replace(
        "require_doc = true;",
        "require_doc = true;\n    deny = [\"NAMING_CAPABILITY\"];",
    );
    assert!(found(&denied)
        .iter()
        .any(|f| f.0 == NAMING_CAPABILITY && f.2 == Severity::Error));
}

#[test]
fn unused_capability_and_its_doc() {
    let unused = with_probed("map bar encrypted when TDISP_RUN;\n");
    fires_at(
        &unused,
        UNUSED_CAPABILITY,
        line_of(&unused, "capability MSIX_BAR"),
    );
    assert_eq!(lines_of(&unused, UNUSED_CAPABILITY).len(), 1);
    silent(
        &with_probed("map bar encrypted when TDISP_RUN || MSIX_BAR;\n"),
        UNUSED_CAPABILITY,
    );
    let undocumented = with_probed("map bar encrypted when TDISP_RUN || MSIX_BAR;\n")
        .replace("/// The MSI-X BAR.\n", "");
    fires_at(
        &undocumented,
        NAMING_MISSING_DOC,
        line_of(&undocumented, "capability MSIX_BAR"),
    );
}

#[test]
fn start_address_differs() {
    let t = with(
        "/// A window.\ndevice win {\n    mmio 0x10000 size 8K;\n}\n/// Its first page.\ndevice first {\n    mmio 0x10000 size 4K;\n}\n\
         map first encrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\nmap win decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n",
    );
    fires_at(
        &t,
        START_ADDRESS_DIFFERS,
        line_of(&t, "mmio 0x10000 size 8K"),
    );
    assert_eq!(
        lines_of(&t, START_ADDRESS_DIFFERS).len(),
        1,
        "the inner page agrees with itself"
    );
    let f = run(&t);
    let d = &f
        .iter()
        .find(|f| f.rule() == START_ADDRESS_DIFFERS)
        .unwrap()
        .diagnostic;
    assert!(
        d.message
            .contains("decides mixed on `guest`, but x86's ioremap() of it maps it all encrypted"),
        "{}",
        d.message
    );
    // The first page shared, the rest private: the start address says decrypted.
    let flipped = t
        .replace("map first encrypted", "map first decrypted")
        .replace("map win decrypted", "map win encrypted");
    fires_at(
        &flipped,
        START_ADDRESS_DIFFERS,
        line_of(&flipped, "mmio 0x10000 size 8K"),
    );
    // A window that decides alike everywhere is silent.
    let alike = t.replace("map first encrypted", "map first decrypted");
    silent(&alike, START_ADDRESS_DIFFERS);
    // Suppressed with a reason, like any rule.
    let kept = t.replace(
        "    mmio 0x10000 size 8K;",
        "    // ccattr: allow(START_ADDRESS_DIFFERS) because the driver maps the pages apart\n    mmio 0x10000 size 8K;",
    );
    silent(&kept, START_ADDRESS_DIFFERS);
}

#[test]
fn device_without_rule() {
    let t = with("/// TPM.\ndevice tpm { mmio 0xFED40000 size 4K; }\n");
    fires_at(&t, DEVICE_WITHOUT_RULE, line_of(&t, "device tpm"));
    silent(&format!("{t}map tpm encrypted;\n"), DEVICE_WITHOUT_RULE);
}

#[test]
fn region_unaligned() {
    let t = with("/// TPM.\ndevice tpm { mmio 0xFED40000 size 0x100; }\nmap tpm encrypted;\n");
    fires_at(
        &t,
        REGION_UNALIGNED,
        line_of(&t, "mmio 0xFED40000 size 0x100"),
    );
    let start = t.replace("0xFED40000 size 0x100", "0xFED40800 size 4K");
    fires_at(&start, REGION_UNALIGNED, line_of(&start, "mmio 0xFED40800"));
    let help = run(&start)
        .into_iter()
        .find(|f| f.rule() == REGION_UNALIGNED)
        .and_then(|f| f.diagnostic.help);
    assert_eq!(
        help.as_deref(),
        Some("declare the whole pages: `mmio 0xFED40000 size 0x2000;`")
    );
    silent(&t.replace("size 0x100", "size 0x5000"), REGION_UNALIGNED);
    // A region that ends at 2^64 ends on a page boundary.
    silent(
        &with("/// Top.\ndevice top { mmio 0xFFFFFFFFFFFFF000 size 4K; }\nmap top decrypted;\n"),
        REGION_UNALIGNED,
    );
}

#[test]
fn platform_same_set() {
    // `sets GUEST_MEM_ENCRYPT` and `sets GUEST_MEM_ENCRYPT, MEM_ENCRYPT` close to the same set.
    let t = with("/// Another guest.\nplatform other { sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_MEM_ENCRYPT; }\n");
    fires_at(&t, PLATFORM_SAME_SET, line_of(&t, "platform other"));
    silent(
        &t.replace(
            "CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_MEM_ENCRYPT",
            "CC_ATTR_MEM_ENCRYPT",
        ),
        PLATFORM_SAME_SET,
    );
}

#[test]
fn former_name_reused_in_one_spec() {
    let t = with(
        "/// A.\nattr CC_ATTR_ACCESS_A { formerly CC_ATTR_OLD; }\n/// B.\nattr CC_ATTR_ACCESS_B { formerly CC_ATTR_old; }\n\
         /// P.\nplatform p { sets CC_ATTR_ACCESS_A, CC_ATTR_ACCESS_B; }\n",
    );
    fires_at(&t, FORMER_NAME_REUSED, line_of(&t, "formerly CC_ATTR_OLD"));
    silent(
        &t.replace("CC_ATTR_old", "CC_ATTR_OTHER"),
        FORMER_NAME_REUSED,
    );
}

#[test]
fn former_name_reused_since_the_previous_version() {
    let base = with("/// A.\nattr CC_ATTR_ACCESS_A { formerly CC_ATTR_OLD; }\n/// P.\nplatform p { sets CC_ATTR_ACCESS_A; }\n");
    let head = with("/// B.\nattr CC_ATTR_ACCESS_B { formerly CC_ATTR_OLD; }\n/// P.\nplatform p { sets CC_ATTR_ACCESS_B; }\n");
    let renamed = with(
        "/// B.\nattr CC_ATTR_ACCESS_B { formerly CC_ATTR_ACCESS_A, CC_ATTR_OLD; }\n/// P.\nplatform p { sets CC_ATTR_ACCESS_B; }\n",
    );
    let against = |head: &str| -> Vec<&'static str> {
        let (b, h) = (checked("b", base.as_str()), checked("h", head));
        lint(&Input {
            spec: &h,
            previous: Some(&b.model),
        })
        .iter()
        .map(Finding::rule)
        .collect()
    };
    assert!(against(&head).contains(&FORMER_NAME_REUSED));
    // The same attribute renamed keeps its old former names: no reuse.
    assert!(!against(&renamed).contains(&FORMER_NAME_REUSED));
}

#[test]
fn lint_config_levels() {
    let unused = with("/// X.\nattr CC_ATTR_GUEST_STATE_ENCRYPT;\n");
    let set = |list: &str| {
        unused.replace(
            "require_doc = true;",
            &format!("require_doc = true;\n    {list}"),
        )
    };
    silent(&set(r#"allow = ["UNUSED_ATTRIBUTE"];"#), UNUSED_ATTRIBUTE);
    let denied = found(&set(r#"deny = ["UNUSED_ATTRIBUTE"];"#));
    assert!(
        denied
            .iter()
            .any(|f| f.0 == UNUSED_ATTRIBUTE && f.2 == Severity::Error),
        "{denied:?}"
    );
    let warned = found(&set(r#"warn = ["UNUSED_ATTRIBUTE"];"#));
    assert!(
        warned
            .iter()
            .any(|f| f.0 == UNUSED_ATTRIBUTE && f.2 == Severity::Warning),
        "{warned:?}"
    );
    silent(&set(r#"allow = ["UNUSED_ATTRIBUTE"];"#), LINT_CONFIG);
}

#[test]
fn lint_config() {
    let t = CLEAN.replace(
        "require_doc = true;",
        "require_doc = true;\n    allow = [\"UNUSED_ATTRIBUTES\"];",
    );
    fires_at(&t, LINT_CONFIG, line_of(&t, "allow = "));
    let help = run(&t)
        .into_iter()
        .find(|f| f.rule() == LINT_CONFIG)
        .and_then(|f| f.diagnostic.help);
    assert_eq!(help.as_deref(), Some("did you mean `UNUSED_ATTRIBUTE`?"));
    // In two lists: reported, and the stronger level applies.
    let both = with("/// X.\nattr CC_ATTR_GUEST_STATE_ENCRYPT;\n").replace(
        "require_doc = true;",
        "require_doc = true;\n    allow = [\"UNUSED_ATTRIBUTE\"];\n    deny = [\"UNUSED_ATTRIBUTE\"];",
    );
    fires_at(&both, LINT_CONFIG, line_of(&both, "deny = "));
    assert!(found(&both)
        .iter()
        .any(|f| f.0 == UNUSED_ATTRIBUTE && f.2 == Severity::Error));
    silent(
        &CLEAN.replace(
            "require_doc = true;",
            "require_doc = true;\n    allow = [\"UNUSED_ATTRIBUTE\"];",
        ),
        LINT_CONFIG,
    );
}

const UNUSED_SPEC_TAIL: &str = "attr CC_ATTR_GUEST_STATE_ENCRYPT;\n";

fn suppressed_with(comment: &str) -> String {
    with(&format!("{comment}\n/// X.\n{UNUSED_SPEC_TAIL}"))
}

#[test]
fn suppression_applies_with_a_reason() {
    let t = suppressed_with("// ccattr: allow(UNUSED_ATTRIBUTE) because kept for out-of-tree code");
    assert_eq!(found(&t), []);
    let f = run(&t);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].suppressed.as_deref(),
        Some("kept for out-of-tree code")
    );
    // A trailing comment covers its own line.
    let trailing = with(&format!(
        "/// X.\n{} // ccattr: allow(UNUSED_ATTRIBUTE) because kept\n",
        UNUSED_SPEC_TAIL.trim_end()
    ));
    assert_eq!(found(&trailing), []);
    // It covers the next declaration only.
    let next = with(&format!(
        "// ccattr: allow(UNUSED_ATTRIBUTE) because kept\n/// X.\n{UNUSED_SPEC_TAIL}/// Y.\nattr CC_ATTR_OTHER_UNUSED;\n"
    ));
    assert_eq!(
        lines_of(&next, UNUSED_ATTRIBUTE),
        [line_of(&next, "attr CC_ATTR_OTHER_UNUSED")]
    );
}

#[test]
fn suppression_malformed() {
    for comment in [
        "// ccattr: allow UNUSED_ATTRIBUTE because kept",
        "// ccattr: deny(UNUSED_ATTRIBUTE) because kept",
        "// ccattr: allow(UNUSED_ATTRIBUTES) because kept",
        "// ccattr: allow(SUPPRESSION_UNUSED) because kept",
    ] {
        let t = suppressed_with(comment);
        fires_at(&t, SUPPRESSION_MALFORMED, line_of(&t, "// ccattr:"));
        if !comment.contains("SUPPRESSION_UNUSED") {
            // It suppresses nothing.
            fires_at(
                &t,
                UNUSED_ATTRIBUTE,
                line_of(&t, UNUSED_SPEC_TAIL.trim_end()),
            );
        }
    }
    silent(
        &suppressed_with("// ccattr: allow(UNUSED_ATTRIBUTE) because kept"),
        SUPPRESSION_MALFORMED,
    );
    // Ordinary comments that mention ccattr are not suppressions.
    silent(
        &suppressed_with("// see ccattr: docs"),
        SUPPRESSION_MALFORMED,
    );
}

#[test]
fn suppression_without_reason() {
    for comment in [
        "// ccattr: allow(UNUSED_ATTRIBUTE)",
        "// ccattr: allow(UNUSED_ATTRIBUTE) because",
        "// ccattr: allow(UNUSED_ATTRIBUTE) legacy",
    ] {
        let t = suppressed_with(comment);
        fires_at(&t, SUPPRESSION_WITHOUT_REASON, line_of(&t, "// ccattr:"));
        // It does not suppress until it gives a reason.
        fires_at(
            &t,
            UNUSED_ATTRIBUTE,
            line_of(&t, UNUSED_SPEC_TAIL.trim_end()),
        );
    }
    silent(
        &suppressed_with("// ccattr: allow(UNUSED_ATTRIBUTE) because kept"),
        SUPPRESSION_WITHOUT_REASON,
    );
}

#[test]
fn suppression_unused() {
    let t = with("// ccattr: allow(NAMING_CASE) because old name\n/// X.\nattr CC_ATTR_X;\n/// P.\nplatform p { sets CC_ATTR_X; }\n");
    fires_at(&t, SUPPRESSION_UNUSED, line_of(&t, "// ccattr:"));
    silent(
        &suppressed_with("// ccattr: allow(UNUSED_ATTRIBUTE) because kept"),
        SUPPRESSION_UNUSED,
    );
    // Two rules, one of which fires: only the other is unused.
    let two = suppressed_with("// ccattr: allow(UNUSED_ATTRIBUTE, NAMING_CASE) because kept");
    let f: Vec<_> = run(&two)
        .into_iter()
        .filter(|f| f.rule() == SUPPRESSION_UNUSED)
        .collect();
    assert_eq!(f.len(), 1);
    assert!(
        f[0].diagnostic.message.contains("NAMING_CASE"),
        "{}",
        f[0].diagnostic.message
    );
}

#[test]
fn every_rule_is_exercised_here() {
    let me = include_str!("rules.rs");
    for r in RULES {
        let constant = r.id;
        assert!(me.matches(constant).count() >= 2, "no test for {}", r.id);
    }
}

#[test]
fn every_rule_is_documented() {
    let docs = include_str!("../../docs/lints.md");
    for r in RULES {
        assert!(
            docs.contains(&format!("\n## {}\n", r.id)),
            "docs/lints.md has no section for {}",
            r.id
        );
    }
    for word in ccattr_lint::MECHANISM_WORDS {
        assert!(
            docs.contains(word),
            "docs/lints.md does not list the mechanism word {word}"
        );
    }
}

#[test]
fn wide_specs_stay_bounded() {
    // 64 base attributes, all read by each of 50 rules: too many to enumerate, so the
    // enumerating checks stay silent instead of guessing or taking forever. Rules with
    // the same condition as an earlier one are shadowed without enumerating.
    let mut t = String::from("spec wide;\n");
    let names: Vec<String> = (0..64).map(|i| format!("CC_ATTR_WORD{i}_X{i}")).collect();
    for n in &names {
        t.push_str(&format!("attr {n};\n"));
    }
    t.push_str("platform p {}\ndevice d { mmio 0x1000 size 4K; }\n");
    for i in 0..50 {
        let mapping = if i % 2 == 0 { "encrypted" } else { "decrypted" };
        // Rules 0..25 read the names in order; the others each in another rotation.
        let mut order = names.clone();
        if i >= 25 {
            order.rotate_left(i);
        }
        t.push_str(&format!("map d {mapping} when {};\n", order.join(" || ")));
    }
    let started = std::time::Instant::now();
    let got = found(&t);
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    let shadowed = got.iter().filter(|f| f.0 == RULE_SHADOWED).count();
    assert_eq!(shadowed, 24, "{got:?}");
    assert!(!got.iter().any(|f| f.0 == RULE_NEVER_HOLDS), "{got:?}");
}
