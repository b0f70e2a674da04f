//! `ccattr kernel-check` end to end, through the binary:
//! - examples/linux_6_1.ccattr against Debian's 6.1 headers
//!   (`/usr/src/linux-headers-6.1.*-common`), and against copies of the real header
//!   with two members swapped, a member removed and a kernel-doc text changed;
//! - examples/linux_mainline.ccattr against the same headers, which it must not match;
//! - trees that cannot be read (exit 2), headers of junk, former names, every format;
//! - the vendor comparison, against fixtures in tests/kernel_check/ shaped like 6.1's
//!   and mainline's arch/x86/coco/core.c (a headers tree has none).
//!
//! Outside CI, a machine without the 6.1 headers skips the tests that need them with a
//! message; with `CI` set (as .ci/run does) they fail instead.

#[path = "../lint/tests/support/sarif_schema.rs"]
mod sarif_schema;
mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const CCATTR: &str = env!("CARGO_BIN_EXE_ccattr");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/kernel_check").join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn ccattr(args: &[&str]) -> Output {
    support::run(
        Command::new(CCATTR).args(args),
        None,
        Duration::from_secs(60),
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `kernel-check --format json`: the exit status and the document.
fn check_json(spec: &Path, tree: &Path) -> (i32, Value) {
    let o = ccattr(&[
        "kernel-check",
        s(spec),
        "--tree",
        s(tree),
        "--format",
        "json",
    ]);
    let doc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stderr(&o)));
    (code(&o), doc)
}

/// Each finding as (code, message), in the order reported.
fn findings(doc: &Value) -> Vec<(String, String)> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_string(),
                d["message"].as_str().expect("message").to_string(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(c, m)| (c.to_string(), m.to_string()))
        .collect()
}

/// The findings about members, names and positions: all but the kernel-doc ones.
fn structural(doc: &Value) -> Vec<(String, String)> {
    findings(doc)
        .into_iter()
        .filter(|(c, _)| c != "KERNEL_DOC_DIFFERS" && c != "KERNEL_DOC_TAG_MISMATCH")
        .collect()
}

/// The kernel-doc findings.
fn doc_findings(doc: &Value) -> Vec<(String, String)> {
    findings(doc)
        .into_iter()
        .filter(|(c, _)| c == "KERNEL_DOC_DIFFERS" || c == "KERNEL_DOC_TAG_MISMATCH")
        .collect()
}

/// Debian's 6.1 headers tree that holds include/linux/cc_platform.h (the newest
/// `/usr/src/linux-headers-6.1.*-common`); `None` skips the test outside CI.
fn headers_6_1() -> Option<PathBuf> {
    let mut found: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir("/usr/src")
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let release = name
                .strip_prefix("linux-headers-")?
                .strip_suffix("-common")?
                .to_string();
            let dir = Path::new("/usr/src").join(&name);
            let key: Vec<u64> = release
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect();
            (release.starts_with("6.1.") && dir.join("include/linux/cc_platform.h").is_file())
                .then_some((key, dir))
        })
        .collect();
    found.sort();
    let dir = found.pop().map(|(_, d)| d);
    support::require(
        dir.is_some(),
        "Debian's 6.1 kernel headers (/usr/src/linux-headers-6.1.*-common, linux-headers-amd64)",
    )
    .then(|| dir.expect("found"))
}

fn real_header(tree: &Path) -> String {
    std::fs::read_to_string(tree.join("include/linux/cc_platform.h")).expect("the header")
}

/// A kernel tree in `dir` with this header (and core.c, if given).
fn make_tree(dir: &Path, header: Option<&str>, core: Option<&str>) -> PathBuf {
    let tree = dir.join("linux");
    std::fs::create_dir_all(tree.join("include/linux")).expect("mkdir");
    if let Some(h) = header {
        std::fs::write(tree.join("include/linux/cc_platform.h"), h).expect("write header");
    }
    if let Some(c) = core {
        std::fs::create_dir_all(tree.join("arch/x86/coco")).expect("mkdir");
        std::fs::write(tree.join("arch/x86/coco/core.c"), c).expect("write core.c");
    }
    tree
}

/// The lines of the real header from the kernel-doc block of `member` to the member's
/// own line: the part that moves when members move.
fn block(text: &str, member: &str) -> std::ops::Range<usize> {
    let line = format!("\n\t{member},\n");
    let at = text
        .find(&line)
        .unwrap_or_else(|| panic!("{member} in the header"));
    let open = text[..at].rfind("/**").expect("its kernel-doc");
    let start = text[..open].rfind('\n').expect("a line before it") + 1;
    start..at + line.len()
}

fn line_of(text: &str, needle: &str) -> u64 {
    let at = text.find(needle).expect("in the text");
    text[..at].matches('\n').count() as u64 + 1
}

/// What examples/linux_6_1.ccattr gets against the real 6.1 header: it agrees
/// member for member and text for text; only the kernel's own mistagged block is
/// reported, as a warning.
const LINUX_6_1_TODAY: [(&str, &str); 1] = [(
    "KERNEL_DOC_TAG_MISMATCH",
    "the kernel-doc tag `@CC_ATTR_SEV_SNP` does not name its member `CC_ATTR_GUEST_SEV_SNP`",
)];

