//! The generated C header, compiled and run: for every example spec (and a spec of
//! corner cases), a program of two translation units that both include the header is
//! built with `gcc -std=gnu11 -Wall -Wextra -Werror` and asserts, case by case, the
//! decisions and closures that the decision table itself gives.

#[path = "c/cases.rs"]
mod cases;
mod support;

use cases::{base_sets, full_sets, have, probed_cases, ranges, root, specs, Random};
use ccattr_codegen::Target;
use ccattr_core::{Decision, DecisionTable};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn c_decision(upper: &str, d: Decision) -> String {
    format!("{upper}_MAP_{}", d.as_str().to_ascii_uppercase())
}

/// The translation unit with the cases: `int run_cases(void)` returns the failures.
fn cases_c(table: &DecisionTable, header: &str) -> (String, usize) {
    let name = &table.spec;
    let upper = name.to_ascii_uppercase();
    let mut random = Random::new(0x00cc_a77e);
    let mut c = format!(
        "#include <stdio.h>\n#include \"{header}\"\n\nint run_cases(void);\n\n\
         static const struct {{\n\tu64 base;\n\tu64 full;\n}} closes[] = {{\n"
    );
    let bases = base_sets(table, &mut random);
    for &base in &bases {
        writeln!(c, "\t{{ {base:#x}ULL, {:#x}ULL }},", table.close(base)).unwrap();
    }
    c.push_str(
        "};\n\nstatic const struct {\n\tu64 attrs;\n\tu64 addr;\n\tu64 size;\n\
         \tint want;\n\tint private_mmio;\n} cases[] = {\n",
    );
    let mut n = bases.len();
    for attrs in full_sets(table, &mut random) {
        for (addr, size) in ranges(table) {
            let want = table.decide(attrs, addr, size);
            let private = table.is_private_mmio(attrs, addr);
            writeln!(
                c,
                "\t{{ {attrs:#x}ULL, {addr:#x}ULL, {size:#x}ULL, {}, {} }},",
                c_decision(&upper, want),
                i32::from(private)
            )
            .unwrap();
            n += 1;
        }
    }
    c.push_str("};\n");
    let probed = probed_cases(table, &mut random);
    let probed_loop = if probed.is_empty() {
        String::new()
    } else {
        c.push_str(
            "\nstatic const struct {\n\tu64 attrs;\n\tunsigned int dev;\n\tu32 caps;\n\
             \tint want;\n} probed[] = {\n",
        );
        for &(attrs, dev, caps, want) in &probed {
            writeln!(
                c,
                "\t{{ {attrs:#x}ULL, {dev}, {caps:#x}U, {} }},",
                c_decision(&upper, want)
            )
            .unwrap();
        }
        c.push_str("};\n");
        format!(
            r#"	for (i = 0; i < sizeof(probed) / sizeof(probed[0]); i++) {{
		enum {name}_map got = {name}_decide_probed(probed[i].attrs,
				(enum {name}_probed)probed[i].dev, probed[i].caps);

		if ((int)got != probed[i].want) {{
			printf("decide_probed(%#llx, %u, %#x) = %d, want %d\n",
			       (unsigned long long)probed[i].attrs, probed[i].dev,
			       (unsigned int)probed[i].caps, (int)got, probed[i].want);
			failed++;
		}}
	}}
	passed += (unsigned int)(sizeof(probed) / sizeof(probed[0]));
	if ({name}_decide_probed(0, {upper}_NR_PROBED, 0) != {upper}_MAP_INVALID) {{
		printf("decide_probed() of a device past the last does not answer INVALID\n");
		failed++;
	}}
"#
        )
    };
    n += probed.len();
    write!(
        c,
        r#"
int run_cases(void)
{{
	unsigned int i, failed = 0, passed = 0;
{probed_loop}
	for (i = 0; i < sizeof(closes) / sizeof(closes[0]); i++) {{
		u64 got = {name}_attrs_close(closes[i].base);

		if (got != closes[i].full) {{
			printf("close(%#llx) = %#llx, want %#llx\n",
			       (unsigned long long)closes[i].base, (unsigned long long)got,
			       (unsigned long long)closes[i].full);
			failed++;
		}}
	}}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {{
		enum {name}_map got = {name}_decide(cases[i].attrs, cases[i].addr, cases[i].size);
		bool private_mmio = {name}_is_private_mmio(cases[i].attrs, cases[i].addr);

		if ((int)got != cases[i].want || (int)private_mmio != cases[i].private_mmio) {{
			printf("decide(%#llx, %#llx, %#llx) = %d/%d, want %d/%d\n",
			       (unsigned long long)cases[i].attrs, (unsigned long long)cases[i].addr,
			       (unsigned long long)cases[i].size, (int)got, (int)private_mmio,
			       cases[i].want, cases[i].private_mmio);
			failed++;
		}}
	}}
	passed += (unsigned int)(sizeof(closes) / sizeof(closes[0]) + sizeof(cases) / sizeof(cases[0]));
	printf("%u passed, %u failed\n", passed - failed, failed);
	return failed != 0;
}}
"#
    )
    .unwrap();
    (c, n)
}

