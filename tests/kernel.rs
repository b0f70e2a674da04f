//! The generated C header in a real Linux kernel (docs/kernel.md).
//!
//! Against Debian's `linux-headers-amd64` (6.1), with the sources of tests/kernel/:
//! - the test modules build with Kbuild, `W=1` and sparse (`C=2`), and any warning of
//!   either fails the test;
//! - examples/linux_6_1.ccattr mirrors the kernel's `enum cc_attr`, which the build
//!   checks; a copy with two attributes swapped, and a spec of another kernel's enum,
//!   fail to build with errors that name the attributes;
//! - a copy of the kernel headers whose `<linux/cc_platform.h>` takes `enum cc_attr`
//!   from a generated header, with the lines docs/kernel.md gives, builds a module;
//! - the test module boots in Debian's 6.1 kernel under qemu (TCG) from a busybox
//!   initramfs, and every answer it prints, for ranges and for probed devices,
//!   equals `ccattr explain --format json`'s;
//! - in the same boot, the example module that maps PCI BARs as examples/tdisp.ccattr
//!   decides maps each memory BAR of qemu's devices with the function its decision
//!   names, or refuses it, and each decision equals `explain`'s;
//! - kernel-doc finds nothing to complain about in the generated headers, and they and
//!   the module sources follow the kernel's coding style.
//!
//! Everything is built in temporary directories. Outside CI a missing tool skips a test
//! with a message saying what is missing; with `CI` set (as .ci/run does) it fails it.

mod support;

use ccattr_core::DecisionTable;
use ccattr_test_support::checked_file;
use ccattr_test_support::tables::cap_sets;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const CCATTR: &str = env!("CARGO_BIN_EXE_ccattr");

/// The spec that mirrors the kernel's enum, Linux 6.1's.
const MIRROR: &str = "linux_6_1";

/// The spec of the example module `tests/kernel/ccattr_tdisp_map.c`, and its device.
const TDISP: &str = "tdisp";
const PCI_BAR: &str = "pci_bar";

/// The corner cases of probed devices, `test-support/specs/probed.ccattr`.
const PROBED_CORNERS: &str = "probed";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(spec: &str) -> PathBuf {
    root().join("examples").join(format!("{spec}.ccattr"))
}

/// The spec `NAME`: `examples/NAME.ccattr`, else the test spec of the same name in
/// `test-support/specs/`.
fn spec_path(spec: &str) -> PathBuf {
    let path = example(spec);
    if path.is_file() {
        return path;
    }
    root()
        .join("test-support/specs")
        .join(format!("{spec}.ccattr"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Standard output and error, with typographic quotes made plain (as a compiler in
/// a UTF-8 locale writes them).
fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace(['\u{2018}', '\u{2019}'], "'")
}

/// Whether a requirement is met. Outside CI a missing one skips the calling test; in
/// CI, which installs everything (.ci/run), it fails it.
use support::require;

/// Run ccattr and insist that it succeeds.
fn ccattr(args: &[&str]) -> Output {
    let limit = std::time::Duration::from_secs(120);
    let out = support::run(Command::new(CCATTR).args(args), None, limit);
    assert!(out.status.success(), "ccattr {args:?}:\n{}", text(&out));
    out
}

/// Write the C header of the spec at `spec` into `dir`.
fn build_header(spec: &Path, dir: &Path) {
    let (spec, dir) = (path_str(spec), path_str(dir));
    ccattr(&["build", spec, "--out-dir", dir, "--emit", "c"]);
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn table(spec: &Path) -> DecisionTable {
    checked_file(spec).table
}

/// The examples, by name, sorted.
fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".ccattr").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The spec `name` (see [`spec_path`]), compiled; it must declare that name.
fn named_table(name: &str) -> (String, DecisionTable) {
    let table = table(&spec_path(name));
    assert_eq!(table.spec, name, "{name}.ccattr declares another spec name");
    (name.to_string(), table)
}

/// The specs of the test module: the mirror of the kernel's enum, then, as clients,
/// every other example whose attribute enum is `enum cc_attr` (hyperv_vtom among them).
fn module_specs() -> Vec<(String, DecisionTable)> {
    let mut names: Vec<String> = example_names()
        .into_iter()
        .filter(|n| n != MIRROR)
        .collect();
    names.insert(0, MIRROR.to_string());
    let specs: Vec<(String, DecisionTable)> = names
        .iter()
        .map(|n| named_table(n))
        .filter(|(_, t)| t.prefix.as_deref() == Some("CC_ATTR_"))
        .collect();
    assert!(
        specs.iter().any(|(n, _)| n == "hyperv_vtom"),
        "no hyperv_vtom"
    );
    specs
}

/// The specs whose probed devices the test module decides: every example that has
/// probed devices (tdisp among them), then test-support/specs/probed.ccattr.
fn probed_specs() -> Vec<(String, DecisionTable)> {
    let mut names = example_names();
    names.push(PROBED_CORNERS.to_string());
    let specs: Vec<(String, DecisionTable)> = names
        .iter()
        .map(|n| named_table(n))
        .filter(|(_, t)| t.probed_devices().next().is_some())
        .collect();
    for expected in [TDISP, PROBED_CORNERS] {
        assert!(
            specs.iter().any(|(n, _)| n == expected),
            "{expected} has no probed device"
        );
    }
    specs
}

fn names(specs: &[(String, DecisionTable)]) -> Vec<&str> {
    specs.iter().map(|(n, _)| n.as_str()).collect()
}

/// Debian's kernel headers for Linux 6.1 (`/usr/src/linux-headers-6.1.*-amd64`, the
/// newest if there are several), ready for Kbuild.
struct Headers {
    release: String,
    dir: PathBuf,
}

fn headers() -> Option<Headers> {
    let mut found: Vec<Headers> = std::fs::read_dir("/usr/src")
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let release = name.strip_prefix("linux-headers-")?.to_string();
            let dir = Path::new("/usr/src").join(&name);
            (release.starts_with("6.1.")
                && dir.join("Makefile").is_file()
                && dir.join(".config").is_file())
            .then_some(Headers { release, dir })
        })
        .collect();
    found.sort_by_key(|h| release_key(&h.release));
    found.pop()
}

/// `6.1.0-56-amd64` as numbers, so that `-56` sorts after `-9`.
fn release_key(release: &str) -> Vec<u64> {
    release
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The headers and the tools a Kbuild build needs (and sparse, for `C=2`).
fn kbuild_ready(sparse: bool) -> Option<Headers> {
    if !support::have("make") || !support::have("gcc") {
        return None;
    }
    if sparse && !support::have("sparse") {
        return None;
    }
    let found = headers();
    require(
        found.is_some(),
        "Debian's 6.1 kernel headers (/usr/src/linux-headers-6.1.*-amd64, linux-headers-amd64)",
    )
    .then_some(found?)
}

/// A temporary directory with the module sources of tests/kernel/ and the generated
/// headers of `specs`.
fn module_dir(specs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(root().join("tests/kernel")).expect("tests/kernel") {
        let path = entry.expect("entry").path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, dir.path().join(name)).expect("copy a module source");
        }
    }
    for spec in specs {
        build_header(&spec_path(spec), dir.path());
    }
    dir
}

/// A [`module_dir`] with what the test module builds from: the headers of `specs`
/// and of `probed`, and their `queries.h`.
fn test_module_dir(
    specs: &[(String, DecisionTable)],
    probed: &[(String, DecisionTable)],
) -> tempfile::TempDir {
    let mut all = names(specs);
    all.extend(
        names(probed)
            .into_iter()
            .filter(|n| !names(specs).contains(n)),
    );
    let dir = module_dir(&all);
    write(&dir.path().join("queries.h"), queries_h(specs, probed));
    dir
}

/// `make -C HEADERS M=DIR W=1 [C=2] ARGS... modules`, in the C locale so that compiler
/// messages quote with ASCII (the kernel's Makefile unexports `LC_ALL`).
fn kbuild(headers: &Path, dir: &Path, sparse: bool, args: &[&str]) -> Output {
    let mut make = Command::new("make");
    make.arg("-C")
        .arg(headers)
        .arg(format!("M={}", dir.display()))
        .arg("W=1")
        .env_remove("LC_ALL")
        .env("LANG", "C")
        .env("LC_CTYPE", "C")
        .env("LC_MESSAGES", "C");
    if sparse {
        make.arg("C=2");
    }
    make.args(args).arg("modules").output().expect("make runs")
}

/// The lines of a Kbuild log that are not its progress report: warnings of the
/// compiler (W=1) and of sparse (C=2), and anything else unexpected.
fn complaints(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| {
            let progress = line.starts_with("  ")
                && line[2..].starts_with(|c: char| c.is_ascii_uppercase())
                && line[2..]
                    .split_whitespace()
                    .next()
                    .is_some_and(|tag| tag.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
            let make = line.starts_with("make") && line.contains("directory '");
            let btf = line.starts_with("Skipping BTF generation for ")
                && line.ends_with("due to unavailability of vmlinux");
            !(progress || make || btf || line.trim().is_empty())
        })
        .collect()
}

/// Build in `dir` and insist on success without a complaint.
fn build_clean(headers: &Headers, dir: &Path, sparse: bool, args: &[&str]) {
    let out = kbuild(&headers.dir, dir, sparse, args);
    let log = text(&out);
    assert!(out.status.success(), "the build failed:\n{log}");
    let complaints = complaints(&log);
    assert!(
        complaints.is_empty(),
        "the build complained (W=1{}):\n{}\n\nfull log:\n{log}",
        if sparse { ", C=2" } else { "" },
        complaints.join("\n")
    );
}