#[test]
fn linux_6_1_against_the_6_1_headers() {
    let Some(tree) = headers_6_1() else { return };
    let spec = example("linux_6_1.ccattr");
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!(findings(&doc), pairs(&LINUX_6_1_TODAY), "{doc:#}");
    assert_eq!(status, 0, "the 6.1 example agrees with the 6.1 headers");
    assert_eq!(doc["agrees"], Value::Bool(true));
    // Every member of the real enum, read in order.
    let members: Vec<&str> = doc["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        members,
        [
            "CC_ATTR_MEM_ENCRYPT",
            "CC_ATTR_HOST_MEM_ENCRYPT",
            "CC_ATTR_GUEST_MEM_ENCRYPT",
            "CC_ATTR_GUEST_STATE_ENCRYPT",
            "CC_ATTR_GUEST_UNROLL_STRING_IO",
            "CC_ATTR_GUEST_SEV_SNP",
            "CC_ATTR_HOTPLUG_DISABLED",
        ]
    );
    assert_eq!(
        doc["enum_doc"],
        "Confidential computing attributes These attributes represent confidential \
         computing features that are currently active."
    );
    // The mistagged block is located in the kernel's header, at its tag.
    let text = real_header(&tree);
    let tag = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "KERNEL_DOC_TAG_MISMATCH")
        .expect("the 6.1 tag");
    assert_eq!(tag["file"], s(&tree.join("include/linux/cc_platform.h")));
    assert_eq!(tag["line"], line_of(&text, "@CC_ATTR_SEV_SNP:"));
    assert_eq!(tag["severity"], "warning");
    // A doc finding shows both texts, normalized.
    let drift = &doc["diagnostics"][0];
    let notes: Vec<&str> = drift["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if drift["code"] == "KERNEL_DOC_DIFFERS" {
        assert!(notes.iter().any(|n| n.starts_with("spec:   ")), "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("kernel: Memory encryption is active The platform/OS")),
            "{notes:?}"
        );
    }
}

#[test]
fn swapped_members_are_named_with_both_positions() {
    let Some(tree) = headers_6_1() else { return };
    let spec = example("linux_6_1.ccattr");
    let (_, base) = check_json(&spec, &tree);
    let text = real_header(&tree);
    let (a, b) = (
        block(&text, "CC_ATTR_HOST_MEM_ENCRYPT"),
        block(&text, "CC_ATTR_GUEST_MEM_ENCRYPT"),
    );
    assert!(a.end <= b.start);
    let swapped = format!(
        "{}{}{}{}{}",
        &text[..a.start],
        &text[b.clone()],
        &text[a.end..b.start],
        &text[a.clone()],
        &text[b.end..]
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = make_tree(dir.path(), Some(&swapped), None);
    let (status, doc) = check_json(&spec, &copy);
    assert_eq!(status, 1);
    assert_eq!(
        structural(&doc),
        pairs(&[
            (
                "KERNEL_POSITION_DIFFERS",
                "`CC_ATTR_HOST_MEM_ENCRYPT` is at position 1 in the spec but 2 in the kernel, whose position 1 is `CC_ATTR_GUEST_MEM_ENCRYPT`"
            ),
            (
                "KERNEL_POSITION_DIFFERS",
                "`CC_ATTR_GUEST_MEM_ENCRYPT` is at position 2 in the spec but 1 in the kernel, whose position 2 is `CC_ATTR_HOST_MEM_ENCRYPT`"
            ),
        ])
    );
    // Each block moved with its member: the kernel-doc findings are the real header's.
    assert_eq!(doc_findings(&doc), doc_findings(&base));
    // The note names the member's line in the copy.
    let host = &doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "KERNEL_POSITION_DIFFERS")
        .expect("a position")["notes"][0];
    let line = line_of(&swapped, "\tCC_ATTR_HOST_MEM_ENCRYPT,");
    assert_eq!(
        host,
        &Value::from(format!(
            "{}:{line}: `CC_ATTR_HOST_MEM_ENCRYPT` is member 2 of the kernel's enum; the spec has `CC_ATTR_GUEST_MEM_ENCRYPT` at position 2",
            s(&copy.join("include/linux/cc_platform.h"))
        ))
    );
}

#[test]
fn a_removed_member_is_missing_and_moves_the_ones_after_it() {
    let Some(tree) = headers_6_1() else { return };
    let spec = example("linux_6_1.ccattr");
    let text = real_header(&tree);
    let host = block(&text, "CC_ATTR_HOST_MEM_ENCRYPT");
    let removed = format!("{}{}", &text[..host.start], &text[host.end..]);
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = make_tree(dir.path(), Some(&removed), None);
    let (status, doc) = check_json(&spec, &copy);
    assert_eq!(status, 1);
    let mut expected = vec![(
        "KERNEL_ATTR_MISSING".to_string(),
        "`CC_ATTR_HOST_MEM_ENCRYPT` is not a member of the kernel's enum cc_attr".to_string(),
    )];
    let after = [
        "CC_ATTR_GUEST_MEM_ENCRYPT",
        "CC_ATTR_GUEST_STATE_ENCRYPT",
        "CC_ATTR_GUEST_UNROLL_STRING_IO",
        "CC_ATTR_GUEST_SEV_SNP",
        "CC_ATTR_HOTPLUG_DISABLED",
    ];
    for (i, name) in after.iter().enumerate() {
        let (spec_pos, kernel_pos) = (i + 2, i + 1);
        let theirs = after
            .get(i + 1)
            .map_or(format!("which has no position {spec_pos}"), |n| {
                format!("whose position {spec_pos} is `{n}`")
            });
        expected.push((
            "KERNEL_POSITION_DIFFERS".to_string(),
            format!(
                "`{name}` is at position {spec_pos} in the spec but {kernel_pos} in the kernel, {theirs}"
            ),
        ));
    }
    assert_eq!(structural(&doc), expected);

    // The last member removed: missing, and nothing moves.
    let last = block(&text, "CC_ATTR_HOTPLUG_DISABLED");
    let removed = format!("{}{}", &text[..last.start], &text[last.end..]);
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = make_tree(dir.path(), Some(&removed), None);
    let (status, doc) = check_json(&spec, &copy);
    assert_eq!(status, 1);
    assert_eq!(
        structural(&doc),
        pairs(&[(
            "KERNEL_ATTR_MISSING",
            "`CC_ATTR_HOTPLUG_DISABLED` is not a member of the kernel's enum cc_attr"
        )])
    );
}

