//! Fuzz target `lsp`: see `ccattr_fuzz::lsp` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::lsp(data));