#[test]
fn modules_build_without_a_warning_from_w1_or_sparse() {
    let Some(headers) = kbuild_ready(true) else {
        return;
    };
    let dir = test_module_dir(&module_specs(), &probed_specs());
    build_clean(&headers, dir.path(), true, &[]);
    for module in ["ccattr_test.ko", "ccattr_mirror.ko", "ccattr_tdisp_map.ko"] {
        assert!(dir.path().join(module).is_file(), "{module} was not built");
    }
    eprintln!(
        "built against {} with W=1 and C=2: no warning",
        headers.release
    );
}

/// The filter of [`complaints`] lets nothing through that W=1 or sparse reports: a
/// module with one warning of each is not clean.
#[test]
fn warnings_of_w1_and_sparse_are_caught() {
    let Some(headers) = kbuild_ready(true) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("Kbuild"), "obj-m := canary.o\n");
    write(
        &dir.path().join("canary.c"),
        "// SPDX-License-Identifier: GPL-2.0-only OR MIT\n\
         #include <linux/module.h>\n\n\
         /* No prototype: only W=1 warns (-Wmissing-prototypes). */\n\
         int canary_global(void)\n{\n\treturn 0;\n}\n\n\
         /* A user pointer read directly: only sparse warns. */\n\
         static int canary_user(int __user *p)\n{\n\treturn *p;\n}\n\n\
         static int __init canary_init(void)\n{\n\treturn canary_global() + canary_user(NULL);\n}\n\
         module_init(canary_init);\n\nMODULE_LICENSE(\"GPL\");\n",
    );
    let out = kbuild(&headers.dir, dir.path(), true, &[]);
    let log = text(&out);
    let complaints = complaints(&log).join("\n");
    assert!(
        complaints.contains("no previous prototype for 'canary_global'"),
        "W=1's warning got through the filter:\n{log}"
    );
    assert!(
        complaints.contains("dereference of noderef expression"),
        "sparse's warning got through the filter:\n{log}"
    );
}

