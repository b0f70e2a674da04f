//! Address maps: each platform's devices in address order, nested as they are, each
//! region with the decision of its whole range, drawn as text or as SVG.
//!
//! The decisions come from the decision table (`DecisionTable::decide_span`), as
//! every other output's do. Gaps between regions are drawn compressed, and each
//! stretch inside a region gets a height that grows with the logarithm of its size,
//! so that a 4 KiB page next to a 1 GiB window stays visible.

use crate::table::{Decision, DecisionTable};
use std::fmt::Write as _;

/// One region of one device on the map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapRegion {
    pub device: usize,
    pub start: u64,
    pub last: u64,
    /// How many regions enclose it.
    pub depth: usize,
    /// The decision of `[start, last]` on the platform.
    pub decision: Decision,
}

/// The map of one platform: regions in address order, an enclosing region before
/// the regions inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformMap {
    pub platform: usize,
    pub regions: Vec<MapRegion>,
}

/// The map of platform `platform` (an index into `table.platforms`).
pub fn platform_map(table: &DecisionTable, platform: usize) -> PlatformMap {
    let full = table.platforms[platform].full;
    let mut all: Vec<(u64, u64, usize)> = table
        .devices
        .iter()
        .enumerate()
        .flat_map(|(d, dev)| dev.regions.iter().map(move |r| (r.start, r.last, d)))
        .collect();
    // Outer before inner: by start, then the longer first (regions nest or are
    // disjoint, which the checker guarantees).
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut open: Vec<u64> = Vec::new();
    let regions = all
        .into_iter()
        .map(|(start, last, device)| {
            while open.last().is_some_and(|&l| l < start) {
                open.pop();
            }
            let depth = open.len();
            open.push(last);
            MapRegion {
                device,
                start,
                last,
                depth,
                decision: table.decide_span(full, start, last),
            }
        })
        .collect();
    PlatformMap { platform, regions }
}

/// The maps of every platform, or of the one named.
pub fn maps(table: &DecisionTable, only: Option<usize>) -> Vec<PlatformMap> {
    (0..table.platforms.len())
        .filter(|&p| only.is_none_or(|o| o == p))
        .map(|p| platform_map(table, p))
        .collect()
}

/// A size in bytes as people say it: `4 KiB`, `1 GiB`, `20 KiB`, `3 B`.
pub fn human_size(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut unit = 0;
    let mut v = bytes;
    while unit + 1 < UNITS.len() && v >= 1024 && v % 1024 == 0 {
        v /= 1024;
        unit += 1;
    }
    if unit + 1 < UNITS.len() && v >= 1024 {
        // Not a whole number of the next unit: one decimal of the largest that fits.
        let mut scaled = bytes as f64;
        let mut u = 0;
        while u + 1 < UNITS.len() && scaled >= 1024.0 {
            scaled /= 1024.0;
            u += 1;
        }
        return format!("{scaled:.1} {}", UNITS[u]);
    }
    format!("{v} {}", UNITS[unit])
}

fn size_of(start: u64, last: u64) -> u128 {
    u128::from(last) - u128::from(start) + 1
}

/// The maps as text: one block per platform, a line per region indented by its
/// depth, and a line for each gap between top-level regions.
pub fn text(table: &DecisionTable, maps: &[PlatformMap]) -> String {
    let mut out = String::new();
    let width = table
        .devices
        .iter()
        .map(|d| d.name.len())
        .max()
        .unwrap_or(0)
        + 2;
    for (i, m) in maps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let p = &table.platforms[m.platform];
        let _ = writeln!(out, "platform {}", p.name);
        let mut end: Option<u128> = None;
        for r in &m.regions {
            if r.depth == 0 {
                if let Some(e) = end.filter(|&e| e < u128::from(r.start)) {
                    let _ = writeln!(out, "  ... {} gap", human_size(u128::from(r.start) - e));
                }
                end = Some(u128::from(r.last) + 1);
            }
            let indent = "  ".repeat(r.depth + 1);
            let name = &table.devices[r.device].name;
            let pad = width.saturating_sub(2 * r.depth);
            let _ = writeln!(
                out,
                "{indent}{:#018x}-{:#018x}  {name:<pad$}{:>9}  {}",
                r.start,
                r.last,
                human_size(size_of(r.start, r.last)),
                r.decision
            );
        }
        if m.regions.is_empty() {
            out.push_str("  (no fixed regions)\n");
        }
    }
    let probed: Vec<&str> = table
        .probed_devices()
        .map(|(_, d)| d.name.as_str())
        .collect();
    if !probed.is_empty() {
        let _ = writeln!(
            out,
            "\nprobed devices (no fixed address; decided at run time): {}",
            probed.join(", ")
        );
    }
    out
}

