//! examples/cargo-build, a crate whose three-line build.rs generates its Rust module
//! with ccattr-build, and which expands the same spec with include_spec!: it builds
//! offline against this workspace, runs (the two modules agree), rebuilds when the
//! spec changes (and only then), and a spec error fails the build with the
//! diagnostic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the example in a temporary directory, with the spec beside it as in
/// examples/, the path dependency made absolute and the workspace's Cargo.lock, so
/// that the build resolves offline to the versions the workspace uses.
fn copy_example(dir: &Path) -> PathBuf {
    let src = root().join("examples/cargo-build");
    let crate_dir = dir.join("cargo-build");
    std::fs::create_dir_all(crate_dir.join("src")).expect("mkdir");
    for f in ["build.rs", "src/lib.rs", "src/main.rs"] {
        std::fs::copy(src.join(f), crate_dir.join(f)).unwrap_or_else(|e| panic!("copy {f}: {e}"));
    }
    let manifest = std::fs::read_to_string(src.join("Cargo.toml")).expect("read Cargo.toml");
    let build_path = root().join("ccattr-build");
    let macros_path = root().join("macros");
    let manifest = manifest
        .replace(
            "path = \"../../ccattr-build\"",
            &format!("path = {:?}", build_path.to_str().expect("UTF-8 path")),
        )
        .replace(
            "path = \"../../macros\"",
            &format!("path = {:?}", macros_path.to_str().expect("UTF-8 path")),
        );
    assert!(
        manifest.contains(&format!("{:?}", build_path.to_str().expect("UTF-8"))),
        "{manifest}"
    );
    // Its own workspace, even inside a directory that has one.
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!("{manifest}\n[workspace]\n"),
    )
    .expect("write");
    if let Ok(lock) = std::fs::read(root().join("Cargo.lock")) {
        std::fs::write(crate_dir.join("Cargo.lock"), lock).expect("write Cargo.lock");
    }
    std::fs::copy(
        root().join("examples/hyperv_vtom.ccattr"),
        dir.join("hyperv_vtom.ccattr"),
    )
    .expect("copy spec");
    // And the file it includes.
    std::fs::create_dir_all(dir.join("attrs")).expect("mkdir attrs");
    std::fs::copy(
        root().join("examples/attrs/linux_mainline.ccattr"),
        dir.join("attrs/linux_mainline.ccattr"),
    )
    .expect("copy included file");
    crate_dir
}

/// Builds are kept between runs here, so only the example itself is rebuilt.
fn target_dir() -> PathBuf {
    let base =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let base = if base.is_relative() {
        root().join(base)
    } else {
        base
    };
    base.join("cargo-build-example")
}