/// Specs that name the kernel's attributes in every way a `naming` block allows
/// (none, the kernel's prefix in either case, extra attributes of their own, former
/// names): each header builds in a module beside the kernel's `enum cc_attr`,
/// included after `<linux/cc_platform.h>` and before it, with W=1 and sparse.
#[test]
fn headers_of_specs_naming_kernel_attributes_build_beside_the_kernel_enum() {
    let Some(headers) = kbuild_ready(true) else {
        return;
    };
    let body = "attr CC_ATTR_MEM_ENCRYPT;\nattr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;\n\
                platform g { sets CC_ATTR_GUEST_MEM_ENCRYPT; }\ndevice d { mmio 0xFEC00000 size 4K; }\n\
                default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;\n";
    let specs = [
        ("no_naming", format!("spec no_naming;\n{body}")),
        (
            "no_naming_extra",
            format!("spec no_naming_extra;\n{body}attr PARAVISOR_IOAPIC;\nmap d encrypted when PARAVISOR_IOAPIC;\n"),
        ),
        (
            "no_naming_former",
            format!("spec no_naming_former;\n{body}attr ACCESS_TPM {{ formerly CC_ATTR_ACCESS_TPM_ENCRYPTED; }}\n"),
        ),
        (
            "lower_prefix",
            format!("spec lower_prefix;\nnaming {{ prefix = \"cc_attr_\"; }}\n{body}"),
        ),
        (
            "bare_prefix",
            format!("spec bare_prefix;\nnaming {{ prefix = \"CC_ATTR\"; }}\n{body}attr EXTRA;\n"),
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut objs = Vec::new();
    for (i, (name, text)) in specs.iter().enumerate() {
        let spec = dir.path().join(format!("{name}.ccattr"));
        write(&spec, text);
        build_header(&spec, dir.path());
        let header = read(&dir.path().join(format!("{name}.h")));
        assert!(
            header.contains("enum cc_attr {"),
            "{name}: kernel mode:\n{header}"
        );
        // Half the modules include the kernel's header first, half after.
        let (before, after) = if i % 2 == 0 {
            ("#include <linux/cc_platform.h>\n", "")
        } else {
            ("", "#include <linux/cc_platform.h>\n")
        };
        write(
            &dir.path().join(format!("m_{name}.c")),
            format!(
                "// SPDX-License-Identifier: GPL-2.0-only OR MIT\n#include <linux/module.h>\n{before}#include \"{name}.h\"\n{after}\n\
                 static int __init m_init(void)\n{{\n\tu64 attrs = {name}_attrs_close(cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) ? 2 : 0);\n\n\
                 \tpr_info(\"%d %d\\n\", (int){name}_decide(attrs, 0xFEC00000, 4096), cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT));\n\
                 \treturn 0;\n}}\nmodule_init(m_init);\n\nMODULE_LICENSE(\"Dual MIT/GPL\");\n"
            ),
        );
        objs.push(format!("m_{name}.o"));
    }
    write(
        &dir.path().join("Kbuild"),
        format!("obj-m := {}\n", objs.join(" ")),
    );
    build_clean(&headers, dir.path(), true, &[]);
    for o in &objs {
        let ko = dir.path().join(o.replace(".o", ".ko"));
        assert!(ko.is_file(), "{} was not built", ko.display());
    }
}

/// The members of the kernel's `enum cc_attr`, read from the header's text.
fn kernel_enum_members(headers: &Headers) -> Vec<String> {
    let common = headers.dir.to_string_lossy().replace("-amd64", "-common");
    let candidates = [
        headers.dir.join("include/linux/cc_platform.h"),
        PathBuf::from(common).join("include/linux/cc_platform.h"),
    ];
    let path = candidates
        .iter()
        .find(|p| p.is_file())
        .expect("the headers have include/linux/cc_platform.h");
    let text = read(path);
    let start = text
        .find("enum cc_attr {")
        .expect("enum cc_attr in cc_platform.h");
    let body = &text[start..start + text[start..].find("};").expect("the end of the enum")];
    // Drop the comments; what is left is `enum cc_attr {` and the members.
    let mut code = String::new();
    let mut rest = body;
    while let Some(open) = rest.find("/*") {
        code.push_str(&rest[..open]);
        rest = rest[open..]
            .find("*/")
            .map_or("", |close| &rest[open + close + 2..]);
    }
    code.push_str(rest);
    code["enum cc_attr {".len()..]
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn linux_6_1_mirrors_the_kernel_enum() {
    let Some(headers) = kbuild_ready(false) else {
        return;
    };
    // What the build is about to check, read from the header's text.
    let spec: Vec<String> = table(&example("linux_6_1"))
        .attrs
        .iter()
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(kernel_enum_members(&headers), spec);

    let dir = module_dir(&["linux_6_1"]);
    build_clean(
        &headers,
        dir.path(),
        false,
        &["CCATTR_MODULES=ccattr_mirror.o"],
    );
}

/// `spec` built as the mirror of the kernel's enum, in place of linux_6_1.h: the
/// build must fail; its log.
fn mirror_build_fails(headers: &Headers, spec_text: &str) -> String {
    let dir = module_dir(&[]);
    let spec = dir.path().join("linux_6_1.ccattr");
    write(&spec, spec_text);
    copy_included(dir.path());
    build_header(&spec, dir.path());
    let out = kbuild(
        &headers.dir,
        dir.path(),
        false,
        &["CCATTR_MODULES=ccattr_mirror.o"],
    );
    let log = text(&out);
    assert!(!out.status.success(), "the mirror built:\n{log}");
    assert!(
        !dir.path().join("ccattr_mirror.ko").exists(),
        "the mirror module exists:\n{log}"
    );
    log
}

/// The files the examples include, copied into `dir` beside a copied example.
fn copy_included(dir: &Path) {
    let from = root().join("examples/attrs");
    std::fs::create_dir_all(dir.join("attrs")).expect("mkdir attrs");
    for entry in std::fs::read_dir(&from).expect("examples/attrs") {
        let path = entry.expect("entry").path();
        let to = dir.join("attrs").join(path.file_name().expect("a name"));
        std::fs::copy(&path, to).expect("copy an included file");
    }
}

/// `text` with the declarations (doc comment included) of attributes `a` and `b`
/// swapped.
fn swap_attrs(text: &str, a: &str, b: &str) -> String {
    let mut chunks: Vec<&str> = text.split("\n\n").collect();
    let find = |name: &str| {
        let decl = format!("attr {name}");
        let position = chunks.iter().position(|c| {
            c.lines().any(|l| {
                l.strip_prefix(&decl)
                    .is_some_and(|rest| rest.starts_with([' ', ';', '{', '=']))
            })
        });
        position.unwrap_or_else(|| panic!("no declaration of {name}"))
    };
    let (i, j) = (find(a), find(b));
    chunks.swap(i, j);
    chunks.join("\n\n")
}

/// The static assertions that failed, by the attribute each names.
fn failed_positions(log: &str) -> BTreeSet<String> {
    log.lines()
        .filter_map(|l| l.split("static assertion failed: \"ccattr: ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_copy_with_two_attributes_swapped_fails_naming_them() {
    let Some(headers) = kbuild_ready(false) else {
        return;
    };
    let swapped = swap_attrs(
        &read(&example("linux_6_1")),
        "CC_ATTR_HOST_MEM_ENCRYPT",
        "CC_ATTR_GUEST_MEM_ENCRYPT",
    );
    let log = mirror_build_fails(&headers, &swapped);
    assert_eq!(
        failed_positions(&log),
        BTreeSet::from([
            "CC_ATTR_GUEST_MEM_ENCRYPT".into(),
            "CC_ATTR_HOST_MEM_ENCRYPT".into()
        ]),
        "{log}"
    );
    for expected in [
        "\"ccattr: CC_ATTR_GUEST_MEM_ENCRYPT is not at position 1 in the kernel\"",
        "\"ccattr: CC_ATTR_HOST_MEM_ENCRYPT is not at position 2 in the kernel\"",
    ] {
        assert!(log.contains(expected), "no {expected} in:\n{log}");
    }
}

/// Mainline's enum is not 6.1's: the build names the members that 6.1 lacks and the
/// member that mainline dropped.
#[test]
fn another_kernels_enum_fails_naming_the_differences() {
    let Some(headers) = kbuild_ready(false) else {
        return;
    };
    let mainline =
        read(&example("linux_mainline")).replace("spec linux_mainline;", "spec linux_6_1;");
    let log = mirror_build_fails(&headers, &mainline);
    for missing in [
        "CC_ATTR_GUEST_SNP_SECURE_TSC",
        "CC_ATTR_HOST_SEV_SNP",
        "CC_ATTR_SNP_SECURE_AVIC",
    ] {
        assert!(
            log.contains(&format!("'{missing}' undeclared")),
            "the log does not name {missing}:\n{log}"
        );
    }
    assert!(
        log.contains("enumeration value 'CC_ATTR_HOTPLUG_DISABLED' not handled in switch"),
        "the log does not name CC_ATTR_HOTPLUG_DISABLED:\n{log}"
    );
}

/// The contents of the fenced block that follows `<!-- ccattr-test: NAME -->` in
/// docs/kernel.md, so that the lines the documentation gives are the lines tested.
fn docs_block(name: &str) -> String {
    let docs = read(&root().join("docs/kernel.md"));
    let marker = format!("<!-- ccattr-test: {name} -->");
    let after = docs
        .split_once(&marker)
        .unwrap_or_else(|| panic!("docs/kernel.md has no {marker}"))
        .1;
    let open = after.find("```").expect("a fenced block after the marker");
    let body = &after[open..];
    let body = &body[body.find('\n').expect("the fence's line") + 1..];
    body[..body.find("```").expect("the end of the fenced block")].to_string()
}

/// A tree of symbolic links to every file under `from`, at `to`; links are copied as
/// links to what they point at.
fn symlink_farm(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a directory of the farm");
    for entry in std::fs::read_dir(from).expect("read a directory of the headers") {
        let entry = entry.expect("entry");
        let (path, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            symlink_farm(&path, &target);
        } else if let Ok(real) = std::fs::canonicalize(&path) {
            std::os::unix::fs::symlink(real, &target).expect("symlink");
        }
    }
}

/// A kernel tree that adopts a spec as the source of its `enum cc_attr`, as
/// docs/kernel.md says: the spec (Linux 6.1's enum, as `spec cc_attrs;`) in
/// include/linux/, its header generated beside it with the documented command, and
/// `<linux/cc_platform.h>` with the documented lines in place of its enum. Built on a
/// copy of the Debian headers made of symbolic links but for the files that change.
#[test]
fn a_tree_that_adopts_a_spec_builds_with_it() {
    let Some(headers) = kbuild_ready(true) else {
        return;
    };
    let common = PathBuf::from(headers.dir.to_string_lossy().replace("-amd64", "-common"));
    if !require(
        common.join("Makefile").is_file(),
        "the headers' -common half",
    ) {
        return;
    }
    let tree = tempfile::tempdir().expect("temp dir");
    let (src, obj) = (tree.path().join("common"), tree.path().join("amd64"));
    symlink_farm(&common, &src);
    symlink_farm(&headers.dir, &obj);
    std::fs::remove_file(obj.join("Makefile")).expect("unlink Makefile");
    write(
        &obj.join("Makefile"),
        format!("include {}/Makefile\n", src.display()),
    );

    // The spec and its header, with the command of the documentation.
    let spec = read(&example("linux_6_1")).replace("spec linux_6_1;", "spec cc_attrs;");
    write(&src.join("include/linux/cc_attrs.ccattr"), spec);
    let command = docs_block("generate");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"ccattr"), "{command}");
    let out = Command::new(CCATTR)
        .args(&words[1..])
        .current_dir(&src)
        .output()
        .expect("ccattr runs");
    assert!(out.status.success(), "{command}:\n{}", text(&out));
    assert!(
        src.join("include/linux/cc_attrs.h").is_file(),
        "{command} wrote no cc_attrs.h"
    );

    // <linux/cc_platform.h> with the documented lines in place of its enum.
    let cc_platform = src.join("include/linux/cc_platform.h");
    let original = read(&cc_platform);
    let start = original
        .find("/**\n * enum cc_attr")
        .expect("the kernel-doc of enum cc_attr");
    let end = start
        + original[start..]
            .find("\n};\n")
            .expect("the end of the enum")
        + 4;
    let adopted = format!(
        "{}{}{}",
        &original[..start],
        docs_block("cc_platform.h"),
        &original[end..]
    );
    std::fs::remove_file(&cc_platform).expect("unlink cc_platform.h");
    write(&cc_platform, &adopted);

    let dir = module_dir(&["hyperv_vtom"]);
    let headers = Headers {
        release: headers.release,
        dir: obj,
    };
    build_clean(
        &headers,
        dir.path(),
        true,
        &["CCATTR_MODULES=ccattr_adopted.o"],
    );
    assert!(dir.path().join("ccattr_adopted.ko").is_file());
}

/// The base attributes of `table` that the kernel's enum (the mirror's) lacks, as a C
/// expression of table bits; `None` when there are none.
fn extra_bits(table: &DecisionTable, kernel: &DecisionTable) -> Option<String> {
    let upper = table.spec.to_ascii_uppercase();
    let bits: Vec<String> = table
        .attrs
        .iter()
        .filter(|a| a.base && !kernel.attrs.iter().any(|k| k.name == a.name))
        .map(|a| {
            format!(
                "(1ULL << {upper}_BIT_{})",
                a.name.trim_start_matches("CC_ATTR_")
            )
        })
        .collect();
    // One bit to a line, aligned under the first after `\t\t.extra_bits = `.
    (!bits.is_empty()).then(|| bits.join(" |\n\t\t\t      "))
}

/// `queries.h` of the test module: the headers of `specs` (the first, the mirror, with
/// `NAME_MIRRORS_CC_ATTR`; the others with `NAME_EXTRA_BASE` where they have base
/// attributes the kernel lacks), and for each spec its platforms (by their generated
/// constants), its ranges, and its entry in `specs[]`; then the headers of `probed`
/// not yet included, and for each of those specs its probed devices, the capability
/// sets of [`cap_sets`] for each, and its entry in `probed_specs[]`.
fn queries_h(specs: &[(String, DecisionTable)], probed: &[(String, DecisionTable)]) -> String {
    let kernel = &specs[0].1;
    let mut h = String::from(
        "/* SPDX-License-Identifier: GPL-2.0-only OR MIT */\n\
         /* The specs and queries of ccattr_test.c, written by tests/kernel.rs. */\n\
         #ifndef _CCATTR_TEST_QUERIES_H\n#define _CCATTR_TEST_QUERIES_H\n",
    );
    let mut entries = String::new();
    for (i, (name, table)) in specs.iter().enumerate() {
        let extra = extra_bits(table, kernel);
        let mut preamble = String::new();
        if i == 0 {
            let upper = name.to_ascii_uppercase();
            writeln!(
                preamble,
                "/* This kernel's enum cc_attr, member for member. */"
            )
            .unwrap();
            writeln!(preamble, "#define {upper}_MIRRORS_CC_ATTR").unwrap();
        } else if extra.is_some() {
            writeln!(
                preamble,
                "static u64 {name}_extra;\n#define {}_EXTRA_BASE {name}_extra",
                name.to_ascii_uppercase()
            )
            .unwrap();
        }
        include_spec(&mut h, name, table, &preamble);
        writeln!(
            h,
            "\nstatic unsigned int {name}_answer(u64 attrs, u64 addr, u64 size)\n{{\n\
             \treturn {name}_decide(attrs, addr, size);\n}}"
        )
        .unwrap();
        writeln!(h, "\nstatic const struct ccattr_range {name}_ranges[] = {{").unwrap();
        for (addr, size) in ranges(table) {
            writeln!(h, "\t{{ {addr:#x}ULL, {size:#x}ULL }},").unwrap();
        }
        h.push_str("};\n");

        write!(
            entries,
            "\t{{\n\
             \t\t.name = \"{name}\",\n\
             \t\t.decide = {name}_answer,\n\
             \t\t.is_private_mmio = {name}_is_private_mmio,\n\
             \t\t.close = {name}_attrs_close,\n\
             \t\t.kernel_base = {name}_kernel_base,\n\
             \t\t.kernel_attrs = {name}_kernel_attrs,\n\
             \t\t.kernel_is_private_mmio = {name}_kernel_is_private_mmio,\n"
        )
        .unwrap();
        if let Some(bits) = &extra {
            writeln!(
                entries,
                "\t\t.extra = &{name}_extra,\n\t\t.extra_bits = {bits},"
            )
            .unwrap();
        }
        write!(
            entries,
            "\t\t.sets = {name}_sets,\n\
             \t\t.nr_sets = ARRAY_SIZE({name}_sets),\n\
             \t\t.ranges = {name}_ranges,\n\
             \t\t.nr_ranges = ARRAY_SIZE({name}_ranges),\n\
             \t}},\n"
        )
        .unwrap();
    }

    let mut probed_entries = String::new();
    for (name, table) in probed {
        if !specs.iter().any(|(n, _)| n == name) {
            include_spec(&mut h, name, table, "");
        }
        let upper = name.to_ascii_uppercase();
        let devices: Vec<_> = table.probed_devices().collect();
        writeln!(
            h,
            "\nstatic_assert({upper}_NR_PROBED == {});\n\n\
             static unsigned int {name}_answer_probed(u64 attrs, unsigned int dev, u32 caps)\n\
             {{\n\treturn {name}_decide_probed(attrs, (enum {name}_probed)dev, caps);\n}}",
            devices.len()
        )
        .unwrap();
        for (i, (_, device)) in devices.iter().enumerate() {
            let rule_set = device.probed.expect("a probed device has its rule set");
            writeln!(
                h,
                "\n/* {} */\nstatic const u32 {name}_caps_{i}[] = {{",
                device.name
            )
            .unwrap();
            for caps in cap_sets(table, rule_set).chunks(6) {
                let caps: Vec<String> = caps.iter().map(|c| format!("{c:#x}")).collect();
                writeln!(h, "\t{},", caps.join(", ")).unwrap();
            }
            h.push_str("};\n");
        }
        writeln!(
            h,
            "\nstatic const struct ccattr_device {name}_devices[] = {{"
        )
        .unwrap();
        for (i, (_, device)) in devices.iter().enumerate() {
            writeln!(
                h,
                "\t{{ \"{}\", {name}_caps_{i}, ARRAY_SIZE({name}_caps_{i}) }},",
                device.name
            )
            .unwrap();
        }
        h.push_str("};\n");
        write!(
            probed_entries,
            "\t{{\n\
             \t\t.name = \"{name}\",\n\
             \t\t.decide_probed = {name}_answer_probed,\n\
             \t\t.nr_probed = {upper}_NR_PROBED,\n\
             \t\t.sets = {name}_sets,\n\
             \t\t.nr_sets = ARRAY_SIZE({name}_sets),\n\
             \t\t.devices = {name}_devices,\n\
             \t\t.nr_devices = ARRAY_SIZE({name}_devices),\n\
             \t}},\n"
        )
        .unwrap();
    }
    write!(
        h,
        "\nstatic const struct ccattr_spec specs[] = {{\n{entries}}};\n\n\
         static const struct ccattr_probed_spec probed_specs[] = {{\n{probed_entries}}};\n\n\
         #endif /* _CCATTR_TEST_QUERIES_H */\n"
    )
    .unwrap();
    h
}

/// The lines of `queries.h` that include the header of `name` (after `preamble`),
/// check that its decisions are numbered as `ccattr_decision.h` numbers them, and
/// list its platforms in `NAME_sets[]`.
fn include_spec(h: &mut String, name: &str, table: &DecisionTable, preamble: &str) {
    let upper = name.to_ascii_uppercase();
    writeln!(h, "\n{preamble}#include \"{name}.h\"\n").unwrap();
    let mut decisions = vec!["UNSPECIFIED", "ENCRYPTED", "DECRYPTED", "MIXED", "INVALID"];
    if table.uses_v2() {
        decisions.push("REFUSED");
    }
    for decision in decisions {
        writeln!(
            h,
            "static_assert((int){upper}_MAP_{decision} == (int)CCATTR_TEST_MAP_{decision});"
        )
        .unwrap();
    }
    writeln!(h, "\nstatic const struct ccattr_set {name}_sets[] = {{").unwrap();
    for p in &table.platforms {
        let constant = format!("{upper}_PLATFORM_{}", p.name.to_ascii_uppercase());
        writeln!(h, "\t{{ \"{}\", {constant} }},", p.name).unwrap();
    }
    h.push_str("};\n");
}

/// Addresses at and around every boundary of a region, ranges that cross each
/// boundary, whole regions and a byte more, and the corners: the first and last
/// bytes, an empty range, a range that runs past 2^64 and the whole address space.
fn ranges(table: &DecisionTable) -> Vec<(u64, u64)> {
    let mut bounds = BTreeSet::new();
    let mut out = BTreeSet::new();
    for region in table.devices.iter().flat_map(|d| &d.regions) {
        bounds.insert(region.start);
        bounds.extend(region.last.checked_add(1));
        if let Some(size) = (region.last - region.start).checked_add(1) {
            out.insert((region.start, size));
            out.extend(size.checked_add(1).map(|more| (region.start, more)));
            if region.start > 0 {
                out.extend(size.checked_add(2).map(|more| (region.start - 1, more)));
            }
        }
    }
    for &b in &bounds {
        for addr in [b.checked_sub(1), Some(b), b.checked_add(1)]
            .into_iter()
            .flatten()
        {
            out.insert((addr, 1));
        }
        if b > 0 {
            out.insert((b - 1, 2));
        }
        if b >= 0x80 {
            out.insert((b - 0x80, 0x100));
        }
    }
    out.extend([
        (0, 1),
        (0, 0),
        (0x1000, 0),
        (u64::MAX, 1),
        (u64::MAX, 2),
        (u64::MAX - 1, 2),
        (0, u64::MAX),
        (0xFEC0_0000, 0x1000),
    ]);
    out.into_iter().collect()
}

/// One answer that the test module printed for a range.
#[derive(Clone, Debug)]
struct Answer {
    spec: String,
    /// A platform's name, or `kernel` or `kernel+extra`.
    set: String,
    /// The base set, for the kernel's sets.
    base: Option<u64>,
    full: u64,
    addr: u64,
    size: u64,
    decision: String,
    private: bool,
}

/// One answer that the test module printed for a probed device.
#[derive(Clone, Debug)]
struct ProbedAnswer {
    spec: String,
    /// A platform's name.
    set: String,
    device: String,
    caps: u32,
    decision: String,
}

/// One memory BAR that `ccattr_tdisp_map.ko` decided, as it printed it.
#[derive(Clone, Debug)]
struct Bar {
    /// A platform of tdisp.ccattr, or `kernel`.
    set: String,
    /// The base set, for `kernel`.
    base: Option<u64>,
    full: u64,
    /// The function's name (`0000:00:02.0`) and its vendor and device (`1af4:1005`).
    pci: String,
    id: String,
    bar: u32,
    start: u64,
    size: u64,
    caps: u32,
    decision: String,
    /// The function that mapped it, or the negative errno returned.
    result: String,
}

/// One load of `ccattr_tdisp_map.ko`: the BARs it printed, then its `done` line's set,
/// `accepted` parameter and count.
#[derive(Debug)]
struct MapRun {
    bars: Vec<Bar>,
    set: String,
    accepted: bool,
    count: usize,
}

fn hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s, 16).ok()
}

fn hex32(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap_or(u32::MAX)
}

/// What the modules printed on the serial console.
#[derive(Debug, Default)]
struct Printed {
    answers: Vec<Answer>,
    probed: Vec<ProbedAnswer>,
    /// The count of the test module's final `done` line.
    done: Option<usize>,
    /// The loads of the example module, in order.
    runs: Vec<MapRun>,
}

/// The lines of both modules on the serial console. A BAR belongs to the load whose
/// `done` line follows it: the module prints them all while it loads.
fn parse_console(console: &str) -> Printed {
    let mut printed = Printed::default();
    let mut bars = Vec::new();
    for line in console.lines() {
        let garbled = || panic!("a garbled line: {line}");
        if let Some(rest) = line.split("ccattr_test: answer ").nth(1) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let [spec, set, base, full, addr, size, decision, private] = f[..] else {
                garbled()
            };
            printed.answers.push(Answer {
                spec: spec.to_string(),
                set: set.to_string(),
                base: hex(base),
                full: hex(full).unwrap_or(u64::MAX),
                addr: hex(addr).unwrap_or(u64::MAX),
                size: hex(size).unwrap_or(u64::MAX),
                decision: decision.to_string(),
                private: private == "1",
            });
        } else if let Some(rest) = line.split("ccattr_test: probed ").nth(1) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let [spec, set, device, caps, decision] = f[..] else {
                garbled()
            };
            printed.probed.push(ProbedAnswer {
                spec: spec.to_string(),
                set: set.to_string(),
                device: device.to_string(),
                caps: hex32(caps),
                decision: decision.to_string(),
            });
        } else if let Some(rest) = line.split("ccattr_test: done ").nth(1) {
            printed.done = rest.trim().parse().ok();
        } else if let Some(rest) = line.split("ccattr_tdisp_map: bar ").nth(1) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let [set, base, full, pci, id, bar, start, size, caps, decision, result] = f[..] else {
                garbled()
            };
            bars.push(Bar {
                set: set.to_string(),
                base: hex(base),
                full: hex(full).unwrap_or(u64::MAX),
                pci: pci.to_string(),
                id: id.to_string(),
                bar: bar.parse().unwrap_or(u32::MAX),
                start: hex(start).unwrap_or(u64::MAX),
                size: hex(size).unwrap_or(u64::MAX),
                caps: hex32(caps),
                decision: decision.to_string(),
                result: result.to_string(),
            });
        } else if let Some(rest) = line.split("ccattr_tdisp_map: done ").nth(1) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let [set, accepted, count] = f[..] else {
                garbled()
            };
            printed.runs.push(MapRun {
                bars: std::mem::take(&mut bars),
                set: set.to_string(),
                accepted: accepted == "1",
                count: count.parse().unwrap_or(usize::MAX),
            });
        }
    }
    assert!(bars.is_empty(), "BARs without a done line: {bars:?}");
    printed
}

