//! `ccattr review` end to end: the Markdown of each step of the 2023 history as a
//! snapshot, the history's labels, `--fail-on` exit codes, every format, and
//! `--base-rev` against git.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../lint/tests/support/sarif_schema.rs"]
mod sarif_schema;

/// The steps of the 2023 thread (docs/review.md, "The 2023 history as an example"), in
/// the thread's order: posted versions, the options of one review mail, the names
/// proposed and accepted in review, and what landed.
const HISTORY: [&str; 10] = [
    "01_v1_v2_has_paravisor.ccattr",
    "02_v3_emulated_ioapic.ccattr",
    "03_v4_access_ioapic_encrypted.ccattr",
    "04_v5_access_ioapic_encrypted.ccattr",
    "05_option1_paravisor_split_address_space.ccattr",
    "06_option2_access_ioapic_and_access_tpm_encrypted.ccattr",
    "07_option3_access_ioapic_and_tpm_encrypted.ccattr",
    "08_proposed_paravisor_devices.ccattr",
    "09_accepted_paravisor.ccattr",
    "10_v6_is_private_mmio.ccattr",
];

/// The reviews of the history, as (base, head) in `HISTORY`: each posted version
/// against the one before, each option of the 2023-02-02 mail against v5 (the
/// version it answers), the proposed name against option 1 (which it shortens), the
/// accepted name against the proposed one, and v6 against the accepted name.
const STEPS: [(usize, usize); 9] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 4),
    (3, 5),
    (3, 6),
    (4, 7),
    (7, 8),
    (8, 9),
];

/// Indices into `STEPS`.
const V1_V2_TO_V3: usize = 0;
const V3_TO_V4: usize = 1;
const V4_TO_V5: usize = 2;
const V5_TO_OPTION1: usize = 3;
const V5_TO_OPTION2: usize = 4;
const V5_TO_OPTION3: usize = 5;
const OPTION1_TO_PROPOSED: usize = 6;
const PROPOSED_TO_ACCEPTED: usize = 7;
const ACCEPTED_TO_V6: usize = 8;

fn history_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/history")
}

/// Run ccattr in examples/history, so file names in the output are short and stable.
fn ccattr(args: &[&str]) -> Output {
    ccattr_in(&history_dir(), args)
}

fn ccattr_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccattr"));
    cmd.current_dir(dir).args(args);
    ccattr_test_support::run(&mut cmd, None, std::time::Duration::from_secs(60))
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

fn review(step: usize, extra: &[&str]) -> Output {
    let (base, head) = STEPS[step];
    let mut args = vec!["review", HISTORY[base], HISTORY[head]];
    args.extend(extra);
    ccattr(&args)
}

