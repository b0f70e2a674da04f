//! Fuzz target `emit`: see `ccattr_fuzz::emit` for the properties it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ccattr_fuzz::emit(data));
