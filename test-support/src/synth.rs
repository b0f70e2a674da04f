//! Synthetic specs: valid specs of any size from a seed, for differential tests,
//! fuzzing seeds and benchmarks. Deterministic: the same parameters give the same text.

use std::fmt::Write as _;

/// A small, fast, deterministic generator (SplitMix64); no outside dependency needed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    pub name: String,
    pub seed: u64,
    pub base_attrs: usize,
    pub derived_attrs: usize,
    pub platforms: usize,
    /// Top-level devices; nested ones come on top.
    pub devices: usize,
    /// Percent chance that a region holds nested devices.
    pub nest_percent: u64,
    pub max_rules_per_device: usize,
    pub default_rules: usize,
    /// Use a `naming` block with this prefix (names then start with it).
    pub prefix: Option<String>,
    /// Version 2: capabilities (at most 32), probed devices (each with up to
    /// `max_rules_per_device` rules over attributes and capabilities), and the
    /// percent chance that a rule refuses. All zero: a version 1 spec.
    pub caps: usize,
    pub probed: usize,
    pub refuse_percent: u64,
}

impl Params {
    /// Small random shapes, for differential testing.
    pub fn small(name: &str, seed: u64) -> Params {
        let mut r = Rng::new(seed ^ 0xC0FF_EE00);
        Params {
            name: name.to_string(),
            seed,
            base_attrs: 1 + r.below(7) as usize,
            derived_attrs: r.below(4) as usize,
            platforms: r.below(5) as usize,
            devices: r.below(7) as usize,
            nest_percent: 40,
            max_rules_per_device: 3,
            default_rules: r.below(3) as usize,
            prefix: if r.chance(50) {
                Some("X_ATTR_".into())
            } else {
                None
            },
            caps: 0,
            probed: 0,
            refuse_percent: 0,
        }
        .with_v2(seed)
    }

    /// Half the time, version 2 parts: up to 5 capabilities, up to 3 probed devices
    /// and refusing rules. Drawn from a generator of their own, so that the version 1
    /// part of the spec is the same either way.
    pub fn with_v2(mut self, seed: u64) -> Params {
        let mut r = Rng::new(seed ^ 0x0CA9_5E70);
        if r.chance(50) {
            self.caps = r.below(6) as usize;
            self.probed = r.below(4) as usize;
            self.refuse_percent = r.below(30);
        }
        self
    }

    /// Whether the spec uses a version 2 part.
    pub fn uses_v2(&self) -> bool {
        self.caps > 0 || self.probed > 0 || self.refuse_percent > 0
    }
}

struct Gen {
    rng: Rng,
    out: String,
    attrs: Vec<String>,
    devices: Vec<(String, Vec<(u128, u128)>)>,
    /// Version 2: what the version 2 parts draw from, the capabilities, the chance
    /// that a rule refuses, and whether the rule being made may read capabilities.
    v2: Rng,
    caps: Vec<String>,
    refuse_percent: u64,
    in_probed: bool,
}

