//! `ccattr matrix` end to end: the JSON shape the README documents, Markdown and text, and
//! agreement with `explain` cell by cell.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .to_str()
        .expect("UTF-8 path")
        .to_string()
}

fn ccattr(args: &[&str]) -> Output {
    let ccattr = env!("CARGO_BIN_EXE_ccattr");
    // In the checkout, so that a spec named relative to it is shown so.
    ccattr_test_support::run(
        Command::new(ccattr)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR")),
        None,
        Duration::from_secs(60),
    )
}

fn ok_stdout(args: &[&str]) -> String {
    let o = ccattr(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn matrix_json(spec: &str) -> Value {
    serde_json::from_str(&ok_stdout(&["matrix", "--format", "json", spec])).expect("JSON")
}

#[test]
fn json_shape_and_cells() {
    let m = matrix_json(&example("hyperv_vtom.ccattr"));
    assert_eq!(
        m["platforms"],
        serde_json::json!([
            "hyperv_vtom_paravisor",
            "hyperv_snp_enlightened",
            "bare_metal"
        ])
    );
    let rows = m["rows"].as_array().expect("rows");
    let names: Vec<&str> = rows.iter().filter_map(|r| r["device"].as_str()).collect();
    assert_eq!(names, ["ioapic", "tpm_tis", "vtpm", "(elsewhere)"]);
    let cell = |device: &str, platform: &str| -> String {
        rows.iter()
            .find(|r| r["device"] == device)
            .and_then(|r| r["cells"][platform].as_str())
            .unwrap_or("(missing)")
            .to_string()
    };
    assert_eq!(cell("ioapic", "hyperv_vtom_paravisor"), "encrypted");
    assert_eq!(cell("vtpm", "hyperv_vtom_paravisor"), "encrypted");
    // The TPM window's own addresses (outside the vTPM page) fall to the default rule.
    assert_eq!(cell("tpm_tis", "hyperv_vtom_paravisor"), "decrypted");
    assert_eq!(cell("ioapic", "hyperv_snp_enlightened"), "decrypted");
    assert_eq!(cell("(elsewhere)", "hyperv_vtom_paravisor"), "decrypted");
    for device in names {
        assert_eq!(cell(device, "bare_metal"), "unspecified");
    }
}

#[test]
fn cells_agree_with_explain() {
    // For the history's devices (not nested), the cell is the decision of the device's
    // first address; elsewhere is checked at address 0.
    for spec in [
        "history/01_v1_v2_has_paravisor.ccattr",
        "history/05_option1_paravisor_split_address_space.ccattr",
        "history/10_v6_is_private_mmio.ccattr",
    ] {
        let spec = example(spec);
        let m = matrix_json(&spec);
        let addrs = [
            ("ioapic", "0xFEC00000"),
            ("tpm", "0xFED40000"),
            ("(elsewhere)", "0"),
        ];
        for platform in m["platforms"].as_array().expect("platforms") {
            let platform = platform.as_str().expect("name");
            for (device, addr) in addrs {
                let row = m["rows"]
                    .as_array()
                    .and_then(|rows| rows.iter().find(|r| r["device"] == device).cloned())
                    .expect("row");
                let e: Value = serde_json::from_str(&ok_stdout(&[
                    "explain",
                    &spec,
                    addr,
                    "--platform",
                    platform,
                    "--format",
                    "json",
                ]))
                .expect("JSON");
                assert_eq!(
                    row["cells"][platform], e["decision"],
                    "{device} on {platform}"
                );
            }
        }
    }
}

const HISTORY_V3: &str = "examples/history/02_v3_emulated_ioapic.ccattr";

/// `FILE:LINE` of the declaration of `device` in the spec at `path` (relative to the
/// checkout).
fn declared(path: &str, device: &str) -> String {
    let text = std::fs::read_to_string(example(path.trim_start_matches("examples/"))).unwrap();
    let decl = format!("device {device} ");
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with(&decl))
        .expect("declared");
    format!("{path}:{line}")
}

#[test]
fn markdown_table() {
    let md = ok_stdout(&["matrix", "--format", "markdown", HISTORY_V3]);
    insta::assert_snapshot!("matrix_history_v3_markdown", md);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[0],
        "| device | hyperv_vtom_paravisor | bare_metal | declared |"
    );
    assert_eq!(lines[1], "|---|---|---|---|");
    assert_eq!(lines.len(), 2 + 3);
    assert!(
        lines.iter().skip(2).all(|l| l.matches('|').count() == 5),
        "{md}"
    );
    let tpm = format!("| {} |", declared(HISTORY_V3, "tpm"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("| tpm |") && l.ends_with(&tpm)),
        "{md}"
    );
}

#[test]
fn text_table() {
    let text = ok_stdout(&["matrix", HISTORY_V3]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("device") && lines[0].contains("hyperv_vtom_paravisor"),
        "{text}"
    );
    let tpm: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("tpm"))
        .expect("tpm row")
        .split_whitespace()
        .collect();
    let at = declared(HISTORY_V3, "tpm");
    assert_eq!(tpm, ["tpm", "decrypted", "unspecified", &at]);
    assert!(lines
        .last()
        .is_some_and(|l| l.starts_with("(elsewhere)") && l.ends_with(" -")));
}

#[test]
fn errors_and_unsupported_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.ccattr");
    std::fs::write(&bad, "spec t;\nmap nowhere encrypted;\n").expect("write");
    assert_eq!(
        ccattr(&["matrix", bad.to_str().expect("UTF-8")])
            .status
            .code(),
        Some(1)
    );
    let ok = example("hyperv_vtom.ccattr");
    assert_eq!(
        ccattr(&["matrix", "--format", "github", &ok]).status.code(),
        Some(2)
    );
    assert_eq!(
        ccattr(&["matrix", "--format", "sarif", &ok]).status.code(),
        Some(2)
    );
    assert_eq!(
        ccattr(&[
            "matrix",
            &dir.path().join("missing.ccattr").display().to_string()
        ])
        .status
        .code(),
        Some(2)
    );
}
