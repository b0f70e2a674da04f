-- ccattr for Neovim's built-in LSP client (Neovim 0.7 or newer).
--
-- Put this file on your runtimepath as lua/ccattr.lua (or anywhere, and dofile it),
-- then in init.lua:
--
--   require("ccattr").setup()                      -- `ccattr` on PATH
--   require("ccattr").setup({ cmd = { "/path/to/ccattr", "lsp" } })
--
-- Files named *.ccattr get the filetype `ccattr`, and `ccattr lsp` starts for them:
-- diagnostics, hover (K), go to definition, references, rename, formatting
-- (vim.lsp.buf.format), completion (omnifunc) and quick fixes (code actions).

local M = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { "ccattr", "lsp" }
  local group = vim.api.nvim_create_augroup("ccattr", { clear = true })

  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = "*.ccattr",
    callback = function(args)
      vim.bo[args.buf].filetype = "ccattr"
    end,
  })

  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "ccattr",
    callback = function(args)
      local bufnr = args.buf
      vim.bo[bufnr].commentstring = "// %s"
      vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
      local file = vim.api.nvim_buf_get_name(bufnr)
      local config = {
        name = "ccattr",
        cmd = cmd,
        root_dir = vim.fn.fnamemodify(file, ":p:h"),
      }
      if vim.lsp.start then
        -- Neovim 0.8 and newer: one client per root, reused across buffers.
        vim.lsp.start(config, { bufnr = bufnr })
      else
        M.client_id = M.client_id or vim.lsp.start_client(config)
        if M.client_id then
          vim.lsp.buf_attach_client(bufnr, M.client_id)
        end
      end
    end,
  })
end

return M
