//! What ccattr's tests, benchmarks and fuzz targets share, and nothing they ship:
//! the random and scale spec generators ([`synth`]), the shipped examples, fixtures
//! compiled from spec text through the one pipeline ([`checked`], [`tables`]), and
//! finding the outside tools that end-to-end tests run ([`have`]).

pub mod synth;
pub mod tables;

use ccattr_core::{compile, diagnostics, Checked};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace's root directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support/ sits in the workspace root")
        .to_path_buf()
}

/// Every `*.ccattr` file under `examples/` (recursively), sorted by path.
pub fn example_paths() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "ccattr") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("examples"), &mut out);
    out.sort();
    assert!(!out.is_empty(), "examples/ holds specs");
    out
}

/// The shipped example `examples/NAME` (e.g. `hyperv_vtom.ccattr`), checked.
pub fn example(name: &str) -> Checked {
    let path = root().join("examples").join(name);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    checked(name, &text)
}

/// Compile a fixture's spec text, which must check: a test fixture is spec text,
/// compiled like any input. Panics with the rendered diagnostics otherwise.
pub fn checked(name: &str, text: impl AsRef<[u8]>) -> Checked {
    match compile(name, text.as_ref()) {
        Ok(c) => c,
        Err(r) => panic!(
            "fixture {name} does not check:\n{}",
            diagnostics::text(&r.source, &r.diagnostics)
        ),
    }
}

/// Whether `tool` runs. Outside CI a missing tool skips the calling test with a
/// message; in CI (the `CI` environment variable is set, as `.ci/run` does) every
/// tool is installed, so a missing one fails the test instead of skipping it.
pub fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{tool}` is required in CI but is not installed (see .ci/run)"
        );
        eprintln!("SKIPPED: `{tool}` is not installed; install it to run this test");
    }
    found
}
