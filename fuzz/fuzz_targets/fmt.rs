//! Fuzz target `fmt`: see `ccattr_fuzz::fmt` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::fmt(data));