/// What `explain` is asked about under a set: a range (address and size), or a
/// probed device with the names of the capabilities reported for it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Subject {
    Range(u64, u64),
    Probed(String, Vec<String>),
}

/// A query to `explain`: the spec, the set (a platform, or `attrs:A,B`) and the
/// subject.
type Query = (String, String, Subject);

/// What `explain` answers: the decision and the full set, as names.
type Explained = (String, Vec<String>);

/// `-EPERM` and `-EINVAL`, as `ccattr_tdisp_map.ko` prints them.
const EPERM: &str = "-1";
const EINVAL: &str = "-22";

/// What `ccattr_tdisp_map.ko` does with a BAR of a decision: the function that maps
/// it, or the errno it returns (docs/kernel.md, "Devices found at run time").
fn mapping_of(decision: &str) -> &'static str {
    match decision {
        "encrypted" => "ioremap_encrypted",
        "decrypted" | "unspecified" => "ioremap",
        "refused" => EPERM,
        _ => EINVAL,
    }
}

/// What `ccattr explain --format json` says, cached per query.
#[derive(Default)]
struct Explainer {
    cache: HashMap<Query, Explained>,
}

impl Explainer {
    /// The decision and the full set (as names) for a platform (`--platform`), or for
    /// base attributes (`--attrs`, given as `attrs:A,B`).
    fn explain(&mut self, spec: &str, set: &str, subject: &Subject) -> Explained {
        let key = (spec.to_string(), set.to_string(), subject.clone());
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let path = spec_path(spec);
        let mut args = vec!["explain".to_string(), path_str(&path).to_string()];
        match subject {
            Subject::Range(addr, size) => {
                args.extend([format!("{addr:#x}"), "--size".into(), format!("{size:#x}")]);
            }
            Subject::Probed(device, caps) => {
                args.extend(["--device".into(), device.clone()]);
                args.extend(["--caps".into(), caps.join(",")]);
            }
        }
        match set.strip_prefix("attrs:") {
            Some(attrs) => args.extend(["--attrs".into(), attrs.to_string()]),
            None => args.extend(["--platform".into(), set.to_string()]),
        }
        args.extend(["--format".into(), "json".into()]);
        let out = ccattr(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("explain's JSON");
        let decision = json["decision"].as_str().expect("a decision").to_string();
        let attrs = json["attrs"]
            .as_array()
            .expect("attrs")
            .iter()
            .map(|a| a.as_str().expect("a name").to_string())
            .collect();
        self.cache.entry(key).or_insert((decision, attrs)).clone()
    }

    /// `explain`'s set for an answer under `set`: that platform, or, where the answer
    /// gives a base set, its attributes (`attrs:A,B`); an error for bits past the spec.
    fn set_of(set: &str, base: Option<u64>, table: &DecisionTable) -> Result<String, String> {
        let Some(base) = base else {
            return Ok(set.to_string());
        };
        if table.attrs.len() < 64 && base >> table.attrs.len() != 0 {
            return Err(format!("base {base:#x} has bits past the spec"));
        }
        let names: Vec<&str> = (0..table.attrs.len())
            .filter(|&i| base & (1 << i) != 0)
            .map(|i| table.attrs[i].name.as_str())
            .collect();
        Ok(format!("attrs:{}", names.join(",")))
    }

    /// The bits of the attributes `names` in `table`.
    fn bits(table: &DecisionTable, names: &[String]) -> u64 {
        names.iter().fold(0u64, |bits, name| {
            let i = table.attrs.iter().position(|a| &a.name == name);
            bits | i.map_or(0, |i| 1 << i)
        })
    }

    /// `explain`'s subject for a probed device and a capability set: the names of its
    /// declared capabilities (the others are ignored).
    fn probed(table: &DecisionTable, device: &str, caps: u32) -> Subject {
        let names = table.cap_names(caps & table.cap_mask());
        Subject::Probed(
            device.to_string(),
            names.into_iter().map(str::to_string).collect(),
        )
    }

    /// What is wrong with `answer`, if anything.
    fn check(&mut self, answer: &Answer, table: &DecisionTable) -> Option<String> {
        let set = match Self::set_of(&answer.set, answer.base, table) {
            Ok(set) => set,
            Err(e) => return Some(format!("{answer:?}: {e}")),
        };
        let range = Subject::Range(answer.addr, answer.size);
        let (decision, attrs) = self.explain(&answer.spec, &set, &range);
        let full = Self::bits(table, &attrs);
        let byte = Subject::Range(answer.addr, 1);
        let private = self.explain(&answer.spec, &set, &byte).0 == "encrypted";
        let mut wrong = Vec::new();
        if answer.decision != decision {
            wrong.push(format!(
                "decision {} (explain: {decision})",
                answer.decision
            ));
        }
        if answer.full != full {
            wrong.push(format!("full set {:#x} (explain: {full:#x})", answer.full));
        }
        if answer.private != private {
            wrong.push(format!("private {} (explain: {private})", answer.private));
        }
        (!wrong.is_empty()).then(|| {
            format!(
                "{} {} {:#x}+{:#x}: {}",
                answer.spec,
                answer.set,
                answer.addr,
                answer.size,
                wrong.join(", ")
            )
        })
    }

    /// What is wrong with a probed device's `answer`, if anything.
    fn check_probed(&mut self, answer: &ProbedAnswer, table: &DecisionTable) -> Option<String> {
        let subject = Self::probed(table, &answer.device, answer.caps);
        let (decision, _) = self.explain(&answer.spec, &answer.set, &subject);
        (answer.decision != decision).then(|| {
            format!(
                "{} {} {} caps {:#x}: decision {} (explain: {decision})",
                answer.spec, answer.set, answer.device, answer.caps, answer.decision
            )
        })
    }

    /// What is wrong with a BAR that `ccattr_tdisp_map.ko` decided under tdisp.ccattr
    /// (`table`), if anything: its decision or full set is not `explain`'s, or it was
    /// not mapped as its decision says.
    fn check_bar(&mut self, bar: &Bar, table: &DecisionTable) -> Option<String> {
        let set = match Self::set_of(&bar.set, bar.base, table) {
            Ok(set) => set,
            Err(e) => return Some(format!("{bar:?}: {e}")),
        };
        let subject = Self::probed(table, PCI_BAR, bar.caps);
        let (decision, attrs) = self.explain(TDISP, &set, &subject);
        let full = Self::bits(table, &attrs);
        let mut wrong = Vec::new();
        if bar.decision != decision {
            wrong.push(format!("decision {} (explain: {decision})", bar.decision));
        }
        if bar.full != full {
            wrong.push(format!("full set {:#x} (explain: {full:#x})", bar.full));
        }
        if bar.result != mapping_of(&bar.decision) {
            wrong.push(format!(
                "{} for {} (not {})",
                bar.result,
                bar.decision,
                mapping_of(&bar.decision)
            ));
        }
        (!wrong.is_empty()).then(|| {
            format!(
                "{} {} BAR {} caps {:#x}: {}",
                bar.set,
                bar.pci,
                bar.bar,
                bar.caps,
                wrong.join(", ")
            )
        })
    }
}

/// The comparisons are not vacuous: right answers pass and wrong ones are flagged.
#[test]
fn a_wrong_answer_is_flagged() {
    let table = table(&example("hyperv_vtom"));
    let mut explainer = Explainer::default();
    // Under qemu the kernel reports nothing; the extra base attribute is the paravisor's.
    let paravisor = 1u64
        << table
            .attrs
            .iter()
            .position(|a| a.name == "CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE")
            .expect("the paravisor attribute");
    let right = Answer {
        spec: "hyperv_vtom".into(),
        set: "kernel+extra".into(),
        base: Some(paravisor),
        full: table.close(paravisor),
        addr: 0xFEC0_0000,
        size: 0x1000,
        decision: "encrypted".into(),
        private: true,
    };
    assert_eq!(explainer.check(&right, &table), None);
    let wrong = [
        Answer {
            decision: "decrypted".into(),
            ..right.clone()
        },
        Answer {
            private: false,
            ..right.clone()
        },
        Answer {
            full: 0x7,
            ..right.clone()
        },
        Answer {
            base: Some(0),
            ..right.clone()
        },
        Answer {
            set: "bare_metal".into(),
            base: None,
            ..right.clone()
        },
    ];
    for answer in wrong {
        assert!(
            explainer.check(&answer, &table).is_some(),
            "{answer:?} passed"
        );
    }

    // A probed device: TDISP_RUN on TDX Connect is encrypted; without it, refused; a
    // bit that no capability has changes nothing.
    let (_, tdisp) = named_table(TDISP);
    let run = 1u32 << tdisp.cap_index("TDISP_RUN").expect("TDISP_RUN");
    let right = ProbedAnswer {
        spec: TDISP.into(),
        set: "tdx_connect_guest".into(),
        device: PCI_BAR.into(),
        caps: run | 1 << 31,
        decision: "encrypted".into(),
    };
    assert_eq!(explainer.check_probed(&right, &tdisp), None);
    for answer in [
        ProbedAnswer {
            caps: 0,
            ..right.clone()
        },
        ProbedAnswer {
            decision: "decrypted".into(),
            ..right.clone()
        },
    ] {
        assert!(
            explainer.check_probed(&answer, &tdisp).is_some(),
            "{answer:?} passed"
        );
    }

    // A BAR of the example module: refused without TDISP_RUN on TDX Connect, and then
    // not mapped; on the kernel's empty set, decided as on bare metal and mapped.
    let right = Bar {
        set: "tdx_connect_guest".into(),
        base: None,
        full: tdisp
            .platforms
            .iter()
            .find(|p| p.name == "tdx_connect_guest")
            .expect("a platform")
            .full,
        pci: "0000:00:02.0".into(),
        id: "1af4:1005".into(),
        bar: 4,
        start: 0xfebf_c000,
        size: 0x4000,
        caps: 0,
        decision: "refused".into(),
        result: EPERM.into(),
    };
    assert_eq!(explainer.check_bar(&right, &tdisp), None);
    let bare = Bar {
        set: "kernel".into(),
        base: Some(0),
        full: 0,
        decision: explainer
            .explain(TDISP, "bare_metal", &Explainer::probed(&tdisp, PCI_BAR, 0))
            .0,
        result: "ioremap".into(),
        ..right.clone()
    };
    assert_eq!(explainer.check_bar(&bare, &tdisp), None);
    for bar in [
        Bar {
            result: "ioremap".into(),
            ..right.clone()
        },
        Bar {
            caps: run,
            ..right.clone()
        },
        Bar {
            full: 0x3,
            ..right.clone()
        },
        Bar {
            result: EPERM.into(),
            ..bare.clone()
        },
        Bar {
            base: Some(0x2),
            ..bare.clone()
        },
    ] {
        assert!(
            explainer.check_bar(&bar, &tdisp).is_some(),
            "{bar:?} passed"
        );
    }
}

/// Whether `path` is an ELF executable without an interpreter (statically linked),
/// which an initramfs without a C library can run.
fn is_static_elf(path: &Path) -> bool {
    let Ok(elf) = std::fs::read(path) else {
        return false;
    };
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    if !elf.starts_with(b"\x7fELF\x02\x01") {
        return false;
    }
    let (Some(phoff), Some(size), Some(count)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return false;
    };
    const PT_INTERP: u32 = 3;
    (0..count).all(|i| u32_at(phoff as usize + i * size).is_some_and(|t| t != PT_INTERP))
}

/// An initramfs: a cpio archive in the kernel's `newc` format.
#[derive(Default)]
struct Initramfs {
    bytes: Vec<u8>,
    entries: usize,
}

impl Initramfs {
    const DIR: u32 = 0o040000;
    const FILE: u32 = 0o100000;
    const CHAR_DEV: u32 = 0o020000;