/// Generate a valid spec.
pub fn spec(p: &Params) -> String {
    let mut g = Gen {
        rng: Rng::new(p.seed),
        out: String::new(),
        attrs: Vec::new(),
        devices: Vec::new(),
        v2: Rng::new(p.seed ^ 0x7D15_9000),
        caps: (0..p.caps.min(32)).map(|i| format!("CAP{i}")).collect(),
        refuse_percent: p.refuse_percent,
        in_probed: false,
    };
    let _ = writeln!(
        g.out,
        "/// Synthetic spec {} (seed {}).\nspec {};\n",
        p.name, p.seed, p.name
    );
    let prefix = p.prefix.clone().unwrap_or_else(|| "ATTR_".to_string());
    if let Some(px) = &p.prefix {
        let _ = writeln!(g.out, "naming {{\n    prefix = \"{px}\";\n}}\n");
    }
    let n_base = p.base_attrs.clamp(1, 64);
    let n_derived = p.derived_attrs.min(64 - n_base);
    for i in 0..n_base {
        let name = format!("{prefix}B{i}");
        let mut line = format!("/// Base attribute {i}.\nattr {name}");
        let implies: Vec<String> = (0..n_base)
            .filter(|&j| j != i && g.rng.chance(15))
            .take(3)
            .map(|j| format!("{prefix}B{j}"))
            .collect();
        if !implies.is_empty() {
            line.push_str(&format!(" implies {}", implies.join(", ")));
        }
        line.push(';');
        let _ = writeln!(g.out, "{line}");
        g.attrs.push(name);
    }
    for i in 0..n_derived {
        let name = format!("{prefix}D{i}");
        let e = g.expr(3);
        let _ = writeln!(g.out, "/// Derived attribute {i}.\nattr {name} = {e};");
        g.attrs.push(name);
    }
    for c in &g.caps {
        let _ = writeln!(g.out, "/// Capability {c}.\ncapability {c};");
    }
    g.out.push('\n');
    for i in 0..p.platforms {
        let sets: Vec<String> = (0..n_base)
            .filter(|_| g.rng.chance(40))
            .map(|j| format!("{prefix}B{j}"))
            .collect();
        if sets.is_empty() {
            let _ = writeln!(g.out, "platform p{i} {{}}");
        } else {
            let _ = writeln!(g.out, "platform p{i} {{ sets {}; }}", sets.join(", "));
        }
    }
    g.out.push('\n');
    // Regions: a few windows of the address space, including its two ends.
    let windows: [(u128, u128); 3] = [
        (0, 1 << 24),
        (0xFE00_0000, 0x1_0000_0000),
        ((1 << 64) - (1 << 24), 1 << 64),
    ];
    let per_window = p.devices.div_ceil(3).max(1);
    let mut left = p.devices;
    for (lo, hi) in windows {
        let k = per_window.min(left);
        left -= k;
        g.regions(lo, hi, k, p.nest_percent, 0);
    }
    for (name, regions) in &g.devices {
        let _ = write!(g.out, "device {name} {{");
        for (s, e) in regions {
            let _ = write!(g.out, " mmio {s:#X} size {:#X};", e - s);
        }
        g.out.push_str(" }\n");
    }
    for i in 0..p.probed {
        let _ = writeln!(g.out, "/// Probed device {i}.\ndevice bar{i} {{ probed; }}");
    }
    g.out.push('\n');
    let names: Vec<String> = g.devices.iter().map(|d| d.0.clone()).collect();
    for d in names {
        let n = g.rng.below(p.max_rules_per_device as u64 + 1);
        for _ in 0..n {
            let rule = g.rule();
            let _ = writeln!(g.out, "map {d} {rule}");
        }
    }
    for i in 0..p.probed {
        g.in_probed = true;
        let n = g.v2.below(p.max_rules_per_device as u64 + 2);
        for _ in 0..n {
            let rule = g.rule();
            let _ = writeln!(g.out, "map bar{i} {rule}");
        }
        g.in_probed = false;
    }
    for _ in 0..p.default_rules {
        let rule = g.rule();
        let _ = writeln!(g.out, "default {rule}");
    }
    g.out
}

impl Gen {
    fn rule(&mut self) -> String {
        let m = if self.rng.chance(50) {
            "encrypted"
        } else {
            "decrypted"
        };
        let m = if self.refuse_percent > 0 && self.v2.chance(self.refuse_percent) {
            "refuse"
        } else {
            m
        };
        if self.rng.chance(20) {
            format!("{m};")
        } else {
            let e = self.expr(3);
            format!("{m} when {e};")
        }
    }

    fn expr(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(35) {
            return match self.rng.below(20) {
                0 => "true".into(),
                1 => "false".into(),
                // In a probed device's rules, a capability half the time.
                _ if self.in_probed && !self.caps.is_empty() && self.v2.chance(50) => {
                    let i = self.v2.below(self.caps.len() as u64) as usize;
                    self.caps[i].clone()
                }
                _ if self.attrs.is_empty() => "true".into(),
                _ => {
                    let i = self.rng.below(self.attrs.len() as u64) as usize;
                    self.attrs[i].clone()
                }
            };
        }
        match self.rng.below(4) {
            0 => format!("!{}", self.paren(depth - 1)),
            1 => format!("{} && {}", self.paren(depth - 1), self.paren(depth - 1)),
            2 => format!("{} || {}", self.expr(depth - 1), self.expr(depth - 1)),
            _ => format!("({})", self.expr(depth - 1)),
        }
    }

