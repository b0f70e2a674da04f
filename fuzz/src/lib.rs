//! The properties the fuzz targets check, one function per target. Each takes the
//! fuzzer's bytes and panics when the compiler breaks a promise; a panic is a finding.
//!
//! The same functions run under `cargo test` (tests/fuzz_regressions.rs includes this
//! file as a module), over the seed corpus and every minimized input that ever
//! failed, so a finding stays fixed without cargo-fuzz. Keep this file free of
//! `crate::` paths and of dependencies the workspace's tests do not have.

use ccattr_codegen::{Output, Target, GENERATED_MARKER};
use ccattr_core::compile::{diagnostics, source};
use ccattr_core::explain::explain;
use ccattr_core::{
    diagnostics, reference, Checked, Decision, DecisionTable, Diagnostic, Model, Rejected,
    Severity, Source,
};
use ccattr_test_support::synth::{self, Params, Rng};

/// How far into a generated file `ccattr build` looks for [`GENERATED_MARKER`] before
/// it agrees to replace the file (ccattr_build::files).
const MARKER_WINDOW: usize = 4096;

/// `check_diagnostics` renders at most this many diagnostics from each end of a list
/// as terminal text (every one is checked in the JSON and workflow-command forms).
const RENDERED_AT_EACH_END: usize = 8;

/// The file name the specs are compiled under.
const SPEC_NAME: &str = "fuzz.ccattr";

/// Turn bytes into a source as `ccattr` does; `None` when they cannot be one (the load
/// error has then been checked and rendered).
fn load(data: &[u8]) -> Option<Source> {
    match ccattr_grammar::load(SPEC_NAME, data) {
        Ok(source) => Some(source),
        Err(e) => {
            assert!(e.diagnostic.is_error(), "a load failure is an error");
            check_diagnostics(&e.source, std::slice::from_ref(&e.diagnostic));
            None
        }
    }
}

/// Every diagnostic is well formed and renders in every format.
fn check_diagnostics(source: &Source, diags: &[Diagnostic]) {
    let text = &source.text;
    for d in diags {
        let code = d.code.as_bytes();
        if code.len() == 5 && code[1..].iter().all(u8::is_ascii_digit) {
            match code[0] {
                b'E' => assert_eq!(d.severity, Severity::Error, "{} is an error code", d.code),
                b'W' => assert_eq!(
                    d.severity,
                    Severity::Warning,
                    "{} is a warning code",
                    d.code
                ),
                _ => panic!("diagnostic code {:?} is neither E nor W", d.code),
            }
        } else {
            // A lint rule's ID, at its configured level.
            assert!(
                !code.is_empty() && code.iter().all(|c| c.is_ascii_uppercase() || *c == b'_'),
                "diagnostic code {:?} is neither `E0000`/`W0000` nor a lint rule ID",
                d.code
            );
        }
        assert!(!d.message.is_empty(), "{} has a message", d.code);
        for span in std::iter::once(d.span).chain(d.secondary.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{}: span {span:?} outside the {}-byte text",
                d.code,
                text.len()
            );
        }
        let p = source.position(d.span.start);
        assert!(p.line >= 1 && p.column >= 1);
    }
    // The terminal renderer draws each diagnostic on its own, so a long list is checked
    // at its two ends: rendering hundreds of syntax errors per input would spend most
    // of the fuzzer's time in the renderer for no new paths.
    let ends: [&[Diagnostic]; 2] = if diags.len() > 2 * RENDERED_AT_EACH_END {
        [
            &diags[..RENDERED_AT_EACH_END],
            &diags[diags.len() - RENDERED_AT_EACH_END..],
        ]
    } else {
        [diags, &[]]
    };
    for part in ends {
        let rendered = diagnostics::text(source, part);
        assert_eq!(
            part.is_empty(),
            rendered.is_empty(),
            "text rendering shows every diagnostic"
        );
        if let Some(c) = rendered
            .chars()
            .find(|&c| c.is_control() && c != '\n' && c != '\t')
        {
            panic!(
                "the text diagnostics would send U+{:04X} to the terminal",
                u32::from(c)
            );
        }
    }
    let json = diagnostics::json(&[(source, diags)]);
    let listed = json["diagnostics"].as_array().map_or(0, Vec::len);
    assert_eq!(listed, diags.len(), "JSON lists every diagnostic");
    let github = diagnostics::github(source, diags);
    assert_eq!(
        github.lines().count(),
        diags.len(),
        "one workflow command per diagnostic"
    );
}

