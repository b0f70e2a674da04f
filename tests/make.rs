//! examples/kbuild: the Make fragment in a plain Make project, and the Kbuild
//! fragment under the real Kbuild macros (scripts/Kbuild.include and fixdep from the
//! installed kernel headers). A second make does nothing; a touched spec runs ccattr
//! but recompiles nothing; a comment fixed in place changes no header byte and
//! rebuilds nothing; a real change rebuilds what includes the header; a broken spec
//! fails the build and writes nothing.
//!
//! Without make (or gcc, or the kernel headers for the Kbuild test) the tests skip
//! with a message; under CI (CI=true) a missing tool fails them instead.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `tool` runs; if not, skip (or fail under CI) with a message.
fn require(tool: &str, args: &[&str], why: &str) -> bool {
    let ok = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    ccattr_test_support::require(ok, &format!("`{tool}` ({why})"))
}

/// examples/kbuild and the spec, laid out as in the repository, in `dir`.
fn copy_examples(dir: &Path) {
    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let dest = to.join(entry.file_name());
            if path.is_dir() {
                copy_tree(&path, &dest);
            } else {
                std::fs::copy(&path, &dest)
                    .unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
            }
        }
    }
    copy_tree(
        &root().join("examples/kbuild"),
        &dir.join("examples/kbuild"),
    );
    std::fs::copy(
        root().join("examples/hyperv_vtom.ccattr"),
        dir.join("examples/hyperv_vtom.ccattr"),
    )
    .expect("copy spec");
    copy_tree(&root().join("examples/attrs"), &dir.join("examples/attrs"));
}

/// The file the spec includes, in the copy.
fn included(dir: &Path) -> PathBuf {
    dir.join("examples/attrs/linux_mainline.ccattr")
}

/// A doc comment of the included file, which the header prints, and a change to it.
const INCLUDED_DOC: &str = "/// Memory encryption is active\n";
const INCLUDED_DOC_CHANGED: &str = "/// Memory encryption is in use\n";