    fn entry(&mut self, name: &str, mode: u32, data: &[u8], rdev: (u32, u32)) -> &mut Self {
        self.entries += 1;
        let nlink = if mode & 0o170000 == Self::DIR { 2 } else { 1 };
        // magic, then ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
        // rdevmajor, rdevminor, namesize and check, each as 8 hex digits.
        let fields = [
            self.entries,
            mode as usize,
            0,
            0,
            nlink,
            0,
            data.len(),
            0,
            0,
            rdev.0 as usize,
            rdev.1 as usize,
            name.len() + 1,
            0,
        ];
        self.bytes.extend(b"070701");
        for field in fields {
            self.bytes.extend(format!("{field:08x}").as_bytes());
        }
        self.bytes.extend(name.as_bytes());
        self.bytes.push(0);
        self.bytes.resize(self.bytes.len().next_multiple_of(4), 0);
        self.bytes.extend(data);
        self.bytes.resize(self.bytes.len().next_multiple_of(4), 0);
        self
    }

    fn dir(&mut self, name: &str) -> &mut Self {
        self.entry(name, Self::DIR | 0o755, &[], (0, 0))
    }

    fn file(&mut self, name: &str, permissions: u32, data: &[u8]) -> &mut Self {
        self.entry(name, Self::FILE | permissions, data, (0, 0))
    }

