//! Differential testing: for every example and for random valid specs, the generated
//! C, the generated Rust, the JSON table read back, `explain` and the reference
//! evaluator (docs/language.md's four steps ("Meaning"), straight over the checked model) agree on
//! every query, and on every probed device (version 2) under every capability
//! subset. Zero disagreements.
//!
//! `c_rust_json_explain_and_reference_agree` runs with every `cargo test`: the
//! examples and a dozen small random specs, 100,000 queries each. `at_scale` is the
//! large run of scripts/differential.sh: `CCATTR_DIFF_QUERIES` queries (ten million
//! unless set) over fresh random specs of every shape, from `CCATTR_DIFF_SEED`.

mod diff_harness;
mod support;

use diff_harness::{build_harnesses, check, example_cases, random_cases, small_random_cases};
use std::time::Instant;

const QUERIES_PER_SPEC: usize = 100_000;
const RANDOM_SPECS: u64 = 12;
/// Queries per spec that also go through the `ccattr explain` command.
const CLI_QUERIES_PER_SPEC: usize = 4;

#[test]
fn c_rust_json_explain_and_reference_agree() {
    if !support::have("gcc") || !support::have("rustc") {
        return;
    }
    let mut cases = example_cases();
    cases.extend(small_random_cases(RANDOM_SPECS));
    // Large enough for the searched layout of the generated lookups (more than
    // SCAN_MAX_RUNS runs); the examples and most small specs are scanned.
    let scale =
        ccattr_test_support::synth::scale_spec(&ccattr_test_support::synth::ScaleParams::new(60));
    cases.push(diff_harness::Case::new("scale_60.ccattr", scale.text));
    // Large enough for the compact JSON table (format version 3, more than
    // COMPACT_RULE_SETS rule sets), which the harness reads back.
    let compact =
        ccattr_test_support::synth::scale_spec(&ccattr_test_support::synth::ScaleParams::new(400));
    let compact = diff_harness::Case::new("scale_400.ccattr", compact.text);
    assert!(compact.spec.table.rule_sets.len() > ccattr_codegen::json::COMPACT_RULE_SETS);
    assert!(
        compact
            .file(".json")
            .contents
            .contains("\n  \"version\": 3,\n"),
        "the compact form"
    );
    cases.push(compact);
    let harnesses = build_harnesses(&cases);
    let report = check(
        &cases,
        &harnesses,
        QUERIES_PER_SPEC,
        CLI_QUERIES_PER_SPEC,
        0,
    );
    assert_eq!(report.queries, (QUERIES_PER_SPEC * cases.len()) as u64);
    assert!(report.explained > report.queries / 4, "{report:?}");
    assert_eq!(
        report.cli_explained,
        (CLI_QUERIES_PER_SPEC * cases.len()) as u64
    );
    // Probed devices (version 2): the tdisp example and the random specs that have
    // them, every capability subset under every platform and random sets.
    let with_probed = cases
        .iter()
        .filter(|c| c.spec.table.probed_devices().next().is_some())
        .count();
    assert!(
        with_probed >= 2,
        "the example and a random spec have probed devices"
    );
    assert!(report.probed > 0 && report.cli_probed > 0, "{report:?}");
}

/// Queries per random spec in the at-scale run.
const SCALE_QUERIES_PER_SPEC: u64 = 50_000;

#[test]
#[ignore = "the at-scale run: scripts/differential.sh"]
fn at_scale() {
    if !support::have("gcc") || !support::have("rustc") {
        return;
    }
    let env = |name: &str, default: u64| {
        std::env::var(name).ok().map_or(default, |v| {
            ccattr_core::parse_u64(&v).unwrap_or_else(|| panic!("{name}={v} is not a number"))
        })
    };
    let total = env("CCATTR_DIFF_QUERIES", 10_000_000);
    let seed = env("CCATTR_DIFF_SEED", 0x5CA1_ED1F);
    let specs = total.div_ceil(SCALE_QUERIES_PER_SPEC).clamp(1, 400) as usize;
    let per_spec = total.div_ceil(specs as u64) as usize;
    let start = Instant::now();
    let cases = random_cases(seed, specs);
    let harnesses = build_harnesses(&cases);
    let built = start.elapsed();
    let report = check(&cases, &harnesses, per_spec, 2, seed);
    assert!(report.queries >= total, "{report:?}");
    println!(
        "differential: {} queries over {} random specs (seed {seed:#x}): C, Rust, JSON table, table and reference agree on all; \
         explain on {}; `ccattr explain` on {}; {} base sets closed alike; {} probed-device queries ({} through `ccattr explain --device`); \
         harnesses built in {:.1?}, queries checked in {:.1?}",
        report.queries,
        report.specs,
        report.explained,
        report.cli_explained,
        report.closes,
        report.probed,
        report.cli_probed,
        built,
        start.elapsed() - built
    );
}
