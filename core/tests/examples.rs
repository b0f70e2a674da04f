//! Every shipped example checks cleanly, and its table agrees with the reference
//! evaluator and with the platform sets the kernel reports (docs/kernel.md).

use ccattr_core::{reference, Checked, Source};
use std::path::Path;

fn examples() -> Vec<(String, Source)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("examples/ exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_some_and(|e| e == "ccattr") {
            let text = std::fs::read_to_string(&path).expect("UTF-8");
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name.clone(), Source::new(name, text)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 3, "the three required examples exist");
    out
}

/// Compile an example as `ccattr build` does: with the files it includes, read
/// beside it.
fn compile_example(src: &Source) -> Result<Checked, ccattr_core::Rejected> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(&src.name);
    let root = ccattr_core::load::Root {
        name: &src.name,
        bytes: src.text.as_bytes(),
        path: Some(&path),
    };
    ccattr_core::compile::compile_with(root, &ccattr_core::load::Disk, &ccattr_codegen::C_HEADER)
}

fn checked(src: &Source) -> Checked {
    compile_example(src).expect("the example checks")
}

#[test]
fn examples_check_without_diagnostics() {
    for (name, src) in examples() {
        match compile_example(&src) {
            Ok(c) => assert!(c.warnings.is_empty(), "{name}: {:?}", c.warnings),
            Err(r) => panic!(
                "{name}:\n{}",
                ccattr_core::diagnostics::text(&r.source, &r.diagnostics)
            ),
        }
    }
}