    fn char_dev(&mut self, name: &str, major: u32, minor: u32) -> &mut Self {
        self.entry(name, Self::CHAR_DEV | 0o600, &[], (major, minor))
    }

    fn finish(&mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[], (0, 0));
        std::mem::take(&mut self.bytes)
    }
}

/// The PCI functions that qemu adds (`-device`) for the example module; the functions
/// of its default machine have no memory BAR.
const QEMU_DEVICES: [&str; 2] = ["virtio-rng-pci", "e1000e"];

/// The memory BARs of qemu's PCI functions: vendor and device, BAR, size, and whether
/// the BAR holds the MSI-X table or PBA. virtio-rng-pci, a transitional virtio device
/// (1af4:1005), has its MSI-X table and PBA in BAR 1 and its virtio registers in the
/// 64-bit BAR 4 (BAR 0 is I/O); e1000e (8086:10d3, an 82574L) has its registers in
/// BAR 0, its flash in BAR 1 and MSI-X in BAR 3 (BAR 2 is I/O).
const QEMU_BARS: [(&str, u32, u64, bool); 5] = [
    ("1af4:1005", 1, 0x1000, true),
    ("1af4:1005", 4, 0x4000, false),
    ("8086:10d3", 0, 0x2_0000, false),
    ("8086:10d3", 1, 0x2_0000, false),
    ("8086:10d3", 3, 0x4000, true),
];

/// The loads of `ccattr_tdisp_map.ko`, in order: the running kernel's set (`None`),
/// then every platform of tdisp.ccattr, each without and with `accepted=1`.
fn map_runs(tdisp: &DecisionTable) -> Vec<(Option<String>, bool)> {
    let sets = std::iter::once(None).chain(tdisp.platforms.iter().map(|p| Some(p.name.clone())));
    sets.flat_map(|set| [(set.clone(), false), (set, true)])
        .collect()
}

/// `/ccattr_tdisp_map.runs`: the parameters of each load of [`map_runs`], a line each.
fn map_runs_file(runs: &[(Option<String>, bool)]) -> String {
    runs.iter()
        .map(|(set, accepted)| {
            let platform = set
                .as_ref()
                .map_or(String::new(), |p| format!("platform={p} "));
            format!("{platform}accepted={}\n", u8::from(*accepted))
        })
        .collect()
}

/// The serial console of one boot, shared by the tests that read it (see [`boot`]).
static BOOT: OnceLock<Option<String>> = OnceLock::new();

/// The serial console of one boot of Debian's 6.1 kernel under qemu (TCG, with the
/// functions of [`QEMU_DEVICES`]) from an initramfs of busybox, `tests/kernel/init`,
/// the test module (built for [`module_specs`] and [`probed_specs`]) and the example
/// module, loaded once for each of [`map_runs`]. Both modules loaded and the machine
/// powered off cleanly, or this fails. `None` when a requirement is missing.
fn boot() -> Option<&'static str> {
    BOOT.get_or_init(boot_once).as_deref()
}

fn boot_once() -> Option<String> {
    let headers = kbuild_ready(false)?;
    let image = PathBuf::from(format!("/boot/vmlinuz-{}", headers.release));
    let busybox = Path::new("/bin/busybox");
    if !require(
        image.is_file(),
        &format!("{} (linux-image-amd64)", image.display()),
    ) || !support::have("qemu-system-x86_64")
        || !support::have("timeout")
        || !require(
            is_static_elf(busybox),
            "a static /bin/busybox (busybox-static)",
        )
    {
        return None;
    }

    let dir = test_module_dir(&module_specs(), &probed_specs());
    build_clean(
        &headers,
        dir.path(),
        false,
        &["CCATTR_MODULES=ccattr_test.o ccattr_tdisp_map.o"],
    );

    let module = |name: &str| std::fs::read(dir.path().join(name)).expect("a module");
    let init = std::fs::read(root().join("tests/kernel/init")).expect("tests/kernel/init");
    let busybox = std::fs::read(busybox).expect("busybox");
    let runs = map_runs_file(&map_runs(&named_table(TDISP).1));
    let initramfs = dir.path().join("initramfs.cpio");
    let cpio = Initramfs::default()
        .dir("bin")
        .file("bin/busybox", 0o755, &busybox)
        .dir("dev")
        .char_dev("dev/console", 5, 1)
        .dir("proc")
        .file("init", 0o755, &init)
        .file("ccattr_test.ko", 0o644, &module("ccattr_test.ko"))
        .file("ccattr_tdisp_map.ko", 0o644, &module("ccattr_tdisp_map.ko"))
        .file("ccattr_tdisp_map.runs", 0o644, runs.as_bytes())
        .finish();
    write(&initramfs, cpio);
    let started = std::time::Instant::now();
    let mut qemu = Command::new("timeout");
    qemu.args(["--kill-after=10", "300", "qemu-system-x86_64"])
        .args([
            "-accel",
            "tcg",
            "-m",
            "512M",
            "-smp",
            "1",
            "-nodefaults",
            "-no-reboot",
        ])
        .args(["-display", "none", "-serial", "stdio"])
        .arg("-kernel")
        .arg(&image)
        .arg("-initrd")
        .arg(&initramfs)
        .args(["-append", "console=ttyS0 panic=-1 quiet"]);
    for device in QEMU_DEVICES {
        qemu.args(["-device", device]);
    }
    let out = qemu.stdin(Stdio::null()).output().expect("qemu runs");
    let console = text(&out);
    eprintln!("qemu ran for {:.1?}", started.elapsed());
    assert_eq!(
        out.status.code(),
        Some(0),
        "qemu did not power off cleanly:\n{console}"
    );
    assert!(
        console.contains("ccattr-init: insmod exit 0"),
        "the test module did not load:\n{console}"
    );
    assert_eq!(
        console
            .matches("ccattr-init: ccattr_tdisp_map insmod exit 0")
            .count(),
        runs.lines().count(),
        "the example module did not load for every line of\n{runs}\n{console}"
    );
    Some(console)
}

