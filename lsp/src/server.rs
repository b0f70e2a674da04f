//! The server's state and its dispatch: one message in, the messages to send out.
//! No I/O here, so that tests and the fuzz target drive it directly.

use crate::analysis::{suggested_name, Analysis};
use crate::{complete, hover, rename};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as n, Notification as _};
use lsp_types::request::{self as r, Request as _};
use lsp_types::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where the session is in the protocol's life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for `initialize`.
    Start,
    Running,
    /// `shutdown` answered: only `exit` is left.
    ShutDown,
}

pub struct Server {
    phase: Phase,
    docs: BTreeMap<String, (Uri, Analysis)>,
    /// Set by `exit`: the process's exit status (0 after `shutdown`, 1 before).
    pub exit: Option<i32>,
}

/// A request that failed: the error code and message to answer it with.
pub struct Failure(pub ErrorCode, pub String);

pub type Answer = Result<Value, Failure>;

impl Failure {
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure(ErrorCode::RequestFailed, message.into())
    }
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    pub fn new() -> Server {
        Server {
            phase: Phase::Start,
            docs: BTreeMap::new(),
            exit: None,
        }
    }

    /// Handle one message; a panic in a handler becomes an internal-error answer.
    pub fn handle(&mut self, msg: Message) -> Vec<Message> {
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let mut out = Vec::new();
                let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.request(req, &mut out)
                }))
                .unwrap_or_else(|_| {
                    Err(Failure(
                        ErrorCode::InternalError,
                        "ccattr lsp failed unexpectedly on this request; please report it with the spec".into(),
                    ))
                });
                out.insert(0, respond(id, answer));
                out
            }
            Message::Notification(note) => {
                let mut out = Vec::new();
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.notification(note, &mut out)
                }));
                out
            }
            // The server sends no requests, so a response answers nothing.
            Message::Response(_) => Vec::new(),
        }
    }

    fn request(&mut self, req: Request, out: &mut Vec<Message>) -> Answer {
        match (self.phase, req.method.as_str()) {
            (Phase::Start, r::Initialize::METHOD) => {
                let _: InitializeParams = params(req.params)?;
                self.phase = Phase::Running;
                Ok(to_value(initialize_result()))
            }
            (Phase::Start, _) => Err(Failure(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet".into(),
            )),
            (Phase::ShutDown, _) => Err(Failure(
                ErrorCode::InvalidRequest,
                "the server is shut down; only `exit` is left".into(),
            )),
            (Phase::Running, r::Initialize::METHOD) => Err(Failure(
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            )),
            (Phase::Running, r::Shutdown::METHOD) => {
                self.phase = Phase::ShutDown;
                Ok(Value::Null)
            }
            (Phase::Running, method) => self.feature(method, req.params, out),
        }
    }

    fn feature(&mut self, method: &str, p: Value, _out: &mut Vec<Message>) -> Answer {
        match method {
            r::HoverRequest::METHOD => {
                let p: HoverParams = params(p)?;
                let (_, a) = self.doc(&p.text_document_position_params.text_document.uri)?;
                let at = offset(a, p.text_document_position_params.position);
                Ok(to_value(hover::hover(a, at)))
            }
            r::GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = params(p)?;
                let uri = p.text_document_position_params.text_document.uri;
                let (_, a) = self.doc(&uri)?;
                let at = offset(a, p.text_document_position_params.position);
                let Some(o) = a.index.at(at) else {
                    return Ok(Value::Null);
                };
                // Declared here, or in a file the document includes.
                let found = match a.index.decls.get(&o.symbol) {
                    Some(d) => Some(Location::new(uri.clone(), a.range(d.span))),
                    None => a
                        .declared_elsewhere(&o.symbol)
                        .and_then(|span| a.location(&uri, span)),
                };
                Ok(to_value(found.map(GotoDefinitionResponse::Scalar)))
            }
            r::References::METHOD => {
                let p: ReferenceParams = params(p)?;
                let uri = p.text_document_position.text_document.uri;
                let (_, a) = self.doc(&uri)?;
                let at = offset(a, p.text_document_position.position);
                let Some(o) = a.index.at(at) else {
                    return Ok(Value::Null);
                };
                let decl = p.context.include_declaration;
                let refs: Vec<Location> = a
                    .index
                    .references(&o.symbol)
                    .filter(|o| decl || !o.is_decl)
                    .map(|o| Location::new(uri.clone(), a.range(o.span)))
                    .collect();
                Ok(to_value(refs))
            }
            r::Formatting::METHOD => {
                let p: DocumentFormattingParams = params(p)?;
                let (_, a) = self.doc(&p.text_document.uri)?;
                format(a).map(to_value)
            }
            r::Rename::METHOD => {
                let p: RenameParams = params(p)?;
                let uri = p.text_document_position.text_document.uri;
                let (_, a) = self.doc(&uri)?;
                let at = offset(a, p.text_document_position.position);
                let edits = rename::rename(a, at, &p.new_name)?;
                let changes = [(uri.clone(), edits)].into_iter().collect();
                Ok(to_value(WorkspaceEdit::new(changes)))
            }
            r::PrepareRenameRequest::METHOD => {
                let p: TextDocumentPositionParams = params(p)?;
                let (_, a) = self.doc(&p.text_document.uri)?;
                let at = offset(a, p.position);
                let span = rename::target(a, at)?.span;
                Ok(to_value(PrepareRenameResponse::Range(a.range(span))))
            }
            r::Completion::METHOD => {
                let p: CompletionParams = params(p)?;
                let (_, a) = self.doc(&p.text_document_position.text_document.uri)?;
                let at = offset(a, p.text_document_position.position);
                Ok(to_value(CompletionResponse::Array(complete::complete(
                    a, at,
                ))))
            }
            r::CodeActionRequest::METHOD => {
                let p: CodeActionParams = params(p)?;
                let (uri, a) = self.doc(&p.text_document.uri)?;
                Ok(to_value(code_actions(uri, a, p.range)))
            }
            r::DocumentSymbolRequest::METHOD => {
                let p: DocumentSymbolParams = params(p)?;
                let (uri, a) = self.doc(&p.text_document.uri)?;
                Ok(to_value(DocumentSymbolResponse::Flat(symbols(uri, a))))
            }
            _ => Err(Failure(
                ErrorCode::MethodNotFound,
                format!("ccattr lsp does not handle `{method}`"),
            )),
        }
    }

    fn doc(&self, uri: &Uri) -> Result<(&Uri, &Analysis), Failure> {
        self.docs
            .get(uri.as_str())
            .map(|(u, a)| (u, a))
            .ok_or_else(|| {
                Failure(
                    ErrorCode::InvalidParams,
                    format!("`{}` is not open", uri.as_str()),
                )
            })
    }

    fn notification(&mut self, note: Notification, out: &mut Vec<Message>) {
        if note.method == n::Exit::METHOD {
            self.exit = Some(if self.phase == Phase::ShutDown { 0 } else { 1 });
            return;
        }
        if self.phase != Phase::Running {
            return;
        }
        match note.method.as_str() {
            n::DidOpenTextDocument::METHOD => {
                if let Ok(p) = params::<DidOpenTextDocumentParams>(note.params) {
                    let doc = p.text_document;
                    self.open(doc.uri, doc.text, out);
                }
            }
            n::DidChangeTextDocument::METHOD => {
                if let Ok(p) = params::<DidChangeTextDocumentParams>(note.params) {
                    let uri = p.text_document.uri;
                    let Some((_, a)) = self.docs.get(uri.as_str()) else {
                        return;
                    };
                    let text = apply_changes(a, p.content_changes);
                    self.open(uri, text, out);
                }
            }
            n::DidCloseTextDocument::METHOD => {
                if let Ok(p) = params::<DidCloseTextDocumentParams>(note.params) {
                    let uri = p.text_document.uri;
                    if self.docs.remove(uri.as_str()).is_some() {
                        out.push(publish(uri, Vec::new()));
                    }
                }
            }
            // `initialized`, `$/cancelRequest`, settings and the rest: nothing to do.
            _ => {}
        }
    }

    /// Compile a document's new text and publish its diagnostics (an empty list
    /// when it has none, which clears the editor's).
    fn open(&mut self, uri: Uri, text: String, out: &mut Vec<Message>) {
        let path = crate::text::file_path(&uri);
        let analysis = Analysis::new(&display_name(&uri), path.as_deref(), text);
        out.push(publish(uri.clone(), analysis.lsp_diagnostics(&uri)));
        self.docs.insert(uri.as_str().to_string(), (uri, analysis));
    }
}

