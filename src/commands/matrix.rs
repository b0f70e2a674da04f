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
    let m = matrix::matrix(&checked.table);
    match format {
        Format::Json => {
            let rows: Vec<_> = m
                .rows
                .iter()
                .map(|(name, cells)| {
                    let cells: serde_json::Map<String, serde_json::Value> = m
                        .platforms
                        .iter()
                        .zip(cells)
                        .map(|(p, d)| (p.clone(), serde_json::Value::from(d.as_str())))
                        .collect();
                    serde_json::json!({"device": name, "cells": cells})
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
            out!("\n|---|");
            for _ in &m.platforms {
                out!("---|");
            }
            outln!();
            for (name, cells) in &m.rows {
                out!("| {name} |");
                for c in cells {
                    out!(" {c} |");
                }
                outln!();
            }
        }
        _ => {
            let first = m
                .rows
                .iter()
                .map(|(n, _)| n.len())
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
            outln!("{}", line.trim_end());
            for (name, cells) in &m.rows {
                let mut line = format!("{name:first$}");
                for (c, w) in cells.iter().zip(&widths) {
                    line.push_str(&format!("  {:w$}", c.as_str()));
                }
                outln!("{}", line.trim_end());
            }
        }
    }
    Ok(0)
}
