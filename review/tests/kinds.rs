//! Every kind of change a review reports, each from a pair of specs; witnesses are
//! checked against the decision tables they claim to come from.

use ccattr_core::{Checked, Decision};
use ccattr_review::kinds::*;
use ccattr_review::{review, Change, Class, Review, KINDS};
use ccattr_test_support::checked;

const BASE: &str = r#"/// Test.
spec t;

naming {
    prefix = "CC_ATTR_";
    require_doc = true;
}

/// Memory encryption is active.
attr CC_ATTR_MEM_ENCRYPT;

/// Guest memory is encrypted.
attr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;

/// The IO-APIC is accessed encrypted.
attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED {
    formerly CC_ATTR_EMULATED_IOAPIC;
}

/// A guest with a paravisor.
platform paravisor {
    sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;
}

/// A guest without one.
platform guest {
    sets CC_ATTR_GUEST_MEM_ENCRYPT;
}

/// The IO-APIC.
device ioapic {
    mmio 0xFEC00000 size 4K;
}

map ioapic encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;
default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;
"#;

struct Pair {
    b: Checked,
    h: Checked,
}

impl Pair {
    fn new(base: &str, head: &str) -> Pair {
        Pair {
            b: checked("base.ccattr", base),
            h: checked("head.ccattr", head),
        }
    }

    fn review(&self) -> Review {
        review(&self.b, &self.h)
    }
}

fn changes(head: &str) -> Review {
    Pair::new(BASE, head).review()
}

fn one<'r>(r: &'r Review, kind: &str) -> &'r Change {
    let all: Vec<&Change> = r.of_kind(kind).collect();
    assert_eq!(all.len(), 1, "expected one {kind}, got {:#?}", r.changes);
    all[0]
}

fn none(r: &Review, kind: &str) {
    let all: Vec<&Change> = r.of_kind(kind).collect();
    assert!(all.is_empty(), "expected no {kind}, got {all:#?}");
}

#[test]
fn identical_specs_have_no_changes() {
    let r = changes(BASE);
    assert!(r.changes.is_empty(), "{:#?}", r.changes);
    assert!(r.exhaustive);
    assert!(!r.fails(Some(Class::Info)));
}

#[test]
fn spec_renamed() {
    let r = changes(&BASE.replace("spec t;", "spec u;"));
    let c = one(&r, SPEC_RENAMED);
    assert_eq!((c.class, c.subject.as_str()), (Class::Breaking, "u"));
}

#[test]
fn prefix_changed() {
    // A prefix other than the kernel's takes names of its own (E0129).
    let head = BASE.replace("CC_ATTR_", "HV_ATTR_");
    let c = one(&changes(&head), PREFIX_CHANGED).clone();
    assert_eq!(c.class, Class::Breaking);
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("CC_ATTR_"), Some("HV_ATTR_"))
    );
}

#[test]
fn attr_added_at_the_end_moves_nothing() {
    let head = format!("{BASE}/// Host.\nattr CC_ATTR_HOST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n/// H.\nplatform host {{ sets CC_ATTR_HOST_MEM_ENCRYPT; }}\n");
    let r = changes(&head);
    let c = one(&r, ATTR_ADDED);
    assert_eq!(
        (c.class, c.subject.as_str()),
        (Class::Info, "CC_ATTR_HOST_MEM_ENCRYPT")
    );
    none(&r, ATTR_MOVED);
}

#[test]
fn attr_removed_with_a_possible_rename() {
    let head = BASE
        .replace(
            "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED {\n    formerly CC_ATTR_EMULATED_IOAPIC;\n}",
            "CC_ATTR_IOAPIC_PRIVATE;",
        )
        .replace("CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", "CC_ATTR_IOAPIC_PRIVATE");
    let r = changes(&head);
    let c = one(&r, ATTR_REMOVED);
    assert_eq!(c.class, Class::Breaking);
    assert!(
        c.message
            .contains("possible rename to `CC_ATTR_IOAPIC_PRIVATE`?"),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("former name `CC_ATTR_EMULATED_IOAPIC`"),
        "{}",
        c.message
    );
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("the same documentation") && n.contains("set by `paravisor`")),
        "{:?}",
        c.notes
    );
    let a = one(&r, ATTR_ADDED);
    assert!(
        a.message
            .contains("possible rename of `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED`?"),
        "{}",
        a.message
    );
    assert!(r.fails(Some(Class::Breaking)));
}