    fn paren(&mut self, depth: u32) -> String {
        let e = self.expr(depth);
        if e.contains(' ') {
            format!("({e})")
        } else {
            e
        }
    }

    /// `k` disjoint regions inside `[lo, hi)`, some with nested regions inside.
    fn regions(&mut self, lo: u128, hi: u128, k: usize, nest: u64, depth: u32) {
        if k == 0 || hi - lo < 4 {
            return;
        }
        let span = hi - lo;
        let mut points: Vec<u128> = (0..2 * k)
            .map(|_| {
                let r = u128::from(self.rng.next_u64()) % span;
                let aligned = self.rng.chance(70);
                let p = lo + if aligned { r & !0xFFF } else { r };
                p.clamp(lo, hi)
            })
            .collect();
        // Sometimes touch the window's edges exactly.
        if self.rng.chance(30) {
            points[0] = lo;
        }
        if self.rng.chance(30) {
            let last = points.len() - 1;
            points[last] = hi;
        }
        points.sort_unstable();
        points.dedup();
        let mut pairs: Vec<(u128, u128)> = points.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        pairs.retain(|(s, e)| e > s);
        let mut i = 0;
        while i < pairs.len() {
            let (s, e) = pairs[i];
            let name = format!("dev{}", self.devices.len());
            let mut regions = vec![(s, e)];
            // A second, disjoint region of the same device: the next sibling.
            if i + 1 < pairs.len() && self.rng.chance(15) {
                regions.push(pairs[i + 1]);
                i += 1;
            }
            let nested: Vec<(u128, u128)> = regions.clone();
            self.devices.push((name, regions));
            for (s, e) in nested {
                if depth < 3 && self.rng.chance(nest) && e - s >= 8 {
                    // Strictly inside: shrink by at least one byte on one side.
                    let (cs, ce) = if self.rng.chance(50) {
                        (s + 1, e)
                    } else {
                        (s, e - 1)
                    };
                    let kids = 1 + self.rng.below(2) as usize;
                    self.regions(cs, ce, kids, nest / 2, depth + 1);
                }
            }
            i += 1;
        }
    }
}

/// The shape of the scale benchmarks (docs/performance.md): `devices` devices in
/// nested MMIO regions, two to four `map` rules each, and 32 attributes.
#[derive(Clone, Debug)]
pub struct ScaleParams {
    pub name: String,
    pub seed: u64,
    /// The number of devices, nested ones included.
    pub devices: usize,
}

impl ScaleParams {
    /// The benchmark spec of `devices` devices, named `scale_DEVICES`.
    pub fn new(devices: usize) -> ScaleParams {
        ScaleParams {
            name: format!("scale_{devices}"),
            seed: 0x5CA1_E000 ^ devices as u64,
            devices,
        }
    }
}

/// One device of a scale spec: its name and its regions as `(base, size)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleDevice {
    pub name: String,
    pub regions: Vec<(u64, u64)>,
    /// How many devices enclose it (0: top level).
    pub depth: u32,
}

/// A generated scale spec: its text and the devices it declares, in order.
#[derive(Clone, Debug)]
pub struct ScaleSpec {
    pub text: String,
    pub devices: Vec<ScaleDevice>,
}

/// The attributes of a scale spec: base, then derived.
const SCALE_BASE_ATTRS: usize = 24;
const SCALE_DERIVED_ATTRS: usize = 8;
/// Top-level devices sit one per MiB from here; second regions one per page from
/// `SCALE_SECOND_WINDOW`, above the first window's 2^20 slots (1 TiB): a million
/// devices fit without one window running into the other.
const SCALE_WINDOW: u64 = 0x40_0000_0000;
const SCALE_SLOT: u64 = 0x10_0000;
const SCALE_SECOND_WINDOW: u64 = 0x400_0000_0000;
const _: () = assert!(SCALE_WINDOW + (1 << 20) * SCALE_SLOT <= SCALE_SECOND_WINDOW);
const PAGE: u64 = 0x1000;