/// The test module boots in Debian's 6.1 kernel, and every answer it prints equals
/// what `ccattr explain` says: for ranges, each platform of every spec and the
/// running kernel's own set, through the real `cc_platform_has()` and the bound
/// callback; for probed devices, each platform, probed device and capability set
/// of every spec that has probed devices.
#[test]
fn the_kernel_answers_as_explain_does() {
    let Some(console) = boot() else {
        return;
    };
    assert!(!console.contains("ccattr_test: error"), "{console}");
    let specs = module_specs();
    let probed = probed_specs();
    let printed = parse_console(console);
    let (answers, probed_answers) = (&printed.answers, &printed.probed);
    assert_eq!(
        printed.done,
        Some(answers.len() + probed_answers.len()),
        "answers lost on the way:\n{console}"
    );

    // Every query of every set was answered, once.
    let mut expected = BTreeMap::new();
    for (name, table) in &specs {
        let mut sets: Vec<String> = table.platforms.iter().map(|p| p.name.clone()).collect();
        sets.push("kernel".into());
        if extra_bits(table, &specs[0].1).is_some() {
            sets.push("kernel+extra".into());
        }
        for set in sets {
            for (addr, size) in ranges(table) {
                expected.insert((name.clone(), set.clone(), addr, size), 0);
            }
        }
    }
    for a in answers {
        let key = (a.spec.clone(), a.set.clone(), a.addr, a.size);
        *expected
            .get_mut(&key)
            .unwrap_or_else(|| panic!("an unasked query: {a:?}")) += 1;
    }
    let unanswered: Vec<_> = expected.iter().filter(|(_, &n)| n != 1).collect();
    assert!(
        unanswered.is_empty(),
        "answered other than once: {unanswered:?}"
    );

    // Every probed device of every spec, under each platform, with each capability set.
    let mut expected = BTreeMap::new();
    for (name, table) in &probed {
        for p in &table.platforms {
            for (_, device) in table.probed_devices() {
                let rule_set = device.probed.expect("a probed device has its rule set");
                for caps in cap_sets(table, rule_set) {
                    let key = (name.clone(), p.name.clone(), device.name.clone(), caps);
                    expected.insert(key, 0);
                }
            }
        }
    }
    for a in probed_answers {
        let key = (a.spec.clone(), a.set.clone(), a.device.clone(), a.caps);
        *expected
            .get_mut(&key)
            .unwrap_or_else(|| panic!("an unasked query: {a:?}")) += 1;
    }
    let unanswered: Vec<_> = expected.iter().filter(|(_, &n)| n != 1).collect();
    assert!(
        unanswered.is_empty(),
        "probed devices answered other than once: {unanswered:?}"
    );

    let decisions: BTreeSet<&str> = answers.iter().map(|a| a.decision.as_str()).collect();
    assert_eq!(
        decisions,
        BTreeSet::from(["decrypted", "encrypted", "invalid", "mixed", "unspecified"]),
        "the queries do not reach every decision"
    );
    let decisions: BTreeSet<&str> = probed_answers.iter().map(|a| a.decision.as_str()).collect();
    assert_eq!(
        decisions,
        BTreeSet::from(["decrypted", "encrypted", "refused", "unspecified"]),
        "the probed devices' queries do not reach every decision"
    );
    assert!(
        answers.iter().any(|a| a.set == "kernel+extra" && a.private),
        "the bound callback never answered true"
    );

    let tables: HashMap<&str, &DecisionTable> = specs
        .iter()
        .chain(&probed)
        .map(|(n, t)| (n.as_str(), t))
        .collect();
    let mut explainer = Explainer::default();
    let mut wrong: Vec<String> = answers
        .iter()
        .filter_map(|a| explainer.check(a, tables[a.spec.as_str()]))
        .collect();
    wrong.extend(
        probed_answers
            .iter()
            .filter_map(|a| explainer.check_probed(a, tables[a.spec.as_str()])),
    );
    let total = answers.len() + probed_answers.len();
    assert!(
        wrong.is_empty(),
        "{} of {total} answers differ from explain:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "{total} answers of the kernel equal explain's ({} of probed devices)",
        probed_answers.len()
    );
}

/// In the same boot, `ccattr_tdisp_map.ko` finds exactly the memory BARs of qemu's
/// functions, reports MSIX_BAR for those that hold the MSI-X table or PBA and
/// TDISP_RUN as `accepted` says, decides each as `explain` does under the running
/// kernel's set (qemu is no confidential guest: no attribute) and under every
/// platform of tdisp.ccattr, and maps it with the function its decision names, or
/// returns -EPERM where it is refused.
#[test]
fn the_example_module_maps_each_bar_as_explain_decides() {
    let Some(console) = boot() else {
        return;
    };
    assert!(!console.contains("ccattr_tdisp_map: error"), "{console}");
    let (_, tdisp) = named_table(TDISP);
    let cap = |name: &str| 1u32 << tdisp.cap_index(name).expect("a capability of tdisp");
    let (tdisp_run, msix_bar) = (cap("TDISP_RUN"), cap("MSIX_BAR"));
    let runs = map_runs(&tdisp);
    let printed = parse_console(console).runs;
    assert_eq!(
        printed.len(),
        runs.len(),
        "loads lost on the way:\n{console}"
    );

    let mut expected_bars = QEMU_BARS.to_vec();
    expected_bars.sort();
    let mut explainer = Explainer::default();
    let mut wrong = Vec::new();
    let (mut decisions, mut results) = (BTreeSet::new(), BTreeSet::new());
    for (run, (platform, accepted)) in printed.iter().zip(&runs) {
        let set = platform.as_deref().unwrap_or("kernel");
        assert_eq!(
            (run.set.as_str(), run.accepted, run.count),
            (set, *accepted, run.bars.len()),
            "{run:?}"
        );
        let mut found: Vec<(&str, u32, u64, bool)> = run
            .bars
            .iter()
            .map(|b| (b.id.as_str(), b.bar, b.size, b.caps & msix_bar != 0))
            .collect();
        found.sort();
        assert_eq!(found, expected_bars, "qemu's memory BARs, {set}");
        for bar in &run.bars {
            assert_eq!(bar.set, set, "{bar:?}");
            assert_eq!(bar.caps & tdisp_run != 0, *accepted, "{bar:?}");
            assert!(bar.start != 0 && bar.start != u64::MAX, "{bar:?}");
            if platform.is_none() {
                assert_eq!(bar.base, Some(0), "qemu reports attributes: {bar:?}");
            }
            wrong.extend(explainer.check_bar(bar, &tdisp));
            decisions.insert(bar.decision.clone());
            results.insert(bar.result.clone());
        }
    }
    assert!(
        wrong.is_empty(),
        "{} BARs differ from explain or were mapped otherwise:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(
        decisions,
        BTreeSet::from(["decrypted", "encrypted", "refused", "unspecified"].map(String::from)),
        "the loads do not reach every decision"
    );
    assert_eq!(
        results,
        BTreeSet::from(["ioremap", "ioremap_encrypted", EPERM].map(String::from)),
        "the loads do not take every way of mapping"
    );
    eprintln!(
        "{} BARs in {} loads mapped as explain decides",
        printed.iter().map(|r| r.bars.len()).sum::<usize>(),
        printed.len()
    );
}

/// The glue that docs/kernel.md shows for devices found at run time is the example
/// module's, line for line.
#[test]
fn docs_show_the_example_modules_code() {
    let source = read(&root().join("tests/kernel/ccattr_tdisp_map.c"));
    let block = docs_block("tdisp_ioremap");
    assert!(
        block.starts_with("static void __iomem *tdisp_ioremap(") && block.ends_with("}\n"),
        "the block is not the whole function:\n{block}"
    );
    assert!(
        source.contains(&format!("\n{block}")),
        "tests/kernel/ccattr_tdisp_map.c has no tdisp_ioremap() as docs/kernel.md \
         gives it:\n{block}"
    );
}

/// The kernel's scripts/kernel-doc of the headers, with the flags that turn on all of
/// its checks: `-Wall` where it has it (6.3 on), else `-v`, which in 6.1 turns on the
/// same checks (return values, short descriptions, text before sections).
fn kernel_doc(headers: &Headers) -> Option<(PathBuf, Vec<&'static str>)> {
    let script = headers.dir.join("scripts/kernel-doc");
    if !require(script.is_file(), "scripts/kernel-doc (linux-kbuild-6.1)") || !support::have("perl")
    {
        return None;
    }
    let help = Command::new("perl")
        .arg(&script)
        .arg("-h")
        .output()
        .expect("kernel-doc runs");
    let flags = if text(&help).contains("-Wall") {
        vec!["-none", "-Wall"]
    } else {
        vec!["-none", "-v"]
    };
    Some((script, flags))
}

/// What kernel-doc says about `file` beyond its progress report.
fn kernel_doc_complaints(script: &Path, flags: &[&str], file: &Path) -> Vec<String> {
    let out = Command::new("perl")
        .arg(script)
        .args(flags)
        .arg(file)
        .output()
        .expect("kernel-doc runs");
    let mut complaints: Vec<String> = text(&out)
        .lines()
        .filter(|l| !l.contains(": info: Scanning doc for ") && !l.starts_with("Warning: Sphinx"))
        .map(str::to_string)
        .collect();
    if !out.status.success() && complaints.is_empty() {
        complaints.push(format!("kernel-doc exited with {}", out.status));
    }
    complaints
}

