fn main() -> Result<(), ccattr_build::Error> {
    ccattr_build::compile_specs(&["../hyperv_vtom.ccattr"])
}
