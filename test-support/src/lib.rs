//! What ccattr's tests, benchmarks and fuzz targets share, and nothing they ship:
//! the random and scale spec generators ([`synth`]), the shipped examples, fixtures
//! compiled from spec text through the one pipeline ([`checked`], [`tables`]),
//! running a command under a time limit ([`run`]), and finding the outside tools
//! that end-to-end tests run ([`have`], [`require`]).

pub mod synth;
pub mod tables;

use ccattr_codegen::compile;
use ccattr_core::{diagnostics, Checked};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// The folder of `examples/` that holds the files the examples include (no `spec`
/// line: not specs on their own).
pub const INCLUDED_DIR: &str = "attrs";

/// Every spec under `examples/`: [`example_paths`] without the included files.
pub fn example_spec_paths() -> Vec<PathBuf> {
    let included = root().join("examples").join(INCLUDED_DIR);
    example_paths()
        .into_iter()
        .filter(|p| !p.starts_with(&included))
        .collect()
}

/// The shipped example `examples/NAME` (e.g. `hyperv_vtom.ccattr`), checked.
pub fn example(name: &str) -> Checked {
    checked_file(&root().join("examples").join(name))
}

/// The spec at `path` with the files it includes, checked, shown under its file name
/// (as `ccattr build` names it in the outputs). Panics with the rendered diagnostics
/// if it does not check.
pub fn checked_file(path: &Path) -> Checked {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let root = ccattr_core::load::Root {
        name: &name,
        bytes: &bytes,
        path: Some(path),
    };
    let compiled = ccattr_core::compile::compile_with(
        root,
        &ccattr_core::load::Disk,
        &ccattr_codegen::C_HEADER,
    );
    match compiled {
        Ok(c) => c,
        Err(r) => panic!(
            "{} does not check:\n{}",
            path.display(),
            diagnostics::text(&r.source, &r.diagnostics)
        ),
    }
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

/// Whether `tool` runs (`tool --version`); see [`require`].
pub fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    require(found, &format!("`{tool}`"))
}

/// Whether a requirement of a test is met (`what` says which). Outside CI a missing
/// one skips the calling test with a message; in CI (the `CI` environment variable is
/// set, as `.ci/run` does) everything is installed, so a missing one fails the test
/// instead of skipping it.
pub fn require(met: bool, what: &str) -> bool {
    if !met {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} is required in CI but is missing (see .ci/run)"
        );
        eprintln!("SKIPPED: {what} is missing; install it to run this test");
    }
    met
}

/// Run `cmd` to the end with its output captured and `stdin` (if any) fed to it; a
/// command still running after `limit` is killed and fails the test, so that a hang
/// is a failure, not a stuck test run. Output is read while it runs: a full pipe
/// never stalls it.
pub fn run(cmd: &mut Command, stdin: Option<&[u8]>, limit: Duration) -> Output {
    use std::io::{Read as _, Write as _};
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{shown} does not start: {e}"));
    let feed = stdin.and_then(|bytes| {
        let mut pipe = child.stdin.take()?;
        let bytes = bytes.to_vec();
        // A child that exits without reading it all breaks the pipe: not an error.
        Some(std::thread::spawn(move || drop(pipe.write_all(&bytes))))
    });
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} took more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(feed) = feed {
        let _ = feed.join();
    }
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}
