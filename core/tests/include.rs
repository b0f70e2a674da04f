//! `include` (docs/language.md, "Specs in several files"): the loader over files
//! held in memory, so that every case is exact: diamonds read once, cycles with
//! their chain, missing files, duplicates across files naming both, errors in an
//! included file at its own line and column, the limits, and the file table the
//! outputs print.

use ccattr_core::compile::{compile_with, diagnostics, source};
use ccattr_core::load::{Files, Root, MAX_FILES, MAX_INCLUDE_DEPTH};
use ccattr_core::{Checked, ReadError, Rejected};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files in memory, by path; every other path is missing.
struct Memory(BTreeMap<PathBuf, Vec<u8>>);

impl Memory {
    fn new(files: &[(&str, &str)]) -> Memory {
        Memory(
            files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec()))
                .collect(),
        )
    }
}

impl Files for Memory {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        self.0
            .get(&self.key(path))
            .cloned()
            .ok_or_else(|| ReadError {
                path: path.to_path_buf(),
                kind: std::io::ErrorKind::NotFound,
                reason: "no such file or directory".into(),
            })
    }

    fn key(&self, path: &Path) -> PathBuf {
        PathBuf::from(ccattr_core::load::join("", &path.to_string_lossy()))
    }
}

/// Compile `root` (a path of `files`) as the command line would.
fn compile(files: &[(&str, &str)], root: &str) -> Result<Checked, Rejected> {
    let mem = Memory::new(files);
    let bytes = mem.read(Path::new(root)).expect("the root is given");
    let root_path = PathBuf::from(root);
    compile_with(
        Root {
            name: root,
            bytes: &bytes,
            path: Some(&root_path),
        },
        &mem,
        &ccattr_codegen::C_HEADER,
    )
}

/// (code, file, line, column) of every diagnostic.
fn found(result: &Result<Checked, Rejected>) -> Vec<(String, String, usize, usize)> {
    let src = source(result);
    diagnostics(result)
        .iter()
        .map(|d| {
            let p = src.position(d.span.start);
            let file = src.file_at(d.span.start).name.clone();
            (d.code.to_string(), file, p.line, p.column)
        })
        .collect()
}

fn has(result: &Result<Checked, Rejected>, code: &str, file: &str, line: usize, column: usize) {
    let got = found(result);
    assert!(
        got.iter()
            .any(|(c, f, l, col)| c == code && f == file && *l == line && *col == column),
        "expected {code} at {file}:{line}:{column}, got {got:?}"
    );
}

const ATTRS: &str = "naming { prefix = \"CC_ATTR_\"; }\n\
/// Memory is encrypted.\nattr CC_ATTR_MEM_ENCRYPT;\n\
attr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n";

const POLICY: &str = "spec policy;\ninclude \"attrs/common.ccattr\";\n\
platform guest { sets CC_ATTR_GUEST_MEM_ENCRYPT; }\n\
device ioapic { mmio 0xFEC00000 size 0x1000; }\n\
map ioapic decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n";

#[test]
fn an_included_files_items_stand_where_the_include_is() {
    let c = compile(
        &[
            ("specs/policy.ccattr", POLICY),
            ("specs/attrs/common.ccattr", ATTRS),
        ],
        "specs/policy.ccattr",
    )
    .expect("checks");
    // The kernel's order: the included attributes, then nothing else.
    let names: Vec<&str> = c.table.attrs.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["CC_ATTR_MEM_ENCRYPT", "CC_ATTR_GUEST_MEM_ENCRYPT"]);
    assert_eq!(c.table.attrs[0].doc, ["Memory is encrypted."]);
    // The file table: names as shown (joined to the root's folder) and paths
    // relative to the root's folder, which the outputs print.
    let files: Vec<(&str, &str)> = c
        .source
        .files()
        .iter()
        .map(|f| (f.name.as_str(), f.path.as_str()))
        .collect();
    assert_eq!(
        files,
        [
            ("specs/policy.ccattr", "policy.ccattr"),
            ("specs/attrs/common.ccattr", "attrs/common.ccattr")
        ]
    );
    assert_eq!(c.table.files, ["policy.ccattr", "attrs/common.ccattr"]);
    // Each entry knows its file and its line in that file.
    let a = &c.table.attrs[1];
    assert_eq!((a.file, a.line), (1, 4));
    let d = &c.table.devices[0];
    assert_eq!((d.file, d.line), (0, 4));
}

#[test]
fn a_spec_of_one_file_has_no_file_table_in_its_outputs() {
    let one = "spec one;\nattr A;\nplatform p { sets A; }\n";
    let c = compile(&[("one.ccattr", one)], "one.ccattr").expect("checks");
    assert!(c.table.files.is_empty());
    assert_eq!(c.table.format_version(), 1);
    assert_eq!(c.source.files().len(), 1);
}

