//! A real client: Neovim's built-in LSP, headless, with the shipped snippet
//! (editors/nvim/ccattr.lua). It opens a spec with an error, waits for the
//! diagnostics `ccattr lsp` publishes, and writes them to a file this test reads.

use ccattr_test_support::{require, root, run};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

/// Waits for the diagnostics, writes them as JSON and quits; on a time-out it writes
/// an empty list, so that the test fails on what it reads, not on a hang.
const INIT: &str = r#"
dofile(os.getenv("CCATTR_SNIPPET")).setup({ cmd = { os.getenv("CCATTR_BIN"), "lsp" } })
vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      local lsp = d.user_data and d.user_data.lsp or {}
      table.insert(out, {
        lnum = d.lnum, col = d.col, message = d.message, severity = d.severity,
        code = d.code or lsp.code, source = d.source,
      })
    end
    local f = io.open(os.getenv("CCATTR_OUT"), "w")
    f:write(vim.fn.json_encode({ filetype = vim.bo.filetype, diagnostics = out }))
    f:close()
    vim.cmd("qa!")
  end,
})
"#;

#[test]
fn neovim_shows_the_diagnostic() {
    let found = Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require(found, "`nvim` (Debian's neovim)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("typo.ccattr");
    std::fs::write(
        &spec,
        "spec typo;\n\n/// Guest memory is encrypted.\nattr CC_ATTR_GUEST_MEM_ENCRYPT;\n\n\
         /// A guest.\nplatform guest { sets CC_ATTR_GUEST_MEM_ENCRYP; }\n",
    )
    .unwrap();
    let init = dir.path().join("init.lua");
    std::fs::write(&init, INIT).unwrap();
    let out_file = dir.path().join("diagnostics.json");
    let output = run(
        Command::new("nvim")
            .args(["--headless", "-n", "-i", "NONE", "-u"])
            .arg(&init)
            .arg(&spec)
            .current_dir(dir.path())
            .env("CCATTR_SNIPPET", root().join("editors/nvim/ccattr.lua"))
            .env("CCATTR_BIN", env!("CARGO_BIN_EXE_ccattr"))
            .env("CCATTR_OUT", &out_file)
            .env("XDG_STATE_HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path()),
        None,
        Duration::from_secs(60),
    );
    let text = std::fs::read_to_string(&out_file).unwrap_or_else(|e| {
        panic!(
            "nvim wrote no diagnostics ({e}); status {:?}, stderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["filetype"], "ccattr");
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{text}");
    let d = &diags[0];
    assert_eq!(d["code"], "E0105", "{text}");
    assert_eq!(d["severity"], 1, "an error");
    assert_eq!(d["source"], "ccattr");
    // Line 7 (0-based 6), after `platform guest { sets `.
    assert_eq!(
        (d["lnum"].as_u64(), d["col"].as_u64()),
        (Some(6), Some(22)),
        "{text}"
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("did you mean `CC_ATTR_GUEST_MEM_ENCRYPT`?"),
        "{message}"
    );
}