/// The other translation unit: compile-time checks of the names and values, then
/// the cases.
fn main_c(table: &DecisionTable, header: &str) -> String {
    let name = &table.spec;
    let upper = name.to_ascii_uppercase();
    let mut c = format!("#include \"{header}\"\n\nint run_cases(void);\n\n");
    writeln!(
        c,
        "_Static_assert({upper}_NR_ATTRS == {}, \"NR_ATTRS\");",
        table.attrs.len()
    )
    .unwrap();
    for (i, a) in table.attrs.iter().enumerate() {
        writeln!(c, "_Static_assert({} == {i}, \"{}\");", a.name, a.name).unwrap();
        for f in &a.formerly {
            writeln!(c, "_Static_assert({f} == {}, \"{f}\");", a.name).unwrap();
        }
    }
    for p in &table.platforms {
        let macro_name = format!("{upper}_PLATFORM_{}", p.name.to_ascii_uppercase());
        writeln!(
            c,
            "_Static_assert({macro_name} == {:#x}ULL, \"{macro_name}\");",
            p.full
        )
        .unwrap();
    }
    // The capabilities' bits and the probed devices' values, where the upper-cased
    // name is not shared (a later one gets a suffix, which ccattr_codegen's tests
    // cover).
    let unique = |names: Vec<String>| {
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| names.iter().filter(|m| m == n).count() == 1)
            .map(|(i, n)| (i, n.clone()))
            .collect::<Vec<_>>()
    };
    for (i, cap) in unique(
        table
            .caps
            .iter()
            .map(|c| c.name.to_ascii_uppercase())
            .collect(),
    ) {
        let m = format!("{upper}_CAP_{cap}");
        writeln!(c, "_Static_assert({m} == 1U << {i}, \"{m}\");").unwrap();
    }
    let probed: Vec<String> = table
        .probed_devices()
        .map(|(_, d)| d.name.to_ascii_uppercase())
        .collect();
    if table.uses_v2() {
        let m = format!("{upper}_NR_PROBED");
        writeln!(c, "_Static_assert({m} == {}, \"{m}\");", probed.len()).unwrap();
    }
    for (i, dev) in unique(probed) {
        let m = format!("{upper}_PROBED_{dev}");
        writeln!(c, "_Static_assert({m} == {i}, \"{m}\");").unwrap();
    }
    // `REFUSED` is declared only for a spec that uses version 2.
    let decisions = if table.uses_v2() { 6 } else { 5 };
    for (i, d) in Decision::ALL.into_iter().take(decisions).enumerate() {
        let d = c_decision(&upper, d);
        writeln!(c, "_Static_assert({d} == {i}, \"{d}\");").unwrap();
    }
    write!(
        c,
        "\nint main(void)\n{{\n\tif ({name}_decide({name}_attrs_close(0), 0, 0) != {upper}_MAP_INVALID)\n\
         \t\treturn 1;\n\treturn run_cases();\n}}\n"
    )
    .unwrap();
    c
}

fn gcc(dir: &Path, args: &[&str]) {
    let out = Command::new("gcc")
        .current_dir(dir)
        .args(["-std=gnu11", "-Wall", "-Wextra", "-Werror"])
        .args(args)
        .output()
        .expect("gcc runs");
    assert!(
        out.status.success(),
        "gcc {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn emit_c(table: &DecisionTable, source_name: &str, dir: &Path) -> String {
    let outputs = ccattr_codegen::emit(table, source_name, &[Target::C]);
    let header = &outputs[0];
    std::fs::write(dir.join(&header.file_name), &header.contents).expect("write header");
    header.file_name.clone()
}

#[test]
fn c_decisions_match_the_table() {
    if !have("gcc") {
        return;
    }
    for (source_name, table) in specs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let header = emit_c(&table, &source_name, dir.path());
        let (cases, n) = cases_c(&table, &header);
        std::fs::write(dir.path().join("cases.c"), cases).unwrap();
        std::fs::write(dir.path().join("main.c"), main_c(&table, &header)).unwrap();
        gcc(dir.path(), &["-O2", "main.c", "cases.c", "-o", "check"]);
        let run = Command::new(dir.path().join("check"))
            .output()
            .expect("the check program runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{source_name}: the C header disagrees with the table:\n{stdout}"
        );
        assert_eq!(
            stdout.trim(),
            format!("{n} passed, 0 failed"),
            "{source_name}"
        );
        eprintln!("{source_name}: {n} C cases agree with the table");
    }
}