#[test]
fn a_changed_kernel_doc_text_shows_both_texts() {
    let Some(tree) = headers_6_1() else { return };
    let spec = example("linux_6_1.ccattr");
    let (_, base) = check_json(&spec, &tree);
    let text = real_header(&tree);
    assert_eq!(text.matches("Guest SNP is active.").count(), 1);
    let drifted = text.replace("Guest SNP is active.", "Guest SNP is on.");
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = make_tree(dir.path(), Some(&drifted), None);
    let (status, doc) = check_json(&spec, &copy);
    assert_eq!(status, 1);
    assert_eq!(structural(&doc), []);
    let message = "the doc comment of `CC_ATTR_GUEST_SEV_SNP` is not the kernel's kernel-doc";
    let new: Vec<_> = doc_findings(&doc)
        .into_iter()
        .filter(|f| !doc_findings(&base).contains(f))
        .collect();
    assert_eq!(new, pairs(&[("KERNEL_DOC_DIFFERS", message)]));
    let d = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["message"] == message)
        .expect("the drift");
    let notes = &d["notes"];
    assert!(
        notes[0].as_str().expect("note").starts_with(
            "spec:   Guest SNP is active. The platform/OS is running as a guest/virtual machine"
        ),
        "{notes}"
    );
    assert_eq!(
        notes[1],
        "kernel: Guest SNP is on. The platform/OS is running as a guest/virtual machine and actively using AMD SEV-SNP features."
    );
    assert_eq!(
        notes[2],
        "they differ from character 14: spec `...uest SNP is active. The ...`, kernel `...uest SNP is on. The plat...`"
    );
    // Located at the attribute in the spec, with the kernel's line in its label.
    assert_eq!(d["file"], s(&spec));
    let spec_text = std::fs::read_to_string(&spec).expect("spec");
    assert_eq!(d["line"], line_of(&spec_text, "attr CC_ATTR_GUEST_SEV_SNP"));
    assert!(
        d["label"].as_str().expect("label").ends_with(&format!(
            "cc_platform.h:{}",
            line_of(&drifted, "@CC_ATTR_SEV_SNP") - 1
        )),
        "{d:#}"
    );
}

#[test]
fn linux_mainline_does_not_agree_with_6_1() {
    let Some(tree) = headers_6_1() else { return };
    let (status, doc) = check_json(&example("linux_mainline.ccattr"), &tree);
    assert_eq!(status, 1);
    assert_eq!(doc["agrees"], false);
    // Mainline added three attributes after GUEST_SEV_SNP and removed
    // HOTPLUG_DISABLED (v6.11); the six they share are in the same places.
    assert_eq!(
        structural(&doc),
        pairs(&[
            (
                "KERNEL_ATTR_MISSING",
                "`CC_ATTR_GUEST_SNP_SECURE_TSC` is not a member of the kernel's enum cc_attr"
            ),
            (
                "KERNEL_ATTR_MISSING",
                "`CC_ATTR_HOST_SEV_SNP` is not a member of the kernel's enum cc_attr"
            ),
            (
                "KERNEL_ATTR_MISSING",
                "`CC_ATTR_SNP_SECURE_AVIC` is not a member of the kernel's enum cc_attr"
            ),
            (
                "KERNEL_MEMBER_UNDECLARED",
                "the kernel's `CC_ATTR_HOTPLUG_DISABLED` (position 6) is not declared in the spec"
            ),
        ])
    );
    // The member the spec lacks is located in the kernel's header.
    let text = real_header(&tree);
    let undeclared = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "KERNEL_MEMBER_UNDECLARED")
        .expect("HOTPLUG_DISABLED");
    assert_eq!(
        undeclared["file"],
        s(&tree.join("include/linux/cc_platform.h"))
    );
    assert_eq!(
        undeclared["line"],
        line_of(&text, "\tCC_ATTR_HOTPLUG_DISABLED,")
    );
    // The kernel-doc findings can only be about members both have.
    for (c, m) in doc_findings(&doc) {
        assert!(
            c == "KERNEL_DOC_TAG_MISMATCH"
                || !["SNP_SECURE_TSC", "HOST_SEV_SNP", "SECURE_AVIC", "HOTPLUG"]
                    .iter()
                    .any(|n| m.contains(n)),
            "{m}"
        );
    }
}

#[test]
fn trees_that_cannot_be_read_exit_2_with_the_path() {
    let spec = example("linux_6_1.ccattr");
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-tree");
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&missing)]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!(
            "error: cannot read kernel tree {}: no such file or directory\n",
            missing.display()
        )
    );
    assert!(o.stdout.is_empty());

    // A tree without the header, in every format: a message, no report.
    let empty = make_tree(dir.path(), None, Some("int x;"));
    for format in ["text", "json", "sarif", "github"] {
        let o = ccattr(&[
            "kernel-check",
            s(&spec),
            "--tree",
            s(&empty),
            "--format",
            format,
        ]);
        assert_eq!(code(&o), 2, "{format}");
        assert!(o.stdout.is_empty(), "{format}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "has no include/linux/cc_platform.h (looked for {})",
                empty.join("include/linux/cc_platform.h").display()
            )),
            "{err}"
        );
    }

    // A file given as the tree; a header that is a directory; one that is too large.
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&spec)]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is not a directory"), "{}", stderr(&o));
    let odd = dir.path().join("odd");
    std::fs::create_dir_all(odd.join("include/linux/cc_platform.h")).expect("mkdir");
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&odd)]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("it is a directory"), "{}", stderr(&o));
    let big = dir.path().join("big");
    let header = format!(
        "enum cc_attr {{ CC_ATTR_MEM_ENCRYPT, }};\n{}",
        " ".repeat(2 << 20)
    );
    let big = make_tree(&big, Some(&header), None);
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&big)]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("larger than 1024 KiB"),
        "{}",
        stderr(&o)
    );

    // The spec missing is a file-system failure too; the tree is read first.
    let o = ccattr(&["kernel-check", s(&missing), "--tree", s(&empty)]);
    assert_eq!(code(&o), 2);
    let o = ccattr(&[
        "kernel-check",
        s(&dir.path().join("none.ccattr")),
        "--tree",
        s(&big),
    ]);
    assert_eq!(code(&o), 2);
}