/// The fill and the stroke of a decision's boxes.
fn colours(d: Decision) -> (&'static str, &'static str) {
    match d {
        Decision::Encrypted => ("#c8e6c9", "#2e7d32"),
        Decision::Decrypted => ("#ffe0b2", "#e65100"),
        Decision::Unspecified => ("#eeeeee", "#616161"),
        Decision::Mixed => ("#e1bee7", "#6a1b9a"),
        Decision::Refused => ("#ffcdd2", "#b71c1c"),
        Decision::Invalid => ("#ffffff", "#000000"),
    }
}

/// `<`, `>`, `&` and quotes escaped, for text and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

const COLUMN: u32 = 560;
const TOP: u32 = 96;
const GAP_HEIGHT: u32 = 22;
const ADDR_WIDTH: u32 = 150;
const INDENT: u32 = 22;
const LABEL_HEIGHT: u32 = 36;

/// The height of a stretch of `size` bytes inside a region: one label's height for
/// a page or less, and more by the logarithm of the size, so that a 1 GiB window is
/// taller than a page but not a hundred times taller.
fn stretch_height(size: u128) -> u32 {
    let pages = (size / 4096).max(1);
    let log = 127 - pages.leading_zeros();
    LABEL_HEIGHT + 4 * log
}

/// One band of the vertical layout: a stretch of addresses with its top and height.
struct Band {
    start: u128,
    end: u128,
    y: u32,
    height: u32,
    gap: bool,
}

fn bands(m: &PlatformMap) -> Vec<Band> {
    let mut points: Vec<u128> = m
        .regions
        .iter()
        .flat_map(|r| [u128::from(r.start), u128::from(r.last) + 1])
        .collect();
    points.sort_unstable();
    points.dedup();
    // Regions are in address order, outer first: the top-level ones are disjoint and
    // sorted, so a point is covered when the last of them starting at or before it
    // reaches it; and regions that start at the same point are adjacent.
    let tops: Vec<(u128, u128)> = m
        .regions
        .iter()
        .filter(|r| r.depth == 0)
        .map(|r| (u128::from(r.start), u128::from(r.last)))
        .collect();
    let covered = |a: u128| {
        let i = tops.partition_point(|t| t.0 <= a);
        i > 0 && a <= tops[i - 1].1
    };
    let mut starting = std::collections::HashMap::new();
    for r in &m.regions {
        *starting.entry(u128::from(r.start)).or_insert(0u32) += 1;
    }
    let mut y = TOP;
    let mut out = Vec::new();
    for w in points.windows(2) {
        let (start, end) = (w[0], w[1]);
        let gap = !covered(start);
        // Regions that start here stack their labels: room for each.
        let starting = starting.get(&start).copied().unwrap_or(0);
        let height = if gap {
            GAP_HEIGHT
        } else {
            stretch_height(end - start) + LABEL_HEIGHT * starting.saturating_sub(1)
        };
        out.push(Band {
            start,
            end,
            y,
            height,
            gap,
        });
        y += height;
    }
    out
}