fn cargo(crate_dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .arg("--offline")
        .args(args)
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("OUT_DIR")
        .output()
        .expect("cargo runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_cargo_example_builds_runs_and_rebuilds_when_the_spec_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let crate_dir = copy_example(dir.path());
    let spec = dir.path().join("hyperv_vtom.ccattr");

    // The generated module is warning-free in a real crate (only the example's own
    // code is built with -D warnings, not the workspace crates it depends on).
    let lib = cargo(
        &crate_dir,
        &["rustc", "--lib", "--quiet", "--", "-D", "warnings"],
    );
    assert!(
        lib.status.success(),
        "the example library has warnings:\n{}",
        text(&lib.stderr)
    );

    let run = cargo(&crate_dir, &["run", "--quiet"]);
    assert!(
        run.status.success(),
        "cargo run failed:\n{}",
        text(&run.stderr)
    );
    let out = text(&run.stdout);
    for line in [
        "hyperv_vtom_paravisor ioapic 0xfec00000: Encrypted",
        "hyperv_vtom_paravisor vtpm 0xfed40000: Encrypted",
        "hyperv_vtom_paravisor tpm_locality_1 0xfed41000: Decrypted",
        "hyperv_snp_enlightened ioapic 0xfec00000: Decrypted",
        "bare_metal ram 0x1000: Unspecified",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing `{line}` in:\n{out}"
        );
    }

    // rustc tracks what include_spec! read: the spec and the file it includes are in
    // the library's dep-info, so Cargo rebuilds the crate when either changes.
    let deps = target_dir().join("debug/deps");
    let dep_info: String = std::fs::read_dir(&deps)
        .expect("deps")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("libccattr_example_cargo_build-") && name.ends_with(".d")
                || name.starts_with("ccattr_example_cargo_build-") && name.ends_with(".d")
        })
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    let here = dir.path().to_string_lossy().into_owned();
    for file in ["hyperv_vtom.ccattr", "attrs/linux_mainline.ccattr"] {
        assert!(
            dep_info.contains(&format!("{here}/cargo-build/../{file}")),
            "{file} is not in the dep-info:\n{dep_info}"
        );
    }

    // Nothing changed: the build script does not run again.
    let again = cargo(&crate_dir, &["build", "-v"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let log = text(&again.stderr);
    assert!(log.contains("Fresh ccattr-example-cargo-build"), "{log}");
    assert!(
        !log.contains("Compiling ccattr-example-cargo-build"),
        "{log}"
    );

    // The spec changed: the build script runs, include_spec! expands again (the spec
    // is its tracked input), and the program answers differently; it would panic if
    // the two modules disagreed.
    let original = std::fs::read_to_string(&spec).expect("read spec");
    let changed = original.replace(
        "map vtpm encrypted when CC_ATTR_ACCESS_TPM_ENCRYPTED;",
        "map vtpm decrypted when CC_ATTR_ACCESS_TPM_ENCRYPTED;",
    );
    assert_ne!(changed, original);
    std::fs::write(&spec, &changed).expect("write spec");
    let run = cargo(&crate_dir, &["run", "--quiet"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(
        out.contains("hyperv_vtom_paravisor vtpm 0xfed40000: Decrypted"),
        "{out}"
    );

    // The included file changed: the build script runs again (it named the file in
    // a rerun-if-changed line), include_spec! expands again (the file is its tracked
    // input too), and the program answers from the new attribute set. Without
    // GUEST_STATE_ENCRYPT implying GUEST_MEM_ENCRYPT, the enlightened SNP guest is no
    // longer an encrypted guest.
    let included = dir.path().join("attrs/linux_mainline.ccattr");
    let attrs = std::fs::read_to_string(&included).expect("read included file");
    let cut = attrs.replace(
        "attr CC_ATTR_GUEST_STATE_ENCRYPT implies CC_ATTR_GUEST_MEM_ENCRYPT;",
        "attr CC_ATTR_GUEST_STATE_ENCRYPT;",
    );
    assert_ne!(cut, attrs);
    std::fs::write(&included, &cut).expect("write included file");
    let run = cargo(&crate_dir, &["run", "--quiet"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(
        out.contains("hyperv_snp_enlightened ioapic 0xfec00000: Unspecified"),
        "{out}"
    );
    std::fs::write(&included, &attrs).expect("restore included file");

    // A spec error fails the build and shows where and why.
    let broken = changed.replace(
        "sets CC_ATTR_GUEST_MEM_ENCRYPT, CC_ATTR_PARAVISOR",
        "sets CC_ATTR_GUEST_MEM_ENCRPYT, CC_ATTR_PARAVISOR",
    );
    assert_ne!(broken, changed);
    std::fs::write(&spec, &broken).expect("write spec");
    let build = cargo(&crate_dir, &["build"]);
    assert!(!build.status.success(), "a broken spec must fail the build");
    let log = text(&build.stderr);
    assert!(
        log.contains("1 spec has errors; nothing was generated"),
        "{log}"
    );
    assert!(
        log.contains("error[E0105]: unknown attribute `CC_ATTR_GUEST_MEM_ENCRPYT`"),
        "{log}"
    );
    let line = 1 + broken
        .lines()
        .position(|l| l.contains("CC_ATTR_GUEST_MEM_ENCRPYT"))
        .expect("the broken line");
    let at = format!("../hyperv_vtom.ccattr:{line}:10");
    assert!(log.contains(&at), "no {at} in:\n{log}");
    assert!(
        log.contains("sets CC_ATTR_GUEST_MEM_ENCRPYT, CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE;"),
        "the source line is shown:\n{log}"
    );
}