#[test]
fn attr_removed_without_a_match_suggests_nothing() {
    let head = BASE
        .replace("/// The IO-APIC is accessed encrypted.\nattr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED {\n    formerly CC_ATTR_EMULATED_IOAPIC;\n}\n", "")
        .replace(", CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", "")
        .replace("map ioapic encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;\n", "map ioapic encrypted;\n");
    let r = changes(&head);
    let c = one(&r, ATTR_REMOVED);
    assert!(!c.message.contains("possible rename"), "{}", c.message);
}

#[test]
fn attr_renamed_by_formerly() {
    let head = BASE
        .replace("CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", "CC_ATTR_IOAPIC_PRIVATE")
        .replace(
            "formerly CC_ATTR_EMULATED_IOAPIC;",
            "formerly CC_ATTR_EMULATED_IOAPIC, CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;",
        );
    let r = changes(&head);
    let c = one(&r, ATTR_RENAMED);
    assert_eq!(
        (c.class, c.before.as_deref(), c.after.as_deref()),
        (
            Class::Info,
            Some("CC_ATTR_ACCESS_IOAPIC_ENCRYPTED"),
            Some("CC_ATTR_IOAPIC_PRIVATE")
        )
    );
    // A rename alone changes no rule, platform or decision, and breaks nothing.
    none(&r, ATTR_REMOVED);
    none(&r, RULE_CHANGED);
    none(&r, PLATFORM_CHANGED);
    none(&r, DECISION_CHANGED);
    assert!(!r.fails(Some(Class::Naming)), "{:#?}", r.changes);
}

#[test]
fn attr_alias_removed() {
    let head = BASE.replace(
        "attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED {\n    formerly CC_ATTR_EMULATED_IOAPIC;\n}",
        "attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;",
    );
    let c = one(&changes(&head), ATTR_ALIAS_REMOVED).clone();
    assert_eq!(
        (c.class, c.before.as_deref()),
        (Class::Breaking, Some("CC_ATTR_EMULATED_IOAPIC"))
    );
}

#[test]
fn attr_doc_changed() {
    let head = BASE.replace(
        "/// The IO-APIC is accessed encrypted.",
        "/// The IO-APIC is mapped private.",
    );
    let c = one(&changes(&head), ATTR_DOC_CHANGED).clone();
    assert_eq!(c.after.as_deref(), Some("The IO-APIC is mapped private."));
}

#[test]
fn attr_definition_changed() {
    let head = BASE.replace(
        "attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED {",
        "attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED implies CC_ATTR_GUEST_MEM_ENCRYPT {",
    );
    let c = one(&changes(&head), ATTR_DEFINITION_CHANGED).clone();
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (
            Some("base attribute"),
            Some("implies CC_ATTR_GUEST_MEM_ENCRYPT")
        )
    );
}

#[test]
fn attr_deprecated() {
    let head = BASE.replace(
        "formerly CC_ATTR_EMULATED_IOAPIC;",
        "formerly CC_ATTR_EMULATED_IOAPIC;\n    deprecated \"use the callback\";",
    );
    let c = one(&changes(&head), ATTR_DEPRECATED).clone();
    assert!(c.message.ends_with("was deprecated"), "{}", c.message);
}

