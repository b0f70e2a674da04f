//! What the benchmarks compare the generated lookups with, and the inputs they share
//! with the C harness and the compiler benchmark (docs/performance.md).
//!
//! - [`hv_is_private_mmio`] and [`hv_ioremap_decide`]: the kernel's hand-written
//!   Hyper-V vTOM policy, the target for `examples/hyperv_vtom.ccattr`.
//! - [`LinearScan`]: the rules as a flat list scanned from start to end, the way a
//!   hand-written table without an index answers; the baseline of the scale runs.
//! - [`queries`]: the addresses every lookup benchmark asks about.
//! - [`devicetree`] and [`proto_enum`]: the inputs that dtc and protoc compile in the
//!   compiler benchmark, as large as the scale spec they stand beside.

use ccattr_core::dnf;
use ccattr_core::model::Model;
use ccattr_core::Decision;
use ccattr_test_support::synth::{Rng, ScaleDevice};
use std::fmt::Write as _;

/// The IO-APIC page that Hyper-V's paravisor emulates (`HV_IOAPIC_BASE_ADDRESS`).
pub const HV_IOAPIC_BASE_ADDRESS: u64 = 0xfec0_0000;
/// The vTPM page (`VTPM_BASE_ADDRESS`).
pub const VTPM_BASE_ADDRESS: u64 = 0xfed4_0000;
pub const PAGE_SIZE: u64 = 0x1000;

/// The kernel's `hv_is_private_mmio()` (arch/x86/hyperv/ivm.c, v6.4): two page
/// compares.
#[inline]
pub fn hv_is_private_mmio(addr: u64) -> bool {
    // The IO-APIC and the vTPM are in the trusted half.
    if (HV_IOAPIC_BASE_ADDRESS..HV_IOAPIC_BASE_ADDRESS + PAGE_SIZE).contains(&addr) {
        return true;
    }
    (VTPM_BASE_ADDRESS..VTPM_BASE_ADDRESS + PAGE_SIZE).contains(&addr)
}

/// What the kernel's `__ioremap_check_other()` decides with that callback: when guest
/// memory is encrypted, encrypted if the start address is private and decrypted
/// otherwise; the caller's own logic when it is not. `guest_mem_encrypt` is the
/// attribute's bit in `attrs`.
#[inline]
pub fn hv_ioremap_decide(attrs: u64, guest_mem_encrypt: u64, addr: u64, size: u64) -> Decision {
    if size == 0 || addr.checked_add(size - 1).is_none() {
        return Decision::Invalid;
    }
    if attrs & guest_mem_encrypt == 0 {
        Decision::Unspecified
    } else if hv_is_private_mmio(addr) {
        Decision::Encrypted
    } else {
        Decision::Decrypted
    }
}

/// One rule term over one region: it decides `decision` for an address inside
/// `[start, last]` under a full set `s` with `s & mask == value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearEntry {
    pub start: u64,
    pub last: u64,
    /// How many regions enclose this one: the innermost device decides first.
    pub depth: u32,
    pub mask: u64,
    pub value: u64,
    pub decision: Decision,
}

/// The rules of a spec as a flat list, without an index: every `map` rule's terms
/// for every region of its device, in source order, then the `default` rules.
#[derive(Clone, Debug)]
pub struct LinearScan {
    pub entries: Vec<LinearEntry>,
    /// `(mask, value, decision)` of the `default` rules' terms, in source order.
    pub defaults: Vec<(u64, u64, Decision)>,
}

impl LinearScan {
    pub fn new(model: &Model) -> LinearScan {
        let depth = region_depths(model);
        let mut entries = Vec::new();
        let mut defaults = Vec::new();
        for rule in &model.rules {
            let terms = match &rule.cond {
                Some(c) => dnf::terms(c),
                None => vec![dnf::Term::TRUE],
            };
            let decision = Decision::from(rule.mapping);
            match rule.device {
                Some(d) => {
                    for (r, region) in model.devices[d].regions.iter().enumerate() {
                        for t in &terms {
                            entries.push(LinearEntry {
                                start: region.start,
                                last: region.last,
                                depth: depth[d][r],
                                mask: t.mask,
                                value: t.value,
                                decision,
                            });
                        }
                    }
                }
                None => defaults.extend(terms.iter().map(|t| (t.mask, t.value, decision))),
            }
        }
        LinearScan { entries, defaults }
    }

    /// The decision for the byte at `addr`: the deepest entry that holds, the first
    /// of them in source order; else the first default that holds.
    #[inline(never)]
    pub fn decide_byte(&self, attrs: u64, addr: u64) -> Decision {
        let mut best: Option<(u32, Decision)> = None;
        for e in &self.entries {
            if e.start <= addr
                && addr <= e.last
                && attrs & e.mask == e.value
                && best.is_none_or(|(depth, _)| e.depth > depth)
            {
                best = Some((e.depth, e.decision));
            }
        }
        if let Some((_, d)) = best {
            return d;
        }
        self.defaults
            .iter()
            .find(|&&(mask, value, _)| attrs & mask == value)
            .map_or(Decision::Unspecified, |&(_, _, d)| d)
    }

    /// Whether the byte at `addr` is mapped encrypted.
    pub fn is_private_mmio(&self, attrs: u64, addr: u64) -> bool {
        self.decide_byte(attrs, addr) == Decision::Encrypted
    }
}

