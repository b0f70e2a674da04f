//! `ccattr lint` end to end: the history's findings, every format, and exit codes.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

#[path = "../lint/tests/support/sarif_schema.rs"]
mod sarif_schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn history(file: &str) -> PathBuf {
    root().join("examples/history").join(file)
}

fn ccattr(args: &[&str]) -> Output {
    let ccattr = env!("CARGO_BIN_EXE_ccattr");
    ccattr_test_support::run(
        Command::new(ccattr).args(args),
        None,
        Duration::from_secs(60),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// (rule, line) of every finding `lint --format json` reports.
fn findings(spec: &Path) -> Vec<(String, u64)> {
    let o = ccattr(&["lint", "--format", "json", s(spec)]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    json(&o)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn rules(spec: &Path) -> Vec<String> {
    findings(spec).into_iter().map(|f| f.0).collect()
}

fn temp_spec(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let p = dir.path().join("t.ccattr");
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn history_v1_v2_has_is_a_forbidden_word() {
    let f = findings(&history("01_v1_v2_has_paravisor.ccattr"));
    assert!(f.iter().any(|(r, _)| r == "NAMING_FORBIDDEN_WORD"), "{f:?}");
    let o = ccattr(&["lint", s(&history("01_v1_v2_has_paravisor.ccattr"))]);
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(
        text.contains("warning[NAMING_FORBIDDEN_WORD]: attribute `CC_ATTR_HAS_PARAVISOR` contains the forbidden word `HAS`"),
        "{text}"
    );
    assert!(text.contains("warning[NAMING_MECHANISM]"), "{text}");
}

#[test]
fn history_v3_emulated_is_forbidden_and_the_tpm_suppression_holds() {
    let spec = history("02_v3_emulated_ioapic.ccattr");
    let r = rules(&spec);
    assert!(r.contains(&"NAMING_FORBIDDEN_WORD".to_string()), "{r:?}");
    assert!(!r.contains(&"DEVICE_WITHOUT_RULE".to_string()), "{r:?}");
    let o = ccattr(&["lint", "--format", "json", s(&spec)]);
    let suppressed = json(&o)["suppressed"].clone();
    assert_eq!(suppressed[0]["code"], "DEVICE_WITHOUT_RULE");
    assert_eq!(
        suppressed[0]["reason"],
        "this version does not map the vTPM encrypted"
    );
}

#[test]
fn history_v4_v5_option2_and_v6_are_clean() {
    for file in [
        "03_v4_access_ioapic_encrypted.ccattr",
        "04_v5_access_ioapic_encrypted.ccattr",
        "06_option2_access_ioapic_and_access_tpm_encrypted.ccattr",
        "10_v6_is_private_mmio.ccattr",
    ] {
        assert_eq!(findings(&history(file)), [], "{file}");
    }
}

/// v1-v2's vendor code does not report CC_ATTR_MEM_ENCRYPT: the unused attribute is
/// suppressed with that reason.
#[test]
fn history_v1_v2_suppresses_the_unreported_mem_encrypt() {
    let o = ccattr(&[
        "lint",
        "--format",
        "json",
        s(&history("01_v1_v2_has_paravisor.ccattr")),
    ]);
    let suppressed = json(&o)["suppressed"].clone();
    assert!(
        suppressed.as_array().is_some_and(|s| s.iter().any(|x| {
            x["code"] == "UNUSED_ATTRIBUTE"
                && x["reason"] == "the Hyper-V vendor code of this version does not report it"
        })),
        "{suppressed:#}"
    );
}

#[test]
fn history_paravisor_names_read_a_mechanism() {
    for file in [
        "05_option1_paravisor_split_address_space.ccattr",
        "08_proposed_paravisor_devices.ccattr",
        "09_accepted_paravisor.ccattr",
    ] {
        assert_eq!(rules(&history(file)), ["NAMING_MECHANISM"], "{file}");
    }
}

#[test]
fn history_option3_the_narrow_and_name_is_flagged() {
    let f = findings(&history(
        "07_option3_access_ioapic_and_tpm_encrypted.ccattr",
    ));
    assert_eq!(f, [("NAMING_TWO_SUBJECTS".to_string(), 25)]);
}

#[test]
fn every_example_lints_without_failing() {
    for dir in ["examples", "examples/history"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("examples") {
            let p = entry.expect("entry").path();
            if p.extension().is_some_and(|e| e == "ccattr") {
                let o = ccattr(&["lint", "--format", "json", s(&p)]);
                assert_eq!(
                    code(&o),
                    0,
                    "{}: {}",
                    p.display(),
                    String::from_utf8_lossy(&o.stderr)
                );
                assert!(json(&o)["diagnostics"].is_array());
            }
        }
    }
}

#[test]
fn github_format_annotates_each_finding() {
    let o = ccattr(&[
        "lint",
        "--format",
        "github",
        s(&history("01_v1_v2_has_paravisor.ccattr")),
    ]);
    assert_eq!(code(&o), 0);
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines.iter().all(|l| l.starts_with("::warning file=")),
        "{out}"
    );
    assert!(out.contains(",title=NAMING_FORBIDDEN_WORD::"), "{out}");
    assert!(
        out.contains("line=31,col=14,endLine=31,endColumn=17,"),
        "{out}"
    );
}

#[test]
fn sarif_format_matches_the_schema() {
    let specs = [
        history("01_v1_v2_has_paravisor.ccattr"),
        history("02_v3_emulated_ioapic.ccattr"),
    ];
    let o = ccattr(&["lint", "--format", "sarif", s(&specs[0]), s(&specs[1])]);
    assert_eq!(code(&o), 0);
    let doc = json(&o);
    sarif_schema::validate(&doc);
    let results = doc["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // v1-v2: two findings and two suppressed; v3: two findings and one suppressed.
    assert_eq!(results.len(), 7, "{doc:#}");
    assert_eq!(
        results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .count(),
        3
    );
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(rules, ccattr_lint_rule_count());
}

/// The number of rules in docs/lints.md's catalogue table.
fn ccattr_lint_rule_count() -> usize {
    let docs = std::fs::read_to_string(root().join("docs/lints.md")).expect("docs");
    docs.lines().filter(|l| l.starts_with("| [`")).count()
}

const SPEC: &str =
    "/// T.\nspec t;\nnaming { prefix = \"CC_ATTR_\"; LEVEL }\n/// Unused.\nattr CC_ATTR_UNUSED;\n";

#[test]
fn fail_on_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let warn = temp_spec(&dir, &SPEC.replace("LEVEL", ""));
    // A warning: passes by default and with `never`, fails with `warning`.
    assert_eq!(code(&ccattr(&["lint", s(&warn)])), 0);
    assert_eq!(
        code(&ccattr(&["lint", "--fail-on", "warning", s(&warn)])),
        1
    );
    assert_eq!(code(&ccattr(&["lint", "--fail-on", "never", s(&warn)])), 0);
    // Denied: fails by default, not with `never`.
    let deny = temp_spec(
        &dir,
        &SPEC.replace("LEVEL", "deny = [\"UNUSED_ATTRIBUTE\"];"),
    );
    let o = ccattr(&["lint", s(&deny)]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[UNUSED_ATTRIBUTE]"));
    assert_eq!(code(&ccattr(&["lint", "--fail-on", "never", s(&deny)])), 0);
    // Allowed: nothing to fail on.
    let allow = temp_spec(
        &dir,
        &SPEC.replace("LEVEL", "allow = [\"UNUSED_ATTRIBUTE\"];"),
    );
    assert_eq!(
        code(&ccattr(&["lint", "--fail-on", "warning", s(&allow)])),
        0
    );
}

#[test]
fn spec_errors_and_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = temp_spec(&dir, "spec t;\nmap nowhere encrypted;\n");
    let o = ccattr(&["lint", s(&bad)]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("E0110"));
    let o = ccattr(&["lint", "--format", "json", s(&bad)]);
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["diagnostics"][0]["code"], "E0110");
    assert_eq!(
        code(&ccattr(&["lint", s(&dir.path().join("missing.ccattr"))])),
        2
    );
    let ok = history("03_v4_access_ioapic_encrypted.ccattr");
    assert_eq!(code(&ccattr(&["lint", "--format", "markdown", s(&ok)])), 2);
    assert_eq!(
        code(&ccattr(&["lint", "--fail-on", "sometimes", s(&ok)])),
        2
    );
    assert_eq!(code(&ccattr(&["lint"])), 2);
}
