//! `ccattr lsp` as an editor sees it: the real binary, spoken to in JSON-RPC with
//! `Content-Length` framing over its standard input and output. Every wait has a
//! time limit, so a server that hangs fails the test instead of stalling it.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);
const URI: &str = "file:///work/spec/t.ccattr";

/// A spec that checks, with no lint finding; the doc string's characters before the
/// former name are wide in UTF-16 (ü is one unit, 😀 two).
const GOOD: &str = r#"spec t;

/// Memory encryption is active.
attr CC_ATTR_MEM_ENCRYPT;

/// Guest memory is encrypted.
attr CC_ATTR_GUEST_MEM_ENCRYPT implies CC_ATTR_MEM_ENCRYPT;

/// The IOAPIC is reached through an encrypted mapping.
attr CC_ATTR_ACCESS_IOAPIC_ENCRYPTED = CC_ATTR_GUEST_MEM_ENCRYPT {
    deprecated "ü😀"; formerly CC_ATTR_OLD_IOAPIC;
}

/// A guest.
platform guest {
    sets CC_ATTR_GUEST_MEM_ENCRYPT;
}

/// Bare metal.
platform bare {}

/// I/O APIC registers.
device ioapic { mmio 0xFEC00000 size 4K; }

map ioapic encrypted when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;
default decrypted when CC_ATTR_GUEST_MEM_ENCRYPT;
"#;

/// GOOD with a misspelt attribute in the map rule.
fn bad() -> String {
    GOOD.replace(
        "when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;",
        "when CC_ATTR_ACCESS_IOAPIC_ENCRYPTD;",
    )
}

