//! Standard output for reports. A closed pipe (`ccattr matrix x | head`) ends the
//! program quietly, as it would for a C tool killed by SIGPIPE, instead of panicking.

use std::io::Write as _;

pub fn write(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(i32::from(crate::EXIT_USAGE));
    }
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

pub(crate) use {out, outln};
