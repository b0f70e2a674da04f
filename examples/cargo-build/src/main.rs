//! Print how each platform maps the interesting MMIO pages, and check that the
//! build.rs module and the `include_spec!` module agree.

use ccattr_example_cargo_build::{hyperv_vtom as generated, hyperv_vtom_macro as expanded};

fn main() {
    let platforms = [
        (
            "hyperv_vtom_paravisor",
            generated::platforms::HYPERV_VTOM_PARAVISOR,
            expanded::platforms::HYPERV_VTOM_PARAVISOR,
        ),
        (
            "hyperv_snp_enlightened",
            generated::platforms::HYPERV_SNP_ENLIGHTENED,
            expanded::platforms::HYPERV_SNP_ENLIGHTENED,
        ),
        (
            "bare_metal",
            generated::platforms::BARE_METAL,
            expanded::platforms::BARE_METAL,
        ),
    ];
    let pages: [(&str, u64); 4] = [
        ("ioapic", 0xFEC0_0000),
        ("vtpm", 0xFED4_0000),
        ("tpm_locality_1", 0xFED4_1000),
        ("ram", 0x1000),
    ];
    for (platform, attrs, same_attrs) in platforms {
        assert_eq!(attrs.bits(), same_attrs.bits(), "{platform}");
        for (page, addr) in pages {
            let decision = format!("{:?}", generated::decide(attrs, addr, 1));
            let expanded_decision = format!("{:?}", expanded::decide(same_attrs, addr, 1));
            assert_eq!(
                decision, expanded_decision,
                "{platform} {page}: build.rs and include_spec! disagree"
            );
            println!("{platform} {page} {addr:#x}: {decision}");
        }
    }
}
