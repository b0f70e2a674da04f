//! What the end-to-end tests share lives in the `ccattr-test-support` crate; this
//! module only brings it into each test binary under one name.

pub use ccattr_test_support::*;