#[test]
fn attr_moved() {
    // A new attribute before the others moves every later one.
    let head = BASE.replace(
        "/// Memory encryption is active.",
        "/// Host.\nattr CC_ATTR_HOST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n\n/// Memory encryption is active.",
    ) + "/// H.\nplatform host { sets CC_ATTR_HOST_MEM_ENCRYPT; }\n";
    let r = changes(&head);
    let moved: Vec<(&str, Option<&str>, Option<&str>)> = r
        .of_kind(ATTR_MOVED)
        .map(|c| (c.subject.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(
        moved,
        [
            ("CC_ATTR_MEM_ENCRYPT", Some("0"), Some("1")),
            ("CC_ATTR_GUEST_MEM_ENCRYPT", Some("1"), Some("2")),
            ("CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", Some("2"), Some("3")),
        ]
    );
    assert!(r
        .of_kind(ATTR_MOVED)
        .all(|c| c.class == Class::Info
            && c.notes.iter().any(|n| n.contains("old positions breaks"))));
}

#[test]
fn devices_added_removed_and_documented() {
    let added = format!("{BASE}/// TPM.\ndevice tpm {{ mmio 0xFED40000 size 4K; }}\nmap tpm encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;\n");
    let r = changes(&added);
    assert_eq!(one(&r, DEVICE_ADDED).subject, "tpm");
    assert_eq!(one(&r, RULE_ADDED).subject, "tpm");
    let r = Pair::new(&added, BASE).review();
    assert_eq!(one(&r, DEVICE_REMOVED).subject, "tpm");
    assert_eq!(one(&r, RULE_REMOVED).subject, "tpm");
    let r = changes(&BASE.replace("/// The IO-APIC.", "/// The I/O APIC."));
    assert_eq!(one(&r, DEVICE_DOC_CHANGED).subject, "ioapic");
}

#[test]
fn regions_added_removed_and_changed() {
    let moved = BASE.replace("mmio 0xFEC00000 size 4K;", "mmio 0xFEC00000 size 8K;");
    let c = one(&changes(&moved), REGION_CHANGED).clone();
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (
            Some("mmio 0xFEC00000 size 0x1000"),
            Some("mmio 0xFEC00000 size 0x2000")
        )
    );
    let two = BASE.replace(
        "mmio 0xFEC00000 size 4K;",
        "mmio 0xFEC00000 size 4K;\n    mmio 0xFEC10000 size 4K;",
    );
    assert_eq!(
        one(&changes(&two), REGION_ADDED).after.as_deref(),
        Some("mmio 0xFEC10000 size 0x1000")
    );
    let r = Pair::new(&two, BASE).review();
    assert_eq!(
        one(&r, REGION_REMOVED).before.as_deref(),
        Some("mmio 0xFEC10000 size 0x1000")
    );
}

#[test]
fn platforms_added_removed_and_changed() {
    let r = changes(&format!("{BASE}/// None.\nplatform bare_metal {{}}\n"));
    assert_eq!(
        (
            one(&r, PLATFORM_ADDED).subject.as_str(),
            one(&r, PLATFORM_ADDED).class
        ),
        ("bare_metal", Class::Info)
    );
    let r = changes(&BASE.replace(
        "/// A guest without one.\nplatform guest {\n    sets CC_ATTR_GUEST_MEM_ENCRYPT;\n}\n",
        "",
    ));
    assert_eq!(
        (
            one(&r, PLATFORM_REMOVED).subject.as_str(),
            one(&r, PLATFORM_REMOVED).class
        ),
        ("guest", Class::Breaking)
    );
    let r = changes(&BASE.replace(
        "platform guest {\n    sets CC_ATTR_GUEST_MEM_ENCRYPT;",
        "platform guest {\n    sets CC_ATTR_MEM_ENCRYPT;",
    ));
    let c = one(&r, PLATFORM_CHANGED);
    assert!(
        c.message.contains(
            "now sets `CC_ATTR_MEM_ENCRYPT` and no longer sets `CC_ATTR_GUEST_MEM_ENCRYPT`"
        ),
        "{}",
        c.message
    );
}

#[test]
fn rules_added_removed_and_changed() {
    let r = changes(&BASE.replace("default decrypted when", "default encrypted when"));
    let c = one(&r, RULE_CHANGED);
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (
            Some("default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;"),
            Some("default encrypted when CC_ATTR_GUEST_MEM_ENCRYPT;")
        )
    );
    let r = changes(&format!("{BASE}default encrypted;\n"));
    assert_eq!(
        one(&r, RULE_ADDED).after.as_deref(),
        Some("default encrypted;")
    );
    let r = Pair::new(&format!("{BASE}default encrypted;\n"), BASE).review();
    assert_eq!(
        one(&r, RULE_REMOVED).before.as_deref(),
        Some("default encrypted;")
    );
}

