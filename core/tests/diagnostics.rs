//! Every diagnostic code has a spec that triggers it; each test asserts the code,
//! line and column of the cause.

use ccattr_codegen::compile;
use ccattr_core::compile::{diagnostics, source};
use ccattr_core::Severity;

const HEAD: &str = "spec t;\n";

/// Compile `text` and return (code, line, column, severity) of every diagnostic.
fn diags(text: &str) -> Vec<(String, usize, usize, Severity)> {
    let c = compile("t.ccattr", text.as_bytes());
    let src = source(&c);
    diagnostics(&c)
        .iter()
        .map(|d| {
            let p = src.position(d.span.start);
            (d.code.to_string(), p.line, p.column, d.severity)
        })
        .collect()
}

fn expect(text: &str, code: &str, line: usize, column: usize) {
    let got = diags(text);
    assert!(
        got.iter()
            .any(|(c, l, col, _)| c == code && *l == line && *col == column),
        "expected {code} at {line}:{column}, got {got:?}\nspec:\n{text}"
    );
}

fn load_error(bytes: &[u8]) -> (String, usize, usize) {
    match ccattr_grammar::load("t.ccattr", bytes) {
        Ok(_) => panic!("expected a load error"),
        Err(e) => {
            let p = e.source.position(e.diagnostic.span.start);
            (e.diagnostic.code.to_string(), p.line, p.column)
        }
    }
}

#[test]
fn e0001_invalid_utf8() {
    assert_eq!(load_error(b"spec t;\nattr \xff;\n"), ("E0001".into(), 2, 6));
}

#[test]
fn e0002_nul_byte() {
    expect("spec t;\nattr A\0;\n", "E0002", 2, 7);
}

#[test]
fn e0003_syntax_error() {
    expect("spec t;\nattr A\nplatform p {}\n", "E0003", 3, 1);
}

#[test]
fn e0003_reports_several_syntax_errors() {
    let got = diags("spec t;\nattr ;\nattr B;\nplatform {}\ndevice d { mmio 1; }\n");
    let errors: Vec<_> = got
        .iter()
        .filter(|d| d.0 == "E0003")
        .map(|d| (d.1, d.2))
        .collect();
    assert_eq!(errors, [(2, 6), (4, 10), (5, 18)]);
}

#[test]
fn e0004_integer_past_64_bits() {
    expect(
        "spec t;\ndevice d { mmio 0x1_0000_0000_0000_0000 size 1; }\n",
        "E0004",
        2,
        17,
    );
    expect(
        "spec t;\ndevice d { mmio 0 size 17179869184G; }\n",
        "E0004",
        2,
        24,
    );
}

#[test]
fn e0005_non_ascii_identifier() {
    expect("spec t;\nattr CC_ATTR_CAFÉ;\n", "E0005", 2, 17);
}

#[test]
fn e0006_nesting_too_deep() {
    let deep = format!(
        "spec t;\nattr A;\nattr B = {}A{};\n",
        "(".repeat(300),
        ")".repeat(300)
    );
    expect(&deep, "E0006", 3, 266);
    let nots = format!("spec t;\nattr A;\nattr B = {}A;\n", "!".repeat(300));
    expect(&nots, "E0006", 3, 266);
    // 256 levels are fine.
    let ok = format!(
        "spec t;\nattr A;\nattr B = {}A{};\n",
        "(".repeat(256),
        ")".repeat(256)
    );
    assert!(diags(&ok).is_empty(), "{:?}", diags(&ok));
}

#[test]
fn e0007_file_too_large() {
    let big = vec![b' '; ccattr_grammar::MAX_SOURCE_BYTES + 1];
    assert_eq!(load_error(&big).0, "E0007");
}

#[test]
fn e0101_missing_spec() {
    expect("", "E0101", 1, 1);
    expect("attr A;\nspec t;\n", "E0101", 1, 1);
}

#[test]
fn e0102_second_spec() {
    expect("spec t;\nattr A;\nspec u;\n", "E0102", 3, 1);
}

#[test]
fn e0103_duplicate_declarations() {
    expect("spec t;\nattr A;\nattr A;\n", "E0103", 3, 6);
    expect("spec t;\nplatform p {}\nplatform p {}\n", "E0103", 3, 10);
    expect(
        "spec t;\ndevice d { mmio 0 size 1; }\ndevice d { mmio 8 size 1; }\n",
        "E0103",
        3,
        8,
    );
}