/// For each device, for each of its regions: how many regions of other devices
/// enclose it.
fn region_depths(model: &Model) -> Vec<Vec<u32>> {
    let mut all: Vec<(u64, u64, usize, usize)> = model
        .devices
        .iter()
        .enumerate()
        .flat_map(|(d, dev)| {
            dev.regions
                .iter()
                .enumerate()
                .map(move |(r, reg)| (reg.start, reg.last, d, r))
        })
        .collect();
    // Outer regions first where two start together.
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut depth: Vec<Vec<u32>> = model
        .devices
        .iter()
        .map(|d| vec![0; d.regions.len()])
        .collect();
    let mut open: Vec<u64> = Vec::new(); // the last byte of each enclosing region
    for (start, last, d, r) in all {
        while open.last().is_some_and(|&l| l < start) {
            open.pop();
        }
        depth[d][r] = open.len() as u32;
        open.push(last);
    }
    depth
}

/// `count` addresses for the scale benchmarks: seven in eight inside a random region
/// of a random device (at a random page of it), one in eight anywhere.
pub fn queries(devices: &[ScaleDevice], count: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            if devices.is_empty() || rng.below(8) == 0 {
                return rng.next_u64();
            }
            let d = &devices[rng.below(devices.len() as u64) as usize];
            let (base, size) = d.regions[rng.below(d.regions.len() as u64) as usize];
            base + rng.below(size)
        })
        .collect()
}

/// The addresses of the vTOM benchmark: the IO-APIC and vTPM pages, the rest of the
/// TPM window, the other MMIO below 4 GiB that a guest maps (HPET, LAPIC, PCI
/// holes), and random addresses.
pub fn vtom_queries(count: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    let places: [(u64, u64); 6] = [
        (HV_IOAPIC_BASE_ADDRESS, PAGE_SIZE),
        (VTPM_BASE_ADDRESS, PAGE_SIZE),
        (VTPM_BASE_ADDRESS + PAGE_SIZE, 4 * PAGE_SIZE),
        (0xfed0_0000, PAGE_SIZE),   // HPET
        (0xfee0_0000, PAGE_SIZE),   // local APIC
        (0xc000_0000, 0x3e00_0000), // PCI hole below 4 GiB
    ];
    (0..count)
        .map(|_| match rng.below(8) {
            7 => rng.next_u64(),
            k => {
                let (base, size) = places[k as usize % places.len()];
                base + rng.below(size)
            }
        })
        .collect()
}

/// A devicetree source with a node holding `reg` for each device, as dtc 1.6 takes
/// it: 100 parents (simple buses) of at most `ceil(n / 100)` children each, since
/// dtc fails on some ten thousand children of one node.
pub fn devicetree(devices: &[ScaleDevice]) -> String {
    let mut out = String::with_capacity(devices.len() * 96 + 256);
    out.push_str("/dts-v1/;\n\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n");
    out.push_str("\tcompatible = \"ccattr,scale-benchmark\";\n");
    // 100 parents, and more past 500,000 devices: dtc's parser fails on a node of
    // some ten thousand children (a bison stack of 10,000).
    let per_parent = devices.len().div_ceil(100).clamp(1, 5000);
    for (p, chunk) in devices.chunks(per_parent).enumerate() {
        let _ = write!(
            out,
            "\n\tbus@{p:x} {{\n\t\tcompatible = \"simple-bus\";\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n"
        );
        for d in chunk {
            let (base, size) = d.regions[0];
            let _ = writeln!(
                out,
                "\t\t{}@{base:x} {{ reg = <{:#x} {:#x} {:#x} {:#x}>; }};",
                d.name,
                base >> 32,
                base & 0xffff_ffff,
                size >> 32,
                size & 0xffff_ffff
            );
        }
        out.push_str("\t};\n");
    }
    out.push_str("};\n");
    out
}

/// A proto3 file with one enum of `n` values, as protoc takes it.
pub fn proto_enum(n: usize) -> String {
    let mut out = String::with_capacity(n * 24 + 128);
    out.push_str("syntax = \"proto3\";\n\npackage ccattr.bench;\n\nenum ScaleAttr {\n");
    for i in 0..n {
        let _ = writeln!(out, "  SCALE_ATTR_{i} = {i};");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccattr_codegen::compile;
    use ccattr_test_support::synth::{scale_spec, ScaleParams};

    #[test]
    fn hand_written_vtom_matches_the_example() {
        let table = ccattr_test_support::example("hyperv_vtom.ccattr").table;
        let gme = 1
            << table
                .attr_index("CC_ATTR_GUEST_MEM_ENCRYPT")
                .expect("declared");
        let attrs = table
            .platform("hyperv_vtom_paravisor")
            .expect("declared")
            .full;
        for addr in vtom_queries(10_000, 1) {
            assert_eq!(hv_is_private_mmio(addr), table.is_private_mmio(attrs, addr));
            assert_eq!(
                hv_ioremap_decide(attrs, gme, addr, 1),
                table.decide(attrs, addr, 1),
                "{addr:#x}"
            );
        }
    }

    #[test]
    fn linear_scan_agrees_with_the_table() {
        let spec = scale_spec(&ScaleParams::new(200));
        let c = compile("scale.ccattr", spec.text.as_bytes()).expect("valid");
        let (model, table) = (c.model, c.table);
        let scan = LinearScan::new(&model);
        let mut rng = Rng::new(7);
        let mut addrs = queries(&spec.devices, 2_000, 3);
        addrs.extend(table.boundaries());
        for addr in addrs {
            let attrs = table.close(rng.next_u64());
            assert_eq!(
                scan.decide_byte(attrs, addr),
                table.decide(attrs, addr, 1),
                "{addr:#x}"
            );
        }
    }

    #[test]
    fn devicetree_has_a_node_per_device() {
        let spec = scale_spec(&ScaleParams::new(250));
        let dts = devicetree(&spec.devices);
        assert_eq!(dts.matches("reg = <").count(), 250);
        assert_eq!(dts.matches("simple-bus").count(), 84);
        assert_eq!(proto_enum(3).matches("  SCALE_ATTR_").count(), 3);
    }
}
