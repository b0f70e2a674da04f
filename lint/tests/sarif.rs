//! SARIF output against the SARIF 2.1.0 JSON schema, and through serde-sarif's types.

use ccattr_lint::sarif::lint_log;
use ccattr_lint::{lint, Input, RULES};
use ccattr_test_support::checked;
use serde_json::Value;

#[path = "support/sarif_schema.rs"]
mod sarif_schema;
use sarif_schema::{validate, validator};

const SPEC: &str = r#"spec t;
naming { prefix = "CC_ATTR_"; forbid_words = ["HAS"]; require_doc = true; }
/// Paravisor.
attr CC_ATTR_HAS_PARAVISOR;
// ccattr: allow(UNUSED_ATTRIBUTE) because kept for old code
/// Unused.
attr CC_ATTR_UNUSED;
/// P.
platform p { sets CC_ATTR_HAS_PARAVISOR; }
/// D.
device d { mmio 0x1000 size 0x10; }
map d encrypted when CC_ATTR_HAS_PARAVISOR;
"#;

fn log() -> Value {
    let spec = checked("specs/t.ccattr", SPEC);
    let findings = lint(&Input::new(&spec));
    lint_log(&[(&spec.source, findings.as_slice())])
}

#[test]
fn lint_sarif_matches_the_schema() {
    validate(&log());
}

#[test]
fn lint_sarif_parses_as_serde_sarif() {
    let sarif: serde_sarif::sarif::Sarif =
        serde_json::from_value(log()).expect("serde-sarif reads it");
    assert_eq!(sarif.runs.len(), 1);
}

#[test]
fn every_rule_has_metadata_and_help() {
    let doc = log();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules.len(), RULES.len());
    for (r, info) in rules.iter().zip(RULES) {
        assert_eq!(r["id"], info.id);
        assert!(
            !r["help"]["text"].as_str().unwrap_or("").is_empty(),
            "{}",
            info.id
        );
        assert!(
            !r["shortDescription"]["text"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "{}",
            info.id
        );
    }
}

#[test]
fn results_name_rules_locations_and_suppressions() {
    let doc = log();
    let results = doc["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<&str> = results
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(
        ids.contains(&"NAMING_FORBIDDEN_WORD") && ids.contains(&"REGION_UNALIGNED"),
        "{ids:?}"
    );
    let forbidden = results
        .iter()
        .find(|r| r["ruleId"] == "NAMING_FORBIDDEN_WORD")
        .cloned()
        .unwrap_or_default();
    let loc = &forbidden["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "specs/t.ccattr");
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 14);
    let idx = forbidden["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
    assert_eq!(RULES.get(idx).map(|r| r.id), Some("NAMING_FORBIDDEN_WORD"));
    let unused = results
        .iter()
        .find(|r| r["ruleId"] == "UNUSED_ATTRIBUTE")
        .cloned()
        .unwrap_or_default();
    assert_eq!(unused["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        unused["suppressions"][0]["justification"],
        "kept for old code"
    );
}

#[test]
fn the_schema_rejects_a_broken_log() {
    // The validator is not vacuous: a result without a message is invalid.
    let mut doc = log();
    doc["runs"][0]["results"][0]
        .as_object_mut()
        .map(|o| o.remove("message"));
    assert!(!validator().is_valid(&doc));
}