/// The witness decides as the change says, in both tables.
fn check_witness(p: &Pair, c: &Change) {
    let w = c.witness.as_ref().expect("a witness");
    let (bt, ht) = (&p.b.table, &p.h.table);
    let (bfull, hfull) = match &w.platform {
        Some(name) => (
            bt.platform(name).expect("base platform").full,
            ht.platform(name).expect("head platform").full,
        ),
        None => {
            let mask = |t: &ccattr_core::DecisionTable| {
                w.reported
                    .iter()
                    .filter_map(|n| t.attr_index(n))
                    .fold(0u64, |m, i| m | 1 << i)
            };
            (bt.close(mask(bt)), ht.close(mask(ht)))
        }
    };
    match &w.caps {
        None => {
            assert_eq!(bt.decide(bfull, w.addr, 1), w.before);
            assert_eq!(ht.decide(hfull, w.addr, 1), w.after);
        }
        // A probed device: decided by the capabilities the witness names.
        Some(caps) => {
            let device = |t: &ccattr_core::DecisionTable| {
                let d = t.devices.iter().position(|d| d.name == c.subject);
                let bits = caps
                    .iter()
                    .map(|n| t.cap_index(n).expect("a declared capability"))
                    .fold(0u32, |m, i| m | 1 << i);
                (d.expect("the device"), bits)
            };
            let ((bd, bc), (hd, hc)) = (device(bt), device(ht));
            assert_eq!(bt.decide_probed(bfull, bd, bc), Some(w.before));
            assert_eq!(ht.decide_probed(hfull, hd, hc), Some(w.after));
        }
    }
    assert_ne!(w.before, w.after);
    assert_eq!(bt.attr_names(bfull), w.base_full);
    assert_eq!(ht.attr_names(hfull), w.head_full);
}

#[test]
fn decision_changed_on_a_platform_with_a_witness() {
    let head = BASE.replace("map ioapic encrypted when", "map ioapic decrypted when");
    let p = Pair::new(BASE, &head);
    let r = p.review();
    let c = one(&r, DECISION_CHANGED);
    assert_eq!(c.class, Class::Behaviour);
    let cell = c.cell.as_ref().expect("a cell");
    assert_eq!(
        (
            cell.row.as_str(),
            cell.platform.as_deref(),
            cell.before,
            cell.after
        ),
        (
            "ioapic",
            Some("paravisor"),
            Some(Decision::Encrypted),
            Some(Decision::Decrypted)
        )
    );
    assert_eq!(c.witness.as_ref().map(|w| w.addr), Some(0xFEC0_0000));
    check_witness(&p, c);
    assert!(r.fails(Some(Class::Behaviour)));
    assert!(!r.fails(Some(Class::Breaking)));
    assert!(!r.fails(None));
}

#[test]
fn address_maps_before_and_after_mark_the_changed_regions() {
    let head = BASE.replace("map ioapic encrypted when", "map ioapic decrypted when");
    let p = Pair::new(BASE, &head);
    let r = p.review();
    assert_eq!(
        r.maps.len(),
        1,
        "only the paravisor's map changes: {:?}",
        r.maps
    );
    let m = &r.maps[0];
    assert_eq!(m.platform, "paravisor");
    let marked: Vec<&(char, String)> = m.lines.iter().filter(|l| l.0 != ' ').collect();
    assert_eq!(marked.len(), 2, "{:?}", m.lines);
    assert!(
        marked[0].0 == '-' && marked[0].1.contains("ioapic") && marked[0].1.ends_with("encrypted")
    );
    assert!(
        marked[1].0 == '+' && marked[1].1.contains("ioapic") && marked[1].1.ends_with("decrypted")
    );
    let md = ccattr_review::report::markdown(
        &r,
        ccattr_review::report::Sources {
            base: &p.b.source,
            head: &p.h.source,
        },
    );
    assert!(md.contains("```diff\n platform paravisor\n"), "{md}");
    assert!(
        md.contains(&format!("-{}\n+{}\n", marked[0].1, marked[1].1)),
        "{md}"
    );
    // No decision changes, no maps.
    assert!(Pair::new(BASE, BASE).review().maps.is_empty());
}