/// `parse`: any bytes load or fail with a diagnostic, and parsing never panics.
pub fn parse(data: &[u8]) {
    let Some(source) = load(data) else { return };
    let (_file, diags) = ccattr_grammar::parse(&source.text);
    check_diagnostics(&source, &diags);
}

/// Compile bytes through the one pipeline, as `ccattr` does; every diagnostic is
/// checked and rendered, and they come in source order.
/// Compile the fuzzer's bytes as the command line does, except that an `include` is
/// never read from the disk (every one is E0130): the input is the whole spec.
fn compile(name: &str, data: &[u8]) -> Result<Checked, Rejected> {
    let root = ccattr_core::load::Root {
        name,
        bytes: data,
        path: None,
    };
    ccattr_core::compile::compile_with(root, &ccattr_core::load::NoFiles, &ccattr_codegen::C_HEADER)
}

fn compiled(name: &str, data: &[u8]) -> Result<Checked, Rejected> {
    let c = compile(name, data);
    check_diagnostics(source(&c), diagnostics(&c));
    assert!(
        diagnostics(&c)
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start),
        "diagnostics come in source order"
    );
    c
}

/// `check`: compile, lint and render. A spec is checked (with a model and a table)
/// exactly when it has no errors, and the table is consistent with itself.
pub fn check(data: &[u8]) {
    let c = match compiled(SPEC_NAME, data) {
        Ok(c) => c,
        Err(r) => {
            assert!(
                r.diagnostics.iter().any(Diagnostic::is_error),
                "a rejected spec has an error"
            );
            return;
        }
    };
    assert!(
        !c.warnings.iter().any(Diagnostic::is_error),
        "a checked spec has no error"
    );
    check_table(&c.model, &c.table);
    let findings = ccattr_lint::lint(&ccattr_lint::Input::new(&c));
    let lint_diags: Vec<Diagnostic> = findings.iter().map(|f| f.diagnostic.clone()).collect();
    check_diagnostics(&c.source, &lint_diags);
}

/// A lowered table holds together: intervals sorted and disjoint, rule sets in range,
/// platforms closed, `close` idempotent and equal to the reference.
fn check_table(model: &Model, table: &DecisionTable) {
    assert!(table.attrs.len() <= 64, "at most 64 attributes");
    assert_eq!(table.attrs.len(), model.attrs.len());
    assert!(
        !table.rule_sets.is_empty() && table.rule_sets[0].devices.is_empty(),
        "rule set 0 is elsewhere"
    );
    for w in table.intervals.windows(2) {
        assert!(
            w[0].last < w[1].start,
            "intervals are sorted and disjoint: {:?}",
            w
        );
    }
    for iv in &table.intervals {
        assert!(
            iv.start <= iv.last && iv.rule_set < table.rule_sets.len(),
            "{iv:?}"
        );
    }
    for set in &table.rule_sets {
        assert!(set.devices.iter().all(|&d| d < table.devices.len()));
        assert!(set
            .rows
            .iter()
            .all(|r| r.rule < table.rules.len() && r.value & !r.mask == 0));
    }
    for p in &table.platforms {
        assert_eq!(p.full, table.close(p.sets), "platform {} is closed", p.name);
        assert_eq!(
            p.full,
            reference::close(model, p.sets),
            "platform {} as the reference closes it",
            p.name
        );
        assert_eq!(table.close(p.full), p.full, "closing is idempotent");
    }
}

