//! Fuzz target `parse`: see `ccattr_fuzz::parse` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::parse(data));