#[test]
fn e0104_former_name_conflicts() {
    expect("spec t;\nattr A;\nattr B { formerly A; }\n", "E0104", 3, 19);
    expect(
        "spec t;\nattr A { formerly X; }\nattr B { formerly X; }\n",
        "E0104",
        3,
        19,
    );
}

#[test]
fn e0105_unknown_attribute_with_suggestion() {
    let text = "spec t;\nattr CC_ATTR_GUEST_MEM_ENCRYPT;\nplatform p { sets CC_ATTR_GUEST_MEM_ENCRPYT; }\n";
    expect(text, "E0105", 3, 19);
    let c = compile("t", text.as_bytes());
    assert_eq!(
        diagnostics(&c)[0].help.as_deref(),
        Some("did you mean `CC_ATTR_GUEST_MEM_ENCRYPT`?")
    );
}

#[test]
fn e0106_former_name_used() {
    let text = "spec t;\nattr NEW { formerly OLD; }\nattr D = OLD;\n";
    expect(text, "E0106", 3, 10);
    let c = compile("t", text.as_bytes());
    assert_eq!(
        diagnostics(&c)[0].help.as_deref(),
        Some("use the current name `NEW`")
    );
}

#[test]
fn e0107_implies_derived() {
    expect(
        "spec t;\nattr A;\nattr D = A;\nattr B implies D;\n",
        "E0107",
        4,
        16,
    );
}

#[test]
fn e0108_platform_sets_derived() {
    expect(
        "spec t;\nattr A;\nattr D = A;\nplatform p { sets A, D; }\n",
        "E0108",
        4,
        22,
    );
}

#[test]
fn e0109_derived_cycle_shows_the_cycle() {
    let text = "spec t;\nattr A = B;\nattr B = C;\nattr C = A;\n";
    expect(text, "E0109", 2, 6);
    let c = compile("t", text.as_bytes());
    let d = &diagnostics(&c)[0];
    assert!(d.message.contains("A -> B -> C -> A"), "{}", d.message);
    assert_eq!(d.secondary.len(), 3);
}

#[test]
fn e0110_unknown_device() {
    expect(
        "spec t;\ndevice ioapic { mmio 0 size 1; }\nmap ioapci encrypted;\n",
        "E0110",
        3,
        5,
    );
}

#[test]
fn e0111_second_naming_block() {
    expect(
        "spec t;\nnaming { prefix = \"A\"; }\nnaming { prefix = \"B\"; }\n",
        "E0111",
        3,
        1,
    );
}

#[test]
fn e0112_unknown_naming_key() {
    expect("spec t;\nnaming { prefxi = \"A\"; }\n", "E0112", 2, 10);
}

#[test]
fn e0113_naming_value_type() {
    expect("spec t;\nnaming { max_length = \"48\"; }\n", "E0113", 2, 23);
    expect(
        "spec t;\nnaming { forbid_words = [\"HAS\", 3]; }\n",
        "E0113",
        2,
        33,
    );
}

#[test]
fn e0114_region_size_zero() {
    expect(
        "spec t;\ndevice d { mmio 0x1000 size 0; }\n",
        "E0114",
        2,
        29,
    );
}

#[test]
fn e0115_region_past_2_64() {
    expect(
        "spec t;\ndevice d { mmio 0xFFFF_FFFF_FFFF_F000 size 0x2000; }\n",
        "E0115",
        2,
        12,
    );
    // Ending exactly at 2^64 is fine.
    assert!(diags("spec t;\ndevice d { mmio 0xFFFF_FFFF_FFFF_F000 size 0x1000; }\n").is_empty());
}

#[test]
fn e0116_regions_of_one_device_overlap() {
    expect(
        "spec t;\ndevice d {\n  mmio 0 size 0x2000;\n  mmio 0x1000 size 0x100;\n}\n",
        "E0116",
        4,
        3,
    );
}

#[test]
fn e0117_partial_overlap() {
    expect(
        "spec t;\ndevice a { mmio 0 size 0x2000; }\ndevice b { mmio 0x1000 size 0x2000; }\n",
        "E0117",
        3,
        12,
    );
}

#[test]
fn e0118_identical_regions() {
    expect(
        "spec t;\ndevice a { mmio 0 size 0x2000; }\ndevice b { mmio 0 size 0x2000; }\n",
        "E0118",
        3,
        12,
    );
}

