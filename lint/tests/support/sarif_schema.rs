//! The SARIF 2.1.0 JSON schema (the copy serde-sarif ships, in tests/data) as a
//! validator, shared by the lint and review tests.

use serde_json::Value;

/// The schema's `language` patterns have a stray `]` (`...{2}]?$`) that draft-07's
/// `regex` format rejects; they are replaced with the pattern the OASIS errata meant.
/// ccattr writes no `language`, so this changes nothing that is checked.
const BROKEN_PATTERN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
const FIXED_PATTERN: &str = r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#;

pub fn validator() -> jsonschema::Validator {
    let text = include_str!("../data/sarif-schema-2.1.0.json");
    assert!(text.contains(BROKEN_PATTERN), "the schema changed");
    let schema: Value = serde_json::from_str(&text.replace(BROKEN_PATTERN, FIXED_PATTERN))
        .expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// Panic with every schema violation of `doc`.
pub fn validate(doc: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the schema:\n{}\n{doc:#}",
        errors.join("\n")
    );
}
