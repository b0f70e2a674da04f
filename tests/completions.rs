//! `ccattr completions SHELL` and `ccattr man`: generated from the command-line
//! definition, so every command and flag is in them; the bash script is valid bash
//! and the pages are valid roff where those tools are installed.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn ccattr(args: &[&str]) -> Output {
    let ccattr = env!("CARGO_BIN_EXE_ccattr");
    ccattr_test_support::run(
        Command::new(ccattr).args(args),
        None,
        Duration::from_secs(60),
    )
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const COMMANDS: [&str; 9] = [
    "check",
    "build",
    "explain",
    "matrix",
    "fmt",
    "completions",
    "man",
    "lint",
    "kernel-check",
];

#[test]
fn completions_cover_every_command_in_every_shell() {
    let bash = stdout(&ccattr(&["completions", "bash"]));
    assert!(
        bash.contains("_ccattr()") && bash.contains("complete -F _ccattr"),
        "{bash}"
    );
    for cmd in COMMANDS {
        assert!(bash.contains(cmd), "bash completion lacks `{cmd}`");
    }
    assert!(
        bash.contains("--depfile") && bash.contains("--stdin") && bash.contains("--tree"),
        "flags are completed"
    );

    let zsh = stdout(&ccattr(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef ccattr"), "{zsh}");
    let fish = stdout(&ccattr(&["completions", "fish"]));
    assert!(fish.contains("complete -c ccattr"), "{fish}");
    for shell in ["elvish", "powershell"] {
        assert!(
            stdout(&ccattr(&["completions", shell])).contains("ccattr"),
            "{shell}"
        );
    }

    let out = ccattr(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[test]
fn the_bash_script_is_valid_bash() {
    let script = stdout(&ccattr(&["completions", "bash"]));
    let Ok(mut bash) = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "bash is missing under CI"
        );
        eprintln!("skipped: bash is not available");
        return;
    };
    use std::io::Write as _;
    bash.stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write");
    let out = bash.wait_with_output().expect("bash -n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn man_prints_the_main_page() {
    let page = stdout(&ccattr(&["man"]));
    assert!(page.contains(".TH ccattr 1"), "{page}");
    assert!(
        page.contains(".SH SYNOPSIS") && page.contains(".SH SUBCOMMANDS"),
        "{page}"
    );
    for cmd in COMMANDS {
        assert!(
            page.contains(&format!("ccattr\\-{}", cmd.replace('-', "\\-"))),
            "the page lists `{cmd}`"
        );
    }
    assert!(
        page.contains("Exit status"),
        "the exit codes are documented"
    );
    assert_eq!(page, stdout(&ccattr(&["man"])), "deterministic");
}

#[test]
fn man_writes_one_page_per_command_and_only_when_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("man1");
    let od = out_dir.to_str().expect("UTF-8 path");
    let out = ccattr(&["man", "--out-dir", od]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for cmd in COMMANDS {
        assert!(pages.contains(&format!("ccattr-{cmd}.1")), "{pages:?}");
    }
    assert!(pages.contains(&"ccattr.1".to_string()));
    let fmt_page = std::fs::read_to_string(out_dir.join("ccattr-fmt.1")).expect("read");
    assert!(
        fmt_page.contains("\\-\\-check") && fmt_page.contains("\\-\\-stdin"),
        "{fmt_page}"
    );

    let kernel_page = std::fs::read_to_string(out_dir.join("ccattr-kernel-check.1")).expect("read");
    assert!(
        kernel_page.contains("\\-\\-tree") && kernel_page.contains("kernel: intel"),
        "{kernel_page}"
    );

    let mtime = |p: &Path| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let before = mtime(&out_dir.join("ccattr.1"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = ccattr(&["man", "--out-dir", od]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("unchanged"));
    assert_eq!(mtime(&out_dir.join("ccattr.1")), before);

    // groff, where installed, reads every page without a warning.
    for page in &pages {
        let Ok(out) = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(out_dir.join(page))
            .output()
        else {
            eprintln!("skipped: groff is not available");
            return;
        };
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{page}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