/// The spec file names the `emit` target compiles under: `ccattr build` records the
/// spec's file name in every header, and a file name may hold anything.
const SOURCE_NAMES: [&str; 6] = [
    "x.ccattr",
    "evil*/\n#error injected\n/*.ccattr",
    "dir/../../etc/passwd",
    "quote\"back\\slash`.ccattr",
    "bidi\u{202E}\u{2066}name.ccattr",
    "\r\n\t\0.ccattr",
];

/// `emit`: what `ccattr build` writes, made in memory by every emitter. Output is
/// deterministic; file names stay inside the output directory; every file carries the marker where `ccattr build` looks for
/// it; the JSON table reads back as the same table; the Rust parses; the prose of the
/// spec (doc comments, deprecation reasons, the file name) reaches C and Rust only
/// inside comments and string literals; and no output carries a control, bidirectional
/// or invisible character.
pub fn emit(data: &[u8]) {
    let Ok(Checked { table, .. }) = compiled(SPEC_NAME, data) else {
        return;
    };
    let source_name = SOURCE_NAMES[data.len() % SOURCE_NAMES.len()];
    let files = ccattr_codegen::emit(&table, source_name, &Target::ALL);
    assert_eq!(files.len(), Target::ALL.len(), "one file per target");
    assert_eq!(
        files,
        ccattr_codegen::emit(&table, source_name, &Target::ALL),
        "emitting is deterministic"
    );
    for (f, t) in files.iter().zip(Target::ALL) {
        check_output_file(&table, f, t);
    }
    let back = ccattr_codegen::read_table(&files[2].contents).expect("the JSON table reads back");
    assert_eq!(back, table, "the JSON table round-trips");
    let rust = syn::parse_file(&files[1].contents)
        .unwrap_or_else(|e| panic!("the Rust output parses: {e}"));

    // The same table without any prose, and under a plain file name.
    let mut plain = table.clone();
    plain.doc.clear();
    for a in &mut plain.attrs {
        a.doc.clear();
        if let Some(r) = &mut a.deprecated {
            // Kept non-empty: an empty reason is a deprecation without a note.
            *r = "reason".into();
        }
    }
    for p in &mut plain.platforms {
        p.doc.clear();
    }
    for d in &mut plain.devices {
        d.doc.clear();
    }
    let bare = ccattr_codegen::emit(&plain, "x.ccattr", &Target::ALL);
    assert_eq!(
        c_code(&files[0].contents),
        c_code(&bare[0].contents),
        "prose changed the C code"
    );
    let bare_rust = syn::parse_file(&bare[1].contents).expect("the plain Rust output parses");
    assert_eq!(
        rust_code(&rust),
        rust_code(&bare_rust),
        "prose changed the Rust code"
    );
}

fn check_output_file(table: &DecisionTable, f: &Output, target: Target) {
    assert_eq!(
        f.file_name,
        format!("{}.{}", table.spec, target.extension())
    );
    assert!(
        is_identifier(&table.spec),
        "the spec name {:?} is a plain identifier, so the file stays in --out-dir",
        table.spec
    );
    let head_end = (0..=MARKER_WINDOW.min(f.contents.len()))
        .rev()
        .find(|&i| f.contents.is_char_boundary(i))
        .unwrap_or(0);
    assert!(
        f.contents[..head_end].contains(GENERATED_MARKER),
        "{}: the marker is not in the first {MARKER_WINDOW} bytes, so `ccattr build` would refuse to update it",
        f.file_name
    );
    assert!(
        f.contents.ends_with('\n'),
        "{} ends with a newline",
        f.file_name
    );
    for (i, ch) in f.contents.char_indices() {
        let bad = (ch.is_control() && ch != '\n' && ch != '\t') || hidden(ch);
        assert!(
            !bad,
            "{} holds U+{:04X} at byte {i}",
            f.file_name,
            u32::from(ch)
        );
    }
}

/// A spec name is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Characters that make code read differently from how it compiles: bidirectional
/// controls (CVE-2021-42574) and invisible characters.
fn hidden(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200B}'..='\u{200F}'
            | '\u{061C}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// C source without its comments, string and character literals emptied, as tokens
