//! `ccattr review` end to end: the Markdown of each step of the 2023 history as a
//! snapshot, `--fail-on` exit codes, every format, and `--base-rev` against git.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../lint/tests/support/sarif_schema.rs"]
mod sarif_schema;

const HISTORY: [&str; 6] = [
    "v1_has_paravisor.ccattr",
    "v2_emulated_ioapic.ccattr",
    "v3_access_ioapic_encrypted.ccattr",
    "v4_paravisor_split_address_space.ccattr",
    "v5_access_ioapic_and_access_tpm_encrypted.ccattr",
    "v6_access_ioapic_and_tpm_encrypted.ccattr",
];

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
    let mut args = vec!["review", HISTORY[step], HISTORY[step + 1]];
    args.extend(extra);
    ccattr(&args)
}

fn markdown(step: usize) -> String {
    let o = review(step, &["--format", "markdown", "--fail-on", "never"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o)
}

#[test]
fn history_v1_to_v2() {
    insta::assert_snapshot!("history_v1_to_v2", markdown(0));
}

#[test]
fn history_v2_to_v3() {
    insta::assert_snapshot!("history_v2_to_v3", markdown(1));
}

#[test]
fn history_v3_to_v4() {
    insta::assert_snapshot!("history_v3_to_v4", markdown(2));
}

#[test]
fn history_v4_to_v5() {
    insta::assert_snapshot!("history_v4_to_v5", markdown(3));
}

#[test]
fn history_v5_to_v6() {
    insta::assert_snapshot!("history_v5_to_v6", markdown(4));
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

#[test]
fn history_names_renames_removals_and_behaviour() {
    let k = kinds(0);
    assert!(
        has(&k, "ATTR_RENAMED", "info") && has(&k, "DECISION_CHANGED", "behaviour"),
        "{k:?}"
    );
    assert!(has(&k, "NAMING_FORBIDDEN_WORD", "naming"), "{k:?}");
    assert_eq!(kinds(1).iter().filter(|(_, c)| c != "info").count(), 0);
    let k = kinds(2);
    assert!(
        has(&k, "ATTR_REMOVED", "breaking") && has(&k, "FORMER_NAME_REUSED", "breaking"),
        "{k:?}"
    );
    // A refactor to derived attributes and a merge by `formerly` change no decision.
    assert!(!kinds(3)
        .iter()
        .any(|(_, c)| c == "behaviour" || c == "breaking"));
    let k = kinds(4);
    assert!(
        has(&k, "NAMING_TWO_SUBJECTS", "naming") && !k.iter().any(|(_, c)| c == "behaviour"),
        "{k:?}"
    );
}

#[test]
fn json_witness_of_the_dropped_tpm_rule() {
    let doc = json(&review(0, &["--format", "json"]));
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
        (Some("encrypted"), Some("decrypted"))
    );
    assert_eq!(c["witness"]["address"], "0xfed40000");
    assert_eq!(c["head"]["line"], 49);
    // The witness is true: explain agrees on both versions.
    for (spec, want) in [(HISTORY[0], "encrypted"), (HISTORY[1], "decrypted")] {
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
    // v1 -> v2: behaviour and naming, nothing breaking.
    assert_eq!(code(&review(0, &[])), 0);
    assert_eq!(code(&review(0, &["--fail-on", "breaking"])), 0);
    assert_eq!(code(&review(0, &["--fail-on", "behaviour"])), 1);
    assert_eq!(code(&review(0, &["--fail-on", "behavior"])), 1);
    assert_eq!(code(&review(0, &["--fail-on", "naming"])), 1);
    // v2 -> v3: info only.
    assert_eq!(code(&review(1, &["--fail-on", "naming"])), 0);
    // v3 -> v4: breaking, which fails by default.
    assert_eq!(code(&review(2, &[])), 1);
    assert_eq!(code(&review(2, &["--fail-on", "never"])), 0);
    // v5 -> v6: a new naming finding only.
    assert_eq!(code(&review(4, &["--fail-on", "naming"])), 1);
    assert_eq!(code(&review(4, &["--fail-on", "behaviour"])), 0);
    // An unknown class is a usage error.
    assert_eq!(code(&review(0, &["--fail-on", "everything"])), 2);
}

#[test]
fn text_format() {
    let o = review(2, &[]);
    let out = stdout(&o);
    assert!(out.starts_with("ccattr review: v3_access_ioapic_encrypted.ccattr -> v4_paravisor_split_address_space.ccattr\n2 breaking, 4 behaviour, 1 naming, 4 info\n"), "{out}");
    assert!(
        out.contains("[ATTR_REMOVED] `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED` was removed"),
        "{out}"
    );
    assert!(
        out.contains("possible rename to `CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE`?"),
        "{out}"
    );
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
    let out = stdout(&review(2, &["--format", "github", "--fail-on", "never"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11, "{out}");
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
        removed.starts_with("::error file=v4_paravisor_split_address_space.ccattr,line=7,"),
        "{removed}"
    );
    assert!(
        removed.contains("was at v3_access_ioapic_encrypted.ccattr:23"),
        "{removed}"
    );
}

#[test]
fn sarif_format_matches_the_schema() {
    for step in 0..5 {
        let doc = json(&review(step, &["--format", "sarif", "--fail-on", "never"]));
        sarif_schema::validate(&doc);
        let results = doc["runs"][0]["results"].as_array().map_or(0, Vec::len);
        let changes = json(&review(step, &["--format", "json", "--fail-on", "never"]))["changes"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(results, changes);
    }
    let doc = json(&review(2, &["--format", "sarif", "--fail-on", "never"]));
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
    std::fs::copy(history_dir().join(HISTORY[2]), &spec).expect("copy");
    git(repo.path(), &["add", "specs/hyperv.ccattr"]);
    git(repo.path(), &["commit", "-q", "-m", "v3"]);
    std::fs::copy(history_dir().join(HISTORY[3]), &spec).expect("copy");

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
    let files = json(&review(2, &["--format", "json"]));
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
    // A new spec is linted only: v3 has no findings.
    std::fs::copy(history_dir().join(HISTORY[2]), &spec).expect("copy");
    git(repo.path(), &["add", "hyperv.ccattr"]);
    let o = run_hook();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    git(repo.path(), &["commit", "-q", "-m", "v3"]);
    // Staging v4 (breaking against v3) fails the hook.
    std::fs::copy(history_dir().join(HISTORY[3]), &spec).expect("copy");
    git(repo.path(), &["add", "hyperv.ccattr"]);
    let o = run_hook();
    assert_eq!(code(&o), 1);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("ATTR_REMOVED"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // What counts is the index: with v3 staged again, the work tree's v4 is ignored.
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
