//! Fuzz target `check`: see `ccattr_fuzz::check` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::check(data));