#[test]
fn e0119_too_many_attributes() {
    let mut text = String::from(HEAD);
    for i in 0..65 {
        text.push_str(&format!("attr A{i};\n"));
    }
    expect(&text, "E0119", 66, 6);
}

#[test]
fn e0120_condition_too_large() {
    // (A0 || A1) && (A2 || A3) && ... 30 times: 2^30 terms.
    let mut text = String::from(HEAD);
    for i in 0..60 {
        text.push_str(&format!("attr A{i};\n"));
    }
    let clauses: Vec<String> = (0..30)
        .map(|i| format!("(A{} || A{})", 2 * i, 2 * i + 1))
        .collect();
    text.push_str(&format!(
        "default encrypted when {};\n",
        clauses.join(" && ")
    ));
    expect(&text, "E0120", 62, 24);
}

#[test]
fn e0121_device_without_region() {
    expect("spec t;\ndevice d {}\n", "E0121", 2, 1);
}

#[test]
fn e0122_naming_key_twice() {
    expect(
        "spec t;\nnaming { prefix = \"A\"; prefix = \"B\"; }\n",
        "E0122",
        2,
        24,
    );
}

#[test]
fn e0123_name_the_c_header_cannot_declare() {
    expect("spec t;\nattr int;\n", "E0123", 2, 6);
    expect("spec t;\nattr A { formerly u64; }\n", "E0123", 2, 19);
    expect("spec t;\nattr A;\nattr base implies A;\n", "E0123", 3, 6);
    expect("spec t;\nattr t_decide;\n", "E0123", 2, 6);
    expect("spec t;\nattr T_PLATFORM_X;\n", "E0123", 2, 6);
    expect("spec t;\nattr __KERNEL__;\n", "E0123", 2, 6);
    let c = compile("t.ccattr", b"spec t;\nattr int;\n");
    let d = diagnostics(&c).iter().find(|d| d.code == "E0123").unwrap();
    assert_eq!(d.label, "it is a C keyword");
    assert!(c.is_err(), "no table for a spec the header cannot declare");
    // Names that only a version 2 header uses are free in a version 1 spec, and
    // reserved once the spec uses a version 2 part.
    for name in ["dev", "caps", "mixed", "T_CAP_X", "t_decide_probed"] {
        let v1 = format!("spec t;\nattr {name};\n");
        assert!(
            !diags(&v1).iter().any(|d| d.0 == "E0123"),
            "{name}: {:?}",
            diags(&v1)
        );
        expect(&format!("{v1}default refuse;\n"), "E0123", 2, 6);
        expect(&format!("{v1}capability RUN;\n"), "E0123", 2, 6);
    }
}

#[test]
fn e0129_kernel_attribute_under_another_prefix() {
    let t = "spec t;\nnaming { prefix = \"X_\"; }\nattr X_A { formerly CC_ATTR_OLD; }\nattr CC_ATTR_B;\n";
    expect(t, "E0129", 3, 21);
    expect(t, "E0129", 4, 6);
    let c = compile("t.ccattr", t.as_bytes());
    let d = diagnostics(&c).iter().find(|d| d.code == "E0129").unwrap();
    let at = source(&c).position(d.secondary[0].span.start);
    assert_eq!(
        (at.line, at.column),
        (2, 19),
        "the second label is the prefix"
    );
    assert!(d.help.as_deref().unwrap().contains("prefix = \"CC_ATTR_\""));
    // The kernel's prefix in any case, or none at all, is the kernel's enum.
    for naming in [
        "",
        "naming { prefix = \"CC_ATTR_\"; }\n",
        "naming { prefix = \"cc_attr_\"; }\n",
    ] {
        let ok = format!("spec t;\n{naming}attr CC_ATTR_B;\nattr OTHER;\n");
        assert!(!diags(&ok).iter().any(|d| d.0 == "E0129"), "{ok}");
    }
}

/// A version 2 spec with a probed device, for the capability diagnostics.
const PROBED: &str = "spec t;\nattr A;\ncapability RUN;\ndevice bar { probed; }\n";

