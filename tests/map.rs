//! `ccattr map`: every region of every example on every platform, with the decision
//! `ccattr explain` gives for its range; the SVG parses as XML, names every device,
//! nests boxes as the regions nest, and renders in a real browser (headless
//! Chromium) to a picture that is not blank.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ccattr"))
        .collect();
    v.sort();
    v
}

fn ccattr(args: &[&str]) -> Output {
    support::run(
        Command::new(env!("CARGO_BIN_EXE_ccattr")).args(args),
        None,
        Duration::from_secs(60),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What `ccattr explain --format json` decides for a range on a platform.
fn explained(spec: &Path, platform: &str, start: u64, size: u64) -> String {
    let o = ccattr(&[
        "explain",
        s(spec),
        &format!("{start:#x}"),
        "--size",
        &format!("{size:#x}"),
        "--platform",
        platform,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["decision"].as_str().unwrap().to_string()
}

/// The regions of a text map: (platform, depth, start, last, device, decision).
fn text_regions(text: &str) -> Vec<(String, usize, u64, u64, String, String)> {
    let mut platform = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("platform ") {
            platform = p.to_string();
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((a, b)) = words
            .first()
            .filter(|w| w.starts_with("0x"))
            .and_then(|w| w.split_once('-'))
        else {
            continue;
        };
        let depth = (line.len() - line.trim_start().len()) / 2 - 1;
        let hex = |h: &str| u64::from_str_radix(h.trim_start_matches("0x"), 16).unwrap();
        out.push((
            platform.clone(),
            depth,
            hex(a),
            hex(b),
            words[1].to_string(),
            words.last().unwrap().to_string(),
        ));
    }
    out
}

#[test]
fn every_region_is_shown_with_the_decision_explain_gives() {
    let mut checked = 0;
    for spec in examples() {
        let o = ccattr(&["map", s(&spec)]);
        assert_eq!(o.status.code(), Some(0), "{}", spec.display());
        let text = stdout(&o);
        let table = ccattr_test_support::checked_file(&spec).table;
        let regions = text_regions(&text);
        let per_platform: usize = table.devices.iter().map(|d| d.regions.len()).sum();
        assert_eq!(
            regions.len(),
            per_platform * table.platforms.len(),
            "{text}"
        );
        for (platform, _, start, last, device, decision) in &regions {
            let dev = table
                .devices
                .iter()
                .find(|d| &d.name == device)
                .expect("a device");
            assert!(dev
                .regions
                .iter()
                .any(|r| r.start == *start && r.last == *last));
            let want = explained(&spec, platform, *start, last - start + 1);
            assert_eq!(
                decision,
                &want,
                "{device} on {platform} in {}",
                spec.display()
            );
            checked += 1;
        }
        for (_, d) in table.probed_devices() {
            assert!(
                text.contains(&d.name),
                "the probed device {} is named",
                d.name
            );
        }
    }
    assert!(checked > 40, "{checked}");
}

#[test]
fn nesting_and_gaps_in_the_text_map() {
    let spec = root().join("examples/hyperv_vtom.ccattr");
    let o = ccattr(&["map", s(&spec), "--platform", "hyperv_vtom_paravisor"]);
    let text = stdout(&o);
    let regions = text_regions(&text);
    let vtpm = regions.iter().find(|r| r.4 == "vtpm").unwrap();
    let tis = regions.iter().find(|r| r.4 == "tpm_tis").unwrap();
    assert_eq!(
        (tis.1, vtpm.1),
        (0, 1),
        "the vTPM page is inside the TIS window:\n{text}"
    );
    assert!(text.contains("... 1.2 MiB gap"), "{text}");
    assert_eq!(
        text.matches("platform ").count(),
        1,
        "only the platform asked for"
    );
    // An unknown platform is a usage error with the names there are.
    let o = ccattr(&["map", s(&spec), "--platform", "hyperv_vtom_parvisor"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("did you mean `hyperv_vtom_paravisor`?"),
        "{err}"
    );
    assert_eq!(
        ccattr(&["map", s(&spec), "--format", "json"]).status.code(),
        Some(2)
    );
}

/// (device, decision, x, y, width, height) of every region box in the SVG.
fn svg_boxes(svg: &str) -> Vec<(String, String, f64, f64, f64, f64)> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("region"))
        .map(|g| {
            let rect = g
                .children()
                .find(|c| c.tag_name().name() == "rect")
                .expect("a box");
            let f = |a: &str| rect.attribute(a).unwrap().parse::<f64>().unwrap();
            (
                g.attribute("data-device").unwrap().to_string(),
                g.attribute("data-decision").unwrap().to_string(),
                f("x"),
                f("y"),
                f("width"),
                f("height"),
            )
        })
        .collect()
}

#[test]
fn the_svg_names_every_device_and_nests_its_boxes() {
    for spec in examples() {
        let o = ccattr(&["map", s(&spec), "--format", "svg"]);
        assert_eq!(o.status.code(), Some(0));
        let svg = stdout(&o);
        let boxes = svg_boxes(&svg);
        let table = ccattr_test_support::checked_file(&spec).table;
        for d in table.devices.iter().filter(|d| !d.regions.is_empty()) {
            let n = boxes.iter().filter(|b| b.0 == d.name).count();
            assert_eq!(n, d.regions.len() * table.platforms.len(), "{}", d.name);
            assert!(
                svg.contains(&format!(">{}</text>", d.name)),
                "{} is labelled",
                d.name
            );
        }
        for b in &boxes {
            assert!(b.4 > 0.0 && b.5 >= 8.0, "{b:?} is visible");
        }
        // A box inside another region lies inside that region's box.
        let text = stdout(&ccattr(&["map", s(&spec)]));
        let regions = text_regions(&text);
        assert_eq!(regions.len(), boxes.len());
        for (i, r) in regions.iter().enumerate() {
            if r.1 == 0 {
                continue;
            }
            let parent = (0..i)
                .rev()
                .find(|&j| regions[j].1 + 1 == r.1 && regions[j].0 == r.0)
                .unwrap();
            let (c, p) = (&boxes[i], &boxes[parent]);
            assert!(
                c.2 > p.2 && c.3 >= p.3 && c.2 + c.4 <= p.2 + p.4 && c.3 + c.5 <= p.3 + p.5,
                "{c:?} inside {p:?} in {}",
                spec.display()
            );
            assert_eq!(c.1, r.5, "the box has the map's decision");
        }
    }
}

/// Headless Chromium, if installed.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn chromium_renders_the_svg_to_a_picture_with_every_colour() {
    let found = chromium();
    if !support::require(found.is_some(), "Chromium (Debian package chromium)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = root().join("examples/hyperv_vtom.ccattr");
    let svg_path = dir.path().join("tdx.svg");
    std::fs::write(
        &svg_path,
        stdout(&ccattr(&["map", s(&spec), "--format", "svg"])),
    )
    .unwrap();
    let png_path = dir.path().join("tdx.png");
    let o = support::run(
        Command::new(found.unwrap()).args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            &format!("--screenshot={}", png_path.display()),
            "--window-size=1700,420",
            &format!("file://{}", svg_path.display()),
        ]),
        None,
        Duration::from_secs(120),
    );
    assert!(
        png_path.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let decoder = png::Decoder::new(std::fs::File::open(&png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let not_white = pixels.iter().filter(|p| p[..3] != [255, 255, 255]).count();
    assert!(
        not_white * 20 > pixels.len(),
        "the picture is nearly blank: {not_white} of {} pixels drawn",
        pixels.len()
    );
    // The fills of the decisions on the Hyper-V map: the paravisor's encrypted
    // IO-APIC and vTPM and mixed TPM window, the enlightened guest's decrypted
    // devices, bare metal's unspecified ones.
    for (name, rgb) in [
        ("encrypted", [0xc8, 0xe6, 0xc9]),
        ("decrypted", [0xff, 0xe0, 0xb2]),
        ("mixed", [0xe1, 0xbe, 0xe7]),
        ("unspecified", [0xee, 0xee, 0xee]),
    ] {
        let n = pixels.iter().filter(|p| p[..3] == rgb).count();
        assert!(n > 500, "{name} boxes drawn: {n} pixels");
    }
}
