//! `ccattr lsp`: the language server on standard input and output (docs/lsp.md).

use super::CmdResult;

pub fn run() -> CmdResult {
    match ccattr_lsp::serve_stdio() {
        Ok(0) => Ok(0),
        Ok(_) => Ok(crate::EXIT_FAILED),
        Err(e) => Err(format!("lsp: {e}")),
    }
}
