//! The generated Rust module, compiled and run: for every example spec (and the spec
//! of corner cases), the module builds with `-D warnings` in a `#![no_std]` library,
//! both through `include!` and as a module file, side by side with the others (and
//! passes clippy when it is installed); a std program then asserts, case by case, the
//! decisions and closures that the decision table itself gives, and the names that
//! the README's "What it generates" promises.

#[path = "c/cases.rs"]
mod cases;
mod support;

use cases::{base_sets, full_sets, have, probed_cases, ranges, specs, Random};
use ccattr_codegen::Target;
use ccattr_core::{Decision, DecisionTable};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// `UPPER_SNAKE` as `UpperCamelCase`, as the generated Rust items are named (README, "What it generates").
fn upper_camel(s: &str) -> String {
    s.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first
                .into_iter()
                .chain(chars.map(|c| c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect()
}

/// The attribute enum and the variant of each attribute (and of each former name).
fn rust_names(table: &DecisionTable) -> (String, impl Fn(&str) -> String + '_) {
    let prefix = table.prefix.clone().unwrap_or_default();
    let enum_name = if prefix.is_empty() {
        format!("{}Attr", upper_camel(&table.spec))
    } else {
        upper_camel(&prefix)
    };
    let variant = move |name: &str| upper_camel(name.strip_prefix(prefix.as_str()).unwrap_or(name));
    (enum_name, variant)
}

fn rustc(dir: &Path, tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .current_dir(dir)
        .args(["--edition", "2021", "-D", "warnings"])
        .args(args)
        .output()
        .expect("the compiler runs");
    assert!(
        out.status.success(),
        "{tool} {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn emit_rust(table: &DecisionTable, source_name: &str, dir: &Path) -> String {
    let outputs = ccattr_codegen::emit(table, source_name, &[Target::Rust]);
    let module = &outputs[0];
    std::fs::write(dir.join(&module.file_name), &module.contents).expect("write module");
    module.file_name.clone()
}

fn rust_decision(d: Decision) -> &'static str {
    match d {
        Decision::Unspecified => "Unspecified",
        Decision::Encrypted => "Encrypted",
        Decision::Decrypted => "Decrypted",
        Decision::Mixed => "Mixed",
        Decision::Invalid => "Invalid",
        Decision::Refused => "Refused",
    }
}

/// Every module in one `#![no_std]` library, once through `include!` and once as a
/// module file, with a compile-time query to show that `decide` is a `const fn`.
#[test]
fn rust_modules_build_in_a_no_std_library() {
    if !have("rustc") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut lib = String::from("#![no_std]\n");
    for (source_name, table) in specs() {
        let file = emit_rust(&table, &source_name, dir.path());
        let name = &table.spec;
        write!(
            lib,
            "\npub mod {name} {{\n    include!(\"{file}\");\n}}\n\n\
             #[path = \"{file}\"]\npub mod {name}_as_module;\n\n\
             const _: () = assert!(matches!(\n    {name}::decide({name}::AttrSet::EMPTY, 0, 0),\n    \
             {name}::MapDecision::Invalid\n));\n"
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("lib.rs"), lib).unwrap();
    rustc(dir.path(), "rustc", &["--crate-type", "lib", "lib.rs"]);
    if Command::new("clippy-driver")
        .arg("--version")
        .output()
        .is_ok()
    {
        rustc(
            dir.path(),
            "clippy-driver",
            &["--crate-type", "lib", "lib.rs"],
        );
    } else {
        eprintln!("SKIPPED: `clippy-driver` is not installed, so clippy did not check the modules");
    }
}

#[test]
fn rust_decisions_match_the_table() {
    if !have("rustc") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut program = String::from("#![allow(deprecated)]\n\n");
    let mut mains = String::new();
    let mut total = 0;
    for (source_name, table) in specs() {
        let file = emit_rust(&table, &source_name, dir.path());
        let name = &table.spec;
        let (enum_name, variant) = rust_names(&table);
        let mut random = Random::new(0x00cc_a77e);

        // The names and values that the README's "What it generates" promises, checked at compile time.
        writeln!(
            program,
            "#[allow(dead_code)]\nmod {name} {{\n    include!(\"{file}\");\n}}\n"
        )
        .unwrap();
        writeln!(
            program,
            "const _: () = assert!({name}::NR_ATTRS == {});",
            table.attrs.len()
        )
        .unwrap();
        for (i, a) in table.attrs.iter().enumerate() {
            let v = format!("{name}::{enum_name}::{}", variant(&a.name));
            writeln!(program, "const _: () = assert!({v} as u32 == {i});").unwrap();
            writeln!(program, "const _: () = assert!({v}.bit() == 1 << {i});").unwrap();
            writeln!(
                program,
                "const _: () = assert!({name}::AttrSet::EMPTY.with({v}).contains({v}));"
            )
            .unwrap();
            for f in &a.formerly {
                let old = format!("{name}::{enum_name}::{}", variant(f));
                writeln!(program, "const _: () = assert!({old} as u32 == {i});").unwrap();
            }
        }
        for p in &table.platforms {
            writeln!(
                program,
                "const _: () = assert!({name}::platforms::{}.bits() == {:#x});",
                p.name.to_ascii_uppercase(),
                p.full
            )
            .unwrap();
        }

        // Version 2: the capabilities' constants and the probed devices, where the
        // name is plain enough to spell here (one lower-case word or snake case,
        // not shared once upper-cased).
        let plain = |n: &str| !n.starts_with('_') && !n.chars().any(|c| c.is_ascii_uppercase());
        for (i, c) in table.caps.iter().enumerate() {
            let upper = c.name.to_ascii_uppercase();
            if table
                .caps
                .iter()
                .filter(|o| o.name.to_ascii_uppercase() == upper)
                .count()
                == 1
            {
                writeln!(
                    program,
                    "const _: () = assert!({name}::caps::{upper}.bits() == 1 << {i});"
                )
                .unwrap();
            }
        }
        for (i, (_, d)) in table.probed_devices().enumerate() {
            writeln!(
                program,
                "const _: () = assert!({name}::Probed::ALL[{i}] as u8 == {i});"
            )
            .unwrap();
            if plain(&d.name) {
                writeln!(
                    program,
                    "const _: () = assert!({name}::Probed::{} as u8 == {i});",
                    upper_camel(&d.name)
                )
                .unwrap();
            }
        }

        // The cases, checked at run time.
        writeln!(program, "\nfn check_{name}() -> (u32, u32) {{").unwrap();
        writeln!(program, "    use {name}::{{AttrSet, MapDecision}};").unwrap();
        writeln!(program, "    let (mut passed, mut failed) = (0, 0);").unwrap();
        for (i, a) in table.attrs.iter().enumerate() {
            writeln!(
                program,
                "    assert_eq!({name}::{enum_name}::ALL[{i}].name(), {:?});",
                a.name
            )
            .unwrap();
        }
        writeln!(program, "    let closes: &[(u64, u64)] = &[").unwrap();
        for base in base_sets(&table, &mut random) {
            writeln!(program, "        ({base:#x}, {:#x}),", table.close(base)).unwrap();
            total += 1;
        }
        writeln!(program, "    ];").unwrap();
        writeln!(
            program,
            "    for &(base, full) in closes {{\n        \
             let got = AttrSet::from_bits(base).close().bits();\n        \
             if got == full {{ passed += 1 }} else {{\n            \
             failed += 1;\n            \
             println!(\"{name}: close({{base:#x}}) = {{got:#x}}, want {{full:#x}}\");\n        }}\n    }}"
        )
        .unwrap();
        writeln!(
            program,
            "    let cases: &[(u64, u64, u64, MapDecision, bool)] = &["
        )
        .unwrap();
        for attrs in full_sets(&table, &mut random) {
            for (addr, size) in ranges(&table) {
                writeln!(
                    program,
                    "        ({attrs:#x}, {addr:#x}, {size:#x}, MapDecision::{}, {}),",
                    rust_decision(table.decide(attrs, addr, size)),
                    table.is_private_mmio(attrs, addr)
                )
                .unwrap();
                total += 1;
            }
        }
        writeln!(program, "    ];").unwrap();
        writeln!(
            program,
            "    for &(attrs, addr, size, want, private) in cases {{\n        \
             let set = AttrSet::from_bits(attrs);\n        \
             let got = ({name}::decide(set, addr, size), {name}::is_private_mmio(set, addr));\n        \
             if got == (want, private) {{ passed += 1 }} else {{\n            \
             failed += 1;\n            \
             println!(\"{name}: decide({{attrs:#x}}, {{addr:#x}}, {{size:#x}}) = {{got:?}}, want {{:?}}\", (want, private));\n        }}\n    }}"
        )
        .unwrap();
        let probed = probed_cases(&table, &mut random);
        if !probed.is_empty() {
            for (i, (_, d)) in table.probed_devices().enumerate() {
                writeln!(
                    program,
                    "    assert_eq!({name}::Probed::ALL[{i}].name(), {:?});",
                    d.name
                )
                .unwrap();
            }
            writeln!(
                program,
                "    let probed: &[(u64, usize, u32, MapDecision)] = &["
            )
            .unwrap();
            for &(attrs, dev, caps, want) in &probed {
                writeln!(
                    program,
                    "        ({attrs:#x}, {dev}, {caps:#x}, MapDecision::{}),",
                    rust_decision(want)
                )
                .unwrap();
                total += 1;
            }
            writeln!(
                program,
                "    ];\n    \
                 for &(attrs, dev, caps, want) in probed {{\n        \
                 let got = {name}::decide_probed(AttrSet::from_bits(attrs), {name}::Probed::ALL[dev], {name}::CapSet::from_bits(caps));\n        \
                 if got == want {{ passed += 1 }} else {{\n            \
                 failed += 1;\n            \
                 println!(\"{name}: decide_probed({{attrs:#x}}, {{dev}}, {{caps:#x}}) = {{got:?}}, want {{want:?}}\");\n        }}\n    }}"
            )
            .unwrap();
        }
        writeln!(program, "    (passed, failed)\n}}\n").unwrap();
        writeln!(
            mains,
            "    let (p, f) = check_{name}();\n    passed += p;\n    failed += f;"
        )
        .unwrap();
    }
    write!(
        program,
        "fn main() {{\n    let (mut passed, mut failed) = (0, 0);\n{mains}    \
         println!(\"{{passed}} passed, {{failed}} failed\");\n    \
         std::process::exit(i32::from(failed != 0));\n}}\n"
    )
    .unwrap();
    std::fs::write(dir.path().join("check.rs"), program).unwrap();
    rustc(dir.path(), "rustc", &["check.rs", "-o", "check"]);
    let run = Command::new(dir.path().join("check"))
        .output()
        .expect("the check program runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the Rust module disagrees with the table:\n{stdout}"
    );
    assert_eq!(stdout.trim(), format!("{total} passed, 0 failed"));
    eprintln!("{total} Rust cases agree with the table");
}
