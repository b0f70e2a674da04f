//! `ccattr build`: write the generated files, or check that they are current.

use super::base_name;
use super::{load_ok, require_format, CmdResult};
use crate::out::{errln, out, outln};
use crate::{Format, JsonForm, EXIT_FAILED};
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
    json_form: JsonForm,
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
    // What is left to do needs only the table and the names of the files read: the
    // source, the model and the syntax tree's layout go before the outputs are made.
    let ccattr_core::Checked { source, table, .. } = checked;
    let spec_name = source.name.clone();
    // Every file the spec was read from: the root and each file it includes.
    let inputs: Vec<_> = (source.files().iter())
        .map(|f| std::path::PathBuf::from(&f.name))
        .collect();
    drop(source);
    let mut emitter = ccattr_codegen::Emitter::new(&table, &base_name(spec));
    match json_form {
        JsonForm::Auto => {}
        JsonForm::Rows => emitter.set_json_form(ccattr_codegen::json::Form::Rows),
        JsonForm::Columns => emitter.set_json_form(ccattr_codegen::json::Form::Columns),
    }
    let paths: Vec<_> = targets
        .iter()
        .map(|&t| out_dir.join(emitter.file_name(t)))
        .collect();

    if check {
        let mut stale = Vec::new();
        for (&target, path) in targets.iter().zip(&paths) {
            let contents = emitter.render(target);
            let old = std::fs::read(path).ok();
            if old.as_deref() != Some(contents.as_bytes()) {
                let diff = match old {
                    Some(b) => files::unified_diff(path, &String::from_utf8_lossy(&b), &contents),
                    None => files::labelled_diff(path, "", &contents, "missing", "generated"),
                };
                out!("{diff}");
                stale.push(path.display().to_string());
            }
        }
        if stale.is_empty() {
            if !quiet {
                errln!("{spec_name}: generated files are up to date");
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
    // Each output is made on a thread of its own. A large table's outputs are written
    // by their threads as they are made (the JSON table streams into its file; the C
    // header and the Rust module are each held only by their thread); a small table's
    // are made at once, then written one after the other, stopping at the first that
    // fails.
    let outcomes: Vec<_> = if emitter.parallel() {
        let write =
            |target, path: &Path| files::write_streamed(path, &mut |w| emitter.write(target, w));
        on_threads(&targets, |&target, i| write(target, &paths[i]))
    } else {
        let rendered = on_threads(&targets, |&target, _| emitter.render(target));
        let mut done = Vec::new();
        for (contents, path) in rendered.iter().zip(&paths) {
            done.push(Ok(files::write_if_changed(path, contents.as_bytes())?));
        }
        done
    };
    let mut report_rows = Vec::new();
    for (outcome, path) in outcomes.into_iter().zip(&paths) {
        report_rows.push((path.display().to_string(), outcome?));
    }
    if let Some(dep) = depfile {
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

/// `work` of each item of `items` (and its index), each on a thread of its own; the
/// results in the order of `items`.
fn on_threads<T: Sync, R: Send>(items: &[T], work: impl Fn(&T, usize) -> R + Sync) -> Vec<R> {
    std::thread::scope(|scope| {
        let work = &work;
        let threads: Vec<_> = (items.iter().enumerate())
            .map(|(i, item)| scope.spawn(move || work(item, i)))
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
