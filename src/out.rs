//! Standard output for reports, and standard error for messages. A closed pipe on
//! standard output (`ccattr matrix x | head`) ends the program quietly, as it would
//! for a C tool killed by SIGPIPE, instead of panicking. A standard error that cannot
//! be written (`ccattr check big.ccattr 2>&1 | head -1`) is left alone: the command
//! goes on and exits with its own status, since there is nowhere left to report to.

use std::io::Write as _;

pub fn write(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        write_err(&format!("error: cannot write to standard output: {e}\n"));
        std::process::exit(i32::from(crate::EXIT_USAGE));
    }
}

/// Write `text` to standard error; a failure to write is ignored (see the module
/// documentation).
pub fn write_err(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// `eprint!` through [`write_err`].
macro_rules! err {
    ($($arg:tt)*) => { $crate::out::write_err(&format!($($arg)*)) };
}

/// `eprintln!` through [`write_err`].
macro_rules! errln {
    () => { $crate::out::write_err("\n") };
    ($($arg:tt)*) => { $crate::out::write_err(&format!("{}\n", format_args!($($arg)*))) };
}

/// `print!` to standard output through [`write`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write(&format!($($arg)*)) };
}

/// `println!` to standard output through [`write`].
macro_rules! outln {
    () => { $crate::out::write("\n") };
    ($($arg:tt)*) => { $crate::out::write(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {err, errln, out, outln};
