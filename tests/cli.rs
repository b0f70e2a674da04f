//! The command line, end to end: exit codes, JSON shapes, explain, build's file
//! handling, and hostile input that must end in a clear diagnostic.

use ccattr_test_support as support;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

/// Run ccattr; a run that does not finish in two minutes is a hang and fails.
fn ccattr(args: &[&str]) -> Output {
    let ccattr = env!("CARGO_BIN_EXE_ccattr");
    support::run(
        Command::new(ccattr).args(args),
        None,
        Duration::from_secs(120),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn explain_vtpm_page_is_encrypted_under_the_paravisor() {
    let spec = example("hyperv_vtom.ccattr");
    let out = ccattr(&[
        "explain",
        s(&spec),
        "0xFED40000",
        "--platform",
        "hyperv_vtom_paravisor",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("0xfed40000: encrypted"), "{text}");
    assert!(text.contains("in device vtpm"), "{text}");
    assert!(
        text.contains("map vtpm encrypted when CC_ATTR_ACCESS_TPM_ENCRYPTED;  holds"),
        "{text}"
    );

    let out = ccattr(&[
        "explain",
        s(&spec),
        "0xFED40000",
        "--platform",
        "hyperv_vtom_paravisor",
        "--format",
        "json",
    ]);
    let v = json(&out);
    assert_eq!(v["decision"], "encrypted");
    assert!(v["attrs"]
        .as_array()
        .unwrap()
        .contains(&"CC_ATTR_ACCESS_TPM_ENCRYPTED".into()));
    let trace = v["trace"].as_array().unwrap();
    assert_eq!(trace[0]["device"], "vtpm", "innermost first");
    assert_eq!(trace[1]["device"], "tpm_tis");
    let rule = trace.iter().find(|t| t["holds"] == true).unwrap();
    let text = std::fs::read_to_string(example("hyperv_vtom.ccattr")).unwrap();
    let line = text[..text.find("map vtpm encrypted").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(rule["line"], line);
    assert_eq!(rule["decision"], "encrypted");
}

#[test]
fn explain_says_how_x86_maps_a_range_by_its_start_address() {
    let spec = example("hyperv_vtom.ccattr");
    let window = [
        "explain",
        s(&spec),
        "0xFED40000",
        "--size",
        "0x5000",
        "--platform",
        "hyperv_vtom_paravisor",
    ];
    let out = ccattr(&window);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.starts_with("[0xfed40000, 0xfed44fff] (20480 bytes): mixed\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "x86 ioremap() asks about the start address only: it maps the whole range encrypted"
        ),
        "{text}"
    );
    let mut j = window.to_vec();
    j.extend(["--format", "json"]);
    let v = json(&ccattr(&j));
    assert_eq!(
        (v["decision"].as_str(), v["start_decision"].as_str()),
        (Some("mixed"), Some("encrypted"))
    );
    // Where the range and its start agree, no such line.
    let page = [
        "explain",
        s(&spec),
        "0xFED41000",
        "--size",
        "0x4000",
        "--platform",
        "hyperv_vtom_paravisor",
    ];
    let text = String::from_utf8_lossy(&ccattr(&page).stdout).into_owned();
    assert!(!text.contains("start address"), "{text}");
}

#[test]
fn explain_ranges_attrs_and_invalid_queries() {
    let spec = example("hyperv_vtom.ccattr");
    let spec = s(&spec);
    let decision = |args: &[&str]| {
        let mut all = vec!["explain", spec];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let out = ccattr(&all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)["decision"].as_str().unwrap().to_string()
    };
    assert_eq!(
        decision(&[
            "0xFED40000",
            "--size",
            "0x2000",
            "--platform",
            "hyperv_vtom_paravisor"
        ]),
        "mixed"
    );
    assert_eq!(
        decision(&[
            "0xFED41000",
            "--size",
            "0x4000",
            "--platform",
            "hyperv_vtom_paravisor"
        ]),
        "decrypted"
    );
    assert_eq!(
        decision(&[
            "0xFEC00000",
            "--attrs",
            "CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE"
        ]),
        "encrypted"
    );
    assert_eq!(decision(&["0xFEC00000", "--attrs", ""]), "unspecified");
    assert_eq!(
        decision(&["0xFEC00000", "--size", "0", "--platform", "bare_metal"]),
        "invalid"
    );
    assert_eq!(
        decision(&[
            "0xFFFFFFFFFFFFFFFF",
            "--size",
            "2",
            "--platform",
            "bare_metal"
        ]),
        "invalid"
    );
    assert_eq!(
        decision(&[
            "0xFFFFFFFFFFFFFFFF",
            "--size",
            "1",
            "--platform",
            "hyperv_vtom_paravisor"
        ]),
        "decrypted"
    );
    // A former name is accepted with a note.
    assert_eq!(
        decision(&["0xFEC00000", "--attrs", "CC_ATTR_HAS_PARAVISOR"]),
        "encrypted"
    );
}

#[test]
fn command_line_errors_exit_2() {
    let spec = example("hyperv_vtom.ccattr");
    let spec = s(&spec);
    for args in [
        vec![
            "explain",
            spec,
            "0x1_0000_0000_0000_0000",
            "--platform",
            "bare_metal",
        ],
        vec![
            "explain",
            spec,
            "0x1000",
            "--size",
            "18446744073709551616",
            "--platform",
            "bare_metal",
        ],
        vec!["explain", spec, "banana", "--platform", "bare_metal"],
        vec!["explain", spec, "0x1000", "--platform", "bare_metl"],
        vec!["explain", spec, "0x1000", "--attrs", "CC_ATTR_NOPE"],
        vec![
            "explain",
            spec,
            "0x1000",
            "--attrs",
            "CC_ATTR_ACCESS_TPM_ENCRYPTED",
        ],
        vec!["explain", spec, "0x1000"],
        vec!["check", "/nonexistent/spec.ccattr"],
        vec!["check", "--no-such-flag", spec],
        vec!["build", spec, "--out-dir", "/tmp/x", "--emit", "pascal"],
        vec!["matrix", spec, "--format", "sarif"],
    ] {
        let out = ccattr(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
    let out = ccattr(&[
        "explain",
        spec,
        "0x1_0000_0000_0000_0000",
        "--platform",
        "bare_metal",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not fit in 64 bits"));
    let out = ccattr(&["explain", spec, "0x1000", "--platform", "bare_metl"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `bare_metal`?"));
}

#[test]
fn check_json_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("bad.ccattr");
    std::fs::write(&spec, "spec bad;\nattr A;\nplatform p { sets B; }\n").unwrap();
    let out = ccattr(&["check", s(&spec), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E0105");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], s(&spec));
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 19);
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("unknown attribute `B`"));

    let out = ccattr(&[
        "check",
        s(&example("hyperv_vtom.ccattr")),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["diagnostics"], serde_json::json!([]));
}

#[test]
fn check_text_is_rustc_like_and_github_annotates() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("bad.ccattr");
    std::fs::write(&spec, "spec bad;\nattr CC_ATTR_GUEST_MEM_ENCRYPT;\nplatform p { sets CC_ATTR_GUEST_MEM_ENCRPYT; }\n").unwrap();
    let out = ccattr(&["check", s(&spec)]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("error[E0105]: unknown attribute `CC_ATTR_GUEST_MEM_ENCRPYT`"),
        "{text}"
    );
    assert!(text.contains(":3:19"), "{text}");
    assert!(text.contains("^^^^^"), "{text}");
    assert!(
        text.contains("help: did you mean `CC_ATTR_GUEST_MEM_ENCRYPT`?"),
        "{text}"
    );
    let out = ccattr(&["check", s(&spec), "--format", "github"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("::error file={},line=3,col=19,", s(&spec))),
        "{text}"
    );
    assert!(text.contains("title=E0105::"), "{text}");
}

#[test]
fn matrix_json_has_every_device_and_elsewhere() {
    let out = ccattr(&[
        "matrix",
        s(&example("hyperv_vtom.ccattr")),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(
        v["platforms"],
        serde_json::json!([
            "hyperv_vtom_paravisor",
            "hyperv_snp_enlightened",
            "bare_metal"
        ])
    );
    let rows = v["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["device"] == name).unwrap()["cells"].clone();
    assert_eq!(row("ioapic")["hyperv_vtom_paravisor"], "encrypted");
    assert_eq!(row("ioapic")["hyperv_snp_enlightened"], "decrypted");
    assert_eq!(row("vtpm")["hyperv_vtom_paravisor"], "encrypted");
    assert_eq!(row("tpm_tis")["hyperv_vtom_paravisor"], "decrypted");
    assert_eq!(row("(elsewhere)")["bare_metal"], "unspecified");
}

#[test]
fn build_is_deterministic_write_if_changed_and_refuses_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let spec = example("hyperv_vtom.ccattr");
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = ["hyperv_vtom.h", "hyperv_vtom.rs", "hyperv_vtom.json"];
    let read = |f: &str| std::fs::read(out_dir.join(f)).unwrap();
    let first: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
    let mtimes: Vec<_> = files
        .iter()
        .map(|f| {
            std::fs::metadata(out_dir.join(f))
                .unwrap()
                .modified()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(20));
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unchanged"));
    for (i, f) in files.iter().enumerate() {
        assert_eq!(read(f), first[i], "{f} is byte-identical");
        assert_eq!(
            std::fs::metadata(out_dir.join(f))
                .unwrap()
                .modified()
                .unwrap(),
            mtimes[i],
            "{f} not rewritten"
        );
    }
    // --check passes, then fails with a diff once a file is changed.
    assert_eq!(
        ccattr(&["build", s(&spec), "--out-dir", s(&out_dir), "--check"])
            .status
            .code(),
        Some(0)
    );
    let h = out_dir.join("hyperv_vtom.h");
    let edited = String::from_utf8(read("hyperv_vtom.h"))
        .unwrap()
        .replace("CC_ATTR_MEM_ENCRYPT,", "CC_ATTR_MEM_ENCRYPTED,");
    std::fs::write(&h, &edited).unwrap();
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir), "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-\tCC_ATTR_MEM_ENCRYPTED,") && diff.contains("+\tCC_ATTR_MEM_ENCRYPT,"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&h).unwrap(),
        edited,
        "--check writes nothing"
    );
    // A file without the generator's header is not overwritten without --force.
    std::fs::write(&h, "/* hand-written */\n").unwrap();
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite"));
    assert_eq!(std::fs::read_to_string(&h).unwrap(), "/* hand-written */\n");
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir), "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read("hyperv_vtom.h"), first[0]);
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn build_emit_selects_outputs_and_writes_a_depfile() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("linux_6_1.ccattr");
    let dep = dir.path().join("linux_6_1.d");
    let out = ccattr(&[
        "build",
        s(&spec),
        "--out-dir",
        s(dir.path()),
        "--emit",
        "c",
        "--depfile",
        s(&dep),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("linux_6_1.h").exists());
    assert!(!dir.path().join("linux_6_1.rs").exists());
    let d = std::fs::read_to_string(&dep).unwrap();
    assert_eq!(
        d,
        format!(
            "{}: {}\n",
            dir.path().join("linux_6_1.h").display(),
            spec.display()
        )
    );
}

#[test]
fn generated_folder_is_current() {
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ccattr") {
            continue;
        }
        let out = ccattr(&[
            "build",
            s(&path),
            "--out-dir",
            s(&root().join("generated")),
            "--check",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "generated/ is stale for {}; run: cargo run -- build {} --out-dir generated\n{}",
            path.display(),
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The version 2 declarations appear only in the outputs of specs that use a
/// version 2 part (README, "Version 2"): the version 1 examples' generated files
/// have none of them, and their JSON tables stay in format version 1.
#[test]
fn version_1_outputs_have_no_version_2_declarations() {
    const V2_NAMES: [&str; 8] = [
        "_MAP_REFUSED",
        "_decide_probed",
        "_NR_PROBED",
        "_CAP_",
        "Refused",
        "CapSet",
        "decide_probed",
        "\"refuses\"",
    ];
    let (mut v1, mut v2) = (0, 0);
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ccattr") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Declarations, not doc text: a line that starts with `capability` or
        // `probed;`, or a rule that refuses.
        let uses_v2 = text.lines().map(str::trim_start).any(|l| {
            l.starts_with("capability ")
                || l.starts_with("probed;")
                || (l.starts_with("map ") || l.starts_with("default ")) && l.contains(" refuse")
        });
        let includes = text.lines().any(|l| l.starts_with("include "));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut all = String::new();
        for ext in ["h", "rs", "json"] {
            all.push_str(
                &std::fs::read_to_string(root().join(format!("generated/{stem}.{ext}"))).unwrap(),
            );
        }
        let json = std::fs::read_to_string(root().join(format!("generated/{stem}.json"))).unwrap();
        let version = serde_json::from_str::<serde_json::Value>(&json).unwrap()["version"].clone();
        if uses_v2 {
            v2 += 1;
            assert_eq!(version, 2, "{stem}");
            assert!(
                all.contains("_MAP_REFUSED") && all.contains("CapSet"),
                "{stem}"
            );
        } else {
            v1 += 1;
            // A table names its files (a version 2 addition) when the spec includes.
            assert_eq!(version, if includes { 2 } else { 1 }, "{stem}");
            for name in V2_NAMES {
                assert!(!all.contains(name), "{stem}'s outputs name {name}");
            }
        }
    }
    assert!(
        v1 >= 4 && v2 >= 1,
        "{v1} version 1 and {v2} version 2 examples"
    );
}

/// Hostile input: each ends in a diagnostic with a code and exit 1, never a panic
/// or a hang, and no output file is written.
#[test]
fn hostile_specs_end_in_clear_diagnostics_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ccattr_test_support::synth::Rng::new(7);
    let tokens = [
        "attr", "X", ";", "{", "}", "(", ")", "&&", "||", "!", "0x10", "map", "device", "=",
        "\"s\"", "//c\n", "\n",
    ];
    let mut random = String::new();
    while random.len() < 10 << 20 {
        random.push_str(tokens[rng.below(tokens.len() as u64) as usize]);
        random.push(' ');
    }
    let mut many_attrs = String::from("spec t;\n");
    for i in 0..65 {
        many_attrs.push_str(&format!("attr A{i};\n"));
    }
    let mut huge_cond = String::from("spec t;\n");
    for i in 0..60 {
        huge_cond.push_str(&format!("attr A{i};\n"));
    }
    let clauses: Vec<String> = (0..30)
        .map(|i| format!("(A{} || A{})", 2 * i, 2 * i + 1))
        .collect();
    huge_cond.push_str(&format!(
        "default encrypted when {};\n",
        clauses.join(" && ")
    ));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "E0101"),
        ("non_utf8", b"spec t;\nattr \xC3\x28;\n".to_vec(), "E0001"),
        ("nul", b"spec t;\nattr A\0;\n".to_vec(), "E0002"),
        ("random_tokens", random.into_bytes(), "E0003"),
        (
            "nested_parens",
            format!(
                "spec t;\nattr A;\nattr B = {}A{};\n",
                "(".repeat(100_000),
                ")".repeat(100_000)
            )
            .into_bytes(),
            "E0006",
        ),
        (
            "nested_nots",
            format!("spec t;\nattr A;\nattr B = {}A;\n", "!".repeat(100_000)).into_bytes(),
            "E0006",
        ),
        ("huge_condition", huge_cond.into_bytes(), "E0120"),
        ("65_attrs", many_attrs.into_bytes(), "E0119"),
        (
            "int_past_64_bits",
            b"spec t;\ndevice d { mmio 0x10000000000000000 size 1; }\n".to_vec(),
            "E0004",
        ),
        (
            "region_past_2_64",
            b"spec t;\ndevice d { mmio 0xFFFFFFFFFFFFFFFF size 2; }\n".to_vec(),
            "E0115",
        ),
        ("too_large", vec![b'\n'; (16 << 20) + 1], "E0007"),
    ];
    for (name, bytes, code) in cases {
        let spec = dir.path().join(format!("{name}.ccattr"));
        std::fs::write(&spec, &bytes).unwrap();
        let out_dir = dir.path().join(format!("out_{name}"));
        let out = ccattr(&[
            "build",
            s(&spec),
            "--out-dir",
            s(&out_dir),
            "--format",
            "json",
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out);
        let codes: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.contains(&code),
            "{name}: expected {code}, got {codes:?}"
        );
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap();
        assert!(
            d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1,
            "{name}: a location"
        );
        assert!(!out_dir.exists(), "{name}: nothing written");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn the_size_limit_is_set_by_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Just over the default limit of 16 MiB: a spec and a long comment.
    let big = dir.path().join("big.ccattr");
    let mut text = String::from("spec big;\n// ");
    text.push_str(&"x".repeat(ccattr_grammar::MAX_SOURCE_BYTES));
    text.push('\n');
    std::fs::write(&big, &text).expect("write");
    let run = |limit: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccattr"));
        cmd.args(args);
        match limit {
            Some(l) => cmd.env(ccattr_grammar::MAX_SOURCE_BYTES_VAR, l),
            None => cmd.env_remove(ccattr_grammar::MAX_SOURCE_BYTES_VAR),
        };
        support::run(&mut cmd, None, Duration::from_secs(120))
    };
    let out = run(None, &["check", s(&big)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E0007"), "{err}");
    assert!(err.contains("limit of 16777216 bytes (16 MiB)"), "{err}");
    assert!(err.contains("CCATTR_MAX_SOURCE_BYTES"), "{err}");
    // A larger limit reads it; a smaller one refuses the examples.
    let out = run(Some("32M"), &["check", s(&big)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(Some("0x100"), &["check", s(&example("hyperv_vtom.ccattr"))]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("larger than the limit of 256 bytes\n"),
        "{err}"
    );
    // Not a size: refused before anything is read, exit 2.
    for bad in ["lots", "0", "-5", "5G5", "8G", ""] {
        let out = run(Some(bad), &["check", s(&example("hyperv_vtom.ccattr"))]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("is not a size from 1 to 4294967296 bytes"),
            "{bad:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn build_writes_the_json_table_in_the_form_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = example("hyperv_vtom.ccattr");
    let version = |form: &str| {
        let out_dir = dir.path().join(form);
        let out = ccattr(&[
            "build",
            s(&spec),
            "--emit",
            "json",
            "--json-form",
            form,
            "--out-dir",
            s(&out_dir),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(out_dir.join("hyperv_vtom.json")).expect("read");
        let table = ccattr_codegen::read_table(&text).expect("reads back");
        (json_text_version(&text), table, text)
    };
    let (auto, table, auto_text) = version("auto");
    let (rows, rows_table, rows_text) = version("rows");
    let (columns, columns_table, _) = version("columns");
    // The example is small: `auto` writes rows, the checked-in form.
    assert_eq!((auto, rows, columns), (2, 2, 3));
    assert_eq!(auto_text, rows_text);
    let generated =
        std::fs::read_to_string(root().join("generated/hyperv_vtom.json")).expect("read");
    assert_eq!(auto_text, generated);
    assert_eq!(rows_table, table);
    assert_eq!(
        columns_table, table,
        "the compact form reads back as the same table"
    );
    let out = ccattr(&[
        "build",
        s(&spec),
        "--json-form",
        "packed",
        "--out-dir",
        s(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

fn json_text_version(text: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(text).expect("JSON");
    v["version"].as_u64().expect("version")
}

#[test]
fn a_large_table_is_built_on_threads_and_streamed_to_the_same_bytes() {
    use ccattr_test_support::synth::{scale_spec, ScaleParams};
    let dir = tempfile::tempdir().expect("tempdir");
    let params = ScaleParams::new(1200);
    let spec = dir.path().join(format!("{}.ccattr", params.name));
    let text = scale_spec(&params).text;
    std::fs::write(&spec, &text).expect("write");
    let checked = ccattr_codegen::compile(s(&spec), text.as_bytes()).expect("checks");
    let emitter = ccattr_codegen::Emitter::new(&checked.table, s(&spec));
    assert!(
        emitter.parallel(),
        "large enough for the threaded, streamed writes"
    );
    let out_dir = dir.path().join("out");
    let build = || ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    let out = build();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = ccattr_codegen::emit(&checked.table, s(&spec), &ccattr_codegen::Target::ALL);
    let mtimes: Vec<_> = expected
        .iter()
        .map(|o| {
            let path = out_dir.join(&o.file_name);
            let written = std::fs::read_to_string(&path).expect("read");
            assert!(written == o.contents, "{} differs from emit()", o.file_name);
            std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .expect("mtime")
        })
        .collect();
    assert_eq!(json_text_version(&expected[2].contents), 3);
    // Built again: every output unchanged and untouched, nothing left beside them.
    std::thread::sleep(Duration::from_millis(20));
    let out = build();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("unchanged").count(), 3, "{err}");
    for (o, before) in expected.iter().zip(&mtimes) {
        let path = out_dir.join(&o.file_name);
        assert_eq!(
            &std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .expect("mtime"),
            before
        );
    }
    assert_eq!(std::fs::read_dir(&out_dir).expect("read_dir").count(), 3);
}
