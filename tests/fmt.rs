//! `ccattr fmt`: its three laws over random specs (with random comments, doc lines,
//! empty lines and white space added) and over every example, and its command line.
//!
//! The laws: formatting twice gives what formatting once gives; the formatted text
//! parses to the same tree, layout aside (`parse(fmt(x)) == parse(x)`); every comment
//! stays where it was (between the same tokens, on a line of its own or after the same
//! token); and the decision table, line numbers aside, does not change.

use ccattr_core::table::DecisionTable;
use ccattr_grammar::printer::{self, FormatError};
use ccattr_test_support::synth::{self, Params, Rng};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ccattr"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 3, "{specs:?}");
    specs
}

// ---------------------------------------------------------------------------------
// An independent scanner: the tokens and comments of a spec, in order.

/// `tok X`, `doc X` (the doc text as the parser reads it) or `own // c` / `after // c`
/// (a comment on a line of its own, or after a token on the same line).
fn sequence(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chars: Vec<char> = text.chars().collect();
    let mut seq: Vec<String> = Vec::new();
    let mut i = 0;
    let mut token_on_line = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            token_on_line = false;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            let end = chars[i..]
                .iter()
                .position(|&x| x == '\n')
                .map_or(chars.len(), |n| i + n);
            let line: String = chars[i..end].iter().collect();
            let line = line.trim_end_matches('\r');
            if line.starts_with("///") && !line.starts_with("////") {
                let rest = &line[3..];
                seq.push(format!("doc {}", rest.strip_prefix(' ').unwrap_or(rest)));
                token_on_line = true;
            } else {
                let place = if token_on_line { "after" } else { "own" };
                seq.push(format!("{place} {}", line.trim_end()));
            }
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            seq.push(format!(
                "tok {}",
                chars[i..=j.min(chars.len() - 1)].iter().collect::<String>()
            ));
            token_on_line = true;
            i = j + 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let n = chars[i..]
                .iter()
                .take_while(|x| x.is_ascii_alphanumeric() || **x == '_')
                .count();
            seq.push(format!(
                "tok {}",
                chars[i..i + n].iter().collect::<String>()
            ));
            token_on_line = true;
            i += n;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let t = if two == "&&" || two == "||" {
                two
            } else {
                c.to_string()
            };
            i += t.chars().count();
            seq.push(format!("tok {t}"));
            token_on_line = true;
        }
    }
    // A list's trailing comma is optional: the layout decides.
    let mut out: Vec<String> = Vec::new();
    for (k, s) in seq.iter().enumerate() {
        let next_tok = seq[k + 1..].iter().find(|x| x.starts_with("tok "));
        if s == "tok ," && next_tok.is_some_and(|n| n == "tok ]") {
            continue;
        }
        out.push(s.clone());
    }
    out
}

fn table(text: &str) -> (Option<DecisionTable>, Vec<&'static str>) {
    let compiled = ccattr_codegen::compile("t.ccattr", text.as_bytes());
    let mut codes: Vec<&'static str> = ccattr_core::compile::diagnostics(&compiled)
        .iter()
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    let table = compiled.ok().map(|c| c.table).map(|mut t| {
        // Line numbers move when the layout does; nothing else may.
        t.attrs.iter_mut().for_each(|a| a.line = 0);
        t.platforms.iter_mut().for_each(|p| p.line = 0);
        for d in &mut t.devices {
            d.line = 0;
            d.regions.iter_mut().for_each(|r| r.line = 0);
        }
        t.rules.iter_mut().for_each(|r| r.line = 0);
        t.caps.iter_mut().for_each(|c| c.line = 0);
        t
    });
    (table, codes)
}