#[test]
fn decision_changed_elsewhere() {
    let head = BASE.replace(
        "default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;",
        "default decrypted;",
    );
    let p = Pair::new(BASE, &head);
    let r = p.review();
    // Every platform already decided `decrypted` outside the IO-APIC: no declared
    // platform changes, but a set no platform has (no attributes) does.
    none(&r, DECISION_CHANGED);
    let off: Vec<&Change> = r.of_kind(DECISION_CHANGED_OFF_PLATFORM).collect();
    assert!(!off.is_empty());
    let elsewhere = off
        .iter()
        .find(|c| c.subject == "(elsewhere)")
        .expect("an elsewhere change");
    let w = elsewhere.witness.as_ref().expect("witness");
    assert!(
        w.reported.is_empty(),
        "the smallest set first: {:?}",
        w.reported
    );
    assert_eq!(
        (w.before, w.after),
        (Decision::Unspecified, Decision::Decrypted)
    );
    for c in off {
        check_witness(&p, c);
    }
}

/// BASE with a probed BAR whose rules read two capabilities and refuse on a
/// platform that requires private MMIO.
const PROBED: &str = r#"/// Test.
spec t;

/// Memory encryption is active.
attr CC_ATTR_MEM_ENCRYPT;

/// Guest memory is encrypted.
attr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;

/// Private device MMIO is required.
attr CC_ATTR_PRIVATE_MMIO_REQUIRED implies CC_ATTR_GUEST_MEM_ENCRYPT;

/// Locked and accepted.
capability TDISP_RUN;

/// The MSI-X BAR.
capability MSIX_BAR;

/// A guest that requires private MMIO.
platform connect {
    sets CC_ATTR_PRIVATE_MMIO_REQUIRED;
}

/// A guest.
platform guest {
    sets CC_ATTR_GUEST_MEM_ENCRYPT;
}

/// A BAR.
device bar {
    probed;
}

map bar refuse when CC_ATTR_PRIVATE_MMIO_REQUIRED && !TDISP_RUN && !MSIX_BAR;
map bar decrypted when CC_ATTR_GUEST_MEM_ENCRYPT && MSIX_BAR;
map bar encrypted when CC_ATTR_GUEST_MEM_ENCRYPT && TDISP_RUN;
map bar decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;
"#;

#[test]
fn a_probed_rule_change_names_the_capabilities() {
    let head = PROBED.replace(
        "map bar encrypted when CC_ATTR_GUEST_MEM_ENCRYPT && TDISP_RUN;",
        "map bar decrypted when CC_ATTR_GUEST_MEM_ENCRYPT && TDISP_RUN;",
    );
    let p = Pair::new(PROBED, &head);
    let r = p.review();
    let changed: Vec<&Change> = r.of_kind(DECISION_CHANGED).collect();
    assert_eq!(changed.len(), 2, "one per platform: {changed:#?}");
    for c in &changed {
        assert_eq!(c.subject, "bar");
        let w = c.witness.as_ref().unwrap();
        assert_eq!(w.caps.as_deref(), Some(&["TDISP_RUN".to_string()][..]));
        assert_eq!(
            (w.before, w.after),
            (Decision::Encrypted, Decision::Decrypted)
        );
        assert!(
            c.message.contains("when the device reports TDISP_RUN"),
            "{}",
            c.message
        );
        check_witness(&p, c);
    }
    none(&r, REFUSAL_DROPPED);
    assert!(
        !r.fails(Some(Class::Breaking)),
        "a behaviour change passes the default"
    );
    let text = ccattr_review::report::text(
        &r,
        ccattr_review::report::Sources {
            base: &p.b.source,
            head: &p.h.source,
        },
    );
    assert!(
        text.contains("witness: caps [TDISP_RUN] on connect"),
        "{text}"
    );
}

