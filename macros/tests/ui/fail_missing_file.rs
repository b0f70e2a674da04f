mod missing {
    ccattr_macros::include_spec!("tests/ui/specs/no_such_spec.ccattr");
}

fn main() {}
