//! `ccattr lsp`: the language server for ccattr specs, over standard input and output.
//!
//! Built on lsp-server and lsp-types, the crates rust-analyzer is built on: a small,
//! synchronous scaffold (messages, ids, error codes, framing) with the protocol's
//! types, and no async runtime. A spec compiles in microseconds to milliseconds, so
//! one loop that handles one message at a time answers as fast as a runtime would,
//! and is easier to reason about (nothing races, nothing is cancelled half-way).
//! tower-lsp-server would bring tokio and futures for concurrency the server has
//! no use for.
//!
//! Everything the server says comes from the CLI's own pipeline: the loader, checker
//! and decision table (`ccattr_codegen::compile`), the lints (`ccattr_lint`), the
//! matrix (`ccattr_core::matrix`) and the formatter (`ccattr_grammar::printer`). Names
//! are found in the syntax tree of the compiler's parser ([`index`]).

// lsp-types keys a `WorkspaceEdit`'s changes by `Uri`, whose inner cell is a cache
// that never changes its hash or equality.
#![allow(clippy::mutable_key_type)]

pub mod analysis;
pub mod complete;
pub mod hover;
pub mod index;
pub mod rename;
pub mod server;
pub mod text;
pub mod transport;

pub use server::Server;

use std::io::{self, BufRead, Write};
use transport::Incoming;

/// Serve one client on `input` and `output` until `exit` or the end of input; the
/// exit status: 0 after `shutdown` then `exit`, 1 otherwise.
pub fn serve(mut input: impl BufRead, mut output: impl Write) -> io::Result<i32> {
    let mut server = Server::new();
    while let Some(incoming) = transport::read(&mut input)? {
        match incoming {
            Incoming::Malformed(code, message) => {
                transport::write_malformed(&mut output, code, &message)?
            }
            Incoming::Message(msg) => {
                for reply in server.handle(msg) {
                    transport::write(&mut output, &reply)?;
                }
            }
        }
        if let Some(code) = server.exit {
            return Ok(code);
        }
    }
    Ok(1)
}

/// [`serve`] on the process's standard input and output.
pub fn serve_stdio() -> io::Result<i32> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    serve(stdin.lock(), io::BufWriter::new(stdout.lock()))
}
