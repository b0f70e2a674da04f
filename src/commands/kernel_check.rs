//! `ccattr kernel-check SPEC --tree DIR`: hold a spec's `CC_ATTR_` attributes against
//! a kernel tree's `enum cc_attr`, and its platforms against the tree's
//! `cc_platform_has()` (docs/kernel.md).

use super::{load_ok, require_format, CmdResult};
use crate::out::{err, out, outln};
use crate::{Format, EXIT_FAILED};
use ccattr_kernel_check::report::{self, Sources};
use ccattr_kernel_check::tree::read_tree;
use std::path::Path;

pub fn run(spec: &Path, tree: &Path, format: Format) -> CmdResult {
    require_format(
        format,
        &[Format::Text, Format::Json, Format::Github, Format::Sarif],
        "kernel-check",
    )?;
    // The tree first: a tree that cannot be read is a usage error (exit 2) whatever
    // the spec says.
    let tree = read_tree(tree).map_err(|e| e.to_string())?;
    let checked = match load_ok(spec, format)? {
        Ok(checked) => checked,
        Err(code) => return Ok(code),
    };
    let r = ccattr_kernel_check::check(&checked, &tree);
    let src = Sources {
        spec: &checked.source,
        tree: &tree,
    };
    match format {
        Format::Json => outln!("{:#}", report::json(&r, src)),
        Format::Github => out!("{}", report::github(&r, src)),
        Format::Sarif => outln!("{:#}", report::sarif(&r, src)),
        _ => err!("{}{}", report::text(&r, src), report::summary(&r, src)),
    }
    Ok(if r.agrees() { 0 } else { EXIT_FAILED })
}