/// Generate a scale spec: a machine with many PCI-like devices whose BARs sometimes
/// hold nested windows (an MSI-X table, a doorbell page), some with a second region,
/// each with two to four rules over 32 attributes (24 base, 8 derived).
pub fn scale_spec(p: &ScaleParams) -> ScaleSpec {
    let mut rng = Rng::new(p.seed);
    let mut out = String::with_capacity(p.devices * 200 + 4096);
    // Short names and no per-device comments keep 100,000 devices under the 16 MiB
    // limit on a spec's size.
    let attr = |i: usize| {
        if i < SCALE_BASE_ATTRS {
            format!("F{i}")
        } else {
            format!("D{}", i - SCALE_BASE_ATTRS)
        }
    };
    let _ = writeln!(
        out,
        "/// Scale benchmark spec: {} devices, 32 attributes (seed {:#x}).\nspec {};\n",
        p.devices, p.seed, p.name
    );
    for i in 0..SCALE_BASE_ATTRS {
        let _ = write!(out, "/// Base attribute {i}.\nattr {}", attr(i));
        if i % 6 == 5 {
            let _ = write!(out, " implies {}", attr(i - 1));
        }
        out.push_str(";\n");
    }
    for j in 0..SCALE_DERIVED_ATTRS {
        let a = attr(rng.below(SCALE_BASE_ATTRS as u64) as usize);
        let b = attr(rng.below(SCALE_BASE_ATTRS as u64) as usize);
        let op = if j % 2 == 0 { "&&" } else { "||" };
        let name = attr(SCALE_BASE_ATTRS + j);
        let _ = writeln!(
            out,
            "/// Derived attribute {j}.\nattr {name} = {a} {op} !{b};"
        );
    }
    out.push('\n');
    for i in 0..8 {
        let sets: Vec<String> = (0..SCALE_BASE_ATTRS)
            .filter(|_| rng.chance(30))
            .map(attr)
            .collect();
        if sets.is_empty() {
            let _ = writeln!(out, "/// Platform {i}.\nplatform p{i} {{}}");
        } else {
            let _ = writeln!(
                out,
                "/// Platform {i}.\nplatform p{i} {{ sets {}; }}",
                sets.join(", ")
            );
        }
    }
    out.push('\n');

    let mut devices: Vec<ScaleDevice> = Vec::with_capacity(p.devices);
    let mut slot = 0u64;
    while devices.len() < p.devices {
        // A BAR of 64 KiB to 512 KiB at a page-aligned offset in its 1 MiB slot.
        let size = (16 + rng.below(113)) * PAGE;
        let base =
            SCALE_WINDOW + slot * SCALE_SLOT + rng.below((SCALE_SLOT - size) / PAGE + 1) * PAGE;
        let mut regions = vec![(base, size)];
        if rng.chance(10) {
            regions.push((SCALE_SECOND_WINDOW + slot * PAGE, PAGE));
        }
        slot += 1;
        devices.push(ScaleDevice {
            name: format!("dev{}", devices.len()),
            regions,
            depth: 0,
        });
        if rng.chance(40) {
            scale_children(&mut rng, &mut devices, p.devices, base, size, 1);
        }
    }
    for d in &devices {
        let _ = write!(out, "device {} {{", d.name);
        for (base, size) in &d.regions {
            let _ = write!(out, " mmio {base:#X} size {size:#X};");
        }
        out.push_str(" }\n");
    }
    out.push('\n');
    for d in &devices {
        let rules = 2 + rng.below(3);
        for r in 0..rules {
            let m = if rng.chance(50) {
                "encrypted"
            } else {
                "decrypted"
            };
            let shape = rng.below(8);
            let [a, b, c] = [0; 3].map(|_| attr(rng.below(32) as usize));
            let cond = match (r + 1 == rules, shape) {
                (true, 0 | 1) => String::new(),
                (_, 0..=2) => a,
                (_, 3) => format!("!{a}"),
                (_, 4 | 5) => format!("{a} && !{b}"),
                (_, 6) => format!("{a} || {b}"),
                _ => format!("({a} || {b}) && {c}"),
            };
            if cond.is_empty() {
                let _ = writeln!(out, "map {} {m};", d.name);
            } else {
                let _ = writeln!(out, "map {} {m} when {cond};", d.name);
            }
        }
    }
    let _ = writeln!(out, "\ndefault encrypted when {} && !{};", attr(0), attr(1));
    let _ = writeln!(out, "default decrypted when {};", attr(2));
    ScaleSpec { text: out, devices }
}

