//! `ccattr completions SHELL` and `ccattr man`: shell completion scripts and manual
//! pages, generated from the same command-line definition that parses arguments.

use super::CmdResult;
use crate::out::{errln, out};
use crate::Cli;
use ccattr_build::files::{self, Outcome};
use clap::CommandFactory as _;
use std::path::Path;

pub use clap_complete::Shell;

/// Print the completion script for `shell` to standard output.
pub fn completions(shell: Shell) -> CmdResult {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ccattr", &mut buf);
    out!("{}", String::from_utf8_lossy(&buf));
    Ok(0)
}

/// Print `ccattr.1` to standard output, or write it and one page per subcommand
/// (`ccattr-build.1`, ...) into `out_dir`.
pub fn man(out_dir: Option<&Path>) -> CmdResult {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = out_dir else {
        out!("{}", page(cmd)?);
        return Ok(0);
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create {}: {}",
            dir.display(),
            ccattr_core::compile::io_reason(&e)
        )
    })?;
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    for page_cmd in pages {
        let name = format!(
            "{}.1",
            page_cmd
                .get_display_name()
                .unwrap_or_else(|| page_cmd.get_name())
        );
        let path = dir.join(name);
        let outcome = files::write_if_changed(&path, page(page_cmd)?.as_bytes())?;
        let what = if outcome == Outcome::Written {
            "wrote"
        } else {
            "unchanged"
        };
        errln!("{what:>9} {}", path.display());
    }
    Ok(0)
}

/// One manual page in roff.
fn page(cmd: clap::Command) -> Result<String, String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    String::from_utf8(buf).map_err(|e| format!("the manual page is not UTF-8: {e}"))
}
