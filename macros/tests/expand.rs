//! `include_spec!` expands to the same module `ccattr build` writes: it answers like
//! the decision table does.

mod vtom {
    ccattr_macros::include_spec!("../examples/hyperv_vtom.ccattr");
}

mod mainline {
    ccattr_macros::include_spec!("../examples/linux_mainline.ccattr");
}

use vtom::{decide, is_private_mmio, platforms, AttrSet, CcAttr, MapDecision};

#[test]
fn the_vtom_policy_of_hv_is_private_mmio() {
    let paravisor = platforms::HYPERV_VTOM_PARAVISOR;
    assert!(paravisor.contains(CcAttr::AccessTpmEncrypted));
    assert!(is_private_mmio(paravisor, 0xFEC0_0000), "IO-APIC");
    assert!(is_private_mmio(paravisor, 0xFED4_0000), "vTPM");
    assert!(!is_private_mmio(paravisor, 0xFED4_1000), "TPM locality 1");
    assert_eq!(decide(paravisor, 0xFED4_0000, 0x2000), MapDecision::Mixed);
    assert_eq!(decide(paravisor, 0x1000, 1), MapDecision::Decrypted);
    assert_eq!(
        decide(platforms::BARE_METAL, 0xFEC0_0000, 1),
        MapDecision::Unspecified
    );
    assert_eq!(decide(AttrSet::EMPTY, 0, 0), MapDecision::Invalid);
}

#[test]
fn every_answer_matches_the_decision_table() {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hyperv_vtom.ccattr"
    );
    let table = ccattr_codegen::compile_file(std::path::Path::new(spec))
        .expect("read the spec")
        .expect("the example compiles")
        .table;
    let platforms = [
        ("hyperv_vtom_paravisor", platforms::HYPERV_VTOM_PARAVISOR),
        ("hyperv_snp_enlightened", platforms::HYPERV_SNP_ENLIGHTENED),
        ("bare_metal", platforms::BARE_METAL),
    ];
    let addrs = [
        0u64,
        0xFEBF_FFFF,
        0xFEC0_0000,
        0xFEC0_0FFF,
        0xFEC0_1000,
        0xFED4_0000,
        0xFED4_4FFF,
        u64::MAX,
    ];
    let mut checked = 0;
    for (name, set) in platforms {
        let p = table
            .platforms
            .iter()
            .find(|p| p.name == name)
            .expect("platform in table");
        assert_eq!(p.full, set.bits(), "{name}");
        for &addr in &addrs {
            for size in [1u64, 0x1000, 0x5000] {
                let want = table.decide(p.full, addr, size);
                let got = decide(set, addr, size);
                assert_eq!(
                    format!("{got:?}").to_lowercase(),
                    want.as_str(),
                    "{name} {addr:#x}+{size:#x}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * 8 * 3);
}

#[test]
fn a_second_spec_expands_beside_the_first() {
    let snp = mainline::platforms::SEV_SNP_GUEST;
    assert!(snp.contains(mainline::CcAttr::GuestMemEncrypt));
    assert!(!snp.contains(mainline::CcAttr::HostSevSnp));
    assert_eq!(mainline::NR_ATTRS, 9);
}
