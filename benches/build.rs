//! Generate the Rust modules that the benchmarks include, with the current emitters:
//! `hyperv_vtom.rs` from the example, and one `scale_N.rs` for each device count in
//! `CCATTR_BENCH_DEVICES` (comma-separated; 1000 when unset, so that building the
//! workspace stays cheap). `scripts/bench-all.sh` asks for 1000,10000,100000.
//! `scale.rs` lists the scale modules for the `scale` benchmark.

use ccattr_codegen::compile;
use ccattr_codegen::Target;
use ccattr_test_support::synth::{scale_spec, ScaleParams};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const DEFAULT_DEVICES: &str = "1000";

fn main() {
    println!("cargo:rerun-if-env-changed=CCATTR_BENCH_DEVICES");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env("OUT_DIR"));

    // The example and the files it includes.
    let example = manifest.join("../examples/hyperv_vtom.ccattr");
    let checked = match ccattr_codegen::compile_file(&example) {
        Ok(Ok(checked)) => checked,
        Ok(Err(rejected)) => panic!("{}: {:?}", example.display(), rejected.diagnostics),
        Err(e) => panic!("{e}"),
    };
    for file in checked.source.files() {
        let path = example.with_file_name("").join(&file.path);
        println!("cargo:rerun-if-changed={}", path.display());
    }
    emit(&out, "hyperv_vtom.ccattr", &checked.table);

    let devices = std::env::var("CCATTR_BENCH_DEVICES").unwrap_or_else(|_| DEFAULT_DEVICES.into());
    let mut list = String::from("scale_modules! {\n");
    for n in devices.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let n: usize = n
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("CCATTR_BENCH_DEVICES: not a device count: {n}"));
        let params = ScaleParams::new(n);
        let file = format!("{}.ccattr", params.name);
        generate(&out, &file, scale_spec(&params).text);
        let _ = writeln!(list, "    {}: {n},", params.name);
    }
    list.push_str("}\n");
    write(&out.join("scale.rs"), &list);
}

fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| panic!("{key} is not set"))
}

/// Compile `text` and write its Rust module into `out`, unless it is already there.
fn generate(out: &Path, file: &str, text: String) {
    match compile(file, text.as_bytes()) {
        Ok(checked) => emit(out, file, &checked.table),
        Err(rejected) => panic!("{file}: {:?}", rejected.diagnostics),
    }
}

/// Write the Rust module of `table` into `out`, unless it is already there.
fn emit(out: &Path, file: &str, table: &ccattr_core::DecisionTable) {
    for output in ccattr_codegen::emit(table, file, &[Target::Rust]) {
        write(&out.join(&output.file_name), &output.contents);
    }
}

/// Write only when the bytes change, so that the benchmarks do not rebuild for nothing.
fn write(path: &Path, contents: &str) {
    if std::fs::read(path).ok().as_deref() == Some(contents.as_bytes()) {
        return;
    }
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