fn markdown(step: usize) -> String {
    let o = review(step, &["--format", "markdown", "--fail-on", "never"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

#[test]
fn history_v1_v2_to_v3() {
    insta::assert_snapshot!("history_v1_v2_to_v3", markdown(V1_V2_TO_V3));
}

#[test]
fn history_v3_to_v4() {
    insta::assert_snapshot!("history_v3_to_v4", markdown(V3_TO_V4));
}

#[test]
fn history_v4_to_v5() {
    insta::assert_snapshot!("history_v4_to_v5", markdown(V4_TO_V5));
}

#[test]
fn history_v5_to_option1() {
    insta::assert_snapshot!("history_v5_to_option1", markdown(V5_TO_OPTION1));
}

#[test]
fn history_v5_to_option2() {
    insta::assert_snapshot!("history_v5_to_option2", markdown(V5_TO_OPTION2));
}

#[test]
fn history_v5_to_option3() {
    insta::assert_snapshot!("history_v5_to_option3", markdown(V5_TO_OPTION3));
}

#[test]
fn history_option1_to_proposed() {
    insta::assert_snapshot!("history_option1_to_proposed", markdown(OPTION1_TO_PROPOSED));
}

#[test]
fn history_proposed_to_accepted() {
    insta::assert_snapshot!(
        "history_proposed_to_accepted",
        markdown(PROPOSED_TO_ACCEPTED)
    );
}

#[test]
fn history_accepted_to_v6() {
    insta::assert_snapshot!("history_accepted_to_v6", markdown(ACCEPTED_TO_V6));
}

/// The file names say what each step was: a posted version (`vN`), an option of the
/// review mail, or a name proposed or accepted in review; and each spec's doc says
/// the same, and that its attributes were never the kernel's.
#[test]
fn history_files_are_labelled_truthfully() {
    let mut files: Vec<String> = std::fs::read_dir(history_dir())
        .expect("examples/history")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ccattr"))
        .collect();
    files.sort();
    assert_eq!(files, HISTORY);
    let label = |file: &str| {
        let text = std::fs::read_to_string(history_dir().join(file)).expect("read");
        text.lines()
            .take_while(|l| l.starts_with("///"))
            .map(|l| l.trim_start_matches('/').trim())
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (file, says) in [
        (HISTORY[0], "posted versions v1 and v2"),
        (HISTORY[1], "posted version v3"),
        (HISTORY[2], "posted version v4"),
        (HISTORY[3], "posted version v5"),
        (HISTORY[4], "option 1 of three in the review mail of 2023-02-02 (an option, not a posted version)"),
        (HISTORY[5], "option 2 of three in the review mail of 2023-02-02 (an option, not a posted version)"),
        (HISTORY[6], "option 3 of three in the review mail of 2023-02-02 (an option, not a posted version)"),
        (HISTORY[7], "the name proposed after the options (2023-02-07, not a posted version)"),
        (HISTORY[8], "the name accepted in review (2023, not a posted version)"),
        (HISTORY[9], "posted version v6 of the 2023 patch series, the one that landed in v6.4 (commit 88e378d400fa"),
    ] {
        assert!(label(file).contains(says), "{file}: {}", label(file));
    }
    // Options and review names are never labelled as posted versions.
    for file in &HISTORY[4..9] {
        assert!(!label(file).contains("posted version v"), "{file}");
    }
    // Every attribute the kernel never had says so; the landed form has none.
    let kernel = ["CC_ATTR_MEM_ENCRYPT", "CC_ATTR_GUEST_MEM_ENCRYPT"];
    for file in HISTORY {
        let text = std::fs::read_to_string(history_dir().join(file)).expect("read");
        let table = ccattr_codegen::compile(file, text.as_bytes())
            .expect("the step checks")
            .table;
        for a in table
            .attrs
            .iter()
            .filter(|a| !kernel.contains(&a.name.as_str()))
        {
            assert!(
                a.doc.iter().any(|l| l.starts_with("Never in the kernel")),
                "{file}: {} has no \"Never in the kernel\" line",
                a.name
            );
        }
        let names: Vec<&str> = table.attrs.iter().map(|a| a.name.as_str()).collect();
        if file == HISTORY[9] {
            assert_eq!(names, kernel, "v6 adds no attribute");
        }
    }
}

/// (kind, class) of every change of a step, from the JSON output.
fn kinds(step: usize) -> Vec<(String, String)> {
    let o = review(step, &["--format", "json", "--fail-on", "never"]);
    json(&o)["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or("").to_string(),
                c["class"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(kinds: &[(String, String)], kind: &str, class: &str) -> bool {
    kinds.iter().any(|(k, c)| k == kind && c == class)
}

fn classes(kinds: &[(String, String)]) -> Vec<&str> {
    let mut c: Vec<&str> = kinds.iter().map(|(_, c)| c.as_str()).collect();
    c.sort();
    c.dedup();
    c
}

#[test]
fn history_names_renames_removals_and_behaviour() {
    // v1-v2 -> v3: a rename, the vendor code now reports CC_ATTR_MEM_ENCRYPT, and a
    // forbidden word.
    let k = kinds(V1_V2_TO_V3);
    assert!(
        has(&k, "ATTR_RENAMED", "info") && has(&k, "PLATFORM_CHANGED", "info"),
        "{k:?}"
    );
    assert!(has(&k, "NAMING_FORBIDDEN_WORD", "naming"), "{k:?}");
    assert_eq!(classes(&k), ["info", "naming"], "{k:?}");
    // v3 -> v4: a rename, nothing else.
    assert_eq!(classes(&kinds(V3_TO_V4)), ["info"]);
    // v4 -> v5: the vTPM range maps the vTPM page encrypted.
    let k = kinds(V4_TO_V5);
    assert!(
        has(&k, "DECISION_CHANGED", "behaviour") && has(&k, "RULE_ADDED", "info"),
        "{k:?}"
    );
    assert_eq!(classes(&k), ["behaviour", "info"], "{k:?}");
    // Option 1, written as a return to the v1-v2 name: breaking.
    let k = kinds(V5_TO_OPTION1);
    assert!(
        has(&k, "ATTR_REMOVED", "breaking") && has(&k, "FORMER_NAME_REUSED", "breaking"),
        "{k:?}"
    );
    assert!(has(&k, "NAMING_MECHANISM", "naming"), "{k:?}");
    // Options 2 and 3 change no decision on a declared platform.
    for step in [V5_TO_OPTION2, V5_TO_OPTION3] {
        let k = kinds(step);
        assert!(!has(&k, "DECISION_CHANGED", "behaviour"), "{k:?}");
        assert!(!k.iter().any(|(_, c)| c == "breaking"), "{k:?}");
    }
    assert!(has(&kinds(V5_TO_OPTION2), "ATTR_ADDED", "info"));
    assert!(has(&kinds(V5_TO_OPTION3), "NAMING_TWO_SUBJECTS", "naming"));
    // The shorter names are renames through `formerly`.
    for step in [OPTION1_TO_PROPOSED, PROPOSED_TO_ACCEPTED] {
        let k = kinds(step);
        assert!(has(&k, "ATTR_RENAMED", "info"), "{k:?}");
        assert_eq!(classes(&k), ["info"], "{k:?}");
    }
    // v6: the attribute is gone (code that named it no longer compiles), and no
    // declared platform decides differently.
    let k = kinds(ACCEPTED_TO_V6);
    assert!(has(&k, "ATTR_REMOVED", "breaking"), "{k:?}");
    assert!(!has(&k, "DECISION_CHANGED", "behaviour"), "{k:?}");
    assert!(
        has(&k, "DECISION_CHANGED_OFF_PLATFORM", "behaviour"),
        "keying on CC_ATTR_GUEST_MEM_ENCRYPT reaches every encrypted guest: {k:?}"
    );
}

#[test]
fn json_witness_of_the_vtpm_range() {
    let doc = json(&review(V4_TO_V5, &["--format", "json"]));
    assert_eq!(doc["summary"]["behaviour"], 2);
    assert_eq!(doc["summary"]["breaking"], 0);
    let c = doc["changes"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["kind"] == "DECISION_CHANGED").cloned())
        .expect("a decision change");
    assert_eq!(c["cell"]["device"], "tpm");
    assert_eq!(c["cell"]["platform"], "hyperv_vtom_paravisor");
    assert_eq!(
        (c["cell"]["before"].as_str(), c["cell"]["after"].as_str()),
        (Some("decrypted"), Some("encrypted"))
    );
    assert_eq!(c["witness"]["address"], "0xfed40000");
    assert_eq!(c["head"]["line"], 45);
    // The witness is true: explain agrees on both versions.
    for (spec, want) in [(HISTORY[2], "decrypted"), (HISTORY[3], "encrypted")] {
        let o = ccattr(&[
            "explain",
            spec,
            "0xFED40000",
            "--platform",
            "hyperv_vtom_paravisor",
            "--format",
            "json",
        ]);
        assert_eq!(json(&o)["decision"], want);
    }
}

#[test]
fn fail_on_exit_codes() {
    // v1-v2 -> v3: naming, nothing breaking and no behaviour.
    assert_eq!(code(&review(V1_V2_TO_V3, &[])), 0);
    assert_eq!(code(&review(V1_V2_TO_V3, &["--fail-on", "breaking"])), 0);
    assert_eq!(code(&review(V1_V2_TO_V3, &["--fail-on", "behaviour"])), 0);
    assert_eq!(code(&review(V1_V2_TO_V3, &["--fail-on", "naming"])), 1);
    // v3 -> v4: info only.
    assert_eq!(code(&review(V3_TO_V4, &["--fail-on", "naming"])), 0);
    // v4 -> v5: behaviour.
    assert_eq!(code(&review(V4_TO_V5, &[])), 0);
    assert_eq!(code(&review(V4_TO_V5, &["--fail-on", "behaviour"])), 1);
    assert_eq!(code(&review(V4_TO_V5, &["--fail-on", "behavior"])), 1);
    // v5 -> option 1: breaking, which fails by default.
    assert_eq!(code(&review(V5_TO_OPTION1, &[])), 1);
    assert_eq!(code(&review(V5_TO_OPTION1, &["--fail-on", "never"])), 0);
    // proposed -> accepted: info only, whatever fails.
    assert_eq!(
        code(&review(PROPOSED_TO_ACCEPTED, &["--fail-on", "naming"])),
        0
    );
    // accepted -> v6: breaking.
    assert_eq!(code(&review(ACCEPTED_TO_V6, &[])), 1);
    // An unknown class is a usage error.
    assert_eq!(code(&review(V1_V2_TO_V3, &["--fail-on", "everything"])), 2);
}

#[test]
fn text_format() {
    let o = review(V5_TO_OPTION1, &[]);
    let out = stdout(&o);
    assert!(out.starts_with("ccattr review: 04_v5_access_ioapic_encrypted.ccattr -> 05_option1_paravisor_split_address_space.ccattr\n2 breaking, 6 behaviour, 1 naming, 4 info\n"), "{out}");
    assert!(
        out.contains("[ATTR_REMOVED] `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED` was removed"),
        "{out}"
    );
    assert!(
        out.contains("possible rename to `CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE`?"),
        "{out}"
    );
    assert!(
        out.contains("witness: 0xFED40000 when platform code reports CC_ATTR_GUEST_MEM_ENCRYPT"),
        "{out}"
    );
    let out = stdout(&review(V4_TO_V5, &[]));
    assert!(
        out.contains("witness: 0xFED40000 on hyperv_vtom_paravisor"),
        "{out}"
    );
    let same = ccattr(&["review", HISTORY[0], HISTORY[0]]);
    assert!(stdout(&same).contains("no changes"));
    assert_eq!(code(&same), 0);
}

#[test]
fn github_format() {
    let out = stdout(&review(
        V5_TO_OPTION1,
        &["--format", "github", "--fail-on", "never"],
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13, "{out}");
    assert!(
        lines.iter().all(|l| l.starts_with("::error file=")
            || l.starts_with("::warning file=")
            || l.starts_with("::notice file=")),
        "{out}"
    );
    // A removal is shown on HEAD's spec line and says where it was.
    let removed = lines
        .iter()
        .find(|l| l.contains("title=ATTR_REMOVED"))
        .expect("removal");
    assert!(
        removed
            .starts_with("::error file=05_option1_paravisor_split_address_space.ccattr,line=12,"),
        "{removed}"
    );
    assert!(
        removed.contains("was at 04_v5_access_ioapic_encrypted.ccattr:27"),
        "{removed}"
    );
}

#[test]
fn sarif_format_matches_the_schema() {
    for step in 0..STEPS.len() {
        let doc = json(&review(step, &["--format", "sarif", "--fail-on", "never"]));
        sarif_schema::validate(&doc);
        let results = doc["runs"][0]["results"].as_array().map_or(0, Vec::len);
        let changes = json(&review(step, &["--format", "json", "--fail-on", "never"]))["changes"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(results, changes);
    }
    let doc = json(&review(
        V5_TO_OPTION1,
        &["--format", "sarif", "--fail-on", "never"],
    ));
    let levels: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["level"].as_str())
        .collect();
    assert!(
        levels.contains(&"error") && levels.contains(&"note"),
        "{levels:?}"
    );
}

#[test]
fn spec_errors_and_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.ccattr");
    std::fs::write(&bad, "spec t;\nmap nowhere encrypted;\n").expect("write");
    let good = history_dir().join(HISTORY[0]);
    let o = ccattr(&[
        "review",
        good.to_str().unwrap_or(""),
        bad.to_str().unwrap_or(""),
    ]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("E0110"));
    assert_eq!(code(&ccattr(&["review", HISTORY[0]])), 2);
    assert_eq!(code(&ccattr(&["review", HISTORY[0], "missing.ccattr"])), 2);
    assert_eq!(
        code(&ccattr(&["review", HISTORY[0], HISTORY[1], HISTORY[2]])),
        2
    );
    assert_eq!(
        code(&ccattr(&[
            "review",
            "--base-rev",
            "HEAD",
            HISTORY[0],
            HISTORY[1]
        ])),
        2
    );
    assert_eq!(
        code(&ccattr(&[
            "review", HISTORY[0], HISTORY[1], "--format", "text", "--format", "markdown"
        ])),
        2
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=ccattr",
            "-c",
            "user.email=ccattr@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn base_rev_reads_the_base_from_git() {
    let repo = tempfile::tempdir().expect("tempdir");
    let specs = repo.path().join("specs");
    std::fs::create_dir(&specs).expect("mkdir");
    let spec = specs.join("hyperv.ccattr");
    git(repo.path(), &["init", "-q"]);
    std::fs::copy(history_dir().join(HISTORY[3]), &spec).expect("copy");
    git(repo.path(), &["add", "specs/hyperv.ccattr"]);
    git(repo.path(), &["commit", "-q", "-m", "v5"]);
    std::fs::copy(history_dir().join(HISTORY[4]), &spec).expect("copy");

    // From outside the repository, with a path into a subdirectory.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let path = spec.to_str().expect("UTF-8");
    let o = ccattr_in(
        elsewhere.path(),
        &["review", "--base-rev", "HEAD", "--format", "json", path],
    );
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let doc = json(&o);
    assert_eq!(doc["base"], format!("HEAD:{path}"));
    assert_eq!(doc["summary"]["breaking"], 2);
    // The same as reviewing the two files.
    let files = json(&review(V5_TO_OPTION1, &["--format", "json"]));
    assert_eq!(doc["summary"], files["summary"]);

    // From inside the subdirectory, with a relative path.
    let o = ccattr_in(
        &specs,
        &[
            "review",
            "--base-rev",
            "HEAD",
            "--fail-on",
            "never",
            "hyperv.ccattr",
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).starts_with("ccattr review: HEAD:hyperv.ccattr -> hyperv.ccattr"),
        "{}",
        stdout(&o)
    );

    // A revision or path git does not know is a failure to read BASE.
    let o = ccattr_in(
        &specs,
        &["review", "--base-rev", "no-such-rev", "hyperv.ccattr"],
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("cannot read hyperv.ccattr at revision no-such-rev"));
    std::fs::copy(&spec, specs.join("new.ccattr")).expect("copy");
    assert_eq!(
        code(&ccattr_in(
            &specs,
            &["review", "--base-rev", "HEAD", "new.ccattr"]
        )),
        2
    );
    assert_eq!(
        code(&ccattr_in(
            &specs,
            &["review", "--base-rev=--output=x", "hyperv.ccattr"]
        )),
        2
    );
}

/// A policy and the attribute file it includes, in a git repository.
const POLICY: &str = "spec policy;\ninclude \"attrs/common.ccattr\";\n\
platform guest {\n    sets CC_ATTR_GUEST_MEM_ENCRYPT;\n}\n\
device ioapic {\n    mmio 0xFEC00000 size 0x1000;\n}\n\
map ioapic encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;\n\
default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n";
const COMMON: &str = "naming {\n    prefix = \"CC_ATTR_\";\n}\n\
attr CC_ATTR_MEM_ENCRYPT;\n\
attr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n\
attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED = CC_ATTR_MEM_ENCRYPT;\n";

/// review compares whole included sets: a change made only in the included file is
/// found, placed in that file, both between two checkouts and against a revision
/// (which reads the included file as it was at that revision).
#[test]
fn review_compares_the_included_files_too() {
    let repo = tempfile::tempdir().expect("tempdir");
    let specs = repo.path().join("specs");
    std::fs::create_dir_all(specs.join("attrs")).expect("mkdir");
    std::fs::write(specs.join("policy.ccattr"), POLICY).expect("write");
    std::fs::write(specs.join("attrs/common.ccattr"), COMMON).expect("write");
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "specs"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    // A copy of the base, for reviewing two checkouts.
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(base.path().join("attrs")).expect("mkdir");
    std::fs::write(base.path().join("policy.ccattr"), POLICY).expect("write");
    std::fs::write(base.path().join("attrs/common.ccattr"), COMMON).expect("write");
    // HEAD changes only the included file: the IO-APIC's attribute no longer holds on
    // the guest.
    let changed = COMMON.replace(
        "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED = CC_ATTR_MEM_ENCRYPT",
        "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED = CC_ATTR_MEM_ENCRYPT && !CC_ATTR_GUEST_MEM_ENCRYPT",
    );
    assert_ne!(changed, COMMON);
    std::fs::write(specs.join("attrs/common.ccattr"), &changed).expect("write");

    let review_rev = || {
        ccattr_in(
            &specs,
            &[
                "review",
                "--base-rev",
                "HEAD",
                "--format",
                "json",
                "policy.ccattr",
            ],
        )
    };
    let against_rev = review_rev();
    let b = base.path().join("policy.ccattr");
    let two_files = ccattr_in(
        &specs,
        &[
            "review",
            b.to_str().unwrap(),
            "policy.ccattr",
            "--format",
            "json",
        ],
    );
    for o in [&against_rev, &two_files] {
        assert_eq!(code(o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        let doc = json(o);
        assert_eq!(doc["summary"]["behaviour"], 1, "{doc:#}");
        let changes = doc["changes"].as_array().expect("changes");
        let ioapic = changes
            .iter()
            .find(|c| c["message"].as_str().is_some_and(|m| m.contains("ioapic")))
            .unwrap_or_else(|| panic!("no change names the ioapic: {doc:#}"));
        assert!(
            ioapic["message"]
                .as_str()
                .unwrap()
                .contains("encrypted -> decrypted"),
            "{ioapic:#}"
        );
        // The derivation that changed is placed where it is written.
        let derived = changes
            .iter()
            .find(|c| c["kind"] == "ATTR_DEFINITION_CHANGED")
            .unwrap_or_else(|| panic!("no derivation change: {doc:#}"));
        assert_eq!(
            derived["head"]["file"], "attrs/common.ccattr",
            "{derived:#}"
        );
        assert_eq!(derived["head"]["line"], 6, "{derived:#}");
    }
    // The included file at the revision, not as it is now: the same answer as the
    // two checkouts.
    assert_eq!(json(&against_rev)["summary"], json(&two_files)["summary"]);
    // Nothing to report once the working file is the revision's again.
    std::fs::write(specs.join("attrs/common.ccattr"), COMMON).expect("write");
    let o = review_rev();
    assert_eq!(
        json(&o)["changes"].as_array().map(Vec::len),
        Some(0),
        "{}",
        stdout(&o)
    );
}

#[test]
fn pre_commit_hook_checks_what_is_staged() {
    let repo = tempfile::tempdir().expect("tempdir");
    let hook = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ci/pre-commit");
    let spec = repo.path().join("hyperv.ccattr");
    let run_hook = || {
        Command::new("bash")
            .arg(&hook)
            .current_dir(repo.path())
            .env("CCATTR", env!("CARGO_BIN_EXE_ccattr"))
            .output()
            .expect("bash runs")
    };
    git(repo.path(), &["init", "-q"]);
    // A new spec is linted only: v5 has no findings.
    std::fs::copy(history_dir().join(HISTORY[3]), &spec).expect("copy");
    git(repo.path(), &["add", "hyperv.ccattr"]);
    let o = run_hook();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    git(repo.path(), &["commit", "-q", "-m", "v5"]);
    // Staging option 1 (breaking against v5) fails the hook.
    std::fs::copy(history_dir().join(HISTORY[4]), &spec).expect("copy");
    git(repo.path(), &["add", "hyperv.ccattr"]);
    let o = run_hook();
    assert_eq!(code(&o), 1);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("ATTR_REMOVED"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // What counts is the index: with v5 staged again, the work tree's option 1 is
    // ignored.
    git(repo.path(), &["reset", "-q", "hyperv.ccattr"]);
    let o = run_hook();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

/// examples/tdisp.ccattr with its `refuse` rule dropped: a BAR of a function the
/// guest has not accepted would be mapped shared on TDX Connect.
#[test]
fn a_dropped_refusal_fails_the_default_review() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = root.join("examples/tdisp.ccattr");
    let text = std::fs::read_to_string(&base).expect("tdisp example");
    let refuse = text
        .lines()
        .find(|l| l.starts_with("map pci_bar refuse"))
        .expect("the example refuses");
    let dir = tempfile::tempdir().expect("tempdir");
    let head = dir.path().join("tdisp.ccattr");
    std::fs::write(&head, text.replace(&format!("{refuse}\n"), "")).expect("write");
    // With the file the example includes beside it.
    std::fs::create_dir(dir.path().join("attrs")).expect("mkdir");
    std::fs::copy(
        root.join("examples/attrs/linux_mainline.ccattr"),
        dir.path().join("attrs/linux_mainline.ccattr"),
    )
    .expect("copy the included file");
    let (b, h) = (base.to_str().unwrap(), head.to_str().unwrap());
    let o = ccattr(&["review", b, h]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("\n1 fail-open, 0 breaking, 0 behaviour"),
        "{out}"
    );
    assert!(out.contains("fail-open:\n  [REFUSAL_DROPPED] `pci_bar` on `tdx_connect_guest`: refused -> decrypted"), "{out}");
    assert!(
        out.contains("witness: no capabilities on tdx_connect_guest"),
        "{out}"
    );
    assert_eq!(
        code(&ccattr(&["review", b, h, "--fail-on", "fail-open"])),
        1
    );
    assert_eq!(code(&ccattr(&["review", b, h, "--fail-on", "never"])), 0);
    let j = json(&ccattr(&["review", b, h, "--format", "json"]));
    assert_eq!(j["summary"]["fail-open"], 1);
    let c = j["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "REFUSAL_DROPPED")
        .expect("the dropped refusal");
    assert_eq!(c["class"], "fail-open");
    assert_eq!(c["witness"]["address"], Value::Null);
    assert_eq!(c["witness"]["caps"], serde_json::json!([]));
    // The reverse adds a refusal: a behaviour change, which the default passes.
    let o = ccattr(&["review", h, b]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stdout(&o)
            .contains("[DECISION_CHANGED] `pci_bar` on `tdx_connect_guest`: decrypted -> refused"),
        "{}",
        stdout(&o)
    );
}