#[test]
fn table_agrees_with_reference_on_boundaries() {
    for (name, src) in examples() {
        let Checked { model, table, .. } = checked(&src);
        let mut sets: Vec<u64> = table.platforms.iter().map(|p| p.sets).collect();
        sets.extend((0..64u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let mut addrs = table.boundaries();
        addrs.extend([0, 1, u64::MAX, u64::MAX - 1]);
        for &base in &sets {
            let full = table.close(base);
            assert_eq!(
                full,
                reference::close(&model, base),
                "{name} close({base:#x})"
            );
            for &a in &addrs {
                for size in [0u64, 1, 2, 0x1000, 0x5000, 0x10_0000, u64::MAX] {
                    assert_eq!(
                        table.decide(full, a, size),
                        reference::decide(&model, full, a, size),
                        "{name}: attrs {full:#x} addr {a:#x} size {size:#x}"
                    );
                }
            }
        }
    }
}

/// The full set of each platform, as the kernel's `*_cc_platform_has()` answers (docs/kernel.md).
#[test]
fn linux_6_1_platforms_have_the_kernels_sets() {
    let src = examples()
        .into_iter()
        .find(|(n, _)| n == "linux_6_1.ccattr")
        .unwrap()
        .1;
    let table = checked(&src).table;
    let full = |p: &str| full_names(&table, p);
    assert_eq!(full("sme_host"), "HOST_MEM_ENCRYPT,MEM_ENCRYPT");
    assert_eq!(
        full("sev_guest"),
        "GUEST_MEM_ENCRYPT,GUEST_UNROLL_STRING_IO,MEM_ENCRYPT"
    );
    assert_eq!(
        full("sev_es_guest"),
        "GUEST_MEM_ENCRYPT,GUEST_STATE_ENCRYPT,MEM_ENCRYPT"
    );
    assert_eq!(
        full("sev_snp_guest"),
        "GUEST_MEM_ENCRYPT,GUEST_SEV_SNP,GUEST_STATE_ENCRYPT,MEM_ENCRYPT"
    );
    assert_eq!(
        full("tdx_guest"),
        "GUEST_MEM_ENCRYPT,GUEST_UNROLL_STRING_IO,HOTPLUG_DISABLED,MEM_ENCRYPT"
    );
    // 6.1's hyperv_cc_platform_has() answers CC_ATTR_GUEST_MEM_ENCRYPT alone.
    assert_eq!(full("hyperv_vtom"), "GUEST_MEM_ENCRYPT");
    let bit = |name: &str| 1u64 << table.attrs.iter().position(|a| a.name == name).unwrap();
    assert_eq!(
        table.platform("hyperv_vtom").unwrap().full,
        bit("CC_ATTR_GUEST_MEM_ENCRYPT")
    );
    assert_eq!(full("bare_metal"), "");
    let order: Vec<_> = table
        .attrs
        .iter()
        .map(|a| a.name.trim_start_matches("CC_ATTR_"))
        .collect();
    assert_eq!(
        order,
        [
            "MEM_ENCRYPT",
            "HOST_MEM_ENCRYPT",
            "GUEST_MEM_ENCRYPT",
            "GUEST_STATE_ENCRYPT",
            "GUEST_UNROLL_STRING_IO",
            "GUEST_SEV_SNP",
            "HOTPLUG_DISABLED"
        ]
    );
}

/// 6.1 has no `is_private_mmio` callback (v6.4) and its `io_apic_set_fixmap()` maps the
/// IO-APIC decrypted on every platform: no rule and no attribute set of the 6.1
/// example maps any byte of the IO-APIC page encrypted.
#[test]
fn linux_6_1_never_maps_the_ioapic_encrypted() {
    let src = example("linux_6_1.ccattr");
    let Checked { model, table, .. } = checked(&src);
    let ioapic = model
        .devices
        .iter()
        .position(|d| d.name == "ioapic")
        .expect("the 6.1 example declares the IO-APIC");
    for rule in model.rules.iter().filter(|r| r.device == Some(ioapic)) {
        assert_eq!(
            rule.mapping,
            ccattr_core::model::Mapping::Decrypted,
            "a rule maps the IO-APIC otherwise than decrypted"
        );
    }
    use ccattr_core::Decision::*;
    for base in 0..1u64 << table.attrs.len() {
        let full = table.close(base);
        assert_eq!(
            table.decide(full, 0xFEC0_0000, 0x1000),
            Decrypted,
            "{full:#x}"
        );
        assert!(!table.is_private_mmio(full, 0xFEC0_0000), "{full:#x}");
    }
}

/// The attribute docs of the 6.1 example are the kernel-doc texts of 6.1's
/// `include/linux/cc_platform.h`, compared with white space normalized. Needs
/// Debian's 6.1 headers (`linux-headers-amd64`); skipped without them.
#[test]
fn linux_6_1_docs_are_the_kernels_kernel_doc() {
    let Some(header) = std::fs::read_dir("/usr/src").ok().and_then(|dir| {
        let mut found: Vec<_> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("linux-headers-6.1.") && n.ends_with("-common"))
            })
            .map(|p| p.join("include/linux/cc_platform.h"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    }) else {
        eprintln!("skipped: no /usr/src/linux-headers-6.1.*-common");
        return;
    };
    let kernel = kernel_doc_members(&std::fs::read_to_string(&header).expect("the header"));
    let table = checked(&example("linux_6_1.ccattr")).table;
    let spec: Vec<(String, String)> = table
        .attrs
        .iter()
        .map(|a| (a.name.clone(), normalized(&a.doc.join("\n"))))
        .collect();
    assert_eq!(spec, kernel, "{}", header.display());
}

/// Each member of `enum cc_attr` with the text of the kernel-doc block before it
/// (after the `@TAG:`), white space normalized.
fn kernel_doc_members(header: &str) -> Vec<(String, String)> {
    let body = header
        .split_once("enum cc_attr {")
        .expect("enum cc_attr")
        .1
        .split_once("\n};")
        .expect("the end of the enum")
        .0;
    let mut out = Vec::new();
    let mut doc = String::new();
    for block in body.split("/**").skip(1) {
        let (comment, rest) = block.split_once("*/").expect("a closed comment");
        let text: Vec<&str> = comment
            .lines()
            .map(|l| l.trim().trim_start_matches('*').trim())
            .collect();
        doc.clear();
        doc.push_str(&text.join("\n"));
        let doc = doc.trim().split_once(':').expect("@TAG: text").1;
        let member = rest
            .trim()
            .split(|c: char| c == ',' || c.is_whitespace())
            .next()
            .expect("a member")
            .to_string();
        out.push((member, normalized(doc)));
    }
    out
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn example(file: &str) -> Source {
    examples()
        .into_iter()
        .find(|(n, _)| n == file)
        .unwrap_or_else(|| panic!("examples/{file}"))
        .1
}

#[test]
fn hyperv_vtom_maps_the_ioapic_and_vtpm_private() {
    let src = examples()
        .into_iter()
        .find(|(n, _)| n == "hyperv_vtom.ccattr")
        .unwrap()
        .1;
    let table = checked(&src).table;
    let pv = table.platform("hyperv_vtom_paravisor").unwrap().full;
    let en = table.platform("hyperv_snp_enlightened").unwrap().full;
    let bare = table.platform("bare_metal").unwrap().full;
    use ccattr_core::Decision::*;
    assert!(table.is_private_mmio(pv, 0xFEC0_0000));
    assert!(table.is_private_mmio(pv, 0xFED4_0FFF));
    assert!(
        !table.is_private_mmio(pv, 0xFED4_1000),
        "the rest of the TIS window is shared"
    );
    assert!(!table.is_private_mmio(en, 0xFEC0_0000));
    // The TPM driver's one mapping of the whole TIS window: its bytes differ, and
    // x86, asking about the start address, maps it all encrypted, as the kernel does.
    assert_eq!(table.decide(pv, 0xFED4_0000, 0x5000), Mixed);
    assert_eq!(table.decide_start(pv, 0xFED4_0000, 0x5000), Encrypted);
    assert_eq!(table.decide_start(pv, 0xFED4_1000, 0x4000), Decrypted);
    assert_eq!(table.decide_start(en, 0xFED4_0000, 0x5000), Decrypted);
    assert_eq!(table.decide(pv, 0xFEBF_F000, 0x2000), Mixed);
    assert_eq!(table.decide(pv, 0xFEE0_0000, 0x1000), Decrypted);
    assert_eq!(table.decide(bare, 0xFEC0_0000, 1), Unspecified);
    assert_eq!(table.decide(pv, 0xFEC0_0000, 0), Invalid);
    assert_eq!(table.decide(pv, u64::MAX, 2), Invalid);
}

/// The full set of platform `p`, as sorted names without the `CC_ATTR_` prefix.
fn full_names(table: &ccattr_core::DecisionTable, p: &str) -> String {
    let platform = table
        .platform(p)
        .unwrap_or_else(|| panic!("no platform {p}"));
    let mut names = table.attr_names(platform.full);
    names.sort();
    names
        .iter()
        .map(|n| n.trim_start_matches("CC_ATTR_").to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// vTOM is Hyper-V's paravisor mode on SEV-SNP (Documentation/virt/hyperv/coco.rst):
/// a fully enlightened SEV-SNP guest uses the C-bit and reports the SEV-SNP set, and
/// the example never describes vTOM without a paravisor.
#[test]
fn hyperv_vtom_is_the_paravisor_mode() {
    let src = example("hyperv_vtom.ccattr");
    let table = checked(&src).table;
    assert_eq!(
        full_names(&table, "hyperv_snp_enlightened"),
        "GUEST_MEM_ENCRYPT,GUEST_SEV_SNP,GUEST_STATE_ENCRYPT,MEM_ENCRYPT"
    );
    assert_eq!(
        full_names(&table, "hyperv_vtom_paravisor"),
        "ACCESS_IOAPIC_ENCRYPTED,ACCESS_TPM_ENCRYPTED,GUEST_MEM_ENCRYPT,MEM_ENCRYPT,\
         PARAVISOR_SPLIT_ADDRESS_SPACE"
    );
    for p in table.platforms.iter().filter(|p| p.name.contains("vtom")) {
        assert!(
            table
                .attr_names(p.full)
                .contains(&"CC_ATTR_PARAVISOR_SPLIT_ADDRESS_SPACE"),
            "{} is a vTOM platform without the paravisor",
            p.name
        );
    }
    let text = src
        .text
        .lines()
        .map(|l| l.trim().trim_start_matches('/').trim())
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let text = normalized(&text);
    for wrong in [
        "vtom without a paravisor",
        "vtom and no paravisor",
        "vtom with no paravisor",
        "vtom, no paravisor",
    ] {
        assert!(!text.contains(wrong), "the example says \"{wrong}\"");
    }
}

/// The kernel-doc texts of the members that came after 6.1, as v6.19's
/// include/linux/cc_platform.h has them (white space normalized).
#[test]
fn linux_mainline_docs_of_the_new_members_are_the_kernels() {
    let table = checked(&example("linux_mainline.ccattr")).table;
    let doc = |name: &str| {
        let a = table
            .attrs
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no {name}"));
        normalized(&a.doc.join("\n"))
    };
    assert_eq!(
        doc("CC_ATTR_GUEST_SNP_SECURE_TSC"),
        "SNP Secure TSC is active. The platform/OS is running as a guest/virtual machine \
         and actively using AMD SEV-SNP Secure TSC feature."
    );
    assert_eq!(
        doc("CC_ATTR_HOST_SEV_SNP"),
        "AMD SNP enabled on the host. The host kernel is running with the necessary \
         features enabled to run SEV-SNP guests."
    );
    assert_eq!(
        doc("CC_ATTR_SNP_SECURE_AVIC"),
        "Secure AVIC mode is active. The host kernel is running with the necessary \
         features enabled to run SEV-SNP guests with full Secure AVIC capabilities."
    );
    assert_eq!(
        doc("CC_ATTR_MEM_ENCRYPT"),
        "Memory encryption is active The platform/OS is running with active memory \
         encryption. This includes running either as a bare-metal system or a hypervisor \
         and actively using memory encryption or as a guest/virtual machine and actively \
         using memory encryption. Examples include SME, SEV and SEV-ES."
    );
    let order: Vec<_> = table
        .attrs
        .iter()
        .map(|a| a.name.trim_start_matches("CC_ATTR_"))
        .collect();
    assert_eq!(
        order,
        [
            "MEM_ENCRYPT",
            "HOST_MEM_ENCRYPT",
            "GUEST_MEM_ENCRYPT",
            "GUEST_STATE_ENCRYPT",
            "GUEST_UNROLL_STRING_IO",
            "GUEST_SEV_SNP",
            "GUEST_SNP_SECURE_TSC",
            "HOST_SEV_SNP",
            "SNP_SECURE_AVIC"
        ]
    );
}

/// The full set of each mainline platform, as the v6.19 code answers: the x86
/// vendors (arch/x86/coco/core.c), Hyper-V's choice of vendor (hv_vtom_init()), arm64
/// realms and powerpc pseries secure guests.
#[test]
fn linux_mainline_platforms_have_the_kernels_sets() {
    let table = checked(&example("linux_mainline.ccattr")).table;
    let full = |p: &str| full_names(&table, p);
    let intel = "GUEST_MEM_ENCRYPT,GUEST_UNROLL_STRING_IO,MEM_ENCRYPT";
    let expected = [
        ("sme_host", "HOST_MEM_ENCRYPT,MEM_ENCRYPT"),
        ("snp_host", "HOST_MEM_ENCRYPT,HOST_SEV_SNP,MEM_ENCRYPT"),
        ("snp_host_without_sme", "HOST_SEV_SNP"),
        ("sev_guest", intel),
        (
            "sev_es_guest",
            "GUEST_MEM_ENCRYPT,GUEST_STATE_ENCRYPT,MEM_ENCRYPT",
        ),
        (
            "sev_snp_guest",
            "GUEST_MEM_ENCRYPT,GUEST_SEV_SNP,GUEST_STATE_ENCRYPT,MEM_ENCRYPT",
        ),
        (
            "sev_snp_secure_guest",
            "GUEST_MEM_ENCRYPT,GUEST_SEV_SNP,GUEST_SNP_SECURE_TSC,GUEST_STATE_ENCRYPT,\
             MEM_ENCRYPT,SNP_SECURE_AVIC",
        ),
        ("tdx_guest", intel),
        ("hyperv_vtom", "GUEST_MEM_ENCRYPT,MEM_ENCRYPT"),
        ("hyperv_tdx_paravisor", intel),
        ("arm64_realm", "MEM_ENCRYPT"),
        ("pseries_secure_guest", "MEM_ENCRYPT"),
        ("bare_metal", ""),
    ];
    for (p, set) in expected {
        assert_eq!(full(p), set, "{p}");
    }
    let names: Vec<&str> = table.platforms.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, expected.map(|(p, _)| p));
    // Where CC_ATTR_HOST_SEV_SNP changes at run time is said where it is set.
    for p in ["snp_host", "snp_host_without_sme"] {
        let doc = table.platform(p).unwrap().doc.join(" ");
        assert!(doc.contains("cc_platform_clear()"), "{p}: {doc}");
    }
}
