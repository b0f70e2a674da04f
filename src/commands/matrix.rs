//! `ccattr matrix`: the decision of every device on every platform.

use super::{load_ok, require_format, CmdResult};
use crate::out::{out, outln};
use crate::Format;
use ccattr_core::matrix;
use std::path::Path;

pub fn run(spec: &Path, format: Format) -> CmdResult {
    require_format(
        format,
        &[Format::Text, Format::Json, Format::Markdown],
        "matrix",
    )?;
    let checked = match load_ok(spec, format)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let table = &checked.table;
    let m = matrix::matrix(table);
    // Where each row's device is declared, FILE:LINE ("-" for elsewhere).
    let names = checked.source.file_names();
    let declared = |row: &matrix::MatrixRow| match row.index {
        Some(d) => {
            let dev = &table.devices[d];
            ccattr_core::explain::place(&names, dev.file, dev.line)
        }
        None => "-".to_string(),
    };
    match format {
        Format::Json => {
            let rows: Vec<_> = m
                .rows
                .iter()
                .map(|row| {
                    let cells: serde_json::Map<String, serde_json::Value> = m
                        .platforms
                        .iter()
                        .zip(&row.cells)
                        .map(|(p, d)| (p.clone(), serde_json::Value::from(d.as_str())))
                        .collect();
                    let mut v = match &row.caps {
                        None => serde_json::json!({"device": row.device, "cells": cells}),
                        Some(case) => serde_json::json!({
                            "device": row.device,
                            "caps": case.with,
                            "without": case.without,
                            "pattern": case.pattern,
                            "exact": case.exact,
                            "cells": cells,
                        }),
                    };
                    if let (Some(d), Some(obj)) = (row.index, v.as_object_mut()) {
                        let dev = &table.devices[d];
                        let file = names.get(dev.file).or(names.first()).copied();
                        obj.insert("file".into(), file.unwrap_or_default().into());
                        obj.insert("line".into(), dev.line.into());
                    }
                    v
                })
                .collect();
            outln!(
                "{:#}",
                serde_json::json!({"platforms": m.platforms, "rows": rows})
            );
        }
        Format::Markdown => {
            out!("| device |");
            for p in &m.platforms {
                out!(" {p} |");
            }
            out!(" declared |\n|---|");
            for _ in &m.platforms {
                out!("---|");
            }
            outln!("---|");
            for row in &m.rows {
                out!("| {} |", row_label(row));
                for c in &row.cells {
                    out!(" {c} |");
                }
                outln!(" {} |", declared(row));
            }
        }
        _ => {
            let first = m
                .rows
                .iter()
                .map(|row| row_label(row).len())
                .max()
                .unwrap_or(0)
                .max("device".len());
            let widths: Vec<usize> = m
                .platforms
                .iter()
                .map(|p| p.len().max("unspecified".len()))
                .collect();
            let mut line = format!("{:first$}", "device");
            for (p, w) in m.platforms.iter().zip(&widths) {
                line.push_str(&format!("  {p:w$}"));
            }
            outln!("{}  declared", line);
            for row in &m.rows {
                let mut line = format!("{:first$}", row_label(row));
                for (c, w) in row.cells.iter().zip(&widths) {
                    line.push_str(&format!("  {:w$}", c.as_str()));
                }
                outln!("{}  {}", line, declared(row));
            }
        }
    }
    if m.rows
        .iter()
        .any(|r| r.caps.as_ref().is_some_and(|c| !c.exact))
        && format != Format::Json
    {
        outln!();
        outln!(
            "(*) too many capability cases to split: the row shows the set with exactly the capabilities named"
        );
    }
    Ok(0)
}

/// A row's first column: the device, and for a probed device the capabilities of
/// the row (`pci_bar [tdisp_run !msix_bar]`; a pattern row leaves the others free and
/// says so with `...`, an inexact one is marked `(*)`).
fn row_label(row: &matrix::MatrixRow) -> String {
    match &row.caps {
        None => row.device.clone(),
        Some(case) => {
            let mut label = format!("{} {}", row.device, case.label());
            if case.pattern {
                label.insert_str(label.len() - 1, " ...");
            }
            if !case.exact {
                label.push_str(" (*)");
            }
            label
        }
    }
}