/// The maps as an SVG picture: a column per platform, each region a box coloured by
/// its decision and labelled with its device, size, range and decision; regions
/// inside others are drawn inside them; gaps are drawn compressed and labelled with
/// their size.
pub fn svg(table: &DecisionTable, maps: &[PlatformMap]) -> String {
    let layouts: Vec<Vec<Band>> = maps.iter().map(bands).collect();
    let bottom = layouts
        .iter()
        .filter_map(|b| b.last().map(|l| l.y + l.height))
        .max()
        .unwrap_or(TOP)
        .max(TOP + LABEL_HEIGHT);
    let probed: Vec<&str> = table
        .probed_devices()
        .map(|(_, d)| d.name.as_str())
        .collect();
    let height = bottom + if probed.is_empty() { 24 } else { 48 };
    let width = COLUMN * (maps.len().max(1) as u32) + 20;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\">"
    );
    let _ = writeln!(
        s,
        "<title>ccattr address map of spec {}</title>",
        xml(&table.spec)
    );
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        s,
        "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">spec {}: address map</text>",
        xml(&table.spec)
    );
    // The legend.
    let mut x = 10;
    for d in [
        Decision::Encrypted,
        Decision::Decrypted,
        Decision::Unspecified,
        Decision::Mixed,
        Decision::Refused,
    ] {
        let (fill, stroke) = colours(d);
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"34\" width=\"14\" height=\"14\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{}\" y=\"46\">{d}</text>",
            x + 18
        );
        x += 30 + 8 * d.as_str().len() as u32;
    }
    for (col, (m, layout)) in maps.iter().zip(&layouts).enumerate() {
        let x0 = 10 + COLUMN * col as u32;
        let p = &table.platforms[m.platform];
        let _ = writeln!(
            s,
            "<g class=\"platform\" data-platform=\"{}\">",
            xml(&p.name)
        );
        let _ = writeln!(
            s,
            "<text x=\"{x0}\" y=\"80\" font-size=\"14\" font-weight=\"bold\">platform {}</text>",
            xml(&p.name)
        );
        if layout.is_empty() {
            let _ = writeln!(
                s,
                "<text x=\"{x0}\" y=\"{}\">(no fixed regions)</text>",
                TOP + 16
            );
        }
        for b in layout {
            if b.gap {
                let mid = b.y + b.height / 2;
                let _ = writeln!(
                    s,
                    "<line x1=\"{}\" y1=\"{mid}\" x2=\"{}\" y2=\"{mid}\" stroke=\"#9e9e9e\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{}\" fill=\"#757575\">... {} gap</text>",
                    x0 + ADDR_WIDTH,
                    x0 + COLUMN - 20,
                    x0 + ADDR_WIDTH + 8,
                    mid - 3,
                    human_size(b.end - b.start)
                );
            } else {
                let _ = writeln!(
                    s,
                    "<text x=\"{x0}\" y=\"{}\" fill=\"#424242\">{:#x}</text>",
                    b.y + 12,
                    b.start
                );
            }
        }
        // How many enclosing regions start at the same address as this one: they
        // come just before it, outer first.
        let mut above = 0u32;
        for (i, r) in m.regions.iter().enumerate() {
            above = if i > 0 && m.regions[i - 1].start == r.start {
                above + 1
            } else {
                0
            };
            let (start, end) = (u128::from(r.start), u128::from(r.last) + 1);
            // Bands are in address order: the first that starts here and the one
            // that ends where the region does.
            let Some(top) = layout.get(layout.partition_point(|b| b.start < start)) else {
                continue;
            };
            let Some(last) = layout.get(layout.partition_point(|b| b.end < end)) else {
                continue;
            };
            // Below the labels of the enclosing regions that start at the same address.
            let inset = 2 * r.depth as u32;
            let x = x0 + ADDR_WIDTH + INDENT * r.depth as u32;
            let y = top.y + LABEL_HEIGHT * above + if above == 0 { inset } else { 0 };
            let h = (last.y + last.height).saturating_sub(y + inset).max(8);
            let w = COLUMN - 20 - ADDR_WIDTH - 2 * INDENT * r.depth as u32;
            let (fill, stroke) = colours(r.decision);
            let name = xml(&table.devices[r.device].name);
            let _ = writeln!(
                s,
                "<g class=\"region\" data-device=\"{name}\" data-decision=\"{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\" rx=\"3\"/>\
                 <text x=\"{}\" y=\"{}\" font-weight=\"bold\">{name}</text><text x=\"{}\" y=\"{}\">{} {}</text>\
                 <title>{name} [{:#x}, {:#x}] ({}): {}</title></g>",
                r.decision,
                x + 6,
                y + 13,
                x + 6,
                y + 26,
                human_size(end - start),
                r.decision,
                r.start,
                r.last,
                human_size(end - start),
                r.decision
            );
        }
        s.push_str("</g>\n");
    }
    if !probed.is_empty() {
        let _ = writeln!(
            s,
            "<text x=\"10\" y=\"{}\">probed devices (no fixed address; decided at run time): {}</text>",
            bottom + 28,
            xml(&probed.join(", "))
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(4096), "4 KiB");
        assert_eq!(human_size(0x5000), "20 KiB");
        assert_eq!(human_size(1 << 30), "1 GiB");
        assert_eq!(human_size(3), "3 B");
        assert_eq!(human_size(1 << 64), "16 EiB");
        assert_eq!(human_size(1536 * 1024 + 1), "1.5 MiB");
    }

    #[test]
    fn a_page_and_a_gigabyte_are_both_visible_and_ordered() {
        let page = stretch_height(4096);
        let gib = stretch_height(1 << 30);
        assert!(page >= LABEL_HEIGHT, "a page has room for its label");
        assert!(gib > page && gib < 4 * page, "{page} {gib}");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(xml("a<b&\"c'"), "a&lt;b&amp;&quot;c&apos;");
    }
}
