//! Fuzz target `review`: see `ccattr_fuzz::review` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::review(data));
