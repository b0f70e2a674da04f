//! Faults while `ccattr build` writes: an output directory that is read-only,
//! missing, a file, or on a full file system, and a build killed in the middle of
//! writing. Afterwards every output is the complete old file or the complete new one,
//! never a part, and a failure exits 2 with a message that names the path.
//!
//! The read-only and full file systems are real: a small tmpfs mounted for the test
//! (root and `mount` are needed), remounted read-only where the test needs that. The
//! kill lands at exact points of the write protocol through `strace`'s syscall fault
//! injection, and at random moments without it. Outside CI a missing capability (not
//! root, no `mount`, no `strace`) skips the test with a message saying so; with `CI`
//! set (as .ci/run does) it fails the test.

#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The spec every test builds, in two versions that differ in every output file.
const OLD: &str = "/// Fault tests, old version.\nspec faulty;\n\n/// A.\nattr F_A;\n/// B.\nattr F_B implies F_A;\n\n\
                   /// P.\nplatform p { sets F_B; }\n\n/// D.\ndevice d { mmio 0x1000 size 0x1000; }\n\n\
                   map d encrypted when F_A;\ndefault decrypted when F_B;\n";
const NEW: &str = "/// Fault tests, new version.\nspec faulty;\n\n/// A.\nattr F_A;\n/// B.\nattr F_B implies F_A;\n\n\
                   /// P.\nplatform p { sets F_B; }\n\n/// D.\ndevice d { mmio 0x1000 size 0x1000; }\n\
                   /// E.\ndevice e { mmio 0x8000 size 0x1000; }\n\n\
                   map d encrypted when F_A;\nmap e decrypted;\ndefault decrypted when F_B;\n";
const OUTPUTS: [&str; 3] = ["faulty.h", "faulty.rs", "faulty.json"];

type Files = BTreeMap<&'static str, Vec<u8>>;

/// Run ccattr with a two-minute limit.
fn ccattr(args: &[&str]) -> Output {
    run_limited(Command::new(env!("CARGO_BIN_EXE_ccattr")).args(args))
}

fn run_limited(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("command runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{cmd:?} hung");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().expect("output")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether a requirement is met. Outside CI a missing one skips the calling test with
/// a message; in CI, which runs as root and installs strace (.ci/run), it fails it.
fn require(what: &str, ok: bool) -> bool {
    ccattr_test_support::require(ok, what)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A spec file in `dir`.
fn write_spec(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("faulty.ccattr");
    std::fs::write(&p, text).expect("write spec");
    p
}

/// The outputs of a build of `text` that nothing disturbed.
fn outputs_of(text: &str) -> Files {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path(), text);
    let out_dir = dir.path().join("out");
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    read_outputs(&out_dir)
}

fn read_outputs(dir: &Path) -> Files {
    OUTPUTS
        .iter()
        .map(|&f| {
            (
                f,
                std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f} is missing: {e}")),
            )
        })
        .collect()
}

/// What a directory holds besides the outputs: temporary files a killed build left.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !OUTPUTS.contains(&n.as_str()))
        .collect()
}

/// Every output is the complete old or the complete new file. Returns how many are new.
fn assert_old_or_new(dir: &Path, old: &Files, new: &Files, what: &str) -> usize {
    let mut fresh = 0;
    for f in OUTPUTS {
        let got = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{what}: {f} is gone: {e}"));
        if got == new[f] {
            fresh += 1;
        } else {
            assert!(
                got == old[f],
                "{what}: {f} is neither the old nor the new file ({} bytes)",
                got.len()
            );
        }
    }
    for l in leftovers(dir) {
        assert!(
            l.starts_with('.') && l.contains(".ccattr-tmp."),
            "{what}: unexpected file {l}"
        );
    }
    fresh
}