fn make(dir: &Path, args: &[&str]) -> Output {
    Command::new("make")
        .arg(format!("CCATTR={}", env!("CARGO_BIN_EXE_ccattr")))
        .args(args)
        .current_dir(dir)
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .output()
        .expect("make runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> String {
    let t = text(&o);
    assert!(o.status.success(), "make failed:\n{t}");
    t
}

/// Make's words for a run that had nothing to do.
fn idle(log: &str) -> bool {
    let said = log.contains("Nothing to be done") || log.contains("is up to date");
    said && !log.contains(" build ") && !log.contains("-o vtom_demo")
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Write `contents`, newer than anything built before.
fn edit(path: &Path, contents: &str) {
    settle(path);
    std::fs::write(path, contents).expect("write");
}

/// Make the file newer than anything built before, as `touch` does.
fn touch(path: &Path) {
    settle(path);
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(SystemTime::now()).expect("set mtime");
}

/// Wait until a new modification time is later than the last one written in the
/// file's directory: a moment on file systems with fine timestamps, a second on
/// coarse ones. (Dating files in the future instead would make Make warn of clock
/// skew and confuse the stamps.)
fn settle(path: &Path) {
    let coarse = mtime(path)
        .duration_since(SystemTime::UNIX_EPOCH)
        .is_ok_and(|d| d.subsec_nanos() == 0);
    std::thread::sleep(if coarse {
        Duration::from_millis(1100)
    } else {
        Duration::from_millis(20)
    });
}

const COMMENT: &str = "// Everything else the host emulates: shared in an encrypted guest.";
const COMMENT_FIXED: &str =
    "// Everything else is emulated by the host: shared in an encrypted guest.";
const VTPM: &str = "map vtpm encrypted when CC_ATTR_ACCESS_TPM_ENCRYPTED;";
const VTPM_SHARED: &str = "map vtpm decrypted when CC_ATTR_ACCESS_TPM_ENCRYPTED;";

#[test]
fn plain_make_regenerates_exactly_when_needed() {
    if !require("make", &["--version"], "to run examples/kbuild/plain")
        || !require("cc", &["--version"], "to compile examples/kbuild/plain")
    {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy_examples(dir.path());
    let project = dir.path().join("examples/kbuild/plain");
    let spec = dir.path().join("examples/hyperv_vtom.ccattr");
    let header = project.join("generated/hyperv_vtom.h");
    let object = project.join("vtom_demo.o");
    let original = std::fs::read_to_string(&spec).expect("read spec");
    assert!(
        original.contains(COMMENT) && original.contains(VTPM),
        "the example changed; update this test"
    );
    let demo = || {
        let out = Command::new(project.join("vtom_demo"))
            .output()
            .expect("vtom_demo runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    // A first build generates, compiles and links.
    let log = ok(make(&project, &[]));
    assert!(log.contains(" build ../../hyperv_vtom.ccattr"), "{log}");
    assert!(log.contains("-c -o vtom_demo.o"), "{log}");
    let out = demo();
    assert!(
        out.contains("hyperv_vtom_paravisor vtpm 0xfed40000: encrypted"),
        "{out}"
    );
    assert!(
        out.contains("hyperv_vtom_paravisor tpm_locality_1 0xfed41000: decrypted"),
        "{out}"
    );
    assert!(
        out.contains("bare_metal ioapic 0xfec00000: unspecified"),
        "{out}"
    );
    let header_bytes = std::fs::read(&header).expect("header");

    // The second does nothing.
    let log = ok(make(&project, &[]));
    assert!(idle(&log), "{log}");

    // A touched spec runs ccattr, which leaves the header alone: nothing recompiles.
    let (h, o) = (mtime(&header), mtime(&object));
    touch(&spec);
    let log = ok(make(&project, &[]));
    assert!(log.contains(" build "), "{log}");
    assert!(!log.contains("vtom_demo.o"), "nothing recompiles:\n{log}");
    assert!(
        !log.contains("unchanged"),
        "ccattr --quiet says nothing:\n{log}"
    );
    assert_eq!((mtime(&header), mtime(&object)), (h, o));
    let log = ok(make(&project, &[]));
    assert!(idle(&log), "{log}");

    // A comment fixed in place: same header bytes, nothing downstream rebuilds.
    edit(&spec, &original.replace(COMMENT, COMMENT_FIXED));
    let log = ok(make(&project, &[]));
    assert!(log.contains(" build "), "{log}");
    assert!(!log.contains("vtom_demo.o"), "nothing recompiles:\n{log}");
    assert_eq!((mtime(&header), mtime(&object)), (h, o));
    assert_eq!(std::fs::read(&header).expect("header"), header_bytes);
    let log = ok(make(&project, &[]));
    assert!(idle(&log), "{log}");

    // A real change rewrites the header and rebuilds the program.
    edit(&spec, &original.replace(VTPM, VTPM_SHARED));
    let log = ok(make(&project, &[]));
    assert!(log.contains("-c -o vtom_demo.o"), "{log}");
    assert_ne!(std::fs::read(&header).expect("header"), header_bytes);
    assert!(demo().contains("hyperv_vtom_paravisor vtpm 0xfed40000: decrypted"));
    let changed_header = std::fs::read(&header).expect("header");

    // The included file is an input too (ccattr's depfile names it): touched, ccattr
    // runs and nothing recompiles; a doc comment the header prints changed there
    // rewrites the header and rebuilds the program.
    let inc = included(dir.path());
    let attrs = std::fs::read_to_string(&inc).expect("read included file");
    assert!(
        attrs.contains(INCLUDED_DOC),
        "the included file changed; update this test"
    );
    let (h, o) = (mtime(&header), mtime(&object));
    touch(&inc);
    let log = ok(make(&project, &[]));
    assert!(log.contains(" build "), "{log}");
    assert!(!log.contains("vtom_demo.o"), "nothing recompiles:\n{log}");
    assert_eq!((mtime(&header), mtime(&object)), (h, o));
    edit(&inc, &attrs.replace(INCLUDED_DOC, INCLUDED_DOC_CHANGED));
    let log = ok(make(&project, &[]));
    assert!(log.contains("-c -o vtom_demo.o"), "{log}");
    assert_ne!(std::fs::read(&header).expect("header"), changed_header);
    let log = ok(make(&project, &[]));
    assert!(idle(&log), "{log}");
    edit(&inc, &attrs);
    let log = ok(make(&project, &[]));
    assert!(log.contains("-c -o vtom_demo.o"), "{log}");
    assert_eq!(std::fs::read(&header).expect("header"), changed_header);

    // A broken spec fails the build, writes nothing, and is tried again next time.
    let broken = original.replace(VTPM, "map vtpm encrypted when CC_ATTR_NO_SUCH;");
    edit(&spec, &broken);
    for _ in 0..2 {
        let out = make(&project, &[]);
        assert!(!out.status.success(), "a broken spec fails the build");
        let log = text(&out);
        assert!(log.contains("error[E0105]"), "{log}");
        let line = broken[..broken.find("CC_ATTR_NO_SUCH").unwrap()]
            .matches('\n')
            .count()
            + 1;
        assert!(
            log.contains(&format!("hyperv_vtom.ccattr:{line}:")),
            "{log}"
        );
        assert_eq!(
            std::fs::read(&header).expect("header"),
            changed_header,
            "nothing written"
        );
    }

    // Fixed, it builds again; a deleted header is regenerated.
    edit(&spec, &original);
    let log = ok(make(&project, &[]));
    assert!(log.contains("-c -o vtom_demo.o"), "{log}");
    assert_eq!(std::fs::read(&header).expect("header"), header_bytes);
    std::fs::remove_file(&header).expect("rm header");
    let log = ok(make(&project, &[]));
    assert!(log.contains(" build "), "{log}");
    assert_eq!(std::fs::read(&header).expect("header"), header_bytes);

    let log = ok(make(&project, &["clean"]));
    assert!(log.contains("rm -f"), "{log}");
    assert!(!header.exists() && !object.exists());
}

/// The installed kernel headers' Kbuild scripts: (scripts directory).
fn kbuild_scripts() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/src")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("scripts")))
        .filter(|s| s.join("Kbuild.include").is_file() && s.join("basic/fixdep").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// The part of the kernel's scripts/Makefile.build that a Kbuild file's rules for
/// generated files rely on, around the real Kbuild.include. Compiling the module is
/// out of scope here; a stand-in records when the object would be rebuilt.
const KBUILD_HARNESS: &str = r#"
src := examples/kbuild/kernel
obj := out
quiet := quiet_
Q := @
PHONY := FORCE all
all:
include scripts/Kbuild.include
include $(src)/Kbuild
targets := $(addprefix $(obj)/,$(targets))
existing-targets := $(wildcard $(sort $(targets)))
-include $(foreach f,$(existing-targets),$(dir $(f)).$(notdir $(f)).cmd)
$(shell mkdir -p $(obj))

all: $(obj)/vtom_demo.o

$(obj)/vtom_demo.o: $(src)/vtom_demo.c
	@echo "  CC [M]  $@"; touch $@

FORCE:
.PHONY: $(PHONY) all
"#;

#[test]
fn kbuild_fragment_works_with_the_real_kbuild_macros() {
    if !require("make", &["--version"], "to run the Kbuild fragment") {
        return;
    }
    let Some(scripts) = kbuild_scripts() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no /usr/src/linux-headers-*/scripts with Kbuild.include and basic/fixdep under CI"
        );
        eprintln!("skipped: no kernel headers with Kbuild scripts in /usr/src (install linux-headers-amd64)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    copy_examples(dir.path());
    std::os::unix::fs::symlink(&scripts, dir.path().join("scripts")).expect("symlink scripts");
    std::fs::write(dir.path().join("Makefile"), KBUILD_HARNESS).expect("write harness");
    let spec = dir.path().join("examples/hyperv_vtom.ccattr");
    let header = dir.path().join("out/hyperv_vtom.h");
    let object = dir.path().join("out/vtom_demo.o");
    let cmd_file = dir.path().join("out/.hyperv_vtom.ccattr.stamp.cmd");
    let original = std::fs::read_to_string(&spec).expect("read spec");

    let log = ok(make(dir.path(), &[]));
    assert!(log.contains("  CCATTR  out/hyperv_vtom.h"), "{log}");
    assert!(log.contains("  CC [M]  out/vtom_demo.o"), "{log}");
    assert!(std::fs::read_to_string(&header)
        .expect("header")
        .contains("hyperv_vtom_is_private_mmio"));
    // fixdep turned the depfile into the stamp's .cmd file: the spec is a recorded input.
    let cmd = std::fs::read_to_string(&cmd_file).expect(".cmd file");
    assert!(
        cmd.contains("cmd_out/hyperv_vtom.ccattr.stamp := "),
        "{cmd}"
    );
    assert!(cmd.contains("hyperv_vtom.ccattr"), "{cmd}");
    assert!(
        !dir.path().join("out/.hyperv_vtom.ccattr.stamp.d").exists(),
        "the depfile was consumed"
    );

    // Kbuild runs the stamp's recipe every time (FORCE); it decides to do nothing.
    let log = ok(make(dir.path(), &[]));
    assert!(log.trim().is_empty(), "second make does nothing:\n{log}");

    // A comment fixed in place: ccattr runs, the header keeps its bytes and mtime,
    // the object is not rebuilt, and the next make does nothing.
    let (h, o) = (mtime(&header), mtime(&object));
    edit(&spec, &original.replace(COMMENT, COMMENT_FIXED));
    let log = ok(make(dir.path(), &[]));
    assert!(log.contains("CCATTR"), "{log}");
    assert!(!log.contains("CC [M]"), "{log}");
    assert_eq!((mtime(&header), mtime(&object)), (h, o));
    let log = ok(make(dir.path(), &[]));
    assert!(log.trim().is_empty(), "{log}");

    // A changed command line reruns ccattr (Kbuild's .cmd check).
    let bin = Path::new(env!("CARGO_BIN_EXE_ccattr"));
    let same_binary = bin
        .parent()
        .expect("bin dir")
        .join(".")
        .join(bin.file_name().expect("bin name"));
    let log = ok(make(
        dir.path(),
        &[&format!("CCATTR={}", same_binary.display())],
    ));
    assert!(log.contains("CCATTR"), "{log}");

    // A real change rebuilds the object.
    edit(&spec, &original.replace(VTPM, VTPM_SHARED));
    let log = ok(make(dir.path(), &[]));
    assert!(log.contains("CCATTR") && log.contains("CC [M]"), "{log}");

    // fixdep recorded the included file: a change there reruns ccattr and rebuilds.
    let inc = included(dir.path());
    let cmd = std::fs::read_to_string(&cmd_file).expect(".cmd file");
    assert!(cmd.contains("attrs/linux_mainline.ccattr"), "{cmd}");
    let attrs = std::fs::read_to_string(&inc).expect("read included file");
    edit(&inc, &attrs.replace(INCLUDED_DOC, INCLUDED_DOC_CHANGED));
    let log = ok(make(dir.path(), &[]));
    assert!(log.contains("CCATTR") && log.contains("CC [M]"), "{log}");
    assert!(std::fs::read_to_string(&header)
        .expect("header")
        .contains("Memory encryption is in use"));
    let log = ok(make(dir.path(), &[]));
    assert!(log.trim().is_empty(), "{log}");

    // A deleted header is regenerated.
    std::fs::remove_file(&header).expect("rm header");
    let log = ok(make(dir.path(), &[]));
    assert!(log.contains("CCATTR"), "{log}");
    assert!(header.exists());

    // A broken spec fails and writes nothing.
    let before = std::fs::read(&header).expect("header");
    edit(
        &spec,
        &original.replace(VTPM, "map vtpm encrypted when CC_ATTR_NO_SUCH;"),
    );
    let out = make(dir.path(), &[]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("error[E0105]"), "{}", text(&out));
    assert_eq!(std::fs::read(&header).expect("header"), before);
}