#[test]
fn e0124_capability_named_like_an_attribute() {
    // The name of an attribute, of a former name, or the attribute prefix.
    expect("spec t;\nattr A;\ncapability A;\n", "E0124", 3, 12);
    expect(
        "spec t;\nattr A { formerly OLD; }\ncapability OLD;\n",
        "E0124",
        3,
        12,
    );
    expect("spec t;\ncapability CC_ATTR_RUN;\n", "E0124", 2, 12);
    expect(
        "spec t;\nnaming { prefix = \"ATTR_\"; }\ncapability ATTR_RUN;\n",
        "E0124",
        3,
        12,
    );
    let c = compile(
        "t.ccattr",
        b"spec t;\nattr A { formerly OLD; }\ncapability OLD;\n",
    );
    let d = diagnostics(&c).iter().find(|d| d.code == "E0124").unwrap();
    assert_eq!(
        d.message,
        "capability `OLD` has the name of a former attribute name"
    );
    let at = source(&c).position(d.secondary[0].span.start);
    assert_eq!(
        (at.line, at.column),
        (2, 19),
        "the second label points at the former name"
    );
    assert!(d.help.is_some());
    let c = compile("t.ccattr", b"spec t;\ncapability CC_ATTR_RUN;\n");
    let d = diagnostics(&c).iter().find(|d| d.code == "E0124").unwrap();
    assert_eq!(
        d.help.as_deref(),
        Some("drop the prefix: `capability RUN;`")
    );
    // A capability named like no attribute is fine.
    assert!(
        diags(PROBED).iter().all(|d| d.3 != Severity::Error),
        "{:?}",
        diags(PROBED)
    );
}

#[test]
fn e0125_more_than_32_capabilities() {
    let mut t = String::from("spec t;\n");
    for i in 0..33 {
        t.push_str(&format!("capability C{i};\n"));
    }
    expect(&t, "E0125", 34, 12);
    let got = diags(&t);
    assert_eq!(got.iter().filter(|d| d.0 == "E0125").count(), 1, "{got:?}");
    let at_limit: String = t.lines().take(33).map(|l| format!("{l}\n")).collect();
    assert!(!diags(&at_limit).iter().any(|d| d.0 == "E0125"));
}

#[test]
fn e0126_unknown_capability_with_did_you_mean() {
    expect(
        &format!("{PROBED}map bar encrypted when RUM;\n"),
        "E0126",
        5,
        24,
    );
    let c = compile(
        "t.ccattr",
        format!("{PROBED}map bar encrypted when RUM;\n").as_bytes(),
    );
    let d = diagnostics(&c).iter().find(|d| d.code == "E0126").unwrap();
    assert_eq!(d.help.as_deref(), Some("did you mean `RUN`?"));
}

#[test]
fn e0127_capability_outside_a_probed_device() {
    let fixed = "device d { mmio 0x1000 size 4K; }\n";
    // A fixed device's rule, a default rule, a derived attribute.
    expect(
        &format!("{PROBED}{fixed}map d encrypted when A && RUN;\n"),
        "E0127",
        6,
        27,
    );
    expect(
        &format!("{PROBED}default decrypted when RUN;\n"),
        "E0127",
        5,
        24,
    );
    expect(&format!("{PROBED}attr B = A || RUN;\n"), "E0127", 5, 15);
    let c = compile(
        "t.ccattr",
        format!("{PROBED}default decrypted when RUN;\n").as_bytes(),
    );
    let d = diagnostics(&c).iter().find(|d| d.code == "E0127").unwrap();
    let at = source(&c).position(d.secondary[0].span.start);
    assert_eq!(
        (at.line, at.column),
        (3, 12),
        "the second label is the declaration"
    );
    assert!(d.help.is_some());
    // In a probed device's rule, it is what the device reports.
    let ok = format!("{PROBED}map bar encrypted when A && RUN;\n");
    assert!(
        diags(&ok).iter().all(|d| d.3 != Severity::Error),
        "{:?}",
        diags(&ok)
    );
}

#[test]
fn e0128_device_both_probed_and_fixed() {
    expect(
        "spec t;\ndevice d {\n    mmio 0x1000 size 4K;\n    probed;\n}\n",
        "E0128",
        4,
        5,
    );
    let c = compile(
        "t.ccattr",
        b"spec t;\ndevice d {\n    mmio 0x1000 size 4K;\n    probed;\n}\n",
    );
    let d = diagnostics(&c).iter().find(|d| d.code == "E0128").unwrap();
    let at = source(&c).position(d.secondary[0].span.start);
    assert_eq!(
        (at.line, at.column),
        (3, 5),
        "the second label is the fixed region"
    );
    // Said twice.
    expect("spec t;\ndevice d { probed; probed; }\n", "E0128", 2, 20);
}

