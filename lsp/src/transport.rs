//! The base protocol on a byte stream: `Content-Length` framed JSON-RPC messages.
//!
//! lsp-server's own stdio reader ends the connection at the first malformed message;
//! this one reads on, so that the server can answer it with an error and keep going.

use lsp_server::Message;
use std::io::{self, BufRead, Read, Write};

/// The largest message body read; a larger one is skipped and answered with an error.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// What one frame of input held.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that is not a message: the error to answer it with (JSON-RPC code and
    /// text).
    Malformed(i32, String),
}

/// JSON-RPC's codes for a body that is not JSON, and for JSON that is not a message.
pub const PARSE_ERROR: i32 = -32700;
pub const INVALID_REQUEST: i32 = -32600;

/// Read the next frame; `None` at the end of input.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    let mut any_header = false;
    loop {
        line.clear();
        // A header line is short; one without an end within the limit is garbage.
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(if any_header {
                Some(Incoming::Malformed(
                    PARSE_ERROR,
                    "the input ended inside a message header".into(),
                ))
            } else {
                None
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !any_header {
                continue; // stray line breaks between messages
            }
            break;
        }
        any_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("Content-Length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => {
            return Ok(Some(Incoming::Malformed(
                PARSE_ERROR,
                "a message header without Content-Length".into(),
            )))
        }
        Some(Err(e)) => return Ok(Some(Incoming::Malformed(PARSE_ERROR, e))),
        Some(Ok(n)) => n,
    };
    if length > MAX_MESSAGE_BYTES {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Incoming::Malformed(
            PARSE_ERROR,
            format!("a message of {length} bytes is larger than the limit of {MAX_MESSAGE_BYTES}"),
        )));
    }
    let mut body = Vec::with_capacity(length);
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Some(Incoming::Malformed(
            PARSE_ERROR,
            "the input ended inside a message body".into(),
        )));
    }
    Ok(Some(parse(&body)))
}

const MAX_HEADER_LINE: usize = 4096;

/// A message body to a message, or the error that answers it.
pub fn parse(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Incoming::Malformed(PARSE_ERROR, format!("not JSON: {e}")),
    };
    if !value.is_object() {
        return Incoming::Malformed(INVALID_REQUEST, "not a JSON-RPC 2.0 message".into());
    }
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => Incoming::Malformed(INVALID_REQUEST, format!("not a JSON-RPC message: {e}")),
    }
}

/// Write one message.
pub fn write(out: &mut impl Write, msg: &Message) -> io::Result<()> {
    msg.write(out)?;
    out.flush()
}

/// Write the answer to a message that could not be read: an error response whose
/// `id` is null, since the request's own could not be known.
pub fn write_malformed(out: &mut impl Write, code: i32, message: &str) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    })
    .to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}