#[test]
fn refusal_dropped_is_its_own_class_and_fails_by_default() {
    // Without the refuse rule, a BAR that is not accepted is mapped shared.
    let head = PROBED.replace(
        "map bar refuse when CC_ATTR_PRIVATE_MMIO_REQUIRED && !TDISP_RUN && !MSIX_BAR;\n",
        "",
    );
    let p = Pair::new(PROBED, &head);
    let r = p.review();
    let c = one(&r, REFUSAL_DROPPED);
    assert_eq!(c.class, Class::FailOpen);
    assert!(Class::FailOpen > Class::Breaking);
    let w = c.witness.as_ref().unwrap();
    assert_eq!(w.platform.as_deref(), Some("connect"));
    assert_eq!(w.caps.as_deref(), Some(&[][..]), "no capability reported");
    assert_eq!(
        (w.before, w.after),
        (Decision::Refused, Decision::Decrypted)
    );
    check_witness(&p, c);
    none(&r, DECISION_CHANGED);
    // `--fail-on breaking` is the default: a dropped refusal fails it, and every
    // threshold but `never`.
    for t in Class::ALL {
        assert!(r.fails(Some(t)), "{t:?}");
    }
    assert!(!r.fails(None));
    assert_eq!(Class::parse("fail-open"), Some(Class::FailOpen));
    // Turning a refusal into another refusal, or refusing more, is not failing open.
    let more = PROBED.replace("&& !TDISP_RUN && !MSIX_BAR", "&& !TDISP_RUN");
    let r = Pair::new(PROBED, &more).review();
    none(&r, REFUSAL_DROPPED);
    assert!(r.of_kind(DECISION_CHANGED).count() > 0);
}

#[test]
fn refusal_dropped_on_addresses_and_off_platform() {
    // A fixed device: refused on `connect` before, left to `default` after.
    let base = PROBED.replace(
        "/// A BAR.",
        "/// A window.\ndevice win {\n    mmio 0x1000 size 4K;\n}\n\nmap win refuse when CC_ATTR_PRIVATE_MMIO_REQUIRED;\nmap win decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n\n/// A BAR.",
    );
    let head = base.replace("map win refuse when CC_ATTR_PRIVATE_MMIO_REQUIRED;\n", "");
    let p = Pair::new(&base, &head);
    let r = p.review();
    let c = one(&r, REFUSAL_DROPPED);
    let w = c.witness.as_ref().unwrap();
    assert_eq!(
        (c.subject.as_str(), w.addr, w.caps.as_ref()),
        ("win", 0x1000, None)
    );
    check_witness(&p, c);
    // Without the `connect` platform, only a set no declared platform has refuses.
    let drop_connect = |t: &str| {
        t.replace(
            "/// A guest that requires private MMIO.\nplatform connect {\n    sets CC_ATTR_PRIVATE_MMIO_REQUIRED;\n}\n",
            "",
        )
    };
    let p = Pair::new(&drop_connect(&base), &drop_connect(&head));
    let r = p.review();
    none(&r, REFUSAL_DROPPED);
    let off: Vec<&Change> = r.of_kind(REFUSAL_DROPPED_OFF_PLATFORM).collect();
    assert!(!off.is_empty(), "{:#?}", r.changes);
    for c in off {
        assert_eq!(c.class, Class::FailOpen);
        let w = c.witness.as_ref().unwrap();
        assert_eq!(w.reported, ["CC_ATTR_PRIVATE_MMIO_REQUIRED"]);
        assert_eq!(w.before, Decision::Refused);
        check_witness(&p, c);
    }
    assert!(r.fails(Some(Class::Breaking)));
}

#[test]
fn decision_changed_off_platform_with_a_witness() {
    // The rule now also needs GUEST_MEM_ENCRYPT: the same on both platforms, but not
    // when platform code reports ACCESS_IOAPIC_ENCRYPTED alone.
    let head = BASE.replace(
        "map ioapic encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;",
        "map ioapic encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED && CC_ATTR_GUEST_MEM_ENCRYPT;",
    );
    let p = Pair::new(BASE, &head);
    let r = p.review();
    none(&r, DECISION_CHANGED);
    let c = one(&r, DECISION_CHANGED_OFF_PLATFORM);
    assert_eq!(c.class, Class::Behaviour);
    let w = c.witness.as_ref().expect("witness");
    assert_eq!(w.reported, ["CC_ATTR_ACCESS_IOAPIC_ENCRYPTED"]);
    assert_eq!(
        (w.addr, w.before, w.after),
        (0xFEC0_0000, Decision::Encrypted, Decision::Unspecified)
    );
    check_witness(&p, c);
}

