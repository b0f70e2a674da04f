//! `ccattr build`: write the generated files, or check that they are current.

use super::base_name;
use super::{load_ok, require_format, CmdResult};
use crate::out::{errln, out, outln};
use crate::{Format, EXIT_FAILED};
use ccattr_build::files::{self, Outcome};
use ccattr_core::compile::io_reason;
use std::path::Path;

#[allow(clippy::too_many_arguments)]
pub fn run(
    spec: &Path,
    out_dir: &Path,
    emit: &[String],
    check: bool,
    depfile: Option<&Path>,
    depfile_target: Option<&Path>,
    force: bool,
    quiet: bool,
    format: Format,
) -> CmdResult {
    require_format(format, &[Format::Text, Format::Json], "build")?;
    let mut targets = Vec::new();
    for e in emit {
        let t: ccattr_codegen::Target = e.trim().parse()?;
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let checked = match load_ok(spec, format)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let outputs = ccattr_codegen::emit(&checked.table, &base_name(spec), &targets);
    let paths: Vec<_> = outputs.iter().map(|o| out_dir.join(&o.file_name)).collect();

    if check {
        let mut stale = Vec::new();
        for (o, path) in outputs.iter().zip(&paths) {
            let old = std::fs::read(path).ok();
            if old.as_deref() != Some(o.contents.as_bytes()) {
                let diff = match old {
                    Some(b) => files::unified_diff(path, &String::from_utf8_lossy(&b), &o.contents),
                    None => files::labelled_diff(path, "", &o.contents, "missing", "generated"),
                };
                out!("{diff}");
                stale.push(path.display().to_string());
            }
        }
        if stale.is_empty() {
            if !quiet {
                errln!("{}: generated files are up to date", checked.source.name);
            }
            return Ok(0);
        }
        errln!(
            "error: {} generated file(s) out of date: {}\n  regenerate with: ccattr build {} --out-dir {}",
            stale.len(),
            stale.join(", "),
            spec.display(),
            out_dir.display()
        );
        return Ok(EXIT_FAILED);
    }

    std::fs::create_dir_all(out_dir).map_err(|e| {
        format!(
            "cannot create output directory {}: {}",
            out_dir.display(),
            io_reason(&e)
        )
    })?;
    // Refuse before writing anything, so a refusal leaves every file as it was.
    if !force {
        for path in &paths {
            if !files::may_replace(path, ccattr_codegen::GENERATED_MARKER)? {
                return Err(format!(
                    "refusing to overwrite {}: it does not carry the `{}` header (use --force to replace it)",
                    path.display(),
                    ccattr_codegen::GENERATED_MARKER
                ));
            }
        }
    }
    let mut report_rows = Vec::new();
    for (o, path) in outputs.iter().zip(&paths) {
        let outcome = files::write_if_changed(path, o.contents.as_bytes())?;
        report_rows.push((path.display().to_string(), outcome));
    }
    if let Some(dep) = depfile {
        // Every file the spec was read from: the root and each file it includes.
        let inputs: Vec<_> = (checked.source.files().iter())
            .map(|f| std::path::PathBuf::from(&f.name))
            .collect();
        let targets = match depfile_target {
            Some(t) => vec![t.to_path_buf()],
            None => paths.clone(),
        };
        let text = files::depfile(&targets, &inputs);
        files::write_if_changed(dep, text.as_bytes())?;
    }
    match format {
        Format::Json => {
            let files: Vec<_> = report_rows
                .iter()
                .map(|(p, o)| serde_json::json!({"path": p, "written": *o == Outcome::Written}))
                .collect();
            outln!("{:#}", serde_json::json!({ "files": files }));
        }
        _ if quiet => {}
        _ => {
            for (p, o) in &report_rows {
                let what = if *o == Outcome::Written {
                    "wrote"
                } else {
                    "unchanged"
                };
                errln!("{what:>9} {p}");
            }
        }
    }
    Ok(0)
}
