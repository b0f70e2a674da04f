//! The generated lookups of `examples/hyperv_vtom.ccattr` against the kernel's
//! hand-written `hv_is_private_mmio()` (docs/performance.md, "Lookup: vTOM").
//!
//! Each benchmark answers the same 16,384 addresses; criterion reports the time per
//! address. `inline` lets the compiler inline the lookup into the loop; `callback`
//! calls it through a function pointer, as the kernel calls
//! `x86_platform.hyper.is_private_mmio()`, with the attribute set bound at boot (read
//! from a static).

use ccattr_benches::{hv_ioremap_decide, hv_is_private_mmio, vtom_queries, PAGE_SIZE};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[allow(dead_code)]
mod vtom {
    include!(concat!(env!("OUT_DIR"), "/hyperv_vtom.rs"));
}

const QUERIES: usize = 16_384;

/// `attrs` for the inline benchmarks: known at run time only.
fn paravisor() -> vtom::AttrSet {
    black_box(vtom::platforms::HYPERV_VTOM_PARAVISOR)
}

/// The attribute set that the callbacks read, bound at boot as the kernel would bind
/// it: a plain load, never a constant.
static BOUND_ATTRS: AtomicU64 = AtomicU64::new(0);

fn bound() -> vtom::AttrSet {
    vtom::AttrSet::from_bits(BOUND_ATTRS.load(Ordering::Relaxed))
}

fn generated_private(addr: u64) -> bool {
    vtom::is_private_mmio(bound(), addr)
}

fn generated_decide(addr: u64) -> u8 {
    vtom::decide(bound(), addr, PAGE_SIZE) as u8
}

fn hand_written_decide(addr: u64) -> u8 {
    let gme = vtom::CcAttr::GuestMemEncrypt.bit();
    hv_ioremap_decide(bound().bits(), gme, addr, PAGE_SIZE) as u8
}

fn is_private_mmio(c: &mut Criterion) {
    BOUND_ATTRS.store(paravisor().bits(), Ordering::Relaxed);
    let addrs = vtom_queries(QUERIES, 0x7107);
    for &a in &addrs {
        assert_eq!(generated_private(a), hv_is_private_mmio(a), "{a:#x}");
    }
    let mut g = c.benchmark_group("vtom/is_private_mmio");
    g.throughput(Throughput::Elements(addrs.len() as u64));
    g.bench_function("hand-written/inline", |b| {
        b.iter(|| addrs.iter().filter(|&&a| hv_is_private_mmio(a)).count())
    });
    g.bench_function("generated/inline", |b| {
        b.iter(|| {
            let attrs = paravisor();
            addrs
                .iter()
                .filter(|&&a| vtom::is_private_mmio(attrs, a))
                .count()
        })
    });
    let hand: fn(u64) -> bool = black_box(hv_is_private_mmio);
    let generated: fn(u64) -> bool = black_box(generated_private);
    g.bench_function("hand-written/callback", |b| {
        b.iter(|| addrs.iter().filter(|&&a| hand(a)).count())
    });
    g.bench_function("generated/callback", |b| {
        b.iter(|| addrs.iter().filter(|&&a| generated(a)).count())
    });
    g.finish();
}

fn decide(c: &mut Criterion) {
    BOUND_ATTRS.store(paravisor().bits(), Ordering::Relaxed);
    let addrs: Vec<u64> = vtom_queries(QUERIES, 0x7107)
        .into_iter()
        .map(|a| a & !(PAGE_SIZE - 1))
        .collect();
    for &a in &addrs {
        assert_eq!(generated_decide(a), hand_written_decide(a), "{a:#x}");
    }
    let mut g = c.benchmark_group("vtom/decide");
    g.throughput(Throughput::Elements(addrs.len() as u64));
    let gme = vtom::CcAttr::GuestMemEncrypt.bit();
    g.bench_function("hand-written/inline", |b| {
        b.iter(|| {
            let attrs = paravisor().bits();
            addrs
                .iter()
                .map(|&a| hv_ioremap_decide(attrs, gme, a, PAGE_SIZE) as u64)
                .sum::<u64>()
        })
    });
    g.bench_function("generated/inline", |b| {
        b.iter(|| {
            let attrs = paravisor();
            addrs
                .iter()
                .map(|&a| vtom::decide(attrs, a, PAGE_SIZE) as u64)
                .sum::<u64>()
        })
    });
    let hand: fn(u64) -> u8 = black_box(hand_written_decide);
    let generated: fn(u64) -> u8 = black_box(generated_decide);
    g.bench_function("hand-written/callback", |b| {
        b.iter(|| addrs.iter().map(|&a| u64::from(hand(a))).sum::<u64>())
    });
    g.bench_function("generated/callback", |b| {
        b.iter(|| addrs.iter().map(|&a| u64::from(generated(a))).sum::<u64>())
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = is_private_mmio, decide
}
criterion_main!(benches);