/// One to three devices inside `[base, base + size)`, each in its own quarter, some
/// with a device nested in turn (at most three levels in all).
fn scale_children(
    rng: &mut Rng,
    devices: &mut Vec<ScaleDevice>,
    max: usize,
    base: u64,
    size: u64,
    depth: u32,
) {
    let quarter = size / 4;
    if quarter < 2 * PAGE {
        return;
    }
    let kids = 1 + rng.below(3);
    for q in 0..kids {
        if devices.len() >= max {
            return;
        }
        // A window of whole pages strictly inside its quarter.
        let pages = quarter / PAGE;
        let len = (1 + rng.below(pages - 1)) * PAGE;
        let at = base + q * quarter + rng.below(pages - len / PAGE + 1) * PAGE;
        devices.push(ScaleDevice {
            name: format!("dev{}", devices.len()),
            regions: vec![(at, len)],
            depth,
        });
        if depth < 2 && rng.chance(30) {
            scale_children(rng, devices, max, at, len, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccattr_codegen::compile;

    #[test]
    fn synthetic_specs_are_valid_and_deterministic() {
        for seed in 0..300 {
            let p = Params::small(&format!("s{seed}"), seed);
            let text = spec(&p);
            assert_eq!(text, spec(&p));
            let c = compile("s", text.as_bytes());
            assert!(c.is_ok(), "seed {seed}: {c:?}\n{text}");
        }
    }

    #[test]
    fn version_2_parts_come_half_the_time_and_leave_version_1_alone() {
        let mut v2 = 0;
        for seed in 0..300 {
            let p = Params::small("s", seed);
            if !p.uses_v2() {
                continue;
            }
            v2 += 1;
            let text = spec(&p);
            let table = compile("s", text.as_bytes()).expect("valid").table;
            assert_eq!(table.caps.len(), p.caps, "seed {seed}");
            assert_eq!(table.probed_devices().count(), p.probed, "seed {seed}");
            // The same parameters without the version 2 parts give a version 1
            // spec whose text is the version 2 one without them.
            let v1 = spec(&Params {
                caps: 0,
                probed: 0,
                refuse_percent: 0,
                ..p.clone()
            });
            assert!(!v1.contains("capability") && !v1.contains("probed") && !v1.contains("refuse"));
            let devices = |t: &str| t.lines().filter(|l| l.starts_with("device dev")).count();
            assert_eq!(devices(&v1), devices(&text), "seed {seed}");
        }
        assert!((100..200).contains(&v2), "{v2} of 300");
        let probed_cap_rules = (0..300)
            .map(|seed| spec(&Params::small("s", seed)))
            .filter(|t| {
                t.lines()
                    .any(|l| l.starts_with("map bar") && l.contains("CAP"))
            })
            .count();
        assert!(probed_cap_rules > 30, "{probed_cap_rules}");
    }

    #[test]
    fn scale_specs_are_valid_and_have_the_shape_asked_for() {
        for n in [1, 7, 300] {
            let s = scale_spec(&ScaleParams::new(n));
            assert_eq!(s.devices.len(), n);
            assert_eq!(s.text, scale_spec(&ScaleParams::new(n)).text);
            let table = compile("s", s.text.as_bytes()).expect("valid").table;
            assert_eq!(table.attrs.len(), 32);
            assert_eq!(table.devices.len(), n);
            for d in 0..n {
                let rules = table.rules.iter().filter(|r| r.device == Some(d)).count();
                assert!((2..=4).contains(&rules), "device {d}: {rules} rules");
            }
        }
        let s = scale_spec(&ScaleParams::new(300));
        assert!(
            s.devices.iter().any(|d| d.depth == 2),
            "some devices nest two deep"
        );
    }
}