/// Check the three laws for one spec; `Err` says which failed.
fn laws(input: &str) -> Result<String, String> {
    let once = printer::format(input).map_err(|e| format!("not formatted: {e:?}\n{input}"))?;
    let twice =
        printer::format(&once).map_err(|e| format!("output not formatted: {e:?}\n{once}"))?;
    if twice != once {
        return Err(format!(
            "not idempotent:\n--- once ---\n{once}--- twice ---\n{twice}"
        ));
    }
    let tree = |text: &str| {
        let (file, _) = ccattr_grammar::parse(text);
        file.without_layout(text)
    };
    if tree(input) != tree(&once) {
        return Err(format!(
            "the tree changed\n--- input ---\n{input}--- output ---\n{once}"
        ));
    }
    if sequence(input) != sequence(&once) {
        let (a, b) = (sequence(input), sequence(&once));
        let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        return Err(format!(
            "tokens or comments moved at {at}: {:?} became {:?}\n--- input ---\n{input}--- output ---\n{once}",
            a.get(at),
            b.get(at)
        ));
    }
    if table(input) != table(&once) {
        return Err(format!(
            "meaning changed\n--- input ---\n{input}--- output ---\n{once}"
        ));
    }
    // Doc text is kept to the byte (it is in the generated files); other lines end clean.
    for line in once.lines().filter(|l| !l.trim_start().starts_with("///")) {
        if line.ends_with([' ', '\t']) {
            return Err(format!("trailing white space: {line:?}"));
        }
    }
    Ok(once)
}

// ---------------------------------------------------------------------------------
// Random specs with random comments.

const COMMENTS: [&str; 6] = [
    "// note",
    "//",
    "//// four slashes",
    "// Ünïcödé → comment",
    "// a comment long enough to push its line past the width of one hundred columns, surely",
    "//x",
];

/// Byte offsets between two tokens (outside comments and strings), where a comment
/// or white space may go.
fn boundaries(text: &str) -> (Vec<usize>, Vec<usize>) {
    let b = text.as_bytes();
    let mut between = Vec::new();
    let mut line_starts = Vec::new();
    let mut i = 0;
    let is_punct = |c: u8| b"{}();,=![]".contains(&c) || c.is_ascii_whitespace();
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                // The line end belongs to the comment: nothing may go before it.
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        let prev = if i == 0 { b'\n' } else { b[i - 1] };
        let pair = [prev, b[i]];
        if (is_punct(prev) || is_punct(b[i])) && &pair != b"&&" && &pair != b"||" {
            between.push(i);
        }
        if prev == b'\n' {
            line_starts.push(i);
        }
        i += 1;
    }
    (between, line_starts)
}