/// split at white space. Panics on an unterminated comment or literal.
pub fn c_code(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            let end = src[i + 2..]
                .find("*/")
                .unwrap_or_else(|| panic!("unterminated C comment at byte {i}"));
            i += 2 + end + 2;
            out.push(b' ');
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let start = i;
            i += 1;
            while i < b.len() && b[i] != q {
                assert!(
                    b[i] != b'\n',
                    "C literal at byte {start} runs past its line"
                );
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            assert!(i < b.len(), "unterminated C literal at byte {start}");
            i += 1;
            out.extend_from_slice(&[q, q]);
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Rust tokens without doc attributes, string literals emptied, as one string.
pub fn rust_code(file: &syn::File) -> String {
    use quote::ToTokens as _;
    fn walk(ts: proc_macro2::TokenStream, out: &mut String) {
        use proc_macro2::TokenTree;
        let tokens: Vec<TokenTree> = ts.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            // `#[doc = "..."]` (a doc comment) or `#![doc = ...]`.
            if let TokenTree::Punct(p) = &tokens[i] {
                if p.as_char() == '#' {
                    let group = tokens[i + 1..]
                        .iter()
                        .find(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '!'));
                    if let Some(TokenTree::Group(g)) = group {
                        if g.stream()
                            .into_iter()
                            .next()
                            .is_some_and(|t| t.to_string() == "doc")
                        {
                            i += if matches!(&tokens[i + 1], TokenTree::Punct(_)) {
                                3
                            } else {
                                2
                            };
                            continue;
                        }
                    }
                }
            }
            match &tokens[i] {
                TokenTree::Group(g) => {
                    out.push_str(match g.delimiter() {
                        proc_macro2::Delimiter::Parenthesis => "(",
                        proc_macro2::Delimiter::Brace => "{",
                        proc_macro2::Delimiter::Bracket => "[",
                        proc_macro2::Delimiter::None => "<",
                    });
                    walk(g.stream(), out);
                    out.push_str(") ");
                }
                TokenTree::Literal(l) => {
                    let s = l.to_string();
                    out.push_str(if s.starts_with('"') || s.starts_with('r') {
                        "\"\" "
                    } else {
                        &s
                    });
                    out.push(' ');
                }
                t => {
                    out.push_str(&t.to_string());
                    out.push(' ');
                }
            }
            i += 1;
        }
    }
    let mut out = String::new();
    walk(file.to_token_stream(), &mut out);
    out
}

/// `fmt`: formatting is idempotent, keeps the spec's meaning (same diagnostics, the
/// same table but for line numbers), and never reports an internal failure.
pub fn fmt(data: &[u8]) {
    let Some(source) = load(data) else { return };
    let formatted = match ccattr_grammar::printer::format(&source.text) {
        Ok(f) => f,
        Err(ccattr_grammar::printer::FormatError::Syntax(errors)) => {
            assert!(!errors.is_empty() && errors.iter().all(Diagnostic::is_error));
            return;
        }
        Err(e @ ccattr_grammar::printer::FormatError::Internal(_)) => panic!("{e}"),
    };
    match ccattr_grammar::printer::format(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting is idempotent"),
        Err(e) => panic!("the formatted spec does not format again: {e}"),
    }
    let before = compiled(SPEC_NAME, data);
    let after = compiled(SPEC_NAME, formatted.as_bytes());
    // Formatting may only drop W0002: it trims trailing white space from comments, and
    // a control character that is white space (a vertical tab) goes with it.
    let (mut was, now) = (codes(&before), codes(&after));
    for c in &now {
        match was.iter().position(|w| w == c) {
            Some(k) => {
                was.remove(k);
            }
            None => panic!("formatting added {c}:\n{formatted}"),
        }
    }
    assert!(
        was.iter().all(|&c| c == "W0002"),
        "formatting removed {was:?}:\n{formatted}"
    );
    match (before, after) {
        (Ok(a), Ok(b)) => assert_eq!(
            without_lines(a.table),
            without_lines(b.table),
            "formatting changed the table"
        ),
        (Err(_), Err(_)) => {}
        _ => panic!("formatting changed whether the spec compiles"),
    }
}

