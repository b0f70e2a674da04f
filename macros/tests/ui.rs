//! Compile-time behaviour of `include_spec!`, with trybuild: a valid spec builds and
//! runs; a spec error is a compile error showing the spec's file, line, column,
//! code and message; misuse is explained.

#[test]
fn ui() {
    // trybuild compiles the cases in a project of its own under the target
    // directory; relative spec paths must still resolve against this crate.
    std::env::set_var("CCATTR_INCLUDE_SPEC_DIR", env!("CARGO_MANIFEST_DIR"));
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
