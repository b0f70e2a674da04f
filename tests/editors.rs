//! The editor support in editors/: the VS Code extension's TextMate grammar, run
//! over every shipped example the way an editor runs it (line by line, the earliest
//! match first, ties to the first pattern), must scope every keyword and comment.

use ccattr_test_support::{example_paths, root};
use regex::Regex;
use serde_json::Value;

/// The language's keywords, and the contextual ones (version 2).
const KEYWORDS: &[&str] = &[
    "spec",
    "naming",
    "attr",
    "implies",
    "formerly",
    "deprecated",
    "platform",
    "sets",
    "device",
    "mmio",
    "size",
    "map",
    "default",
    "when",
    "encrypted",
    "decrypted",
    "true",
    "false",
    "capability",
    "probed",
    "refuse",
    "include",
];

/// One flattened pattern: its regex and the scope of the whole match or of groups.
struct Pattern {
    re: Regex,
    scopes: Vec<(usize, String)>,
}

fn grammar() -> Vec<Pattern> {
    let path = root().join("editors/vscode/syntaxes/ccattr.tmLanguage.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(g["scopeName"], "source.ccattr");
    let mut out = Vec::new();
    for p in g["patterns"].as_array().unwrap() {
        let name = p["include"].as_str().unwrap().trim_start_matches('#');
        let rule = &g["repository"][name];
        let re = Regex::new(rule["match"].as_str().unwrap()).unwrap();
        let mut scopes = Vec::new();
        if let Some(n) = rule["name"].as_str() {
            scopes.push((0, n.to_string()));
        }
        if let Some(caps) = rule["captures"].as_object() {
            for (i, c) in caps {
                scopes.push((i.parse().unwrap(), c["name"].as_str().unwrap().to_string()));
            }
        }
        out.push(Pattern { re, scopes });
    }
    out
}

/// The scoped ranges of a line, as a TextMate engine finds them.
fn scope_line(patterns: &[Pattern], line: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < line.len() {
        let best = patterns
            .iter()
            .filter_map(|p| p.re.captures_at(line, at).map(|c| (c, p)))
            .filter(|(c, _)| c.get(0).is_some_and(|m| m.end() > m.start()))
            .min_by_key(|(c, _)| c.get(0).map(|m| m.start()));
        let Some((caps, p)) = best else { break };
        for (group, scope) in &p.scopes {
            if let Some(m) = caps.get(*group) {
                out.push((m.start(), m.end(), scope.clone()));
            }
        }
        at = caps.get(0).unwrap().end();
    }
    out
}

fn scoped(ranges: &[(usize, usize, String)], start: usize, end: usize, prefix: &str) -> bool {
    ranges
        .iter()
        .any(|(s, e, scope)| *s <= start && end <= *e && scope.starts_with(prefix))
}

#[test]
fn the_grammar_scopes_every_keyword_and_comment_of_every_example() {
    let patterns = grammar();
    let mut keywords = 0;
    let mut comments = 0;
    for path in example_paths() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let ranges = scope_line(&patterns, line);
            let at = || format!("{}:{}: {line}", path.display(), n + 1);
            // A plain lexer: strings, comments and words.
            let b = line.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'"' {
                    let start = i;
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 1).min(b.len());
                    assert!(scoped(&ranges, start, i, "string."), "string at {}", at());
                } else if line[i..].starts_with("//") {
                    let doc = line[i..].starts_with("///");
                    let want = if doc {
                        "comment.line.documentation"
                    } else {
                        "comment.line"
                    };
                    assert!(scoped(&ranges, i, line.len(), want), "comment at {}", at());
                    comments += 1;
                    break;
                } else if b[i].is_ascii_alphabetic() || b[i] == b'_' {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                    let word = &line[start..i];
                    if KEYWORDS.contains(&word) {
                        let scope = if matches!(word, "true" | "false") {
                            "constant."
                        } else {
                            "keyword."
                        };
                        assert!(scoped(&ranges, start, i, scope), "`{word}` at {}", at());
                        keywords += 1;
                    }
                } else {
                    i += 1;
                }
            }
        }
    }
    assert!(
        keywords > 100 && comments > 50,
        "{keywords} keywords, {comments} comments"
    );
}

#[test]
fn the_extension_names_the_grammar_and_the_server() {
    let dir = root().join("editors/vscode");
    let pkg: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    assert_eq!(
        pkg["contributes"]["languages"][0]["extensions"][0],
        ".ccattr"
    );
    let grammar = pkg["contributes"]["grammars"][0]["path"].as_str().unwrap();
    assert!(dir.join(grammar).is_file());
    let config = pkg["contributes"]["languages"][0]["configuration"]
        .as_str()
        .unwrap();
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(config)).unwrap()).unwrap();
    assert_eq!(config["comments"]["lineComment"], "//");
    let main = std::fs::read_to_string(dir.join(pkg["main"].as_str().unwrap())).unwrap();
    assert!(main.contains("vscode-languageclient") && main.contains("args: [\"lsp\"]"));
    let nvim = std::fs::read_to_string(root().join("editors/nvim/ccattr.lua")).unwrap();
    assert!(nvim.contains("\"ccattr\", \"lsp\""));
}