/// The members of Linux 6.1's enum, with kernel-doc texts written for the fixtures.
const MEMBERS_6_1: [(&str, &str); 7] = [
    ("CC_ATTR_MEM_ENCRYPT", "Memory encryption is active"),
    (
        "CC_ATTR_HOST_MEM_ENCRYPT",
        "Host memory encryption is active",
    ),
    (
        "CC_ATTR_GUEST_MEM_ENCRYPT",
        "Guest memory encryption is active",
    ),
    (
        "CC_ATTR_GUEST_STATE_ENCRYPT",
        "Guest state encryption is active",
    ),
    ("CC_ATTR_GUEST_UNROLL_STRING_IO", "String I/O is unrolled"),
    ("CC_ATTR_GUEST_SEV_SNP", "Guest SNP is active"),
    ("CC_ATTR_HOTPLUG_DISABLED", "Hotplug is disabled"),
];

/// Mainline's members (from v6.18).
const MEMBERS_MAINLINE: [(&str, &str); 9] = [
    ("CC_ATTR_MEM_ENCRYPT", "Memory encryption is active"),
    (
        "CC_ATTR_HOST_MEM_ENCRYPT",
        "Host memory encryption is active",
    ),
    (
        "CC_ATTR_GUEST_MEM_ENCRYPT",
        "Guest memory encryption is active",
    ),
    (
        "CC_ATTR_GUEST_STATE_ENCRYPT",
        "Guest state encryption is active",
    ),
    ("CC_ATTR_GUEST_UNROLL_STRING_IO", "String I/O is unrolled"),
    ("CC_ATTR_GUEST_SEV_SNP", "Guest SNP is active"),
    ("CC_ATTR_GUEST_SNP_SECURE_TSC", "Secure TSC is active"),
    ("CC_ATTR_HOST_SEV_SNP", "SNP is enabled on the host"),
    ("CC_ATTR_SNP_SECURE_AVIC", "Secure AVIC is active"),
];

const IMPLIES: [(&str, &str); 6] = [
    ("CC_ATTR_HOST_MEM_ENCRYPT", "CC_ATTR_MEM_ENCRYPT"),
    ("CC_ATTR_GUEST_MEM_ENCRYPT", "CC_ATTR_MEM_ENCRYPT"),
    ("CC_ATTR_GUEST_STATE_ENCRYPT", "CC_ATTR_GUEST_MEM_ENCRYPT"),
    ("CC_ATTR_GUEST_SEV_SNP", "CC_ATTR_GUEST_STATE_ENCRYPT"),
    ("CC_ATTR_GUEST_SNP_SECURE_TSC", "CC_ATTR_GUEST_SEV_SNP"),
    ("CC_ATTR_SNP_SECURE_AVIC", "CC_ATTR_GUEST_SEV_SNP"),
];

/// A cc_platform.h in the kernel's shape with these members and kernel-doc texts.
fn header_text(members: &[(&str, &str)]) -> String {
    let mut h = String::from(
        "/* SPDX-License-Identifier: MIT OR Apache-2.0 */\n/* A test fixture. */\n\
         #ifndef _LINUX_CC_PLATFORM_H\n#define _LINUX_CC_PLATFORM_H\n\n\
         /**\n * enum cc_attr - Confidential computing attributes\n */\nenum cc_attr {\n",
    );
    for (name, doc) in members {
        h.push_str(&format!("\t/**\n\t * @{name}: {doc}\n\t */\n\t{name},\n\n"));
    }
    h.push_str("};\n\nbool cc_platform_has(enum cc_attr attr);\n\n#endif\n");
    h
}

/// A spec with these attributes (their docs the kernel's) and `platforms`.
fn spec_text(members: &[(&str, &str)], platforms: &str) -> String {
    let mut t = String::from("/// A kernel-check fixture.\nspec fixture;\n\n");
    for (name, doc) in members {
        let implied: Vec<&str> = IMPLIES
            .iter()
            .filter(|(a, _)| a == name)
            .map(|(_, b)| *b)
            .collect();
        let implies = if implied.is_empty() {
            String::new()
        } else {
            format!(" implies {}", implied.join(", "))
        };
        t.push_str(&format!("/// {doc}\nattr {name}{implies};\n\n"));
    }
    t.push_str(platforms);
    t
}

fn write_spec(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("fixture.ccattr");
    std::fs::write(&p, text).expect("write spec");
    p
}

#[test]
fn a_spec_that_matches_agrees_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = make_tree(dir.path(), Some(&header_text(&MEMBERS_6_1)), None);
    let spec = write_spec(
        dir.path(),
        &spec_text(&MEMBERS_6_1, "/// None.\nplatform bare_metal {}\n"),
    );
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&tree)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "{}: agrees with {} (0 warnings)\n",
            spec.display(),
            tree.join("include/linux/cc_platform.h").display()
        )
    );
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!((status, doc["agrees"].clone()), (0, Value::Bool(true)));
    assert_eq!(findings(&doc), []);
    assert_eq!(doc["core"], Value::Null);
    assert_eq!(doc["enum_doc"], "Confidential computing attributes");
    assert_eq!(doc["members"][6]["name"], "CC_ATTR_HOTPLUG_DISABLED");
    assert_eq!(doc["members"][6]["position"], 6);
    assert_eq!(doc["members"][6]["tag"], "CC_ATTR_HOTPLUG_DISABLED");
    assert_eq!(doc["members"][6]["doc"], "Hotplug is disabled");
    let o = ccattr(&[
        "kernel-check",
        s(&spec),
        "--tree",
        s(&tree),
        "--format",
        "github",
    ]);
    assert_eq!((code(&o), o.stdout.is_empty()), (0, true));

    // A spec whose names and order differ from the kernel's only by attributes that
    // do not start with CC_ATTR_: those are not held against the kernel.
    let mut extra = spec_text(&MEMBERS_6_1, "");
    extra.push_str("/// A policy bit of the spec's own.\nattr POLICY_LOCAL;\n");
    let spec = write_spec(dir.path(), &extra);
    assert_eq!(check_json(&spec, &tree).0, 0);
    // A kernel formatting the block differently (tabs, line breaks) agrees too.
    let reflowed = header_text(&MEMBERS_6_1).replace(
        "@CC_ATTR_HOTPLUG_DISABLED: Hotplug is disabled",
        "@CC_ATTR_HOTPLUG_DISABLED:\tHotplug\n\t *\t\t\tis   disabled\n\t *",
    );
    let tree = make_tree(&dir.path().join("reflowed"), Some(&reflowed), None);
    assert_eq!(check_json(&spec, &tree).0, 0);
}