fn codes(c: &Result<Checked, Rejected>) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = diagnostics(c).iter().map(|d| d.code).collect();
    v.sort_unstable();
    v
}

fn without_lines(mut t: DecisionTable) -> DecisionTable {
    for a in &mut t.attrs {
        a.line = 0;
    }
    for p in &mut t.platforms {
        p.line = 0;
    }
    for d in &mut t.devices {
        d.line = 0;
        for r in &mut d.regions {
            r.line = 0;
        }
    }
    for r in &mut t.rules {
        r.line = 0;
    }
    t
}

/// `review`: the bytes before the first NUL are BASE, the rest HEAD (no NUL: HEAD is
/// BASE). The review renders in every format, and a spec reviewed against itself
/// shows no change.
pub fn review(data: &[u8]) {
    let (base, head) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let (Ok(b), Ok(h)) = (compile("base.ccattr", base), compile("head.ccattr", head)) else {
        return;
    };
    let r = ccattr_review::review(&b, &h);
    let src = ccattr_review::report::Sources {
        base: &b.source,
        head: &h.source,
    };
    let text = ccattr_review::report::text(&r, src);
    assert!(!text.is_empty());
    let _ = ccattr_review::report::markdown(&r, src);
    let json = ccattr_review::report::json(&r, src);
    assert!(json.is_object());
    let spec_span = ccattr_core::Span::new(0, 0);
    let _ = ccattr_review::report::github(&r, src, spec_span);
    let sarif = ccattr_review::report::sarif(&r, src, spec_span);
    assert_eq!(sarif["version"], "2.1.0");
    if base == head {
        assert!(
            r.changes.is_empty(),
            "a spec reviewed against itself changed: {:?}",
            r.changes
        );
    }
}

/// At most this many queries come from the fuzzer's bytes in one run of `decide`.
const MAX_FUZZ_QUERIES: usize = 256;
/// At most this many region boundaries are asked about in one run of `decide`.
const MAX_BOUNDARY_QUERIES: usize = 64;