/// A tmpfs mounted on a directory for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mount a tmpfs of `size` on `dir`, or say why not.
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "ccattr-faults",
            ])
            .arg(dir)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs(dir.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .output()
            .expect("mount");
        assert!(
            out.status.success(),
            "remount {options}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Mount a tmpfs for a test that needs one: `None` (the test is skipped) outside CI
/// when that is not possible here.
fn tmpfs_for_test(dir: &Path, size: &str) -> Option<Tmpfs> {
    if !require("root (to mount a tmpfs)", is_root()) {
        return None;
    }
    match Tmpfs::mount(dir, size) {
        Ok(m) => Some(m),
        Err(e) => {
            require(&format!("the capability to mount a tmpfs ({e})"), false);
            None
        }
    }
}

/// Build `spec` into `out_dir`, expecting a file-system failure: exit 2, a message
/// that names `names`, and nothing written.
fn expect_failure(spec: &Path, out_dir: &Path, names: &Path) -> String {
    let out = ccattr(&["build", s(spec), "--out-dir", s(out_dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(s(names)),
        "the error names {}: {err}",
        names.display()
    );
    err
}

#[test]
fn read_only_output_directory() {
    let (old, new) = (outputs_of(OLD), outputs_of(NEW));
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let spec = write_spec(dir.path(), OLD);
    // Root ignores permission bits, so as root the directory is a read-only mount;
    // otherwise it is a directory without write permission.
    let mount = if is_root() {
        match tmpfs_for_test(&out_dir, "1m") {
            Some(m) => Some(m),
            None => return,
        }
    } else {
        None
    };
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    match &mount {
        Some(m) => m.remount("ro"),
        None => {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&out_dir, std::fs::Permissions::from_mode(0o555))
                .expect("chmod");
        }
    }
    let spec = write_spec(dir.path(), NEW);
    let err = expect_failure(&spec, &out_dir, &out_dir.join("faulty.h"));
    assert!(
        err.contains("Read-only file system") || err.contains("permission denied"),
        "{err}"
    );
    assert_eq!(
        read_outputs(&out_dir),
        old,
        "every output is still the old file"
    );
    assert_eq!(assert_old_or_new(&out_dir, &old, &new, "read-only"), 0);
    assert!(leftovers(&out_dir).is_empty());
}

#[test]
fn missing_output_directory_is_created_or_named() {
    let new = outputs_of(NEW);
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path(), NEW);
    // A missing directory, several levels deep, is created.
    let deep = dir.path().join("a").join("b").join("c");
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&deep)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_outputs(&deep), new);
    assert!(leftovers(&deep).is_empty());
    // One that cannot be created (a file stands where a parent should be) is an
    // error naming it.
    std::fs::write(dir.path().join("plain"), "a file\n").expect("write");
    let under_file = dir.path().join("plain").join("out");
    let err = expect_failure(&spec, &under_file, &under_file);
    assert!(err.contains("cannot create output directory"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plain")).expect("read"),
        "a file\n"
    );
}

#[test]
fn output_directory_that_is_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = write_spec(dir.path(), NEW);
    let file = dir.path().join("out");
    std::fs::write(&file, "not a directory\n").expect("write");
    let err = expect_failure(&spec, &file, &file);
    assert!(err.contains("cannot create output directory"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "not a directory\n",
        "the file is untouched"
    );
}

#[test]
fn full_file_system() {
    let (old, new) = (outputs_of(OLD), outputs_of(NEW));
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let Some(_mount) = tmpfs_for_test(&out_dir, "256k") else {
        return;
    };
    let spec = write_spec(dir.path(), OLD);
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Fill the file system to the last block.
    let filler = out_dir.join("filler");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&filler).expect("filler");
        let block = vec![0xA5u8; 4096];
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    assert_eq!(e.raw_os_error(), Some(28), "filling stops at ENOSPC: {e}");
                    break;
                }
            }
        }
    }
    let spec = write_spec(dir.path(), NEW);
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains(s(&out_dir.join("faulty.h"))),
        "the error names the file: {err}"
    );
    assert_eq!(
        read_outputs(&out_dir),
        old,
        "every output is still the complete old file"
    );
    let left: Vec<String> = leftovers(&out_dir)
        .into_iter()
        .filter(|n| n != "filler")
        .collect();
    assert!(left.is_empty(), "no temporary file is left: {left:?}");

    // With room again, the same build completes.
    std::fs::remove_file(&filler).expect("rm filler");
    let out = ccattr(&["build", s(&spec), "--out-dir", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_outputs(&out_dir), new);
}