#[test]
fn a_former_name_in_the_kernel_is_one_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = make_tree(
        dir.path(),
        Some(&header_text(&[
            ("CC_ATTR_MEM_ENCRYPT", "Memory encryption is active"),
            ("CC_ATTR_SEV_SNP", "Guest SNP is active"),
        ])),
        None,
    );
    let spec = write_spec(
        dir.path(),
        "spec renamed;\n/// Memory encryption is active\nattr CC_ATTR_MEM_ENCRYPT;\n\
         /// Guest SNP is active\nattr CC_ATTR_GUEST_SEV_SNP { formerly CC_ATTR_SEV_SNP; }\n",
    );
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!(status, 1);
    assert_eq!(
        findings(&doc),
        pairs(&[(
            "KERNEL_ATTR_RENAMED",
            "the kernel calls `CC_ATTR_GUEST_SEV_SNP` by its former name `CC_ATTR_SEV_SNP`"
        )])
    );
}

#[test]
fn headers_of_junk_never_crash_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path(), &spec_text(&MEMBERS_6_1, ""));
    let mut junk: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\xff\xfe\x00enum cc_attr".to_vec(),
        b"enum cc_attr {".to_vec(),
        b"enum cc_attr { /** @".to_vec(),
        b"enum cc_attr { CC_ATTR_MEM_ENCRYPT = (1 << ".to_vec(),
        b"#if\n#else\n#endif\n#endif\n/*".to_vec(),
        "enum cc_attr { /** @CC_ATTR_MEM_ENCRYPT: caf\u{e9} \u{202e} */ CC_ATTR_MEM_ENCRYPT };"
            .as_bytes()
            .to_vec(),
    ];
    // Pseudo-random bytes, and the same with an enum inside.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut bytes = Vec::new();
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push(b"enum cc_attr{},;/*@*#\n\tCC_ATTR_X\xff\"'"[(x % 33) as usize]);
    }
    junk.push(bytes);
    for (i, header) in junk.iter().enumerate() {
        let tree = dir.path().join(format!("junk{i}/include/linux"));
        std::fs::create_dir_all(&tree).expect("mkdir");
        std::fs::write(tree.join("cc_platform.h"), header).expect("write");
        let top = dir.path().join(format!("junk{i}"));
        for format in ["text", "json", "sarif", "github"] {
            let o = ccattr(&[
                "kernel-check",
                s(&spec),
                "--tree",
                s(&top),
                "--format",
                format,
            ]);
            assert_eq!(code(&o), 1, "junk {i} ({format}): {}", stderr(&o));
            assert!(
                !stderr(&o).contains("unexpectedly"),
                "junk {i}: {}",
                stderr(&o)
            );
        }
    }
    // No enum at all: one finding, located at the header's start.
    let top = dir.path().join("junk0");
    let (_, doc) = check_json(&spec, &top);
    assert_eq!(
        findings(&doc),
        pairs(&[(
            "KERNEL_ENUM_MISSING",
            &format!(
                "{} has no `enum cc_attr {{ ... }}`",
                top.join("include/linux/cc_platform.h").display()
            )
        )])
    );
    assert_eq!(doc["diagnostics"][0]["line"], 1);
}

/// The platforms of the vendor fixtures: one per kind of finding.
const PLATFORMS_6_1: &str = "\
/// AMD host with SME.
/// kernel: amd
platform sme_host { sets CC_ATTR_HOST_MEM_ENCRYPT; }

/// Intel TDX guest.
/// kernel: intel
platform tdx_guest {
    sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_GUEST_UNROLL_STRING_IO, CC_ATTR_HOTPLUG_DISABLED;
}

/// A TDX guest that forgets two attributes.
/// kernel: intel
platform tdx_short { sets CC_ATTR_GUEST_MEM_ENCRYPT; }

/// Hyper-V guest with vTOM and a paravisor: its set closes to MEM_ENCRYPT too.
///
/// kernel: hyperv
platform hyperv_vtom { sets CC_ATTR_GUEST_MEM_ENCRYPT; }

/// AMD does not report hotplug.
/// kernel: amd
platform amd_hotplug { sets CC_ATTR_HOTPLUG_DISABLED; }

/// An arm64 realm.
// A plain comment between the doc lines.
/// kernel: arm
platform realm { sets CC_ATTR_MEM_ENCRYPT; }

/// A machine without confidential computing.
platform bare_metal {}
";

