//! The fuzz targets' properties (fuzz/src/lib.rs) over the seed corpus (fuzz/corpus)
//! and over every input a fuzzer ever found failing, minimized (fuzz/regressions),
//! without cargo-fuzz: a finding, once fixed, stays fixed under `cargo test`.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod props;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

type Property = fn(&[u8]);

const TARGETS: [(&str, Property); 7] = [
    ("parse", props::parse),
    ("check", props::check),
    ("emit", props::emit),
    ("fmt", props::fmt),
    ("review", props::review),
    ("decide", props::decide),
    ("lsp", props::lsp),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

/// Run `property` over every file in `dir`; the names of the files it panicked on.
fn run_all(dir: &Path, property: Property) -> (usize, Vec<String>) {
    let inputs = files(dir);
    let mut failed = Vec::new();
    for path in &inputs {
        let data = std::fs::read(path).expect("read input");
        if catch_unwind(AssertUnwindSafe(|| property(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    (inputs.len(), failed)
}

fn fuzz_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(sub)
}

#[test]
fn seed_corpus_passes_every_property() {
    for (target, property) in TARGETS {
        let (n, failed) = run_all(&fuzz_dir("corpus").join(target), property);
        assert!(
            n > 0,
            "fuzz/corpus/{target} has no seeds; run scripts/fuzz-seeds.py"
        );
        assert!(failed.is_empty(), "{target} fails on seeds: {failed:#?}");
    }
}

#[test]
fn minimized_findings_stay_fixed() {
    let mut total = 0;
    for (target, property) in TARGETS {
        let (n, failed) = run_all(&fuzz_dir("regressions").join(target), property);
        total += n;
        assert!(
            failed.is_empty(),
            "{target} fails on regression inputs: {failed:#?}"
        );
    }
    assert!(total > 0, "fuzz/regressions holds the minimized findings");
}

/// The code comparisons that `emit` relies on tell prose from code.
#[test]
fn code_comparisons_see_through_prose_only() {
    let c = |s: &str| props::c_code(s);
    assert_eq!(
        c("int a; /* doc */ int b; // more\n"),
        c("int a;\nint b;\n")
    );
    assert_eq!(c("f(\"a\\\"b\"); g('x');"), c("f(\"\"); g('y');"));
    assert_ne!(c("int a; /* doc */ int b;"), c("int a; /* doc */ int c;"));
    assert_ne!(c("/* doc */ int a;"), c("/* doc */ int a; int injected;"));
    assert!(catch_unwind(|| c("int a; /* never closed")).is_err());
    assert!(catch_unwind(|| c("f(\"never closed\n\");")).is_err());

    let r = |s: &str| props::rust_code(&syn::parse_file(s).expect("parses"));
    assert_eq!(
        r("/// One.\n/// Two.\npub fn f() {}\n"),
        r("pub fn f() {}\n")
    );
    assert_eq!(
        r("#[deprecated(note = \"old\")] pub fn f() {}"),
        r("#[deprecated(note = \"\")] pub fn f() {}")
    );
    assert_ne!(
        r("/// Doc.\npub fn f() {}\n"),
        r("/// Doc.\npub fn g() {}\n")
    );
    assert_ne!(r("pub const A: u64 = 1;"), r("pub const A: u64 = 2;"));
}
