//! Fuzz target `decide`: see `ccattr_fuzz::decide` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::decide(data));