/// A document's name in diagnostics: its path's last part.
fn display_name(uri: &Uri) -> String {
    let path = uri.path().as_str();
    path.rsplit('/').next().unwrap_or(path).to_string()
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Message {
    Message::Notification(Notification::new(
        n::PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams::new(uri, diagnostics, None),
    ))
}

fn respond(id: RequestId, answer: Answer) -> Message {
    Message::Response(match answer {
        Ok(v) => Response::new_ok(id, v),
        Err(Failure(code, message)) => Response::new_err(id, code as i32, message),
    })
}

fn params<P: DeserializeOwned>(v: Value) -> Result<P, Failure> {
    serde_json::from_value(v)
        .map_err(|e| Failure(ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn to_value<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn offset(a: &Analysis, pos: Position) -> usize {
    a.lines.offset(&a.text, pos)
}

fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            completion_provider: Some(CompletionOptions::default()),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "ccattr".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

/// The new text after a `didChange`: a change without a range replaces the whole
/// text (the full sync the server asks for); one with a range is applied in place.
fn apply_changes(a: &Analysis, changes: Vec<TextDocumentContentChangeEvent>) -> String {
    let mut text = a.text.clone();
    for change in changes {
        match change.range {
            None => text = change.text,
            Some(range) => {
                let lines = crate::text::LineIndex::new(&text);
                let start = lines.offset(&text, range.start);
                let end = lines.offset(&text, range.end).max(start);
                text.replace_range(start..end, &change.text);
            }
        }
    }
    text
}

/// The whole document formatted as `ccattr fmt` formats it: no edit when it already
/// is, else one edit replacing the text.
fn format(a: &Analysis) -> Result<Vec<TextEdit>, Failure> {
    match ccattr_grammar::printer::format(&a.text) {
        Ok(formatted) if formatted == a.text => Ok(Vec::new()),
        Ok(formatted) => {
            let all = a.range(ccattr_grammar::Span::new(0, a.text.len()));
            Ok(vec![TextEdit::new(all, formatted)])
        }
        Err(ccattr_grammar::printer::FormatError::Syntax(d)) => Err(Failure::failed(format!(
            "not formatted: the spec has syntax errors ({})",
            d.first().map_or("", |d| d.message.as_str())
        ))),
        Err(e) => Err(Failure::failed(format!("not formatted: {e}"))),
    }
}

/// Quick fixes for the diagnostics in `range` that offer a name: replace the name
/// written with the one the help line gives.
fn code_actions(uri: &Uri, a: &Analysis, range: Range) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for (d, _) in a.diagnostics() {
        let Some(name) = suggested_name(d) else {
            continue;
        };
        let r = a.range(d.span);
        if r.end < range.start || range.end < r.start {
            continue;
        }
        let edit = TextEdit::new(r, name.to_string());
        let lsp_diag = a
            .lsp_diagnostics(uri)
            .into_iter()
            .find(|x| x.range == r && x.code == Some(NumberOrString::String(d.code.into())));
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Replace with `{name}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: lsp_diag.map(|d| vec![d]),
            edit: Some(WorkspaceEdit::new(
                [(uri.clone(), vec![edit])].into_iter().collect(),
            )),
            is_preferred: Some(true),
            ..Default::default()
        }));
    }
    out
}

/// Every declaration, for the editor's outline.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be written out
fn symbols(uri: &Uri, a: &Analysis) -> Vec<SymbolInformation> {
    use crate::index::Kind;
    a.index
        .occurrences
        .iter()
        .filter(|o| o.is_decl && o.symbol.kind != Kind::Former)
        .map(|o| SymbolInformation {
            name: o.symbol.name.clone(),
            kind: match o.symbol.kind {
                Kind::Attr | Kind::Former => SymbolKind::CONSTANT,
                Kind::Capability => SymbolKind::ENUM_MEMBER,
                Kind::Platform => SymbolKind::CLASS,
                Kind::Device => SymbolKind::STRUCT,
            },
            tags: None,
            deprecated: None,
            location: Location::new(uri.clone(), a.range(o.span)),
            container_name: None,
        })
        .collect()
}
