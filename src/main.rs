//! `ccattr`: check, build and explain confidential-computing attribute specs.

mod commands;
mod out;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status: the spec has errors, or a check or policy failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: the command line or the file system failed.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "ccattr",
    version,
    about = "Compile confidential-computing attribute and MMIO mapping specs",
    long_about = "ccattr checks specs that declare confidential-computing (CC) platform \
attributes, platforms, device MMIO regions and mapping rules, and compiles them into a C \
header, a Rust module and a JSON decision table that all give the same answers.\n\n\
Exit status: 0 success; 1 the spec has errors or a check failed; 2 the command line or \
the file system failed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Github,
    Sarif,
    Svg,
}

/// `build --json-form`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JsonForm {
    Auto,
    Rows,
    Columns,
}

#[derive(Subcommand)]
pub enum Command {
    /// Parse and check specs; report every error and warning.
    Check {
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write the generated files (C header, Rust module, JSON table).
    Build {
        spec: PathBuf,
        /// Directory to write into (created if missing).
        #[arg(long)]
        out_dir: PathBuf,
        /// Which outputs to write: c, rust, json (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "c,rust,json")]
        emit: Vec<String>,
        /// Write nothing; exit 1 and show a diff if any file in DIR differs.
        #[arg(long)]
        check: bool,
        /// Also write a Make-style depfile naming every input (the spec and every
        /// file it includes).
        #[arg(long)]
        depfile: Option<PathBuf>,
        /// The target of the depfile's rule (default: the generated files), as
        /// gcc's -MT: for a Makefile whose rule makes a stamp file.
        #[arg(long, value_name = "TARGET", requires = "depfile")]
        depfile_target: Option<PathBuf>,
        /// Overwrite files that lack the generator's header comment.
        #[arg(long)]
        force: bool,
        /// Print only errors and warnings (for Make and Kbuild recipes).
        #[arg(long, short)]
        quiet: bool,
        /// The layout of the JSON table: `rows` (format versions 1 and 2, one line per
        /// element), `columns` (version 3, compact) or `auto` (columns for a table of
        /// more than 256 rule sets).
        #[arg(long, value_enum, default_value = "auto")]
        json_form: JsonForm,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Decide one address or range, with the trace of how.
    Explain {
        spec: PathBuf,
        /// Address, decimal or 0x hex (not with --device).
        #[arg(required_unless_present = "device")]
        addr: Option<String>,
        /// Size of the range in bytes (default 1).
        #[arg(long, default_value = "1")]
        size: String,
        /// A probed device (version 2): decide it from its capabilities instead of an
        /// address.
        #[arg(long, conflicts_with = "addr")]
        device: Option<String>,
        /// The capabilities the probed device reports (comma-separated; default none).
        #[arg(long, requires = "device")]
        caps: Option<String>,
        /// A declared platform: its full attribute set.
        #[arg(long, conflicts_with = "attrs")]
        platform: Option<String>,
        /// Base attributes (comma-separated; empty for none); the tool closes them.
        #[arg(long)]
        attrs: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The decision of every device on every platform.
    Matrix {
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The address map of each platform, regions coloured by decision (text or SVG).
    Map {
        spec: PathBuf,
        /// Only this platform.
        #[arg(long, value_name = "NAME")]
        platform: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Naming and design lints; every finding prints its rule ID (docs/lints.md).
    Lint {
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Exit 1 on findings denied to errors (`error`), on any finding, or never.
        #[arg(long, default_value = "error", value_parser = commands::lint::FAIL_ON)]
        fail_on: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// What changed between two versions of a spec (docs/review.md).
    Review {
        /// BASE and HEAD; only HEAD with --base-rev.
        #[arg(required = true, num_args = 1..=2, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// Read BASE from git: HEAD's path at this revision.
        #[arg(long, value_name = "REV")]
        base_rev: Option<String>,
        /// Exit 1 on a change of this class or a more severe one.
        #[arg(long, default_value = "breaking", value_parser = commands::review::FAIL_ON)]
        fail_on: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Hold a spec's CC_ATTR_ attributes and platforms against a kernel tree (docs/kernel.md).
    #[command(
        long_about = "Hold a spec's CC_ATTR_ attributes against the kernel's enum cc_attr in \
DIR/include/linux/cc_platform.h: members missing on either side, positions, kernel-doc text \
and @ tags. Where DIR has arch/x86/coco/core.c, each platform whose doc comment has a line \
`kernel: intel`, `kernel: amd` or `kernel: hyperv` is compared with what that vendor's \
cc_platform_has() returns.\n\n\
Exit status: 0 they agree (warnings aside); 1 a finding, or the spec has errors; 2 the \
tree, its header or the spec cannot be read, or the command line is wrong."
    )]
    KernelCheck {
        /// The spec to hold against the kernel.
        spec: PathBuf,
        /// A kernel source tree, or a headers tree such as /usr/src/linux-headers-VERSION-common.
        #[arg(long, value_name = "DIR")]
        tree: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Rewrite specs in the canonical layout, keeping every comment (docs/fmt.md).
    Fmt {
        /// Specs to format in place; `-` reads standard input and writes standard output.
        #[arg(required_unless_present = "stdin", value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// Write nothing; exit 1 and show a diff if any spec is not formatted.
        #[arg(long)]
        check: bool,
        /// Read a spec from standard input and write it formatted to standard output.
        #[arg(long)]
        stdin: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The language server, over standard input and output, for editors (docs/lsp.md).
    Lsp,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: commands::completions::Shell,
    },
    /// Print the manual page, or write one page per command into a directory.
    Man {
        /// Write ccattr.1 and ccattr-COMMAND.1 here instead of printing ccattr.1.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = ccattr_grammar::source_limit_from_env() {
        out::errln!("error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    // Checking is iterative or bounded everywhere; a large stack is a second guard.
    let worker = std::thread::Builder::new()
        .name("ccattr".into())
        .stack_size(64 << 20)
        .spawn(move || commands::run(cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            out::errln!(
                "error: ccattr failed unexpectedly; please report this with the input spec"
            );
            ExitCode::from(EXIT_USAGE)
        }
    }
}
