//! `ccattr map`: the address map of each platform, as text or as an SVG picture.

use super::{load_ok, require_format, CmdResult};
use crate::out::out;
use crate::Format;
use ccattr_core::addrmap;
use std::path::Path;

pub fn run(spec: &Path, platform: Option<&str>, format: Format) -> CmdResult {
    require_format(format, &[Format::Text, Format::Svg], "map")?;
    let checked = match load_ok(spec, format)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let table = &checked.table;
    let only = match platform {
        None => None,
        Some(name) => match table.platforms.iter().position(|p| p.name == name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = table.platforms.iter().map(|p| p.name.as_str()).collect();
                let hint = ccattr_core::check::did_you_mean(name, names.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(format!(
                    "no platform `{name}` in {} (it has {}){hint}",
                    spec.display(),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ));
            }
        },
    };
    let maps = addrmap::maps(table, only);
    match format {
        Format::Svg => out!("{}", addrmap::svg(table, &maps)),
        _ => out!("{}", addrmap::text(table, &maps)),
    }
    Ok(0)
}
