//! The differential harness: the generated C and Rust of many specs compiled into one
//! program each, fed queries in batches through a pipe, and every answer compared with
//! the reference evaluator (docs/language.md's four steps ("Meaning") over the checked model), the
//! decision table, the JSON table read back, `explain`, and for a sample of queries the
//! `ccattr explain` command itself.
//!
//! Used by tests/differential.rs: the everyday test over the examples and a dozen
//! random specs, and the at-scale run of scripts/differential.sh.

use ccattr_codegen::Target;
use ccattr_core::explain::explain;
use ccattr_core::{reference, Checked, Decision, DecisionTable};
use ccattr_test_support::checked;
use ccattr_test_support::synth::{self, Params, Rng};
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Queries sent to the harness programs in one run.
const BATCH: usize = 400_000;
/// Base attribute sets whose closure is checked per spec.
const CLOSES_PER_SPEC: usize = 1000;

/// One spec, checked, with its generated files.
pub struct Case {
    pub spec: Checked,
    pub files: Vec<ccattr_codegen::Output>,
}

impl Case {
    pub fn new(file_name: &str, text: String) -> Case {
        Case::of(file_name, checked(file_name, text))
    }

    fn of(file_name: &str, spec: Checked) -> Case {
        let files = ccattr_codegen::emit(&spec.table, file_name, &Target::ALL);
        Case { spec, files }
    }

    pub fn file(&self, ext: &str) -> &ccattr_codegen::Output {
        self.files
            .iter()
            .find(|f| f.file_name.ends_with(ext))
            .expect("emitted")
    }
}

/// Every spec in examples/.
pub fn example_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ccattr"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            Case::of(&name, ccattr_test_support::checked_file(&p))
        })
        .collect()
}

/// The small random specs of the everyday test.
pub fn small_random_cases(count: u64) -> Vec<Case> {
    (0..count)
        .map(|seed| {
            let mut p = Params::small(&format!("rnd{seed}"), 0xD1FF_0000 + seed);
            p.devices = p.devices.max(3);
            Case::new(&format!("rnd{seed}.ccattr"), synth::spec(&p))
        })
        .collect()
}

/// Random specs of every shape synth makes: up to 64 attributes, deep nesting, many
/// devices and rules, with and without a naming prefix.
pub fn random_cases(seed: u64, count: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let name = format!("scale{i}");
            let s = rng.next_u64();
            let p = if rng.chance(30) {
                Params::small(&name, s)
            } else {
                let base_attrs = 1 + rng.below(48) as usize;
                Params {
                    name: name.clone(),
                    seed: s,
                    base_attrs,
                    derived_attrs: rng.below((65 - base_attrs as u64).min(17)) as usize,
                    platforms: rng.below(10) as usize,
                    devices: rng.below(48) as usize,
                    nest_percent: rng.below(90),
                    max_rules_per_device: rng.below(6) as usize,
                    default_rules: rng.below(4) as usize,
                    prefix: rng.chance(50).then(|| "S_ATTR_".to_string()),
                    caps: 0,
                    probed: 0,
                    refuse_percent: 0,
                }
                .with_v2(s)
            };
            Case::new(&format!("{name}.ccattr"), synth::spec(&p))
        })
        .collect()
}

/// The two programs, built in a temporary directory that lives as long as they do.
pub struct Harnesses {
    pub dir: tempfile::TempDir,
    c: PathBuf,
    rust: PathBuf,
}

