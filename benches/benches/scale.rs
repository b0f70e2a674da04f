//! Generated lookups over specs of many devices against a linear scan of the rules and
//! the compiler's own `DecisionTable` (docs/performance.md, "Lookup: scale").
//!
//! The device counts are those of `CCATTR_BENCH_DEVICES` when the benchmarks were
//! built (see build.rs). Each benchmark cycles through the same 16,384 addresses,
//! seven in eight inside a device; the linear scan, thousands of times slower, gets
//! the first 256 of them. criterion reports the time per address.

use ccattr_benches::{queries, LinearScan, PAGE_SIZE};
use ccattr_codegen::compile;
use ccattr_core::Decision;
use ccattr_test_support::synth::{scale_spec, ScaleParams};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts allocations, to show that a lookup makes none.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const QUERIES: usize = 16_384;
const LINEAR_QUERIES: usize = 256;

/// A generated module's lookups, as plain functions over bits.
struct Generated {
    devices: usize,
    is_private_mmio: fn(u64, u64) -> bool,
    decide: fn(u64, u64, u64) -> u8,
}

macro_rules! scale_modules {
    ($($name:ident: $devices:literal,)*) => {
        $(
            #[allow(dead_code, clippy::all)]
            mod $name {
                include!(concat!(env!("OUT_DIR"), "/", stringify!($name), ".rs"));
            }
        )*

        const GENERATED: &[Generated] = &[$(
            Generated {
                devices: $devices,
                is_private_mmio: |attrs, addr| {
                    $name::is_private_mmio($name::AttrSet::from_bits(attrs), addr)
                },
                decide: |attrs, addr, size| {
                    $name::decide($name::AttrSet::from_bits(attrs), addr, size) as u8
                },
            },
        )*];
    };
}

include!(concat!(env!("OUT_DIR"), "/scale.rs"));

fn scale(c: &mut Criterion) {
    for g in GENERATED {
        let n = g.devices;
        let spec = scale_spec(&ScaleParams::new(n));
        let checked = compile("scale.ccattr", spec.text.as_bytes()).expect("the scale spec checks");
        let (model, table) = (checked.model, checked.table);
        let scan = LinearScan::new(&model);
        let attrs = table.platforms.first().map_or(0, |p| p.full);
        let addrs = queries(&spec.devices, QUERIES, ScaleParams::new(n).seed);
        let pages: Vec<u64> = addrs.iter().map(|a| a & !(PAGE_SIZE - 1)).collect();

        // The answers agree, and a lookup allocates nothing.
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let mut agree = true;
        for (&a, &p) in addrs.iter().zip(&pages) {
            agree &=
                (g.is_private_mmio)(attrs, a) == (table.decide(attrs, a, 1) == Decision::Encrypted);
            agree &= (g.decide)(attrs, p, PAGE_SIZE) == table.decide(attrs, p, PAGE_SIZE) as u8;
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert!(
            agree,
            "scale_{n}: the generated lookup disagrees with the table"
        );
        for &a in &addrs[..LINEAR_QUERIES] {
            assert_eq!(
                scan.decide_byte(attrs, a),
                table.decide(attrs, a, 1),
                "{a:#x}"
            );
        }
        println!(
            "scale_{n}: {} intervals, {} rule sets, {} linear entries; \
             allocations in {} generated lookups: {allocations}",
            table.intervals.len(),
            table.rule_sets.len(),
            scan.entries.len(),
            2 * QUERIES
        );

        let mut group = c.benchmark_group(format!("scale/{n}"));
        group.throughput(Throughput::Elements(QUERIES as u64));
        group.bench_function(BenchmarkId::new("is_private_mmio", "generated"), |b| {
            b.iter(|| {
                let attrs = black_box(attrs);
                addrs
                    .iter()
                    .filter(|&&a| (g.is_private_mmio)(attrs, a))
                    .count()
            })
        });
        group.bench_function(BenchmarkId::new("decide", "generated"), |b| {
            b.iter(|| {
                let attrs = black_box(attrs);
                pages
                    .iter()
                    .map(|&p| u64::from((g.decide)(attrs, p, PAGE_SIZE)))
                    .sum::<u64>()
            })
        });
        group.bench_function(BenchmarkId::new("is_private_mmio", "decision-table"), |b| {
            b.iter(|| {
                let attrs = black_box(attrs);
                addrs
                    .iter()
                    .filter(|&&a| table.is_private_mmio(attrs, a))
                    .count()
            })
        });
        group.throughput(Throughput::Elements(LINEAR_QUERIES as u64));
        group.bench_function(BenchmarkId::new("is_private_mmio", "linear-scan"), |b| {
            b.iter(|| {
                let attrs = black_box(attrs);
                addrs[..LINEAR_QUERIES]
                    .iter()
                    .filter(|&&a| scan.is_private_mmio(attrs, a))
                    .count()
            })
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = scale
}
criterion_main!(benches);
