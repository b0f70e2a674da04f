//! What the end-to-end tests share: finding the tools they need.

use std::process::{Command, Stdio};

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
