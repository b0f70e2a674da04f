//! What `c_output.rs` and `rust_output.rs` share: the specs whose generated code they
//! build (every `examples/*.ccattr` and `tests/c/corners.ccattr`), and the queries
//! they put to it, whose answers come from the decision table itself.

#![allow(dead_code)]

use ccattr_core::{Decision, DecisionTable};
use ccattr_test_support::checked_file;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ccattr"))
        .collect();
    paths.sort();
    paths
}

/// Every example spec (sorted) and the corner cases (`tests/c/` and the version 2
/// corners of `test-support/specs/probed.ccattr`), compiled: `(file name, table)`.
pub fn specs() -> Vec<(String, DecisionTable)> {
    let mut paths = spec_files(&root().join("examples"));
    paths.extend(spec_files(&root().join("tests/c")));
    paths.push(root().join("test-support/specs/probed.ccattr"));
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, checked_file(&path).table)
        })
        .collect()
}

pub use super::support::have;

/// A deterministic stream of 64-bit values.
pub use ccattr_test_support::synth::Rng as Random;

/// Base sets to close: each platform's, none, all bits, every single bit, random ones.
pub fn base_sets(table: &DecisionTable, random: &mut Random) -> Vec<u64> {
    let mut out: Vec<u64> = table.platforms.iter().map(|p| p.sets).collect();
    out.extend([0, u64::MAX, table.base_mask]);
    out.extend((0..64).map(|i| 1u64 << i));
    out.extend((0..16).map(|_| random.next_u64()));
    out.extend((0..16).map(|_| random.next_u64() & table.base_mask));
    out
}

/// Full sets to decide under: each platform's, closures of random bases, and sets
/// that no closure gives (none, all bits).
pub fn full_sets(table: &DecisionTable, random: &mut Random) -> Vec<u64> {
    let mut out: Vec<u64> = table.platforms.iter().map(|p| p.full).collect();
    out.extend([0, u64::MAX]);
    out.extend((0..6).map(|_| table.close(random.next_u64())));
    out.sort_unstable();
    out.dedup();
    out
}

/// The queries of the probed devices (version 2): `(full set, probed device's
/// position, capability set, decision)` for every probed device, every full set of
/// [`full_sets`] and every capability set its rules can tell apart (each also with
/// the undeclared bits set).
pub fn probed_cases(
    table: &DecisionTable,
    random: &mut Random,
) -> Vec<(u64, usize, u32, Decision)> {
    let fulls = full_sets(table, random);
    let mut out = Vec::new();
    for (n, (device, d)) in table.probed_devices().enumerate() {
        let Some(rule_set) = d.probed else { continue };
        for caps in ccattr_test_support::tables::cap_sets(table, rule_set) {
            for &attrs in &fulls {
                let want = table
                    .decide_probed(attrs, device, caps)
                    .expect("a probed device decides");
                out.push((attrs, n, caps, want));
            }
        }
    }
    out
}

/// Ranges at every boundary, from 0 and to 2^64 - 1, of size 0, of sizes that cross
/// the next boundaries, and of sizes that run past 2^64.
pub fn ranges(table: &DecisionTable) -> Vec<(u64, u64)> {
    let mut points = table.boundaries();
    points.extend([0, 1, 0xfff, 0x1000, u64::MAX - 1, u64::MAX]);
    points.sort_unstable();
    points.dedup();
    let mut out = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        let to_end = u64::MAX - p;
        for size in [
            0,
            1,
            2,
            8,
            0x1000,
            0x10_0000,
            to_end,
            to_end.wrapping_add(1),
        ] {
            out.push((p, size));
        }
        out.push((p, to_end.wrapping_add(2)));
        out.push((p, u64::MAX));
        // Ranges that end at each of the next boundaries.
        for &q in points[i..].iter().take(8) {
            out.push((p, (q - p).wrapping_add(1)));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
