// Starts `ccattr lsp` for ccattr specs: diagnostics, hover, definition, references,
// rename, formatting, completion and quick fixes all come from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("ccattr").get("path") || "ccattr";
  const serverOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "ccattr" }, { scheme: "untitled", language: "ccattr" }],
  };
  client = new LanguageClient("ccattr", "ccattr language server", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
