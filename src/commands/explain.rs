//! `ccattr explain`: decide one address or range, with the trace.

use super::{load_ok, number, require_format, CmdResult};
use crate::out::{errln, out, outln};
use crate::Format;
use ccattr_core::explain::explain;
use ccattr_core::table::DecisionTable;
use std::path::Path;

pub fn run(
    spec: &Path,
    addr: &str,
    size: &str,
    platform: Option<&str>,
    attrs: Option<&str>,
    format: Format,
) -> CmdResult {
    require_format(format, &[Format::Text, Format::Json], "explain")?;
    let addr = number("address", addr)?;
    let size = number("size", size)?;
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
    let e = explain(table, platform, base, addr, size);
    match format {
        Format::Json => outln!("{:#}", e.to_json(table)),
        _ => out!("{}", e.to_text(table, &checked.source.name)),
    }
    Ok(0)
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