/// Write every case's generated files and compile one C and one Rust program that
/// answer `K ATTRS ADDR SIZE` lines (hex) with `decide | is_private_mmio << 4 | decide_start << 8`, and,
/// given an argument, `K BASE` lines with the closed set.
pub fn build_harnesses(cases: &[Case]) -> Harnesses {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for case in cases {
        for f in &case.files {
            std::fs::write(d.join(&f.file_name), &f.contents).expect("write generated file");
        }
        // The spec and every file it includes, each at its path beside the root.
        let source = &case.spec.source;
        for (i, file) in source.files().iter().enumerate() {
            let path = d.join(&file.path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(path, source.file_text(i)).expect("write spec");
        }
    }

    // C: one translation unit per spec (two specs may share an enum name), one main.
    let mut main_c = String::from("#include <stdio.h>\n#include <stdint.h>\n\n");
    let mut objs = Vec::new();
    for case in cases {
        let n = &case.spec.table.spec;
        // A spec without probed devices has no `_decide_probed`: its probed query
        // function answers 0xff, which no query expects.
        let probed = if case.spec.table.probed_devices().next().is_some() {
            format!("\treturn (unsigned){n}_decide_probed(a, (enum {n}_probed)dev, (u32)caps);")
        } else {
            "\t(void)a;\n\t(void)dev;\n\t(void)caps;\n\treturn 0xff;".to_string()
        };
        let unit = format!(
            "#include \"{n}.h\"\n\nunsigned q_{n}(u64 a, u64 addr, u64 size);\nu64 c_{n}(u64 base);\n\
             unsigned p_{n}(u64 a, unsigned dev, u64 caps);\n\n\
             unsigned q_{n}(u64 a, u64 addr, u64 size)\n{{\n\treturn (unsigned){n}_decide(a, addr, size) | \
             ((unsigned){n}_is_private_mmio(a, addr) << 4) | ((unsigned){n}_decide_start(a, addr, size) << 8);\n}}\n\nu64 c_{n}(u64 base)\n{{\n\treturn {n}_attrs_close(base);\n}}\n\n\
             unsigned p_{n}(u64 a, unsigned dev, u64 caps)\n{{\n{probed}\n}}\n"
        );
        std::fs::write(d.join(format!("q_{n}.c")), unit).expect("write");
        objs.push(format!("q_{n}.c"));
        writeln!(
            main_c,
            "unsigned q_{n}(uint64_t, uint64_t, uint64_t);\nuint64_t c_{n}(uint64_t);\nunsigned p_{n}(uint64_t, unsigned, uint64_t);"
        )
        .expect("fmt");
    }
    main_c.push_str("\nstatic unsigned (*const q[])(uint64_t, uint64_t, uint64_t) = {\n");
    for case in cases {
        writeln!(main_c, "\tq_{},", case.spec.table.spec).expect("fmt");
    }
    main_c.push_str("};\nstatic uint64_t (*const c[])(uint64_t) = {\n");
    for case in cases {
        writeln!(main_c, "\tc_{},", case.spec.table.spec).expect("fmt");
    }
    main_c.push_str("};\nstatic unsigned (*const p[])(uint64_t, unsigned, uint64_t) = {\n");
    for case in cases {
        writeln!(main_c, "\tp_{},", case.spec.table.spec).expect("fmt");
    }
    main_c.push_str(
        "};\n\nint main(int argc, char **argv)\n{\n\tunsigned k;\n\tunsigned long long a, b, s;\n\n\
         \tif (argc > 1 && argv[1][0] == 'p') {\n\t\twhile (scanf(\"%u %llx %llx %llx\", &k, &a, &b, &s) == 4)\n\t\t\tprintf(\"%x\\n\", p[k](a, (unsigned)b, s));\n\t\treturn 0;\n\t}\n\
         \tif (argc > 1) {\n\t\twhile (scanf(\"%u %llx\", &k, &a) == 2)\n\t\t\tprintf(\"%llx\\n\", (unsigned long long)c[k](a));\n\t\treturn 0;\n\t}\n\
         \twhile (scanf(\"%u %llx %llx %llx\", &k, &a, &b, &s) == 4)\n\t\tprintf(\"%x\\n\", q[k](a, b, s));\n\treturn 0;\n}\n",
    );
    std::fs::write(d.join("main.c"), main_c).expect("write");
    let status = Command::new("gcc")
        .current_dir(d)
        .args([
            "-std=gnu11",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-o",
            "c_harness",
            "main.c",
        ])
        .args(&objs)
        .status()
        .expect("gcc runs");
    assert!(status.success(), "the C harness builds");

    // Rust: every spec's module through include!, one main.
    let mut main_rs = String::from("use std::io::{BufRead, Write};\n\n");
    for case in cases {
        writeln!(
            main_rs,
            "#[allow(dead_code)]\nmod {0} {{\n    include!(\"{0}.rs\");\n}}",
            case.spec.table.spec
        )
        .expect("fmt");
    }
    main_rs.push_str(
        "\nfn main() {\n    let mode = std::env::args().nth(1).unwrap_or_default();\n    let closes = mode == \"close\";\n    let probed = mode == \"probed\";\n    let stdin = std::io::stdin();\n    let mut out = std::io::BufWriter::new(std::io::stdout());\n    \
         for line in stdin.lock().lines() {\n        let line = line.unwrap();\n        let mut f = line.split(' ');\n        let k: usize = f.next().unwrap().parse().unwrap();\n        \
         let mut n = || u64::from_str_radix(f.next().unwrap(), 16).unwrap();\n        let (a, b, s) = if closes { (n(), 0, 0) } else { (n(), n(), n()) };\n        let r: u64 = match k {\n",
    );
    for (k, case) in cases.iter().enumerate() {
        let n = &case.spec.table.spec;
        if case.spec.table.probed_devices().next().is_some() {
            writeln!(
                main_rs,
                "            {k} if probed => {n}::decide_probed({n}::AttrSet::from_bits(a), {n}::Probed::ALL[b as usize], {n}::CapSet::from_bits(s as u32)) as u64,"
            )
            .expect("fmt");
        } else {
            writeln!(main_rs, "            {k} if probed => 0xff,").expect("fmt");
        }
        writeln!(
            main_rs,
            "            {k} if closes => {n}::AttrSet::from_bits(a).close().bits(),\n            {k} => {n}::decide({n}::AttrSet::from_bits(a), b, s) as u64 | ({n}::is_private_mmio({n}::AttrSet::from_bits(a), b) as u64) << 4 | ({n}::decide_start({n}::AttrSet::from_bits(a), b, s) as u64) << 8,"
        )
        .expect("fmt");
    }
    main_rs.push_str("            _ => unreachable!(),\n        };\n        writeln!(out, \"{r:x}\").unwrap();\n    }\n}\n");
    std::fs::write(d.join("main.rs"), main_rs).expect("write");
    let out = Command::new("rustc")
        .current_dir(d)
        .args([
            "--edition",
            "2021",
            "-O",
            "-D",
            "warnings",
            "-o",
            "rust_harness",
            "main.rs",
        ])
        .output()
        .expect("rustc runs");
    assert!(
        out.status.success(),
        "the Rust harness builds:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Harnesses {
        c: d.join("c_harness"),
        rust: d.join("rust_harness"),
        dir,
    }
}

/// One query: a set of attributes, a range, and whether the set is closed (a full set
/// that a platform could have), which `explain` can be asked about.
#[derive(Clone, Copy, Debug)]
pub struct Query {
    pub attrs: u64,
    pub addr: u64,
    pub size: u64,
    pub closed: bool,
}

/// Queries: random attribute sets (closed and raw), addresses at, just before and
/// just after every boundary, 0 and 2^64 - 1, sizes that cross boundaries, 0, and
/// sizes that overflow.
pub fn queries(table: &DecisionTable, seed: u64, count: usize) -> Vec<Query> {
    let mut rng = Rng::new(seed);
    let mut bounds = table.boundaries();
    bounds.extend([0, 1, u64::MAX, u64::MAX - 1]);
    let mut sets: Vec<(u64, bool)> = table.platforms.iter().map(|p| (p.full, true)).collect();
    for _ in 0..32 {
        let raw = rng.next_u64() & rng.next_u64();
        sets.push((table.close(raw), true));
        sets.push((raw, false));
    }
    let pick = |rng: &mut Rng, v: &[u64]| v[rng.below(v.len() as u64) as usize];
    (0..count)
        .map(|_| {
            let (attrs, closed) = sets[rng.below(sets.len() as u64) as usize];
            let addr = match rng.below(5) {
                0 => rng.next_u64(),
                _ => pick(&mut rng, &bounds),
            };
            let size = match rng.below(6) {
                0 => 0,
                1 => 1,
                2 => u64::MAX - rng.below(4),
                3 => pick(&mut rng, &bounds)
                    .wrapping_sub(addr)
                    .wrapping_add(rng.below(3)),
                4 => 1 + rng.below(0x10000),
                _ => 1 << rng.below(64),
            };
            Query {
                attrs,
                addr,
                size,
                closed,
            }
        })
        .collect()
}

/// The answer as one number: the decision, plus 16 when `is_private_mmio` holds,
/// plus the start-address decision (`decide_start`) times 256.
fn code(d: Decision, private: bool, start: Decision) -> u64 {
    d as u64 | u64::from(private) << 4 | (start as u64) << 8
}

/// Feed `input` to `program` (with `args`) and read one hex number per line.
fn run_program(program: &Path, args: &[&str], input: String) -> Vec<u64> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("harness runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child.stdout.take().expect("stdout");
    let got: Vec<u64> = BufReader::new(stdout)
        .lines()
        .map(|l| u64::from_str_radix(&l.expect("harness output"), 16).expect("hex"))
        .collect();
    let status = child.wait().expect("wait");
    writer.join().expect("writer").expect("write to harness");
    assert!(status.success(), "{} failed", program.display());
    got
}

/// What a run checked.
#[derive(Debug, Default)]
pub struct Report {
    pub specs: usize,
    /// Queries answered by every one of C, Rust, the table, the JSON table and the
    /// reference.
    pub queries: u64,
    /// Of those, the ones `explain` answered too (closed attribute sets).
    pub explained: u64,
    /// Queries sent through the `ccattr explain` command.
    pub cli_explained: u64,
    /// Base sets closed by C, Rust, the table and the reference.
    pub closes: u64,
    /// Probed-device queries (version 2: device, full set, capabilities) answered
    /// alike by C, Rust, the table, the JSON table, `explain` and the reference.
    pub probed: u64,
    /// Of those, the ones sent through `ccattr explain --device`.
    pub cli_probed: u64,
}

/// The capability sets asked about: every subset of the declared capabilities when
/// there are at most 8, else 256 random sets with the empty and the full one; each
/// sometimes with undeclared bits, which must change nothing.
fn cap_sets(table: &DecisionTable, rng: &mut Rng) -> Vec<u32> {
    let n = table.caps.len();
    let mut sets: Vec<u32> = if n <= 8 {
        (0..1u32 << n).collect()
    } else {
        let mut v: Vec<u32> = (0..256)
            .map(|_| rng.next_u64() as u32 & table.cap_mask())
            .collect();
        v.extend([0, table.cap_mask()]);
        v
    };
    for c in sets.iter_mut() {
        if rng.chance(10) {
            *c |= !table.cap_mask();
        }
    }
    sets
}

/// Check `per_spec` queries on every case (`cli_per_spec` of them through the
/// command), in batches. Panics at the first disagreement, naming the spec and query.
pub fn check(
    cases: &[Case],
    h: &Harnesses,
    per_spec: usize,
    cli_per_spec: usize,
    seed: u64,
) -> Report {
    let mut report = Report {
        specs: cases.len(),
        ..Report::default()
    };
    let mut input = String::new();
    let mut expected = Vec::new();
    let (mut probed_input, mut probed_want) = (String::new(), Vec::new());
    let flush = |input: &mut String, expected: &mut Vec<u64>| {
        if expected.is_empty() {
            return;
        }
        for (program, name) in [(&h.c, "C"), (&h.rust, "Rust")] {
            let got = run_program(program, &[], input.clone());
            assert_eq!(got.len(), expected.len(), "{name} answered every query");
            if let Some(i) = (0..got.len()).find(|&i| got[i] != expected[i]) {
                let bad = (0..got.len()).filter(|&i| got[i] != expected[i]).count();
                let line = input.lines().nth(i).unwrap_or("");
                panic!(
                    "{name} disagrees on {bad} queries, first `{line}`: got {:x}, want {:x}",
                    got[i], expected[i]
                );
            }
        }
        input.clear();
        expected.clear();
    };
    for (k, case) in cases.iter().enumerate() {
        let table = &case.spec.table;
        let back = ccattr_codegen::json::read_table(&case.file(".json").contents)
            .expect("JSON reads back");
        assert_eq!(&back, table, "{}: JSON round trip", table.spec);
        let qs = queries(table, seed ^ (0xABCD + k as u64), per_spec);
        for (i, q) in qs.iter().enumerate() {
            let want = reference::decide(&case.spec.model, q.attrs, q.addr, q.size);
            let private =
                reference::decide_byte(&case.spec.model, q.attrs, q.addr) == Decision::Encrypted;
            let at = || {
                format!(
                    "{} query {i}: attrs {:#x} addr {:#x} size {:#x}",
                    table.spec, q.attrs, q.addr, q.size
                )
            };
            assert_eq!(
                table.decide(q.attrs, q.addr, q.size),
                want,
                "table vs reference, {}",
                at()
            );
            assert_eq!(
                back.decide(q.attrs, q.addr, q.size),
                want,
                "JSON table vs reference, {}",
                at()
            );
            assert_eq!(
                table.is_private_mmio(q.attrs, q.addr),
                private,
                "is_private_mmio, {}",
                at()
            );
            if q.closed {
                let e = explain(table, None, q.attrs & table.base_mask, q.addr, q.size);
                assert_eq!(e.decision, want, "explain vs reference, {}", at());
                assert_eq!(e.attrs, q.attrs, "explain closes to the same set, {}", at());
                report.explained += 1;
            }
            // x86's question: the first byte's decision, for the whole range.
            let start = if ccattr_core::table::range_last(q.addr, q.size).is_none() {
                Decision::Invalid
            } else {
                reference::decide(&case.spec.model, q.attrs, q.addr, 1)
            };
            assert_eq!(
                table.decide_start(q.attrs, q.addr, q.size),
                start,
                "decide_start vs reference, {}",
                at()
            );
            writeln!(input, "{k} {:x} {:x} {:x}", q.attrs, q.addr, q.size).expect("fmt");
            expected.push(code(want, private, start));
            report.queries += 1;
        }
        if expected.len() >= BATCH {
            flush(&mut input, &mut expected);
        }
        report.cli_explained += check_cli(case, &qs, cli_per_spec, h.dir.path());
        let (asked, cli) = probed_queries(
            case,
            k,
            seed,
            &mut probed_input,
            &mut probed_want,
            h.dir.path(),
        );
        report.probed += asked;
        report.cli_probed += cli;
    }
    flush(&mut input, &mut expected);
    for (program, name) in [(&h.c, "C"), (&h.rust, "Rust")] {
        let got = run_program(program, &["probed"], probed_input.clone());
        assert_eq!(
            got.len(),
            probed_want.len(),
            "{name} answered every probed query"
        );
        if let Some(i) = (0..got.len()).find(|&i| got[i] != probed_want[i]) {
            let line = probed_input.lines().nth(i).unwrap_or("");
            panic!(
                "{name} decide_probed disagrees, first `{line}`: got {:x}, want {:x}",
                got[i], probed_want[i]
            );
        }
    }

    // Closing base sets.
    let mut closes = String::new();
    let mut want = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        let mut rng = Rng::new(seed ^ k as u64);
        for _ in 0..CLOSES_PER_SPEC {
            let base = rng.next_u64() & rng.next_u64();
            let full = reference::close(&case.spec.model, base);
            assert_eq!(
                case.spec.table.close(base),
                full,
                "{}: close({base:#x})",
                case.spec.table.spec
            );
            writeln!(closes, "{k} {base:x}").expect("fmt");
            want.push(full);
        }
    }
    for (program, name) in [(&h.c, "C"), (&h.rust, "Rust")] {
        assert_eq!(
            run_program(program, &["close"], closes.clone()),
            want,
            "{name} closes every base set like the reference"
        );
    }
    report.closes = want.len() as u64;
    report
}