/// The (line, UTF-16 column) of the `nth` occurrence of `needle` in `text`, plus `k`
/// characters.
fn pos(text: &str, needle: &str, nth: usize, k: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} in the text"))
        .0;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col: usize = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({"line": line, "character": col + k})
}

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for a response.
    notes: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ccattr"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ccattr lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            notes: Vec::new(),
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        self.stdin.write_all(body).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, v: Value) {
        self.send_raw(v.to_string().as_bytes());
    }

    fn recv(&mut self) -> Value {
        self.incoming
            .recv_timeout(LIMIT)
            .expect("the server answers within the time limit")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The whole response (result or error) to a request.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + LIMIT;
        loop {
            assert!(Instant::now() < deadline, "no response to {method}");
            let v = self.recv();
            if v.get("id") == Some(&json!(id)) {
                return v;
            }
            self.notes.push(v);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let v = self.call(method, params);
        assert!(v.get("error").is_none(), "{method} failed: {v}");
        v["result"].clone()
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.notes.iter().position(|n| is_diags(n, uri)) {
            let n = self.notes.remove(i);
            return n["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        loop {
            let v = self.recv();
            if is_diags(&v, uri) {
                return v["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.notes.push(v);
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "ccattr", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(uri)
    }

    /// `shutdown`, `exit`, and the exit status.
    fn finish(mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn is_diags(v: &Value, uri: &str) -> bool {
    v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
}

fn initialized() -> Client {
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(init["serverInfo"]["name"], "ccattr");
    assert_eq!(init["capabilities"]["textDocumentSync"], 1, "full sync");
    c.notify("initialized", json!({}));
    c
}

fn td(uri: &str, p: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": p})
}

/// Apply LSP text edits (one document) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let (line, ch) = (
            p["line"].as_u64().unwrap() as usize,
            p["character"].as_u64().unwrap() as usize,
        );
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

#[test]
fn an_editor_session() {
    let mut c = initialized();
    let text = bad();

    // didOpen: the misspelt name, with its code, range and did-you-mean.
    let diags = c.open(URI, &text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "E0105");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "ccattr");
    let start = pos(&text, "CC_ATTR_ACCESS_IOAPIC_ENCRYPTD", 0, 0);
    let end = pos(&text, "CC_ATTR_ACCESS_IOAPIC_ENCRYPTD", 0, 30);
    assert_eq!(d["range"], json!({"start": start, "end": end}));
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("unknown attribute `CC_ATTR_ACCESS_IOAPIC_ENCRYPTD`"),
        "{msg}"
    );
    assert!(
        msg.contains("help: did you mean `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED`?"),
        "{msg}"
    );

    // The quick fix for it: the did-you-mean name.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edits = actions[0]["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(apply(&text, edits), GOOD);

    // didChange: fixed, so the diagnostics are cleared.
    assert_eq!(c.change(URI, 2, GOOD), Vec::<Value>::new());

    // Hover on an attribute: doc, kind and expression, former names, bit.
    let h = c.request(
        "textDocument/hover",
        td(URI, pos(GOOD, "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", 1, 3)),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("**attribute** `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED` (bit 2"),
        "{md}"
    );
    assert!(
        md.contains("The IOAPIC is reached through an encrypted mapping."),
        "{md}"
    );
    assert!(
        md.contains("**derived** `= CC_ATTR_GUEST_MEM_ENCRYPT`"),
        "{md}"
    );
    assert!(md.contains("formerly: `CC_ATTR_OLD_IOAPIC`"), "{md}");
    // An implied one, and a platform's full set.
    let h = c.request(
        "textDocument/hover",
        td(URI, pos(GOOD, "CC_ATTR_GUEST_MEM_ENCRYPT", 0, 0)),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**implied**"), "{md}");
    let h = c.request(
        "textDocument/hover",
        td(URI, pos(GOOD, "platform guest", 0, 10)),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("full set: `CC_ATTR_MEM_ENCRYPT`, `CC_ATTR_GUEST_MEM_ENCRYPT`, `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED`"),
        "{md}"
    );
    // A device: its region and its decision on every platform (as `matrix` has it).
    let h = c.request("textDocument/hover", td(URI, pos(GOOD, "ioapic", 1, 0)));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("mmio `0xfec00000`..`0xfec00fff`"), "{md}");
    assert!(md.contains("| `guest` | encrypted |"), "{md}");
    assert!(md.contains("| `bare` | unspecified |"), "{md}");

    // Definition: from the use in the map rule to the declaration.
    let def = c.request(
        "textDocument/definition",
        td(URI, pos(GOOD, "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", 1, 5)),
    );
    assert_eq!(def["uri"], URI);
    assert_eq!(
        def["range"]["start"],
        pos(GOOD, "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", 0, 0)
    );
    // Of a former name: its `formerly` entry, after the wide characters.
    let def = c.request(
        "textDocument/definition",
        td(URI, pos(GOOD, "CC_ATTR_OLD_IOAPIC", 0, 2)),
    );
    assert_eq!(def["range"]["start"], pos(GOOD, "CC_ATTR_OLD_IOAPIC", 0, 0));
    assert_eq!(def["range"]["end"], pos(GOOD, "CC_ATTR_OLD_IOAPIC", 0, 18));

    // References: the declaration, `implies`, the derivation, `sets` and `default`.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": pos(GOOD, "CC_ATTR_GUEST_MEM_ENCRYPT", 0, 0), "context": {"includeDeclaration": true}}),
    );
    let starts: Vec<&Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["range"]["start"])
        .collect();
    let want: Vec<Value> = (0..4)
        .map(|i| pos(GOOD, "CC_ATTR_GUEST_MEM_ENCRYPT", i, 0))
        .collect();
    assert_eq!(starts, want.iter().collect::<Vec<_>>());
    // A device's: its declaration and its rule.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": pos(GOOD, "ioapic", 0, 0), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 1);

    // Formatting: exactly what `ccattr fmt` writes.
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let formatted = apply(GOOD, edits.as_array().unwrap());
    assert_eq!(formatted, fmt_stdin(GOOD));
    assert_ne!(formatted, GOOD);

    // Document symbols: every declaration.
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "CC_ATTR_MEM_ENCRYPT",
            "CC_ATTR_GUEST_MEM_ENCRYPT",
            "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED",
            "guest",
            "bare",
            "ioapic"
        ]
    );

    // A malformed message: an error reply, and the server goes on.
    c.send_raw(b"{this is not json");
    let v = c.recv();
    assert_eq!(v["error"]["code"], -32700, "{v}");
    assert_eq!(v["id"], Value::Null);
    c.send_raw(b"[1, 2]");
    assert_eq!(c.recv()["error"]["code"], -32600);
    // Bad parameters and an unknown method.
    let v = c.call("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(v["error"]["code"], -32602, "{v}");
    let v = c.call("ccattr/unknown", json!({}));
    assert_eq!(v["error"]["code"], -32601, "{v}");
    // Still answering.
    let h = c.request(
        "textDocument/hover",
        td(URI, pos(GOOD, "platform bare", 0, 9)),
    );
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("**platform** `bare`"));

    assert_eq!(c.finish(), 0);
}

