//! `include` through the command line: every diagnostic format names the file of the
//! cause, explain and matrix cite FILE:LINE, `build --depfile` lists every file read,
//! the generated files are the same bytes from any directory and any checkout path,
//! a FIFO or device is refused as an include (it never blocks), `fmt` follows no
//! include, and `lint` reports a finding of a shared file once.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const CCATTR: &str = env!("CARGO_BIN_EXE_ccattr");

fn ccattr_in(dir: &Path, args: &[&str]) -> Output {
    support::run(
        Command::new(CCATTR).args(args).current_dir(dir),
        None,
        Duration::from_secs(60),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ATTRS: &str = "naming {\n    prefix = \"CC_ATTR_\";\n}\n\n\
/// Memory is encrypted.\nattr CC_ATTR_MEM_ENCRYPT;\n\n\
/// The guest's memory is encrypted.\nattr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n";

const POLICY: &str = "/// A policy.\nspec policy;\n\ninclude \"attrs/common.ccattr\";\n\n\
/// A guest.\nplatform guest {\n    sets CC_ATTR_GUEST_MEM_ENCRYPT;\n}\n\n\
/// The IO-APIC.\ndevice ioapic {\n    mmio 0xFEC00000 size 0x1000;\n}\n\n\
map ioapic decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n";

/// `policy.ccattr` including `attrs/common.ccattr`, in `dir/specs`.
fn project(dir: &Path, policy: &str, attrs: &str) -> PathBuf {
    let specs = dir.join("specs");
    std::fs::create_dir_all(specs.join("attrs")).expect("mkdir");
    std::fs::write(specs.join("policy.ccattr"), policy).expect("write");
    std::fs::write(specs.join("attrs/common.ccattr"), attrs).expect("write");
    specs
}

#[test]
fn diagnostics_in_every_format_name_the_included_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = ATTRS.replace("implies CC_ATTR_MEM_ENCRYPT", "implies CC_ATTR_MEM_ENCRPYT");
    project(dir.path(), POLICY, &broken);
    let spec = "specs/policy.ccattr";
    let o = ccattr_in(dir.path(), &["check", spec]);
    assert_eq!(o.status.code(), Some(1));
    let text = stderr(&o);
    assert!(text.contains("error[E0105]"), "{text}");
    assert!(text.contains("specs/attrs/common.ccattr:9:"), "{text}");

    let o = ccattr_in(dir.path(), &["check", spec, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E0105");
    assert_eq!(d["file"], "specs/attrs/common.ccattr");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(40))
    );

    let o = ccattr_in(dir.path(), &["check", spec, "--format", "github"]);
    assert!(
        stdout(&o).contains("::error file=specs/attrs/common.ccattr,line=9,col=40,"),
        "{}",
        stdout(&o)
    );

    // SARIF (lint): the finding's artifact is the included file.
    let fixed = ATTRS.replace("/// Memory is encrypted.\n", "");
    project(dir.path(), POLICY, &fixed);
    let toml = "naming {\n    prefix = \"CC_ATTR_\";\n    require_doc = true;\n}";
    let strict = fixed.replace("naming {\n    prefix = \"CC_ATTR_\";\n}", toml);
    project(dir.path(), POLICY, &strict);
    let o = ccattr_in(dir.path(), &["lint", spec, "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("SARIF");
    let results = v["runs"][0]["results"].as_array().expect("results");
    let missing_doc = results
        .iter()
        .find(|r| r["ruleId"] == "NAMING_MISSING_DOC")
        .unwrap_or_else(|| panic!("{v:#}"));
    let location = &missing_doc["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "specs/attrs/common.ccattr"
    );
    assert_eq!(location["region"]["startLine"], 6);
}

#[test]
fn explain_and_matrix_cite_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = project(dir.path(), POLICY, ATTRS);
    let o = ccattr_in(
        &specs,
        &[
            "explain",
            "policy.ccattr",
            "0xFEC00000",
            "--platform",
            "guest",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("in device ioapic [0xfec00000, 0xfec00fff] (policy.ccattr:13)"),
        "{text}"
    );
    assert!(
        text.contains("policy.ccattr:16: map ioapic decrypted"),
        "{text}"
    );

    // A rule in the included file.
    let moved = POLICY.replace("map ioapic decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n", "");
    let attrs = format!("{ATTRS}\nmap ioapic decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n");
    let specs = project(dir.path(), &moved, &attrs);
    let o = ccattr_in(
        &specs,
        &[
            "explain",
            "policy.ccattr",
            "0xFEC00000",
            "--platform",
            "guest",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let rule = v["trace"]
        .as_array()
        .expect("trace")
        .iter()
        .find(|s| s["step"] == "rule")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(rule["file"], "attrs/common.ccattr");
    assert_eq!(rule["line"], 11);
    let o = ccattr_in(
        &specs,
        &[
            "explain",
            "policy.ccattr",
            "0xFEC00000",
            "--platform",
            "guest",
        ],
    );
    assert!(
        stdout(&o).contains("attrs/common.ccattr:11: map ioapic"),
        "{}",
        stdout(&o)
    );

    let o = ccattr_in(&specs, &["matrix", "policy.ccattr", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["rows"][0]["device"], "ioapic");
    assert_eq!(v["rows"][0]["file"], "policy.ccattr");
    assert_eq!(v["rows"][0]["line"], 12);
}

#[test]
fn the_depfile_lists_every_file_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), POLICY, ATTRS);
    let build = |more: &[&str]| {
        let mut args = vec!["build", "specs/policy.ccattr", "--out-dir", "out"];
        args.extend(["--depfile", "out/policy.d"]);
        args.extend(more);
        let o = ccattr_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read_to_string(dir.path().join("out/policy.d")).expect("depfile")
    };
    assert_eq!(
        build(&[]),
        "out/policy.h out/policy.rs out/policy.json: specs/policy.ccattr specs/attrs/common.ccattr\n\
         \nspecs/attrs/common.ccattr:\n"
    );
    let dep = build(&["--depfile-target", "out/.policy.stamp"]);
    assert!(
        dep.starts_with("out/.policy.stamp: specs/policy.ccattr specs/attrs/common.ccattr\n"),
        "{dep}"
    );
}

#[test]
fn outputs_are_the_same_from_any_directory_and_checkout() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let specs_a = project(a.path(), POLICY, ATTRS);
    // The second checkout sits deeper, under another name.
    let deep = b.path().join("some/other/checkout");
    let specs_b = project(&deep, POLICY, ATTRS);
    let runs: [(&Path, String); 4] = [
        (a.path(), "specs/policy.ccattr".into()),
        (&specs_a, "policy.ccattr".into()),
        (
            b.path(),
            specs_b.join("policy.ccattr").display().to_string(),
        ),
        (&specs_b.join("attrs"), "../policy.ccattr".into()),
    ];
    let mut outputs: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    for (i, (cwd, spec)) in runs.iter().enumerate() {
        let out = a.path().join(format!("out{i}"));
        let o = ccattr_in(cwd, &["build", spec, "--out-dir", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .expect("out")
            .map(|e| {
                let p = e.expect("entry").path();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        for (name, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            for root in [a.path(), b.path()] {
                let root = root.to_string_lossy();
                assert!(!text.contains(root.as_ref()), "{name} names {root}");
            }
        }
        outputs.push(files);
    }
    assert_eq!(outputs[0].len(), 3);
    for o in &outputs[1..] {
        assert_eq!(o, &outputs[0]);
    }
    // The table names the files relative to the root's folder.
    let json = String::from_utf8_lossy(&outputs[0][1].1).into_owned();
    assert!(outputs[0][1].0.ends_with(".json"));
    assert!(
        json.contains(
            "\"files\": [\n      \"policy.ccattr\",\n      \"attrs/common.ccattr\"\n    ]"
        ),
        "{json}"
    );
}

#[cfg(unix)]
#[test]
fn an_include_that_is_not_a_regular_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = project(dir.path(), POLICY, ATTRS);
    let fifo = specs.join("attrs/fifo.ccattr");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    for target in [
        "attrs/fifo.ccattr",
        "../../../../../../../../dev/zero",
        "attrs",
    ] {
        let policy = POLICY.replace("attrs/common.ccattr", target);
        std::fs::write(specs.join("policy.ccattr"), &policy).expect("write");
        // The time limit of `run` catches a read that blocks.
        let o = ccattr_in(&specs, &["check", "policy.ccattr"]);
        assert_eq!(o.status.code(), Some(1), "{target}: {}", stderr(&o));
        let text = stderr(&o);
        assert!(text.contains("error[E0130]"), "{target}: {text}");
        assert!(text.contains("policy.ccattr:4:1"), "{target}: {text}");
        assert!(
            text.contains("not a regular file") || text.contains("a directory"),
            "{target}: {text}"
        );
    }
}

#[test]
fn fmt_formats_the_files_given_and_follows_no_include() {
    let dir = tempfile::tempdir().expect("tempdir");
    let untidy = ATTRS.replace("attr CC_ATTR_MEM_ENCRYPT;", "attr   CC_ATTR_MEM_ENCRYPT ;");
    let policy = POLICY.replace(
        "include \"attrs/common.ccattr\";",
        "include   \"attrs/common.ccattr\"  ;",
    );
    let specs = project(dir.path(), &policy, &untidy);
    let o = ccattr_in(&specs, &["fmt", "policy.ccattr"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let formatted = std::fs::read_to_string(specs.join("policy.ccattr")).unwrap();
    assert!(
        formatted.contains("\ninclude \"attrs/common.ccattr\";\n"),
        "{formatted}"
    );
    assert_eq!(
        std::fs::read_to_string(specs.join("attrs/common.ccattr")).unwrap(),
        untidy,
        "the included file is not touched"
    );
    // Given by name, the included file is formatted on its own (no `spec` line
    // needed to format).
    let o = ccattr_in(&specs, &["fmt", "attrs/common.ccattr"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(specs.join("attrs/common.ccattr")).unwrap(),
        ATTRS
    );
}

#[test]
fn lint_reports_a_finding_of_a_shared_file_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An attribute name the naming rules refuse, in the shared file.
    let attrs = ATTRS.replace(
        "attr CC_ATTR_GUEST_MEM_ENCRYPT implies",
        "attr CC_ATTR_HAS_GUEST_MEM_ENCRYPT implies",
    );
    let attrs = attrs.replace(
        "prefix = \"CC_ATTR_\";",
        "prefix = \"CC_ATTR_\";\n    forbid_words = [\"HAS\"];",
    );
    // And one more, whose finding a suppression in that file covers.
    let attrs = format!(
        "{attrs}\n// ccattr: allow(NAMING_FORBIDDEN_WORD) because the name is the kernel's\n\
         /// Kept.\nattr CC_ATTR_HAS_KEPT implies CC_ATTR_MEM_ENCRYPT;\n"
    );
    let policy = POLICY.replace("CC_ATTR_GUEST_MEM_ENCRYPT", "CC_ATTR_HAS_GUEST_MEM_ENCRYPT");
    let specs = project(dir.path(), &policy, &attrs);
    std::fs::write(
        specs.join("other.ccattr"),
        policy.replace("spec policy;", "spec other;"),
    )
    .expect("write");
    let o = ccattr_in(
        &specs,
        &["lint", "policy.ccattr", "other.ccattr", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let forbidden: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "NAMING_FORBIDDEN_WORD")
        .collect();
    assert_eq!(forbidden.len(), 1, "{v:#}");
    assert_eq!(forbidden[0]["file"], "attrs/common.ccattr");
    assert!(forbidden[0]["message"]
        .as_str()
        .unwrap()
        .contains("CC_ATTR_HAS_GUEST_MEM_ENCRYPT"));
    let suppressed = v["suppressed"].as_array().expect("suppressed");
    assert!(
        suppressed
            .iter()
            .any(|d| d["code"] == "NAMING_FORBIDDEN_WORD"
                && d["file"] == "attrs/common.ccattr"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("CC_ATTR_HAS_KEPT"))),
        "{v:#}"
    );
    // An attribute of the shared file that this policy does not use is no finding.
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "UNUSED_ATTRIBUTE"),
        "{v:#}"
    );
}
