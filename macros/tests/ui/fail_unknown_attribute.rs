mod typo {
    ccattr_macros::include_spec!("tests/ui/specs/unknown_attribute.ccattr");
}

fn main() {}
