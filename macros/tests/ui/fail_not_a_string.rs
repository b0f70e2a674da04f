mod wrong {
    ccattr_macros::include_spec!(tests / ui / specs / vtom);
}

fn main() {}