/// Each header alone, and headers of specs that share no name together in one
/// translation unit (same-named attributes, such as two versions of `enum cc_attr`,
/// cannot share one), as userspace code and as kernel code (against a stand-in
/// `<linux/types.h>`), with the warnings of a `W=1` kernel build and more.
#[test]
fn c_headers_build_alone_and_together() {
    if !have("gcc") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut units = Vec::new();
    let mut together = String::new();
    let mut taken: Vec<String> = Vec::new();
    let mut n_together = 0;
    for (source_name, table) in specs() {
        let header = emit_c(&table, &source_name, dir.path());
        let unit = format!("{}_alone.c", table.spec);
        std::fs::write(dir.path().join(&unit), format!("#include \"{header}\"\n")).unwrap();
        units.push(unit);
        let names: Vec<String> = table
            .attrs
            .iter()
            .flat_map(|a| std::iter::once(a.name.clone()).chain(a.formerly.iter().cloned()))
            .chain(table.prefix.iter().cloned())
            .collect();
        if names.iter().all(|n| !taken.contains(n)) {
            taken.extend(names);
            writeln!(together, "#include \"{header}\"").unwrap();
            n_together += 1;
        }
    }
    assert!(n_together >= 2, "want two specs without shared names");
    std::fs::write(dir.path().join("together.c"), &together).unwrap();
    units.push("together.c".to_string());

    let strict = [
        "-Wshadow",
        "-Wundef",
        "-Wstrict-prototypes",
        "-Wmissing-prototypes",
        "-Wmissing-declarations",
        "-Wdeclaration-after-statement",
        "-Wunused-const-variable=2",
        "-Wcast-qual",
        "-Wpedantic",
    ];
    let include = format!("-I{}", root().join("tests/c/kernel").display());
    for unit in &units {
        let mut user = strict.to_vec();
        user.extend(["-c", unit, "-o", "user.o"]);
        gcc(dir.path(), &user);
        let mut kernel = strict.to_vec();
        kernel.extend([
            "-D__KERNEL__",
            "-nostdinc",
            &include,
            "-c",
            unit,
            "-o",
            "kernel.o",
        ]);
        gcc(dir.path(), &kernel);
    }
}

/// The header lines follow the kernel's coding style.
#[test]
fn c_headers_follow_kernel_style() {
    for (source_name, table) in specs() {
        let outputs = ccattr_codegen::emit(&table, &source_name, &[Target::C]);
        let text = &outputs[0].contents;
        assert!(text.starts_with("/* SPDX-License-Identifier: GPL-2.0-only OR MIT */\n"));
        assert!(text.contains(ccattr_codegen::GENERATED_MARKER));
        for (i, line) in text.lines().enumerate() {
            let width = line.chars().fold(0, |col, c| {
                if c == '\t' {
                    (col / 8 + 1) * 8
                } else {
                    col + 1
                }
            });
            let at = format!("{}:{}", outputs[0].file_name, i + 1);
            assert!(width <= 100, "{at}: over 100 columns");
            assert_eq!(line, line.trim_end(), "{at}: trailing white space");
            assert!(!line.ends_with('\\'), "{at}: line continuation");
            assert!(!line.contains("//"), "{at}: C++ comment");
            assert!(
                !line.starts_with(' ') || line.starts_with(" *"),
                "{at}: indented with spaces"
            );
        }
    }
}

/// The kernel's own `scripts/kernel-doc` (from Debian's `linux-kbuild-*`) accepts
/// every header's documentation without a warning.
#[test]
fn c_headers_pass_kernel_doc() {
    let Some(script) = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("scripts/kernel-doc")))
        .find(|p| p.is_file())
    else {
        eprintln!("SKIPPED: no /usr/lib/linux-kbuild-*/scripts/kernel-doc to check the docs with");
        return;
    };
    if !have("perl") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for (source_name, table) in specs() {
        let header = emit_c(&table, &source_name, dir.path());
        let out = Command::new("perl")
            .arg(&script)
            .args(["-none", "-Werror"])
            .arg(dir.path().join(&header))
            .output()
            .expect("kernel-doc runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let complaints: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with("Warning: Sphinx version"))
            .collect();
        assert!(
            out.status.success() && complaints.is_empty(),
            "kernel-doc on {header}:\n{}",
            complaints.join("\n")
        );
    }
}

/// sparse, as `make C=1` runs it, finds nothing in the headers' kernel side.
#[test]
fn c_headers_pass_sparse() {
    if Command::new("sparse").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `sparse` is not installed, so the headers were not checked with it");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for (source_name, table) in specs() {
        let header = emit_c(&table, &source_name, dir.path());
        let name = &table.spec;
        let unit = format!(
            "#include \"{header}\"\n\nint use_{name}(void);\n\nint use_{name}(void)\n{{\n\
             \treturn {name}_decide({name}_attrs_close(~0ULL), 0, 1) + {name}_is_private_mmio(0, 0);\n}}\n"
        );
        std::fs::write(dir.path().join("unit.c"), unit).unwrap();
        let out = Command::new("sparse")
            .current_dir(dir.path())
            .args(["-D__KERNEL__", "-nostdinc", "-Wsparse-all"])
            .arg(format!("-I{}", root().join("tests/c/kernel").display()))
            .arg("unit.c")
            .output()
            .expect("sparse runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "sparse on {header}:\n{stderr}"
        );
    }
}