/// `decide`: the decision table, `close`, `explain` and `is_private_mmio` agree with
/// the reference evaluator (docs/language.md's steps ("Meaning") over the checked model) on every
/// query. (The JSON table is the same table: `emit` checks that it reads back equal.)
///
/// Input: a spec's text, a NUL, then query bytes. When the text is not a valid spec
/// (or there is no NUL), the first bytes shape a synthetic valid spec instead
/// (`ccattr_test_support::synth`), so every run decides something.
pub fn decide(data: &[u8]) {
    let (text, queries) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    let checked = match compile(SPEC_NAME, text) {
        Ok(c) => c,
        Err(_) => {
            let p = synth_params(queries);
            let text = synth::spec(&p);
            match compile("synth.ccattr", text.as_bytes()) {
                Ok(c) => c,
                Err(r) => panic!("synth made an invalid spec: {:?}\n{text}", r.diagnostics),
            }
        }
    };
    let (model, table) = (&checked.model, &checked.table);
    let mut rng = Rng::new(
        queries
            .iter()
            .fold(0xCCA7_7A11u64, |h, &b| h.rotate_left(5) ^ u64::from(b)),
    );
    let bounds = {
        let mut b = table.boundaries();
        b.extend([0, 1, u64::MAX - 1, u64::MAX]);
        b
    };
    let mut sets: Vec<u64> = table.platforms.iter().map(|p| p.sets).collect();
    sets.extend([0, u64::MAX, table.base_mask]);
    let ask = |base: u64, addr: u64, size: u64| {
        let full = reference::close(model, base);
        assert_eq!(table.close(base), full, "close({base:#x})");
        let want = reference::decide(model, full, addr, size);
        let got = table.decide(full, addr, size);
        assert_eq!(
            got, want,
            "table vs reference: attrs {full:#x} addr {addr:#x} size {size:#x}"
        );
        let e = explain(table, None, base, addr, size);
        assert_eq!(
            e.decision, want,
            "explain vs reference: base {base:#x} addr {addr:#x} size {size:#x}"
        );
        assert_eq!(e.attrs, full);
        let private = reference::decide_byte(model, full, addr) == Decision::Encrypted;
        assert_eq!(
            table.is_private_mmio(full, addr),
            private,
            "is_private_mmio at {addr:#x}"
        );
    };
    // Boundaries (all of them, or 64 at random), one byte and up to two pages, under
    // platform sets, nothing, everything and every base attribute.
    for k in 0..bounds.len().min(MAX_BOUNDARY_QUERIES) {
        let addr = if bounds.len() <= MAX_BOUNDARY_QUERIES {
            bounds[k]
        } else {
            bounds[rng.below(bounds.len() as u64) as usize]
        };
        let base = sets[rng.below(sets.len() as u64) as usize];
        ask(base, addr, 1);
        ask(base, addr, 1 + rng.below(0x2000));
    }
    // Queries shaped by the fuzzer's bytes: 12 bytes each.
    for q in queries.chunks_exact(12).take(MAX_FUZZ_QUERIES) {
        let word = |i: usize| u32::from_le_bytes([q[i], q[i + 1], q[i + 2], q[i + 3]]);
        let (a, b, s) = (word(0), word(4), word(8));
        let base = match a & 3 {
            0 => sets[(a >> 2) as usize % sets.len()],
            _ => u64::from(a >> 2) | (rng.next_u64() & rng.next_u64()),
        };
        let near = bounds[(b >> 4) as usize % bounds.len()];
        let addr = match b & 3 {
            0 => (u64::from(b) << 32) | rng.next_u64() >> 32,
            _ => near.wrapping_add(u64::from((b >> 2) & 3)).wrapping_sub(1),
        };
        let size = match s & 7 {
            0 => 0,
            1 => u64::MAX - u64::from(s >> 3 & 3),
            2 => bounds[(s >> 3) as usize % bounds.len()]
                .wrapping_sub(addr)
                .wrapping_add(u64::from(s >> 30)),
            3 => 1 << (s >> 3 & 63),
            _ => 1 + u64::from(s >> 3),
        };
        ask(base, addr, size);
    }
    // Probed devices (version 2): every capability subset of up to 8 capabilities
    // (else 256 random ones), under every set above, decided alike by the table,
    // `explain` and the reference; undeclared capability bits change nothing.
    let ncaps = table.caps.len().min(8);
    let cap_sets: Vec<u32> = if table.caps.len() <= 8 {
        (0..1u32 << ncaps).collect()
    } else {
        (0..256).map(|_| rng.next_u64() as u32).collect()
    };
    for (dev, _) in table.probed_devices() {
        for &base in &sets {
            let full = reference::close(model, base);
            for &caps in &cap_sets {
                let want = reference::decide_probed(model, full, dev, caps);
                assert_eq!(
                    table.decide_probed(full, dev, caps),
                    want,
                    "decide_probed: device {dev} attrs {full:#x} caps {caps:#x}"
                );
                let noise = caps | !table.cap_mask();
                assert_eq!(
                    table.decide_probed(full, dev, noise),
                    want,
                    "undeclared caps"
                );
                let e = ccattr_core::explain::explain_probed(table, None, base, dev, caps)
                    .expect("a probed device");
                assert_eq!(
                    Some(e.decision),
                    want,
                    "explain_probed: device {dev} caps {caps:#x}"
                );
            }
        }
    }
    // A fixed device is not probed.
    for (d, dev) in table.devices.iter().enumerate() {
        if dev.probed.is_none() {
            assert_eq!(table.decide_probed(0, d, 0), None);
            assert_eq!(reference::decide_probed(model, 0, d, 0), None);
        }
    }
}

