//! The scanner, the header reader and the vendor reader on any bytes: they never
//! panic, and what they return stays inside the text.

use ccattr_core::Source;
use ccattr_kernel_check::tree::{KernelFile, Tree};
use ccattr_kernel_check::vendor::CoreC;
use ccattr_kernel_check::{check, header, scan, VENDORS};
use proptest::prelude::*;
use std::path::PathBuf;

/// Bytes drawn mostly from what the readers look for, so that the inputs reach
/// deep into them.
fn cish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"enum cc_attr {".to_vec()),
        Just(b"/**".to_vec()),
        Just(b"*/".to_vec()),
        Just(b" * @CC_ATTR_X: ".to_vec()),
        Just(b"CC_ATTR_MEM_ENCRYPT".to_vec()),
        Just(b",".to_vec()),
        Just(b"}".to_vec()),
        Just(b"{".to_vec()),
        Just(b"(".to_vec()),
        Just(b")".to_vec()),
        Just(b";".to_vec()),
        Just(b"\n#ifdef X\n".to_vec()),
        Just(b"\n#else\n".to_vec()),
        Just(b"\n#endif\n".to_vec()),
        Just(b"static bool intel_cc_platform_has(enum cc_attr attr)".to_vec()),
        Just(b"amd_cc_platform_has(enum cc_attr attr)".to_vec()),
        Just(b"switch (attr)".to_vec()),
        Just(b"case ".to_vec()),
        Just(b"default:".to_vec()),
        Just(b"return ".to_vec()),
        Just(b"true".to_vec()),
        Just(b"attr == ".to_vec()),
        Just(b"||".to_vec()),
        Just(b"if (".to_vec()),
        Just(b"break;".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"\\\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
}

fn file(name: &str, bytes: &[u8]) -> KernelFile {
    KernelFile {
        path: PathBuf::from(name),
        source: Source::new(name, String::from_utf8_lossy(bytes).into_owned()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_are_read_without_panicking(bytes in cish()) {
        let text = String::from_utf8_lossy(&bytes);
        for branches in [scan::Branches::All, scan::Branches::First] {
            for t in scan::tokens(&text, branches) {
                prop_assert!(t.span.start < t.span.end && t.span.end <= text.len());
                prop_assert!(text.get(t.span.start..t.span.end).is_some());
            }
        }
        if let Some(e) = header::parse(&text) {
            for m in &e.members {
                prop_assert!(text.get(m.span.start..m.span.end) == Some(m.name.as_str()));
            }
        }
        let core = CoreC::new(&text);
        for (_, f) in VENDORS {
            if let Some(v) = core.vendor(f) {
                let _ = v.meaning.answer("CC_ATTR_MEM_ENCRYPT").text();
            }
        }
    }

    #[test]
    fn a_spec_against_any_tree(header_bytes in cish(), core_bytes in cish()) {
        let spec = ccattr_test_support::checked(
            "j.ccattr",
            "spec j;\n/// Memory encryption is active\nattr CC_ATTR_MEM_ENCRYPT;\n\
             /// kernel: intel\nplatform p { sets CC_ATTR_MEM_ENCRYPT; }\n\
             /// kernel: amd\nplatform q {}\n",
        );
        let tree = Tree {
            dir: PathBuf::from("t"),
            header: file("t/include/linux/cc_platform.h", &header_bytes),
            core: Some(file("t/arch/x86/coco/core.c", &core_bytes)),
        };
        let r = check(&spec, &tree);
        // Every finding is located inside its file.
        for f in &r.findings {
            let len = match f.place {
                ccattr_kernel_check::Place::Spec => spec.source.text.len(),
                ccattr_kernel_check::Place::Header => tree.header.source.text.len(),
            };
            prop_assert!(f.diagnostic.span.start <= f.diagnostic.span.end);
            prop_assert!(f.diagnostic.span.end <= len);
        }
        let src = ccattr_kernel_check::report::Sources { spec: &spec.source, tree: &tree };
        let _ = ccattr_kernel_check::report::text(&r, src);
        let _ = ccattr_kernel_check::report::sarif(&r, src);
    }
}

#[test]
fn a_deep_nest_and_a_long_chain_stay_fast() {
    // A million unclosed brackets, and thousands of functions each calling the next.
    let deep = "(".repeat(1 << 20);
    let start = std::time::Instant::now();
    assert!(header::parse(&format!("enum cc_attr {{ A = {deep}")).is_some());
    let _ = CoreC::new(&deep).vendor("intel_cc_platform_has");
    let mut chain = String::new();
    for i in 0..5000 {
        chain.push_str(&format!(
            "bool f{i}(enum cc_attr attr) {{ return f{}(attr); }}\n",
            i + 1
        ));
    }
    chain.push_str("bool f5000(enum cc_attr attr) { return true; }\n");
    let core = CoreC::new(&chain);
    let v = core.vendor("f0").expect("f0");
    assert!(matches!(
        v.meaning.answer("A").answer,
        ccattr_kernel_check::vendor::Answer::Unread(_)
    ));
    assert_eq!(
        core.vendor("f4990")
            .expect("f4990")
            .meaning
            .answer("A")
            .answer,
        ccattr_kernel_check::vendor::Answer::Always
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}
