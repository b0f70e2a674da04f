//! The subcommands: each reads specs, asks the core, and prints at the edge.

use crate::out::{err, errln, out, outln};
mod build;
mod check;
pub(crate) mod completions;
mod explain;
mod fmt;
mod kernel_check;
pub(crate) mod lint;
mod lsp;
mod map;
mod matrix;
pub(crate) mod review;

use crate::{Cli, Command, Format, EXIT_FAILED, EXIT_USAGE};
use ccattr_core::compile::{diagnostics, source};
use ccattr_core::{diagnostics, parse_u64, Checked, Diagnostic, Rejected, Source};
use std::path::Path;

/// A spec file compiled: checked, or rejected with its diagnostics.
pub type Compiled = Result<Checked, Rejected>;

/// Read and compile a spec file; `Err` says why it could not be read.
pub fn load(path: &Path) -> Result<Compiled, String> {
    ccattr_codegen::compile_file(path).map_err(|e| e.to_string())
}

/// Print diagnostics as text to standard error.
pub fn print_text(source: &Source, diags: &[Diagnostic]) {
    if !diags.is_empty() {
        err!("{}", diagnostics::text(source, diags));
    }
}

/// The file's base name, as generated files record it.
pub fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check { specs, format } => check::run(&specs, format),
        Command::Build {
            spec,
            out_dir,
            emit,
            check,
            depfile,
            depfile_target,
            force,
            quiet,
            json_form,
            format,
        } => build::run(
            &spec,
            &out_dir,
            &emit,
            check,
            depfile.as_deref(),
            depfile_target.as_deref(),
            force,
            quiet,
            json_form,
            format,
        ),
        Command::Explain {
            spec,
            addr,
            size,
            device,
            caps,
            platform,
            attrs,
            format,
        } => {
            // The command line requires an address unless a device is given.
            let at = match &device {
                Some(d) => explain::At::Probed {
                    device: d,
                    caps: caps.as_deref().unwrap_or(""),
                },
                None => explain::At::Range {
                    addr: addr.as_deref().unwrap_or_default(),
                    size: &size,
                },
            };
            explain::run(&spec, at, platform.as_deref(), attrs.as_deref(), format)
        }
        Command::Matrix { spec, format } => matrix::run(&spec, format),
        Command::Map {
            spec,
            platform,
            format,
        } => map::run(&spec, platform.as_deref(), format),
        Command::Lint {
            specs,
            fail_on,
            format,
        } => lint::run(&specs, format, &fail_on),
        Command::Review {
            specs,
            base_rev,
            fail_on,
            format,
        } => review::run(&specs, base_rev.as_deref(), &fail_on, format),
        Command::KernelCheck { spec, tree, format } => kernel_check::run(&spec, &tree, format),
        Command::Fmt {
            specs,
            check,
            stdin,
            format,
        } => fmt::run(&specs, check, stdin, format),
        Command::Lsp => lsp::run(),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { out_dir } => completions::man(out_dir.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            errln!("error: {message}");
            EXIT_USAGE
        }
    }
}

pub type CmdResult = Result<u8, String>;

pub fn require_format(format: Format, allowed: &[Format], command: &str) -> Result<(), String> {
    if allowed.contains(&format) {
        Ok(())
    } else {
        let names: Vec<String> = allowed
            .iter()
            .map(|f| format!("{f:?}").to_lowercase())
            .collect();
        Err(format!(
            "`{command}` supports --format {}",
            names.join(", ")
        ))
    }
}

/// Report a spec's diagnostics in `format`; true if it has errors.
pub fn report(compiled: &[Compiled], format: Format) -> bool {
    match format {
        Format::Json => {
            let files: Vec<_> = compiled
                .iter()
                .map(|c| (source(c), diagnostics(c)))
                .collect();
            outln!("{:#}", diagnostics::json(&files));
        }
        Format::Github => {
            for c in compiled {
                out!("{}", diagnostics::github(source(c), diagnostics(c)));
            }
        }
        _ => {
            for c in compiled {
                print_text(source(c), diagnostics(c));
            }
        }
    }
    compiled.iter().any(Result::is_err)
}

/// Load a spec and stop with its diagnostics when it has errors.
pub fn load_ok(path: &Path, format: Format) -> Result<Result<Checked, u8>, String> {
    match load(path)? {
        Ok(checked) => {
            // Warnings still go to standard error in every format.
            print_text(&checked.source, &checked.warnings);
            Ok(Ok(checked))
        }
        rejected => {
            let fmt = if format == Format::Json {
                Format::Json
            } else {
                Format::Text
            };
            report(std::slice::from_ref(&rejected), fmt);
            Ok(Err(EXIT_FAILED))
        }
    }
}

/// Read a number given on the command line: decimal or 0x hex, at most 2^64 - 1.
pub fn number(what: &str, s: &str) -> Result<u64, String> {
    parse_u64(s).ok_or_else(|| {
        let digits = s
            .trim()
            .trim_start_matches("0x")
            .trim_start_matches("0X")
            .replace('_', "");
        let is_number = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit());
        if is_number {
            format!("{what} `{s}` does not fit in 64 bits (the largest is 0xffffffffffffffff)")
        } else {
            format!("{what} `{s}` is not a number (use decimal or 0x hex)")
        }
    })
}