/// `ccattr fmt -` on a text.
fn fmt_stdin(text: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccattr"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ccattr fmt");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn half_typed_specs_get_answers() {
    let mut c = initialized();
    // Every prefix of a spec, as if typed one character at a time, with a hover,
    // a completion and a definition at the end of each.
    let mut version = 1;
    c.open(URI, "");
    let cut: Vec<usize> = GOOD.char_indices().map(|(i, _)| i).step_by(7).collect();
    for &at in &cut {
        version += 1;
        let text = &GOOD[..at];
        c.change(URI, version, text);
        let end = pos(&format!("{text}\u{0}"), "\u{0}", 0, 0);
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
        ] {
            let v = c.call(method, td(URI, end.clone()));
            assert!(v.get("error").is_none(), "{method} at {at}: {v}");
        }
    }
    // Positions past the end, and an unopened document.
    let v = c.call(
        "textDocument/hover",
        td(URI, json!({"line": 9999, "character": 9999})),
    );
    assert!(v.get("error").is_none());
    let v = c.call(
        "textDocument/hover",
        td("file:///nowhere.ccattr", json!({"line": 0, "character": 0})),
    );
    assert_eq!(v["error"]["code"], -32602);
    assert_eq!(c.finish(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut c = initialized();
    c.notify("exit", Value::Null);
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(s) = c.child.try_wait().unwrap() {
            assert_eq!(s.code(), Some(1));
            return;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The edits of a rename's workspace edit, for the one document.
fn rename(c: &mut Client, text: &str, at: Value, new: &str) -> Result<String, Value> {
    let v = c.call(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": at, "newName": new}),
    );
    match v.get("error") {
        Some(e) => Err(e.clone()),
        None => Ok(apply(text, v["result"]["changes"][URI].as_array().unwrap())),
    }
}

/// `ccattr review BASE HEAD --format json`'s changes.
fn review(base: &str, head: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let (b, h) = (
        dir.path().join("base.ccattr"),
        dir.path().join("head.ccattr"),
    );
    std::fs::write(&b, base).unwrap();
    std::fs::write(&h, head).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ccattr"))
        .arg("review")
        .args([&b, &h])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("review: {}", String::from_utf8_lossy(&out.stderr));
    });
    v["changes"].as_array().cloned().unwrap_or_default()
}

#[test]
fn rename_keeps_the_old_name_and_refuses_taken_ones() {
    let mut c = initialized();
    assert!(c.open(URI, GOOD).is_empty());

    // An attribute without a block: every use rewritten, and a block made for
    // `formerly`, so that review sees a rename.
    let at = pos(GOOD, "CC_ATTR_MEM_ENCRYPT", 1, 2);
    let head = rename(&mut c, GOOD, at.clone(), "CC_ATTR_MEMORY_ENCRYPT").unwrap();
    assert!(
        head.contains("attr CC_ATTR_MEMORY_ENCRYPT {\n    formerly CC_ATTR_MEM_ENCRYPT;\n}\n"),
        "{head}"
    );
    assert!(head.contains("implies CC_ATTR_MEMORY_ENCRYPT;"), "{head}");
    assert_eq!(head.matches("CC_ATTR_MEM_ENCRYPT").count(), 1, "{head}");
    assert!(
        c.change(URI, 2, &head).is_empty(),
        "the renamed spec checks"
    );
    let changes = review(GOOD, &head);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "ATTR_RENAMED");
    assert_eq!(changes[0]["before"], "CC_ATTR_MEM_ENCRYPT");

    // One that has former names already: the old name joins them.
    c.change(URI, 3, GOOD);
    let at = pos(GOOD, "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED", 0, 0);
    let head = rename(&mut c, GOOD, at, "CC_ATTR_IOAPIC_PRIVATE").unwrap();
    assert!(
        head.contains("formerly CC_ATTR_OLD_IOAPIC, CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;"),
        "{head}"
    );
    assert!(head.contains("when CC_ATTR_IOAPIC_PRIVATE;"), "{head}");
    assert!(c.change(URI, 4, &head).is_empty());
    assert_eq!(review(GOOD, &head)[0]["kind"], "ATTR_RENAMED");

    // One with a block but no `formerly`.
    let text = GOOD.replace("attr CC_ATTR_MEM_ENCRYPT;", "attr CC_ATTR_MEM_ENCRYPT {}");
    c.change(URI, 5, &text);
    let head = rename(
        &mut c,
        &text,
        pos(&text, "CC_ATTR_MEM_ENCRYPT", 0, 0),
        "CC_ATTR_ME",
    )
    .unwrap();
    assert!(
        head.contains("attr CC_ATTR_ME {\n    formerly CC_ATTR_MEM_ENCRYPT;\n}"),
        "{head}"
    );
    assert!(c.change(URI, 6, &head).is_empty());

    // Platforms and devices.
    c.change(URI, 7, GOOD);
    let head = rename(&mut c, GOOD, pos(GOOD, "platform bare", 0, 9), "bare_metal").unwrap();
    assert!(head.contains("platform bare_metal {}"), "{head}");
    let head = rename(&mut c, GOOD, pos(GOOD, "ioapic", 1, 0), "io_apic").unwrap();
    assert!(
        head.contains("device io_apic {") && head.contains("map io_apic encrypted"),
        "{head}"
    );
    assert!(!head.contains("ioapic "), "{head}");

    // Refused, with a message: taken names (in the same namespace, or a former
    // name), invalid names, keywords, and renaming a former name itself.
    let refuse = |c: &mut Client, at: Value, new: &str, says: &str| {
        let e = rename(c, GOOD, at, new).unwrap_err();
        let m = e["message"].as_str().unwrap();
        assert!(m.contains(says), "{new}: {m}");
    };
    let attr = pos(GOOD, "CC_ATTR_MEM_ENCRYPT", 0, 0);
    refuse(
        &mut c,
        attr.clone(),
        "CC_ATTR_GUEST_MEM_ENCRYPT",
        "already the name of an attribute",
    );
    refuse(
        &mut c,
        attr.clone(),
        "CC_ATTR_OLD_IOAPIC",
        "already the name of a former attribute name",
    );
    refuse(&mut c, attr.clone(), "1BAD", "is not a name");
    refuse(&mut c, attr, "when", "is a keyword");
    refuse(
        &mut c,
        pos(GOOD, "platform bare", 0, 9),
        "guest",
        "already the name of a platform",
    );
    refuse(
        &mut c,
        pos(GOOD, "CC_ATTR_OLD_IOAPIC", 0, 0),
        "X",
        "is a former name of `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED`",
    );
    // prepareRename: the name's range, or the same refusal.
    let r = c.request(
        "textDocument/prepareRename",
        td(URI, pos(GOOD, "platform bare", 0, 10)),
    );
    assert_eq!(r["start"], pos(GOOD, "platform bare", 0, 9));
    assert_eq!(c.finish(), 0);
}