#[test]
fn kernel_doc_finds_nothing_in_the_generated_headers() {
    let Some(headers) = headers() else {
        require(false, "Debian's 6.1 kernel headers (linux-headers-amd64)");
        return;
    };
    let Some((script, flags)) = kernel_doc(&headers) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ccattr"))
        .collect();
    specs.push(root().join("tests/c/corners.ccattr"));
    specs.sort();
    for spec in &specs {
        build_header(spec, dir.path());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("headers")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert_eq!(files.len(), specs.len());
    for source in [
        "ccattr_test.c",
        "ccattr_mirror.c",
        "ccattr_adopted.c",
        "ccattr_tdisp_map.c",
        "ccattr_decision.h",
    ] {
        files.push(root().join("tests/kernel").join(source));
    }
    for file in &files {
        let complaints = kernel_doc_complaints(&script, &flags, file);
        assert!(
            complaints.is_empty(),
            "kernel-doc {flags:?} on {}:\n{}",
            file.display(),
            complaints.join("\n")
        );
    }

    // The checks are on: a member without a description and a function without its
    // return value's are both reported.
    let header = read(&dir.path().join("hyperv_vtom.h"));
    let member = " * @HYPERV_VTOM_BIT_MEM_ENCRYPT: CC_ATTR_MEM_ENCRYPT.\n";
    let returns = " * Return: hyperv_vtom_attrs_close() of hyperv_vtom_kernel_base().\n";
    for (cut, expected) in [
        (member, "HYPERV_VTOM_BIT_MEM_ENCRYPT"),
        (returns, "hyperv_vtom_kernel_attrs"),
    ] {
        assert!(header.contains(cut), "the header no longer has {cut:?}");
        let broken = dir.path().join("broken.h");
        write(&broken, header.replace(cut, ""));
        let complaints = kernel_doc_complaints(&script, &flags, &broken).join("\n");
        assert!(
            complaints.contains(expected),
            "kernel-doc {flags:?} did not notice the missing {expected}:\n{complaints}"
        );
    }
}

/// What Documentation/process/coding-style.rst asks that a program can see, line by
/// line; the faults found in `text`, each with its line.
fn style_faults(name: &str, text: &str) -> Vec<String> {
    let mut faults = Vec::new();
    let spdx = if name.ends_with(".c") {
        "// SPDX-License-Identifier: "
    } else {
        "/* SPDX-License-Identifier: "
    };
    if !text.starts_with(spdx) {
        faults.push(format!("{name}:1: the SPDX line is not first"));
    }
    if !text.ends_with('\n') || text.ends_with("\n\n") {
        faults.push(format!("{name}: does not end with exactly one newline"));
    }
    let mut blank_run = 0;
    for (i, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", i + 1);
        let width = line.chars().fold(0, |col, c| {
            if c == '\t' {
                (col / 8 + 1) * 8
            } else {
                col + 1
            }
        });
        if width > 100 {
            faults.push(format!("{at}: {width} columns"));
        }
        if line != line.trim_end() {
            faults.push(format!("{at}: trailing white space"));
        }
        if line.ends_with('\\') {
            faults.push(format!("{at}: line continuation"));
        }
        if line.contains(" \t") {
            faults.push(format!("{at}: space before tab"));
        }
        // Tabs indent; fewer than 8 spaces after them may align, and a comment's ` *`
        // may start a line.
        let body = line.trim_start_matches([' ', '\t']);
        let indent = &line[..line.len() - body.len()];
        let spaces = indent.trim_start_matches('\t');
        let tabs = indent.len() - spaces.len();
        if spaces.contains('\t')
            || spaces.len() >= 8
            || (tabs == 0 && !spaces.is_empty() && !body.starts_with('*'))
        {
            faults.push(format!("{at}: indented with spaces"));
        }
        let code = line.split('"').step_by(2).collect::<Vec<_>>().join("\"\"");
        if i > 0 && code.contains("//") {
            faults.push(format!("{at}: C99 comment"));
        }
        for keyword in ["if(", "for(", "while(", "switch("] {
            let found = code.match_indices(keyword).any(|(at, _)| {
                !code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            });
            if found {
                faults.push(format!("{at}: no space after the keyword in {keyword}"));
            }
        }
        // A function's opening brace goes on a line of its own.
        if !line.starts_with([' ', '\t', '#']) && line.ends_with(" {") {
            let aggregate = ["enum ", "struct ", "union ", "static const struct "]
                .iter()
                .any(|k| line.starts_with(k))
                || line.contains("= {");
            if !aggregate {
                faults.push(format!("{at}: a function's brace on its line"));
            }
        }
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run > 1 {
            faults.push(format!("{at}: two blank lines"));
        }
    }
    if name.ends_with(".h") && !text.contains("#ifndef _") {
        faults.push(format!("{name}: no include guard"));
    }
    faults
}

#[test]
fn generated_c_and_module_sources_follow_kernel_style() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("generated"))
        .expect("generated")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "h"))
        .collect();
    files.extend(
        std::fs::read_dir(root().join("tests/kernel"))
            .expect("tests/kernel")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "c" || x == "h")),
    );
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let queries = queries_h(&module_specs(), &probed_specs());
    let mut faults: Vec<String> = style_faults("queries.h", &queries);
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        faults.extend(style_faults(&name, &read(file)));
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));

    // Each rule catches what it is for.
    let bad = [
        "\tint x; \n",
        "        int x;\n",
        "\t \tint x;\n",
        "\tx = 1; // no\n",
        "\tif(x)\n",
        "int f(void) {\n",
        "\n\n",
        "\tx = y + \\\n",
        &format!("\t{}\n", "x".repeat(93)),
    ];
    for (i, body) in bad.iter().enumerate() {
        let file = format!("/* SPDX-License-Identifier: MIT */\n#ifndef _X_H\n{body}");
        assert!(
            !style_faults("x.h", &file).is_empty(),
            "rule {i} missed {body:?}"
        );
    }
    assert!(!style_faults("x.c", "/* SPDX-License-Identifier: MIT */\n").is_empty());
    assert!(style_faults(
        "x.c",
        "// SPDX-License-Identifier: MIT\n\t       \"aligned\");\n"
    )
    .is_empty());
}

/// `examples/kbuild/kernel/`, the out-of-tree module of docs/build.md, with its
/// Kbuild fragment generating the header of `examples/hyperv_vtom.ccattr`, builds
/// against the real headers with W=1 and sparse.
#[test]
fn example_module_builds_against_the_real_headers() {
    let Some(headers) = kbuild_ready(true) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let examples = tmp.path().join("examples");
    let module = examples.join("kbuild/kernel");
    std::fs::create_dir_all(&module).expect("mkdir");
    copy_included(&examples);
    for (from, to) in [
        ("examples/hyperv_vtom.ccattr", "hyperv_vtom.ccattr"),
        ("examples/kbuild/ccattr.kbuild", "kbuild/ccattr.kbuild"),
        ("examples/kbuild/kernel/Kbuild", "kbuild/kernel/Kbuild"),
        (
            "examples/kbuild/kernel/vtom_demo.c",
            "kbuild/kernel/vtom_demo.c",
        ),
    ] {
        std::fs::copy(root().join(from), examples.join(to)).expect(from);
    }
    build_clean(&headers, &module, true, &[&format!("CCATTR={CCATTR}")]);
    assert!(module.join("vtom_demo.ko").is_file());
}

/// Compile `unit` with gcc in `dir`, as kernel code (`-D__KERNEL__`) against the
/// stand-in kernel headers of tests/c/kernel, or as userspace code.
fn gcc(dir: &Path, unit: &str, kernel: bool) -> Output {
    write(&dir.join("unit.c"), unit);
    let mut gcc = Command::new("gcc");
    gcc.current_dir(dir)
        .args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only"])
        .env("LC_ALL", "C");
    if kernel {
        gcc.args(["-D__KERNEL__", "-nostdinc"])
            .arg(format!("-I{}", root().join("tests/c/kernel").display()));
    }
    gcc.arg("unit.c").output().expect("gcc runs")
}

/// The ways to misuse kernel mode fail to build, saying why; the table bits equal the
/// enum's values where the header defines the enum.
#[test]
fn kernel_mode_misuse_fails_to_build() {
    if !support::have("gcc") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for spec in [MIRROR, "hyperv_vtom"] {
        build_header(&example(spec), dir.path());
    }
    let other = dir.path().join("other.ccattr");
    write(
        &other,
        read(&example("linux_6_1")).replace("spec linux_6_1;", "spec other;"),
    );
    build_header(&other, dir.path());

    let fails = |unit: &str, expected: &str| {
        let out = gcc(dir.path(), unit, true);
        assert!(!out.status.success(), "built:\n{unit}");
        assert!(
            text(&out).contains(expected),
            "no {expected:?} in:\n{}",
            text(&out)
        );
    };
    fails(
        "#define LINUX_6_1_DEFINES_CC_ATTR\n#define LINUX_6_1_MIRRORS_CC_ATTR\n\
         #include \"linux_6_1.h\"\n",
        "a header cannot both define and mirror enum cc_attr",
    );
    fails(
        "#define LINUX_6_1_MIRRORS_CC_ATTR\n#include \"linux_6_1.h\"\n\
         #define OTHER_MIRRORS_CC_ATTR\n#include \"other.h\"\n",
        "the header of another spec already describes the kernel's enum cc_attr",
    );
    // A client header included before any header describes the kernel has no helpers.
    fails(
        "#include \"hyperv_vtom.h\"\n#define LINUX_6_1_MIRRORS_CC_ATTR\n\
         #include \"linux_6_1.h\"\n\
         u64 f(void);\nu64 f(void)\n{\n\treturn hyperv_vtom_kernel_base();\n}\n",
        "implicit declaration of function 'hyperv_vtom_kernel_base'",
    );

    // Included the right way round, it builds, in the kernel and out of it.
    let right = "#define LINUX_6_1_MIRRORS_CC_ATTR\n#include \"linux_6_1.h\"\n\
                 #include \"hyperv_vtom.h\"\n\
                 u64 f(void);\nu64 f(void)\n{\n\treturn hyperv_vtom_kernel_base();\n}\n";
    let out = gcc(dir.path(), right, true);
    assert!(out.status.success(), "{}", text(&out));

    let mut asserts = String::from("#include \"hyperv_vtom.h\"\n");
    for a in table(&example("hyperv_vtom")).attrs {
        let bit = a.name.replace("CC_ATTR_", "HYPERV_VTOM_BIT_");
        writeln!(
            asserts,
            "_Static_assert((int){bit} == (int){}, \"{bit}\");",
            a.name
        )
        .unwrap();
    }
    let out = gcc(dir.path(), &asserts, false);
    assert!(out.status.success(), "{}", text(&out));
}
