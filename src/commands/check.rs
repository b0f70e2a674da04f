//! `ccattr check`: parse and check specs, report every finding.

use super::{load, report, require_format, CmdResult};
use crate::out::errln;
use crate::{Format, EXIT_FAILED};

pub fn run(specs: &[std::path::PathBuf], format: Format) -> CmdResult {
    require_format(
        format,
        &[Format::Text, Format::Json, Format::Github],
        "check",
    )?;
    let loaded = specs
        .iter()
        .map(|p| load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let failed = report(&loaded, format);
    if format == Format::Text && !failed {
        for checked in loaded.iter().flatten() {
            let warnings = checked.warnings.len();
            let what = if warnings == 1 { "warning" } else { "warnings" };
            errln!("{}: ok ({warnings} {what})", checked.source.name);
        }
    }
    Ok(if failed { EXIT_FAILED } else { 0 })
}