/// The labels completion offers at the end of `text`.
fn completions(c: &mut Client, version: i64, text: &str) -> Vec<String> {
    c.change(URI, version, text);
    let end = pos(&format!("{text}\u{0}"), "\u{0}", 0, 0);
    let v = c.request("textDocument/completion", td(URI, end));
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_offers_what_may_stand_there() {
    let mut c = initialized();
    c.open(URI, GOOD);
    let attrs = [
        "CC_ATTR_MEM_ENCRYPT",
        "CC_ATTR_GUEST_MEM_ENCRYPT",
        "CC_ATTR_ACCESS_IOAPIC_ENCRYPTED",
    ];
    let body = GOOD.trim_end();
    for (i, tail) in [
        "\nmap ioapic decrypted when ",
        "\nmap ioapic decrypted when CC_ATTR_GU",
        "\nmap ioapic decrypted when CC_ATTR_MEM_ENCRYPT && !",
        "\nplatform p { sets ",
        "\nplatform p { sets CC_ATTR_MEM_ENCRYPT, CC",
        "\nattr CC_ATTR_X implies ",
        "\nattr CC_ATTR_Y = (CC_ATTR_MEM_ENCRYPT || ",
    ]
    .iter()
    .enumerate()
    {
        let got = completions(&mut c, 2 + i as i64, &format!("{body}{tail}"));
        assert_eq!(got, attrs, "after {tail:?}");
    }
    assert_eq!(
        completions(&mut c, 20, &format!("{body}\nmap ")),
        ["ioapic"]
    );
    assert_eq!(
        completions(&mut c, 21, &format!("{body}\nmap io")),
        ["ioapic"]
    );
    let items = completions(&mut c, 22, &format!("{body}\n// a comment; map\n"));
    for k in ["attr", "platform", "device", "map", "default", "capability"] {
        assert!(items.iter().any(|i| i == k), "{k} in {items:?}");
    }
    assert_eq!(
        completions(&mut c, 23, ""),
        completions(&mut c, 24, "spec t;\nat")
    );
    assert_eq!(
        completions(&mut c, 25, &format!("{body}\nmap ioapic ")),
        ["encrypted", "decrypted", "refuse"]
    );
    assert_eq!(
        completions(&mut c, 26, &format!("{body}\ndevice d {{ ")),
        ["mmio", "probed"]
    );
    assert_eq!(
        completions(&mut c, 27, "spec t;\nnaming { prefix = "),
        Vec::<String>::new()
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn quick_fixes_and_related_locations() {
    let mut c = initialized();
    // A former name in use: the fix is its current name.
    let text = GOOD.replace(
        "when CC_ATTR_ACCESS_IOAPIC_ENCRYPTED;",
        "when CC_ATTR_OLD_IOAPIC;",
    );
    let diags = c.open(URI, &text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "E0106");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": diags[0]["range"], "context": {"diagnostics": diags}}),
    );
    let edits = actions[0]["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(apply(&text, edits), GOOD);
    assert_eq!(
        actions[0]["title"],
        "Replace with `CC_ATTR_ACCESS_IOAPIC_ENCRYPTED`"
    );
    // No fix where the range has none.
    let none = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(none, json!([]));

    // A second declaration: the first one is the related location.
    let text = format!("{GOOD}\n/// Again.\nplatform bare {{}}\n");
    let diags = c.change(URI, 2, &text);
    let dup = diags
        .iter()
        .find(|d| d["relatedInformation"].is_array())
        .expect("a related location");
    assert_eq!(dup["range"]["start"], pos(&text, "bare", 1, 0));
    let rel = &dup["relatedInformation"][0];
    assert_eq!(rel["location"]["uri"], URI);
    assert_eq!(rel["location"]["range"]["start"], pos(&text, "bare", 0, 0));

    // Closing the document clears its diagnostics.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(c.diagnostics(URI).is_empty());
    assert_eq!(c.finish(), 0);
}

/// A document on the disk is compiled with the files it includes, read beside it: a
/// clean set has no diagnostics; an error in the included file is shown on the
/// `include` that reads it, saying where, with a related location in that file.
#[test]
fn includes_are_read_beside_the_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("attrs")).expect("mkdir");
    let attrs = dir.path().join("attrs/common.ccattr");
    let good_attrs = "naming {\n    prefix = \"CC_ATTR_\";\n}\n\n/// Memory is encrypted.\nattr CC_ATTR_MEM_ENCRYPT;\n";
    std::fs::write(&attrs, good_attrs).expect("write");
    let spec = dir.path().join("policy.ccattr");
    let text = "/// A policy.\nspec policy;\n\ninclude \"attrs/common.ccattr\";\n\n/// A guest.\nplatform guest {\n    sets CC_ATTR_MEM_ENCRYPT;\n}\n";
    std::fs::write(&spec, text).expect("write");
    let uri = format!("file://{}", spec.display());
    let mut c = initialized();
    let diags = c.open(&uri, text);
    assert_eq!(
        diags,
        Vec::<Value>::new(),
        "the included attribute is known"
    );

    std::fs::write(
        &attrs,
        good_attrs.replace("attr CC_ATTR_MEM_ENCRYPT;", "attr CC_ATTR_MEM_ENCRYPT\n"),
    )
    .expect("write");
    let diags = c.change(&uri, 2, text);
    let d = diags
        .iter()
        .find(|d| d["code"] == "E0003")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(
        d["range"]["start"],
        json!({"line": 3, "character": 0}),
        "on the include"
    );
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("in included file attrs/common.ccattr:8: syntax error")),
        "{d}"
    );
    let related = &d["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], format!("file://{}", attrs.display()), "{d}");
    assert_eq!(related["range"]["start"]["line"], 7, "{d}");
    assert_eq!(c.finish(), 0);
}