/// A synthetic spec's shape from the first bytes of the input.
fn synth_params(bytes: &[u8]) -> Params {
    let b = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let seed = bytes
        .iter()
        .take(16)
        .fold(0u64, |h, &x| h.wrapping_mul(0x100_0000_01B3) ^ u64::from(x));
    let base_attrs = 1 + usize::from(b(0)) % 40;
    Params {
        name: "synth".into(),
        seed,
        base_attrs,
        derived_attrs: usize::from(b(1)) % (65 - base_attrs).min(24),
        platforms: usize::from(b(2)) % 8,
        devices: usize::from(b(3)) % 24,
        nest_percent: u64::from(b(4)) % 80,
        max_rules_per_device: usize::from(b(5)) % 5,
        default_rules: usize::from(b(6)) % 4,
        prefix: if b(7) & 1 == 1 {
            Some("FZ_ATTR_".into())
        } else {
            None
        },
        caps: usize::from(b(8)) % 7,
        probed: usize::from(b(9)) % 4,
        refuse_percent: u64::from(b(10)) % 40,
    }
}

/// `ccattr lsp`: the fuzzer's bytes as a byte stream, and as a spec with positions.
/// The server reads any stream to its end; every frame it writes is JSON-RPC; no
/// request fails unexpectedly (`InternalError`); every request gets one answer.
pub fn lsp(data: &[u8]) {
    // 1. The bytes as they come.
    check_lsp_output(data, None);

    // 2. A session: the bytes before the first NUL are a spec, each pair after it a
    // position for every request.
    let (spec, tail) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(spec);
    let lines = text.lines().count() as u64 + 1;
    let uri = "file:///fuzz.ccattr";
    let mut msgs = vec![
        serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "ccattr", "version": 1, "text": text}}}),
    ];
    let mut id = 1;
    for pair in tail.chunks(2).take(16) {
        let pos = serde_json::json!({"line": u64::from(pair[0]) % lines, "character": pair.get(1).copied().unwrap_or(0)});
        let td = serde_json::json!({"uri": uri});
        for (method, params) in [
            (
                "textDocument/hover",
                serde_json::json!({"textDocument": td, "position": pos}),
            ),
            (
                "textDocument/definition",
                serde_json::json!({"textDocument": td, "position": pos}),
            ),
            (
                "textDocument/completion",
                serde_json::json!({"textDocument": td, "position": pos}),
            ),
            (
                "textDocument/references",
                serde_json::json!({"textDocument": td, "position": pos, "context": {"includeDeclaration": true}}),
            ),
            (
                "textDocument/rename",
                serde_json::json!({"textDocument": td, "position": pos, "newName": "FUZZ_NEW"}),
            ),
            (
                "textDocument/codeAction",
                serde_json::json!({"textDocument": td, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}),
            ),
        ] {
            msgs.push(
                serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
            );
            id += 1;
        }
    }
    msgs.push(serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/formatting", "params": {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}}));
    id += 1;
    msgs.push(serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "shutdown"}));
    msgs.push(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    let mut input = Vec::new();
    for m in msgs {
        let body = m.to_string();
        input.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        input.extend_from_slice(body.as_bytes());
    }
    check_lsp_output(&input, Some(id + 1));
}

/// Serve `input`; check the frames written, and (when given) that requests `0..n`
/// each got exactly one answer.
fn check_lsp_output(input: &[u8], requests: Option<i64>) {
    let mut out = Vec::new();
    let served = ccattr_lsp::serve(input, &mut out);
    assert!(served.is_ok(), "serving failed: {served:?}");
    let mut answered = std::collections::BTreeMap::new();
    let mut rest = &out[..];
    while !rest.is_empty() {
        let head_end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a frame header");
        let head = std::str::from_utf8(&rest[..head_end]).expect("an ASCII header");
        let len: usize = head
            .strip_prefix("Content-Length: ")
            .and_then(|n| n.parse().ok())
            .expect("Content-Length");
        let body = &rest[head_end + 4..head_end + 4 + len];
        rest = &rest[head_end + 4 + len..];
        let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON body");
        assert_eq!(v["jsonrpc"], "2.0");
        assert_ne!(
            v["error"]["code"], -32603,
            "a request failed unexpectedly: {v}"
        );
        if let Some(id) = v["id"].as_i64() {
            *answered.entry(id).or_insert(0) += 1;
        }
    }
    if let Some(n) = requests {
        for id in 0..n {
            assert_eq!(answered.get(&id), Some(&1), "request {id} answered once");
        }
    }
}