#[test]
fn w0001_doc_comment_attached_to_nothing() {
    expect("spec t;\nattr A;\n/// dangling\n", "W0001", 3, 1);
    expect(
        "spec t;\nattr A;\n/// on a rule\ndefault encrypted;\n",
        "W0001",
        3,
        1,
    );
}

#[test]
fn w0002_bidi_control_in_comment() {
    expect("spec t;\n// abc \u{202E} def\nattr A;\n", "W0002", 2, 8);
}

#[test]
fn w0002_control_characters_in_comments_and_strings() {
    expect("spec t;\n// a \u{1b}[2J b\nattr A;\n", "W0002", 2, 6);
    expect(
        "spec t;\nattr A { deprecated \"x\u{7}y\"; }\n",
        "W0002",
        2,
        23,
    );
    // A carriage return warns only without a line feed after it.
    expect(
        "spec t;\n// shown\rmap d decrypted;\nattr A;\n",
        "W0002",
        2,
        9,
    );
    assert!(diags("spec t;\r\n// crlf\r\nattr A;\r\n").is_empty());
}

#[test]
fn w0003_confusable_characters() {
    // Cyrillic С beside ASCII letters, in a comment and in a string.
    expect("spec t;\n// \u{0421}C_ATTR_X\nattr A;\n", "W0003", 2, 4);
    expect(
        "spec t;\nnaming { prefix = \"\u{0421}C_\"; }\n",
        "W0003",
        2,
        20,
    );
    // In a string, a word of confusables alone warns too; in a comment it does not.
    expect(
        "spec t;\nnaming { forbid_words = [\"\u{041D}\u{0410}\u{0405}\"]; }\n",
        "W0003",
        2,
        27,
    );
    assert!(diags("spec t;\n// \u{0441}\u{043E}\u{0440} \u{041F}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442}\nattr A;\n").is_empty());
    // Fullwidth forms.
    expect("spec t;\n// CC_ATTR_\u{FF21}\nattr A;\n", "W0003", 2, 12);
}

#[test]
fn character_diagnostics_stop_at_twenty_per_code() {
    let text = format!(
        "spec t;\n// {}\nattr A{};\n",
        "\u{202E}".repeat(100),
        "\0".repeat(30)
    );
    let c = compile("t", text.as_bytes());
    let count = |code: &str| diagnostics(&c).iter().filter(|d| d.code == code).count();
    assert_eq!((count("W0002"), count("E0002")), (20, 20));
    let last = diagnostics(&c)
        .iter()
        .rfind(|d| d.code == "W0002")
        .expect("W0002");
    assert_eq!(last.notes, ["80 more like this in the spec are not shown"]);
}

#[test]
fn independent_errors_are_all_reported() {
    let text = "spec t;\nattr A;\nattr A;\nplatform p { sets B; }\nmap nodev encrypted;\ndevice d { mmio 0 size 0; }\n";
    let codes: Vec<String> = diags(text).into_iter().map(|d| d.0).collect();
    assert_eq!(codes, ["E0103", "E0105", "E0110", "E0114"]);
}

#[test]
fn warnings_do_not_block_the_table() {
    let c = compile("t", b"spec t;\nattr A;\n/// dangling\n");
    assert_eq!(c.expect("checks").warnings.len(), 1);
}

/// The nesting limit does not depend on the stack: the deepest allowed expression
/// parses on a thread with a small stack, and a deeper one is rejected there too.
#[test]
fn nesting_limit_holds_on_a_small_stack() {
    let run = |depth: usize| {
        let text = format!(
            "spec t;\nattr A;\nattr B = {}A{};\ndefault encrypted when {}!A{};\n",
            "(".repeat(depth),
            ")".repeat(depth),
            "(!".repeat((depth - 2) / 2),
            ")".repeat((depth - 2) / 2)
        );
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || {
                let c = compile("t", text.as_bytes());
                diagnostics(&c).iter().map(|d| d.code).collect::<Vec<_>>()
            })
            .unwrap()
            .join()
            .expect("no stack overflow")
    };
    assert_eq!(run(256), Vec::<&str>::new());
    assert!(run(100_000).contains(&"E0006"));
}