#[test]
fn a_diamond_is_read_once() {
    let left = "include \"base.ccattr\";\nattr CC_ATTR_LEFT = CC_ATTR_MEM_ENCRYPT;\n";
    let right = "include \"base.ccattr\";\nattr CC_ATTR_RIGHT = CC_ATTR_MEM_ENCRYPT;\n";
    let base = "naming { prefix = \"CC_ATTR_\"; }\nattr CC_ATTR_MEM_ENCRYPT;\n";
    let root = "spec d;\ninclude \"left.ccattr\";\ninclude \"right.ccattr\";\n";
    let c = compile(
        &[
            ("d.ccattr", root),
            ("left.ccattr", left),
            ("right.ccattr", right),
            ("base.ccattr", base),
        ],
        "d.ccattr",
    )
    .expect("a diamond checks: its shared file is read once");
    let names: Vec<&str> = c.table.attrs.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["CC_ATTR_MEM_ENCRYPT", "CC_ATTR_LEFT", "CC_ATTR_RIGHT"]
    );
    assert_eq!(c.source.files().len(), 4);
    // Reached again through another path, it is still one file.
    let again = "spec d;\ninclude \"left.ccattr\";\ninclude \"./x/../base.ccattr\";\n";
    let c = compile(
        &[
            ("d.ccattr", again),
            ("left.ccattr", left),
            ("base.ccattr", base),
        ],
        "d.ccattr",
    )
    .expect("checks");
    assert_eq!(c.source.files().len(), 3);
}

#[test]
fn e0131_a_cycle_shows_its_chain() {
    let a = "attr CC_ATTR_A;\ninclude \"b.ccattr\";\n";
    let b = "include \"a.ccattr\";\n";
    let root = "spec c;\nnaming { prefix = \"CC_ATTR_\"; }\ninclude \"a.ccattr\";\n";
    let r = compile(
        &[("c.ccattr", root), ("a.ccattr", a), ("b.ccattr", b)],
        "c.ccattr",
    );
    has(&r, "E0131", "b.ccattr", 1, 1);
    let d = diagnostics(&r).iter().find(|d| d.code == "E0131").unwrap();
    assert_eq!(
        d.message,
        "include cycle: a.ccattr includes b.ccattr includes a.ccattr"
    );
    // The include that starts the cycle is labelled, in its file.
    let src = source(&r);
    let labels: Vec<String> = d
        .secondary
        .iter()
        .map(|l| src.location(l.span.start))
        .collect();
    assert_eq!(labels, ["a.ccattr:2"]);
    // Back to the root.
    let back = "include \"c.ccattr\";\n";
    let r = compile(
        &[
            ("c.ccattr", root),
            ("a.ccattr", "include \"back.ccattr\";\n"),
            ("back.ccattr", back),
        ],
        "c.ccattr",
    );
    let d = diagnostics(&r)
        .iter()
        .find(|d| d.code == "E0131")
        .expect("a cycle");
    assert_eq!(
        d.message,
        "include cycle: c.ccattr includes a.ccattr includes back.ccattr includes c.ccattr"
    );
    // A file that includes itself.
    let r = compile(
        &[("s.ccattr", "spec s;\ninclude \"s.ccattr\";\n")],
        "s.ccattr",
    );
    has(&r, "E0131", "s.ccattr", 2, 1);
}

#[test]
fn e0130_a_missing_file_is_an_error_at_the_include() {
    let root = "spec m;\n\ninclude \"attrs/none.ccattr\";\n";
    let r = compile(&[("dir/m.ccattr", root)], "dir/m.ccattr");
    has(&r, "E0130", "dir/m.ccattr", 3, 1);
    let d = diagnostics(&r).iter().find(|d| d.code == "E0130").unwrap();
    assert!(
        d.message.contains("`dir/attrs/none.ccattr`") && d.message.contains("no such file"),
        "{}",
        d.message
    );
}

#[test]
fn e0103_a_duplicate_across_files_names_both() {
    let attrs = "attr CC_ATTR_A;\n";
    let root =
        "spec dup;\nnaming { prefix = \"CC_ATTR_\"; }\ninclude \"a.ccattr\";\n\nattr CC_ATTR_A;\n";
    let r = compile(&[("dup.ccattr", root), ("a.ccattr", attrs)], "dup.ccattr");
    has(&r, "E0103", "dup.ccattr", 5, 6);
    let d = diagnostics(&r).iter().find(|d| d.code == "E0103").unwrap();
    let src = source(&r);
    let first = &d.secondary[0];
    assert_eq!(src.file_at(first.span.start).name, "a.ccattr");
    assert_eq!(src.position(first.span.start).line, 1);
    // Every renderer names both files.
    let text = ccattr_core::diagnostics::text(src, diagnostics(&r));
    assert!(
        text.contains("dup.ccattr:5:6") && text.contains("a.ccattr:1:6"),
        "{text}"
    );
    let json = ccattr_core::diagnostics::json_one(src, d);
    assert_eq!(json["file"], "dup.ccattr");
    assert_eq!(json["related"][0]["file"], "a.ccattr");
    assert_eq!(json["related"][0]["line"], 1);
}