#[test]
fn new_lint_findings_only() {
    // BASE already has no findings; HEAD adds an unused attribute and keeps the rest.
    let head = format!("{BASE}/// Unused.\nattr CC_ATTR_UNUSED_THING;\n");
    let r = changes(&head);
    let c = one(&r, "UNUSED_ATTRIBUTE");
    assert_eq!(
        (c.class, c.subject.as_str()),
        (Class::Naming, "CC_ATTR_UNUSED_THING")
    );
    assert!(c.finding.is_some());
    assert!(r.fails(Some(Class::Naming)) && !r.fails(Some(Class::Behaviour)));
    // The same finding in both versions is not new, also across a rename.
    let base = format!("{BASE}/// Unused.\nattr CC_ATTR_UNUSED_THING;\n");
    let renamed = format!(
        "{BASE}/// Unused.\nattr CC_ATTR_UNUSED_OTHER {{ formerly CC_ATTR_UNUSED_THING; }}\n"
    );
    let r = Pair::new(&base, &renamed).review();
    none(&r, "UNUSED_ATTRIBUTE");
    one(&r, ATTR_RENAMED);
}

#[test]
fn former_name_reused_is_breaking() {
    // The alias EMULATED_IOAPIC moves from ACCESS_IOAPIC_ENCRYPTED to a new attribute.
    let head = BASE.replace(
        "attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED {\n    formerly CC_ATTR_EMULATED_IOAPIC;\n}",
        "attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;\n\n/// Other.\nattr CC_ATTR_OTHER { formerly CC_ATTR_EMULATED_IOAPIC; }",
    ).replace("sets CC_ATTR_GUEST_MEM_ENCRYPT;", "sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_OTHER;");
    let r = changes(&head);
    let c = one(&r, "FORMER_NAME_REUSED");
    assert_eq!(c.class, Class::Breaking);
    none(&r, ATTR_ALIAS_REMOVED);
}

#[test]
fn every_kind_is_tested() {
    let me = include_str!("kinds.rs");
    for k in KINDS {
        assert!(
            me.contains(&format!("{}),", k.info.id)) || me.contains(&format!("{})", k.info.id)),
            "no test for {}",
            k.info.id
        );
    }
}

#[test]
fn every_kind_is_documented() {
    let docs = include_str!("../../docs/review.md");
    for k in KINDS {
        assert!(
            docs.contains(&format!("| `{}` |", k.info.id)),
            "docs/review.md does not list {}",
            k.info.id
        );
    }
}

/// A spec with `n` base attributes named `prefix0...`, all read by one rule.
fn wide_spec(prefix: &str, n: usize) -> String {
    let mut s = String::from("spec wide;\n");
    for i in 0..n {
        s.push_str(&format!("attr {prefix}{i};\n"));
    }
    s.push_str("platform p {}\ndevice d { mmio 0x1000 size 4K; }\n");
    let any: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
    s.push_str(&format!("map d encrypted when {};\n", any.join(" || ")));
    s
}

#[test]
fn wide_specs_stay_bounded_and_say_so() {
    // 128 influencing attributes across the two versions (none shared): too many to
    // try every set, so single attributes and pairs are tried.
    let p = Pair::new(&wide_spec("A", 64), &wide_spec("B", 64));
    let started = std::time::Instant::now();
    let r = p.review();
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
    assert!(!r.exhaustive);
    // Reporting A0 alone: encrypted before, unspecified after.
    let c = r
        .of_kind(DECISION_CHANGED_OFF_PLATFORM)
        .find(|c| {
            c.witness
                .as_ref()
                .is_some_and(|w| w.before == Decision::Encrypted)
        })
        .expect("a change");
    assert_eq!(c.witness.as_ref().map(|w| w.reported.len()), Some(1));
    check_witness(&p, c);
    let text = ccattr_review::report::text(
        &r,
        ccattr_review::report::Sources {
            base: &p.b.source,
            head: &p.h.source,
        },
    );
    assert!(text.contains("only small sets"), "{text}");
}