/// Kill the build with SIGKILL at exact points of the write protocol: before the
/// Nth `write` (the temporary file is created but empty), before the Nth `fsync`
/// (a temporary file is complete but not renamed; or a file was renamed and the
/// directory not yet synced), before the Nth `rename`. strace's fault injection
/// delivers the signal as the syscall is entered.
#[test]
fn build_killed_at_each_step_of_writing() {
    if !require("strace (for syscall fault injection)", have("strace")) {
        return;
    }
    let (old, new) = (outputs_of(OLD), outputs_of(NEW));
    let dir = tempfile::tempdir().expect("tempdir");
    let spec_old = write_spec(dir.path(), OLD);
    let spec_new = dir.path().join("new").join("faulty.ccattr");
    std::fs::create_dir(dir.path().join("new")).expect("mkdir");
    std::fs::write(&spec_new, NEW).expect("write");

    let mut saw_temp = false;
    let mut saw_mixed = false;
    let mut kills = 0;
    let points: [(&str, usize); 3] = [("write", 3), ("fsync", 6), ("rename,renameat,renameat2", 3)];
    for (syscalls, max) in points {
        for when in 1..=max {
            let what = format!("killed at {syscalls} #{when}");
            let out_dir = dir.path().join(format!(
                "out-{}-{when}",
                syscalls.split(',').next().unwrap_or("x")
            ));
            let out = ccattr(&["build", s(&spec_old), "--out-dir", s(&out_dir)]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let mut cmd = Command::new("strace");
            cmd.args(["-f", "-qq", "-o", "/dev/null", "-e"])
                .arg(format!("trace={syscalls}"))
                .arg("-e")
                .arg(format!("inject={syscalls}:signal=KILL:when={when}"))
                .arg(env!("CARGO_BIN_EXE_ccattr"))
                .args(["build", s(&spec_new), "--out-dir", s(&out_dir)]);
            let out = run_limited(&mut cmd);
            assert!(
                !out.status.success(),
                "{what}: the build was not killed ({})",
                stderr(&out)
            );
            kills += 1;
            let fresh = assert_old_or_new(&out_dir, &old, &new, &what);
            saw_mixed |= fresh > 0 && fresh < OUTPUTS.len();
            saw_temp |= !leftovers(&out_dir).is_empty();
            // The next build repairs everything.
            let out = ccattr(&["build", s(&spec_new), "--out-dir", s(&out_dir)]);
            assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
            assert_eq!(
                read_outputs(&out_dir),
                new,
                "{what}: the next build completes"
            );
        }
    }
    assert_eq!(kills, 12);
    assert!(
        saw_temp,
        "some kill landed while a temporary file was being written"
    );
    assert!(saw_mixed, "some kill landed between two outputs");
}

/// Kill builds of a large spec at random moments, without strace: whatever the
/// moment, every output is whole.
#[test]
fn build_killed_at_random_moments() {
    use ccattr_test_support::synth::{scale_spec, Rng, ScaleParams};
    let big = |seed| {
        let mut text = scale_spec(&ScaleParams {
            name: "faulty".into(),
            seed,
            devices: 3000,
        })
        .text;
        text.push('\n');
        text
    };
    let (old_text, new_text) = (big(1), big(2));
    let dir = tempfile::tempdir().expect("tempdir");
    let spec_old = dir.path().join("old.ccattr");
    let spec_new = dir.path().join("faulty.ccattr");
    std::fs::write(&spec_old, &old_text).expect("write");
    std::fs::write(&spec_new, &new_text).expect("write");
    let build = |spec: &Path, out_dir: &Path| {
        let out = ccattr(&["build", s(spec), "--out-dir", s(out_dir)]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    };
    let reference = dir.path().join("reference");
    let start = Instant::now();
    build(&spec_new, &reference);
    let took = start.elapsed();
    let new = read_outputs(&reference);
    build(&spec_old, &reference);
    let old = read_outputs(&reference);
    assert_ne!(old, new);

    let mut rng = Rng::new(0xDEAD_BEEF);
    let out_dir = dir.path().join("out");
    for round in 0..12 {
        build(&spec_old, &out_dir);
        let delay = Duration::from_micros(rng.below(took.as_micros() as u64 + 1));
        let mut child = Command::new(env!("CARGO_BIN_EXE_ccattr"))
            .args(["build", s(&spec_new), "--out-dir", s(&out_dir)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        assert_old_or_new(
            &out_dir,
            &old,
            &new,
            &format!("round {round}, killed after {delay:?}"),
        );
        for l in leftovers(&out_dir) {
            std::fs::remove_file(out_dir.join(l)).expect("rm");
        }
    }
}