#[test]
fn errors_in_an_included_file_are_at_its_line_and_column() {
    let attrs = "attr CC_ATTR_A;\n\nattr CC_ATTR_B = CC_ATTR_NOPE;\nattr ;\n";
    let root = "spec e;\nnaming { prefix = \"CC_ATTR_\"; }\ninclude \"sub/a.ccattr\";\n";
    let r = compile(&[("e.ccattr", root), ("sub/a.ccattr", attrs)], "e.ccattr");
    has(&r, "E0105", "sub/a.ccattr", 3, 18);
    has(&r, "E0003", "sub/a.ccattr", 4, 6);
    let github = ccattr_core::diagnostics::github(source(&r), diagnostics(&r));
    assert!(
        github.contains("file=sub/a.ccattr,line=3,col=18"),
        "{github}"
    );
    // Not UTF-8: the byte's place in the included file.
    let r = compile(
        &[
            ("e.ccattr", root),
            ("sub/a.ccattr", "attr CC_ATTR_\u{e9};\n"),
        ],
        "e.ccattr",
    );
    has(&r, "E0005", "sub/a.ccattr", 1, 14);
}

#[test]
fn e0132_an_included_file_has_no_spec_line() {
    let attrs = "spec other;\nattr CC_ATTR_A;\n";
    let root = "spec s;\nnaming { prefix = \"CC_ATTR_\"; }\ninclude \"a.ccattr\";\n";
    let r = compile(&[("s.ccattr", root), ("a.ccattr", attrs)], "s.ccattr");
    has(&r, "E0132", "a.ccattr", 1, 1);
    // Reported once, not also as a second `spec` (E0102).
    assert!(
        !found(&r).iter().any(|(c, ..)| c == "E0102"),
        "{:?}",
        found(&r)
    );
}

#[test]
fn e0133_include_paths_are_relative() {
    for path in ["/etc/passwd", "", "a\\\\b.ccattr"] {
        let root = format!("spec s;\ninclude \"{path}\";\n");
        let r = compile(&[("s.ccattr", root.as_str())], "s.ccattr");
        has(&r, "E0133", "s.ccattr", 2, 1);
    }
}

#[test]
fn e0134_e0135_e0136_the_limits() {
    // Too deep: a chain of includes one longer than the limit.
    let mut files: Vec<(String, String)> = vec![(
        "s.ccattr".into(),
        "spec s;\ninclude \"f0.ccattr\";\n".into(),
    )];
    for i in 0..=MAX_INCLUDE_DEPTH {
        files.push((
            format!("f{i}.ccattr"),
            format!("include \"f{}.ccattr\";\n", i + 1),
        ));
    }
    files.push((format!("f{}.ccattr", MAX_INCLUDE_DEPTH + 1), String::new()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = compile(&refs, "s.ccattr");
    let at = format!("f{}.ccattr", MAX_INCLUDE_DEPTH - 1);
    has(&r, "E0135", &at, 1, 1);

    // Too many files: one include each, side by side.
    let mut root = String::from("spec s;\n");
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..MAX_FILES {
        root.push_str(&format!("include \"f{i}.ccattr\";\n"));
        files.push((format!("f{i}.ccattr"), String::new()));
    }
    files.push(("s.ccattr".into(), root));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = compile(&refs, "s.ccattr");
    // The root is a file: the include of file number MAX_FILES + 1 is refused.
    has(&r, "E0134", "s.ccattr", 1 + MAX_FILES, 1);
    assert_eq!(found(&r).iter().filter(|f| f.0 == "E0134").count(), 1);

    // Too many bytes together, though each file is under the limit.
    let big = " ".repeat(ccattr_grammar::MAX_SOURCE_BYTES / 2 + 1);
    let r = compile(
        &[
            (
                "s.ccattr",
                "spec s;\ninclude \"a.ccattr\";\ninclude \"b.ccattr\";\n",
            ),
            ("a.ccattr", &big),
            ("b.ccattr", &big),
        ],
        "s.ccattr",
    );
    has(&r, "E0136", "s.ccattr", 3, 1);
}