#[test]
fn platforms_against_a_6_1_shaped_core_c() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = std::fs::read_to_string(fixture("core_6_1.c")).expect("fixture");
    let tree = make_tree(dir.path(), Some(&header_text(&MEMBERS_6_1)), Some(&core));
    let text = spec_text(&MEMBERS_6_1, PLATFORMS_6_1);
    let spec = write_spec(dir.path(), &text);
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!(status, 1);
    assert_eq!(
        findings(&doc),
        pairs(&[
            (
                "KERNEL_VENDOR_RUNTIME",
                "platform `sme_host`: amd_cc_platform_has() decides from run-time state for CC_ATTR_MEM_ENCRYPT, CC_ATTR_HOST_MEM_ENCRYPT, CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_GUEST_STATE_ENCRYPT, CC_ATTR_GUEST_UNROLL_STRING_IO, CC_ATTR_GUEST_SEV_SNP; not compared"
            ),
            (
                "KERNEL_PLATFORM_LACKS",
                "platform `tdx_short` lacks `CC_ATTR_GUEST_UNROLL_STRING_IO`, which intel_cc_platform_has() always returns true for"
            ),
            (
                "KERNEL_PLATFORM_LACKS",
                "platform `tdx_short` lacks `CC_ATTR_HOTPLUG_DISABLED`, which intel_cc_platform_has() always returns true for"
            ),
            (
                "KERNEL_PLATFORM_EXTRA",
                "platform `hyperv_vtom` has `CC_ATTR_MEM_ENCRYPT` (implied by what it sets), which hyperv_cc_platform_has() never returns true for"
            ),
            (
                "KERNEL_PLATFORM_EXTRA",
                "platform `amd_hotplug` has `CC_ATTR_HOTPLUG_DISABLED` (it sets it), which amd_cc_platform_has() never returns true for"
            ),
            (
                "KERNEL_VENDOR_RUNTIME",
                "platform `amd_hotplug`: amd_cc_platform_has() decides from run-time state for CC_ATTR_MEM_ENCRYPT, CC_ATTR_HOST_MEM_ENCRYPT, CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_GUEST_STATE_ENCRYPT, CC_ATTR_GUEST_UNROLL_STRING_IO, CC_ATTR_GUEST_SEV_SNP; not compared"
            ),
            (
                "KERNEL_VENDOR_UNKNOWN",
                "platform `realm` names an unknown vendor `arm`"
            ),
        ])
    );
    let diags = doc["diagnostics"].as_array().expect("diagnostics");
    let core_path = tree.join("arch/x86/coco/core.c");
    // The run-time conditions, as written, with their lines in core.c.
    let runtime = &diags[0]["notes"];
    assert_eq!(
        runtime[0],
        Value::from(format!(
            "`CC_ATTR_MEM_ENCRYPT` (the platform has it): {}:{}: `sme_me_mask`",
            core_path.display(),
            line_of(&core, "return sme_me_mask;")
        ))
    );
    assert_eq!(
        runtime[4],
        Value::from(format!(
            "`CC_ATTR_GUEST_UNROLL_STRING_IO` (the platform lacks it): {}:{}: `(sev_status & MSR_AMD64_SEV_ENABLED) && !(sev_status & MSR_AMD64_SEV_ES_ENABLED)`",
            core_path.display(),
            line_of(&core, "return (sev_status & MSR_AMD64_SEV_ENABLED) &&")
        ))
    );
    assert_eq!(diags[0]["severity"], "warning");
    // Hyper-V's answer is its one comparison.
    assert_eq!(
        diags[3]["notes"][0],
        Value::from(format!(
            "{}:{}: returns false for `CC_ATTR_MEM_ENCRYPT`",
            core_path.display(),
            line_of(&core, "return attr == CC_ATTR_GUEST_MEM_ENCRYPT;")
        ))
    );
    // The unknown vendor is located at its doc line.
    let unknown = &diags[6];
    assert_eq!(unknown["line"], line_of(&text, "/// kernel: arm"));
    assert_eq!(unknown["column"], 1);
    assert_eq!(
        unknown["help"],
        "Write `/// kernel: intel`, `/// kernel: amd` or `/// kernel: hyperv`, once per platform."
    );
    let compared: Vec<(&str, &str, bool)> = doc["platforms"]
        .as_array()
        .expect("platforms")
        .iter()
        .map(|p| {
            (
                p["platform"].as_str().expect("name"),
                p["vendor"].as_str().expect("vendor"),
                p["compared"].as_bool().expect("compared"),
            )
        })
        .collect();
    assert_eq!(
        compared,
        [
            ("sme_host", "amd", true),
            ("tdx_guest", "intel", true),
            ("tdx_short", "intel", true),
            ("hyperv_vtom", "hyperv", true),
            ("amd_hotplug", "amd", true),
        ]
    );

    // The same spec against a tree without core.c: only the unknown vendor, and the
    // summary says what was not compared.
    let headers_only = make_tree(
        &dir.path().join("h"),
        Some(&header_text(&MEMBERS_6_1)),
        None,
    );
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&headers_only)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("error[KERNEL_VENDOR_UNKNOWN]"), "{err}");
    assert_eq!(err.matches("[KERNEL_").count(), 1, "{err}");
    assert!(
        err.ends_with(&format!(
            "{}: 1 finding against {} (0 warnings); 5 platforms name a vendor, but the tree has no arch/x86/coco/core.c, so none was compared\n",
            spec.display(),
            headers_only.join("include/linux/cc_platform.h").display()
        )),
        "{err}"
    );
}

