mod broken {
    ccattr_macros::include_spec!("tests/ui/specs/syntax.ccattr");
}

fn main() {}
