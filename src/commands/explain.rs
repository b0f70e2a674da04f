//! `ccattr explain`: decide one address or range, with the trace.

use super::{load_ok, number, require_format, CmdResult};
use crate::out::{errln, out, outln};
use crate::Format;
use ccattr_core::explain::{explain, explain_probed};
use ccattr_core::table::DecisionTable;
use std::path::Path;

/// What to explain: an address or range, or a probed device with its capabilities.
pub enum At<'a> {
    Range { addr: &'a str, size: &'a str },
    Probed { device: &'a str, caps: &'a str },
}

pub fn run(
    spec: &Path,
    at: At,
    platform: Option<&str>,
    attrs: Option<&str>,
    format: Format,
) -> CmdResult {
    require_format(format, &[Format::Text, Format::Json], "explain")?;
    let range = match at {
        At::Range { addr, size } => Some((number("address", addr)?, number("size", size)?)),
        At::Probed { .. } => None,
    };
    let checked = match load_ok(spec, format)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let table = &checked.table;
    let base = match (platform, attrs) {
        (Some(p), _) => match table.platform(p) {
            Some(p) => p.sets,
            None => {
                let names = table.platforms.iter().map(|p| p.name.as_str());
                let hint = match ccattr_core::check::did_you_mean(p, names) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => format!(
                        "; declared: {}",
                        table
                            .platforms
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err(format!("unknown platform `{p}`{hint}"));
            }
        },
        (None, Some(list)) => base_attrs(table, list)?,
        (None, None) => {
            return Err("give the attributes with --platform NAME or --attrs A,B".into())
        }
    };
    let names = checked.source.file_names();
    let file = &names[..];
    match (at, range) {
        (_, Some((addr, size))) => {
            let e = explain(table, platform, base, addr, size);
            match format {
                Format::Json => outln!("{:#}", e.to_json(table)),
                _ => out!("{}", e.to_text(table, file)),
            }
        }
        (At::Probed { device, caps }, None) => {
            let device = probed_device(table, device)?;
            let caps = cap_set(table, caps)?;
            // A probed device always has an explanation.
            let Some(e) = explain_probed(table, platform, base, device, caps) else {
                return Err(format!(
                    "device `{}` is not probed",
                    table.devices[device].name
                ));
            };
            match format {
                Format::Json => outln!("{:#}", e.to_json(table)),
                _ => out!("{}", e.to_text(table, file)),
            }
        }
        (At::Range { .. }, None) => return Err("no address to explain".into()),
    }
    Ok(0)
}

/// Resolve `--device NAME` to a probed device.
fn probed_device(table: &DecisionTable, name: &str) -> Result<usize, String> {
    let probed = || table.probed_devices().map(|(_, d)| d.name.as_str());
    match table.devices.iter().position(|d| d.name == name) {
        Some(d) if table.devices[d].probed.is_some() => Ok(d),
        Some(d) => {
            let at = table.devices[d]
                .regions
                .first()
                .map(|r| format!(": explain an address in it, such as {:#x}", r.start))
                .unwrap_or_default();
            Err(format!("device `{name}` is not probed{at}"))
        }
        None => {
            let hint = match ccattr_core::check::did_you_mean(name, probed()) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if probed().next().is_none() => "; the spec has no probed device".into(),
                None => format!(
                    "; probed devices: {}",
                    probed().collect::<Vec<_>>().join(", ")
                ),
            };
            Err(format!("unknown device `{name}`{hint}"))
        }
    }
}

/// Resolve `--caps A,B` to a capability set.
fn cap_set(table: &DecisionTable, list: &str) -> Result<u32, String> {
    let mut set = 0u32;
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let Some(id) = table.cap_index(name) else {
            let hint = match ccattr_core::check::did_you_mean(
                name,
                table.caps.iter().map(|c| c.name.as_str()),
            ) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if table.caps.is_empty() => "; the spec declares no capability".into(),
                None => format!(
                    "; declared: {}",
                    table
                        .caps
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(format!("unknown capability `{name}`{hint}"));
        };
        set |= 1 << id;
    }
    Ok(set)
}

/// Resolve `--attrs A,B` to a set of base attributes.
fn base_attrs(table: &DecisionTable, list: &str) -> Result<u64, String> {
    let mut set = 0u64;
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let id = match table.attr_index(name) {
            Some(id) => id,
            None => {
                if let Some(id) = table
                    .attrs
                    .iter()
                    .position(|a| a.formerly.iter().any(|f| f == name))
                {
                    errln!(
                        "note: `{name}` is a former name of `{}`",
                        table.attrs[id].name
                    );
                    id
                } else {
                    let hint = ccattr_core::check::did_you_mean(
                        name,
                        table.attrs.iter().map(|a| a.name.as_str()),
                    )
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                    return Err(format!("unknown attribute `{name}`{hint}"));
                }
            }
        };
        if !table.attrs[id].base {
            return Err(format!(
                "`{name}` is a derived attribute ({name} = {}); give base attributes",
                table.attrs[id].derivation
            ));
        }
        set |= 1 << id;
    }
    Ok(set)
}