#[test]
fn platforms_against_a_mainline_shaped_core_c() {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = std::fs::read_to_string(fixture("core_mainline.c")).expect("fixture");
    let tree = make_tree(
        dir.path(),
        Some(&header_text(&MEMBERS_MAINLINE)),
        Some(&core),
    );
    let platforms = "\
/// Intel TDX guest.
/// kernel: intel
platform tdx_guest { sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_GUEST_UNROLL_STRING_IO; }

/// Hyper-V with TDX and a paravisor sets the vendor to Intel.
/// kernel: intel
platform hyperv_tdx_paravisor { sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_GUEST_UNROLL_STRING_IO; }

/// Hyper-V's own vendor is gone from mainline.
/// kernel: hyperv
platform hyperv_vtom { sets CC_ATTR_GUEST_MEM_ENCRYPT; }

/// An SNP host.
/// kernel: amd
platform snp_host { sets CC_ATTR_HOST_SEV_SNP; }
";
    let spec = write_spec(dir.path(), &spec_text(&MEMBERS_MAINLINE, platforms));
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!(status, 1);
    let all = [
        "CC_ATTR_MEM_ENCRYPT",
        "CC_ATTR_HOST_MEM_ENCRYPT",
        "CC_ATTR_GUEST_MEM_ENCRYPT",
        "CC_ATTR_GUEST_STATE_ENCRYPT",
        "CC_ATTR_GUEST_UNROLL_STRING_IO",
        "CC_ATTR_GUEST_SEV_SNP",
        "CC_ATTR_GUEST_SNP_SECURE_TSC",
        "CC_ATTR_HOST_SEV_SNP",
        "CC_ATTR_SNP_SECURE_AVIC",
    ];
    assert_eq!(
        findings(&doc),
        vec![
            (
                "KERNEL_VENDOR_ABSENT".to_string(),
                format!(
                    "platform `hyperv_vtom` names vendor `hyperv`, but {} has no hyperv_cc_platform_has()",
                    tree.join("arch/x86/coco/core.c").display()
                )
            ),
            (
                "KERNEL_VENDOR_RUNTIME".to_string(),
                format!(
                    "platform `snp_host`: amd_cc_platform_has() decides from run-time state for {}; not compared",
                    all.join(", ")
                )
            ),
        ]
    );
    // Through the early return for vTOM guests: what each way answers.
    let notes: Vec<String> = doc["diagnostics"][1]["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n.as_str().expect("note").to_string())
        .collect();
    let vtom = line_of(&core, "if (sev_status & MSR_AMD64_SNP_VTOM)");
    let core_path = tree.join("arch/x86/coco/core.c");
    assert_eq!(
        notes[0],
        format!(
            "`CC_ATTR_MEM_ENCRYPT` (the platform lacks it): {}:{vtom}: `sev_status & MSR_AMD64_SNP_VTOM` ? true : `sme_me_mask`",
            core_path.display()
        )
    );
    assert_eq!(
        notes[7],
        format!(
            "`CC_ATTR_HOST_SEV_SNP` (the platform has it): {}:{vtom}: `sev_status & MSR_AMD64_SNP_VTOM` ? false : `cc_flags.host_sev_snp`",
            core_path.display()
        )
    );
}

#[test]
fn every_format_reports_the_same_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The 6.1 members with the spec's first two swapped, one doc drift, a mistag.
    let mut header = header_text(&MEMBERS_6_1)
        .replace("@CC_ATTR_GUEST_SEV_SNP:", "@CC_ATTR_SEV_SNP:")
        .replace("Hotplug is disabled", "Hotplug is off");
    header = header.replace(
        "\t/**\n\t * @CC_ATTR_MEM_ENCRYPT: Memory encryption is active\n\t */\n\tCC_ATTR_MEM_ENCRYPT,\n\n\t/**\n\t * @CC_ATTR_HOST_MEM_ENCRYPT: Host memory encryption is active\n\t */\n\tCC_ATTR_HOST_MEM_ENCRYPT,\n",
        "\t/**\n\t * @CC_ATTR_HOST_MEM_ENCRYPT: Host memory encryption is active\n\t */\n\tCC_ATTR_HOST_MEM_ENCRYPT,\n\n\t/**\n\t * @CC_ATTR_MEM_ENCRYPT: Memory encryption is active\n\t */\n\tCC_ATTR_MEM_ENCRYPT,\n",
    );
    let tree = make_tree(dir.path(), Some(&header), None);
    let spec = write_spec(dir.path(), &spec_text(&MEMBERS_6_1, ""));
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!(status, 1);
    let codes: Vec<String> = findings(&doc).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        codes,
        [
            "KERNEL_POSITION_DIFFERS",
            "KERNEL_POSITION_DIFFERS",
            "KERNEL_DOC_DIFFERS",
            "KERNEL_DOC_TAG_MISMATCH"
        ]
    );
    let header_path = tree.join("include/linux/cc_platform.h");

    // Text: rustc-like, to standard error, each finding against its own file.
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&tree)]);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("error[KERNEL_POSITION_DIFFERS]: `CC_ATTR_MEM_ENCRYPT` is at position 0 in the spec but 1 in the kernel, whose position 0 is `CC_ATTR_HOST_MEM_ENCRYPT`"), "{err}");
    assert!(err.contains("warning[KERNEL_DOC_TAG_MISMATCH]"), "{err}");
    assert!(
        err.contains(&format!("┌─ {}:", header_path.display())),
        "{err}"
    );
    assert!(
        err.contains("@CC_ATTR_SEV_SNP: Guest SNP is active"),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            "{}: 3 findings against {} (1 warning)\n",
            spec.display(),
            header_path.display()
        )),
        "{err}"
    );

    // GitHub: one workflow command per finding, in the same order.
    let o = ccattr(&[
        "kernel-check",
        s(&spec),
        "--tree",
        s(&tree),
        "--format",
        "github",
    ]);
    assert_eq!(code(&o), 1);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with(&format!(
        "::error file={},line=",
        s(&spec).replace(':', "%3A")
    )));
    assert!(
        lines[0].contains("title=KERNEL_POSITION_DIFFERS::"),
        "{out}"
    );
    assert!(lines[3].starts_with("::warning file="), "{out}");
    assert!(lines[3].contains("cc_platform.h"), "{out}");

    // SARIF: valid 2.1.0, kernel-check's codes as rules, results in the same order.
    let o = ccattr(&[
        "kernel-check",
        s(&spec),
        "--tree",
        s(&tree),
        "--format",
        "sarif",
    ]);
    assert_eq!(code(&o), 1);
    let log: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    sarif_schema::validate(&log);
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(
        rules.contains(&"KERNEL_POSITION_DIFFERS") && rules.len() == 13,
        "{rules:?}"
    );
    let results: Vec<&str> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["ruleId"].as_str().expect("ruleId"))
        .collect();
    assert_eq!(results, codes);
    assert_eq!(run["results"][3]["level"], "warning");
    assert!(
        run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri")
            .ends_with("include/linux/cc_platform.h")
    );

    // Markdown is not a format of kernel-check.
    let o = ccattr(&[
        "kernel-check",
        s(&spec),
        "--tree",
        s(&tree),
        "--format",
        "markdown",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("`kernel-check` supports --format text, json, github, sarif"));

    // Deterministic: the same bytes every time.
    for format in ["json", "sarif", "github"] {
        let args = [
            "kernel-check",
            s(&spec),
            "--tree",
            s(&tree),
            "--format",
            format,
        ];
        let (first, second) = (ccattr(&args), ccattr(&args));
        assert!(!first.stdout.is_empty());
        assert_eq!(first.stdout, second.stdout, "{format}");
    }
}