/// Probed-device queries of case `k`: every probed device, under every platform's
/// set and some random closed ones, with every capability set of [`cap_sets`].
/// The table, the JSON table read back, `explain_probed` and the reference must
/// agree here; the C and Rust answers are checked from `input` and `want` later.
/// One query per device and platform also goes through `ccattr explain --device`.
/// Returns (queries, command queries).
fn probed_queries(
    case: &Case,
    k: usize,
    seed: u64,
    input: &mut String,
    want: &mut Vec<u64>,
    dir: &Path,
) -> (u64, u64) {
    let table = &case.spec.table;
    let model = &case.spec.model;
    if table.probed_devices().next().is_none() {
        return (0, 0);
    }
    let back = ccattr_codegen::json::read_table(&case.file(".json").contents).expect("JSON");
    let mut rng = Rng::new(seed ^ 0x9A0B ^ k as u64);
    let mut bases: Vec<(u64, Option<&str>)> = table
        .platforms
        .iter()
        .map(|p| (p.sets, Some(p.name.as_str())))
        .collect();
    for _ in 0..8 {
        bases.push((rng.next_u64() & rng.next_u64() & table.base_mask, None));
    }
    let caps = cap_sets(table, &mut rng);
    let (mut asked, mut cli) = (0, 0);
    let probed: Vec<usize> = table.probed_devices().map(|(d, _)| d).collect();
    for (i, &dev) in probed.iter().enumerate() {
        for &(base, platform) in &bases {
            let full = reference::close(model, base);
            for &c in &caps {
                let expect = reference::decide_probed(model, full, dev, c).expect("probed");
                let at = || format!("{} device {dev} attrs {full:#x} caps {c:#x}", table.spec);
                assert_eq!(
                    table.decide_probed(full, dev, c),
                    Some(expect),
                    "table, {}",
                    at()
                );
                assert_eq!(
                    back.decide_probed(full, dev, c),
                    Some(expect),
                    "JSON table, {}",
                    at()
                );
                let e = ccattr_core::explain::explain_probed(table, platform, base, dev, c)
                    .expect("explain a probed device");
                assert_eq!(e.decision, expect, "explain_probed, {}", at());
                writeln!(input, "{k} {full:x} {i:x} {c:x}").expect("fmt");
                want.push(expect as u64);
                asked += 1;
            }
            // The command, once per device and platform, with a random capability set.
            if let Some(p) = platform {
                let c = caps[rng.below(caps.len() as u64) as usize] & table.cap_mask();
                let expect = reference::decide_probed(model, full, dev, c).expect("probed");
                let names = table.cap_names(c).join(",");
                let mut args = vec![
                    "explain".to_string(),
                    dir.join(&case.spec.source.name).display().to_string(),
                    "--device".into(),
                    table.devices[dev].name.clone(),
                    "--platform".into(),
                    p.to_string(),
                    "--format".into(),
                    "json".into(),
                ];
                if !names.is_empty() {
                    args.extend(["--caps".to_string(), names.clone()]);
                }
                let out = Command::new(env!("CARGO_BIN_EXE_ccattr"))
                    .args(&args)
                    .output()
                    .expect("ccattr runs");
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{args:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
                assert_eq!(
                    v["decision"].as_str(),
                    Some(expect.as_str()),
                    "ccattr explain --device vs reference: {args:?}"
                );
                cli += 1;
            }
        }
    }
    (asked, cli)
}

/// Ask `ccattr explain --format json` about the first `n` closed queries of a case;
/// the number asked.
fn check_cli(case: &Case, qs: &[Query], n: usize, dir: &Path) -> u64 {
    let spec = dir.join(&case.spec.source.name);
    let table = &case.spec.table;
    let mut asked = 0;
    for q in qs.iter().filter(|q| q.closed).take(n) {
        let want = reference::decide(&case.spec.model, q.attrs, q.addr, q.size);
        let base = q.attrs & table.base_mask;
        let names: Vec<&str> = table.attr_names(base);
        let out = Command::new(env!("CARGO_BIN_EXE_ccattr"))
            .arg("explain")
            .arg(&spec)
            .arg(format!("{:#x}", q.addr))
            .args([
                "--size",
                &format!("{:#x}", q.size),
                "--attrs",
                &names.join(","),
                "--format",
                "json",
            ])
            .output()
            .expect("ccattr runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "ccattr explain: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("explain prints JSON");
        assert_eq!(
            v["decision"].as_str(),
            Some(want.as_str()),
            "ccattr explain vs reference: {} addr {:#x} size {:#x} attrs {names:?}",
            table.spec,
            q.addr,
            q.size
        );
        asked += 1;
    }
    asked
}
