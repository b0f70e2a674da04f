//! Input hygiene, end to end: non-ASCII identifiers, bidirectional, invisible,
//! control and confusable characters, a 1 MB identifier, a million lines, mixed line
//! ends and tabs, and spec names that try to leave `--out-dir`. Each case ends in a
//! clear diagnostic or a correct build, in bounded time, and never in output that a
//! terminal, an editor or a compiler would read other than it looks.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Run ccattr; more than `limit` is a failure (these are debug builds, so the limits
/// are generous; the fuzz targets enforce one second per input in release builds).
fn ccattr_within(limit: Duration, args: &[&str]) -> Output {
    let ccattr = env!("CARGO_BIN_EXE_ccattr");
    let out = ccattr_test_support::run(Command::new(ccattr).args(args), None, limit);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn ccattr(args: &[&str]) -> Output {
    ccattr_within(Duration::from_secs(60), args)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn spec(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write spec");
    p
}

/// `check --format json`: the exit code and the diagnostics.
fn check_json(path: &Path) -> (i32, Vec<serde_json::Value>) {
    let out = ccattr(&["check", s(path), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    (
        out.status.code().expect("exit code"),
        v["diagnostics"].as_array().expect("diagnostics").clone(),
    )
}

fn codes(diags: &[serde_json::Value]) -> Vec<&str> {
    diags
        .iter()
        .map(|d| d["code"].as_str().expect("code"))
        .collect()
}

fn find<'a>(diags: &'a [serde_json::Value], code: &str) -> &'a serde_json::Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:?}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn non_ascii_identifiers_are_errors_that_show_the_character() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = spec(
        dir.path(),
        "t.ccattr",
        "spec t;\nattr CC_ATTR_CAFÉ;\nattr CC_ATTR_\u{0421}PU;\n",
    );
    let (code, diags) = check_json(&p);
    assert_eq!(code, 1);
    let e: Vec<_> = diags.iter().filter(|d| d["code"] == "E0005").collect();
    assert_eq!(e.len(), 2, "{diags:?}");
    assert_eq!(
        e[0]["message"],
        "non-ASCII character `É` (U+00C9) in an identifier"
    );
    assert_eq!(
        (e[0]["line"].as_u64(), e[0]["column"].as_u64()),
        (Some(2), Some(17))
    );
    assert_eq!(
        e[1]["message"],
        "non-ASCII character `\u{0421}` (U+0421) in an identifier"
    );
    assert_eq!(
        e[1]["notes"][0],
        "`\u{0421}` looks like the ASCII `C` but is not"
    );
    // The text form shows the line with the character under a caret.
    let out = ccattr(&["check", s(&p)]);
    let text = stderr(&out);
    assert!(text.contains("2 │ attr CC_ATTR_CAFÉ;"), "{text}");
    assert!(
        text.contains("`\u{0421}` looks like the ASCII `C` but is not"),
        "{text}"
    );
    // Nothing is written.
    let out = ccattr(&["build", s(&p), "--out-dir", s(&dir.path().join("out"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn bidi_and_invisible_characters_warn_and_never_reach_generated_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "spec t;\n/// Maps the TPM \u{202E}detpyrcne\u{202C} (reads backwards).\nattr T_A { deprecated \"zero\u{200B}width\"; }\n\
                // comment \u{2066}isolate\u{2069}\nplatform p { sets T_A; }\ndevice d { mmio 0 size 4K; }\nmap d encrypted when T_A;\n";
    let p = spec(dir.path(), "t.ccattr", text);
    let (code, diags) = check_json(&p);
    assert_eq!(code, 0, "warnings only: {diags:?}");
    let w: Vec<(u64, u64)> = diags
        .iter()
        .filter(|d| d["code"] == "W0002")
        .map(|d| {
            (
                d["line"].as_u64().expect("line"),
                d["column"].as_u64().expect("column"),
            )
        })
        .collect();
    assert_eq!(
        w,
        [(2, 18), (2, 28), (3, 28), (4, 12), (4, 20)],
        "{diags:?}"
    );
    assert!(find(&diags, "W0002")["message"]
        .as_str()
        .expect("message")
        .contains("U+202E"));

    let out_dir = dir.path().join("out");
    let out = ccattr(&["build", s(&p), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in ["t.h", "t.rs", "t.json"] {
        let body = std::fs::read_to_string(out_dir.join(f)).expect("read");
        for c in ['\u{202E}', '\u{202C}', '\u{200B}', '\u{2066}', '\u{2069}'] {
            assert!(!body.contains(c), "{f} holds U+{:04X}", u32::from(c));
        }
        if f != "t.json" {
            assert!(
                body.contains("<U+202E>detpyrcne<U+202C>"),
                "{f} shows the characters"
            );
        }
    }
    // The JSON table keeps the text, escaped.
    let json = std::fs::read_to_string(out_dir.join("t.json")).expect("read");
    assert!(json.contains("\\u202e"), "JSON escapes U+202E");
    let table = ccattr_codegen::read_table(&json).expect("reads back");
    assert!(table.attrs[0].doc[0].contains('\u{202E}'));

    // rustc denies these characters in comments and literals; the module compiles.
    if support::have("rustc") {
        std::fs::write(
            dir.path().join("main.rs"),
            "#[allow(dead_code)]\nmod t {\n    include!(\"out/t.rs\");\n}\nfn main() {}\n",
        )
        .expect("write");
        let out = Command::new("rustc")
            .current_dir(dir.path())
            .args(["--edition", "2021", "-D", "warnings", "-o", "m", "main.rs"])
            .output()
            .expect("rustc");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn confusable_characters_in_comments_and_strings_warn() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Cyrillic С (U+0421) and Н (U+041D); a Russian comment and a French one are fine.
    let text =
        "spec t;\nnaming { prefix = \"\u{0421}C_ATTR_\"; forbid_words = [\"\u{041D}AS\"]; }\n\
                // Привет, мир. Café crème.\n/// \u{0421}C_ATTR_X is the one.\nattr ATTR_X;\n";
    let p = spec(dir.path(), "t.ccattr", text);
    let (code, diags) = check_json(&p);
    assert_eq!(code, 0, "{diags:?}");
    let w: Vec<_> = diags.iter().filter(|d| d["code"] == "W0003").collect();
    let at: Vec<(u64, u64)> = w
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().expect("l"),
                d["column"].as_u64().expect("c"),
            )
        })
        .collect();
    assert_eq!(at, [(2, 20), (2, 48), (4, 5)], "{diags:?}");
    assert_eq!(
        w[0]["message"],
        "`\u{0421}` (U+0421) in a string looks like the ASCII `C`"
    );
    assert_eq!(
        w[2]["message"],
        "`\u{0421}` (U+0421) in a comment looks like the ASCII `C`"
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A title change, concealed text and a lone carriage return that would print the
    // rest of the comment over its start.
    let text = b"spec t;\nattr A\x1b]0;PWNED\x07;\n// harmless\rmap d decrypted;\n/// \x1b[8mhidden\nattr B;\n";
    let p = spec(dir.path(), "t.ccattr", text);
    let out = ccattr(&["check", s(&p)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(!err.replace("\r\n", "\n").contains('\r'), "{err:?}");
    assert!(err.contains("found `\\u{1b}`"), "{err}");
    assert!(err.contains("attr A?]0;PWNED?;"), "{err}");
    let (_, diags) = check_json(&p);
    let w: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "W0002")
        .map(|d| d["message"].as_str().expect("m"))
        .collect();
    assert_eq!(
        w,
        [
            "carriage return without a line feed U+000D in a comment",
            "control character U+001B in a comment"
        ]
    );
}

#[test]
fn a_million_bidi_characters_give_twenty_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("spec t;\n// ");
    text.push_str(&"\u{202E}".repeat(1_000_000));
    text.push_str("\nattr A;\n");
    let p = spec(dir.path(), "t.ccattr", text);
    let out = ccattr_within(
        Duration::from_secs(60),
        &["check", s(&p), "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(codes(diags), ["W0002"; 20]);
    assert_eq!(
        diags[19]["notes"][0],
        "999980 more like this in the spec are not shown"
    );
}

#[test]
fn a_one_megabyte_identifier_builds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = format!("A{}", "X".repeat(1 << 20));
    let text = format!("spec big;\nattr {long};\nplatform p {{ sets {long}; }}\ndevice d {{ mmio 0 size 4K; }}\nmap d encrypted when {long};\n");
    let p = spec(dir.path(), "big.ccattr", &text);
    let out_dir = dir.path().join("out");
    let out = ccattr_within(
        Duration::from_secs(60),
        &["build", s(&p), "--out-dir", s(&out_dir)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let h = std::fs::read_to_string(out_dir.join("big.h")).expect("header");
    assert!(
        h.contains(&format!("\t{long},")),
        "the enum member is the whole name"
    );
    let out = ccattr(&[
        "explain",
        s(&p),
        "0x10",
        "--platform",
        "p",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["decision"], "encrypted");
    // A typo in such a name is reported, with the message cut short.
    let typo = text.replace(&format!("when {long}"), &format!("when {long}Y"));
    let p = spec(dir.path(), "typo.ccattr", typo);
    let (code, diags) = check_json(&p);
    assert_eq!((code, codes(&diags)), (1, vec!["E0105"]));
}

#[test]
fn a_one_megabyte_spec_name_is_refused_with_a_short_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = spec(
        dir.path(),
        "long.ccattr",
        format!("spec S{};\nattr A;\n", "s".repeat(1 << 20)),
    );
    let out_dir = dir.path().join("out");
    let out = ccattr(&["build", s(&p), "--out-dir", s(&out_dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the file name is 1048579 bytes"), "{err}");
    assert!(
        err.len() < 1000,
        "the message is short: {} bytes",
        err.len()
    );
    assert_eq!(
        std::fs::read_dir(&out_dir).map(|d| d.count()).unwrap_or(0),
        0,
        "nothing written"
    );
}

#[test]
fn a_million_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("/// A spec of a million lines.\nspec lines;\n");
    let mut line = 2;
    for i in 0..1000 {
        text.push_str(&format!(
            "/// Device {i}.\ndevice d{i} {{ mmio {:#x} size 4K; }}\nmap d{i} decrypted;\n",
            i * 0x1000
        ));
        line += 3;
        while line % 500 != 0 {
            text.push_str(if line % 2 == 0 { "// filler\n" } else { "\n" });
            line += 1;
        }
    }
    // `line` lines are written; the next is the last, line 1,000,000.
    while line < 999_999 {
        text.push('\n');
        line += 1;
    }
    text.push_str("map nope encrypted;\n");
    let p = spec(dir.path(), "lines.ccattr", &text);
    assert_eq!(text.lines().count(), 1_000_000);
    let (code, diags) = check_json(&p);
    assert_eq!(
        (code, codes(&diags)),
        (1, vec!["E0110"]),
        "the unknown device"
    );
    assert_eq!(diags[0]["line"], 1_000_000);
    // Without the error it builds, and the table knows every line.
    let fixed = text.replace("map nope encrypted;\n", "default encrypted;\n");
    let p = spec(dir.path(), "lines.ccattr", &fixed);
    let out_dir = dir.path().join("out");
    let out = ccattr_within(
        Duration::from_secs(120),
        &["build", s(&p), "--out-dir", s(&out_dir)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ccattr(&[
        "explain",
        s(&p),
        "0x3E7000",
        "--attrs",
        "",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["decision"], "decrypted");
    let rule_line = v["trace"]
        .as_array()
        .expect("trace")
        .iter()
        .find(|t| t["holds"] == true)
        .expect("a rule")["line"]
        .clone();
    let expected = fixed
        .lines()
        .position(|l| l == "map d999 decrypted;")
        .expect("rule")
        + 1;
    assert_eq!(rule_line, expected as u64);
}

#[test]
fn mixed_line_ends_and_tabs_mean_the_same_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lf = "/// Doc.\nspec mixed;\n\n/// A.\nattr M_A;\n/// B.\nattr M_B implies M_A;\n/// P.\nplatform p { sets M_B; }\n\
              /// D.\ndevice d { mmio 0x1000 size 0x1000; }\nmap d encrypted when M_A && !M_B;\nmap d decrypted;\ndefault encrypted when M_B;\n";
    // CRLF on some lines, LF on others, a lone CR between tokens, tabs everywhere.
    // (A lone carriage return is white space, not a line end, so lines keep their numbers.)
    let mixed = lf
        .replace("spec mixed;\n", "spec\tmixed;\r\n")
        .replace("attr M_A;\n", "attr\tM_A\t;\r\n")
        .replace("/// B.\n", "/// B.\r\n")
        .replace("platform p { sets M_B; }", "platform\tp\t{\r\tsets M_B;\r}")
        .replace("when M_A && !M_B;", "when\tM_A\t&&\r\t!M_B;");
    let a = spec(dir.path(), "lf.ccattr", lf);
    let b = spec(dir.path(), "mixed.ccattr", &mixed);
    assert_eq!(check_json(&a), (0, vec![]));
    assert_eq!(check_json(&b), (0, vec![]));
    let build = |p: &Path, out: &str| {
        let out_dir = dir.path().join(out);
        let o = ccattr(&["build", s(p), "--out-dir", s(&out_dir), "--emit", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let t = ccattr_codegen::read_table(
            &std::fs::read_to_string(out_dir.join("mixed.json")).expect("json"),
        )
        .expect("table");
        (
            t.attrs
                .iter()
                .map(|a| (a.name.clone(), a.doc.clone(), a.line))
                .collect::<Vec<_>>(),
            t.rules,
            t.rule_sets,
            t.intervals,
        )
    };
    assert_eq!(
        build(&a, "a"),
        build(&b, "b"),
        "the same table, doc comments and line numbers"
    );
    // Positions after CRLF lines and tabs: line and column (a tab is one column).
    let bad = mixed.replace("map d decrypted;", "map\td\tdecrypted\twhen\tM_C;");
    let c = spec(dir.path(), "bad.ccattr", &bad);
    let (code, diags) = check_json(&c);
    assert_eq!((code, codes(&diags)), (1, vec!["E0105"]));
    let want_line = bad
        .split('\n')
        .position(|l| l.contains("M_C"))
        .expect("line")
        + 1;
    assert_eq!(
        (diags[0]["line"].as_u64(), diags[0]["column"].as_u64()),
        (Some(want_line as u64), Some(22))
    );
    // The text form shows the line without its carriage return, tabs expanded, with
    // the caret under the name.
    let err = stderr(&ccattr(&["check", s(&c)]));
    assert!(!err.contains('\r'), "{err:?}");
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("when    M_C;"))
        .unwrap_or_else(|| panic!("{err}"));
    let col = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
    assert_eq!(col(lines[at], "M_C"), col(lines[at + 1], "^^^"), "{err}");
}

#[test]
fn spec_names_cannot_leave_the_output_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("a").join("out");
    let attempts = [
        "spec ../../escaped;",
        "spec /tmp/escaped;",
        "spec a/b;",
        "spec ..;",
        "spec .hidden;",
        "spec \"escaped\";",
        "spec escaped\\x;",
        "spec e\u{2215}x;",
        "spec spec;",
    ];
    for head in attempts {
        let p = spec(dir.path(), "t.ccattr", format!("{head}\nattr A;\n"));
        let out = ccattr(&["build", s(&p), "--out-dir", s(&out_dir)]);
        assert_eq!(out.status.code(), Some(1), "{head}: {}", stderr(&out));
        assert!(!out_dir.exists(), "{head}: nothing written");
    }
    // Whatever the spec file's own path, outputs land in --out-dir, named from `spec`.
    let odd = dir.path().join("..odd dir").join("x..y");
    std::fs::create_dir_all(&odd).expect("mkdir");
    let p = spec(&odd, "../..weird name.ccattr", "spec plain;\nattr A;\n");
    let out = ccattr(&["build", s(&p), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("out")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["plain.h", "plain.json", "plain.rs"]);
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["..odd dir", "a", "t.ccattr"],
        "nothing written beside them"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_in_the_output_directory_is_not_followed_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outside = dir.path().join("precious.txt");
    std::fs::write(&outside, "precious\n").expect("write");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    std::os::unix::fs::symlink(&outside, out_dir.join("plain.h")).expect("symlink");
    let p = spec(dir.path(), "plain.ccattr", "spec plain;\nattr A;\n");
    // The link's target does not carry the generator's header: refused.
    let out = ccattr(&["build", s(&p), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("refusing to overwrite"));
    // With --force, the link itself is replaced; its target is untouched.
    let out = ccattr(&["build", s(&p), "--out-dir", s(&out_dir), "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&outside).expect("read"),
        "precious\n"
    );
    assert!(!std::fs::symlink_metadata(out_dir.join("plain.h"))
        .expect("meta")
        .file_type()
        .is_symlink());
}

#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("spec.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let fifo_made = made.is_ok_and(|s| s.success());
    let mut cases: Vec<(String, &str)> = vec![
        ("/dev/zero".into(), "not a regular file"),
        (s(dir.path()).to_string(), "it is a directory"),
    ];
    if support::require(fifo_made, "`mkfifo`") {
        cases.push((s(&fifo).to_string(), "not a regular file"));
    }
    for (path, why) in &cases {
        for cmd in [
            &["check", path.as_str()][..],
            &["fmt", "--check", path.as_str()],
        ] {
            // A FIFO would block opening it, /dev/zero never end: both must not.
            let out = ccattr_within(Duration::from_secs(20), cmd);
            assert_eq!(out.status.code(), Some(2), "{cmd:?}: {}", stderr(&out));
            assert!(out.stdout.is_empty(), "{cmd:?}: no partial output");
            let err = stderr(&out);
            assert!(err.contains(&format!("cannot read {path}")), "{err}");
            assert!(err.contains(why), "{err}");
        }
    }
}

#[test]
fn a_closed_standard_error_ends_quietly_with_the_commands_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("spec x;\n");
    for i in 0..3000 {
        text.push_str(&format!("platform p{i} {{ sets NOPE{i}; }}\n"));
    }
    let path = spec(dir.path(), "many", text);
    // The reader goes away at once, as `2>&1 | head -1` does after a line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccattr"))
        .args(["check", s(&path)])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ccattr runs");
    drop(child.stderr.take());
    let status = child.wait().expect("wait");
    // The spec has errors: exit 1, as with an open standard error; not a panic (101).
    assert_eq!(status.code(), Some(1), "{status:?}");
}