#[test]
fn a_spec_with_errors_reports_them_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = make_tree(dir.path(), Some(&header_text(&MEMBERS_6_1)), None);
    let spec = write_spec(
        dir.path(),
        "spec broken;\nattr CC_ATTR_MEM_ENCRYPT implies NOPE;\n",
    );
    let o = ccattr(&["kernel-check", s(&spec), "--tree", s(&tree)]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0105]"), "{}", stderr(&o));
    let (status, doc) = check_json(&spec, &tree);
    assert_eq!(status, 1);
    assert_eq!(doc["diagnostics"][0]["code"], "E0105");
}

#[test]
fn the_pre_commit_hook_holds_staged_specs_against_a_configured_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = make_tree(dir.path(), Some(&header_text(&MEMBERS_6_1)), None);
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .output()
            .expect("git runs");
        assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    };
    git(&["init", "-q"]);
    let hook = root().join("examples/ci/pre-commit");
    let run_hook = |kernel: Option<(&Path, &str)>| {
        let mut cmd = Command::new("bash");
        cmd.arg(&hook)
            .current_dir(&repo)
            .env("CCATTR", CCATTR)
            .env("CCATTR_LINT_FAIL_ON", "never")
            .env_remove("CCATTR_KERNEL_TREE")
            .env_remove("CCATTR_KERNEL_SPECS");
        if let Some((tree, specs)) = kernel {
            cmd.env("CCATTR_KERNEL_TREE", tree)
                .env("CCATTR_KERNEL_SPECS", specs);
        }
        support::run(&mut cmd, None, Duration::from_secs(60))
    };
    let text = spec_text(&MEMBERS_6_1, "");
    std::fs::write(repo.join("kernel.ccattr"), &text).expect("write");
    git(&["add", "kernel.ccattr"]);
    let o = run_hook(Some((&tree, "")));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains(": agrees with "), "{}", stderr(&o));
    let o = run_hook(None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("agrees with"), "{}", stderr(&o));

    // A doc comment that drifted from the kernel's, staged: the hook fails, but only
    // where a tree is configured and the spec is one that describes it.
    let drifted = text.replace("/// Hotplug is disabled", "/// Hotplug is off");
    std::fs::write(repo.join("kernel.ccattr"), drifted).expect("write");
    git(&["add", "kernel.ccattr"]);
    let o = run_hook(Some((&tree, "")));
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("error[KERNEL_DOC_DIFFERS]"),
        "{}",
        stderr(&o)
    );
    let o = run_hook(Some((&tree, "kernel.ccattr other.ccattr")));
    assert_eq!(code(&o), 1);
    let o = run_hook(Some((&tree, "other.ccattr")));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&run_hook(None)), 0);
    // What counts is the index: the work tree's copy is not read.
    std::fs::write(repo.join("kernel.ccattr"), &text).expect("write");
    assert_eq!(code(&run_hook(Some((&tree, "")))), 1);
}

/// The 6.1 example names each platform's vendor (`/// kernel: amd|intel|hyperv`):
/// against the 6.1 header with a core.c shaped like 6.1's, the Intel and Hyper-V
/// platforms equal what their vendor functions always return, and the AMD ones are
/// reported as decided at run time, so the example agrees.
#[test]
fn linux_6_1_platforms_against_the_vendor_functions() {
    let Some(tree) = headers_6_1() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let core = std::fs::read_to_string(fixture("core_6_1.c")).expect("fixture");
    let copy = make_tree(dir.path(), Some(&real_header(&tree)), Some(&core));
    let spec = example("linux_6_1.ccattr");
    let (status, doc) = check_json(&spec, &copy);
    assert_eq!(status, 0, "{doc:#}");
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "KERNEL_VENDOR_RUNTIME")
            .count(),
        4,
        "the four AMD platforms: {codes:?}"
    );
    assert!(
        !codes.iter().any(|c| c.starts_with("KERNEL_PLATFORM_")),
        "{codes:?}"
    );
    // Hyper-V's 6.1 platform with MEM_ENCRYPT too, as the example had it, is caught.
    let text = std::fs::read_to_string(&spec).expect("spec");
    let wrong = text.replace(
        "platform hyperv_vtom {\n    sets CC_ATTR_GUEST_MEM_ENCRYPT;",
        "platform hyperv_vtom {\n    sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_MEM_ENCRYPT;",
    );
    assert_ne!(wrong, text, "the Hyper-V platform is written as expected");
    let wrong_spec = dir.path().join("linux_6_1.ccattr");
    std::fs::write(&wrong_spec, wrong).expect("write");
    let (status, doc) = check_json(&wrong_spec, &copy);
    assert_eq!(status, 1);
    let extra = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "KERNEL_PLATFORM_EXTRA")
        .expect("MEM_ENCRYPT, which hyperv_cc_platform_has() never returns");
    assert!(
        extra["message"]
            .as_str()
            .unwrap()
            .contains("CC_ATTR_MEM_ENCRYPT"),
        "{extra:#}"
    );
}