/// Insert comments, empty lines, stray doc lines and white space at random places.
fn decorate(text: &str, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let (between, _) = boundaries(text);
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let n = rng.below(12);
    for _ in 0..n {
        if between.is_empty() {
            break;
        }
        let at = between[rng.below(between.len() as u64) as usize];
        let comment = COMMENTS[rng.below(COMMENTS.len() as u64) as usize];
        let s = match rng.below(5) {
            0 => format!(" {comment}\n"),
            1 => format!("\n{comment}\n"),
            2 => format!("\n\n{comment}\n\n"),
            3 => "\n\n\n".to_string(),
            _ => "  \t ".to_string(),
        };
        inserts.push((at, s));
    }
    // Doc lines before statements in blocks document nothing, but must be kept. Only
    // before the keyword itself, not before the same word in a comment's text.
    for kw in ["sets ", "mmio ", "probed;"] {
        for (at, _) in text.match_indices(kw) {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            if text[line_start..at].contains("//") {
                continue;
            }
            if rng.chance(20) {
                inserts.push((at, "\n/// stray doc\n".to_string()));
            }
        }
    }
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out = text.to_string();
    for (at, s) in inserts {
        out.insert_str(at, &s);
    }
    if rng.chance(10) {
        // A doc comment that documents nothing, at the end (W0001): kept.
        out.push_str("/// dangling doc\n");
    }
    if rng.chance(20) {
        out = out.replace('\n', "\r\n");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn laws_hold_for_random_specs_with_random_comments(seed in any::<u64>(), decoration in any::<u64>()) {
        let spec = synth::spec(&Params::small("fuzz", seed));
        let input = decorate(&spec, decoration);
        if let Err(e) = laws(&input) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// Version 2 items with comments everywhere a comment can go, in a loose layout:
/// the printer gives exactly the canonical layout and keeps every comment.
#[test]
fn version_2_items_keep_their_comments() {
    let input = "spec t;\n\
        attr A;\n\
        // before the capability\n\
        /// Locked and accepted.\n\
        capability   RUN ;  // after it\n\
        capability MSIX; \n\
        /// A BAR.\n\
        device bar {   // opening\n\
        \t// inside\n\
        probed ;   // after probed\n\
        }\n\
        map bar refuse when A&&!RUN;// refuse\n\
        map bar   decrypted when A && MSIX ;\n\
        // before default\n\
        default refuse  ;\n";
    // Blank lines are the author's (docs/fmt.md): none added, none here to keep.
    let want = "spec t;\n\
        attr A;\n\
        // before the capability\n\
        /// Locked and accepted.\n\
        capability RUN; // after it\n\
        capability MSIX;\n\
        /// A BAR.\n\
        device bar { // opening\n\
        \x20   // inside\n\
        \x20   probed; // after probed\n\
        }\n\
        map bar refuse when A && !RUN; // refuse\n\
        map bar decrypted when A && MSIX;\n\
        // before default\n\
        default refuse;\n";
    let once = laws(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(once, want, "\n--- got ---\n{once}");
    for seed in 0..40 {
        laws(&decorate(input, seed)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

#[test]
fn random_specs_have_version_2_items() {
    // Guard: the random specs of the laws above do reach capabilities, probed
    // devices and `refuse`.
    let texts: Vec<String> = (0..100)
        .map(|s| synth::spec(&Params::small("v", s)))
        .collect();
    for word in ["capability ", "probed;", " refuse"] {
        assert!(
            texts.iter().filter(|t| t.contains(word)).count() > 10,
            "{word}"
        );
    }
}

#[test]
fn decoration_really_adds_comments() {
    // Guard against a test that checks nothing: decorated specs carry comments.
    let with_comments = (0..50)
        .map(|s| decorate(&synth::spec(&Params::small("d", s)), s))
        .filter(|t| t.contains("// note") || t.contains("////") || t.contains("//x"))
        .count();
    assert!(with_comments > 25, "{with_comments}");
}

#[test]
fn laws_hold_for_every_example_and_decorated_example() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("read");
        let once = laws(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The shipped examples are already in the canonical layout.
        assert_eq!(once, text, "{} is not formatted", path.display());
        for seed in 0..40 {
            let decorated = decorate(&text, seed);
            laws(&decorated).unwrap_or_else(|e| panic!("{} seed {seed}: {e}", path.display()));
        }
    }
}

#[test]
fn a_spec_with_semantic_errors_is_still_formatted() {
    // Only syntax errors stop the formatter; an unknown name is the checker's business.
    let out = laws("spec x;\nplatform p {sets NOPE;}\n").expect("formats");
    assert_eq!(out, "spec x;\nplatform p {\n    sets NOPE;\n}\n");
    assert!(matches!(
        printer::format("spec x;\nattr ;\n"),
        Err(FormatError::Syntax(_))
    ));
}

// ---------------------------------------------------------------------------------
// The command line.

fn ccattr(args: &[&str], stdin: Option<&str>) -> Output {
    let ccattr = env!("CARGO_BIN_EXE_ccattr");
    let stdin = stdin.map(str::as_bytes);
    ccattr_test_support::run(
        Command::new(ccattr).args(args),
        stdin,
        Duration::from_secs(60),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

const MESSY: &str = "/// Doc.\nspec   x ; // keep me\nattr A;attr B implies A{formerly OLD;}\n";
const TIDY: &str =
    "/// Doc.\nspec x; // keep me\nattr A;\nattr B implies A {\n    formerly OLD;\n}\n";

#[test]
fn fmt_rewrites_in_place_and_leaves_formatted_files_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = dir.path().join("messy.ccattr");
    let tidy = dir.path().join("tidy.ccattr");
    std::fs::write(&messy, MESSY).expect("write");
    std::fs::write(&tidy, TIDY).expect("write");
    let tidy_mtime = std::fs::metadata(&tidy)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));

    let out = ccattr(&["fmt", s(&messy), s(&tidy)], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), TIDY);
    assert_eq!(std::fs::read_to_string(&tidy).expect("read"), TIDY);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("formatted ") && stderr.contains("messy.ccattr"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("tidy.ccattr"),
        "an unchanged file is not reported: {stderr}"
    );
    assert_eq!(
        std::fs::metadata(&tidy)
            .and_then(|m| m.modified())
            .expect("mtime"),
        tidy_mtime,
        "a formatted file is not rewritten"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn fmt_check_shows_a_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = dir.path().join("messy.ccattr");
    std::fs::write(&messy, MESSY).expect("write");
    let out = ccattr(&["fmt", "--check", s(&messy)], None);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("(original)") && diff.contains("(formatted)"),
        "{diff}"
    );
    assert!(
        diff.contains("-spec   x ; // keep me") && diff.contains("+spec x; // keep me"),
        "{diff}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not formatted"));
    assert_eq!(
        std::fs::read_to_string(&messy).expect("read"),
        MESSY,
        "--check writes nothing"
    );

    let json = ccattr(&["fmt", "--check", "--format", "json", s(&messy)], None);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["files"][0]["status"], "unformatted");
    assert!(v["files"][0]["diff"]
        .as_str()
        .is_some_and(|d| d.contains("+spec x;")));
    assert_eq!(v["diagnostics"], serde_json::json!([]));

    for example in examples() {
        let out = ccattr(&["fmt", "--check", s(&example)], None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn fmt_reads_stdin_and_writes_stdout() {
    for args in [&["fmt", "-"][..], &["fmt", "--stdin"][..]] {
        let out = ccattr(args, Some(MESSY));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), TIDY);
    }
    let out = ccattr(&["fmt", "--check", "-"], Some(TIDY));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let out = ccattr(&["fmt", "--check", "-"], Some(MESSY));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+spec x; // keep me"));
}

#[test]
fn fmt_refuses_specs_with_syntax_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.ccattr");
    let broken = "spec x;\nattr A\nattr B;\n";
    std::fs::write(&bad, broken).expect("write");
    let out = ccattr(&["fmt", s(&bad)], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[E0003]"), "{stderr}");
    assert!(stderr.contains("bad.ccattr:3:1"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&bad).expect("read"),
        broken,
        "left as it was"
    );

    let out = ccattr(&["fmt", "-"], Some(broken));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing on standard output for an editor to paste"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:3:1"));

    let out = ccattr(&["fmt", "-"], Some("spec x;\n\u{0}"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn fmt_usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("x.ccattr");
    std::fs::write(&spec, TIDY).expect("write");
    for args in [
        vec!["fmt"],
        vec!["fmt", "-", s(&spec)],
        vec!["fmt", "--format", "json", "-"],
        vec!["fmt", "--format", "sarif", s(&spec)],
        vec!["fmt", "/nonexistent/x.ccattr"],
    ] {
        let out = ccattr(&args, Some(""));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
}

#[cfg(unix)]
#[test]
fn fmt_through_a_symlink_keeps_the_link_and_the_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real.ccattr");
    let link = dir.path().join("link.ccattr");
    std::fs::write(&real, MESSY).expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = ccattr(&["fmt", s(&link)], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::symlink_metadata(&link)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real).expect("read"), TIDY);
    let mode = std::fs::metadata(&real).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
