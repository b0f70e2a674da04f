// The module is typed like hand-written Rust: misuse is an ordinary type error.
mod vtom {
    ccattr_macros::include_spec!("tests/ui/specs/vtom.ccattr");
}

fn main() {
    let _ = vtom::is_private_mmio(0xFEC0_0000, vtom::platforms::PARAVISOR);
}
