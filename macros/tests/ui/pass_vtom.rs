mod vtom {
    ccattr_macros::include_spec!("tests/ui/specs/vtom.ccattr");
}

fn main() {
    let attrs = vtom::platforms::PARAVISOR;
    assert!(vtom::is_private_mmio(attrs, 0xFEC0_0000));
    assert!(!vtom::is_private_mmio(vtom::platforms::BARE, 0xFEC0_0000));
    assert_eq!(vtom::decide(attrs, 0x1000, 1), vtom::MapDecision::Decrypted);
}
